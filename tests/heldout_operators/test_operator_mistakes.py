"""Held-out operator tests for the `scrm` CLI (issue 12: every mistake gets one clear line and changes nothing).

Written blind on 2026-12-01, before the implementation, from the issue text, README.md, .env.example,
pyproject.toml and the CLI's own `--help` screens only: nothing under bot/, scrm/, handlers/, jobs/ or the
existing tests was read. They describe what an operator expects in their first hour, and are run against
code written afterwards; their pass rate is reported as it is.

Every case drives the real CLI as a subprocess (`python -m bot ...`) with an environment built from
scratch (PATH, HOME=tmp_path and only the variables the case needs), in cwd=tmp_path so no stray .env is
read, on a fresh SQLite file under tmp_path. Wording is the implementers' choice: the checks match the
culprit loosely (a setting name, a key, a path or an id, case-insensitive), never a sentence.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRM = [sys.executable, "-m", "bot"]
TIMEOUT = 60  # every subprocess gets one
START_LIMIT = 20  # a process that should refuse to start must be gone by then

# Valid WeCom settings, so a case that is about something else fails only for that something else.
# The API base points at a closed local port: nothing here may ever reach the real WeCom.
WECOM = {
    "WECOM_CORP_ID": "ww0123456789abcdef",
    "WECOM_AGENT_ID": "1000002",
    "WECOM_AGENT_SECRET": "heldoutsecret",
    "WECOM_TOKEN": "heldouttoken",
    "WECOM_ENCODING_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "WECOM_API_BASE": "http://127.0.0.1:9",
}

GOOD_RULES = """\
channel:
  - state: "expo2026*"
    group: 渠道
    tag: 展会
keyword:
  - words: [制造, 工厂]
    group: 行业
    tag: 制造
"""


# --------------------------------------------------------------------------------------------- helpers


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONPATH": str(REPO),
    }
    env.update(extra)
    return env


def full_env(tmp_path: Path, db_url: str, **extra: str) -> dict[str, str]:
    return base_env(tmp_path, DATABASE_URL=db_url, **WECOM, **extra)


def scrm(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SCRM, *args],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=TIMEOUT,
    )


def nonblank(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def assert_ok(p: subprocess.CompletedProcess[str]) -> None:
    assert p.returncode == 0, f"exit {p.returncode} for a valid operation:\n{p.stdout}"
    assert "Traceback" not in p.stdout, p.stdout


def assert_mistake(p: subprocess.CompletedProcess[str], *culprits: str) -> None:
    """Non-zero exit, one short message (no traceback) that names one of the culprits."""
    out = p.stdout
    assert p.returncode != 0, f"exit 0 for a mistake:\n{out}"
    assert "Traceback" not in out, out
    lines = nonblank(out)
    assert 1 <= len(lines) <= 3, f"expected one short message, got {len(lines)} lines:\n{out}"
    low = out.casefold()
    assert any(c.casefold() in low for c in culprits), f"message names none of {culprits}:\n{out}"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def listing(tmp_path: Path, db_url: str) -> str:
    p = scrm(tmp_path, full_env(tmp_path, db_url), "rules", "list")
    assert_ok(p)
    return p.stdout


def run_briefly(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int | None, str]:
    """Start a long-running command; return (exit code or None if still running after START_LIMIT, output)."""
    log = tmp_path / "process.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [*SCRM, *args],
            env=env,
            cwd=tmp_path,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            rc: int | None = proc.wait(timeout=START_LIMIT)
        except subprocess.TimeoutExpired:
            rc = None
        finally:
            stop(proc)
    return rc, log.read_text(encoding="utf-8", errors="replace")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=TIMEOUT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


# -------------------------------------------------------------------------------------------- fixtures


def copy_db(src: Path, dst: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{src}{suffix}").exists():
            shutil.copy(f"{src}{suffix}", f"{dst}{suffix}")
    return sqlite_url(dst)


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> tuple[Path, Path, str]:
    """Made once: a migrated database, and one with two rules loaded plus its `rules list`.

    Each case works on its own copy, so that a case costs one or two CLI runs, not four.
    """
    home = tmp_path_factory.mktemp("templates")
    migrated = home / "migrated.db"
    assert_ok(scrm(home, base_env(home, DATABASE_URL=sqlite_url(migrated)), "db", "upgrade"))
    seeded = home / "seeded.db"
    url = copy_db(migrated, seeded)
    (home / "good.yaml").write_text(GOOD_RULES, encoding="utf-8")
    assert_ok(scrm(home, full_env(home, url), "rules", "load", "good.yaml"))
    shown = listing(home, url)
    assert "expo2026*" in shown
    return migrated, seeded, shown


@pytest.fixture
def db(tmp_path: Path, templates) -> str:
    """A migrated SQLite database of this case's own (README: `scrm db upgrade` with DATABASE_URL set)."""
    return copy_db(templates[0], tmp_path / "scrm.db")


