"""A rep's message → one Parsed command. Pure: no database, no WeCom; `now`, the rep's Book and the funnel come in.

Each family has its reader module: follow_ups (what happened, the next step, agenda items), deals, stages,
lookups (whole-message commands, questions, a customer's card), manager (targets, one member's customers or
numbers); times are read by when.py for all of them. READERS below is the precedence between them, whole, in one
place: the first row that reads the message wins. Then AFTERWARDS's rules may change that reading, and the
customer it names is tied to the rep's Book. tests/handlers/parsing/test_precedence.py holds the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.intents import Intent, Parsed
from handlers.parsing import clean, customers, deals, follow_ups, lookups, manager, plans, stages, vocab
from handlers.parsing.book import Book
from handlers.parsing.message import Message
from scrm.funnel import DEFAULT, Funnel


@dataclass(frozen=True)
class Reader:
    """One row of the precedence: what it reads, the function that reads it, and a message only it reads
    (no row above it reads that message; the table's test checks each)."""

    name: str
    read: Callable[[Message], Parsed | None]
    example: str


_NOT_HANDLED = re.compile(r"^把.{1,12}(?:删|改名|转给|移交)")


def _not_handled(msg: Message) -> Parsed | None:
    """把华为删了: about a customer, but nothing the bot does, and never a note."""
    return Parsed(Intent.UNKNOWN, msg.text) if msg.subject is not None and _NOT_HANDLED.search(msg.text) else None


# A customer of the rep's named anywhere (or a name typed that the Book does not know): what the sentence does
# with them, in this order.
NAMED: tuple[Reader, ...] = (
    Reader("nothing the bot does", _not_handled, "把华为删了"),
    Reader("a named customer lost", deals.lost_named, "海康的单子黄了"),
    Reader("a named customer won", deals.won_named, "蔚来签了，合同8万"),
    Reader("a named customer's stage", stages.moved_named, "刘工那边到报价阶段了"),
    Reader("a question about a named customer", lookups.asked_named, "陈总现在什么情况"),
    Reader("a plan for a named customer", follow_ups.planned_named, "陈总 下周二再约"),
    Reader("a named customer alone", lookups.named_alone, "华为呢"),
    Reader("what happened with a named customer", follow_ups.noted_named, "见了刘工，现场看了产线"),
)
READERS: tuple[Reader, ...] = (
    Reader("a whole-message command", lookups.whole, "看看待办"),
    Reader("a target", manager.target, "目标 张三 12月 50万"),
    Reader("a member's customers or numbers", manager.member, "张三的客户"),
    Reader("a question", lookups.question, "今天要跟谁"),
    # A command word at the front (the longest one): each belongs to one family, so these rows never compete.
    Reader("a follow-up word", follow_ups.by_word, "跟进 张总 电话沟通了报价"),
    Reader("an agenda item's word", follow_ups.task_by_word, "推迟 2 明天"),
    Reader("a stage word", stages.by_word, "阶段 张总 报价"),
    Reader("a deal word", deals.by_word, "成交 华为 12.8万"),
    Reader("a lookup word", lookups.by_word, "查 华为"),
    Reader("an agenda item's number first", follow_ups.task_by_number, "2 推迟到明天"),
    Reader("a customer, then a deal word", deals.by_subject, "华为签单了 12万"),
    Reader("a customer, then a stage", stages.by_subject, "张总 进入报价阶段"),
    *NAMED,
    # The readers above take 王总的情况 and 张三怎么样; what reaches this row is a time word where a name would stand.
    Reader("a question about a name", lookups.asking_about, "周五的情况"),
    Reader("no command word", follow_ups.untagged, "明天下午3点回访"),
    Reader("a name alone", lookups.bare_name, "王总"),
    Reader("a continuation", follow_ups.continued, "他说老板还没点头"),
)


# A question or an opinion about what to do is no log and no plan (周五要不要去拜访刘工？, 你觉得华为这单能成吗).
_DOUBT = re.compile(r"要不要|该不该|需不需要|能不能|可不可以|行不行|好不好|你觉得|你看|能成吗")
_ASKS = re.compile(r"[?吗么]$")


def _named_customer_first(parsed: Parsed, msg: Message) -> Parsed:
    """搞定！大疆下单了: a done or postpone word with no item number, and a customer named: what happens to them."""
    if parsed.intent in (Intent.DONE, Intent.POSTPONE) and parsed.index is None and msg.mentions:
        return first(NAMED, msg)[1] or parsed
    return parsed


def _questions_are_no_logs(parsed: Parsed, msg: Message) -> Parsed:
    """周五要不要去拜访刘工？: no follow-up, plan or lookup is written down from a question without a command word."""
    text = msg.text
    if (
        parsed.intent in (Intent.FOLLOW_UP, Intent.NEXT_STEP, Intent.CARD)
        and not msg.commanded
        and (_DOUBT.search(text) or (parsed.intent is not Intent.CARD and _ASKS.search(text.rstrip(" !~。"))))
    ):
        return Parsed(Intent.UNKNOWN, text)
    return parsed


_REOPEN_ONLY = re.compile(r"(?:把|那单|这单|的单子?|那边)?\s*(?:重新打开|重开)(?:了|一下|吧)?")


def _reopened_alone(parsed: Parsed, msg: Message) -> Parsed:
    """王芳重新打开 / 重新打开 王芳: a customer and the word alone reopen their deal (with a note, it is a note)."""
    if (
        parsed.intent is Intent.FOLLOW_UP
        and parsed.customer
        and _REOPEN_ONLY.fullmatch(parsed.note.replace(parsed.customer, "", 1).strip())
    ):
        return Parsed(Intent.REOPEN, msg.text, parsed.customer)
    return parsed


AFTERWARDS: tuple[Callable[[Parsed, Message], Parsed], ...] = (
    _named_customer_first,
    _questions_are_no_logs,
    _reopened_alone,
)


def parse_command(text: str, now: datetime, tz: ZoneInfo, book: Book | None = None, funnel: Funnel = DEFAULT) -> Parsed:
    plans.read.cache_clear()  # readings are shared within one message only
    message = _AGREEING.sub("", _POLITE.sub("", clean.normalize(text)))
    laughed = _LAUGH.sub("", message)
    if not message or laughed.lower() in vocab.SMALL_TALK or not laughed:
        return Parsed(Intent.UNKNOWN, message)
    msg = Message(message, now, tz, book, funnel)
    parsed = first(READERS, msg)[1] or Parsed(Intent.UNKNOWN, message)
    for rule in AFTERWARDS:
        parsed = rule(parsed, msg)
    return customers.with_customer(parsed, msg.mentions)


def first(readers: tuple[Reader, ...], msg: Message) -> tuple[Reader | None, Parsed | None]:
    """The first row that reads the message, and its reading."""
    for reader in readers:
        if (parsed := reader.read(msg)) is not None:
            return reader, parsed
    return None, None


_POLITE = re.compile(r"^(?:请|麻烦|帮我|帮忙|给我|@\S*助手)\s*")
# Agreement before the real words (好 那就周四, 行，那就下周二): dropped when something follows it.
_AGREEING = re.compile(r"^(?:好的?|行|嗯+|ok|可以)[\s,]*(?:那就|那)[\s,]*|^(?:那就)\s*(?=\S)")
_LAUGH = re.compile(r"^(?:[哈呵嘿嘻]{2,}|hh+)[\s,!~]*", re.IGNORECASE)
