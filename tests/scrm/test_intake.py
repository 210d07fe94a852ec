"""Callback ingest's one-statement write (scrm.db.OneStatement, inbox.Intake): what it stores is what the ORM
reads back, a redelivery is counted once, and a connection the database dropped is replaced without a 503."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from scrm import inbox
from scrm.db import NotStored, make_engine
from scrm.models import InboxEvent
from tests.conftest import POSTGRES_URL

PAYLOAD = {"MsgType": "text", "Content": "明天下午三点，再约张总！", "Item": [{"UserID": "a"}, {"UserID": "b"}]}


def _rows(store) -> list[InboxEvent]:
    with store.read() as session:
        return [
            InboxEvent.model_validate(row.model_dump())
            for row in session.exec(select(InboxEvent).order_by(InboxEvent.id))
        ]


def test_the_row_ingest_writes_reads_back_as_the_orm_would_have_written_it(store, clock):
    intake = inbox.Intake(store.engine)
    assert intake.add(dedup_key="msg:1", kind="text", payload=PAYLOAD, now=clock.now()) is True
    with store.transaction() as session:  # the ORM's own way, for comparison
        inbox.add(session, dedup_key="msg:2", kind="text", payload=PAYLOAD, now=clock.now())
    fast, orm = _rows(store)
    for name in ("kind", "payload", "received_at", "next_try_at", "status", "attempts", "deliveries", "last_error"):
        assert getattr(fast, name) == getattr(orm, name), name
    assert fast.received_at == clock.now()


def test_a_redelivery_is_counted_not_stored_again(store, clock):
    intake = inbox.Intake(store.engine)
    first = clock.now()
    assert intake.add(dedup_key="msg:1", kind="text", payload=PAYLOAD, now=first) is True
    clock.advance(seconds=5)
    assert intake.add(dedup_key="msg:1", kind="text", payload=PAYLOAD, now=clock.now()) is False
    assert intake.add(dedup_key="msg:1", kind="text", payload=PAYLOAD, now=clock.now()) is False
    (row,) = _rows(store)
    assert (row.deliveries, row.received_at) == (3, first)  # it arrived when it first came


@pytest.mark.parametrize("database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_connection_postgresql_dropped_is_replaced_and_the_callback_stored(database, clock):
    url, schema = database
    name = f"intake-{secrets.token_hex(4)}"
    engine = make_engine(f"{url}?application_name={name}", schema=schema)
    intake = inbox.Intake(engine)
    admin = create_engine(POSTGRES_URL)
    try:
        assert intake.add(dedup_key="msg:1", kind="text", payload=PAYLOAD, now=clock.now())
        with admin.begin() as connection:  # as a restart does to every connection (or an operator's kill)
            dropped = connection.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name},
            ).scalar()
        assert dropped == 1
        assert intake.add(dedup_key="msg:2", kind="text", payload=PAYLOAD, now=clock.now()) is True
        assert intake.add(dedup_key="msg:2", kind="text", payload=PAYLOAD, now=clock.now()) is False
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT dedup_key, deliveries FROM inbox_event ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [("msg:1", 1), ("msg:2", 2)]
    finally:
        engine.dispose()
        admin.dispose()


def test_a_database_that_is_away_is_not_stored_rather_than_an_error(clock):
    intake = inbox.Intake(make_engine("postgresql+psycopg://postgres@127.0.0.1:9/test"))  # the discard port
    with pytest.raises(NotStored):
        intake.add(dedup_key="msg:1", kind="text", payload=PAYLOAD, now=clock.now())
