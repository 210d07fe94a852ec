"""The tables of the two queues: the inbox (callbacks in) and the outbox (messages out). Import them from
scrm.models, like every table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from scrm.statuses import INBOX, OUTBOX, QueueStatus
from scrm.types import status_check, when


class QueueRow(SQLModel):
    """Columns that make a row claimable by exactly one worker at a time (see scrm/queue.py)."""

    status: str = Field(default=QueueStatus.PENDING, max_length=16)
    attempts: int = 0
    next_try_at: datetime = when()
    lease_until: datetime | None = when(nullable=True)
    claim_token: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, sa_type=Text)


class InboxEvent(QueueRow, table=True):
    """A decrypted callback, stored before WeCom gets its 200; unique on its dedup key."""

    __tablename__ = "inbox_event"
    __table_args__ = (
        Index("ix_inbox_event_ready", "status", "next_try_at"),
        Index("ix_inbox_event_done", "status", "done_at"),  # the prune job: handled rows by age
        status_check("inbox_event", INBOX),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(max_length=255, unique=True)
    kind: str = Field(max_length=120, index=True)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = when()
    done_at: datetime | None = when(nullable=True)
    deliveries: int = 1


class OutboxMessage(QueueRow, table=True):
    """A message to send through WeCom; added in the same transaction as the write that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_ready", "status", "priority", "next_try_at"),
        Index("ix_outbox_message_digest", "digest", "sent_at"),  # the sender: an identical one sent?
        Index("ix_outbox_message_closed", "status", "created_at"),  # the prune job: sent, expired
        status_check("outbox_message", OUTBOX),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255, unique=True)
    channel: str = Field(max_length=16)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    priority: int = 5
    created_at: datetime = when()
    expires_at: datetime | None = when(nullable=True)
    sent_at: datetime | None = when(nullable=True)
    errcode: int | None = None
    response: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # what WeCom's duplicate check compares (scrm.outbox.digest)
    digest: str | None = Field(default=None, max_length=64)
