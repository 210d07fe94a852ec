"""How a day read from a message becomes a due time: the default hours, how far ahead a plan may be, and the
date a refusal suggests instead. Shared by the time readers (when.py, when_rules.py); no parsing here."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

DEFAULT_HOUR = 9
DEADLINE_HOUR = 18  # "周五前" with no hour: due by the end of that working day
MAX_ROLL_DAYS = 183  # 1月3日 said on 12-28 is next year; 6月1日 said in November is refused, not rolled
MAX_AHEAD = timedelta(days=731)  # a next step is within two years (明年底 said on 1 January); later is a typo (9999年)


def at(day: date, hour: int, minute: int, tz: tzinfo | None, has_clock: bool) -> tuple[datetime, bool]:
    extra, hour = divmod(hour, 24)  # T24 (晚上12点) is the midnight after that day
    return datetime.combine(day + timedelta(days=extra), time(hour, minute), tzinfo=tz), has_clock


def example(now: datetime) -> str:
    """A date to suggest in a refusal: a week from today, so it is never in the past (12月8日)."""
    day = now.date() + timedelta(days=7)
    return f"{day.month}月{day.day}日"
