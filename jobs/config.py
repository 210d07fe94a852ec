"""What jobs need to know, passed down by the composition root (bot/app.py) from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from scrm import funnel
from scrm.clock import Clock
from scrm.db import Store
from scrm.workdays import Calendar

DEFAULT_SCHEDULES = {
    "reminders": "* * * * *",  # every minute; quiet hours and days off are handled inside
    # Off :00 and :30, the minutes every corp sends at (WeCom asks for that); working days are checked inside,
    # since cron cannot know China's calendar. The anomalies run before escalation, the morning list before both.
    "escalation": "37 9 * * *",
    "anomalies": "7 9 * * *",
    "daily-digest": "0 18 * * *",  # the hour the issue asks for; working days are checked inside
    "weekly-digest": "13 9 * * 1",  # Monday morning
    "honor-board": "10 18 * * *",
    "tiers": "17 2 * * *",
    "prune": "43 3 * * *",  # at night, off the hour: deleting old history in small batches
}


@dataclass(frozen=True)
class JobSettings:
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    schedules: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SCHEDULES))
    grace: timedelta = timedelta(minutes=30)  # a missed tick older than this is skipped, not sent late
    quiet_start: time = time(21, 0)  # reminders wait from here ...
    quiet_end: time = time(8, 0)  # ... to here, and over days off, then arrive as one morning list
    escalate_after: str = "next_working_day"  # open this long after due → the manager hears (or 4h, 2d)
    escalate_after_a: str = "4h"  # sooner for an A-tier customer
    escalation_lookback: timedelta = timedelta(days=30)  # older open follow-ups are not escalated any more
    silent_days: int = 2  # working days without anything logged
    overdue_share: float = 0.3  # a rep's late share this week above this …
    overdue_jump: float = 2.0  # … and this many times their level of the 4 weeks before
    overdue_min_due: int = 3  # fewer follow-ups due in the week than this: no share is judged
    deletions_per_day: int = 3  # customers deleting one rep in a day
    stages: tuple[str, ...] = funnel.DEFAULT_STAGES
    stage_limits: dict[str, int] = field(default_factory=lambda: dict(funnel.DEFAULT_LIMITS))
    honor_metrics: tuple[str, ...] = ("won_amount", "on_time", "new_customers")  # 销冠, 跟进之星, 拓客王
    streak_days: int = 5  # on pace for the month's target this many working days in a row: named on the board
    keep_history: timedelta = timedelta(days=30)  # finished inbox and outbox rows and old ticks: then pruned
    keep_ledger: timedelta = timedelta(days=400)  # ledger keys (what stops a re-run sending twice): then pruned
    prune_batch: int = 1000  # rows deleted per transaction: no lock is held for long


@dataclass(frozen=True)
class Done:
    """What a tick did: a line for the log and `scrm jobs list`, and how many messages it queued."""

    summary: str
    messages: int = 0


@dataclass
class Run:
    """One tick of one job: the time it runs as (`now`; `scrm jobs run --at` sets it), the store and settings.

    Messages are queued at the real clock's time, so a tick run `--at` a later moment still sends at once.
    """

    job: str
    now: datetime
    store: Store
    settings: JobSettings
    calendar: Calendar
    clock: Clock
    on_outbox: Callable[[], None] = lambda: None

    @property
    def local(self) -> datetime:
        return self.now.astimezone(self.settings.timezone)

    def working_day(self) -> bool:
        return self.calendar.is_working_day(self.local.date())

    def quiet(self) -> bool:
        """Inside quiet hours (which may span midnight: 21:00–08:00)."""
        clock, start, end = self.local.time(), self.settings.quiet_start, self.settings.quiet_end
        return (start <= clock or clock < end) if start > end else (start <= clock < end)
