"""Background loops: the dispatcher and the sender, each woken at once when there is work."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.app import Services
from bot.wake import Signal
from handlers.parsing import warm_up
from handlers.parsing.tokens import cache_dir

log = logging.getLogger(__name__)


class Background:
    """Runs the dispatcher and sender in daemon threads (inside `scrm serve`, or as `scrm worker`)."""

    def __init__(self, services: Services, *, poll: float = 0.5) -> None:
        self._services = services
        self._poll = poll
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Background:
        warm_up(cache_dir(self._services.settings.scrm_cache_dir))  # the first message or customer should not wait for jieba or the time model
        s = self._services
        for name, step, signal in (("dispatcher", s.dispatcher.run_once, s.inbox_signal),
                                   ("sender", s.sender.run_once, s.outbox_signal)):
            thread = threading.Thread(target=self._loop, args=(name, step, signal), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        st, policy = s.settings, s.settings.retry_policy
        wake = "Redis" if s.redis else "Unix sockets" if st.scrm_wake_dir else f"polling every {self._poll:g} s"
        log.info("dispatcher running: database %s, woken by %s, a failing event retried %d times, then dead",
                 st.database_shown, wake, policy.max_attempts)
        log.info("sender running: WeCom %s, app %s, Redis %s, messages dropped after %d h unsent (operators told: %s)",
                 st.wecom_api_base, st.wecom_agent_id, st.redis_shown, st.scrm_message_max_age_hours,
                 ", ".join(st.operators) or "nobody")
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._services.inbox_signal.notify()
        self._services.outbox_signal.notify()
        for thread in self._threads:
            thread.join(timeout)

    def wait(self) -> None:
        """Block until stopped (Ctrl-C or SIGTERM in `scrm worker`)."""
        while not self._stop.wait(1.0):
            pass
        for thread in self._threads:
            thread.join(5.0)

    def _loop(self, name: str, step: Callable[[], int], signal: Signal) -> None:
        while not self._stop.is_set():
            try:
                busy = step()
            except Exception:  # the database may be away for a moment; keep going
                log.exception("%s step failed", name)
                busy = 0
            if not busy:
                signal.wait(self._poll)
