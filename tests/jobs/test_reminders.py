"""Reminders: at the due minute, once, one message per rep, held through quiet hours and days off."""

from __future__ import annotations

from datetime import time

import pytest

from scrm import chat_state
from tests.jobs.conftest import at, plan, runner, sent


def test_a_follow_up_is_reminded_at_its_minute_exactly_once(team, clock):
    chen = plan(team, "wmChen", "zhangsan", "2026-12-01 15:00", "回访报价")
    jobs = runner(team, clock)
    jobs.run("reminders", at("2026-12-01 14:59"))
    assert sent(team) == []
    jobs.run("reminders", at("2026-12-01 15:00"))
    jobs.run("reminders", at("2026-12-01 15:00"))  # a re-run, or a second scheduler on the same minute
    jobs.run("reminders", at("2026-12-01 15:01"))
    [(to, text)] = sent(team)
    assert to == "zhangsan"
    assert "陈志强（苏州精密）" in text and "回访报价" in text
    assert "完成 1" in text and "推迟 1 明天上午" in text
    with team.transaction() as session:  # 完成 1 means the item reminded of
        assert chat_state.of(session, "zhangsan", now=clock.now()).agenda == [chen]


def test_one_message_per_rep_per_minute_numbered_as_the_agenda(team, clock):
    earlier = plan(team, "wmZhang", "zhangsan", "2026-12-01 11:00", "发方案")
    chen = plan(team, "wmChen", "zhangsan", "2026-12-01 15:00", "回访")
    zhang = plan(team, "wmZhang", "zhangsan", "2026-12-01 15:00", "确认需求")
    plan(team, "wmLiu", "lisi", "2026-12-01 15:00", "寄样品")
    jobs = runner(team, clock)
    jobs.run("reminders", at("2026-12-01 11:00"))
    jobs.run("reminders", at("2026-12-01 15:00"))
    messages = sent(team)
    assert [to for to, _ in messages] == ["zhangsan", "zhangsan", "lisi"]
    text = messages[1][1]
    assert "到点跟进 2 条" in text
    assert "2. 15:00 陈志强（苏州精密） 回访" in text and "3. 15:00 张伟（字节跳动） 确认需求" in text
    assert "完成 2" in text
    with team.transaction() as session:
        assert chat_state.of(session, "zhangsan", now=clock.now()).agenda == [earlier, chen, zhang]


def test_the_last_follow_up_logged_and_how_long_ago_is_in_the_reminder(team, clock):
    from scrm import interactions

    with team.transaction() as session:
        interactions.record(
            session,
            external_userid="wmChen",
            userid="zhangsan",
            kind="follow_up",
            text="电话沟通了报价，客户嫌贵",
            at=at("2026-11-29 16:00"),
        )
    plan(team, "wmChen", "zhangsan", "2026-12-01 15:00")
    plan(team, "wmZhang", "zhangsan", "2026-12-01 15:00")
    runner(team, clock).run("reminders", at("2026-12-01 15:00"))
    [(_, text)] = sent(team)
    assert "上次：2天前 电话沟通了报价，客户嫌贵" in text
    assert "上次：还没有跟进记录（11天前加的好友）" in text


def test_quiet_hours_hold_reminders_until_the_morning_list(team, clock):
    evening = plan(team, "wmChen", "zhangsan", "2026-12-01 22:30", "发合同")
    overdue = plan(team, "wmZhang", "zhangsan", "2026-11-30 15:00", "回访")
    jobs = runner(team, clock)
    for moment in ("2026-12-01 22:30", "2026-12-02 07:59"):
        jobs.run("reminders", at(moment))
    assert sent(team) == []
    jobs.run("reminders", at("2026-12-02 08:00"))
    jobs.run("reminders", at("2026-12-02 08:01"))
    [(to, text)] = sent(team)
    assert to == "zhangsan"
    assert text.startswith("早上好！今天有 2 条跟进")
    assert "1. 【逾期】11月30日（周一）15:00 张伟（字节跳动） 回访" in text
    assert "2. 【逾期】12月1日（周二）22:30 陈志强（苏州精密） 发合同" in text
    with team.transaction() as session:
        assert chat_state.of(session, "zhangsan", now=clock.now()).agenda == [overdue, evening]


def test_a_holiday_holds_reminders_and_a_make_up_saturday_is_a_working_day(team, clock):
    plan(team, "wmChen", "zhangsan", "2026-10-01 10:00", "节日问候", created="2026-09-29 10:00")  # National Day
    jobs = runner(team, clock)
    for moment in ("2026-10-01 10:00", "2026-10-04 10:00", "2026-10-07 10:00"):
        jobs.run("reminders", at(moment))
    assert sent(team) == []
    jobs.run("reminders", at("2026-10-08 08:00"))  # Thursday, the first working day
    [(_, text)] = sent(team)
    assert text.startswith("早上好！") and "节日问候" in text
    plan(team, "wmLiu", "lisi", "2026-10-10 10:00", "上门", created="2026-10-08 10:00")  # a 调休 Saturday
    jobs.run("reminders", at("2026-10-10 10:00"))
    assert sent(team)[-1][0] == "lisi" and "上门" in sent(team)[-1][1]


