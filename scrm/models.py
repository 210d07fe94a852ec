"""SQLModel tables, all imported from here: the queues' in scrm/queue_tables.py, the scheduler's in
scrm/job_tables.py, the rest below. Schema changes go through an Alembic migration in migrations/versions/."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from scrm.job_tables import JobLedger as JobLedger
from scrm.job_tables import JobTick as JobTick
from scrm.queue_tables import InboxEvent as InboxEvent
from scrm.queue_tables import OutboxMessage as OutboxMessage
from scrm.queue_tables import QueueRow as QueueRow
from scrm.statuses import ChatStatus, DealStatus, FollowUpStatus, RelationStatus
from scrm.types import status_check
from scrm.types import when as _when


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
    __table_args__ = (
        UniqueConstraint("external_userid", "userid"),
        Index("ix_customer_rep_rep_added", "userid", "added_at"),  # KPIs: new customers per rep
        status_check("customer_rep", RelationStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    external_userid: str = Field(max_length=64, index=True)
    userid: str = Field(max_length=64)
    status: str = Field(default=RelationStatus.ACTIVE, max_length=24)
    status_at: datetime | None = _when(nullable=True)
    remark: str = Field(default="", max_length=128)
    description: str = Field(default="", max_length=512)
    state: str = Field(default="", max_length=64)
    add_way: int | None = None
    added_at: datetime | None = _when(nullable=True)
    remark_corp_name: str = Field(default="", max_length=128)
    tier: str = Field(default="", max_length=1)  # A, B or C (scrm/tiers.py), recomputed daily
    updated_at: datetime = _when()


class TagGroup(SQLModel, table=True):
    """A corp tag group (企业客户标签组), mirrored from WeCom."""

    __tablename__ = "tag_group"

    group_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=64, index=True)
    order: int = 0
    deleted: bool = False
    synced_at: datetime | None = _when(nullable=True)


class Tag(SQLModel, table=True):
    """A corp tag, mirrored from WeCom (API changes send no callback, so we update it ourselves)."""

    tag_id: str = Field(primary_key=True, max_length=64)
    group_id: str = Field(max_length=64, index=True)
    name: str = Field(max_length=64)
    order: int = 0
    deleted: bool = False
    synced_at: datetime | None = _when(nullable=True)


class CustomerTag(SQLModel, table=True):
    """A tag one rep has on one customer, and which rule (or WeCom itself) put it there."""

    __tablename__ = "customer_tag"
    __table_args__ = (UniqueConstraint("external_userid", "userid", "group_name", "tag_name"),)

    id: int | None = Field(default=None, primary_key=True)
    external_userid: str = Field(max_length=64, index=True)
    userid: str = Field(max_length=64)
    group_name: str = Field(max_length=64)
    tag_name: str = Field(max_length=64)
    tag_id: str | None = Field(default=None, max_length=64)
    rule: str = Field(default="", max_length=120)
    created_at: datetime = _when()
    marked_at: datetime | None = _when(nullable=True)


class TaggingRule(SQLModel, table=True):
    """Auto-tagging on add: `channel` rules match the QR code's state, `keyword` rules words in the profile."""

    __tablename__ = "tagging_rule"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    pattern: str = Field(max_length=120)
    tag_group: str = Field(max_length=30)
    tag_name: str = Field(max_length=30)
    enabled: bool = True
    created_at: datetime = _when()


class WelcomeTemplate(SQLModel, table=True):
    """The welcome text for a channel (state exactly, or by prefix with a trailing *); empty = default."""

    __tablename__ = "welcome_template"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(default="", max_length=64, unique=True)
    text: str = Field(sa_type=Text)
    updated_at: datetime = _when()


TO_REMIND = "status = 'open' AND reminded_at IS NULL"
OPEN = "status = 'open'"


class FollowUp(SQLModel, table=True):
    """A next step a rep owes a customer, due at a time."""

    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_due", "status", "due_at"),
        # The reminders tick reads only what is open and not yet reminded: a small part of a big table.
        Index("ix_follow_up_to_remind", "due_at", postgresql_where=text(TO_REMIND), sqlite_where=text(TO_REMIND)),
        # A rep's 待办 (the agenda command, reminders' numbering): their open follow-ups up to a time.
        Index("ix_follow_up_open_by_rep", "userid", "due_at", postgresql_where=text(OPEN), sqlite_where=text(OPEN)),
        status_check("follow_up", FollowUpStatus),
        # One open step per rep, customer and minute: a plan sent twice, or by two workers at once, is one step.
        Index(
            "uq_follow_up_open_step",
            "userid",
            "external_userid",
            "due_at",
            unique=True,
            postgresql_where=text(OPEN),
            sqlite_where=text(OPEN),
        ),
        # KPIs: each rep's follow-ups due in a period, and how they ended, from the index alone on PostgreSQL.
        Index("ix_follow_up_rep_due", "userid", "due_at", postgresql_include=["status", "done_at"]),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=120, unique=True)
    external_userid: str = Field(max_length=64, index=True)
    userid: str = Field(max_length=64)
    due_at: datetime = _when()
    status: str = Field(default=FollowUpStatus.OPEN, max_length=16)  # a FollowUpStatus
    note: str = Field(default="", sa_type=Text)
    source: str = Field(default="rep", max_length=16)
    created_at: datetime = _when()
    done_at: datetime | None = _when(nullable=True)
    reminded_at: datetime | None = _when(nullable=True)
    escalated_at: datetime | None = _when(nullable=True)


