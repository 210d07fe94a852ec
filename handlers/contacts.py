"""Customer-contact events (change_external_contact): customers added, edited, deleted, handed over.

Events can arrive late, twice or out of order (an edit before its add, a delete for a customer we never
saw); relation statuses carry WeCom's event time (scrm/customers.py), so the result is the in-order one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from handlers import texts
from handlers.context import Context
from handlers.events import (
    READ_CUSTOMER,
    ContactAdded,
    ContactDeletedByCustomer,
    ContactDeletedByRep,
    ContactEdited,
    CustomerToRead,
    Kind,
    TransferFailed,
    customer_to_read_key,
)
from handlers.parsing.tokens import add_words, cut
from handlers.router import Router
from scrm import customers, deals, follow_ups, inbox, interactions, keys, members, tagging, tags, welcome
from scrm.customers import display_name
from scrm.dates import format_when
from scrm.models import Customer, CustomerRep
from scrm.outbox import AppText, TagCustomer, Welcome
from scrm.queue import PAUSE, RetryPolicy
from scrm.statuses import FollowUpStatus, RelationStatus
from scrm.wecom import WeComError

router = Router("contacts")
log = logging.getLogger(__name__)


@router.on(Kind.CONTACT_ADDED)
def on_contact_added(event: ContactAdded, ctx: Context) -> None:
    """Record, welcome (the code lives 20 s, so it is queued first), tag, and schedule the first follow-up."""
    profile = _profile(ctx, event.external_user_id, event.rep_id, outage=LATER)
    customer, rel = _sync(ctx, event.external_user_id, event.rep_id, profile, state=event.state)
    customers.set_status(rel, RelationStatus.ACTIVE, event.at)
    rel.added_at = rel.added_at or event.at  # WeCom's createtime when it gave one, else the event's time
    _note(ctx, event.external_user_id, event.rep_id, "added", event.at, detail=event.state or texts.NO_CHANNEL)
    if rel.status not in customers.LIVE:  # a later delete already ended it: no welcome, no follow-up
        return
    _welcome(ctx, event, customer, rel)
    _tag(ctx, customer, rel, event.at)
    due = follow_ups.first_due(event.at, ctx.settings.timezone, ctx.settings.first_follow_up)
    note = texts.FIRST_FOLLOW_UP_NOTE
    follow_ups.open_first(
        ctx.session, external_userid=customer.external_userid, userid=rel.userid, due_at=due, note=note, now=ctx.now
    )


@router.on(Kind.CONTACT_HALF_ADDED)
def on_contact_half_added(event: ContactAdded, ctx: Context) -> None:
    """The customer added the rep (免验证) before the rep accepted; the full add completes it."""
    profile = _profile(ctx, event.external_user_id, event.rep_id, outage=LATER)
    customer, rel = _sync(ctx, event.external_user_id, event.rep_id, profile, state=event.state)
    customers.set_status(rel, RelationStatus.HALF, event.at)
    _note(ctx, event.external_user_id, event.rep_id, "half_added", event.at, detail=event.state or texts.NO_CHANNEL)
    if rel.status in customers.LIVE:
        _welcome(ctx, event, customer, rel)  # the code is only sent once: here, not on the later add


@router.on(Kind.CONTACT_EDITED)
def on_contact_edited(event: ContactEdited, ctx: Context) -> None:
    """The rep changed the remark or tags in the client: take WeCom's current view."""
    profile = _profile(ctx, event.external_user_id, event.rep_id, outage=WAIT)  # an edit without it is nothing
    _, rel = _sync(ctx, event.external_user_id, event.rep_id, profile)
    if not rel.status:
        customers.set_status(rel, RelationStatus.ACTIVE, event.at)  # an edit means they are contacts
    follow = _follow(profile, event.rep_id)
    if follow is not None:
        tags.replace_from_wecom(
            ctx.session,
            external_userid=event.external_user_id,
            userid=event.rep_id,
            tags=follow.get("tags", []),
            now=ctx.now,
        )
    _note(ctx, event.external_user_id, event.rep_id, "edited", event.at)


