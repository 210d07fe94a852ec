"""Escalation and anomaly alerts: to the rep's manager, once per subject and period, never about a rep on leave."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from scrm import customers, deals, follow_ups, interactions
from scrm.models import CustomerRep, FollowUp
from tests.jobs.conftest import at, follow_up, plan, runner, sent


def customers_delete(store, rep: str, times: list[str]) -> None:
    """Customers of `rep` who delete them, one at each time."""
    with store.transaction() as session:
        for n, when in enumerate(times):
            external = f"wmGone{n}"
            customers.upsert(
                session, external_userid=external, profile={"name": f"客户{n}"}, now=at("2026-01-01 10:00")
            )
            rel = customers.link(session, external_userid=external, userid=rep, now=at("2026-01-01 10:00"))
            customers.set_status(rel, "active", at("2026-01-01 10:00"))
            customers.set_status(rel, "lost", at(when))


def test_an_overdue_follow_up_is_escalated_once_after_the_rep_heard_of_it(team, clock):
    late = plan(team, "wmChen", "zhangsan", "2026-11-30 15:00", "发报价")  # Monday
    plan(team, "wmLiu", "lisi", "2026-12-01 10:00", "寄样品")  # Tuesday: late enough on Thursday
    jobs = runner(team, clock)
    jobs.run("escalation", at("2026-12-01 09:30"))  # Tuesday: Monday's next working day has not ended
    assert sent(team) == []
    jobs.run("reminders", at("2026-12-02 08:00"))  # Wednesday morning: the rep's list shows it as overdue
    jobs.run("escalation", at("2026-12-02 09:30"))
    jobs.run("escalation", at("2026-12-02 09:30"))
    jobs.run("escalation", at("2026-12-03 09:30"))
    messages = sent(team)
    assert [to for to, _ in messages] == ["lisi", "zhangsan", "wangwu", "wangwu"]  # morning lists, then the manager
    assert "【逾期】" in messages[1][1] and "发报价" in messages[1][1]
    wednesday, thursday = messages[2][1], messages[3][1]
    assert wednesday.startswith("📋 12月2日（周三）逾期未跟进 1 条：")
    assert "张三：\n· 陈志强（苏州精密） 发报价，应在11月30日（周一）15:00，已逾期 2 天" in wednesday
    assert "李四" not in wednesday
    assert "李四：\n· 刘洋 寄样品" in thursday and "陈志强" not in thursday  # each follow-up once
    assert follow_up(team, late).escalated_at is not None


def test_escalation_waits_over_the_weekend_and_a_done_follow_up_is_never_escalated(team, clock):
    plan(team, "wmChen", "zhangsan", "2026-12-04 15:00", "周五的回访")  # Friday
    done = plan(team, "wmZhang", "zhangsan", "2026-12-04 16:00", "已经做了")
    with team.transaction() as session:
        follow_ups.complete(session, session.get(FollowUp, done), now=at("2026-12-04 17:00"))
    jobs = runner(team, clock)
    jobs.run("escalation", at("2026-12-05 09:30"))  # Saturday: no escalation on a day off
    jobs.run("escalation", at("2026-12-07 09:30"))  # Monday: Friday's next working day is today
    assert sent(team) == []
    jobs.run("escalation", at("2026-12-08 09:30"))
    [(to, text)] = sent(team)
    assert to == "wangwu" and "周五的回访" in text and "已经做了" not in text


def test_a_rep_silent_for_two_working_days_is_reported_once_and_the_rep_on_leave_never(team, clock):
    with team.transaction() as session:
        interactions.record(
            session,
            external_userid="wmChen",
            userid="zhangsan",
            kind="follow_up",
            text="电话",
            at=at("2026-11-27 10:00"),
        )  # Friday
        interactions.record(
            session, external_userid="wmLiu", userid="lisi", kind="follow_up", text="拜访", at=at("2026-11-30 10:00")
        )  # Monday
    jobs = runner(team, clock)
    jobs.run("anomalies", at("2026-12-01 09:00"))  # Tuesday: only Monday has passed since Friday
    assert sent(team) == []
    jobs.run("anomalies", at("2026-12-02 09:00"))
    jobs.run("anomalies", at("2026-12-03 09:00"))  # 张三's quiet spell goes on: not again; 李四's begins
    [(to, wednesday), (_, thursday)] = sent(team)
    assert to == "wangwu"
    assert (
        wednesday == "🔔 12月2日（周三）异常提醒：\n· 张三：已经 2 个工作日没有记录任何跟进（上次：11月27日（周五））"
    )
    assert thursday == "🔔 12月3日（周四）异常提醒：\n· 李四：已经 2 个工作日没有记录任何跟进（上次：11月30日（周一））"
    # 赵六 is on leave with no customers, and 王五 manages: neither is ever reported


def _done_on_time(session, days_before: Iterable[int]) -> None:
    """张三's follow-ups with 陈总 due that many days before Wednesday 12-02, each done when due."""
    for day in days_before:
        due = at("2026-12-02 10:00") - timedelta(days=day)
        item = follow_ups.schedule(
            session, external_userid="wmChen", userid="zhangsan", due_at=due, note="旧", now=due - timedelta(days=1)
        ).step
        follow_ups.complete(session, item, now=due)


