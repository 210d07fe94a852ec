"""On SQLite, callbacks land in a file of their own beside the database (`scrm.db-spool`).

SQLite has one write lock a file. When callbacks were stored in the database itself, every ack waited for the
lock that the dispatcher's handlers hold, and under a backlog acks queued behind processing (seconds, when
the processing process was also the one the CPU scheduler put last). Now ingest appends each delivery to the
spool, and nothing else writes there while callbacks arrive: the dispatcher copies spooled deliveries into
the inbox (whose dedup key makes a redelivery a counted no-op, as before) and records how far it got in the
same transaction (a checkpoint in the database), so each moves exactly once; it prunes what it has moved
only when it has caught up. Ids only grow (AUTOINCREMENT), so a callback can
never land behind the checkpoint. PostgreSQL has no such lock: there ingest writes the inbox itself.

The spool is a buffer, not a store: its one table is made by this module (`CREATE TABLE IF NOT EXISTS`), not
by the database's migrations.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)

from scrm import inbox
from scrm.db import READ_ONLY, OneStatement, Store, bound, make_engine
from scrm.models import InboxEvent, SyncCheckpoint

MOVE_BATCH = 500
CHECKPOINT = "spool"  # SyncCheckpoint row: {"spool": its identity, "moved_through": the last id copied in}
_METADATA = MetaData()
SPOOLED = Table(
    "spooled", _METADATA,
    Column("id", Integer, primary_key=True),  # AUTOINCREMENT: never reused, so never behind the checkpoint
    Column("dedup_key", String(inbox.MAX_KEY), nullable=False),  # not unique: a redelivery is a row, the inbox dedups
    Column("kind", String(inbox.MAX_KIND), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", InboxEvent.__table__.c.received_at.type, nullable=False),  # type: ignore[attr-defined]
    Column("status", String(16), nullable=False),
    Column("last_error", Text),
    sqlite_autoincrement=True,
)
IDENTITY = Table("spool_identity", _METADATA, Column("id", String(32), primary_key=True))  # one row


class Spool:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = engine.execution_options(**{READ_ONLY: True})
        self._append = OneStatement(engine, insert(SPOOLED).values(bound(SPOOLED, [c.name for c in SPOOLED.c
                                                                                   if c.name != "id"])))
        _METADATA.create_all(engine)
        with engine.begin() as connection:  # a spool file made anew (deleted, restored) starts its ids at 1 again:
            # the checkpoint names the spool it counts in, so a new one is read from its start
            connection.execute(insert(IDENTITY).from_select(
                ["id"], select(literal(secrets.token_hex(16))).where(~exists(select(IDENTITY.c.id)))))

    @classmethod
    def beside(cls, store: Store) -> Spool | None:
        """The spool of a SQLite file database; None for PostgreSQL (and SQLite in memory)."""
        url = store.engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return cls(make_engine(f"sqlite:///{url.database}-spool"))

    def add(self, *, dedup_key: str, kind: str, payload: dict[str, Any], now: datetime, status: str = "pending",
            error: str | None = None) -> bool:
        """Keep a delivery until the dispatcher moves it (a repeated one too: the inbox counts it). Whether it is
        new only the inbox will tell, so always True: the dispatcher is woken to take it in. Raises NotStored."""
        self._append.run(inbox.received(dedup_key=dedup_key, kind=kind, payload=payload, now=now, status=status,
                                        error=error))
        return True

    def move_into(self, store: Store, now: datetime, limit: int = MOVE_BATCH) -> int:
        """Copy the next spooled callbacks into the inbox, checkpoint included; returns how many. When there are
        none, prune what was moved before (only then: pruning writes here, and callbacks would wait for it)."""
        with store.transaction() as session:
            checkpoint = session.get(SyncCheckpoint, CHECKPOINT)
            with self._reader.connect() as connection:  # identity and rows read from one snapshot of the file
                identity, moved_through = _position(connection, checkpoint.state if checkpoint else {})
                rows = connection.execute(select(SPOOLED).where(SPOOLED.c.id > moved_through)
                                          .order_by(SPOOLED.c.id).limit(limit)).all()
                first = connection.execute(select(func.min(SPOOLED.c.id))).scalar()
            for row in rows:
                inbox.add(session, dedup_key=row.dedup_key, kind=row.kind, payload=row.payload, now=row.received_at,
                          status=row.status, error=row.last_error)
            if rows:
                session.merge(SyncCheckpoint(name=CHECKPOINT, state={"spool": identity, "moved_through": rows[-1].id},
                                             updated_at=now))
        if not rows and first is not None and first <= moved_through:  # moved rows left: prune (not every poll)
            with self.engine.begin() as connection:
                if connection.execute(select(IDENTITY.c.id)).scalar_one() == identity:  # still the same file
                    connection.execute(delete(SPOOLED).where(SPOOLED.c.id <= moved_through))
        return len(rows)

    def waiting(self, store: Store) -> tuple[int, datetime | None]:
        """How many callbacks wait to be moved, and when the oldest arrived."""
        with store.read() as session:
            checkpoint = session.get(SyncCheckpoint, CHECKPOINT)
            state = dict(checkpoint.state) if checkpoint else {}
        with self._reader.connect() as connection:
            _, moved_through = _position(connection, state)
            return tuple(connection.execute(select(func.count(), func.min(SPOOLED.c.received_at))
                                            .where(SPOOLED.c.id > moved_through)).one())


def _position(connection, state: dict) -> tuple[str, int]:
    """This spool file's identity, and the last id moved from it (0 for a file the checkpoint does not know)."""
    identity = connection.execute(select(IDENTITY.c.id)).scalar_one()
    return identity, state["moved_through"] if state.get("spool") == identity else 0
