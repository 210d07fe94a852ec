"""Directory events (change_contact) over real encrypted callbacks, on every backend: each one applies, however
many came before, and a member WeCom no longer lists loses the bot at once (issue 19, finding 1)."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.sync import Backfill
from handlers import texts
from scrm.clock import FrozenClock
from scrm.models import Department, FollowUp, InboxEvent, Interaction, Member, OutboxMessage
from tests.conftest import drain
from wecom_standin import xml

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def redis_url():
    return None  # directory events do not touch Redis


def rows(services, model, *where):
    with services.store.transaction() as session:
        return list(session.exec(select(model).where(*where)).all())


@pytest.fixture
def directory(wecom, standin, services, clock):
    """Tell of a change made a minute ago in WeCom's admin console, as WeCom does, and handle it."""

    def announce(change: str, userid: str | None = None) -> None:
        clock.advance(minutes=1)
        wecom.send(
            xml.contact_change(change, userid, create_time=int(clock.now().timestamp()), corp_id=standin.corp.corp_id)
        )
        clock.advance(seconds=10)
        drain(services)

    return announce


def ours(services) -> dict[str, tuple[bool, list[int], list[int]]]:
    return {m.userid: (m.active, m.department_ids, m.leader_of) for m in rows(services, Member)}


def wecoms(standin) -> dict[str, tuple[bool, list[int], list[int]]]:
    return {
        m.userid: (
            True,
            list(m.department),
            [d for d, lead in zip(m.department, m.is_leader_in_dept, strict=False) if lead],
        )
        for m in standin.corp.members.values()
    }


def test_every_directory_change_applies_the_second_third_and_tenth_time(directory, standin, services):
    corp = standin.corp
    changes = []
    for n in range(10):
        match n % 4:
            case 0:
                corp.add_member(f"rep{n}", f"新人{n}", [2], position="销售代表")
                changes.append(("create_user", f"rep{n}"))
            case 1:
                del corp.members[f"rep{n - 1}"]  # left again
                changes.append(("delete_user", f"rep{n - 1}"))
            case 2:
                corp.add_department(10 + n, f"华南销售{n}部", parentid=1, leaders=["lisi"])
                corp.members["lisi"].department = [2, 10 + n]
                corp.members["lisi"].is_leader_in_dept = [0, 1]
                changes.append(("create_party", None))
            case 3:
                corp.members["zhangsan"].name = f"张三{n}"
                changes.append(("update_user", "zhangsan"))
    for n, (change, userid) in enumerate(changes, start=1):
        directory(change, userid)
        gone = {u for u, (active, *_) in ours(services).items() if not active}
        assert {u: v for u, v in ours(services).items() if u not in gone} == wecoms(standin), f"change {n}: {change}"
        assert gone.isdisjoint(corp.members), f"change {n}"
    assert {e.status for e in rows(services, InboxEvent)} == {"done"}  # none failed, none waits for a retry
    assert rows(services, Member, Member.userid == "zhangsan")[0].name == "张三7"
    assert {d.id for d in rows(services, Department)} >= {12, 16}


def test_a_member_removed_from_wecom_loses_the_bot_at_once(directory, wecom, standin, services, clock):
    Backfill(services.contact_client, services.store, clock, progress=False).run()
    standin.corp.add_member("zhaoliu", "赵六", [2], position="销售代表")
    directory("create_user", "zhaoliu")  # an earlier directory event: the one after it used to fail
    ids = itertools.count(7312345678901234567)

    def say(text: str) -> str:
        """What the bot answered (WeCom itself refuses to deliver to someone who left: 81013)."""
        wecom.send(
            xml.text_message(
                from_user="zhangsan",
                content=text,
                msg_id=next(ids),
                agent_id=standin.corp.agent_id,
                corp_id=standin.corp.corp_id,
                create_time=int(clock.now().timestamp()),
            )
        )
        drain(services)
        with services.store.transaction() as session:
            return session.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().payload["text"]

    assert "华为技术有限公司" in say("查 张建国")  # still a member: sees the card
    del standin.corp.members["zhangsan"]
    directory("delete_user", "zhangsan")

    assert say("查 张建国") == texts.NOT_A_MEMBER
    assert say("跟进 张建国 电话沟通了报价 明天下午3点回访") == texts.NOT_A_MEMBER
    assert rows(services, Interaction) == [] and rows(services, FollowUp, FollowUp.note == "回访") == []
    assert not rows(services, Member, Member.userid == "zhangsan")[0].active
    assert {e.status for e in rows(services, InboxEvent)} == {"done"}
