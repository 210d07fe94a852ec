"""Reps talk as they talk (issue 8), over real encrypted callbacks through the stand-in: the customer named
anywhere, questions read from the whole sentence, plan time vs event time, deals guarded, and never a
write to a customer the message does not name."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.sync import Backfill
from scrm.clock import FrozenClock
from scrm.models import Deal, FollowUp, Interaction
from tests.handlers.test_rep_commands import Chat

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOOK = [  # (external id, name, company, remark, position)
    ("wmLiu", "刘洋", "比亚迪股份有限公司", "刘工", "工程师"),
    ("wmWang", "王芳", "美的集团股份有限公司", "", "采购"),
    ("wmDeng", "邓超", "杭州海康威视数字技术股份有限公司", "邓总", ""),
    ("wmChen", "陈静", "蔚来汽车科技有限公司", "陈总", ""),
    ("wmZhou", "周婷", "北京字节跳动科技有限公司", "周婷-字节", ""),
    ("wmZhang", "张伟", "华为技术有限公司", "张总-华为", "采购总监"),
    ("wmLenovo", "曾敏", "联想（北京）有限公司", "", ""),
]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI))  # a Tuesday


@pytest.fixture
def redis_url():
    return None


@pytest.fixture
def chat(wecom, standin, services, clock) -> Chat:
    corp = standin.corp
    for external_id, name, company, remark, position in BOOK:
        corp.add_external_contact(external_id, name, corp_name=company, position=position)
        corp.attach_contact("zhangsan", external_id, remark=remark)
    Backfill(services.contact_client, services.store, clock, progress=False).run()
    return Chat(wecom, standin, services, clock)


def rows(chat, model, *where):
    with chat.services.store.transaction() as session:
        return list(session.exec(select(model).where(*where)).all())


def logged_on(chat) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for entry in rows(chat, Interaction, Interaction.userid == "zhangsan"):
        found.setdefault(entry.external_userid, []).append(entry.kind)
    return found


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("said", "customer", "channel", "due"),
    [
        ("见了刘工，现场看了产线，下周五出报价", "wmLiu", "拜访", at(4, 9, 12)),
        ("今天去美的拜访了王芳，下周二签合同", "wmWang", "拜访", at(1, 9, 12)),
        ("张总 今天电话聊了 下周二再约", "wmZhang", "电话", at(1, 9, 12)),
        ("跟进了张总，电话里聊了下预算，周四再约", "wmZhang", "电话", at(26, 9)),
        ("字节那边刚开完会，周四前出方案", "wmZhou", "会议", at(26, 18)),
        ("他下礼拜出差，我们下下周二再约 海康邓总", "wmDeng", "备注", at(8, 9, 12)),
    ],
)
def test_the_customer_is_found_wherever_the_rep_names_them(chat, said, customer, channel, due):
    answer = chat.say(said)
    assert "已记录" in answer, answer
    [entry] = rows(chat, Interaction, Interaction.kind == "follow_up")
    assert (entry.external_userid, entry.channel) == (customer, channel)
    [next_step] = rows(chat, FollowUp, FollowUp.source == "rep")
    assert (next_step.external_userid, next_step.due_at) == (customer, due)
    assert set(logged_on(chat)) == {customer}  # nobody else was written to


def test_a_name_that_is_not_the_reps_customer_changes_nothing_even_right_after_another(chat):
    chat.say("跟进 刘工 电话沟通了方案")
    before = rows(chat, Interaction), rows(chat, FollowUp)
    answer = chat.say("约了孙杰下周三见面")
    assert "没有找到「孙杰」" in answer and "没有记录" in answer
    assert "没有找到「吴总」" in chat.say("吴总那单丢了")
    assert (rows(chat, Interaction), rows(chat, FollowUp)) == before
    assert "是不是「刘洋" in chat.say("跟进 刘伟 发了报价")  # the closest of the rep's own, suggested only


def test_questions_are_answered_and_never_become_tasks(chat):
    assert "今天没有待跟进的客户" in chat.say("今天要跟谁")
    assert "今天没有待跟进的客户" in chat.say("我今天的任务")
    assert "今天没有待跟进的客户" in chat.say("今天有啥要跟的")
    assert "11月业绩" in chat.say("我这个月业绩怎么样")
    assert "本周业绩" in chat.say("这周业绩咋样")
    assert "业绩" in chat.say("我排第几")
    assert "我是销售助手" in chat.say("你能干啥")
    assert "只对主管开放" in chat.say("今天团队情况")
    assert rows(chat, FollowUp, FollowUp.source == "rep") == [] and rows(chat, Interaction) == []


def test_the_card_answers_a_question_about_a_customer(chat):
    chat.say("跟进 陈总 电话沟通了报价，客户嫌贵 明天下午3点回访")
    card = chat.say("陈总现在什么情况")
    assert card.startswith("【陈静】蔚来汽车科技有限公司")
    assert "电话：电话沟通了报价，客户嫌贵" in card and "跟进 陈总" not in card  # what happened, not the command
    assert "待办：11月25日（周三）15:00 回访" in card


def test_stage_and_deals_from_natural_sentences(chat):
    assert "刘洋 进入「方案报价」阶段" in chat.say("刘工那边到报价阶段了")
    assert "成交 8万" in chat.say("蔚来签了，合同8万")
    assert "已记录丢单：邓超（预算砍了）" in chat.say("邓总那单丢了，预算砍了")
    deals = {d.external_userid: d for d in rows(chat, Deal)}
    assert (deals["wmChen"].status, deals["wmChen"].amount) == ("won", Decimal("80000.00"))
    assert (deals["wmLiu"].stage, deals["wmDeng"].status) == ("方案报价", "lost")


def test_a_closed_customer_is_not_closed_again_without_a_yes(chat):
    chat.say("成交 周婷 5万")
    asked = chat.say("丢单 周婷 客户反悔")
    assert "已经成交 5万" in asked and "1. 是" in asked
    assert "已取消" in chat.say("2")
    assert [d.status for d in rows(chat, Deal, Deal.external_userid == "wmZhou")] == ["won"]
    chat.say("成交 周婷 3万")
    assert "🎉" in chat.say("1")  # yes: a second, new deal
    assert sorted(d.amount for d in rows(chat, Deal, Deal.external_userid == "wmZhou")) == [30000, 50000]
    assert "🎉" in chat.say("周婷又签了一单 2万")  # the rep's own words say it is a new one


@pytest.mark.parametrize("said", ["成交 周婷 abc", "成交 周婷 -5万", "成交 周婷 xx万"])
def test_what_is_not_an_amount_is_refused_and_nothing_is_recorded(chat, said):
    assert "不是有效的金额" in chat.say(said)
    assert rows(chat, Deal) == []


@pytest.mark.parametrize(
    ("said", "amount"),
    [
        ("成交 刘工 1百万", 1_000_000),
        ("成交 刘工 一百万", 1_000_000),
        ("成交 刘工 三十万", 300_000),
        ("成交 刘工 1.2万", 12_000),
        ("成交 刘工 ¥12,800", 12_800),
    ],
)
def test_amounts_as_reps_write_them(chat, said, amount):
    chat.say(said)
    [deal] = rows(chat, Deal)
    assert deal.amount == amount


def test_a_short_continuation_uses_the_last_customer_only_for_a_few_minutes(chat, clock):
    chat.say("跟进 刘工 电话沟通了方案")
    assert "刘洋" in chat.say("3天后") and "11月27日（周五）" in chat.say("周五前发方案")
    clock.advance(minutes=30)
    assert "是哪位客户" in chat.say("3天后")
    chat.say("跟进 王芳 电话沟通")
    assert "是哪位客户" in chat.say("客户说预算要等领导批，他们下周开完会再给我们一个正式的答复")
    assert {f.external_userid for f in rows(chat, FollowUp, FollowUp.source == "rep")} == {"wmLiu"}


def test_a_bare_follow_up_asks_what_to_log(chat):
    assert "要记录什么" in chat.say("跟进")
    assert "聊了什么" in chat.say("跟进 刘工")
    assert rows(chat, Interaction) == []


def test_times_said_the_way_reps_say_them(chat):
    assert "12月11日（周五）09:00" in chat.say("刘工 12月中旬再约")
    assert "12月9日（周三）09:00" in chat.say("刘工 半个月后回访")
    assert "11月25日（周三）15:00" in chat.say("刘工 明天 下午 3 点 拜访")
    assert "2027年1月4日（周一）09:00" in chat.say("刘工 元旦后再联系")
    refused = chat.say("刘工 国庆期间再说")
    assert "算不准" in refused and "12月1日上午" in refused  # the example is a week from today, never past
    assert sorted(f.due_at for f in rows(chat, FollowUp, FollowUp.source == "rep"))[-1] == datetime(
        2027, 1, 4, 9, 0, tzinfo=SHANGHAI
    )


def test_an_interaction_told_with_its_day_is_dated_that_day(chat):
    chat.say("昨天拜访了邓总")
    [entry] = rows(chat, Interaction, Interaction.kind == "follow_up")
    assert entry.at.astimezone(SHANGHAI).date() == at(23, 9).date()
    assert rows(chat, FollowUp, FollowUp.source == "rep") == []


def test_the_rest_of_the_issues_examples(chat):
    assert "已记录丢单：邓超" in chat.say("海康的单子黄了")
    chat.say("跟进 刘工 电话沟通了方案")
    assert "12月8日（周二）09:00" in chat.say("他下礼拜出差，下下周二再约")  # the plan's time, not the first one
    planned = chat.say("明天下午三点 拜访")
    assert "已安排刘洋的下次跟进：11月25日（周三）15:00 拜访" in planned
    assert "2027年2月11日（周四）09:00" in chat.say("刘工 春节后再联系")  # the first working day after the break
    dues = sorted((f.due_at, f.note) for f in rows(chat, FollowUp, FollowUp.source == "rep"))
    assert dues[0] == (at(25, 15), "拜访")
    assert {f.external_userid for f in rows(chat, FollowUp, FollowUp.source == "rep")} == {"wmLiu"}


def test_a_customer_added_or_renamed_is_known_at_the_next_message(chat, standin, services, clock):
    assert "没有找到「钱多多」" in chat.say("钱多多那边电话聊了")  # the Book is built and cached here
    standin.corp.add_external_contact("wmQian", "欧阳建国", corp_name="钱多多科技有限公司", position="总经理")
    standin.corp.attach_contact("zhangsan", "wmQian", remark="")
    clock.advance(minutes=1)
    Backfill(services.contact_client, services.store, clock, progress=False).run()
    assert "已记录：欧阳建国（电话）" in chat.say("钱多多那边电话聊了")
    assert "已记录：欧阳建国" in chat.say("欧阳总 发了报价")  # surname + title from 总经理


@pytest.mark.parametrize(
    "said",
    [
        "明天去北京出差，拜访几个新客户",  # 北京 is part of 联想（北京）有限公司, not a customer
        "成交 北京大学 5万",  # someone else whose name holds an alias
        "蔚来签了，海康丢了",  # two customers: the bot asks, it does not pick one
        "成交 周婷 99999999999999999999999999999",  # no amount the store could keep
    ],
)
def test_what_a_review_found_writes_nothing_it_should_not(chat, said):
    chat.say(said)
    assert rows(chat, Deal) == [] and rows(chat, Interaction, Interaction.kind == "follow_up") == []


def test_signing_a_document_is_a_note_not_a_deal(chat):
    assert "已记录：陈静" in chat.say("陈总签了保密协议")
    assert rows(chat, Deal) == []


def test_a_deal_is_never_closed_on_the_last_customer_by_a_nameless_message(chat):
    chat.say("跟进 刘工 电话沟通了方案")
    assert "是哪位客户" in chat.say("签了，8万")
    assert rows(chat, Deal) == []


def test_a_won_deal_with_a_next_step_schedules_it(chat):
    answer = chat.say("蔚来签了，合同8万，明天下午3点回访")
    assert "成交 8万" in answer and "下次跟进：11月25日（周三）15:00" in answer
    [next_step] = rows(chat, FollowUp, FollowUp.source == "rep")
    assert (next_step.external_userid, next_step.due_at) == ("wmChen", at(25, 15))
