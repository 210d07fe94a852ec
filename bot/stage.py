"""A stage to try the bot on: the local WeCom stand-in plus the real `scrm serve` on a SQLite file.

Shared by `scrm demo` and `scrm chat`. It starts a thread and a process, so it is only built by them,
never at import, and it is no place for tests' or production's wiring (that is `bot/app.py`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import string
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlmodel import and_, col, func, or_, select
from wechatpy.session.memorystorage import MemoryStorage

from bot.migrate import upgrade
from bot.settings import load_settings
from bot.sync import Backfill
from bot.wecom import WeComClient
from scrm.clock import SystemClock
from scrm.db import Store, make_engine
from scrm.models import InboxEvent, OutboxMessage
from scrm.queue import READY
from scrm.spool import Spool
from scrm.statuses import QueueStatus
from wecom_standin import CallbackClient, Corp, StandIn, xml
from wecom_standin.callbacks import Delivery


class StageFailed(Exception):
    pass


def demo_corp() -> Corp:
    """The stand-in's sample corp (manager 王五, reps 张三 and 李四), with a third customer for 张三."""
    corp = Corp.sample()
    corp.add_customer("zhangsan", "wmDemoZhang2", "张伟", corp_name="字节跳动")
    return corp


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check: Callable[[], object], timeout: float = 15.0) -> object:
    """Poll `check` until it gives something truthy, or raise StageFailed at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise StageFailed(f"timed out waiting for {what}")


class Stage:
    def __init__(self, corp: Corp, database_url: str, log: Path) -> None:
        self.standin = StandIn(corp).start()
        alphabet = string.ascii_letters + string.digits
        self.env = {
            "WECOM_CORP_ID": corp.corp_id,
            "WECOM_AGENT_ID": str(corp.agent_id),
            "WECOM_AGENT_SECRET": corp.secret,
            "WECOM_TOKEN": "".join(secrets.choice(alphabet) for _ in range(16)),
            "WECOM_ENCODING_AES_KEY": "".join(secrets.choice(alphabet) for _ in range(43)),
            "WECOM_API_BASE": self.standin.url,
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
        }
        self.settings = load_settings(**{k.lower(): v for k, v in self.env.items()}, _env_file=None)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.store = Store(make_engine(database_url))
        self.spool = Spool.beside(self.store)
        self.server: subprocess.Popen | None = None
        self.log = log

    def sync(self) -> dict[str, int]:
        """Migrate the database, then `scrm sync` from the stand-in; returns how many of each kind."""
        upgrade(self.store.engine)
        settings = self.settings
        client = WeComClient(
            settings.wecom_corp_id,
            settings.wecom_agent_secret.get_secret_value(),
            api_base=settings.wecom_api_base,
            storage=MemoryStorage(),
        )
        report = Backfill(client, self.store, SystemClock(), progress=False).run()
        return {kind: sum(c.values()) for kind, c in report.counts.items()}

    def serve(self) -> None:
        """Start `scrm serve` (gunicorn with the dispatcher, sender and scheduler) and wait for /healthz."""
        env = {**os.environ, **self.env, "SCRM_LOG_LEVEL": "WARNING"}
        command = [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "2",
        ]  # one person chatting: the default (2 a core) only slows the start
        self.server = subprocess.Popen(command, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        wait_for("scrm serve to answer /healthz", self._healthy, timeout=30)

    def _healthy(self) -> bool:
        if self.server and self.server.poll() is not None:
            raise StageFailed("scrm serve exited:\n" + self.log.read_text()[-2000:])
        try:
            return requests.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    def callbacks(self) -> CallbackClient:
        corp = self.standin.corp
        return CallbackClient(
            f"{self.url}/wecom/callback", self.env["WECOM_TOKEN"], self.env["WECOM_ENCODING_AES_KEY"], corp.corp_id
        )

    def send_text(self, userid: str, text: str) -> Delivery:
        """What WeCom posts when member `userid` types `text` to the app."""
        corp = self.standin.corp
        return self.callbacks().send(
            xml.text_message(
                from_user=userid,
                content=text,
                agent_id=corp.agent_id,
                msg_id=secrets.randbelow(10**18),
                corp_id=corp.corp_id,
            )
        )

    def settled(self) -> bool:
        """Nothing due is left in the inbox or the outbox: every reply to what came in has reached the stand-in."""
        now = datetime.now(UTC)
        if self.spool and self.spool.waiting()[0]:  # arrived, not yet taken into the inbox
            return False
        with self.store.read() as session:
            return not any(
                session.exec(
                    select(func.count())
                    .select_from(model)
                    .where(
                        or_(
                            col(model.status) == QueueStatus.PROCESSING,
                            and_(col(model.status).in_(READY), col(model.next_try_at) <= now),
                        )
                    )
                ).one()
                for model in (InboxEvent, OutboxMessage)
            )

    def cli(self, *args: str) -> str:
        """`scrm ARGS` as an operator types it, against the stage's database."""
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **self.env, "SCRM_LOG_LEVEL": "WARNING"},
        )
        if done.returncode:
            raise StageFailed(f"scrm {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def close(self) -> None:
        if self.server:
            self.server.terminate()  # gunicorn stops its worker and scheduler children first
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.server.wait(10)
            self.server.kill()  # does nothing once it has exited
        self.store.engine.dispose()
        self.standin.stop()
