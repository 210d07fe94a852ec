"""The wall clock steps a day ahead for 100 seconds and back (an NTP step, a VM resumed; issue 19): nothing of
tomorrow is done while it reads tomorrow, and tomorrow's reminders, morning list and digest come at their own
times; the real APScheduler gets its fire times back within one sweep.

Each test injects the wall clock and the monotonic clock (no sleeping). APScheduler 3 reads the wall clock
itself (datetime.now), so the scheduler test moves that one with time-machine (its threads wait on the
monotonic clock, which time-machine leaves alone, as a real step does).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import time_machine
from sqlmodel import col, func, select

from jobs import schedule
from jobs.config import Done, Run
from jobs.runner import Runner
from jobs.scheduler import Scheduler
from jobs.table import DEFAULT_SCHEDULES, JOBS, Job, JobSettings
from scrm.clock import FrozenClock, SystemClock, TrustedClock
from scrm.models import FollowUp, JobLedger, JobTick, OutboxMessage
from scrm.outbox import load
from tests.jobs.conftest import TZ, at, plan, runner
from tests.jobs.test_digests import robot, won

WAIT = 60  # seconds: a bound on waiting for APScheduler's thread, which wakes every second here


class Monotonic:
    """The monotonic clock a process reads: it moves with real time, and no step of the wall clock moves it."""

    def __init__(self) -> None:
        self.seconds = 5000.0

    def __call__(self) -> float:
        return self.seconds


def advance(wall: FrozenClock, monotonic: Monotonic, **delta: float) -> None:
    """Time passes: both clocks move."""
    wall.advance(**delta)
    monotonic.seconds += timedelta(**delta).total_seconds()


def sweep_until(jobs: Runner, wall: FrozenClock, monotonic: Monotonic, end: datetime, minutes: int = 1) -> None:
    """A scheduler's sweeps, at each whole `minutes` until `end`: every job catches up. Within the grace (30
    minutes) a sweep runs each job's latest fire time, as APScheduler's fire would."""
    while wall.now() < end:
        now = wall.now()
        advance(wall, monotonic, seconds=minutes * 60 - (now.minute % minutes) * 60 - now.second)
        for name in JOBS:
            jobs.catch_up(name)


def written(store) -> dict[str, object]:
    """What a tick can write: tick rows, ledger keys, reminder marks, messages."""
    with store.transaction() as session:
        return {
            "ticks": sorted(session.exec(select(JobTick.job, JobTick.scheduled_for, JobTick.status)).all()),
            "keys": sorted(session.exec(select(JobLedger.key)).all()),
            "reminded": sorted(session.exec(select(FollowUp.id, FollowUp.reminded_at)).all()),
            "messages": session.exec(select(func.count()).select_from(OutboxMessage)).one(),
        }


def messages(store) -> list[tuple[str, str, str]]:
    """Every queued message as (local time it was queued, recipient or chat, text)."""
    with store.transaction() as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    out = []
    for row in rows:
        message = load(row.payload)
        to = "|".join(getattr(message, "to", ())) or getattr(message, "webhook_key", "")
        text = getattr(message, "text", None) or getattr(message, "content", None) or "<image>"
        out.append((f"{row.created_at.astimezone(TZ):%m-%d %H:%M:%S}", to, text))
    return out


def test_a_day_ahead_for_100_seconds_does_nothing_of_tomorrow_and_tomorrow_comes_at_its_own_times(team, clock, caplog):
    robot(team, clock)
    won(team, "lisi", "wmLiu", "2026-12-01 11:00", 50000)
    at_nine = plan(team, "wmChen", "zhangsan", "2026-12-02 09:00", "发报价")
    plan(team, "wmZhang", "zhangsan", "2026-12-01 22:00", "晚上回访")  # in quiet hours: tomorrow's morning list
    clock.set(at("2026-12-01 17:30"))
    monotonic = Monotonic()
    jobs = runner(team, TrustedClock(clock, monotonic))
    sweep_until(jobs, clock, monotonic, at("2026-12-01 18:00"))
    advance(clock, monotonic, seconds=20)
    before = written(team)
    assert [text.splitlines()[0] for _, to, text in messages(team) if to == "robot-key-east"][
        0
    ] == "**销售一部 日报 · 12月1日（周二）**"  # today's digest went at 18:00

    with caplog.at_level(logging.WARNING, logger="scrm.clock"):
        clock.set(at("2026-12-02 18:01"))  # 18:00:20 → tomorrow 18:01, for 100 s
        for _ in range(10):
            for name in JOBS:
                jobs.catch_up(name)
            advance(clock, monotonic, seconds=10)
        clock.set(at("2026-12-01 18:02"))  # and back: 100 s after 18:00:20
        for name in JOBS:
            jobs.catch_up(name)
    after = written(team)
    assert after["keys"] == before["keys"] and after["messages"] == before["messages"]
    assert after["reminded"] == before["reminded"]  # tomorrow's follow-up is not marked as reminded
    assert [t for t in after["ticks"] if t not in before["ticks"]] == [  # today's minutes, each once
        ("reminders", at("2026-12-01 18:01"), "done"),
        ("reminders", at("2026-12-01 18:02"), "done"),
    ]
    warnings = [r.getMessage() for r in caplog.records if r.name == "scrm.clock"]
    assert len(warnings) == 2 and "jumped 1d 00:00:40 ahead" in warnings[0] and "is back" in warnings[1]

    sweep_until(jobs, clock, monotonic, at("2026-12-02 10:00"), minutes=10)  # a sweep each 10 minutes, for speed
    won(team, "zhangsan", "wmChen", "2026-12-02 10:00", 128000)  # tomorrow's figures
    sweep_until(jobs, clock, monotonic, at("2026-12-02 18:10"), minutes=10)
    sent = messages(team)
    morning = [(when, text) for when, to, text in sent if to == "zhangsan" and "晚上回访" in text]
    assert [when for when, _ in morning] == ["12-02 08:00:00"]  # the first working-morning tick
    assert [when for when, to, text in sent if to == "zhangsan" and "发报价" in text and "晚上回访" not in text] == [
        "12-02 09:00:00"
    ]  # the reminder at its minute
    with team.transaction() as session:
        assert session.get(FollowUp, at_nine).reminded_at == at("2026-12-02 09:00")
    digests = [(when, text.splitlines()) for when, to, text in sent if to == "robot-key-east" and "日报" in text]
    assert [when for when, _ in digests] == ["12-01 18:00:00", "12-02 18:00:00"]
    assert digests[1][1][0] == "**销售一部 日报 · 12月2日（周三）**"
    assert digests[1][1][1].startswith("今天：成交金额 12.8万（1 单）")  # computed at 18:00, with the day's deal
    with team.transaction() as session:
        assert session.exec(select(func.count()).select_from(JobTick).where(JobTick.status == "skipped")).one() == 0


def test_a_forward_step_that_holds_is_followed_after_the_confirmation(clock):
    """A VM resumed with a stale clock, then set right: the new time is the real one, and is taken after 5 minutes."""
    clock.set(at("2026-12-01 10:00"))
    monotonic = Monotonic()
    trusted = TrustedClock(clock, monotonic)
    assert trusted.now() == at("2026-12-01 10:00")
    clock.set(at("2026-12-01 14:00"))
    assert trusted.now() == at("2026-12-01 10:00")  # held
    advance(clock, monotonic, minutes=4)
    assert trusted.now() == at("2026-12-01 10:04")
    clock.set(at("2026-12-01 14:04:30"))  # it jumped again (half a minute more): the wait starts over
    advance(clock, monotonic, minutes=1)
    assert trusted.now() == at("2026-12-01 10:05")
    advance(clock, monotonic, minutes=5)
    assert trusted.now() == at("2026-12-01 14:10:30")  # held 5 minutes: followed
    advance(clock, monotonic, minutes=1)
    assert trusted.now() == at("2026-12-01 14:11:30")
    clock.set(at("2026-12-01 13:00"))  # a step back is followed at once
    assert trusted.now() == at("2026-12-01 13:00")
    clock.set(at("2026-12-01 13:01:30"))  # a step under the tolerance (2 minutes) is followed too
    assert trusted.now() == at("2026-12-01 13:01:30")


class Recorder:
    """Each job's runs as (job, the time it ran as); a waiter is woken by each run."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, datetime]] = []
        self._news = threading.Event()

    def table(self) -> dict[str, Job]:
        return {name: replace(job, run=self._run) for name, job in JOBS.items()}

    def _run(self, run: Run) -> Done:
        self.ran.append((run.job, run.now))
        self._news.set()
        return Done("recorded")

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        """Until `condition` holds: checked at each run, and every 50 ms for what APScheduler's thread changes."""
        deadline = time.monotonic() + WAIT
        while not condition():
            assert time.monotonic() < deadline, f"waited {WAIT} s for {what}"
            self._news.wait(0.05)
            self._news.clear()


