"""The funnel's figures for a set of reps: what is in each open stage now, conversion to the next, days in
stage, and the deals stalled over their stage's limit (漏斗, the anomalies job)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from scrm.db import among
from scrm.models import Deal, StageChange
from scrm.statuses import DealStatus


@dataclass(frozen=True)
class StageFigures:
    stage: str
    open_now: int  # open deals in the stage now
    reached: int  # deals that ever entered it
    moved_on: int  # of those, how many went on to a later stage (won included)
    median_days: float | None  # how long deals stayed in it, for stays that ended
    stalled: list[tuple[Deal, int]]  # open deals in it longer than its limit, with their days

    @property
    def conversion(self) -> float | None:
        """Of the deals that left the stage (not those still in it), the share that went on rather than lost."""
        left = self.reached - self.open_now
        return self.moved_on / left if left > 0 else None


def funnel(
    session: Session, userids: list[str], stages: tuple[str, ...], limits: dict[str, int], *, now: datetime
) -> list[StageFigures]:
    """The open stages of the funnel for these reps' deals: what is in each now, conversion to the next,
    median days in stage, and the stalled deals (over the stage's limit)."""
    open_stages = stages[:-2]
    deals_ = {d.id: d for d in session.exec(select(Deal).where(among(session, Deal.userid, userids)))}
    history: dict[int, list[StageChange]] = {}
    if deals_:
        for change in session.exec(
            select(StageChange)
            .where(among(session, StageChange.deal_id, list(deals_)))
            .order_by(StageChange.deal_id, StageChange.at, StageChange.id)
        ):
            history.setdefault(change.deal_id, []).append(change)
    order = {stage: n for n, stage in enumerate(stages)}
    reached, moved, stays, entered_at = defaultdict(int), defaultdict(int), defaultdict(list), {}
    for deal_id, changes in history.items():
        for n, change in enumerate(changes):
            reached[change.to_stage] += 1
            following = changes[n + 1] if n + 1 < len(changes) else None
            if following is not None:
                stays[change.to_stage].append((following.at - change.at).total_seconds() / 86400)
                if following.to_stage != stages[-1] and order.get(following.to_stage, -1) > order.get(
                    change.to_stage, -1
                ):
                    moved[change.to_stage] += 1
            else:
                entered_at[deal_id] = change.at
    result = []
    for stage in open_stages:
        in_stage = [d for d in deals_.values() if d.status == DealStatus.OPEN and d.stage == stage]
        limit = limits.get(stage)
        stalled = sorted(
            (
                (d, (now - entered_at.get(d.id, d.opened_at)).days)
                for d in in_stage
                if limit and (now - entered_at.get(d.id, d.opened_at)).days > limit
            ),
            key=lambda p: -p[1],
        )
        result.append(
            StageFigures(
                stage,
                len(in_stage),
                reached[stage],
                moved[stage],
                statistics.median(stays[stage]) if stays[stage] else None,
                stalled,
            )
        )
    return result
