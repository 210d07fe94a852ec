"""Reminder tick: 1,000 follow-ups falling due among 1,000,000 open ones in PostgreSQL, found and enqueued.

`python -m bench.reminders [--repeat 9]`

The `reminders` job runs every minute, so its tick must not grow with the follow-up table. This bench fills
a private schema with 10,000 reps, 100,000 customers and 1,000,000 open follow-ups (due over the next 60
days; 1,000 of them due at the bench's minute, 15:00 on a working day, for 950 reps) plus 320,000 older
done or already reminded ones, runs the day's 08:00 tick (the morning lists), then times the 15:00 tick
through the Runner (find, claim, mark, number, texts, outbox) with a frozen clock. Each repetition starts
from the same state: what the tick wrote is undone and the tables vacuumed. Baseline in the same run: the
same tick on a schema holding only the 1,000 due follow-ups, so the ratio shows what the table's size
costs. Also printed: the find step alone, each statement's time as the driver saw it and as the server
spent it, the find queries' plans (which index they read, also with the window crowded with reminded
rows), a correctness check, and, when the goal is missed, a profile of one tick.
Goal (the issue): the tick under 50 ms, recorded with the plan's index.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bench.machine import describe_machine
from bench.servers import POSTGRES_URL, ROOT, postgres_database
from jobs import reminders
from jobs.config import Run
from jobs.runner import Runner
from jobs.table import JobSettings
from scrm import workdays
from scrm.clock import FrozenClock
from scrm.db import Store, make_engine

GOAL_MS = 50.0
INDEX = "ix_follow_up_to_remind"
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Wednesday, a working day, 15:00
MORNING = NOW.replace(hour=8)  # the day's first tick after quiet hours, run before the bench's own
REPS, CUSTOMERS = 10_000, 100_000  # customer c is followed by rep c % REPS
OPEN, DUE, DUE_REPS = 1_000_000, 1_000, 950  # every 1,000th open row is due now: 50 reps have two
DONE, REMINDED = 300_000, 20_000  # older rows: done, and open but reminded (overdue, still in 待办)

SETUP = [
    """INSERT INTO member (userid, name, department_ids, leader_of, position, active, synced_at)
       SELECT 'rep' || lpad(i::text, 5, '0'), '销售' || i, '[2]', '[]', '', true, :now
       FROM generate_series(0, :reps - 1) AS i""",
    """INSERT INTO customer (external_userid, name, type, corp_name, position, gender, created_at, updated_at)
       SELECT 'wm' || lpad(i::text, 6, '0'), '客户' || i, 1, '公司' || (i % 5000), '', 0,
              :now - interval '90 days', :now
       FROM generate_series(0, :customers - 1) AS i""",
    """INSERT INTO customer_rep (external_userid, userid, status, remark, description, state, add_way, added_at,
                                remark_corp_name, updated_at)
       SELECT 'wm' || lpad(i::text, 6, '0'), 'rep' || lpad((i % :reps)::text, 5, '0'), 'active', '', '', '', 1,
              :now - (i % 90 + 1) * interval '1 day', '', :now
       FROM generate_series(0, :customers - 1) AS i""",
]
# Older rows first (lower ids), as in a table that has been in use: done ones over the past 60 days, and
# open ones already reminded over the past 14 days (none within the grace of the bench's minute).
OLDER = """
    INSERT INTO follow_up (external_userid, userid, due_at, status, note, source, created_at, done_at, reminded_at)
    SELECT 'wm' || lpad((i % :customers)::text, 6, '0'), 'rep' || lpad((i % :reps)::text, 5, '0'), due,
           CASE WHEN i < :done THEN 'done' ELSE 'open' END, '回访', 'rep', due - interval '3 days',
           CASE WHEN i < :done THEN due + interval '1 hour' END, due
    FROM (SELECT i, :now - CASE WHEN i < :done THEN (i * 7919 % 86400 + 61) * interval '1 minute'
                                ELSE (i * 7919 % 20160 + 31) * interval '1 minute' END AS due
          FROM generate_series(0::bigint, :done + :reminded - 1) AS i) AS rows"""
# The open rows to remind; every (:open / :due)th is due now, so the due ones are spread over the table.
OPEN_ROWS = """
    INSERT INTO follow_up (external_userid, userid, due_at, status, note, source, created_at)
    SELECT 'wm' || lpad(customer::text, 6, '0'), 'rep' || lpad((customer % :reps)::text, 5, '0'), due, 'open',
           '回访', 'rep', :now - (i % 30 + 1) * interval '1 day'
    FROM (SELECT i,
                 CASE WHEN due THEN j % :due_reps * (:reps / :due_reps) + :reps * (j / :due_reps)
                      ELSE i % :customers END AS customer,
                 CASE WHEN due THEN :now ELSE :now + (i * 7919 % 86400 + 1) * interval '1 minute' END AS due
          FROM (SELECT i, i % (:open / :due) = 0 AS due, i / (:open / :due) AS j
                FROM generate_series(0::bigint, :open - 1) AS i) AS numbered) AS rows"""
# The ticks of the last 29 minutes reminded 1,000 each, still open: rows the find step's index must skip.
CROWD = """
    INSERT INTO follow_up (external_userid, userid, due_at, status, note, source, created_at, reminded_at)
    SELECT 'wm' || lpad((i % :customers)::text, 6, '0'), 'rep' || lpad((i % :reps)::text, 5, '0'), due, 'open',
           '回访', 'rep', due - interval '1 day', due
    FROM (SELECT i, :now - (i % 29 + 1) * interval '1 minute' AS due FROM generate_series(0, 28999) AS i) AS rows"""
RESET = [  # undo what the tick at NOW did (its rows are stamped NOW); the reps' remembered lists: none
    "UPDATE follow_up SET reminded_at = NULL WHERE status = 'open' AND due_at = :now",
    "DELETE FROM job_ledger WHERE created_at = :now",
    "DELETE FROM outbox_message WHERE created_at = :now",
    "DELETE FROM job_tick WHERE scheduled_for = :now",
    "DELETE FROM chat_state",
]
REMEMBERED = "INSERT INTO chat_state SELECT * FROM bench_morning_lists"  # the lists the 08:00 tick showed
TABLES = "follow_up, job_ledger, outbox_message, chat_state, job_tick, member, customer, customer_rep"
# What each statement of a tick is for, by the label _label gives it.
STEPS = {
    "INSERT job_tick ON CONFLICT": "Runner: start the tick",
    "SELECT job_ledger.key": "_morning_lists: sent today already?",
    "SELECT job_tick FOR UPDATE": "Runner: start the tick",
    "SELECT follow_up.userid": "find: _reps_with_due",
    "SELECT follow_up FOR UPDATE SKIP LOCKED": "find: _falling_due, 500 reps a chunk",
    "INSERT job_ledger ON CONFLICT": "ledger.claim_many",
    "UPDATE follow_up": "_mark_reminded",
    "SELECT member.userid": "_active",
    "SELECT chat_state": "_numbered: the list each rep last saw",
    "SELECT follow_up.id": "_numbered: anything on it still open?",
    "SELECT follow_up": "_agendas: 待办 of the reps without a list",
    "INSERT chat_state ON CONFLICT": "_numbered: remember_agendas",
    "SELECT customer": "_Lines: customers",
    "SELECT interaction": "_Lines: last entries",
    "SELECT customer_rep": "_Lines: added_at",
    "INSERT outbox_message ON CONFLICT": "Outbox.add_many",
    "UPDATE job_tick": "Runner: start and finish the tick",
}


@dataclass
class Executed:
    statement: str
    parameters: Any
    seconds: float  # cursor.execute as the driver saw it: query conversion, the round trip, the server's work


@dataclass
class Scene:
    """One schema: its store, its runner, and every statement the engine sent, timed."""

    name: str
    engine: Engine
    executed: list[Executed] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.store = Store(self.engine)
        self.runner = Runner(self.store, JobSettings(), FrozenClock(NOW))
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)

    def _before(self, connection, cursor, statement, parameters, context, executemany) -> None:
        connection.info["bench_started"] = time.perf_counter()

    def _after(self, connection, cursor, statement, parameters, context, executemany) -> None:
        seconds = time.perf_counter() - connection.info.pop("bench_started")
        self.executed.append(Executed(statement, parameters, seconds))

    def run(self) -> Run:
        return Run(reminders.NAME, NOW, self.store, JobSettings(), workdays.current(), FrozenClock(NOW))


def populate(engine: Engine, *, full: bool) -> None:
    """Members, customers and their reps; the 1,000 due follow-ups; with `full`, the rest of the table."""
    values = {
        "now": _naive(NOW),
        "reps": REPS,
        "customers": CUSTOMERS,
        "due_reps": DUE_REPS,
        "due": DUE,
        "open": OPEN if full else DUE,
        "done": DONE,
        "reminded": REMINDED,
    }
    with engine.begin() as connection:
        for statement in SETUP + ([OLDER] if full else []) + [OPEN_ROWS]:
            connection.execute(text(statement), values)
    _vacuum(engine, analyze=True)


def the_day_so_far(scene: Scene) -> str:
    """The 08:00 tick (morning lists, the day's ledger key), so the bench's tick is a plain afternoon one;
    the lists it showed are kept aside for the `remembered` runs."""
    result = Runner(scene.store, JobSettings(), FrozenClock(MORNING)).run(reminders.NAME, MORNING)
    if result.status != "done":
        raise RuntimeError(f"{scene.name}: the {MORNING:%H:%M} tick {result.status}: {result.summary}")
    with scene.engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_morning_lists AS SELECT * FROM chat_state"))
    _vacuum(scene.engine, analyze=True)
    return result.summary


def reset(scene: Scene, *, remembered: bool = False) -> None:
    """Back to the state before the tick at NOW; with `remembered`, each rep remembers their morning list,
    else no rep has a list to number new reminders in (the job reads their 待办)."""
    with scene.engine.begin() as connection:
        for statement in RESET + ([REMEMBERED] if remembered else []):
            connection.execute(text(statement), {"now": _naive(NOW)})
    _vacuum(scene.engine)


def _vacuum(engine: Engine, *, analyze: bool = False) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM {'ANALYZE ' if analyze else ''}{TABLES}"))


def tick(scene: Scene, *, remembered: bool = False) -> tuple[float, str, list[Executed]]:
    """One timed tick from the reset state: seconds, the tick's summary, and its statements."""
    reset(scene, remembered=remembered)
    gc.collect()
    scene.executed.clear()
    started = time.perf_counter()
    result = scene.runner.run(reminders.NAME, NOW)
    elapsed = time.perf_counter() - started
    if result.status != "done":
        raise RuntimeError(f"{scene.name}: the tick {result.status}: {result.summary}")
    return elapsed, result.summary, list(scene.executed)


def find(scene: Scene) -> tuple[float, int, list[Executed]]:
    """The job's own find step, timed alone and rolled back: the reps with something due, then their
    follow-ups, CHUNK reps at a time, as ORM objects. Returns seconds, rows and the statements sent."""
    run, chunk = scene.run(), reminders.CHUNK
    scene.executed.clear()
    started = time.perf_counter()
    reps = reminders._reps_with_due(run)
    with Session(scene.engine) as session:
        due = [
            f
            for start in range(0, len(reps), chunk)
            for f in reminders._falling_due(session, run, reps[start : start + chunk])
        ]
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed, len(due), list(scene.executed)


def explain(scene: Scene, executed: Executed) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement, rolled back; long IN lists are cut short."""
    with scene.engine.connect() as connection:
        plan = (
            connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {executed.statement}", executed.parameters)
            .scalars()
            .all()
        )
        connection.rollback()
    return [re.sub(r"'\{[^}]{60,}\}'", "'{…}'", line) for line in plan]


def find_statements(scene: Scene) -> dict[str, Executed]:
    """The find step's queries, the first of each kind, by label."""
    statements: dict[str, Executed] = {}
    for e in find(scene)[2]:
        statements.setdefault(_label(e.statement), e)
    return statements


def find_plans(scene: Scene) -> dict[str, tuple[Executed, list[str]]]:
    """Each of the find step's queries and its EXPLAIN (ANALYZE, BUFFERS), by label."""
    return {label: (e, explain(scene, e)) for label, e in find_statements(scene).items()}


def _indexes(plan: list[str]) -> list[str]:
    found = re.findall(r"(?:Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)", "\n".join(plan))
    return list(dict.fromkeys(found))


def crowded_plans(scene: Scene) -> dict[str, list[str]]:
    """The find step's plans when each tick of the last 29 minutes reminded 1,000 follow-ups, still open (added
    and ANALYZEd in a transaction that is rolled back), by label: which indexes, and the execution time."""
    statements = find_statements(scene)
    with scene.engine.connect() as connection:
        connection.execute(text(CROWD), {"now": _naive(NOW), "reps": REPS, "customers": CUSTOMERS})
        connection.execute(text("ANALYZE follow_up"))
        plans = {
            label: connection.exec_driver_sql(f"EXPLAIN (ANALYZE) {e.statement}", e.parameters).scalars().all()
            for label, e in statements.items()
        }
        connection.rollback()
    return plans


def explain_without(scene: Scene, executed: Executed, index: str) -> list[str]:
    """The same EXPLAIN with one index hidden (dropped in a transaction that is rolled back): the plan the
    planner turned down."""
    with scene.engine.connect() as connection:
        connection.execute(text(f'DROP INDEX "{index}"'))
        plan = (
            connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {executed.statement}", executed.parameters)
            .scalars()
            .all()
        )
        connection.rollback()
    return list(plan)


def _summary(plan: list[str]) -> str:
    """`Index Scan using x (cost 1663.59), execution 2.7 ms`: the scan, the plan's estimated cost, its time."""
    scan = next(
        (
            re.search(r"(?:Index|Seq|Bitmap Heap) Scan[^(]*", line).group(0).strip()
            for line in plan
            if re.search(r"(?:Index|Seq|Bitmap Heap) Scan", line)
        ),
        "?",
    )
    cost = re.search(r"cost=[\d.]+\.\.([\d.]+)", plan[0])
    execution = next((line.split(":")[1].strip() for line in plan if line.startswith("Execution Time")), "?")
    return f"{scan} (estimated cost {cost.group(1) if cost else '?'}), execution {execution}"


def server_times(scene: Scene, executed: list[Executed]) -> list[float]:
    """A tick's statements run again from the reset state under EXPLAIN ANALYZE, in order, in one transaction
    rolled back: the seconds each took in the server (planning + execution), without driver or network."""
    reset(scene)
    seconds = []
    with scene.engine.connect() as connection:
        for e in executed:
            total = 0.0
            for parameters in (
                e.parameters if isinstance(e.parameters, list) else [e.parameters]
            ):  # executemany: each row
                plan = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {e.statement}", parameters).scalar()
                plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
                total += (plan["Planning Time"] + plan["Execution Time"]) / 1000
            seconds.append(total)
        connection.rollback()
    return seconds


def check(scene: Scene) -> tuple[bool, str]:
    """After one tick: every due follow-up reminded, one ledger key each, one message per rep."""
    counts = """SELECT (SELECT count(*) FROM follow_up WHERE status = 'open' AND due_at = :now),
                       (SELECT count(DISTINCT userid) FROM follow_up WHERE status = 'open' AND due_at = :now),
                       (SELECT count(*) FROM follow_up WHERE reminded_at = :now),
                       (SELECT count(*) FROM job_ledger WHERE created_at = :now),
                       (SELECT count(*) FROM outbox_message WHERE created_at = :now)"""
    with scene.engine.connect() as connection:
        due, reps, reminded, keys, messages = connection.execute(text(counts), {"now": _naive(NOW)}).one()
    ok = due == DUE and reminded == due and keys == due and messages == reps
    return ok, (
        f"{scene.name}: {reminded:,} of {due:,} due marked reminded, {keys:,} ledger keys, "
        f"{messages:,} messages for {reps:,} reps: {'OK' if ok else 'FAILED'}"
    )


def profile(scene: Scene) -> tuple[float, list[tuple[str, float]], list[tuple[str, float]]]:
    """One tick under cProfile: its seconds, the project's functions by cumulative seconds, the libraries'
    by own seconds (the profiler slows Python down, not the server: read shares, not absolute times)."""
    reset(scene)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(scene.runner.run, reminders.NAME, NOW)
    elapsed = time.perf_counter() - started
    ours, theirs = [], []
    for (path, line, function), (_, _, own, cumulative, _) in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        where = path.split("site-packages/")[-1].removeprefix(f"{ROOT}/")
        name = f"{function} ({where}:{line})" if path != "~" else re.sub(r" at 0x\w+", "", function)
        if path.startswith((f"{ROOT}/jobs/", f"{ROOT}/scrm/")):
            ours.append((name, cumulative))
        else:
            theirs.append((name, own))
    return elapsed, sorted(ours, key=lambda r: -r[1]), sorted(theirs, key=lambda r: -r[1])


def _label(statement: str) -> str:
    """`SELECT follow_up FOR UPDATE SKIP LOCKED`: the verb, the first table (or the one column selected), the
    locking or conflict clause."""
    sql = " ".join(statement.split())
    table = re.search(r"\b(?:INTO|UPDATE|FROM) (\w+)", sql)
    column = re.match(r"SELECT ([\w.]+) FROM", sql)
    label = f"SELECT {column.group(1)}" if column else f"{sql.split(' ', 1)[0]} {table.group(1) if table else '?'}"
    return next(
        (f"{label} {clause}" for clause in ("FOR UPDATE SKIP LOCKED", "FOR UPDATE", "ON CONFLICT") if clause in sql),
        label,
    )


def by_label(ticks: list[list[float]], executed: list[Executed]) -> dict[str, tuple[int, float]]:
    """Label -> (statements a tick, median seconds a tick), in the tick's order; `ticks` holds each tick's
    seconds per statement, in the order of `executed`."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(ticks))
    counts: dict[str, int] = defaultdict(int)
    for i, e in enumerate(executed):
        counts[_label(e.statement)] += 1
        for n, seconds in enumerate(ticks):
            totals[_label(e.statement)][n] += seconds[i]
    return {label: (counts[label], statistics.median(values)) for label, values in totals.items()}


def _naive(at: datetime) -> datetime:
    """How scrm.types.UTCDateTime stores a time: naive UTC."""
    return at.astimezone(UTC).replace(tzinfo=None)


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms ({min(values) * 1000:.1f}–{max(values) * 1000:.1f})"


def reachable(url: str) -> str | None:
    """None when PostgreSQL answers; else why not, in one line."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None
    except OperationalError as error:
        return str(error.orig).strip().splitlines()[0]
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="timed ticks per schema (default 9)")
    args = parser.parse_args(argv)
    reason = reachable(POSTGRES_URL)
    if reason:
        print(f"bench.reminders needs PostgreSQL at {POSTGRES_URL} (or SCRM_BENCH_POSTGRES_URL): {reason}")
        return 2
    print(describe_machine())
    with postgres_database() as big_db, postgres_database() as small_db:
        scenes = []
        try:
            for name, database, full in (("1M", big_db, True), ("1k", small_db, False)):
                started = time.perf_counter()
                engine = make_engine(database.url, schema=database.schema)
                scenes.append(Scene(name, engine))
                populate(engine, full=full)
                morning = the_day_so_far(scenes[-1])
                print(
                    f"schema {database.schema} ({name}) filled in {time.perf_counter() - started:.1f} s; "
                    f"the {MORNING:%H:%M} tick: {morning}"
                )
            return report(*scenes, repeat=args.repeat)
        finally:
            for scene in scenes:
                scene.engine.dispose()


