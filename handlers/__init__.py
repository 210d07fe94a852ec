"""Event and command handlers. The whole routing table is built here, one line per family."""

from handlers import chats, commands, contacts, tags
from handlers.router import Router


def build_router() -> Router:
    return Router.root(contacts.router, chats.router, tags.router, commands.router)
