"""The KPI engine on a small dataset whose numbers are worked out by hand (SQLite and PostgreSQL).

Beijing times. 张三 (zhangsan) and 李四 (lisi) sell; the week is Monday 11-30 to Sunday 12-06; "now" is
Thursday 12-03 12:00.
  deals    张三 won 80,000 on 11-30 23:30 (November, though it is 15:30 UTC) and 50,000 on 12-01 00:30;
           张三 lost one on 12-02; 李四 won 120,000 on 12-03 09:00
  logged   张三 电话 11-30, 电话 twice on 12-01, 拜访 12-02; 李四 微信 12-02
  due      张三 12-01 10:00 done 11:00 (on time), 12-01 15:00 done 18:00 (late: over 2 hours),
           12-02 10:00 still open (overdue now); 李四 12-02 09:00 done 09:30 (on time)
  added    张三 a customer on 12-01 09:00, first follow-up with them 10:30 (90 minutes);
           李四 a customer on 11-30 22:00
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from scrm import customers, deals, follow_ups, interactions
from scrm.kpis import Figures, Period, by_rep, figures, ranking

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=TZ)


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"2026-{text}").replace(tzinfo=TZ)


@pytest.fixture
def data(store):
    with store.transaction() as session:

        def close(rep, customer, when, won, amount=None):
            deal = deals.open_deal(
                session, external_userid=customer, userid=rep, first_stage="初次接触", now=at("11-01 10:00")
            )
            deals.close(
                session, deal, won=won, amount=Decimal(amount) if amount else None, note="", userid=rep, now=at(when)
            )

        close("zhangsan", "wmA", "11-30 23:30", True, 80000)
        close("zhangsan", "wmB", "12-01 00:30", True, 50000)
        close("zhangsan", "wmC", "12-02 15:00", False)
        close("lisi", "wmD", "12-03 09:00", True, 120000)
        for rep, customer, channel, when in (
            ("zhangsan", "wmA", "电话", "11-30 10:00"),
            ("zhangsan", "wmA", "电话", "12-01 09:00"),
            ("zhangsan", "wmE", "电话", "12-01 10:30"),
            ("zhangsan", "wmB", "拜访", "12-02 14:00"),
            ("lisi", "wmD", "微信", "12-02 11:00"),
        ):
            interactions.record(
                session,
                external_userid=customer,
                userid=rep,
                kind="follow_up",
                channel=channel,
                text="聊了",
                at=at(when),
            )
        for rep, due, done in (
            ("zhangsan", "12-01 10:00", "12-01 11:00"),
            ("zhangsan", "12-01 15:00", "12-01 18:00"),
            ("zhangsan", "12-02 10:00", None),
            ("lisi", "12-02 09:00", "12-02 09:30"),
        ):
            item = follow_ups.schedule(
                session, external_userid="wmA", userid=rep, due_at=at(due), note="", now=at("11-29 10:00")
            ).step
            if done:
                follow_ups.complete(session, item, now=at(done))
        for rep, customer, added in (("zhangsan", "wmE", "12-01 09:00"), ("lisi", "wmF", "11-30 22:00")):
            customers.link(session, external_userid=customer, userid=rep, now=at(added)).added_at = at(added)
    return store


def test_a_week_for_each_rep(data):
    with data.transaction() as session:
        week = by_rep(session, ["zhangsan", "lisi", "zhaoliu"], Period.week_of(NOW, TZ), now=NOW, tz=TZ)
    z = week["zhangsan"]
    assert (z.won, z.won_amount, z.lost) == (2, Decimal(130000), 1)
    assert z.win_rate == pytest.approx(2 / 3) and z.average_deal == Decimal(65000)
    assert (z.logged, z.by_channel) == (4, {"电话": 3, "拜访": 1})
    assert z.active_days == 3  # 11-30, 12-01 (twice), 12-02
    assert (z.due, z.on_time, z.late, z.still_open) == (3, 1, 1, 1) and z.on_time_rate == pytest.approx(1 / 3)
    assert (z.new_customers, z.median_response_minutes, z.overdue_now) == (1, 90.0, 1)
    li = week["lisi"]
    assert (li.won, li.won_amount, li.lost, li.logged, li.active_days) == (1, Decimal(120000), 0, 1, 1)
    assert (li.due, li.on_time, li.new_customers, li.median_response_minutes) == (1, 1, 1, None)
    assert week["zhaoliu"] == Figures()  # nothing at all: zeros, no error


def test_months_are_cut_in_beijing_time_and_a_team_is_the_sum_of_its_reps(data):
    with data.transaction() as session:
        november = figures(session, ["zhangsan"], Period.month_of(at("11-15 12:00"), TZ), now=NOW, tz=TZ)
        december = figures(session, ["zhangsan", "lisi"], Period.month_of(NOW, TZ), now=NOW, tz=TZ)
    assert (november.won, november.won_amount, november.logged) == (1, Decimal(80000), 1)
    assert (december.won, december.won_amount, december.lost) == (2, Decimal(170000), 1)
    assert (december.logged, december.due, december.on_time) == (4, 4, 2)
    assert december.new_customers == 1  # 李四's customer came on 11-30


def test_a_period_across_a_month_end_and_a_holiday(store):
    with store.transaction() as session:
        deal = deals.open_deal(
            session,
            external_userid="wmA",
            userid="zhangsan",
            first_stage="初次接触",
            now=datetime(2026, 9, 1, tzinfo=TZ),
        )
        deals.close(
            session,
            deal,
            won=True,
            amount=Decimal(30000),
            note="",
            userid="zhangsan",
            now=datetime(2026, 10, 3, 11, 0, tzinfo=TZ),
        )  # National Day
        period = Period.between(date(2026, 9, 28), date(2026, 10, 8), TZ)
        result = figures(session, ["zhangsan"], period, now=datetime(2026, 10, 9, tzinfo=TZ), tz=TZ)
    assert period.label == "9月28日–10月8日" and len(period.days(TZ)) == 11
    assert (result.won, result.won_amount) == (1, Decimal(30000))


def test_ranking_leaves_out_reps_who_won_nothing(data):
    with data.transaction() as session:
        assert ranking(session, ["zhangsan", "lisi", "zhaoliu"], Period.week_of(NOW, TZ)) == [
            ("zhangsan", Decimal(130000)),
            ("lisi", Decimal(120000)),
        ]


def test_periods():
    assert Period.quarter_of(NOW, TZ).label == "第4季度"
    assert Period.quarter_of(NOW, TZ).start == datetime(2026, 10, 1, tzinfo=TZ)
    week = Period.week_of(NOW, TZ)
    assert week.before().start == datetime(2026, 11, 23, tzinfo=TZ) and week.before().end == week.start
    assert Period.day_of(NOW, TZ).end == datetime(2026, 12, 4, tzinfo=TZ)


def test_the_funnel_counts_conversion_median_days_and_stalled_deals(store):
    from scrm.kpis import funnel

    stages = ("初次接触", "需求确认", "方案报价", "谈判", "成交", "流失")
    with store.transaction() as session:

        def deal(customer, moves, lost=False):
            d = deals.open_deal(
                session, external_userid=customer, userid="zhangsan", first_stage="初次接触", now=at(moves[0][1])
            )
            for stage, when in moves[1:]:
                deals.move(session, d, stage=stage, userid="zhangsan", now=at(when))
            if lost:
                deals.close(session, d, won=False, amount=None, note="", userid="zhangsan", now=at("11-20 10:00"))

        deal("wmA", [("初次接触", "11-01 10:00"), ("需求确认", "11-03 10:00"), ("方案报价", "11-13 10:00")])
        deal("wmB", [("初次接触", "11-01 10:00"), ("需求确认", "11-05 10:00")])
        deal("wmC", [("初次接触", "11-02 10:00")], lost=True)  # lost from the first stage on 11-20
        result = {s.stage: s for s in funnel(session, ["zhangsan"], stages, {"需求确认": 14, "方案报价": 14}, now=NOW)}
    first = result["初次接触"]  # 3 entered, none left in it; 2 went on, 1 was lost; stays 2, 4 and 18 days
    assert (first.open_now, first.reached, first.moved_on, first.conversion) == (0, 3, 2, 2 / 3)
    assert first.median_days == 4.0
    second = result["需求确认"]  # wmA left after 10 days; wmB is still there since 11-05 (28 days at 12-03)
    assert (second.open_now, second.reached, second.moved_on, second.conversion) == (1, 2, 1, 1.0)
    assert second.median_days == 10.0 and [(d.external_userid, days) for d, days in second.stalled] == [("wmB", 28)]
    third = result["方案报价"]  # wmA since 11-13: 20 days, over 14
    assert (third.open_now, third.conversion, third.median_days) == (1, None, None)
    assert [days for _, days in third.stalled] == [20]


def test_channels_workload_and_quadrants(store):
    from scrm.kpis import channel_of, channels, quadrants, workload

    assert (channel_of("expo2026_booth3"), channel_of("web-home"), channel_of("")) == ("expo2026", "web", "")
    with store.transaction() as session:
        for n, (customer, state) in enumerate(
            (("wm1", "expo2026_a"), ("wm2", "expo2026_b"), ("wm3", "web"), ("wm4", ""))
        ):
            rel = customers.link(session, external_userid=customer, userid="zhangsan", now=at("12-01 09:00"))
            rel.state, rel.added_at, rel.status = state, at(f"12-0{n + 1} 09:00"), "active"
        deal = deals.open_deal(
            session, external_userid="wm2", userid="zhangsan", first_stage="初次接触", now=at("12-02 10:00")
        )
        deals.close(session, deal, won=True, amount=Decimal(60000), note="", userid="zhangsan", now=at("12-03 10:00"))
        follow_ups.schedule(
            session, external_userid="wm1", userid="zhangsan", due_at=at("12-05 10:00"), note="", now=at("12-01 10:00")
        )
        december = Period.month_of(NOW, TZ)
        rows = {c.channel: c for c in channels(session, ["zhangsan"], december)}
        load = workload(session, ["zhangsan", "lisi"], figures(session, ["zhangsan", "lisi"], december, now=NOW, tz=TZ))
    assert (rows["expo2026"].new_customers, rows["expo2026"].won_customers, rows["expo2026"].won_amount) == (
        2,
        1,
        Decimal(60000),
    )
    assert rows["expo2026"].conversion == 0.5 and rows["web"].new_customers == 1 and rows[""].new_customers == 1
    assert (load.reps, load.won_per_rep, load.customers_per_rep, load.open_follow_ups_per_rep) == (
        2,
        Decimal(30000),
        2.0,
        0.5,
    )
    team = {
        "a": Figures(won_amount=Decimal(100), won=2, lost=1, logged=30),
        "b": Figures(won_amount=Decimal(100), won=3, logged=10),
        "c": Figures(won_amount=Decimal(0), lost=3, logged=30),
        "d": Figures(won_amount=Decimal(0), lost=3, logged=10),
        "e": Figures(won_amount=Decimal(900), won=2, logged=90),  # two deals decide nothing: not placed
    }
    assert quadrants(team) == {"a": "明星", "b": "潜力", "c": "勤奋待提升", "d": "需关注"}
    assert quadrants({"a": team["a"], "e": team["e"]}) == {}  # one rep with enough data has no team to compare with


def test_a_customer_who_added_two_reps_is_new_to_each_and_once_to_their_team(store):
    """wmS added 张三 and 李四 through the expo's QR codes, wmU 李四 and 赵六, wmT only 张三; wmV added 张三 in
    November and 李四 in December. Both 李四 and 张三 won a deal with wmS."""
    from scrm.kpis import channels, total

    with store.transaction() as session:
        for rep, customer, state, added in (
            ("zhangsan", "wmS", "expo2026_a", "12-01 09:00"),
            ("lisi", "wmS", "expo2026_b", "12-02 09:00"),
            ("zhangsan", "wmT", "web", "12-01 10:00"),
            ("lisi", "wmU", "web", "12-02 10:00"),
            ("zhaoliu", "wmU", "", "12-02 11:00"),
            ("zhangsan", "wmV", "web", "11-20 10:00"),
            ("lisi", "wmV", "web", "12-01 11:00"),
        ):
            rel = customers.link(session, external_userid=customer, userid=rep, now=at(added))
            rel.state, rel.added_at, rel.status = state, at(added), "active"
        for rep, amount in (("zhangsan", 30000), ("lisi", 20000)):
            deal = deals.open_deal(
                session, external_userid="wmS", userid=rep, first_stage="初次接触", now=at("12-02 12:00")
            )
            deals.close(session, deal, won=True, amount=Decimal(amount), note="", userid=rep, now=at("12-03 10:00"))
        december = Period.month_of(NOW, TZ)
        reps = by_rep(session, ["zhangsan", "lisi", "zhaoliu"], december, now=NOW, tz=TZ)
        team = figures(session, ["zhangsan", "lisi"], december, now=NOW, tz=TZ)
        rows = {c.channel: c for c in channels(session, ["zhangsan", "lisi"], december)}
    assert {u: f.new_customers for u, f in reps.items()} == {"zhangsan": 2, "lisi": 3, "zhaoliu": 1}
    assert team.new_customers == 4  # wmS, wmT, wmU, wmV: each once
    assert total([reps["zhangsan"], reps["lisi"]]).new_customers == 4
    assert total([reps["lisi"], reps["zhaoliu"]]).new_customers == 3  # wmS, wmU, wmV
    assert total(reps.values()).new_customers == 4 and total([reps["zhangsan"]]).new_customers == 2
    assert (rows["expo2026"].new_customers, rows["expo2026"].won_customers, rows["expo2026"].won_amount) == (
        1,
        1,
        Decimal(50000),
    )  # one customer, won by both reps: two deals
    assert rows["web"].new_customers == 3  # wmT, wmU and wmV (李四's relation is December's)


def test_the_table_of_metrics_lists_every_number_of_figures_with_its_name_in_chinese():
    from dataclasses import fields

    from scrm.kpis import METRICS, PART_OF, PARTS

    stored = {f.name for f in fields(Figures)} - {"shared_new"}  # shared_new: bookkeeping for sums, not a number
    derived = {m.name for m in METRICS if m.derive}
    assert [m.name for m in METRICS if m.part] == [f.name for f in fields(Figures) if f.name in stored]
    assert all(isinstance(getattr(Figures, name), property) for name in derived)
    assert {m.name for m in METRICS} == stored | derived
    labels = [m.label for m in METRICS]
    assert len(set(labels)) == len(labels) and all(any("\u4e00" <= c <= "\u9fff" for c in label) for label in labels)
    assert set(PART_OF.values()) == set(PARTS)  # every query computes something; every stored metric has its query


def test_each_part_computes_the_metrics_the_table_gives_it_and_nothing_else(data):
    from scrm.kpis import METRICS, PARTS

    week = Period.week_of(NOW, TZ)
    with data.transaction() as session:
        whole = by_rep(session, ["zhangsan"], week, now=NOW, tz=TZ)["zhangsan"]
        alone = {part: by_rep(session, ["zhangsan"], week, now=NOW, tz=TZ, parts=(part,))["zhangsan"] for part in PARTS}
    for metric in (m for m in METRICS if m.part):
        for part, figures_ in alone.items():
            expected = getattr(whole, metric.name) if part == metric.part else metric.zero()
            assert getattr(figures_, metric.name) == expected, (metric.name, part)
    assert all(getattr(whole, m.name) != m.zero() for m in METRICS if m.part)  # the data has some of each


def test_a_metric_summed_day_by_day_adds_up_to_its_figure_for_the_period(data):
    from scrm.kpis import DAILY_METRICS, by_rep_and_day

    week = Period.week_of(NOW, TZ)
    with data.transaction() as session:
        figures_ = by_rep(session, ["zhangsan", "lisi"], week, now=NOW, tz=TZ)
        daily = {m: by_rep_and_day(session, ["zhangsan", "lisi"], week, TZ, m) for m in DAILY_METRICS}
    assert DAILY_METRICS == ("won_amount", "won", "logged", "new_customers")
    for metric, per_rep in daily.items():
        for userid in ("zhangsan", "lisi"):
            assert sum(per_rep.get(userid, {}).values()) == getattr(figures_[userid], metric), (metric, userid)
    assert daily["won_amount"]["zhangsan"] == {date(2026, 11, 30): 80000, date(2026, 12, 1): 50000}
