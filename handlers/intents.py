"""What a member's message asks for, as the parser read it: the intent, and the times and amounts in it.

Handlers act on these types and never import the parser (handlers/parsing/, which only handlers/commands.py
runs). No parsing here: values, and how a time that was read is echoed back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from handlers import texts
from scrm.dates import format_when


class Intent(StrEnum):
    FOLLOW_UP = "follow_up"
    NEXT_STEP = "next_step"
    AGENDA = "agenda"
    DONE = "done"
    POSTPONE = "postpone"
    STAGE = "stage"
    WON = "won"
    LOST = "lost"
    CARD = "card"
    MY_NUMBERS = "my_numbers"
    TEAM_AGENDA = "team_agenda"
    MEMBER_CUSTOMERS = "member_customers"
    SET_TARGET = "set_target"
    MEMBER_NUMBERS = "member_numbers"
    FUNNEL = "funnel"
    BOARD = "board"
    CHANNELS = "channels"
    TALENT = "talent"
    REOPEN = "reopen"
    HELP = "help"
    CHOOSE = "choose"
    UNKNOWN = "unknown"


CUSTOMER_INTENTS = frozenset(("follow_up", "next_step", "stage", "won", "lost", "card", "reopen"))
DEFAULT_CHANNEL = "备注"
SHORT_NOTE = 12
MAX_AMOUNT = 10**10  # 100亿 for one deal: far past any real one (the store would keep up to 1万亿)
MIN_AMOUNT = 1  # a fraction of a yuan is no deal (and 0.001元 would be stored as 0)


@dataclass(frozen=True)
class When:
    span: tuple[int, int]  # [start, end) of the words consumed, in the text given
    due: datetime  # aware, business timezone
    has_clock: bool  # False: the rep gave a day only and `due` carries a default hour
    deadline: bool = False  # "周五前", "3天内"
    text: str = ""  # the words as typed (text[span[0]:span[1]])
    period: str = ""  # for 上旬/中旬/下旬: the range the day was taken from, to echo (12月1日–10日)
    estimated: bool = False  # a holiday in a year whose official list is not published yet


@dataclass(frozen=True)
class WhenError:
    span: tuple[int, int]
    reason: str  # "past" | "impossible" | "unknown" | "far"
    suggestion: str  # Chinese, for the rep; quotes the words it refuses
    text: str = ""  # the words as typed
    understood: datetime | None = None  # for "past": what we read, to echo back


@dataclass(frozen=True)
class Amount:
    span: tuple[int, int]
    value: Decimal  # yuan
    text: str


@dataclass(frozen=True)
class Parsed:
    """What a message asks for. Spans in `when` and `amount` index into `text` (the normalised message).

    `note` is the free text left after the command word and the customer: as typed for follow_up, won,
    lost and stage (time words kept); without the time words for next_step and postpone (a task title).
    For my_numbers it is the period asked about (本周, 本月, …) or "".
    """

    intent: Intent
    text: str
    customer: str | None = None
    note: str = ""
    channel: str = DEFAULT_CHANNEL
    when: When | WhenError | None = None
    amount: Amount | None = None
    index: int | None = None
    stage: str | None = None
    reason: str | None = None
    member: str | None = None  # for X的客户; None means the sender (我的客户)
    customer_ids: tuple[str, ...] = ()  # the rep's customers `customer` names, when the Book knows it
    happened: datetime | None = None  # when the logged interaction took place, if the rep said (昨天拜访了)
    amount_error: str | None = None  # what was typed where an amount should be (abc, -5万)
    amount_too_large: bool = False  # amount_error is a number, only larger than MAX_AMOUNT (99999999999999)
    reopen: bool = False  # 重新打开 / 又签了: a closed customer may be won or lost again

    @property
    def short(self) -> bool:
        """Few enough words to continue the last exchange (3天后, 周五前发方案) when it names nobody."""
        return len(self.note) <= SHORT_NOTE


def describe_when(when: When, now: datetime) -> str:
    """What the reply echoes: 11月27日（周五）18:00前（没说几点，先按18点）."""
    words = format_when(when.due, now) + (texts.DEADLINE_SUFFIX if when.deadline else "")
    if when.period:
        words += texts.PERIOD_NOTE.format(period=when.period)
    elif not when.has_clock:
        words += texts.DEFAULT_HOUR_NOTE.format(hour=when.due.hour)
    return words + (texts.ESTIMATED_NOTE if when.estimated else "")
