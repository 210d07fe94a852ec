"""Two real `scrm scheduler` processes on one PostgreSQL (and one Redis) tick the same seconds: every follow-up
is reminded exactly once, and killing one of them mid-tick (kill -9) loses nothing and sends nothing twice.

The processes run on the real clock, so the follow-ups fall due a few seconds from now and `reminders` fires
every second ("* * * * * *"). Quiet hours are off and a holiday file makes today a working day, so the tests
pass at any hour of any day. Each follow-up has a note of its own (任务00042), so the outbox can be searched
for it: each note is in exactly one message, to its rep, and the ledger holds exactly one reminder key per
follow-up. Each test runs with Redis (the job lock saves work) and without it (the database alone).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, func, select

from jobs import reminders
from scrm import customers, members
from scrm.models import FollowUp, JobLedger, JobTick, OutboxMessage
from scrm.outbox import load
from tests.conftest import AES_KEY, TOKEN, emptied_postgres

pytestmark = pytest.mark.postgres
TZ = ZoneInfo("Asia/Shanghai")
NOTE = re.compile(r"任务(\d{5})")
WAIT = 90  # seconds: a bound on waiting for an outcome we poll for (a Redis lock left by kill -9 lasts 20 s)


@pytest.fixture
def database(postgres_schema):
    """PostgreSQL only: two processes claiming rows at once is what SQLite never sees (it serialises writers)."""
    return emptied_postgres(postgres_schema)


@pytest.fixture(params=[pytest.param("redis", marks=pytest.mark.redis), "no-redis"])
def redis_url(request) -> str | None:
    return request.getfixturevalue("redis_server") if request.param == "redis" else None


# --- The sales floor: reps, a customer each, follow-ups with notes of their own -------------------------


def seed(store, reps: int, due: list[datetime]) -> dict[int, tuple[str, str]]:
    """`reps` active reps with a customer each; follow-up n is due at due[n], for rep n % reps (about a customer
    of its own).
    Returns {follow-up id: (rep, note)}."""
    now = datetime.now(UTC)
    userids = [f"rep{r:03d}" for r in range(reps)]
    with store.transaction() as session:
        members.sync_directory(
            session,
            [{"id": 1, "name": "公司"}, {"id": 2, "name": "销售部", "parentid": 1}],
            [{"userid": u, "name": f"销售{u[3:]}", "department": [2]} for u in userids],
            now=now,
        )
        for userid in userids:
            customers.upsert(session, external_userid=f"wm{userid}", profile={"name": f"客户{userid[3:]}"}, now=now)
            customers.set_status(
                customers.link(session, external_userid=f"wm{userid}", userid=userid, now=now), "active", now
            )
        # What follow_ups.schedule writes, in bulk (thousands of rows one by one would take a while); a rep has
        # one open step per customer and minute, so each of these is about a customer of its own.
        rows = [
            FollowUp(
                external_userid=f"wm{userids[n % reps]}-{n}",
                userid=userids[n % reps],
                due_at=at,
                note=f"任务{n:05d}",
                source="rep",
                created_at=now,
            )
            for n, at in enumerate(due)
        ]
        session.add_all(rows)
        session.flush()
        return {row.id: (row.userid, row.note) for row in rows}


def soon(seconds: float) -> datetime:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0)


# --- The scheduler processes --------------------------------------------------------------------------


class Schedulers:
    """`scrm scheduler` processes on one database (and Redis), each logging to a file of its own."""

    def __init__(self, tmp_path: Path, database: tuple[str, str], redis_url: str | None, prefix: str) -> None:
        url, schema = database
        today = datetime.now(TZ).date()
        holidays = tmp_path / "holidays.yaml"  # today is a working day (and so are its neighbours, for midnight)
        days = ", ".join(f"{today + timedelta(days=d)}" for d in (-1, 0, 1))
        holidays.write_text(f"workdays: [{days}]\n")
        self.env = {
            **os.environ,
            "WECOM_CORP_ID": "wwscheduler",
            "WECOM_AGENT_ID": "1000002",
            "WECOM_AGENT_SECRET": "secret",
            "WECOM_TOKEN": TOKEN,
            "WECOM_ENCODING_AES_KEY": AES_KEY,
            "WECOM_API_BASE": "http://127.0.0.1:9",  # the scheduler only queues messages: WeCom is never called
            "DATABASE_URL": f"{url}?options={quote(f'-csearch_path={schema}')}",
            "REDIS_URL": redis_url or "",
            "SCRM_REDIS_PREFIX": prefix,
            "SCRM_TIMEZONE": "Asia/Shanghai",
            "SCRM_SCHEDULE_REMINDERS": "* * * * * *",
            "SCRM_SCHEDULE_ESCALATION": "0 0 1 1 *",
            "SCRM_SCHEDULE_ANOMALIES": "0 0 1 1 *",
            "SCRM_QUIET_HOURS": "00:00-00:00",
            "SCRM_JOB_GRACE_MINUTES": "5",
            "SCRM_HOLIDAYS_FILE": str(holidays),
            "SCRM_LOG_LEVEL": "INFO",
        }
        self.logs = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        # To a file: a pipe nobody reads would fill up and block the process.
        with open(self.logs / f"scheduler-{len(self.processes)}.log", "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "scheduler"], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        return process

    def log(self, process: subprocess.Popen) -> str:
        return (self.logs / f"scheduler-{self.processes.index(process)}.log").read_text(errors="replace")

    def up(self) -> bool:
        """Every process started has its scheduler running (until then, SIGTERM simply ends it)."""
        return all("scheduler running" in self.log(p) for p in self.alive())

    def alive(self) -> list[subprocess.Popen]:
        return [p for p in self.processes if p.returncode is None]

    def check_alive(self) -> None:
        for process in self.alive():
            if process.poll() is not None:
                pytest.fail(f"a scheduler exited ({process.returncode}):\n{self.log(process)[-3000:]}")

    def stop(self) -> None:
        for process in self.alive():
            process.terminate()  # SIGTERM: a tick in hand is finished first
        for process in self.alive():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def runner_id(process: subprocess.Popen) -> str:
    return f"{socket.gethostname()}:{process.pid}"  # as jobs/runner.py names a process in job_tick


def wait_until(condition, what: str, schedulers: Schedulers, seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        schedulers.check_alive()
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {seconds} s")
        for process in schedulers.alive()[:1]:
            with contextlib.suppress(subprocess.TimeoutExpired):  # a bounded pause that ends if it exits
                process.wait(timeout=0.02)


# --- What the database says ------------------------------------------------------------------------------


def unreminded(store) -> int:
    with store.transaction() as session:
        return session.exec(select(func.count()).select_from(FollowUp).where(col(FollowUp.reminded_at).is_(None))).one()


def running_tick(store, since: datetime) -> JobTick | None:
    """A reminders tick running now that came after `since` (so it has follow-ups to work on)."""
    with store.transaction() as session:
        return session.exec(
            select(JobTick).where(
                JobTick.job == "reminders", JobTick.status == "running", col(JobTick.scheduled_for) >= since
            )
        ).first()


def assert_reminded_exactly_once(store, planned: dict[int, tuple[str, str]]) -> None:
    """Every follow-up: reminded, one ledger key, its note in exactly one reminder message, to its rep."""
    with store.transaction() as session:
        follow_ups = session.exec(select(FollowUp)).all()
        keys = session.exec(select(JobLedger.key).where(col(JobLedger.key).startswith("reminder:"))).all()
        outbox = session.exec(select(OutboxMessage)).all()
    assert [f.id for f in follow_ups if f.reminded_at is None] == []
    assert [row.key for row in outbox if not row.key.startswith("reminder:")] == []  # reminders, nothing else
    assert sorted(keys) == sorted(reminders.key(f) for f in follow_ups)  # one each: no more, no fewer
    notes = Counter()
    for row in outbox:
        message = load(row.payload)
        for number in NOTE.findall(message.text):
            notes[(message.to[0], f"任务{number}")] += 1
    assert notes == Counter(planned.values())


def ticks_run(log: str) -> list[int]:
    """The reminders ticks a scheduler ran, as the number of follow-ups each one reports having reminded."""
    return [int(n) for n in re.findall(r"job reminders @ [-\d]+ [:\d]+: (\d+) reminders", log)]


def assert_no_errors(schedulers: Schedulers, *processes: subprocess.Popen) -> None:
    for process in processes:
        log = schedulers.log(process)
        assert "Traceback" not in log and " ERROR " not in log, log[-3000:]


# --- The tests ---------------------------------------------------------------------------------------------


def test_two_schedulers_remind_every_follow_up_exactly_once(store, database, redis_url, redis_prefix, tmp_path):
    # 400 follow-ups of 40 reps falling due over 10 seconds: ten ticks with work, in both processes.
    planned = seed(store, 40, [soon(5 + n % 10) for n in range(400)])
    schedulers = Schedulers(tmp_path, database, redis_url, redis_prefix)
    try:
        first, second = schedulers.start(), schedulers.start()
        wait_until(schedulers.up, "both schedulers running", schedulers)
        wait_until(lambda: unreminded(store) == 0, "every follow-up reminded", schedulers)
    finally:
        schedulers.stop()
    assert_reminded_exactly_once(store, planned)
    assert (first.returncode, second.returncode) == (0, 0)
    assert_no_errors(schedulers, first, second)
    # What the two report having reminded adds up to each follow-up once. Without Redis both run every
    # second's tick (the rows claimed decide who reminds what); with it, whoever holds the job's lock does.
    ticks = [ticks_run(schedulers.log(p)) for p in (first, second)]
    assert sum(ticks[0]) + sum(ticks[1]) == len(planned), ticks
    if redis_url is None:
        assert ticks[0] and ticks[1], ticks
    with store.transaction() as session:
        runners = set(session.exec(select(JobTick.runner).where(JobTick.job == "reminders")).all())
    assert runners <= {runner_id(first), runner_id(second)}


def test_killing_a_scheduler_mid_tick_loses_nothing(store, database, redis_url, redis_prefix, tmp_path):
    # Follow-ups of 3 × CHUNK reps due in the same second: that tick has three transactions of work (CHUNK
    # reps each), so a tick can be caught with part of them committed.
    due = soon(6)
    planned = seed(store, 3 * reminders.CHUNK, [due] * 6 * reminders.CHUNK)
    schedulers = Schedulers(tmp_path, database, redis_url, redis_prefix)
    try:
        schedulers.start(), schedulers.start()
        found: dict[str, JobTick] = {}

        def mid_tick() -> bool:  # a tick is at work, with follow-ups still to remind (often part done already;
            tick = running_tick(store, due)  # waiting for that exact state missed it one run in four)
            if tick is not None and unreminded(store) > 0:
                found["tick"] = tick
            return "tick" in found

        wait_until(mid_tick, "a tick at work", schedulers)
        [victim] = [p for p in schedulers.processes if runner_id(p) == found["tick"].runner]
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.wait(10) == -signal.SIGKILL
        schedulers.start()  # and a fresh one joins, as a supervisor would restart it
        wait_until(schedulers.up, "the fresh scheduler running", schedulers)
        # With Redis, the others wait for the dead one's job lock to expire (20 s, bot/locks.py); the
        # follow-ups are still within the grace then (5 minutes here), so they go at once, not to the morning list.
        wait_until(lambda: unreminded(store) == 0, "every follow-up reminded", schedulers)
    finally:
        schedulers.stop()
    assert_reminded_exactly_once(store, planned)
    survivors = [p for p in schedulers.processes if p is not victim]
    assert [p.returncode for p in survivors] == [0, 0]
    assert_no_errors(schedulers, *schedulers.processes)
