"""One grouped query per part of the figures, each for many reps at once: a part fills the metrics that
metrics.py says it computes, in every rep's Figures. Adding a query here is adding a part."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func
from sqlmodel import Session, col, select

from scrm import texts
from scrm.db import among
from scrm.kpis.dialect import local_day, on_time
from scrm.kpis.periods import Period
from scrm.models import CustomerRep, Deal, FollowUp, Interaction
from scrm.statuses import DealStatus, FollowUpStatus

if TYPE_CHECKING:
    from scrm.kpis.metrics import Figures


@dataclass(frozen=True)
class Scope:
    """Whose figures, over which period, as of when."""

    session: Session
    userids: list[str]
    period: Period
    now: datetime
    tz: ZoneInfo

    def mine(self, column):
        return among(self.session, column, self.userids)

    def within(self, column):
        return (column >= self.period.start) & (column < self.period.end)

    def logged(self) -> tuple:
        """Follow-ups these reps logged in the period."""
        return (Interaction.kind == "follow_up", self.mine(Interaction.userid), self.within(col(Interaction.at)))


def deals(scope: Scope, result: dict[str, Figures]) -> None:
    """won_amount, won, lost."""
    for userid, status, n, amount in scope.session.exec(
        select(Deal.userid, Deal.status, func.count(), func.coalesce(func.sum(Deal.amount), 0))
        .where(
            scope.mine(Deal.userid),
            col(Deal.status).in_((DealStatus.WON, DealStatus.LOST)),
            scope.within(col(Deal.closed_at)),
        )
        .group_by(Deal.userid, Deal.status)
    ):
        if status == DealStatus.WON:
            result[userid].won, result[userid].won_amount = n, Decimal(amount)
        else:
            result[userid].lost = n


def logged(scope: Scope, result: dict[str, Figures]) -> None:
    """logged, and by_channel."""
    for userid, channel, n in scope.session.exec(
        select(Interaction.userid, Interaction.channel, func.count())
        .where(*scope.logged())
        .group_by(Interaction.userid, Interaction.channel)
    ):
        result[userid].logged += n
        result[userid].by_channel[channel or texts.NO_CHANNEL] = n


def active_days(scope: Scope, result: dict[str, Figures]) -> None:
    for userid, days in scope.session.exec(
        select(
            Interaction.userid,
            func.count(distinct(local_day(scope.session, Interaction.at, scope.tz, scope.period.start))),
        )
        .where(*scope.logged())
        .group_by(Interaction.userid)
    ):
        result[userid].active_days = days


def due(scope: Scope, result: dict[str, Figures]) -> None:
    """Follow-ups due in the period (until now): due, done on time, late, still open."""
    is_open = case((FollowUp.status == FollowUpStatus.OPEN, 1), else_=0)
    in_time = case(
        (and_(FollowUp.status == FollowUpStatus.DONE, on_time(scope.session, FollowUp.done_at, FollowUp.due_at)), 1),
        else_=0,
    )
    for userid, due, still_open, on_time_ in scope.session.exec(
        select(FollowUp.userid, func.count(), func.sum(is_open), func.sum(in_time))
        .where(
            scope.mine(FollowUp.userid),
            col(FollowUp.status).in_((FollowUpStatus.OPEN, FollowUpStatus.DONE)),
            col(FollowUp.due_at) >= scope.period.start,
            col(FollowUp.due_at) < min(scope.period.end, scope.now),
        )
        .group_by(FollowUp.userid)
    ):
        figures = result[userid]
        figures.due, figures.still_open, figures.on_time = due, still_open, on_time_
        figures.late = due - still_open - on_time_


def new_customers(scope: Scope, result: dict[str, Figures]) -> None:
    """Per rep, a count of the customers they alone got among these reps, and a row of each shared one."""
    added = (
        select(
            CustomerRep.userid,
            CustomerRep.external_userid,
            func.count().over(partition_by=CustomerRep.external_userid).label("reps"),
        )
        .where(scope.mine(CustomerRep.userid), scope.within(col(CustomerRep.added_at)))
        .subquery()
    )
    shared = case((added.c.reps > 1, added.c.external_userid), else_=None)
    for userid, external, n in scope.session.exec(
        select(added.c.userid, shared, func.count()).group_by(added.c.userid, shared)
    ):
        result[userid].new_customers += n
        if external is not None:
            result[userid].shared_new.add(external)


def response(scope: Scope, result: dict[str, Figures]) -> None:
    """Minutes from a customer adding the rep to the rep's first follow-up logged with them."""
    first_logged = (
        select(func.min(Interaction.at))
        .where(
            Interaction.userid == CustomerRep.userid,
            Interaction.external_userid == CustomerRep.external_userid,
            Interaction.kind == "follow_up",
            col(Interaction.at) >= CustomerRep.added_at,
        )
        .scalar_subquery()
    )
    for userid, added, first in scope.session.exec(
        select(CustomerRep.userid, CustomerRep.added_at, first_logged).where(
            scope.mine(CustomerRep.userid), scope.within(col(CustomerRep.added_at))
        )
    ):
        if first is not None:
            result[userid].response_minutes.append((first - added).total_seconds() / 60)


def overdue_now(scope: Scope, result: dict[str, Figures]) -> None:
    for userid, n in scope.session.exec(
        select(FollowUp.userid, func.count())
        .where(scope.mine(FollowUp.userid), FollowUp.status == FollowUpStatus.OPEN, col(FollowUp.due_at) < scope.now)
        .group_by(FollowUp.userid)
    ):
        result[userid].overdue_now = n


# The parts, in the order by_rep runs them.
QUERIES: dict[str, Callable[[Scope, dict[str, Figures]], None]] = {
    "deals": deals,
    "logged": logged,
    "active_days": active_days,
    "due": due,
    "new_customers": new_customers,
    "response": response,
    "overdue_now": overdue_now,
}
