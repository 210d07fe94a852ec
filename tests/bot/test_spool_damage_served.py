"""A real `scrm serve` (SQLite, gunicorn, worker and scheduler children) whose spool is damaged while callbacks
keep coming, each sent again until acknowledged as WeCom does: every acknowledged callback reaches the inbox
(issue 19, finding 2: truncating the spool lost 543 acknowledged callbacks, overwriting its last 8 KB 247, and
deleting it then killing the worker all 248 that came after)."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest
import requests

from tests.bot.test_serve_process import _children, process_wait, served, standin  # noqa: F401 (fixtures)
from tests.conftest import AES_KEY, TOKEN
from wecom_standin import CallbackClient, xml

CALLBACKS = 150  # a third before the damage, the rest after
WAIT = 120  # seconds: a bound on the outcomes polled for, on a busy machine


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


@pytest.mark.timeout(600)  # a busy machine: the callbacks are many and each waits for its ack
@pytest.mark.parametrize("how", ["truncated", "overwritten", "deleted, then the worker killed"])
def test_a_damaged_spool_loses_no_acknowledged_callback(served, standin, tmp_path, how):  # noqa: F811
    wecom = CallbackClient(f"{served}/wecom/callback", TOKEN, AES_KEY, standin.corp.corp_id, timeout=4.5, attempts=1)
    acknowledged, refused = [], 0
    for n in range(CALLBACKS):
        if n == CALLBACKS // 3:
            damage_spool(str(tmp_path / "scrm.db-spool"), how, served.process.pid)
        message = xml.text_message(
            from_user="zhangsan",
            content=f"备注 {n}",
            msg_id=str(7_000_000 + n),
            agent_id=standin.corp.agent_id,
            corp_id=standin.corp.corp_id,
        )
        deadline = time.monotonic() + WAIT
        while (status := wecom.send(message).status) != 200:  # WeCom sends it again
            refused += 1
            assert time.monotonic() < deadline, f"callback {n} refused for {WAIT} s (last {status})"
            process_wait(served.process, 0.2)
        acknowledged.append(str(7_000_000 + n))

    deadline = time.monotonic() + WAIT
    while missing := set(acknowledged) - in_inbox(str(tmp_path / "scrm.db")):
        assert time.monotonic() < deadline, f"{len(missing)} acknowledged callbacks never reached the inbox"
        process_wait(served.process, 0.5)
    health = requests.get(f"{served}/healthz", timeout=10)
    assert health.status_code == 200 and health.headers["Content-Type"] == "application/json"
    assert any("spool damaged before" in problem for problem in health.json()["problems"])
    print(f"\n{how}: {len(acknowledged)} acknowledged, {refused} refused and sent again, 0 lost")
