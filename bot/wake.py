"""Wake the dispatcher and sender as soon as there is work, instead of waiting for their next poll.

In one process a threading.Event is enough. Across processes a notification travels by Redis pub/sub when
Redis is configured (every process, every host), else by a datagram on a Unix socket in a directory the
processes share (`scrm serve` makes one for its web workers and its worker child; one process listens).
Neither ever blocks the caller: a Redis publish happens on a thread of its own (a frozen Redis once held
acks for its 2 s timeout), a datagram is sent without waiting and dropped when the listener is busy or
gone. A process publishes at most one wake-up every PUBLISH_EVERY: at a thousand callbacks a second a publish
each cost the web workers CPU that acks need, and a worker woken 20 ms ago is still awake. Polling stays as the
fallback, so a lost wake-up only delays work by one poll interval.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from pathlib import Path

import redis

log = logging.getLogger(__name__)
PUBLISH_EVERY = 0.02  # seconds: at most one wake-up a process in this time (a publish a callback cost acks CPU)


class Signal:
    def __init__(self, name: str, redis_client: redis.Redis | None = None, *, local_dir: Path | None = None) -> None:
        self._event = threading.Event()
        self.heard_at = float("-inf")  # time.monotonic() of the last notification heard here (callbacks arriving)
        self._channel = name
        self._redis = redis_client
        self._address = str(local_dir / f"{name.rpartition(':')[2]}.sock") if local_dir and not redis_client else None
        self._sender: socket.socket | None = None
        self._listening = threading.Lock()
        self._listener: threading.Thread | None = None
        self._to_publish = threading.Event()
        self._publisher: threading.Thread | None = None

    def notify(self) -> None:
        """Wake this process's waiters at once, and the other processes' soon (never blocks)."""
        self._heard()
        if self._redis is not None:
            self._to_publish.set()
            if self._publisher is None:
                with self._listening:
                    if self._publisher is None:
                        self._publisher = threading.Thread(
                            target=self._publish, name=f"publish-{self._channel}", daemon=True
                        )
                        self._publisher.start()
        elif self._address is not None:
            self._send_datagram()

    def _send_datagram(self) -> None:
        if self._sender is None:
            self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._sender.setblocking(False)
        # Nobody listening yet, or its queue is full (it is awake anyway): dropped, the poll covers it.
        with contextlib.suppress(OSError):
            self._sender.sendto(b"1", self._address)

    def _publish(self) -> None:
        failing = False
        while True:
            self._to_publish.wait()
            self._to_publish.clear()
            try:
                self._redis.publish(self._channel, "1")
                failing = False
                time.sleep(PUBLISH_EVERY)  # the notifications meanwhile go out together, in the next publish
            except redis.RedisError as error:
                if not failing:  # once per outage, not per callback
                    log.warning("wake-up not published (%s); workers will poll", type(error).__name__)
                failing = True

    def wake_here(self) -> None:
        """Wake this process's waiters only (to stop them): no callback came, so nobody else is told."""
        self._event.set()

    def _heard(self) -> None:
        self.heard_at = time.monotonic()
        self._event.set()

    def wait(self, timeout: float) -> bool:
        self.listen()
        woken = self._event.wait(timeout)
        self._event.clear()
        return woken

    def listen(self) -> None:
        """Hear other processes' notifications from now on (workers do; web processes only notify)."""
        if (self._redis is None and self._address is None) or self._listener is not None:
            return
        with self._listening:
            if self._listener is None:
                target = self._listen_redis if self._redis is not None else self._listen_local
                self._listener = threading.Thread(target=target, name=f"listen-{self._channel}", daemon=True)
                self._listener.start()

    def _listen_redis(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self._channel)
                for _message in pubsub.listen():
                    self._heard()
            except redis.RedisError:
                time.sleep(1.0)  # Redis away: the workers keep polling; try again shortly

    def _listen_local(self) -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._address)  # left by a listener that died; the newest listener wins
            try:
                listener.bind(self._address)
            except OSError as error:
                log.warning("wake-ups not received (%s); polling", type(error).__name__)
                return
            while True:
                listener.recv(64)
                self._heard()
