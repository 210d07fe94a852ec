"""SQLite writers take turns, so a busy dispatcher cannot starve callback ingest of the write lock.

SQLite's own lock is no queue: a writer that finds it taken sleeps in its busy handler (1, 2, 5, 10 ... ms)
and tries again, while the writer that holds it commits and takes it again within microseconds. Under a
backlog the dispatcher, looping over rows, won almost every time, and callbacks waited seconds for their
insert (and their ack). Here every write transaction first takes an exclusive flock on a file beside the
database (`<db>-writers`), which the kernel hands to a sleeping waiter the moment it is released; only
then BEGIN IMMEDIATE. flock locks belong to an open file, so threads of one process queue too.

A thread that already holds a turn on another connection does not queue again (it would wait for itself);
SQLite's busy timeout covers that case as before.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

_held = threading.local()


class TurnTakingConnection(sqlite3.Connection):
    """A sqlite3 connection (pass as `factory=`) whose write transactions wait their turn."""

    def __init__(self, database, *args, **kwargs) -> None:
        super().__init__(database, *args, **kwargs)
        path = os.fsdecode(database)
        memory = path == ":memory:" or path.startswith("file::memory:") or "mode=memory" in path
        self._turns = (
            None
            if memory
            else os.open(f"{path.removeprefix('file:').partition('?')[0]}-writers", os.O_RDWR | os.O_CREAT, 0o666)
        )  # as the database: umask
        self._holding = False

    def take_turn(self) -> None:
        """Before BEGIN IMMEDIATE: wait until no other writer of this database is between BEGIN and COMMIT."""
        if self._turns is None or self._holding or getattr(_held, "count", 0):
            return
        fcntl.flock(self._turns, fcntl.LOCK_EX)  # blocks without the GIL
        self._holding = True
        _held.count = 1

    def _give_turn(self) -> None:
        if self._holding:
            self._holding = False
            _held.count = 0
            fcntl.flock(self._turns, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._give_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_turn()

    def close(self) -> None:
        try:
            self._give_turn()
            if self._turns is not None:
                os.close(self._turns)
                self._turns = None
        finally:
            super().close()
