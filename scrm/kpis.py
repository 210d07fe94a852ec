"""KPI definitions, shared by `业绩` in chat and the daily digest: results beside process.

Results: won amount, deals won and lost, conversion (won / closed). Process: follow-ups logged, on-time
rate (follow-ups due in the period that were done by their due time plus a grace), new customers,
overdue follow-ups now. A period is [start, end) in the business time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from scrm.models import CustomerRep, Deal, FollowUp, Interaction

ON_TIME_GRACE = timedelta(hours=2)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    label: str

    @classmethod
    def month_of(cls, now: datetime, tz: ZoneInfo) -> Period:
        local = now.astimezone(tz).date()
        first = local.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(_midnight(first, tz), _midnight(following, tz), f"{first.month}月")

    @classmethod
    def week_of(cls, now: datetime, tz: ZoneInfo) -> Period:
        local = now.astimezone(tz).date()
        monday = local - timedelta(days=local.weekday())
        return cls(_midnight(monday, tz), _midnight(monday + timedelta(days=7), tz), "本周")


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


@dataclass(frozen=True)
class Figures:
    won_amount: Decimal
    won: int
    lost: int
    follow_ups_logged: int
    due: int
    on_time: int
    new_customers: int
    overdue_now: int

    @property
    def conversion(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def figures(session: Session, userids: list[str], period: Period, *, now: datetime) -> Figures:
    in_period = lambda column: (column >= period.start) & (column < period.end)  # noqa: E731
    mine = col(Deal.userid).in_(userids)
    won_amount, won = session.exec(select(func.coalesce(func.sum(Deal.amount), 0), func.count())
                                   .where(mine, Deal.status == "won", in_period(col(Deal.closed_at)))).one()
    lost = session.exec(select(func.count()).where(mine, Deal.status == "lost", in_period(col(Deal.closed_at)))).one()
    logged = session.exec(select(func.count()).select_from(Interaction).where(
        col(Interaction.userid).in_(userids), Interaction.kind == "follow_up", in_period(col(Interaction.at)))).one()
    due_rows = session.exec(select(FollowUp).where(
        col(FollowUp.userid).in_(userids), in_period(col(FollowUp.due_at)), col(FollowUp.due_at) <= now,
        col(FollowUp.status).in_(("open", "done")))).all()
    on_time = sum(1 for f in due_rows if f.status == "done" and f.done_at and f.done_at <= f.due_at + ON_TIME_GRACE)
    new = session.exec(select(func.count()).select_from(CustomerRep).where(
        col(CustomerRep.userid).in_(userids), in_period(col(CustomerRep.added_at)))).one()
    overdue = session.exec(select(func.count()).select_from(FollowUp).where(
        col(FollowUp.userid).in_(userids), FollowUp.status == "open", col(FollowUp.due_at) < now)).one()
    return Figures(Decimal(won_amount or 0), won, lost, logged, len(due_rows), on_time, new, overdue)


def ranking(session: Session, userids: list[str], period: Period) -> list[tuple[str, Decimal]]:
    """Reps by won amount in the period, best first (reps with nothing won are left out)."""
    query = (select(Deal.userid, func.sum(Deal.amount)).where(col(Deal.userid).in_(userids), Deal.status == "won",
                                                             col(Deal.closed_at) >= period.start,
                                                             col(Deal.closed_at) < period.end)
             .group_by(Deal.userid).order_by(func.sum(Deal.amount).desc()))
    return [(userid, Decimal(total or 0)) for userid, total in session.exec(query)]
