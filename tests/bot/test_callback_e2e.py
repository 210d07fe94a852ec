"""Callbacks over real HTTP, really encrypted, into the inbox and through the handlers, on every backend."""

from __future__ import annotations

import requests
from sqlmodel import select

from scrm.models import Customer, CustomerRep, InboxEvent, OutboxMessage
from tests.conftest import drain
from wecom_standin import xml


def inbox_rows(store) -> list[InboxEvent]:
    with store.transaction() as session:
        return list(session.exec(select(InboxEvent).order_by(InboxEvent.id)).all())


def text(standin, clock, content: str, msg_id: str = "7312345678901234567", userid: str = "zhangsan") -> str:
    return xml.text_message(
        from_user=userid,
        content=content,
        msg_id=msg_id,
        agent_id=standin.corp.agent_id,
        create_time=int(clock.now().timestamp()),
        corp_id=standin.corp.corp_id,
    )


def added(standin, clock, external: str, state: str = "", code: str = "", userid: str = "zhangsan") -> str:
    return xml.contact_added(
        user_id=userid,
        external_user_id=external,
        state=state or None,
        welcome_code=code or None,
        create_time=int(clock.now().timestamp()),
        corp_id=standin.corp.corp_id,
    )


def test_url_verification_echoes_the_decrypted_echostr(wecom):
    response = wecom.verify_url("1616140317555161061")
    assert response.status_code == 200 and response.text == "1616140317555161061"


def test_url_verification_with_a_bad_signature_gets_403_and_no_echo(wecom, server):
    query = wecom.signed_query("c29tZXRoaW5n")
    query["msg_signature"] = "0" * 40
    response = requests.get(f"{server}/wecom/callback", params={**query, "echostr": "c29tZXRoaW5n"}, timeout=5)
    assert response.status_code == 403 and response.text == ""


def test_a_message_delivered_three_times_is_stored_and_answered_once(wecom, standin, services, clock):
    message = text(standin, clock, "帮助")
    for _ in range(3):  # each redelivery is encrypted afresh, with a new nonce and timestamp
        assert wecom.send(message, agent_id=standin.corp.agent_id).attempts[-1][0] == 200
    drain(services)
    rows = inbox_rows(services.store)
    assert [(r.status, r.deliveries) for r in rows] == [("done", 3)]
    replies = standin.delivered("app")
    assert len(replies) == 1 and replies[0].recipients == ["zhangsan"] and "销售助手" in replies[0].content


def test_concurrent_deliveries_of_one_event_collapse_into_one_row(wecom, standin, services, clock):
    deliveries = wecom.concurrent_send(added(standin, clock, "wmCust0001", state="expo2026_booth3"), copies=4)
    assert all(d.attempts[-1][0] == 200 for d in deliveries)
    drain(services)
    assert [r.deliveries for r in inbox_rows(services.store)] == [4]


def test_two_customers_added_in_the_same_second_stay_two_rows(wecom, standin, services, clock):
    wecom.send(added(standin, clock, "wmCust0001"))
    wecom.send(added(standin, clock, "wmCust0002"))
    drain(services)
    assert [r.status for r in inbox_rows(services.store)] == ["done", "done"]
    with services.store.transaction() as session:
        links = session.exec(select(CustomerRep.external_userid).order_by(CustomerRep.external_userid)).all()
    assert links == ["wmCust0001", "wmCust0002"]


def test_a_customer_added_through_a_channel_qr_code_is_recorded_and_welcomed(wecom, standin, services, clock):
    code = standin.issue_welcome_code("zhangsan", "wmCust0001")
    wecom.send(added(standin, clock, "wmCust0001", state="expo2026_booth3", code=code))
    drain(services)
    with services.store.transaction() as session:
        customer = session.get(Customer, "wmCust0001")
        link = session.exec(select(CustomerRep)).one()
    assert customer.name == "张建国" and customer.corp_name == "华为技术有限公司"
    assert (link.userid, link.state, link.status) == ("zhangsan", "expo2026_booth3", "active")
    welcome = standin.delivered("welcome")
    assert (
        len(welcome) == 1 and welcome[0].content.startswith("张经理您好") and "张三" in welcome[0].content
    )  # 采购经理