@router.on(Kind.CONTACT_DELETED_BY_REP)
def on_contact_deleted_by_rep(event: ContactDeletedByRep, ctx: Context) -> None:
    """The rep deleted the customer, or 在职继承 handed the customer over (then it is not a deletion)."""
    status = RelationStatus.TRANSFERRED if event.is_transfer else RelationStatus.DELETED_BY_REP
    customer, rel = _sync(ctx, event.external_user_id, event.rep_id, {})
    if not customers.set_status(rel, status, event.at):
        return
    _note(ctx, event.external_user_id, event.rep_id, status, event.at)
    follow_ups.close_open(
        ctx.session,
        external_userid=event.external_user_id,
        userid=event.rep_id,
        status=FollowUpStatus.CANCELLED,
        now=ctx.now,
    )
    if not event.is_transfer:
        text = texts.REP_DELETED_CUSTOMER.format(
            rep=_rep_name(ctx, event.rep_id), customer=display_name(customer), when=format_when(event.at, ctx.now)
        )
        _tell_managers(
            ctx,
            event.rep_id,
            text,
            key=keys.rep_deleted_customer(event.rep_id, event.external_user_id, event.at),
        )


@router.on(Kind.CONTACT_DELETED_BY_CUSTOMER)
def on_contact_deleted_by_customer(event: ContactDeletedByCustomer, ctx: Context) -> None:
    """Churn: the customer deleted the rep. Open deals become at risk; rep and manager hear at once."""
    profile = _profile(ctx, event.external_user_id, event.rep_id, outage=SKIP)  # the alert must not wait
    customer, rel = _sync(ctx, event.external_user_id, event.rep_id, profile)
    if not customers.set_status(rel, RelationStatus.LOST, event.at):
        return
    _note(ctx, event.external_user_id, event.rep_id, RelationStatus.LOST, event.at)
    at_risk = deals.mark_at_risk(ctx.session, external_userid=event.external_user_id, userid=event.rep_id, now=ctx.now)
    deal_text = texts.DEALS_AT_RISK.format(n=at_risk) if at_risk else ""
    when, name = format_when(event.at, ctx.now), display_name(customer)
    key = keys.churn(event.rep_id, event.external_user_id, event.at)
    ctx.outbox.add(
        AppText(to=(event.rep_id,), text=texts.CHURN_TO_REP.format(customer=name, when=when, deals=deal_text)), key=key
    )
    text = texts.CHURN_TO_MANAGER.format(customer=name, when=when, rep=_rep_name(ctx, event.rep_id), deals=deal_text)
    _tell_managers(ctx, event.rep_id, text, key=key)


@router.on(Kind.TRANSFER_FAILED)
def on_transfer_failed(event: TransferFailed, ctx: Context) -> None:
    reason = texts.TRANSFER_FAIL_REASONS.get(event.reason, event.reason)
    _note(ctx, event.external_user_id, event.rep_id, "transfer_failed", event.at, detail=reason)


# --- helpers ------------------------------------------------------------------------------------


@router.on(Kind.CUSTOMER_TO_READ)
def on_customer_to_read(event: CustomerToRead, ctx: Context) -> None:
    """The read an add could not make (WeCom failing): made now, the row paused until WeCom answers, then
    the customer named and tagged as on a normal add."""
    profile = _profile(ctx, event.external_user_id, event.rep_id, outage=WAIT)
    if not profile:
        return  # WeCom says they are no contact any more (deleted meanwhile): nothing to learn
    customer, rel = _sync(ctx, event.external_user_id, event.rep_id, profile)
    if rel.status in customers.LIVE:
        _tag(ctx, customer, rel, ctx.now)


SKIP, LATER, WAIT = "skip", "later", "wait"


