"""The migrations build exactly the schema the models describe, on both databases."""

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
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
