"""Deals (opportunities) with a customer, owned by a rep."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from scrm.models import Deal


def mark_at_risk(session: Session, *, external_userid: str, userid: str, now: datetime) -> int:
    """The customer deleted the rep: every open deal between them is at risk now."""
    result = session.exec(
        update(Deal)
        .where(col(Deal.external_userid) == external_userid, col(Deal.userid) == userid, col(Deal.status) == "open")
        .values(at_risk=True, updated_at=now)
    )
    return result.rowcount


def of_customer(session: Session, external_userid: str) -> list[Deal]:
    return list(session.exec(select(Deal).where(Deal.external_userid == external_userid).order_by(Deal.id)).all())
