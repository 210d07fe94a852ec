"""Jobs end to end: a reminder reaches the rep through the stand-in and `完成 N` answers it; a team's robot
gets its hello, and a robot WeCom refuses is disabled with a note to the managers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.sync import Backfill
from scrm import teams
from scrm.clock import FrozenClock
from scrm.models import Department, FollowUp, OutboxMessage, TeamChat
from tests.conftest import CI, drain
from tests.handlers.test_rep_commands import SHANGHAI, Chat
from wecom_standin.server import DEFAULT_WEBHOOK_KEY


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI))  # Tuesday


@pytest.fixture
def redis_url():
    return None


@pytest.fixture
def chat(wecom, standin, services, clock) -> Chat:
    standin.corp.add_customer("zhangsan", "wmCust0004", "张伟", corp_name="字节跳动")
    Backfill(services.contact_client, services.store, clock, progress=False).run()
    return Chat(wecom, standin, services, clock)


def test_a_reminder_arrives_at_its_minute_and_the_rep_answers_it_with_done(chat, standin, services, clock):
    chat.say("跟进 张伟 电话沟通了需求 明天下午3点回访")
    clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI))
    services.jobs.run("reminders")
    drain(services)
    reminder = standin.delivered("app")[-1]
    assert reminder.recipients == ["zhangsan"]
    assert reminder.content.startswith("⏰ 到点跟进：\n1. 15:00 张伟（字节跳动） 回访")
    assert "上次：昨天 电话沟通了需求" in reminder.content and "回复「完成 1」" in reminder.content
    clock.advance(minutes=3)
    assert chat.say("完成 1").startswith("✅ 已完成：张伟")
    with services.store.transaction() as session:
        assert session.exec(select(FollowUp.status).where(FollowUp.note == "回访")).one() == "done"


def set_robot(services, key: str) -> None:
    with services.store.transaction() as session:
        department = session.get(Department, 2)
        chat = teams.set_chat(session, department, kind="robot", target=key, now=services.clock.now())
        teams.hello(session, department, chat, now=services.clock.now())


def test_a_team_robot_gets_its_hello_and_one_wecom_refuses_is_disabled_with_a_note(chat, standin, services):
    set_robot(services, DEFAULT_WEBHOOK_KEY)
    drain(services)
    [hello] = standin.delivered("webhook")
    assert "本群已接入销售助手" in hello.content
    set_robot(services, "removed-robot-key")  # the robot was taken out of the group: WeCom answers 93000
    drain(services)
    with services.store.transaction() as session:
        chat_row = session.get(TeamChat, 2)
        statuses = session.exec(
            select(OutboxMessage.status, OutboxMessage.errcode)
            .where(OutboxMessage.channel == "webhook")
            .order_by(OutboxMessage.id)
        ).all()
    assert not chat_row.enabled and "移出群" in chat_row.disabled_reason
    assert statuses == [("sent", 0), ("dead", 93000)]  # tried once, not again and again
    [note] = [m for m in standin.delivered("app") if m.recipients == ["wangwu"]]
    assert note.content.startswith("⚠️ 「华东销售部」的群通知发不出去了（群机器人已被移出群，或地址失效）")


def test_team_create_chat_makes_an_app_group_chat_with_the_team_and_says_hello(
    chat, standin, services, settings, database, clock
):
    from urllib.parse import quote

    from click.testing import CliRunner

    from bot.cli import cli

    url, schema = database

    env = {
        "WECOM_CORP_ID": settings.wecom_corp_id,
        "WECOM_AGENT_ID": str(settings.wecom_agent_id),
        "WECOM_AGENT_SECRET": settings.wecom_agent_secret.get_secret_value(),
        "WECOM_TOKEN": "t",
        "WECOM_ENCODING_AES_KEY": "a" * 43,
        "WECOM_API_BASE": settings.wecom_api_base,
        "DATABASE_URL": f"{url}?options={quote(f'-csearch_path={schema}')}" if schema else url,
        "REDIS_URL": "",
    }
    result = CliRunner().invoke(cli, ["team", "create-chat", "华东销售部"], env=env)
    assert result.exit_code == 0, result.output
    [(chat_id, created)] = standin.state.appchats.items()
    assert sorted(created.userlist) == ["lisi", "wangwu", "zhangsan"] and created.owner == "wangwu"
    assert f"app group chat {chat_id} created with 3 members and set" in result.output
    clock.set(datetime.now(UTC) + timedelta(seconds=1))  # the CLI queued it on the real clock
    drain(services)
    [hello] = standin.delivered("appchat")
    assert hello.recipients == [chat_id] and "本群已接入销售助手" in hello.content


def test_an_app_group_chat_gets_the_digest_and_its_chart_uploaded_through_media_upload(chat, standin, services, clock):
    from jobs import charts

    chat_id = services.app_client.create_appchat("华东销售部", "wangwu", ["wangwu", "zhangsan", "lisi"])
    with services.store.transaction() as session:
        teams.set_chat(session, session.get(Department, 2), kind="appchat", target=chat_id, now=clock.now())
    chat.say("跟进 张伟 电话沟通了需求")
    clock.set(datetime(2026, 11, 24, 18, 0, tzinfo=SHANGHAI))
    services.jobs.run("daily-digest")
    drain(services)
    delivered = standin.delivered("appchat")
    assert delivered[0].msgtype == "markdown" and "华东销售部 日报" in delivered[0].content
    if charts.cjk_font() is None and not CI:
        pytest.skip("no CJK font here, so the digest went without its chart (CI installs one)")
    [picture] = delivered[1:]
    assert picture.msgtype == "image" and picture.recipients == [chat_id]
    media = standin.state.media[picture.body["image"]["media_id"]]  # uploaded when it was sent
    assert media.data.startswith(b"\x89PNG") and media.type == "image"
