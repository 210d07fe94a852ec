"""Typed events parsed from decrypted WeCom callbacks, and the key that makes a delivery unique.

wechatpy 1.8.18 keys on `Event` only and does not know 客户联系 events, so the table here is ours,
keyed on (MsgType, Event, ChangeType) joined as a `kind` such as
"event/change_external_contact/add_external_contact". Unknown kinds parse to `Unknown`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scrm.queue import Final

Fields = dict[str, Any]


def kind_of(fields: Fields) -> str:
    parts = [fields.get("MsgType"), fields.get("Event"), fields.get("ChangeType")]
    return "/".join(str(p).strip() for p in parts if p) or "unknown"


def _at(fields: Fields) -> datetime:
    try:
        return datetime.fromtimestamp(int(fields.get("CreateTime") or 0), UTC)
    except (TypeError, ValueError, OverflowError):
        return datetime.fromtimestamp(0, UTC)


def _items(value: Any) -> tuple[str, ...]:
    """`<X><Item>a</Item><Item>b</Item></X>` parses to {"Item": "a"} or {"Item": [...]}; flatten it."""
    if isinstance(value, dict):
        value = value.get("Item", [])
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(str(v) for v in value or () if v)


class Malformed(Final, ValueError):
    """A callback with a shape WeCom never sends (a <Content> with children, a repeated <UserID>): its row is
    dead at once, with this reason, rather than crashing a handler again and again."""


def _text(fields: Fields, name: str) -> str:
    """A field that must be text (absent or empty is "")."""
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Malformed(f"<{name}> is not text but {type(value).__name__}")
    return value


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class TextReceived:
    userid: str
    content: str
    msg_id: str
    agent_id: int | None
    at: datetime


@dataclass(frozen=True)
class MessageReceived:
    """A non-text message (image, voice, location …) from a member."""

    userid: str
    msg_type: str
    msg_id: str
    at: datetime


@dataclass(frozen=True)
class AgentEntered:
    userid: str
    at: datetime


@dataclass(frozen=True)
class ContactAdded:
    """A rep and a customer are now contacts; `half` when the customer added the rep first (免验证)."""

    rep_id: str
    external_user_id: str
    state: str
    welcome_code: str
    at: datetime
    half: bool = False


@dataclass(frozen=True)
class ContactEdited:
    rep_id: str
    external_user_id: str
    at: datetime


@dataclass(frozen=True)
class ContactDeletedByRep:
    """The rep deleted the customer; `Source=DELETE_BY_TRANSFER` means a handover, not churn."""

    rep_id: str
    external_user_id: str
    source: str
    at: datetime

    @property
    def is_transfer(self) -> bool:
        return self.source == "DELETE_BY_TRANSFER"


@dataclass(frozen=True)
class ContactDeletedByCustomer:
    """The customer deleted the rep: the churn signal."""

    rep_id: str
    external_user_id: str
    at: datetime


@dataclass(frozen=True)
class TransferFailed:
    rep_id: str
    external_user_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class ExternalChatChanged:
    chat_id: str
    change_type: str
    update_detail: str
    join_scene: int | None
    quit_scene: int | None
    member_changes: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class ExternalTagChanged:
    id: str
    tag_type: str
    change_type: str
    strategy_id: str
    at: datetime


@dataclass(frozen=True)
class DirectoryChanged:
    """change_contact (通讯录): a member, department or tag changed."""

    change_type: str
    fields: Fields = field(hash=False)
    at: datetime = field(default_factory=lambda: datetime.fromtimestamp(0, UTC))


@dataclass(frozen=True)
class CustomerToRead:
    """Ours, not WeCom's: a customer whose profile a handler could not read (WeCom failing), to read again."""

    rep_id: str
    external_user_id: str


READ_CUSTOMER = "read_customer"


@dataclass(frozen=True)
class Unknown:
    """A kind we store and acknowledge but do not handle."""

    kind: str
    fields: Fields = field(hash=False)


def _contact_added(f: Fields, half: bool = False) -> ContactAdded:
    return ContactAdded(
        _text(f, "UserID"), _text(f, "ExternalUserID"), _text(f, "State"), _text(f, "WelcomeCode"), _at(f), half
    )


_EXT = "event/change_external_contact/"
_CHAT = "event/change_external_chat/"
_TAG = "event/change_external_tag/"
_DIRECTORY = "event/change_contact/"


class Kind:
    """Every kind a handler may register for, one constant each; the router refuses any other at start."""

    TEXT = "text"
    MEDIA = ("image", "voice", "video", "location", "link", "file")
    AGENT_ENTERED = "event/enter_agent"
    CONTACT_ADDED = _EXT + "add_external_contact"
    CONTACT_HALF_ADDED = _EXT + "add_half_external_contact"
    CONTACT_EDITED = _EXT + "edit_external_contact"
    CONTACT_DELETED_BY_REP = _EXT + "del_external_contact"
    CONTACT_DELETED_BY_CUSTOMER = _EXT + "del_follow_user"
    TRANSFER_FAILED = _EXT + "transfer_fail"
    CUSTOMER_TO_READ = f"internal/{READ_CUSTOMER}"
    CHAT_CREATED, CHAT_UPDATED, CHAT_DISMISSED = (_CHAT + c for c in ("create", "update", "dismiss"))
    TAGS_CHANGED = tuple(_TAG + c for c in ("create", "update", "delete", "shuffle"))
    DIRECTORY_CHANGED = tuple(
        _DIRECTORY + c
        for c in ("create_user", "update_user", "delete_user", "create_party", "update_party", "delete_party")
    )
    DIRECTORY_TAG_CHANGED = _DIRECTORY + "update_tag"


