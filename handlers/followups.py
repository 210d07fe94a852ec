"""Rep commands about follow-ups: log one, set the next step, see today's agenda, close or move an item.

Every time that is understood is echoed back in full (11月25日（周三）15:00) so the rep can correct it;
a time in the past, impossible or not understood is refused with a suggestion, never guessed.
"""

from __future__ import annotations

import re

from handlers import steps, texts
from handlers.commands import Command, as_typed, customer_for, reply
from handlers.context import Context
from handlers.intents import Parsed, When, WhenError, describe_when
from scrm import chat_state, follow_ups, interactions
from scrm.customers import display_name
from scrm.dates import end_of_day, format_day, format_due
from scrm.models import Customer, FollowUp
from scrm.statuses import FollowUpStatus


def log_follow_up(cmd: Command, ctx: Context) -> None:
    p = cmd.parsed
    if not p.note and not p.customer:
        return reply(cmd, ctx, texts.FOLLOW_UP_EMPTY)
    customer = customer_for(cmd, ctx)
    if customer is None:
        return
    if not p.note:
        return reply(cmd, ctx, texts.FOLLOW_UP_WHAT.format(customer=display_name(customer)))
    others = steps.other_plans(p, ctx.now, ctx.settings.timezone)
    said, planned = _said_and_planned(p, [w for w, _ in others])
    note = as_typed(cmd, said)
    interactions.record(
        ctx.session,
        external_userid=customer.external_userid,
        userid=cmd.userid,
        kind="follow_up",
        channel=p.channel,
        text=note,
        at=p.happened or cmd.event.at,
        inbox_id=ctx.inbox_id,
    )
    closed = follow_ups.complete_open(
        ctx.session, external_userid=customer.external_userid, userid=cmd.userid, now=ctx.now, tz=ctx.settings.timezone
    )
    when = texts.HAPPENED.format(day=format_day(p.happened, ctx.now)) if p.happened else ""
    lines = [
        texts.LOGGED.format(customer=display_name(customer), channel=p.channel, when=when, note=_short(note))
        + (texts.CLOSED_DUE.format(n=closed) if closed else "")
    ]
    if isinstance(p.when, When):
        lines += steps.plan(cmd, ctx, customer, p.when, as_typed(cmd, planned))
    elif isinstance(p.when, WhenError):
        lines.append(texts.WHEN_REFUSED.format(suggestion=p.when.suggestion))
    reply(cmd, ctx, "\n".join(lines))


def set_next_step(cmd: Command, ctx: Context) -> None:
    when = _future_time(cmd, ctx)
    if when is None:
        return
    customer = customer_for(cmd, ctx)
    if customer is None:
        return
    task = as_typed(cmd, cmd.parsed.note)
    reply(cmd, ctx, "\n".join(steps.plan(cmd, ctx, customer, when, task, headline=texts.NEXT_STEP_SET)))


def show_agenda(cmd: Command, ctx: Context) -> None:
    items = follow_ups.agenda(ctx.session, [cmd.userid], until=end_of_day(ctx.now, ctx.settings.timezone))
    chat_state.remember(chat_state.of(ctx.session, cmd.userid, now=ctx.now), agenda=[f.id for f in items], now=ctx.now)
    if not items:
        return reply(cmd, ctx, texts.AGENDA_EMPTY)
    lines = [texts.AGENDA_TITLE.format(n=len(items))]
    for n, item in enumerate(items, 1):
        lines.append(
            texts.AGENDA_LINE.format(
                n=n,
                overdue=texts.AGENDA_OVERDUE if item.due_at < ctx.now else "",
                when=format_due(item.due_at, ctx.now),
                customer=_customer_name(ctx, item),
                note=steps.shown(item.note),
            )
        )
    reply(cmd, ctx, "\n".join(lines))


def mark_done(cmd: Command, ctx: Context) -> None:
    item = _agenda_item(cmd, ctx)
    if item is not None:
        follow_ups.complete(ctx.session, item, now=ctx.now)
        reply(cmd, ctx, texts.ITEM_DONE.format(customer=_customer_name(ctx, item), note=steps.shown(item.note)))


def postpone(cmd: Command, ctx: Context) -> None:
    when = _future_time(cmd, ctx)
    if when is None:
        return
    item = _agenda_item(cmd, ctx)
    if item is not None:
        follow_ups.postpone(ctx.session, item, due_at=when.due, now=ctx.now)
        reply(
            cmd, ctx, texts.ITEM_POSTPONED.format(customer=_customer_name(ctx, item), when=describe_when(when, ctx.now))
        )


def _future_time(cmd: Command, ctx: Context) -> When | None:
    """The understood time; replies (and returns None) when it is missing, past or impossible."""
    when = cmd.parsed.when
    if isinstance(when, WhenError):
        reply(cmd, ctx, texts.WHEN_REFUSED.format(suggestion=when.suggestion))
        return None
    if not isinstance(when, When):
        reply(cmd, ctx, texts.WHEN_MISSING)
        return None
    return when


def _agenda_item(cmd: Command, ctx: Context) -> FollowUp | None:
    """Item N of the agenda last shown to this rep, if it is still theirs and open."""
    n = cmd.parsed.index
    if n is None:
        reply(cmd, ctx, texts.INDEX_MISSING)
        return None
    shown = chat_state.of(ctx.session, cmd.userid, now=ctx.now).agenda
    item = ctx.session.get(FollowUp, shown[n - 1]) if 1 <= n <= len(shown) else None
    if item is None or item.userid != cmd.userid or item.status != FollowUpStatus.OPEN:
        reply(cmd, ctx, texts.NO_SUCH_ITEM.format(n=n))
        return None
    return item


def _customer_name(ctx: Context, item: FollowUp) -> str:
    customer = ctx.session.get(Customer, item.external_userid)
    return display_name(customer)


def _short(note: str) -> str:
    return f"：{note[:60]}" if note else ""


_CLAUSE_END = re.compile(r"[,;。!?]")


def _said_and_planned(p: Parsed, others: list[When]) -> tuple[str, str]:
    """The note split in two: what happened (for the history; a refused time and the other plans' words left
    out) and the words of the next step (明天下午3点回访 → 回访), so the card shows each once."""
    said, planned = p.note, ""
    for n, when in enumerate([p.when, *others] if p.when is not None else []):
        if when.text not in said:
            continue
        start = said.index(when.text)
        end = start + len(when.text)
        stop = _CLAUSE_END.search(said, end)
        stop_at = stop.start() if stop else len(said)
        if n == 0 and isinstance(when, When):
            planned = said[end:stop_at].strip(" ,:;")
        said = (said[:start] + said[stop.end() if stop else stop_at :]).strip(" ,:;")
    return (said or p.note), planned
