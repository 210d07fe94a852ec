"""Who may do what, decided in one place: a member's roles, and whose customers and numbers each may see.

Chat commands declare the roles they serve and the router enforces them (handlers/commands.py); the web console's
pages and exports will ask the same questions here. Roles come from our tables (synced from WeCom's directory) and
from the operators' list of admins, never from what a client says.

- rep: any active member. Their own customers and numbers.
- manager: a member who leads a department. The members of the departments they lead, sub-departments included
  (the fellow leaders of those departments are not their reps).
- admin: a member named in SCRM_ADMINS. Everyone.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, select

from scrm import members
from scrm.models import Department, Member


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


MEMBERS = frozenset(Role)  # anyone who may use the bot at all
MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})  # who see a team: the managers, and the admins (everyone)


@dataclass(frozen=True)
class Viewer:
    """A member as the checks see them: who they are and the roles they hold."""

    member: Member
    roles: frozenset[Role]

    @property
    def userid(self) -> str:
        return self.member.userid

    def may(self, allowed: Collection[Role]) -> bool:
        return bool(self.roles & frozenset(allowed))

    @property
    def sees_a_team(self) -> bool:
        return self.may(MANAGERS)


def viewer(session: Session, userid: str, *, admins: Collection[str] = ()) -> Viewer | None:
    """The member behind a userid with their roles; None when they are no (longer an) active member."""
    member = members.get(session, userid)
    if member is None or not member.active:
        return None
    roles = {Role.REP}
    if member.leader_of:
        roles.add(Role.MANAGER)
    if member.userid in admins:
        roles.add(Role.ADMIN)
    return Viewer(member, frozenset(roles))


def departments_seen(session: Session, viewer: Viewer) -> list[Department]:
    """The departments whose members a viewer sees: those they lead and every one below them (an admin: all)."""
    everything = list(session.exec(select(Department).order_by(Department.id)))
    if Role.ADMIN in viewer.roles:
        return everything
    children: dict[int | None, list[Department]] = {}
    for department in everything:
        children.setdefault(department.parent_id, []).append(department)
    found: dict[int, Department] = {}
    queue = [d for d in everything if d.id in viewer.member.leader_of]
    while queue:
        department = queue.pop()
        if department.id not in found:
            found[department.id] = department
            queue += children.get(department.id, [])
    return sorted(found.values(), key=lambda d: d.id)


def teams_led(session: Session, viewer: Viewer) -> list[Department]:
    """The departments a manager leads themselves (what their team is called); all top ones for an admin."""
    if Role.ADMIN in viewer.roles and not viewer.member.leader_of:
        return [d for d in session.exec(select(Department).order_by(Department.id)) if not d.parent_id]
    return members.departments(session, viewer.member.leader_of)


def team(session: Session, viewer: Viewer) -> list[Member]:
    """The members whose customers and numbers a manager (or admin) sees, by name, the viewer and the fellow
    leaders of the departments they lead left out; [] for a viewer who sees no team."""
    if not viewer.sees_a_team:
        return []
    if Role.ADMIN in viewer.roles:
        everyone = session.exec(select(Member).where(Member.active == True).order_by(Member.name))  # noqa: E712
        return [m for m in everyone if m.userid != viewer.userid]
    leaders = {u for d in teams_led(session, viewer) for u in d.leader_userids} | {viewer.userid}
    seen = members.in_departments(session, [d.id for d in departments_seen(session, viewer)])
    return [m for m in seen if m.userid not in leaders]


def may_see(session: Session, viewer: Viewer, userid: str) -> bool:
    """Whether a viewer may see this member's customers and numbers."""
    return userid == viewer.userid or any(m.userid == userid for m in team(session, viewer))
