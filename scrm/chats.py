"""Customer group chats (客户群) and their head counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from scrm.models import GroupChat
from scrm.statuses import ChatStatus

EXTERNAL = 2  # groupchat/get member_list[].type of a customer (1: a member)


def upsert(session: Session, detail: dict[str, Any], *, now: datetime) -> GroupChat:
    """Store `externalcontact/groupchat/get`'s answer."""
    chat = session.get(GroupChat, detail["chat_id"]) or GroupChat(chat_id=detail["chat_id"], updated_at=now)
    members = detail.get("member_list", [])
    chat.name, chat.owner, chat.notice = detail.get("name", ""), detail.get("owner", ""), detail.get("notice", "")
    chat.members = len(members)
    chat.external_members = sum(1 for m in members if m.get("type") == EXTERNAL)
    chat.member_version = detail.get("member_version", "")
    if detail.get("create_time"):
        chat.created_at = datetime.fromtimestamp(int(detail["create_time"]), UTC)
    chat.status, chat.updated_at = ChatStatus.ACTIVE, now
    session.add(chat)
    return chat


def dismiss(session: Session, chat_id: str, *, now: datetime) -> GroupChat:
    chat = session.get(GroupChat, chat_id) or GroupChat(chat_id=chat_id, updated_at=now)
    chat.status, chat.updated_at = ChatStatus.DISMISSED, now
    session.add(chat)
    return chat
