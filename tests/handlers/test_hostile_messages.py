"""Hostile messages (issue 19): nothing a rep or a manager types makes a handler fail. A period far from today or
that does not exist, a time that is no plan, an absurd amount or number is refused with a sentence saying why,
and nothing is stored. Over real encrypted callbacks through the stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bot.sync import Backfill
from handlers.context import Context, HandlerSettings
from handlers.intents import Intent
from scrm import queue
from scrm.clock import FrozenClock
from scrm.db import make_engine
from scrm.models import Deal, FollowUp, Target
from scrm.outbox import Outbox
from tests.handlers.test_rep_commands import Chat, rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)  # a Tuesday: this month is 2026-11, week 2026-W48, 2026-Q4


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def redis_url():
    return None  # conversations do not touch Redis


@pytest.fixture
def chat(wecom, standin, services, clock) -> Chat:
    Backfill(services.contact_client, services.store, clock, progress=False).run()
    return Chat(wecom, standin, services, clock)


FAR = "离现在太远了，目标只能设在2025年到2028年之间，这次没有设。比如「目标 {who} 2026-11 50万」。"
REFUSED_TARGETS = [
    # the messages: the first three crashed the handler (no reply, retried five times, dead) …
    ("目标 张三 9999-12 50万", "「9999-12」" + FAR.format(who="张三")),
    ("目标 张三 0000-12 50万", "「0000-12」" + FAR.format(who="张三")),
    ("目标 团队 9999-Q4 50万", "「9999-Q4」" + FAR.format(who="华东销售部")),
    # … these two were stored …
    ("目标 张三 0001-01 50万", "「0001-01」" + FAR.format(who="张三")),
    ("目标 张三 9999-W52 50万", "「9999-W52」" + FAR.format(who="张三")),
    # … this one was accepted and shown as 10000亿 …
    (
        "目标 张三 12月 99999999万",
        "「99999999万」太大了：目标金额最多 100亿，这次没有设。是不是多打了几个 0？比如「目标 张三 12月 50万」。",
    ),
    # … and these got 你的团队里没有「张三 -」
    ("目标 张三 12月 -50万", "「-50万」不能当目标：目标金额至少 1 元，这次没有设。比如「目标 张三 12月 50万」。"),
    ("目标 张三 12月 负50万", "「负50万」不能当目标：目标金额至少 1 元，这次没有设。比如「目标 张三 12月 50万」。"),
    (
        "目标 张三 12月 1e309",
        "「1e309」不是有效的金额，目标没有设。请写成「50万」或「500000」这样的数，比如「目标 张三 12月 50万」。",
    ),
    ("目标 张三 12月 0元", "「0元」不能当目标：目标金额至少 1 元，这次没有设。比如「目标 张三 12月 50万」。"),
    # periods that do not exist
    ("目标 张三 2026-13 50万", "没有13月，月份只有 1 到 12，这次没有设。比如「目标 张三 2026-11 50万」。"),
    (
        "目标 张三 2027-W53 5万",
        "2027年没有第53周（这一年共 52 周），这次没有设。比如本周是「目标 张三 2026-W48 10万」。",
    ),
    ("目标 张三 第5季度 5万", "没有第5季度，一年只有 4 个季度，这次没有设。比如「目标 张三 2026-Q4 150万」。"),
    (
        "目标 张三 12月32日 5万",
        "「12月32日」不是目标能用的时间段。目标按月、周或季度设，比如「目标 张三 2026-11 50万」"
        "「目标 张三 2026-W48 10万」「目标 张三 2026-Q4 150万」。",
    ),
]


def test_targets_far_from_today_that_do_not_exist_or_are_absurd_are_refused_saying_why(chat):
    for said, expected in REFUSED_TARGETS:
        assert chat.say(said, userid="wangwu") == expected, said
    assert rows(chat.services, Target) == []  # nothing stored


def test_targets_at_the_edges_of_the_window_are_set(chat):
    assert chat.say("目标 张三 2025-01 5万", userid="wangwu").startswith("✅ 已设定：张三 1月目标 5万。")
    assert chat.say("目标 团队 2028-Q4 100亿", userid="wangwu").startswith("✅ 已设定：华东销售部 第4季度目标 100亿。")
    assert sorted((t.period, str(t.starts)) for t in rows(chat.services, Target)) == [
        ("month", "2025-01-01"),
        ("quarter", "2028-10-01"),
    ]


def test_deal_amounts_that_are_no_amount_or_absurd_are_refused_by_name_and_nothing_is_recorded(chat):
    too_large = "太大了：一单最多记 100亿，这单还没记。是不是多打了几个 0？比如「成交 张总 12.8万」。"
    assert chat.say("成交 张建国 1e309").startswith("「1e309」不是有效的金额，这单还没记。")  # was: 成交 309元
    assert chat.say("张建国签了 1e5").startswith("「1e5」不是有效的金额")  # was: won, no amount
    assert chat.say("成交 张建国 0.001元").startswith("「0.001元」不是有效的金额")  # was: stored as 0.00
    assert chat.say("成交 张建国 九千九百九十九万亿") == "「九千九百九十九万亿」" + too_large  # was: no reply, dead
    assert chat.say("成交 张建国 1,000,000,000,000,000") == "「1,000,000,000,000,000」" + too_large  # was: dead
    assert chat.say("成交 张建国 99999999999999") == "「99999999999999」" + too_large
    assert rows(chat.services, Deal) == []


def test_times_too_far_or_misread_are_refused_or_read_whole(chat):
    logged = chat.say("跟进 张建国 电话 9999年1月1日回访")  # was: a follow-up due in 9999
    assert "已记录：张建国（电话）" in logged and logged.endswith(
        "⚠️ 时间没有记：「9999年1月1日」是9999年1月1日（周五）09:00，太远了：跟进最多安排在两年以内。"
        "请给一个近一点的时间，比如「12月1日上午」。"
    )
    for said, refused in (
        ("张建国 99999天后回访", "「99999天后」太远了"),  # was: 99 days on
        ("张建国 1e9天后回访", "「1e9天后」不是有效的日期或时间"),  # was: 9 days on
        ("张建国 0000年1月1日回访", "「0000年1月1日」不是有效的日期或时间"),  # was: 2000年1月1日
        ("张建国 32号回访", "「32号」不是有效的日期或时间"),
    ):  # was: "when?"
        assert chat.say(said).startswith(f"⚠️ 时间没有记：{refused}"), said
    assert rows(chat.services, FollowUp, FollowUp.source == "rep") == []
    assert "2027年12月13日（周一）" in chat.say("张建国 2027年12月中旬回访")  # was: 2026年12月11日
    assert "2027年3月4日（周四）09:00" in chat.say("张建国 100天后回访")  # was: 12月4日, ten days on
    assert sorted(f.due_at for f in rows(chat.services, FollowUp, FollowUp.source == "rep")) == [
        datetime(2027, 3, 4, 9, 0, tzinfo=SHANGHAI),
        datetime(2027, 12, 13, 9, 0, tzinfo=SHANGHAI),
    ]


def test_postpone_and_done_with_hostile_numbers_change_nothing(chat):
    chat.say("跟进 李雪梅 今天下午5点回访")
    chat.say("待办")
    assert chat.say("推迟 1 9999年1月1日").startswith("⚠️ 时间没有记：「9999年1月1日」是9999年1月1日")
    assert chat.say("推迟 1 9999个月后").startswith("⚠️ 时间没有记：「9999个月后」太远了")  # was: a month on
    assert chat.say("完成 99999999999999") == "没有第 99999999999999 条待办。发「待办」看最新清单。"
    for said in ("完成 1e9天后", "完成 1,000,000", "完成 一亿亿亿亿"):  # each completed item 1
        assert chat.say(said).startswith("请带上序号"), said
    [kept] = rows(chat.services, FollowUp, FollowUp.status == "open", FollowUp.source == "rep")
    assert kept.due_at == datetime(2026, 11, 24, 17, 0, tzinfo=SHANGHAI)


def test_numbers_are_for_the_period_asked_or_a_sentence_says_why_not(chat):
    from scrm import commission

    with chat.services.store.transaction() as session:
        commission.set_plan(session, commission.Plan(commission.parse_tiers("100000:3%,:5%")), now=chat.clock.now())
    assert chat.say("今年业绩").startswith("【张三·2026年业绩】")  # was: today's, as 今天
    last_week = chat.say("上周业绩")
    assert last_week.startswith("【张三·上周业绩】") and "提成" not in last_week  # was: this week's
    assert chat.say("上个月业绩").startswith("【张三·10月业绩】") and "提成" not in chat.say("上个月业绩")
    assert (
        chat.say("去年业绩")
        == "「去年」的业绩看不了：可以看今天、本周、上周、本月、上月、本季度或今年的，比如「本周业绩」。"
    )
    assert chat.say("张三本季度的业绩", userid="wangwu").startswith("【张三·第4季度业绩】")  # was: no 「张三本季度」
    assert chat.say("张三9999-12的业绩", userid="wangwu") == (
        "「9999-12」的业绩看不了：可以看今天、本周、上周、本月、上月、本季度或今年的，比如「张三本周的业绩」。"
    )


def test_a_parser_that_fails_costs_no_reply_and_logs_its_type_never_the_message(store, caplog):
    from handlers.commands import read

    def broken(text, now, tz, book, funnel):
        raise ZeroDivisionError(f"cannot read {text}")

    with store.transaction() as session, caplog.at_level(logging.ERROR):
        ctx = Context(session, Outbox(session, NOW), None, NOW, HandlerSettings(agent_id=1000002))
        parsed = read("跟进 张总 机密报价 88万", ctx, "zhangsan", parse=broken)
    assert parsed.intent is Intent.UNKNOWN  # answered as not understood, not retried five times and dropped
    [logged] = [r for r in caplog.records if "could not be parsed" in r.getMessage()]
    assert "ZeroDivisionError at test_hostile_messages.py:" in logged.getMessage()
    assert "机密" not in logged.getMessage() and logged.exc_info is None  # no personal data, no traceback text


def test_a_database_that_is_away_still_fails_the_message_so_it_is_retried(tmp_path):
    from handlers.commands import read

    engine = make_engine(f"sqlite:///{tmp_path / 'gone' / 'scrm.db'}")  # a directory that is not there
    with Session(engine) as session:
        ctx = Context(session, Outbox(session, NOW), None, NOW, HandlerSettings(agent_id=1000002))
        with pytest.raises(OperationalError) as away:
            read("待办", ctx, "zhangsan")
    assert queue.RetryPolicy.outcome(away.value) == queue.PAUSE  # the dispatcher pauses the event, never answers it
    engine.dispose()
