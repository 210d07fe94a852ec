"""Targets: periods as people write them, progress and the pace needed per working day left."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from scrm import targets
from scrm.kpis import Figures, Period
from scrm.models import Target

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize("text, expected", [
    ("2026-12", ("month", date(2026, 12, 1))), ("12月", ("month", date(2026, 12, 1))),
    ("1月", ("month", date(2027, 1, 1))),  # January has passed this year: next year's
    ("本月", ("month", date(2026, 12, 1))), ("下个月", ("month", date(2027, 1, 1))),
    ("2026-W49", ("week", date(2026, 11, 30))), ("本周", ("week", date(2026, 11, 30))),
    ("下周", ("week", date(2026, 12, 7))), ("2026-Q4", ("quarter", date(2026, 10, 1))),
    ("本季度", ("quarter", date(2026, 10, 1))), ("第一季度", ("quarter", date(2026, 1, 1))),
])
def test_periods_as_people_write_them(text, expected):
    assert targets.parse_period(text, TODAY) == expected


@pytest.mark.parametrize("text", ["13月", "2026-W60", "明年", "2026-13"])
def test_a_period_that_is_none_is_refused(text):
    with pytest.raises(targets.TargetError):
        targets.parse_period(text, TODAY)


def test_progress_and_the_pace_needed_per_working_day_left():
    target = Target(scope="rep", subject="zhangsan", metric="won_amount", period="month", starts=date(2026, 12, 1),
                    value=Decimal(500000))
    december = Period.month_of(datetime(2026, 12, 1, tzinfo=TZ), TZ)
    now = datetime(2026, 12, 21, 10, 0, tzinfo=TZ)  # Monday: 21, 22, 23, 24, 25, 28, 29, 30, 31 are left
    p = targets.progress(target, Figures(won_amount=Decimal(320000)), december, now=now, tz=TZ)
    assert (p.days_left, p.gap, p.pace) == (9, Decimal(180000), Decimal("20000.00"))
    assert targets.describe(p) == "目标 50万：完成 64%，还差 18万，剩 9 个工作日，每天需 2万"
    done = targets.progress(target, Figures(won_amount=Decimal(520000)), december, now=now, tz=TZ)
    assert targets.describe(done) == "目标 50万：已完成 104% 🎉"
    over = targets.progress(target, Figures(won_amount=Decimal(100000)), december,
                            now=datetime(2027, 1, 2, tzinfo=TZ), tz=TZ)
    assert targets.describe(over) == "目标 50万：完成 20%，还差 40万"  # the month is over: no pace
