"""`scrm serve`: gunicorn in-process; each worker builds the app after the fork (no shared connections).

By default it runs everything: the dispatcher and sender in the worker, and the scheduler in a child
process of the master (kept running), so one command is the whole product for a small team.
"""

from __future__ import annotations

import logging
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


def _start_background(worker) -> None:
    from bot.runner import Background

    worker.wsgi.extensions["scrm-background"] = Background(worker.wsgi.extensions["scrm"]).start()


def _worker_gone(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # its live gauges leave the scrape; its counters stay summed


def _stop_background(server, worker) -> None:
    """Let the dispatcher and sender finish what they hold before the worker goes (deploys, restarts)."""
    background = getattr(worker, "wsgi", None) and worker.wsgi.extensions.get("scrm-background")
    if background:
        background.stop()


class SchedulerChild:
    """`scrm scheduler` as a child of the gunicorn master, started again if it dies."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._stopped = threading.Event()

    def start(self, server=None) -> None:
        threading.Thread(target=self._keep_running, name="scheduler-child", daemon=True).start()

    def stop(self, server=None) -> None:
        self._stopped.set()
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def _keep_running(self) -> None:
        while not self._stopped.is_set():
            self._process = subprocess.Popen([sys.executable, "-m", "bot", "scheduler"])
            code = self._process.wait()
            if not self._stopped.is_set():
                logging.getLogger(__name__).error("scheduler exited with %s; starting it again in 5 s", code)
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
        "post_worker_init": _start_background if background else (lambda worker: None),
        "worker_exit": _stop_background,
        "child_exit": _worker_gone,
    }
    if background:
        scheduler = SchedulerChild()
        options |= {"when_ready": scheduler.start, "on_exit": scheduler.stop}
    _Server(settings, options).run()
