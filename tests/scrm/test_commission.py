"""Commission: tiered rates on the month's won amount and a bonus past a threshold, worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scrm.commission import Plan, PlanError, parse_tiers

PLAN = Plan(parse_tiers("100000:3%,:5%"), Decimal(20000), Decimal(1000000))


@pytest.mark.parametrize(
    "won, earned",
    [
        (0, "0.00"),
        (50000, "1500.00"),  # 3% of 50,000
        (100000, "3000.00"),
        (300000, "13000.00"),  # 3,000 + 5% of 200,000
        (1000000, "48000.00"),  # 3,000 + 45,000: the bonus is for passing 1,000,000, not reaching it
        (1200000, "78000.00"),  # 3,000 + 55,000 + 20,000
    ],
)
def test_tiers_and_the_bonus(won, earned):
    assert PLAN.earned(Decimal(won)) == Decimal(earned)


def test_three_tiers():
    plan = Plan(parse_tiers("50000:2%, 200000:4%, :6%"))
    assert plan.earned(Decimal(250000)) == Decimal(1000 + 6000 + 3000)


@pytest.mark.parametrize("text", ["100000:3%", "200000:3%,100000:4%,:5%", "3%", ":3%,100000:5%", "100000:abc%,:5%"])
def test_a_plan_that_cannot_be_is_refused(text):
    with pytest.raises(PlanError):
        parse_tiers(text)
