"""Customer group chat events (change_external_chat): record the chat, its owner and head counts."""

from __future__ import annotations

from handlers.context import Context
from handlers.events import ExternalChatChanged, Kind
from handlers.router import Router
from scrm import chats
from scrm.models import GroupChat
from scrm.statuses import ChatStatus
from scrm.wecom import WeComError

router = Router("chats")


@router.on(Kind.CHAT_CREATED, Kind.CHAT_UPDATED)
def on_chat_changed(event: ExternalChatChanged, ctx: Context) -> None:
    """The event only says that something changed; groupchat/get says what the chat is now."""
    try:  # WeCom first: the session's first statement takes SQLite's write lock, not to be held across HTTP
        detail = ctx.wecom.group_chat(event.chat_id)
    except WeComError:
        known = ctx.session.get(GroupChat, event.chat_id)
        if known is not None and known.status == ChatStatus.DISMISSED:
            return  # a late update for a chat that is gone
        raise
    chats.upsert(ctx.session, detail, now=ctx.now)


@router.on(Kind.CHAT_DISMISSED)
def on_chat_dismissed(event: ExternalChatChanged, ctx: Context) -> None:
    chats.dismiss(ctx.session, event.chat_id, now=ctx.now)
