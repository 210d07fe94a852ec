"""Wake the dispatcher and sender as soon as there is work, instead of waiting for their next poll.

In one process a threading.Event is enough; with Redis, a pub/sub message wakes every process. The publish
happens on a thread of its own, never on the caller's: a callback is acknowledged without waiting for Redis
(a frozen Redis once held acks for its 2 s timeout). Many notifications while one is being published become
one more. Polling stays as the fallback, so a lost wake-up only delays work by one poll interval.
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
        self._to_publish = threading.Event()
        self._publisher: threading.Thread | None = None

    def notify(self) -> None:
        """Wake this process's waiters at once, and the other processes' soon (never blocks)."""
        self._event.set()
        if self._redis is not None:
            self._to_publish.set()
            if self._publisher is None:
                with self._listening:
                    if self._publisher is None:
                        self._publisher = threading.Thread(target=self._publish, name=f"publish-{self._channel}",
                                                           daemon=True)
                        self._publisher.start()

    def _publish(self) -> None:
        failing = False
        while True:
            self._to_publish.wait()
            self._to_publish.clear()
            try:
                self._redis.publish(self._channel, "1")
                failing = False
            except redis.RedisError as error:
                if not failing:  # once per outage, not per callback
                    log.warning("wake-up not published (%s); workers will poll", type(error).__name__)
                failing = True

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
