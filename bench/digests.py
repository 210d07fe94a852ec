"""Team digests at company scale: every team's daily digest, and a manager's 业绩, in PostgreSQL.

`python -m bench.digests [--repeat 5] [--baseline-teams 50] [--scale 1.0]`

The `daily-digest` job sends each team its day and its month so far at 18:00. It must not loop over reps, nor
over teams: `scrm.kpis.by_rep` computes every rep's figures of all teams with a handful of grouped queries,
carried by the (userid, time) indexes of migration 0010. This bench fills a private
schema (`bench_<random>`, dropped at the end) with a company (`generate`): 10,000 reps in 500 teams (team 2
has 50 reps, the others 19 or 20), each team with a manager and a group robot; 1,000,000 customers (100 per
rep), 10,000,000 logged follow-ups, 1,000,000 follow-ups to do, 200,000 deals and their stage moves, spread
over the last 12 months. With a frozen clock at 18:00 on Monday 2026-11-30, Asia/Shanghai (a working day and
the month's last, so the month so far is as long as it gets), it measures:

- the job: a whole `daily-digest` tick through `Runner.run`, warm, from the same state each time (what a
  tick wrote is deleted and vacuumed); without its charts (as on a machine without a CJK font), and with
  them, the drawing timed apart;
- the baseline, in the same run: the straightforward per-rep ORM loop (`naive_figures`: for every rep, their
  rows of the day and of the month loaded as ORM objects and counted in Python), swapped in for kpis.by_rep
  in the same job, so everything else (texts, target, stage moves, ledger, outbox) is the job's own. It runs
  on a sample of teams (the job alone on the same teams is timed beside it), and on all teams when the sample
  says that takes under --baseline-budget seconds; otherwise the sample is extrapolated by reps;
- correctness: the job's texts with the naive loop against the job's own, and every rep's figures from
  by_rep against the naive loop's;
- a manager's `业绩` for the 50-rep team: the whole command through the router (parse, guards, the reply
  into the outbox, rolled back), and kpis.by_rep alone over the 50 reps for the month;
- where a tick's time goes: each statement as the driver saw it, the SELECTs replayed under EXPLAIN ANALYZE
  for the server's share, the scans and indexes each kind read, and the plans of the heaviest;
- peak memory of a fresh process that runs one tick (the generator's memory does not count).

Goals (the issue): every team's digest under 3 s and at least 20× faster than the per-rep ORM loop; peak
memory under 500 MB; `业绩` for a manager of 50 reps under 100 ms. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, event, text
from sqlmodel import Session, col, select

from bench.machine import describe_machine
from bench.reminders import reachable
from bench.servers import POSTGRES_URL, postgres_database
from handlers import build_router
from handlers.context import Context, HandlerSettings
from handlers.events import Kind, TextReceived
from jobs import digests
from jobs.config import Run
from jobs.runner import Runner
from jobs.table import JobSettings
from scrm import kpis, members, teams, workdays
from scrm import texts as scrm_texts
from scrm.clock import FrozenClock
from scrm.db import Store, make_engine
from scrm.kpis import Figures, Period
from scrm.models import CustomerRep, Deal, FollowUp, Interaction
from scrm.outbox import Outbox

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 18, 0, tzinfo=TZ)  # Monday, a working day, the last of the month; the digest's hour
DIGEST_GOAL_S, RATIO_GOAL, MEMORY_GOAL_MB, NUMBERS_GOAL_MS = 3.0, 20.0, 500.0, 100.0
MANAGER, BIG_TEAM = "mgr0002", 2  # the manager of the 50-rep team, whose 业绩 is timed


@dataclass(frozen=True)
class Company:
    """The sizes the generator builds; `scaled` shrinks them all alike for a quick run."""

    reps: int = 10_000
    teams: int = 500
    big_team: int = 50  # reps in team 2 (the 业绩 of its manager is timed); the rest share the other teams
    customers_per_rep: int = 100
    interactions_per_rep: int = 1_000
    follow_ups_per_rep: int = 100
    deals_per_rep: int = 20

    @classmethod
    def scaled(cls, factor: float) -> Company:
        reps = max(100, round(10_000 * factor / 20) * 20)
        return cls(reps=reps, teams=reps // 20, big_team=50)

    @property
    def customers(self) -> int:
        return self.reps * self.customers_per_rep

    @property
    def interactions(self) -> int:
        return self.reps * self.interactions_per_rep

    @property
    def follow_ups(self) -> int:
        return self.reps * self.follow_ups_per_rep

    @property
    def deals(self) -> int:
        return self.reps * self.deals_per_rep


# --- the generator -------------------------------------------------------------------------------------------
# Everything is computed in the server from generate_series, deterministically (no random()). Rows are made in
# time order, as a table that has been in use holds them: row i of n sits at i/n of its time span. Customer c
# belongs to rep c % reps (100 each); logged follow-ups, follow-ups and deals go to a rep drawn by hashing i, so
# a rep's day varies as a real one does (about 2.7 logged a day on average, some days none, some 8). Times fall in
# local working hours (08:00–18:00 for logged follow-ups, customers and deals,
# 09:00–18:00 for follow-ups due), so today's rows all lie before the bench's 18:00.
def _at(index: str, count: str, days: int, base: str, start_hour: int = 8, hours: int = 10) -> str:
    """SQL for the time of row `index` of `count` spread over `days` local days from `base` (a local midnight,
    as naive UTC), at local working hours."""
    return (
        f"{base} + ({index} * {days} / {count}) * interval '1 day' + interval '{start_hour} hours' + "
        f"(({index} * {days}) % {count})::float8 / {count} * interval '{hours} hours'"
    )


REP = "'rep' || lpad(({n})::text, 5, '0')"  # rep00001 … rep10000
CUSTOMER = "'wm' || lpad(({c})::text, 7, '0')"  # customer c belongs to rep c % reps, its (c / reps)th
RANDOM_REP = "(hashint8(i) & 2147483647) % :reps"  # the rep of row i: scattered, so reps' days differ
TEAM_OF = "CASE WHEN n <= :big THEN 2 ELSE 3 + ((n - :big - 1) * (:teams - 1)) / (:reps - :big) END"
STAGES = "ARRAY['初次接触', '需求确认', '方案报价', '谈判']"
CHANNELS = (
    "ARRAY['微信', '微信', '微信', '微信', '微信', '微信', '微信', '微信', '电话', '电话', '电话', '电话', "
    "'电话', '电话', '拜访', '拜访', '拜访', '会议', '会议', '备注']"
)  # 40 % 微信, 30 % 电话, 15 %, 10 %, 5 %

ORGANISATION = [
    """INSERT INTO department (id, name, parent_id, leader_userids, synced_at) VALUES (1, '销售中心', NULL, '[]', :now)""",  # noqa: E501
    """INSERT INTO department (id, name, parent_id, leader_userids, synced_at)
       SELECT d, '销售' || (d - 1) || '组', 1, json_build_array('mgr' || lpad(d::text, 4, '0')), :now
       FROM generate_series(2, :teams + 1) AS d""",
    f"""INSERT INTO member (userid, name, department_ids, leader_of, position, active, synced_at)
       SELECT {REP.format(n="n")}, '销售' || n, json_build_array({TEAM_OF}), '[]', '', true, :now
       FROM generate_series(1, :reps) AS n""",
    """INSERT INTO member (userid, name, department_ids, leader_of, position, active, synced_at)
       SELECT 'mgr' || lpad(d::text, 4, '0'), '主管' || d, json_build_array(d), json_build_array(d), '销售主管',
              true, :now
       FROM generate_series(2, :teams + 1) AS d""",
    """INSERT INTO team_chat (department_id, kind, target, enabled, disabled_reason, updated_at)
       SELECT d, 'robot', 'bench-robot-key-' || d, true, '', :now FROM generate_series(2, :teams + 1) AS d""",
    # A month's target for every other team (the others fall back to their reps' targets: none).
    """INSERT INTO target (scope, subject, metric, period, starts, value, set_by, updated_at)
       SELECT 'team', d::text, 'won_amount', 'month', :month, 1000000, 'bench', :now
       FROM generate_series(2, :teams + 1, 2) AS d""",
]
CUSTOMERS = [  # 100 per rep, added over the last 365 days, about 2,700 a day
    f"""INSERT INTO customer (external_userid, name, type, corp_name, position, gender, created_at, updated_at)
        SELECT {CUSTOMER.format(c="c")}, '客户' || c, 1, '公司' || (c % 50000), '', 0, at, at
        FROM (SELECT c, {_at("c", ":customers", 365, ":day0")} AS at
              FROM generate_series(CAST(:lo AS bigint), :hi - 1) AS c) AS rows""",
    f"""INSERT INTO customer_rep (external_userid, userid, status, remark, description, state, add_way, added_at,
                                 remark_corp_name, updated_at)
        SELECT {CUSTOMER.format(c="c")}, {REP.format(n="c % :reps + 1")}, 'active', '', '', '', 1, at, '', at
        FROM (SELECT c, {_at("c", ":customers", 365, ":day0")} AS at
              FROM generate_series(CAST(:lo AS bigint), :hi - 1) AS c) AS rows""",
]
# 1,000 a rep over 365 days (about 27,000 a day): a third to the rep's newest customer (a first response),
# the rest to any customer the rep had by then.
INTERACTIONS = f"""
    INSERT INTO interaction (external_userid, userid, kind, channel, text, at)
    SELECT {CUSTOMER.format(c="k * :reps + r")}, {REP.format(n="r + 1")}, 'follow_up',
           ({CHANNELS})[1 + (j * 7 + r * 3) % 20], '跟进记录', at
    FROM (SELECT r, j, at, CASE WHEN j % 3 = 0 THEN newest ELSE (j * 7919 + r) % (newest + 1) END AS k
          FROM (SELECT r, j, at, least(greatest(i * :customers / :interactions - r, 0) / :reps, :per_rep - 1) AS newest
                FROM (SELECT i, {RANDOM_REP} AS r, i / :reps AS j, {_at("i", ":interactions", 365, ":day0")} AS at
                      FROM generate_series(CAST(:lo AS bigint), :hi - 1) AS i) AS timed) AS numbered) AS rows"""
# 100 a rep, due over 60 days either side of now. Past due: 80 % done (early or up to 6 h late), 15 % still
# open (overdue), 5 % superseded; due later: 94 % open, 3 % done early, 3 % superseded.
FOLLOW_UPS = f"""
    INSERT INTO follow_up (external_userid, userid, due_at, status, note, source, created_at, done_at, reminded_at)
    SELECT {CUSTOMER.format(c="(j * 37 + r) % :per_rep * :reps + r")}, {REP.format(n="r + 1")}, due, status, '回访',
           'rep', due - interval '3 days',
           CASE status WHEN 'done' THEN least(due + ((j * 13 + r * 7) % 720 - 360) * interval '1 minute', :now)
                       WHEN 'superseded' THEN due - interval '1 day' END,
           CASE WHEN due < :now THEN due END
    FROM (SELECT r, j, due, CASE WHEN due < :now THEN CASE WHEN h < 5 THEN 'superseded' WHEN h < 20 THEN 'open'
                                                      ELSE 'done' END
                                 ELSE CASE WHEN h < 3 THEN 'done' WHEN h < 6 THEN 'superseded' ELSE 'open' END
                            END AS status
          FROM (SELECT r, j, due, (j * 7 + r * 11) % 100 AS h
                FROM (SELECT {RANDOM_REP} AS r, i / :reps AS j, {_at("i", ":follow_ups", 120, ":due0", 9, 9)} AS due
                      FROM generate_series(CAST(:lo AS bigint), :hi - 1) AS i) AS timed) AS numbered) AS rows"""
# 20 a rep, opened over the last 425 days, each closing 1–60 days after it opened: closed by now, 40 % won and
# 50 % lost (10 % still open, stalled); not yet due to close: open, in one of the four open stages.
DEALS = f"""
    INSERT INTO deal (id, external_userid, userid, stage, status, at_risk, amount, note, opened_at, updated_at,
                      closed_at)
    SELECT i + 1, {CUSTOMER.format(c="(j * 5 + r) % :per_rep * :reps + r")}, {REP.format(n="r + 1")},
           CASE status WHEN 'won' THEN '成交' WHEN 'lost' THEN '流失' ELSE ({STAGES})[1 + (j + r) % 4] END, status,
           false, (1 + (j * 7919 + r * 13) % 500) * 1000, '', opened,
           CASE WHEN status = 'open' THEN opened ELSE closes END, CASE WHEN status <> 'open' THEN closes END
    FROM (SELECT i, r, j, opened, closes,
                 CASE WHEN closes > :now OR h = 9 THEN 'open' WHEN h < 4 THEN 'won' ELSE 'lost' END AS status
          FROM (SELECT i, r, j, h, opened, opened + ((j * 31 + r) % 60 + 1) * interval '1 day' AS closes
                FROM (SELECT i, r, j, (j * 7 + r * 3) % 10 AS h, opened
                      FROM (SELECT i, {RANDOM_REP} AS r, i / :reps AS j, {_at("i", ":deals", 425, ":deal0")} AS opened
                            FROM generate_series(0::bigint, :deals - 1) AS i) AS drawn) AS numbered) AS timed) AS rows"""  # noqa: E501
# A deal's moves: from nothing into the first stage when opened, on through the open stages it reached at even
# intervals up to its close (or up to now), then into 成交 or 流失 when it closed.
STAGE_CHANGES = f"""
    INSERT INTO stage_change (deal_id, from_stage, to_stage, userid, at)
    SELECT id, CASE WHEN n = 0 THEN '' ELSE ({STAGES})[n] END, ({STAGES})[n + 1], userid,
           opened_at + (coalesce(closed_at, :now) - opened_at) * n / reached
    FROM (SELECT id, userid, opened_at, closed_at,
                 CASE status WHEN 'won' THEN 4 WHEN 'lost' THEN 1 + id % 4
                             ELSE array_position({STAGES}, stage::text) END AS reached
          FROM deal) AS deals, generate_series(0, reached - 1) AS n
    UNION ALL
    SELECT id, ({STAGES})[CASE status WHEN 'won' THEN 4 ELSE 1 + id % 4 END], stage, userid, closed_at
    FROM deal WHERE status <> 'open'"""
BULK_TABLES = ("customer", "customer_rep", "interaction", "follow_up", "deal", "stage_change")
TABLES = "department, member, team_chat, target, " + ", ".join(BULK_TABLES)


def _naive(at: datetime) -> datetime:
    """How scrm.types.UTCDateTime stores a time: naive UTC."""
    return at.astimezone(UTC).replace(tzinfo=None)


def _local_midnight(day: date) -> datetime:
    return _naive(datetime.combine(day, datetime.min.time(), tzinfo=TZ))


def generate(
    engine: Engine, company: Company = Company(), *, now: datetime = NOW, say: Callable[[str], None] = print
) -> dict[str, int]:
    """Fill an empty, migrated schema with the company, in the server; VACUUM ANALYZE; returns rows per table.

    The bulk tables' secondary indexes are dropped while they load and built again after (the same
    definitions, read from pg_indexes), which is several times faster than maintaining them row by row."""
    today = now.astimezone(TZ).date()
    values = {
        "now": _naive(now),
        "reps": company.reps,
        "teams": company.teams,
        "big": company.big_team,
        "per_rep": company.customers_per_rep,
        "customers": company.customers,
        "interactions": company.interactions,
        "follow_ups": company.follow_ups,
        "deals": company.deals,
        "day0": _local_midnight(today - timedelta(days=364)),  # 365 days, today the last
        "due0": _local_midnight(today - timedelta(days=60)),  # 120 days, today in the middle
        "deal0": _local_midnight(today - timedelta(days=424)),  # deals open up to 60 days before closing
        "month": today.replace(day=1),
    }
    started = time.perf_counter()

    def step(what: str, statements: str | list[str], total: int = 0, chunk: int = 1_000_000) -> None:
        with engine.begin() as connection:
            for statement in [statements] if isinstance(statements, str) else statements:
                if not total:
                    connection.execute(text(statement), values)
                for lo in range(0, total, chunk):
                    connection.execute(text(statement), {**values, "lo": lo, "hi": min(lo + chunk, total)})
                    if total > chunk:
                        say(
                            f"  {what}: {min(lo + chunk, total):,} of {total:,} rows "
                            f"({time.perf_counter() - started:.0f} s)"
                        )
        say(f"  {what} done ({time.perf_counter() - started:.0f} s)")

    with engine.begin() as connection:
        dropped = _drop_secondary_indexes(connection, BULK_TABLES)
    step("departments, members, team chats, targets", ORGANISATION)
    for statement, what in zip(CUSTOMERS, ("customer", "customer_rep"), strict=True):
        step(what, statement, company.customers)
    step("interaction", INTERACTIONS, company.interactions)
    step("follow_up", FOLLOW_UPS, company.follow_ups)
    step("deal", DEALS)
    step("stage_change", STAGE_CHANGES)
    with engine.begin() as connection:
        connection.execute(text("SELECT setval(pg_get_serial_sequence('deal', 'id'), (SELECT max(id) FROM deal))"))
        connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for definition in dropped:
            connection.execute(text(definition))
    say(f"  {len(dropped)} secondary indexes built again ({time.perf_counter() - started:.0f} s)")
    vacuum(engine, TABLES, analyze=True)
    say(f"  VACUUM ANALYZE done ({time.perf_counter() - started:.0f} s)")
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in TABLES.split(", ")
        }


def _drop_secondary_indexes(connection: Connection, tables: tuple[str, ...]) -> list[str]:
    """Drop the tables' indexes that back no constraint; returns their CREATE INDEX statements."""
    rows = connection.execute(
        text("""
        SELECT i.indexname, i.indexdef FROM pg_indexes AS i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(:tables)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname
                          AND c.connamespace = to_regnamespace(current_schema()))"""),
        {"tables": list(tables)},
    ).all()
    for name, _ in rows:
        connection.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _, definition in rows]


