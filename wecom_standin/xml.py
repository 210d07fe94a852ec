"""Builders for decrypted callback XML, shaped like WeCom's (CDATA strings, bare numbers, compact)."""

from __future__ import annotations

import secrets
import time
from typing import Any
from xml.sax.saxutils import escape

import xmltodict

DEFAULT_CORP_ID = "wwstandin0000001"
DEFAULT_AGENT_ID = 1000002


class Bare(str):
    """A value written without CDATA (numbers, and ChangeType in change_contact)."""


def cdata(value: object) -> str:
    """Wrap in CDATA; a literal ']]>' is split across two CDATA sections."""
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _render(name: str, value: Any) -> str:
    if isinstance(value, Bare | int) and not isinstance(value, bool):
        inner = escape(str(value))
    elif isinstance(value, list | tuple):
        inner = "".join(f"<Item>{cdata(v)}</Item>" for v in value)
    else:
        inner = cdata(value)
    return f"<{name}>{inner}</{name}>"


def build(fields: list[tuple[str, Any]]) -> str:
    """`<xml>` document from (tag, value) pairs; None values are left out (absent, not empty)."""
    return "<xml>" + "".join(_render(k, v) for k, v in fields if v is not None) + "</xml>"


def parse(xml_text: str) -> dict[str, Any]:
    """The `<xml>` children as a dict (xmltodict), for assertions."""
    return xmltodict.parse(xml_text)["xml"]


def _now(create_time: int | None) -> int:
    return int(time.time()) if create_time is None else int(create_time)


def _header(corp_id: str, from_user: str, create_time: int | None, msgtype: str) -> list[tuple[str, Any]]:
    return [
        ("ToUserName", corp_id),
        ("FromUserName", from_user),
        ("CreateTime", _now(create_time)),
        ("MsgType", msgtype),
    ]


def text_message(
    from_user: str,
    content: str,
    msg_id: int | None = None,
    agent_id: int = DEFAULT_AGENT_ID,
    create_time: int | None = None,
    corp_id: str = DEFAULT_CORP_ID,
) -> str:
    msg_id = secrets.randbits(63) if msg_id is None else msg_id
    return build(
        _header(corp_id, from_user, create_time, "text")
        + [("Content", content), ("MsgId", Bare(msg_id)), ("AgentID", agent_id)]
    )


def app_event(
    from_user: str,
    event: str,
    event_key: str = "",
    agent_id: int = DEFAULT_AGENT_ID,
    create_time: int | None = None,
    corp_id: str = DEFAULT_CORP_ID,
) -> str:
    return build(
        _header(corp_id, from_user, create_time, "event")
        + [("Event", event), ("EventKey", event_key), ("AgentID", agent_id)]
    )


def enter_agent(
    from_user: str,
    agent_id: int = DEFAULT_AGENT_ID,
    create_time: int | None = None,
    corp_id: str = DEFAULT_CORP_ID,
) -> str:
    return app_event(from_user, "enter_agent", "", agent_id, create_time, corp_id)


def _sys_event(event: str, create_time: int | None, corp_id: str, fields: list[tuple[str, Any]]) -> str:
    return build(_header(corp_id, "sys", create_time, "event") + [("Event", event)] + fields)


def _contact(
    change_type: str,
    user_id: str,
    external_user_id: str,
    create_time: int | None,
    corp_id: str,
    extra: list[tuple[str, Any]] | None = None,
) -> str:
    fields = [("ChangeType", change_type), ("UserID", user_id), ("ExternalUserID", external_user_id)]
    return _sys_event("change_external_contact", create_time, corp_id, fields + (extra or []))


def contact_added(
    user_id: str,
    external_user_id: str,
    state: str | None = None,
    welcome_code: str | None = None,
    create_time: int | None = None,
    change_type: str = "add_external_contact",
    corp_id: str = DEFAULT_CORP_ID,
) -> str:
    """add_external_contact (or add_half_external_contact via change_type)."""
    extra = [("State", state), ("WelcomeCode", welcome_code)]
    return _contact(change_type, user_id, external_user_id, create_time, corp_id, extra)


def contact_edited(
    user_id: str,
    external_user_id: str,
    state: str | None = None,
    create_time: int | None = None,
    corp_id: str = DEFAULT_CORP_ID,
) -> str:
    return _contact("edit_external_contact", user_id, external_user_id, create_time, corp_id, [("State", state)])


def contact_deleted_by_rep(
    user_id: str,
    external_user_id: str,
    source: str | None = None,
    create_time: int | None = None,
    corp_id: str = DEFAULT_CORP_ID,
) -> str:
    """del_external_contact: the member deleted the customer (Source=DELETE_BY_TRANSFER on handover)."""
    return _contact("del_external_contact", user_id, external_user_id, create_time, corp_id, [("Source", source)])


