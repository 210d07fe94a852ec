"""encrypt -> decrypt round trips, PKCS#7 pads to 32-byte blocks, malformed input is refused."""

import base64

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from wecom_standin import crypto

AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wwstandin0000001"


def _raw_plaintext(b64: str) -> bytes:
    key = crypto.aes_key_bytes(AES_KEY)
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    return dec.update(base64.b64decode(b64)) + dec.finalize()


def test_round_trip_keeps_utf8_text_and_receive_id():
    xml = "<xml><Content><![CDATA[跟进 王总 明天下午三点]]></Content></xml>"
    assert crypto.decrypt(crypto.encrypt(xml, AES_KEY, CORP_ID), AES_KEY) == (xml, CORP_ID)


def test_each_encryption_uses_a_new_random_prefix():
    assert crypto.encrypt("<xml/>", AES_KEY, CORP_ID) != crypto.encrypt("<xml/>", AES_KEY, CORP_ID)
    fixed = bytes(16)
    assert crypto.encrypt("<xml/>", AES_KEY, CORP_ID, fixed) == crypto.encrypt("<xml/>", AES_KEY, CORP_ID, fixed)


def test_aligned_plaintext_gets_a_full_32_byte_block_of_padding():
    msg = "x" * (64 - 16 - 4 - len(CORP_ID))  # 16 random + 4 length + msg + corp id == 64 bytes
    raw = _raw_plaintext(crypto.encrypt(msg, AES_KEY, CORP_ID))
    assert len(raw) == 96
    assert raw[-32:] == bytes([32]) * 32
    assert crypto.decrypt(crypto.encrypt(msg, AES_KEY, CORP_ID), AES_KEY) == (msg, CORP_ID)


def test_unaligned_plaintext_is_padded_to_the_next_multiple_of_32():
    raw = _raw_plaintext(crypto.encrypt("abc", AES_KEY, CORP_ID))
    used = 16 + 4 + 3 + len(CORP_ID)
    assert len(raw) == 64
    assert raw[used:] == bytes([64 - used]) * (64 - used)


def test_malformed_inputs_raise_crypto_error():
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt("not base64!!", AES_KEY)
    with pytest.raises(crypto.CryptoError):
        crypto.aes_key_bytes("short")
    other_key = "a" * 43
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(crypto.encrypt("<xml/>", AES_KEY, CORP_ID), other_key)
