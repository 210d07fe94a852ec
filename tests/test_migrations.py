"""The migrations build exactly the schema the models describe, on both databases."""

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import scrm.models  # noqa: F401
from bot.migrate import upgrade
from scrm.db import make_engine
from tests.conftest import POSTGRES_URL, RUN_ID, require


def test_models_and_migrations_agree(store):
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    require("PostgreSQL", lambda: make_engine(POSTGRES_URL).connect().close())
    schema = f"scrm_migrate_{RUN_ID}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, schema=schema)
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_upgrading_keeps_existing_rows(empty_engine):
    upgrade(empty_engine, "0001")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO customer_rep (external_userid, userid, status, remark, description, state, updated_at)"
                " VALUES ('wm1', 'zhangsan', 'active', '陈总', '', 'expo', '2026-11-24 10:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO customer (external_userid, name, type, corp_name, position, gender, created_at, updated_at)"  # noqa: E501
                " VALUES ('wm1', '陈志强', 1, '', '', 0, '2026-11-24 10:00:00', '2026-11-24 10:00:00')"
            )
        )
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        row = connection.execute(text("SELECT remark, state, remark_corp_name FROM customer_rep")).one()
        assert tuple(row) == ("陈总", "expo", "")
        assert connection.execute(text("SELECT name FROM customer")).scalar_one() == "陈志强"


def test_0011_fills_in_the_digest_of_app_messages_that_can_still_matter(empty_engine):
    """A reply queued before the upgrade is found by the sender's look-up as if queued after it (issue 19, 6)."""
    from dataclasses import asdict
    from datetime import UTC, datetime, timedelta

    from scrm import outbox
    from scrm.outbox import AppMarkdown, AppText

    upgrade(empty_engine, "0010")
    now = datetime.now(UTC).replace(tzinfo=None)
    reply = AppText(to=("zhangsan", "lisi"), text="今天没有待跟进的客户。", repeatable=True)
    markdown = AppMarkdown(to=("zhangsan",), content="**本周**")
    rows = [  # key, channel, payload, status, sent_at
        ("sent", "app", {"type": "AppText", **asdict(reply)}, "sent", now - timedelta(minutes=10)),
        ("waiting", "app", {"type": "AppMarkdown", **asdict(markdown)}, "pending", None),
        ("old", "app", {"type": "AppText", **asdict(reply)}, "sent", now - timedelta(days=3)),
        ("odd", "app", {"type": "AppText", "to": "zhangsan"}, "pending", None),
        ("robot", "webhook", {"type": "WebhookMarkdown", "webhook_key": "k", "content": "x"}, "pending", None),
    ]
    with empty_engine.begin() as connection:
        for key, channel, payload, status, sent_at in rows:
            connection.execute(
                text(
                    "INSERT INTO outbox_message (key, channel, payload, priority, created_at, next_try_at, sent_at, status,"  # noqa: E501
                    " attempts) VALUES (:key, :channel, :payload, 5, :now, :now, :sent_at, :status, 0)"
                ),
                {
                    "key": key,
                    "channel": channel,
                    "payload": json.dumps(payload, ensure_ascii=False),
                    "now": now,
                    "sent_at": sent_at,
                    "status": status,
                },
            )
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        digests = dict(connection.execute(text("SELECT key, digest FROM outbox_message")).all())
    assert digests == {
        "sent": outbox.digest(reply),
        "waiting": outbox.digest(markdown),
        "old": None,
        "odd": None,
        "robot": None,
    }


# Rows as the code before 0013 wrote them: every status it set, and one a person changed by hand.
NOW = "2026-11-24 10:00:00"
TODAYS = {  # table: (its other columns at 0012 for the row numbered i, the statuses written)
    "inbox_event": (
        lambda i: {"dedup_key": f"k{i}", "kind": "text", "payload": "{}", "received_at": NOW, "deliveries": 1},
        ["pending", "processing", "done", "failed", "dead"],
    ),
    "outbox_message": (
        lambda i: {"key": f"k{i}", "channel": "app", "payload": "{}", "priority": 5, "created_at": NOW},
        ["pending", "processing", "sent", "failed", "dead", "expired"],
    ),
    "job_tick": (
        lambda i: {"job": "reminders", "scheduled_for": f"2026-11-24 10:0{i}:00", "started_at": NOW},
        ["running", "done", "failed", "paused", "skipped"],
    ),
    "customer_rep": (
        lambda i: {"external_userid": f"wm{i}", "userid": "zhangsan", "updated_at": NOW},
        ["", "half", "active", "deleted_by_rep", "transferred", "lost"],
    ),
    "deal": (
        lambda i: {"external_userid": "wm1", "userid": "zhangsan", "opened_at": NOW, "updated_at": NOW},
        ["open", "won", "lost", "archived"],  # archived: set by hand, no code ever wrote it
    ),
    "group_chat": (lambda i: {"chat_id": f"wr{i}", "updated_at": NOW}, ["active", "dismissed"]),
}
DEFAULTS = {  # the NOT NULL columns with a default in the models, none in the database
    "inbox_event": {"attempts": 0, "next_try_at": NOW},
    "outbox_message": {"attempts": 0, "next_try_at": NOW},
    "job_tick": {"attempts": 0, "runner": "", "summary": ""},
    "customer_rep": {"remark": "", "description": "", "state": "", "remark_corp_name": "", "tier": ""},
    "deal": {"stage": "", "at_risk": False, "note": ""},
    "group_chat": {"name": "", "owner": "", "notice": "", "members": 0, "external_members": 0, "member_version": ""},
}


def test_0013_keeps_every_status_and_refuses_an_unknown_one_from_then_on(empty_engine, caplog):
    upgrade(empty_engine, "0012")
    with empty_engine.begin() as connection:
        for table, (columns, written) in TODAYS.items():
            for i, status in enumerate(written):
                row = {**DEFAULTS[table], **columns(i), "status": status}
                names = ", ".join(row)
                connection.execute(text(f"INSERT INTO {table} ({names}) VALUES (:{', :'.join(row)})"), row)
    upgrade(empty_engine)  # does not fail on the row changed by hand
    assert "deal: 1 rows hold a status outside open, won, lost ('archived': 1); kept as they are" in caplog.text
    with empty_engine.connect() as connection:
        for table, (_, written) in TODAYS.items():
            kept = connection.execute(text(f"SELECT status FROM {table}")).scalars()
            assert sorted(kept) == sorted(written)
    for table in TODAYS:
        with pytest.raises(IntegrityError, match=f"ck_{table}_status"), empty_engine.begin() as connection:
            connection.execute(text(f"UPDATE {table} SET status = 'unknown'"))
    with empty_engine.begin() as connection:  # the row changed by hand can be given a known status
        connection.execute(text("UPDATE deal SET status = 'lost' WHERE status = 'archived'"))
