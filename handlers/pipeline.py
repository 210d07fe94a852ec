"""Rep commands about the funnel: move a customer to a stage, record a deal won or lost."""

from __future__ import annotations

from handlers import steps, texts
from handlers.commands import Command, as_typed, customer_for, reply
from handlers.context import Context
from handlers.parsing import plans
from handlers.parsing.amounts import whole_amount
from handlers.parsing.commands import MAX_AMOUNT
from handlers.parsing.stages import match_stage
from handlers.parsing.when import When
from scrm import chat_state, deals, follow_ups, interactions, keys, members, teams
from scrm.customers import display_name, label
from scrm.dates import format_day
from scrm.models import Customer, Deal, FollowUp
from scrm.numbers import format_amount, short_amount
from scrm.statuses import DealStatus, FollowUpStatus


def move_stage(cmd: Command, ctx: Context) -> None:
    stages = ctx.settings.stages
    stage = match_stage(cmd.parsed.stage or "", stages)
    if stage is None:
        return reply(cmd, ctx, texts.STAGE_UNKNOWN.format(word=cmd.parsed.stage or "", stages="、".join(stages[:-2])))
    customer = customer_for(cmd, ctx)
    if customer is None:
        return
    if stage in stages[-2:]:
        return reply(cmd, ctx, texts.STAGE_USE_DEAL.format(customer=display_name(customer)))
    deal = _deal(cmd, ctx, customer)
    previous, days = deal.stage, deals.days_in_stage(ctx.session, deal, now=ctx.now)
    if not deals.move(ctx.session, deal, stage=stage, userid=cmd.userid, now=ctx.now):
        return reply(cmd, ctx, texts.STAGE_SAME.format(customer=display_name(customer), stage=stage))
    _note(cmd, ctx, customer, "stage", texts.HISTORY_STAGE.format(stage=stage))
    stayed = texts.STAGE_STAYED.format(previous=previous, days=days) if previous else ""
    reply(cmd, ctx, texts.STAGE_MOVED.format(customer=display_name(customer), stage=stage, stayed=stayed))


def record_won(cmd: Command, ctx: Context) -> None:
    if cmd.parsed.amount_error:
        typed = whole_amount(cmd.parsed.amount_error)  # 99999999999999: a number, only too large
        too_large = typed is not None and typed > MAX_AMOUNT
        return reply(
            cmd,
            ctx,
            texts.AMOUNT_TOO_LARGE.format(text=cmd.parsed.amount_error, most=short_amount(MAX_AMOUNT))
            if too_large
            else texts.NOT_AN_AMOUNT.format(text=cmd.parsed.amount_error),
        )
    customer = customer_for(cmd, ctx)
    if customer is None or not _may_close(cmd, ctx, customer):
        return
    amount = cmd.parsed.amount.value if cmd.parsed.amount else None
    deal = _deal(cmd, ctx, customer)
    deals.close(
        ctx.session, deal, won=True, amount=amount, note=as_typed(cmd, cmd.parsed.note), userid=cmd.userid, now=ctx.now
    )
    if amount is not None and amount >= ctx.settings.big_deal_amount:
        _announce(ctx, cmd.userid, deal, customer, amount)
    shown = f" {format_amount(amount)}" if amount is not None else ""
    _note(cmd, ctx, customer, "won", texts.HISTORY_WON.format(amount=shown))
    lines = [texts.WON.format(customer=display_name(customer), amount=shown)]
    if amount is None:
        lines[0] += texts.WON_NO_AMOUNT.format(customer=display_name(customer))
    if closed := _close_steps(cmd, ctx, customer):
        lines.append(steps.closed(ctx, closed) + texts.AFTER_WON)
    if isinstance(when := cmd.parsed.when, When):  # 华为签了，合同8万，明天下午3点回访: set after the close, kept
        found = plans.times(cmd.parsed.text, 0, ctx.now, ctx.settings.timezone)
        task = as_typed(cmd, plans.clause(cmd.parsed.text, when, found).strip(" ,:;"))
        lines += steps.plan(cmd, ctx, customer, when, task)
    reply(cmd, ctx, "\n".join(lines))


def _announce(ctx: Context, userid: str, deal: Deal, customer: Customer, amount) -> None:
    """A big deal is news for the whole team: to each of the rep's team chats, the moment it is recorded."""
    rep = members.get(ctx.session, userid)
    for department_id in rep.department_ids if rep else []:
        chat = teams.chat_of(ctx.session, department_id)
        if chat is not None:
            text = texts.BIG_DEAL.format(rep=rep.name, customer=label(customer), amount=format_amount(amount))
            ctx.outbox.add(teams.message(chat, text), key=keys.big_deal(deal.id, department_id))


