"""The scheduler process: APScheduler 3.x fires each job's cron in the business time zone, and a sweep
every minute catches up whatever a fire missed (downtime, a crashed tick, a failed one to retry).

Every fire goes through Runner.catch_up, so what runs is decided by the tick table and the ledger, never by
APScheduler's memory: its job store is in memory and private to this process (a shared store makes
APScheduler 3.x run every job twice, see shared/LIBRARIES.md §7), and two schedulers side by side are safe.
"""

from __future__ import annotations

import logging

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from jobs.config import JobSettings
from jobs.runner import Runner
from jobs.table import JOBS
from scrm import workdays
from scrm.clock import Clock

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60


class Scheduler:
    def __init__(self, runner: Runner, settings: JobSettings, clock: Clock) -> None:
        self._runner, self._settings, self._clock = runner, settings, clock
        self._warned: set[int] = set()
        self._scheduler = BackgroundScheduler(
            timezone=settings.timezone, executors={"default": ThreadPoolExecutor(len(JOBS) + 1)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": int(settings.grace.total_seconds())})

    def start(self) -> Scheduler:
        for name in JOBS:
            self._scheduler.add_job(self._runner.catch_up, self._runner.triggers[name], args=[name], id=name,
                                    name=name)
        # The first sweep runs at once: after downtime, missed ticks are run or skipped before anything else.
        self._scheduler.add_job(self.sweep, "interval", seconds=SWEEP_SECONDS, id="sweep", name="sweep",
                                next_run_time=self._clock.now())
        self._scheduler.start()
        log.info("scheduler running: %s", ", ".join(f"{n} [{self._settings.schedules[n]}]" for n in JOBS))
        return self

    def stop(self) -> None:
        self._scheduler.shutdown(wait=True)  # a tick in hand is finished

    def sweep(self) -> None:
        self.check_calendar()
        for name in JOBS:
            try:
                self._runner.catch_up(name)
            except Exception:  # the database may be away for a moment: the next sweep tries again
                log.exception("job %s: catch-up failed", name)

    def check_calendar(self) -> None:
        """Warn once per year when this year's or next year's official holiday list is not known."""
        this_year = self._clock.now().astimezone(self._settings.timezone).year
        for year in (this_year, this_year + 1):
            if year not in self._warned and not workdays.current().official(year):
                self._warned.add(year)
                log.warning("working days: %d's official holidays and 调休 days are not known yet (published each "
                            "November); until then %d counts statutory holidays by rule, without make-up days. "
                            "Add them to SCRM_HOLIDAYS_FILE when published.", year, year)
