"""Retention: finished history that is old enough goes, one small batch per call (the `prune` job).

Each function deletes at most `limit` rows in the caller's transaction and returns how many, so the caller
commits after each batch and no lock (SQLite's write lock, PostgreSQL's row locks) is held for long. Each
finds its rows through an index (migration 0011), never by scanning the table. What is still in a queue
(pending, processing, failed) and dead rows (what operators triage and replay) are never touched here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from scrm.models import InboxEvent, JobLedger, JobTick, OutboxMessage
from scrm.statuses import QueueStatus

INBOX_FINISHED = (QueueStatus.DONE,)
OUTBOX_FINISHED = (QueueStatus.SENT, QueueStatus.EXPIRED)


def finished_inbox(session: Session, *, before: datetime, limit: int) -> int:
    """Inbox rows handled (`done`) before `before` (index ix_inbox_event_done)."""
    ids = select(InboxEvent.id).where(col(InboxEvent.status).in_(INBOX_FINISHED), col(InboxEvent.done_at) < before)
    return _delete(session, InboxEvent, InboxEvent.id, ids, limit)


def finished_outbox(session: Session, *, before: datetime, limit: int) -> int:
    """Outbox rows sent or expired, created before `before` (index ix_outbox_message_closed)."""
    ids = select(OutboxMessage.id).where(
        col(OutboxMessage.status).in_(OUTBOX_FINISHED), col(OutboxMessage.created_at) < before
    )
    return _delete(session, OutboxMessage, OutboxMessage.id, ids, limit)


def latest_ticks(session: Session) -> dict[str, datetime]:
    """Each job's latest tick (catch-up counts from it, so it is never pruned)."""
    return dict(session.exec(select(JobTick.job, func.max(JobTick.scheduled_for)).group_by(JobTick.job)).all())


def old_ticks(session: Session, *, job: str, before: datetime, limit: int) -> int:
    """The job's ticks scheduled before `before` (pass at most its latest tick's time; index (job, scheduled_for))."""
    ids = select(JobTick.id).where(JobTick.job == job, col(JobTick.scheduled_for) < before)
    return _delete(session, JobTick, JobTick.id, ids, limit)


def old_ledger_keys(session: Session, *, before: datetime, limit: int) -> int:
    """Ledger keys claimed before `before` (index ix_job_ledger_created_at)."""
    keys = select(JobLedger.key).where(col(JobLedger.created_at) < before)
    return _delete(session, JobLedger, JobLedger.key, keys, limit)


def _delete(session: Session, model, column, chosen, limit: int) -> int:
    """DELETE … WHERE column IN (the first `limit` chosen, skipping rows another pruner holds on PostgreSQL)."""
    batch = chosen.limit(limit).with_for_update(skip_locked=True)
    return session.exec(delete(model).where(col(column).in_(batch))).rowcount  # type: ignore[call-overload]
