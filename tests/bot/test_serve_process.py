"""`scrm serve` as a real process (gunicorn, one worker, SQLite, no Redis): a client that stalls cannot hold
the callback endpoint (issue 11, finding 1: one stalled client stopped every ack for about 30 s)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import shutil
import signal
import socket
import sqlite3
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
def database_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'scrm.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _env(standin, database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WECOM_CORP_ID": standin.corp.corp_id,
        "WECOM_AGENT_ID": str(standin.corp.agent_id),
        "WECOM_AGENT_SECRET": standin.corp.secret,
        "WECOM_TOKEN": TOKEN,
        "WECOM_ENCODING_AES_KEY": AES_KEY,
        "WECOM_API_BASE": standin.url,
        "REDIS_URL": "",
        "DATABASE_URL": database_url,
        "SCRM_LOG_LEVEL": "WARNING",
        "SCRM_CACHE_DIR": str(tmp_path / "cache"),
    }


@contextlib.contextmanager
def serving(tmp_path: Path, env: dict[str, str], port: int, log_name: str = "serve.log"):
    """`scrm serve` on `port`, run from tmp_path (no stray .env); yields its base URL once /healthz answers 200."""
    log_path = tmp_path / log_name
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = Served(f"http://127.0.0.1:{port}")
    base.process = process
    try:
        deadline = time.monotonic() + 60  # a bound on start-up, polled
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("scrm serve exited:\n" + log_path.read_text()[-2000:])
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):  # not up yet, or slow on a busy host
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


@pytest.fixture
def served(tmp_path, standin, database_url):
    """`scrm serve` on a spare port; yields its base URL."""
    with serving(tmp_path, _env(standin, database_url, tmp_path), _spare_port()) as base:
        yield base


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
        wecom = CallbackClient(
            f"{served}/wecom/callback", TOKEN, AES_KEY, standin.corp.corp_id, timeout=4.5, attempts=1
        )
        statuses = [
            wecom.send(
                xml.text_message(
                    from_user="zhangsan",
                    content="帮助",
                    msg_id=str(n),
                    agent_id=standin.corp.agent_id,
                    corp_id=standin.corp.corp_id,
                )
            ).status
            for n in range(5)
        ]
    finally:
        for connection in stalled:
            connection.close()
    assert statuses == [200] * 5


def test_metrics_sum_the_workers(served, standin):
    wecom = CallbackClient(f"{served}/wecom/callback", TOKEN, AES_KEY, standin.corp.corp_id)
    for n in range(3):
        wecom.send(
            xml.text_message(
                from_user="zhangsan",
                content="帮助",
                msg_id=str(n),
                agent_id=standin.corp.agent_id,
                corp_id=standin.corp.corp_id,
            )
        )
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
        statuses = [
            wecom.send(
                xml.text_message(
                    from_user="zhangsan",
                    content="今天跟进谁",
                    msg_id=f"f{n}",
                    agent_id=standin.corp.agent_id,
                    corp_id=standin.corp.corp_id,
                )
            ).status
            for n in range(5)
        ]
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
    statuses = [
        wecom.send(
            xml.text_message(
                from_user="zhangsan",
                content="帮助",
                msg_id=f"w{n}",
                agent_id=standin.corp.agent_id,
                corp_id=standin.corp.corp_id,
            )
        ).status
        for n in range(6)
    ]
    assert statuses == [200] * 6


def _descendants(pid: int) -> dict[int, str]:
    """pid -> command line of every process under `pid`: its children, theirs, and so on."""
    found, parents = {}, [pid]
    while parents:
        children = _children(parents.pop())
        found |= children
        parents.extend(children)
    return found


def _all_up(master: subprocess.Popen) -> dict[int, str]:
    """The master's processes once all its web workers are forked (`scrm serve`'s default: 2 a core) and its
    worker and scheduler children have started (they lower their priority once their options are read)."""
    deadline = time.monotonic() + 60
    while True:
        family = _descendants(master.pid)
        web = [pid for pid, command in family.items() if " bot serve " in command]
        children = [pid for pid, command in family.items() if " bot worker " in command or " bot scheduler " in command]
        with contextlib.suppress(OSError):  # a child that has just left
            if (
                len(web) == min(64, 2 * (os.cpu_count() or 1))
                and len(children) == 2
                and all(
                    os.getpriority(os.PRIO_PROCESS, pid) > os.getpriority(os.PRIO_PROCESS, master.pid)
                    for pid in children
                )
            ):
                return family
        assert time.monotonic() < deadline, f"not all up: {family}"
        process_wait(master, 0.1)


def test_a_master_killed_with_sigkill_leaves_no_process_behind(served, standin, tmp_path, database_url):
    """Issue 19, finding 8: a `scrm serve` killed with SIGKILL left its worker and scheduler running (parent 1),
    still processing, and its web workers holding the port until they next looked at their parent; the next
    `scrm serve` then ran a second pair beside the first."""
    master = served.process
    family = _all_up(master)
    # Each pidfd names its process for good: a pid reused meanwhile (pid_max may be 32768) cannot pass for it.
    pidfds = {os.pidfd_open(pid): pid for pid in family}
    waiting = dict(pidfds)
    try:
        # When the master is killed outright
        killed = time.monotonic()
        master.kill()
        master.wait(30)
        # Then every process it started ends (a pidfd turns readable when its process has ended)
        ended, deadline = {}, killed + 30
        while waiting and (remaining := deadline - time.monotonic()) > 0:
            for fd in select.select(list(waiting), [], [], remaining)[0]:
                ended[waiting.pop(fd)] = time.monotonic() - killed
        print(
            "ended after the master's SIGKILL:",
            {
                family[pid].split(" bot ")[1].split()[0] + f" {pid}": f"{seconds:.2f} s"
                for pid, seconds in ended.items()
            },
        )
        assert not waiting, f"left running after the master's SIGKILL: {[family[p] for p in waiting.values()]}"
    finally:
        for fd in waiting:  # this test's processes: do not leave them to the machine
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(fd, signal.SIGKILL)
        for fd in pidfds:
            os.close(fd)
    # And a new `scrm serve` on the same port starts, answers, and its own worker handles the callback
    port = int(served.rpartition(":")[2])
    with serving(tmp_path, _env(standin, database_url, tmp_path), port, "serve-again.log") as again:
        wecom = CallbackClient(f"{again}/wecom/callback", TOKEN, AES_KEY, standin.corp.corp_id, attempts=1)
        assert (
            wecom.send(
                xml.text_message(
                    from_user="zhangsan",
                    content="帮助",
                    msg_id="again",
                    agent_id=standin.corp.agent_id,
                    corp_id=standin.corp.corp_id,
                )
            ).status
            == 200
        )
        deadline = time.monotonic() + 30
        while not standin.delivered("app") and time.monotonic() < deadline:
            process_wait(again.process, 0.1)
        assert [m.recipients for m in standin.delivered("app")] == [["zhangsan"]]


ORPHAN = """
import subprocess, sys
with open(sys.argv[1], "w") as log:
    print(subprocess.Popen(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT).pid)
