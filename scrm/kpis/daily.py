"""A metric per rep and local day (targets' pace, streaks, the digest's chart), for the metrics that add up day
by day (metrics.DAILY_METRICS: those declared with a per-day query)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from scrm.db import among
from scrm.kpis.dialect import local_day
from scrm.kpis.metrics import DAILY_METRICS, METRIC
from scrm.kpis.periods import Period

__all__ = ["DAILY_METRICS", "by_rep_and_day"]


def by_rep_and_day(
    session: Session, userids: list[str], period: Period, tz: ZoneInfo, metric: str
) -> dict[str, dict[date, Decimal]]:
    """A metric per rep and local day, in one grouped query (days with nothing are absent)."""
    if (daily := METRIC[metric].daily) is None:
        raise ValueError(f"{metric} does not add up day by day")
    table, at, value, where = daily
    day = local_day(session, at, tz, period.start)
    rows = session.exec(
        select(table.userid, day, value)
        .where(among(session, table.userid, userids), col(at) >= period.start, col(at) < period.end, *where)
        .group_by(table.userid, day)
    )
    result: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for userid, d, total in rows:
        result[userid][d if isinstance(d, date) else date.fromisoformat(d)] = Decimal(total or 0)
    return dict(result)
