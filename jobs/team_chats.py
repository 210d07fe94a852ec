"""Team group chats as jobs use them: a hello when one is set, and what happens when WeCom refuses one for good."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from sqlmodel import Session

from jobs import texts
from scrm import teams
from scrm.models import Department, TeamChat
from scrm.outbox import AppChatMarkdown, AppText, Message, Outbox, WebhookMarkdown

log = logging.getLogger(__name__)
# WeCom's answers that mean the chat is gone or not ours to use: retrying cannot help.
GONE = {"robot": {93000}, "appchat": {86001, 86003, 40050, 48002}}


def message(chat: TeamChat, content: str) -> Message:
    """A markdown message into the team's chat, whichever kind it is."""
    if chat.kind == "robot":
        return WebhookMarkdown(webhook_key=chat.target, content=content)
    return AppChatMarkdown(chat_id=chat.target, content=content)


def _tag(chat: TeamChat) -> str:
    """Names the chat in an outbox key without the robot key itself (a credential)."""
    return f"{chat.kind}-{hashlib.sha256(chat.target.encode()).hexdigest()[:12]}"


def hello(session: Session, department: Department, chat: TeamChat, *, now: datetime) -> None:
    """The first message into a chat just set: the operator sees at once whether it works."""
    Outbox(session, now).add(message(chat, texts.CHAT_HELLO), key=f"team-hello:{department.id}:{_tag(chat)}:{now:%Y%m%d%H%M%S}")


def refused(session: Session, *, kind: str, target: str, errcode: int | None, now: datetime) -> bool:
    """WeCom refused a message to a team chat. If the chat is gone, disable it and tell the team's managers
    (once, in the same transaction); returns True when it was disabled."""
    if errcode not in GONE.get(kind, set()):
        return False
    reason = texts.CHAT_REASONS.get(errcode) or texts.CHAT_REASON_OTHER.format(errcode=errcode)
    for chat in teams.disable(session, kind=kind, target=target, reason=reason, now=now):
        department = session.get(Department, chat.department_id)
        team = teams.team(session, department)
        log.error("team %s: its %s was refused by WeCom (errcode %s) and is disabled; set it again with "
                  "`scrm team set %s`", department.id, kind, errcode, department.id)
        if team.managers:
            note = texts.CHAT_DISABLED.format(team=department.name, reason=reason)
            Outbox(session, now).add(AppText(to=tuple(m.userid for m in team.managers), text=note),
                                     key=f"team-disabled:{department.id}:{_tag(chat)}:{now:%Y%m%d%H%M%S}")
    return True
