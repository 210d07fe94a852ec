"""PostgreSQL restarted and stopped under callbacks (issue 11): while it is away a callback is answered 503
(WeCom sends it again), nothing half-stored; after, pooled connections recover and every message is handled
and answered once. The test starts a private server (initdb + pg_ctl in a temporary directory, on a spare
port): the shared one is never touched."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlmodel import select

from bot.migrate import upgrade
from scrm.db import make_engine
from scrm.models import InboxEvent
from tests.conftest import AES_KEY, CI, TOKEN, drain
from wecom_standin import xml

BIN = Path("/usr/lib/postgresql/15/bin")


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePostgres:
    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, _spare_port()
        self.data = folder / "data"

    def _as_postgres(self, *command: str, check: bool = True) -> None:
        """initdb and pg_ctl refuse to run as root: as the postgres user then."""
        run_as = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") and _is_root() else []
        subprocess.run(
            [*run_as, *command], check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60
        )

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if _is_root():
            shutil.chown(self.folder, "postgres")
        self._as_postgres(str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        self._as_postgres(
            str(BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.folder / "log"),
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
            "start",
        )

    def stop(self, *, check: bool = True) -> None:
        self._as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop", check=check)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


def _is_root() -> bool:
    return os.geteuid() == 0


@pytest.fixture
def private_postgres():
    if not (BIN / "initdb").exists():
        if CI:
            pytest.fail("PostgreSQL's initdb and pg_ctl are needed under CI=true")
        pytest.skip(f"no {BIN / 'initdb'}")
    top = Path(tempfile.mkdtemp(prefix="scrm-pg-"))  # not under pytest's tmp: its folders are private to root
    top.chmod(0o755)
    server = PrivatePostgres(top / "private")
    try:
        server.init()
        server.start()
        engine = make_engine(server.url)
        upgrade(engine)
        engine.dispose()
        yield server
    finally:
        server.stop(check=False)  # stopped already if the test failed while it was down
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def database(private_postgres):
    return private_postgres.url, None


@pytest.fixture
def redis_url():
    return None


def say(wecom, standin, clock, n: int, rep: str = "zhangsan"):
    return wecom.send(
        xml.text_message(
            from_user=rep,
            content="帮助",
            msg_id=str(n),
            agent_id=standin.corp.agent_id,
            corp_id=standin.corp.corp_id,
            create_time=int(clock.now().timestamp()),
        )
    )


def test_callbacks_across_a_postgres_restart_and_stop_are_handled_once(
    private_postgres, services, server, wecom, standin, clock
):
    assert [say(wecom, standin, clock, n).status for n in range(3)] == [200] * 3
    private_postgres.stop()
    private_postgres.start()  # a restart: the pool's connections are dead
    assert [say(wecom, standin, clock, n).status for n in range(3, 6)] == [200] * 3
    private_postgres.stop()
    refused = [say(wecom, standin, clock, n) for n in range(6, 9)]
    assert [d.status for d in refused] == [503] * 3  # WeCom will send them again
    private_postgres.start()
    for n in range(6, 9):  # WeCom's redeliveries
        assert say(wecom, standin, clock, n).status == 200
    say(wecom, standin, clock, 0)  # and a late duplicate of the first
    drain(services)
    with services.store.transaction() as session:
        events = session.exec(select(InboxEvent)).all()
    assert len(events) == 9 and {e.status for e in events} == {"done"}
    assert len(standin.delivered("app")) == 9  # one answer each


def test_a_restart_under_load_loses_nothing_and_handles_each_callback_once(
    private_postgres, services, server, standin, clock, capsys
):
    """Four senders keep callbacks coming (resending each until it is acknowledged, as WeCom does), the dispatcher
    and sender run, and PostgreSQL is restarted in the middle of it: once 20 are in, the senders hold on until it
    is down, then go on while it is down and back up."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from bot.runner import Background
    from wecom_standin import CallbackClient

    met_it_down: set[int] = set()  # the senders (threads) that were answered other than 200
    all_met_it_down = threading.Event()

    class Sender(CallbackClient):
        def _attempt(self, *args, **kwargs):
            attempt = super()._attempt(*args, **kwargs)
            if attempt.status != 200 and down.is_set():
                met_it_down.add(threading.get_ident())
                if len(met_it_down) == 4:
                    all_met_it_down.set()
            return attempt

    client = Sender(
        f"{server}/wecom/callback",
        TOKEN,
        AES_KEY,
        standin.corp.corp_id,
        clock=lambda: clock.now().timestamp(),
        retry_on_status=True,
        attempts=20_000,
    )
    count, acked = 72, []  # 24 replies a member: under WeCom's 30 a minute
    under_way, down = threading.Event(), threading.Event()
    members = sorted(standin.corp.members)

    def keep_sending(first: int) -> list[int]:
        statuses = []
        for n in range(first, count, 4):
            delivery = say(client, standin, clock, n, rep=members[n % len(members)])
            assert delivery.acknowledged, f"callback {n} never acknowledged"
            acked.append(n)
            if len(acked) >= 20:
                under_way.set()
                assert down.wait(60)
            statuses += [a.status for a in delivery.attempts]
        return statuses

    background = Background(services, poll=0.05).start()
    try:
        with ThreadPoolExecutor(4) as senders:
            running = [senders.submit(keep_sending, first) for first in range(4)]
            assert under_way.wait(60)
            private_postgres.stop()
            down.set()  # callbacks meet it down (503, sent again) and come through once it is back
            assert all_met_it_down.wait(60), f"only {len(met_it_down)} of 4 senders met PostgreSQL down"
            private_postgres.start()
            statuses = [status for r in running for status in r.result()]
    finally:
        background.stop()
    for _ in range(3):  # what the restart interrupted waits out its pause or its lease: time passes, then it runs
        clock.advance(minutes=10)
        drain(services)
    with services.store.transaction() as session:
        events = session.exec(select(InboxEvent)).all()
    replies = len(standin.delivered("app"))
    refused = sum(1 for status in statuses if status != 200)
    with capsys.disabled():
        print(
            f"\nPostgreSQL restarted under load: {count} callbacks, {refused} refused while it was away and sent "
            f"again, {len(events)} stored, replies {replies} (duplicated {replies - count})"
        )
    assert refused >= 4  # each sender met it down
    assert len(events) == count and {e.status for e in events} == {"done"}  # lost 0, each stored once
    assert count <= replies <= count + 4  # every callback answered; a reply in flight at the stop may go twice
