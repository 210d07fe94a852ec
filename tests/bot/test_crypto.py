"""Our crypto against the official known-answer vector (shared/wecom/callback.md §4) and hostile XML."""

from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.crypto import ENVELOPE, CallbackCrypto, CallbackRejected, parse_xml

TOKEN, KEY, CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
ECHOSTR = unquote("P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D")
ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3"
    "TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsij"
    "ff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wL"
    "VMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
BODY = f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><AgentID><![CDATA[218]]></AgentID><Encrypt><![CDATA[{ENCRYPT}]]></Encrypt></xml>".encode()  # noqa: E501


@pytest.fixture
def crypto():
    return CallbackCrypto(TOKEN, KEY, CORP)


def test_url_verification_known_answer(crypto):
    echo = crypto.verify_url("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", ECHOSTR)
    assert echo == "1616140317555161061"


def test_post_known_answer(crypto):
    fields = crypto.open("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", BODY)
    assert fields["FromUserName"] == "mycreate"
    assert fields["Content"] == "hello"
    assert fields["MsgId"] == "4561255354251345929"


def test_a_wrong_signature_is_refused_before_decrypting(crypto):
    with pytest.raises(CallbackRejected) as rejected:
        crypto.open("0" * 40, "1409659813", "1372623149", BODY)
    assert rejected.value.status == 403


def test_another_corps_ciphertext_is_refused(crypto):
    other = CallbackCrypto(TOKEN, KEY, "wwSomeoneElse")
    with pytest.raises(CallbackRejected) as rejected:
        other.verify_url("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", ECHOSTR)
    assert rejected.value.status == 403


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Encrypt>&xxe;</Encrypt></xml>',
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><Encrypt>&c;</Encrypt></xml>',
        b"<xml><Encrypt>unclosed",
        b"not xml at all",
        b"<other>root</other>",
    ],
)
def test_hostile_or_malformed_xml_is_a_400(payload):
    with pytest.raises(CallbackRejected) as rejected:
        parse_xml(payload)
    assert rejected.value.status == 400


@pytest.mark.parametrize(
    "body",
    [
        BODY,  # WeCom's own shape: read without a full parse
        f"<xml>\n  <Encrypt>{ENCRYPT}</Encrypt>\n  <AgentID>218</AgentID>\n</xml>".encode(),  # any other: parsed
        f'<?xml version="1.0"?><xml><Encrypt><![CDATA[{ENCRYPT}]]></Encrypt><Extra a="1"/></xml>'.encode(),
    ],
)
def test_envelopes_of_any_well_formed_shape_open_alike(crypto, body):
    assert (
        crypto.open("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", body)["Content"] == "hello"
    )


@pytest.mark.parametrize(
    "body",
    [
        f"<xml><Encrypt><![CDATA[{ENCRYPT}]]></Encrypt><Encrypt><![CDATA[{ENCRYPT}]]></Encrypt></xml>".encode(),
        f"<xml><AgentID><![CDATA[218</AgentID><Encrypt><![CDATA[{ENCRYPT}]]></Encrypt></xml>".encode(),  # CDATA unclosed  # noqa: E501
        f"<xml><AgentID>]]></AgentID><Encrypt><![CDATA[{ENCRYPT}]]></Encrypt></xml>".encode(),
        f"<xml>\f<Encrypt><![CDATA[{ENCRYPT}]]></Encrypt></xml>".encode(),  # not XML's white space
        f"<xml><Encrypt><![CDATA[{ENCRYPT}]]></Encrypt>".encode(),
        f"<xml><Encrypt><![CDATA[{ENCRYPT}]]></Encrypt></xml><xml/>".encode(),
    ],
)
def test_envelopes_that_are_not_one_well_formed_encrypt_are_refused(crypto, body):
    with pytest.raises(CallbackRejected) as rejected:
        crypto.open("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", body)
    assert rejected.value.status == 400


ENCRYPTED = b"<Encrypt><![CDATA[abc+/=]]></Encrypt>"
OTHERS = [
    b"<AgentID>218</AgentID>",
    b"<AgentID><![CDATA[218]]></AgentID>",
    b"<ToUserName><![CDATA[ww1]]></ToUserName>",
    b" ",
    b"\n",
]
JUNK = [
    ENCRYPTED,
    b"<xml>",
    b"</xml>",
    b"<Encrypt><![CDATA[",
    b"]]></Encrypt>",
    b"<Encrypt>",
    b"</Encrypt>",
    b"<AgentID>",
    b"</AgentID>",
    b"<![CDATA[",
    b"]]>",
    b"218",
    b"\f",
    b"<",
    b"<x/>",
    b"<!-- c -->",
    b"&amp;",
    b"<?pi?>",
]
AROUND = st.lists(st.sampled_from(OTHERS * 6 + JUNK), max_size=4)
ENVELOPES = st.builds(
    lambda head, before, after, tail: head + b"".join(before) + ENCRYPTED + b"".join(after) + tail,
    st.sampled_from([b"<xml>", b" <xml>", b"", b"<XML>"]),
    AROUND,
    AROUND,
    st.sampled_from([b"</xml>", b"</xml>\n", b"", b"</xml><xml/>"]),
)


@settings(max_examples=3000, deadline=None)
@given(ENVELOPES)
def test_the_envelope_pattern_never_reads_what_the_full_parse_would_not(body):
    if match := ENVELOPE.fullmatch(body):
        assert parse_xml(body)["Encrypt"] == match.group(1).decode()  # the parse accepts it, and reads the same
