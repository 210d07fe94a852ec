"""What a rep's next message may refer to: a numbered choice waiting for `1`, the agenda just shown,
and the customer last talked about (so `明天下午3点回访` alone applies to them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from scrm.db import upsert_many
from scrm.models import ChatState

CHOICE_LIFETIME = timedelta(minutes=10)
CONTINUATION_WINDOW = timedelta(minutes=10)  # `3天后` alone applies to the customer talked about this recently


def of(session: Session, userid: str, *, now: datetime) -> ChatState:
    state = session.get(ChatState, userid)
    if state is None:
        state = ChatState(userid=userid, updated_at=now)
        session.add(state)
    return state


def ask(state: ChatState, pending: dict[str, Any], *, now: datetime) -> None:
    state.pending, state.pending_until, state.updated_at = pending, now + CHOICE_LIFETIME, now


def take_pending(state: ChatState, *, now: datetime) -> dict[str, Any] | None:
    """The waiting choice, once; None when there is none or it expired."""
    pending, until = state.pending, state.pending_until
    state.pending, state.pending_until = None, None
    return pending if pending and until and now <= until else None


def remember(state: ChatState, *, now: datetime, customer: str | None = None, agenda: list[int] | None = None) -> None:
    if customer is not None:
        state.last_customer, state.last_customer_at = customer, now
    if agenda is not None:
        state.agenda = agenda
    state.updated_at = now


def remember_agendas(session: Session, agendas: dict[str, list[int]], *, now: datetime) -> None:
    """The 待办 lists a job just showed several reps, so that their `完成 N` refers to them (one statement)."""
    rows = [
        {"userid": userid, "agenda": ids, "last_customer": "", "updated_at": now} for userid, ids in agendas.items()
    ]
    upsert_many(session, ChatState, rows, key="userid", update=("agenda", "updated_at"))


def recent_customer(state: ChatState, *, now: datetime) -> str | None:
    """The customer last talked about, if that was within the continuation window."""
    at = state.last_customer_at
    return state.last_customer or None if at and now - at <= CONTINUATION_WINDOW else None
