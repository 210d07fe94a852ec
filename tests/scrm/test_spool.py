"""SQLite: callbacks are spooled beside the database, so an ack never waits for the handlers' write lock, and
each spooled callback reaches the inbox exactly once (issue 11, finding 9)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from scrm.db import Store
from scrm.models import InboxEvent
from scrm.spool import Spool
from wecom_standin import xml

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _inbox(store) -> dict[str, tuple[int, str]]:
    with store.read() as session:
        return {e.dedup_key: (e.deliveries, e.status) for e in session.exec(select(InboxEvent))}


def test_spooled_callbacks_reach_the_inbox_once_with_their_redeliveries_and_arrival_time(store, clock):
    spool = Spool.beside(store)
    arrived = clock.now()
    spool.add(dedup_key="a", kind="text", payload={"Content": "你好"}, now=arrived)
    spool.add(dedup_key="a", kind="text", payload={"Content": "你好"}, now=arrived)  # WeCom's retry
    spool.add(dedup_key="b", kind="text", payload={}, now=arrived, status="dead", error="unreadable")
    assert spool.waiting() == (3, arrived)
    clock.advance(seconds=30)
    assert spool.move_into(clock.now(), limit=1) == 1  # a batch at a time
    assert spool.move_into(clock.now()) == 2
    assert spool.move_into(clock.now()) == 0  # caught up: the moved rows are pruned
    assert _inbox(store) == {"a": (2, "pending"), "b": (1, "dead")}
    with store.read() as session:
        assert session.exec(select(InboxEvent.received_at).where(InboxEvent.dedup_key == "a")).one() == arrived
    assert spool.waiting() == (0, None)
    # A retry after the move is spooled too, and the inbox's key makes it a redelivery, not a second event.
    spool.add(dedup_key="a", kind="text", payload={}, now=clock.now() + timedelta(seconds=5))
    spool.move_into(clock.now())
    assert _inbox(store)["a"] == (3, "pending")


class DiesBeforeCommit(Store):
    """The database as a worker killed mid-move leaves it: nothing of the move's transaction committed."""

    @contextmanager
    def transaction(self, **options):
        with super().transaction(**options) as session:
            yield session
            raise RuntimeError("killed before the commit")


def test_a_move_cut_short_moves_nothing_and_the_next_one_moves_it_once(store, clock):
    spool = Spool.beside(store)
    spool.add(dedup_key="a", kind="text", payload={}, now=clock.now())
    with pytest.raises(RuntimeError):
        Spool.beside(DiesBeforeCommit(store.engine)).move_into(clock.now())
    assert spool.waiting()[0] == 1
    assert spool.move_into(clock.now()) == 1
    assert spool.move_into(clock.now()) == 0
    assert _inbox(store) == {"a": (1, "pending")}


def test_an_ack_does_not_wait_for_the_write_lock_that_handlers_hold(services, wecom, standin, clock, database):
    """Before the spool, this callback waited for the lock (30 s of busy timeout, then a 503)."""
    url, _ = database
    handler = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    handler.execute("BEGIN IMMEDIATE")  # a handler's transaction, mid-way
    try:
        delivery = wecom.send(
            xml.text_message(
                from_user="zhangsan",
                content="今天跟进谁",
                agent_id=standin.corp.agent_id,
                corp_id=standin.corp.corp_id,
                create_time=int(clock.now().timestamp()),
            )
        )
    finally:
        handler.execute("ROLLBACK")
        handler.close()
    assert delivery.status == 200
    assert services.dispatcher.take_in() == 1


def test_a_spool_file_made_anew_is_read_from_its_start(store, clock):
    """Its ids start at 1 again: a checkpoint of the old file must not hide the new file's callbacks."""
    spool = Spool.beside(store)
    for key in "abc":
        spool.add(dedup_key=key, kind="text", payload={}, now=clock.now())
    spool.move_into(clock.now())
    spool.close()
    path = store.engine.url.database + "-spool"
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)  # an operator cleaning up, or a restore without it
    fresh = Spool.beside(store)
    fresh.add(dedup_key="d", kind="text", payload={}, now=clock.now())
    assert fresh.waiting()[0] == 1
    assert fresh.move_into(clock.now()) == 1
    assert set(_inbox(store)) == {"a", "b", "c", "d"}
