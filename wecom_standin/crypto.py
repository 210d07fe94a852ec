"""WeCom callback crypto, written independently of the project (AES-256-CBC, PKCS#7/32, SHA-1 signature)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class CryptoError(ValueError):
    """Raised when a key, ciphertext or padding is malformed."""


def aes_key_bytes(aes_key43: str) -> bytes:
    """Decode a 43-character EncodingAESKey into the 32-byte AES key."""
    if len(aes_key43) != 43:
        raise CryptoError(f"EncodingAESKey must be 43 characters, got {len(aes_key43)}")
    try:
        key = base64.b64decode(aes_key43 + "=")
    except (binascii.Error, ValueError) as exc:
        raise CryptoError("EncodingAESKey is not base64") from exc
    if len(key) != 32:
        raise CryptoError("EncodingAESKey does not decode to 32 bytes")
    return key


def pkcs7_pad(data: bytes, block: int = BLOCK) -> bytes:
    """Pad to a multiple of `block`; an aligned input gets a full block of padding."""
    n = block - len(data) % block
    return data + bytes([n]) * n


def pkcs7_unpad(data: bytes, block: int = BLOCK) -> bytes:
    """Strip PKCS#7 padding, checking every pad byte."""
    if not data or len(data) % 16:
        raise CryptoError("ciphertext length is not a multiple of the AES block")
    n = data[-1]
    if not 1 <= n <= block or data[-n:] != bytes([n]) * n:
        raise CryptoError("bad PKCS#7 padding")
    return data[:-n]


def _cipher(key: bytes) -> Cipher:
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(plaintext: str, aes_key43: str, corp_id: str, random16: bytes | None = None) -> str:
    """Encrypt `plaintext` the WeCom way and return base64 text."""
    key = aes_key_bytes(aes_key43)
    prefix = os.urandom(16) if random16 is None else random16
    if len(prefix) != 16:
        raise CryptoError("random prefix must be 16 bytes")
    msg = plaintext.encode("utf-8")
    raw = prefix + struct.pack(">I", len(msg)) + msg + corp_id.encode("utf-8")
    enc = _cipher(key).encryptor()
    return base64.b64encode(enc.update(pkcs7_pad(raw)) + enc.finalize()).decode("ascii")


def decrypt(b64: str, aes_key43: str) -> tuple[str, str]:
    """Decrypt base64 ciphertext; return (message, receive_id). The caller checks receive_id."""
    key = aes_key_bytes(aes_key43)
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CryptoError("ciphertext is not base64") from exc
    if not data or len(data) % 16:
        raise CryptoError("ciphertext length is not a multiple of 16")
    dec = _cipher(key).decryptor()
    raw = pkcs7_unpad(dec.update(data) + dec.finalize())
    if len(raw) < 20:
        raise CryptoError("plaintext too short")
    (length,) = struct.unpack(">I", raw[16:20])
    if 20 + length > len(raw):
        raise CryptoError("declared message length exceeds plaintext")
    try:
        msg = raw[20 : 20 + length].decode("utf-8")
        receive_id = raw[20 + length :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CryptoError("plaintext is not UTF-8") from exc
    return msg, receive_id


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """msg_signature = sha1 hex of the sorted concatenation of the four strings."""
    parts = sorted([str(token), str(timestamp), str(nonce), str(encrypt)])
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()
