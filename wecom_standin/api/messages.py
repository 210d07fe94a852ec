"""message/send (app messages) and appchat/* (internal group chats created by the app)."""

from __future__ import annotations

import json
import re
import secrets

from ..records import AppChat, Delivered
from .base import ApiError, Call, route
from .content import app_content

MAX_DUP_INTERVAL = 4 * 3600


def _split(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if str(v)]
    return [v for v in str(value or "").split("|") if v]


def _resolve(call: Call) -> tuple[list[str], dict[str, str]]:
    """Userids to deliver to, and the invaliduser/invalidparty/invalidtag strings."""
    corp = call.corp
    users, parties, tags = (_split(call.body.get(k)) for k in ("touser", "toparty", "totag"))
    if not (users or parties or tags):
        raise ApiError(40058, "touser, toparty and totag are all empty")
    targets: list[str] = []
    bad_users: list[str] = []
    for uid in users:
        if uid == "@all":
            targets += [m.userid for m in corp.members.values() if m.status == 1]
            continue
        member = corp.member(uid)
        if member is None or member.status != 1:
            bad_users.append(uid.lower())
        else:
            targets.append(member.userid)
    bad_parties = [p for p in parties if not p.isdigit() or int(p) not in corp.departments]
    for p in parties:
        if p not in bad_parties:
            targets += [m.userid for m in corp.members_in(int(p), recursive=True) if m.status == 1]
    invalid = {
        "invaliduser": "|".join(bad_users),
        "invalidparty": "|".join(bad_parties),
        "invalidtag": "|".join(tags),
        "unlicenseduser": "",
    }  # the stand-in has no member tags
    return list(dict.fromkeys(targets)), invalid


@route("message/send")
def message_send(call: Call) -> dict:
    agentid = call.get("agentid", int)
    expected = call.token.agent_id if call.token and call.token.agent_id is not None else call.corp.agent_id
    if agentid != expected:
        raise ApiError(301002)
    msgtype = call.get("msgtype")
    content = app_content(call, msgtype)
    targets, invalid = _resolve(call)
    if not targets:
        raise ApiError(81013, extra=invalid)
    state, now = call.state, call.now()
    key = json.dumps(call.body, sort_keys=True, ensure_ascii=False)
    interval = min(int(call.body.get("duplicate_check_interval") or 1800), MAX_DUP_INTERVAL)
    previous = state.sent_keys.get(key)
    if str(call.body.get("enable_duplicate_check", 0)) == "1" and previous and now - previous[0] < interval:
        state.suppress(Delivered("app", targets, msgtype, content, call.body, now, previous[1]), "duplicate")
        return {**invalid, "msgid": previous[1]}
    msgid = secrets.token_urlsafe(40)
    delivered, dropped = [], []
    for uid in targets:
        if state.member_windows.allows(uid, now):
            state.member_windows.add(uid, now)
            delivered.append(uid)
        else:
            dropped.append(uid)
    if delivered:
        state.deliver(Delivered("app", delivered, msgtype, content, call.body, now, msgid))
    if dropped:
        state.suppress(Delivered("app", dropped, msgtype, content, call.body, now, msgid), "rate_limited")
    state.sent_keys[key] = (now, msgid)
    return {**invalid, "msgid": msgid}


def _check_members(call: Call, userids: list[str]) -> list[str]:
    out = []
    for uid in userids:
        member = call.corp.member(str(uid))
        if member is None:
            raise ApiError(86216, f"invalid chat member `{uid}`")
        out.append(member.userid)
    return out


@route("appchat/create")
def appchat_create(call: Call) -> dict:
    name = call.get("name", required=False, default="")
    if len(name) > 50:
        raise ApiError(40058, "name exceed max length 50")
    userlist = call.get("userlist", list)
    if len(set(userlist)) < 2 or len(userlist) > 2000:
        raise ApiError(40058, "userlist must hold 2 to 2000 members")
    userlist = _check_members(call, userlist)
    owner = call.get("owner", required=False, default="") or userlist[0]
    if owner not in userlist:
        raise ApiError(86216, "owner must be in userlist")
    chatid = call.get("chatid", required=False, default="")
    if chatid and not re.fullmatch(r"[0-9a-zA-Z]{1,32}", chatid):
        raise ApiError(86001)
    if chatid in call.state.appchats:
        raise ApiError(86215)
    chatid = chatid or secrets.token_hex(16)
    call.state.appchats[chatid] = AppChat(chatid, name, owner, list(dict.fromkeys(userlist)))
    return {"chatid": chatid}


def _chat(call: Call, chatid: str) -> AppChat:
    chat = call.state.appchats.get(chatid)
    if chat is None:
        raise ApiError(86003)
    return chat


@route("appchat/get", method="GET")
def appchat_get(call: Call) -> dict:
    chat = _chat(call, call.arg("chatid"))
    return {
        "chat_info": {
            "chatid": chat.chatid,
            "name": chat.name,
            "owner": chat.owner,
            "userlist": list(chat.userlist),
            "chat_type": 0,
        }
    }


@route("appchat/update")
def appchat_update(call: Call) -> dict:
    chat = _chat(call, call.get("chatid"))
    adds = _check_members(call, call.get("add_user_list", list, required=False, default=[]))
    dels = call.get("del_user_list", list, required=False, default=[])
    owner = call.get("owner", required=False, default="")
    if owner:
        chat.owner = _check_members(call, [owner])[0]
    chat.name = call.get("name", required=False, default=chat.name)
    chat.userlist = [u for u in dict.fromkeys(chat.userlist + adds) if u not in dels]
    return {}


@route("appchat/send")
def appchat_send(call: Call) -> dict:
    chat = _chat(call, call.get("chatid"))
    msgtype = call.get("msgtype")
    content = app_content(call, msgtype)
    call.state.deliver(Delivered("appchat", [chat.chatid], msgtype, content, call.body, call.now()))
    return {}