def vacuum(engine: Engine, tables: str, *, analyze: bool = False) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM {'ANALYZE ' if analyze else ''}{tables}"))


def data_profile(engine: Engine) -> dict[str, int]:
    """What today and the month hold, as the digest sees them."""
    today, month = Period.day_of(NOW, TZ), Period.month_of(NOW, TZ)
    values = {"day": _naive(today.start), "month": _naive(month.start), "end": _naive(today.end), "now": _naive(NOW)}
    queries = {
        "interactions today": "SELECT count(*) FROM interaction WHERE at >= :day AND at < :end",
        "interactions this month": "SELECT count(*) FROM interaction WHERE at >= :month AND at < :end",
        "deals closed today": "SELECT count(*) FROM deal WHERE closed_at >= :day AND closed_at < :end",
        "deals closed this month": "SELECT count(*) FROM deal WHERE closed_at >= :month AND closed_at < :end",
        "customers added today": "SELECT count(*) FROM customer_rep WHERE added_at >= :day AND added_at < :end",
        "customers added this month": "SELECT count(*) FROM customer_rep WHERE added_at >= :month AND added_at < :end",
        "follow-ups due this month so far": "SELECT count(*) FROM follow_up WHERE due_at >= :month AND due_at < :now",
        "follow-ups overdue now": "SELECT count(*) FROM follow_up WHERE status = 'open' AND due_at < :now",
        "stage moves today": "SELECT count(*) FROM stage_change WHERE at >= :day AND at < :end AND from_stage <> ''",
    }
    with engine.connect() as connection:
        return {what: connection.execute(text(sql), values).scalar_one() for what, sql in queries.items()}


