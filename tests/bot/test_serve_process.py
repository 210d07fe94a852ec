"""`scrm serve` as a real process (gunicorn, one worker, SQLite, no Redis): a client that stalls cannot hold
the callback endpoint (issue 11, finding 1: one stalled client stopped every ack for about 30 s)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot.migrate import upgrade
from scrm.clock import SystemClock
from scrm.db import make_engine
from tests.conftest import AES_KEY, TOKEN, running_standin
from wecom_standin import CallbackClient, Corp, xml


@pytest.fixture
def standin():
    clock = SystemClock()  # a real process: real time
    yield from running_standin(Corp.sample(), clock)


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served(str):
    """The server's base URL, and its process."""

    process: subprocess.Popen


@pytest.fixture
def served(tmp_path, standin):
    """`scrm serve` on a spare port; yields its base URL."""
    url = f"sqlite:///{tmp_path / 'scrm.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    port = _spare_port()
    env = {**os.environ, "WECOM_CORP_ID": standin.corp.corp_id, "WECOM_AGENT_ID": str(standin.corp.agent_id),
           "WECOM_AGENT_SECRET": standin.corp.secret, "WECOM_TOKEN": TOKEN, "WECOM_ENCODING_AES_KEY": AES_KEY,
           "WECOM_API_BASE": standin.url, "REDIS_URL": "", "DATABASE_URL": url, "SCRM_LOG_LEVEL": "WARNING",
           "SCRM_CACHE_DIR": str(tmp_path / "cache")}
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    base = Served(f"http://127.0.0.1:{port}")
    base.process = process
    try:
        deadline = time.monotonic() + 60  # a bound on start-up, polled
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("scrm serve exited:\n" + (tmp_path / "serve.log").read_text()[-2000:])
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):  # not up, or a busy machine
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            process_wait(process, 0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def process_wait(process: subprocess.Popen, seconds: float) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=seconds)  # returns at once if it died


STALLS = {
    "a body that never comes": b"POST /wecom/callback?msg_signature=x&timestamp=1&nonce=1 HTTP/1.1\r\nHost: x\r\n"
                               b"Content-Type: text/xml\r\nContent-Length: 2000\r\n\r\n<xml>",
    "headers that never end": b"POST /wecom/callback?msg_signature=x&timestamp=1&nonce=1 HTTP/1.1\r\nHost: x\r\n",
    "a body that never comes, its length not the last header": b"POST /wecom/callback?msg_signature=x&timestamp=1"
    b"&nonce=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\nContent-Type: text/xml\r\n\r\n<xml>",
}


@pytest.mark.parametrize("stall", STALLS)
@pytest.mark.parametrize("clients", [1, 4])  # each holds one of the 2 web workers for 1 s at most
def test_stalled_clients_do_not_hold_other_callbacks(served, standin, stall, clients):
    host, port = served.removeprefix("http://").split(":")
    stalled = [socket.create_connection((host, int(port))) for _ in range(clients)]
    try:
        for connection in stalled:
            connection.sendall(STALLS[stall])
        # WeCom gives up after 5 s and sends again; here no retry: each must be answered within that time.
        wecom = CallbackClient(f"{served}/wecom/callback", TOKEN, AES_KEY, standin.corp.corp_id, timeout=4.5,
                               attempts=1)
        statuses = [wecom.send(xml.text_message(from_user="zhangsan", content="帮助", msg_id=str(n),
                                                agent_id=standin.corp.agent_id, corp_id=standin.corp.corp_id)).status
                    for n in range(5)]
    finally:
        for connection in stalled:
            connection.close()
    assert statuses == [200] * 5


def test_metrics_sum_the_workers(served, standin):
    wecom = CallbackClient(f"{served}/wecom/callback", TOKEN, AES_KEY, standin.corp.corp_id)
    for n in range(3):
        wecom.send(xml.text_message(from_user="zhangsan", content="帮助", msg_id=str(n), agent_id=standin.corp.agent_id,
                                    corp_id=standin.corp.corp_id))
    page = requests.get(f"{served}/metrics", timeout=5).text
    assert 'scrm_callbacks_total{status="200"} 3.0' in page  # from the worker's file (multiprocess mode)
    assert "scrm_queue_rows" in page


def _children(pid: int) -> dict[int, str]:
    """pid -> command line of the processes whose parent is `pid`."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                proc = Path("/proc", entry)
                if int((proc / "stat").read_text().rpartition(")")[2].split()[1]) == pid:
                    found[int(entry)] = (proc / "cmdline").read_text().replace("\0", " ")
    return found


def test_acks_go_on_while_processing_is_frozen(served, standin, tmp_path):
    """Processing runs in its own process at a lower priority (issue 11, finding 9: on the default single
    process, text messages saturated the pipeline and callbacks then waited up to 5.9 s for their ack)."""
    master = served.process.pid
    worker = next(pid for pid, command in _children(master).items() if " bot worker " in command)
    deadline = time.monotonic() + 30  # the child lowers its own priority as it starts
    while os.getpriority(os.PRIO_PROCESS, worker) <= os.getpriority(os.PRIO_PROCESS, master):
        assert time.monotonic() < deadline, "the worker child runs at the web's priority"
        process_wait(served.process, 0.1)
    wecom = CallbackClient(f"{served}/wecom/callback", TOKEN, AES_KEY, standin.corp.corp_id, timeout=4.5, attempts=1)
    os.kill(worker, signal.SIGSTOP)
    try:
        while _holds_write_turn(tmp_path / "scrm.db-spool"):  # caught pruning the spool: let it finish
            os.kill(worker, signal.SIGCONT)
            os.kill(worker, signal.SIGSTOP)
        statuses = [wecom.send(xml.text_message(from_user="zhangsan", content="今天跟进谁", msg_id=f"f{n}",
                                                agent_id=standin.corp.agent_id, corp_id=standin.corp.corp_id)).status
                    for n in range(5)]
        assert statuses == [200] * 5
        assert not standin.delivered("app")  # nothing handled while frozen
    finally:
        os.kill(worker, signal.SIGCONT)
    deadline = time.monotonic() + 30
    while len(standin.delivered("app")) < 5 and time.monotonic() < deadline:
        process_wait(served.process, 0.1)
    assert len(standin.delivered("app")) == 5  # each answered once, after


def _holds_write_turn(database) -> bool:
    with open(f"{database}-writers", "a+") as turns:
        try:
            fcntl.flock(turns, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(turns, fcntl.LOCK_UN)
        return False


def test_a_web_worker_that_exits_leaves_the_others_answering(served, standin):
    """A web worker leaving (deploy, its timeout) once deleted the metrics and wake-up folders for all: the
    callbacks after it were answered 500."""
    master = served.process.pid
    web = [pid for pid, command in _children(master).items() if " bot serve " in command]
    os.kill(web[0], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while web[0] in _children(master) or len([c for c in _children(master).values() if " bot serve " in c]) < 2:
        assert time.monotonic() < deadline, "gunicorn did not replace the worker"
        process_wait(served.process, 0.1)
    wecom = CallbackClient(f"{served}/wecom/callback", TOKEN, AES_KEY, standin.corp.corp_id, attempts=1)
    statuses = [wecom.send(xml.text_message(from_user="zhangsan", content="帮助", msg_id=f"w{n}",
                                            agent_id=standin.corp.agent_id, corp_id=standin.corp.corp_id)).status
                for n in range(6)]
    assert statuses == [200] * 6
