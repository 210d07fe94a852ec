"""Who belongs to a team: matched in the database from each member's JSON list of departments."""

from __future__ import annotations

from datetime import UTC, datetime

from scrm import members

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_in_departments_finds_active_members_of_any_of_the_departments(store):
    with store.transaction() as session:
        for userid, name, departments, active in (
            ("zhangsan", "张三", [2], True),
            ("lisi", "李四", [3, 2], True),
            ("wangwu", "王五", [4], True),
            ("gone", "离职", [2], False),
            ("twelve", "十二", [12], True),
            ("none", "无", [], True),
        ):
            members.upsert_member(
                session,
                userid=userid,
                name=name,
                department_ids=departments,
                leader_of=[],
                position="",
                active=active,
                now=NOW,
            )
    with store.transaction() as session:
        found = lambda ids: sorted(m.userid for m in members.in_departments(session, ids))  # noqa: E731
        assert found([2]) == ["lisi", "zhangsan"]  # not 12 (a JSON list, not a string match), not the inactive
        assert found([3, 4]) == ["lisi", "wangwu"]
        assert found([1]) == [] and found([]) == []
