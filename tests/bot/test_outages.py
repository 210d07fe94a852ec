"""Outages delay and never lose (issue 11, finding 3 and 5): WeCom failing for minutes or hours pauses rows
without spending their attempts; what WeCom refuses, or what cannot be read, is dead at once; a message too
old to be useful is dropped with a record and the operators told; a customer added while WeCom's reads fail
is named and tagged once they work again."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from sqlmodel import select

from scrm import tagging
from scrm.clock import FrozenClock
from scrm.models import Customer, CustomerTag, InboxEvent, OutboxMessage
from scrm.outbox import AppText, Outbox
from tests.conftest import drain
from tests.handlers.test_contacts import SHANGHAI, added, new_customer
from wecom_standin import xml
from wecom_standin.fixtures import SAMPLE_CHAT_ID


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI))


@pytest.fixture
def redis_url():
    return None


@pytest.fixture
def settings_overrides():
    return {"scrm_operators": "lisi"}


def through(services, clock, minutes: int, step: int = 1) -> None:
    """Time passes: the workers run every `step` minutes, as they would (they poll and get woken)."""
    for _ in range(0, minutes, step):
        clock.advance(minutes=step)
        drain(services)


def rows(services, model):
    with services.store.transaction() as session:
        return list(session.exec(select(model).order_by(model.id)).all())


ids = itertools.count(7412345678901234567)


def say(wecom, standin, clock, text: str, userid: str = "zhangsan") -> None:
    wecom.send(
        xml.text_message(
            from_user=userid,
            content=text,
            msg_id=next(ids),
            agent_id=standin.corp.agent_id,
            corp_id=standin.corp.corp_id,
            create_time=int(clock.now().timestamp()),
        )
    )


def test_replies_survive_a_30_minute_message_send_outage_and_arrive_once(wecom, standin, services, clock):
    standin.outage("message/send")  # HTTP 500 on every call
    for text in ("帮助", "待办", "本周业绩"):
        say(wecom, standin, clock, text)
    through(services, clock, minutes=30)
    assert standin.delivered("app") == []
    assert {(m.status, m.attempts) for m in rows(services, OutboxMessage)} == {("pending", 0)}  # none spent
    standin.heal()
    through(services, clock, minutes=5)
    assert len(standin.delivered("app")) == 3
    assert {m.status for m in rows(services, OutboxMessage)} == {"sent"}


def test_an_8_minute_read_outage_pauses_events_and_loses_none(wecom, standin, services, clock):
    standin.outage("department/list")
    standin.outage("externalcontact/groupchat/get")
    now = int(clock.now().timestamp())
    wecom.send(xml.contact_change("create_user", "newrep", create_time=now, corp_id=standin.corp.corp_id))
    wecom.send(xml.external_chat(SAMPLE_CHAT_ID, change_type="create", create_time=now, corp_id=standin.corp.corp_id))
    through(services, clock, minutes=8)
    events = rows(services, InboxEvent)
    assert {(e.status, e.attempts) for e in events} == {("pending", 0)}
    assert all("ServerError" in e.last_error for e in events)
    standin.heal()
    through(services, clock, minutes=5)
    assert {e.status for e in rows(services, InboxEvent)} == {"done"}


def test_a_customer_added_while_wecom_cannot_be_read_is_named_and_tagged_once_it_can(wecom, standin, services, clock):
    with services.store.transaction() as session:
        tagging.add(session, kind="keyword", pattern="制造", group="行业", tag="制造", now=clock.now())
    code = new_customer(standin)
    standin.outage("externalcontact/get")
    wecom.send(added(standin, clock, code=code))
    drain(services)
    [welcome] = standin.delivered("welcome")  # the welcome cannot wait (its code lives 20 s): it goes nameless
    assert welcome.content.startswith("您好")
    through(services, clock, minutes=10)
    with services.store.transaction() as session:
        assert session.get(Customer, "wmNew0001").name == ""
    standin.heal()
    through(services, clock, minutes=5)
    with services.store.transaction() as session:
        assert session.get(Customer, "wmNew0001").name == "陈志强"  # `查 陈志强` finds them now
        tagged = {(t.group_name, t.tag_name, t.rule) for t in session.exec(select(CustomerTag))}
        assert ("行业", "制造", "keyword#1:制造") in tagged  # the rule matched the company name, read at last
    assert {e.status for e in rows(services, InboxEvent)} == {"done"}


def test_what_wecom_refuses_is_dead_at_once_and_a_malformed_message_too(wecom, standin, services, clock):
    with services.store.transaction() as session:
        Outbox(session, clock.now()).add(AppText(to=("nobody-here",), text="你好"), key="refused")
    odd = (
        f"<xml><ToUserName>{standin.corp.corp_id}</ToUserName><FromUserName>zhangsan</FromUserName>"
        f"<CreateTime>{int(clock.now().timestamp())}</CreateTime><MsgType>text</MsgType>"
        f"<Content><b>加粗</b></Content><MsgId>1</MsgId><AgentID>{standin.corp.agent_id}</AgentID></xml>"
    )
    wecom.send(odd)
    drain(services)
    [refused] = rows(services, OutboxMessage)
    [malformed] = rows(services, InboxEvent)
    assert (refused.status, refused.errcode, refused.attempts) == ("dead", 81013, 1)
    assert (malformed.status, malformed.attempts) == ("dead", 1) and "<Content> is not text" in malformed.last_error


def test_a_contact_event_with_a_repeated_userid_is_dead_at_once(wecom, standin, services, clock):
    odd = (
        f"<xml><ToUserName>{standin.corp.corp_id}</ToUserName><FromUserName>sys</FromUserName>"
        f"<CreateTime>{int(clock.now().timestamp())}</CreateTime><MsgType>event</MsgType>"
        "<Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType>"
        "<UserID>zhangsan</UserID><UserID>lisi</UserID><ExternalUserID>wmNew0001</ExternalUserID></xml>"
    )
    wecom.send(odd)  # a TypeError in the handler once, retried 5 times, then dead
    drain(services)
    [event] = rows(services, InboxEvent)
    assert (event.status, event.attempts) == ("dead", 1) and "<UserID> is not text but list" in event.last_error
    assert rows(services, OutboxMessage) == []


def test_a_message_that_could_not_go_for_a_day_is_dropped_recorded_and_the_operators_told(
    wecom, standin, services, clock
):
    standin.outage("message/send")
    say(wecom, standin, clock, "帮助")
    through(services, clock, minutes=24 * 60 + 30, step=30)
    standin.heal()
    through(services, clock, minutes=10)
    reply, alert = rows(services, OutboxMessage)
    assert reply.status == "expired" and reply.sent_at is None
    assert alert.status == "sent" and alert.key.startswith("operators:expired:")
    [told] = standin.delivered("app")
    assert told.recipients == ["lisi"] and "超过 24 小时仍未能发出" in told.content
