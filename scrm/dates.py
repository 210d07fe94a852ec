"""Dates as users read them, and the edges of a business day (handlers and jobs share these)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scrm import texts


def format_when(dt: datetime, now: datetime | None = None, *, pattern: str = texts.WHEN_FORMAT) -> str:
    """11月25日（周三）15:00; with the year when it is not `now`'s year (default: the wall clock's)."""
    this_year = (now or datetime.now(dt.tzinfo)).astimezone(dt.tzinfo).year
    pattern = pattern if dt.year == this_year else texts.YEAR_PREFIX + pattern
    return pattern.format(
        year=dt.year, month=dt.month, day=dt.day, weekday=texts.WEEKDAYS[dt.weekday()], hour=dt.hour, minute=dt.minute
    )


def format_day(dt: datetime, now: datetime) -> str:
    """12月1日（周二）: a day without its hour, for when something happened."""
    return format_when(dt, now, pattern=texts.DAY_FORMAT)


def end_of_day(now: datetime, tz: ZoneInfo) -> datetime:
    """Midnight that ends `now`'s day in the business time zone."""
    return start_of_day(now, tz) + timedelta(days=1)


def start_of_day(now: datetime, tz: ZoneInfo) -> datetime:
    return midnight(now.astimezone(tz).date(), tz)


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def ago(then: datetime, now: datetime, tz: ZoneInfo) -> str:
    """刚刚, 25分钟前, 3小时前, 昨天, 4天前: calendar days once it is not today."""
    minutes = int((now - then).total_seconds() // 60)
    days = (now.astimezone(tz).date() - then.astimezone(tz).date()).days
    if minutes < 1:
        return texts.JUST_NOW
    if minutes < 60:
        return texts.MINUTES_AGO.format(n=minutes)
    if days == 0:
        return texts.HOURS_AGO.format(n=minutes // 60)
    return texts.YESTERDAY if days == 1 else texts.DAYS_AGO.format(n=days)
