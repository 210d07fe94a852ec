"""What `/healthz` says of the queues: how far behind they are, what waits on an outage, what died.

Numbers only (no message content, no settings), cheap enough for a load balancer to ask every few seconds:
a few aggregate queries over the `status, next_try_at` indexes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from scrm.models import InboxEvent, OutboxMessage
from scrm.queue import READY
from scrm.statuses import QueueStatus

BEHIND = timedelta(minutes=1)  # a due row older than this: the workers are not keeping up (or not running)
WAITING = (*READY, QueueStatus.PROCESSING)
# What is counted: rows still in the queue, and dead rows waiting for an operator. Never the finished ones (done,
# sent, expired): they are the history, which grows, and counting it made every scrape slower (issue 19).
LIVE = (*WAITING, QueueStatus.DEAD)


def queues(
    session: Session,
    now: datetime,
    spooled: tuple[int, datetime | None] = (0, None),
) -> tuple[dict[str, Any], list[str]]:
    """Per queue: rows due now and the oldest one's age, rows waiting out an error, dead rows; and the
    problems found ("inbox behind", "WeCom failing", "outbox has dead rows" …). `spooled` (SQLite): callbacks
    not yet moved into the inbox, which are due as much as its rows."""
    report, problems = {}, []
    for name, model, since in (
        ("inbox", InboxEvent, InboxEvent.received_at),
        ("outbox", OutboxMessage, OutboxMessage.created_at),
    ):
        due, oldest = session.exec(
            select(func.count(), func.min(since)).where(col(model.status).in_(WAITING), col(model.next_try_at) <= now)
        ).one()
        if name == "inbox" and spooled[0]:
            due, oldest = due + spooled[0], min(t for t in (oldest, spooled[1]) if t is not None)
        waiting = session.exec(
            select(func.count())
            .select_from(model)
            .where(col(model.status).in_(WAITING), col(model.next_try_at) > now, col(model.last_error).is_not(None))
        ).one()
        dead = session.exec(select(func.count()).select_from(model).where(model.status == QueueStatus.DEAD)).one()
        age = (now - oldest).total_seconds() if oldest is not None else 0
        report[name] = {"due": due, "oldest_due_seconds": round(age), "waiting_out_errors": waiting, "dead": dead}
        if age > BEHIND.total_seconds():
            problems.append(f"{name} behind")
        if waiting:
            problems.append(f"{name} waiting out errors")
        if dead:
            problems.append(f"{name} has dead rows")
    return report, problems
