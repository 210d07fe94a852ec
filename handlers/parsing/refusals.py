"""Time words refused outright, before any reading: impossible dates and hours (2月30日, 25点, 13月), a year or a
day no calendar has, holidays (read by when_rules.py where it can), and the vague (过几天) or recurring (每周一)
ones. Only finds them: the Chinese a rep reads is made by when.py and when_rules.py.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from handlers.parsing import numerals

N = r"(?:\d{1,3}|[一二两三四五六七八九十]{1,3})"
DAY_WORDS = "一二三四五六日天"

# What may follow a bare 5号 for it to be a date: 5号前, 5号下午, 5号给答复; not 2号楼, 3号会议室, 1号产品.
AFTER_DAY = (
    r"$|[\s,;:。!?、)~]|[前后之以上下中早晚傍凌左]|\d|[一二两三四五六七八九十]+点|再|给|交|签|开|见|去|来|发|付"
    r"|回|出|那|到|要|能|可|就|吧|啊|呢|吗|了|也|都|才"
)
# A bare day of the month that no month has (32号, 0号 前), where a real one would be read as a date.
_BAD_DAY = re.compile(
    rf"(?<![月\d零〇一二两三四五六七八九十第周期拜])(?:3[2-9]|[4-9]\d|0{{1,2}})(?:号(?={AFTER_DAY})|日(?![后内以\d]))"
)
_NUMERAL_BEFORE = r"(?<![\d一二两三四五六七八九十])"
_HOLIDAY = re.compile(
    rf"(?:国庆|春节|过年|过完年|元旦|中秋|端午|清明|劳动节|元宵|双十一|双11|{_NUMERAL_BEFORE}(?:五一|十一)"
    r"|(?<![\d一二两三四五六七八九十明今去前后每当那近多半几])年|(?<![\u4e00-\u9fff])节)"
    r"(?:节|假期|长假)?(?:之后|以后|后|之前|以前|前|期间)"
    r"|(?:国庆|春节|过年|元旦|中秋|端午|清明|劳动节|元宵)(?:节|假期|长假)?"
)
_RECURRING = re.compile(
    rf"(?:每|隔)(?:周|星期|礼拜)[{DAY_WORDS}1-7]|每个?月{N}[号日]|(?:每天|每日|隔天)(?=[上下早晚中]|{N}点)"
)
_VAGUE = re.compile(r"过几天|过两三天|改天|过阵子|过一阵子?|过段时间|过些天|过些日子|找时间|有空的?时候")
_BAD_MONTH = re.compile(rf"(?:(?<![\d.])(?:1[3-9]|[2-9]\d|0)|十[三四五六七八九])月(?:{N}[日号]?)?")
_BAD_HOUR = re.compile(r"(?<![\d.])(?:2[4-9]|3\d)[点时](?![积数头位])|[二三]十[四五六七八九]点")
_MONTH_DAY = re.compile(rf"(?:(?<!\d)(\d{{4}})年)?({N})月({N})[日号]")
# A year no calendar has (0000年, 1年1月1日, 10000年) before a month or 底; a number in e-notation before a
# time word (1e9天后: not 9天后).
_BAD_YEAR = re.compile(rf"(?<![\d.])(?:\d{{1,3}}|\d{{5,}}|0000)年(?:{N}月(?:{N}[日号])?|[底末])")
_EXPONENT = re.compile(
    r"(?<![A-Za-z\d.])\d+(?:\.\d+)?[eE][-+]?\d+\s*(?:个)?(?:天|周|星期|礼拜|月|年|日|号|点|时|小时|分钟|钟头)"
    r"(?:以后|之后|后|以内|之内|内|前)?"
)
_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])|点(\d{2})分")


@dataclass(frozen=True)
class Refusal:
    start: int
    end: int
    reason: str  # "impossible" | "unknown"
    kind: str  # which message: "impossible" | "holiday" | "vague" | "recurring"


def refusals(text: str, today: date) -> list[Refusal]:
    """Time words we refuse outright: impossible dates and hours, holidays, and vague ones (过几天)."""
    found = [Refusal(m.start(), m.end(), "impossible", "impossible") for m in _BAD_MONTH.finditer(text)]
    found += [Refusal(m.start(), m.end(), "impossible", "impossible") for m in _BAD_HOUR.finditer(text)]
    found += [
        Refusal(m.start(), m.end(), "impossible", "impossible")
        for m in _MONTH_DAY.finditer(text)
        if not _month_day_exists(m, today)
    ]
    found += [
        Refusal(m.start(), m.end(), "impossible", "impossible") for m in _CLOCK.finditer(text) if not _clock_exists(m)
    ]
    found += [
        Refusal(m.start(), m.end(), "impossible", "impossible")
        for pattern in (_BAD_YEAR, _EXPONENT, _BAD_DAY)
        for m in pattern.finditer(text)
    ]
    found += [Refusal(m.start(), m.end(), "unknown", "holiday") for m in _HOLIDAY.finditer(text)]
    found += [Refusal(m.start(), m.end(), "unknown", "vague") for m in _VAGUE.finditer(text)]
    found += [Refusal(m.start(), m.end(), "unknown", "recurring") for m in _RECURRING.finditer(text)]
    return sorted(found, key=lambda r: r.start)


def _month_day_exists(match: re.Match, today: date) -> bool:
    year, month, day = match.group(1), numerals.to_int(match.group(2)), numerals.to_int(match.group(3))
    if month is None or day is None or not 1 <= month <= 12:
        return month is None or day is None
    years = [int(year)] if year else [today.year, today.year + 1]
    return 1 <= day <= max(calendar.monthrange(y, month)[1] for y in years)


def _clock_exists(match: re.Match) -> bool:
    if match.group(3):
        return int(match.group(3)) < 60
    return int(match.group(1)) <= 23 and int(match.group(2)) < 60
