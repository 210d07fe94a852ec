"""The outbox: everything that leaves for WeCom is a row first, added with the write that caused it.

Messages are small dataclasses; only the sender (bot/sender.py) turns them into WeCom JSON.
Each has a unique key, so adding the same message twice is a no-op.
"""

from __future__ import annotations

import hashlib
from base64 import b64encode
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from scrm import queue
from scrm.db import insert_ignore, insert_many_ignore
from scrm.models import OutboxMessage
from scrm.statuses import OUTBOX, QueueStatus

URGENT, NORMAL = 0, 5
STATUSES = OUTBOX


@dataclass(frozen=True)
class AppText:
    """A text from the app to members (a reply, a reminder).

    Sent with WeCom's duplicate check, so a copy sent again after a crash or a timeout is dropped by WeCom.
    `repeatable` (a reply): a rep asking twice must get the same answer twice, so the sender leaves the check off
    one identical to a message WeCom may have had within the hour (bot/sender.py)."""

    to: tuple[str, ...]
    text: str
    repeatable: bool = False
    channel = "app"


@dataclass(frozen=True)
class AppMarkdown:
    to: tuple[str, ...]
    content: str
    repeatable: bool = False
    channel = "app"


@dataclass(frozen=True)
class AppChatMarkdown:
    """Markdown into an internal group chat that the app created (appchat)."""

    chat_id: str
    content: str
    channel = "appchat"


@dataclass(frozen=True)
class WebhookMarkdown:
    """Markdown into a group through a group robot; the key is the robot's credential."""

    webhook_key: str
    content: str
    mentions: tuple[str, ...] = field(default=())
    channel = "webhook"


@dataclass(frozen=True)
class WebhookImage:
    """A picture into a group through a group robot: base64 of the PNG and its md5 (at most 2 MB)."""

    webhook_key: str
    base64: str
    md5: str
    channel = "webhook"

    @classmethod
    def of(cls, webhook_key: str, png: bytes) -> WebhookImage:
        return cls(webhook_key, *_encoded(png))


@dataclass(frozen=True)
class AppChatImage:
    """A picture into an app group chat: the sender uploads it (media/upload) when it sends, since a media_id
    lives only 3 days and the row may wait longer than that in an outage."""

    chat_id: str
    base64: str
    md5: str
    channel = "appchat"

    @classmethod
    def of(cls, chat_id: str, png: bytes) -> AppChatImage:
        return cls(chat_id, *_encoded(png))


def _encoded(png: bytes) -> tuple[str, str]:
    """A picture as a JSON payload carries it: base64, and the md5 of the raw bytes."""
    return b64encode(png).decode(), hashlib.md5(png).hexdigest()


@dataclass(frozen=True)
class Welcome:
    """The welcome message for a new customer; the code works once and only for 20 s."""

    welcome_code: str
    text: str
    channel = "welcome"


@dataclass(frozen=True)
class TagCustomer:
    """Create missing corp tags (once) and mark them on a customer. WeCom sends no callback for either."""

    userid: str
    external_userid: str
    tags: tuple[tuple[str, str], ...]  # (group name, tag name)
    channel = "api"


Message = (
    AppText | AppMarkdown | AppChatMarkdown | AppChatImage | WebhookMarkdown | WebhookImage | Welcome | TagCustomer
)
TYPES: dict[str, type] = {
    t.__name__: t
    for t in (AppText, AppMarkdown, AppChatMarkdown, AppChatImage, WebhookMarkdown, WebhookImage, Welcome, TagCustomer)
}
TEAM_CHAT = AppChatMarkdown | AppChatImage | WebhookMarkdown | WebhookImage  # what goes into a team's group chat

WELCOME_LIFETIME = timedelta(seconds=20)
# WeCom counts UTF-8 bytes (a Chinese character is 3): app text and markdown 2048, robot markdown 4096.
MAX_BYTES = {AppText: 2048, AppMarkdown: 2048, AppChatMarkdown: 2048, WebhookMarkdown: 4096}