def report(big: Scene, small: Scene, *, repeat: int) -> int:
    scenes = (big, small)
    with big.engine.connect() as connection:
        rows, to_remind = connection.execute(
            text("SELECT count(*), count(*) FILTER (WHERE status = 'open' AND reminded_at IS NULL) FROM follow_up")
        ).one()
    print(
        f"\nreminders tick at {NOW:%Y-%m-%d %H:%M} Asia/Shanghai (a working Wednesday): {REPS:,} reps, "
        f"{CUSTOMERS:,} customers. 1M: follow_up holds {rows:,} rows, {to_remind:,} open and not reminded, "
        f"{DUE:,} of them due now for {DUE_REPS} reps. 1k (baseline): only those {DUE:,}."
    )

    checks = []
    for scene in scenes:  # the first tick warms up, and is checked
        _, summary, _ = tick(scene)
        ok, line = check(scene)
        checks.append(ok)
        print(f"check {line} (the tick: {summary})")

    ticks: dict[str, list[float]] = {s.name: [] for s in scenes}
    statements: dict[str, list[list[float]]] = {s.name: [] for s in scenes}
    executed: dict[str, list[Executed]] = {}
    remembered: list[float] = []  # 1M, each rep remembering the list the 08:00 tick showed them
    for _ in range(repeat):  # interleaved, so drift on the machine hits all alike
        for scene in scenes:
            seconds, _, executed[scene.name] = tick(scene)
            ticks[scene.name].append(seconds)
            statements[scene.name].append([e.seconds for e in executed[scene.name]])
        remembered.append(tick(big, remembered=True)[0])
    finds: dict[str, list[float]] = {s.name: [] for s in scenes}
    for scene in scenes:
        reset(scene)
    for _ in range(repeat):
        for scene in scenes:
            seconds, found, _ = find(scene)
            if found != DUE:
                raise RuntimeError(f"{scene.name}: the find step returned {found} rows, not {DUE}")
            finds[scene.name].append(seconds)

    print(f"\n{repeat} ticks each from the same state: median (min–max)")
    print("| what | 1,000,000 open | baseline: 1,000 open | 1M ÷ 1k |\n|---|---|---|---|")
    for what, values in (
        ("tick (Runner.run), no list remembered: the job reads the reps' 待办", ticks),
        ("find step alone (_reps_with_due + _falling_due, 1,000 ORM rows)", finds),
    ):
        ratio = statistics.median(values["1M"]) / statistics.median(values["1k"])
        print(f"| {what} | {_spread(values['1M'])} | {_spread(values['1k'])} | {ratio:.2f} |")
    print(
        f"| tick (Runner.run), each rep remembering their {MORNING:%H:%M} list | {_spread(remembered)} | "
        f"— (nothing was overdue: no morning lists) | |"
    )

    driver = {s.name: by_label(statements[s.name], executed[s.name]) for s in scenes}
    server = {s.name: by_label([server_times(s, executed[s.name])], executed[s.name]) for s in scenes}
    print(
        "\nwhere a tick's time goes, ms a tick: each statement as the driver saw it (median of the ticks) and "
        "as the server spent it (the same statements again under EXPLAIN ANALYZE); driver time includes any "
        "garbage collection that falls inside a statement"
    )
    print("| statement | step of the job | count | 1M driver | 1M server | 1k driver | 1k server |")
    print("|---|---|---|---|---|---|---|")
    for label, (count, seconds) in driver["1M"].items():
        cells = [
            seconds,
            server["1M"][label][1],
            driver["1k"].get(label, (0, 0.0))[1],
            server["1k"].get(label, (0, 0.0))[1],
        ]
        print(
            f"| `{label}` | {STEPS.get(label, '?')} | {count} | " + " | ".join(f"{c * 1000:.1f}" for c in cells) + " |"
        )
    sums = {name: [sum(per_tick) for per_tick in statements[name]] for name in ticks}
    outside = {name: statistics.median(t - s for t, s in zip(ticks[name], sums[name], strict=True)) for name in ticks}
    in_server = {name: sum(seconds for _, seconds in server[name].values()) for name in ticks}
    print(
        f"| all statements | | {len(executed['1M'])} | {statistics.median(sums['1M']) * 1000:.1f} | "
        f"{in_server['1M'] * 1000:.1f} | {statistics.median(sums['1k']) * 1000:.1f} | {in_server['1k'] * 1000:.1f} |"
    )
    print(
        f"| outside statements | Python: SQL compilation, ORM objects, texts; commits, pool pre-pings | | "
        f"{outside['1M'] * 1000:.1f} | | {outside['1k'] * 1000:.1f} | |"
    )

    plans = {s.name: find_plans(s) for s in scenes}
    for label, (statement, plan) in plans["1M"].items():
        read = {name: ", ".join(_indexes(plans[name][label][1])) or "no index" for name in plans}
        print(
            f"\nEXPLAIN (ANALYZE, BUFFERS) of `{label}` ({STEPS.get(label, '?')}), 1M; "
            f"index read: 1M {read['1M']}, 1k {read['1k']}"
        )
        print("\n".join(f"    {line}" for line in plan))
        for other in _indexes(plan):
            if other != INDEX:  # the planner chose another index: the plan it turned down, and its estimate
                print(
                    f"  chosen: {_summary(plan)}\n  with {other} hidden: "
                    f"{_summary(explain_without(big, statement, other))}"
                )
    agendas = next(e for e in executed["1M"] if _label(e.statement) == "SELECT follow_up")
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of `SELECT follow_up` ({STEPS['SELECT follow_up']}), 1M:")
    print("\n".join(f"    {line}" for line in explain(big, agendas)))

    crowded = crowded_plans(big)  # last: its ANALYZE leaves the table's row estimate slightly off
    print(
        "\nthe find step when the ticks of the last 29 minutes reminded 1,000 follow-ups each (29,000 open rows "
        "in the window, added and rolled back), 1M: "
        + "; ".join(
            f"`{label}` reads {', '.join(_indexes(plan)) or 'no index'}, {_summary(plan).rsplit(', ', 1)[1]}"
            for label, plan in crowded.items()
        )
    )

    big_ms, small_ms = statistics.median(ticks["1M"]) * 1000, statistics.median(ticks["1k"]) * 1000
    met = big_ms < GOAL_MS
    if not met:
        for scene in scenes:
            elapsed, ours, theirs = profile(scene)
            print(f"\nprofile of one tick, {scene.name}: {elapsed * 1000:.0f} ms under cProfile")
            print("| the project's functions | cumulative ms | share |\n|---|---|---|")
            print("\n".join(f"| `{name}` | {s * 1000:.0f} | {s / elapsed:.0%} |" for name, s in ours[:14]))
            print("| the libraries' functions | own ms | share |\n|---|---|---|")
            print("\n".join(f"| `{name}` | {s * 1000:.0f} | {s / elapsed:.0%} |" for name, s in theirs[:10]))

    read = "; ".join(f"`{label}` {', '.join(_indexes(plan)) or 'no index'}" for label, (_, plan) in plans["1M"].items())
    print(
        f"\nGoal: a tick with {OPEN:,} open follow-ups, {DUE:,} due, under {GOAL_MS:.0f} ms: "
        f"{'met' if met else 'MISSED'} (median {big_ms:.1f} ms, {big_ms / small_ms:.2f}× the baseline's "
        f"{small_ms:.1f} ms). The find step's queries read: {read}. "
        f"Correctness: {'OK' if all(checks) else 'FAILED'}."
    )
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