@pytest.fixture
def seeded_db(tmp_path: Path, templates) -> tuple[str, str]:
    """This case's own database with two rules loaded, and `rules list` as it shows them."""
    return copy_db(templates[1], tmp_path / "scrm.db"), templates[2]


def load_bad(tmp_path: Path, db: str, name: str, content: str | bytes, replace: bool):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    args = ["rules", "load", *(["--replace"] if replace else []), name]
    return scrm(tmp_path, full_env(tmp_path, db), *args)


# ------------------------------------------------------------------------------------------ rules files


def test_rules_file_valid_yaml_loads_and_lists(tmp_path, db):
    (tmp_path / "good.yaml").write_text(GOOD_RULES, encoding="utf-8")
    assert_ok(scrm(tmp_path, full_env(tmp_path, db), "rules", "load", "good.yaml"))
    out = listing(tmp_path, db)
    assert "expo2026*" in out and "展会" in out and "制造" in out


def test_rules_file_valid_toml_loads_and_lists(tmp_path, db):
    (tmp_path / "good.toml").write_text(
        '[[channel]]\nstate = "expo2026*"\ngroup = "渠道"\ntag = "展会"\n\n'
        '[[keyword]]\nwords = ["制造", "工厂"]\ngroup = "行业"\ntag = "制造"\n',
        encoding="utf-8",
    )
    assert_ok(scrm(tmp_path, full_env(tmp_path, db), "rules", "load", "--replace", "good.toml"))
    out = listing(tmp_path, db)
    assert "expo2026*" in out and "展会" in out


def test_rules_misspelled_top_level_key_with_replace_refused_and_keeps_rules(tmp_path, seeded_db):
    db, seeded = seeded_db
    p = load_bad(tmp_path, db, "typo.yaml", GOOD_RULES.replace("channel:", "channels:"), replace=True)
    assert_mistake(p, "channels", "line 1")
    assert listing(tmp_path, db) == seeded


def test_rules_misspelled_top_level_key_without_replace_refused(tmp_path, seeded_db):
    db, seeded = seeded_db
    p = load_bad(tmp_path, db, "typo.yaml", GOOD_RULES.replace("channel:", "channels:"), replace=False)
    assert_mistake(p, "channels", "line 1")
    assert listing(tmp_path, db) == seeded


def test_rules_section_of_wrong_type_refused_and_keeps_rules(tmp_path, seeded_db):
    db, seeded = seeded_db
    p = load_bad(tmp_path, db, "num.yaml", "channel: 5\n", replace=True)
    assert_mistake(p, "channel", "line 1")
    assert listing(tmp_path, db) == seeded


def test_rules_entry_field_of_wrong_type_refused(tmp_path, seeded_db):
    db, seeded = seeded_db
    bad = GOOD_RULES.replace("words: [制造, 工厂]", "words: {制造: 1}")
    p = load_bad(tmp_path, db, "wordsmap.yaml", bad, replace=False)
    assert_mistake(p, "words", "line 6")
    assert listing(tmp_path, db) == seeded


def test_rules_file_not_utf8_refused_and_keeps_rules(tmp_path, seeded_db):
    db, seeded = seeded_db
    gbk = "channel:\n  - state: expo\n    group: 渠道\n    tag: 展会\n".encode("gbk")
    p = load_bad(tmp_path, db, "gbk.yaml", gbk, replace=True)
    assert_mistake(p, "gbk.yaml", "utf", "encod", "编码")
    assert listing(tmp_path, db) == seeded


def test_rules_unknown_key_in_entry_refused_and_keeps_rules(tmp_path, seeded_db):
    db, seeded = seeded_db
    bad = GOOD_RULES.replace("    tag: 展会\n", "    tag: 展会\n    colour: red\n")
    p = load_bad(tmp_path, db, "colour.yaml", bad, replace=True)
    assert_mistake(p, "colour", "line 5")
    assert listing(tmp_path, db) == seeded


