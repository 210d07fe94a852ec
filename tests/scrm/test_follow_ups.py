"""Open work (scrm/follow_ups.py): one open next step per customer and rep unless the rep adds one, closed with
the deal and restored when it is reopened, never twice at a minute, also when two workers plan at once."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from scrm import customers, follow_ups
from scrm.models import FollowUp
from scrm.statuses import FollowUpStatus

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=TZ)


@pytest.fixture
def pair(store):
    """张三 follows 王芳, who has the SOP's first follow-up."""
    with store.transaction() as session:
        customers.upsert(session, external_userid="wmWang", profile={"name": "王芳"}, now=at(1, 9))
        customers.link(session, external_userid="wmWang", userid="zhangsan", now=at(1, 9))
        follow_ups.open_first(
            session, external_userid="wmWang", userid="zhangsan", due_at=at(2, 10), note="首次跟进", now=at(1, 9)
        )
    return store


def plan(store, due: datetime, note: str, *, adding: bool = False, now: datetime = at(1, 10)) -> follow_ups.Planned:
    with store.transaction(lock_late=True) as session:
        return follow_ups.schedule(
            session, external_userid="wmWang", userid="zhangsan", due_at=due, note=note, now=now, adding=adding
        )


def steps(store) -> list[tuple[str, str, datetime]]:
    with store.transaction() as session:
        rows = session.exec(select(FollowUp).order_by(FollowUp.id)).all()
    return [(f.note, f.status, f.due_at) for f in rows]


def test_a_new_plan_replaces_the_open_one_and_an_added_one_keeps_it(pair):
    assert [s.note for s in plan(pair, at(2, 15), "见面").superseded] == ["首次跟进"]  # the SOP's, as before
    assert [s.note for s in plan(pair, at(3, 10), "报价").superseded] == ["见面"]
    added = plan(pair, at(4, 18), "发合同", adding=True)
    assert added.new and added.superseded == []
    assert steps(pair) == [
        ("首次跟进", "superseded", at(2, 10)),
        ("见面", "superseded", at(2, 15)),
        ("报价", "open", at(3, 10)),
        ("发合同", "open", at(4, 18)),
    ]


def test_the_same_plan_again_changes_nothing_and_a_minute_holds_one_step(pair):
    first = plan(pair, at(2, 15, 0), "见面")
    again = plan(pair, at(2, 15, 0, 40), "见面")  # the same minute: steps are kept to the minute
    assert (again.new, again.superseded, again.step.id) == (False, [], first.step.id)
    also = plan(pair, at(2, 15), "带样品", adding=True)  # another step at that minute is the one already there
    assert (also.new, also.step.id) == (False, first.step.id)
    assert [(n, s) for n, s, _ in steps(pair)] == [("首次跟进", "superseded"), ("见面", "open")]


@pytest.mark.parametrize("adding", [False, True], ids=["replacing", "adding"])
def test_two_workers_planning_at_once_leave_one_open_step(pair, adding):
    """Whatever the interleaving: the pair's lock makes the second wait and see the first (replacing), and the
    unique index refuses a second step at the minute (adding), which the dispatcher retries."""
    start = threading.Barrier(2)
    due = {"one": at(3, 10), "two": at(3, 10) if adding else at(3, 11)}

    def worker(name: str) -> None:
        start.wait()
        for _ in range(2):  # the dispatcher's retry
            try:
                plan(pair, due[name], "回访", adding=adding)
                return
            except IntegrityError:
                continue

    threads = [threading.Thread(target=worker, args=(name,)) for name in due]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [n for n, s, _ in steps(pair) if s == "open"] == ["回访"]


def test_postponing_onto_another_steps_minute_leaves_one(pair):
    kept = plan(pair, at(3, 10), "报价").step
    moved = plan(pair, at(4, 10), "发合同", adding=True).step
    with pair.transaction() as session:
        there = follow_ups.postpone(session, session.get(FollowUp, moved.id), due_at=at(3, 10), now=at(1, 11))
    assert there.id == kept.id
    assert [(n, s) for n, s, _ in steps(pair)][1:] == [("报价", "open"), ("发合同", "superseded")]


def test_the_deals_close_closes_open_steps_and_reopening_restores_just_those(pair):
    plan(pair, at(3, 10), "报价")
    with pair.transaction() as session:
        closed = follow_ups.close_open(
            session, external_userid="wmWang", userid="zhangsan", status=FollowUpStatus.DEAL_CLOSED, now=at(1, 12)
        )
    assert [s.note for s in closed] == ["报价"]
    plan(pair, at(8, 10), "交付回访", now=at(1, 13))  # after the close: new work, not closed work
    with pair.transaction() as session:
        back = follow_ups.restore(session, external_userid="wmWang", userid="zhangsan", closed_at=at(1, 12))
    assert [s.note for s in back] == ["报价"]
    assert [(n, s) for n, s, _ in steps(pair)][1:] == [("报价", "open"), ("交付回访", "open")]
