"""The `scrm` command. Commands are thin: parse options, call one function, print the result."""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import NoReturn

import click

from bot.cli_admin import register_admin_commands
from bot.cli_chat import chat
from bot.cli_jobs import register_job_commands
from bot.cli_queues import register_queue_commands
from bot.cli_targets import register_commission_commands, register_target_commands
from bot.settings import LOG_LEVELS, ConfigError, DatabaseSettings, LogSettings, Settings, load, load_settings


def _fail(error: ConfigError) -> NoReturn:
    """One line per problem, each naming the setting or the fix; exit 2 and nothing done."""
    lines = str(error).splitlines()
    for line in lines:
        click.echo(f"Error: {line}", err=True)
    if any(line.endswith("is required") for line in lines):
        click.echo(
            "Error: set them in the environment or in .env (SCRM_ENV_FILE names another file); "
            ".env.example documents each",
            err=True,
        )
    sys.exit(2)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        _fail(error)


def _services():
    """Everything (the worker, the scheduler, commands that call WeCom), on a store checked to be ready."""
    from bot.app import build, open_store

    settings = _settings()
    try:
        return build(settings, store=open_store(settings))
    except ConfigError as error:
        _fail(error)


def _local():
    """The store alone, for commands that only touch it: they need no WeCom settings."""
    from bot.app import open_local

    try:
        return open_local(load(DatabaseSettings))
    except ConfigError as error:
        _fail(error)


@click.group()
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    default=None,
    help="overrides SCRM_LOG_LEVEL (default INFO)",
)
def cli(log_level: str | None) -> None:
    """wecom-scrm: WeCom SCRM bot and backend."""
    from bot import logs

    try:
        settings = load(LogSettings, **({"scrm_log_level": log_level} if log_level else {}))
    except ConfigError as error:
        _fail(error)
    logs.configure(settings.scrm_log_level, settings.scrm_log_format)


@cli.command()
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=lambda: min(64, 2 * (os.cpu_count() or 1)),
    show_default="2 a CPU core",
    help="web processes taking callbacks, one request at a time each",
)
@click.option(
    "--web-only",
    is_flag=True,
    help="callbacks only: no dispatcher, sender or scheduler (run `scrm worker` and `scrm scheduler`)",
)
def serve(host: str, port: int, workers: int, web_only: bool) -> None:
    """The callback server (gunicorn); by default it also runs the dispatcher, sender and scheduler."""
    import shutil
    import tempfile

    # /metrics sums its processes' counters from files: the directory must be set before prometheus_client loads;
    # the worker child is woken through sockets in the other (when there is no Redis).
    made = []
    for name, prefix in (("PROMETHEUS_MULTIPROC_DIR", "scrm-metrics-"), ("SCRM_WAKE_DIR", "scrm-wake-")):
        if not os.environ.get(name):
            os.environ[name] = tempfile.mkdtemp(prefix=prefix)
            made.append(os.environ[name])
    from bot.serve import run

    settings = _settings()
    try:
        from bot.app import open_store

        open_store(settings).engine.dispose()  # refuse at once a database that is away or behind its schema
    except ConfigError as error:
        _fail(error)
    master = os.getpid()
    try:
        run(settings, host=host, port=port, workers=workers, background=not web_only)
    finally:
        if os.getpid() == master:  # gunicorn forks its workers inside run(): they leave through here too
            for folder in made:
                shutil.rmtree(folder, ignore_errors=True)


def process_options(command: Callable) -> Callable:
    """`--nice N`, and `--parent PID` (hidden: `scrm serve` passes its own pid, and the child ends with it),
    both applied before the command starts any thread: on Linux each thread has its own priority, inherited
    at creation."""

    @click.option(
        "--nice",
        type=click.IntRange(0, 19),
        default=0,
        show_default=True,
        help="lower this process's CPU priority (scrm serve runs its children at 19)",
    )
    @click.option("--parent", type=click.IntRange(min=1), hidden=True, help="end when process PARENT ends")
    @functools.wraps(command)
    def run(*args, nice: int, parent: int | None, **kwargs):
        os.nice(nice)
        if parent is not None:
            from bot import lifeline

            lifeline.end_with(parent)  # SIGTERM: the commands' own handlers stop them as usual
        return command(*args, **kwargs)

    return run


@cli.command()
@process_options
def worker() -> None:
    """Dispatcher (inbox -> handlers) and sender (outbox -> WeCom); run as many as you like."""
    from bot.runner import Background

    background = Background(_services())
    signal.signal(signal.SIGTERM, lambda *_: background.stop())  # before a message is taken: finished when stopped
    background.start()
    try:
        background.wait()
    except KeyboardInterrupt:
        background.stop()


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations (never drops data)."""
    from sqlalchemy.exc import OperationalError

    from bot.app import cannot_open
    from bot.migrate import schema_of, upgrade
    from scrm.db import make_engine

    try:
        settings = load(DatabaseSettings)
    except ConfigError as error:
        _fail(error)
    engine = make_engine(settings.database_url)
    try:
        before = schema_of(engine).current
        upgrade(engine, revision)
        after = schema_of(engine).current
    except OperationalError as error:
        _fail(cannot_open(settings, error))
    if before == after:
        click.echo(f"database already at schema {after} ({settings.database_shown})")
    else:
        click.echo(f"database upgraded from schema {before or 'empty'} to {after} ({settings.database_shown})")


@cli.command()
@click.option("--restart", is_flag=True, help="ignore where an interrupted run stopped and start over")
def sync(restart: bool) -> None:
    """Backfill from WeCom: departments, members, the tag library and every rep's customers (resumable)."""
    from bot.sync import Backfill

    services = _services()
    report = Backfill(services.contact_client, services.store, services.clock).run(restart=restart)
    if report.resumed:
        click.echo("resumed an interrupted run")
    for line in report.lines():
        click.echo(line)


@cli.command()
def handlers() -> None:
    """The routing table: event kind or command word -> handler."""
    from handlers import COMMANDS, build_router
    from handlers.events import known_kinds

    router = build_router()
    rows = router.table() + COMMANDS.table()
    width = max(len(key) for key, _ in rows)
    for key, where in rows:
        click.echo(f"{key:<{width}}  {where}")
    unhandled = [k for k in known_kinds() if not router.handlers_for(k)]
    click.echo("\nstored and acknowledged, no handler yet:\n  " + "\n  ".join(unhandled))


register_admin_commands(cli, _local)
register_job_commands(cli, _services, process_options)
register_target_commands(cli, _local)
register_commission_commands(cli, _local)
cli.add_command(chat)
register_queue_commands(cli, _local)


@cli.command()
def demo() -> None:
    """Play the scripted scene against the local WeCom stand-in and print what everyone sees."""
    logging.getLogger().setLevel(logging.WARNING)  # the transcript is the output
    from bot.demo import main

    sys.exit(main())
