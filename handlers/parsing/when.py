"""Time expressions inside a rep's text → a due time in the business timezone, or a refusal.

Reading is recognizers-text-date-time (recognizer.py) after tested rewrites (timewords.py). This module
picks the reading: future over past, defaults for date-only words, and refuses — never guesses — when
the time is past, impossible or unresolvable. Pure: `now` and `tz` come in, nothing reads a clock.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.parsing import clean, numerals, recognizer, texts, timewords
from scrm import workdays
from scrm.dates import format_when

DEFAULT_HOUR = 9
DEADLINE_HOUR = 18  # "周五前" with no hour: due by the end of that working day
PART_HOURS = {"MO": 9, "MI": 12, "AF": 14, "EV": 19, "NI": 21}
_PART_WORDS = re.compile(r"上午|下午|中午|晚|早|凌晨|傍晚|夜|午")
_DEADLINE_AFTER = re.compile(r"之前|以前|前|之内|以内|内")
_CHINESE_CLOCK_ONLY = re.compile(r"^[一二两三几]点$")
_NUMERAL = re.compile(r"[\d零〇一二两三四五六七八九十]")
_CLOCK = re.compile(r"T(\d{2})(?::(\d{2}))?")
# Windows not worth a recognizer call (~2 ms): one character, a bare duration (聊了20分钟), 一点/两点.
_NOT_A_TIME = re.compile(
    r".|[\d.零一二两三四五六七八九十半]+个?(?:分钟|小时|钟头|天|周|星期|礼拜|月|年)|[一二两三几]点"
)
MAX_ROLL_DAYS = 183  # 1月3日 said on 12-28 is next year; 6月1日 said in November is refused, not rolled
# The recognizer's time grows with the square of its input (4,000 characters of 明天明天…: 20 s); no time
# expression is longer than this (2026年12月31日下午3点30分前 is 20), so a longer run of time words is none.
MAX_WINDOW = 40
MAX_AHEAD = timedelta(days=731)  # a next step is within two years (明年底 said on 1 January); later is a typo (9999年)


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


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> When | WhenError | None:
    """The first time expression in `text` that reads as a future time; else the first refusal; else None."""
    found = read_all(text, now, tz)
    return next((w for w in found if isinstance(w, When)), found[0] if found else None)


def read_all(text: str, now: datetime, tz: ZoneInfo) -> list[When | WhenError]:
    """Every time expression in `text`, left to right: each a future time or a refusal (past, impossible, unknown)."""
    now = now.astimezone(tz)
    folded = clean.fold(text)
    refused = timewords.refusals(folded, now.date())
    found: list[When | WhenError] = [
        _holiday(r, folded, now) if r.kind == "holiday" else _refusal_error(r, folded, now) for r in refused
    ]
    for match in _TEN_DAYS.finditer(folded):
        refused.append(timewords.Refusal(match.start(), match.end(), "", "ten_days"))
        found.append(_ten_days(match, now))
    for match in _DURATION.finditer(folded):
        if (long := _long_duration(match, now)) is not None:
            refused.append(timewords.Refusal(match.start(), match.end(), "", "duration"))
            found.append(long)
    rewritten = timewords.rewrite(folded, now.date())
    for start, end in timewords.windows(rewritten.text):
        span = rewritten.original(start, end)
        if (
            any(r.start < span[1] and span[0] < r.end for r in refused)
            or _NOT_A_TIME.fullmatch(rewritten.text[start:end])
            or end - start > MAX_WINDOW
        ):
            continue
        reading = _read_window(rewritten, start, end, folded, now)
        if reading is not None:
            found.append(reading)
    unique = {w.span: _near(w, now) for w in reversed(found)}  # the first reading of a span wins
    return [replace(w, text=text[w.span[0] : w.span[1]]) for w in sorted(unique.values(), key=lambda w: w.span[0])]


def _near(when: When | WhenError, now: datetime) -> When | WhenError:
    """A time more than two years ahead (9999年1月1日, 30个月后) is refused: it is a typo, never a plan."""
    if isinstance(when, WhenError) or when.due - now <= MAX_AHEAD:
        return when
    return WhenError(
        when.span,
        "far",
        texts.TOO_FAR.format(text=when.text, when=format_when(when.due, now), example=_example(now)),
        when.text,
        when.due,
    )


# Durations the recognizer misreads (100天后 as 10 days, 1000分钟后 as 100 minutes, 三百六十五天后 as 60 days)
# or that are far beyond any plan (99999天后, 9999个月后) are read here; shorter ones by the recognizer.
_DURATION = re.compile(
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


def _long_duration(match: re.Match, now: datetime) -> When | WhenError | None:
    """99999天后 → refused as too far; 100天后 → the day 100 days on (09:00, or 18:00 for 100天内); None for
    durations the recognizer reads right (3天后)."""
    n = numerals.to_int(match.group("n"))
    unit = match.group("unit").removeprefix("个")
    if n is None or n < _RECOGNIZED_BELOW[unit]:
        return None
    words, deadline = match.group(), match.group("after").endswith("内")
    if n * _UNIT_MINUTES[unit] > MAX_AHEAD.total_seconds() // 60:
        return WhenError(match.span(), "far", texts.TOO_FAR_DURATION.format(text=words, example=_example(now)), words)
    if unit in ("小时", "钟头", "分钟"):
        return When(match.span(), now + timedelta(minutes=n * _UNIT_MINUTES[unit]), True, deadline, words)
    day = now.date() + timedelta(minutes=n * _UNIT_MINUTES[unit])
    return When(
        match.span(),
        _at(day, DEADLINE_HOUR if deadline else DEFAULT_HOUR, 0, now.tzinfo, False)[0],
        False,
        deadline,
        words,
    )


def describe_when(when: When, now: datetime) -> str:
    """What the reply echoes: 11月27日（周五）18:00前（没说几点，先按18点）."""
    words = format_when(when.due, now) + (texts.DEADLINE_SUFFIX if when.deadline else "")
    if when.period:
        words += texts.PERIOD_NOTE.format(period=when.period)
    elif not when.has_clock:
        words += texts.DEFAULT_HOUR_NOTE.format(hour=when.due.hour)
    return words + (texts.ESTIMATED_NOTE if when.estimated else "")


def warm_up() -> None:
    recognizer.warm_up()


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


def _holiday(refusal: timewords.Refusal, folded: str, now: datetime) -> When | WhenError:
    """元旦后 → the first working day after the New Year break; 春节前 → the last one before the Spring Festival."""
    words = folded[refusal.start : refusal.end]
    key = next((k for w, k in _HOLIDAY_KEYS if words.startswith(w)), None)
    after, before = words.endswith("后") or words == "过完年", words.endswith("前")
    calendar = workdays.current()
    days_off = calendar.holiday_break(key, now.date()) if key and (after or before) else None
    if days_off is None:
        return _refusal_error(refusal, folded, now)
    if after:
        due = _at(calendar.next_working_day(days_off[1]), DEFAULT_HOUR, 0, now.tzinfo, False)[0]
    else:
        due = _at(calendar.last_working_day_before(days_off[0]), DEADLINE_HOUR, 0, now.tzinfo, False)[0]
    if due <= now:
        return WhenError(
            (refusal.start, refusal.end), "past", texts.PAST.format(text=words, when=format_when(due, now)), words, due
        )
    if (days_off[0] - now.date()).days > MAX_ROLL_DAYS:  # 元旦后 said on 1月4日: this year's has passed
        return WhenError(
            (refusal.start, refusal.end),
            "past",
            texts.PAST_HOLIDAY.format(text=words, when=format_when(due, now), example=_example(now)),
            words,
            due,
        )
    return When(
        (refusal.start, refusal.end), due, False, before, words, estimated=not calendar.official(days_off[0].year)
    )


_TEN_DAYS = re.compile(
    r"(?:(?P<next>下个?)月|(?:这个?|本)月|(?:(?<!\d)(?P<year>\d{4})年)?(?P<month>\d{1,2}|[一二三四五六七八九十]{1,3})月)?"
    r"(?P<part>上|中|下)旬"
)


def _ten_days(match: re.Match, now: datetime) -> When | WhenError:
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
                texts.IMPOSSIBLE.format(text=match.group(), example=_example(now)),
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
            _at(first_day, DEFAULT_HOUR, 0, now.tzinfo, False)[0],
        )
    day = workdays.current().next_working_day(max(first_day, today), inclusive=True)
    due = _at(day, DEFAULT_HOUR, 0, now.tzinfo, False)[0]
    if due <= now:
        due = _at(workdays.current().next_working_day(today), DEFAULT_HOUR, 0, now.tzinfo, False)[0]
    if due.date() > last_day:
        understood = _at(first_day, DEFAULT_HOUR, 0, now.tzinfo, False)[0]
        return WhenError(
            match.span(), "past", texts.PAST.format(text=match.group(), when=period), match.group(), understood
        )
    return When(match.span(), due, False, False, match.group(), period=period)


def _ten_days_of(match: re.Match, year: int, month: int, part: int, now: datetime) -> When | WhenError:
    """A ten-day period of a year the rep named: refused when it has passed or is too far to plan."""
    words, today = match.group(), now.date()
    if not today.year <= year <= (today + MAX_AHEAD).year:
        reason, template = ("past", texts.PAST_YEAR) if year < today.year else ("far", texts.TOO_FAR_DURATION)
        return WhenError(match.span(), reason, template.format(text=words, example=_example(now)), words)
    first_day, last_day = _ten_day_range(year, month, part)
    period = texts.TEN_DAYS.format(month=month, first=first_day.day, last=last_day.day)
    if last_day < today:
        return WhenError(
            match.span(),
            "past",
            texts.PAST.format(text=words, when=period),
            words,
            _at(first_day, DEFAULT_HOUR, 0, now.tzinfo, False)[0],
        )
    day = workdays.current().next_working_day(max(first_day, today), inclusive=True)
    due = _at(day, DEFAULT_HOUR, 0, now.tzinfo, False)[0]
    if due <= now:
        due = _at(workdays.current().next_working_day(today), DEFAULT_HOUR, 0, now.tzinfo, False)[0]
    return When(match.span(), due, False, False, words, period=f"{year}年{period}" if year != today.year else period)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _ten_day_range(year: int, month: int, part: int) -> tuple[date, date]:
    """上旬 1–10, 中旬 11–20, 下旬 21 to the month's end (part 0, 1, 2)."""
    last = calendar.monthrange(year, month)[1] if part == 2 else 10 + 10 * part
    return date(year, month, 1 + 10 * part), date(year, month, last)


