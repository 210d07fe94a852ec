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
import struct
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.enterprise.crypto import PrpCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException

MAX_BODY = 64 * 1024


class CallbackRejected(Exception):
    """A callback we refuse: forged, stale, undecryptable or malformed. Changes nothing."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


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
    return {key: "" if value is None else value for key, value in root.items()}


class CallbackCrypto:
    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        self._token = token
        self._aes = PrpCrypto(base64.b64decode(encoding_aes_key + "="))
        self._corp_id = corp_id

    def _verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = signature(self._token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, msg_signature.lower()):
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
        envelope = parse_xml(body)
        encrypted = envelope.get("Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise CallbackRejected(400, "no Encrypt element")
        self._verify(msg_signature, timestamp, nonce, encrypted)
        return parse_xml(self._decrypt(encrypted))
