"""Route registry, request context and WeCom-style error answers shared by the API modules."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..records import TokenInfo
from ..state import StandInState

ERRMSG = {
    -1: "system busy",
    40001: "invalid credential",
    40003: "invalid userid",
    40004: "invalid media type",
    40005: "invalid file type",
    40006: "invalid file size",
    40007: "invalid media_id",
    40008: "invalid message type",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40050: "chatid not found",
    40058: "invalid Request Parameter",
    40068: "invalid tagid",
    40071: "tag name already exists",
    40072: "invalid tag name length",
    40096: "invalid external userid",
    40126: "corp tag count limit",
    41001: "access_token missing",
    41005: "media data missing",
    41049: "welcome code missing",
    41050: "invalid welcome code",
    41051: "customer already started chatting or welcome already sent",
    42001: "access_token expired",
    44004: "empty content",
    45001: "media size out of limit",
    45009: "api freq out of limit",
    48001: "api forbidden",
    48002: "api forbidden",
    60111: "invalid string value `userid`. userid not found",
    60123: "invalid party id",
    81013: "user & party & tag all invalid",
    81017: "request count exceed limit",
    84061: "not external contact",
    86001: "invalid chatid",
    86003: "chat not found",
    86215: "chatid exists",
    86216: "invalid chat member",
    93000: "invalid webhook url",
    301002: "no privilege to access/modify app",
}


class ApiError(Exception):
    """Raised by handlers; becomes an HTTP 200 answer with errcode != 0 (plus `extra` fields)."""

    def __init__(self, errcode: int, detail: str = "", extra: dict[str, Any] | None = None) -> None:
        super().__init__(errcode, detail)
        self.errcode = errcode
        self.detail = detail
        self.extra = extra or {}


def error_body(errcode: int, detail: str = "", ip: str = "127.0.0.1") -> dict[str, Any]:
    hint = f"[{secrets.token_hex(4)}-{secrets.token_hex(3)}]"
    message = detail or ERRMSG.get(errcode, "error")
    return {
        "errcode": errcode,
        "errmsg": f"{message}, hint: {hint}, from ip: {ip}, "
        f"more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}",
        "hint": hint,
    }


@dataclass
class Call:
    """One API request as the handlers see it."""

    state: StandInState
    query: dict[str, str]
    body: dict[str, Any]
    files: dict[str, Any] = field(default_factory=dict)
    token: TokenInfo | None = None
    ip: str = "127.0.0.1"

    @property
    def corp(self):
        return self.state.corp

    def now(self) -> float:
        return self.state.now()

    def arg(self, name: str, required: bool = True) -> str:
        value = self.query.get(name, "")
        if required and not value:
            raise ApiError(40058, f"missing query parameter `{name}`")
        return value

    def get(self, name: str, kind: type | tuple[type, ...] = str, required: bool = True, default: Any = None) -> Any:
        if name not in self.body or self.body[name] is None:
            if required:
                raise ApiError(40058, f"missing field `{name}`")
            return default
        value = self.body[name]
        if kind is int and isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ApiError(40058, f"field `{name}` has the wrong type")
        return value


Handler = Callable[[Call], dict[str, Any]]


@dataclass
class Route:
    path: str
    method: str
    handler: Handler
    auth: bool = True


ROUTES: dict[str, Route] = {}


def route(path: str, method: str = "POST", auth: bool = True) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ROUTES[path] = Route(path, method, fn, auth)
        return fn

    return register


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def truncate_utf8(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
