"""Reps and managers chat with the bot over real encrypted callbacks; replies come back through the stand-in."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.sync import Backfill
from scrm.clock import FrozenClock
from scrm.models import Deal, FollowUp, Interaction, StageChange
from tests.conftest import drain
from wecom_standin import xml

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI))  # Tuesday, the corpus's reference time


@pytest.fixture
def redis_url():
    return None  # conversations do not touch Redis; the sender's Redis path is covered elsewhere


class Chat:
    def __init__(self, wecom, standin, services, clock):
        self.wecom, self.standin, self.services, self.clock = wecom, standin, services, clock
        self.ids = itertools.count(7312345678901234567)

    def say(self, text: str, userid: str = "zhangsan") -> str:
        seen = len(self.standin.delivered("app"))
        self.wecom.send(
            xml.text_message(
                from_user=userid,
                content=text,
                msg_id=next(self.ids),
                agent_id=self.standin.corp.agent_id,
                corp_id=self.standin.corp.corp_id,
                create_time=int(self.clock.now().timestamp()),
            )
        )
        drain(self.services)
        replies = [m for m in self.standin.delivered("app")[seen:] if m.recipients == [userid]]
        assert len(replies) == 1, f"expected one reply to {text!r}, got {[r.content for r in replies]}"
        return replies[0].content


@pytest.fixture
def chat(wecom, standin, services, clock) -> Chat:
    standin.corp.add_customer("zhangsan", "wmCust0004", "张伟", corp_name="字节跳动")
    Backfill(services.contact_client, services.store, clock, progress=False).run()
    return Chat(wecom, standin, services, clock)


def rows(services, model, *where):
    with services.store.transaction() as session:
        return list(session.exec(select(model).where(*where)).all())


def test_a_follow_up_in_one_line_is_stored_with_its_next_step_and_echoed(chat):
    answer = chat.say("跟进 张建国 电话沟通了报价,客户嫌贵 明天下午3点回访")
    assert "已记录：张建国（电话）" in answer and "11月25日（周三）15:00" in answer
    [logged] = rows(chat.services, Interaction, Interaction.kind == "follow_up")
    assert (logged.external_userid, logged.channel) == ("wmCust0001", "电话")
    assert logged.text == "电话沟通了报价,客户嫌贵"  # what happened, as typed; the plan is the follow-up
    [next_step] = rows(chat.services, FollowUp, FollowUp.status == "open")
    assert next_step.due_at == datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)


def test_an_ambiguous_name_gets_a_numbered_choice_and_1_completes_the_command(chat):
    answer = chat.say("跟进 张总 拜访了工厂")
    assert "「张总」可能是下面2位客户" in answer and "1. " in answer and "2. " in answer
    assert rows(chat.services, Interaction, Interaction.kind == "follow_up") == []
    first_choice = answer.splitlines()[1].removeprefix("1. ").split("（")[0]
    done = chat.say("1")
    assert f"已记录：{first_choice}（拜访）" in done
    assert len(rows(chat.services, Interaction, Interaction.kind == "follow_up")) == 1
    assert "没有需要选择" in chat.say("1")  # the choice was used up


def test_a_note_completed_by_a_choice_is_kept_as_typed(chat):
    chat.say("跟进 张总 电话沟通了报价，客户嫌贵")
    chat.say("2")
    [logged] = rows(chat.services, Interaction, Interaction.kind == "follow_up")
    assert logged.text == "电话沟通了报价，客户嫌贵"  # the rep's full-width comma, as when named at once


def test_a_wrong_number_for_a_single_option_is_answered_in_plain_words(chat):
    asked = chat.say("跟进 李总 拜访了工厂")  # fits 李雪梅 by surname only: asked, with one option
    assert "1. 李雪梅" in asked and "2. " not in asked
    assert chat.say("2") == "只有 1 个选项，没有第 2 个。是这位客户请回复 1，不是请带上客户全名重新发。"
    assert "已记录：李雪梅" in chat.say("1")  # still open for the right answer


def test_a_choice_expires(chat, clock):
    chat.say("查 张总")
    clock.advance(minutes=11)
    assert "没有需要选择" in chat.say("2")


def test_an_ime_typo_finds_the_customer(chat):
    assert "已记录：张建国" in chat.say("跟进 张建过 发了资料")


def test_an_impossible_or_past_time_is_refused_and_nothing_is_scheduled(chat):
    answer = chat.say("跟进 李雪梅 聊了20分钟 2月30日回访")
    assert "已记录：李雪梅" in answer and "时间没有记" in answer
    slip = chat.say("跟进 李雪梅 聊了20分钟 昨天下午3点回访")  # 昨天 for 明天: refused, not dropped
    assert "时间没有记" in slip and "已经过去了" in slip
    assert rows(chat.services, FollowUp, FollowUp.source == "rep") == []
    chat.say("跟进 李雪梅 明天上午10点回访")
    chat.say("待办")
    refused = chat.say("推迟 1 昨天")
    assert "已经过去了" in refused and "11月23日（周一）" in refused
    [kept] = rows(chat.services, FollowUp, FollowUp.status == "open")
    assert kept.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def test_a_next_step_alone_applies_to_the_last_customer(chat):
    chat.say("跟进 李雪梅 微信发了方案")
    answer = chat.say("3天后")
    assert "李雪梅" in answer and "11月27日（周五）" in answer


def test_agenda_done_and_postpone(chat):
    chat.say("跟进 张建国 电话 今天下午5点回访")
    chat.say("跟进 李雪梅 微信 今天下午4点回访")
    agenda = chat.say("今天跟进谁")
    assert "今天的跟进（2 条）" in agenda and agenda.index("李雪梅") < agenda.index("张建国")
    assert "已完成：李雪梅" in chat.say("完成 1")
    assert "改到 11月26日（周四）" in chat.say("推迟 2 后天上午10点")
    assert "没有第 5 条" in chat.say("完成 5")
    [moved] = rows(chat.services, FollowUp, FollowUp.external_userid == "wmCust0001", FollowUp.status == "open")
    assert moved.due_at == datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)


def test_stage_won_and_lost_are_recorded_with_amounts_and_history(chat, clock):
    assert "进入「需求确认」" in chat.say("阶段 张建国 需求")
    clock.advance(days=3)
    assert "进入「方案报价」阶段（在「需求确认」停留了 3 天）" in chat.say("阶段 张建国 报价")
    assert "成交 12.8万" in chat.say("成交 张建国 12.8万 合同下周一签")
    assert "已记录丢单：李雪梅（预算取消）" in chat.say("丢单 李雪梅 预算取消")
    won, lost = sorted(rows(chat.services, Deal), key=lambda d: d.status, reverse=True)
    assert (won.status, won.amount, won.stage) == ("won", Decimal("128000.00"), "成交")
    assert (lost.status, lost.note) == ("lost", "预算取消")
    assert [c.to_stage for c in rows(chat.services, StageChange, StageChange.deal_id == won.id)] == [
        "初次接触",
        "需求确认",
        "方案报价",
        "成交",
    ]


def test_the_customer_card_and_my_numbers(chat):
    chat.say("跟进 张建国 电话沟通了报价")
    chat.say("成交 张建国 5万")
    card = chat.say("查 华为")
    assert (
        card.startswith("【张建国】华为技术有限公司\n阶段：成交") and "成交记录：\n· 11月24日（周二）成交 5万" in card
    )
    assert "电话：电话沟通了报价" in card
    assert "标签：渠道:官网" in chat.say("李雪梅")  # a bare name is a card too
    from scrm import tiers

    with chat.services.store.transaction() as session:
        tiers.recompute(session, now=chat.clock.now(), stages=chat.services.settings.funnel.stages)
    assert "等级：B（正常跟进）" in chat.say("查 华为")  # won 5万 (2) + talked today (3) + one follow-up (1)
    numbers = chat.say("业绩")
    assert "成交金额：5万（1 单）" in numbers and "跟进次数：1 次" in numbers and "团队排名：第 1/2" in numbers


def test_a_rep_never_sees_another_reps_customer(chat):
    for text in ("查 王芳", "跟进 王芳 打了电话", "阶段 王芳 报价", "成交 王芳 5万", "王芳"):
        answer = chat.say(text)  # 王芳 is lisi's customer
        assert "王芳" not in answer.replace("「王芳」", "") or "没有找到" in answer
    assert (
        rows(chat.services, Interaction, Interaction.external_userid == "wmCust0003", Interaction.kind != "added") == []
    )
    assert "只对主管开放" in chat.say("团队今天") and "只对主管开放" in chat.say("李四的客户")


def test_a_customer_followed_by_two_reps_shows_each_rep_their_own_card(chat, clock):
    """张建国 added 李四 too, who calls him 老张 and tagged him: each rep sees their own remark, tags, history, next
    step and deals on the card, however busy the other rep is; someone who does not follow him sees nothing."""
    from scrm import interactions
    from wecom_standin.fixtures import WEBSITE_TAG_ID

    chat.standin.corp.attach_contact(
        "lisi", "wmCust0001", remark="老张", tags=[WEBSITE_TAG_ID], createtime=int(clock.now().timestamp())
    )
    Backfill(chat.services.contact_client, chat.services.store, clock, progress=False).run()
    chat.say("跟进 张建国 电话沟通了报价 明天下午3点回访")
    chat.say("成交 张建国 5万")
    start = clock.now()
    clock.advance(hours=1)
    with chat.services.store.transaction() as session:  # 李四 has talked with him far more since
        for n in range(60):
            interactions.record(
                session,
                external_userid="wmCust0001",
                userid="lisi",
                kind="follow_up",
                channel="微信",
                text=f"李四第{n}次沟通",
                at=start + timedelta(minutes=n),
            )
    mine = chat.say("查 张建国")
    assert mine.startswith("【张建国】华为技术有限公司\n阶段：成交") and "电话：电话沟通了报价" in mine
    assert "李四" not in mine and "标签" not in mine  # 渠道:官网 is 李四's tag, not 张三's
    theirs = chat.say("查 老张", userid="lisi")  # 李四's own remark finds him for 李四
    assert theirs.startswith("【张建国】华为技术有限公司\n阶段：还没有商机") and "标签：渠道:官网" in theirs
    assert "微信：李四第59次沟通" in theirs and "报价" not in theirs and "成交" not in theirs
    assert "没有找到「老张」" in chat.say("查 老张")  # a remark is the rep's own
    assert "没有找到" in chat.say("查 张建国", userid="wangwu")  # the manager follows nobody


def test_a_manager_sees_the_team(chat):
    chat.say("跟进 张建国 电话 今天下午5点回访")
    team = chat.say("团队今天", userid="wangwu")
    assert "张三：1 条" in team
    customers = chat.say("张三的客户", userid="wangwu")
    assert "张三的客户（3 位）" in customers and "张建国（华为技术有限公司）" in customers
    chat.say("成交 张建国 8万")
    assert "张建国（华为技术有限公司）｜成交" in chat.say("张三的客户", userid="wangwu")  # not "—"
    numbers = chat.say("业绩", userid="wangwu")  # the team's, not the manager's own zeros
    assert numbers.splitlines() == [
        "【华东销售部·11月团队业绩】（2 位销售）",
        "成交金额：8万（1 单）｜赢单率：100%｜客单价：8万",
        "跟进次数：1 次｜按时率：—｜新客户：0 位｜逾期待办：0 条",
        "人效：人均成交 4万｜人均客户 2 位｜人均待办 0 条",
        "领先：张三 成交 8万",
        "最需要加油：李四 成交 0元，跟进 0 次",
    ]


def test_the_rep_card_and_the_team_card_name_each_metric_as_the_metric_table_does(chat):
    from scrm.texts import METRIC_LABELS

    chat.say("成交 张建国 8万")
    mine, team = chat.say("业绩"), chat.say("业绩", userid="wangwu")
    for metric in ("won_amount", "win_rate", "logged", "on_time_rate", "new_customers", "overdue_now"):
        assert f"{METRIC_LABELS[metric]}：" in mine and f"{METRIC_LABELS[metric]}：" in team
    assert "转化率" not in mine  # the same ratio had two names
    assert team.endswith("最需要加油：李四 成交 0元，跟进 0 次")  # an amount has its unit, zero too


def test_the_teams_day_tells_logs_deals_won_and_lost_stage_moves_and_who_was_silent(chat):
    # Given 张三 logged, moved a customer and won a deal today, and 李四 lost one but logged nothing
    chat.say("跟进 张建国 电话沟通了报价 今天下午5点回访")
    chat.say("阶段 李雪梅 需求")
    chat.say("成交 张伟 3万")
    chat.say("丢单 王芳 预算砍了", userid="lisi")
    # When their manager asks how the team's day went
    day = chat.say("今天团队情况", userid="wangwu").splitlines()
    # Then the answer tells the day as it was, and what is still due
    assert day == [
        "【华东销售部·11月24日（周二）】",
        "跟进 1 次：张三 1 次",
        "成交 1 单，共 3万：张三·张伟 3万",
        "丢单 1 单：李四·王芳（预算砍了）",
        "阶段推进：张三·李雪梅→需求确认",
        "今天没有跟进：李四",
        "还要跟进 1 条：",
        "· 张三：1 条",
    ]


def test_a_big_deal_is_announced_in_the_team_chat_at_once(chat, standin):
    from scrm import teams
    from scrm.models import Department
    from wecom_standin.server import DEFAULT_WEBHOOK_KEY

    with chat.services.store.transaction() as session:
        teams.set_chat(
            session, session.get(Department, 2), kind="robot", target=DEFAULT_WEBHOOK_KEY, now=chat.clock.now()
        )
    chat.say("成交 张建国 5万")
    assert standin.delivered("webhook") == []  # under SCRM_BIG_DEAL_AMOUNT (10万)
    chat.say("成交 李雪梅 12.8万")
    [news] = standin.delivered("webhook")
    assert news.content == "🎉 **喜报**：张三 拿下 李雪梅（杭州机械制造有限公司），成交 12.8万！"


def test_unknown_text_gets_help_built_from_the_commands(chat):
    answer = chat.say("今天天气不错啊啊啊")
    assert "跟进 张总" in answer and "成交 张总 5万" in answer and "帮助" in answer


def test_a_manager_sets_targets_in_chat_and_both_views_show_the_progress(chat):
    assert "只对主管开放" in chat.say("目标 李四 12月 50万")  # a rep cannot
    assert (
        chat.say("目标 张三 11月 20万", userid="wangwu")
        == "✅ 已设定：张三 11月目标 20万。大家发「业绩」就能看到进度。"
    )
    assert chat.say("目标 团队 本月 100万", userid="wangwu").startswith("✅ 已设定：华东销售部 11月目标 100万。")
    assert chat.say("目标 赵六 本月 5万", userid="wangwu") == "你的团队里没有「赵六」。"
    assert chat.say("目标 张三 很多", userid="wangwu").startswith("设目标请这样发")
    chat.say("成交 张建国 5万")
    mine = chat.say("本月业绩")  # Tuesday 11-24: 24, 25, 26, 27 and 30 are left
    assert mine.endswith("目标 20万：完成 25%，还差 15万，剩 5 个工作日，每天需 3万")
    team = chat.say("业绩", userid="wangwu")
    assert "目标 100万：完成 5%，还差 95万，剩 5 个工作日，每天需 19万" in team


def test_a_rep_sees_their_own_commission_so_far(chat):
    from scrm import commission

    with chat.services.store.transaction() as session:
        commission.set_plan(session, commission.Plan(commission.parse_tiers("100000:3%,:5%")), now=chat.clock.now())
    chat.say("成交 张建国 12万")
    assert chat.say("本月业绩").endswith("本月提成（按已成交估算）：4,000元")  # 3,000 + 5% of 20,000
    assert "提成" not in chat.say("业绩", userid="wangwu")  # a manager's team view shows nobody's pay


def test_a_rep_asking_for_their_commission_without_a_plan_is_told_there_is_none(chat):
    answer = chat.say("我这个月提成多少")
    assert answer.startswith("【张三·11月业绩】")
    assert answer.endswith("\n还没有设置提成方案，暂时算不出提成，可以问问主管。")
    assert "提成" not in chat.say("业绩")  # not asked about it: not said


def test_a_manager_looks_at_one_rep_the_funnel_and_the_board(chat):
    chat.say("阶段 张建国 报价")
    chat.say("阶段 李雪梅 需求")
    chat.say("成交 张伟 3万")
    numbers = chat.say("张三的业绩", userid="wangwu")
    assert numbers.startswith("【张三·11月业绩】") and "团队排名：第 1/2" in numbers and "提成" not in numbers
    assert chat.say("张三的业绩") == "这个查询只对主管开放（你需要是部门负责人）。"
    assert chat.say("王芳的业绩", userid="wangwu") == "你的团队里没有「王芳」。"
    funnel = chat.say("漏斗", userid="wangwu").splitlines()
    assert funnel[0] == "【华东销售部·销售漏斗】进行中 2 个商机"
    assert funnel[1] == "11月已结单：成交 1 单｜丢单 0 单｜赢单率 100%"
    assert funnel[2].startswith("· 初次接触：0 个｜转到下一步 100%")  # all three deals moved on from 初次接触
    assert funnel[3:5] == ["· 需求确认：1 个｜转到下一步 —｜一般停留 —", "· 方案报价：1 个｜转到下一步 —｜一般停留 —"]
    assert chat.say("漏斗").startswith("【张三·销售漏斗】进行中 2 个商机")  # a rep sees their own
    chat.clock.advance(days=20)
    stalled = chat.say("漏斗", userid="wangwu")
    assert stalled.endswith("⚠️ 停滞（超过阶段时限）：\n· 李雪梅｜需求确认 20 天｜张三\n· 张建国｜方案报价 20 天｜张三")
    chat.clock.advance(days=-20)
    board = chat.say("排行")
    assert board.splitlines() == ["【华东销售部·11月排行】", "销冠：张三（成交 3万）"]
    assert chat.say("排行", userid="wangwu").startswith("【华东销售部·11月排行】")


def test_the_funnel_after_every_deal_closed_shows_the_months_won_and_lost(chat):
    # Given every deal of the team was closed this month: two won, one lost
    chat.say("阶段 张建国 报价")
    chat.say("成交 张建国 8万")
    chat.say("成交 张伟 3万")
    chat.say("丢单 王芳 预算砍了", userid="lisi")
    # Then 漏斗 shows how the month's deals ended, not "no open deals" with advice to move a stage
    funnel = chat.say("漏斗", userid="wangwu").splitlines()
    assert funnel[:2] == ["【华东销售部·销售漏斗】进行中 0 个商机", "11月已结单：成交 2 单｜丢单 1 单｜赢单率 67%"]
    assert "· 方案报价：0 个｜转到下一步 100%｜一般停留 0 天" in funnel


@pytest.mark.parametrize(
    ("settings_overrides", "titles"),
    [
        ({"scrm_honor_titles": "on_time,won_amount"}, ["跟进之星：张三（按时跟进 1 次）", "销冠：张三（成交 3万）"]),
        ({"scrm_honor_titles": "on_time"}, ["跟进之星：张三（按时跟进 1 次）"]),
    ],
)
def test_the_board_gives_the_titles_the_operator_chose_in_their_order(chat, clock, titles):
    # Given 张三 won a deal and did a follow-up on time this month
    chat.say("成交 张伟 3万")
    chat.say("跟进 张建国 电话 今天上午11点回访")
    clock.advance(hours=1, minutes=30)
    assert "今天的跟进（1 条）" in chat.say("今天跟进谁")
    assert "已完成：张建国" in chat.say("完成 1")
    # Then 排行 gives SCRM_HONOR_TITLES's titles, in its order, as the honor board does
    assert chat.say("排行").splitlines() == ["【华东销售部·11月排行】", *titles]


def test_channels_go_by_the_name_their_rule_gives_one_fact_a_line_and_by_their_code_without_one(chat):
    from scrm import tagging

    # Given 张建国 came through the expo's QR code (expo2026_booth3), and won 15.3万 this month
    chat.say("成交 张建国 15.3万")
    assert chat.say("渠道", userid="wangwu").splitlines()[1:] == ["· expo2026", "  成交金额：15.3万"]  # no rule
    # When the operator names the channel in its tagging rule
    with chat.services.store.transaction() as session:
        tagging.add(session, kind="channel", pattern="expo2026*", group="渠道", tag="2026工业展", now=chat.clock.now())
    # Then 渠道 calls it by that name
    assert chat.say("渠道", userid="wangwu").splitlines() == [
        "【华东销售部·11月渠道效果】",
        "· 2026工业展",
        "  成交金额：15.3万",
    ]


def test_a_manager_sees_channels_and_the_talent_quadrants(chat):
    chat.say("成交 张建国 5万")
    channels = chat.say("渠道", userid="wangwu")
    assert channels.startswith("【华东销售部·11月渠道效果】") or channels == "11月还没有新客户或成交。"
    talent = chat.say("人才盘点", userid="wangwu").splitlines()
    assert talent[0] == "【华东销售部·11月人才盘点】按成交（结果）和跟进（过程）各与团队中位数比较："
    assert talent[1:] == [  # one deal and no follow-up decide nothing: the reply says what is needed
        "数据还不够，暂不分档（每人至少结单 3 单、跟进 10 次，且至少 2 人达到，才按中位数分档）："
        "张三（结单 1 单，跟进 0 次）、李四（结单 0 单，跟进 0 次）"
    ]
    assert chat.say("人才盘点") == "这个查询只对主管开放（你需要是部门负责人）。"
    assert "人效：人均成交 2.5万" in chat.say("业绩", userid="wangwu")