def test_rules_entry_missing_tag_refused_nothing_loaded(tmp_path, seeded_db):
    db, seeded = seeded_db
    bad = GOOD_RULES.replace("    tag: 制造\n", "")
    p = load_bad(tmp_path, db, "notag.yaml", bad, replace=False)
    assert_mistake(p, "tag")
    assert listing(tmp_path, db) == seeded  # all or nothing: the valid channel entry is not added either


def test_rules_invalid_yaml_refused_in_one_line_and_keeps_rules(tmp_path, seeded_db):
    db, seeded = seeded_db
    bad = 'channel:\n  - state: "expo2026*\n    group: [渠道\n'
    p = load_bad(tmp_path, db, "broken.yaml", bad, replace=True)
    assert_mistake(p, "broken.yaml", "line")
    assert listing(tmp_path, db) == seeded


def test_rules_load_missing_file_names_it(tmp_path, seeded_db):
    db, seeded = seeded_db
    p = scrm(tmp_path, full_env(tmp_path, db), "rules", "load", "--replace", "nosuchfile.yaml")
    assert_mistake(p, "nosuchfile.yaml")
    assert listing(tmp_path, db) == seeded


def test_rules_add_tag_without_colon_says_group_colon_tag(tmp_path, seeded_db):
    db, seeded = seeded_db
    p = scrm(tmp_path, full_env(tmp_path, db), "rules", "add", "channel", "x*", "nocolon")
    assert_mistake(p, "nocolon", ":", "：", "colon", "冒号", "组")
    text = p.stdout.casefold().replace("error:", "").replace("错误：", "").replace("错误:", "")
    assert any(c in text for c in (":", "：", "colon", "冒号")), f"does not say GROUP:TAG:\n{p.stdout}"
    assert listing(tmp_path, db) == seeded


def test_rules_add_duplicate_refused(tmp_path, db):
    env = full_env(tmp_path, db)
    assert_ok(scrm(tmp_path, env, "rules", "add", "channel", "dup2026*", "渠道:展会"))
    before = listing(tmp_path, db)
    p = scrm(tmp_path, env, "rules", "add", "channel", "dup2026*", "渠道:展会")
    assert_mistake(p, "dup2026", "#", "exist", "already", "已", "重复", "duplicate")
    assert listing(tmp_path, db) == before
    assert before.count("dup2026*") == 1


def test_rules_remove_missing_id_is_an_error(tmp_path, seeded_db):
    db, seeded = seeded_db
    p = scrm(tmp_path, full_env(tmp_path, db), "rules", "remove", "424242")
    assert_mistake(p, "424242")
    assert listing(tmp_path, db) == seeded


# ------------------------------------------------------------------------------------ database settings


def test_database_url_unknown_scheme_names_the_setting(tmp_path):
    p = scrm(tmp_path, full_env(tmp_path, "foo://bar"), "rules", "list")
    assert_mistake(p, "DATABASE_URL", "foo://")


def test_database_url_sqlite_in_missing_folder_names_it_and_creates_nothing(tmp_path):
    url = sqlite_url(tmp_path / "nofolder" / "scrm.db")
    p = scrm(tmp_path, full_env(tmp_path, url), "rules", "list")
    assert_mistake(p, "DATABASE_URL", "nofolder")
    assert not (tmp_path / "nofolder").exists()


def test_database_url_sqlite_in_missing_folder_db_upgrade_refused(tmp_path):
    url = sqlite_url(tmp_path / "nofolder" / "scrm.db")
    p = scrm(tmp_path, base_env(tmp_path, DATABASE_URL=url), "db", "upgrade")
    assert_mistake(p, "DATABASE_URL", "nofolder")
    assert not (tmp_path / "nofolder").exists()


def test_postgresql_on_closed_port_is_one_line(tmp_path):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/test"
    p = scrm(tmp_path, full_env(tmp_path, url), "rules", "list")
    assert_mistake(p, "DATABASE_URL", "127.0.0.1", "port", "端口")


