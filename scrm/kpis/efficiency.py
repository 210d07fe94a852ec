"""Per-rep efficiency (人效): a team's output and load per rep."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from scrm.customers import LIVE
from scrm.db import among
from scrm.kpis.metrics import Figures
from scrm.models import CustomerRep, FollowUp
from scrm.statuses import FollowUpStatus


@dataclass(frozen=True)
class Workload:
    """Per-rep efficiency (人效): output and load per rep of a team."""

    reps: int
    won_per_rep: Decimal
    customers_per_rep: float
    open_follow_ups_per_rep: float


def workload(session: Session, userids: list[str], total: Figures) -> Workload:
    customers_ = session.exec(
        select(func.count())
        .select_from(CustomerRep)
        .where(among(session, CustomerRep.userid, userids), col(CustomerRep.status).in_(LIVE))
    ).one()
    open_ = session.exec(
        select(func.count())
        .select_from(FollowUp)
        .where(among(session, FollowUp.userid, userids), FollowUp.status == FollowUpStatus.OPEN)
    ).one()
    n = max(len(userids), 1)
    return Workload(len(userids), (total.won_amount / n).quantize(Decimal(1)), customers_ / n, open_ / n)
