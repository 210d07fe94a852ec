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
        status: str = "pending", error: str | None = None, deliveries: int = 1) -> bool:
    """Store an event once; a repeated delivery only bumps its counter. True when it was new.

    Takes a plain Connection too: ingest runs for every callback and needs no ORM session.
    """
    values = {**received(dedup_key=dedup_key, kind=kind, payload=payload, now=now, status=status, error=error),
              "next_try_at": now, "attempts": 0, "deliveries": deliveries}
    if insert_ignore(session, InboxEvent, values, key="dedup_key"):
        return True
    session.execute(
        update(InboxEvent)
        .where(col(InboxEvent.dedup_key) == values["dedup_key"])
        .values(deliveries=InboxEvent.deliveries + deliveries)
    )
    return False


def received(*, dedup_key: str, kind: str, payload: dict[str, Any], now: datetime, status: str,
             error: str | None) -> dict[str, Any]:
    """What a callback's row holds, made to fit: a key too long is hashed, an absurd kind cut (never refused)."""
    if len(dedup_key) > MAX_KEY:
        dedup_key = "sha256:" + hashlib.sha256(dedup_key.encode()).hexdigest()
    return {"dedup_key": dedup_key, "kind": kind[:MAX_KIND], "payload": payload, "received_at": now,
            "status": status, "last_error": error}


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
