"""The durable inbox: every decrypted callback lands here once, before WeCom gets its 200."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, update
from sqlmodel import Session, col, select

from scrm import queue
from scrm.db import insert_ignore
from scrm.models import InboxEvent

MAX_KEY = 255
MAX_KIND = 120
# Every status a row takes: waiting (pending, failed: retried later), taken (processing), closed (done, dead).
STATUSES = ("pending", "processing", "done", "failed", "dead")
UNREADABLE = "unreadable"  # the kind of a signed callback whose message could not be read (stored dead)


def add(session: Session | Connection, *, dedup_key: str, kind: str, payload: dict[str, Any], now: datetime,
        status: str = "pending", error: str | None = None) -> bool:
    """Store an event once; a repeated delivery only bumps its counter. True when it was new.

    Takes a plain Connection too: ingest runs for every callback and needs no ORM session.
    """
    if len(dedup_key) > MAX_KEY:
        dedup_key = "sha256:" + hashlib.sha256(dedup_key.encode()).hexdigest()
    values = {
        "dedup_key": dedup_key,
        "kind": kind[:MAX_KIND],  # an absurd MsgType is still stored (and routed nowhere), never refused
        "payload": payload,
        "received_at": now,
        "next_try_at": now,
        "status": status,
        "last_error": error,
        "attempts": 0,
        "deliveries": 1,
    }
    if insert_ignore(session, InboxEvent, values, key="dedup_key"):
        return True
    session.execute(
        update(InboxEvent)
        .where(col(InboxEvent.dedup_key) == dedup_key)
        .values(deliveries=InboxEvent.deliveries + 1)
    )
    return False


def by_status(session: Session, statuses: tuple[str, ...], limit: int = 50) -> list[InboxEvent]:
    """Rows in these statuses, newest first."""
    query = select(InboxEvent).where(col(InboxEvent.status).in_(statuses))
    return list(session.exec(query.order_by(col(InboxEvent.id).desc()).limit(limit)).all())


def get(session: Session, event_id: int) -> InboxEvent | None:
    return session.get(InboxEvent, event_id)


def counts(session: Session) -> dict[str, int]:
    rows = session.exec(select(InboxEvent.status, func.count()).group_by(InboxEvent.status)).all()
    return dict(rows)


def replay(session: Session, event_id: int | None, *, now: datetime) -> int:
    return queue.replay(session, InboxEvent, event_id, now=now)
