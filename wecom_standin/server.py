"""Flask app answering WeCom API calls from a `StandInState`, and `StandIn`, which runs it in a thread."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from .api import ROUTES, ApiError, Call, error_body
from .api.base import ERRMSG
from .corp import Corp
from .records import Delivered, RequestRecord, Suppressed, norm_path
from .serving import ServerThread
from .state import StandInState

DEFAULT_WEBHOOK_KEY = "standin-webhook-key"


def _json(payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), 200, mimetype="application/json")


def _read_body() -> tuple[dict[str, Any] | None, bool]:
    """(parsed JSON object or form dict, ok). GET gives None, an empty POST body {}."""
    if request.method != "POST":
        return None, True
    if request.mimetype == "multipart/form-data":
        return request.form.to_dict(), True
    raw = request.get_data()
    if not raw.strip():
        return {}, True
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, False
    return (body, True) if isinstance(body, dict) else (None, False)


def _answer(state: StandInState, path: str, body: dict | None, body_ok: bool, rec: RequestRecord) -> dict:
    route = ROUTES.get(path)
    if route is None:
        raise ApiError(48001)
    if route.method != request.method:
        raise ApiError(40058, f"{path} must be called with {route.method}")
    token = None
    if route.auth:
        raw = rec.query.get("access_token", "")
        if not raw:
            in_body = isinstance(body, dict) and "access_token" in body
            raise ApiError(41001, "access_token missing" + (" (it belongs in the query string)" if in_body else ""))
        checked = state.check_token(raw)
        if isinstance(checked, int):
            raise ApiError(checked)
        token = checked
    injected = state.take("fail", path)
    if injected is not None:
        rec.injected = "fail"
        raise ApiError(int(injected), f"{ERRMSG.get(int(injected), 'error')} (injected by fail_next)")
    if not body_ok:
        raise ApiError(40058, "request body is not a JSON object")
    call = Call(state, rec.query, body or {}, dict(request.files), token, request.remote_addr or "127.0.0.1")
    try:
        return {"errcode": 0, "errmsg": "ok", **route.handler(call)}
    except (ValueError, TypeError, AttributeError) as exc:  # badly typed client input, e.g. "order": "x"
        raise ApiError(40058, f"invalid Request Parameter ({type(exc).__name__}: {exc})") from exc


def create_app(state: StandInState) -> Flask:
    app = Flask(__name__)

    @app.route("/cgi-bin/<path:api>", methods=["GET", "POST"])
    def cgi(api: str) -> Response:
        path = norm_path(api)
        body, body_ok = _read_body()
        rec = RequestRecord(
            request.method,
            path,
            request.args.to_dict(),
            body,
            state.now(),
            files={k: v.filename or "" for k, v in request.files.items()},
        )
        delay = state.take("slow", path)
        if delay:
            state.stop_event.wait(float(delay))
        with state.lock:
            status = state.take("http_error", path)
            if status is not None:
                rec.status, rec.injected = int(status), "http_error"
                rec.response = f"<html><body>{int(status)} injected error</body></html>"
                state.record(rec)
                return Response(rec.response, int(status), mimetype="text/html")
            try:
                result = _answer(state, path, body, body_ok, rec)
            except ApiError as exc:
                result = {**error_body(exc.errcode, exc.detail, request.remote_addr or ""), **exc.extra}
            rec.response = result
            state.record(rec)
        late = state.take("late", path)
        if late:  # it is done; only the answer is slow (the caller may time out not knowing)
            state.stop_event.wait(float(late))
        return _json(result)

    return app


class StandIn:
    """A local WeCom API server over an in-memory corp, with recording and failure injection."""

    def __init__(
        self,
        corp: Corp | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], float] = time.time,
        webhook_keys: tuple[str, ...] | list[str] = (DEFAULT_WEBHOOK_KEY,),
        quiet: bool = True,
    ) -> None:
        self.state = StandInState(corp or Corp.sample(), clock, webhook_keys)
        self.app = create_app(self.state)
        self._server = ServerThread(self.app, host, port, quiet=quiet)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> StandIn:
        self.state.stop_event.clear()
        self._server.start()
        return self

    def bind(self) -> StandIn:
        """Open the listening socket now (so `url` is known) without serving yet."""
        self._server.bind()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._server.serve_forever()

    def stop(self) -> None:
        self.state.stop_event.set()
        self._server.stop()

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def api_base(self) -> str:
        return self.url + "/cgi-bin/"

    @property
    def corp(self) -> Corp:
        return self.state.corp

    @property
    def lock(self) -> threading.RLock:
        """Hold it while changing `corp` from a test while requests may be in flight."""
        return self.state.lock

    # -- records -------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        with self.state.lock:
            return list(self.state.requests)

    def delivered(self, kind: str | None = None) -> list[Delivered]:
        with self.state.lock:
            return [d for d in self.state.delivered if kind is None or d.kind == kind]

    def suppressed(self, reason: str | None = None, kind: str | None = None) -> list[Suppressed]:
        """Messages answered errcode 0 but not delivered: reason "duplicate" or "rate_limited"."""
        with self.state.lock:
            return [
                s
                for s in self.state.suppressed
                if (reason is None or s.reason == reason) and (kind is None or s.kind == kind)
            ]

    def count(self, path: str | None = None, errcode: int | None = None) -> int:
        with self.state.lock:
            return sum(
                1
                for r in self.state.requests
                if (path is None or r.path == norm_path(path)) and (errcode is None or r.errcode == errcode)
            )

    def reset_records(self) -> None:
        self.state.reset_records()

    def reset_limits(self) -> None:
        self.state.reset_limits()

    # -- helpers and failure injection ---------------------------------------------------------
    def token(self, secret: str | None = None) -> str:
        """A valid access_token without going through HTTP (the same one gettoken would return)."""
        return self.state.token_for(secret or self.corp.secret).token

    def issue_welcome_code(self, userid: str, external_userid: str) -> str:
        return self.state.issue_welcome_code(userid, external_userid)

    def register_webhook(self, key: str) -> str:
        with self.state.lock:
            self.state.webhook_keys.add(key)
        return f"{self.api_base}webhook/send?key={key}"

    def invalidate_tokens(self) -> None:
        self.state.invalidate_tokens()

    def expire_tokens(self) -> None:
        self.state.expire_tokens()

    def fail_next(self, path: str, errcode: int = 45009, times: int = 1) -> None:
        self.state.inject("fail", path, errcode, times)

    def http_error_next(self, path: str, status: int = 500, times: int = 1) -> None:
        self.state.inject("http_error", path, status, times)

    def slow_next(self, path: str, seconds: float, times: int = 1) -> None:
        self.state.inject("slow", path, seconds, times)

    def answer_late(self, path: str, seconds: float, times: int = 1) -> None:
        """Act on the call at once, answer after `seconds` (WeCom took it; the answer came after the timeout)."""
        self.state.inject("late", path, seconds, times)

    def outage(self, path: str, status: int = 500) -> None:
        """Every call of `path` answers HTTP `status` until `heal`."""
        self.state.inject("http_error", path, status, times=1_000_000)

    def heal(self, path: str | None = None) -> None:
        self.state.heal(path)
