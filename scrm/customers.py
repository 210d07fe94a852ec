"""Customers (external contacts) and the reps who follow them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from scrm.models import Customer, CustomerRep


def upsert(
    session: Session,
    *,
    external_userid: str,
    name: str,
    type: int = 1,
    corp_name: str = "",
    position: str = "",
    gender: int = 0,
    now: datetime,
) -> Customer:
    customer = session.get(Customer, external_userid) or Customer(
        external_userid=external_userid, created_at=now, updated_at=now
    )
    customer.name, customer.type, customer.corp_name = name, type, corp_name
    customer.position, customer.gender, customer.updated_at = position, gender, now
    session.add(customer)
    return customer


def relation(session: Session, external_userid: str, userid: str) -> CustomerRep | None:
    query = select(CustomerRep).where(
        CustomerRep.external_userid == external_userid, CustomerRep.userid == userid
    )
    return session.exec(query).first()


def follow(
    session: Session,
    *,
    external_userid: str,
    userid: str,
    status: str = "active",
    remark: str = "",
    description: str = "",
    state: str = "",
    add_way: int | None = None,
    added_at: datetime | None = None,
    now: datetime,
) -> CustomerRep:
    """Create or refresh the rep–customer relation (one row per pair)."""
    link = relation(session, external_userid, userid) or CustomerRep(
        external_userid=external_userid, userid=userid, updated_at=now
    )
    link.status, link.remark, link.description = status, remark, description
    link.state = state or link.state
    link.add_way = add_way if add_way is not None else link.add_way
    link.added_at = link.added_at or added_at
    link.updated_at = now
    session.add(link)
    return link