def test_a_postponed_follow_up_is_reminded_again_at_its_new_time(team, clock):
    from scrm import follow_ups
    from scrm.models import FollowUp

    chen = plan(team, "wmChen", "zhangsan", "2026-12-01 15:00")
    jobs = runner(team, clock)
    jobs.run("reminders", at("2026-12-01 15:00"))
    with team.transaction() as session:
        follow_ups.postpone(
            session, session.get(FollowUp, chen), due_at=at("2026-12-02 10:00"), now=at("2026-12-01 15:30")
        )
    jobs.run("reminders", at("2026-12-02 10:00"))
    jobs.run("reminders", at("2026-12-02 10:01"))
    assert [to for to, _ in sent(team)] == ["zhangsan", "zhangsan"]
    assert "到点跟进" in sent(team)[1][1]


def test_a_rep_with_more_due_than_a_transaction_holds_still_gets_one_message(team, clock):
    from jobs import reminders
    from scrm.models import FollowUp

    with team.transaction() as session:
        session.add_all(
            FollowUp(
                external_userid=f"wm{n}",  # one open step per customer and minute
                userid="zhangsan",
                due_at=at("2026-12-01 15:00"),
                note=f"任务{n}",
                created_at=at("2026-11-30 10:00"),
            )
            for n in range(reminders.CHUNK + 1)
        )
    done = runner(team, clock).run("reminders", at("2026-12-01 15:00"))
    assert done.summary == f"{reminders.CHUNK + 1} reminders to 1 reps, 0 morning lists"
    assert {to for to, _ in sent(team)} == {"zhangsan"}
    assert sent(team)[0][1].startswith(f"⏰ 到点跟进 {reminders.CHUNK + 1} 条")  # one message, split only by size


def test_numbers_the_rep_has_read_stay_true_when_a_reminder_comes(team, clock):
    overdue = plan(team, "wmChen", "zhangsan", "2026-11-30 15:00", "发报价")
    ten = plan(team, "wmZhang", "zhangsan", "2026-12-01 10:00", "回访")
    eleven = plan(team, "wmZhang", "zhangsan", "2026-12-01 11:00", "发方案")
    jobs = runner(team, clock)
    jobs.run("reminders", at("2026-12-01 08:00"))  # the morning list: 1 发报价, 2 回访, 3 发方案
    with team.transaction() as session:
        from scrm import follow_ups
        from scrm.models import FollowUp

        follow_ups.complete(session, session.get(FollowUp, overdue), now=at("2026-12-01 09:00"))  # 完成 1
    late_plan = plan(team, "wmLiu", "zhangsan", "2026-12-01 10:00", "新约的", created="2026-12-01 09:30")
    jobs.run("reminders", at("2026-12-01 10:00"))
    text = sent(team)[-1][1]
    assert "2. 10:00 张伟（字节跳动） 回访" in text and "4. 10:00 刘洋 新约的" in text  # 3 is still 发方案
    with team.transaction() as session:
        assert chat_state.of(session, "zhangsan", now=clock.now()).agenda == [overdue, ten, eleven, late_plan]


def test_the_morning_list_still_goes_when_the_scheduler_was_down_at_eight(team, clock):
    plan(team, "wmChen", "zhangsan", "2026-12-01 22:30", "发合同")
    runner(team, clock).run("reminders", at("2026-12-02 08:40"))
    [(_, text)] = sent(team)
    assert text.startswith("早上好！今天有 1 条跟进") and "发合同" in text


@pytest.mark.parametrize(
    "quiet, too_early, list_at, greeting",
    [
        (
            (time(20, 0), time(23, 0)),
            "2026-12-02 00:30",
            "2026-12-02 23:00",
            "今天有 1 条跟进",
        ),  # no "good morning" at 23:00
        ((time(0, 0), time(0, 0)), "2026-12-02 00:10", "2026-12-02 08:00", "早上好！今天有 1 条跟进"),  # no quiet hours
    ],
)
def test_the_morning_list_comes_when_quiet_hours_end_or_at_eight_without_them(
    team, clock, quiet, too_early, list_at, greeting
):
    plan(team, "wmChen", "zhangsan", "2026-11-30 15:00")
    jobs = runner(team, clock, quiet_start=quiet[0], quiet_end=quiet[1])
    jobs.run("reminders", at(too_early))
    assert sent(team) == []
    jobs.run("reminders", at(list_at))
    assert sent(team)[0][1].startswith(greeting)