def record_lost(cmd: Command, ctx: Context) -> None:
    customer = customer_for(cmd, ctx)
    if customer is None or not _may_close(cmd, ctx, customer):
        return
    reason = as_typed(cmd, cmd.parsed.reason or cmd.parsed.note)
    deals.close(
        ctx.session, _deal(cmd, ctx, customer), won=False, amount=None, note=reason, userid=cmd.userid, now=ctx.now
    )
    _note(cmd, ctx, customer, "lost_deal", texts.HISTORY_LOST.format(reason=f"：{reason}" if reason else ""))
    lines = [texts.LOST.format(customer=display_name(customer), reason=f"（{reason}）" if reason else "")]
    if closed := _close_steps(cmd, ctx, customer):
        lines.append(steps.closed(ctx, closed) + texts.AFTER_LOST.format(customer=display_name(customer)))
    reply(cmd, ctx, "\n".join(lines))


def reopen_deal(cmd: Command, ctx: Context) -> None:
    """重新打开: the rep's last closed deal with the customer is open again, and the steps its close closed."""
    customer = customer_for(cmd, ctx)
    if customer is None:
        return
    name = display_name(customer)
    if deals.open_of(ctx.session, customer.external_userid, cmd.userid):
        return reply(cmd, ctx, texts.REOPEN_NOT_CLOSED.format(customer=name))
    deal = deals.last_closed(ctx.session, customer.external_userid, cmd.userid)
    if deal is None:
        return reply(cmd, ctx, texts.REOPEN_NO_DEAL.format(customer=name))
    closed_at = deal.closed_at
    stage = deals.reopen(ctx.session, deal, userid=cmd.userid, first_stage=ctx.settings.stages[0], now=ctx.now)
    back = follow_ups.restore(
        ctx.session, external_userid=customer.external_userid, userid=cmd.userid, closed_at=closed_at
    )
    _note(cmd, ctx, customer, "reopened", texts.HISTORY_REOPENED.format(stage=stage))
    reply(cmd, ctx, "\n".join([texts.REOPENED.format(customer=name, stage=stage), *steps.restored(cmd, ctx, back)]))


def _close_steps(cmd: Command, ctx: Context, customer: Customer) -> list[FollowUp]:
    """Winning or losing closes the rep's open steps with the customer; what is set afterwards is new work."""
    return follow_ups.close_open(
        ctx.session,
        external_userid=customer.external_userid,
        userid=cmd.userid,
        status=FollowUpStatus.DEAL_CLOSED,
        now=ctx.now,
    )


def _may_close(cmd: Command, ctx: Context, customer: Customer) -> bool:
    """A customer already won or lost is not closed again without a clear word (重新打开, 又签了) or a yes."""
    if cmd.confirmed or cmd.parsed.reopen or deals.open_of(ctx.session, customer.external_userid, cmd.userid):
        return True
    closed = deals.last_closed(ctx.session, customer.external_userid, cmd.userid)
    if closed is None:
        return True
    state = chat_state.of(ctx.session, cmd.userid, now=ctx.now)
    chat_state.ask(state, {"text": cmd.text, "choices": [customer.external_userid], "confirm": True}, now=ctx.now)
    outcome = (
        texts.OUTCOME_WON.format(amount=f" {format_amount(closed.amount)}" if closed.amount else "")
        if closed.status == DealStatus.WON
        else texts.OUTCOME_LOST
    )
    reply(
        cmd,
        ctx,
        texts.ALREADY_CLOSED.format(
            customer=display_name(customer), day=format_day(closed.closed_at, ctx.now), outcome=outcome
        ),
    )
    return False


def _deal(cmd: Command, ctx: Context, customer: Customer) -> Deal:
    return deals.open_deal(
        ctx.session,
        external_userid=customer.external_userid,
        userid=cmd.userid,
        first_stage=ctx.settings.stages[0],
        now=ctx.now,
    )


def _note(cmd: Command, ctx: Context, customer: Customer, kind: str, text: str) -> None:
    """What happened goes on the customer's timeline, in words (not the command as typed)."""
    interactions.record(
        ctx.session,
        external_userid=customer.external_userid,
        userid=cmd.userid,
        kind=kind,
        text=text,
        at=cmd.event.at,
        inbox_id=ctx.inbox_id,
    )
