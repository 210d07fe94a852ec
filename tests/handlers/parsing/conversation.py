"""Checking a message against a rep's Book the way the bot reads it: parse, then resolve the customer.

Shared by the corpus test (utterances.yaml's `conversation` block, kept at 100%) and the held-out score
(`python -m tests.handlers.parsing.heldout`, reported, never tuned to). Resolution follows
handlers/commands.py:customer_for without a database: the Book's ids, else the typed name through
scrm.matching, else the customer talked about just before when the message is a short continuation.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers.intents import CUSTOMER_INTENTS, Parsed, When, WhenError
from handlers.parsing.book import Book, Entry
from handlers.parsing.commands import parse_command
from scrm import matching

KNOWN = {
    "say",
    "intent",
    "customer",
    "channel",
    "when",
    "at",
    "amount",
    "stage",
    "reason",
    "period",
    "index",
    "member",
    "last",
    "as",
    "why",
    "todo",
    "__line__",
    "now",
    "note_has",
    "note_lacks",
    "reopen",
}
CHECKED = (
    "intent",
    "customer",
    "channel",
    "when",
    "at",
    "amount",
    "stage",
    "reason",
    "period",
    "index",
    "member",
    "note_has",
    "note_lacks",
    "reopen",
)


def book_of(entries: list[dict]) -> tuple[Book, dict[str, str]]:
    """The Book, and each entry's id → name (ids are the names: they are unique in a test book)."""
    book = Book(
        Entry(e["name"], e["name"], e.get("remark") or "", e.get("corp") or "", "", e.get("position") or "")
        for e in entries
    )
    return book, {e["name"]: e["name"] for e in entries}


def resolve(parsed: Parsed, book: Book, last: str | None) -> str | None:
    """Who the bot would write to: a name, "ask", "missing:X", "last", "which" (it asks who), or None."""
    if parsed.intent.value not in CUSTOMER_INTENTS:
        return None
    if len(parsed.customer_ids) == 1:
        return parsed.customer_ids[0]
    if len(parsed.customer_ids) > 1:
        return "ask"
    if parsed.customer:
        candidates = [matching.Candidate(e.id, e.name, (e.name, e.remark, e.corp)) for e in book.entries.values()]
        found = matching.resolve(parsed.customer, candidates)
        if len(found) == 1 and found[0].how != "surname":
            return found[0].candidate.external_userid
        return "ask" if found else f"missing:{parsed.customer}"
    return "last" if last and parsed.short and parsed.intent.value in ("follow_up", "next_step") else "which"


def mismatches(case: dict, now: datetime, tz: ZoneInfo, book: Book) -> list[str]:
    """What the bot reads differently from what the case expects; a case may carry its own `now`."""
    if "now" in case:
        now = case["now"] if isinstance(case["now"], datetime) else datetime.fromisoformat(str(case["now"]))
    parsed = parse_command(case["say"], now, tz, book)
    got = {
        "intent": parsed.intent.value,
        "customer": resolve(parsed, book, case.get("last")),
        "channel": parsed.channel,
        "stage": parsed.stage,
        "index": parsed.index,
        "member": parsed.member,
    }
    problems = []
    expected_customer = case.get("customer", "")
    unresolved = isinstance(expected_customer, str) and (
        expected_customer == "ask" or expected_customer.startswith("missing:")
    )
    for field in CHECKED:
        if field not in case or (unresolved and field not in ("intent", "customer")):
            continue
        want = case[field]
        ok, shown = _check(field, want, parsed, got, now, tz)
        if not ok:
            problems.append(f"{field}: expected {want!r}, got {shown!r}")
    return problems


def _check(field: str, want, parsed: Parsed, got: dict, now: datetime, tz: ZoneInfo) -> tuple[bool, object]:
    if field == "customer":
        have = got["customer"]
        if want is None:
            return have in (None, "which"), have
        if isinstance(want, str) and want.startswith("missing:"):
            return bool(have and have.startswith("missing:")), have
        return have == want, have
    if field == "when":
        return _when_matches(want, parsed.when, now, tz), as_written(parsed.when, tz)
    if field == "at":
        have = parsed.happened.astimezone(tz).date() if parsed.happened else None
        return have == date.fromisoformat(str(want)), have
    if field == "amount":
        if want == "invalid":
            return parsed.amount_error is not None, parsed.amount_error or parsed.amount
        have = parsed.amount.value if parsed.amount and not parsed.amount_error else None
        return have == (None if want is None else Decimal(str(want))), have
    if field == "reason":
        return bool(parsed.reason) and all(word in parsed.reason for word in str(want).split()), parsed.reason
    if field == "period":
        return parsed.note == want, parsed.note
    if field == "note_has":
        return all(phrase in parsed.note for phrase in want), parsed.note
    if field == "note_lacks":
        return not any(word in parsed.note for word in want), parsed.note
    if field == "reopen":
        return parsed.reopen == want, parsed.reopen
    if field == "channel" and parsed.intent.value != "follow_up":
        return True, None
    return got[field] == want, got[field]


def _when_matches(want, when: When | WhenError | None, now: datetime, tz: ZoneInfo) -> bool:
    if want is None:
        return when is None
    if want == "future":
        return isinstance(when, When) and when.due > now
    if want in ("past", "impossible", "unknown"):
        return isinstance(when, WhenError) and when.reason == want
    return as_written(when, tz) == str(want)


def as_written(when: When | WhenError | None, tz: ZoneInfo) -> str | None:
    if when is None:
        return None
    if isinstance(when, WhenError):
        return when.reason
    return when.due.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
