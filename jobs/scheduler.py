"""The scheduler process: APScheduler 3.x fires each job's cron in the business time zone, and a sweep
every minute catches up whatever a fire missed (downtime, a crashed tick, a failed one to retry).

Every fire goes through Runner.catch_up, so what runs is decided by the tick table and the ledger, never by
APScheduler's memory: its job store is in memory and private to this process (a shared store makes
APScheduler 3.x run every job twice, see shared/LIBRARIES.md §7), and two schedulers side by side are safe.

The wall clock can step (NTP, a VM resumed). The runner reads it through a TrustedClock, so a step forward
that has not held does nothing of the time it shows (scrm/clock.py). APScheduler 3 reads the wall clock
itself and computes each job's next run from the time of the fire before: after the clock has been a day
ahead, every next run is a day ahead, and when the clock comes back nothing fires for a day (the sweep
neither, were it an APScheduler job). So the sweep is a thread of its own that waits on the monotonic clock,
and each sweep brings back any next run later than the job's schedule says from the wall clock's time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from jobs import schedule
from jobs.runner import Runner
from jobs.table import JobSettings
from scrm import workdays
from scrm.clock import Clock, TrustedClock
from scrm.dates import business_day

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60


class Scheduler:
    """`clock` is the wall clock APScheduler reads too (the system's, in production); the runner gets it
    guarded. `monotonic` measures the time between readings (time.monotonic: no step moves it)."""

    def __init__(
        self,
        runner: Runner,
        settings: JobSettings,
        clock: Clock,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self.clock = TrustedClock(clock, monotonic)
        self._wall, self._settings, self._sweep_seconds = clock, settings, sweep_seconds
        self._runner = runner.with_clock(self.clock)
        self._warned: set[int] = set()
        self._stopped = threading.Event()
        self._sweeper: threading.Thread | None = None
        self._scheduler = BackgroundScheduler(
            timezone=settings.timezone,
            executors={"default": ThreadPoolExecutor(len(self._runner.table))},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(settings.grace.total_seconds()),
            },
        )

    def start(self) -> Scheduler:
        for name in self._runner.table:
            self._scheduler.add_job(self._runner.catch_up, self._runner.triggers[name], args=[name], id=name, name=name)
        self._scheduler.start()
        # The first sweep runs at once: after downtime, missed ticks are run or skipped before anything else.
        self._sweeper = threading.Thread(target=self._sweep_every, name="sweep", daemon=True)
        self._sweeper.start()
        log.info("scheduler running: %s", ", ".join(f"{n} [{self._settings.schedules[n]}]" for n in self._runner.table))
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._sweeper is not None:
            self._sweeper.join()
        self._scheduler.shutdown(wait=True)  # a tick in hand is finished

    def _sweep_every(self) -> None:
        """Event.wait counts monotonic time: a step of the wall clock neither hastens nor delays a sweep."""
        while True:
            try:
                self.sweep()
            except Exception:  # the next sweep tries again
                log.exception("scheduler: sweep failed")
            if self._stopped.wait(self._sweep_seconds):
                return

    def sweep(self) -> None:
        self.check_calendar()
        self.realign()
        for name in self._runner.table:
            try:
                self._runner.catch_up(name)
            except Exception:  # the database may be away for a moment: the next sweep tries again
                log.exception("job %s: catch-up failed", name)

    def realign(self) -> None:
        """Bring back APScheduler's next runs that are later than their schedule says (the clock went back)."""
        planned = {job.id: (job.trigger, job.next_run_time) for job in self._scheduler.get_jobs()}
        now = self._wall.now()  # read after the jobs: a fire in between moves a next run to after `now`
        moved = []
        for job_id, (trigger, planned_at) in planned.items():
            due = schedule.next_fire(trigger, now)
            if planned_at is not None and due is not None and planned_at > due:
                self._scheduler.reschedule_job(job_id, trigger=trigger)  # from APScheduler's own reading
                moved.append(f"{job_id} {planned_at.astimezone(self._settings.timezone):%m-%d %H:%M:%S}")
        if moved:
            log.warning(
                "scheduler: next runs were ahead of the clock (it went back); rescheduled from %s: %s",
                f"{now.astimezone(self._settings.timezone):%Y-%m-%d %H:%M:%S}",
                ", ".join(moved),
            )

    def next_runs(self) -> dict[str, datetime | None]:
        """When APScheduler will next fire each job (in the business time zone)."""
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def check_calendar(self) -> None:
        """Warn once per year when this year's or next year's official holiday list is not known."""
        this_year = business_day(self.clock.now(), self._settings.timezone).year
        for year in (this_year, this_year + 1):
            if year not in self._warned and not workdays.current().official(year):
                self._warned.add(year)
                log.warning(
                    "working days: %d's official holidays and 调休 days are not known yet (published each "
                    "November); until then %d counts statutory holidays by rule, without make-up days. "
                    "Add them to SCRM_HOLIDAYS_FILE when published.",
                    year,
                    year,
                )
