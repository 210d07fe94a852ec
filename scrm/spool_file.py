"""The spool file as one process holds it (scrm/spool.py says why): its tables, the checks that it is still the
file at the path, and the steps of a recovery (set a damaged one aside, make one anew, one process at a time)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
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
from sqlalchemy.exc import SQLAlchemyError

from scrm import inbox
from scrm.db import READ_ONLY, OneStatement, bound, make_engine
from scrm.models import InboxEvent

HEADER = b"SQLite format 3\x00"
DAMAGE = {sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}  # primary result codes
_METADATA = MetaData()
SPOOLED = Table(
    "spooled",
    _METADATA,
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
FIELDS = [c.name for c in SPOOLED.c if c.name != "id"]


class SpoolFile:
    """The spool file as this process opened it: everything goes through one connection, which keeps reading
    this file when the path comes to name another, and what the file looked like then."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.engine = make_engine(f"sqlite:///{path}", one_connection=True)
        self._reader = self.engine.execution_options(**{READ_ONLY: True})
        self._lock = threading.RLock()
        self.closed = False
        with self.engine.begin() as connection:  # opens the connection (and the file)
            self._fd = os.open(path, os.O_RDONLY)  # the same file: a recovery holds the lock while it makes one
            _METADATA.create_all(connection)
            connection.execute(
                insert(IDENTITY).from_select(
                    ["id"], select(literal(secrets.token_hex(16))).where(~exists(select(IDENTITY.c.id)))
                )
            )
            self.identity = connection.execute(select(IDENTITY.c.id)).scalar_one()
        stat = os.fstat(self._fd)
        self.inode, self._size = (stat.st_dev, stat.st_ino), stat.st_size
        self._append = OneStatement(self.engine, insert(SPOOLED).values(bound(SPOOLED, FIELDS)))

    def problem(self) -> str | None:
        """What happened to the file since it was opened, if anything."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return "deleted"
        if (stat.st_dev, stat.st_ino) != self.inode:
            return "replaced"
        if stat.st_size < self._size:  # it never shrinks by itself: no VACUUM, no auto_vacuum
            return "truncated"
        if os.pread(self._fd, len(HEADER), 0) != HEADER:
            return "overwritten"
        self._size = stat.st_size
        return None

    def append(self, values: dict[str, Any]) -> None:
        with self._lock:
            self._append.run(values)

    def append_many(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            with self._lock, self.engine.begin() as connection:
                connection.execute(insert(SPOOLED), rows)

    def after(self, moved_through: int, limit: int) -> list:
        with self._lock, self._reader.connect() as connection:
            return list(
                connection.execute(
                    select(SPOOLED).where(SPOOLED.c.id > moved_through).order_by(SPOOLED.c.id).limit(limit)
                )
            )

    def readable_after(self, moved_through: int) -> list:
        """The rows after `moved_through` that can still be read, oldest first. A damaged page is stepped over by
        seeking ever further past it (at most 25 tries), which finds the rows beyond it while the tree still
        leads there; a few readable rows next to it may be stepped over too."""
        rows: list = []
        after, jump = moved_through, 1
        while jump <= 1 << 24 and not self.closed:  # closed: reading would open the path's new file
            try:
                with self._lock, self._reader.connect() as connection:
                    for row in connection.execute(select(SPOOLED).where(SPOOLED.c.id > after).order_by(SPOOLED.c.id)):
                        rows.append(row)
                        after, jump = row.id, 1
                return rows
            except (sqlite3.Error, SQLAlchemyError):
                after, jump = after + jump, jump * 2
        return rows

    def first_id(self) -> int | None:
        with self._lock, self._reader.connect() as connection:
            return connection.execute(select(func.min(SPOOLED.c.id))).scalar()

    def waiting_after(self, moved_through: int) -> tuple[int, datetime | None]:
        with self._lock, self._reader.connect() as connection:
            return tuple(
                connection.execute(
                    select(func.count(), func.min(SPOOLED.c.received_at)).where(SPOOLED.c.id > moved_through)
                ).one()
            )

    def known(self, keys: list[str]) -> set[str]:
        with self._lock, self._reader.connect() as connection:
            return {
                key
                for i in range(0, len(keys), 500)
                for key in connection.execute(
                    select(SPOOLED.c.dedup_key).where(SPOOLED.c.dedup_key.in_(keys[i : i + 500]))
                ).scalars()
            }

    def prune(self, through: int) -> None:
        with contextlib.suppress(sqlite3.Error, SQLAlchemyError), self._lock, self.engine.begin() as connection:
            connection.execute(delete(SPOOLED).where(SPOOLED.c.id <= through))  # a damaged file: found next time

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self.closed = True
                with contextlib.suppress(Exception):
                    self.engine.dispose()
                os.close(self._fd)


def open_sound(path: str, damaged: SpoolFile | None) -> tuple[SpoolFile, str | None]:
    """The spool at `path`, sound, and where a damaged one was set aside (None when nothing was). The file
    there is used when it is not `damaged` and opens well (another process made it anew, or an operator put it
    there); otherwise it, or the -wal and -shm a deleted one left (SQLite would read them into a new file), is
    set aside and a new spool made. Call it holding _one_at_a_time."""
    problem = _on_disk(path)
    if problem is None and (damaged is None or _inode(path) != damaged.inode):
        try:
            return SpoolFile(path), None
        except (sqlite3.Error, SQLAlchemyError) as error:
            if (problem := damage_of(error)) is None:
                raise
    aside = _set_aside(path)
    return SpoolFile(path), aside


def _inode(path: str) -> tuple[int, int] | None:
    with contextlib.suppress(FileNotFoundError):
        stat = os.stat(path)
        return stat.st_dev, stat.st_ino
    return None


def _on_disk(path: str) -> str | None:
    """What is wrong with the file at `path`, seen without SQLite (whose opening a truncated file with a live
    -wal waits on locks instead of failing)."""
    try:
        with open(path, "rb") as file:
            head = file.read(len(HEADER))
    except FileNotFoundError:
        return "deleted"
    return None if head == HEADER else "truncated" if len(head) < len(HEADER) else "overwritten"


def _set_aside(path: str) -> str | None:
    """Rename the spool and its -wal and -shm out of the way (processes that have them open keep them); the
    new name, or None when there was nothing."""
    aside = f"{path}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"
    moved = False
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(path + suffix, aside + suffix)
            moved = True
    return aside if moved else None


@contextlib.contextmanager
def one_at_a_time(path: str) -> Iterator[None]:
    """An exclusive flock beside the spool: one recovery at a time, across processes and threads."""
    lock = os.open(f"{path}-recovery", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        os.close(lock)


def damage_of(error: BaseException | None) -> str | None:
    """What a SQLite error says of the file, when it says the file is damaged (not merely busy)."""
    while error is not None and not isinstance(error, sqlite3.Error):
        error = error.__cause__ or getattr(error, "orig", None)
    if not isinstance(error, sqlite3.Error):
        return None
    code = getattr(error, "sqlite_errorcode", 0)
    if code & 0xFF in DAMAGE or code == sqlite3.SQLITE_READONLY_DBMOVED or str(error).startswith("no such table"):
        return f"unreadable ({getattr(error, 'sqlite_errorname', '') or error})"
    return None
