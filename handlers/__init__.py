"""Event and command handlers. The whole routing table is built here, one line per family."""

from handlers import commands, contacts
from handlers.router import Router


def build_router() -> Router:
    return Router.root(contacts.router, commands.router)
