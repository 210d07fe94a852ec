"""SQLModel tables. Schema changes go through an Alembic migration in migrations/versions/."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from scrm.types import UTCDateTime


def _when(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class QueueRow(SQLModel):
    """Columns that make a row claimable by exactly one worker at a time (see scrm/queue.py)."""

    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_try_at: datetime = _when()
    lease_until: datetime | None = _when(nullable=True)
    claim_token: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, sa_type=Text)


class InboxEvent(QueueRow, table=True):
    """A decrypted callback, stored before WeCom gets its 200; unique on its dedup key."""

    __tablename__ = "inbox_event"
    __table_args__ = (Index("ix_inbox_event_ready", "status", "next_try_at"),)

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(max_length=255, unique=True)
    kind: str = Field(max_length=120, index=True)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = _when()
    done_at: datetime | None = _when(nullable=True)
    deliveries: int = 1


class OutboxMessage(QueueRow, table=True):
    """A message to send through WeCom; added in the same transaction as the write that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_ready", "status", "priority", "next_try_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255, unique=True)
    channel: str = Field(max_length=16)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    priority: int = 5
    created_at: datetime = _when()
    expires_at: datetime | None = _when(nullable=True)
    sent_at: datetime | None = _when(nullable=True)
    errcode: int | None = None
    response: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Department(SQLModel, table=True):
    """A WeCom department; a sales department is a team and its leaders are its managers."""

    id: int = Field(primary_key=True)
    name: str = Field(max_length=64)
    parent_id: int | None = None
    leader_userids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    synced_at: datetime | None = _when(nullable=True)


class Member(SQLModel, table=True):
    """A corp member (a rep or a manager), as synced from WeCom."""

    userid: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=64)
    department_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    leader_of: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: str = Field(default="", max_length=128)
    active: bool = True
    synced_at: datetime | None = _when(nullable=True)


class Customer(SQLModel, table=True):
    """An external contact (客户), as WeCom last described them."""

    external_userid: str = Field(primary_key=True, max_length=64)
    name: str = Field(default="", max_length=128)
    type: int = 1
    corp_name: str = Field(default="", max_length=128)
    position: str = Field(default="", max_length=128)
    gender: int = 0
    created_at: datetime = _when()
    updated_at: datetime = _when()


class CustomerRep(SQLModel, table=True):
    """The relation between a customer and one rep who follows them; a customer may have several."""

    __tablename__ = "customer_rep"
    __table_args__ = (UniqueConstraint("external_userid", "userid"),)

    id: int | None = Field(default=None, primary_key=True)
    external_userid: str = Field(max_length=64, index=True)
    userid: str = Field(max_length=64, index=True)
    status: str = Field(default="active", max_length=24)
    remark: str = Field(default="", max_length=128)
    description: str = Field(default="", max_length=512)
    state: str = Field(default="", max_length=64)
    add_way: int | None = None
    added_at: datetime | None = _when(nullable=True)
    updated_at: datetime = _when()
