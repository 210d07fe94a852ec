"""Signed, encrypted WeCom callbacks for the load generators, and the secrets they are signed with.

Every callback is distinct (its own MsgId or ExternalUserID), so each delivery is a new inbox row;
a share of the request lines are exact redeliveries of an earlier line, to exercise the dedup path.
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
import secrets
import string
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bot.crypto import parse_xml
from handlers.events import dedup_key

try:  # the stand-in's independent implementation, when it is there
    from wecom_standin.crypto import encrypt, signature
except ImportError:  # pragma: no cover - a minimal copy of the same algorithm
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    def encrypt(plaintext: str, aes_key43: str, corp_id: str) -> str:
        key = base64.b64decode(aes_key43 + "=")
        raw = os.urandom(16) + struct.pack(">I", len(plaintext.encode())) + plaintext.encode() + corp_id.encode()
        pad = 32 - len(raw) % 32
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(encryptor.update(raw + bytes([pad]) * pad) + encryptor.finalize()).decode()

    def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
        return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


PATH = "/wecom/callback"
ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Secrets:
    corp_id: str
    agent_id: int
    token: str
    aes_key: str

    @classmethod
    def random(cls) -> Secrets:
        pick = lambda n: "".join(secrets.choice(ALNUM) for _ in range(n))  # noqa: E731
        return cls(corp_id="wwbench" + pick(8), agent_id=1000002, token=pick(32), aes_key=pick(43))

    def env(self) -> dict[str, str]:
        """The settings the project reads (bot/settings.py), as environment variables."""
        return {
            "WECOM_CORP_ID": self.corp_id,
            "WECOM_AGENT_ID": str(self.agent_id),
            "WECOM_AGENT_SECRET": "bench-secret",
            "WECOM_TOKEN": self.token,
            "WECOM_ENCODING_AES_KEY": self.aes_key,
            "WECOM_API_BASE": "http://127.0.0.1:9",  # the discard port: ingest never calls WeCom
            "WECOM_CALLBACK_MAX_AGE": "3600",
            "REDIS_URL": "",
            "SCRM_LOG_LEVEL": "WARNING",
        }


@dataclass(frozen=True)
class Callback:
    target: str  # path and query string
    body: bytes
    key: str  # the project's dedup key for it

    @property
    def query(self) -> dict[str, str]:
        pairs = self.target.partition("?")[2].split("&")
        return dict(pair.split("=", 1) for pair in pairs)

    def http(self, host: str) -> bytes:
        """The raw HTTP/1.1 request (the sync workers close every connection anyway)."""
        head = (
            f"POST {self.target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
        )
        return head.encode() + self.body


def _cdata(fields: dict[str, str | int]) -> str:
    inner = "".join(
        f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()
    )
    return f"<xml>{inner}</xml>"


def _message(s: Secrets, n: int, now: int) -> str:
    """Every fifth a 客户联系 add event, the rest text messages; `n` makes each distinct."""
    if n % 5 == 4:
        return _cdata(
            {
                "ToUserName": s.corp_id,
                "FromUserName": "sys",
                "CreateTime": now,
                "MsgType": "event",
                "Event": "change_external_contact",
                "ChangeType": "add_external_contact",
                "UserID": f"rep{n % 37}",
                "ExternalUserID": f"wmBench{n:010d}",
                "State": "bench",
                "WelcomeCode": f"wc{n:012d}",
            }
        )
    return _cdata(
        {
            "ToUserName": s.corp_id,
            "FromUserName": f"rep{n % 37}",
            "CreateTime": now,
            "MsgType": "text",
            "Content": f"你好，报价单什么时候能发过来？第 {n} 条",
            "MsgId": 7_000_000_000_000_000 + n,
            "AgentID": s.agent_id,
        }
    )


def callback(s: Secrets, n: int, now: int) -> Callback:
    return signed(s, _message(s, n, now), now)


def signed(s: Secrets, xml: str, now: int) -> Callback:
    """`xml` encrypted, enveloped and signed as WeCom would send it at `now`."""
    encrypted = encrypt(xml, s.aes_key, s.corp_id)
    timestamp, nonce = str(now), str(random.randrange(10**9, 10**10))
    query = urlencode(
        {"msg_signature": signature(s.token, timestamp, nonce, encrypted), "timestamp": timestamp, "nonce": nonce}
    )
    envelope = _cdata({"ToUserName": s.corp_id, "AgentID": s.agent_id, "Encrypt": encrypted})
    return Callback(f"{PATH}?{query}", envelope.encode(), dedup_key(parse_xml(xml)))


def make_lines(s: Secrets, count: int, *, first: int, redeliveries: float = 0.1, seed: int = 0) -> list[Callback]:
    """`count` request lines: distinct callbacks numbered from `first`, and about `redeliveries` of
    the lines exact copies of a line a few places earlier (as WeCom resends when an ack is slow)."""
    rng = random.Random(seed)
    now = int(time.time())
    every = round(1 / redeliveries) if redeliveries > 0 else 0
    lines: list[Callback] = []
    n = first
    for i in range(count):
        if every and i % every == every - 1 and i > 0:
            lines.append(lines[max(0, i - rng.randint(1, 40))])
        else:
            lines.append(callback(s, n, now))
            n += 1
    return lines


def distinct_keys(lines: Sequence[Callback]) -> set[str]:
    return {line.key for line in lines}


def write_wrk_data(lines: Sequence[Callback], path: Path) -> Path:
    """One request a line, `target<TAB>body`, for bench/callbacks.lua."""
    with path.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(f"{line.target}\t{line.body.decode()}\n")
    return path
