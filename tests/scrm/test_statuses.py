"""Each table's statuses, on SQLite and PostgreSQL: the database takes every member of the set and refuses any
other value."""

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from scrm import statuses
from scrm.models import CustomerRep, Deal, FollowUp, GroupChat, InboxEvent, JobTick, OutboxMessage

SETS = (
    (InboxEvent, statuses.INBOX),
    (OutboxMessage, statuses.OUTBOX),
    (JobTick, tuple(statuses.TickStatus)),
    (CustomerRep, tuple(statuses.RelationStatus)),
    (Deal, tuple(statuses.DealStatus)),
    (GroupChat, tuple(statuses.ChatStatus)),
    (FollowUp, tuple(statuses.FollowUpStatus)),
)


def a_row(model, now):
    return {
        InboxEvent: lambda: InboxEvent(dedup_key="k", kind="text", payload={}, received_at=now, next_try_at=now),
        OutboxMessage: lambda: OutboxMessage(key="k", channel="app", payload={}, created_at=now, next_try_at=now),
        JobTick: lambda: JobTick(job="reminders", scheduled_for=now, started_at=now),
        CustomerRep: lambda: CustomerRep(external_userid="wm1", userid="zhangsan", updated_at=now),
        Deal: lambda: Deal(external_userid="wm1", userid="zhangsan", opened_at=now, updated_at=now),
        GroupChat: lambda: GroupChat(chat_id="wr1", updated_at=now),
        FollowUp: lambda: FollowUp(external_userid="wm1", userid="zhangsan", due_at=now, created_at=now),
    }[model]()


def test_every_table_with_a_status_checks_it():
    """A new table with a status column needs its set here and its check."""
    with_status = {name for name, table in SQLModel.metadata.tables.items() if "status" in table.c}
    assert {model.__tablename__ for model, _ in SETS} == with_status


@pytest.mark.parametrize(("model", "allowed"), SETS, ids=[model.__tablename__ for model, _ in SETS])
def test_the_database_takes_each_status_of_the_set_and_refuses_any_other(store, clock, model, allowed):
    with store.transaction() as session:
        session.add(a_row(model, clock.now()))
    for status in allowed:
        with store.transaction() as session:
            session.exec(update(model).values(status=status))
        with store.read() as session:
            assert session.exec(model.__table__.select()).one().status == status
    for status in ("unknown", "DONE", " open"):
        with pytest.raises(IntegrityError, match=f"ck_{model.__tablename__}_status"), store.transaction() as session:
            session.exec(update(model).values(status=status))
