"""A customer's timeline: events from WeCom and what reps log, in one table."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from scrm.models import Interaction


def record(
    session: Session,
    *,
    external_userid: str,
    userid: str | None,
    kind: str,
    at: datetime,
    text: str = "",
    channel: str = "",
    inbox_id: int | None = None,
) -> Interaction:
    entry = Interaction(
        external_userid=external_userid, userid=userid, kind=kind, text=text, channel=channel, at=at, inbox_id=inbox_id
    )
    session.add(entry)
    return entry


def timeline(
    session: Session, external_userid: str, limit: int = 50, *, userid: str | None = None
) -> list[Interaction]:
    """The newest entries first; `userid` keeps one rep's (a customer followed by several reps has a history
    with each, and the busiest one's must not push the others' out of the limit)."""
    query = select(Interaction).where(Interaction.external_userid == external_userid)
    if userid is not None:
        query = query.where(Interaction.userid == userid)
    return list(session.exec(query.order_by(Interaction.at.desc(), Interaction.id.desc()).limit(limit)).all())