# --- the job, timed ------------------------------------------------------------------------------------------
RESET = [  # what a daily-digest tick writes: its ledger keys, its outbox rows, its tick row
    f"DELETE FROM job_ledger WHERE job = '{digests.DAILY}'",
    f"DELETE FROM outbox_message WHERE key LIKE '{digests.DAILY}:%'",
    f"DELETE FROM job_tick WHERE job = '{digests.DAILY}'",
]


@dataclass
class Executed:
    statement: str
    parameters: Any
    seconds: float  # cursor.execute as the driver saw it


@dataclass
class Bench:
    """The schema under test: its store, the job runner with a frozen clock, and a statement recorder."""

    engine: Engine
    recording: list[Executed] | None = None
    schema: str = ""

    def __post_init__(self) -> None:
        self.store = Store(self.engine)
        self.runner = Runner(self.store, JobSettings(), FrozenClock(NOW))
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)

    def _before(self, connection, cursor, statement, parameters, context, executemany) -> None:
        if self.recording is not None:
            connection.info["bench_started"] = time.perf_counter()

    def _after(self, connection, cursor, statement, parameters, context, executemany) -> None:
        started = connection.info.pop("bench_started", None)
        if self.recording is not None and started is not None:
            self.recording.append(Executed(statement, parameters, time.perf_counter() - started))

    def run(self) -> Run:
        """The Run the Runner would hand the job."""
        return Run(digests.DAILY, NOW.astimezone(UTC), self.store, JobSettings(), workdays.current(), FrozenClock(NOW))

    def reset(self) -> None:
        with self.engine.begin() as connection:
            for statement in RESET:
                connection.execute(text(statement))
        vacuum(self.engine, "job_ledger, outbox_message, job_tick")

    def tick(self, *, charts: bool = True, only: set[int] | None = None, per_rep: bool = False) -> Tick:
        """One timed daily-digest tick through the Runner, from the reset state. Variants of the job (see
        `_variant`): without `charts`, as on a machine without a CJK font; `only` these teams; `per_rep`, with
        the naive per-rep ORM loop in place of kpis.by_rep."""
        self.reset()
        gc.collect()
        drawing: list[float] = []
        with _variant(charts=charts, only=only, per_rep=per_rep, drawing=drawing):
            started = time.perf_counter()
            result = self.runner.run(digests.DAILY, NOW)
            elapsed = time.perf_counter() - started
        if result.status != "done":
            raise RuntimeError(f"the daily-digest tick {result.status}: {result.summary}")
        return Tick(elapsed, result.summary, sum(drawing))

    def recorded_tick(self) -> tuple[float, list[Executed]]:
        """A tick without charts, every statement recorded."""
        self.reset()
        self.recording = []
        try:
            elapsed = self.tick(charts=False).seconds
            return elapsed, self.recording
        finally:
            self.recording = None

    def sent_texts(self) -> dict[int, str]:
        """Department id -> the digest text the last tick queued."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                text(f"SELECT key, payload FROM outbox_message WHERE key LIKE '{digests.DAILY}:%' ORDER BY id")
            ).all()
        made: dict[int, list[str]] = defaultdict(list)  # a text too long for one message is sent in parts
        for key, payload in rows:
            if "content" in _payload(payload):  # not the chart (an image)
                made[int(re.search(r"team-(\d+)", key).group(1))].append(_payload(payload)["content"])
        return {team: "\n".join(parts) for team, parts in made.items()}

    def charts_sent(self) -> tuple[int, int]:
        """Chart images the last tick queued, and their payloads' bytes."""
        with self.engine.connect() as connection:
            return tuple(
                connection.execute(
                    text(  # type: ignore[return-value]
                        f"SELECT count(*), coalesce(sum(octet_length(payload::text)), 0) FROM outbox_message "
                        f"WHERE key LIKE '{digests.DAILY}:%' AND payload::text LIKE '%\"base64\"%'"
                    )
                ).one()
            )

    def all_teams(self) -> list[teams.Team]:
        with self.store.transaction() as session:
            return [t for t in ALL_TEAMS(session) if t.reps]