def test_the_real_scheduler_gets_its_fire_times_back_within_one_sweep_after_the_clock_steps(store):
    recorder = Recorder()
    ran = recorder.ran
    # Reminders every second: APScheduler's thread then looks at the clock every second.
    settings = JobSettings(schedules={**DEFAULT_SCHEDULES, "reminders": "* * * * * *"})
    monotonic = Monotonic()
    with time_machine.travel(at("2026-12-01 17:56"), tick=False) as wall_clock:
        scheduler = Scheduler(
            Runner(store, settings, SystemClock(), table=recorder.table()),
            settings,
            SystemClock(),
            monotonic=monotonic,
            sweep_seconds=3600,
        )  # the test sweeps
        scheduler.start()
        try:
            recorder.wait_for(lambda: scheduler.next_runs()["daily-digest"] == at("2026-12-01 18:00"), "the first plan")

            monotonic.seconds += 30
            wall_clock.move_to(at("2026-12-02 18:01"))  # 17:56:30 → tomorrow 18:01
            # What APScheduler 3 does: every job fires at once (coalesced) and plans from tomorrow.
            recorder.wait_for(
                lambda: scheduler.next_runs()["daily-digest"] == at("2026-12-03 18:00"), "APScheduler to see it"
            )
            scheduler.sweep()
            monotonic.seconds += 100
            wall_clock.move_to(at("2026-12-02 18:02:40"))
            scheduler.sweep()
            now = at("2026-12-01 17:58:10.5")  # back: 130.5 s after 17:56 (half a second: no fire is due now)
            wall_clock.move_to(now)
            assert scheduler.next_runs()["daily-digest"] == at("2026-12-03 18:00")  # stuck for two days …
            scheduler.sweep()  # … until one sweep
            triggers = Runner(store, settings, SystemClock()).triggers
            assert scheduler.next_runs() == {
                name: schedule.next_fire(trigger, now) for name, trigger in triggers.items()
            }
            assert [when for _, when in ran if when >= at("2026-12-01 18:00")] == []  # nothing of tomorrow ran

            monotonic.seconds += 109.5
            wall_clock.move_to(at("2026-12-01 18:00"))
            recorder.wait_for(lambda: ("daily-digest", at("2026-12-01 18:00")) in ran, "today's digest at 18:00")
            assert not [when for _, when in ran if when > at("2026-12-01 18:00")]
            assert scheduler.next_runs()["daily-digest"] == at("2026-12-02 18:00")
        finally:
            scheduler.stop()


def test_sweeps_wait_on_the_monotonic_clock_so_a_step_back_does_not_stop_them(store):
    """The sweep was an APScheduler job too: after the clock went back a day it waited a day."""
    recorder = Recorder()
    settings = JobSettings()
    with time_machine.travel(at("2026-12-01 10:00:30"), tick=False) as wall_clock:  # the wall clock stands still
        scheduler = Scheduler(
            Runner(store, settings, SystemClock(), table=recorder.table()), settings, SystemClock(), sweep_seconds=0.1
        )
        scheduler.start()
        try:
            recorder.wait_for(lambda: ("reminders", at("2026-12-01 10:00:30")) in recorder.ran, "the first sweep")
            wall_clock.move_to(at("2026-11-30 10:00:30"))  # a day back
            recorder.wait_for(lambda: ("reminders", at("2026-11-30 10:00:30")) in recorder.ran, "a sweep after it")
        finally:
            scheduler.stop()
