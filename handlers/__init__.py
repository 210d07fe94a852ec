"""Event and command handlers. The whole routing table is built here, one line per family."""

from handlers import (
    cards,
    chats,
    commands,
    contacts,
    directory,
    followups,
    numbers,
    pipeline,
    tags,
    targets,
    team,
)
from handlers.router import Router


def build_router() -> Router:
    return Router.root(
        contacts.router,
        chats.router,
        tags.router,
        directory.router,
        commands.router,
        followups.router,
        pipeline.router,
        cards.router,
        numbers.router,
        team.router,
        targets.router,
    )
