"""客户联系 customers: get, batch/get_by_user, list, get_follow_user_list, remark, send_welcome_msg."""

from __future__ import annotations

import base64
import hashlib

from ..corp import ExternalContact, FollowUser
from ..records import Delivered
from .base import ApiError, Call, route, utf8_len


def contact_profile(c: ExternalContact) -> dict:
    out = {
        "external_userid": c.external_userid,
        "name": c.name,
        "type": c.type,
        "avatar": c.avatar,
        "gender": c.gender,
        "position": c.position,
        "corp_name": c.corp_name,
        "corp_full_name": c.corp_full_name,
        "external_profile": {"external_attr": []},
    }
    if c.unionid:
        out["unionid"] = c.unionid
    return out


def _follow_common(f: FollowUser) -> dict:
    return {
        "userid": f.userid,
        "remark": f.remark,
        "description": f.description,
        "createtime": f.createtime,
        "remark_corp_name": f.remark_corp_name,
        "remark_mobiles": list(f.remark_mobiles),
        "oper_userid": f.oper_userid or f.userid,
        "add_way": f.add_way,
        "state": f.state,
    }


def _tags(call: Call, f: FollowUser) -> list[tuple]:
    return [found for tid in f.tags if (found := call.corp.find_tag(tid))]


def relation(call: Call, userid: str, external_userid: str) -> tuple[ExternalContact, FollowUser]:
    contact = call.corp.external_contacts.get(external_userid)
    if contact is None:
        raise ApiError(40096)
    follow = contact.follow(userid)
    if follow is None:
        raise ApiError(84061)
    return contact, follow


@route("externalcontact/get", method="GET")
def get_contact(call: Call) -> dict:
    contact = call.corp.external_contacts.get(call.arg("external_userid"))
    if contact is None:
        raise ApiError(40096)
    if not contact.follow_user:
        raise ApiError(84061)
    follows = []
    for f in contact.follow_user:
        tags = [{"group_name": g.group_name, "tag_name": t.name, "type": 1, "tag_id": t.id} for g, t in _tags(call, f)]
        follows.append({**_follow_common(f), "tags": tags})
    return {"external_contact": contact_profile(contact), "follow_user": follows, "next_cursor": ""}


def _cursor(offset: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{fingerprint}".encode()).decode().rstrip("=")


def _offset(cursor: str, fingerprint: str) -> int:
    if not cursor:
        return 0
    try:
        offset, fp = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(":")
        if fp == fingerprint:
            return int(offset)
    except ValueError:
        pass
    raise ApiError(40058, "invalid cursor")


@route("externalcontact/batch/get_by_user")
def batch_get_by_user(call: Call) -> dict:
    if "userid_list" not in call.body:
        detail = "userid_list missing (the field is `userid_list`, not `userid`)" if "userid" in call.body else ""
        raise ApiError(40058, detail or "userid_list missing")
    userids = [str(u) for u in call.get("userid_list", list)]
    if not 1 <= len(userids) <= 100:
        raise ApiError(40058, "userid_list must hold 1 to 100 userids")
    known = [m.userid for u in dict.fromkeys(userids) if (m := call.corp.member(u))]
    if not known:
        raise ApiError(40003)
    limit = call.get("limit", int, required=False, default=50)
    limit = 50 if limit <= 0 else min(limit, 100)
    fingerprint = hashlib.sha1("|".join(known).encode()).hexdigest()[:10]
    start = _offset(call.get("cursor", required=False, default=""), fingerprint)
    pairs = [(c, c.follow(u)) for u in known for c in call.corp.customers_of(u)]
    page = []
    for contact, f in pairs[start : start + limit]:
        follow_info = {**_follow_common(f), "tag_id": [t.id for _, t in _tags(call, f)]}
        page.append({"external_contact": contact_profile(contact), "follow_info": follow_info})
    end = start + limit
    return {
        "external_contact_list": page,
        "next_cursor": _cursor(end, fingerprint) if end < len(pairs) else "",
    }


@route("externalcontact/list", method="GET")
def list_contacts(call: Call) -> dict:
    member = call.corp.member(call.arg("userid"))
    if member is None:
        raise ApiError(40003)
    ids = [c.external_userid for c in call.corp.customers_of(member.userid)]
    if not ids:
        raise ApiError(84061)
    return {"external_userid": ids}


@route("externalcontact/get_follow_user_list", method="GET")
def follow_user_list(call: Call) -> dict:
    return {
        "follow_user": [m.userid for m in call.corp.members.values() if m.external_contact_enabled and m.status == 1]
    }


@route("externalcontact/remark")
def remark(call: Call) -> dict:
    _, follow = relation(call, call.get("userid"), call.get("external_userid"))
    limits = {"remark": 20, "description": 150, "remark_company": 20}
    values = {k: call.get(k, required=False) for k in limits}
    for key, limit in limits.items():
        if values[key] is not None and len(values[key]) > limit:
            raise ApiError(40058, f"{key} exceed max length {limit}")
    mobiles = call.get("remark_mobiles", list, required=False)
    if values["remark"] is not None:
        follow.remark = values["remark"]
    if values["description"] is not None:
        follow.description = values["description"]
    if values["remark_company"] is not None:
        follow.remark_corp_name = values["remark_company"]
    if mobiles is not None:
        follow.remark_mobiles = [str(m) for m in mobiles if str(m)]
    return {}


@route("externalcontact/send_welcome_msg")
def send_welcome_msg(call: Call) -> dict:
    code = call.get("welcome_code", required=False, default="")
    if not code:
        raise ApiError(41049)
    text = call.get("text", dict, required=False, default={})
    attachments = call.get("attachments", list, required=False, default=[])
    content = text.get("content", "") if isinstance(text.get("content", ""), str) else ""
    if not content and not attachments:
        raise ApiError(44004)
    if utf8_len(content) > 4000 or len(attachments) > 9:
        raise ApiError(40058, "text.content exceed max length 4000 or more than 9 attachments")
    errcode = call.state.welcome_code_error(code)
    if errcode:
        raise ApiError(errcode)
    wc = call.state.welcome_codes[code]
    wc.used = True
    msgtype = "text" if content else "attachments"
    call.state.deliver(Delivered("welcome", [wc.external_userid], msgtype, content, call.body, call.now()))
    return {}
