"""Everything the stand-in server remembers, behind one re-entrant lock."""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from .corp import Corp
from .limits import APP_PER_MEMBER, WEBHOOK_PER_KEY, Windows
from .records import (
    AppChat,
    Delivered,
    Media,
    RequestRecord,
    Suppressed,
    TokenInfo,
    WelcomeCode,
    norm_path,
)

TOKEN_TTL = 7200
WELCOME_TTL = 20
MEDIA_TTL = 3 * 86400
INJECTION_KINDS = ("slow", "late", "http_error", "fail")


class StandInState:
    def __init__(
        self,
        corp: Corp,
        clock: Callable[[], float] = time.time,
        webhook_keys: tuple[str, ...] | list[str] = (),
    ) -> None:
        self.corp = corp
        self.clock = clock
        self.lock = threading.RLock()
        self.stop_event = threading.Event()  # interrupts slow_next sleeps on shutdown
        self.tokens: dict[str, TokenInfo] = {}
        self.webhook_keys: set[str] = set(webhook_keys)
        self.welcome_codes: dict[str, WelcomeCode] = {}
        self.media: dict[str, Media] = {}
        self.appchats: dict[str, AppChat] = {}
        self.requests: list[RequestRecord] = []
        self.delivered: list[Delivered] = []
        self.suppressed: list[Suppressed] = []
        self.sent_keys: dict[str, tuple[float, str]] = {}  # canonical message/send body -> (time, msgid)
        self.member_windows = Windows(APP_PER_MEMBER)
        self.webhook_windows = Windows(WEBHOOK_PER_KEY)
        self._injections: dict[tuple[str, str], deque] = defaultdict(deque)

    def now(self) -> float:
        return float(self.clock())

    # -- tokens --------------------------------------------------------------------------------
    def token_for(self, secret: str) -> TokenInfo:
        """The live token of `secret`, or a new one (same token while it stays valid)."""
        with self.lock:
            now = self.now()
            for info in self.tokens.values():
                if info.secret == secret and info.status == "valid" and now < info.expires_at:
                    return info
            agent_id = self.corp.valid_secrets()[secret]
            info = TokenInfo(secrets.token_urlsafe(64), secret, agent_id, now, now + TOKEN_TTL)
            self.tokens[info.token] = info
            return info

    def check_token(self, token: str) -> TokenInfo | int:
        """TokenInfo when usable, else the errcode (40014 unknown/invalidated, 42001 expired)."""
        with self.lock:
            info = self.tokens.get(token)
            if info is None or info.status == "invalid":
                return 40014
            if info.status == "expired" or self.now() >= info.expires_at:
                return 42001
            return info

    def invalidate_tokens(self) -> None:
        with self.lock:
            for info in self.tokens.values():
                info.status = "invalid"

    def expire_tokens(self) -> None:
        with self.lock:
            for info in self.tokens.values():
                if info.status == "valid":
                    info.status = "expired"

    # -- failure injection ---------------------------------------------------------------------
    def inject(self, kind: str, path: str, value: float | int, times: int = 1) -> None:
        if kind not in INJECTION_KINDS:
            raise ValueError(kind)
        with self.lock:
            self._injections[(kind, norm_path(path))].extend([value] * times)

    def heal(self, path: str | None = None) -> None:
        """Drop the faults still waiting (for `path`, or all): the outage is over."""
        with self.lock:
            for key in [k for k in self._injections if path is None or k[1] == norm_path(path)]:
                del self._injections[key]

    def take(self, kind: str, path: str) -> float | int | None:
        with self.lock:
            queue = self._injections.get((kind, norm_path(path)))
            return queue.popleft() if queue else None

    # -- welcome codes -------------------------------------------------------------------------
    def issue_welcome_code(self, userid: str, external_userid: str) -> str:
        with self.lock:
            code = "WC" + secrets.token_urlsafe(24)
            self.welcome_codes[code] = WelcomeCode(code, userid, external_userid, self.now())
            return code

    def welcome_code_error(self, code: str) -> int:
        """0 if the code can be used now; 41051 if already used; 41050 unknown or expired."""
        with self.lock:
            wc = self.welcome_codes.get(code)
            if wc is None:
                return 41050
            if wc.used:
                return 41051
            return 41050 if self.now() - wc.issued_at > WELCOME_TTL else 0

    # -- records -------------------------------------------------------------------------------
    def record(self, rec: RequestRecord) -> None:
        with self.lock:
            self.requests.append(rec)

    def deliver(self, item: Delivered) -> None:
        with self.lock:
            self.delivered.append(item)

    def suppress(self, item: Delivered, reason: str) -> None:
        with self.lock:
            self.suppressed.append(Suppressed(**vars(item), reason=reason))

    def reset_records(self) -> None:
        with self.lock:
            self.requests.clear()
            self.delivered.clear()
            self.suppressed.clear()

    def reset_limits(self) -> None:
        """Forget rate-limit windows and duplicate-check history."""
        with self.lock:
            self.member_windows.clear()
            self.webhook_windows.clear()
            self.sent_keys.clear()
