"""Time as a collaborator: production reads the system clock, tests freeze and advance it.

`TrustedClock` guards a long-running process (the scheduler) against a wall clock that steps: an NTP step, a VM
resumed with a stale clock, an operator's typo. See its docstring for the numbers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

log = logging.getLogger(__name__)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> datetime:
        self._at = at.astimezone(UTC)
        return self._at

    def advance(self, **delta: float) -> datetime:
        self._at += timedelta(**delta)
        return self._at


@dataclass(frozen=True)
class _Jump:
    ahead: timedelta  # how far the wall clock reads ahead of the trusted time
    since: float  # monotonic seconds at the first reading that showed it
    reading: datetime


class TrustedClock:
    """The wall clock, except a step forward that has not held yet.

    Each reading is compared with the last trusted one plus the monotonic time since (which no step moves).
    - Within `tolerance` of that: trusted. NTP slews a clock by at most 0.5 ms a second, so in the minute
      between two of the scheduler's readings the two clocks part by 30 ms at most; what is left is a step.
      A step under 2 minutes is let through: the worst it does is send a reminder that much early.
    - Further ahead: suspect. One warning; the time given is the trusted one carried on by the monotonic clock,
      so nothing of the time the wall clock shows is done early. The wall clock is followed once it has read the
      same amount ahead (within `agree`) for `confirm`: 5 minutes, three times the 100-second excursion seen
      (issue 19), and short enough that a real correction (a VM resumed with a stale clock, then set right)
      leaves 25 of the jobs' 30 grace minutes for the work it held back.
    - Behind (a step back): followed at once, logged. Work already done is in the ledger and not done again.
    A host that was suspended (the monotonic clock stops meanwhile) looks like a jump and is followed after
    the confirmation, as after downtime.

    The database's clock is no witness: on SQLite, and on PostgreSQL on the same host, it is this clock.
    A process started while its clock is wrong trusts its first reading: there is nothing to compare it with.
    """

    def __init__(
        self,
        wall: Clock,
        monotonic: Callable[[], float] = time.monotonic,
        *,
        tolerance: timedelta = timedelta(minutes=2),
        confirm: timedelta = timedelta(minutes=5),
        agree: timedelta = timedelta(seconds=10),
    ) -> None:
        self.wall, self._monotonic = wall, monotonic
        self.tolerance, self.confirm, self.agree = tolerance, confirm, agree
        self._lock = threading.Lock()  # the scheduler's threads read it at once
        self._trusted: tuple[datetime, float] | None = None  # the last trusted reading and its monotonic time
        self._jump: _Jump | None = None

    def now(self) -> datetime:
        with self._lock:
            reading, tick = self.wall.now(), self._monotonic()
            if self._trusted is None:
                return self._trust(reading, tick)
            expected = self._trusted[0] + timedelta(seconds=tick - self._trusted[1])
            ahead = reading - expected
            if ahead <= self.tolerance:
                self._came_back(reading, ahead, tick)
                return self._trust(reading, tick)
            jump = self._jump
            if jump is None or abs(ahead - jump.ahead) > self.agree:
                self._jump = _Jump(ahead, tick, reading)
                log.warning(
                    "clock: the wall clock jumped %s ahead (it reads %s, the monotonic clock says %s); "
                    "keeping the monotonic time until the jump has held for %s",
                    _span(ahead),
                    _shown(reading),
                    _shown(expected),
                    _span(self.confirm),
                )
                return expected
            if tick - jump.since < self.confirm.total_seconds():
                return expected
            log.warning(
                "clock: the jump of %s has held for %s: following the wall clock (%s)",
                _span(ahead),
                _span(self.confirm),
                _shown(reading),
            )
            self._jump = None
            return self._trust(reading, tick)

    def _came_back(self, reading: datetime, ahead: timedelta, tick: float) -> None:
        if self._jump is not None:
            log.warning(
                "clock: the wall clock is back (%s) after reading %s ahead for %d s; nothing was done for "
                "the time it showed",
                _shown(reading),
                _span(self._jump.ahead),
                tick - self._jump.since,
            )
            self._jump = None
        elif -ahead > self.tolerance:
            log.warning(
                "clock: the wall clock stepped back %s (it reads %s); following it", _span(-ahead), _shown(reading)
            )

    def _trust(self, reading: datetime, tick: float) -> datetime:
        self._trusted = (reading, tick)
        return reading


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return (f"{days}d " if days else "") + f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def _shown(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S} UTC"
