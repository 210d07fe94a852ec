"""Members and departments as synced from WeCom; a department's leaders manage its members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, cast, func, literal_column
from sqlmodel import Session, select

from scrm.db import among
from scrm.models import Department, Member


def get(session: Session, userid: str) -> Member | None:
    return session.get(Member, userid)


def upsert_department(
    session: Session, *, id: int, name: str, parent_id: int | None, leaders: list[str], now: datetime
) -> Department:
    department = session.get(Department, id) or Department(id=id, name=name)
    department.name, department.parent_id = name, parent_id
    department.leader_userids, department.synced_at = list(leaders), now
    session.add(department)
    return department


def upsert_member(
    session: Session,
    *,
    userid: str,
    name: str,
    department_ids: list[int],
    leader_of: list[int],
    position: str = "",
    active: bool = True,
    now: datetime,
) -> Member:
    member = session.get(Member, userid) or Member(userid=userid, name=name)
    member.name, member.position, member.active = name, position, active
    member.department_ids, member.leader_of, member.synced_at = list(department_ids), list(leader_of), now
    session.add(member)
    return member


def managers_of(session: Session, member: Member) -> list[Member]:
    """Who manages the member: the active leaders of their departments, the member excluded. A department
    whose only leader is the member (a manager who also sells) or who left hands over to its parent's."""
    found: dict[str, Member] = {}
    for department_id in member.department_ids:
        seen: set[int] = set()
        department = session.get(Department, department_id)
        while department is not None and department.id not in seen:
            seen.add(department.id)
            leaders = [u for u in department.leader_userids if u != member.userid]
            active = (
                session.exec(
                    select(Member).where(
                        Member.userid.in_(sorted(leaders)),  # type: ignore[attr-defined]
                        Member.active == True,  # noqa: E712
                    )
                ).all()
                if leaders
                else []
            )  # noqa: E712
            if active:
                found.update((m.userid, m) for m in active)
                break
            department = session.get(Department, department.parent_id) if department.parent_id else None
    return sorted(found.values(), key=lambda m: m.userid)


def find(session: Session, wanted: str) -> Member | None:
    """A member by userid, or by name when exactly one active member has it."""
    member = session.get(Member, wanted.strip())
    if member is not None:
        return member
    named = session.exec(select(Member).where(Member.name == wanted.strip(), Member.active == True)).all()  # noqa: E712
    return named[0] if len(named) == 1 else None


def departments(session: Session, ids: list[int]) -> list[Department]:
    return list(session.exec(select(Department).where(Department.id.in_(ids)).order_by(Department.id)))  # type: ignore[union-attr]


def in_departments(session: Session, department_ids: list[int]) -> list[Member]:
    """Active members of any of these departments. Membership is a JSON list on the member, matched by the
    database (json_array_elements / json_each), so only the team's rows are loaded."""
    if not department_ids:
        return []
    postgres = session.get_bind().dialect.name == "postgresql"
    element = (
        (func.json_array_elements_text if postgres else func.json_each)(Member.department_ids)
        .table_valued("value")
        .alias("d")
    )
    value = cast(element.c.value, Integer) if postgres else element.c.value
    member_of = select(literal_column("1")).select_from(element).where(among(session, value, map(int, department_ids)))
    return list(
        session.exec(
            select(Member)
            .where(Member.active == True, member_of.exists())  # noqa: E712
            .order_by(Member.name)
        ).all()
    )


def sync_directory(session: Session, departments: list[dict], users: list[dict], *, now: datetime) -> dict[str, int]:
    """Mirror WeCom's departments and members (as department/list and user/list return them).

    A member WeCom no longer lists (left, or moved out of the app's visible range) becomes inactive, so
    they can no longer use the bot; their records stay.
    """
    for d in departments:
        upsert_department(
            session,
            id=d["id"],
            name=d["name"],
            parent_id=d.get("parentid") or None,
            leaders=d.get("department_leader", []),
            now=now,
        )
    seen = set()
    for user in users:
        ids = user.get("department", [])
        flags = user.get("is_leader_in_dept", [0] * len(ids))
        upsert_member(
            session,
            userid=user["userid"],
            name=user.get("name", user["userid"]),
            department_ids=ids,
            leader_of=[d for d, leader in zip(ids, flags, strict=False) if leader],
            position=user.get("position", ""),
            active=user.get("status", 1) == 1,
            now=now,
        )
        seen.add(user["userid"])
    for member in session.exec(select(Member).where(Member.active == True)).all():  # noqa: E712
        if member.userid not in seen:
            member.active, member.synced_at = False, now
            session.add(member)
    return {"departments": len(departments), "members": len(seen)}
