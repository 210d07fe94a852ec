"""The routing table: event kinds to handler functions, and rep command words to commands.

Handlers are plain functions `(event, ctx) -> None`; commands are `(cmd, ctx) -> None`. Each family
module makes its own Router; handlers/__init__.py joins them in one place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from handlers.context import Context
from handlers.events import TextReceived

Handler = Callable[[Any, Context], None]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    aliases: tuple[str, ...]
    help: str
    func: Callable[..., None]

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Command:
    """A rep's text, split into the command word and the rest."""

    userid: str
    name: str
    args: str
    text: str
    event: TextReceived
    available: tuple[CommandSpec, ...] = ()


def normalize(text: str) -> str:
    """Full-width letters, digits, spaces and punctuation to half-width (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: dict[str, list[Handler]] = {}
        self.commands: list[CommandSpec] = []
        self.fallback: Callable[..., None] | None = None
        self.guards: list[Callable[[Command, Context], bool]] = []

    def on(self, *kind: str) -> Callable[[Handler], Handler]:
        """Register for a kind: `on("event", "change_external_contact", "add_external_contact")`."""
        key = "/".join(kind)

        def register(func: Handler) -> Handler:
            self._handlers.setdefault(key, []).append(func)
            return func

        return register

    def command(self, name: str, *aliases: str, help: str) -> Callable:
        def register(func: Callable) -> Callable:
            self.commands.append(CommandSpec(name, aliases, help, func))
            return func

        return register

    def otherwise(self, func: Callable) -> Callable:
        """The command run when no word matches (the help)."""
        self.fallback = func
        return func

    def guard(self, func: Callable[[Command, Context], bool]) -> Callable:
        """A check run before every command; returning False stops it (the guard replies itself)."""
        self.guards.append(func)
        return func

    @classmethod
    def root(cls, *routers: Router) -> Router:
        """Join family routers; texts from members are dispatched to the joined command table."""
        joined = cls("root")
        for router in routers:
            for key, funcs in router._handlers.items():
                joined._handlers.setdefault(key, []).extend(funcs)
            joined.commands.extend(router.commands)
            joined.guards.extend(router.guards)
            joined.fallback = router.fallback or joined.fallback
        if joined.commands or joined.fallback:
            joined._handlers.setdefault("text", []).insert(0, joined.dispatch_command)
        return joined

    def dispatch_command(self, event: TextReceived, ctx: Context) -> None:
        spec, cmd = self.match(event)
        if not all(check(cmd, ctx) for check in self.guards):
            return
        func = spec.func if spec else self.fallback
        if func:
            func(cmd, ctx)

    def handlers_for(self, kind: str) -> list[Handler]:
        return list(self._handlers.get(kind, []))

    def run(self, kind: str, event: Any, ctx: Context) -> int:
        """Run every handler for the event; returns how many ran (0 = stored but unhandled)."""
        funcs = self.handlers_for(kind)
        for func in funcs:
            func(event, ctx)
        return len(funcs)

    def match(self, event: TextReceived) -> tuple[CommandSpec | None, Command]:
        """The command a text asks for: the longest command word it starts with."""
        text = normalize(event.content)
        spec, word = None, ""
        for candidate in self.commands:
            for w in candidate.words:
                if text.lower().startswith(w.lower()) and len(w) > len(word):
                    spec, word = candidate, w
        args = text[len(word):].strip() if spec else text
        return spec, Command(event.userid, spec.name if spec else "", args, text, event, tuple(self.commands))

    def table(self) -> list[tuple[str, str]]:
        """(key, module:function) rows, as `scrm handlers` prints them."""
        rows = [(key, _where(f)) for key, fs in sorted(self._handlers.items()) for f in fs]
        rows += [(f"text: {' / '.join(c.words)}", _where(c.func)) for c in self.commands]
        if self.fallback:
            rows.append(("text: (anything else)", _where(self.fallback)))
        return rows


def _where(func: Callable) -> str:
    return f"{func.__module__}:{func.__qualname__}"

