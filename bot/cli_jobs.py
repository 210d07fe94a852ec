"""Operators' commands for scheduled jobs and team group chats: `scheduler`, `jobs list|run`, `team …`."""

from __future__ import annotations

import re
import signal
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import click

from jobs import schedule
from jobs.table import JOBS
from scrm import ledger, teams
from scrm.statuses import TickStatus
from scrm.wecom import WeComError


def register_job_commands(cli: click.Group, services: Callable, process_options: Callable) -> None:
    cli.add_command(_scheduler(services, process_options))
    cli.add_command(_jobs(services))
    cli.add_command(_team(services))


def _scheduler(services: Callable, process_options: Callable) -> click.Command:
    @click.command("scheduler")
    @process_options
    def scheduler() -> None:
        """Fire the scheduled jobs (one process is enough; more are safe: each message goes once)."""
        from jobs.scheduler import Scheduler

        s = services()
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())  # before the first tick
        running = Scheduler(s.jobs, s.settings.jobs, s.clock).start()
        try:
            while not stopped.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        running.stop()

    return scheduler


def _jobs(services: Callable) -> click.Group:
    @click.group("jobs")
    def group() -> None:
        """Scheduled jobs: their schedules, and running one tick by hand."""

    @group.command("list")
    def list_jobs() -> None:
        """Each job's schedule, next run, last tick, and ticks skipped in the last 7 days."""
        s = services()
        tz, now = s.settings.timezone, s.clock.now()
        click.echo(f"{'job':<14} {'schedule':<14} {'next run':<17} last tick ({tz.key})")
        with s.store.transaction() as session:
            for name in JOBS:
                following = schedule.next_fire(s.jobs.triggers[name], now)
                last = ledger.last_tick(session, name, until=now)
                shown = (
                    f"{last.scheduled_for.astimezone(tz):%m-%d %H:%M} {last.status}: {last.summary}"
                    if last
                    else "never"
                )
                nxt = f"{following.astimezone(tz):%Y-%m-%d %H:%M}" if following else "-"
                click.echo(f"{name:<14} {s.settings.jobs.schedules[name]:<14} {nxt:<17} {shown[:90]}")
                skipped = ledger.skipped_since(session, name, now - timedelta(days=7))
                if skipped:
                    click.echo(f"{'':<14} skipped {skipped} missed ticks in the last 7 days (see the log)")

    @group.command("run")
    @click.argument("name", type=click.Choice(sorted(JOBS)))
    @click.option(
        "--at",
        "at",
        metavar="ISO-TIME",
        help="run as if the clock read this (business time zone unless it has an offset), e.g. 2026-12-02T15:00",
    )
    def run_job(name: str, at: str | None) -> None:
        """Run one tick of NAME now, or --at a time (re-run a missed tick; nothing is sent twice)."""
        s = services()
        when = _parse_at(at, s.settings.timezone) if at else None
        if when is not None and when < s.clock.now() - s.settings.jobs.keep_ledger:
            raise click.BadParameter(
                f"{at} is older than the job ledger keeps its keys ({s.settings.scrm_keep_ledger_days}"
                " days, SCRM_KEEP_LEDGER_DAYS): what that tick sent then could be sent again",
                param_hint="--at",
            )
        result = s.jobs.run(name, when)
        local = result.scheduled_for.astimezone(s.settings.timezone)
        click.echo(f"{name} @ {local:%Y-%m-%d %H:%M:%S} {s.settings.timezone.key}: {result.status}: {result.summary}")
        if result.status == TickStatus.FAILED:
            sys.exit(1)

    return group


def _parse_at(value: str, tz) -> datetime:
    try:
        at = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a time like 2026-12-02T15:00", param_hint="--at") from None
    return at if at.tzinfo else at.replace(tzinfo=tz)


