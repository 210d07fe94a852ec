"""Operators' triage of the two queues: `scrm inbox|outbox list|show|replay`.

Shows ids, statuses, errors and WeCom's answers; never a robot's key (scrm.outbox.redacted).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from types import ModuleType
from typing import Any

import click

from bot.table import cut, render
from scrm import inbox, outbox
from scrm.models import QueueRow
from scrm.queue import READY, REPLAYABLE

ERROR_WIDTH = 60  # display columns
# scrm.queue.settle stores `module.Class: text`; a WeCom error's text is `WeCom errcode N: errmsg`
# (scrm.wecom.WeComError), and WeCom's errmsg goes on with `, hint: [request id], from ip: …, more info at …`.
_STORED = re.compile(r"(?:[\w.]+\.)?(?P<name>\w+): (?:WeCom errcode (?P<code>-?\d+|None): ?)?(?P<text>.*)")
_HINT = re.compile(r",? *hint: \[.*$")


@dataclass(frozen=True)
class Queue:
    """What the commands need to know of one queue table besides its store's shared functions."""

    name: str
    store: ModuleType  # STATUSES, counts, by_status, get, replay
    columns: tuple[str, ...]  # its own columns in `list`, between status and tries
    cells: Callable[[Any], tuple[str, ...]]
    born: str  # the field a row's age counts from
    answer: Callable[[Any], str | None] = lambda row: None  # what the far side said, when it was recorded
    shown: Callable[[dict], dict] = dict  # the payload as an operator may see it


QUEUES = (
    Queue("inbox", inbox, ("kind",), lambda row: (cut(row.kind, 40),), "received_at"),
    Queue(
        "outbox",
        outbox,
        ("channel", "to"),
        lambda row: (row.channel, outbox.recipient(row.payload)),
        "created_at",
        answer=outbox.answer,
        shown=outbox.redacted,
    ),
)


def register_queue_commands(cli: click.Group, services: Callable) -> None:
    for queue in QUEUES:
        cli.add_command(_commands(queue, services))


def _commands(queue: Queue, services: Callable) -> click.Group:
    @click.group(name=queue.name, help=f"Inspect and replay the {queue.name}.")
    def group() -> None:
        pass

    @group.command("list")
    @click.option(
        "--status",
        default="failed,dead",
        show_default=True,
        help=f"comma-separated, of: {', '.join(queue.store.STATUSES)}",
    )
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1), help="newest first")
    def list_rows(status: str, limit: int) -> None:
        """The counts per status, then the rows in these statuses with their last error or WeCom's answer."""
        wanted = _statuses(status, queue)
        s = services()
        now = s.clock.now()
        with s.store.transaction() as session:
            counts = queue.store.counts(session)
            rows = [_cells(queue, row, now) for row in queue.store.by_status(session, wanted, limit)]
        click.echo(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or f"the {queue.name} is empty")
        if not rows:
            click.echo(f"nothing {' or '.join(wanted)} in the {queue.name}")
            return
        header = ("id", "status", *queue.columns, "tries", "age / next", "last error or WeCom's answer")
        for line in render(rows, header):
            click.echo(line)
        more = sum(counts.get(one, 0) for one in wanted) - len(rows)
        if more > 0:
            click.echo(f"… and {more} older (--limit {limit + more} to list them)")

    @group.command("show")
    @click.argument("row_id", type=int)
    def show(row_id: int) -> None:
        """One row whole: every column, the payload as JSON and the full last error."""
        s = services()
        with s.store.transaction() as session:
            row = queue.store.get(session, row_id)
            if row is None:
                raise click.ClickException(f"no {queue.name} row #{row_id}")
        # the table's own columns first (id, …), then those of the queue (status, attempts, …)
        names = sorted(type(row).model_fields, key=lambda name: name in QueueRow.model_fields)
        fields = {name: getattr(row, name) for name in names}
        payload, error = queue.shown(fields.pop("payload")), fields.pop("last_error")
        lines = [(name, _value(value, s.settings.timezone)) for name, value in fields.items()]
        for line in render(lines):
            click.echo(line)
        click.echo("payload:\n" + json.dumps(payload, ensure_ascii=False, indent=2))
        click.echo("last_error:" + (f"\n{error}" if error else " -"))

    @group.command("replay")
    @click.argument("row_id", type=int, required=False)
    @click.option("--all", "replay_all", is_flag=True, help="every failed and dead row")
    def replay(row_id: int | None, replay_all: bool) -> None:
        """Queue a failed or dead row again (its attempts start over)."""
        if (row_id is None) == (not replay_all):
            raise click.UsageError("give one id, or --all")
        s = services()
        with s.store.transaction() as session:
            if row_id is not None:
                _check_replayable(queue, queue.store.get(session, row_id), row_id)
            n = queue.store.replay(session, row_id, now=s.clock.now())
        click.echo(f"{n} queued again" if n else f"nothing to replay: no failed or dead rows in the {queue.name}")

    return group


def _statuses(option: str, queue: Queue) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(one.strip() for one in option.split(",") if one.strip()))
    for one in wanted:
        if one not in queue.store.STATUSES:
            raise click.BadParameter(
                f"{one!r} is not a status of the {queue.name}; it has {', '.join(queue.store.STATUSES)}",
                param_hint="--status",
            )
    if not wanted:
        raise click.BadParameter(f"give one or more of {', '.join(queue.store.STATUSES)}", param_hint="--status")
    return wanted


def _check_replayable(queue: Queue, row: Any, row_id: int) -> None:
    if row is None:
        raise click.ClickException(f"no {queue.name} row #{row_id}; nothing replayed")
    if row.status not in REPLAYABLE:
        raise click.ClickException(
            f"#{row_id} is {row.status}: only failed and dead rows can be replayed; nothing replayed"
        )


def _cells(queue: Queue, row: Any, now: datetime) -> tuple[str, ...]:
    if row.status in READY and row.next_try_at > now:  # a next try ahead of it
        when = f"next in {_span(row.next_try_at - now)}"
    else:
        when = f"{_span(now - getattr(row, queue.born))} ago"
    answer = queue.answer(row)
    outcome = cut(answer, ERROR_WIDTH) if answer else error_line(row.last_error)
    return (f"#{row.id}", row.status, *queue.cells(row), str(row.attempts), when, outcome)


def error_line(error: str | None, width: int = ERROR_WIDTH) -> str:
    """A stored error on one line: `errcode errmsg` when WeCom answered, else the exception's class and text
    (without its module); WeCom's request hint dropped, and cut at `width` display columns."""
    lines = (error or "").strip().splitlines()
    if not lines:
        return ""
    line = lines[0]
    found = _STORED.fullmatch(line)
    if found and found["code"] not in (None, "None"):
        line = f"{found['code']} {_HINT.sub('', found['text'])}"
    elif found:
        line = f"{found['name']}: {found['text']}"
    return cut(line, width)


def _span(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _value(value: Any, tz: tzinfo) -> str:
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat(" ", "seconds")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return "-" if value is None else str(value)
