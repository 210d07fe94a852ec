"""Targets: periods as people write them, progress and the pace needed per working day left."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from scrm import targets, workdays
from scrm.kpis import Figures, Period
from scrm.models import Target

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-12", ("month", date(2026, 12, 1))),
        ("12月", ("month", date(2026, 12, 1))),
        ("1月", ("month", date(2027, 1, 1))),  # January has passed this year: next year's
        ("本月", ("month", date(2026, 12, 1))),
        ("下个月", ("month", date(2027, 1, 1))),
        ("2026-W49", ("week", date(2026, 11, 30))),
        ("本周", ("week", date(2026, 11, 30))),
        ("下周", ("week", date(2026, 12, 7))),
        ("2026-Q4", ("quarter", date(2026, 10, 1))),
        ("本季度", ("quarter", date(2026, 10, 1))),
        ("第一季度", ("quarter", date(2026, 1, 1))),
    ],
)
def test_periods_as_people_write_them(text, expected):
    assert targets.parse_period(text, TODAY) == expected


@pytest.mark.parametrize("text", ["13月", "2026-W60", "明年", "2026-13"])
def test_a_period_that_is_none_is_refused(text):
    with pytest.raises(targets.TargetError):
        targets.parse_period(text, TODAY)


def test_progress_and_the_pace_needed_per_working_day_left():
    target = Target(
        scope="rep",
        subject="zhangsan",
        metric="won_amount",
        period="month",
        starts=date(2026, 12, 1),
        value=Decimal(500000),
    )
    december = Period.month_of(datetime(2026, 12, 1, tzinfo=TZ), TZ)
    now = datetime(2026, 12, 21, 10, 0, tzinfo=TZ)  # Monday: 21, 22, 23, 24, 25, 28, 29, 30, 31 are left
    p = targets.progress(target, Figures(won_amount=Decimal(320000)), december, now=now, tz=TZ)
    assert (p.days_left, p.gap, p.pace) == (9, Decimal(180000), Decimal("20000.00"))
    assert targets.describe(p) == "目标 50万：完成 64%，还差 18万，剩 9 个工作日，每天需 2万"
    done = targets.progress(target, Figures(won_amount=Decimal(520000)), december, now=now, tz=TZ)
    assert targets.describe(done) == "目标 50万：已完成 104% 🎉"
    over = targets.progress(
        target, Figures(won_amount=Decimal(100000)), december, now=datetime(2027, 1, 2, tzinfo=TZ), tz=TZ
    )
    assert targets.describe(over) == "目标 50万：完成 20%，还差 40万"  # the month is over: no pace


@pytest.mark.parametrize(
    "text, reason",
    [
        ("9999-12", "too_far"),
        ("0000-12", "too_far"),
        ("0001-01", "too_far"),
        ("9999-W52", "too_far"),
        ("9999-Q4", "too_far"),
        ("0000-Q1", "too_far"),
        ("99999-12", "too_far"),
        ("2024-12", "too_far"),
        ("2029-01", "too_far"),
        ("2026-13", "no_such_month"),
        ("2026-0", "no_such_month"),
        ("0月", "no_such_month"),
        ("2027-W53", "no_such_week"),
        ("2026-W00", "no_such_week"),
        ("2026-Q5", "no_such_quarter"),
        ("第5季度", "no_such_quarter"),
        ("2026-12-01", "not_a_period"),
        ("下周二", "not_a_period"),
    ],
)
def test_a_period_far_from_today_or_that_does_not_exist_is_refused_with_its_reason(text, reason):
    """Issue 19: 9999-12 and 0000-12 crashed the chat handler (year 10000, year 0); 0001-01 and 9999-W52 were
    stored. Targets are for last year to two years ahead (2025-01 to 2028-12 on 2026-12-01)."""
    with pytest.raises(targets.TargetError) as refused:
        targets.parse_period(text, TODAY)
    assert refused.value.reason == reason and "\n" not in str(refused.value)


def test_the_window_of_periods_reaches_from_last_january_to_december_two_years_ahead():
    assert targets.parse_period("2025-01", TODAY) == ("month", date(2025, 1, 1))
    assert targets.parse_period("2028-12", TODAY) == ("month", date(2028, 12, 1))
    assert targets.parse_period("2026-W53", TODAY) == ("week", date(2026, 12, 28))  # 2026 has 53 ISO weeks
    assert targets.parse_period("2026年12月", TODAY) == ("month", date(2026, 12, 1))


@pytest.mark.parametrize(
    "kind, starts, value, metric, reason",
    [
        ("month", date(2026, 12, 1), Decimal(-500000), "won_amount", "too_small"),
        ("month", date(2026, 12, 1), Decimal(0), "won_amount", "too_small"),
        ("month", date(2026, 12, 1), Decimal("0.001"), "won_amount", "too_small"),
        ("month", date(2026, 12, 1), Decimal("Infinity"), "won_amount", "too_small"),
        ("month", date(2026, 12, 1), Decimal("999999990000"), "won_amount", "too_large"),  # 99999999万
        ("month", date(2026, 12, 1), Decimal(100_001), "won", "too_large"),
        ("month", date(2026, 12, 1), Decimal("2.5"), "won", "not_whole"),
        ("month", date(9999, 12, 1), Decimal(500000), "won_amount", "too_far"),
        ("month", date(2026, 12, 2), Decimal(500000), "won_amount", "not_a_period"),
        ("quarter", date(2026, 11, 1), Decimal(500000), "won_amount", "not_a_period"),
        ("week", date(2026, 12, 1), Decimal(500000), "won_amount", "not_a_period"),
    ],
)
def test_set_target_refuses_what_makes_no_sense_and_stores_nothing(store, kind, starts, value, metric, reason):
    from sqlmodel import select

    now = datetime(2026, 12, 1, 10, tzinfo=TZ)
    with store.transaction() as session:
        with pytest.raises(targets.TargetError) as refused:
            targets.set_target(
                session,
                scope="rep",
                subject="zhangsan",
                kind=kind,
                starts=starts,
                value=value,
                metric=metric,
                now=now,
                today=date(2026, 12, 1),
            )
        assert refused.value.reason == reason
        assert session.exec(select(Target)).all() == []
    with store.transaction() as session:
        target = targets.set_target(
            session,
            scope="rep",
            subject="zhangsan",
            kind="month",
            starts=date(2026, 12, 1),
            value=Decimal(10_000_000_000),
            now=now,
            today=date(2026, 12, 1),
        )  # 100亿: the most a target may be
        assert target.value == Decimal(10_000_000_000)


def test_the_pace_to_date_is_the_targets_share_for_the_working_days_gone():
    december = [date(2026, 12, 1) + timedelta(days=n) for n in range(31)]  # 23 working days
    pace = targets.pace_to_date(Decimal(230000), december, workdays.current())
    assert pace[date(2026, 12, 1)] == Decimal(10000)
    assert pace[date(2026, 12, 4)] == pace[date(2026, 12, 6)] == Decimal(40000)  # the weekend adds nothing
    assert pace[date(2026, 12, 31)] == Decimal(230000)
