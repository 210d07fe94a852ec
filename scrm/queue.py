"""Claiming rows of a queue table (inbox or outbox) so that exactly one worker holds each.

A claim sets a lease and a random token in a short transaction. The worker's final write is
conditional on its token, so a worker whose lease ran out (and whose row another worker took)
cannot also commit. Rows left `processing` by a crash become claimable when the lease ends.
PostgreSQL skips rows other workers are claiming (`FOR UPDATE SKIP LOCKED`); SQLite serialises
writers, which gives the same guarantee.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from sqlalchemy import and_, or_, update
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlmodel import Session, col, select

from scrm.models import QueueRow
from scrm.statuses import QueueStatus

READY = (QueueStatus.PENDING, QueueStatus.FAILED)  # claimable once their next try is due
REPLAYABLE = (QueueStatus.FAILED, QueueStatus.DEAD)  # what `replay` puts back in the queue


PAUSE, RETRY, FINAL = "pause", "retry", "final"


class Final(Exception):
    """Raised (or subclassed) for a failure that no retry can fix: the row is closed at once."""

    outcome = FINAL


@dataclass(frozen=True)
class RetryPolicy:
    """The one retry policy of the dispatcher (inbox rows), the sender (outbox rows) and the scheduler (failed
    ticks, jobs/runner.py): what a failure means, and when to try again.

    - pause: an outage that is not the row's fault (WeCom 5xx, timeouts, connection errors, rate limits
      45009/45033, a refused token, Redis or the database away, a WeCom read a handler needs): tried again
      after `pause_delay`, without spending an attempt, for as long as the row is useful (`max_age`);
    - final: the row itself is wrong (WeCom refuses the request, or a callback with an impossible shape):
      closed at once as dead;
    - retry: anything else (a bug): `max_attempts` attempts with exponential backoff, then dead.

    Errors say which they are with an `outcome` attribute (`Final`, scrm.wecom.WeComError's
    subclasses); connection errors of Redis and the database are known by type. A message older than
    `max_age` when it would go is dropped as expired, recorded, and the operators told (bot/sender.py): a
    reply a day late is worse than none. Inbox events have no age: a customer added during an outage is
    still recorded when it ends."""

    max_attempts: int = 5
    first_delay: timedelta = timedelta(seconds=5)
    factor: float = 4.0
    max_delay: timedelta = timedelta(hours=1)
    first_pause: timedelta = timedelta(seconds=10)
    max_pause: timedelta = timedelta(minutes=5)
    max_age: timedelta = timedelta(days=1)

    def delay(self, attempts: int) -> timedelta:
        seconds = self.first_delay.total_seconds() * self.factor ** max(attempts - 1, 0)
        return min(timedelta(seconds=seconds), self.max_delay)

    def pause_delay(self, waited: timedelta, error: BaseException | None = None) -> timedelta:
        """The next try of a paused row: a tenth of how long it has waited, between first_pause and max_pause
        (an outage of minutes is retried within seconds of its end, one of hours every few minutes), and at
        least what the error asks (`min_pause`: WeCom's rate limits count per minute)."""
        asked = getattr(error, "min_pause", timedelta(0))
        return max(min(max(waited / 10, self.first_pause), self.max_pause), asked)

    @staticmethod
    def outcome(error: BaseException) -> str:
        declared = getattr(error, "outcome", None)
        if declared in (PAUSE, RETRY, FINAL):
            return declared
        if isinstance(error, redis.RedisError | DisconnectionError | OperationalError | InterfaceError):
            return PAUSE
        return RETRY


@dataclass(frozen=True)
class Claim:
    ids: list[int]
    token: str
    recovered: frozenset[int] = frozenset()  # taken back from a worker whose lease ran out: outcome unknown


def _ready(model: type[QueueRow], now: datetime):
    return or_(
        and_(col(model.status).in_(READY), col(model.next_try_at) <= now),
        and_(col(model.status) == QueueStatus.PROCESSING, col(model.lease_until) < now),
    )


def claim(session: Session, model: type[QueueRow], *, now: datetime, lease: timedelta, limit: int, order=()) -> Claim:
    """Take up to `limit` ready rows; commit the session to make the claim visible to others."""
    token = secrets.token_hex(16)
    query = (
        select(model.id, model.status)  # type: ignore[attr-defined]
        .where(_ready(model, now))
        .order_by(*order, model.id)  # type: ignore[attr-defined]
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    found = session.exec(query).all()
    ids = [row_id for row_id, _ in found]
    recovered = frozenset(row_id for row_id, status in found if status == QueueStatus.PROCESSING)
    if ids:
        session.exec(
            update(model)
            .where(col(model.id).in_(ids))  # type: ignore[attr-defined]
            .values(
                status=QueueStatus.PROCESSING, lease_until=now + lease, claim_token=token, attempts=model.attempts + 1
            )
        )
    return Claim(ids=ids, token=token, recovered=recovered)


def finish(session: Session, model: type[QueueRow], row_id: int, token: str, **values) -> bool:
    """Close a claimed row; False if the claim was lost (another worker owns the row now)."""
    result = session.exec(
        update(model)
        .where(col(model.id) == row_id, col(model.claim_token) == token)  # type: ignore[attr-defined]
        .values(lease_until=None, claim_token=None, **values)
    )
    return result.rowcount == 1


def fail(
    session: Session,
    model: type[QueueRow],
    row_id: int,
    token: str,
    *,
    error: str,
    now: datetime,
    policy: RetryPolicy,
    attempts: int,
    **values,
) -> QueueStatus:
    """Record a failed attempt: retry later, or park the row as dead. Returns the new status."""
    if attempts >= policy.max_attempts:
        status, next_try = QueueStatus.DEAD, now
    else:
        status, next_try = QueueStatus.FAILED, now + policy.delay(attempts)
    finish(session, model, row_id, token, status=status, next_try_at=next_try, last_error=error[:2000], **values)
    return status


def settle(
    session: Session,
    model: type[QueueRow],
    row_id: int,
    token: str,
    error: BaseException,
    *,
    now: datetime,
    policy: RetryPolicy,
    attempts: int,
    waited: timedelta,
    **values,
) -> QueueStatus:
    """A claimed row whose work raised `error`, as the policy says: paused (no attempt spent), dead at once
    (final), or failed and retried with backoff. Returns the new status; `values` are written too."""
    kind = type(error)
    text = f"{'' if kind.__module__ == 'builtins' else kind.__module__ + '.'}{kind.__name__}: {error}"[:2000]
    outcome = policy.outcome(error)
    if outcome == PAUSE:
        release(session, model, row_id, token, until=now + policy.pause_delay(waited, error), error=text, **values)
        return QueueStatus.PENDING
    if outcome == FINAL:
        finish(session, model, row_id, token, status=QueueStatus.DEAD, next_try_at=now, last_error=text, **values)
        return QueueStatus.DEAD
    return fail(session, model, row_id, token, error=text, now=now, policy=policy, attempts=attempts, **values)


def release(
    session: Session,
    model: type[QueueRow],
    row_id: int,
    token: str,
    *,
    until: datetime,
    error: str | None = None,
    **values,
) -> bool:
    """Give a claimed row back without counting the attempt (a rate limit or an outage said wait)."""
    return finish(
        session,
        model,
        row_id,
        token,
        status=QueueStatus.PENDING,
        next_try_at=until,
        attempts=model.attempts - 1,
        last_error=error,
        **values,
    )


def replay(session: Session, model: type[QueueRow], row_id: int | None, *, now: datetime) -> int:
    """Put failed/dead rows back in the queue (one, or all when row_id is None)."""
    query = update(model).where(col(model.status).in_(REPLAYABLE))
    if row_id is not None:
        query = query.where(col(model.id) == row_id)  # type: ignore[attr-defined]
    result = session.exec(query.values(status=QueueStatus.PENDING, attempts=0, next_try_at=now, last_error=None))
    return result.rowcount


def drain(step: Callable[[], int], rounds: int = 100) -> int:
    """Run a worker step until it finds nothing due (tests, the demo); returns how many rows it took."""
    total = 0
    for _ in range(rounds):
        taken = step()
        total += taken
        if not taken:
            break
    return total
