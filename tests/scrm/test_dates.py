"""Every day the product names is the business time zone's: at 02:00 in Beijing UTC still reads the day before."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from scrm import follow_ups, kpis
from scrm.dates import DEFAULT_TIMEZONE, ago, business_day, format_day, format_due, format_when
from scrm.kpis import daily
from scrm.models import Deal

TZ = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2026, 11, 24, 2, 0, tzinfo=TZ)  # Tuesday 02:00 in Beijing: Monday 18:00 UTC
STORED = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # the same instant as the store gives it back


def test_the_business_day_of_a_utc_instant_is_beijings():
    assert business_day(STORED, TZ) == date(2026, 11, 24)
    assert business_day(datetime(2026, 11, 24, 15, 59, tzinfo=UTC), TZ) == date(2026, 11, 24)  # 23:59 in Beijing
    with pytest.raises(ValueError):
        business_day(datetime(2026, 11, 24, 2, 0), TZ)  # naive: which day would it be?


def test_a_stored_time_is_shown_on_the_business_clock():
    assert format_day(STORED, NIGHT) == "11月24日（周二）"
    assert format_when(STORED, NIGHT) == "11月24日（周二）02:00"
    assert format_due(STORED, NIGHT) == "02:00"  # today, though UTC's date is yesterday's
    assert format_due(datetime(2026, 11, 24, 16, 0, tzinfo=UTC), NIGHT) == "11月25日（周三）00:00"
    assert format_when(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), NIGHT) == "2027年1月1日（周五）00:30"
    assert ago(datetime(2026, 11, 23, 15, 30, tzinfo=UTC), NIGHT, TZ) == "昨天"  # Monday 23:30, not 2 hours ago


def test_logging_closes_what_was_due_by_the_end_of_the_business_day_at_any_hour(store):
    late = datetime(2026, 11, 24, 23, 59, tzinfo=TZ)
    with store.transaction() as session:
        for note, due in (("今晚", "2026-11-24 19:00"), ("明早", "2026-11-25 09:00")):
            due_at = datetime.fromisoformat(due).replace(tzinfo=TZ)
            follow_ups.schedule(
                session, external_userid="wmC", userid="zs", due_at=due_at, note=note, now=NIGHT, adding=True
            )
    with store.transaction() as session:
        closed = follow_ups.complete_open(session, external_userid="wmC", userid="zs", now=NIGHT, tz=TZ)
        assert closed == 1  # tonight's, at 02:00 (a 12-hour window left it open)
        assert follow_ups.complete_open(session, external_userid="wmC", userid="zs", now=late, tz=TZ) == 0
        assert [f.note for f in follow_ups.open_for(session, "wmC")] == ["明早"]  # tomorrow's stays open at 23:59


def test_a_deal_closed_at_night_counts_on_that_business_day_in_both_databases(store):
    with store.transaction() as session:
        session.add(
            Deal(
                external_userid="wmC",
                userid="zs",
                stage="成交",
                status="won",
                amount=Decimal(50_000),
                opened_at=NIGHT,
                updated_at=NIGHT,
                closed_at=NIGHT,
            )
        )
    with store.transaction() as session:
        closed_at = session.exec(select(Deal.closed_at)).one()
        assert closed_at == NIGHT and closed_at.tzinfo == UTC  # stored as UTC, the same instant
        today = kpis.Period.day_of(NIGHT, TZ)
        assert kpis.by_rep(session, ["zs"], today, now=NIGHT, tz=TZ, parts=("deals",))["zs"].won == 1
        per_day = daily.by_rep_and_day(session, ["zs"], kpis.Period.month_of(NIGHT, TZ), TZ, "won_amount")
        assert per_day == {"zs": {date(2026, 11, 24): Decimal(50_000)}}


def test_the_business_time_zone_is_written_once():
    """SCRM_TIMEZONE's default is scrm.dates.DEFAULT_TIMEZONE; no module of the app spells a zone of its own."""
    root = Path(__file__).parents[2]
    spelled = [
        str(path.relative_to(root))
        for folder in ("bot", "handlers", "jobs", "scrm")
        for path in (root / folder).rglob("*.py")
        if re.search(r"Asia/\w+", path.read_text(encoding="utf-8"))
    ]
    assert spelled == ["scrm/dates.py"]
    assert DEFAULT_TIMEZONE.key == "Asia/Shanghai"
