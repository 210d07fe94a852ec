"""Running ticks: one now (`scrm jobs run`), or whatever is due (the scheduler's fires and its sweep).

A tick is recorded in `job_tick`; its work is claimed unit by unit in the ledger, so running a tick twice,
from two processes at once, or again after a crash, sends nothing twice. What is due when a scheduler
looks (catch-up): the fire times since the job's last tick. The latest one within the grace runs, once; older
ones are recorded as skipped and logged, not sent late. A tick left running by a dead process (its lease
over) or failed (retried with the shared RetryPolicy) counts as not done.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from jobs import schedule
from jobs.config import Run
from jobs.declaration import Job
from jobs.table import JOBS, JobSettings
from scrm import ledger, workdays
from scrm.clock import Clock
from scrm.db import Store
from scrm.models import JobTick
from scrm.queue import PAUSE, RetryPolicy
from scrm.statuses import TickStatus

log = logging.getLogger(__name__)

TICK_LEASE = timedelta(minutes=5)  # a tick running longer than this was left by a dead process
MAX_SKIPPED_ROWS = 1000  # after a long outage, the skipped ticks recorded one by one (all are logged)


class JobLock(Protocol):
    """Keeps two processes from working on one job at once (Redis); correctness never rests on it."""

    def acquire(self, job: str) -> bool: ...

    def release(self, job: str) -> None: ...


@dataclass(frozen=True)
class TickResult:
    job: str
    scheduled_for: datetime
    status: TickStatus
    summary: str


class Runner:
    def __init__(
        self,
        store: Store,
        settings: JobSettings,
        clock: Clock,
        *,
        on_outbox: Callable[[], None] = lambda: None,
        lock: JobLock | None = None,
        policy: RetryPolicy = RetryPolicy(),
        table: dict[str, Job] = JOBS,
    ) -> None:
        self._store, self._settings, self._clock = store, settings, clock
        self._on_outbox, self._lock, self._policy, self.table = on_outbox, lock, policy, table
        self.triggers = {name: schedule.trigger(settings.schedules[name], settings.timezone) for name in table}
        self._busy = {name: threading.Lock() for name in table}  # a fire and the sweep in one process
        self.runner_id = f"{socket.gethostname()}:{os.getpid()}"

    def with_clock(self, clock: Clock) -> Runner:
        """The same runner reading another clock (the scheduler's guarded one)."""
        return Runner(
            self._store,
            self._settings,
            clock,
            on_outbox=self._on_outbox,
            lock=self._lock,
            policy=self._policy,
            table=self.table,
        )

    def run(self, name: str, at: datetime | None = None) -> TickResult:
        """One tick of `name` as if the clock read `at` (default: now), whatever ran before."""
        now = at or self._clock.now()
        return self._tick(name, now, now)

    def catch_up(self, name: str) -> list[TickResult]:
        """Run what is due of `name`: its latest missed tick within the grace, once; skip (and log) older ones."""
        if not self._busy[name].acquire(blocking=False):
            return []
        try:
            if self._lock is not None and not self._lock.acquire(name):
                return []
            try:
                return self._catch_up(name)
            finally:
                if self._lock is not None:
                    self._lock.release(name)
        finally:
            self._busy[name].release()

    def _catch_up(self, name: str) -> list[TickResult]:
        now, grace = self._clock.now(), self._settings.grace
        with self._store.transaction() as session:
            last = ledger.last_tick(session, name, until=now)
        due = list(schedule.fire_times(self.triggers[name], last.scheduled_for if last else now - grace, now))
        if last is not None and self._again(last, now):
            due.insert(0, last.scheduled_for)
        late = [at for at in due if now - at > grace]
        results = []
        if late:
            self._skip(name, late, now)
            results.append(
                TickResult(name, late[-1], TickStatus.SKIPPED, f"{len(late)} missed ticks older than the grace")
            )
        timely = [at for at in due if now - at <= grace]
        if timely:
            results.append(self._tick(name, timely[-1], now))
        return results

    def _again(self, last: JobTick, now: datetime) -> bool:
        """A tick to run again: left running by a dead process, or failed and its retry delay over."""
        if last.status == TickStatus.RUNNING:
            return now - last.started_at > TICK_LEASE
        ended = last.finished_at or last.started_at
        if last.status == TickStatus.PAUSED:  # an outage: tried again without spending an attempt
            return now >= ended + self._policy.pause_delay(ended - last.scheduled_for)
        if last.status == TickStatus.FAILED:
            return last.attempts < self._policy.max_attempts and now >= ended + self._policy.delay(last.attempts)
        return False

    def _tick(self, name: str, scheduled_for: datetime, now: datetime) -> TickResult:
        job = self.table[name]
        with self._store.transaction() as session:
            tick_id = ledger.start_tick(session, name, scheduled_for, runner=self.runner_id, now=self._clock.now()).id
        run = Run(name, now, self._store, self._settings, workdays.current(), self._clock, self._on_outbox)
        try:
            done = job.run(run)
        except Exception as error:  # recorded and retried by a later catch-up; the scheduler keeps going
            paused = self._policy.outcome(error) == PAUSE
            log.log(
                logging.WARNING if paused else logging.ERROR,
                "job %s @ %s %s",
                name,
                _local(scheduled_for, self._settings),
                "paused by an outage" if paused else "failed",
                exc_info=not paused,
            )
            summary = f"{type(error).__name__}: {str(error)[:300]}"
            status = TickStatus.PAUSED if paused else TickStatus.FAILED
        else:
            summary, status = done.summary, TickStatus.DONE
            log.log(
                logging.INFO if done.messages else logging.DEBUG,
                "job %s @ %s: %s",
                name,
                _local(scheduled_for, self._settings),
                summary,
            )
        with self._store.transaction() as session:
            ledger.finish_tick(session, tick_id, status=status, summary=summary, now=self._clock.now())
        return TickResult(name, scheduled_for, status, summary)

    def _skip(self, name: str, late: list[datetime], now: datetime) -> None:
        first, last = _local(late[0], self._settings), _local(late[-1], self._settings)
        log.warning(
            "job %s: skipped %d missed ticks (%s … %s), older than the %d-minute grace; "
            "`scrm jobs run %s --at TIME` runs one by hand",
            name,
            len(late),
            first,
            last,
            self._settings.grace.total_seconds() // 60,
            name,
        )
        with self._store.transaction() as session:
            ledger.skip_ticks(session, name, late[-MAX_SKIPPED_ROWS:], reason="missed: older than the grace", now=now)


def _local(at: datetime, settings: JobSettings) -> str:
    return f"{at.astimezone(settings.timezone):%Y-%m-%d %H:%M:%S}"
