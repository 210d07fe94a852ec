"""The dispatcher: inbox rows to handlers, each row in one transaction with everything its handlers wrote.

A handler that raises rolls its writes back; then the retry policy (scrm.queue.RetryPolicy) decides: an
outage (WeCom, Redis, the database) pauses the row without spending an attempt, a malformed event is dead
at once, anything else is retried with backoff and parked as dead when it keeps failing. A row whose worker died
is taken again when its lease runs out. The row is marked done in the handlers' own transaction, conditional on
our claim, so no event is handled twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from handlers.context import Context, HandlerSettings
from handlers.events import parse
from handlers.router import Router
from scrm import queue
from scrm.clock import Clock
from scrm.db import Store
from scrm.models import InboxEvent
from scrm.outbox import Outbox
from scrm.spool import Spool, SpoolDamaged
from scrm.statuses import QueueStatus
from scrm.wecom import WeComReader

log = logging.getLogger(__name__)


class ClaimLost(Exception):
    """Our lease ran out and another worker took the row; our writes must not commit."""


class Dispatcher:
    def __init__(
        self,
        store: Store,
        router: Router,
        wecom: WeComReader,
        clock: Clock,
        settings: HandlerSettings,
        *,
        policy: queue.RetryPolicy = queue.RetryPolicy(),
        lease: timedelta = timedelta(minutes=2),
        on_outbox: Callable[[], None] = lambda: None,
        spool: Spool | None = None,
    ) -> None:
        self._store, self._router, self._wecom, self._clock = store, router, wecom, clock
        self._settings, self._policy, self._lease, self._on_outbox = settings, policy, lease, on_outbox
        self._spool = spool

    def run_once(self, limit: int = 20) -> int:
        """Take in as many spooled callbacks as it handles, then handle up to `limit` ready rows; returns how many
        rows it moved and took. (A backlog waits in the spool: moving it all at once would gain nothing.)"""
        moved = self._take_in(limit)
        with self._store.transaction() as session:
            claim = queue.claim(session, InboxEvent, now=self._clock.now(), lease=self._lease, limit=limit)
        for row_id in claim.ids:
            self._handle(row_id, claim.token)
            self._on_outbox()  # per row, not per batch: a welcome must not wait for 19 other events
        return moved + len(claim.ids)  # redeliveries moved in are work too: no poll pause while they drain

    def _take_in(self, limit: int) -> int:
        """Move spooled callbacks in; none while the spool cannot be recovered (logged there), and the rows already
        in the inbox are handled all the same."""
        try:
            return self._spool.move_into(self._clock.now(), limit) if self._spool else 0
        except SpoolDamaged:
            return 0

    def take_in(self) -> int:
        """Move callbacks from the spool (SQLite) into the inbox; how many."""
        return queue.drain(lambda: self._spool.move_into(self._clock.now())) if self._spool else 0

    def run_pending(self) -> int:
        """Handle everything due now (tests and the demo)."""
        return queue.drain(self.run_once)

    def _handle(self, row_id: int, token: str) -> None:
        with self._store.transaction() as session:
            row = session.get(InboxEvent, row_id)
        attempts = row.attempts
        try:
            # The handlers' transaction begins at their first statement, so a handler that reads WeCom
            # before touching the store does not hold SQLite's write lock across the HTTP call.
            with self._store.transaction(lock_late=True) as session:
                now = self._clock.now()
                if attempts > self._policy.max_attempts:  # taken again and again: its worker keeps dying
                    raise RuntimeError(f"worker died while handling it {attempts - 1} times")
                ctx = Context(
                    session,
                    Outbox(session, now),
                    self._wecom,
                    now,
                    self._settings,
                    inbox_id=row_id,
                    store_read=self._store.read,
                )
                handled = self._router.run(row.kind, parse(row.payload), ctx)
                note = None if handled else "no handler for this kind"
                if not queue.finish(
                    session, InboxEvent, row_id, token, status=QueueStatus.DONE, done_at=now, last_error=note
                ):
                    raise ClaimLost()
        except ClaimLost:
            log.warning("inbox %s: claim lost to another worker, our writes rolled back", row_id)
        except Exception as error:  # paused, retried or dead as the policy says; the dispatcher goes on
            with self._store.transaction() as session:
                status = queue.settle(
                    session,
                    InboxEvent,
                    row_id,
                    token,
                    error,
                    now=self._clock.now(),
                    policy=self._policy,
                    attempts=attempts,
                    waited=self._clock.now() - row.received_at,
                )
            log.warning("inbox %s (%s): %s, attempt %d -> %s", row_id, row.kind, type(error).__name__, attempts, status)
