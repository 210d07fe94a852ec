"""Auto-tagging rules: which tags a new customer gets, from the channel (QR `state`) and profile words.

Rules live in the store, are edited from the CLI and loaded from YAML or TOML. Evaluation is one pass
and returns each (group, tag) once, with the rule that chose it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from sqlmodel import Session, select

from scrm import files
from scrm.models import TaggingRule

DEFAULT_CHANNEL_GROUP = "渠道"
KINDS = ("channel", "keyword")
MAX_TAG = 30  # WeCom: tag and group names are at most 30 characters
_NEEDS_COLON = "tag {!r} needs the form 组:标签 (GROUP:TAG), e.g. 行业:制造"


class RuleError(ValueError):
    """A rule that cannot be saved; the message says why, in the words of the rule file."""


@dataclass(frozen=True)
class Match:
    group: str
    tag: str
    rule: str


def add(session: Session, *, kind: str, pattern: str, group: str, tag: str, now: datetime) -> TaggingRule:
    """Save a rule; RuleError when it is malformed or the same rule (kind, pattern, group, tag) is saved."""
    if kind not in KINDS:
        raise RuleError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    pattern, group, tag = _pattern(kind, pattern), _name(group, "tag group"), _name(tag, "tag")
    same = next(
        (
            r
            for r in session.exec(select(TaggingRule).where(TaggingRule.kind == kind))
            if _key(r.kind, r.pattern, r.tag_group, r.tag_name) == _key(kind, pattern, group, tag)
        ),
        None,
    )
    if same is not None:
        raise RuleError(f"the same rule is saved already: #{same.id} {kind} {same.pattern} -> {group}:{tag}")
    rule = TaggingRule(kind=kind, pattern=pattern, tag_group=group, tag_name=tag, created_at=now)
    session.add(rule)
    session.flush()
    return rule


def split_tag(text: str) -> tuple[str, str]:
    """`行业:制造` (or with a full-width `：`) as (group, tag); RuleError without the colon."""
    group, colon, tag = text.replace("：", ":").partition(":")
    if not colon:
        raise RuleError(_NEEDS_COLON.format(text.strip()))
    return _name(group, "tag group"), _name(tag, "tag")


def listed(session: Session) -> list[TaggingRule]:
    return list(session.exec(select(TaggingRule).order_by(TaggingRule.id)).all())


def remove(session: Session, rule_id: int) -> bool:
    rule = session.get(TaggingRule, rule_id)
    if rule is None:
        return False
    session.delete(rule)
    return True


class _FileRule(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    group: str | None = None
    tag: str

    @field_validator("group")
    @classmethod
    def _group(cls, group: str | None) -> str | None:
        return None if group is None else _name(group, "tag group")

    @field_validator("tag")
    @classmethod
    def _tag(cls, tag: str, info: ValidationInfo) -> str:
        colon = "：" in tag or ":" in tag
        if "group" in info.data and info.data["group"] is None:
            if not colon:
                raise RuleError(_NEEDS_COLON.format(tag.strip()) + ", or a `group:` beside it")
            return ":".join(split_tag(tag))
        if colon:
            raise RuleError("give the group once: `group: 行业` with `tag: 制造`, or `tag: 行业:制造` alone")
        return _name(tag, "tag")

    def group_and_tag(self) -> tuple[str, str]:
        return (self.group, self.tag) if self.group else split_tag(self.tag)


class _ChannelRule(_FileRule):
    state: str

    @field_validator("state")
    @classmethod
    def _state(cls, state: str) -> str:
        return _pattern("channel", state)


class _KeywordRule(_FileRule):
    words: list[str]

    @field_validator("words", mode="before")
    @classmethod
    def _split(cls, words: object) -> object:
        return _words(words) if isinstance(words, str) else words

    @field_validator("words")
    @classmethod
    def _some_words(cls, words: list[str]) -> list[str]:
        return _words(_pattern("keyword", ",".join(words)))


class _RulesFile(BaseModel):
    """`channel: [{state, group, tag}]` and `keyword: [{words, group, tag}]` (docs/rules.example.yaml)."""

    model_config = ConfigDict(extra="forbid")
    channel: list[_ChannelRule] | None = None
    keyword: list[_KeywordRule] | None = None


def load_file(session: Session, path: Path, *, now: datetime, replace: bool = False) -> int:
    """Load rules from YAML or TOML (see `_RulesFile`); with `replace`, they take the place of every saved rule.

    Every entry is checked (the file's shape, each field, duplicates in the file and, without `replace`, against
    the saved rules) before anything is written: a bad file raises FileError and changes nothing.
    """
    checked = files.load(path, _RulesFile)
    pending = [
        (files.entry("channel", n), ("channel", r.state, *r.group_and_tag()))
        for n, r in enumerate(checked.channel or [])
    ]
    pending += [
        (files.entry("keyword", n), ("keyword", ",".join(r.words), *r.group_and_tag()))
        for n, r in enumerate(checked.keyword or [])
    ]
    if not pending:
        raise files.FileError(
            path, ["no rules in the file: expected `channel:` and/or `keyword:` lists (see docs/rules.example.yaml)"]
        )
    saved = {} if replace else {_key(r.kind, r.pattern, r.tag_group, r.tag_name): r.id for r in listed(session)}
    problems = files.repeated(((where, _key(*rule)) for where, rule in pending), "rule")
    problems += [
        f"{where}: the same rule is saved already as #{saved[_key(*rule)]}"
        for where, rule in pending
        if _key(*rule) in saved
    ]
    files.refuse(path, problems)
    if replace:
        for rule in listed(session):
            session.delete(rule)
        session.flush()
    for _, (kind, pattern, group, tag) in pending:
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


def _pattern(kind: str, pattern: str) -> str:
    """The pattern as saved: a state (or `prefix*`) stripped, keywords as `a,b,c` (，and 、 separate too)."""
    pattern = ",".join(_words(pattern)) if kind == "keyword" else pattern.strip()
    if not pattern:
        raise RuleError(
            "a channel rule needs a state (a QR code's `state`, or a prefix ending in *)"
            if kind == "channel"
            else "a keyword rule needs at least one word"
        )
    return pattern


def _name(name: str, what: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_TAG:
        raise RuleError(f"{what} {name!r} must be 1-{MAX_TAG} characters (WeCom's limit)")
    return name


def _key(kind: str, pattern: str, group: str, tag: str) -> tuple:
    """Two rules are the same when they tag alike: keyword rules with the same words, in any order."""
    return kind, frozenset(_words(pattern)) if kind == "keyword" else pattern, group, tag


def _label(rule: TaggingRule) -> str:
    return f"{rule.kind}#{rule.id}:{rule.pattern}"[:120]