def _payload(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Tick:
    seconds: float
    summary: str
    drawing: float  # of which drawing charts


@contextmanager
def _variant(*, charts: bool, only: set[int] | None, per_rep: bool, drawing: list[float]) -> Iterator[None]:
    """Run the real job in a variant, by swapping module attributes it looks up (the files are untouched;
    restored on exit): each chart drawn is timed into `drawing`, and without `charts` no CJK font is found (how
    the product runs without one); with `only`, scrm.teams.all_teams returns those teams alone; with `per_rep`,
    scrm.kpis.by_rep is THE NAIVE per-rep ORM loop (`naive_by_rep`)."""
    restore: list[tuple[Any, str, Any]] = []

    def swap(owner: Any, name: str, value: Any) -> None:
        restore.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    try:
        from jobs import charts as chart_module
    except ImportError:  # a product without charts
        chart_module = None
    if chart_module is not None:
        draw = chart_module.month_trend

        def timed(*args: Any, **kwargs: Any) -> bytes | None:
            started = time.perf_counter()
            try:
                return draw(*args, **kwargs)
            finally:
                drawing.append(time.perf_counter() - started)

        swap(chart_module, "month_trend", timed)
        if not charts:
            swap(chart_module, "cjk_font", lambda: None)
    if only is not None:
        swap(teams, "all_teams", lambda session: [t for t in ALL_TEAMS(session) if t.department.id in only])
    if per_rep:
        swap(kpis, "by_rep", naive_by_rep)
    try:
        yield
    finally:
        for owner, name, value in reversed(restore):
            setattr(owner, name, value)


ALL_TEAMS, GROUPED_BY_REP = teams.all_teams, kpis.by_rep  # the product's own, whatever a variant swaps in


# --- the baseline: the straightforward per-rep ORM loop ------------------------------------------------------
def naive_figures(
    session: Session, userid: str, period: Period, *, now: datetime, tz: ZoneInfo, parts: Collection[str] = kpis.PARTS
) -> Figures:
    """THE NAIVE APPROACH, the baseline: one rep's figures for a period, from their rows loaded as ORM objects
    (a query per kind of row, and one per new customer for the first response), counted in Python. Only the
    `parts` asked for, as kpis.by_rep, so both do the same work."""
    f = Figures()
    start, end = period.start, period.end
    if "deals" in parts:
        for deal in session.exec(
            select(Deal).where(Deal.userid == userid, col(Deal.closed_at) >= start, col(Deal.closed_at) < end)
        ):
            if deal.status == "won":
                f.won += 1
                f.won_amount += deal.amount or Decimal(0)
            elif deal.status == "lost":
                f.lost += 1
    if "logged" in parts or "active_days" in parts:
        days = set()
        for entry in session.exec(
            select(Interaction).where(
                Interaction.userid == userid,
                Interaction.kind == "follow_up",
                col(Interaction.at) >= start,
                col(Interaction.at) < end,
            )
        ):
            if "logged" in parts:
                f.logged += 1
                channel = entry.channel or scrm_texts.NO_CHANNEL
                f.by_channel[channel] = f.by_channel.get(channel, 0) + 1
            days.add(entry.at.astimezone(tz).date())
        f.active_days = len(days) if "active_days" in parts else 0
    if "due" in parts:
        for item in session.exec(
            select(FollowUp).where(
                FollowUp.userid == userid, col(FollowUp.due_at) >= start, col(FollowUp.due_at) < min(end, now)
            )
        ):
            if item.status == "open":
                f.due, f.still_open = f.due + 1, f.still_open + 1
            elif item.status == "done":
                f.due += 1
                if item.done_at is not None and item.done_at <= item.due_at + kpis.ON_TIME_GRACE:
                    f.on_time += 1
                else:
                    f.late += 1
    if "new_customers" in parts or "response" in parts:
        for link in session.exec(
            select(CustomerRep).where(
                CustomerRep.userid == userid, col(CustomerRep.added_at) >= start, col(CustomerRep.added_at) < end
            )
        ):
            f.new_customers += "new_customers" in parts
            if "response" not in parts:
                continue
            first = session.exec(
                select(Interaction)
                .where(
                    Interaction.userid == userid,
                    Interaction.external_userid == link.external_userid,
                    Interaction.kind == "follow_up",
                    col(Interaction.at) >= link.added_at,
                )
                .order_by(col(Interaction.at))
                .limit(1)
            ).first()
            if first is not None:
                f.response_minutes.append((first.at - link.added_at).total_seconds() / 60)
    if "overdue_now" in parts:
        f.overdue_now = len(
            session.exec(
                select(FollowUp).where(FollowUp.userid == userid, FollowUp.status == "open", col(FollowUp.due_at) < now)
            ).all()
        )
    return f


def naive_by_rep(
    session: Session,
    userids: list[str],
    period: Period,
    *,
    now: datetime,
    tz: ZoneInfo,
    parts: Collection[str] = kpis.PARTS,
) -> dict[str, Figures]:
    """THE NAIVE APPROACH in kpis.by_rep's place: rep after rep, `naive_figures`."""
    return {userid: naive_figures(session, userid, period, now=now, tz=tz, parts=parts) for userid in userids}


def compare_figures(bench: Bench, chosen: list[teams.Team]) -> tuple[int, list[str]]:
    """Every rep of the chosen teams: by_rep's figures against the naive loop's, for today and the month.
    Returns the reps compared and the differences found."""
    run, checked, differences = bench.run(), 0, []
    for team in chosen:
        ids = [m.userid for m in team.reps]
        with Session(bench.engine) as session:
            for period in (Period.day_of(run.now, TZ), Period.month_of(run.now, TZ)):
                grouped = GROUPED_BY_REP(session, ids, period, now=run.now, tz=TZ)
                for userid in ids:
                    ours, naive = (
                        _comparable(grouped[userid]),
                        _comparable(naive_figures(session, userid, period, now=run.now, tz=TZ)),
                    )
                    checked += 1
                    if ours != naive:
                        fields_ = [k for k in ours if ours[k] != naive[k]]
                        differences.append(
                            f"{userid} {period.label}: "
                            + ", ".join(f"{k} by_rep {ours[k]!r} naive {naive[k]!r}" for k in fields_)
                        )
    return checked, differences


def _comparable(f: Figures) -> dict[str, Any]:
    values = {x.name: getattr(f, x.name) for x in fields(f)}
    values["response_minutes"] = sorted(round(m, 6) for m in f.response_minutes)
    return values


# --- a manager's 业绩 ------------------------------------------------------------------------------------------
def manager_numbers(bench: Bench, n: int) -> tuple[float, str]:
    """`业绩` from the 50-rep team's manager through the router (parse, guards, show_numbers, the reply queued),
    rolled back: seconds and the reply."""
    router = build_router()
    with Session(bench.engine) as session:
        started = time.perf_counter()
        ctx = Context(
            session,
            Outbox(session, NOW.astimezone(UTC)),
            cast(Any, None),
            NOW.astimezone(UTC),
            HandlerSettings(agent_id=1000002),
        )
        router.run(Kind.TEXT, TextReceived(MANAGER, "业绩", f"bench-{n}", 1000002, NOW.astimezone(UTC)), ctx)
        elapsed = time.perf_counter() - started
        reply = session.execute(
            text("SELECT payload FROM outbox_message WHERE key = :key"), {"key": f"reply:bench-{n}"}
        ).scalar_one()
        session.rollback()
    return elapsed, _payload(reply)["text"]


def by_rep_50(bench: Bench) -> float:
    """kpis.by_rep over the 50 reps for the month, alone: seconds."""
    with Session(bench.engine) as session:
        reps = [m.userid for t in ALL_TEAMS(session) if t.department.id == BIG_TEAM for m in t.reps]
        started = time.perf_counter()
        kpis.by_rep(session, reps, Period.month_of(NOW, TZ), now=NOW.astimezone(UTC), tz=TZ)
        return time.perf_counter() - started


def members_of_team(bench: Bench) -> float:
    """scrm.members.in_departments for the 50-rep team, alone (the 业绩 path asks it who the manager leads):
    seconds."""
    with Session(bench.engine) as session:
        started = time.perf_counter()
        members.in_departments(session, [BIG_TEAM])
        return time.perf_counter() - started


def numbers_timings(bench: Bench, repeat: int) -> tuple[list[float], list[float], list[float]]:
    """业绩 through the router, by_rep alone and in_departments alone, `repeat` times each, warm."""
    manager_numbers(bench, 0)  # warm: the router, the parser, the compiled statements
    by_rep_50(bench)
    command, alone, team = [], [], []
    for n in range(1, repeat + 1):
        command.append(manager_numbers(bench, n)[0])
        alone.append(by_rep_50(bench))
        team.append(members_of_team(bench))
    return command, alone, team


# --- where the time goes -------------------------------------------------------------------------------------
LABELS = [  # (pattern in the SQL, what it is), the first match wins
    (r"\bjob_tick\b", "Runner: the tick's row"),
    (r"FROM stage_change", "digests._moves"),
    (r"min\(interaction\.at\)", "by_rep: first response (a subquery per new customer)"),
    (r"interaction\.channel", "by_rep: logged, by channel"),
    (r"count\(DISTINCT", "by_rep: active days"),
    (r"FROM deal\b.*GROUP BY deal\.userid, date\(", "kpis.by_rep_and_day (the chart's data)"),
    (r"FROM deal\b", "by_rep: won and lost"),
    (r"FROM anomaly_alert", "digests: the day's anomaly alerts"),
    (r"FROM customer_rep", "by_rep: new customers"),
    (r"follow_up\.done_at|julianday", "by_rep: follow-ups due in the period"),
    (r"FROM follow_up", "by_rep: overdue now"),
    (r"FROM target", "targets.for_teams"),
    (r"FROM job_ledger", "ledger.claimed"),
    (r"INTO job_ledger", "ledger.claim, claim_many"),
    (r"INTO outbox_message", "Outbox.add_many"),
    (r"FROM (member|department|team_chat)\b", "teams.all_teams"),
    (r"FROM customer\b", "digests._moves: customers"),
]


def label(statement: str) -> str:
    sql = " ".join(statement.split())
    return next((what for pattern, what in LABELS if re.search(pattern, sql)), sql[:40])


def server_replay(bench: Bench, executed: list[Executed]) -> dict[str, dict[str, Any]]:
    """The tick's SELECTs run again under EXPLAIN (ANALYZE, FORMAT JSON), read-only: by label, the server's
    seconds (planning + execution), the scans and indexes read, and the slowest instance's statement."""
    found: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"seconds": 0.0, "count": 0, "scans": Counter(), "slowest": (0.0, None)}
    )
    with bench.engine.connect() as connection:
        for e in executed:
            if not e.statement.lstrip().upper().startswith("SELECT") or "FOR UPDATE" in e.statement:
                continue
            plan = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {e.statement}", e.parameters).scalar()
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
            seconds = (plan["Planning Time"] + plan["Execution Time"]) / 1000
            entry = found[label(e.statement)]
            entry["seconds"] += seconds
            entry["count"] += 1
            entry["scans"].update(_scans(plan["Plan"]))
            if seconds > entry["slowest"][0]:
                entry["slowest"] = (seconds, e)
        connection.rollback()
    return dict(found)