def _chat_changed(f: Fields) -> ExternalChatChanged:
    return ExternalChatChanged(
        _text(f, "ChatId"),
        _text(f, "ChangeType"),
        _text(f, "UpdateDetail"),
        _int(f.get("JoinScene")),
        _int(f.get("QuitScene")),
        _items(f.get("MemChangeList")),
        _at(f),
    )


PARSERS: dict[str, Callable[[Fields], object]] = {
    Kind.TEXT: lambda f: TextReceived(
        _text(f, "FromUserName"), _text(f, "Content"), _text(f, "MsgId"), _int(f.get("AgentID")), _at(f)
    ),
    Kind.AGENT_ENTERED: lambda f: AgentEntered(_text(f, "FromUserName"), _at(f)),
    Kind.CONTACT_ADDED: _contact_added,
    Kind.CONTACT_HALF_ADDED: lambda f: _contact_added(f, half=True),
    Kind.CONTACT_EDITED: lambda f: ContactEdited(_text(f, "UserID"), _text(f, "ExternalUserID"), _at(f)),
    Kind.CONTACT_DELETED_BY_REP: lambda f: ContactDeletedByRep(
        _text(f, "UserID"), _text(f, "ExternalUserID"), _text(f, "Source"), _at(f)
    ),
    Kind.CONTACT_DELETED_BY_CUSTOMER: lambda f: ContactDeletedByCustomer(
        _text(f, "UserID"), _text(f, "ExternalUserID"), _at(f)
    ),
    Kind.TRANSFER_FAILED: lambda f: TransferFailed(
        _text(f, "UserID"), _text(f, "ExternalUserID"), _text(f, "FailReason"), _at(f)
    ),
    Kind.CUSTOMER_TO_READ: lambda f: CustomerToRead(_text(f, "UserID"), _text(f, "ExternalUserID")),
    **{kind: _chat_changed for kind in (Kind.CHAT_CREATED, Kind.CHAT_UPDATED, Kind.CHAT_DISMISSED)},
    **{
        kind: lambda f: ExternalTagChanged(
            _text(f, "Id"), _text(f, "TagType"), _text(f, "ChangeType"), _text(f, "StrategyId"), _at(f)
        )
        for kind in Kind.TAGS_CHANGED
    },
    **{
        kind: lambda f: DirectoryChanged(_text(f, "ChangeType"), f, _at(f))
        for kind in (*Kind.DIRECTORY_CHANGED, Kind.DIRECTORY_TAG_CHANGED)
    },
    **{
        kind: lambda f, t=kind: MessageReceived(_text(f, "FromUserName"), t, _text(f, "MsgId"), _at(f))
        for kind in Kind.MEDIA
    },
}


def parse(fields: Fields) -> object:
    """The typed event for a callback's fields; `Unknown` when the kind is not in the table."""
    kind = kind_of(fields)
    parser = PARSERS.get(kind)
    return parser(fields) if parser else Unknown(kind, fields)


def known_kinds() -> list[str]:
    return sorted(PARSERS)


def dedup_key(fields: Fields) -> str:
    """The identity of one callback, the same on every redelivery (see shared/wecom/callback.md §7).

    Events carry no MsgId, and 客户联系 events all come from `sys` with 1-second CreateTime, so the
    key is built from the fields that tell two events apart: two customers added to one rep in the
    same second stay two keys.
    """
    g = lambda name: str(fields.get(name) or "")  # noqa: E731
    if g("MsgId"):
        return f"msg:{g('AgentID')}:{g('MsgId')}"
    event, change, at = g("Event"), g("ChangeType"), g("CreateTime")
    if event == "change_external_contact":
        return f"ext:{change}:{g('UserID')}:{g('ExternalUserID')}:{at}:{g('Source')}:{g('FailReason')}"
    if event == "change_external_chat":
        members = ",".join(sorted(_items(fields.get("MemChangeList"))))
        return f"chat:{g('ChatId')}:{change}:{g('UpdateDetail')}:{at}:{g('CurMemVer')}:{_digest(members)}"
    if event == "change_external_tag":
        return f"tag:{change}:{g('TagType')}:{g('Id')}:{g('StrategyId')}:{at}"
    if event == "change_contact":
        subject = g("UserID") or g("Id") or g("TagId")
        return f"contact:{change}:{subject}:{at}:{_digest(json.dumps(fields, sort_keys=True, ensure_ascii=False))}"
    if g("MsgType") == "event":
        return f"evt:{g('AgentID')}:{g('FromUserName')}:{event}:{g('EventKey')}:{at}"
    return "sha256:" + hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def unreadable_key(text: str) -> str:
    """The dedup key of a signed callback we cannot read: its text, hashed (WeCom sends the same bytes again)."""
    return "unreadable:" + hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def customer_to_read_key(userid: str, external_userid: str, inbox_id: int) -> str:
    """The dedup key of our own event: read again the customer that the add in inbox row `inbox_id` could not read."""
    return f"{READ_CUSTOMER}:{userid}:{external_userid}:{inbox_id}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""
