"""The routing table: event kinds to handler functions, and parsed rep intents to commands.

Handlers are plain functions `(event, ctx) -> None`; commands are `(cmd, ctx) -> None`. Each family
module makes its own Router; handlers/__init__.py joins them in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from handlers.books import book_of
from handlers.context import Context
from handlers.events import TextReceived
from handlers.parsing.commands import Intent, Parsed, parse_command

Handler = Callable[[Any, Context], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandSpec:
    intent: Intent
    help: str  # an example line, as the rep would type it
    func: Callable[..., None]


@dataclass(frozen=True)
class Command:
    """A rep's message, parsed; `customer_id` is set when the customer was already chosen (reply `1`)."""

    userid: str
    parsed: Parsed
    event: TextReceived
    available: tuple[CommandSpec, ...] = ()
    customer_id: str | None = None
    confirmed: bool = False  # the rep answered yes to "is this a new deal?"

    @property
    def text(self) -> str:
        return self.event.content

    def chosen(self, customer_id: str) -> Command:
        return replace(self, customer_id=customer_id)


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: dict[str, list[Handler]] = {}
        self.commands: dict[Intent, CommandSpec] = {}
        self.guards: list[Callable[[Command, Context], bool]] = []

    def on(self, *kind: str) -> Callable[[Handler], Handler]:
        """Register for a kind: `on("event", "change_external_contact", "add_external_contact")`."""
        key = "/".join(kind)

        def register(func: Handler) -> Handler:
            self._handlers.setdefault(key, []).append(func)
            return func

        return register

    def command(self, intent: Intent, *, help: str = "") -> Callable:
        def register(func: Callable) -> Callable:
            self.commands[intent] = CommandSpec(intent, help, func)
            return func

        return register

    def guard(self, func: Callable[[Command, Context], bool]) -> Callable:
        """A check run before every command; returning False stops it (the guard replies itself)."""
        self.guards.append(func)
        return func

    @classmethod
    def root(cls, *routers: Router) -> Router:
        """Join family routers; texts from members are parsed and dispatched to the joined commands."""
        joined = cls("root")
        for router in routers:
            for key, funcs in router._handlers.items():
                joined._handlers.setdefault(key, []).extend(funcs)
            joined.commands.update(router.commands)
            joined.guards.extend(router.guards)
        if joined.commands:
            joined._handlers.setdefault("text", []).insert(0, joined.dispatch_command)
        return joined

    def dispatch_command(self, event: TextReceived, ctx: Context) -> None:
        self.run_command(self.parse(event, ctx), ctx)

    def parse(self, event: TextReceived, ctx: Context) -> Command:
        parsed = read(event.content, ctx, event.userid)
        return Command(event.userid, parsed, event, tuple(self.commands.values()))

    def run_command(self, cmd: Command, ctx: Context) -> None:
        if not all(check(cmd, ctx) for check in self.guards):
            return
        spec = self.commands.get(cmd.parsed.intent) or self.commands.get(Intent.UNKNOWN)
        if spec:
            spec.func(cmd, ctx)

    def handlers_for(self, kind: str) -> list[Handler]:
        return list(self._handlers.get(kind, []))

    def run(self, kind: str, event: Any, ctx: Context) -> int:
        """Run every handler for the event; returns how many ran (0 = stored but unhandled)."""
        funcs = self.handlers_for(kind)
        for func in funcs:
            func(event, ctx)
        return len(funcs)

    def table(self) -> list[tuple[str, str]]:
        """(key, module:function) rows, as `scrm handlers` prints them."""
        rows = [(key, _where(f)) for key, fs in sorted(self._handlers.items()) for f in fs]
        rows += [(f"text: {spec.intent.value}", _where(spec.func)) for spec in self.commands.values()]
        return rows


def read(text: str, ctx: Context, userid: str, parse: Callable[..., Parsed] = parse_command) -> Parsed:
    """The message parsed against the member's own customers. Parsing is pure (the Book is read from the store
    first, so a database that is away still fails the event, which is then retried): an error inside it is a bug
    in our parser or in a parsing library, and must not cost the member their reply. It is logged by its type
    and place only (the message is personal data) and the message is answered as not understood."""
    book = book_of(ctx.session, userid)
    try:
        return parse(text, ctx.now, ctx.settings.timezone, book)
    except Exception as error:  # pure code: no outage can be in here
        frame = error.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        where = f"{frame.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.tb_lineno}" if frame else "?"
        log.error("a message could not be parsed (%s at %s); answered as not understood", type(error).__name__, where)
        return Parsed(Intent.UNKNOWN, text)


def _where(func: Callable) -> str:
    return f"{func.__module__}:{func.__qualname__}"
