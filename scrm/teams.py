"""Teams and their group chats. A team is a WeCom department; its managers are the department's leaders.

A team's announcements go to one group chat: a group robot (its webhook key) or an app group chat (its
chat id). A chat WeCom refuses for good (a robot removed from the group) is disabled, not retried.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from scrm import keys, texts
from scrm.models import Department, Member, TeamChat
from scrm.outbox import AppChatImage, AppChatMarkdown, AppText, Message, Outbox, WebhookImage, WebhookMarkdown

log = logging.getLogger(__name__)

KINDS = ("robot", "appchat")


class TeamNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Team:
    department: Department
    managers: list[Member]
    members: list[Member]  # active members of the department, managers included
    chat: TeamChat | None

    @property
    def reps(self) -> list[Member]:
        """Who sells: members who do not lead the team (managers are never counted among their reps)."""
        leaders = set(self.department.leader_userids)
        return [m for m in self.members if m.userid not in leaders]


def find_department(session: Session, wanted: str) -> Department:
    """A department by id or by exact name; raises TeamNotFound naming what was looked for."""
    department = session.get(Department, int(wanted)) if wanted.strip().isdigit() else None
    if department is None:
        matches = session.exec(select(Department).where(Department.name == wanted.strip())).all()
        if len(matches) > 1:
            ids = ", ".join(str(d.id) for d in matches)
            raise TeamNotFound(f"several departments are named {wanted!r} (ids {ids}): give the id")
        department = matches[0] if matches else None
    if department is None:
        raise TeamNotFound(f"no department {wanted!r} (run `scrm sync` first if it is new)")
    return department


def team(session: Session, department: Department) -> Team:
    members = [
        m
        for m in session.exec(select(Member).where(Member.active == True).order_by(Member.userid)).all()  # noqa: E712
        if department.id in m.department_ids
    ]
    leaders = set(department.leader_userids)
    managers = [
        m for m in session.exec(select(Member).where(col(Member.userid).in_(sorted(leaders)))).all() if m.active
    ]
    return Team(department, managers, members, session.get(TeamChat, department.id))


def all_teams(session: Session) -> list[Team]:
    """Every department with active members, each as a Team (read in three queries, not one per team)."""
    departments = {d.id: d for d in session.exec(select(Department).order_by(Department.id))}
    by_department: dict[int, list[Member]] = {}
    active = {m.userid: m for m in session.exec(select(Member).where(Member.active == True).order_by(Member.userid))}  # noqa: E712
    for member in active.values():
        for department_id in member.department_ids:
            by_department.setdefault(department_id, []).append(member)
    configured = {c.department_id: c for c in session.exec(select(TeamChat))}
    return [
        Team(
            department,
            [active[u] for u in department.leader_userids if u in active],
            by_department[d_id],
            configured.get(d_id),
        )
        for d_id, department in departments.items()
        if d_id in by_department
    ]


def chat_of(session: Session, department_id: int) -> TeamChat | None:
    """The department's group chat, if it has one that works."""
    chat = session.get(TeamChat, department_id)
    return chat if chat is not None and chat.enabled else None


def set_chat(session: Session, department: Department, *, kind: str, target: str, now: datetime) -> TeamChat:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    chat = session.get(TeamChat, department.id) or TeamChat(department_id=department.id, kind=kind, target=target)
    chat.kind, chat.target, chat.enabled, chat.disabled_reason, chat.updated_at = kind, target, True, "", now
    session.add(chat)
    return chat


def unset_chat(session: Session, department: Department) -> bool:
    chat = session.get(TeamChat, department.id)
    if chat is not None:
        session.delete(chat)
    return chat is not None


def chats(session: Session) -> list[tuple[Department, TeamChat | None]]:
    """Every department with its chat (or None), by id."""
    departments = session.exec(select(Department).order_by(Department.id)).all()
    configured = {c.department_id: c for c in session.exec(select(TeamChat)).all()}
    return [(d, configured.get(d.id)) for d in departments]


def disable(session: Session, *, kind: str, target: str, reason: str, now: datetime) -> list[TeamChat]:
    """WeCom refused this robot key or chat for good: stop using it. Returns the chats disabled just now."""
    found = session.exec(
        select(TeamChat).where(TeamChat.kind == kind, TeamChat.target == target, TeamChat.enabled == True)  # noqa: E712
    ).all()
    for chat in found:
        chat.enabled, chat.disabled_reason, chat.updated_at = False, reason[:200], now
        session.add(chat)
    return list(found)


def masked(chat: TeamChat) -> str:
    """How `team list` and logs show the target: a robot key is a credential, so only its last 4 characters."""
    return f"…{chat.target[-4:]}" if chat.kind == "robot" else chat.target


# WeCom's answers that mean the chat is gone or not ours to use: retrying cannot help.
GONE = {"robot": {93000, 93004}, "appchat": {86001, 86003, 40050, 48002}}


def message(chat: TeamChat, content: str) -> Message:
    """A markdown message into the team's chat, whichever kind it is."""
    if chat.kind == "robot":
        return WebhookMarkdown(webhook_key=chat.target, content=content)
    return AppChatMarkdown(chat_id=chat.target, content=content)


def picture(chat: TeamChat, png: bytes) -> Message:
    """A picture (PNG, at most 2 MB) into the team's chat, whichever kind it is."""
    return WebhookImage.of(chat.target, png) if chat.kind == "robot" else AppChatImage.of(chat.target, png)


def _tag(chat: TeamChat) -> str:
    """Names the chat in an outbox key without the robot key itself (a credential)."""
    return f"{chat.kind}-{hashlib.sha256(chat.target.encode()).hexdigest()[:12]}"


def hello(session: Session, department: Department, chat: TeamChat, *, now: datetime) -> None:
    """The first message into a chat just set: the operator sees at once whether it works."""
    Outbox(session, now).add(message(chat, texts.CHAT_HELLO), key=keys.team_hello(department.id, _tag(chat), now))


def refused(session: Session, *, kind: str, target: str, errcode: int | None, now: datetime) -> bool:
    """WeCom refused a message to a team chat. If the chat is gone, disable it and tell the team's managers
    (once, in the same transaction); returns True when it was disabled."""
    if errcode not in GONE.get(kind, set()):
        return False
    reason = texts.CHAT_REASONS.get(errcode) or texts.CHAT_REASON_OTHER.format(errcode=errcode)
    for chat in disable(session, kind=kind, target=target, reason=reason, now=now):
        department = session.get(Department, chat.department_id)
        managers = team(session, department).managers
        log.error(
            "team %s: its %s was refused by WeCom (errcode %s) and is disabled; set it again with `scrm team set %s`",
            department.id,
            kind,
            errcode,
            department.id,
        )
        if managers:
            note = texts.CHAT_DISABLED.format(team=department.name, reason=reason)
            Outbox(session, now).add(
                AppText(to=tuple(m.userid for m in managers), text=note),
                key=keys.team_chat_disabled(department.id, _tag(chat), now),
            )
    return True
