"""Wake the dispatcher and sender as soon as there is work, instead of waiting for their next poll.

In one process a threading.Event is enough; with Redis, a pub/sub message wakes every process.
Polling stays as the fallback, so a lost wake-up only delays work by one poll interval.
"""

from __future__ import annotations

import logging
import threading
import time

import redis

log = logging.getLogger(__name__)


class Signal:
    def __init__(self, name: str, redis_client: redis.Redis | None = None) -> None:
        self._event = threading.Event()
        self._channel = name
        self._redis = redis_client
        self._listening = threading.Lock()
        self._listener: threading.Thread | None = None

    def notify(self) -> None:
        self._event.set()
        if self._redis is not None:
            try:
                self._redis.publish(self._channel, "1")
            except redis.RedisError as error:
                log.warning("wake-up not published (%s); workers will poll", type(error).__name__)

    def wait(self, timeout: float) -> bool:
        if self._redis is not None and self._listener is None:
            self._start_listening()  # only processes that wait (workers) subscribe; web workers only publish
        woken = self._event.wait(timeout)
        self._event.clear()
        return woken

    def _start_listening(self) -> None:
        with self._listening:
            if self._listener is None:
                self._listener = threading.Thread(target=self._listen, name=f"listen-{self._channel}", daemon=True)
                self._listener.start()

    def _listen(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self._channel)
                for _message in pubsub.listen():
                    self._event.set()
            except redis.RedisError:
                time.sleep(1.0)  # Redis away: the workers keep polling; try again shortly
