"""China's working days: weekends, public holidays and the 调休 Saturdays or Sundays that are working days.

The data come from the `holidays` package (its China calendar has the State Council's published lists,
and statutory holidays computed by rule for later years), plus an operator's file for what it lacks:
the next year's list is published in November, and a company may give extra days off. The file:

    holidays: [2027-01-01, 2027-02-05..2027-02-13]   # days off (a range with ..)
    workdays: [2027-02-20]                            # make-up working days (调休)

A year is `official` when the package has its published make-up days or the file names days in it;
otherwise its holidays are the statutory ones only, and callers say so.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import holidays
import yaml

# The holiday words reps use, by the names the `holidays` package gives them.
HOLIDAY_NAMES = {
    "new_year": ("New Year's Day",),
    "spring_festival": ("Chinese New Year (Spring Festival)", "Chinese New Year's Eve"),
    "tomb_sweeping": ("Tomb-Sweeping Day",),
    "labour": ("Labor Day",),
    "dragon_boat": ("Dragon Boat Festival",),
    "mid_autumn": ("Mid-Autumn Festival",),
    "national": ("National Day",),
}


class CalendarFileError(ValueError):
    """The operator's holiday file cannot be read; the message names the line or entry."""


@dataclass(frozen=True)
class Calendar:
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        year = _year(day.year)
        return day in year.weekend_workdays or (day.weekday() < 5 and day not in year)

    def next_working_day(self, day: date, *, inclusive: bool = False) -> date:
        """The first working day after `day` (or `day` itself when `inclusive` and it is one)."""
        day = day if inclusive else day + timedelta(days=1)
        for _ in range(60):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no working day within 60 days of {day}")

    def last_working_day_before(self, day: date) -> date:
        day -= timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def official(self, year: int) -> bool:
        """The year's published list is known (make-up days in the package, or days in the operator's file)."""
        return any(d.year == year for d in _year(year).weekend_workdays) or any(
            d.year == year for d in self.extra_holidays | self.extra_workdays
        )

    def holiday_break(self, holiday: str, today: date) -> tuple[date, date] | None:
        """The days off around the next `holiday` (a key of HOLIDAY_NAMES) that has not ended by `today`."""
        names = HOLIDAY_NAMES[holiday]
        for year in (today.year, today.year + 1):
            days = sorted(d for d, name in _year(year).items() if any(name.startswith(n) for n in names))
            for day in days:
                start, end = self._off_run(day)
                if end >= today:
                    return start, end
        return None

    def _off_run(self, day: date) -> tuple[date, date]:
        start = end = day
        while not self.is_working_day(start - timedelta(days=1)):
            start -= timedelta(days=1)
        while not self.is_working_day(end + timedelta(days=1)):
            end += timedelta(days=1)
        return start, end


@functools.lru_cache(maxsize=16)
def _year(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year, language="en_US")


def load(path: Path | None) -> Calendar:
    """The calendar with the operator's file applied; no file, the package's data alone."""
    if path is None:
        return Calendar()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:  # ValueError: 2027-13-01
        raise CalendarFileError(f"{path}: {error}") from None
    if not isinstance(data, dict) or set(data) - {"holidays", "workdays"}:
        raise CalendarFileError(f"{path}: only `holidays:` and `workdays:` lists are allowed")
    return Calendar(
        frozenset(_days(data.get("holidays") or [], path, "holidays")),
        frozenset(_days(data.get("workdays") or [], path, "workdays")),
    )


def _days(entries: Iterable, path: Path, key: str) -> Iterable[date]:
    for entry in entries:
        try:
            if isinstance(entry, date):
                yield entry
                continue
            first, _, last = str(entry).partition("..")
            start, end = date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
        except ValueError:
            raise CalendarFileError(
                f"{path}: {key}: {entry!r} is not a date like 2027-01-01 or a range like 2027-02-05..2027-02-13"
            ) from None
        if end < start or (end - start).days > 366:
            raise CalendarFileError(f"{path}: {key}: {entry!r} is not a range of at most a year")
        while start <= end:
            yield start
            start += timedelta(days=1)


_current = Calendar()


def current() -> Calendar:
    """The calendar in use: the package's data, with the operator's file once `use()` is called at boot."""
    return _current


def use(calendar: Calendar) -> None:
    global _current
    _current = calendar