def _scans(node: dict[str, Any]) -> Iterator[str]:
    """`Index Scan using ix on table`, `Seq Scan on table`: each scan node of a JSON plan."""
    if "Relation Name" in node or "Index Name" in node:
        using = f" using {node['Index Name']}" if "Index Name" in node else ""
        yield f"{node['Node Type']}{using}" + (f" on {node['Relation Name']}" if "Relation Name" in node else "")
    for child in node.get("Plans", []):
        yield from _scans(child)


def explain(bench: Bench, executed: Executed) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement; long array literals are cut short."""
    with bench.engine.connect() as connection:
        plan = (
            connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {executed.statement}", executed.parameters)
            .scalars()
            .all()
        )
        connection.rollback()
    return [re.sub(r"'\{[^}]{60,}\}'", "'{…}'", line) for line in plan]


def breakdown(bench: Bench, *, plans: int = 0) -> tuple[float, list[Executed], dict[str, dict[str, Any]]]:
    """One recorded tick, its statements replayed in the server, a table by label; with `plans`, the plans of
    the `plans` heaviest labels' slowest statements."""
    elapsed, executed = bench.recorded_tick()
    server = server_replay(bench, executed)
    driver: dict[str, list[float]] = defaultdict(list)
    for e in executed:
        driver[label(e.statement)].append(e.seconds)
    print(
        f"\none recorded tick: {elapsed:.2f} s, {len(executed):,} statements; by kind of statement, the driver's "
        "seconds (round trip included) and the server's (the SELECTs replayed under EXPLAIN ANALYZE):"
    )
    print("| statement | count | driver s | server s | what it read (scans in the replay) |\n|---|---|---|---|---|")
    for what, seconds in sorted(driver.items(), key=lambda pair: -sum(pair[1])):
        s = server.get(what)
        scans = "; ".join(f"{scan} ×{n}" for scan, n in s["scans"].most_common(4)) if s else "—"
        print(
            f"| {what} | {len(seconds):,} | {sum(seconds):.2f} | {s['seconds']:.2f} | {scans} |"
            if s
            else f"| {what} | {len(seconds):,} | {sum(seconds):.2f} | — | — |"
        )
    in_driver = sum(e.seconds for e in executed)
    print(
        f"| all statements | {len(executed):,} | {in_driver:.2f} | {sum(s['seconds'] for s in server.values()):.2f} "
        f"| |\n| Python outside statements (ORM, SQL compilation, texts, commits) | | "
        f"{elapsed - in_driver:.2f} | | |"
    )
    heaviest = sorted(server.items(), key=lambda pair: -pair[1]["seconds"])[:plans]
    for what, s in heaviest:
        seconds, statement = s["slowest"]
        print(
            f"\nEXPLAIN (ANALYZE, BUFFERS) of the slowest `{what}` ({seconds * 1000:.1f} ms in the replay; "
            f"{s['count']:,} a tick, {s['seconds']:.2f} s in all):"
        )
        print("\n".join(f"    {line}" for line in explain(bench, statement)))
    return elapsed, executed, server


