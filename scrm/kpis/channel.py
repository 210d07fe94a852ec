"""Channel effectiveness: per QR-code channel, the new customers it brought, how many were won, and the won
amount (渠道)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, select

from scrm.db import among
from scrm.kpis.periods import Period
from scrm.models import CustomerRep, Deal, TaggingRule
from scrm.statuses import DealStatus


@dataclass(frozen=True)
class ChannelFigures:
    channel: str  # the `state` prefix of the QR code the customers came through ("" without one)
    new_customers: int  # each customer once, though they added several reps through the channel
    won_customers: int  # of those, how many a rep they came to through it has won a deal with since
    won_amount: Decimal  # won in the period from customers of this channel

    @property
    def conversion(self) -> float | None:
        return self.won_customers / self.new_customers if self.new_customers else None


def channel_of(state: str) -> str:
    """expo2026_booth3 → expo2026: a channel is the state up to its first `_` or `-`."""
    return re.split(r"[_-]", state, maxsplit=1)[0] if state else ""


def channel_names(session: Session) -> dict[str, str]:
    """Each channel's name as the operator's channel rules tag it (`expo2026* → 渠道:2026工业展` names expo2026
    2026工业展), by channel; the first rule of a channel names it. A channel no rule names has no entry."""
    rules = session.exec(
        select(TaggingRule).where(TaggingRule.kind == "channel", TaggingRule.enabled).order_by(TaggingRule.id)
    )
    names: dict[str, str] = {}
    for rule in rules:
        names.setdefault(channel_of(rule.pattern.rstrip("*")), rule.tag_name)
    return names


def channels(session: Session, userids: list[str], period: Period) -> list[ChannelFigures]:
    """Per channel: new customers in the period, how many of them were won, and the won amount in the period.
    A customer who added two reps through the channel is one new customer of it (and won once)."""
    rels = session.exec(
        select(CustomerRep.userid, CustomerRep.external_userid, CustomerRep.state, CustomerRep.added_at).where(
            among(session, CustomerRep.userid, userids)
        )
    ).all()
    channel = {(u, e): channel_of(s) for u, e, s, _ in rels}
    won_deals = session.exec(
        select(Deal.userid, Deal.external_userid, Deal.amount, Deal.closed_at).where(
            among(session, Deal.userid, userids), Deal.status == DealStatus.WON
        )
    ).all()
    won_pairs = {(u, e) for u, e, _, _ in won_deals}
    new: dict[str, set[str]] = defaultdict(set)
    converted: dict[str, set[str]] = defaultdict(set)
    amount: dict[str, Decimal] = defaultdict(Decimal)
    for userid, external, _, added in rels:
        if added is not None and period.start <= added < period.end:
            new[channel[userid, external]].add(external)
            if (userid, external) in won_pairs:
                converted[channel[userid, external]].add(external)
    for userid, external, value, closed in won_deals:
        if closed is not None and period.start <= closed < period.end:
            amount[channel.get((userid, external), "")] += Decimal(value or 0)
    names = sorted(set(new) | set(amount), key=lambda c: (-amount[c], -len(new[c]), c))
    return [ChannelFigures(c, len(new[c]), len(converted[c]), amount[c]) for c in names]
