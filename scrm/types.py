"""Column types and constraints shared by the tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as naive UTC, reads them back aware (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def when(nullable: bool = False, index: bool = False) -> Any:
    """A UTC time column."""
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def status_check(table: str, statuses: Iterable[str]) -> CheckConstraint:
    """The check that refuses a status outside the table's set (scrm/statuses.py; made by migration 0013, widened
    by the migration that adds a status)."""
    listed = ", ".join(f"'{status}'" for status in statuses)
    return CheckConstraint(f"status IN ({listed})", name=f"ck_{table}_status")
