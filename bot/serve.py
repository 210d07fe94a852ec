"""`scrm serve`: gunicorn in-process; each worker builds the app after the fork (no shared connections).

By default it runs everything, so one command is the whole product for a small team: the web workers only
acknowledge callbacks, and the master keeps two children running, `scrm worker` (dispatcher and sender, at a
lower CPU priority) and `scrm scheduler`. Without Redis they are woken through Unix datagrams (bot/wake.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import threading

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from bot.app import build, create_app
from bot.settings import Settings
from handlers.parsing import warm_up
from handlers.parsing.tokens import cache_dir

CLIENT_READ_TIMEOUT = 5  # seconds a client may pause mid-request: WeCom itself gives up after 5 s
THREADS = 8  # requests a worker serves at once
WORKER_NICENESS = 5  # the processing child yields the CPU to acknowledging callbacks


class BoundedThreadWorker(ThreadWorker):
    """gunicorn's threaded worker, with a receive timeout on every client socket (SO_RCVTIMEO, so it holds
    whatever blocking mode gunicorn sets): a client that stalls mid-request is dropped after
    CLIENT_READ_TIMEOUT and holds one thread meanwhile, not the worker (the sync worker was held until its
    30 s timeout killed it, and the dispatcher and sender threads with it)."""

    def enqueue_req(self, conn) -> None:
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", CLIENT_READ_TIMEOUT, 0))
        super().enqueue_req(conn)


class _Server(BaseApplication):
    def __init__(self, settings: Settings, options: dict) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app(build(self._settings))


def _worker_gone(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # its live gauges leave the scrape; its counters stay summed


class Child:
    """A `scrm` command run as a child of the gunicorn master, started again if it dies.

    Processing (`scrm worker`) runs here rather than in the web workers, at a lower CPU priority: however
    busy the dispatcher and sender are, the web workers acknowledge callbacks (WeCom gives up after 5 s).
    """

    def __init__(self, command: str, *, niceness: int = 0) -> None:
        self._command, self._niceness = command, niceness
        self._process: subprocess.Popen | None = None
        self._stopped = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._keep_running, name=f"{self._command}-child", daemon=True).start()

    def stop(self) -> None:
        """SIGTERM: a worker finishes the message in hand first."""
        self._stopped.set()
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def _keep_running(self) -> None:
        while not self._stopped.is_set():
            self._process = subprocess.Popen([sys.executable, "-m", "bot", self._command])
            if self._niceness:
                with contextlib.suppress(ProcessLookupError):  # gone already: its exit is handled below
                    os.setpriority(os.PRIO_PROCESS, self._process.pid, self._niceness)
            code = self._process.wait()
            if code in (0, -signal.SIGTERM, -signal.SIGINT):  # asked to stop (Ctrl-C and service managers
                return  # signal every process of the group)
            if not self._stopped.is_set():
                logging.getLogger(__name__).error("%s exited with %s; starting it again in 5 s", self._command, code)
                self._stopped.wait(5)


def run(settings: Settings, *, host: str, port: int, workers: int, background: bool) -> None:
    warm_up(cache_dir(settings.scrm_cache_dir))  # jieba's dictionary and the time model, once, before the fork: workers share them
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": f"{__name__}.{BoundedThreadWorker.__name__}",
        "threads": THREADS,
        "timeout": 30,
        "accesslog": None,
        "loglevel": "warning",  # our own start-up line says where it listens; gunicorn's say it again
        "child_exit": _worker_gone,
        "control_socket_disable": True,  # one path per user: two servers on a host would take each other's
    }
    logging.getLogger(__name__).info(
        "web running: http://%s:%d/wecom/callback, %d worker%s × %d threads; database %s, Redis %s; %s", host, port,
        workers, "s" if workers > 1 else "", THREADS, settings.database_shown, settings.redis_shown,
        "dispatcher, sender and scheduler in child processes" if background else "callbacks only (--web-only)")
    if background:
        children = [Child("worker", niceness=WORKER_NICENESS), Child("scheduler")]
        options |= {"when_ready": lambda _server: [c.start() for c in children],
                    "on_exit": lambda _server: [c.stop() for c in children]}
    _Server(settings, options).run()
