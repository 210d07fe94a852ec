"""Customers (external contacts) and the reps who follow them.

A relation's status is set by events that may arrive late or twice, so every change carries the time
WeCom gave it: an older event never overrides a newer one, and at the same second an ending (deleted,
lost, handed over) wins over an add. Replaying events in any order gives the in-order result.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from scrm import texts
from scrm.db import among
from scrm.models import Customer, CustomerRep
from scrm.statuses import RelationStatus

RANK = {
    RelationStatus.HALF: 0,
    RelationStatus.ACTIVE: 1,
    RelationStatus.DELETED_BY_REP: 2,
    RelationStatus.TRANSFERRED: 2,
    RelationStatus.LOST: 2,
}
LIVE = (RelationStatus.HALF, RelationStatus.ACTIVE)  # the rep follows the customer


def display_name(customer: Customer | None) -> str:
    """The name a rep knows the customer by; WeCom may not have told us one (yet)."""
    return customer.name if customer and customer.name else texts.UNKNOWN_CUSTOMER


def label(customer: Customer | None) -> str:
    """The name with the company, when known: 陈志强（苏州精密）."""
    name = display_name(customer)
    return texts.CUSTOMER_AT.format(name=name, corp=customer.corp_name) if customer and customer.corp_name else name


def upsert(
    session: Session,
    *,
    external_userid: str,
    profile: dict[str, Any],
    now: datetime,
    known: dict[str, Customer] | None = None,
) -> tuple[Customer, str]:
    """Store WeCom's `external_contact` profile; returns (customer, "created" | "updated" | "unchanged").

    `known` (from `by_ids`, in bulk work) holds the batch's stored customers, and gets those created: it saves
    a query per customer, and a customer WeCom lists once per rep who follows them is created once
    (`session.get` does not see an object added but not flushed).
    """
    customer = known.get(external_userid) if known is not None else session.get(Customer, external_userid)
    created = customer is None
    customer = customer or Customer(external_userid=external_userid, created_at=now, updated_at=now)
    if known is not None:
        known[external_userid] = customer
    fields = {
        "name": profile.get("name", customer.name or ""),
        "type": int(profile.get("type") or customer.type or 1),
        "corp_name": profile.get("corp_name", customer.corp_name or ""),
        "position": profile.get("position", customer.position or ""),
        "gender": int(profile.get("gender") or customer.gender or 0),
    }
    changed = created or any(getattr(customer, k) != v for k, v in fields.items())
    if changed:
        for key, value in fields.items():
            setattr(customer, key, value)
        customer.updated_at = now
        session.add(customer)
    return customer, "created" if created else "updated" if changed else "unchanged"


def by_ids(session: Session, external_userids: list[str]) -> list[Customer]:
    return list(session.exec(select(Customer).where(among(session, Customer.external_userid, external_userids))))


def relation(session: Session, external_userid: str, userid: str) -> CustomerRep | None:
    query = select(CustomerRep).where(CustomerRep.external_userid == external_userid, CustomerRep.userid == userid)
    return session.exec(query).first()


def link(
    session: Session,
    *,
    external_userid: str,
    userid: str,
    now: datetime,
    known: dict[tuple[str, str], CustomerRep] | None = None,
) -> CustomerRep:
    """The rep–customer relation, created without a status if this is the first we hear of it.

    `known` (from `relations_of`) saves a query per customer in bulk work.
    """
    key = (external_userid, userid)
    found = known.get(key) if known is not None else relation(session, external_userid, userid)
    if found is None:
        found = CustomerRep(external_userid=external_userid, userid=userid, status=RelationStatus.UNSET, updated_at=now)
        session.add(found)
        if known is not None:
            known[key] = found
    return found


def relations_of(session: Session, external_userids: list[str]) -> dict[tuple[str, str], CustomerRep]:
    """Every relation of these customers, keyed (external_userid, userid)."""
    query = select(CustomerRep).where(col(CustomerRep.external_userid).in_(external_userids))
    return {(r.external_userid, r.userid): r for r in session.exec(query)}


def set_status(rel: CustomerRep, status: RelationStatus, at: datetime) -> bool:
    """Apply a status WeCom reported at `at`, unless a later event already moved the relation."""
    later = (
        rel.status_at is not None
        and rel.status
        and (at < rel.status_at or (at == rel.status_at and RANK[status] < RANK[rel.status]))
    )
    if later:
        return False
    rel.status, rel.status_at, rel.updated_at = status, at, max(at, rel.updated_at or at)
    return True


def apply_follow_info(rel: CustomerRep, follow: dict[str, Any], *, now: datetime) -> bool:
    """Copy a `follow_user` / `follow_info` entry (remark, description, channel …); returns changed."""
    fields = {
        "remark": follow.get("remark", rel.remark) or "",
        "description": follow.get("description", rel.description) or "",
        "state": follow.get("state") or rel.state or "",
        "add_way": follow.get("add_way", rel.add_way),
        "remark_corp_name": follow.get("remark_corp_name", rel.remark_corp_name) or "",
    }
    if follow.get("createtime") and rel.added_at is None:
        fields["added_at"] = datetime.fromtimestamp(int(follow["createtime"]), UTC)
    changed = any(getattr(rel, k) != v for k, v in fields.items())
    for key, value in fields.items():
        setattr(rel, key, value)
    if changed:
        rel.updated_at = now
    return changed


def reps_of(session: Session, external_userid: str) -> list[CustomerRep]:
    query = select(CustomerRep).where(CustomerRep.external_userid == external_userid).order_by(CustomerRep.id)
    return list(session.exec(query).all())


def search(session: Session, text: str, limit: int = 10) -> list[Customer]:
    """By external id, or by name / corp name / a rep's remark containing the text (for operators)."""
    if found := session.get(Customer, text):
        return [found]
    like = f"%{text}%"
    remarked = select(CustomerRep.external_userid).where(col(CustomerRep.remark).like(like))
    query = select(Customer).where(
        or_(
            col(Customer.name).like(like),
            col(Customer.corp_name).like(like),
            col(Customer.external_userid).in_(remarked),
        )
    )
    return list(session.exec(query.order_by(Customer.name).limit(limit)).all())


def of_rep(session: Session, userid: str) -> list[tuple[Customer, CustomerRep]]:
    """The customers a rep follows now (a rep never sees anyone else's)."""
    query = (
        select(Customer, CustomerRep)
        .join(CustomerRep, col(CustomerRep.external_userid) == col(Customer.external_userid))
        .where(CustomerRep.userid == userid, col(CustomerRep.status).in_(LIVE))
    )
    return list(session.exec(query.order_by(Customer.name)).all())


def book_stamp(session: Session, userid: str) -> tuple:
    """Changes whenever the rep's customer list or any of their names does: (count, newest change)."""
    query = (
        select(func.count(), func.max(CustomerRep.updated_at), func.max(Customer.updated_at))
        .select_from(CustomerRep)
        .join(Customer, col(CustomerRep.external_userid) == col(Customer.external_userid))
        .where(CustomerRep.userid == userid, col(CustomerRep.status).in_(LIVE))
    )
    return tuple(session.exec(query).one())
