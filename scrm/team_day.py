"""What reps did with their deals in a period, as a manager retells it: who moved which customer to which stage,
and which deals were won or lost (with the reason the rep gave). Read by the daily digest and `今天团队情况`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from scrm.customers import LIVE, by_ids, display_name
from scrm.db import among
from scrm.funnel import LOST, WON
from scrm.kpis import Period
from scrm.models import CustomerRep, Deal, StageChange
from scrm.statuses import DealStatus


@dataclass(frozen=True)
class Move:
    userid: str
    customer: str
    stage: str


@dataclass(frozen=True)
class Closed:
    userid: str
    customer: str
    won: bool
    amount: Decimal | None
    reason: str


def moves(session: Session, userids: list[str], period: Period) -> list[Move]:
    """Each move along the funnel in the period, in order, whatever became of the deal since (a deal moved and
    then lost the same day was still moved). Opening a deal, closing it and reopening it are not moves."""
    rows = session.exec(
        select(StageChange.userid, StageChange.to_stage, Deal.external_userid)
        .join(Deal, col(Deal.id) == StageChange.deal_id)
        .where(
            among(session, StageChange.userid, userids),
            col(StageChange.at) >= period.start,
            col(StageChange.at) < period.end,
            col(StageChange.from_stage).not_in(("", WON, LOST)),
            col(StageChange.to_stage).not_in((WON, LOST)),
        )
        .order_by(StageChange.at, StageChange.id)
    ).all()
    names = _names(session, [e for _, _, e in rows])
    return [Move(u, names.get(e, display_name(None)), stage) for u, stage, e in rows]


def closed(session: Session, userids: list[str], period: Period) -> list[Closed]:
    """The deals won or lost in the period (and still so), in order, with the amount and the rep's reason."""
    deals = session.exec(
        select(Deal)
        .where(
            among(session, Deal.userid, userids),
            col(Deal.status).in_((DealStatus.WON, DealStatus.LOST)),
            col(Deal.closed_at) >= period.start,
            col(Deal.closed_at) < period.end,
        )
        .order_by(col(Deal.closed_at), col(Deal.id))
    ).all()
    names = _names(session, [d.external_userid for d in deals])
    return [
        Closed(
            d.userid,
            names.get(d.external_userid, display_name(None)),
            d.status == DealStatus.WON,
            d.amount,
            d.note.strip(),
        )
        for d in deals
    ]


def with_customers(session: Session, userids: list[str]) -> set[str]:
    """The reps who follow at least one customer: one with none (on leave, new) is not silent for logging nothing."""
    query = select(CustomerRep.userid).where(
        among(session, CustomerRep.userid, userids), col(CustomerRep.status).in_(LIVE)
    )
    return set(session.exec(query.distinct()).all())


def _names(session: Session, external_userids: list[str]) -> dict[str, str]:
    wanted = list(dict.fromkeys(external_userids))
    return {c.external_userid: display_name(c) for c in by_ids(session, wanted)} if wanted else {}
