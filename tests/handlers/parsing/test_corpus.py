"""Every utterance in tests/handlers/data/utterances.yaml parses as written there; failures name the line."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from handlers.parsing.commands import Parsed, parse_command
from handlers.parsing.when import When, WhenError

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
    blocks = [corpus, *(value for value in corpus.values() if isinstance(value, dict) and "cases" in value)]
    return [(case, _moment(block["now"]), tz) for block in blocks for case in block["cases"]]


CASES = load_cases()


def mismatches(case: dict, parsed: Parsed, tz: ZoneInfo) -> list[str]:
    found = []
    for field in PLAIN_FIELDS:
        if field in case and getattr(parsed, field) != case[field]:
            found.append(f"{field}: expected {case[field]!r}, got {getattr(parsed, field)!r}")
    if "when" in case:
        got = _when_as_written(parsed.when, tz)
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


def _when_as_written(when: When | WhenError | None, tz: ZoneInfo) -> str | None:
    if when is None:
        return None
    if isinstance(when, WhenError):
        return when.reason
    return when.due.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


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
