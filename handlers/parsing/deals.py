"""The deal reader: a deal won, with its amount (成交 华为 12.8万, 华为签单了 12万, 蔚来签了，合同8万), or lost,
with why (丢单 张总 预算取消, 邓总那单丢了，预算砍了). An amount that is none (abc, -5万, 1e309) or absurd is
kept as typed for the handler to refuse by name. Pure: no database, no WeCom.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.intents import MAX_AMOUNT, MIN_AMOUNT, Amount, Intent, Parsed
from handlers.parsing import names, plans, spans
from handlers.parsing.amounts import parse_amount, whole_amount
from handlers.parsing.customers import customer_at, is_name
from handlers.parsing.message import Message

_REOPEN = re.compile(r"重新打开|重开|又签了|又签|再次成交|新的一单|又成交|又下单|复购|二次|加单|续约|续签|续费|追加")
_LOST_WORDS = ("丢单", "输单", "黄了", "流失", "丢了")


def by_word(msg: Message) -> Parsed | None:
    """成交 华为 12.8万 / 丢单 张总 预算取消: a deal word at the front."""
    if msg.command is None or msg.command[1] not in (Intent.WON, Intent.LOST):
        return None
    read = won if msg.command[1] is Intent.WON else lost
    return read(msg.text, len(msg.command[0]), msg.now, msg.tz)


_SUBJECT = re.compile(
    r"^(?P<name>[^\s,:;]{1,12}?)\s*(?P<word>签单|成交|签约|拿下|赢单|丢单|输单|黄了|流失|丢了)了?"
    r"(?=$|[\s,:;!]|\d|[一二两三四五六七八九十])"
)


def by_subject(msg: Message) -> Parsed | None:
    """华为签单了 12万 / 张总丢单了 预算砍了: the customer first, then the deal word."""
    if (match := _SUBJECT.match(msg.text)) and is_name(match.group("name")):
        read = lost if match.group("word") in _LOST_WORDS else won
        return read(msg.text, match.end(), msg.now, msg.tz, customer=match.group("name"))
    return None


def won(message: str, offset: int, now: datetime, tz: ZoneInfo, customer: str | None = None) -> Parsed:
    found = plans.times(message, offset, now, tz)
    masked = message
    for when in found:
        masked = spans.mask(masked, when)
    lead = len(masked[offset:]) - len(masked[offset:].lstrip(" ,:;"))  # 签了，8万: the comma is no digit grouping
    amount = spans.shift(parse_amount(masked[offset + lead :], bare_numbers=True), offset + lead)
    if customer is None:
        customer, offset = customer_at(message, offset, found[0] if found else None, amount)
    if customer is None and amount is not None and not message[offset : amount.span[0]].strip():
        customer, _ = names.split_customer(message[amount.span[1] :])  # 成交 5万 张总
    note = spans.tidy(spans.without(message, offset, amount))
    if customer and note.startswith(customer):
        note = note[len(customer) :].strip(" ,:;")
    plan, _ = plans.plan_and_event(message, found, now)
    error = _bad_amount(message, amount, note)
    typed = whole_amount(error) if error else None  # 99999999999999: a number, only too large
    return Parsed(
        Intent.WON,
        message,
        customer,
        note,
        when=None if plan is None or plans.is_past(plan) else plan,
        amount=amount,
        amount_error=error,
        amount_too_large=typed is not None and typed > MAX_AMOUNT,
        reopen=bool(_REOPEN.search(message)),
    )


_NOT_AN_AMOUNT = re.compile(r"[-−负]?\s*[A-Za-z0-9.,?*]+\s*[万千百元块]?")
_EXPONENT = re.compile(r"(?<![A-Za-z\d.])[-−]?\d+(?:\.\d+)?[eE][-+]?\d+")  # 1e5, 1e309: never read as 5 or 309


def _bad_amount(message: str, amount: Amount | None, note: str) -> str | None:
    """What the rep typed where an amount belongs, when it is none: -5万, abc, xx万, 0元, 1e309, 99999999999万."""
    if amount is not None:
        if message[: amount.span[0]].rstrip().endswith(("-", "−", "负")):
            return "-" + amount.text
        return amount.text if not MIN_AMOUNT <= amount.value <= MAX_AMOUNT else None
    if note and _NOT_AN_AMOUNT.fullmatch(note):
        return note
    exponent = _EXPONENT.search(note)
    return exponent.group() if exponent else None


def lost(message: str, offset: int, now: datetime, tz: ZoneInfo, customer: str | None = None) -> Parsed:
    amount = spans.shift(parse_amount(message[offset:]), offset)
    if customer is None:
        customer, offset = customer_at(message, offset, None, amount)
    reason = spans.tidy(message[offset:])  # amounts stay in the words: 对方报价低了2万
    return Parsed(Intent.LOST, message, customer, reason, amount=amount, reason=reason or None)


# ── a customer of the rep's named anywhere (邓总那单丢了，预算砍了 / 蔚来签了，合同8万) ─────────────────────────────
_LOST = re.compile(
    r"(?<!差点)(?<!竞品那边)(?<!对手)(?:丢单|丢了|黄了|输单|输了|没戏了?|流失了?|飞了|被抢了?|被截胡|放弃了|不做了|没签成|没成|选了别家"
    r"|跟别人签了?|签了别家|用了别家|取消了|不买了|不要了|不考虑了|凉了|没下文了)(?!吗|半截|一半)"
)
_WON = re.compile(
    r"(?:签了|签单了?|签约了|签下了?|签合同了|合同签了|成交了?|拿下了?|中标了?|赢单了?|赢了|下单了|打款了"
    r"|付款了|回款了|签啦|搞定了|单子?成了|那单成了)"
    r"(?![^,;。!?]{0,3}(?:保密协议|意向书|框架|协议|nda|字|备忘录|吗))"
)
_NOT_YET = ("没", "未", "要", "快", "准备", "争取", "打算", "计划", "希望", "预计", "可能", "应该", "能不能", "还")


def lost_named(msg: Message) -> Parsed | None:
    """邓总那单丢了，预算砍了 / 海康的单子黄了: the customer named lost, and why (取消了 says it by itself)."""
    if msg.subject is None:
        return None
    rest = msg.subject.rest
    if not (found := _LOST.search(rest)) or _negated(rest, found.start()):
        return None
    reason = spans.tidy(re.sub(r"^[了啦,;。!]+", "", rest[found.end() :])) or _reason_in(found.group())
    return Parsed(
        Intent.LOST,
        msg.text,
        msg.subject.name,
        reason or "",
        amount=parse_amount(rest),
        reason=reason or None,
        reopen=bool(_REOPEN.search(msg.text)),
    )


def won_named(msg: Message) -> Parsed | None:
    """蔚来签了，合同8万: the customer named won, with the amount and any next step said."""
    if msg.subject is None:
        return None
    rest = msg.subject.rest
    if not (found := _WON.search(rest)) or _negated(rest, found.start()):
        return None
    return replace(won(rest, 0, msg.now, msg.tz, customer=msg.subject.name), text=msg.text)


def _reason_in(words: str) -> str | None:
    """取消了 / 不买了 say why by themselves; 丢了 / 黄了 do not."""
    return words.removesuffix("了") if words.startswith(("取消", "不", "选了", "用了", "签了别家", "跟别人")) else None


def _negated(text: str, at: int) -> bool:
    return text[max(0, at - 4) : at].endswith(_NOT_YET)
