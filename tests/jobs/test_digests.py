"""The daily and weekly digests and the honor board: once per team and period, in the team's group chat."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import pytest

from scrm import customers, deals, interactions, members, streaks, targets, teams, workdays
from scrm.models import Department
from tests.conftest import CI
from tests.jobs.conftest import TZ, at, plan, runner, sent


def robot(store, clock, key="robot-key-east") -> None:
    with store.transaction() as session:
        teams.set_chat(session, session.get(Department, 2), kind="robot", target=key, now=clock.now())


def won(store, rep: str, customer: str, when: str, amount: int) -> None:
    with store.transaction() as session:
        deal = deals.open_deal(
            session, external_userid=customer, userid=rep, first_stage="初次接触", now=at("2026-11-20 10:00")
        )
        deals.close(session, deal, won=True, amount=Decimal(amount), note="", userid=rep, now=at(when))


def logged(store, rep: str, customer: str, when: str, times: int = 1) -> None:
    with store.transaction() as session:
        for _ in range(times):
            interactions.record(
                session,
                external_userid=customer,
                userid=rep,
                kind="follow_up",
                channel="电话",
                text="聊了",
                at=at(when),
            )


def test_the_daily_digest_goes_once_to_the_team_chat_with_today_and_the_month(team, clock, caplog):
    robot(team, clock)
    won(team, "zhangsan", "wmChen", "2026-12-01 11:00", 128000)
    won(team, "lisi", "wmLiu", "2026-11-30 16:00", 50000)  # November: in the month line only... of November
    logged(team, "zhangsan", "wmChen", "2026-12-01 10:00", times=2)
    logged(team, "lisi", "wmLiu", "2026-12-01 14:00")
    plan(team, "wmZhang", "zhangsan", "2026-11-30 10:00")  # overdue
    with team.transaction() as session:
        deal = deals.open_deal(
            session, external_userid="wmZhang", userid="zhangsan", first_stage="初次接触", now=at("2026-11-25 10:00")
        )
        deals.move(session, deal, stage="方案报价", userid="zhangsan", now=at("2026-12-01 15:00"))
    jobs = runner(team, clock)
    jobs.run("daily-digest", at("2026-12-01 18:00"))
    jobs.run("daily-digest", at("2026-12-01 18:00"))  # a second run of the same day sends nothing
    [(to, text), (chart_to, chart)] = sent(team)
    assert to == chart_to == "robot-key-east" and chart.startswith("<image ")  # the month's chart follows
    assert text == "\n".join(
        [
            "**销售一部 日报 · 12月1日（周二）**",
            "今天：成交金额 12.8万（1 单）｜跟进次数 3 次｜新客户 0 位",
            "12月累计：成交金额 12.8万（1 单）｜赢单率 100%｜按时率 —",
            "🏆 今天表现：张三 成交 12.8万",
            "⏰ 逾期待办 1 条：张三 1 条",
            "📈 阶段推进：张三·张伟→方案报价",
        ]
    )
    assert "王五" not in text  # the manager is not among the reps


def test_a_team_without_a_group_chat_gets_nothing_and_the_log_says_so_once(team, clock, caplog):
    logged(team, "zhangsan", "wmChen", "2026-12-01 10:00")
    jobs = runner(team, clock)
    with caplog.at_level(logging.WARNING, logger="jobs.digests"):
        jobs.run("daily-digest", at("2026-12-01 18:00"))
        jobs.run("daily-digest", at("2026-12-02 18:00"))
    assert sent(team) == []
    assert caplog.text.count("has no group chat") == 1


def test_no_digest_on_a_day_off_and_a_quiet_day_says_so(team, clock):
    robot(team, clock)
    jobs = runner(team, clock)
    jobs.run("daily-digest", at("2026-12-05 18:00"))  # Saturday
    assert sent(team) == []
    jobs.run("daily-digest", at("2026-12-01 18:00"))
    assert sent(team)[0][1].splitlines()[3] == "今天还没有记录，明天加油！"


def test_the_chart_is_a_png_with_chinese_labels_and_never_boxes():
    from jobs import charts

    days = [at(f"2026-12-{d:02d} 00:00").date() for d in range(1, 32)]
    won = {days[0]: Decimal(128000), days[2]: Decimal(50000)}
    if charts.cjk_font() is None:
        message = "no CJK font: make's setup installs fonts-wqy-microhei where apt-get can"
        pytest.fail(message + "; CI=true requires it") if CI else pytest.skip(message)
    pace = targets.pace_to_date(Decimal(500000), days, workdays.current())  # the target's pace to date
    png = charts.month_trend("销售一部 12月成交趋势", days, won, pace, days[4])
    assert png is not None and png.startswith(b"\x89PNG") and len(png) < 2 * 1024 * 1024
    assert png != charts.month_trend("销售一部 12月成交趋势", days, won, {}, days[4])  # the pace line is drawn
    # Without a CJK font matplotlib would draw boxes ("Glyph … missing"): then there is no chart at all.
    assert charts.month_trend("销售一部 12月成交趋势", days, won, {}, days[4], font="DejaVu Sans") is None


def test_the_weekly_digest_compares_last_week_with_the_week_before_per_rep(team, clock):
    robot(team, clock)
    won(team, "zhangsan", "wmChen", "2026-11-25 11:00", 100000)
    won(team, "zhangsan", "wmZhang", "2026-11-18 11:00", 40000)
    logged(team, "lisi", "wmLiu", "2026-11-24 10:00", times=3)
    runner(team, clock).run("weekly-digest", at("2026-11-30 09:13"))
    [(_, text)] = sent(team)
    assert text.splitlines() == [
        "**销售一部 周报 · 11月23日–11月29日**",
        "全队：成交金额 10万（1 单，上周 4万）｜跟进次数 3 次（上周 0 次）",
        "张三：成交金额 10万（上周 4万）｜跟进次数 0 次（上周 0 次）｜新客户 0 位",
        "李四：成交金额 0元（上周 0元）｜跟进次数 3 次（上周 0 次）｜新客户 0 位",
    ]


def test_the_honor_board_crowns_the_best_shares_ties_and_never_crowns_zero(team, clock):
    robot(team, clock)
    won(team, "zhangsan", "wmChen", "2026-12-02 11:00", 50000)
    won(team, "lisi", "wmLiu", "2026-12-02 12:00", 50000)
    with team.transaction() as session:
        rel = customers.link(session, external_userid="wmNew", userid="lisi", now=at("2026-12-02 09:00"))
        rel.added_at = at("2026-12-02 09:00")
    jobs = runner(team, clock)
    jobs.run("honor-board", at("2026-12-02 18:10"))  # Wednesday: the day's board only
    jobs.run("honor-board", at("2026-12-02 18:10"))
    [(_, text)] = sent(team)
    assert text.splitlines() == [
        "🏅 销售一部 今日荣誉榜 · 12月2日（周三）",
        "销冠：李四、张三（成交 5万）",
        "拓客王：李四（新客户 1 位）",
        "恭喜！大家继续冲 💪",
    ]  # nobody did a follow-up on time today: no 跟进之星


def test_a_team_with_nothing_to_crown_gets_no_board_and_the_week_and_month_boards_come_on_their_first_working_day(
    team, clock
):
    robot(team, clock)
    jobs = runner(team, clock)
    jobs.run("honor-board", at("2026-12-02 18:10"))
    assert sent(team) == []
    won(team, "zhangsan", "wmChen", "2026-11-27 11:00", 80000)  # last Friday: last week, and November
    jobs.run("honor-board", at("2026-12-02 18:10"))  # Wednesday: not the week's first working day
    assert sent(team) == []
    jobs.run("honor-board", at("2026-11-30 18:10"))  # Monday: the week's board (November is not over)
    [(_, text)] = sent(team)
    assert text.startswith("🏅 销售一部 周荣誉榜 · 11月23日–11月29日\n销冠：张三（成交 8万）")
    won(team, "lisi", "wmLiu", "2026-12-31 11:00", 30000)
    jobs.run("honor-board", at("2027-01-04 18:10"))  # Monday after New Year: December's board, and the week's
    boards = [text.splitlines()[0] for _, text in sent(team)[1:]]
    assert boards == ["🏅 销售一部 周荣誉榜 · 12月28日–1月3日", "🏅 销售一部 月度荣誉榜 · 12月"]


def target(store, rep: str, month: str, value: int, metric: str = "won_amount") -> None:
    with store.transaction() as session:
        targets.set_target(
            session,
            scope="rep",
            subject=rep,
            kind="month",
            starts=date.fromisoformat(f"{month}-01"),
            value=Decimal(value),
            metric=metric,
            now=at("2026-11-01 09:00"),
            today=date(2026, 11, 1),
        )


def test_a_streak_counts_working_days_on_pace_back_through_last_month_and_every_target_must_be_on_pace(team):
    # 张三: November 21万 over 21 working days (1万 a day), December 23万 over 23 (1万 a day).
    target(team, "zhangsan", "2026-11", 210000)
    target(team, "zhangsan", "2026-12", 230000)
    won(team, "zhangsan", "wmChen", "2026-11-27 11:00", 210000)  # on pace from Nov 27 (20万 due) on
    won(team, "zhangsan", "wmChen", "2026-12-01 11:00", 30000)  # 3万: on pace to Dec 3
    won(team, "zhangsan", "wmZhang", "2026-12-05 11:00", 20000)  # a Saturday's deal counts: 5万 by Dec 7
    # 李四: 2 follow-ups a working day asked (46 in December), and 23万; the follow-ups alone are not enough.
    target(team, "lisi", "2026-12", 46, metric="logged")
    for day in ("01", "02", "03", "04", "07"):
        logged(team, "lisi", "wmLiu", f"2026-12-{day} 10:00", times=2)
    with team.transaction() as session:

        def found(day: int) -> dict[str, int]:
            reps = ["zhangsan", "lisi", "zhaoliu"]
            return streaks.on_pace(session, reps, date(2026, 12, day), tz=TZ, calendar=workdays.current())

        assert found(3) == {"zhangsan": 5, "lisi": 3, "zhaoliu": 0}  # Nov 27, 30, Dec 1–3; no target: no streak
        assert found(4)["zhangsan"] == 0  # 3万 by Dec 4, when 4万 was due
        assert found(7) == {"zhangsan": 1, "lisi": 5, "zhaoliu": 0}
    target(team, "lisi", "2026-12", 230000)  # now both: no deal won, so never on pace
    with team.transaction() as session:
        assert found(7)["lisi"] == 0


def test_the_days_board_names_the_reps_on_a_streak(team, clock):
    robot(team, clock)
    target(team, "zhangsan", "2026-11", 210000)
    target(team, "zhangsan", "2026-12", 230000)
    won(team, "zhangsan", "wmChen", "2026-11-27 11:00", 210000)
    won(team, "zhangsan", "wmChen", "2026-12-01 11:00", 30000)
    won(team, "zhangsan", "wmZhang", "2026-12-03 11:00", 10000)  # Dec 3: the 5th working day on pace
    won(team, "lisi", "wmLiu", "2026-12-03 12:00", 10000)  # 李四 has no target: no streak
    jobs = runner(team, clock, streak_days=5)
    jobs.run("honor-board", at("2026-12-02 18:10"))
    assert sent(team) == []  # Dec 2: nothing to crown, so no board (a streak alone is no board)
    jobs.run("honor-board", at("2026-12-03 18:10"))
    [(_, text)] = sent(team)
    assert text.splitlines()[1:] == [
        "销冠：李四、张三（成交 1万）",
        "🔥 连续达标：张三 5 个工作日",
        "恭喜！大家继续冲 💪",
    ]


def test_the_digest_counts_the_days_anomalies(team, clock):
    robot(team, clock)
    logged(team, "lisi", "wmLiu", "2026-11-26 10:00")  # 李四 has been quiet since Thursday
    jobs = runner(team, clock)
    jobs.run("anomalies", at("2026-12-01 09:07"))
    jobs.run("daily-digest", at("2026-12-01 18:00"))
    text = sent(team)[-2][1]  # the digest, then its chart
    assert "🔔 今日异常：李四 1 项、张三 1 项（详情已私信主管）" in text  # 张三 never logged anything


def test_a_big_teams_overdue_line_names_the_five_most_behind_and_counts_the_rest(team, clock):
    robot(team, clock)
    reps = [(f"rep{n}", f"销售{n}") for n in range(1, 9)]
    with team.transaction() as session:
        for userid, name in reps:
            members.upsert_member(
                session,
                userid=userid,
                name=name,
                department_ids=[2],
                leader_of=[],
                position="",
                active=True,
                now=clock.now(),
            )
    for n, (userid, _) in enumerate(reps, start=1):
        for minute in range(n):  # 销售8 has 8 overdue, 销售1 one
            plan(team, "wmChen", userid, f"2026-11-30 10:0{minute}")
    runner(team, clock).run("daily-digest", at("2026-12-01 18:00"))
    [line] = [line for line in sent(team)[0][1].splitlines() if line.startswith("⏰")]
    assert line == "⏰ 逾期待办 36 条：销售8 8 条、销售7 7 条、销售6 6 条、销售5 5 条、销售4 4 条 等 3 人"


def test_the_digest_names_who_moved_which_customer_and_the_deals_lost_with_their_reasons(team, clock):
    # Given both reps moved a customer along the funnel today, and 李四 then lost that deal
    robot(team, clock)
    with team.transaction() as session:
        chen = deals.open_deal(
            session, external_userid="wmChen", userid="zhangsan", first_stage="初次接触", now=at("2026-11-25 10:00")
        )
        liu = deals.open_deal(
            session, external_userid="wmLiu", userid="lisi", first_stage="初次接触", now=at("2026-11-25 10:00")
        )
        deals.move(session, chen, stage="需求确认", userid="zhangsan", now=at("2026-12-01 10:00"))
        deals.move(session, liu, stage="方案报价", userid="lisi", now=at("2026-12-01 11:00"))
        deals.close(session, liu, won=False, amount=None, note="预算砍了", userid="lisi", now=at("2026-12-01 16:00"))
    # When the day's digest goes out
    runner(team, clock).run("daily-digest", at("2026-12-01 18:00"))
    # Then it names both moves, and the lost deal with its reason
    lines = sent(team)[0][1].splitlines()
    assert "📈 阶段推进：张三·陈志强→需求确认；李四·刘洋→方案报价" in lines
    assert "💔 丢单：李四·刘洋（预算砍了）" in lines
