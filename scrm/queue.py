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

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from scrm.models import QueueRow

READY = ("pending", "failed")


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again after a failure, and when to give up: the one policy of the dispatcher (inbox rows),
    the sender (outbox rows) and the scheduler (failed ticks, see jobs/runner.py)."""

    max_attempts: int = 5
    first_delay: timedelta = timedelta(seconds=5)
    factor: float = 4.0
    max_delay: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta:
        seconds = self.first_delay.total_seconds() * self.factor ** max(attempts - 1, 0)
        return min(timedelta(seconds=seconds), self.max_delay)


@dataclass(frozen=True)
class Claim:
    ids: list[int]
    token: str
    recovered: frozenset[int] = frozenset()  # taken back from a worker whose lease ran out: outcome unknown


def _ready(model: type[QueueRow], now: datetime):
    return or_(
        and_(col(model.status).in_(READY), col(model.next_try_at) <= now),
        and_(col(model.status) == "processing", col(model.lease_until) < now),
    )


def claim(
    session: Session, model: type[QueueRow], *, now: datetime, lease: timedelta, limit: int, order=()
) -> Claim:
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
    recovered = frozenset(row_id for row_id, status in found if status == "processing")
    if ids:
        session.exec(
            update(model)
            .where(col(model.id).in_(ids))  # type: ignore[attr-defined]
            .values(status="processing", lease_until=now + lease, claim_token=token, attempts=model.attempts + 1)
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
) -> str:
    """Record a failed attempt: retry later, or park the row as dead. Returns the new status."""
    if attempts >= policy.max_attempts:
        status, next_try = "dead", now
    else:
        status, next_try = "failed", now + policy.delay(attempts)
    finish(session, model, row_id, token, status=status, next_try_at=next_try, last_error=error[:2000])
    return status


def release(
    session: Session, model: type[QueueRow], row_id: int, token: str, *, until: datetime, error: str | None = None
) -> bool:
    """Give a claimed row back without counting the attempt (a rate limit said wait)."""
    return finish(
        session, model, row_id, token, status="pending", next_try_at=until, attempts=model.attempts - 1,
        last_error=error,
    )


def replay(session: Session, model: type[QueueRow], row_id: int | None, *, now: datetime) -> int:
    """Put failed/dead rows back in the queue (one, or all when row_id is None)."""
    query = update(model).where(col(model.status).in_(("failed", "dead")))
    if row_id is not None:
        query = query.where(col(model.id) == row_id)  # type: ignore[attr-defined]
    result = session.exec(query.values(status="pending", attempts=0, next_try_at=now, last_error=None))
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