def _refusal_error(refusal: timewords.Refusal, folded: str, now: datetime) -> WhenError:
    words = folded[refusal.start : refusal.end]
    message = {"holiday": texts.HOLIDAY, "vague": texts.VAGUE, "recurring": texts.RECURRING}.get(
        refusal.kind, texts.IMPOSSIBLE
    )
    return WhenError(
        (refusal.start, refusal.end), refusal.reason, message.format(text=words, example=_example(now)), words
    )


def _example(now: datetime) -> str:
    """A date to suggest in a refusal: a week from today, so it is never in the past (12月8日)."""
    day = now.date() + timedelta(days=7)
    return f"{day.month}月{day.day}日"


class _Refused(Exception):
    def __init__(self, reason: str, template: str, understood: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason, self.template, self.understood = reason, template, understood


def _read_window(
    rewritten: timewords.Rewritten, start: int, end: int, folded: str, now: datetime
) -> When | WhenError | None:
    window = rewritten.text[start:end]
    for hit in recognizer.recognize(window, now.replace(tzinfo=None)):
        span = rewritten.original(start + hit.start, start + hit.end)
        if (after := _DEADLINE_AFTER.match(folded, span[1])) and not _DEADLINE_AFTER.search(folded, *span):
            span = (span[0], after.end())
        words = folded[span[0] : span[1]]
        try:
            if hit.start and _NUMERAL.match(window[hit.start - 1]):  # 13月1日 read as 3月1日
                raise _Refused("unknown", texts.UNKNOWN)
            deadline = words.endswith(("前", "内"))
            try:
                found = _resolve(hit, now, deadline)
            except (ValueError, OverflowError):  # a reading no calendar holds (the library's, or past year 9999)
                raise _Refused("impossible", texts.IMPOSSIBLE) from None
        except _Refused as refused:
            understood = refused.understood
            when = format_when(understood, now) if understood else ""
            clock = f"{understood:%H:%M}" if understood else ""
            message = refused.template.format(text=words, when=when, clock=clock, example=_example(now))
            return WhenError(span, refused.reason, message, words, understood)
        if found is not None:
            return When(span, found[0], found[1], deadline, words)
    return None


def _resolve(hit: recognizer.Hit, now: datetime, deadline: bool) -> tuple[datetime, bool] | None:
    """A hit → (due, has_clock); None when it is no time to schedule (a duration, "早点", 今年)."""
    if not hit.values:
        raise _Refused("unknown", texts.UNKNOWN)
    value = hit.values[0]
    timex = value.get("timex", "")
    if hit.kind in ("duration", "set") or timex in ("PRESENT_REF", "FUTURE_REF") or _is_not_a_time(hit):
        return None
    if timex == "PAST_REF":
        raise _Refused("past", texts.PAST, now)
    if value.get("value") == "not resolved":
        raise _Refused("impossible", texts.IMPOSSIBLE)
    found = _due(hit, timex, value, now, deadline)
    if found is not None and found[0] <= now:
        if hit.kind in ("time", "timerange"):
            raise _Refused("past", texts.PAST_TODAY, found[0])
        raise _Refused("past", texts.PAST_WEEKDAY if timex.startswith("XXXX-WXX") else texts.PAST, found[0])
    return found


def _is_not_a_time(hit: recognizer.Hit) -> bool:
    """早点/晚点 (sooner/later) and 一点/两点 (a little, two points) written in Chinese numerals alone."""
    return (hit.kind == "timerange" and len(hit.text) == 1) or (
        hit.kind == "time" and _CHINESE_CLOCK_ONLY.match(hit.text) is not None
    )


def _due(
    hit: recognizer.Hit, timex: str, value: dict[str, str], now: datetime, deadline: bool
) -> tuple[datetime, bool] | None:
    tz = now.tzinfo
    if hit.kind == "datetime" and "T" not in timex:  # 两小时后: the library already added the duration
        return datetime.fromisoformat(value["value"]).replace(tzinfo=tz), True
    if hit.kind == "daterange":
        start = _range_start(timex, value, now.date())
        return None if start is None else _at(start, DEADLINE_HOUR if deadline else DEFAULT_HOUR, 0, tz, False)
    if timex.startswith("("):  # a range such as 明天下午3点到5点: its start
        timex = timex[1:].split(",", 1)[0]
    day_part, _, clock_part = timex.partition("T")
    day = _day(day_part, now) if day_part else now.date()
    if clock_part in PART_HOURS:
        return _at(day, 18 if "傍晚" in hit.text else PART_HOURS[clock_part], 0, tz, False)
    if not clock_part:
        return _at(day, DEADLINE_HOUR if deadline else DEFAULT_HOUR, 0, tz, False)
    clock = _CLOCK.match("T" + clock_part)
    if clock is None:
        raise _Refused("unknown", texts.UNKNOWN)
    hour, minute = int(clock.group(1)), int(clock.group(2) or 0)
    if not _PART_WORDS.search(hit.text) and 1 <= hour <= 6:
        hour += 12  # "3点" with no 上午/下午: reps mean 15:00; 7–12 stay as written (明天8点 → 08:00)
    return _at(day, hour, minute, tz, True)


def _at(day: date, hour: int, minute: int, tz, has_clock: bool) -> tuple[datetime, bool]:
    extra, hour = divmod(hour, 24)  # T24 (晚上12点) is the midnight after that day
    return datetime.combine(day + timedelta(days=extra), time(hour, minute), tzinfo=tz), has_clock


def _day(part: str, now: datetime) -> date:
    today = now.date()
    if part.startswith("XXXX-WXX-"):  # 周五: this week's if still ahead (or today), else next week's
        return today + timedelta(days=(int(part[-1]) - 1 - today.weekday()) % 7)
    if part.startswith("XXXX-"):
        return _month_day(int(part[5:7]), int(part[8:10]), now)
    try:
        return date.fromisoformat(part)
    except ValueError:
        raise _Refused("impossible", texts.IMPOSSIBLE) from None


def _month_day(month: int, day: int, now: datetime) -> date:
    """A month and day without a year: this year if still ahead, next year if that is within six months."""
    today = now.date()
    try:
        this_year = date(today.year, month, day)
        if this_year >= today:
            return this_year
    except ValueError:
        this_year = None
    try:
        next_year = date(today.year + 1, month, day)
    except ValueError:
        raise _Refused("impossible", texts.IMPOSSIBLE) from None
    if (next_year - today).days <= MAX_ROLL_DAYS:
        return next_year
    understood = datetime.combine(this_year, time(DEFAULT_HOUR), tzinfo=now.tzinfo) if this_year else None
    raise _Refused("past", texts.PAST_MONTH_DAY, understood)


def _range_start(timex: str, value: dict[str, str], today: date) -> date | None:
    """下周 → its Monday, 周末 → Saturday, 下个月 → the 1st; ranges already begun (本周, 今年) are no due time."""
    if not re.fullmatch(r"\d{4}-W\d{2}(-WE)?|\d{4}-\d{2}", timex) or "start" not in value:
        return None
    start = date.fromisoformat(value["start"][:10])
    return start if start >= today else None
