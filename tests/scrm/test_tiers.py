"""Customer tiers from value, recency and engagement, worked out by hand; an A customer is escalated sooner."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from scrm import customers, deals, interactions, tiers
from scrm.funnel import DEFAULT_STAGES
from scrm.models import CustomerRep

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    "won, advanced, days, logged, tier",
    [
        (Decimal(150000), False, 3, 8, "A"),  # 3 + 3 + 3
        (Decimal(150000), False, 60, 0, "B"),  # 3 + 1 + 1 = 5: a big customer gone quiet
        (Decimal(0), True, 10, 2, "A"),  # 2 + 3 + 2 = 7: an open deal at 方案报价, talked to lately
        (Decimal(0), False, 30, 1, "C"),  # 1 + 2 + 1 = 4
        (Decimal(0), False, None, 0, "C"),  # never talked to
    ],
)
def test_the_score(won, advanced, days, logged, tier):
    assert tiers.score(won, advanced, days, logged) == tier


def test_recompute_sets_every_live_relations_tier(store):
    def at(day: str) -> datetime:
        return datetime.fromisoformat(f"2026-{day} 10:00").replace(tzinfo=TZ)

    with store.transaction() as session:
        for external, status in (("wmBig", "active"), ("wmQuiet", "active"), ("wmGone", "lost")):
            customers.set_status(
                customers.link(session, external_userid=external, userid="zhangsan", now=at("01-01")),
                status,
                at("01-01"),
            )
        deal = deals.open_deal(
            session, external_userid="wmBig", userid="zhangsan", first_stage="初次接触", now=at("10-01")
        )
        deals.close(session, deal, won=True, amount=Decimal(120000), note="", userid="zhangsan", now=at("11-20"))
        for day in ("11-25", "11-26", "11-27", "11-28", "11-29", "11-30"):
            interactions.record(session, external_userid="wmBig", userid="zhangsan", kind="follow_up", at=at(day))
        counts = tiers.recompute(session, now=NOW, stages=DEFAULT_STAGES)
    with store.transaction() as session:
        got = {r.external_userid: r.tier for r in session.exec(CustomerRep.__table__.select())}
    assert counts == {"A": 1, "C": 1} and got == {"wmBig": "A", "wmQuiet": "C", "wmGone": ""}
