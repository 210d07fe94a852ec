"""Callback crypto: signature check, AES decryption, receive-id check, safe XML parsing.

AES is wechatpy's (PKCS#7 to 32-byte blocks, 16 random bytes + length + XML + CorpID). We check the
signature ourselves, in constant time and before decrypting, and parse XML with xmltodict, whose
entity handling is off (no XXE, no entity expansion). Every failure is a CallbackRejected with the
HTTP status to answer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.enterprise.crypto import PrpCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException

MAX_BODY = 64 * 1024
MAX_DEPTH = 8  # WeCom's messages nest 3 levels (<xml><MemChangeList><Item>); deeper is not a message
# WeCom's envelope, exactly: a document this matches whole is well formed, and Encrypt is what parse_xml would find
# (a tenth of a full parse; anything else, parse_xml judges)
_SPACE = rb"[ \t\r\n]*"  # XML's white space
_OTHER = (
    rb"(?:<ToUserName><!\[CDATA\[[0-9A-Za-z_-]*\]\]></ToUserName>"
    rb"|<AgentID>(?:<!\[CDATA\[[0-9]*\]\]>|[0-9]*)</AgentID>)" + _SPACE
)
ENVELOPE = re.compile(
    _SPACE
    + rb"<xml>"
    + _SPACE
    + rb"(?:%s)*<Encrypt><!\[CDATA\[([0-9A-Za-z+/=]+)\]\]></Encrypt>" % _OTHER
    + _SPACE
    + rb"(?:%s)*</xml>" % _OTHER
    + _SPACE
)


class CallbackRejected(Exception):
    """A callback we refuse: forged, stale, undecryptable or malformed. Changes nothing."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Unreadable(Exception):
    """A correctly signed and decrypted callback whose message we cannot read. It came from WeCom, so it is
    kept (dead, for the operator) and acknowledged: WeCom's retries would bring the same bytes again."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.text = text


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def parse_xml(text: str | bytes) -> dict[str, Any]:
    """The children of <xml> as a dict of strings (empty elements become "")."""
    if len(text) > MAX_BODY:
        raise CallbackRejected(413, "body too large")
    try:
        document = xmltodict.parse(text, disable_entities=True)
    except (ExpatError, ValueError) as error:  # xmltodict raises ValueError on any entity declaration
        raise CallbackRejected(400, f"bad xml: {type(error).__name__}") from None
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise CallbackRejected(400, "no <xml> root")
    if _deeper_than(root, MAX_DEPTH):
        raise CallbackRejected(400, f"nested deeper than {MAX_DEPTH} levels")
    return {key: "" if value is None else value for key, value in root.items()}


def _deeper_than(value: Any, levels: int) -> bool:
    """Iterative, so a hostile document cannot exhaust the stack here (nor later, when stored as JSON)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth >= levels:
                    return True
                stack.append((child, depth + 1))
    return False


class CallbackCrypto:
    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        self._token = token
        self._aes = PrpCrypto(base64.b64decode(encoding_aes_key + "="))
        self._corp_id = corp_id

    def _verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = signature(self._token, timestamp, nonce, encrypted)
        # As bytes: compare_digest refuses non-ASCII str (a TypeError, once a 500 anyone could trigger).
        if not hmac.compare_digest(expected.encode(), msg_signature.lower().encode("utf-8", "surrogateescape")):
            raise CallbackRejected(403, "bad signature")

    def _decrypt(self, encrypted: str) -> str:
        try:
            return self._aes.decrypt(encrypted, self._corp_id)
        except InvalidCorpIdException:
            raise CallbackRejected(403, "receive id is not our corp") from None
        except (ValueError, binascii.Error, UnicodeDecodeError, IndexError, TypeError, struct.error) as error:
            raise CallbackRejected(400, f"cannot decrypt: {type(error).__name__}") from None

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """GET verification: the decrypted echostr to send back."""
        self._verify(msg_signature, timestamp, nonce, echostr)
        return self._decrypt(echostr)

    def open(self, msg_signature: str, timestamp: str, nonce: str, body: bytes) -> dict[str, Any]:
        """POST: verify the envelope, decrypt it, and parse the message it carries."""
        envelope = ENVELOPE.fullmatch(body)
        encrypted = envelope.group(1).decode() if envelope else parse_xml(body).get("Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise CallbackRejected(400, "no Encrypt element")
        self._verify(msg_signature, timestamp, nonce, encrypted)
        text = self._decrypt(encrypted)
        try:
            return parse_xml(text)
        except CallbackRejected as unreadable:
            raise Unreadable(unreadable.reason, text) from None
