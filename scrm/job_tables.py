"""What the scheduler records: each tick of a job, and each unit of a job's work done once. Import them from
scrm.models, like every table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from scrm.statuses import TickStatus
from scrm.types import status_check, when


class JobTick(SQLModel, table=True):
    """One scheduled run of a job (its fire time), run or skipped; what `scrm jobs list` and catch-up read."""

    __tablename__ = "job_tick"
    # /metrics: ticks by status (the few not done) and each job's latest done one, without reading them all.
    __table_args__ = (
        UniqueConstraint("job", "scheduled_for"),
        Index("ix_job_tick_status", "status", "job", "scheduled_for"),
        status_check("job_tick", TickStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=32)
    scheduled_for: datetime = when()
    status: str = Field(default=TickStatus.RUNNING, max_length=16)
    attempts: int = 0
    started_at: datetime = when()
    finished_at: datetime | None = when(nullable=True)
    runner: str = Field(default="", max_length=120)
    summary: str = Field(default="", sa_type=Text)


class JobLedger(SQLModel, table=True):
    """One unit of a job's work (a reminder, an escalation, an alert), done once: the key is unique, and it is
    written in the same transaction as the messages it produces."""

    __tablename__ = "job_ledger"

    key: str = Field(primary_key=True, max_length=200)
    job: str = Field(max_length=32)
    created_at: datetime = when(index=True)
