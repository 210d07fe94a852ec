"""The manager request reader: a target (目标 张三 12月 50万, 目标 团队 本月 200万) and a look at one member (张三的
客户, 张三的业绩, 张三本周的业绩). Who may ask is the command table's business (handlers/__init__.py), not the
reader's: a rep asking 张三的业绩 is read the same way and refused there. Pure: no database, no WeCom.
"""

from __future__ import annotations

import re

from handlers.intents import Amount, Intent, Parsed
from handlers.parsing.amounts import parse_amount, whole_amount
from handlers.parsing.message import Message

_TARGET = re.compile(r"^(?:设置?|定|设定)?(?:个)?目标[\s:]*(?P<rest>.+)$")
# The period as typed, whole: a day or weekday glued to it (12月32日, 下周二) is kept, to be refused as no period.
_TARGET_PERIOD = re.compile(
    r"\d{1,9}-\d{1,3}-\d{1,3}|\d{1,9}-[wWqQ]?\d{1,3}(?!\d)"
    r"|(?:\d{1,9}年)?(?:\d{1,3}月份?|本月|这个月|下个?月)(?:\d{1,3}[日号])?|\d{1,9}年(?!\d)"
    r"|(?:本周|这周|下周)(?:[一二三四五六日天1-7](?![万千百亿]))?|本季度"
    r"|第?(?:\d{1,3}|[一二两三四五六七八九十])季度"
)
# The characters of one typed number around an amount: its sign (-50万, 负50万), an exponent (1e309), stray letters.
_NUMBER_LEFT = re.compile(r"[0-9A-Za-z.,+\-−负¥$]*$")
_NUMBER_RIGHT = re.compile(r"^[0-9A-Za-z.,+\-万千百亿元块]*")
_DIGIT = re.compile(r"\d")


def _typed_number(region: str) -> tuple[int, int] | None:
    """Where the amount was typed: around the amount read (with its sign, exponent, stray characters), else the
    word holding the first digit (0, 5O万, 99999999999999); None when no number was typed at all."""
    found = parse_amount(region, bare_numbers=True)
    if found is not None:
        start, end = found.span
    elif (digit := _DIGIT.search(region)) is not None:
        start, end = digit.start(), digit.start() + len(re.match(r"\S+", region[digit.start() :]).group())
    else:
        return None
    return start - len(_NUMBER_LEFT.search(region[:start]).group()), end + len(
        _NUMBER_RIGHT.match(region[end:]).group()
    )


def target(msg: Message) -> Parsed | None:
    """目标 张三 12月 50万 (a manager sets a rep's, or 目标 团队 本月 200万 the team's): who, when, how much.

    The amount is read as the whole number typed (-50万, 负50万, 1e309, 99999999万), so a bad one is refused
    by name (amount_error, or a value the store refuses) and never left in the name (张三 -)."""
    message = msg.text
    match = _TARGET.match(message)
    if match is None:
        return None
    rest, base = match.group("rest"), match.start("rest")
    period = _TARGET_PERIOD.search(rest)
    if period is None:
        start, region = 0, rest
    elif rest[period.end() :].strip():
        start, region = period.end(), rest[period.end() :]
    else:
        start, region = 0, rest[: period.start()]
    amount, amount_error, span = None, None, (0, 0)
    if (typed := _typed_number(region)) is not None:
        left, right = typed
        value = whole_amount(region[left:right])
        if value is None:
            amount_error = region[left:right]
        else:
            amount = Amount((base + start + left, base + start + right), value, region[left:right])
        span = (start + left, start + right)
    who = rest[: span[0]] + " " + rest[span[1] :]
    if period is not None:
        who = who.replace(period.group(), " ", 1)
    return Parsed(
        Intent.SET_TARGET,
        message,
        member=" ".join(who.split()).strip(" ,:的") or None,
        note=period.group() if period else "",
        amount=amount,
        amount_error=amount_error,
    )


# A period named before 的 (张三本季度的业绩, 张三9999-12的业绩) is the period asked, whether we keep figures by it
# or not.
_ASKED_PERIOD = (
    r"今天|今日|本周|这周|上周|本月|这个?月|上个?月|本季度|这季度|今年|去年|前年|明年|下个?月|下周|[上下]季度"
    r"|第?(?:\d{1,3}|[一二两三四五六七八九十])季度|\d[\d\-年月周季度WwQq]{0,12}"
)
_MEMBER_NUMBERS = re.compile(
    rf"^(?:查|查看|看看|查一下|看一下|看下)?\s*(?P<member>[^\s的]{{1,8}}?)\s*(?P<asked>{_ASKED_PERIOD})?的"
    r"(?P<period>本周|这周|本月|这个月|今天|本季度)?(?:业绩|数据|战绩|成绩|排名)$"
)
_MEMBER = re.compile(
    r"^(?:查|查看|看看|查一下|看一下|看下|查询|把)?\s*(?P<member>[^\s的]{1,8}?)(?:的|跟的|手上的|手里的)"
    r"(?:所有|全部)?客户(?:列表|有哪些|呢|列一下|发我看看|给我看看)?$"
    r"|^(?P<member2>[^\s的]{1,8}?)(?:手上|手里)?都?有哪些客户$|^(?P<member3>[^\s的]{1,8}?)\s*客户列表$"
)


def member(msg: Message) -> Parsed | None:
    """张三的客户 (a manager looks at a rep's customers), 张三的业绩 / 张三本周的业绩 (at their numbers)."""
    message = msg.text
    numbers = _MEMBER_NUMBERS.match(msg.core)
    if numbers is not None:
        who, period = numbers.group("member"), numbers.group("period") or numbers.group("asked") or ""
        if re.fullmatch(_ASKED_PERIOD, whole := who + (numbers.group("asked") or "")):
            return Parsed(Intent.MY_NUMBERS, message, note=whole)  # 本月的业绩, 12月的业绩: the asker's own
        if who in ("我", "自己", "我自己", "团队", "全组", "我们组", "大家"):
            return Parsed(Intent.MY_NUMBERS, message, note=period)
        return Parsed(Intent.MEMBER_NUMBERS, message, member=who, note=period)
    match = _MEMBER.match(msg.core)
    if match is None:
        return None
    who = match.group("member") or match.group("member2") or match.group("member3")
    return Parsed(Intent.MEMBER_CUSTOMERS, message, member=None if who in ("我", "自己", "我自己") else who)
