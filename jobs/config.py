"""What a job's tick gets and gives back, and what all jobs may read; passed down by the composition root
(bot/app.py) from the settings."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from scrm.clock import Clock
from scrm.dates import DEFAULT_TIMEZONE, business_day, business_time
from scrm.db import Store
from scrm.funnel import DEFAULT, Funnel
from scrm.workdays import Calendar

if TYPE_CHECKING:
    from jobs.table import JobSettings  # made from the job declarations, which import this module


@dataclass(frozen=True)
class Shared:
    """What every job may read besides its own settings (those are declared in jobs/table.py, which makes
    JobSettings from this and them): the business time zone and the funnel."""

    timezone: ZoneInfo = DEFAULT_TIMEZONE  # SCRM_TIMEZONE: every day a job names is this zone's
    funnel: Funnel = DEFAULT


@dataclass(frozen=True)
class Done:
    """What a tick did: a line for the log and `scrm jobs list`, and how many messages it queued."""

    summary: str
    messages: int = 0


@dataclass
class Run:
    """One tick of one job: the time it runs as (`now`, on the business clock; `scrm jobs run --at` sets it), the
    store and settings.

    Messages are queued at the real clock's time, so a tick run `--at` a later moment still sends at once.
    """

    job: str
    now: datetime
    store: Store
    settings: JobSettings
    calendar: Calendar
    clock: Clock
    on_outbox: Callable[[], None] = lambda: None

    def __post_init__(self) -> None:
        self.now = business_time(self.now, self.settings.timezone)

    @property
    def today(self) -> date:
        """The business day the tick runs on (at 00:30 in Beijing, UTC's date is still yesterday's)."""
        return business_day(self.now, self.settings.timezone)

    def working_day(self) -> bool:
        return self.calendar.is_working_day(self.today)

    def quiet(self) -> bool:
        """Inside quiet hours (which may span midnight: 21:00–08:00)."""
        clock, start, end = self.now.time(), self.settings.quiet_start, self.settings.quiet_end
        return (start <= clock or clock < end) if start > end else (start <= clock < end)


def quiet_hours(value: str) -> tuple[time, time]:
    """`21:00-08:00` (may span midnight); an empty range (`00:00-00:00`) means no quiet hours."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*", value)
    try:
        return time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))
    except (TypeError, ValueError):
        raise ValueError("must be a range of times like 21:00-08:00") from None
