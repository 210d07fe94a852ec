"""The corp tag library and the tags each rep has on each customer (our copy of WeCom's)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from scrm.db import insert_ignore
from scrm.models import CustomerTag, Tag, TagGroup


def sync_library(session: Session, groups: list[dict[str, Any]], *, now: datetime) -> dict[str, int]:
    """Mirror `get_corp_tag_list`'s answer; what WeCom no longer lists is marked deleted."""
    seen_groups, seen_tags = set(), set()
    for g in groups:
        seen_groups.add(g["group_id"])
        seen_tags.update(upsert_group(session, g, now=now))
    session.exec(update(TagGroup).where(col(TagGroup.group_id).not_in(seen_groups)).values(deleted=True))
    session.exec(update(Tag).where(col(Tag.tag_id).not_in(seen_tags)).values(deleted=True))
    return {"groups": len(seen_groups), "tags": len(seen_tags)}


def upsert_group(session: Session, g: dict[str, Any], *, now: datetime) -> list[str]:
    """One `tag_group` as WeCom returns it (from the list, or from add_corp_tag); returns its tag ids."""
    group = session.get(TagGroup, g["group_id"]) or TagGroup(group_id=g["group_id"], name=g["group_name"])
    group.name, group.order = g["group_name"], g.get("order", 0)
    group.deleted, group.synced_at = bool(g.get("deleted")), now
    session.add(group)
    ids = []
    for t in g.get("tag", []):
        tag = session.get(Tag, t["id"]) or Tag(tag_id=t["id"], group_id=group.group_id, name=t["name"])
        tag.group_id, tag.name, tag.order = group.group_id, t["name"], t.get("order", 0)
        tag.deleted, tag.synced_at = bool(t.get("deleted")), now
        session.add(tag)
        ids.append(tag.tag_id)
    return ids


def find(session: Session, group_name: str, tag_name: str) -> Tag | None:
    query = (
        select(Tag)
        .join(TagGroup, col(TagGroup.group_id) == col(Tag.group_id))
        .where(TagGroup.name == group_name, Tag.name == tag_name, Tag.deleted == False, TagGroup.deleted == False)  # noqa: E712
    )
    return session.exec(query).first()


def names_by_id(session: Session) -> dict[str, tuple[str, str]]:
    """tag_id -> (group name, tag name) for the live library."""
    query = select(Tag.tag_id, TagGroup.name, Tag.name).join(TagGroup, col(TagGroup.group_id) == col(Tag.group_id))
    return {tag_id: (group, name) for tag_id, group, name in session.exec(query.where(Tag.deleted == False))}  # noqa: E712


def group_named(session: Session, name: str) -> TagGroup | None:
    return session.exec(select(TagGroup).where(TagGroup.name == name, TagGroup.deleted == False)).first()  # noqa: E712


def add_to_customer(
    session: Session, *, external_userid: str, userid: str, tags: Iterable[tuple[str, str, str]], now: datetime
) -> list[tuple[str, str]]:
    """Record (group, name, rule) tags; returns the (group, name) pairs that were new (never twice)."""
    new = []
    for group_name, tag_name, rule in tags:
        values = {
            "external_userid": external_userid,
            "userid": userid,
            "group_name": group_name,
            "tag_name": tag_name,
            "rule": rule,
            "created_at": now,
        }
        if insert_ignore(session, CustomerTag, values, key=("external_userid", "userid", "group_name", "tag_name")):
            new.append((group_name, tag_name))
    return new


def mark_applied(
    session: Session, *, external_userid: str, userid: str, ids: dict[tuple[str, str], str], now: datetime
) -> None:
    """WeCom has the tags now: remember their ids (API changes send no callback)."""
    for (group_name, tag_name), tag_id in ids.items():
        session.exec(
            update(CustomerTag)
            .where(
                CustomerTag.external_userid == external_userid,
                CustomerTag.userid == userid,
                CustomerTag.group_name == group_name,
                CustomerTag.tag_name == tag_name,
            )
            .values(tag_id=tag_id, marked_at=now)
        )


def of_customer(session: Session, external_userid: str) -> list[CustomerTag]:
    query = select(CustomerTag).where(CustomerTag.external_userid == external_userid).order_by(CustomerTag.id)
    return list(session.exec(query).all())


def of_customers(session: Session, external_userids: list[str]) -> dict[tuple[str, str], list[CustomerTag]]:
    """Tags of many customers at once, keyed (external_userid, userid)."""
    found: dict[tuple[str, str], list[CustomerTag]] = {}
    for row in session.exec(select(CustomerTag).where(col(CustomerTag.external_userid).in_(external_userids))):
        found.setdefault((row.external_userid, row.userid), []).append(row)
    return found


def replace_from_wecom(
    session: Session,
    *,
    external_userid: str,
    userid: str,
    tags: list[dict],
    now: datetime,
    current_rows: list[CustomerTag] | None = None,
) -> None:
    """A rep edited tags in the client: take WeCom's corp tags as the truth, keep our rule notes.

    Tags we chose but have not marked in WeCom yet (marked_at empty) stay: the sender is about to mark them.
    """
    wanted = {(t["group_name"], t["tag_name"]): t.get("tag_id") for t in tags if t.get("type", 1) == 1}
    if current_rows is None:
        current_rows = [c for c in of_customer(session, external_userid) if c.userid == userid]
    current = {(c.group_name, c.tag_name): c for c in current_rows}
    for pair, row in current.items():
        if pair not in wanted and row.marked_at is not None:
            session.delete(row)
    for (group_name, tag_name), tag_id in wanted.items():
        row = current.get((group_name, tag_name))
        if row is None:
            session.add(
                CustomerTag(
                    external_userid=external_userid,
                    userid=userid,
                    group_name=group_name,
                    tag_name=tag_name,
                    tag_id=tag_id,
                    rule="wecom",
                    created_at=now,
                    marked_at=now,
                )
            )
        elif row.tag_id != tag_id or row.marked_at is None:
            row.tag_id, row.marked_at = tag_id, now
            session.add(row)
