"""Days and times as the business names them: every day is the business time zone's (SCRM_TIMEZONE), at every
hour, never the server's or UTC's. Handlers and jobs share these; stored times stay UTC (scrm/types.py).

`ctx.now` (handlers) and `run.now` (jobs) are given in the business time zone, so a time shown beside them is
shown in it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from scrm import texts

DEFAULT_TIMEZONE = ZoneInfo("Asia/Shanghai")  # SCRM_TIMEZONE's default, written nowhere else


def business_time(moment: datetime, tz: tzinfo | None) -> datetime:
    """`moment` on the business time zone's clock (a naive one, or no zone, has no day: refused)."""
    if moment.tzinfo is None or tz is None:
        raise ValueError("a naive datetime has no day: give it a time zone")
    return moment.astimezone(tz)


def business_day(moment: datetime, tz: ZoneInfo) -> date:
    """The business day `moment` falls on: 02:00 in Beijing is that day, though UTC still reads the day before."""
    return business_time(moment, tz).date()


def format_when(dt: datetime, now: datetime, *, pattern: str = texts.WHEN_FORMAT) -> str:
    """11月25日（周三）15:00, on `now`'s clock (the business time zone's); with the year when it is not `now`'s."""
    dt = business_time(dt, now.tzinfo)
    pattern = pattern if dt.year == now.year else texts.YEAR_PREFIX + pattern
    return pattern.format(
        year=dt.year, month=dt.month, day=dt.day, weekday=texts.WEEKDAYS[dt.weekday()], hour=dt.hour, minute=dt.minute
    )


def format_day(dt: datetime, now: datetime) -> str:
    """12月1日（周二）: a day without its hour, for when something happened."""
    return format_when(dt, now, pattern=texts.DAY_FORMAT)


def format_due(dt: datetime, now: datetime) -> str:
    """15:00 when it is `now`'s day, else 11月25日（周三）15:00 (待办 and reminders list items so)."""
    local = business_time(dt, now.tzinfo)
    return f"{local:%H:%M}" if local.date() == now.date() else format_when(local, now)


def end_of_day(now: datetime, tz: ZoneInfo) -> datetime:
    """Midnight that ends `now`'s business day."""
    return start_of_day(now, tz) + timedelta(days=1)


def start_of_day(now: datetime, tz: ZoneInfo) -> datetime:
    return midnight(business_day(now, tz), tz)


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def ago(then: datetime, now: datetime, tz: ZoneInfo) -> str:
    """刚刚, 25分钟前, 3小时前, 昨天, 4天前: calendar days once it is not today."""
    minutes = int((now - then).total_seconds() // 60)
    days = (business_day(now, tz) - business_day(then, tz)).days
    if minutes < 1:
        return texts.JUST_NOW
    if minutes < 60:
        return texts.MINUTES_AGO.format(n=minutes)
    if days == 0:
        return texts.HOURS_AGO.format(n=minutes // 60)
    return texts.YESTERDAY if days == 1 else texts.DAYS_AGO.format(n=days)
