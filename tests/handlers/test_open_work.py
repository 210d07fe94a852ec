"""What a rep reads when open work changes (issue 21): a closed deal's steps, 重新打开, a plan with the win."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from bot.sync import Backfill
from scrm.clock import FrozenClock
from scrm.models import Deal, FollowUp
from scrm.statuses import FollowUpStatus
from tests.handlers.test_rep_commands import SHANGHAI, Chat


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI))  # a Tuesday


@pytest.fixture
def redis_url():
    return None


@pytest.fixture
def chat(wecom, standin, services, clock) -> Chat:
    Backfill(services.contact_client, services.store, clock, progress=False).run()  # 张三: 张建国, 李雪梅
    return Chat(wecom, standin, services, clock)


def statuses(chat: Chat) -> list[tuple[str, str]]:
    with chat.services.store.transaction() as session:
        return [(f.note, f.status) for f in session.exec(select(FollowUp).order_by(FollowUp.id))]


def test_reopening_needs_a_closed_deal(chat):
    assert chat.say("重新打开 张建国") == "张建国还没有成交或丢单的记录，不用重新打开。"
    chat.say("阶段 张建国 需求确认")
    assert chat.say("张建国重新打开") == "张建国的商机还开着，不用重新打开。"


def test_a_deal_reopened_goes_back_to_its_stage_and_a_restored_step_past_its_time_can_be_moved(chat, clock):
    chat.say("阶段 张建国 方案报价")
    chat.say("跟进 张建国 发了报价 明天上午10点电话确认")
    chat.say("丢单 张建国 预算砍了")
    assert statuses(chat) == [("电话确认", FollowUpStatus.DEAL_CLOSED)]
    clock.advance(days=2)  # Thursday: the customer is back
    answer = chat.say("张建国重新打开")
    assert answer.splitlines() == [
        "✅ 已重新打开张建国的商机，回到「方案报价」阶段。",
        "已恢复 1 条待办：",
        "1. 【逾期】11月25日（周三）10:00 电话确认",
        "过了时间的，回复「推迟 序号 时间」改期，比如「推迟 1 明天上午」。",
    ]
    with chat.services.store.transaction() as session:
        deal = session.exec(select(Deal)).one()
    assert (deal.status, deal.stage, deal.closed_at) == ("open", "方案报价", None)
    assert "改到 11月27日（周五）09:00" in chat.say("推迟 1 明天上午")
    assert statuses(chat) == [("电话确认", FollowUpStatus.OPEN)]


def test_a_plan_in_the_winning_message_is_kept_and_named(chat):
    chat.say("跟进 李雪梅 电话沟通了合同 明天下午3点见面")
    answer = chat.say("李雪梅签了，合同8万，下周一上午10点回访")
    assert answer.splitlines()[1:] == [
        "已关闭 1 条待办：见面。之后安排的跟进（如交付回访）照常提醒。",
        "下次跟进：11月30日（周一）10:00 回访",
    ]
    assert statuses(chat) == [("见面", FollowUpStatus.DEAL_CLOSED), ("回访", FollowUpStatus.OPEN)]


def test_a_second_step_is_added_only_when_the_rep_says_so(chat):
    chat.say("跟进 李雪梅 电话沟通了需求 明天下午3点见面")
    assert "已把「见面」换成「发报价」" in chat.say("李雪梅 后天上午10点发报价")
    answer = chat.say("还要周五前发合同")  # the customer just talked about
    assert "✅ 已安排李雪梅的下次跟进：11月27日（周五）18:00前" in answer and "原有待办照旧：「发报价」" in answer
    assert chat.say("李雪梅 下周一发合同").splitlines()[1:] == [
        "已把「发合同」从11月27日（周五）18:00改到11月30日（周一）09:00",
        "已把「发报价」换成「发合同」",
    ]
