"""Fixtures for the stand-in's own tests: a fake clock, a running StandIn, a tiny API client, a receiver."""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass, field

import pytest
import requests
import xmltodict
from flask import Flask, request

from wecom_standin import Corp, FakeClock, StandIn, crypto
from wecom_standin.serving import ServerThread


class Api:
    """Minimal WeCom client: token in the query string, JSON bodies, JSON answers."""

    def __init__(self, standin: StandIn, secret: str = "standin-secret") -> None:
        self.base = standin.api_base
        self.corp_id = standin.corp.corp_id
        self.secret = secret
        self.session = requests.Session()
        self._token: str | None = None

    def gettoken(self, corpid: str | None = None, secret: str | None = None) -> dict:
        params = {"corpid": corpid or self.corp_id, "corpsecret": secret or self.secret}
        return self.session.get(self.base + "gettoken", params=params, timeout=5).json()

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = self.gettoken()["access_token"]
        return self._token

    def forget_token(self) -> None:
        self._token = None

    def get(self, path: str, **params: object) -> dict:
        return self.session.get(self.base + path, params={"access_token": self.token, **params}, timeout=5).json()

    def post(self, path: str, body: dict, **params: object) -> dict:
        return self.session.post(
            self.base + path, params={"access_token": self.token, **params}, json=body, timeout=5
        ).json()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1763880000.0)


@pytest.fixture
def standin(clock: FakeClock):
    with StandIn(Corp.sample(), clock=clock) as s:
        yield s


@pytest.fixture
def api(standin: StandIn) -> Api:
    return Api(standin)


@pytest.fixture
def big_api(clock: FakeClock):
    """Api on Corp.generated(reps=3, customers=250)."""
    with StandIn(Corp.generated(reps=3, customers=250), clock=clock) as s:
        yield Api(s)


@pytest.fixture
def shared_api(clock: FakeClock):
    """Api on Corp.generated(reps=6, customers=300, shared=0.1): about a tenth of the customers have 2 or 3 reps."""
    with StandIn(Corp.generated(reps=6, customers=300, shared=0.1), clock=clock) as s:
        yield Api(s)


@dataclass
class Receiver:
    """Stands in for the project's callback endpoint: checks signatures, decrypts, can stall."""

    token: str
    aes_key: str
    corp_id: str
    url: str = ""
    stall_first: int = 0
    seen: list[dict] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Flask:
        app = Flask(__name__)

        @app.route("/callback", methods=["GET", "POST"])
        def callback():
            q = request.args
            if request.method == "GET":
                expected = crypto.signature(self.token, q["timestamp"], q["nonce"], q["echostr"])
                if not hmac.compare_digest(expected, q["msg_signature"]):
                    return "bad signature", 403
                plain, receive_id = crypto.decrypt(q["echostr"], self.aes_key)
                return (plain, 200) if receive_id == self.corp_id else ("bad corp", 403)
            envelope = xmltodict.parse(request.get_data())["xml"]
            encrypt = envelope["Encrypt"]
            expected = crypto.signature(self.token, q["timestamp"], q["nonce"], encrypt)
            if not hmac.compare_digest(expected, q["msg_signature"]):
                return "bad signature", 403
            plain, receive_id = crypto.decrypt(encrypt, self.aes_key)
            with self.lock:
                self.seen.append({"query": dict(q), "envelope": envelope, "plain": plain, "corp": receive_id})
                stall = len(self.seen) <= self.stall_first
            if stall:
                self.release.wait(3)
            return ""

        return app


@pytest.fixture
def receiver():
    corp = Corp.sample()
    rx = Receiver(corp.callback_token, corp.callback_aes_key, corp.corp_id)
    server = ServerThread(rx.app()).start()
    rx.url = server.url + "/callback"
    yield rx
    rx.release.set()
    server.stop()
