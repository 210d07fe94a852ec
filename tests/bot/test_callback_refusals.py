"""Forged, replayed, undecryptable and hostile callbacks get a 4xx, are logged once, and change nothing."""

from __future__ import annotations

import logging

import pytest
import requests
from sqlmodel import func, select

from scrm.models import InboxEvent
from tests.conftest import AES_KEY, TOKEN
from wecom_standin import crypto, xml

XXE = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>ww</ToUserName><Encrypt>&xxe;</Encrypt></xml>"
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    "<xml><Encrypt>&d;</Encrypt></xml>"
)


def envelope(encrypted: str, corp_id: str = "ww") -> bytes:
    return (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
    )


def post(server: str, query: dict, body: bytes) -> requests.Response:
    return requests.post(f"{server}/wecom/callback", params=query, data=body, timeout=5)


def stored(services) -> int:
    """Rows in the inbox, once the dispatcher has taken in what ingest spooled (SQLite)."""
    services.dispatcher.take_in()
    with services.store.transaction() as session:
        return session.exec(select(func.count()).select_from(InboxEvent)).one()


@pytest.fixture
def redis_url():
    """Refusals happen before anything touches Redis; run them on each database only."""
    return None


@pytest.fixture
def message(standin, clock) -> str:
    return xml.text_message(
        from_user="zhangsan",
        content="帮助",
        msg_id="1",
        agent_id=standin.corp.agent_id,
        create_time=int(clock.now().timestamp()),
        corp_id=standin.corp.corp_id,
    )


def signed(clock, encrypted: str, age: int = 0) -> dict:
    timestamp, nonce = str(int(clock.now().timestamp()) - age), "1372623149"
    return {
        "msg_signature": crypto.signature(TOKEN, timestamp, nonce, encrypted),
        "timestamp": timestamp,
        "nonce": nonce,
    }


def test_a_forged_signature_is_refused(server, services, standin, clock, message, caplog):
    encrypted = crypto.encrypt(message, AES_KEY, standin.corp.corp_id)
    query = dict(signed(clock, encrypted), msg_signature=crypto.signature("WrongToken", "1", "2", encrypted))
    with caplog.at_level(logging.WARNING, logger="bot.ingest"):
        assert post(server, query, envelope(encrypted)).status_code == 403
    assert stored(services) == 0
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1 and TOKEN not in refusals[0].getMessage()


def test_a_replay_outside_the_time_window_is_refused(server, services, standin, clock, message):
    encrypted = crypto.encrypt(message, AES_KEY, standin.corp.corp_id)
    assert post(server, signed(clock, encrypted, age=3600), envelope(encrypted)).status_code == 403
    assert stored(services) == 0


def test_another_corps_message_is_refused(server, services, clock, message):
    encrypted = crypto.encrypt(message, AES_KEY, "wwSomebodyElse")
    assert post(server, signed(clock, encrypted), envelope(encrypted)).status_code == 403
    assert stored(services) == 0


@pytest.mark.parametrize("encrypted", ["bm90IGEgY2lwaGVydGV4dA==", "!!!not base64!!!", "QUJD" * 8])
def test_an_undecryptable_payload_is_a_400(server, services, clock, encrypted):
    assert post(server, signed(clock, encrypted), envelope(encrypted)).status_code == 400
    assert stored(services) == 0


@pytest.mark.parametrize("body", [XXE, LAUGHS, "<xml><Encrypt>unclosed", "", "<xml></xml>", "\x00\xff"])
def test_hostile_or_malformed_bodies_are_a_400(server, services, clock, body):
    response = post(server, signed(clock, "x"), body.encode("utf-8", "surrogateescape"))
    assert response.status_code == 400
    assert stored(services) == 0


def test_a_body_over_64_kib_is_refused(server, services, clock):
    assert post(server, signed(clock, "x"), b"<xml>" + b"a" * 70_000 + b"</xml>").status_code == 413
    assert stored(services) == 0


def test_missing_query_parameters_are_a_400(server, services):
    assert post(server, {}, b"<xml/>").status_code == 400
    assert requests.get(f"{server}/wecom/callback", timeout=5).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"msg_signature": "签名" * 20},  # compare_digest raised TypeError on non-ASCII str: a 500
        {"msg_signature": "é" * 40},
    ],
)
def test_a_non_ascii_signature_is_a_403_on_get_and_post(server, services, clock, message, standin, query, caplog):
    encrypted = crypto.encrypt(message, AES_KEY, standin.corp.corp_id)
    params = dict(signed(clock, encrypted), **query)
    with caplog.at_level(logging.WARNING):
        assert post(server, params, envelope(encrypted)).status_code == 403
        assert (
            requests.get(f"{server}/wecom/callback", params=dict(params, echostr=encrypted), timeout=5).status_code
            == 403
        )
    assert stored(services) == 0
    assert not [r for r in caplog.records if r.exc_info]  # one line, no traceback


@pytest.mark.parametrize("timestamp", ["9" * 400, "-1", "１７９５４８５６００", "1e9", " 1795485600"])
def test_a_timestamp_that_is_not_seconds_is_a_400_on_get_and_post(server, services, clock, timestamp, caplog):
    params = {"msg_signature": "0" * 40, "timestamp": timestamp, "nonce": "1"}  # OverflowError once: a 500
    with caplog.at_level(logging.WARNING):
        assert post(server, params, envelope("x")).status_code == 400
        assert requests.get(f"{server}/wecom/callback", params=dict(params, echostr="x"), timeout=5).status_code == 400
    assert stored(services) == 0
    assert not [r for r in caplog.records if r.exc_info]


def inbox_rows(services) -> list[InboxEvent]:
    services.dispatcher.take_in()
    with services.store.transaction() as session:
        return list(session.exec(select(InboxEvent)).all())


def test_a_signed_message_nested_too_deep_is_kept_dead_and_acknowledged_once(server, services, standin, clock):
    """It came from WeCom (the signature and the corp id hold), so a 5xx would only bring it back again."""
    poison = "<xml>" + "<a>" * 1000 + "x" + "</a>" * 1000 + "</xml>"  # RecursionError once: a 5xx, never stored
    encrypted = crypto.encrypt(poison, AES_KEY, standin.corp.corp_id)
    for _ in range(2):  # WeCom's redelivery
        assert post(server, signed(clock, encrypted), envelope(encrypted)).status_code == 200
    [row] = inbox_rows(services)
    assert (row.kind, row.status, row.deliveries) == ("unreadable", "dead", 2)
    assert "nested deeper" in row.last_error and row.payload["text"] == poison


def test_a_signed_message_with_an_absurdly_long_type_is_stored(server, services, standin, clock):
    odd = (
        f"<xml><ToUserName>{standin.corp.corp_id}</ToUserName><FromUserName>sys</FromUserName>"
        f"<CreateTime>{int(clock.now().timestamp())}</CreateTime><MsgType>{'event' * 40}</MsgType></xml>"
    )
    encrypted = crypto.encrypt(odd, AES_KEY, standin.corp.corp_id)  # kind is VARCHAR(120): a 503 on PostgreSQL
    assert post(server, signed(clock, encrypted), envelope(encrypted)).status_code == 200
    [row] = inbox_rows(services)
    assert row.kind == ("event" * 40)[:120] and row.payload["MsgType"] == "event" * 40
