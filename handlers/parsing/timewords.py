"""Where time words sit in a text, and the rewrites recognizers-text needs before it can read them (the words
refused outright are refusals.py's).

Measured against recognizers-text-date-time 1.0.2a2 (2026-11): it misses 月底/年底/下下周一/下个月初,
reads 半小时后 as now, 一个半小时后 as 半小时后, 1.5小时后 as +1 h, 3个月后 as +1 month, 两天以后 and
3天内 as bare durations, 周1 and 一个礼拜后 as nothing, 13月1日 as 3月1日 and 25点 as 5点. The rewrites
below turn those into forms it reads; `Rewritten.original` maps every offset back to the rep's text.
Nothing here resolves a date against a clock beyond filling in explicit dates for the rewrites.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.parsing import numerals
from handlers.parsing.refusals import AFTER_DAY, DAY_WORDS, N

# Characters a time expression is made of; a window is a run of them (":-/." only between digits).
_CHARS = (
    "0-9昨零〇一二两三四五六七八九十年月日号点时分钟半刻小个天周星期礼拜"
    "末上下中午晚早今明后大前这本初底过凌晨傍夜内之以"
)
WINDOW = re.compile(rf"(?:[{_CHARS}]|(?<=\d)[:/\-.](?=\d))+")
# A window is worth handing to the recognizer only when it holds one of these.
TRIGGER = re.compile(r"[天周期拜点时月日号钟午晚早晨底末初]|\d:\d\d|\d/\d|\d-\d{1,2}-\d")


@dataclass(frozen=True)
class Rewritten:
    text: str
    pieces: tuple[tuple[int, int, int, int, bool], ...]  # (new start, new end, old start, old end, replaced)

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text that [start, end) of the rewritten text came from."""
        return self._map(start, False), self._map(end, True)

    def _map(self, index: int, is_end: bool) -> int:
        for new_start, new_end, old_start, old_end, replaced in self.pieces:
            if new_start <= index < new_end or (is_end and index == new_end):
                if replaced:
                    return old_end if is_end else old_start
                return old_start + index - new_start
        return self.pieces[-1][3] if self.pieces else index


def rewrite(text: str, today: date) -> Rewritten:
    """Apply every rewrite in one left-to-right pass."""
    out: list[str] = []
    pieces: list[tuple[int, int, int, int, bool]] = []
    position = new_position = 0
    for match in _REWRITE.finditer(text):
        replacement = _replace(match, today)
        if replacement is None or replacement == match.group():
            continue
        if match.start() > position:
            kept = text[position : match.start()]
            pieces.append((new_position, new_position + len(kept), position, match.start(), False))
            out.append(kept)
            new_position += len(kept)
        pieces.append((new_position, new_position + len(replacement), match.start(), match.end(), True))
        out.append(replacement)
        new_position += len(replacement)
        position = match.end()
    if position < len(text) or not pieces:
        pieces.append((new_position, new_position + len(text) - position, position, len(text), False))
        out.append(text[position:])
    return Rewritten("".join(out), tuple(pieces))


def windows(text: str) -> list[tuple[int, int]]:
    """Runs of time characters holding a trigger; neighbours split only by spaces are joined (明天 下午3点)."""
    found = [(m.start(), m.end()) for m in WINDOW.finditer(text) if TRIGGER.search(m.group())]
    joined: list[tuple[int, int]] = []
    for start, end in found:
        if joined and not text[joined[-1][1] : start].strip():
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


_REWRITE = re.compile(
    r"(?P<sp>(?<=[天午点时分号日月周期拜二三四五六])\s+(?=[\d上下中早晚傍凌零一二两三四五六七八九十半])"
    r"|(?<=[\d零一二两三四五六七八九十])\s+(?=[点时分号日月天半]))"
    r"|(?P<half>半个?(?P<half_u>月|年)(?P<half_in>以后|之后|后|以内|之内|内))"
    rf"|(?P<nnw>下下个?(?:周|星期|礼拜)(?P<nnw_d>[{DAY_WORDS}1-7])?)"
    rf"|(?P<mb>(?<!上个)(?<![上去前])(?:(?P<mb_next>下个?)|这个?|本|(?P<mb_m>{N}))?月(?P<mb_pos>[底末初中])(?!旬))"
    r"|(?P<ye>(?<![去前])(?:(?P<ye_y>\d{4})|今|(?P<ye_next>明))?年[底末])"
    rf"|(?P<rm>(?P<rm_n>{N})个月(?:以后|之后|后|以内|之内|内))"
    rf"|(?P<go>过(?P<go_n>{N})(?P<go_u>天|周|个?星期|个?礼拜)(?:以后|之后|后)?)"
    rf"|(?P<du>(?P<du_n>\d+\.\d+|{N}|半)(?P<du_u>天|周|个?星期|个?礼拜|个半小时|个?小时|分钟)"
    r"(?:以后|之后|后|以内|之内|内))"
    r"|(?P<wi>(?P<wi_pre>本|这|下)个?(?:周|星期|礼拜)(?:之|以)?内)"
    r"|(?P<wd>(?P<wd_pre>下个?|这个?|本)?(?:周|星期|礼拜)(?P<wd_d>[1-7]))"
    r"|(?P<wn>(?P<wn_pre>下|这|本|上)个?(?:礼拜|星期)(?![一二三四五六日天1-7]))"
    rf"|(?P<bd>(?<![月\d零〇一二两三四五六七八九十第周期拜])(?P<bd_n>{N})"
    rf"(?:号(?={AFTER_DAY})|日(?![后内以\d])))"
    rf"|(?P<year>(?P<year_rel>明|今)年(?={N}月))"
    r"|(?P<early>一早)|(?P<tomorrow>明儿)|(?P<today>今儿)"
)
_UNIT = {
    "天": "天",
    "周": "周",
    "星期": "周",
    "礼拜": "周",
    "个星期": "周",
    "个礼拜": "周",
    "小时": "小时",
    "个小时": "小时",
    "分钟": "分钟",
}


