"""Callback ingest without Flask: verify, decrypt, store in the inbox under its dedup key, answer.

Nothing slow runs here: WeCom drops the connection after 5 s and sends the callback again, so the
handlers run later, from the inbox. The database's unique key makes every redelivery a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from bot.crypto import CallbackCrypto, CallbackRejected
from handlers.events import dedup_key, kind_of
from scrm import inbox
from scrm.clock import Clock
from scrm.db import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ack:
    status: int
    body: str = ""


class Ingest:
    def __init__(
        self,
        crypto: CallbackCrypto,
        store: Store,
        clock: Clock,
        *,
        max_age: int,
        on_new: Callable[[], None] = lambda: None,
    ) -> None:
        self._crypto = crypto
        self._store = store
        self._clock = clock
        self._max_age = max_age
        self._on_new = on_new

    def verify(self, query: Mapping[str, str]) -> Ack:
        """GET: WeCom checks the URL when the admin saves it; echo the decrypted echostr."""
        try:
            signature, timestamp, nonce = self._signed(query)
            return Ack(200, self._crypto.verify_url(signature, timestamp, nonce, query.get("echostr", "")))
        except CallbackRejected as rejected:
            return self._refuse("GET", rejected)

    def receive(self, query: Mapping[str, str], body: bytes) -> Ack:
        """POST: store the event once, then acknowledge with an empty 200."""
        try:
            signature, timestamp, nonce = self._signed(query)
            fields = self._crypto.open(signature, timestamp, nonce, body)
        except CallbackRejected as rejected:
            return self._refuse("POST", rejected)
        kind = kind_of(fields)
        try:
            with self._store.connection() as connection:
                new = inbox.add(connection, dedup_key=dedup_key(fields), kind=kind, payload=fields,
                                now=self._clock.now())
        except SQLAlchemyError as error:
            log.error("callback %s not stored, database error %s", kind, type(error).__name__)
            return Ack(503)
        if new:
            self._on_new()
        return Ack(200)

    def _signed(self, query: Mapping[str, str]) -> tuple[str, str, str]:
        signature, timestamp, nonce = (query.get(k, "") for k in ("msg_signature", "timestamp", "nonce"))
        if not (signature and timestamp and nonce):
            raise CallbackRejected(400, "missing msg_signature, timestamp or nonce")
        try:
            age = abs(self._clock.now().timestamp() - int(timestamp))
        except ValueError:
            raise CallbackRejected(400, "timestamp is not a number") from None
        if age > self._max_age:
            raise CallbackRejected(403, f"timestamp {int(age)} s away from now (replayed?)")
        return signature, timestamp, nonce

    def _refuse(self, method: str, rejected: CallbackRejected) -> Ack:
        log.warning("callback %s refused with %s: %s", method, rejected.status, rejected.reason)
        return Ack(rejected.status)
