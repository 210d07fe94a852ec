"""The follow-up and plan reader: what happened with a customer (跟进 张总 电话沟通了报价, 见了刘工，现场看了产线),
the next step (明天下午3点回访, 张总 下周二再约), a short continuation (他说老板还没点头), and what to do with an
agenda item (完成 2, 推迟 2 明天, 2 推迟到明天).

Of several times, the one attached to a plan (再约, 回访, 前发, 见面) is the next step; one describing what
happened (今天电话聊了, 昨天拜访了) dates the interaction instead (plans.py). Pure: no database, no WeCom.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.intents import DEFAULT_CHANNEL, Intent, Parsed, When, WhenError
from handlers.parsing import names, plans, spans, texts, vocab
from handlers.parsing.customers import customer_at, is_name
from handlers.parsing.message import INDEX_FIRST, ITEM, Message, item_number
from handlers.parsing.when import parse_when


def by_word(msg: Message) -> Parsed | None:
    """跟进 张总 …, 拜访 华为 …, 电话 …: a follow-up word at the front (拜访, 电话 also say the channel)."""
    if msg.command is None or msg.command[1] is not Intent.FOLLOW_UP:
        return None
    word = msg.command[0]
    return log(msg.text, len(word), msg.now, msg.tz, vocab.CHANNEL_COMMANDS.get(word))


def task_by_word(msg: Message) -> Parsed | None:
    """完成 2 / 推迟 2 明天: an agenda item's command word first."""
    if msg.command is None or msg.command[1] not in (Intent.DONE, Intent.POSTPONE):
        return None
    return task(msg.text, len(msg.command[0]), msg.command[1], msg.now, msg.tz)


def task_by_number(msg: Message) -> Parsed | None:
    """2 推迟到明天 / 第二个完成了: the item's number first."""
    if match := INDEX_FIRST.match(msg.text):
        intent = Intent.POSTPONE if match.group("word") not in ("完成", "搞定", "done") else Intent.DONE
        return task(msg.text, match.end(), intent, msg.now, msg.tz, item_number(match.group("index")))
    return None


def log(
    message: str, offset: int, now: datetime, tz: ZoneInfo, channel: str | None = None, customer: str | None = None
) -> Parsed:
    """A follow-up: who (unless the caller found them), what happened, the next step, when it happened."""
    found = plans.times(message, offset, now, tz)
    if customer is None:  # else the caller found it already
        customer, offset = customer_at(message, offset, found[0] if found else None)
    plan, happened = plans.plan_and_event(message, found, now)
    note = message[offset:].strip(" ,:;")
    return Parsed(
        Intent.FOLLOW_UP, message, customer, note, channel or _channel(message, offset, plan), plan, happened=happened
    )


# Not an item number when it goes on as a number (1,000 1.5 1e9 23:59 2026-12 一亿) or is a time (3天, 5点).
_NOT_AN_ITEM = r"(?![天周月小分点号年万千百亿块元\d零〇一二两三四五六七八九十]|[.,:\-−][\d]|[eE][-+]?\d)"
_LEADING_INDEX = re.compile(rf"^[\s:,]*{ITEM}{_NOT_AN_ITEM}[\s,]*(?:到|至)?\s*")
_DELAY = re.compile(
    r"^[\s:,]*(?:\d{1,2}|[一二两三四五六七八九十半]{1,2})\s*(?:个?小时|天|周|个?星期|个?礼拜|个?月)(?![后以之内])"
)


def task(message: str, offset: int, intent: Intent, now: datetime, tz: ZoneInfo, index: int | None = None) -> Parsed:
    """完成 2 / 推迟 2 明天: the index comes first, so its digit is never read as a time."""
    rest = message[offset:]
    if index is None and (match := _LEADING_INDEX.match(rest)):
        index, offset = item_number(match.group("index")), offset + match.end()
    when: When | WhenError | None = None
    if intent is Intent.POSTPONE:
        if index is None and _DELAY.match(rest):  # 推迟两天: relative to a due time we do not know here
            span = (offset, offset + _DELAY.match(rest).end())  # type: ignore[union-attr]
            words = message[span[0] : span[1]].strip()
            when = WhenError(span, "unknown", texts.POSTPONE_BY.format(text=words), words)
        else:
            when = spans.shift(parse_when(message[offset:], now, tz), offset)
    note = re.sub(r"^(?:到|至)", "", spans.tidy(spans.without(message, offset, when))).strip(" ,:;")
    return Parsed(intent, message, note=note, when=when, index=index)


_SHORT_REST = 4  # a refused past time with more words than this around it was no next step (今天拜访了三家客户)
_PLAN_WORDS = re.compile(
    r"再|回访|复访|联系|见|拜访|上门|发|出|给|签|开会|过去|去|来|定|拍板|答复|回复|交|付|打|电话|沟通|约"
    r"|演示|汇报|确认|提交|安装|培训|跟进|跟|聊|谈|看|催|送|报价|方案|合同|提醒"
)


