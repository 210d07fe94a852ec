"""Time words read by our own rules, where the recognizer (when.py) reads them wrong or not at all: holidays
(元旦后, 春节前: the working days around China's official breaks), ten-day periods (12月中旬) and long durations
(100天后, or 99999天后 refused as too far). Pure: `now` comes in.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from handlers.intents import When, WhenError
from handlers.parsing import numerals, refusals, texts
from handlers.parsing.due import DEADLINE_HOUR, DEFAULT_HOUR, MAX_AHEAD, MAX_ROLL_DAYS, at, example
from scrm import workdays
from scrm.dates import format_when

# Durations the recognizer misreads (100天后 as 10 days, 1000分钟后 as 100 minutes, 三百六十五天后 as 60 days)
# or that are far beyond any plan (99999天后, 9999个月后) are read here; shorter ones by the recognizer.
DURATION = re.compile(
    r"(?<![\d.零〇一二两三四五六七八九十百千万亿])(?P<n>\d+|[零〇一二两三四五六七八九十百千万亿]+)\s*"
    r"(?P<unit>个?月|个?星期|个?礼拜|周|天|个?小时|个?钟头|分钟)(?P<after>以后|之后|后|以内|之内|内)"
)
_UNIT_MINUTES = {
    "月": 30 * 24 * 60,
    "星期": 7 * 24 * 60,
    "礼拜": 7 * 24 * 60,
    "周": 7 * 24 * 60,
    "天": 24 * 60,
    "小时": 60,
    "钟头": 60,
    "分钟": 1,
}
_RECOGNIZED_BELOW = {"月": 37, "星期": 100, "礼拜": 100, "周": 100, "天": 100, "小时": 1000, "钟头": 1000, "分钟": 1000}


def long_duration(match: re.Match, now: datetime) -> When | WhenError | None:
    """99999天后 → refused as too far; 100天后 → the day 100 days on (09:00, or 18:00 for 100天内); None for
    durations the recognizer reads right (3天后)."""
    n = numerals.to_int(match.group("n"))
    unit = match.group("unit").removeprefix("个")
    if n is None or n < _RECOGNIZED_BELOW[unit]:
        return None
    words, deadline = match.group(), match.group("after").endswith("内")
    if n * _UNIT_MINUTES[unit] > MAX_AHEAD.total_seconds() // 60:
        return WhenError(match.span(), "far", texts.TOO_FAR_DURATION.format(text=words, example=example(now)), words)
    if unit in ("小时", "钟头", "分钟"):
        return When(match.span(), now + timedelta(minutes=n * _UNIT_MINUTES[unit]), True, deadline, words)
    day = now.date() + timedelta(minutes=n * _UNIT_MINUTES[unit])
    return When(
        match.span(),
        at(day, DEADLINE_HOUR if deadline else DEFAULT_HOUR, 0, now.tzinfo, False)[0],
        False,
        deadline,
        words,
    )


_HOLIDAY_KEYS = (
    ("元旦", "new_year"),
    ("春节", "spring_festival"),
    ("过完年", "spring_festival"),
    ("过年", "spring_festival"),
    ("年", "spring_festival"),
    ("国庆", "national"),
    ("十一", "national"),
    ("五一", "labour"),
    ("劳动节", "labour"),
    ("中秋", "mid_autumn"),
    ("端午", "dragon_boat"),
    ("清明", "tomb_sweeping"),
)


def holiday(refusal: refusals.Refusal, folded: str, now: datetime) -> When | WhenError:
    """元旦后 → the first working day after the New Year break; 春节前 → the last one before the Spring Festival."""
    words = folded[refusal.start : refusal.end]
    key = next((k for w, k in _HOLIDAY_KEYS if words.startswith(w)), None)
    after, before = words.endswith("后") or words == "过完年", words.endswith("前")
    calendar = workdays.current()
    days_off = calendar.holiday_break(key, now.date()) if key and (after or before) else None
    if days_off is None:
        return refusal_error(refusal, folded, now)
    if after:
        due = at(calendar.next_working_day(days_off[1]), DEFAULT_HOUR, 0, now.tzinfo, False)[0]
    else:
        due = at(calendar.last_working_day_before(days_off[0]), DEADLINE_HOUR, 0, now.tzinfo, False)[0]
    if due <= now:
        return WhenError(
            (refusal.start, refusal.end), "past", texts.PAST.format(text=words, when=format_when(due, now)), words, due
        )
    if (days_off[0] - now.date()).days > MAX_ROLL_DAYS:  # 元旦后 said on 1月4日: this year's has passed
        return WhenError(
            (refusal.start, refusal.end),
            "past",
            texts.PAST_HOLIDAY.format(text=words, when=format_when(due, now), example=example(now)),
            words,
            due,
        )
    return When(
        (refusal.start, refusal.end), due, False, before, words, estimated=not calendar.official(days_off[0].year)
    )


TEN_DAYS = re.compile(
    r"(?:(?P<next>下个?)月|(?:这个?|本)月|(?:(?<!\d)(?P<year>\d{4})年)?(?P<month>\d{1,2}|[一二三四五六七八九十]{1,3})月)?"
    r"(?P<part>上|中|下)旬"
)


def ten_days(match: re.Match, now: datetime) -> When | WhenError:
    """12月上旬 → its first working day still ahead, echoed with the range (12月1日–10日)."""
    today, part = now.date(), "上中下".index(match.group("part"))
    year, month = today.year, today.month
    if match.group("next"):
        year, month = _next_month(year, month)
    elif match.group("month"):
        month = numerals.to_int(match.group("month")) or 0
        if not 1 <= month <= 12:
            return WhenError(
                match.span(),
                "impossible",
                texts.IMPOSSIBLE.format(text=match.group(), example=example(now)),
                match.group(),
            )
        year += month < today.month
        if match.group("year"):  # 2027年12月中旬: that year's, never this year's
            return _ten_days_of(match, int(match.group("year")), month, part, now)
    first_day, last_day = _ten_day_range(year, month, part)
    if not match.group("next") and not match.group("month") and last_day < today:  # 下旬 said on the 25th of...
        first_day, last_day = _ten_day_range(*_next_month(year, month), part)
        month = first_day.month
    period = texts.TEN_DAYS.format(month=month, first=first_day.day, last=last_day.day)
    if (first_day - today).days > MAX_ROLL_DAYS:  # 11月下旬 said on 12月1日: not next November
        return WhenError(
            match.span(),
            "past",
            texts.PAST_MONTH_DAY.format(text=match.group(), when=period),
            match.group(),
            at(first_day, DEFAULT_HOUR, 0, now.tzinfo, False)[0],
        )
    day = workdays.current().next_working_day(max(first_day, today), inclusive=True)
    due = at(day, DEFAULT_HOUR, 0, now.tzinfo, False)[0]
    if due <= now:
        due = at(workdays.current().next_working_day(today), DEFAULT_HOUR, 0, now.tzinfo, False)[0]
    if due.date() > last_day:
        understood = at(first_day, DEFAULT_HOUR, 0, now.tzinfo, False)[0]
        return WhenError(
            match.span(), "past", texts.PAST.format(text=match.group(), when=period), match.group(), understood
        )
    return When(match.span(), due, False, False, match.group(), period=period)


def _ten_days_of(match: re.Match, year: int, month: int, part: int, now: datetime) -> When | WhenError:
    """A ten-day period of a year the rep named: refused when it has passed or is too far to plan."""
    words, today = match.group(), now.date()
    if not today.year <= year <= (today + MAX_AHEAD).year:
        reason, template = ("past", texts.PAST_YEAR) if year < today.year else ("far", texts.TOO_FAR_DURATION)
        return WhenError(match.span(), reason, template.format(text=words, example=example(now)), words)
    first_day, last_day = _ten_day_range(year, month, part)
    period = texts.TEN_DAYS.format(month=month, first=first_day.day, last=last_day.day)
    if last_day < today:
        return WhenError(
            match.span(),
            "past",
            texts.PAST.format(text=words, when=period),
            words,
            at(first_day, DEFAULT_HOUR, 0, now.tzinfo, False)[0],
        )
    day = workdays.current().next_working_day(max(first_day, today), inclusive=True)
    due = at(day, DEFAULT_HOUR, 0, now.tzinfo, False)[0]
    if due <= now:
        due = at(workdays.current().next_working_day(today), DEFAULT_HOUR, 0, now.tzinfo, False)[0]
    return When(match.span(), due, False, False, words, period=f"{year}年{period}" if year != today.year else period)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _ten_day_range(year: int, month: int, part: int) -> tuple[date, date]:
    """上旬 1–10, 中旬 11–20, 下旬 21 to the month's end (part 0, 1, 2)."""
    last = calendar.monthrange(year, month)[1] if part == 2 else 10 + 10 * part
    return date(year, month, 1 + 10 * part), date(year, month, last)


def refusal_error(refusal: refusals.Refusal, folded: str, now: datetime) -> WhenError:
    words = folded[refusal.start : refusal.end]
    message = {"holiday": texts.HOLIDAY, "vague": texts.VAGUE, "recurring": texts.RECURRING}.get(
        refusal.kind, texts.IMPOSSIBLE
    )
    return WhenError(
        (refusal.start, refusal.end), refusal.reason, message.format(text=words, example=example(now)), words
    )
