"""Deals (opportunities) with a customer, owned by a rep, and their way along the funnel."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, col, select

from scrm.funnel import LOST, WON
from scrm.models import Deal, StageChange
from scrm.statuses import DealStatus


def mark_at_risk(session: Session, *, external_userid: str, userid: str, now: datetime) -> int:
    """The customer deleted the rep: every open deal between them is at risk now."""
    result = session.exec(
        update(Deal)
        .where(
            col(Deal.external_userid) == external_userid,
            col(Deal.userid) == userid,
            col(Deal.status) == DealStatus.OPEN,
        )
        .values(at_risk=True, updated_at=now)
    )
    return result.rowcount


def of_customer(session: Session, external_userid: str) -> list[Deal]:
    return list(session.exec(select(Deal).where(Deal.external_userid == external_userid).order_by(Deal.id)).all())


def open_of(session: Session, external_userid: str, userid: str) -> Deal | None:
    query = select(Deal).where(
        Deal.external_userid == external_userid, Deal.userid == userid, Deal.status == DealStatus.OPEN
    )
    return session.exec(query.order_by(Deal.id.desc())).first()  # type: ignore[union-attr]


def last_closed(session: Session, external_userid: str, userid: str) -> Deal | None:
    """The rep's most recently closed deal (won or lost) with the customer."""
    query = select(Deal).where(
        Deal.external_userid == external_userid, Deal.userid == userid, Deal.status != DealStatus.OPEN
    )
    return session.exec(query.order_by(Deal.closed_at.desc(), Deal.id.desc())).first()  # type: ignore[union-attr]


def open_deal(session: Session, *, external_userid: str, userid: str, first_stage: str, now: datetime) -> Deal:
    """The rep's open deal with the customer, opened at the first stage if there is none."""
    deal = open_of(session, external_userid, userid)
    if deal is None:
        deal = Deal(external_userid=external_userid, userid=userid, stage=first_stage, opened_at=now, updated_at=now)
        session.add(deal)
        session.flush()
        session.add(StageChange(deal_id=deal.id, to_stage=first_stage, userid=userid, at=now))
    return deal


def move(session: Session, deal: Deal, *, stage: str, userid: str, now: datetime) -> bool:
    """Move the deal to a stage, keeping the history; False if it is already there."""
    if deal.stage == stage:
        return False
    session.add(StageChange(deal_id=deal.id, from_stage=deal.stage, to_stage=stage, userid=userid, at=now))
    deal.stage, deal.updated_at = stage, now
    session.add(deal)
    return True


def close(
    session: Session, deal: Deal, *, won: bool, amount: Decimal | None, note: str, userid: str, now: datetime
) -> None:
    move(session, deal, stage=WON if won else LOST, userid=userid, now=now)
    deal.status, deal.closed_at, deal.at_risk = (DealStatus.WON if won else DealStatus.LOST), now, False
    deal.amount = amount if amount is not None else deal.amount
    deal.note = note or deal.note
    session.add(deal)


def reopen(session: Session, deal: Deal, *, userid: str, first_stage: str, now: datetime) -> str:
    """重新打开: the deal is open again at the stage it was closed from (it no longer counts as won or lost);
    returns that stage."""
    before = session.exec(
        select(StageChange.from_stage)
        .where(StageChange.deal_id == deal.id, StageChange.to_stage == deal.stage)
        .order_by(StageChange.at.desc(), StageChange.id.desc())  # type: ignore[union-attr]
    ).first()
    stage = before or first_stage
    move(session, deal, stage=stage, userid=userid, now=now)
    deal.status, deal.closed_at = DealStatus.OPEN, None
    session.add(deal)
    return stage


def days_in_stage(session: Session, deal: Deal, *, now: datetime) -> int:
    entered = session.exec(
        select(StageChange.at)
        .where(StageChange.deal_id == deal.id)
        .order_by(StageChange.at.desc(), StageChange.id.desc())
    ).first()  # type: ignore[union-attr]
    return max(0, (now - (entered or deal.opened_at)).days)
