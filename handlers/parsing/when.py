"""Time expressions inside a rep's text → a due time in the business timezone, or a refusal.

Reading is recognizers-text-date-time (recognizer.py) after tested rewrites (timewords.py), beside the words
read by our own rules (when_rules.py: holidays, 上中下旬, long durations). This module picks the reading: future
over past, defaults for date-only words, and refuses — never guesses — when the time is past, impossible or
unresolvable. Pure: `now` and `tz` come in, nothing reads a clock.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.intents import When, WhenError
from handlers.parsing import clean, recognizer, refusals, texts, timewords, when_rules
from handlers.parsing.due import DEADLINE_HOUR, DEFAULT_HOUR, MAX_AHEAD, MAX_ROLL_DAYS, at, example
from scrm.dates import format_when

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
# The recognizer's time grows with the square of its input (4,000 characters of 明天明天…: 20 s); no time
# expression is longer than this (2026年12月31日下午3点30分前 is 20), so a longer run of time words is none.
MAX_WINDOW = 40


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> When | WhenError | None:
    """The first time expression in `text` that reads as a future time; else the first refusal; else None."""
    found = read_all(text, now, tz)
    return next((w for w in found if isinstance(w, When)), found[0] if found else None)


def read_all(text: str, now: datetime, tz: ZoneInfo) -> list[When | WhenError]:
    """Every time expression in `text`, left to right: each a future time or a refusal (past, impossible, unknown)."""
    now = now.astimezone(tz)
    folded = clean.fold(text)
    refused = refusals.refusals(folded, now.date())
    found: list[When | WhenError] = [
        when_rules.holiday(r, folded, now) if r.kind == "holiday" else when_rules.refusal_error(r, folded, now)
        for r in refused
    ]
    for match in when_rules.TEN_DAYS.finditer(folded):
        refused.append(refusals.Refusal(match.start(), match.end(), "", "ten_days"))
        found.append(when_rules.ten_days(match, now))
    for match in when_rules.DURATION.finditer(folded):
        if (long := when_rules.long_duration(match, now)) is not None:
            refused.append(refusals.Refusal(match.start(), match.end(), "", "duration"))
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
        texts.TOO_FAR.format(text=when.text, when=format_when(when.due, now), example=example(now)),
        when.text,
        when.due,
    )


def warm_up() -> None:
    recognizer.warm_up()


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
            message = refused.template.format(text=words, when=when, clock=clock, example=example(now))
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
        return None if start is None else at(start, DEADLINE_HOUR if deadline else DEFAULT_HOUR, 0, tz, False)
    if timex.startswith("("):  # a range such as 明天下午3点到5点: its start
        timex = timex[1:].split(",", 1)[0]
    day_part, _, clock_part = timex.partition("T")
    day = _day(day_part, now) if day_part else now.date()
    if clock_part in PART_HOURS:
        return at(day, 18 if "傍晚" in hit.text else PART_HOURS[clock_part], 0, tz, False)
    if not clock_part:
        return at(day, DEADLINE_HOUR if deadline else DEFAULT_HOUR, 0, tz, False)
    clock = _CLOCK.match("T" + clock_part)
    if clock is None:
        raise _Refused("unknown", texts.UNKNOWN)
    hour, minute = int(clock.group(1)), int(clock.group(2) or 0)
    if not _PART_WORDS.search(hit.text) and 1 <= hour <= 6:
        hour += 12  # "3点" with no 上午/下午: reps mean 15:00; 7–12 stay as written (明天8点 → 08:00)
    return at(day, hour, minute, tz, True)


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