"""


def _orphan(argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> int:
    """Start argv under a process that then exits at once, as a killed master leaves its children; its pid."""
    launcher = subprocess.run(
        [sys.executable, "-c", ORPHAN, str(log), *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(launcher.stdout)


def test_serve_stops_the_pair_an_older_serve_left_running(tmp_path, standin, database_url):
    """A worker and a scheduler left running by a `scrm serve` from before children ended with their master
    (started as it started them, orphaned) are stopped by the next `scrm serve` started from the same directory
    on the same database, which says so; one left by a `scrm serve` of another database is not touched."""
    shutil.copy(tmp_path / "scrm.db", tmp_path / "other.db")
    pidfds, logs = {}, {}
    try:
        for name, database in (("worker", "scrm.db"), ("scheduler", "scrm.db"), ("other", "other.db")):
            # What an older `scrm serve` gave its children: its environment, with the folders it made.
            folders = {
                "SCRM_WAKE_DIR": tmp_path / f"{name}-wake",
                "PROMETHEUS_MULTIPROC_DIR": tmp_path / f"{name}-metrics",
            }
            for folder in folders.values():
                folder.mkdir()
            env = (
                _env(standin, f"sqlite:///{tmp_path / database}", tmp_path)
                | {"SCRM_LOG_LEVEL": "INFO"}
                | {key: str(folder) for key, folder in folders.items()}
            )
            command = "scheduler" if name == "scheduler" else "worker"
            logs[name] = tmp_path / f"{name}.log"
            pid = _orphan([sys.executable, "-m", "bot", command, "--nice", "19"], env, tmp_path, logs[name])
            pidfds[name] = os.pidfd_open(pid), pid  # names the process for good, whatever pids are reused
        deadline = time.monotonic() + 60
        for name, line in (
            ("worker", "dispatcher running"),
            ("scheduler", "scheduler running"),
            ("other", "dispatcher running"),
        ):
            while line not in logs[name].read_text():
                assert time.monotonic() < deadline, f"{name} did not start:\n{logs[name].read_text()[-2000:]}"
                select.select([pidfds[name][0]], [], [], 0.1)  # a bounded pause, cut short if it dies
            assert not select.select([pidfds[name][0]], [], [], 0)[0], f"{name} died:\n{logs[name].read_text()}"
        # When a new `scrm serve` starts here on the first database
        with serving(tmp_path, _env(standin, database_url, tmp_path), _spare_port()) as base:
            # Then the pair is gone (each pidfd readable) and the log names it; the other database's worker runs on
            left = [pidfds["worker"][0], pidfds["scheduler"][0]]
            assert sorted(select.select(left, [], [], 30)[0]) == sorted(left), "the old pair still runs"
            assert not select.select([pidfds["other"][0]], [], [], 0)[0], "another database's worker was stopped"
            said = (tmp_path / "serve.log").read_text()
            assert "left running by an earlier scrm serve started here" in said
            assert f"worker pid {pidfds['worker'][1]}" in said and f"scheduler pid {pidfds['scheduler'][1]}" in said
            # And the new serve's own pair handles callbacks, each once
            wecom = CallbackClient(f"{base}/wecom/callback", TOKEN, AES_KEY, standin.corp.corp_id, attempts=1)
            delivery = wecom.send(
                xml.text_message(
                    from_user="zhangsan",
                    content="帮助",
                    msg_id="after",
                    agent_id=standin.corp.agent_id,
                    corp_id=standin.corp.corp_id,
                )
            )
            assert delivery.status == 200
            deadline = time.monotonic() + 30
            while not standin.delivered("app") and time.monotonic() < deadline:
                process_wait(base.process, 0.1)
            assert [m.recipients for m in standin.delivered("app")] == [["zhangsan"]]
    finally:
        for fd, _pid in pidfds.values():  # this test's processes: do not leave them to the machine
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(fd, signal.SIGKILL)
            os.close(fd)


# A damaged spool while callbacks keep coming, each sent again until acknowledged as WeCom does: every acknowledged
# callback reaches the inbox (issue 19, finding 2: truncating the spool lost 543 acknowledged callbacks, overwriting
# its last 8 KB 247, and deleting it then killing the worker all 248 that came after).

SPOOLED_CALLBACKS = 150  # a third before the damage, the rest after
SPOOL_WAIT = 120  # seconds: a bound on the outcomes polled for, on a busy machine


def damage_spool(path: str, how: str, master: int) -> None:
    if how == "truncated":
        os.truncate(path, 0)
    elif how == "overwritten":
        with open(path, "r+b") as file:
            file.seek(-min(8192, os.path.getsize(path)), os.SEEK_END)
            file.write(os.urandom(min(8192, os.path.getsize(path))))
    else:  # deleted, then the worker killed: the new one opens the path
        os.remove(path)
        worker = next(pid for pid, command in _children(master).items() if " bot worker " in command)
        os.kill(worker, signal.SIGKILL)


def in_inbox(database: str) -> set[str]:
    connection = sqlite3.connect(database)
    try:
        return {row[0] for row in connection.execute("SELECT json_extract(payload, '$.MsgId') FROM inbox_event")}
    finally:
        connection.close()


def _spool_files_held(master: int) -> dict[str, list[str]]:
    """What each child of the master has open of the spool, and its state (to tell a stuck worker apart)."""
    held = {}
    for pid, command in _children(master).items():
        with contextlib.suppress(OSError):
            fds = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
            held[f"{pid} {command.split(' bot ')[-1][:20]} {state}"] = [Path(f).name for f in fds if "spool" in f]
    return held


@pytest.mark.timeout(600)  # a busy machine: the callbacks are many and each waits for its ack
@pytest.mark.parametrize("how", ["truncated", "overwritten", "deleted, then the worker killed"])
def test_a_damaged_spool_loses_no_acknowledged_callback(served, standin, tmp_path, how):
    wecom = CallbackClient(f"{served}/wecom/callback", TOKEN, AES_KEY, standin.corp.corp_id, timeout=4.5, attempts=1)
    acknowledged, refused = [], 0
    for n in range(SPOOLED_CALLBACKS):
        if n == SPOOLED_CALLBACKS // 3:
            damage_spool(str(tmp_path / "scrm.db-spool"), how, served.process.pid)
        message = xml.text_message(
            from_user="zhangsan",
            content=f"备注 {n}",
            msg_id=str(7_000_000 + n),
            agent_id=standin.corp.agent_id,
            corp_id=standin.corp.corp_id,
        )
        deadline = time.monotonic() + SPOOL_WAIT
        while (status := wecom.send(message).status) != 200:  # WeCom sends it again
            refused += 1
            assert time.monotonic() < deadline, f"callback {n} refused for {SPOOL_WAIT} s (last {status})"
            process_wait(served.process, 0.2)
        acknowledged.append(str(7_000_000 + n))

    deadline = time.monotonic() + SPOOL_WAIT
    while missing := set(acknowledged) - in_inbox(str(tmp_path / "scrm.db")):
        assert time.monotonic() < deadline, (
            f"{len(missing)} acknowledged callbacks never reached the inbox; files {sorted(os.listdir(tmp_path))}; "
            f"children {_spool_files_held(served.process.pid)}; the server said:\n"
            + (tmp_path / "serve.log").read_text()[-4000:]
        )
        process_wait(served.process, 0.5)
    health = requests.get(f"{served}/healthz", timeout=10)
    assert health.status_code == 200 and health.headers["Content-Type"] == "application/json"
    assert any("spool damaged before" in problem for problem in health.json()["problems"])
    print(f"\n{how}: {len(acknowledged)} acknowledged, {refused} refused and sent again, 0 lost")
