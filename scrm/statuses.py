"""Every set of statuses a stored row takes, one StrEnum each: a member is the very string stored.

A check in the database refuses any other value (migration 0013). Adding a status is a member here and a
migration that widens its table's check (docs/architecture.md, "Statuses").
"""

from __future__ import annotations

from enum import StrEnum


class QueueStatus(StrEnum):
    """A row of the inbox or the outbox (scrm/queue.py claims them): waiting, taken by a worker, or closed."""

    PENDING = "pending"  # waiting for its first try, or for the end of an outage
    FAILED = "failed"  # waiting to be tried again, with backoff
    PROCESSING = "processing"  # claimed by a worker until its lease ends
    DONE = "done"  # inbox: handled
    SENT = "sent"  # outbox: WeCom took it
    EXPIRED = "expired"  # outbox: too late to be useful (scrm.queue.RetryPolicy.max_age), not sent
    DEAD = "dead"  # given up: waits for an operator to replay it


# The statuses each queue's rows take, in the order `scrm inbox` and `scrm outbox` list them.
INBOX = (QueueStatus.PENDING, QueueStatus.PROCESSING, QueueStatus.DONE, QueueStatus.FAILED, QueueStatus.DEAD)
OUTBOX = (
    QueueStatus.PENDING,
    QueueStatus.PROCESSING,
    QueueStatus.SENT,
    QueueStatus.FAILED,
    QueueStatus.DEAD,
    QueueStatus.EXPIRED,
)


class TickStatus(StrEnum):
    """One scheduled run of a job (job_tick)."""

    RUNNING = "running"  # one running past its lease (jobs/runner.py) was left by a dead process
    DONE = "done"
    FAILED = "failed"  # retried with the shared retry policy
    PAUSED = "paused"  # an outage: tried again without spending an attempt
    SKIPPED = "skipped"  # missed by more than the grace: recorded, not run late


class RelationStatus(StrEnum):
    """A customer's relation to one rep (customer_rep), as WeCom's events left it."""

    UNSET = ""  # no event has said yet (scrm.customers.link); the handler that created it sets one
    HALF = "half"  # the customer added the rep without verification, the rep has not accepted yet
    ACTIVE = "active"
    DELETED_BY_REP = "deleted_by_rep"
    TRANSFERRED = "transferred"  # handed over to another rep (在职继承)
    LOST = "lost"  # the customer deleted the rep: churn


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ChatStatus(StrEnum):
    """A customer group chat (group_chat)."""

    ACTIVE = "active"
    DISMISSED = "dismissed"


class FollowUpStatus(StrEnum):
    """A next step's life: open until done, replaced by a newer plan, closed with its deal, or cancelled.

    Only OPEN is work: reminders, the morning list, escalation, 待办 and the overdue counts read nothing else.
    """

    OPEN = "open"
    DONE = "done"  # `完成 N`, or a follow-up logged with the customer when it was due
    SUPERSEDED = "superseded"  # a newer plan of the rep's with the customer took its place
    DEAL_CLOSED = "deal_closed"  # the deal was won or lost while it was open; 重新打开 restores it
    CANCELLED = "cancelled"  # the customer deleted the rep
