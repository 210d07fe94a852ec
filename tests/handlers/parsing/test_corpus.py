"""Every utterance in tests/handlers/data/utterances.yaml parses as written there; failures name the line."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from handlers.intents import Parsed, When
from handlers.parsing.book import Book
from handlers.parsing.commands import parse_command
from tests.handlers.parsing import conversation

CORPUS = Path(__file__).parents[1] / "data" / "utterances.yaml"
PLAIN_FIELDS = ("intent", "customer", "note", "channel", "index", "stage", "reason", "member")


class _LineLoader(yaml.SafeLoader):
    """Remembers the line each mapping starts on, so a failure can point at it."""


def _mapping_with_line(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _moment(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def load_cases() -> list[tuple[dict, datetime, ZoneInfo]]:
    corpus = yaml.load(CORPUS.read_text(encoding="utf-8"), Loader=_LineLoader)
    tz = ZoneInfo(corpus["tz"])
    blocks = [
        corpus,
        *(value for value in corpus.values() if isinstance(value, dict) and "cases" in value and "book" not in value),
    ]
    return [(case, _moment(block["now"]), tz) for block in blocks for case in block["cases"]]


def load_conversation() -> tuple[list[dict], datetime, ZoneInfo, Book]:
    corpus = yaml.load(CORPUS.read_text(encoding="utf-8"), Loader=_LineLoader)
    block = corpus["conversation"]
    return block["cases"], _moment(block["now"]), ZoneInfo(corpus["tz"]), conversation.book_of(block["book"])[0]


CASES = load_cases()
TALK, TALK_NOW, TALK_TZ, TALK_BOOK = load_conversation()


def mismatches(case: dict, parsed: Parsed, tz: ZoneInfo) -> list[str]:
    found = []
    for field in PLAIN_FIELDS:
        if field in case and getattr(parsed, field) != case[field]:
            found.append(f"{field}: expected {case[field]!r}, got {getattr(parsed, field)!r}")
    if "when" in case:
        got = conversation.as_written(parsed.when, tz)
        if got != case["when"]:
            found.append(f"when: expected {case['when']!r}, got {got!r} ({parsed.when!r})")
    for field, attribute in (("clock", "has_clock"), ("deadline", "deadline")):
        if field in case and getattr(parsed.when, attribute, None) != case[field]:
            found.append(f"{field}: expected {case[field]!r}, got {getattr(parsed.when, attribute, None)!r}")
    if "amount" in case:
        expected = None if case["amount"] is None else Decimal(str(case["amount"]))
        got = parsed.amount.value if parsed.amount else None
        if got != expected:
            found.append(f"amount: expected {expected}, got {got}")
    return found


@pytest.mark.parametrize(("case", "now", "tz"), CASES, ids=[f"L{c['__line__']}" for c, _, _ in CASES])
def test_utterance_parses_as_the_corpus_says(case: dict, now: datetime, tz: ZoneInfo) -> None:
    parsed = parse_command(case["say"], now, tz)
    problems = mismatches(case, parsed, tz)
    assert not problems, f"utterances.yaml:{case['__line__']}: {case['say']!r}\n  " + "\n  ".join(problems)


def test_the_corpus_is_big_enough_and_pins_its_clock() -> None:
    assert len(CASES) >= 220
    assert {now.isoformat() for _, now, _ in CASES} == {"2026-11-24T10:00:00+08:00", "2026-12-28T10:00:00+08:00"}


def test_every_case_names_say_and_intent_and_only_known_fields() -> None:
    known = {"say", "intent", "when", "clock", "deadline", "amount", "why", "__line__", *PLAIN_FIELDS}
    for case, _, _ in CASES:
        assert {"say", "intent"} <= case.keys(), case["__line__"]
        assert case.keys() <= known, (case["__line__"], case.keys() - known)


def _talk_params() -> list:
    """Cases marked `todo` are known misses: they must fail (strict), so fixing one forces its mark off."""
    return [
        pytest.param(c, id=f"L{c['__line__']}", marks=pytest.mark.xfail(reason=c["todo"], strict=True))
        if "todo" in c
        else pytest.param(c, id=f"L{c['__line__']}")
        for c in TALK
    ]


@pytest.mark.parametrize("case", _talk_params())
def test_what_reps_really_type_is_understood_against_their_book(case: dict) -> None:
    problems = conversation.mismatches(case, TALK_NOW, TALK_TZ, TALK_BOOK)
    assert not problems, f"utterances.yaml:{case['__line__']}: {case['say']!r}\n  " + "\n  ".join(problems)


def test_the_conversation_block_has_at_least_150_cases_and_few_known_misses() -> None:
    assert len(TALK) >= 150
    assert sum("todo" in c for c in TALK) <= 12


OTHER_MOMENTS = [
    "2026-11-24T08:00:00+08:00",
    "2026-11-24T23:30:00+08:00",
    "2026-11-30T17:00:00+08:00",
    "2026-12-31T23:30:00+08:00",
]


@pytest.mark.parametrize("moment", OTHER_MOMENTS)
def test_the_reading_does_not_change_with_the_hour_or_the_day(moment: str) -> None:
    """At any hour of any day (08:00, 23:30, a month's and a year's last day) a message reads the same way:
    the same intent, customer and amount, and the same time words chosen as its next step; a time it
    accepts is always ahead of now."""
    now = datetime.fromisoformat(moment)
    changed = []
    for case in TALK:
        if "todo" in case:
            continue
        here = parse_command(case["say"], TALK_NOW, TALK_TZ, TALK_BOOK)
        there = parse_command(case["say"], now, TALK_TZ, TALK_BOOK)
        same = (here.intent, here.customer_ids, here.customer, getattr(here.when, "text", None), here.amount) == (
            there.intent,
            there.customer_ids,
            there.customer,
            getattr(there.when, "text", None),
            there.amount,
        )
        if not same or (isinstance(there.when, When) and there.when.due <= now):
            changed.append(
                f"L{case['__line__']} {case['say']!r}: {here.intent}/{getattr(here.when, 'text', None)}"
                f" → {there.intent}/{getattr(there.when, 'text', None)}"
            )
    assert not changed, "\n".join(changed)


def test_conversation_cases_name_only_known_fields() -> None:
    for case in TALK:
        assert {"say", "intent"} <= case.keys() and case.keys() <= conversation.KNOWN, case["__line__"]


def test_every_reading_is_well_formed_for_the_handlers() -> None:
    """Handlers slice and format these fields: a None where a str belongs crashes a reply (it did once)."""
    for case in TALK:
        parsed = parse_command(case["say"], TALK_NOW, TALK_TZ, TALK_BOOK)
        assert isinstance(parsed.note, str) and isinstance(parsed.text, str), case["__line__"]
        assert parsed.customer is None or parsed.customer.strip(), case["__line__"]
