"""Fixtures: real SQLite and PostgreSQL, real Redis, the WeCom stand-in over real HTTP, a frozen clock.

PostgreSQL and Redis tests skip with a reason when the servers are away, except under CI=true,
where they must run. Each run gets its own PostgreSQL schema and Redis key prefix, removed at the end.
"""

from __future__ import annotations

import os
import secrets
import shutil
from datetime import UTC, datetime

import pytest
import redis
from sqlalchemy import create_engine, text

from bot.migrate import upgrade
from scrm.clock import FrozenClock
from scrm.db import Store, make_engine

CI = os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get("SCRM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SCRM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUN_ID = secrets.token_hex(4)


def require(service: str, probe) -> None:
    """Skip (or fail under CI=true) when a real service is not reachable."""
    try:
        probe()
    except Exception as error:
        message = f"{service} not reachable ({type(error).__name__}: {error})"
        if CI:
            pytest.fail(f"{message}; CI=true requires it")
        pytest.skip(f"{message}; set SCRM_TEST_POSTGRES_URL / SCRM_TEST_REDIS_URL or start it")


def _ping_postgres() -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_schema():
    """A schema of our own on the shared PostgreSQL, migrated once, dropped at the end of the run."""
    require("PostgreSQL", _ping_postgres)
    schema = f"scrm_test_{RUN_ID}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, schema=schema)
    upgrade(engine)
    engine.dispose()
    yield schema
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "scrm.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


TABLES = (
    "inbox_event",
    "outbox_message",
    "customer_rep",
    "customer",
    "member",
    "department",
    "tag_group",
    "tag",
    "customer_tag",
    "tagging_rule",
    "welcome_template",
    "follow_up",
    "deal",
    "interaction",
    "group_chat",
    "sync_checkpoint",
    "stage_change",
    "chat_state",
    "job_tick",
    "job_ledger",
    "team_chat",
    "target",
    "commission_plan",
    "anomaly_alert",
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request, tmp_path) -> tuple[str, str | None]:
    """(url, schema) of a fresh, migrated database."""
    if request.param == "sqlite":
        path = tmp_path / "scrm.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}", None
    return emptied_postgres(request.getfixturevalue("postgres_schema"))


def emptied_postgres(schema: str) -> tuple[str, str]:
    """The run's PostgreSQL schema with every table emptied: (url, schema)."""
    engine = make_engine(POSTGRES_URL, schema=schema)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return POSTGRES_URL, schema


@pytest.fixture
def store(database):
    url, schema = database
    store = Store(make_engine(url, schema=schema))
    yield store
    store.engine.dispose()


@pytest.fixture(scope="session")
def redis_server() -> str:
    require("Redis", lambda: redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    return REDIS_URL


@pytest.fixture
def redis_prefix():
    """A key prefix of our own on the shared Redis; our keys are deleted afterwards."""
    prefix = f"scrm-test-{RUN_ID}-{secrets.token_hex(3)}"
    yield prefix
    try:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
    except redis.RedisError:
        pass


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def redis_url(request) -> str | None:
    return request.getfixturevalue("redis_server") if request.param == "redis" else None


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


# --- End to end: the stand-in, our server over real HTTP, encrypted callbacks -----------------------

TOKEN = "StandinToken2026"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


@pytest.fixture
def standin(clock):
    from wecom_standin import Corp

    yield from running_standin(Corp.sample(), clock)


def running_standin(corp, clock):
    """The stand-in serving `corp` on the test's clock, for as long as the fixture lives."""
    from wecom_standin import StandIn

    with StandIn(corp, clock=lambda: clock.now().timestamp()) as server:
        yield server


@pytest.fixture
def settings_overrides() -> dict:
    """More settings for a test module's services (override the fixture there)."""
    return {}


@pytest.fixture
def settings(database, redis_url, redis_prefix, standin, settings_overrides):
    from bot.settings import load_settings

    url, _schema = database
    corp = standin.corp
    return load_settings(
        wecom_corp_id=corp.corp_id,
        wecom_agent_id=corp.agent_id,
        wecom_agent_secret=corp.secret,
        wecom_token=TOKEN,
        wecom_encoding_aes_key=AES_KEY,
        wecom_api_base=standin.url,
        database_url=url,
        redis_url=redis_url,
        scrm_redis_prefix=redis_prefix,
        _env_file=None,
        **settings_overrides,
    )


@pytest.fixture
def services(settings, database, store, clock):
    """Everything `scrm serve` builds, on the test's database and clock, with the corp's members synced."""
    from bot.app import build
    from bot.sync import sync_members

    services = build(settings, clock=clock, store=store)
    sync_members(services.app_client, store, clock)
    return services


@pytest.fixture
def server(services):
    """Our Flask app on a real threaded HTTP server; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    from bot.app import create_app

    http = make_server("127.0.0.1", 0, create_app(services), threaded=True)
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(5)


@pytest.fixture
def wecom(server, standin, clock):
    """Sends encrypted callbacks to our server exactly as WeCom does."""
    from wecom_standin import CallbackClient

    return CallbackClient(
        f"{server}/wecom/callback", TOKEN, AES_KEY, standin.corp.corp_id, clock=lambda: clock.now().timestamp()
    )


def drain(services) -> None:
    """Run the dispatcher and the sender until nothing is due (instead of sleeping)."""
    for _ in range(10):
        if not (services.dispatcher.run_pending() + services.sender.run_pending()):
            return
