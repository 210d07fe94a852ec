"""`scrm chat --as USERID` as a person runs it: the real command in a subprocess, input piped, a fresh home
with no .env. It starts the stand-in and `scrm serve` itself; replies are the bot's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

RUN_TIMEOUT = 150  # seconds for one session: boot (~10 s), a few replies, shutdown (~8 s), on a busy machine


def chat(home: Path, *args: str, lines: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """`printf 'LINES' | scrm chat ARGS` with HOME and the working directory at `home`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WECOM_", "SCRM_", "DATABASE_URL", "REDIS_URL", "PROMETHEUS_"))
    }
    env["HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", *args],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=home,
        env=env,
        timeout=RUN_TIMEOUT,
    )


def replies(done: subprocess.CompletedProcess) -> dict[str, str]:
    """What the rep typed -> the bot's answer (all its lines), from the transcript."""
    found, said = {}, None
    for line in done.stdout.splitlines()[1:]:  # the first line is the banner
        if line.startswith("张三："):
            said = line.removeprefix("张三：")
            found[said] = ""
        elif said is not None:
            found[said] += line.removeprefix("销售助手：").strip() + "\n"
    return found


@pytest.mark.timeout(3 * RUN_TIMEOUT + 30)
def test_a_follow_up_logged_in_one_session_is_there_in_the_next_until_fresh(tmp_path):
    # Given a fresh machine: no .env, no configuration, nothing in the cache
    assert not (tmp_path / ".env").exists()

    # When 张三 logs a follow-up and asks for today's list
    first = chat(
        tmp_path, "--as", "zhangsan", lines=("跟进 张建国 电话沟通了报价，客户嫌贵 明天下午3点回访", "今天跟进谁")
    )

    # Then each line got the bot's answer, after a banner naming who is typing and their customers
    assert first.returncode == 0, first.stderr
    banner = first.stdout.splitlines()[0]
    assert "张三" in banner and "张建国" in banner and "exit" in banner
    answers = replies(first)
    assert answers["跟进 张建国 电话沟通了报价，客户嫌贵 明天下午3点回访"].startswith("✅ 已记录：张建国（电话）")
    assert "回访" in answers["跟进 张建国 电话沟通了报价，客户嫌贵 明天下午3点回访"]
    assert "今天" in answers["今天跟进谁"] and "跟进" in answers["今天跟进谁"]
    assert (tmp_path / ".cache" / "wecom-scrm" / "chat.db").exists()

    # When a second session asks about the customer, then types exit and more
    second = chat(tmp_path, "--as", "zhangsan", lines=("查 张建国", "exit", "帮助"))

    # Then the follow-up from the first session is on the card, and nothing after exit was sent
    assert second.returncode == 0, second.stderr
    card = replies(second)["查 张建国"]
    assert "电话沟通了报价" in card and "回访" in card
    assert "帮助" not in replies(second)

    # When a third session starts with --fresh
    third = chat(tmp_path, "--as", "zhangsan", "--fresh", lines=("查 张建国",))

    # Then it starts over: the customer is there (from the stand-in's corp), the follow-up is not
    assert third.returncode == 0, third.stderr
    card = replies(third)["查 张建国"]
    assert "张建国" in card and "电话沟通了报价" not in card


def test_an_unknown_userid_fails_with_one_line_naming_valid_ones(tmp_path):
    done = chat(tmp_path, "--as", "nobody", lines=("帮助",))

    assert done.returncode != 0
    assert done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert "nobody" in line and "zhangsan" in line
