"""The keys that stop double sends (scrm/keys.py): the same across releases, and never the same for two things.

A key that changes between releases sends again after an upgrade (the row under the old key does not match), so
each family's shape is pinned here on a sample, written as the code wrote it before the builders existed. Any
change to a line below is a change of the key format, which needs a migration of the rows under the old one.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from handlers.events import customer_to_read_key, unreadable_key
from scrm import keys

AT = datetime(2026, 12, 2, 7, 5, 9, tzinfo=UTC)
DAY = date(2026, 12, 2)

PINNED = {
    keys.reply("7312345678901234567"): "reply:7312345678901234567",
    keys.reply(812): "reply:812",
    keys.welcome("WELCOMECODE"): "welcome:WELCOMECODE",
    keys.tag_customer("zhangsan", "wmCust0001", 812): "tag:zhangsan:wmCust0001:812",
    keys.rep_deleted_customer("zhangsan", "wmCust0001", AT): "rep-deleted:zhangsan:wmCust0001:1796195109",
    keys.churn("zhangsan", "wmCust0001", AT): "churn:zhangsan:wmCust0001:1796195109",
    keys.to_managers("churn:zhangsan:wmCust0001:1796195109"): "churn:zhangsan:wmCust0001:1796195109:managers",
    keys.big_deal(31, 2): "big-deal:31:team-2",
    keys.team_hello(2, "robot-0123456789ab", AT): "team-hello:2:robot-0123456789ab:20261202070509",
    keys.team_chat_disabled(2, "robot-0123456789ab", AT): "team-disabled:2:robot-0123456789ab:20261202070509",
    keys.operators_expired(AT): "operators:expired:2026120207",
    keys.first_follow_up("zhangsan", "wmCust0001"): "first:zhangsan:wmCust0001",
    keys.reminder(812, AT): "reminder:followup-812:202612020705",
    keys.escalated(812, AT): "escalation:followup-812:202612020705",
    keys.escalation_list("wangwu", DAY, "escalation:followup-812:202612020705"): (
        "escalation:wangwu:2026-12-02:escalation:followup-812:202612020705"
    ),
    keys.morning_list("zhangsan", DAY): "morning:zhangsan:2026-12-02",
    keys.mornings_done(DAY): "morning-done:2026-12-02",
    keys.team_post("daily-digest", 2, "2026-12-02"): "daily-digest:team-2:2026-12-02",
    keys.team_post("honor-board:week", 2, "2026-11-30"): "honor-board:week:team-2:2026-11-30",
    keys.chart_of("daily-digest:team-2:2026-12-02"): "daily-digest:team-2:2026-12-02:chart",
    keys.no_team_chat(2): "no-chat:team-2",
    keys.silent_rep("zhangsan", None): "silent:zhangsan:never",
    keys.silent_rep("zhangsan", DAY): "silent:zhangsan:2026-12-02",
    keys.overdue_jump("zhangsan", 2026, 9): "overdue-jump:zhangsan:2026-W09",
    keys.deletions("zhangsan", DAY): "deletions:zhangsan:2026-12-02",
    keys.stalled_deal(31, "方案报价", AT): "stalled:deal-31:方案报价:20261202",
    keys.anomalies_list("wangwu", DAY, "silent:zhangsan:never"): "anomalies:wangwu:2026-12-02:silent:zhangsan:never",
    customer_to_read_key("zhangsan", "wmCust0001", 812): "read_customer:zhangsan:wmCust0001:812",
    unreadable_key("<xml>"): "unreadable:2051526ad0cbd865c0f130d6fac73334538a8d613a90befe38ea2020cc9756cf",
}


def test_every_family_keeps_the_shape_it_had():
    assert {built: built for built in PINNED} == PINNED


def test_the_operators_own_notes_are_told_apart():
    assert keys.for_operators(keys.operators_expired(AT))
    assert not keys.for_operators(keys.reply(1))


def test_an_alert_key_says_its_kind():
    assert [keys.anomaly_kind(k) for k in (keys.silent_rep("a", None), keys.deletions("a", DAY))] == [
        "silent",
        "deletions",
    ]


USERID = st.from_regex(r"[A-Za-z0-9_.@-]{1,20}", fullmatch=True)  # WeCom's userids and external userids
ID = st.integers(min_value=1, max_value=2**31)
WHEN = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1))
FAMILIES = {
    "reply": (keys.reply, st.tuples(ID)),
    "welcome": (keys.welcome, st.tuples(USERID)),
    "tag": (keys.tag_customer, st.tuples(USERID, USERID, ID)),
    "rep-deleted": (keys.rep_deleted_customer, st.tuples(USERID, USERID, WHEN)),
    "churn": (keys.churn, st.tuples(USERID, USERID, WHEN)),
    "big-deal": (keys.big_deal, st.tuples(ID, ID)),
    "first": (keys.first_follow_up, st.tuples(USERID, USERID)),
    "reminder": (keys.reminder, st.tuples(ID, WHEN)),
    "escalated": (keys.escalated, st.tuples(ID, WHEN)),
    "morning": (keys.morning_list, st.tuples(USERID, DAYS)),
    "silent": (keys.silent_rep, st.tuples(USERID, st.none() | DAYS)),
    "deletions": (keys.deletions, st.tuples(USERID, DAYS)),
    "overdue-jump": (keys.overdue_jump, st.tuples(USERID, st.integers(2020, 2035), st.integers(1, 53))),
}


@given(st.data())
def test_different_things_never_share_a_key(data):
    """Within a family, two different inputs give two keys; across families, keys never meet."""
    made: dict[str, tuple[str, tuple]] = {}
    for (family, (build, args)), _ in itertools.product(FAMILIES.items(), range(3)):
        given_args = data.draw(args)
        key = build(*given_args)
        if key in made:
            assert made[key] == (family, _minutes(given_args, family)), f"{key} from {made[key]} and {family}"
        made[key] = (family, _minutes(given_args, family))


def _minutes(args: tuple, family: str) -> tuple:
    """What a key is meant to tell apart: reminders and escalations to the minute, rep notes to the second."""
    shown = {"reminder": "%Y%m%d%H%M", "escalated": "%Y%m%d%H%M"}.get(family)
    return tuple(f"{a:{shown}}" if shown and isinstance(a, datetime) else _second(a) for a in args)


def _second(value):
    return f"{value.timestamp():.0f}" if isinstance(value, datetime) else value