def untagged(msg: Message) -> Parsed | None:
    """No command word. 张总 电话沟通了报价 is a follow-up; 张总 明天下午3点回访 and 明天下午3点回访 are next steps."""
    message, now = msg.text, msg.now
    found = plans.times(message, 0, now, msg.tz)
    first = found[0] if found else None
    customer, offset = customer_at(message, 0, first)
    if customer is not None and not is_name(customer, strict=True):
        customer, offset = None, 0
    has_note = customer is not None and bool(message[offset:].strip(vocab.TRAILING + ",:;"))
    if has_note and (first is None or message[offset : first.span[0]].strip(" ,:;")):
        return log(message, offset, now, msg.tz, customer=customer)
    if first is None:
        return None
    plan, happened = plans.plan_and_event(message, found, now)
    if happened is not None and customer is not None:
        return log(message, offset, now, msg.tz, customer=customer)
    plan = plan or first  # a past time alone (昨天下午) is refused as a next step, never dropped
    note = task_words(message, offset, plan)
    if plans.is_past(plan) and len(note) > _SHORT_REST:
        return None
    if (
        customer is None
        and len(note) > _SHORT_REST
        and plans.role(message, plan, found) == "neutral"
        and not _PLAN_WORDS.search(plans.clause(message, plan, found))
    ):
        return None  # 今天天气不错，适合拜访客户: a time word in a long remark is no plan
    if (
        customer is None
        and note
        and (isinstance(plan, When) or plans.is_past(plan))
        and (message.rstrip().endswith(("?", "吗", "呢")) or not _PLAN_WORDS.search(note))
    ):
        return None  # 今天好累啊, 明天下午开会吗: no plan to schedule
    return Parsed(Intent.NEXT_STEP, message, customer, note, when=plan)


def task_words(message: str, offset: int, when: When | WhenError) -> str:
    """What a next step is about: the words without its time and the planning words (约了, 再)."""
    return re.sub(r"^(?:约了|约好了?)", "", spans.tidy(spans.without(message, offset, when))).strip(" ,:;")


_PRONOUN_NOTE = re.compile(r"^(?:他|她|他们|对方|客户)(?:说|讲|表示|反馈|觉得|那边)")


def continued(msg: Message) -> Parsed | None:
    """他说老板还没点头: a note about the customer just talked about (used only when it is short and recent)."""
    return Parsed(Intent.FOLLOW_UP, msg.text, None, msg.text) if _PRONOUN_NOTE.match(msg.text) else None


# ── a customer of the rep's named anywhere (见了刘工，现场看了产线 / 陈总 下周二再约) ───────────────────────────────
_REMIND = re.compile(r"^(?:提醒我|提醒一下|记得|帮我记着)")
_FILLER = re.compile(
    r"@|那边|这边|那个|这个|那家|的|约了|约好了?|约|跟|和|给|他们|他|她|客户|那|说|让|就|先|一下|吧|呢|啊|了"
)


def planned_named(msg: Message) -> Parsed | None:
    """陈总 下周二再约 / 提醒我周五给华为发方案: nothing but a plan for the customer named."""
    subject = msg.subject
    if subject is None:
        return None
    found, plan, happened = named_times(msg)
    if plan is None or happened:
        return None
    plain = _masked(subject.rest, found)
    outside = _FILLER.sub("", _REMIND.sub("", _outside(plain, plan).strip()))
    if outside.strip(" ,:;。!?"):
        return None
    return Parsed(Intent.NEXT_STEP, msg.text, subject.name, task_words(subject.rest, 0, plan), when=plan)


def noted_named(msg: Message) -> Parsed | None:
    """见了刘工，现场看了产线: what happened with the customer named (a typed name only with a plan of its own)."""
    subject = msg.subject
    if subject is None:
        return None
    _, plan, happened = named_times(msg)
    if subject.typed and (plan is None or happened):
        return None  # 比亚迪 … with no plan: the older readers decide
    start, end = subject.mention.span
    note = spans.tidy(msg.text[end:] if start == 0 else msg.text).strip(",:;")
    channel = _channel(subject.rest, 0, plan)
    return Parsed(Intent.FOLLOW_UP, msg.text, subject.name, note, channel, plan, happened=happened)


def named_times(msg: Message) -> tuple[list[When | WhenError], When | WhenError | None, datetime | None]:
    """The times in the sentence about the customer named, its next step, and when it happened."""
    found = plans.times(msg.subject.rest, 0, msg.now, msg.tz)  # type: ignore[union-attr]
    return found, *plans.plan_and_event(msg.subject.rest, found, msg.now)  # type: ignore[union-attr]


def _masked(text: str, found: list[When | WhenError]) -> str:
    for when in found:
        text = spans.mask(text, when)
    return text


def _outside(plain: str, plan: When | WhenError) -> str:
    """The words outside the plan's clause (what may say something happened)."""
    end = plans.CLAUSE.search(plain, plan.span[1])
    return plain[: plan.span[0]] + plain[end.start() if end else len(plain) :]


_CLAUSE_END = re.compile(r"[,;。!?]")


def _channel(message: str, offset: int, when: When | WhenError | None) -> str:
    ignore = None
    if isinstance(when, When):
        end = _CLAUSE_END.search(message, when.span[1])
        ignore = (when.span[0] - offset, (end.start() if end else len(message)) - offset)
    return names.channel_of(message[offset:], ignore) or DEFAULT_CHANNEL
