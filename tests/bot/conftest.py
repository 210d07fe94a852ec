"""Fixtures for running `scrm` in-process."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture
def cli_env(sqlite_template, tmp_path) -> dict[str, str]:
    """Settings for `CliRunner().invoke(cli, …, env=cli_env)` on a fresh SQLite database (the commands call the
    same store functions on PostgreSQL, which the end-to-end tests cover)."""
    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    return {
        "WECOM_CORP_ID": "ww1",
        "WECOM_AGENT_ID": "1000002",
        "WECOM_AGENT_SECRET": "s",
        "WECOM_TOKEN": "t",
        "WECOM_ENCODING_AES_KEY": "a" * 43,
        "DATABASE_URL": f"sqlite:///{path}",
        "REDIS_URL": "",
    }
