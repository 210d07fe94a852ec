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


def test_0014_brings_todays_piles_of_open_steps_to_one_per_customer_and_rep(empty_engine):
    """The piles of the evening in issue 21, as they are stored today: every row kept, one open step per rep and
    customer (the one set last), a closed customer's step closed with its deal, a step set after the close kept."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from sqlalchemy import func, insert, inspect, select
    from sqlalchemy.exc import IntegrityError

    from scrm.models import Deal, FollowUp

    tz = ZoneInfo("Asia/Shanghai")

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 12, day, hour, minute, tzinfo=tz)

    steps: dict[str, tuple] = {  # name: (customer, rep, due, set at, status, source)
        "wang sop": ("wmWang", "zhangsan", at(1, 10), at(1, 9), "replaced", "sop"),
        **{f"wang {n}": ("wmWang", "zhangsan", at(2, 15), at(1, 9, n), "open", "rep") for n in range(3)},  # 3 alike
        **{f"wang {n}": ("wmWang", "zhangsan", at(n, 10), at(1, 11, n), "open", "rep") for n in range(3, 7)},
        "wang lisi old": ("wmWang", "lisi", at(3, 10), at(1, 8), "open", "rep"),
        "wang lisi new": ("wmWang", "lisi", at(4, 10), at(1, 12), "open", "rep"),
        "deng before": ("wmDeng", "zhangsan", at(3, 9), at(1, 8), "open", "rep"),
        "deng after": ("wmDeng", "zhangsan", at(9, 9), at(2, 12), "open", "rep"),
        "chen with the win": ("wmChen", "zhangsan", at(5, 15), at(2, 9), "open", "rep"),
        "liu sop": ("wmLiu", "zhangsan", at(2, 10), at(1, 9), "open", "sop"),
        "liu done": ("wmLiu", "zhangsan", at(1, 15), at(1, 9), "done", "rep"),
        "liu gone": ("wmLiu", "lisi", at(1, 15), at(1, 9), "cancelled", "rep"),
        "liu by hand": ("wmLiu", "lisi", at(1, 16), at(1, 9), "skip", "rep"),  # an operator's own status
    }
    deals = [  # customer, rep, status, closed at
        ("wmWang", "zhangsan", "won", at(1, 10)),
        ("wmWang", "zhangsan", "won", at(2, 15)),  # won twice
        ("wmWang", "lisi", "open", None),
        ("wmDeng", "zhangsan", "lost", at(2, 11)),
        ("wmChen", "zhangsan", "won", at(2, 9)),  # 华为签了，明天下午3点回访: the step came with the win
    ]
    upgrade(empty_engine, "0012")
    with empty_engine.begin() as connection:
        for name, (customer, rep, due, made, status, source) in steps.items():
            connection.execute(
                insert(FollowUp.__table__).values(
                    external_userid=customer,
                    userid=rep,
                    due_at=due,
                    created_at=made,
                    status=status,
                    source=source,
                    note=name,
                    done_at=made + timedelta(hours=1) if status != "open" else None,
                )
            )
        for customer, rep, status, closed in deals:
            connection.execute(
                insert(Deal.__table__).values(
                    external_userid=customer,
                    userid=rep,
                    status=status,
                    closed_at=closed,
                    stage="",
                    note="",
                    opened_at=at(1, 8),
                    updated_at=at(1, 8),
                    at_risk=False,
                )
            )
    upgrade(empty_engine)
    table = FollowUp.__table__
    with empty_engine.connect() as connection:
        after = {row.note: (row.status, row.done_at) for row in connection.execute(select(table))}
    superseded_by_wang_6 = ("superseded", at(1, 11, 6))
    assert after == {
        "wang sop": ("superseded", at(1, 10)),  # renamed, its time kept
        **{f"wang {n}": superseded_by_wang_6 for n in range(6)},
        "wang 6": ("deal_closed", at(2, 15)),  # the plan set last, closed with the last win
        "wang lisi old": ("superseded", at(1, 12)),
        "wang lisi new": ("open", None),  # lisi's deal with 王芳 is open: her plan stays
        "deng before": ("superseded", at(2, 12)),
        "deng after": ("open", None),  # set after the loss: new work
        "chen with the win": ("open", None),
        "liu sop": ("open", None),
        "liu done": ("done", at(1, 10)),
        "liu gone": ("cancelled", at(1, 10)),
        "liu by hand": ("skip", at(1, 10)),  # kept, with a warning; the check holds what is written from now on
    }
    with pytest.raises(IntegrityError), empty_engine.begin() as connection:  # one open step per minute from now on
        connection.execute(
            insert(table).values(
                external_userid="wmDeng",
                userid="zhangsan",
                due_at=at(9, 9),
                created_at=at(3, 9),
                status="open",
                source="rep",
                note="again",
            )
        )
    with pytest.raises(IntegrityError), empty_engine.begin() as connection:  # only a FollowUpStatus from now on
        connection.execute(table.update().where(table.c.note == "liu done").values(status="replaced"))
    with empty_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(table)).scalar_one() == len(steps)
    partial = {  # the copy of the table (SQLite) kept the partial indexes partial
        index["name"]
        for index in inspect(empty_engine).get_indexes("follow_up")
        if any(key.endswith("_where") for key in index.get("dialect_options", {}))
    }
    assert partial == {"ix_follow_up_to_remind", "ix_follow_up_open_by_rep", "uq_follow_up_open_step"}