def test_postgres_scheme_accepted_as_postgresql(tmp_path):
    # postgres:// (Heroku-style) must be read as PostgreSQL: on a closed port the answer is a connection
    # error, not an unknown scheme, dialect or driver.
    p = scrm(tmp_path, full_env(tmp_path, "postgres://postgres@127.0.0.1:1/test"), "rules", "list")
    assert_mistake(p, "DATABASE_URL", "127.0.0.1", "connect", "连接", "refused")
    low = p.stdout.casefold()
    for wrong in ("scheme", "dialect", "plugin", "psycopg2", "no module"):
        assert wrong not in low, p.stdout


def test_plain_postgresql_scheme_uses_the_installed_driver(tmp_path):
    p = scrm(tmp_path, full_env(tmp_path, "postgresql://postgres@127.0.0.1:1/test"), "rules", "list")
    assert_mistake(p, "DATABASE_URL", "127.0.0.1", "connect", "连接", "refused")
    low = p.stdout.casefold()
    for wrong in ("scheme", "dialect", "plugin", "psycopg2", "no module"):
        assert wrong not in low, p.stdout


@pytest.mark.skipif(not postgres_up(), reason="no PostgreSQL on 127.0.0.1:5432")
def test_postgresql_database_that_does_not_exist_is_one_line(tmp_path):
    # Only a connection attempt: nothing is created or migrated on the shared server.
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/scrm_heldout_no_such_db"
    p = scrm(tmp_path, full_env(tmp_path, url), "rules", "list")
    assert_mistake(p, "scrm_heldout_no_such_db", "DATABASE_URL")


def test_unmigrated_database_rules_list_says_db_upgrade(tmp_path):
    url = sqlite_url(tmp_path / "fresh.db")
    p = scrm(tmp_path, full_env(tmp_path, url), "rules", "list")
    assert_mistake(p, "db upgrade")


def test_unmigrated_database_inbox_list_says_db_upgrade(tmp_path):
    url = sqlite_url(tmp_path / "fresh.db")
    p = scrm(tmp_path, full_env(tmp_path, url), "inbox", "list")
    assert_mistake(p, "db upgrade")


def test_database_behind_its_migrations_says_db_upgrade(tmp_path):
    url = sqlite_url(tmp_path / "old.db")
    assert_ok(scrm(tmp_path, base_env(tmp_path, DATABASE_URL=url), "db", "upgrade", "--revision", "0001"))
    p = scrm(tmp_path, full_env(tmp_path, url), "rules", "list")
    assert_mistake(p, "db upgrade")


def test_unmigrated_database_worker_refuses_to_start(tmp_path):
    url = sqlite_url(tmp_path / "fresh.db")
    rc, out = run_briefly(tmp_path, full_env(tmp_path, url), "worker")
    assert rc is not None, f"the worker started on an unmigrated database:\n{out}"
    assert rc != 0, out
    assert "Traceback" not in out, out
    assert "db upgrade" in out, out