# --- peak memory, in a fresh process -------------------------------------------------------------------------
MEMORY_CHILD = """
import json, resource, sys, time
from datetime import datetime
from jobs import digests
from jobs.table import JobSettings
from jobs.runner import Runner
from scrm.clock import FrozenClock
from scrm.db import Store, make_engine

url, schema, drawn, now = sys.argv[1], sys.argv[2], sys.argv[3] == "charts", datetime.fromisoformat(sys.argv[4])
if not drawn:
    try:
        from jobs import charts
        charts.cjk_font = lambda: None  # as on a machine without a CJK font
    except ImportError:
        pass
store = Store(make_engine(url, schema=schema))
store.ping()


def peak_mb() -> float:  # this process's own peak RSS (see peak_memory)
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


before = peak_mb()
started = time.perf_counter()
result = Runner(store, JobSettings(), FrozenClock(now)).run(digests.DAILY, now)
seconds = time.perf_counter() - started
print(json.dumps({"before_mb": before, "peak_mb": peak_mb(), "seconds": seconds, "status": result.status,
                  "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def peak_memory(bench: Bench, *, charts: bool) -> dict[str, Any]:
    """Peak RSS of a fresh process that imports what the scheduler imports, connects and runs one tick
    (MEMORY_CHILD): the generator's and the bench's memory do not count. The peak is VmHWM from /proc, not
    ru_maxrss: Linux carries the parent's high-water mark into an exec'd child's ru_maxrss (the forked copy's),
    so a child of this bench would report the bench's own RSS."""
    bench.reset()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            MEMORY_CHILD,
            POSTGRES_URL,
            bench.schema,
            "charts" if charts else "none",
            NOW.isoformat(),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the memory child failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != "done":
        raise RuntimeError(f"the memory child's tick: {result['status']}")
    return result


