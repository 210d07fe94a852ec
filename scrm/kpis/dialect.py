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


def local_day(session: Session, column, tz: ZoneInfo):
    """The business-time-zone date of a UTC column, in SQL (the dialects spell it differently)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(tz.key, func.timezone("UTC", column)))
    offset = int(datetime.now(tz).utcoffset().total_seconds() // 60)  # SQLite: a fixed offset (China has no DST)
    return func.date(column, f"{offset:+d} minutes")
