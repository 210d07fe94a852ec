"""Record types kept by the stand-in: requests seen, messages delivered or suppressed, issued objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def norm_path(path: str) -> str:
    """'/cgi-bin/message/send' and 'message/send' both become 'message/send'."""
    path = path.strip().lstrip("/")
    return path[len("cgi-bin/") :] if path.startswith("cgi-bin/") else path


@dataclass
class RequestRecord:
    method: str
    path: str  # without the /cgi-bin/ prefix, e.g. "message/send"
    query: dict[str, str]
    json: Any
    time: float  # stand-in clock
    status: int = 200
    response: Any = None  # dict for JSON answers, str for injected HTTP errors
    injected: str | None = None  # "http_error" | "fail" when the answer was injected
    files: dict[str, str] = field(default_factory=dict)  # field name -> filename

    @property
    def errcode(self) -> int | None:
        return self.response.get("errcode") if isinstance(self.response, dict) else None


@dataclass
class Delivered:
    """A message that actually reached people (or was suppressed, see `Suppressed`)."""

    kind: str  # "app" | "appchat" | "webhook" | "welcome"
    recipients: list[str]  # userids | [chatid] | [webhook key] | [external_userid]
    msgtype: str
    content: str  # text/markdown content; a summary for cards and news
    body: dict
    time: float
    msgid: str = ""

    @property
    def raw(self) -> dict:
        """The request body as sent (alias of `body`)."""
        return self.body


@dataclass
class Suppressed(Delivered):
    reason: str = ""  # "duplicate" | "rate_limited"


@dataclass
class TokenInfo:
    token: str
    secret: str
    agent_id: int | None
    issued_at: float
    expires_at: float
    status: str = "valid"  # "valid" | "invalid" | "expired"


@dataclass
class WelcomeCode:
    code: str
    userid: str
    external_userid: str
    issued_at: float
    used: bool = False


@dataclass
class Media:
    media_id: str
    type: str
    filename: str
    size: int
    created_at: int
    data: bytes = b""


@dataclass
class AppChat:
    chatid: str
    name: str
    owner: str
    userlist: list[str]
