"""The job ledger: what makes a scheduled job's work happen once, however many schedulers tick.

Two tables:
- `job_ledger` holds one row per unit of work (`reminder:followup-812:202612011500`, `escalation:…`). A job
  claims a unit with an INSERT that does nothing when the key exists, in the same transaction as the
  outbox rows the unit produces: either both are written, or neither is, and a second claimer gets False.
  On PostgreSQL a concurrent claimer waits for the first transaction and then sees the key; SQLite
  serialises writers.
- `job_tick` holds one row per scheduled run (job, fire time): running, done, failed or skipped. It is
  bookkeeping for catch-up and `scrm jobs list` (paused: an outage stopped it, tried again soon); a tick may be
  run again safely, since its units are claimed in the ledger.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam, func, literal_column, or_, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col, select

from scrm.db import dialect_insert, insert_ignore
from scrm.models import JobLedger, JobTick
from scrm.statuses import TickStatus


def claim(session: Session, key: str, *, job: str, now: datetime) -> bool:
    """Claim one unit of work; False when it was already done (by this or another process)."""
    return insert_ignore(session, JobLedger, {"key": key, "job": job, "created_at": now}, key="key")


def claim_many(session: Session, keys: list[str], *, job: str, now: datetime) -> set[str]:
    """Claim units in one statement; returns the keys this transaction claimed (the others were done)."""
    if not keys:
        return set()
    table = JobLedger.__table__  # type: ignore[attr-defined]
    new = select(
        func.unnest(bindparam("keys", list(dict.fromkeys(keys)), type_=ARRAY(table.c.key.type))),
        bindparam("job", job, type_=table.c.job.type),
        bindparam("now", now, type_=table.c.created_at.type),
    )
    if session.get_bind().dialect.name == "sqlite":  # no arrays: the keys as a JSON array
        new = (
            select(
                literal_column("value"),
                bindparam("job", job, type_=table.c.job.type),
                bindparam("now", now, type_=table.c.created_at.type),
            )
            .select_from(func.json_each(bindparam("keys", json.dumps(list(dict.fromkeys(keys))))))
            .where(true())  # SQLite's grammar needs a WHERE between a SELECT and ON CONFLICT
        )
    statement = dialect_insert(session)(table).from_select(["key", "job", "created_at"], new)
    return set(
        session.execute(statement.on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)).scalars()
    )


def claimed(session: Session, keys: list[str]) -> set[str]:
    """Which of these keys are in the ledger already (to skip work before claiming it)."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(session.exec(select(JobLedger.key).where(col(JobLedger.key).in_(chunk))).all())
    return found


def start_tick(session: Session, job: str, scheduled_for: datetime, *, runner: str, now: datetime) -> JobTick:
    """The tick's row, created or (a re-run, a take-over after a crash) set running again."""
    insert_ignore(
        session,
        JobTick,
        {
            "job": job,
            "scheduled_for": scheduled_for,
            "status": TickStatus.RUNNING,
            "attempts": 0,
            "started_at": now,
            "runner": runner,
            "summary": "",
        },
        key=("job", "scheduled_for"),
    )
    tick = session.exec(
        select(JobTick).where(JobTick.job == job, JobTick.scheduled_for == scheduled_for).with_for_update()
    ).one()
    tick.status, tick.started_at, tick.runner, tick.finished_at = TickStatus.RUNNING, now, runner, None
    tick.attempts += 1
    session.add(tick)
    session.flush()
    return tick


def finish_tick(session: Session, tick_id: int, *, status: TickStatus, summary: str, now: datetime) -> None:
    """Close a tick; a paused one (an outage) gives its attempt back."""
    spent = JobTick.attempts - (1 if status == TickStatus.PAUSED else 0)
    session.exec(
        update(JobTick)
        .where(col(JobTick.id) == tick_id)
        .values(status=status, summary=summary[:2000], finished_at=now, attempts=spent)
    )


def skip_ticks(session: Session, job: str, fire_times: list[datetime], *, reason: str, now: datetime) -> None:
    """Record missed ticks as skipped (older than the grace): one row each, so they are not run later."""
    for at in fire_times:
        insert_ignore(
            session,
            JobTick,
            {
                "job": job,
                "scheduled_for": at,
                "status": TickStatus.SKIPPED,
                "attempts": 0,
                "started_at": now,
                "finished_at": now,
                "runner": "",
                "summary": reason,
            },
            key=("job", "scheduled_for"),
        )


def last_tick(session: Session, job: str, *, until: datetime) -> JobTick | None:
    """The job's latest tick at or before `until`. A tick run by hand ahead of its time (`scrm jobs run --at`
    a later moment) does not count: when its time comes, it runs for real."""
    query = select(JobTick).where(
        JobTick.job == job,
        col(JobTick.scheduled_for) <= until,
        or_(col(JobTick.finished_at).is_(None), col(JobTick.finished_at) >= col(JobTick.scheduled_for)),
    )
    return session.exec(query.order_by(col(JobTick.scheduled_for).desc()).limit(1)).first()


def skipped_since(session: Session, job: str, since: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(JobTick)
        .where(JobTick.job == job, JobTick.status == TickStatus.SKIPPED, col(JobTick.scheduled_for) >= since)
    ).one()
