"""`scrm chat`: the command and its options only; the session is bot/chat.py (imported when it runs)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click


@click.command()
@click.option("--as", "userid", required=True, metavar="USERID", help="the member you type as, e.g. zhangsan")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="the chat's SQLite file, kept between sessions [default: ~/.cache/wecom-scrm/chat.db]",
)
@click.option("--fresh", is_flag=True, help="start over: delete the chat's database first")
def chat(userid: str, db: Path | None, fresh: bool) -> None:
    """Chat with the bot as a member, through the local WeCom stand-in (no .env needed).

    Each line goes to a real `scrm serve` as an encrypted callback; the bot's messages to the member are
    printed as they arrive. Works with piped input: `printf '今天跟进谁\\n' | scrm chat --as zhangsan`.
    """
    logging.getLogger().setLevel(logging.WARNING)  # the conversation is the output
    from bot.chat import main

    sys.exit(main(userid, db, fresh))
