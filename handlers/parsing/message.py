"""What every reader gets: the message, normalised, with what several readers look at worked out once (the
rep's customers it names, the command word it opens with), and the small helpers readers share. No reading of
an intent here: the readers (follow_ups, deals, stages, lookups, manager) decide, in the order commands.py sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from handlers.intents import Intent
from handlers.parsing import customers, numerals, vocab
from handlers.parsing.book import Book, Mention
from scrm.funnel import DEFAULT, Funnel

# Command words at the front, longest first, with the intent each starts (跟进 → follow_up, 成交 → won).
COMMAND_WORDS = sorted(
    [
        *((word, Intent(intent)) for intent, words in vocab.PREFIX_COMMANDS.items() for word in words),
        *((word, Intent.FOLLOW_UP) for word in vocab.CHANNEL_COMMANDS),
    ],
    key=lambda pair: -len(pair[0]),
)
# An agenda item's number: after 完成 / 推迟 any number is the item's (完成 99999999999999: "no item", not "which?").
ITEM = r"(?:第\s*)?(?P<index>\d{1,18}|[一二两三四五六七八九十百千万]{1,6})\s*(?:个|条|项|号)?"
# 2 推迟到明天 / 第二个完成了: an agenda item's number, then what to do with it.
INDEX_FIRST = re.compile(
    rf"^(?:把)?\s*{ITEM}\s*(?P<word>推迟|延后|改到|顺延|推到|挪到|延期|完成|搞定|done)了?\s*(?:到|至)?"
)


@dataclass
class Message:
    """A rep's message as the readers see it: `text` is normalised (folded, no emoji, polite words off)."""

    text: str
    now: datetime
    tz: ZoneInfo
    book: Book | None = None
    funnel: Funnel = DEFAULT

    @cached_property
    def lowered(self) -> str:
        return self.text.lower()

    @cached_property
    def core(self) -> str:
        """For whole-word lookups: lower case, no trailing punctuation or particles (呢, 吗)."""
        return self.lowered.rstrip(vocab.TRAILING) or self.lowered

    @cached_property
    def mentions(self) -> list[Mention]:
        """The rep's customers the message names, left to right (none without a Book)."""
        return self.book.find(self.text) if self.book else []

    @cached_property
    def subject(self) -> customers.Subject | None:
        """The customer the sentence is about, named anywhere in it (见了刘工…, 海康的单子黄了), if any."""
        return customers.subject_of(self.text, self.mentions, self.now, self.tz)

    @cached_property
    def command(self) -> tuple[str, Intent] | None:
        """The command word the message opens with (the longest), and its intent; 客户嫌贵 opens with none."""
        word, intent = next(((w, i) for w, i in COMMAND_WORDS if self.lowered.startswith(w)), ("", None))
        if intent is None or (
            word in vocab.NEEDS_SEPARATOR and self.lowered[len(word) :][:1] not in ("", " ", ":", ",")
        ):
            return None
        return word, intent

    @cached_property
    def commanded(self) -> bool:
        """It opens like a command (a command word, or an item number and 推迟 / 完成): no question, no remark."""
        return any(self.lowered.startswith(w) for w, _ in COMMAND_WORDS) or bool(INDEX_FIRST.match(self.lowered))


def item_number(word: str) -> int | None:
    """2, 二, 十二: an agenda item's number as typed."""
    return int(word) if word.isdigit() else numerals.to_int(word)
