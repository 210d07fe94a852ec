"""On SQLite a handler's reads and parsing do not take the write lock that every callback's insert needs."""

from __future__ import annotations

import sqlite3

from sqlalchemy import func, select, table, text

from scrm.db import Store, make_engine

COUNT = select(func.count()).select_from(table("log"))


def _store(tmp_path) -> Store:
    store = Store(make_engine(f"sqlite:///{tmp_path / 'turns.db'}"))
    with store.engine.begin() as connection:
        connection.execute(text("CREATE TABLE log (id INTEGER PRIMARY KEY, who TEXT)"))
    return store


def test_a_lock_late_transaction_reads_without_the_write_lock_and_writes_atomically(tmp_path):
    store = _store(tmp_path)
    path = str(tmp_path / "turns.db")
    with store.transaction(lock_late=True) as session:
        assert session.execute(COUNT).scalar_one() == 0
        assert _write_lock_free(path)  # reading (and parsing) holds up no other writer
        session.execute(text("INSERT INTO log (who) VALUES ('handler')"))
        assert not _write_lock_free(path)
        assert session.execute(COUNT).scalar_one() == 1  # it sees its own write
    try:
        with store.transaction(lock_late=True) as session:
            session.execute(text("INSERT INTO log (who) VALUES ('failed handler')"))
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with store.engine.begin() as connection:
        assert [w for (w,) in connection.execute(text("SELECT who FROM log"))] == ["handler"]


def _write_lock_free(path: str) -> bool:
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
