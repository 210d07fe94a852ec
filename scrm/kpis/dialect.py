"""SQL the two databases spell differently: on time, and a UTC column's local day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Interval, func, literal
from sqlmodel import Session

ON_TIME_GRACE = timedelta(hours=2)  # a follow-up done this long after its due time is still on time


def on_time(session: Session, done_at, due_at):
    """done_at within ON_TIME_GRACE of due_at, in SQL (SQLite keeps times as text: compared as Julian days)."""
    if session.get_bind().dialect.name == "postgresql":
        return done_at <= due_at + literal(ON_TIME_GRACE, Interval)
    return func.julianday(done_at) <= func.julianday(due_at) + ON_TIME_GRACE / timedelta(days=1)


def local_day(session: Session, column, tz: ZoneInfo, at: datetime):
    """The business day of a UTC column, in SQL (the dialects spell it differently). SQLite knows no time zones:
    it shifts by the zone's offset at `at` (a period's start), exact for a zone without summer time (China's)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(tz.key, func.timezone("UTC", column)))
    offset = int(at.astimezone(tz).utcoffset().total_seconds() // 60)
    return func.date(column, f"{offset:+d} minutes")