# --- the run -------------------------------------------------------------------------------------------------
@dataclass
class Measured:
    """One index set's figures, in seconds."""

    what: str
    ticks: list[float] = field(default_factory=list)  # the job, without charts (as without a CJK font)
    chart_ticks: list[float] = field(default_factory=list)  # the job with charts, as it runs here
    drawing: list[float] = field(default_factory=list)  # of each chart tick, the seconds spent drawing charts
    sample: list[float] = field(default_factory=list)  # the job on the sampled teams only
    naive_sample: list[float] = field(default_factory=list)  # the same with the naive per-rep loop
    naive_full: float | None = None  # the job on all teams with the naive per-rep loop, when it was run
    numbers: list[float] = field(default_factory=list)  # 业绩 through the router
    by_rep_50: list[float] = field(default_factory=list)  # by_rep alone over the 50 reps, the month
    in_departments: list[float] = field(default_factory=list)  # members.in_departments alone, the 50-rep team

    @property
    def tick(self) -> float:
        return statistics.median(self.ticks)

    def naive(self, scale: float) -> float:
        """The naive loop over all teams: measured when it was, else the sample's median extrapolated by reps."""
        return self.naive_full if self.naive_full is not None else statistics.median(self.naive_sample) * scale

    def ratio(self, scale: float) -> float:
        return self.naive(scale) / self.tick


