"""Two real `scrm worker` processes on one PostgreSQL database: every event is handled, and only once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from sqlmodel import func, select

from scrm import inbox
from scrm.models import InboxEvent, OutboxMessage
from tests.conftest import AES_KEY, TOKEN, emptied_postgres, running_standin
from wecom_standin import Corp


@pytest.fixture
def database(postgres_schema):
    """PostgreSQL only: this is the row-claiming that SQLite gets for free by serialising writers."""
    return emptied_postgres(postgres_schema)


@pytest.fixture
def standin(clock):
    yield from running_standin(Corp.generated(reps=50, customers=50), clock)


@pytest.fixture
def redis_url():
    return None


def count(store, model, *where) -> int:
    with store.transaction() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_two_worker_processes_handle_every_event_exactly_once(services, standin, database, clock):
    url, schema = database
    reps = sorted(standin.corp.members)[:50]
    with services.store.transaction() as session:
        for n in range(100):
            fields = {
                "MsgType": "text",
                "FromUserName": reps[n % 50],
                "Content": "帮助",
                "MsgId": str(n),
                "AgentID": str(standin.corp.agent_id),
                "CreateTime": str(int(clock.now().timestamp())),
            }
            inbox.add(session, dedup_key=f"msg:{n}", kind="text", payload=fields, now=clock.now())
    env = {
        **os.environ,
        "WECOM_CORP_ID": standin.corp.corp_id,
        "WECOM_AGENT_ID": str(standin.corp.agent_id),
        "WECOM_AGENT_SECRET": standin.corp.secret,
        "WECOM_TOKEN": TOKEN,
        "WECOM_ENCODING_AES_KEY": AES_KEY,
        "WECOM_API_BASE": standin.url,
        "REDIS_URL": "",
        "SCRM_LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"{url}?options={quote(f'-csearch_path={schema}')}",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60  # a bound on waiting for the outcome, which we poll for
        while time.monotonic() < deadline and len(standin.delivered("app")) < 100:
            try:
                workers[0].wait(timeout=0.1)  # returns at once if the worker died
            except subprocess.TimeoutExpired:
                continue
            pytest.fail("a worker exited: " + workers[0].stderr.read().decode()[-2000:])
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(20)
    replies = standin.delivered("app")
    assert len(replies) == 100
    assert sorted(r.recipients[0] for r in replies) == sorted(reps * 2)
    assert count(services.store, InboxEvent, InboxEvent.status == "done") == 100
    assert count(services.store, OutboxMessage, OutboxMessage.status == "sent") == 100
