"""Which time in a message is the next step and which one says when the interaction happened.

A time is a sure plan when a plan word comes before it (约了, 下次) or its clause opens with one (再约, 回访,
周五前); a plan when a plan verb follows it (发方案, 见面); an event when its clause says it happened (电话聊了,
拜访过). Sure plans win over plans, plans over times that say neither; a past time that is no plan only dates
the interaction (昨天拜访了). Pure: `now` comes in.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.intents import When, WhenError
from handlers.parsing import spans, vocab
from handlers.parsing.when import read_all


@functools.lru_cache(maxsize=32)
def read(text: str, now: datetime, tz: ZoneInfo) -> tuple[When | WhenError, ...]:
    """read_all, once per piece of text within a message (the paths tried read the same words)."""
    return tuple(read_all(text, now, tz))


def times(message: str, offset: int, now: datetime, tz: ZoneInfo) -> list[When | WhenError]:
    """Every time in message[offset:], the end of a range (下午2点到4点) left out: its start is the time."""
    found: list[When | WhenError] = []
    for when in read(message[offset:], now, tz):
        when = spans.shift(when, offset)
        if found and _RANGE_JOIN.fullmatch(message[found[-1].span[1] : when.span[0]]):
            continue
        found.append(when)
    return found


_RANGE_JOIN = re.compile(r"\s*(?:到|至|-|~|—)\s*")


EVENT_MARK = re.compile(r"(?<!约)了(?!解)|过(?![去来几两一])|刚|已经|已")
CLAUSE = re.compile(r"[,;。!?]")
_VERB_REACH = 8  # 电话聊了, 去美的拜访了: the verb's own 了 comes within a few characters of the time
_SURE_PLAN = re.compile(r"^\s*(?:约了|约好了?|再|回访|复访|之?前|以前|要|得|需要|准备|计划|打算)")


def plan_and_event(
    message: str, found: list[When | WhenError], now: datetime
) -> tuple[When | WhenError | None, datetime | None]:
    """The next step among the times found, and when the logged interaction happened (if another day)."""
    roles = [(w, role(message, w, found)) for w in found]
    ranked = [w for rank in ("sure", "plan") for w, kind in roles if kind == rank and isinstance(w, When)]
    ranked += [w for w, kind in roles if kind == "sure" and isinstance(w, WhenError)]  # 12月中旬再约 after it: refuse
    ranked += [w for w, kind in roles if kind == "neutral" and isinstance(w, When)]
    ranked += [w for w, kind in roles if kind == "plan" and isinstance(w, WhenError)]  # 昨天下午3点回访: refuse
    plan = next(iter(ranked), None)
    event = next((w for w, kind in roles if w is not plan and (kind == "event" or is_past(w))), None)
    happened = None
    if event is not None:
        at = event.due if isinstance(event, When) else event.understood
        if at is not None and at.astimezone(now.tzinfo).date() < now.astimezone(now.tzinfo).date():
            happened = at
    return plan, happened


def is_past(when: When | WhenError) -> bool:
    return isinstance(when, WhenError) and when.reason == "past"


def clause(message: str, when: When | WhenError, found: list[When | WhenError]) -> str:
    """The words after a time, up to the next time or punctuation: what the time is about."""
    end = when.span[1]
    following = [w.span[0] for w in found if w.span[0] >= end]
    clause_end = CLAUSE.search(message, end)
    return message[end : min([*following, clause_end.start() if clause_end else len(message)])]


def role(message: str, when: When | WhenError, found: list[When | WhenError]) -> str:
    """sure | plan | event | neutral: what the words around a time say it is."""
    start = when.span[0]
    after = clause(message, when, found)
    if any(message[max(0, start - 3) : start].endswith(word) for word in vocab.PLANNED) or _SURE_PLAN.match(after):
        return "sure"
    if EVENT_MARK.search(after[:_VERB_REACH]):
        return "event"  # 国庆前拜访了: it happened, deadline word or not
    if isinstance(when, When) and when.deadline:
        return "sure"
    if _NEXT_STEP_VERB.match(after):
        return "plan"
    if EVENT_MARK.search(after):
        return "event"
    return "sure" if isinstance(when, WhenError) and when.reason != "past" else "neutral"


_NEXT_STEP_VERB = re.compile(
    r"^\s*(?:回访|复访|再|联系|见面?|碰面|面谈|发|出(?:报价|方案|合同|结果)|给|签|开会|过去|去|来|定|拍板|答复|回复|交|付"
    r"|打|电话|沟通|约|拜访|上门|演示|汇报|确认|提交|安装|培训)(?!了|过)"
)
