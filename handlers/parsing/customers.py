"""Who a message is about: the customer a sentence names anywhere (from the rep's Book, or a name typed that the
Book does not know), the customer named at a given place, and tying a reading to the rep's own customers.

A name the Book does not know stays as typed, so the caller says it was not found; nothing here guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.intents import CUSTOMER_INTENTS, Amount, Parsed, When, WhenError
from handlers.parsing import names, plans, vocab
from handlers.parsing.book import Mention
from handlers.parsing.name_words import NOT_A_NAME
from scrm import honorifics


@dataclass(frozen=True)
class Subject:
    """The customer a sentence is about, and the sentence with every customer it names blanked out (offsets
    kept), which is what the readers look at for what happened to them."""

    mention: Mention
    rest: str
    typed: bool  # a name the Book does not know (比亚迪的单子丢了): read for deals, stages and lookups only

    @property
    def name(self) -> str:
        return self.mention.text


def subject_of(message: str, mentions: list[Mention], now: datetime, tz: ZoneInfo) -> Subject | None:
    """The first customer named, narrowed by the others; else a name typed at the front that is no time word."""
    subject = narrowed(mentions)
    typed = subject is None
    if subject is None:
        name, _ = names.split_customer(message)
        if (
            not name
            or not is_name(name, strict=True)
            or name.lower() in vocab.SMALL_TALK
            or any(w.span[0] < len(name) for w in plans.read(message, now, tz))
        ):
            return None
        at = message.find(name)
        subject = Mention((at, at + len(name)), name, ())
    rest = message
    for mention in [subject, *mentions]:
        rest = rest[: mention.span[0]] + " " * (mention.span[1] - mention.span[0]) + rest[mention.span[1] :]
    return Subject(subject, rest, typed)


def narrowed(mentions: list[Mention]) -> Mention | None:
    """Who the message is about: the first mention, narrowed by the others (王总 … 格力 → the 王总 at 格力)."""
    if not mentions:
        return None
    first = mentions[0]
    narrowed = [i for i in first.ids if all(i in m.ids for m in mentions[1:])]
    if narrowed:
        return replace(first, ids=tuple(narrowed))
    named = tuple(dict.fromkeys(i for m in mentions for i in m.ids))  # 华为签了，海康丢了: two customers, ask
    return replace(first, ids=named)


def customer_at(
    message: str, offset: int, when: When | WhenError | None, amount: Amount | None = None
) -> tuple[str | None, int]:
    """The customer named at message[offset:] (ending before a time or an amount), and where the note starts."""
    stops = [x.span[0] - offset for x in (when, amount) if x is not None and x.span[0] >= offset]
    customer, start = names.split_customer(message[offset:], min(stops) if stops else None)
    return customer, offset + start


def is_name(word: str, strict: bool = False) -> bool:
    """strict: a name that carries an honorific or company suffix, or a short CJK name typed on its own."""
    if strict:
        return names.looks_like_name(word) and not word.startswith(NOT_A_NAME)
    return names.split_customer(word)[0] == word


_NOT_NAMES = (
    "项目",
    "客户",
    "产品",
    "部门",
    "销售",
    "区域",
    "采购",
    "技术",
    "财务",
    "市场",
    "大区",
    "人事",
    "行政",
    "总经",
)
_SURNAME = f"[{honorifics.SURNAMES}]"
_STRANGER = re.compile(
    rf"(?P<nick>(?<![\u4e00-\u9fff])[老小]{_SURNAME}(?![\u4e00-\u9fff]{{2}}))"
    rf"|(?P<titled>{_SURNAME}[\u4e00-\u9fff]?(?:{honorifics.TITLE}))"
    rf"|(?:约了|见了|拜访了?|跟进了?|和|跟|找了?|联系了?|打给|约|给)(?P<bare>{_SURNAME}[\u4e00-\u9fff]{{1,2}}?)"
    r"(?=[下这明后今昨周月号点,;。 ]|$|说|聊|见|谈|吃|沟通|电话|那|的)"
)


def stranger(message: str) -> str | None:
    """A person the rep names who is not among their customers: 约了刘洋下周三见面 → 刘洋 (never someone else)."""
    for match in _STRANGER.finditer(message):
        name = match.group("nick") or match.group("titled") or match.group("bare")
        if not name.startswith(_NOT_NAMES):
            return name
    return None


# What a typed name may hold besides a known alias (了张总, 张总那边); 北京大学 holds 北京 but is someone else.
_AROUND_A_NAME = frozenset(("", "了", "的", "和", "跟", "给", "与", "见", "约", "那边", "这边", "那", "这"))


def with_customer(parsed: Parsed, mentions: list[Mention]) -> Parsed:
    """Tie the command to the rep's customers the message names; a name the Book does not know stays as typed,
    so the caller says it was not found rather than write to anyone else."""
    if parsed.intent not in CUSTOMER_INTENTS:
        return parsed
    if parsed.customer:
        typed = parsed.customer.lower()
        inside = [m for m in mentions if m.text.lower() in typed]
        rest = typed
        for m in inside:
            rest = rest.replace(m.text.lower(), "", 1)
        overlapping = [m for m in mentions if typed in m.text.lower()] or (inside if rest in _AROUND_A_NAME else [])
        chosen = narrowed([*overlapping, *(m for m in mentions if m not in overlapping)]) if overlapping else None
    else:
        chosen = narrowed(mentions)
        if chosen is None and (found := stranger(parsed.text)):
            return replace(parsed, customer=found)
    return replace(parsed, customer=chosen.text, customer_ids=chosen.ids) if chosen else parsed