def split_text(text: str, limit: int) -> list[str]:
    """Cut a long text into parts of at most `limit` UTF-8 bytes, at line ends where possible."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        if len((current + line).encode()) > limit and current:
            parts.append(current)
            current = ""
        while len(line.encode()) > limit:  # a line longer than a whole message: cut between characters
            head = line.encode()[:limit].decode(errors="ignore")
            parts.append(head)
            line = line[len(head) :]
        current += line
    parts.append(current)
    return [part.removesuffix("\n") for part in parts if part.strip()]


def _row(message: Message, key: str, now: datetime, priority: int, expires_at: datetime | None) -> dict[str, Any]:
    return {
        "key": key,
        "channel": message.channel,
        "payload": {"type": type(message).__name__, **asdict(message)},
        "priority": priority,
        "created_at": now,
        "next_try_at": now,
        "expires_at": expires_at,
        "status": QueueStatus.PENDING,
        "attempts": 0,
        "digest": digest(message),
    }


def digest(message: Message) -> str | None:
    """What makes two app messages the same to WeCom's duplicate check, which compares the request's JSON: the
    kind (text or markdown), the recipients in order, the content; None for channels without the check.
    Migration 0011 holds a copy of this formula for the rows it fills in."""
    match message:
        case AppText(to=to, text=content):
            kind = "text"
        case AppMarkdown(to=to, content=content):
            kind = "markdown"
        case _:
            return None
    return hashlib.sha256(f"{kind}\n{'|'.join(to)}\n{content}".encode()).hexdigest()


def may_have_reached_wecom(
    session: Session, digest: str, *, since: datetime, other_than: frozenset[int], unknown: str
) -> bool:
    """Whether a message with this digest, other than the rows `other_than`, may have reached WeCom since `since`:
    sent since then, being sent now (or by a worker that died sending it), or sent without an answer (its
    last_error starts with `unknown`) and waiting to go again."""
    m = OutboxMessage
    unanswered = and_(col(m.status).in_(queue.READY), col(m.last_error).startswith(unknown, autoescape=True))
    in_flight = or_(m.status == QueueStatus.PROCESSING, unanswered)
    query = select(m.id).where(
        m.digest == digest,
        col(m.id).not_in(other_than),
        or_(col(m.sent_at) >= since, and_(col(m.sent_at).is_(None), in_flight)),
    )
    return session.exec(query.limit(1)).first() is not None


def load(payload: dict[str, Any]) -> Message:
    fields = dict(payload)
    cls = TYPES[fields.pop("type")]
    return cls(**{k: _tuples(v) for k, v in fields.items()})


def _tuples(value: Any) -> Any:
    """JSON gives lists back; the message dataclasses hold tuples (hashable, immutable)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def counts(session: Session) -> dict[str, int]:
    rows = session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    return dict(rows)


def by_status(session: Session, statuses: tuple[str, ...], limit: int = 50) -> list[OutboxMessage]:
    """Rows in these statuses, newest first."""
    query = select(OutboxMessage).where(col(OutboxMessage.status).in_(statuses))
    return list(session.exec(query.order_by(col(OutboxMessage.id).desc()).limit(limit)).all())


def get(session: Session, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id)


def recipient(payload: dict[str, Any]) -> str:
    """Whom a row is for, by ids only: never a robot's key (a credential); a welcome names no one."""
    if payload.get("to"):
        return f"user {payload['to'][0]}" if len(payload["to"]) == 1 else f"{len(payload['to'])} users"
    if payload.get("chat_id"):
        return f"chat {payload['chat_id']}"
    if payload.get("webhook_key"):
        return f"robot {_masked(payload['webhook_key'])}"
    if payload.get("external_userid"):
        return f"customer {payload['external_userid']}"
    return "new customer" if payload.get("type") == "Welcome" else "-"


def redacted(payload: dict[str, Any]) -> dict[str, Any]:
    """A row's payload to show an operator: a robot's key masked, a picture's base64 only counted."""
    shown = dict(payload)
    if shown.get("webhook_key"):
        shown["webhook_key"] = _masked(shown["webhook_key"])
    if shown.get("base64"):
        shown["base64"] = f"<{len(shown['base64'])} characters>"
    return shown


def _masked(webhook_key: str) -> str:
    return f"…{webhook_key[-4:]}"


def answer(row: OutboxMessage) -> str | None:
    """What a closed row (sent, expired) recorded on one line: WeCom's `errcode errmsg` and any partial
    failure (`invaliduser=…`), or our note; None while the row has no answer (its last_error says why)."""
    if row.response is None:
        return None
    rest = {k: v for k, v in row.response.items() if k not in ("errmsg", "note", "msgid")}
    errmsg = str(row.response.get("errmsg") or "").partition(", hint: [")[0]  # WeCom's request id, ip and link
    words = [
        str(row.errcode) if row.errcode is not None else "",
        errmsg,
        row.response.get("note") or "",
        *(f"{k}={v}" for k, v in rest.items()),
    ]
    return " ".join(word for word in words if word) or None


def replay(session: Session, message_id: int | None, *, now: datetime) -> int:
    return queue.replay(session, OutboxMessage, message_id, now=now)


class Outbox:
    """The outbox bound to one transaction and clock, as handlers and jobs see it."""

    def __init__(self, session: Session, now: datetime) -> None:
        self._session = session
        self._now = now

    def add(self, message: Message, *, key: str, priority: int = NORMAL) -> bool:
        """Queue a message; one too long for WeCom goes as several, in order (keys `key`, `key#2` …)."""
        added = [
            insert_ignore(self._session, OutboxMessage, row, key="key") for row in self._rows(message, key, priority)
        ]
        return added[0]

    def add_many(self, messages: list[tuple[Message, str]], priority: int = NORMAL) -> None:
        """Queue (message, key) pairs in one executemany (scheduled jobs); keys already queued are skipped."""
        insert_many_ignore(
            self._session,
            OutboxMessage,
            [row for message, key in messages for row in self._rows(message, key, priority)],
            key="key",
        )

    def _rows(self, message: Message, key: str, priority: int) -> list[dict[str, Any]]:
        expires_at = self._now + WELCOME_LIFETIME if isinstance(message, Welcome) else None
        if isinstance(message, Welcome):
            priority = URGENT
        field_name = "text" if isinstance(message, AppText) else "content"
        limit = MAX_BYTES.get(type(message))
        parts = split_text(getattr(message, field_name), limit) if limit else []
        if len(parts) <= 1:
            return [_row(message, key, self._now, priority, expires_at)]
        return [
            _row(
                replace(message, **{field_name: part}), key if n == 1 else f"{key}#{n}", self._now, priority, expires_at
            )
            for n, part in enumerate(parts, 1)
        ]
