"""Event and command handlers. The whole routing table is built here, one line per family."""

from handlers import cards, chats, commands, contacts, directory, followups, pipeline, tags, targets
from handlers.router import Router


def build_router() -> Router:
    return Router.root(contacts.router, chats.router, tags.router, directory.router, commands.router,
                       followups.router, pipeline.router, cards.router, targets.router)
