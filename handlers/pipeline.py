"""Rep commands about the funnel: move a customer to a stage, record a deal won or lost."""

from __future__ import annotations

from handlers import texts
from handlers.commands import Command, as_typed, customer_for, reply
from handlers.context import Context
from handlers.parsing.amounts import whole_amount
from handlers.parsing.commands import MAX_AMOUNT
from handlers.parsing.stages import match_stage
from handlers.parsing.when import When, describe_when
from scrm import chat_state, deals, follow_ups, interactions, keys, members, teams
from scrm.customers import display_name, label
from scrm.dates import format_day
from scrm.models import Customer, Deal
from scrm.numbers import format_amount, short_amount
from scrm.statuses import DealStatus


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
    extra = "" if amount is not None else texts.WON_NO_AMOUNT.format(customer=display_name(customer))
    if isinstance(cmd.parsed.when, When):  # 华为签了，合同8万，明天下午3点回访: the next step too
        follow_ups.schedule(
            ctx.session,
            external_userid=customer.external_userid,
            userid=cmd.userid,
            due_at=cmd.parsed.when.due,
            note="",
            now=ctx.now,
        )
        extra += "\n" + texts.NEXT_STEP.format(when=describe_when(cmd.parsed.when, ctx.now), task="")
    reply(cmd, ctx, texts.WON.format(customer=display_name(customer), amount=shown) + extra)


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
    reply(cmd, ctx, texts.LOST.format(customer=display_name(customer), reason=f"（{reason}）" if reason else ""))


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
