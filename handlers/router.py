"""Event kinds to handler functions. Handlers are plain functions `(event, ctx) -> None`; each family module makes
its own Router, and handlers/__init__.py joins them, members' messages included, in one visible table.

The router parses nothing and reads nothing: it only knows which functions a kind runs. A kind must be one the
event parsers know (handlers/events.py: Kind), checked when the routers are joined, so a typo fails at start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.context import Context
from handlers.events import PARSERS

Handler = Callable[[Any, Context], None]


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: dict[str, list[Handler]] = {}

    def on(self, *kinds: str) -> Callable[[Handler], Handler]:
        """Register for one or more kinds: `on(Kind.CHAT_CREATED, Kind.CHAT_UPDATED)`."""

        def register(func: Handler) -> Handler:
            for kind in kinds:
                self._handlers.setdefault(kind, []).append(func)
            return func

        return register

    @classmethod
    def root(cls, *routers: Router) -> Router:
        """Join family routers; every kind they registered must be one the event parsers produce."""
        joined = cls("root")
        for router in routers:
            for kind, funcs in router._handlers.items():
                if kind not in PARSERS:
                    raise ValueError(f"router {router.name!r}: no event parser produces kind {kind!r}")
                joined._handlers.setdefault(kind, []).extend(funcs)
        return joined

    def handlers_for(self, kind: str) -> list[Handler]:
        return list(self._handlers.get(kind, []))

    def run(self, kind: str, event: Any, ctx: Context) -> int:
        """Run every handler for the event; returns how many ran (0 = stored but unhandled)."""
        funcs = self.handlers_for(kind)
        for func in funcs:
            func(event, ctx)
        return len(funcs)

    def table(self) -> list[tuple[str, str]]:
        """(kind, module:function) rows, as `scrm handlers` prints them."""
        return [(kind, where(f)) for kind, fs in sorted(self._handlers.items()) for f in fs]


def where(func: Callable) -> str:
    return f"{getattr(func, '__module__', '?')}:{getattr(func, '__qualname__', type(func).__name__)}"