def _replace(match: re.Match, today: date) -> str | None:
    kind = match.lastgroup if match.lastgroup in _HANDLERS else next(k for k in _HANDLERS if match.group(k))
    return _HANDLERS[kind](match, today)


def _ymd(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _week_after_next(match: re.Match, today: date) -> str:
    day = match.group("nnw_d")
    offset = 0 if not day else ("1234567".find(day) if day.isdigit() else DAY_WORDS.find(day))
    return _ymd(today - timedelta(days=today.weekday()) + timedelta(days=14 + min(offset, 6)))


def _month_boundary(match: re.Match, today: date) -> str | None:
    year, month = today.year, today.month
    if match.group("mb_next"):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    elif match.group("mb_m"):
        month = numerals.to_int(match.group("mb_m")) or 0
        if not 1 <= month <= 12:
            return None
        if month < today.month:
            year += 1
    position = match.group("mb_pos")
    day = {"初": 1, "中": 15}.get(position) or calendar.monthrange(year, month)[1]
    return _ymd(date(year, month, day))


def _year_end(match: re.Match, today: date) -> str:
    year = int(match.group("ye_y") or today.year) + (1 if match.group("ye_next") else 0)
    return _ymd(date(year, 12, 31))


def _months_later(match: re.Match, today: date) -> str | None:
    months = numerals.to_int(match.group("rm_n"))
    if not months or months > 36:
        return None
    index = today.month - 1 + months
    year, month = today.year + index // 12, index % 12 + 1
    return _ymd(date(year, month, min(today.day, calendar.monthrange(year, month)[1])))


def _half(match: re.Match, today: date) -> str | None:
    """半个月后 → 15天后; 半年后 → the date six months on (the recognizer reads neither)."""
    within = match.group("half_in").endswith("内")
    if match.group("half_u") == "月":
        return "15天内" if within else "15天后"
    index = today.month - 1 + 6
    year, month = today.year + index // 12, index % 12 + 1
    return _ymd(date(year, month, min(today.day, calendar.monthrange(year, month)[1]))) + ("前" if within else "")


def _after_passing(match: re.Match, today: date) -> str:
    return f"{match.group('go_n')}{_UNIT[match.group('go_u')]}后"


def _duration_later(match: re.Match, today: date) -> str | None:
    amount, unit = match.group("du_n"), match.group("du_u")
    if unit == "个半小时":
        whole = numerals.to_int(amount)
        return None if whole is None else f"{whole * 60 + 30}分钟后"
    if amount == "半":
        return "30分钟后" if unit.endswith("小时") else None
    if "." in amount:
        return f"{round(float(amount) * 60)}分钟后" if unit.endswith("小时") else None
    return f"{amount}{_UNIT[unit]}后"


def _week_within(match: re.Match, today: date) -> str:
    return f"{'下' if match.group('wi_pre') == '下' else '本'}周五"


def _weekday_digit(match: re.Match, today: date) -> str:
    prefix = (match.group("wd_pre") or "").rstrip("个")
    return f"{prefix}周{'一二三四五六日'[int(match.group('wd_d')) - 1]}"


def _week_word(match: re.Match, today: date) -> str:
    return f"{match.group('wn_pre')}周"


def _bare_day(match: re.Match, today: date) -> str | None:
    day = numerals.to_int(match.group("bd_n"))
    if day is None or not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    if day < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year}年{month}月{day}日"


_HANDLERS = {
    "sp": lambda m, t: "",
    "half": _half,
    "nnw": _week_after_next,
    "mb": _month_boundary,
    "ye": _year_end,
    "rm": _months_later,
    "go": _after_passing,
    "du": _duration_later,
    "wi": _week_within,
    "wd": _weekday_digit,
    "wn": _week_word,
    "bd": _bare_day,
    "year": lambda m, t: f"{t.year + (m.group('year_rel') == '明')}年",
    "early": lambda m, t: "早上",
    "tomorrow": lambda m, t: "明天",
    "today": lambda m, t: "今天",
}
