"""`scrm serve`: gunicorn in-process; each worker builds the app after the fork (no shared connections).

By default it runs everything, so one command is the whole product for a small team: the web workers only
acknowledge callbacks, and the master keeps two children running, `scrm worker` (dispatcher and sender, at a
lower CPU priority) and `scrm scheduler`. Without Redis they are woken through Unix datagrams (bot/wake.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time

from gunicorn.app.base import BaseApplication
from gunicorn.workers.sync import SyncWorker

from bot import lifeline, orphans
from bot.app import build, create_app
from bot.crypto import MAX_BODY
from bot.settings import Settings

REQUEST_DEADLINE = 1.0  # seconds from accept for the whole request to arrive (a callback is one or two packets)
MAX_REQUEST = MAX_BODY + 16 * 1024  # the body and its headers
WORKER_NICENESS = 19  # the processing child takes the CPU only when acknowledging callbacks leaves it some


class BoundedSyncWorker(SyncWorker):
    """gunicorn's sync worker (one request at a time), which first waits for the whole request to be in the
    socket's buffer, at most REQUEST_DEADLINE after accepting it: a client that stalls or trickles is dropped
    then, and holds one worker that long (the plain sync worker was held until its 30 s timeout killed it).

    Sync rather than threaded workers: at 1,000 callbacks/s on PostgreSQL the threaded worker's acks took 64 ms
    (p50) against 2.2 ms, its threads queueing for the GIL between database round trips (bench/load.py)."""

    def handle(self, listener, client, addr) -> None:
        if _arrives_whole(client, time.monotonic() + REQUEST_DEADLINE):
            super().handle(listener, client, addr)
        else:
            client.close()  # no answer: WeCom sends a callback again when it gets none


def _arrives_whole(sock: socket.socket, deadline: float) -> bool:
    """Peek (reading nothing) until the head and its Content-Length of body are buffered, or the peer closed."""
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            if not select.select([sock], [], [], remaining)[0]:
                return False
            data = sock.recv(MAX_REQUEST, socket.MSG_PEEK)
            head, blank, body = data.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:[ \t]*([0-9]{1,9})[ \t]*\r?$", head)
            if not data or len(data) >= MAX_REQUEST or (blank and len(body) >= int(length[1] if length else 0)):
                return True  # whole, gone, or too big: gunicorn and Flask answer it
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, len(data) + 1)  # select waits for more
        return False
    except OSError:
        return True  # let gunicorn meet the broken connection and deal with it as it does
    finally:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, 1)


class _Server(BaseApplication):
    def __init__(self, settings: Settings, options: dict) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        services = build(self._settings)
        if services.spool:  # what only this web process remembers is spooled again after damage, callbacks or not
            services.spool.watch()
        return create_app(services)


def _worker_gone(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # its live gauges leave the scrape; its counters stay summed


def _end_with_master(worker) -> None:
    """Without this a web worker whose master was killed went on until it next looked at its parent between
    accepts, up to half the timeout (15 s) later, holding the listening socket meanwhile."""
    lifeline.end_with(worker.ppid)


class Child:
    """A `scrm` command run as a child of the gunicorn master, started again if it dies.

    Processing (`scrm worker`) runs here rather than in the web workers, at a lower CPU priority: however
    busy the dispatcher and sender are, the web workers acknowledge callbacks (WeCom gives up after 5 s).
    The child ends with the master (`--parent`, bot/lifeline.py); the thread that starts it lives as long as
    it does, since Linux signals the child when that thread ends.
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
            self._process = start_child(
                [
                    sys.executable,
                    "-m",
                    "bot",
                    self._command,
                    "--nice",
                    str(self._niceness),
                    "--parent",
                    str(os.getpid()),
                ]
            )
            code = self._process.wait()
            # Ctrl-C and service managers signal every process of the group: the master stops too, soon.
            if self._stopped.wait(5 if code in (0, -signal.SIGTERM, -signal.SIGINT) else 0):
                return
            logging.getLogger(__name__).error("%s exited with %s; starting it again", self._command, code)
            if self._stopped.wait(5):
                return


# Held while a child starts. Python starts a child by forking and waiting on a pipe until exec closes it there;
# a process forked meanwhile by another thread without exec (gunicorn's web workers) kept the pipe open, and the
# start waited as long as that process lived: a killed worker, or the scheduler, never started again. Every
# os.fork of this process (gunicorn's included) first takes this lock, so none happens while a child starts.
_starting = threading.Lock()
os.register_at_fork(before=_starting.acquire, after_in_parent=_starting.release, after_in_child=_starting.release)


def start_child(args: list[str]) -> subprocess.Popen:
    """Start `args` from a thread while other threads may fork."""
    with _starting:
        return subprocess.Popen(args)


def run(settings: Settings, *, host: str, port: int, workers: int, background: bool) -> None:
    orphans.stop_left_behind()  # not to run beside them, nor they on the code of before an upgrade
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": f"{__name__}.{BoundedSyncWorker.__name__}",
        "timeout": 30,
        "accesslog": None,
        "loglevel": "warning",  # our own start-up line says where it listens; gunicorn's say it again
        "child_exit": _worker_gone,
        "post_worker_init": _end_with_master,
        "control_socket_disable": True,  # one path per user: two servers on a host would take each other's
    }
    logging.getLogger(__name__).info(
        "web running: http://%s:%d/wecom/callback, %d worker%s; database %s, Redis %s; %s",
        host,
        port,
        workers,
        "s" if workers > 1 else "",
        settings.database_shown,
        settings.redis_shown,
        "dispatcher, sender and scheduler in child processes" if background else "callbacks only (--web-only)",
    )
    if background:
        children = [Child("worker", niceness=WORKER_NICENESS), Child("scheduler", niceness=WORKER_NICENESS)]
        options |= {
            "when_ready": lambda _server: [c.start() for c in children],
            "on_exit": lambda _server: [c.stop() for c in children],
        }
    _Server(settings, options).run()
