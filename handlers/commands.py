"""Members' messages: the command table, who may run each command, and what every command shares (the reply,
which customer a name means, help).

Every command replies through the outbox, keyed on the message so a replayed event never answers twice. A
message is parsed against the member's own customers; the command its intent names runs only if the member
holds one of the roles the command declares (scrm/roles.py), and a refusal is answered here, in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from handlers import texts
from handlers.books import book_of
from handlers.context import Context
from handlers.events import TextReceived
from handlers.intents import Intent, Parsed
from handlers.parsing import clean
from handlers.parsing.book import Entry
from handlers.parsing.commands import parse_command
from handlers.router import where
from scrm import chat_state, keys, matching, roles
from scrm import texts as scrm_texts
from scrm.models import Customer
from scrm.outbox import AppText
from scrm.roles import Role, Viewer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    """A member's message, parsed; `customer_id` is set when the customer was already chosen (reply `1`)."""

    userid: str
    parsed: Parsed
    event: TextReceived
    viewer: Viewer
    table: CommandTable
    customer_id: str | None = None
    confirmed: bool = False  # the rep answered yes to "is this a new deal?"

    @property
    def text(self) -> str:
        return self.event.content

    def chosen(self, customer_id: str) -> Command:
        return replace(self, customer_id=customer_id)


@dataclass(frozen=True)
class CommandSpec:
    """One line of the command table: what a message asks for, who may ask it, an example, and who answers."""

    intent: Intent
    roles: frozenset[Role]
    help: str  # an example line, as a member would type it; "" keeps the command out of the help
    func: Callable[[Command, Context], None]


class CommandTable:
    """The commands members run by chatting, by intent. `dispatch` is the route for every text message."""

    def __init__(self, *specs: CommandSpec) -> None:
        self.specs = {spec.intent: spec for spec in specs}
        missing = {Intent.UNKNOWN, Intent.HELP, Intent.CHOOSE} - set(self.specs)
        if missing:
            raise ValueError(f"the command table needs {sorted(missing)}")

    def dispatch(self, event: TextReceived, ctx: Context) -> None:
        """A member's message: who they are, what they ask, then the command if their roles allow it."""
        viewer = roles.viewer(ctx.session, event.userid, admins=ctx.settings.admins)
        if viewer is None:
            return _answer(ctx, event, texts.NOT_A_MEMBER)
        self.run(Command(event.userid, read(event.content, ctx, event.userid), event, viewer, self), ctx)

    def run(self, cmd: Command, ctx: Context) -> None:
        spec = self.specs.get(cmd.parsed.intent) or self.specs[Intent.UNKNOWN]
        if not cmd.viewer.may(spec.roles):
            return reply(cmd, ctx, refusal(spec.roles))
        spec.func(cmd, ctx)

    def help_lines(self, viewer: Viewer) -> list[str]:
        """Examples of the commands this member may run, in the table's order."""
        return [
            spec.help
            for spec in self.specs.values()
            if spec.help and spec.intent != Intent.HELP and viewer.may(spec.roles)
        ]

    def table(self) -> list[tuple[str, str]]:
        """(`text: intent`, `module:function  [roles]`) rows, as `scrm handlers` prints them."""
        return [
            (f"text: {spec.intent.value}", f"{where(spec.func)}  [{', '.join(r for r in Role if r in spec.roles)}]")
            for spec in self.specs.values()
        ]


def refusal(allowed: Collection[Role]) -> str:
    return texts.MANAGERS_ONLY if Role.MANAGER in allowed else texts.ADMINS_ONLY


def reply(cmd: Command, ctx: Context, text: str) -> None:
    _answer(ctx, cmd.event, text)


def _answer(ctx: Context, event: TextReceived, text: str) -> None:
    ctx.outbox.add(
        AppText(to=(event.userid,), text=text, repeatable=True), key=keys.reply(event.msg_id or ctx.inbox_id)
    )


def read(text: str, ctx: Context, userid: str, parse: Callable[..., Parsed] = parse_command) -> Parsed:
    """The message parsed against the member's own customers. Parsing is pure (the Book is read from the store
    first, so a database that is away still fails the event, which is then retried): an error inside it is a bug
    in our parser or in a parsing library, and must not cost the member their reply. It is logged by its type
    and place only (the message is personal data) and the message is answered as not understood."""
    book = book_of(ctx.session, userid)
    try:
        return parse(text, ctx.now, ctx.settings.timezone, book, funnel=ctx.settings.funnel)
    except Exception as error:  # pure code: no outage can be in here
        frame = error.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        place = f"{frame.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.tb_lineno}" if frame else "?"
        log.error("a message could not be parsed (%s at %s); answered as not understood", type(error).__name__, place)
        return Parsed(Intent.UNKNOWN, text)


def show_help(cmd: Command, ctx: Context) -> None:
    reply(cmd, ctx, help_text(cmd))


def not_understood(cmd: Command, ctx: Context) -> None:
    reply(cmd, ctx, texts.NOT_UNDERSTOOD.format(text=cmd.parsed.text[:20]) + "\n" + help_text(cmd))


def help_text(cmd: Command) -> str:
    """Built from the command table, so it never goes stale, and with only what this member may run."""
    examples = [texts.HELP_LINE.format(example=example) for example in cmd.table.help_lines(cmd.viewer)]
    return "\n".join([texts.HELP_HEADER, *([texts.HELP_EXAMPLES, *examples] if examples else []), texts.HELP_FOOTER])


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
        if len(choices) == 1:
            return reply(cmd, ctx, texts.CHOICE_ONLY_ONE.format(n=n))
        return reply(cmd, ctx, texts.CHOICE_OUT_OF_RANGE.format(n=n, last=len(choices)))
    parsed = read(pending["text"], ctx, cmd.userid)
    chosen = choices[0] if pending.get("confirm") else choices[n - 1]
    asked = replace(cmd.event, content=pending["text"])  # the message as typed, not the "2" that chose
    cmd.table.run(
        replace(cmd, parsed=parsed, event=asked, customer_id=chosen, confirmed=bool(pending.get("confirm"))), ctx
    )


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
