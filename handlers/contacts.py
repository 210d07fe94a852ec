"""Customer-contact events (change_external_contact): a customer adds, edits or deletes a rep."""

from __future__ import annotations

import logging

from handlers import texts
from handlers.context import Context, WeComError
from handlers.events import ContactAdded
from handlers.router import Router
from scrm import customers, members
from scrm.outbox import Welcome

router = Router("contacts")
log = logging.getLogger(__name__)


@router.on("event", "change_external_contact", "add_external_contact")
@router.on("event", "change_external_contact", "add_half_external_contact")
def on_contact_added(event: ContactAdded, ctx: Context) -> None:
    """Record the customer and the relation, and welcome them (the welcome_code is good for 20 s)."""
    profile = _profile(event, ctx)
    contact = profile.get("external_contact", {})
    customer = customers.upsert(
        ctx.session,
        external_userid=event.external_user_id,
        name=contact.get("name", ""),
        type=int(contact.get("type") or 1),
        corp_name=contact.get("corp_name", ""),
        position=contact.get("position", ""),
        gender=int(contact.get("gender") or 0),
        now=ctx.now,
    )
    follow = next((f for f in profile.get("follow_user", []) if f.get("userid") == event.rep_id), {})
    customers.follow(
        ctx.session,
        external_userid=event.external_user_id,
        userid=event.rep_id,
        status="half" if event.half else "active",
        remark=follow.get("remark", ""),
        description=follow.get("description", ""),
        state=event.state or follow.get("state", ""),
        add_way=follow.get("add_way"),
        added_at=event.at,
        now=ctx.now,
    )
    if event.welcome_code:
        rep = members.get(ctx.session, event.rep_id)
        text = texts.WELCOME_DEFAULT.format(customer=customer.name, rep=rep.name if rep else "")
        ctx.outbox.add(Welcome(welcome_code=event.welcome_code, text=text), key=f"welcome:{event.welcome_code}")


def _profile(event: ContactAdded, ctx: Context) -> dict:
    """The customer as WeCom describes them; a failed lookup must not hold up the welcome."""
    try:
        return ctx.wecom.get_external_contact(event.external_user_id)
    except WeComError as error:
        log.warning("externalcontact/get failed for inbox %s: errcode %s", ctx.inbox_id, error.errcode)
        return {}
