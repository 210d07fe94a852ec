"""An evening of ordinary use (issue 21), through the real pipeline: two reps and their manager chat with the bot
over encrypted callbacks, plans are replaced and added, deals won, lost and reopened; then the jobs run on an
injected clock. It ends with exactly the open follow-ups a person lists by hand, a digest and a team view whose
numbers are that list's, and no reminder or escalation about work a closed deal closed."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from bot.sync import Backfill
from scrm import teams
from scrm.clock import FrozenClock
from scrm.models import Customer, Department, FollowUp
from scrm.statuses import FollowUpStatus
from tests.conftest import drain
from tests.handlers.test_rep_commands import SHANGHAI, Chat
from wecom_standin import xml
from wecom_standin.server import DEFAULT_WEBHOOK_KEY


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(at(1, 16, 40))  # Tuesday, back from the day's visits


@pytest.fixture
def redis_url():
    return None


@pytest.fixture
def chat(wecom, standin, services, clock) -> Chat:
    """张三 follows 张建国, 李雪梅 (the sample corp's), 刘洋 and 王芳; 李四 follows 王芳 too, 陈静 and 邓超."""
    corp = standin.corp
    corp.add_customer("zhangsan", "wmLiu", "刘洋", corp_name="比亚迪股份有限公司")
    corp.attach_contact("zhangsan", "wmCust0003")  # 王芳, 李四's customer too
    corp.add_customer("lisi", "wmChen", "陈静", corp_name="蔚来汽车科技有限公司")
    corp.add_customer("lisi", "wmDeng", "邓超", corp_name="杭州海康威视数字技术股份有限公司")
    Backfill(services.contact_client, services.store, clock, progress=False).run()
    with services.store.transaction() as session:
        teams.set_chat(session, session.get(Department, 2), kind="robot", target=DEFAULT_WEBHOOK_KEY, now=clock.now())
    return Chat(wecom, standin, services, clock)


def open_work(services) -> set[tuple[str, str, str, str]]:
    """(rep, customer, due, task) of every open follow-up."""
    with services.store.transaction() as session:
        rows = session.exec(
            select(FollowUp, Customer)
            .join(Customer, Customer.external_userid == FollowUp.external_userid)
            .where(FollowUp.status == FollowUpStatus.OPEN)
        ).all()
    return {(f.userid, c.name, f"{f.due_at.astimezone(SHANGHAI):%m-%d %H:%M}", f.note) for f, c in rows}


def said(chat: Chat, clock: FrozenClock, who: str, text: str) -> str:
    clock.advance(minutes=2)
    return chat.say(text, who)


def evening(chat: Chat, clock: FrozenClock) -> dict[str, str]:
    """The evening's messages, in order; returns the replies worth reading."""
    z, li = "zhangsan", "lisi"
    said(chat, clock, z, "跟进 王芳 电话沟通了需求 明天下午3点见面")
    replies = {"replaced": said(chat, clock, z, "王芳 后天上午10点发报价")}
    replies["added"] = said(chat, clock, z, "另外 周五前发合同")
    replies["two plans"] = said(chat, clock, z, "跟进 张建国 电话聊了 明天上午10点回访，周四前发方案")
    replies["again"] = said(chat, clock, z, "张建国 明天上午10点回访")
    said(chat, clock, li, "跟进 邓超 发了方案 今天下午5点电话确认")
    said(chat, clock, li, "跟进 陈静 电话聊了 明天上午10点回访")
    replies["won"] = said(chat, clock, z, "王芳签了，合同8万")
    replies["after the win"] = said(chat, clock, z, "王芳 下周一上午10点交付回访")
    said(chat, clock, z, "跟进 李雪梅 拜访了 明天下午2点回访")
    replies["lost"] = said(chat, clock, z, "李雪梅那单丢了，预算砍了")
    replies["reopened"] = said(chat, clock, z, "李雪梅重新打开")
    said(chat, clock, li, "陈静签了，合同5万")
    clock.advance(minutes=2)  # WeCom sends 李四's next message twice: one reply, one step
    message = xml.text_message(
        from_user=li,
        content="跟进 王芳 拜访了 明天上午11点回访",
        msg_id=1,
        agent_id=chat.standin.corp.agent_id,
        corp_id=chat.standin.corp.corp_id,
        create_time=int(clock.now().timestamp()),
    )
    chat.wecom.send(message)
    chat.wecom.send(message)
    drain(chat.services)
    replies["team"] = said(chat, clock, "wangwu", "业绩")
    replies["team today"] = said(chat, clock, "wangwu", "团队今天")
    return replies


# What a person lists by hand after that evening: 王芳's 见面 was replaced, 发报价 and 发合同 closed with the win,
# the delivery visit set after it kept; 李雪梅's 回访 closed with the loss and restored; 陈静's closed with the win.
BY_HAND = {
    ("zhangsan", "王芳", "12-07 10:00", "交付回访"),
    ("zhangsan", "张建国", "12-02 10:00", "回访"),
    ("zhangsan", "张建国", "12-03 18:00", "发方案"),
    ("zhangsan", "李雪梅", "12-02 14:00", "回访"),
    ("lisi", "邓超", "12-01 17:00", "电话确认"),
    ("lisi", "王芳", "12-02 11:00", "回访"),
}
CLOSED_WORK = ("见面", "发报价", "发合同", "陈静")
AT_THEIR_MINUTE = {  # each open step's reminder, at its minute; the minutes of closed work stay silent
    at(1, 17): {"lisi": ("邓超", "电话确认")},
    at(2, 10): {"zhangsan": ("张建国", "回访")},  # not 李四's 陈静: closed with the win
    at(2, 11): {"lisi": ("王芳", "回访")},
    at(2, 14): {"zhangsan": ("李雪梅", "回访")},  # closed with the loss, restored with the deal
    at(2, 15): {},  # 王芳's 见面, replaced by 发报价
    at(3, 10): {},  # 发报价, closed with the win
    at(3, 18): {"zhangsan": ("张建国", "发方案")},
    at(4, 18): {},  # 发合同, closed with the win
    at(7, 10): {"zhangsan": ("王芳", "交付回访")},  # set after the win
}
MORNINGS = [at(2, 8), at(3, 8), at(4, 8), at(7, 8)]  # the morning lists of what is open


def tick(services, standin, clock: FrozenClock, job: str, when: datetime) -> list:
    """Run one tick of `job` at `when`; returns the app messages it sent."""
    seen = len(standin.delivered("app"))
    clock.set(when)
    services.jobs.run(job)
    drain(services)
    return standin.delivered("app")[seen:]


def test_an_evening_ends_with_the_open_work_a_person_would_list(chat, services, standin, clock):
    replies = evening(chat, clock)

    assert "已把「见面」换成「发报价」" in replies["replaced"]
    assert "原有待办照旧：「发报价」" in replies["added"]
    assert "下次跟进：12月2日（周三）10:00 回访" in replies["two plans"]
    assert "另加待办：12月3日（周四）18:00前（没说几点，先按18点） 发方案" in replies["two plans"]
    assert "已把" not in replies["again"]  # the same plan again changes nothing
    assert "已关闭 2 条待办：发报价、发合同。之后安排的跟进（如交付回访）照常提醒。" in replies["won"]
    assert "下次跟进" in replies["after the win"] and "已把" not in replies["after the win"]
    assert "已关闭 1 条待办：回访。客户回头时发「李雪梅重新打开」，待办一并恢复。" in replies["lost"]
    assert replies["reopened"].startswith("✅ 已重新打开李雪梅的商机")
    assert "已恢复 1 条待办：\n1. 12月2日（周三）14:00 回访" in replies["reopened"]
    assert open_work(services) == BY_HAND
    # The manager, at 17:10: 6 open steps for 2 reps; 邓超's call, due at 17:00, is the one overdue and the only
    # step due so far (not done: on time 0%); 6 follow-ups logged, 3 by each rep.
    assert "跟进次数：6 次｜按时率：0%｜新客户：0 位｜逾期待办：1 条" in replies["team"]
    assert "人均待办 3 条" in replies["team"]
    assert replies["team today"].splitlines() == [
        "【华东销售部·12月1日（周二）】",
        "跟进 6 次：张三 3 次、李四 3 次",
        "成交 2 单，共 13万：张三·王芳 8万；李四·陈静 5万",  # 李雪梅's loss was reopened: no longer lost
        "还要跟进 1 条：",
        "· 李四：1 条，其中逾期 1 条",
    ]

    [reminded] = tick(services, standin, clock, "reminders", at(1, 17))
    assert reminded.recipients == ["lisi"] and "邓超" in reminded.content
    tick(services, standin, clock, "daily-digest", at(1, 18))
    [digest] = [m.content for m in standin.delivered("webhook") if " 日报 · " in m.content]
    assert digest.splitlines()[1:] == [
        "今天：成交金额 13万（2 单）｜跟进次数 6 次｜新客户 0 位",  # 王芳 8万 and 陈静 5万; 李雪梅's loss was reopened
        "12月累计：成交金额 13万（2 单）｜赢单率 100%｜按时率 0%",
        "🏆 今天表现：张三 成交 8万",
        "⏰ 逾期待办 1 条：李四 1 条",  # the list's only step past its time
    ]  # 李雪梅 lost and reopened: neither a loss nor a move along the funnel

    to_reps = []
    for when in sorted({*AT_THEIR_MINUTE, *MORNINGS} - {at(1, 17)}):
        sent = tick(services, standin, clock, "reminders", when)
        due_now = {m.recipients[0]: m.content for m in sent if m.content.startswith("⏰ 到点跟进")}
        assert set(due_now) == set(AT_THEIR_MINUTE.get(when, {}))
        for rep, (customer, task) in AT_THEIR_MINUTE.get(when, {}).items():
            assert customer in due_now[rep] and f" {task}\n" in due_now[rep]
        to_reps += [m.content for m in sent]
    assert to_reps and not [text for text in to_reps if any(word in text for word in CLOSED_WORK)]
    assert {(rep, *what) for minute in AT_THEIR_MINUTE.values() for rep, what in minute.items()} == {
        (rep, customer, task) for rep, customer, _, task in BY_HAND
    }  # each open step reminded at its minute, and nothing else

    [late] = tick(services, standin, clock, "escalation", at(3, 9, 37))  # the end of the working day after its day
    assert late.recipients == ["wangwu"] and "李四" in late.content and "邓超" in late.content
    assert late.content.count("\n· ") == 1
    [late] = tick(services, standin, clock, "escalation", at(4, 9, 37))
    assert late.content.count("\n· ") == 3  # 张建国's and 李雪梅's 回访, 李四's 王芳; not 陈静's, closed with the win
    assert all(name in late.content for name in ("张建国", "李雪梅", "王芳"))
    assert not any(word in late.content for word in CLOSED_WORK)
    assert open_work(services) == BY_HAND  # the jobs changed no one's work
