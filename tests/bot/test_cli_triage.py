"""Triage from the CLI: `scrm inbox|outbox list|show|replay` show WeCom's answer, refuse what they cannot do,
and align Chinese; `scrm customer show` gives a won deal's amount."""

from __future__ import annotations

import shutil
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.table import cut, render, width
from scrm import deals, inbox
from scrm.funnel import WON
from scrm.models import Customer, InboxEvent
from scrm.outbox import AppText, Outbox, WebhookMarkdown, Welcome

ROBOT_KEY = "standin-webhook-key"  # the stand-in's robot


@pytest.fixture
def database(sqlite_template, tmp_path):
    """SQLite only: the stores' queries are covered on both databases elsewhere."""
    path = tmp_path / "triage.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}", None


@pytest.fixture
def redis_url():
    return None


@pytest.fixture
def scrm(database):
    """Runs `scrm ARGS…` on the test's database, as an operator would."""
    env = {
        "WECOM_CORP_ID": "ww1",
        "WECOM_AGENT_ID": "1000002",
        "WECOM_AGENT_SECRET": "s",
        "WECOM_TOKEN": "t",
        "WECOM_ENCODING_AES_KEY": "a" * 43,
        "DATABASE_URL": database[0],
        "REDIS_URL": "",
    }
    return lambda *args: CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def refused(services, standin):
    """Three messages the real sender took to the stand-in: a stale welcome code (41050), a text to no one
    (81013), a robot message that went (sent)."""
    with services.store.transaction() as session:
        box = Outbox(session, services.clock.now())
        box.add(Welcome(welcome_code="WCnope", text="您好"), key="welcome:WCnope")
        box.add(AppText(to=("nobody-here",), text="提醒"), key="reminder:1")
        box.add(WebhookMarkdown(webhook_key=ROBOT_KEY, content="日报"), key="digest:1")
    services.sender.run_pending()


def at(line: str, column: int) -> str:
    """What `line` shows from display column `column` on (a Chinese character takes two)."""
    for n in range(len(line) + 1):
        if width(line[:n]) >= column:
            return line[n:]
    return ""


def aligned(header: str, rows: list[str], name: str) -> list[str]:
    """Each row's text from where the header's `name` column starts."""
    column = width(header[: header.index(name)])
    assert all(row[: len(at(row, 0)) - len(at(row, column))].endswith("  ") for row in rows)  # a gap before it
    return [at(row, column) for row in rows]


def test_outbox_list_shows_wecoms_answer_beside_each_dead_row(scrm, refused):
    result = scrm("outbox", "list")
    assert result.exit_code == 0, result.output
    counts, header, *rows = result.output.splitlines()
    assert counts == "dead=2 sent=1"
    assert header.split() == [
        "id",
        "status",
        "channel",
        "to",
        "tries",
        "age",
        "/",
        "next",
        "last",
        "error",
        "or",
        "WeCom's",
        "answer",
    ]
    assert [row.split()[:5] for row in rows] == [
        ["#2", "dead", "app", "user", "nobody-here"],
        ["#1", "dead", "welcome", "new", "customer"],
    ]  # newest first
    assert rows[0].endswith(" 81013 user & party & tag all invalid")
    assert rows[1].endswith(" 41050 invalid welcome code")
    assert [cell.split()[0] for cell in aligned(header, rows, "tries")] == ["1", "1"]
    sent = scrm("outbox", "list", "--status", "sent").output
    assert "robot …-key" in sent and " 0 ok" in sent and ROBOT_KEY not in sent


def test_outbox_show_prints_the_whole_row_and_masks_a_robot_key(scrm, refused):
    shown = scrm("outbox", "show", "1")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].split() == ["id", "1"]
    assert ["status", "dead"] in [line.split() for line in lines] and ["errcode", "41050"] in [
        line.split() for line in lines
    ]
    assert '"welcome_code": "WCnope",\n  "text": "您好"' in shown.output  # JSON, Chinese as it is
    assert "last_error:\nbot.wecom.Refused: WeCom errcode 41050: invalid welcome code, hint: [" in shown.output
    robot = scrm("outbox", "show", "3").output
    assert '"webhook_key": "…-key"' in robot and ROBOT_KEY not in robot and "last_error: -" in robot
    assert ["response", '{"errmsg": "ok"}'] in [line.split(maxsplit=1) for line in robot.splitlines()]


def test_missing_ids_and_rows_that_cannot_be_replayed_are_refused_and_change_nothing(scrm, refused, store):
    for args, message in (
        (("outbox", "show", "99"), "no outbox row #99"),
        (("inbox", "show", "42"), "no inbox row #42"),
        (("inbox", "replay", "42"), "no inbox row #42; nothing replayed"),
        (("outbox", "replay", "3"), "#3 is sent: only failed and dead rows can be replayed"),
    ):
        result = scrm(*args)
        assert result.exit_code == 1 and message in result.output, result.output
    assert scrm("outbox", "replay", "1", "--all").exit_code == 2
    assert scrm("outbox", "list", "--status", "dead,sent,pending").output.startswith("dead=2 sent=1\n")
    replayed = scrm("outbox", "replay", "1")
    assert replayed.exit_code == 0 and "1 queued again" in replayed.output
    assert scrm("outbox", "list").output.splitlines()[0] == "dead=1 pending=1 sent=1"


