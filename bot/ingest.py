"""Callback ingest without Flask: verify, decrypt, store in the inbox under its dedup key, answer.

Nothing slow runs here: WeCom drops the connection after 5 s and sends the callback again, so the
handlers run later, from the inbox. The database's unique key makes every redelivery a no-op. On SQLite the
callback is stored in the spool beside the database instead (scrm/spool.py), so that an ack never waits
for the write lock the handlers hold.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.crypto import CallbackCrypto, CallbackRejected, Unreadable
from handlers.events import dedup_key, kind_of, unreadable_key
from scrm import inbox
from scrm.clock import Clock
from scrm.db import NotStored, Store
from scrm.spool import Spool
from scrm.statuses import QueueStatus

log = logging.getLogger(__name__)
TIMESTAMP = re.compile(r"[0-9]{1,12}")


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
        spool: Spool | None = None,
    ) -> None:
        self._crypto = crypto
        self._clock = clock
        self._max_age = max_age
        self._on_new = on_new
        self._intake = spool or inbox.Intake(store.engine)

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
        except Unreadable as unreadable:
            return self._keep_unreadable(unreadable)
        return self._store_event(dedup_key(fields), kind_of(fields), fields)

    def _store_event(
        self, key: str, kind: str, payload: dict, status: str = QueueStatus.PENDING, reason: str | None = None
    ) -> Ack:
        try:
            new = self._intake.add(
                dedup_key=key, kind=kind, payload=payload, now=self._clock.now(), status=status, error=reason
            )
        except NotStored as error:
            log.error("callback %s not stored, database error %s", kind, error)
            return Ack(503)
        if new and status == QueueStatus.PENDING:
            self._on_new()
        return Ack(200)

    def _signed(self, query: Mapping[str, str]) -> tuple[str, str, str]:
        signature, timestamp, nonce = (query.get(k, "") for k in ("msg_signature", "timestamp", "nonce"))
        if not (signature and timestamp and nonce):
            raise CallbackRejected(400, "missing msg_signature, timestamp or nonce")
        if not TIMESTAMP.fullmatch(timestamp):  # int() of 400 digits is fine; the float it meets is not
            raise CallbackRejected(400, "timestamp is not a number of seconds")
        age = abs(self._clock.now().timestamp() - int(timestamp))
        if age > self._max_age:
            raise CallbackRejected(403, f"timestamp {int(age)} s away from now (replayed?)")
        return signature, timestamp, nonce

    def _keep_unreadable(self, unreadable: Unreadable) -> Ack:
        """Signed by WeCom but not a message we can read: kept dead for `scrm inbox list`, and acknowledged."""
        log.error("callback signed but unreadable (%s): kept as dead, see `scrm inbox list`", unreadable.reason)
        return self._store_event(
            unreadable_key(unreadable.text),
            inbox.UNREADABLE,
            {"text": unreadable.text},
            status=QueueStatus.DEAD,
            reason=unreadable.reason,
        )

    def _refuse(self, method: str, rejected: CallbackRejected) -> Ack:
        log.warning("callback %s refused with %s: %s", method, rejected.status, rejected.reason)
        return Ack(rejected.status)
