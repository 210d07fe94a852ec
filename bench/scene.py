"""The real `scrm serve` against the local WeCom stand-in on a throwaway database, for end-to-end benches."""

from __future__ import annotations

import os
import secrets
import socket
import string
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests

from bench.servers import Database, postgres_database, sqlite_database
from bot.settings import Settings, load_settings
from scrm.db import Store, make_engine
from wecom_standin import CallbackClient, Corp, StandIn


@dataclass
class Scene:
    standin: StandIn
    database: Database
    env: dict[str, str]
    port: int

    def callbacks(self) -> CallbackClient:
        return CallbackClient(
            f"http://127.0.0.1:{self.port}/wecom/callback",
            self.env["WECOM_TOKEN"],
            self.env["WECOM_ENCODING_AES_KEY"],
            self.standin.corp.corp_id,
            attempts=1,
        )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@contextmanager
def serve_scene(
    corp: Corp,
    backend: str,
    folder: Path,
    *,
    workers: int,
    prepare: Callable[[Settings, Store], None],
    serve_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
) -> Iterator[Scene]:
    """Stand-in + migrated database + `scrm serve --workers N [serve_args]` with `extra_env` on top of the scene's
    own; `prepare` runs before it starts."""
    with ExitStack() as stack:
        standin = stack.enter_context(StandIn(corp))
        database = stack.enter_context(sqlite_database(folder) if backend == "sqlite" else postgres_database())
        alphabet = string.ascii_letters + string.digits
        env = {
            "WECOM_CORP_ID": corp.corp_id,
            "WECOM_AGENT_ID": str(corp.agent_id),
            "WECOM_AGENT_SECRET": corp.secret,
            "WECOM_TOKEN": "BenchToken",
            "WECOM_ENCODING_AES_KEY": "".join(secrets.choice(alphabet) for _ in range(43)),
            "WECOM_API_BASE": standin.url,
            "DATABASE_URL": _with_schema(database.url, database.schema),
            "REDIS_URL": "",
            "SCRM_LOG_LEVEL": "WARNING",
            "WECOM_CALLBACK_MAX_AGE": "600",
            **(extra_env or {}),
        }
        store = Store(make_engine(database.url, schema=database.schema))
        prepare(load_settings(**{k.lower(): v for k, v in env.items()}, _env_file=None), store)
        store.engine.dispose()
        port = _free_port()
        log = stack.enter_context((folder / f"serve-{backend}.log").open("w"))
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                *serve_args,
            ],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        stack.callback(stop, server)
        _wait_healthy(f"http://127.0.0.1:{port}", server)
        yield Scene(standin, database, env, port)


def stop(server: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it lingers."""
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()


def _with_schema(url: str, schema: str | None) -> str:
    return f"{url}?options={quote(f'-csearch_path={schema}')}" if schema else url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("scrm serve exited; see its log")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or a busy machine
            pass
        time.sleep(0.1)
    raise SystemExit("scrm serve did not become healthy")


def open_loop(count: int, rate: float, send: Callable[[int, float], None], *, lead: float = 0.2) -> None:
    """Call send(i, slot) at start + i/rate from a thread pool, so a slow server cannot slow the schedule."""
    from concurrent.futures import ThreadPoolExecutor

    start = time.time() + 0.5
    with ThreadPoolExecutor(max_workers=32) as pool:
        for i in range(count):
            time.sleep(max(0.0, start + i / rate - lead - time.time()))
            pool.submit(_at_slot, send, i, start + i / rate)


def _at_slot(send: Callable[[int, float], None], i: int, slot: float) -> None:
    time.sleep(max(0.0, slot - time.time()))
    send(i, slot)