def test_unmigrated_database_serve_refuses_or_healthz_503(tmp_path):
    url = sqlite_url(tmp_path / "fresh.db")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [*SCRM, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=full_env(tmp_path, url),
            cwd=tmp_path,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + START_LIMIT
            verdict = None
            while verdict is None and time.monotonic() < deadline:
                try:
                    proc.wait(timeout=0.3)
                    verdict = ("exited", proc.returncode)
                    break
                except subprocess.TimeoutExpired:
                    pass
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as r:
                        verdict = ("http", r.status)
                except urllib.error.HTTPError as e:
                    verdict = ("http", e.code)
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    continue
        finally:
            stop(proc)
    out = log.read_text(encoding="utf-8", errors="replace")
    assert verdict is not None, f"serve neither refused nor answered /healthz within {START_LIMIT}s:\n{out}"
    if verdict[0] == "exited":
        assert verdict[1] != 0, out
        assert "Traceback" not in out, out
        assert "db upgrade" in out, out
    else:
        assert verdict[1] == 503, f"/healthz answered {verdict[1]} on an unmigrated database:\n{out}"


# ----------------------------------------------------------------------------------- other settings


def test_log_level_invalid_names_the_setting(tmp_path, db):
    p = scrm(tmp_path, full_env(tmp_path, db, SCRM_LOG_LEVEL="LOUD"), "rules", "list")
    assert_mistake(p, "SCRM_LOG_LEVEL", "log_level", "log level", "log-level")


def test_redis_url_invalid_worker_refuses_with_one_line(tmp_path, db):
    rc, out = run_briefly(tmp_path, full_env(tmp_path, db, REDIS_URL="notredis"), "worker")
    assert rc is not None, f"the worker started with REDIS_URL=notredis:\n{out}"
    assert rc != 0, out
    assert "Traceback" not in out, out
    assert len(nonblank(out)) <= 3, out
    assert "redis_url" in out.casefold(), out


def test_database_only_command_needs_only_database_url(tmp_path, db):
    p = scrm(tmp_path, base_env(tmp_path, DATABASE_URL=db), "rules", "list")
    assert_ok(p)
    assert "WECOM" not in p.stdout


def test_env_example_copied_as_is_works(tmp_path):
    shutil.copy(REPO / ".env.example", tmp_path / ".env")
    env = base_env(tmp_path)
    assert_ok(scrm(tmp_path, env, "db", "upgrade"))
    assert_ok(scrm(tmp_path, env, "rules", "list"))


def test_scrm_env_file_is_honoured(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    target = tmp_path / "elsewhere.db"
    (conf / "prod.env").write_text(f"DATABASE_URL={sqlite_url(target)}\n", encoding="utf-8")
    env = base_env(tmp_path, SCRM_ENV_FILE=str(conf / "prod.env"))
    assert_ok(scrm(tmp_path, env, "db", "upgrade"))
    assert target.exists(), "db upgrade did not use the DATABASE_URL of SCRM_ENV_FILE"
    assert_ok(scrm(tmp_path, env, "rules", "list"))


def test_scrm_env_file_missing_is_named(tmp_path, db):
    env = base_env(tmp_path, DATABASE_URL=db, SCRM_ENV_FILE=str(tmp_path / "missing.env"))
    p = scrm(tmp_path, env, "rules", "list")
    assert_mistake(p, "SCRM_ENV_FILE", "missing.env")


# ------------------------------------------------------------------------------------------- triage


def test_inbox_replay_missing_id_is_an_error(tmp_path, db):
    p = scrm(tmp_path, full_env(tmp_path, db), "inbox", "replay", "424242")
    assert_mistake(p, "424242")


def test_outbox_replay_missing_id_is_an_error(tmp_path, db):
    p = scrm(tmp_path, full_env(tmp_path, db), "outbox", "replay", "424242")
    assert_mistake(p, "424242")


def test_inbox_list_unknown_status_names_it(tmp_path, db):
    p = scrm(tmp_path, full_env(tmp_path, db), "inbox", "list", "--status", "bogus")
    assert_mistake(p, "bogus")


def test_outbox_list_unknown_status_names_it(tmp_path, db):
    p = scrm(tmp_path, full_env(tmp_path, db), "outbox", "list", "--status", "bogus")
    assert_mistake(p, "bogus")


def test_outbox_list_empty_says_so(tmp_path, db):
    p = scrm(tmp_path, full_env(tmp_path, db), "outbox", "list")
    assert_ok(p)
    assert nonblank(p.stdout), "an empty outbox list printed nothing"


def test_inbox_list_empty_says_so(tmp_path, db):
    p = scrm(tmp_path, full_env(tmp_path, db), "inbox", "list")
    assert_ok(p)
    assert nonblank(p.stdout), "an empty inbox list printed nothing"


def test_outbox_show_missing_id_is_an_error(tmp_path, db):
    p = scrm(tmp_path, full_env(tmp_path, db), "outbox", "show", "424242")
    assert_mistake(p, "424242")


def test_db_upgrade_prints_no_third_party_noise(tmp_path):
    url = sqlite_url(tmp_path / "quiet.db")
    p = scrm(tmp_path, base_env(tmp_path, DATABASE_URL=url), "db", "upgrade")
    assert_ok(p)
    noisy = [
        line
        for line in p.stdout.splitlines()
        if "INFO" in line or "alembic" in line.casefold() or "setup plugin" in line
    ]
    assert not noisy, "\n".join(noisy)


def test_cli_commands_print_no_info_log_lines(tmp_path, db):
    env = full_env(tmp_path, db)
    for args in (("rules", "list"), ("outbox", "list"), ("inbox", "list")):
        p = scrm(tmp_path, env, *args)
        assert_ok(p)
        assert not [line for line in p.stdout.splitlines() if " INFO " in line], p.stdout


def test_chat_command_takes_as_userid(tmp_path):
    p = scrm(tmp_path, base_env(tmp_path), "chat", "--help")
    assert_ok(p)
    assert "--as" in p.stdout
