"""A controllable clock for the stand-in's time windows (token expiry, welcome codes, rate limits)."""

from __future__ import annotations

import threading


class FakeClock:
    """Callable returning epoch seconds; moves only when told to."""

    def __init__(self, start: float = 1763880000.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, epoch: float) -> None:
        with self._lock:
            self._now = float(epoch)
