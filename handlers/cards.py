"""A customer's card: stage, tier, tags, what happened, the next step and the deals. A rep only ever sees
their own customers."""

from __future__ import annotations

from handlers import texts
from handlers.commands import Command, customer_for, reply
from handlers.context import Context
from scrm import customers, deals, follow_ups, interactions, tags
from scrm.customers import display_name
from scrm.dates import format_day, format_when
from scrm.models import Deal, Interaction
from scrm.numbers import format_amount
from scrm.statuses import DealStatus

RECENT = 3


def show_card(cmd: Command, ctx: Context) -> None:
    customer = customer_for(cmd, ctx)
    if customer is None:
        return
    mine = [d for d in deals.of_customer(ctx.session, customer.external_userid) if d.userid == cmd.userid]
    lines = [texts.CARD_TITLE.format(name=display_name(customer), corp=customer.corp_name)]
    current = next((d for d in reversed(mine) if d.status == DealStatus.OPEN), mine[-1] if mine else None)
    lines.append(
        texts.CARD_STAGE.format(stage=current.stage, days=deals.days_in_stage(ctx.session, current, now=ctx.now))
        if current
        else texts.CARD_NO_DEAL
    )
    relation = customers.relation(ctx.session, customer.external_userid, cmd.userid)
    if relation is not None and relation.tier:
        lines.append(texts.CARD_TIER.format(tier=relation.tier, meaning=texts.TIER_MEANING[relation.tier]))
    own_tags = [
        f"{t.group_name}:{t.tag_name}"
        for t in tags.of_customer(ctx.session, customer.external_userid)
        if t.userid == cmd.userid
    ]
    if own_tags:
        lines.append(texts.CARD_TAGS.format(tags="、".join(own_tags)))
    recent = [
        e
        for e in interactions.timeline(ctx.session, customer.external_userid, userid=cmd.userid)
        if e.kind not in ("won", "lost_deal")
    ][:RECENT]  # deals have their own lines
    if recent:
        lines.append(texts.CARD_RECENT)
        lines += [texts.CARD_RECENT_LINE.format(when=format_day(e.at, ctx.now), text=_history(e)) for e in recent]
    for item in follow_ups.open_of(ctx.session, customer.external_userid, cmd.userid):
        due = format_when(item.due_at, ctx.now)
        lines.append(texts.CARD_NEXT.format(when=due, note=f" {item.note}" if item.note else ""))
    closed = [d for d in mine if d.status != DealStatus.OPEN]
    if closed:
        lines.append(texts.CARD_DEALS)
        lines += [
            texts.CARD_DEAL_LINE.format(day=format_day(d.closed_at, ctx.now), outcome=_outcome(d)) for d in closed
        ]
    reply(cmd, ctx, "\n".join(lines))


def _history(entry: Interaction) -> str:
    """What happened, in a line: 电话：沟通了报价, 进入「方案报价」阶段, 成交 8万."""
    text = entry.text[:40]
    return texts.CARD_LOGGED.format(channel=entry.channel, text=text) if entry.kind == "follow_up" else text


def _outcome(deal: Deal) -> str:
    if deal.status == DealStatus.WON:
        return texts.HISTORY_WON.format(amount=f" {format_amount(deal.amount)}" if deal.amount else "")
    return texts.HISTORY_LOST.format(reason=f"：{deal.note}" if deal.note else "")