def _four_of_five_left_late(session) -> None:
    """This week: 张三's five follow-ups with 张总, one after the other, and only the last one done."""
    for day in range(1, 6):
        due = at("2026-12-02 10:00") - timedelta(days=day)
        item = follow_ups.schedule(
            session,
            external_userid="wmZhang",
            userid="zhangsan",
            due_at=due,
            note="新",
            now=due - timedelta(days=1),
            adding=True,  # left open, one after the other
        ).step
        if day == 1:
            follow_ups.complete(session, item, now=due)


def test_a_jump_in_overdue_share_is_reported_once_a_week(team, clock):
    with team.transaction() as session:
        _done_on_time(session, range(8, 35, 3))  # the 4 weeks before: all done on time
        _four_of_five_left_late(session)
        interactions.record(
            session,
            external_userid="wmChen",
            userid="zhangsan",
            kind="follow_up",
            text="电话",
            at=at("2026-12-01 18:00"),
        )
    jobs = runner(team, clock)
    jobs.run("anomalies", at("2026-12-02 09:00"))
    jobs.run("anomalies", at("2026-12-03 09:00"))
    alerts = [text for to, text in sent(team) if "逾期率" in text]
    assert len(alerts) == 1
    assert "张三：近 7 天逾期率 80%（5 条中 4 条），此前 4 周是 0%（9 条中 0 条）" in alerts[0]


def test_no_jump_in_overdue_share_is_reported_for_a_rep_with_too_little_history(team, clock):
    # Given 张三 had fewer than 8 follow-ups due in the 4 weeks before (no baseline), and then 4 of 5 left late
    with team.transaction() as session:
        _done_on_time(session, (9, 16, 23))
        _four_of_five_left_late(session)
    # Then the anomalies job sends no "up from 0%": three follow-ups are no history to jump from
    runner(team, clock).run("anomalies", at("2026-12-02 09:00"))
    assert [text for _, text in sent(team) if "逾期率" in text] == []


def test_customers_deleting_a_rep_and_a_stalled_deal_are_reported_once(team, clock):
    customers_delete(team, "lisi", ["2026-12-01 10:00", "2026-12-01 11:00", "2026-12-01 12:00"])
    with team.transaction() as session:
        deal = deals.open_deal(
            session, external_userid="wmChen", userid="zhangsan", first_stage="初次接触", now=at("2026-11-10 10:00")
        )
        deals.move(session, deal, stage="方案报价", userid="zhangsan", now=at("2026-11-15 10:00"))
        interactions.record(
            session,
            external_userid="wmChen",
            userid="zhangsan",
            kind="follow_up",
            text="电话",
            at=at("2026-12-01 18:00"),
        )
        interactions.record(
            session, external_userid="wmLiu", userid="lisi", kind="follow_up", text="电话", at=at("2026-12-01 18:00")
        )
    jobs = runner(team, clock)
    jobs.run("anomalies", at("2026-12-02 09:00"))
    jobs.run("anomalies", at("2026-12-03 09:00"))
    [(to, text)] = sent(team)
    assert to == "wangwu" and text.startswith("🔔 12月2日（周三）异常提醒")
    assert "李四：12月1日（周二）有 3 位客户删除了 TA" in text
    assert "张三：陈志强在「方案报价」停了 16 天（上限 14 天）" in text


