"""The migrations build exactly the schema the models describe, on both databases."""

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
        connection.execute(text(
            "INSERT INTO customer_rep (external_userid, userid, status, remark, description, state, updated_at)"
            " VALUES ('wm1', 'zhangsan', 'active', '陈总', '', 'expo', '2026-11-24 10:00:00')"))
        connection.execute(text(
            "INSERT INTO customer (external_userid, name, type, corp_name, position, gender, created_at, updated_at)"
            " VALUES ('wm1', '陈志强', 1, '', '', 0, '2026-11-24 10:00:00', '2026-11-24 10:00:00')"))
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        row = connection.execute(text("SELECT remark, state, remark_corp_name FROM customer_rep")).one()
        assert tuple(row) == ("陈总", "expo", "")
        assert connection.execute(text("SELECT name FROM customer")).scalar_one() == "陈志强"
