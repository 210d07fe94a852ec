"""The next steps a rep's message sets, as open work: a plan replaces the rep's open step with the customer (the
old one is superseded); `另外` / `还要`, or a second plan in the same message, adds one. The reply says what
changed, so the rep's 待办 holds no surprise."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.commands import Command, as_typed
from handlers.context import Context
from handlers.intents import Parsed, When, describe_when
from handlers.parsing import plans
from scrm import chat_state, follow_ups
from scrm.customers import display_name
from scrm.dates import format_when
from scrm.models import Customer, FollowUp

# 另外周五前发合同 / 电话聊了，还要周五前发合同; never 客户还要考虑 (the customer's own words).
_ADDING = re.compile(r"另外|(?:^|[\s,;。])(?:还要|还得)")


def other_plans(p: Parsed, now: datetime, tz: ZoneInfo) -> list[tuple[When, str]]:
    """Times in the message besides its plan that are plans too, with their words (明天下午3点回访，周五前发方案 →
    周五前, 发方案)."""
    if not isinstance(p.when, When):
        return []
    found = plans.times(p.text, 0, now, tz)
    return [
        (w, plans.clause(p.text, w, found).strip(" ,:;"))
        for w in found
        if isinstance(w, When)
        and (w.span[1] <= p.when.span[0] or w.span[0] >= p.when.span[1])
        and w.due != p.when.due
        and plans.role(p.text, w, found) in ("sure", "plan")
    ]


def plan(
    cmd: Command, ctx: Context, customer: Customer, when: When, task: str, *, headline: str = texts.NEXT_STEP
) -> list[str]:
    """Schedule the message's plan and any other plan in it; returns the reply's lines: each step (the first
    as `headline`), then what it replaced or kept."""
    others = other_plans(cmd.parsed, ctx.now, ctx.settings.timezone)
    for other, _ in others:  # 回访 周五前发方案: the first step's words end where the next plan begins
        task = task.split(other.text)[0].strip(" ,:;")
    adding = bool(_ADDING.search(cmd.parsed.text))
    steps = [(when, _without_adding(task))] + [(w, _without_adding(as_typed(cmd, words))) for w, words in others]
    lines, superseded, set_now = [], [], []
    for n, (due, words) in enumerate(steps):
        planned = follow_ups.schedule(
            ctx.session,
            external_userid=customer.external_userid,
            userid=cmd.userid,
            due_at=due.due,
            note=words,
            now=ctx.now,
            adding=adding or n > 0,
        )
        superseded += planned.superseded
        set_now.append(planned.step)
        line = headline if n == 0 else texts.STEP_ADDED
        lines.append(line.format(customer=display_name(customer), when=describe_when(due, ctx.now), task=shown(words)))
        if not planned.new and planned.step.note != words:
            lines.append(texts.STEP_ALREADY.format(task=label(ctx, planned.step)))
    if superseded:
        lines += _replaced(ctx, superseded, set_now[0])
    if adding:
        kept = [s for s in follow_ups.open_of(ctx.session, customer.external_userid, cmd.userid) if s not in set_now]
        if kept:
            lines.append(texts.STEP_KEPT.format(steps="、".join(f"「{label(ctx, s)}」" for s in kept)))
    return lines


def restored(cmd: Command, ctx: Context, steps: list[FollowUp]) -> list[str]:
    """The steps 重新打开 restored, numbered as the rep's 待办 is (so `推迟 1 明天上午` moves a late one)."""
    if not steps:
        return [texts.NO_STEP_TO_RESTORE]
    chat_state.remember(chat_state.of(ctx.session, cmd.userid, now=ctx.now), agenda=[s.id for s in steps], now=ctx.now)
    lines = [texts.STEPS_RESTORED.format(n=len(steps))]
    for n, step in enumerate(steps, 1):
        late = texts.AGENDA_OVERDUE if step.due_at < ctx.now else ""
        lines.append(texts.STEP_RESTORED.format(n=n, overdue=late, when=_when(ctx, step), note=shown(step.note)))
    if any(step.due_at < ctx.now for step in steps):
        lines.append(texts.STEPS_RESTORED_LATE)
    return lines


def closed(ctx: Context, steps: list[FollowUp]) -> str:
    """已关闭 2 条待办：见面、发合同。"""
    return texts.DEAL_STEPS_CLOSED.format(n=len(steps), steps="、".join(label(ctx, s) for s in steps))


def label(ctx: Context, step: FollowUp) -> str:
    """How the rep knows a step: its words, or its time when it has none."""
    return step.note or texts.STEP_AT.format(when=_when(ctx, step))


def shown(note: str) -> str:
    return f" {note}" if note else ""


def _replaced(ctx: Context, old: list[FollowUp], new: FollowUp) -> list[str]:
    """已把「见面」换成「报价」; a step of the same words is moved instead (已把「报价」从…改到…)."""
    moved = [s for s in old if new.note and s.note == new.note]
    others = [s for s in old if s not in moved]
    lines = [texts.STEP_MOVED.format(task=new.note, old=_when(ctx, s), new=_when(ctx, new)) for s in moved]
    if others:
        lines.append(
            texts.STEP_REPLACED.format(old="、".join(f"「{label(ctx, s)}」" for s in others), new=label(ctx, new))
        )
    return lines


def _when(ctx: Context, step: FollowUp) -> str:
    return format_when(step.due_at, ctx.now)


def _without_adding(words: str) -> str:
    return re.sub(r"^(?:另外|还要|还得)\s*", "", words)
