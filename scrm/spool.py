"""On SQLite, callbacks land in a file of their own beside the database (`scrm.db-spool`).

SQLite has one write lock a file. When callbacks were stored in the database itself, every ack waited for the
lock that the dispatcher's handlers hold, and under a backlog acks queued behind processing (seconds, when
the processing process was also the one the CPU scheduler put last). Now ingest appends each delivery to the
spool, and nothing else writes there while callbacks arrive: the dispatcher copies spooled deliveries into
the inbox (whose dedup key makes a redelivery a counted no-op, as before) and records how far it got in the
same transaction (a checkpoint in the database), so each moves exactly once; it prunes what it has moved
only when it has caught up. Ids only grow (AUTOINCREMENT), so a callback can never land behind the
checkpoint; the checkpoint names the spool file it counts in, so a file made anew is read from its start.
PostgreSQL has no such lock: there ingest writes the inbox itself.

A damaged spool must not take acknowledgements it cannot keep. Each process does all its spool work on one
connection, which keeps reading the file it opened even when the path comes to name another. Around every
write, and before every move, the file at the path must still be that file, no shorter, with SQLite's header
(a stat and a 16-byte read). When it is not (deleted, replaced, truncated, overwritten), or SQLite finds it
unreadable, one process at a time recovers: the damaged file is set aside (`scrm.db-spool.damaged-<time>`, a
`.txt` note beside it saying what happened, shown by /healthz until someone deletes it), a new spool is made,
and what may be lost is spooled again: the rows not yet moved that the old file still gives to the connection
holding it (a deleted file stays readable to whoever has it open), and the last RECENT callbacks this process
acknowledged, kept in memory for this. A callback is acknowledged only after the check that follows its write;
while no recovery succeeds, callbacks are refused (503) and WeCom sends them again.

The spool is a buffer, not a store: its tables are made by scrm/spool_file.py (`CREATE TABLE IF NOT EXISTS`), not by
the database's migrations.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import sqlite3
import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Engine,
)
from sqlalchemy.exc import SQLAlchemyError

from scrm import inbox
from scrm.db import NotStored, Store
from scrm.models import SyncCheckpoint
from scrm.spool_file import FIELDS, SpoolFile, damage_of, one_at_a_time, open_sound

log = logging.getLogger(__name__)

MOVE_BATCH = 500
RECENT = 2_000  # callbacks each web process remembers after acknowledging them, to spool again after damage
CHECKPOINT = "spool"  # SyncCheckpoint row: {"spool": its identity, "moved_through": the last id copied in}


class SpoolDamaged(NotStored):
    """The spool is not sound and could not be made sound again yet: the callback is not stored (503)."""


class Spool:
    def __init__(self, path: str, store: Store) -> None:
        self.path, self._store = path, store
        self._recent: deque[dict[str, Any]] = deque(maxlen=RECENT)
        self._failing = 0  # recoveries failed in a row (logged the first time, and when one succeeds again)
        with one_at_a_time(path):
            self._file, _ = open_sound(path, None)

    @classmethod
    def beside(cls, store: Store) -> Spool | None:
        """The spool of a SQLite file database; None for PostgreSQL (and SQLite in memory)."""
        url = store.engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return cls(f"{url.database}-spool", store)

    def add(
        self,
        *,
        dedup_key: str,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
        status: str = "pending",
        error: str | None = None,
    ) -> bool:
        """Keep a delivery until the dispatcher moves it (a repeated one too: the inbox counts it). Whether it is
        new only the inbox will tell, so always True: the dispatcher is woken to take it in. Raises NotStored."""
        values = inbox.received(dedup_key=dedup_key, kind=kind, payload=payload, now=now, status=status, error=error)
        file = self._sound()
        try:
            file.append(values)
            problem = file.problem()
        except NotStored as failure:
            if (problem := damage_of(failure)) is None:
                raise  # busy, or a refused value: nothing wrong with the file
        self._recent.append(values)  # written, or lost with a damaged file: a recovery spools it again
        if problem:
            self._recover(file, problem)
        return True

    @property
    def engine(self) -> Engine:
        """The engine of the spool file in use now."""
        return self._file.engine

    def move_into(self, now: datetime, limit: int = MOVE_BATCH) -> int:
        """Copy the next spooled callbacks into the inbox, checkpoint included; returns how many. When there are
        none, prune what was moved before (only then: pruning writes here, and callbacks would wait for it)."""
        file = self._sound()
        damage = None
        with self._store.transaction() as session:
            checkpoint = session.get(SyncCheckpoint, CHECKPOINT)
            moved_through = _moved_through(checkpoint, file)
            try:
                rows, first = file.after(moved_through, limit), file.first_id()
            except (sqlite3.Error, SQLAlchemyError) as error:
                if (damage := damage_of(error)) is None:
                    raise
                rows, first = [], None
            for row in rows:
                inbox.add(
                    session,
                    dedup_key=row.dedup_key,
                    kind=row.kind,
                    payload=row.payload,
                    now=row.received_at,
                    status=row.status,
                    error=row.last_error,
                )
            if rows:
                session.merge(
                    SyncCheckpoint(
                        name=CHECKPOINT, state={"spool": file.identity, "moved_through": rows[-1].id}, updated_at=now
                    )
                )
        if damage:
            self._recover(file, damage)
        elif not rows and first is not None and first <= moved_through:  # moved rows left: prune (not every poll)
            file.prune(moved_through)
        return len(rows)

    def waiting(self) -> tuple[int, datetime | None]:
        """How many callbacks wait to be moved, and when the oldest arrived (recovering the spool first when it is
        not sound; SpoolDamaged when that fails)."""
        for _ in range(2):  # a file found unreadable is made anew, and the new one read
            with self._store.read() as session:
                checkpoint = session.get(SyncCheckpoint, CHECKPOINT)
            file = self._sound()
            try:
                return file.waiting_after(_moved_through(checkpoint, file))
            except (sqlite3.Error, SQLAlchemyError) as error:
                if (problem := damage_of(error)) is None:
                    raise
                self._recover(file, problem)
        raise SpoolDamaged("unreadable, even made anew")

    def incidents(self) -> list[str]:
        """The notes of damaged spools set aside and not yet cleared by an operator (deleting the note)."""
        notes = []
        for note in sorted(glob.glob(glob.escape(self.path) + ".damaged-*.txt")):
            with contextlib.suppress(OSError), open(note, encoding="utf-8") as lines:
                notes.append(lines.readline().strip())
        return notes

    def check(self) -> None:
        """Recover now if the file is no longer sound (a web process does it every second, so that what only its
        memory holds is spooled again even when no callback comes; see `watch`)."""
        with contextlib.suppress(NotStored):
            self._sound()

    def watch(self, every: float = 1.0) -> None:
        """Check in a thread of its own, for the life of the process."""

        def loop() -> None:
            while True:
                time.sleep(every)
                try:
                    self.check()
                except Exception:  # the database may be away for a moment: the next check tries again
                    log.exception("spool check failed")

        threading.Thread(target=loop, name="spool-watch", daemon=True).start()

    def close(self) -> None:
        self._file.close()

    def _sound(self) -> SpoolFile:
        """The file to use now: this process's, or a recovered one when this one is no longer sound."""
        file = self._file
        if problem := file.problem():
            self._recover(file, problem)
        return self._file

    def _recover(self, damaged: SpoolFile, problem: str) -> None:
        """Make the spool at the path sound again and spool again what `damaged` may take with it. Raises
        SpoolDamaged when it cannot (each callback meanwhile tries again, and is refused)."""
        try:
            with one_at_a_time(self.path):
                # Another thread of this process may have made it anew meanwhile: then only spool again.
                fresh, aside = open_sound(self.path, damaged) if self._file is damaged else (self._file, None)
                from_file, from_memory = self._spool_again(damaged, fresh)
                self._file = fresh
        except (OSError, sqlite3.Error, SQLAlchemyError) as error:
            if not self._failing:
                log.error(
                    "spool %s %s and cannot be made anew (%s: %s); callbacks are refused (503) until it can",
                    self.path,
                    problem,
                    type(error).__name__,
                    error,
                )
            self._failing += 1
            raise SpoolDamaged(problem) from error
        if self._failing:
            log.warning("spool %s made anew after %d failed tries", self.path, self._failing)
            self._failing = 0
        damaged.close()
        saved = f"callbacks spooled again: {from_file} read from it, {from_memory} from memory"
        if aside:
            note = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC: spool {problem}; set aside as {aside}; {saved}"
            with contextlib.suppress(OSError), open(f"{aside}.txt", "w", encoding="utf-8") as out:
                out.write(note + "\nDelete this note once the damaged file has been looked at.\n")
            log.error("%s", note)
        elif from_file or from_memory or self._file is not damaged:
            log.warning("spool %s %s, another process had made it anew; %s", self.path, problem, saved)

    def _spool_again(self, damaged: SpoolFile, fresh: SpoolFile) -> tuple[int, int]:
        """Copy into `fresh` what only `damaged` or this process's memory may still have: the rows not yet moved
        that can be read, and the callbacks acknowledged recently; none that the inbox or `fresh` already has."""
        with self._store.read() as session:
            from_file = [
                row._asdict()
                for row in damaged.readable_after(_moved_through(session.get(SyncCheckpoint, CHECKPOINT), damaged))
            ]
            remembered = list(self._recent)
            candidates = {r["dedup_key"]: r for r in (*from_file, *remembered)}
            known = inbox.known(session, list(candidates)) | fresh.known(list(candidates))
        again = sorted((r for key, r in candidates.items() if key not in known), key=lambda r: r["received_at"])
        fresh.append_many([{name: r[name] for name in FIELDS} for r in again])
        in_file = {r["dedup_key"] for r in from_file}
        return sum(r["dedup_key"] in in_file for r in again), sum(r["dedup_key"] not in in_file for r in again)


def _moved_through(checkpoint: SyncCheckpoint | None, file: SpoolFile) -> int:
    """The last id moved from this file (0 for a file the checkpoint does not name)."""
    state = checkpoint.state if checkpoint else {}
    return state["moved_through"] if state.get("spool") == file.identity else 0
