"""Cron expressions to APScheduler triggers, and the fire times between two moments.

Expressions are crontab's five fields (minute hour day month weekday), or six with seconds first. Weekday
numbers follow crontab (0 and 7 are Sunday): APScheduler 3.x reads 0 as Monday, so `1-5` would mean
Tuesday to Saturday there; numbers are turned into day names before APScheduler sees them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIELDS = ("minute", "hour", "day", "month", "day_of_week")
STEP = timedelta(microseconds=1)


def trigger(expr: str, tz: ZoneInfo) -> CronTrigger:
    """A trigger for a crontab expression; ValueError with a readable reason when it is not one."""
    values = expr.split()
    if len(values) not in (5, 6):
        raise ValueError(
            f"{expr!r}: a cron expression has 5 fields (minute hour day month weekday), "
            f"or 6 with seconds first; got {len(values)}"
        )
    fields = dict(zip(("second", *FIELDS) if len(values) == 6 else FIELDS, values, strict=True))
    fields["day_of_week"] = _weekdays(fields["day_of_week"])
    try:
        return CronTrigger(timezone=tz, **fields)
    except ValueError as error:
        raise ValueError(f"{expr!r}: {error}") from None


def check(expr: str) -> str:
    """The expression tidied, or ValueError naming what is wrong (a setting's check)."""
    trigger(expr, ZoneInfo("UTC"))
    return expr.strip()


def _weekdays(field: str) -> str:
    """crontab weekday numbers (0/7 = Sunday) as names: `1-5` → `mon-fri`, `0-6` → `sun,mon-sat`."""
    parts = []
    for part in field.split(","):
        match = re.fullmatch(r"(\d)(?:-(\d))?(/\d+)?", part)
        if not match:
            parts.append(part)
            continue
        first, last, step = int(match[1]), match[2], match[3] or ""
        if first > 7 or (last and int(last) > 7):
            raise ValueError(f"weekday {part!r}: days are 0-7 (0 and 7 are Sunday)")
        if last is None:
            parts.append(DAY_NAMES[first] + step)
        elif first == 0 and not step:
            parts += ["sun", f"mon-{DAY_NAMES[int(last)]}"] if int(last) > 0 else ["sun"]
        else:
            parts.append(f"{DAY_NAMES[first]}-{DAY_NAMES[int(last)]}{step}")
    return ",".join(parts)


def fire_times(cron: CronTrigger, after: datetime, until: datetime, limit: int = 20_000) -> Iterator[datetime]:
    """Fire times in (after, until], oldest first (at most `limit` of them)."""
    at = cron.get_next_fire_time(None, after + STEP)
    for _ in range(limit):
        if at is None or at > until:
            return
        yield at
        at = cron.get_next_fire_time(at, at + STEP)


def next_fire(cron: CronTrigger, now: datetime) -> datetime | None:
    return cron.get_next_fire_time(None, now + STEP)