def test_an_unknown_event_type_is_acknowledged_and_kept(wecom, standin, services, clock):
    future = (
        f"<xml><ToUserName><![CDATA[{standin.corp.corp_id}]]></ToUserName><FromUserName><![CDATA[sys]]>"
        f"</FromUserName><CreateTime>{int(clock.now().timestamp())}</CreateTime><MsgType><![CDATA[event]]>"
        "</MsgType><Event><![CDATA[brand_new_event]]></Event><Foo><![CDATA[bar]]></Foo></xml>"
    )
    assert wecom.send(future).attempts[-1][0] == 200
    drain(services)
    [row] = inbox_rows(services.store)
    assert (row.kind, row.status, row.last_error) == ("event/brand_new_event", "done", "no handler for this kind")
    assert row.payload["Foo"] == "bar"


def test_a_member_not_synced_gets_a_polite_refusal(wecom, standin, services, clock):
    wecom.send(text(standin, clock, "帮助", userid="stranger"), agent_id=standin.corp.agent_id)
    drain(services)
    with services.store.transaction() as session:
        [reply] = session.exec(select(OutboxMessage)).all()
    assert reply.payload["to"] == ["stranger"] and "成员名单" in reply.payload["text"]


def test_healthz_reports_reachability_without_settings(server, settings):
    response = requests.get(f"{server}/healthz", timeout=5)
    assert response.status_code == 200 and response.json()["database"] == "ok"
    assert settings.database_url not in response.text and settings.wecom_corp_id not in response.text
    if settings.redis_url:
        assert response.json()["redis"] == "ok"


def test_healthz_names_what_is_degraded(server, services, standin, clock):
    from scrm.outbox import AppText, Outbox

    assert requests.get(f"{server}/healthz", timeout=5).json()["status"] == "ok"
    with services.store.transaction() as session:
        Outbox(session, clock.now()).add(AppText(to=("nobody-here",), text="你好"), key="refused")
    services.sender.run_pending()  # 81013: dead
    with services.store.transaction() as session:
        Outbox(session, clock.now()).add(AppText(to=("zhangsan",), text="提醒"), key="waits")
    standin.fail_next("message/send", errcode=-1)  # WeCom busy: the reminder waits it out
    services.sender.run_pending()
    clock.advance(seconds=3)
    health = requests.get(f"{server}/healthz", timeout=5)
    assert health.status_code == 200 and health.json()["status"] == "degraded"
    assert health.json()["problems"] == ["outbox waiting out errors", "outbox has dead rows"]
    assert health.json()["outbox"] == {"due": 0, "oldest_due_seconds": 0, "waiting_out_errors": 1, "dead": 1}
    assert "nobody-here" not in health.text and "提醒" not in health.text


def test_metrics_count_callbacks_and_read_the_queues(server, services, wecom, standin, clock):
    wecom.send(
        xml.text_message(
            from_user="zhangsan",
            content="帮助",
            msg_id="9",
            agent_id=standin.corp.agent_id,
            corp_id=standin.corp.corp_id,
            create_time=int(clock.now().timestamp()),
        )
    )
    page = requests.get(f"{server}/metrics", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/plain")
    assert 'scrm_callbacks_total{status="200"}' in page.text and "scrm_ack_seconds_bucket" in page.text
    arrived = "arriving" if services.spool else "pending"  # SQLite: in the spool until the dispatcher takes it in
    assert f'scrm_queue_rows{{queue="inbox",status="{arrived}"}} 1.0' in page.text
    assert "zhangsan" not in page.text and "帮助" not in page.text


def test_healthz_is_503_while_the_database_is_behind_this_codes_schema(server, services):
    from sqlalchemy import text

    from bot.migrate import head

    assert requests.get(f"{server}/healthz", timeout=5).json()["schema"] == "ok"
    with services.store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    try:
        health = requests.get(f"{server}/healthz", timeout=5)
        assert health.status_code == 503 and health.json()["status"] == "down"
        assert (
            health.json()["schema"]
            == f"the database is at schema 0009, this code needs {head()}: run `scrm db upgrade`"
        )
    finally:
        with services.store.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head()})
