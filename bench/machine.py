"""The facts a benchmark result is recorded with: date, CPU, Python and the tools' versions."""

from __future__ import annotations

import datetime
import os
import platform
import sqlite3
import subprocess

from sqlalchemy import create_engine, text

from bench.servers import POSTGRES_URL, ROOT


def _run(*command: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
        return done.stdout + done.stderr
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _cpu_model() -> str:
    for line in _run("lscpu").splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _postgres_version() -> str:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar()).split()[0]
    except Exception:
        return "not reachable"
    finally:
        engine.dispose()


def code_version() -> str:
    """The commit measured, and whether the work tree had changes on top (read-only git calls)."""
    commit = _run("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD").strip() or "unknown"
    dirty = _run("git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no").strip()
    return f"code {commit}{' + uncommitted changes' if dirty else ''}"


def describe_machine() -> str:
    from gunicorn import __version__ as gunicorn_version

    wrk = (_run("wrk", "-v").splitlines() or ["wrk ?"])[0].split(" [")[0]
    return (
        f"date {datetime.date.today().isoformat()}; nproc {os.cpu_count()}; CPU {_cpu_model()}; "
        f"Python {platform.python_version()}; gunicorn {gunicorn_version}; {wrk}; "
        f"SQLite {sqlite3.sqlite_version}; PostgreSQL {_postgres_version()}; {code_version()}; {load_average()}"
    )


def load_average() -> str:
    """Other work on the machine skews every figure; the load average says how much there was."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"
