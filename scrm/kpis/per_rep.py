"""Every rep's figures for a period at once: one grouped query per part (queries.py), whatever the number of
reps; a team's are their sum (metrics.total)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from scrm.db import among
from scrm.kpis.metrics import PARTS, Figures, total
from scrm.kpis.periods import Period
from scrm.kpis.queries import QUERIES, Scope
from scrm.models import Deal
from scrm.statuses import DealStatus


def by_rep(
    session: Session, userids: list[str], period: Period, *, now: datetime, tz: ZoneInfo, parts: Collection[str] = PARTS
) -> dict[str, Figures]:
    """Every rep's figures for the period, in one grouped query per part whatever the number of reps.

    `parts` chooses what to compute (a digest needs fewer than `业绩`); the fields of the others stay zero.
    metrics.METRICS says which part computes which metric."""
    result = {userid: Figures() for userid in userids}
    if not userids:
        return result
    scope = Scope(session, userids, period, now, tz)
    for part, query in QUERIES.items():
        if part in parts:
            query(scope, result)
    return result


def figures(session: Session, userids: list[str], period: Period, *, now: datetime, tz: ZoneInfo) -> Figures:
    """The reps' figures summed (a team's, or one rep's)."""
    return total(by_rep(session, userids, period, now=now, tz=tz).values())


def ranking(session: Session, userids: list[str], period: Period) -> list[tuple[str, Decimal]]:
    """Reps by won amount in the period, best first (reps with nothing won are left out)."""
    query = (
        select(Deal.userid, func.sum(Deal.amount))
        .where(
            among(session, Deal.userid, userids),
            Deal.status == DealStatus.WON,
            col(Deal.closed_at) >= period.start,
            col(Deal.closed_at) < period.end,
        )
        .group_by(Deal.userid)
        .order_by(func.sum(Deal.amount).desc())
    )
    return [(userid, Decimal(total or 0)) for userid, total in session.exec(query)]
