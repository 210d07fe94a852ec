"""A Redis outage delays messages and events; it never spends their attempts or loses them.

These tests kill a Redis server, so they start a private one on a spare port (never the shared one).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess

import pytest
import redis
from sqlmodel import select

from scrm import inbox
from scrm.models import InboxEvent, OutboxMessage
from scrm.outbox import AppText, Outbox
from tests.conftest import CI


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self, tmp_path) -> None:
        self.port, self.dir = _spare_port(), tmp_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        for _ in range(100):  # until it answers, bounded
            try:
                client.ping()
                return
            except redis.ConnectionError:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=0.05)  # a short bounded wait; returns at once if it died
        raise RuntimeError("private redis-server did not start")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def freeze(self) -> None:
        """Still accepting connections, answering nothing (a Redis stuck on a slow disk or swapped out)."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        if CI:
            pytest.fail("redis-server is needed under CI=true")
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


@pytest.fixture
def redis_url(private_redis):
    return private_redis.url


def rows(services, model):
    with services.store.transaction() as session:
        return list(session.exec(select(model).order_by(model.id)).all())


def test_messages_wait_out_a_redis_outage_and_are_delivered_once(services, standin, private_redis, clock):
    with services.store.transaction() as session:
        Outbox(session, clock.now()).add(AppText(to=("zhangsan",), text="提醒"), key="r1")
    private_redis.kill()
    for _ in range(10):  # ten sweeps during the outage
        services.sender.run_pending()
        clock.advance(seconds=11)
    [row] = rows(services, OutboxMessage)
    assert (row.status, row.attempts) == ("pending", 0) and "redis.exceptions.ConnectionError" in row.last_error
    private_redis.start()
    services.sender.run_pending()
    assert [m.content for m in standin.delivered("app")] == ["提醒"]
    assert rows(services, OutboxMessage)[0].status == "sent"


def test_events_wait_out_a_redis_outage_and_are_handled_once(services, standin, private_redis, clock):
    with services.store.transaction() as session:
        fields = {
            "MsgType": "event",
            "Event": "change_external_contact",
            "ChangeType": "add_external_contact",
            "UserID": "zhangsan",
            "ExternalUserID": "wmCust0001",
            "CreateTime": "1",
        }
        inbox.add(
            session,
            dedup_key="k",
            kind="event/change_external_contact/add_external_contact",
            payload=fields,
            now=clock.now(),
        )
    private_redis.kill()
    for _ in range(10):
        services.dispatcher.run_pending()
        clock.advance(seconds=11)
    [row] = rows(services, InboxEvent)
    assert (row.status, row.attempts) == ("pending", 0)
    private_redis.start()
    services.dispatcher.run_pending()
    assert rows(services, InboxEvent)[0].status == "done"


def test_a_frozen_redis_does_not_hold_acks(services, server, standin, private_redis, clock):
    """Each new callback wakes the workers through Redis; that once ran in the request, with a 2 s timeout, so
    a frozen Redis held every ack for 2 s (a worker serving them one by one passed WeCom's 5 s). The client
    here gives up after 1 s and does not retry: the ack must come without Redis."""
    from tests.conftest import AES_KEY, TOKEN
    from wecom_standin import CallbackClient, xml

    impatient = CallbackClient(
        f"{server}/wecom/callback",
        TOKEN,
        AES_KEY,
        standin.corp.corp_id,
        timeout=1.0,
        attempts=1,
        clock=lambda: clock.now().timestamp(),
    )
    private_redis.freeze()
    try:
        deliveries = [
            impatient.send(
                xml.text_message(
                    from_user="zhangsan",
                    content=f"帮助{n}",
                    msg_id=str(n),
                    agent_id=standin.corp.agent_id,
                    corp_id=standin.corp.corp_id,
                    create_time=int(clock.now().timestamp()),
                )
            )
            for n in range(3)
        ]
    finally:
        private_redis.thaw()
    assert [d.status for d in deliveries] == [200, 200, 200]
    services.dispatcher.take_in()  # SQLite: from the spool
    assert len(rows(services, InboxEvent)) == 3
