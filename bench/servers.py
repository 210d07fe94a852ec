"""The real WSGI server (gunicorn, sync workers) and throwaway databases, each cleaned up on exit."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.migrate import upgrade
from scrm import queue
from scrm.db import Store, make_engine
from scrm.spool import Spool

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("SCRM_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass(frozen=True)
class Database:
    url: str
    schema: str | None = None

    def inbox(self) -> dict[str, int]:
        """dedup_key -> deliveries of every inbox row (on SQLite, after moving in what the spool holds)."""
        engine = make_engine(self.url, schema=self.schema)
        spool = Spool.beside(Store(engine))
        if spool:
            queue.drain(lambda: spool.move_into(datetime.now(UTC)), rounds=10_000)
            spool.close()
        try:
            with engine.connect() as connection:
                return dict(connection.execute(text("SELECT dedup_key, deliveries FROM inbox_event")).all())
        finally:
            engine.dispose()


@contextmanager
def sqlite_database(folder: Path) -> Iterator[Database]:
    path = folder / f"bench-{secrets.token_hex(4)}.db"
    database = Database(f"sqlite:///{path}")
    _migrate(database)
    try:
        yield database
    finally:
        for file in (path, *path.parent.glob(f"{path.name}-*")):  # -wal, -shm, -spool and the like
            file.unlink(missing_ok=True)


@contextmanager
def postgres_database(url: str = POSTGRES_URL) -> Iterator[Database]:
    """A fresh schema `bench_<random>` on the shared server, dropped at the end."""
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            database = Database(url, schema)
            _migrate(database)
            yield database
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def _migrate(database: Database) -> None:
    engine = make_engine(database.url, schema=database.schema)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    log: Path
    timings: Path  # per-worker totals (bench/timing.py)
    group: int  # the process group of master and workers

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@contextmanager
def gunicorn(app: str, *, workers: int, env: dict[str, str], ready_timeout: float = 60.0) -> Iterator[Server]:
    """Run `gunicorn APP` with `workers` sync workers on a free loopback port until the block ends."""
    with tempfile.TemporaryDirectory(prefix="bench-gunicorn-") as folder:
        ready, timings, log = Path(folder) / "ready", Path(folder) / "timings", Path(folder) / "gunicorn.log"
        ready.mkdir()
        timings.mkdir()
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            app,
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                env={**os.environ, **env, "BENCH_READY_DIR": str(ready), "BENCH_TIMINGS_DIR": str(timings)},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_ready(process, ready, workers, ready_timeout, log)
            yield Server("127.0.0.1", port, log, timings, process.pid)
        finally:
            _stop(process)


def _wait_ready(process: subprocess.Popen, ready: Path, workers: int, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while len(list(ready.iterdir())) < workers:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the server's own process group (master and workers), SIGKILL it if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
    with contextlib.suppress(ProcessLookupError):  # workers orphaned by a killed master
        os.killpg(process.pid, signal.SIGKILL)
