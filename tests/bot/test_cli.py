"""The `scrm` command: start-up errors, the routing table, inbox replay and the demo."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bot.cli import cli
from scrm import inbox


@pytest.fixture
def database(sqlite_template, tmp_path):
    """The CLI is exercised on SQLite; both databases are covered by the end-to-end tests."""
    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}", None


@pytest.fixture
def env(database):
    url, _schema = database
    return {
        "WECOM_CORP_ID": "ww1",
        "WECOM_AGENT_ID": "1000002",
        "WECOM_AGENT_SECRET": "s",
        "WECOM_TOKEN": "t",
        "WECOM_ENCODING_AES_KEY": "a" * 43,
        "DATABASE_URL": url,
        "REDIS_URL": "",
    }


def test_a_malformed_setting_stops_start_up_with_one_clear_line(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["worker"],
        env={
            "WECOM_CORP_ID": "ww1",
            "WECOM_AGENT_ID": "1",
            "WECOM_AGENT_SECRET": "s",
            "WECOM_TOKEN": "t",
            "WECOM_ENCODING_AES_KEY": "a" * 42,
        },
    )
    assert result.exit_code == 2
    assert "WECOM_ENCODING_AES_KEY: must be 43 characters, got 42" in result.output
    assert "Traceback" not in result.output


def test_handlers_prints_the_routing_table_and_the_unhandled_kinds():
    result = CliRunner().invoke(cli, ["handlers"])
    assert result.exit_code == 0
    assert re.search(
        r"event/change_external_contact/add_external_contact +handlers.contacts:on_contact_added", result.output
    )
    assert re.search(r"text: follow_up +handlers.followups:log_follow_up", result.output)
    handled, unhandled = result.output.split("no handler yet:")
    assert "event/change_external_tag/create" in handled
    assert "event/enter_agent" in unhandled


def test_inbox_list_and_replay(env, store, clock):
    with store.transaction() as session:
        inbox.add(session, dedup_key="k", kind="text", payload={}, now=clock.now())
    with store.transaction() as session:
        session.exec(inbox.InboxEvent.__table__.update().values(status="dead", last_error="RuntimeError: boom"))
    runner = CliRunner()
    listed = runner.invoke(cli, ["inbox", "list"], env=env)
    assert listed.exit_code == 0 and "dead=1" in listed.output and "#1  dead    text  0" in listed.output
    replayed = runner.invoke(cli, ["inbox", "replay", "--all"], env=env)
    assert replayed.exit_code == 0 and "1 queued again" in replayed.output
    assert "pending=1" in runner.invoke(cli, ["inbox", "list"], env=env).output


def test_the_demo_plays_its_scene_and_exits_0():
    result = subprocess.run([sys.executable, "-m", "bot", "demo"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "销售助手：我是销售助手" in result.stdout
    assert "陈志强收到（张三发来）：陈总您好，我是张三" in result.stdout  # greeted as the rep saved him
    assert "收到 2 次，存 1 行，处理 1 次" in result.stdout
    assert "客户标签：渠道:2026展会、行业:制造业" in result.stdout
    assert "张三收到：⚠️ 客户「陈志强」" in result.stdout and "主管王五收到：⚠️ 流失提醒" in result.stdout
    assert "已记录：陈志强（电话）" in result.stdout and "下次跟进：" in result.stdout
    assert "「张总」可能是下面2位客户" in result.stdout and "🎉 恭喜！陈志强 成交 12.8万" in result.stdout
    assert "陈志强 进入「方案报价」阶段" in result.stdout and "没有找到「吴总」，这条没有记录" in result.stdout


def test_rules_welcome_and_customer_commands(env, store, clock, tmp_path):
    runner = CliRunner()
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "channel:\n  - {state: 'expo*', group: 渠道, tag: 展会}\nkeyword:\n"
        "  - {words: [制造, 工厂], group: 行业, tag: 制造}\n",
        encoding="utf-8",
    )
    assert "loaded 2 rules" in runner.invoke(cli, ["rules", "load", str(rules)], env=env).output
    listed = runner.invoke(cli, ["rules", "list"], env=env).output
    assert "channel  expo*" in listed and "-> 行业:制造" in listed
    bad = tmp_path / "bad.yaml"
    bad.write_text("keyword:\n  - {words: [钢铁], group: 行业}\n", encoding="utf-8")
    refused = runner.invoke(cli, ["rules", "load", str(bad), "--replace"], env=env)
    assert refused.exit_code == 1 and 'bad.yaml: keyword[1]: needs "tag"' in refused.output
    assert "loaded" not in refused.output and "expo*" in runner.invoke(cli, ["rules", "list"], env=env).output

    assert runner.invoke(cli, ["welcome", "set", "expo*", "{客户}您好，我是{销售}"], env=env).exit_code == 0
    typo = runner.invoke(cli, ["welcome", "set", "", "{客人}您好"], env=env)
    assert typo.exit_code == 1 and "unknown placeholder {客人}" in typo.output

    missing = runner.invoke(cli, ["customer", "show", "陈志强"], env=env)
    assert missing.exit_code == 1 and "no customer matches" in missing.output


def test_team_set_list_unset_and_jobs_list_and_run(env, store, clock):
    from scrm import members

    with store.transaction() as session:
        members.sync_directory(
            session,
            [{"id": 2, "name": "华东销售部", "department_leader": ["wangwu"]}],
            [
                {"userid": "wangwu", "name": "王五", "department": [2], "is_leader_in_dept": [1]},
                {"userid": "zhangsan", "name": "张三", "department": [2]},
            ],
            now=clock.now(),
        )
    runner = CliRunner()
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"
    added = runner.invoke(cli, ["team", "set", "华东销售部", "--robot", url], env=env)
    assert added.exit_code == 0, added.output
    assert "#2 华东销售部: robot …5aaa set; a hello message is queued" in added.output
    assert "693a91f6" not in added.output  # the key is a credential
    listed = runner.invoke(cli, ["team", "list"], env=env)
    assert "#2 华东销售部: managers 王五; 1 reps; group robot …5aaa" in listed.output
    for wrong, message in (
        (["team", "set", "西北部", "--robot", "abcdefgh"], "no department '西北部'"),
        (["team", "set", "2", "--robot", "x y"], "a robot key looks like"),
        (["team", "set", "2"], "give one of --robot KEY or --appchat CHATID"),
    ):
        result = runner.invoke(cli, wrong, env=env)
        assert result.exit_code != 0 and message in result.output
    removed = runner.invoke(cli, ["team", "unset", "2"], env=env)
    assert "group chat removed" in removed.output
    jobs = runner.invoke(cli, ["jobs", "list"], env=env)
    assert jobs.exit_code == 0
    assert re.search(r"reminders +\* \* \* \* \* +\d{4}-\d\d-\d\d \d\d:\d\d +never", jobs.output)
    ran = runner.invoke(cli, ["jobs", "run", "escalation", "--at", "2026-12-02T09:30"], env=env)
    assert ran.exit_code == 0
    assert "escalation @ 2026-12-02 09:30:00 Asia/Shanghai: done: 0 overdue follow-ups escalated" in ran.output
    bad = runner.invoke(cli, ["jobs", "run", "reminders", "--at", "tomorrow"], env=env)
    assert bad.exit_code == 2 and "'tomorrow' is not a time like 2026-12-02T15:00" in bad.output
    unknown = runner.invoke(cli, ["jobs", "run", "digest"], env=env)
    assert unknown.exit_code == 2 and "'digest' is not one of" in unknown.output


def test_targets_set_list_and_a_file_that_loads_all_or_nothing(env, store, clock, tmp_path):
    from sqlmodel import select

    from scrm import members
    from scrm.models import Target

    with store.transaction() as session:
        members.sync_directory(
            session,
            [{"id": 2, "name": "华东销售部", "department_leader": ["wangwu"]}],
            [
                {"userid": "wangwu", "name": "王五", "department": [2], "is_leader_in_dept": [1]},
                {"userid": "zhangsan", "name": "张三", "department": [2]},
            ],
            now=clock.now(),
        )
    runner = CliRunner()
    result = runner.invoke(cli, ["targets", "set", "张三", "2026-12", "50万"], env=env)
    assert result.exit_code == 0, result.output
    assert "target set: rep zhangsan won_amount month from 2026-12-01 = 50万" in result.output
    assert runner.invoke(cli, ["targets", "set", "--team", "华东销售部", "2026-12", "200万"], env=env).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- {rep: zhangsan, period: 2027-01, value: 60万}\n- {rep: zhangsan, period: 2027-02, valu: 60万}\n",
        encoding="utf-8",
    )
    refused = runner.invoke(cli, ["targets", "load", str(bad)], env=env)
    assert refused.exit_code == 1
    assert "bad.yaml line 2 (entry 2): value: Field required; valu: Extra inputs are not permitted" in refused.output
    for wrong, message in (
        (["targets", "set", "赵六", "本月", "5万"], "no rep '赵六'"),
        (["targets", "set", "张三", "13月", "5万"], "there is no month 13"),
        (["targets", "set", "张三", "本月", "很多"], "is not a number like 50万"),
    ):
        result = runner.invoke(cli, wrong, env=env)
        assert result.exit_code == 1 and message in result.output, result.output
    with store.transaction() as session:
        assert len(session.exec(select(Target)).all()) == 2  # the bad file changed nothing
    good = tmp_path / "good.yaml"
    good.write_text(
        "- {rep: zhangsan, period: 2027-01, value: 60万}\n- {team: 2, period: 2027-Q1, value: 800万}\n",
        encoding="utf-8",
    )
    assert "loaded 2 targets" in runner.invoke(cli, ["targets", "load", str(good)], env=env).output
    listed = runner.invoke(cli, ["targets", "list"], env=env).output
    assert "month   2026-12-01 rep  zhangsan         won_amount    50万" in listed
    assert "quarter 2027-01-01 team 2                won_amount    800万" in listed


def test_targets_far_from_today_or_absurd_are_refused_in_one_line_and_nothing_is_saved(env, store, clock, tmp_path):
    """Issue 19: the CLI shares the chat's rules. `-50万` was saved as 50万 and 9999-12 as a target."""
    from datetime import date

    from sqlmodel import select

    from scrm import members
    from scrm.models import Target

    with store.transaction() as session:
        members.sync_directory(
            session,
            [{"id": 2, "name": "华东销售部", "department_leader": ["wangwu"]}],
            [{"userid": "zhangsan", "name": "张三", "department": [2]}],
            now=clock.now(),
        )
    first, last = date.today().year - 1, date.today().year + 2  # the CLI reads the system clock
    runner = CliRunner()
    for period, value, message in (
        ("9999-12", "50万", f"'9999-12' is too far from today: targets are for {first}-01 to {last}-12"),
        ("0000-12", "50万", "'0000-12' is too far from today"),
        ("9999-W52", "50万", "is too far from today"),
        ("2026-Q5", "50万", "there is no quarter 5 (Q1 to Q4)"),
        (f"{first + 1}-12", "-50万", "-500000 is not a target: it must be 1 or more"),
        (f"{first + 1}-12", "负50万", "-500000 is not a target: it must be 1 or more"),
        (f"{first + 1}-12", "0元", "0 is not a target: it must be 1 or more"),
        (f"{first + 1}-12", "1e309", "value '1e309' is not a number like 50万 or 500000"),
        (f"{first + 1}-12", "99999999万", "999999990000 is too large for a target: at most 10000000000"),
    ):
        result = runner.invoke(cli, ["targets", "set", "张三", period, value], env=env)
        assert result.exit_code == 1 and message in result.output, (period, value, result.output)
        assert result.output.count("\n") == 1 and "Traceback" not in result.output
    counts = runner.invoke(cli, ["targets", "set", "--metric", "won", "张三", f"{first + 1}-12", "2.5"], env=env)
    assert counts.exit_code == 1 and "2.5 is not a whole number (won counts)" in counts.output
    bad = tmp_path / "far.yaml"
    bad.write_text(
        f"- {{rep: zhangsan, period: {first + 1}-01, value: 60万}}\n"
        "- {rep: zhangsan, period: 9999-W52, value: 60万}\n"
        f"- {{rep: zhangsan, period: {first + 1}-02, value: 1.0e309}}\n",
        encoding="utf-8",
    )
    refused = runner.invoke(cli, ["targets", "load", str(bad)], env=env)
    assert refused.exit_code == 1 and "far.yaml line 2 (entry 2): '9999-W52' is too far from today" in refused.output
    with store.transaction() as session:
        assert session.exec(select(Target)).all() == []  # the good first line was rolled back with the file
    assert runner.invoke(cli, ["targets", "set", "--metric", "won", "张三", f"{last}-12", "5"], env=env).exit_code == 0
    money = runner.invoke(
        cli, ["commission", "set", "--tiers", "100000:3%,:5%", "--bonus", "-2万", "--over", "100万"], env=env
    )
    assert money.exit_code == 2 and "'-2万' is not an amount" in money.output  # was: a bonus of 2万


def test_commission_set_and_show(env):
    runner = CliRunner()
    assert "no commission plan" in runner.invoke(cli, ["commission", "show"], env=env).output
    result = runner.invoke(
        cli, ["commission", "set", "--tiers", "100000:3%,:5%", "--bonus", "2万", "--over", "100万"], env=env
    )
    assert result.exit_code == 0, result.output
    shown = runner.invoke(cli, ["commission", "show"], env=env).output
    assert "0–10万: 3%" in shown and "above 10万: 5%" in shown and "bonus 2万 once a month passes 100万" in shown
    assert "120万 -> 7.8万" in shown
    bad = runner.invoke(cli, ["commission", "set", "--tiers", "100000:3%"], env=env)
    assert bad.exit_code == 2 and "only the last tier may be open" in bad.output