class Deal(SQLModel, table=True):
    """An opportunity with one customer, owned by one rep."""

    __table_args__ = (
        # KPIs: each rep's deals closed in a period, won or lost and for how much.
        Index("ix_deal_rep_closed", "userid", "closed_at", postgresql_include=["status", "amount"]),
        status_check("deal", DealStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    external_userid: str = Field(max_length=64, index=True)
    userid: str = Field(max_length=64)
    stage: str = Field(default="", max_length=32)
    status: str = Field(default=DealStatus.OPEN, max_length=16)
    at_risk: bool = False
    amount: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))
    note: str = Field(default="", sa_type=Text)
    opened_at: datetime = _when()
    updated_at: datetime = _when()
    closed_at: datetime | None = _when(nullable=True)


class Interaction(SQLModel, table=True):
    """One entry of a customer's timeline: an event from WeCom or something a rep logged."""

    __table_args__ = (
        Index("ix_interaction_customer_at", "external_userid", "at"),
        # KPIs: each rep's follow-ups logged in a period, by channel, from the index alone on PostgreSQL.
        Index("ix_interaction_rep_at", "userid", "at", postgresql_include=["kind", "channel"]),
    )

    id: int | None = Field(default=None, primary_key=True)
    external_userid: str = Field(max_length=64)
    userid: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=32)
    channel: str = Field(default="", max_length=16)
    text: str = Field(default="", sa_type=Text)
    at: datetime = _when()
    inbox_id: int | None = None
    follow_up_id: int | None = None


class GroupChat(SQLModel, table=True):
    """A customer group chat (客户群) and its head counts."""

    __tablename__ = "group_chat"
    __table_args__ = (status_check("group_chat", ChatStatus),)

    chat_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(default="", max_length=128)
    owner: str = Field(default="", max_length=64)
    notice: str = Field(default="", sa_type=Text)
    members: int = 0
    external_members: int = 0
    member_version: str = Field(default="", max_length=64)
    status: str = Field(default=ChatStatus.ACTIVE, max_length=16)
    created_at: datetime | None = _when(nullable=True)
    updated_at: datetime = _when()


class SyncCheckpoint(SQLModel, table=True):
    """Where a resumable process got to: `scrm sync`'s steps, the move of spooled callbacks (one row each)."""

    __tablename__ = "sync_checkpoint"

    name: str = Field(primary_key=True, max_length=64)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _when()


class StageChange(SQLModel, table=True):
    """A deal moving along the funnel; the time spent in each stage is the gap between two rows."""

    __tablename__ = "stage_change"
    __table_args__ = (Index("ix_stage_change_rep_at", "userid", "at"),)  # the digest: each rep's moves today

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(index=True)
    from_stage: str = Field(default="", max_length=32)
    to_stage: str = Field(max_length=32)
    userid: str = Field(max_length=64)
    at: datetime = _when()


class ChatState(SQLModel, table=True):
    """What a rep's next message may refer to: a numbered choice, the last agenda shown, the last customer."""

    __tablename__ = "chat_state"

    userid: str = Field(primary_key=True, max_length=64)
    pending: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    pending_until: datetime | None = _when(nullable=True)
    agenda: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    last_customer: str = Field(default="", max_length=64)
    last_customer_at: datetime | None = _when(nullable=True)
    updated_at: datetime = _when()


class TeamChat(SQLModel, table=True):
    """Where a team's (a department's) announcements go: a group robot's webhook key or an app group chat."""

    __tablename__ = "team_chat"

    department_id: int = Field(primary_key=True)
    kind: str = Field(max_length=16)  # robot or appchat
    target: str = Field(max_length=128)  # the robot's key (a credential: never logged) or the chat id
    enabled: bool = True
    disabled_reason: str = Field(default="", max_length=200)
    updated_at: datetime = _when()


class Target(SQLModel, table=True):
    """A SMART target: for a rep or a team, a metric, a period (month, week, quarter) starting on a day."""

    __table_args__ = (UniqueConstraint("scope", "subject", "metric", "period", "starts"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=8)  # rep or team
    subject: str = Field(max_length=64)  # the rep's userid, or the department id
    metric: str = Field(default="won_amount", max_length=32)
    period: str = Field(max_length=8)  # month, week, quarter
    starts: date
    value: Decimal = Field(sa_type=Numeric(16, 2))
    set_by: str = Field(default="", max_length=64)
    updated_at: datetime = _when()


class CommissionPlan(SQLModel, table=True):
    """The commission plan (one row): tiered rates on a month's won amount, and a bonus past a threshold."""

    __tablename__ = "commission_plan"

    id: int = Field(primary_key=True)
    tiers: list[list[str | None]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    bonus: Decimal = Field(default=Decimal(0), sa_type=Numeric(16, 2))
    bonus_over: Decimal | None = Field(default=None, sa_type=Numeric(16, 2))
    updated_at: datetime = _when()


class AnomalyAlert(SQLModel, table=True):
    """An anomaly reported to a rep's managers (the anomalies job), kept for the day's digest."""

    __tablename__ = "anomaly_alert"

    id: int | None = Field(default=None, primary_key=True)
    userid: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=32)  # silent, overdue-jump, deletions, stalled
    line: str = Field(sa_type=Text)
    at: datetime = _when(index=True)
