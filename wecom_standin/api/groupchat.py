"""Customer group chats: externalcontact/groupchat/list and externalcontact/groupchat/get."""

from __future__ import annotations

from ..corp import ChatMember
from .base import ApiError, Call, route


def _member(m: ChatMember, need_name: bool) -> dict:
    out: dict = {
        "userid": m.userid,
        "type": m.type,
        "join_time": m.join_time,
        "join_scene": m.join_scene,
        "group_nickname": m.group_nickname,
    }
    if m.invitor:
        out["invitor"] = {"userid": m.invitor}
    if m.type == 2 and m.unionid:
        out["unionid"] = m.unionid
    if m.state:
        out["state"] = m.state
    if need_name:
        out["name"] = m.name
    return out


@route("externalcontact/groupchat/get")
def groupchat_get(call: Call) -> dict:
    chat = call.corp.group_chats.get(call.get("chat_id"))
    if chat is None:
        raise ApiError(40050)
    need_name = call.get("need_name", int, required=False, default=0) == 1
    return {
        "group_chat": {
            "chat_id": chat.chat_id,
            "name": chat.name,
            "owner": chat.owner,
            "create_time": chat.create_time,
            "notice": chat.notice,
            "member_list": [_member(m, need_name) for m in chat.member_list],
            "admin_list": [{"userid": u} for u in chat.admin_list],
            "member_version": chat.member_version,
        }
    }


@route("externalcontact/groupchat/list")
def groupchat_list(call: Call) -> dict:
    limit = call.get("limit", int)
    if not 1 <= limit <= 1000:
        raise ApiError(40058, "limit must be 1 to 1000")
    status = call.get("status_filter", int, required=False, default=0)
    owner_filter = call.get("owner_filter", dict, required=False, default={})
    owners = [str(u) for u in owner_filter.get("userid_list", []) or []]
    if not owners and len(call.corp.members) > 1000:
        raise ApiError(81017)
    chats = [
        c
        for c in call.corp.group_chats.values()
        if (not owners or c.owner in owners) and (status == 0 or c.status == status)
    ]
    cursor = call.get("cursor", required=False, default="") or "0"
    if not cursor.isdigit():
        raise ApiError(40058, "invalid cursor")
    start, end = int(cursor), int(cursor) + limit
    return {
        "group_chat_list": [{"chat_id": c.chat_id, "status": c.status} for c in chats[start:end]],
        "next_cursor": str(end) if end < len(chats) else "",
    }
