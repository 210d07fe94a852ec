"""Send callbacks to the project's server the way WeCom does: signed query, encrypted XML, retries."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import requests
import xmltodict

from . import crypto
from .xml import cdata

AUTO: Any = object()  # agent_id sentinel: take AgentID from the plaintext (absent for `sys` events)


class Attempt(NamedTuple):
    status: int | None  # None when the request timed out or could not connect
    body: str
    elapsed: float


@dataclass
class Delivery:
    plaintext: str
    attempts: list[Attempt] = field(default_factory=list)
    sent: list[dict[str, str]] = field(default_factory=list)  # per attempt: query params + Encrypt

    @property
    def status(self) -> int | None:
        return self.attempts[-1].status if self.attempts else None

    @property
    def body(self) -> str:
        return self.attempts[-1].body if self.attempts else ""

    @property
    def acknowledged(self) -> bool:
        return any(a.status == 200 for a in self.attempts)


class CallbackClient:
    def __init__(
        self,
        url: str,
        token: str,
        aes_key: str,
        corp_id: str,
        *,
        timeout: float = 5.0,
        attempts: int = 4,
        clock: Callable[[], float] = time.time,
        retry_on_status: bool = False,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.token = token
        self.aes_key = aes_key
        self.corp_id = corp_id
        self.timeout = timeout
        self.attempts = attempts
        self.clock = clock
        self.retry_on_status = retry_on_status  # older docs: any non-200 is retried; newer: only timeouts
        self.session = session or requests.Session()

    @classmethod
    def for_corp(cls, url: str, corp: Any, **kwargs: Any) -> CallbackClient:
        return cls(url, corp.callback_token, corp.callback_aes_key, corp.corp_id, **kwargs)

    # -- building blocks -----------------------------------------------------------------------
    def encrypt(self, plaintext: str) -> str:
        return crypto.encrypt(plaintext, self.aes_key, self.corp_id)

    def signed_query(self, encrypt: str, timestamp: str | None = None, nonce: str | None = None) -> dict[str, str]:
        timestamp = str(int(self.clock())) if timestamp is None else str(timestamp)
        nonce = str(secrets.randbelow(10**10)) if nonce is None else str(nonce)
        return {
            "msg_signature": crypto.signature(self.token, timestamp, nonce, encrypt),
            "timestamp": timestamp,
            "nonce": nonce,
        }

    def envelope(self, encrypt: str, agent_id: int | None = None) -> bytes:
        agent = f"<AgentID>{cdata(agent_id)}</AgentID>" if agent_id is not None else ""
        return (
            f"<xml><ToUserName>{cdata(self.corp_id)}</ToUserName>{agent}<Encrypt>{cdata(encrypt)}</Encrypt></xml>"
        ).encode()

    @staticmethod
    def agent_of(plaintext: str) -> int | None:
        agent = (xmltodict.parse(plaintext).get("xml") or {}).get("AgentID")
        return int(agent) if agent not in (None, "") else None

    # -- sending -------------------------------------------------------------------------------
    def send_raw(self, body: bytes | str, query: dict[str, str], timeout: float | None = None) -> requests.Response:
        """POST exactly these bytes and query params (for forged or replayed input)."""
        data = body.encode() if isinstance(body, str) else body
        return self.session.post(
            self.url,
            params=query,
            data=data,
            timeout=timeout or self.timeout,
            headers={"Content-Type": "text/xml"},
            allow_redirects=False,
        )

    def _attempt(self, delivery: Delivery, agent_id: int | None, encrypt: str | None = None) -> Attempt:
        encrypt = encrypt or self.encrypt(delivery.plaintext)  # fresh random prefix per attempt
        query = self.signed_query(encrypt)
        delivery.sent.append({**query, "encrypt": encrypt})
        started = time.monotonic()
        try:
            resp = self.send_raw(self.envelope(encrypt, agent_id), query)
            attempt = Attempt(resp.status_code, resp.text, time.monotonic() - started)
        except requests.Timeout:
            attempt = Attempt(None, "", time.monotonic() - started)
        except requests.ConnectionError as exc:
            attempt = Attempt(None, f"connection error: {exc}", time.monotonic() - started)
        delivery.attempts.append(attempt)
        return attempt

    def send(self, xml: str, agent_id: int | None = AUTO) -> Delivery:
        """Deliver one callback, retrying (re-encrypted, new nonce and timestamp) after timeouts."""
        agent = self.agent_of(xml) if agent_id is AUTO else agent_id
        delivery = Delivery(xml)
        for _ in range(self.attempts):
            attempt = self._attempt(delivery, agent)
            if attempt.status is not None and (attempt.status == 200 or not self.retry_on_status):
                break
        return delivery

    def concurrent_send(
        self, xml: str, copies: int = 4, agent_id: int | None = AUTO, *, same_ciphertext: bool = False
    ) -> list[Delivery]:
        """Deliver `copies` single attempts of the same callback at once, from parallel threads."""
        agent = self.agent_of(xml) if agent_id is AUTO else agent_id
        shared = self.encrypt(xml) if same_ciphertext else None
        deliveries = [Delivery(xml) for _ in range(copies)]
        barrier = threading.Barrier(copies)

        def run(d: Delivery) -> None:
            encrypt = shared or self.encrypt(xml)
            barrier.wait()
            self._attempt(d, agent, encrypt)

        threads = [threading.Thread(target=run, args=(d,)) for d in deliveries]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return deliveries

    def verify_url(self, echostr_plain: str) -> requests.Response:
        """The GET WeCom sends when the admin saves the callback URL."""
        echostr = self.encrypt(echostr_plain)
        query = {**self.signed_query(echostr), "echostr": echostr}
        return self.session.get(self.url, params=query, timeout=self.timeout, allow_redirects=False)

    def open_reply(self, body: str) -> str:
        """Check and decrypt an encrypted passive reply; raises crypto.CryptoError if it does not verify."""
        doc = xmltodict.parse(body)["xml"]
        encrypt = doc["Encrypt"]
        expected = crypto.signature(self.token, doc["TimeStamp"], doc["Nonce"], encrypt)
        if doc.get("MsgSignature") != expected:
            raise crypto.CryptoError("reply signature mismatch")
        plain, receive_id = crypto.decrypt(encrypt, self.aes_key)
        if receive_id != self.corp_id:
            raise crypto.CryptoError("reply receive id mismatch")
        return plain
