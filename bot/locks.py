"""A Redis lock per job, so that two scheduler processes do not do the same work at once.

It only saves work: the ledger makes every unit exactly-once with or without it. So a Redis that is away
does not stop the scheduler: the job runs unlocked (and the ledger sorts out any overlap).
"""

from __future__ import annotations

import contextlib
import logging

import redis
from redis.lock import Lock

log = logging.getLogger(__name__)
LOCK_SECONDS = 20  # expires on its own if the holder dies; a longer tick may overlap, which is safe


class RedisJobLock:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client, self._prefix = client, prefix
        self._held: dict[str, Lock | None] = {}

    def acquire(self, job: str) -> bool:
        lock = self._client.lock(f"{self._prefix}:lock:job:{job}", timeout=LOCK_SECONDS, blocking=False)
        try:
            if not lock.acquire():
                return False
        except redis.RedisError as error:
            log.warning("job %s: Redis lock unavailable (%s), running without it", job, type(error).__name__)
            lock = None
        self._held[job] = lock
        return True

    def release(self, job: str) -> None:
        lock = self._held.pop(job, None)
        if lock is None:
            return
        with contextlib.suppress(redis.RedisError):  # expired meanwhile (LockError), or Redis away: it expires
            lock.release()
