"""Auto-tagging rules: which tags a new customer gets, from the channel (QR `state`) and profile words.

Rules live in the store, are edited from the CLI and loaded from YAML or TOML. Evaluation is one pass
and returns each (group, tag) once, with the rule that chose it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from sqlmodel import Session, select

from scrm.models import TaggingRule

DEFAULT_CHANNEL_GROUP = "渠道"
KINDS = ("channel", "keyword")
MAX_TAG = 30  # WeCom: tag and group names are at most 30 characters


class RuleError(ValueError):
    """A rule that cannot be saved; the message says why, in the words of the rule file."""


@dataclass(frozen=True)
class Match:
    group: str
    tag: str
    rule: str


def add(session: Session, *, kind: str, pattern: str, group: str, tag: str, now: datetime) -> TaggingRule:
    pattern, group, tag = pattern.strip(), group.strip(), tag.strip()
    if kind not in KINDS:
        raise RuleError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not pattern:
        raise RuleError("a rule needs a pattern (a state, state* prefix, or comma-separated words)")
    if not group or not tag or len(group) > MAX_TAG or len(tag) > MAX_TAG:
        raise RuleError(f"tag group and tag name must be 1-{MAX_TAG} characters")
    rule = TaggingRule(kind=kind, pattern=pattern, tag_group=group, tag_name=tag, created_at=now)
    session.add(rule)
    session.flush()
    return rule


def listed(session: Session) -> list[TaggingRule]:
    return list(session.exec(select(TaggingRule).order_by(TaggingRule.id)).all())


def remove(session: Session, rule_id: int) -> bool:
    rule = session.get(TaggingRule, rule_id)
    if rule is None:
        return False
    session.delete(rule)
    return True


def load_file(session: Session, path: Path, *, now: datetime, replace: bool = False) -> int:
    """Load rules from YAML or TOML: `channel: [{state, group, tag}]`, `keyword: [{words, group, tag}]`.

    All rules are checked before any is saved, so a bad file changes nothing.
    """
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise RuleError(f"{path.name} is not valid {path.suffix.lstrip('.')}: {error}") from None
    if not isinstance(data, dict):
        raise RuleError(f"{path.name}: expected sections `channel:` and `keyword:`")
    pending = []
    for kind, key in (("channel", "state"), ("keyword", "words")):
        for n, entry in enumerate(data.get(kind) or [], 1):
            if not isinstance(entry, dict) or not all(entry.get(k) for k in (key, "group", "tag")):
                raise RuleError(f"{path.name}: {kind} rule {n} needs `{key}`, `group` and `tag`")
            pattern = entry[key] if isinstance(entry[key], str) else ",".join(map(str, entry[key]))
            pending.append((kind, pattern, str(entry["group"]), str(entry["tag"])))
    if replace:
        for rule in listed(session):
            session.delete(rule)
    for kind, pattern, group, tag in pending:
        add(session, kind=kind, pattern=pattern, group=group, tag=tag, now=now)
    return len(pending)


def keywords(rules: Iterable[TaggingRule]) -> set[str]:
    """Every keyword of every keyword rule (the tokenizer must know them as words)."""
    return {w for r in rules if r.kind == "keyword" and r.enabled for w in _words(r.pattern)}


def evaluate(
    rules: Iterable[TaggingRule], *, state: str, texts: Iterable[str], cut: Callable[[str], list[str]]
) -> list[Match]:
    """The tags a customer gets: channel rules on `state`, keyword rules on words cut from `texts`.

    With a state that no channel rule matched, the state itself becomes a tag in the 渠道 group.
    """
    rules = [r for r in rules if r.enabled]
    words = {w for text in texts if text for w in cut(text)}
    found: dict[tuple[str, str], Match] = {}
    channel_matched = False
    for rule in rules:
        if rule.kind == "channel" and state and _state_matches(rule.pattern, state):
            channel_matched = True
            found.setdefault((rule.tag_group, rule.tag_name), Match(rule.tag_group, rule.tag_name, _label(rule)))
        elif rule.kind == "keyword" and words & set(_words(rule.pattern)):
            found.setdefault((rule.tag_group, rule.tag_name), Match(rule.tag_group, rule.tag_name, _label(rule)))
    if state and not channel_matched:
        tag = state[:MAX_TAG]
        found.setdefault((DEFAULT_CHANNEL_GROUP, tag), Match(DEFAULT_CHANNEL_GROUP, tag, "default:state"))
    return list(found.values())


def _state_matches(pattern: str, state: str) -> bool:
    return state.startswith(pattern[:-1]) if pattern.endswith("*") else state == pattern


def _words(pattern: str) -> list[str]:
    return [w.strip() for w in pattern.replace("，", ",").replace("、", ",").split(",") if w.strip()]


def _label(rule: TaggingRule) -> str:
    return f"{rule.kind}#{rule.id}:{rule.pattern}"[:120]
