"""A sales team in the store (manager 王五; reps 张三 and 李四, with customers), and a job runner on a frozen clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from jobs.runner import Runner
from jobs.table import JobSettings
from scrm import customers, follow_ups, members
from scrm.clock import FrozenClock
from scrm.models import FollowUp, OutboxMessage
from scrm.outbox import load

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """`2026-12-01 15:00` in Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(at("2026-12-01 09:00"))  # a Tuesday


@pytest.fixture
def team(store, clock):
    """Department 2 销售一部 led by wangwu; zhangsan and lisi sell; zhaoliu is on leave with no customers."""
    with store.transaction() as session:
        members.sync_directory(
            session,
            [{"id": 1, "name": "公司"}, {"id": 2, "name": "销售一部", "parentid": 1, "department_leader": ["wangwu"]}],
            [
                {"userid": "wangwu", "name": "王五", "department": [2], "is_leader_in_dept": [1]},
                {"userid": "zhangsan", "name": "张三", "department": [2]},
                {"userid": "lisi", "name": "李四", "department": [2]},
                {"userid": "zhaoliu", "name": "赵六", "department": [2]},
            ],
            now=clock.now(),
        )
        for external, name, corp, rep in (
            ("wmChen", "陈志强", "苏州精密", "zhangsan"),
            ("wmZhang", "张伟", "字节跳动", "zhangsan"),
            ("wmLiu", "刘洋", "", "lisi"),
        ):
            customers.upsert(
                session, external_userid=external, profile={"name": name, "corp_name": corp}, now=at("2026-11-20 10:00")
            )
            rel = customers.link(session, external_userid=external, userid=rep, now=at("2026-11-20 10:00"))
            customers.set_status(rel, "active", at("2026-11-20 10:00"))
            rel.added_at = at("2026-11-20 10:00")
    return store


def plan(store, external: str, rep: str, due: str, note: str = "回访", created: str = "2026-11-30 10:00") -> int:
    """A step the rep adds (另外…): the jobs' tests keep several open with one customer."""
    with store.transaction() as session:
        return follow_ups.schedule(
            session, external_userid=external, userid=rep, due_at=at(due), note=note, now=at(created), adding=True
        ).step.id


def runner(store, clock, **settings) -> Runner:
    return Runner(store, JobSettings(**settings), clock)


def sent(store) -> list[tuple[str, str]]:
    """Every queued message as (recipient or chat, text), oldest first."""
    with store.transaction() as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    out = []
    for row in rows:
        message = load(row.payload)
        to = (
            "|".join(getattr(message, "to", ()))
            or getattr(message, "webhook_key", "")
            or getattr(message, "chat_id", "")
        )
        shown = getattr(message, "text", None) or getattr(message, "content", None) or f"<image {message.md5}>"
        out.append((to, shown))
    return out


def follow_up(store, follow_up_id: int) -> FollowUp:
    with store.transaction() as session:
        return session.get(FollowUp, follow_up_id)
