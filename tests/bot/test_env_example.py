"""`.env.example` copied to `.env` and filled with nothing works: `scrm db upgrade`, then `scrm serve` takes an
encrypted callback signed with the example's token and key, and the bot answers through the stand-in (issue
12: its own placeholder token used to fail validation)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from dotenv import dotenv_values

from scrm.clock import SystemClock
from tests.conftest import running_standin
from wecom_standin import CallbackClient, Corp, xml

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def test_env_example_copied_as_it_is_runs_the_server(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / ".env")
    example = dotenv_values(EXAMPLE)
    corp = Corp.sample()  # the stand-in plays the corp the example's placeholders describe
    corp.corp_id, corp.agent_id, corp.secret = (
        example["WECOM_CORP_ID"],
        int(example["WECOM_AGENT_ID"]),
        example["WECOM_AGENT_SECRET"],
    )
    with contextlib.ExitStack() as stack:
        standin = stack.enter_context(contextlib.contextmanager(running_standin)(corp, SystemClock()))
        # Only where WeCom is: the local stand-in instead of qyapi.weixin.qq.com.
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "WECOM_API_BASE": standin.url}
        upgrade = subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert upgrade.returncode == 0, upgrade.stderr
        port = _spare_port()
        log = stack.enter_context((tmp_path / "serve.log").open("w"))
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        stack.callback(_stop, server)
        _wait_healthy(f"http://127.0.0.1:{port}", server, tmp_path / "serve.log")
        wecom = CallbackClient(
            f"http://127.0.0.1:{port}/wecom/callback",
            example["WECOM_TOKEN"],
            example["WECOM_ENCODING_AES_KEY"],
            corp.corp_id,
        )
        delivery = wecom.send(
            xml.text_message(from_user="zhangsan", content="帮助", agent_id=corp.agent_id, corp_id=corp.corp_id)
        )
        assert delivery.status == 200
        deadline = time.monotonic() + 30
        while not standin.delivered("app") and time.monotonic() < deadline and server.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(0.1)
        assert [m.recipients for m in standin.delivered("app")] == [["zhangsan"]]
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()[-2000:]
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(0.1)
    raise AssertionError("scrm serve did not become healthy:\n" + log.read_text()[-2000:])


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