def test_a_rep_who_never_logged_anything_is_reported_once(team, clock):
    jobs = runner(team, clock)
    with team.transaction() as session:
        interactions.record(
            session,
            external_userid="wmChen",
            userid="zhangsan",
            kind="follow_up",
            text="电话",
            at=at("2026-12-01 18:00"),
        )
        rel = session.get(CustomerRep, 3)
        assert rel.userid == "lisi"
    jobs.run("anomalies", at("2026-12-02 09:00"))
    jobs.run("anomalies", at("2026-12-03 09:00"))
    [(_, text)] = sent(team)
    assert "李四：有 1 位客户，还没有记录过跟进" in text


def test_marking_a_follow_up_done_counts_as_activity(team, clock):
    item = plan(team, "wmLiu", "lisi", "2026-11-30 10:00", "回访")
    with team.transaction() as session:
        follow_ups.complete(session, session.get(FollowUp, item), now=at("2026-12-01 11:00"))
        interactions.record(
            session,
            external_userid="wmChen",
            userid="zhangsan",
            kind="follow_up",
            text="电话",
            at=at("2026-12-01 18:00"),
        )
    runner(team, clock).run("anomalies", at("2026-12-02 09:00"))
    assert sent(team) == []


def test_a_manager_who_sells_is_escalated_to_the_department_above_or_waits_with_a_warning(team, clock, caplog):
    from scrm import members

    plan(team, "wmLiu", "wangwu", "2026-11-30 15:00", "经理自己的客户")
    jobs = runner(team, clock)
    jobs.run("escalation", at("2026-12-02 09:37"))
    assert sent(team) == []
    assert "has no active manager" in caplog.text  # and the follow-up waits: nothing claimed
    with team.transaction() as session:
        members.upsert_department(session, id=1, name="公司", parent_id=None, leaders=["boss"], now=clock.now())
        members.upsert_member(session, userid="boss", name="老板", department_ids=[1], leader_of=[1], now=clock.now())
    jobs.run("escalation", at("2026-12-03 09:37"))
    [(to, text)] = sent(team)
    assert to == "boss" and "王五：\n· 刘洋 经理自己的客户" in text


def test_deletions_on_a_make_up_saturday_before_a_long_holiday_are_still_reported(team, clock):
    # A 调休 Saturday, then Spring Festival: the next run is ten days later.
    customers_delete(team, "lisi", ["2026-02-14 10:00", "2026-02-14 11:00", "2026-02-14 12:00"])
    runner(team, clock, silent_days=60).run("anomalies", at("2026-02-24 09:07"))
    [(_, text)] = sent(team)
    assert "李四：2月14日（周六）有 3 位客户删除了 TA" in text


def test_an_a_tier_customers_follow_up_is_escalated_sooner(team, clock):
    plan(team, "wmChen", "zhangsan", "2026-12-02 09:00", "大客户回访")
    plan(team, "wmZhang", "zhangsan", "2026-12-02 09:00", "普通回访")
    with team.transaction() as session:
        customers.relation(session, "wmChen", "zhangsan").tier = "A"
    runner(team, clock).run("escalation", at("2026-12-02 13:07"))  # 4 hours later
    [(to, text)] = sent(team)
    assert to == "wangwu" and "大客户回访" in text and "普通回访" not in text
