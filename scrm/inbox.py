"""The durable inbox: every decrypted callback lands here once, before WeCom gets its 200."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, update
from sqlmodel import Session, col, select

from scrm import queue
from scrm.db import OneStatement, among, bound, dialect_insert, insert_ignore
from scrm.models import InboxEvent
from scrm.statuses import INBOX, QueueStatus

MAX_KEY = 255
MAX_KIND = 120
STATUSES = INBOX
UNREADABLE = "unreadable"  # the kind of a signed callback whose message could not be read (stored dead)


def add(
    session: Session | Connection,
    *,
    dedup_key: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    status: str = QueueStatus.PENDING,
    error: str | None = None,
    deliveries: int = 1,
) -> bool:
    """Store an event once in this transaction; a repeated delivery only bumps its counter. True when it was new."""
    values = _row(
        dedup_key=dedup_key, kind=kind, payload=payload, now=now, status=status, error=error, deliveries=deliveries
    )
    if insert_ignore(session, InboxEvent, values, key="dedup_key"):
        return True
    session.execute(
        update(InboxEvent)
        .where(col(InboxEvent.dedup_key) == values["dedup_key"])
        .values(deliveries=InboxEvent.deliveries + deliveries)
    )
    return False


class Intake:
    """Callback ingest's write: the row, or one more delivery of it, in one statement (`scrm.db.OneStatement`)."""

    COLUMNS = (
        "dedup_key",
        "kind",
        "payload",
        "received_at",
        "status",
        "last_error",
        "next_try_at",
        "attempts",
        "deliveries",
    )

    def __init__(self, engine: Engine) -> None:
        table = InboxEvent.__table__  # type: ignore[attr-defined]
        statement = dialect_insert(engine)(table).values(bound(table, self.COLUMNS))
        statement = statement.on_conflict_do_update(
            index_elements=["dedup_key"], set_={"deliveries": table.c.deliveries + statement.excluded.deliveries}
        )
        self._write = OneStatement(engine, statement.returning(table.c.deliveries))

    def add(
        self,
        *,
        dedup_key: str,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
        status: str = QueueStatus.PENDING,
        error: str | None = None,
    ) -> bool:
        """Store a delivery; True when it was new (a repeated one only counts: its row already says more than 1).
        Raises scrm.db.NotStored. A statement sent again on a new connection after its first had in fact been
        committed says False: the dispatcher then finds the row at its next poll instead of at once."""
        row = self._write.run(
            _row(dedup_key=dedup_key, kind=kind, payload=payload, now=now, status=status, error=error, deliveries=1)
        )
        return row is not None and row[0] == 1


def _row(*, deliveries: int, **received_fields: Any) -> dict[str, Any]:
    """A new inbox row's values: what the callback brought, ready to be taken now."""
    return {
        **received(**received_fields),
        "next_try_at": received_fields["now"],
        "attempts": 0,
        "deliveries": deliveries,
    }


def received(
    *, dedup_key: str, kind: str, payload: dict[str, Any], now: datetime, status: str, error: str | None
) -> dict[str, Any]:
    """What a callback's row holds, made to fit: a key too long is hashed, an absurd kind cut (never refused)."""
    if len(dedup_key) > MAX_KEY:
        dedup_key = "sha256:" + hashlib.sha256(dedup_key.encode()).hexdigest()
    return {
        "dedup_key": dedup_key,
        "kind": kind[:MAX_KIND],
        "payload": payload,
        "received_at": now,
        "status": status,
        "last_error": error,
    }


def known(session: Session, dedup_keys: list[str]) -> set[str]:
    """Which of these callbacks the inbox already has."""
    query = select(InboxEvent.dedup_key).where(among(session, InboxEvent.dedup_key, dedup_keys))
    return set(session.exec(query).all()) if dedup_keys else set()


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
