"""Cutting found words (a time, an amount) out of a message, and moving spans between texts. No parsing."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TypeVar

from handlers.intents import Amount, When, WhenError

Found = TypeVar("Found", When, WhenError, Amount)
_SPACES = re.compile(r"\s+")


def shift(found: Found | None, offset: int) -> Found | None:
    """A span found in message[offset:] as a span of the whole message."""
    return None if found is None else replace(found, span=(found.span[0] + offset, found.span[1] + offset))


def mask(message: str, found: When | WhenError | Amount | None) -> str:
    """The message with `found`'s words blanked out, offsets kept (parse the time, then look for money)."""
    if found is None:
        return message
    start, end = found.span
    return message[:start] + " " * (end - start) + message[end:]


def without(message: str, offset: int, found: When | WhenError | Amount | None) -> str:
    """message[offset:] with `found`'s words taken out."""
    if found is None or found.span[0] < offset:
        return message[offset:]
    start, end = found.span
    return message[offset:start] + " " + message[end:]


def tidy(note: str) -> str:
    """One space between words, no separators at either end."""
    return _SPACES.sub(" ", note).strip(" ,:;")
