"""Background loops: the dispatcher and the sender, each woken at once when there is work."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.app import Services
from bot.wake import Signal
from handlers.parsing import warm_up
from handlers.parsing.tokens import cache_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pace:
    """While callbacks pour in, processing steps back so that acknowledging them keeps the CPU it needs.

    After a busy step, when a callback arrived within the last `ARRIVING` seconds, the dispatcher rests
    `(1 - share) / share` times as long as the step took: it holds at most `share` of its time, its database's
    work included (on PostgreSQL the backends serving a worker run at full priority however low the worker's
    own is). The rest ends early once callbacks stop arriving, so a backlog drains at full capacity. The
    sender does not rest: its time is WeCom's answers, not the host's CPU, and a welcome's code lives 20 s.
    """

    share: float
    heard_at: Callable[[], float]  # when the last new callback was heard of (time.monotonic)
    now: Callable[[], float] = time.monotonic
    ARRIVING = 1.0

    def arriving(self) -> bool:
        return self.now() - self.heard_at() <= self.ARRIVING

    def rest(self, step_started: float) -> float:
        """Seconds to rest after a busy step that started at `step_started` (now())."""
        if self.share >= 1 or not self.arriving():
            return 0.0
        return (self.now() - step_started) * (1 - self.share) / self.share


class Background:
    """Runs the dispatcher and sender in daemon threads (inside `scrm serve`, or as `scrm worker`)."""

    def __init__(self, services: Services, *, poll: float = 0.5) -> None:
        self._services = services
        self._poll = poll
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        signal = services.inbox_signal
        self._pace = Pace(services.settings.scrm_processing_share, lambda: signal.heard_at)

    def start(self) -> Background:
        warm_up(
            cache_dir(self._services.settings.scrm_cache_dir)
        )  # the first message or customer should not wait for jieba or the time model
        s = self._services
        s.inbox_signal.listen()  # at once: a worker busy from its start must still hear callbacks arrive (Pace)
        for name, step, signal, pace in (
            ("dispatcher", s.dispatcher.run_once, s.inbox_signal, self._pace),
            ("sender", s.sender.run_once, s.outbox_signal, None),
        ):
            thread = threading.Thread(target=self._loop, args=(name, step, signal, pace), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        st, policy = s.settings, s.settings.retry_policy
        wake = "Redis" if s.redis else "Unix sockets" if st.scrm_wake_dir else f"polling every {self._poll:g} s"
        log.info(
            "dispatcher running: database %s, woken by %s, a failing event retried %d times, then dead; "
            "while callbacks pour in it takes %.0f%% of its time",
            st.database_shown,
            wake,
            policy.max_attempts,
            st.scrm_processing_share * 100,
        )
        log.info(
            "sender running: WeCom %s, app %s, Redis %s, messages dropped after %d h unsent (operators told: %s)",
            st.wecom_api_base,
            st.wecom_agent_id,
            st.redis_shown,
            st.scrm_message_max_age_hours,
            ", ".join(st.operators) or "nobody",
        )
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._services.inbox_signal.wake_here()
        self._services.outbox_signal.wake_here()
        for thread in self._threads:
            thread.join(timeout)

    def wait(self) -> None:
        """Block until stopped (Ctrl-C or SIGTERM in `scrm worker`)."""
        while not self._stop.wait(1.0):
            pass
        for thread in self._threads:
            thread.join(5.0)

    def _loop(self, name: str, step: Callable[[], int], signal: Signal, pace: Pace | None) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                busy = step()
            except Exception:  # the database may be away for a moment; keep going
                log.exception("%s step failed", name)
                busy = 0
            if not busy:
                signal.wait(self._poll)
            elif pace and (rest := pace.rest(started)):
                self._rest(pace, pace.now() + rest)

    def _rest(self, pace: Pace, until: float) -> None:
        """Rest until then, or until callbacks stop arriving (checked every tenth of a second)."""
        while not self._stop.is_set() and pace.arriving() and (left := until - pace.now()) > 0:
            self._stop.wait(min(left, 0.1))