def _profile(ctx: Context, external_userid: str, userid: str, *, outage: str) -> dict[str, Any]:
    """The customer as WeCom describes them; {} when WeCom says they are not a contact (84061 after the rep
    deleted them). When WeCom is failing (an outage, not a refusal), as `outage` says: SKIP goes on without
    (the event must not wait), LATER goes on and queues the read for when WeCom answers again (a new customer
    would otherwise stay nameless and untagged), WAIT raises so the whole event pauses."""
    try:
        return ctx.wecom.get_external_contact(external_userid)
    except WeComError as error:
        paused = RetryPolicy.outcome(error) == PAUSE
        if paused and outage == WAIT:
            raise
        log.warning(
            "externalcontact/get failed for inbox %s: errcode %s%s",
            ctx.inbox_id,
            error.errcode,
            ", read again later" if paused and outage == LATER else "",
        )
        if paused and outage == LATER:
            inbox.add(
                ctx.session,
                dedup_key=customer_to_read_key(userid, external_userid, ctx.inbox_id),
                kind=Kind.CUSTOMER_TO_READ,
                now=ctx.now,
                payload={
                    "MsgType": "internal",
                    "Event": READ_CUSTOMER,
                    "UserID": userid,
                    "ExternalUserID": external_userid,
                },
            )
        return {}


def _follow(profile: dict[str, Any], userid: str) -> dict[str, Any] | None:
    return next((f for f in profile.get("follow_user", []) if f.get("userid") == userid), None)


def _sync(
    ctx: Context, external_userid: str, userid: str, profile: dict[str, Any], *, state: str = ""
) -> tuple[Customer, CustomerRep]:
    """Customer and relation as WeCom sees them now (or as we last knew them when WeCom can't say)."""
    customer, _ = customers.upsert(
        ctx.session, external_userid=external_userid, profile=profile.get("external_contact", {}), now=ctx.now
    )
    rel = customers.link(ctx.session, external_userid=external_userid, userid=userid, now=ctx.now)
    follow = dict(_follow(profile, userid) or {})
    if state:
        follow["state"] = state
    customers.apply_follow_info(rel, follow, now=ctx.now)
    return customer, rel


def _welcome(ctx: Context, event: ContactAdded, customer: Customer, rel: CustomerRep) -> None:
    if not event.welcome_code:  # absent when a console welcome is set, they chatted before, or it was used
        return
    template = welcome.choose(ctx.session, rel.state)
    greeting = welcome.address(customer.name, remark=rel.remark, position=customer.position)
    text = welcome.render(
        template.text if template else texts.WELCOME_DEFAULT,
        customer=greeting,
        rep=_rep_name(ctx, rel.userid),
        company=customer.corp_name,
        ours=ctx.settings.company,
    )
    ctx.outbox.add(Welcome(welcome_code=event.welcome_code, text=text), key=keys.welcome(event.welcome_code))


def _tag(ctx: Context, customer: Customer, rel: CustomerRep, at: datetime) -> None:
    rules = tagging.listed(ctx.session)
    add_words(tagging.keywords(rules))
    profile_texts = [customer.corp_name, customer.position, rel.remark, rel.description, rel.remark_corp_name]
    matches = tagging.evaluate(rules, state=rel.state, texts=profile_texts, cut=cut)
    new = tags.add_to_customer(
        ctx.session,
        external_userid=customer.external_userid,
        userid=rel.userid,
        tags=[(m.group, m.tag, m.rule) for m in matches],
        now=ctx.now,
    )
    if new:
        ctx.outbox.add(
            TagCustomer(userid=rel.userid, external_userid=customer.external_userid, tags=tuple(new)),
            key=keys.tag_customer(rel.userid, customer.external_userid, ctx.inbox_id),
        )
        _note(ctx, customer.external_userid, rel.userid, "tagged", at, detail="、".join(f"{g}:{t}" for g, t in new))


def _tell_managers(ctx: Context, rep_id: str, text: str, *, key: str) -> None:
    rep = members.get(ctx.session, rep_id)
    managers = members.managers_of(ctx.session, rep) if rep else []
    if managers:
        ctx.outbox.add(AppText(to=tuple(m.userid for m in managers), text=text), key=keys.to_managers(key))


def _note(ctx: Context, external_userid: str, userid: str, kind: str, at: datetime, detail: str = "") -> None:
    text = texts.TIMELINE[kind].format(detail=detail)
    interactions.record(
        ctx.session, external_userid=external_userid, userid=userid, kind=kind, at=at, text=text, inbox_id=ctx.inbox_id
    )


def _rep_name(ctx: Context, userid: str) -> str:
    rep = members.get(ctx.session, userid)
    return rep.name if rep else userid