def contact_deleted_by_customer(
    user_id: str, external_user_id: str, create_time: int | None = None, corp_id: str = DEFAULT_CORP_ID
) -> str:
    """del_follow_user: the customer deleted the member (churn)."""
    return _contact("del_follow_user", user_id, external_user_id, create_time, corp_id)


def transfer_failed(
    user_id: str,
    external_user_id: str,
    fail_reason: str = "customer_refused",
    create_time: int | None = None,
    corp_id: str = DEFAULT_CORP_ID,
) -> str:
    return _contact("transfer_fail", user_id, external_user_id, create_time, corp_id, [("FailReason", fail_reason)])


def msg_audit_approved(
    user_id: str,
    external_user_id: str,
    welcome_code: str | None = None,
    create_time: int | None = None,
    corp_id: str = DEFAULT_CORP_ID,
) -> str:
    return _contact(
        "msg_audit_approved", user_id, external_user_id, create_time, corp_id, [("WelcomeCode", welcome_code)]
    )


def external_chat(
    chat_id: str,
    change_type: str = "update",
    update_detail: str | None = None,
    join_scene: int | None = None,
    quit_scene: int | None = None,
    mem_change_list: list[str] | None = None,
    mem_change_cnt: int | None = None,
    last_mem_ver: str | None = None,
    cur_mem_ver: str | None = None,
    create_time: int | None = None,
    corp_id: str = DEFAULT_CORP_ID,
) -> str:
    """change_external_chat. Event JoinScene: 0 invited, 3 QR; QuitScene: 0 left, 1 removed."""
    if mem_change_cnt is None and mem_change_list is not None:
        mem_change_cnt = len(mem_change_list)
    fields = [
        ("ChatId", chat_id),
        ("ChangeType", change_type),
        ("UpdateDetail", update_detail),
        ("JoinScene", join_scene),
        ("QuitScene", quit_scene),
        ("MemChangeCnt", mem_change_cnt),
        ("MemChangeList", list(mem_change_list) if mem_change_list is not None else None),
        ("LastMemVer", last_mem_ver),
        ("CurMemVer", cur_mem_ver),
    ]
    return _sys_event("change_external_chat", create_time, corp_id, fields)


def external_tag(
    id: str,
    tag_type: str | None = "tag",
    change_type: str = "create",
    strategy_id: int | None = None,
    create_time: int | None = None,
    corp_id: str = DEFAULT_CORP_ID,
) -> str:
    """change_external_tag; pass tag_type=None for `shuffle`."""
    fields = [("Id", id), ("TagType", tag_type), ("ChangeType", change_type), ("StrategyId", strategy_id)]
    return _sys_event("change_external_tag", create_time, corp_id, fields)


_CONTACT_FIELDS = {
    "new_user_id": ("NewUserID", str),
    "name": ("Name", str),
    "department": ("Department", str),
    "main_department": ("MainDepartment", Bare),
    "is_leader_in_dept": ("IsLeaderInDept", str),
    "direct_leader": ("DirectLeader", str),
    "position": ("Position", str),
    "mobile": ("Mobile", str),
    "gender": ("Gender", Bare),
    "email": ("Email", str),
    "biz_mail": ("BizMail", str),
    "status": ("Status", Bare),
    "avatar": ("Avatar", str),
    "alias": ("Alias", str),
    "telephone": ("Telephone", str),
    "address": ("Address", str),
    "id": ("Id", Bare),
    "parent_id": ("ParentId", Bare),
    "order": ("Order", Bare),
    "tag_id": ("TagId", Bare),
    "add_user_items": ("AddUserItems", str),
    "del_user_items": ("DelUserItems", str),
    "add_party_items": ("AddPartyItems", str),
    "del_party_items": ("DelPartyItems", str),
}


def contact_change(
    change_type: str,
    user_id: str | None = None,
    *,
    create_time: int | None = None,
    corp_id: str = DEFAULT_CORP_ID,
    **fields: Any,
) -> str:
    """change_contact. Snake-case fields (department=[1, 2], parent_id=1 …); lists become "1,2"."""
    out: list[tuple[str, Any]] = [("ChangeType", Bare(change_type)), ("UserID", user_id)]
    for key, value in fields.items():
        if key not in _CONTACT_FIELDS:
            raise TypeError(f"unknown change_contact field {key!r}")
        tag, kind = _CONTACT_FIELDS[key]
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        out.append((tag, None if value is None else kind(value)))
    return _sys_event("change_contact", create_time, corp_id, out)