def _team(services: Callable) -> click.Group:
    @click.group("team")
    def group() -> None:
        """Teams (WeCom departments) and the group chat each one's announcements go to."""

    @group.command("list")
    def list_teams() -> None:
        s = services()
        with s.store.transaction() as session:
            rows = teams.chats(session)
            for department, chat in rows:
                team = teams.team(session, department)
                managers = "、".join(m.name for m in team.managers) or "none"
                where = "no group chat"
                if chat is not None:
                    kind = "group robot" if chat.kind == "robot" else "app group chat"
                    where = f"{kind} {teams.masked(chat)}" + (
                        "" if chat.enabled else f" DISABLED: {chat.disabled_reason}"
                    )
                click.echo(f"#{department.id} {department.name}: managers {managers}; {len(team.reps)} reps; {where}")
        if not rows:
            click.echo("no departments yet: run `scrm sync`")

    @group.command("set")
    @click.argument("department")
    @click.option("--robot", "robot", metavar="KEY", help="a group robot's webhook key (or its whole webhook URL)")
    @click.option("--appchat", "appchat", metavar="CHATID", help="an app group chat the app created")
    def set_team(department: str, robot: str | None, appchat: str | None) -> None:
        """Point DEPARTMENT (id or name) at its group chat; a hello message goes there to prove it works."""
        if bool(robot) == bool(appchat):
            raise click.UsageError("give one of --robot KEY or --appchat CHATID")
        kind, target = ("robot", _robot_key(robot)) if robot else ("appchat", _chat_id(appchat))
        s = services()
        with s.store.transaction() as session:
            found = _department(session, department)
            chat = teams.set_chat(session, found, kind=kind, target=target, now=s.clock.now())
            teams.hello(session, found, chat, now=s.clock.now())
            click.echo(
                f"#{found.id} {found.name}: {kind} {teams.masked(chat)} set; a hello message is queued "
                "(`scrm serve` or `scrm worker` sends it; `scrm outbox list` shows if WeCom refused it)"
            )

    @group.command("unset")
    @click.argument("department")
    def unset_team(department: str) -> None:
        s = services()
        with s.store.transaction() as session:
            found = _department(session, department)
            removed = teams.unset_chat(session, found)
        click.echo(f"#{found.id} {found.name}: " + ("group chat removed" if removed else "had no group chat"))

    @group.command("create-chat")
    @click.argument("department")
    @click.option("--name", "name", help="the chat's name (default: the department's)")
    def create_chat(department: str, name: str | None) -> None:
        """Create an app group chat with the team's members and use it (the app's visible range must be the
        whole company)."""
        s = services()
        with s.store.transaction() as session:
            found = _department(session, department)
            team = teams.team(session, found)
        if len(team.members) < 2 or not team.managers:
            raise click.ClickException(
                f"#{found.id} {found.name} needs a leader and at least 2 members for a group chat"
            )
        try:
            chat_id = s.app_client.create_appchat(
                (name or found.name)[:50], team.managers[0].userid, [m.userid for m in team.members]
            )
        except WeComError as error:
            raise click.ClickException(
                f"WeCom refused to create the chat: errcode {error.errcode} {error.errmsg}"
                " (appchat needs the app's visible range to be the whole company)"
            ) from None
        with s.store.transaction() as session:
            chat = teams.set_chat(session, found, kind="appchat", target=chat_id, now=s.clock.now())
            teams.hello(session, found, chat, now=s.clock.now())
        click.echo(
            f"#{found.id} {found.name}: app group chat {chat_id} created with {len(team.members)} members and set"
        )

    return group


def _department(session, wanted: str):
    try:
        return teams.find_department(session, wanted)
    except teams.TeamNotFound as error:
        raise click.ClickException(str(error)) from None


def _robot_key(value: str) -> str:
    """The key alone, also when the whole webhook URL was pasted (people copy it from the robot's page)."""
    if value.startswith(("http://", "https://")):
        value = (parse_qs(urlparse(value).query).get("key") or [""])[0]
    if not re.fullmatch(r"[A-Za-z0-9-]{8,64}", value):
        raise click.BadParameter(
            "a robot key looks like 693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa (or paste the whole webhook URL)",
            param_hint="--robot",
        )
    return value


def _chat_id(value: str) -> str:
    if not re.fullmatch(r"[0-9A-Za-z]{1,32}", value):
        raise click.BadParameter("a chat id is 1-32 letters or digits", param_hint="--appchat")
    return value
