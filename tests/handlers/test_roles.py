"""Who may run which command, decided once (scrm/roles.py) and enforced by the command table before any handler runs:
every intent walked as a stranger, a rep, a manager and an admin (issue 20)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from handlers import COMMANDS, build_router, texts
from handlers.commands import Command
from handlers.context import Context, HandlerSettings
from handlers.events import Kind, TextReceived
from handlers.intents import Intent, Parsed
from handlers.router import Router
from scrm import roles
from scrm.clock import FrozenClock
from scrm.models import OutboxMessage
from scrm.outbox import Outbox
from scrm.roles import Role
from tests.conftest import running_standin
from wecom_standin import Corp

SHANGHAI = ZoneInfo("Asia/Shanghai")
PEOPLE = {"zhangsan": "a rep", "wangwu": "a manager", "admin1": "an admin"}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def redis_url():
    return None


@pytest.fixture
def settings_overrides() -> dict:
    return {"scrm_admins": "admin1"}


@pytest.fixture
def standin(clock):
    """The sample corp (王五 leads 华东销售部: 张三, 李四), with a sub-department under it (赵六) and an admin who
    leads nothing (运营小刘)."""
    corp = Corp.sample()
    corp.add_department(3, "华东销售一组", parentid=2)
    corp.add_member("zhaoliu", "赵六", [3], position="销售代表")
    corp.add_member("admin1", "运营小刘", [1], position="运营")
    yield from running_standin(corp, clock)


def answer(services, clock, userid: str, parsed: Parsed | None = None, text: str = "帮助") -> str:
    """What the bot answers a member (parsed as given, or as the bot reads `text`); nothing is kept."""
    with services.store.transaction() as session:
        settings = HandlerSettings(agent_id=services.settings.wecom_agent_id, admins=services.settings.admins)
        ctx = Context(session, Outbox(session, clock.now()), services.contact_client, clock.now(), settings)
        event = TextReceived(userid, text, f"m-{userid}-{text}", 1000002, clock.now())
        viewer = roles.viewer(session, userid, admins=services.settings.admins)
        if parsed is None or viewer is None:
            COMMANDS.dispatch(event, ctx)
        else:
            COMMANDS.run(Command(userid, parsed, event, viewer, COMMANDS), ctx)
        session.flush()
        [message] = session.exec(select(OutboxMessage)).all()
        said = message.payload["text"]
        session.rollback()
    return said


@pytest.mark.parametrize("intent", [spec.intent for spec in COMMANDS.specs.values()], ids=str)
def test_each_command_runs_for_the_roles_it_names_and_is_refused_to_the_others(intent, services, clock):
    spec = COMMANDS.specs[intent]
    for userid, who in PEOPLE.items():
        viewer = _viewer(services, userid)
        said = answer(services, clock, userid, Parsed(intent, "张三的业绩", member="张三", note=""))
        if viewer.may(spec.roles):
            assert said != texts.MANAGERS_ONLY, f"{intent} refused to {who}"
        else:
            assert said == texts.MANAGERS_ONLY, f"{intent} ran for {who}"
    assert answer(services, clock, "stranger", text=spec.help or "你好") == texts.NOT_A_MEMBER


def test_roles_come_from_the_directory_and_the_admins_setting(services):
    assert _viewer(services, "zhangsan").roles == {Role.REP}
    assert _viewer(services, "wangwu").roles == {Role.REP, Role.MANAGER}
    assert _viewer(services, "admin1").roles == {Role.REP, Role.ADMIN}
    assert _viewer(services, "stranger") is None


def test_a_manager_sees_the_reps_of_sub_departments_and_an_admin_everyone(services, clock):
    """The manager of 华东销售部 also leads 华东销售一组 under it (DESIGN: sub-departments included)."""
    manager, admin, rep = (_viewer(services, userid) for userid in ("wangwu", "admin1", "zhangsan"))
    with services.store.transaction() as session:
        assert {m.userid for m in roles.team(session, manager)} == {"zhangsan", "lisi", "zhaoliu"}
        assert {m.userid for m in roles.team(session, admin)} == {"zhangsan", "lisi", "zhaoliu", "wangwu"}
        assert roles.team(session, rep) == []
        assert roles.may_see(session, manager, "zhaoliu") and not roles.may_see(session, rep, "lisi")
    assert answer(services, clock, "wangwu", text="赵六的业绩").startswith("【赵六")  # was: no 赵六 in your team


def test_help_lists_only_what_the_member_may_run(services, clock):
    assert "目标 张三 12月 50万" in answer(services, clock, "wangwu", text="帮助")
    assert "目标 张三 12月 50万" not in answer(services, clock, "zhangsan", text="帮助")


def test_a_handler_for_a_kind_no_parser_produces_fails_at_start():
    typo = Router("typo")
    typo.on("event/change_external_contact/add_externl_contact")(lambda event, ctx: None)
    with pytest.raises(ValueError, match="add_externl_contact"):
        Router.root(typo)
    assert build_router().handlers_for(Kind.TEXT) == [COMMANDS.dispatch]


def test_the_command_table_covers_every_intent_the_parser_knows():
    assert set(COMMANDS.specs) == set(Intent)


def _viewer(services, userid):
    with services.store.transaction() as session:
        return roles.viewer(session, userid, admins=services.settings.admins)
