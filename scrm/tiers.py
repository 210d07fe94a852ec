"""Customer tiering (RFM-style): A, B or C for each rep and customer, from deal value, recency and engagement.

  value       won from the customer in the last 365 days: ≥ 100,000 scores 3, anything 2, nothing 1
              (an open deal at 方案报价 or later counts as 2 as well)
  recency     days since the rep last logged a follow-up or closed a deal with them: ≤ 14 → 3, ≤ 45 → 2, else 1
  engagement  follow-ups logged with them in the last 90 days: ≥ 6 → 3, ≥ 2 → 2, else 1

A is 7–9 points, B 5–6, C 3–4. Recomputed daily for every live relation in a few grouped queries; the
customer card shows it, and an A customer's open follow-up is escalated sooner (SCRM_ESCALATE_AFTER_A).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from scrm.customers import LIVE
from scrm.models import CustomerRep, Deal, Interaction
from scrm.statuses import DealStatus

BIG_VALUE = Decimal(100_000)
ADVANCED_STAGES_FROM = 2  # the third stage of the funnel (方案报价 by default) and later


def score(won: Decimal, advanced_open_deal: bool, days_since: int | None, logged_90d: int) -> str:
    value = 3 if won >= BIG_VALUE else 2 if won > 0 or advanced_open_deal else 1
    recency = 1 if days_since is None else 3 if days_since <= 14 else 2 if days_since <= 45 else 1
    engagement = 3 if logged_90d >= 6 else 2 if logged_90d >= 2 else 1
    total = value + recency + engagement
    return "A" if total >= 7 else "B" if total >= 5 else "C"


def recompute(session: Session, *, now: datetime, stages: tuple[str, ...]) -> dict[str, int]:
    """Every live relation's tier; returns how many of each."""
    key = lambda row: (row[0], row[1])  # noqa: E731  (userid, external_userid)
    won = {
        key(r): Decimal(r[2] or 0)
        for r in session.exec(
            select(Deal.userid, Deal.external_userid, func.sum(Deal.amount))
            .where(Deal.status == DealStatus.WON, col(Deal.closed_at) >= now - timedelta(days=365))
            .group_by(Deal.userid, Deal.external_userid)
        )
    }
    advanced = {
        key(r)
        for r in session.exec(
            select(Deal.userid, Deal.external_userid).where(
                Deal.status == DealStatus.OPEN, col(Deal.stage).in_(stages[ADVANCED_STAGES_FROM:-2])
            )
        )
    }
    last: dict[tuple[str, str], datetime] = {}
    for userid, external, at in (
        *session.exec(
            select(Interaction.userid, Interaction.external_userid, func.max(Interaction.at))
            .where(Interaction.kind == "follow_up")
            .group_by(Interaction.userid, Interaction.external_userid)
        ),
        *session.exec(
            select(Deal.userid, Deal.external_userid, func.max(Deal.closed_at))
            .where(col(Deal.closed_at).is_not(None))
            .group_by(Deal.userid, Deal.external_userid)
        ),
    ):
        if at is not None and ((userid, external) not in last or at > last[(userid, external)]):
            last[(userid, external)] = at
    logged = {
        key(r): r[2]
        for r in session.exec(
            select(Interaction.userid, Interaction.external_userid, func.count())
            .where(Interaction.kind == "follow_up", col(Interaction.at) >= now - timedelta(days=90))
            .group_by(Interaction.userid, Interaction.external_userid)
        )
    }
    by_tier: dict[str, list[int]] = defaultdict(list)
    for rel_id, userid, external in session.exec(
        select(CustomerRep.id, CustomerRep.userid, CustomerRep.external_userid).where(col(CustomerRep.status).in_(LIVE))
    ):
        pair = (userid, external)
        days = (now - last[pair]).days if pair in last else None
        by_tier[score(won.get(pair, Decimal(0)), pair in advanced, days, logged.get(pair, 0))].append(rel_id)
    for tier, ids in by_tier.items():
        for start in range(0, len(ids), 1000):
            session.exec(
                update(CustomerRep)
                .where(col(CustomerRep.id).in_(ids[start : start + 1000]))
                .values(tier=tier)
                .execution_options(synchronize_session=False)
            )
    return {tier: len(ids) for tier, ids in sorted(by_tier.items())}
