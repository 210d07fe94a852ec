"""Rep commands, the shared part: who may use them, help, and which customer a name means.

Every command replies through the outbox, keyed on the message so a replayed event never answers twice.
"""

from __future__ import annotations

from dataclasses import replace

from handlers import texts
from handlers.books import book_of
from handlers.context import Context
from handlers.parsing import clean
from handlers.parsing.book import Entry
from handlers.parsing.commands import Intent
from handlers.router import Command, Router, read
from scrm import chat_state, matching, members
from scrm import texts as scrm_texts
from scrm.models import Customer
from scrm.outbox import AppText

router = Router("commands")


def reply(cmd: Command, ctx: Context, text: str) -> None:
    ctx.outbox.add(
        AppText(to=(cmd.userid,), text=text, repeatable=True), key=f"reply:{cmd.event.msg_id or ctx.inbox_id}"
    )


@router.guard
def require_member(cmd: Command, ctx: Context) -> bool:
    """Only members synced from WeCom may use the bot."""
    member = members.get(ctx.session, cmd.userid)
    if member is None or not member.active:
        reply(cmd, ctx, texts.NOT_A_MEMBER)
        return False
    return True


@router.command(Intent.HELP, help="帮助")
def show_help(cmd: Command, ctx: Context) -> None:
    reply(cmd, ctx, help_text(cmd))


@router.command(Intent.UNKNOWN)
def not_understood(cmd: Command, ctx: Context) -> None:
    reply(cmd, ctx, texts.NOT_UNDERSTOOD.format(text=cmd.parsed.text[:20]) + "\n" + help_text(cmd))


def help_text(cmd: Command) -> str:
    """Built from the registered commands, so it never goes stale."""
    examples = [
        texts.HELP_LINE.format(example=spec.help) for spec in cmd.available if spec.help and spec.intent != Intent.HELP
    ]
    return "\n".join([texts.HELP_HEADER, *([texts.HELP_EXAMPLES, *examples] if examples else []), texts.HELP_FOOTER])


@router.command(Intent.CHOOSE)
def choose(cmd: Command, ctx: Context) -> None:
    """`1` after a numbered choice: run the command that asked, for the chosen customer."""
    state = chat_state.of(ctx.session, cmd.userid, now=ctx.now)
    pending = chat_state.take_pending(state, now=ctx.now)
    if pending is None:
        return reply(cmd, ctx, texts.NOTHING_TO_CHOOSE)
    choices = pending["choices"]
    n = cmd.parsed.index or 0
    if pending.get("confirm"):  # 1 = yes, 2 = no
        if n != 1:
            return reply(cmd, ctx, texts.CANCELLED)
    elif not 1 <= n <= len(choices):
        chat_state.ask(state, pending, now=ctx.now)  # keep it open for a valid answer
        return reply(cmd, ctx, texts.CHOICE_OUT_OF_RANGE.format(n=n, last=len(choices)))
    parsed = read(pending["text"], ctx, cmd.userid)
    spec = next((s for s in cmd.available if s.intent == parsed.intent), None)
    if spec:  # the guards already let this rep in
        chosen = choices[0] if pending.get("confirm") else choices[n - 1]
        asked = replace(cmd.event, content=pending["text"])  # the message as typed, not the "2" that chose
        spec.func(Command(cmd.userid, parsed, asked, cmd.available, chosen, bool(pending.get("confirm"))), ctx)


def customer_for(cmd: Command, ctx: Context) -> Customer | None:
    """The rep's own customer the command means. Replies (and returns None) when it is unclear: no name and
    no customer talked about in the last minutes, a name that is not theirs, or several close matches."""
    state = chat_state.of(ctx.session, cmd.userid, now=ctx.now)
    book = book_of(ctx.session, cmd.userid)  # the rep's own customers only, cached between messages
    p = cmd.parsed
    wanted = cmd.customer_id or (p.customer_ids[0] if len(p.customer_ids) == 1 else None)
    if not wanted and not p.customer and p.short and p.intent in (Intent.FOLLOW_UP, Intent.NEXT_STEP):
        wanted = chat_state.recent_customer(state, now=ctx.now)
    if wanted in book.entries:
        chat_state.remember(state, customer=wanted, now=ctx.now)
        return ctx.session.get(Customer, wanted)
    if not p.customer:
        reply(cmd, ctx, texts.WHICH_CUSTOMER)
        return None
    candidates = [
        matching.Candidate(e.id, _label(e), (e.name, e.remark, e.corp, e.remark_corp)) for e in book.entries.values()
    ]
    if p.customer_ids:
        matches = [matching.Match(c, 100, "exact") for c in candidates if c.external_userid in p.customer_ids]
    else:
        matches = matching.resolve(p.customer, candidates)
    if not matches:
        closest = matching.closest(p.customer, candidates)
        hint = texts.CLOSEST.format(label=closest.label) if closest else ""
        reply(cmd, ctx, texts.NO_SUCH_CUSTOMER.format(name=p.customer, hint=hint))
        return None
    if len(matches) > 1 or matches[0].how == "surname":  # 王总 and the only 王 is 王芳: ask, never assume
        chat_state.ask(
            state, {"text": cmd.text, "choices": [m.candidate.external_userid for m in matches]}, now=ctx.now
        )
        lines = [texts.CHOICE_LINE.format(n=i, label=m.candidate.label) for i, m in enumerate(matches, 1)]
        reply(cmd, ctx, texts.CHOOSE_CUSTOMER.format(name=p.customer, n=len(matches), choices="\n".join(lines)))
        return None
    chosen = matches[0].candidate.external_userid
    chat_state.remember(state, customer=chosen, now=ctx.now)
    return ctx.session.get(Customer, chosen)


def as_typed(cmd: Command, piece: str) -> str:
    """Words of the parsed message as the rep typed them (their punctuation), for echoes and the history."""
    return clean.as_typed(cmd.text, piece)


def _label(entry: Entry) -> str:
    """How the rep knows them, for a numbered choice: 张伟（张总-华为，华为技术有限公司）."""
    detail = "，".join(x for x in (entry.remark if entry.remark != entry.name else "", entry.corp) if x)
    name = entry.name or scrm_texts.UNKNOWN_CUSTOMER
    return f"{name}（{detail}）" if detail else name
