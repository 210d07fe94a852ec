"""Sliding-window counters for the silent and loud WeCom rate limits."""

from __future__ import annotations

from collections import defaultdict, deque

APP_PER_MEMBER = ((60, 30), (3600, 1000))  # message/send: silently dropped above these
WEBHOOK_PER_KEY = ((60, 20),)  # webhook/send: 45009 above this (assumed code)


class Windows:
    """Per-key timestamp logs; `allows` checks every (span, max) rule."""

    def __init__(self, rules: tuple[tuple[int, int], ...]) -> None:
        self.rules = rules
        self.horizon = max(span for span, _ in rules)
        self._log: dict[str, deque[float]] = defaultdict(deque)

    def _prune(self, key: str, now: float) -> deque[float]:
        log = self._log[key]
        while log and log[0] <= now - self.horizon:
            log.popleft()
        return log

    def allows(self, key: str, now: float) -> bool:
        log = self._prune(key, now)
        return all(sum(1 for t in log if t > now - span) < limit for span, limit in self.rules)

    def add(self, key: str, now: float) -> None:
        self._prune(key, now).append(now)

    def clear(self) -> None:
        self._log.clear()
