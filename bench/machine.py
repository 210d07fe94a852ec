"""The facts a benchmark result is recorded with: date, CPU, Python and the tools' versions."""

from __future__ import annotations

import datetime
import os
import platform
import sqlite3
import subprocess

from sqlalchemy import create_engine, text

from bench.servers import POSTGRES_URL


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


def describe_machine() -> str:
    from gunicorn import __version__ as gunicorn_version

    wrk = (_run("wrk", "-v").splitlines() or ["wrk ?"])[0].split(" [")[0]
    return (f"date {datetime.date.today().isoformat()}; nproc {os.cpu_count()}; CPU {_cpu_model()}; "
            f"Python {platform.python_version()}; gunicorn {gunicorn_version}; {wrk}; "
            f"SQLite {sqlite3.sqlite_version}; PostgreSQL {_postgres_version()}")