def measure(
    bench: Bench, what: str, sample: set[int], scale: float, args: argparse.Namespace, *, charts: bool, full_naive: bool
) -> Measured:
    """The tick without charts (args.repeat times, fewer when a tick is long: args.tick_budget), interleaved
    with the job on the sample, grouped and naive; ticks with charts when `charts`; the naive job on all teams
    when `full_naive` and the sample estimates it within args.baseline_budget; by_rep for all reps at once;
    业绩."""
    m = Measured(what)
    m.ticks.append(bench.tick(charts=False).seconds)
    ticks = min(args.repeat, max(2, int(args.tick_budget // m.ticks[0])))
    for n in range(max(ticks - 1, args.naive_repeat)):
        if n < ticks - 1:
            m.ticks.append(bench.tick(charts=False).seconds)
        if n < args.naive_repeat:
            m.sample.append(bench.tick(charts=False, only=sample).seconds)
            m.naive_sample.append(bench.tick(charts=False, only=sample, per_rep=True).seconds)
    for _ in range(args.chart_repeat if charts else 0):
        tick = bench.tick(charts=True)
        m.chart_ticks.append(tick.seconds)
        m.drawing.append(tick.drawing)
    estimate = statistics.median(m.naive_sample) * scale
    if full_naive and estimate <= args.baseline_budget and scale > 1:
        m.naive_full = bench.tick(charts=False, per_rep=True).seconds
    m.numbers, m.by_rep_50, m.in_departments = numbers_timings(bench, args.numbers_repeat)
    naive = (
        f"{m.naive_full:.1f} s, run on all teams (the sample extrapolated: {estimate:.1f} s)"
        if m.naive_full is not None
        else f"{estimate:.1f} s, extrapolated from the sample"
    )
    drawn = (
        f"; with charts {_spread(m.chart_ticks)} s, of which drawing {_spread(m.drawing)} s" if m.chart_ticks else ""
    )
    print(
        f"\n[{what}]\n  the job, all teams, without charts: {_spread(m.ticks)} s ({len(m.ticks)} ticks){drawn}"
        f"\n  the job on the sample: {_spread(m.sample)} s; with the naive per-rep loop: {_spread(m.naive_sample)} s "
        f"({statistics.median(m.naive_sample) / statistics.median(m.sample):.1f}×)"
        f"\n  the naive per-rep loop, all teams: {naive}; ratio to the job: {m.ratio(scale):.1f}×"
        f"\n  业绩 of a manager of 50 reps: {_spread(m.numbers, 1000)} ms; of which by_rep alone, the month: "
        f"{_spread(m.by_rep_50, 1000)} ms; members.in_departments alone: {_spread(m.in_departments, 1000)} ms",
        flush=True,
    )
    return m


def _spread(values: list[float], unit: float = 1.0) -> str:
    digits = 1 if unit > 1 else 2
    return (
        f"{statistics.median(values) * unit:.{digits}f} ({min(values) * unit:.{digits}f}–"
        f"{max(values) * unit:.{digits}f})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed ticks without charts per index set (default 5)")
    parser.add_argument(
        "--tick-budget",
        type=float,
        default=600.0,
        help="fewer ticks (at least 2) when --repeat of them would take longer (default 600 s)",
    )
    parser.add_argument(
        "--chart-repeat", type=int, default=2, help="timed ticks with charts, last index set (default 2)"
    )
    parser.add_argument(
        "--naive-repeat",
        type=int,
        default=3,
        help="timed runs on the sample, grouped and naive, per index set (default 3)",
    )
    parser.add_argument("--numbers-repeat", type=int, default=21, help="timed 业绩 per index set (default 21)")
    parser.add_argument(
        "--baseline-teams", type=int, default=50, help="teams in the sample, spread evenly (default 50 of 500)"
    )
    parser.add_argument(
        "--baseline-budget",
        type=float,
        default=300.0,
        help="also run the naive loop on all teams when the sample estimates it under this many seconds (default 300)",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="the company's size, 1.0 = 10,000 reps (default)")
    args = parser.parse_args(argv)
    reason = reachable(POSTGRES_URL)
    if reason:
        print(f"bench.digests needs PostgreSQL at {POSTGRES_URL} (or SCRM_BENCH_POSTGRES_URL): {reason}")
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the schema is dropped on `kill` too
    print(describe_machine())
    company = Company() if args.scale == 1.0 else Company.scaled(args.scale)
    with postgres_database() as database:
        engine = make_engine(database.url, schema=database.schema)
        try:
            started = time.perf_counter()
            print(f"generating in schema {database.schema}: {company}", flush=True)
            counts = generate(engine, company, say=lambda line: print(line, flush=True))
            print(
                f"generated in {time.perf_counter() - started:.0f} s: "
                + ", ".join(f"{table} {n:,}" for table, n in counts.items())
            )
            return report(Bench(engine, schema=cast(str, database.schema)), args)
        finally:
            engine.dispose()


def report(bench: Bench, args: argparse.Namespace) -> int:
    profile = data_profile(bench.engine)
    print(f"at {NOW:%Y-%m-%d %H:%M} Asia/Shanghai: " + ", ".join(f"{what} {n:,}" for what, n in profile.items()))
    all_teams = bench.all_teams()
    step = max(1, len(all_teams) // args.baseline_teams)
    chosen = [t for t in all_teams[1::step] if t.department.id != BIG_TEAM][: args.baseline_teams]
    sample = {t.department.id for t in chosen}
    sample_reps = sum(len(t.reps) for t in chosen)
    scale = sum(len(t.reps) for t in all_teams) / sample_reps
    print(
        f"{len(all_teams)} teams, {sum(len(t.reps) for t in all_teams):,} reps; the sample: {len(chosen)} teams "
        f"(every {step}th from the 2nd), {sample_reps} reps: the naive loop on all teams is the sample's time "
        f"×{scale:.2f} (by reps) unless it is run"
    )

    warm = bench.tick(charts=False)  # warms the caches; its texts are checked against the naive loop's
    sent = bench.sent_texts()
    print(f"\nwarm-up tick without charts: {warm.seconds:.2f} s, {warm.summary}")
    bench.tick(charts=False, only=sample, per_rep=True)
    naive_texts = bench.sent_texts()
    same = sum(sent.get(d) == t for d, t in naive_texts.items())
    print(
        f"check: with the naive per-rep loop, the job's text is the same for {same} of {len(naive_texts)} sampled teams"
    )
    for d, t in naive_texts.items():
        if sent.get(d) != t:
            print(f"  team {d} differs:\n  grouped: {sent.get(d)!r}\n  naive:   {t!r}")
            break
    checked, differences = compare_figures(bench, chosen[:10])
    print(
        f"check: by_rep against the naive figures, {checked} rep-periods (10 teams, today and the month): "
        f"{len(differences)} differ" + "".join(f"\n  {d}" for d in differences[:5])
    )
    print(
        f"an example digest (team {chosen[0].department.id}):\n"
        + "\n".join(f"    {line}" for line in sent[chosen[0].department.id].splitlines())
    )
    _, reply = manager_numbers(bench, 999)
    print(f"业绩 of {MANAGER} (team {BIG_TEAM}, 50 reps):\n" + "\n".join(f"    {line}" for line in reply.splitlines()))

    print(f"\nmedians (min–max); {args.naive_repeat} runs on the sample, {args.numbers_repeat} 业绩")
    final = measure(bench, "as migrated", sample, scale, args, charts=True, full_naive=True)
    breakdown(bench, plans=7)
    memory = {charts: peak_memory(bench, charts=charts) for charts in (False, True)}
    for charts, r in memory.items():
        print(
            f"peak RSS (VmHWM) of a fresh process running one tick {'with' if charts else 'without'} charts: "
            f"{r['peak_mb']:.0f} MB ({r['before_mb']:.0f} MB after its imports and connecting; "
            f"the tick {r['seconds']:.2f} s)"
        )

    print(
        f"\nsummary, medians; ratio = the naive per-rep loop over all {len(all_teams)} teams (run, or extrapolated "
        "from the sample) ÷ the job's tick, both without charts"
    )
    print(
        "| tick s | naive loop s | ratio | with charts s (drawing s) | 业绩, 50 reps, ms | by_rep alone ms "
        "| in_departments ms |\n|---|---|---|---|---|---|---|"
    )
    print(
        f"| {_spread(final.ticks)} | {final.naive(scale):.1f}{'' if final.naive_full is not None else ' (est.)'} "
        f"| {final.ratio(scale):.1f}× | {_spread(final.chart_ticks)} ({_spread(final.drawing)}) "
        f"| {_spread(final.numbers, 1000)} | {_spread(final.by_rep_50, 1000)} | {_spread(final.in_departments, 1000)} |"
    )
    numbers = statistics.median(final.numbers) * 1000
    print(
        f"\nGoals:\n"
        f"- every team's digest under {DIGEST_GOAL_S:.0f} s: {_verdict(final.tick < DIGEST_GOAL_S)} "
        f"({final.tick:.2f} s without charts; {statistics.median(final.chart_ticks):.2f} s with them)"
        f"\n- at least {RATIO_GOAL:.0f}× the per-rep ORM loop: {_verdict(final.ratio(scale) >= RATIO_GOAL)} "
        f"({final.ratio(scale):.1f}×)\n"
        f"- 业绩 for a manager of 50 reps under {NUMBERS_GOAL_MS:.0f} ms: {_verdict(numbers < NUMBERS_GOAL_MS)} "
        f"({numbers:.1f} ms)"
    )
    print(
        f"- peak memory under {MEMORY_GOAL_MB:.0f} MB: without charts "
        f"{_verdict(memory[False]['peak_mb'] < MEMORY_GOAL_MB)} ({memory[False]['peak_mb']:.0f} MB), with charts "
        f"{_verdict(memory[True]['peak_mb'] < MEMORY_GOAL_MB)} ({memory[True]['peak_mb']:.0f} MB)"
    )
    return 0 if same == len(naive_texts) and not differences else 1


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


if __name__ == "__main__":
    sys.exit(main())