def test_a_bogus_status_names_itself_and_the_real_ones(scrm):
    result = scrm("outbox", "list", "--status", "dead,bogus")
    assert result.exit_code == 2
    assert (
        "'bogus' is not a status of the outbox; it has pending, processing, sent, failed, dead, expired"
        in result.output
    )
    inbox_result = scrm("inbox", "list", "--status", "sent")
    assert inbox_result.exit_code == 2 and "it has pending, processing, done, failed, dead" in inbox_result.output


def test_an_empty_queue_says_so_in_one_line(scrm):
    assert scrm("inbox", "list").output == "the inbox is empty\nnothing failed or dead in the inbox\n"
    nothing = scrm("inbox", "replay", "--all")
    assert nothing.exit_code == 0 and nothing.output == "nothing to replay: no failed or dead rows in the inbox\n"


def test_inbox_list_aligns_chinese_kinds_and_says_how_many_more_there_are(scrm, store, clock):
    with store.transaction() as session:
        for n, kind in enumerate(("text", "文本消息", "event/enter_agent")):
            inbox.add(session, dedup_key=f"k{n}", kind=kind, payload={"Content": "你好"}, now=clock.now())
    with store.transaction() as session:
        session.exec(
            InboxEvent.__table__.update().values(
                status="dead", attempts=5, last_error="RuntimeError: 客户「张总」不存在\nTraceback …"
            )
        )
    result = scrm("inbox", "list", "--limit", "2")
    assert result.exit_code == 0, result.output
    counts, header, *rows, more = result.output.splitlines()
    assert [row.split()[:3] for row in rows] == [["#3", "dead", "event/enter_agent"], ["#2", "dead", "文本消息"]]
    assert [cell.split()[::2][:2] for cell in aligned(header, rows, "tries")] == [["5", "ago"]] * 2  # 5  0s ago
    assert rows[1].endswith("  RuntimeError: 客户「张总」不存在")
    assert more == "… and 1 older (--limit 3 to list them)"
    shown = scrm("inbox", "show", "2").output
    assert '"Content": "你好"' in shown and shown.endswith("RuntimeError: 客户「张总」不存在\nTraceback …\n")


def test_render_pads_by_display_width():
    lines = render([("张三", "1"), ("zhangsan", "2")], header=("rep", "n"))
    assert lines == ["rep       n", "张三      1", "zhangsan  2"]
    assert render([]) == []
    assert cut("客户「张总」不存在", 9) == "客户「张…" and width(cut("客户「张总」不存在", 9)) == 9
    assert cut("boom", 4) == "boom"


def test_customer_show_gives_a_won_deals_amount_and_closing_day(scrm, store, clock):
    with store.transaction() as session:
        session.add(
            Customer(
                external_userid="wmChen",
                name="陈志强",
                corp_name="华为",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
        deal = deals.open_deal(
            session, external_userid="wmChen", userid="zhangsan", first_stage="初次接触", now=clock.now()
        )
        deals.close(session, deal, won=True, amount=Decimal("128000"), note="", userid="zhangsan", now=clock.now())
    result = scrm("customer", "show", "wmChen")
    assert result.exit_code == 0, result.output
    day = clock.now().astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"deal #1 {WON} won 12.8万, closed {day:%Y-%m-%d} (zhangsan)" in result.output


def test_outbox_list_shows_a_paused_rows_next_try_and_a_used_welcome_codes_answer(scrm, services, standin):
    code = standin.issue_welcome_code("zhangsan", "wmCust0001")
    with services.store.transaction() as session:
        box = Outbox(session, services.clock.now())
        box.add(Welcome(welcome_code=code, text="您好"), key="welcome:1")
        box.add(Welcome(welcome_code=code, text="您好"), key="welcome:2")  # another app got the same code
        box.add(AppText(to=("zhangsan", "lisi"), text="提醒"), key="reminder:1")
    standin.fail_next("message/send", errcode=42001, times=50)
    services.sender.run_pending()
    listed = scrm("outbox", "list", "--status", "pending,sent").output.splitlines()
    assert listed[0] == "pending=1 sent=2"
    assert listed[2].split()[:8] == ["#3", "pending", "app", "2", "users", "0", "next", "in"]
    assert " 42001 " in listed[2] and "hint" not in listed[2]
    assert listed[3].startswith("#2  sent") and " 41051 " in listed[3] and "hint" not in listed[3]
    assert listed[4].startswith("#1  sent") and listed[4].endswith(" 0 ok")
