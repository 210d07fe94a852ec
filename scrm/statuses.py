"""The status sets of the store, one StrEnum each: what a row's status column may hold, and what each means."""

from __future__ import annotations

from enum import StrEnum


class FollowUpStatus(StrEnum):
    """A next step's life: open until done, replaced by a newer plan, closed with its deal, or cancelled.

    Only OPEN is work: reminders, the morning list, escalation, 待办 and the overdue counts read nothing else.
    """

    OPEN = "open"
    DONE = "done"  # `完成 N`, or a follow-up logged with the customer when it was due
    SUPERSEDED = "superseded"  # a newer plan of the rep's with the customer took its place
    DEAL_CLOSED = "deal_closed"  # the deal was won or lost while it was open; 重新打开 restores it
    CANCELLED = "cancelled"  # the customer deleted the rep
