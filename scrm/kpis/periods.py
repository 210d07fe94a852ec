"""What a period is: [start, end) in the business time zone, with the label replies and digests show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scrm import texts
from scrm.dates import business_day, midnight


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    label: str

    @classmethod
    def day_of(cls, now: datetime, tz: ZoneInfo) -> Period:
        day = business_day(now, tz)
        return cls(midnight(day, tz), midnight(day + timedelta(days=1), tz), texts.TODAY)

    @classmethod
    def week_of(cls, now: datetime, tz: ZoneInfo) -> Period:
        local = business_day(now, tz)
        monday = local - timedelta(days=local.weekday())
        return cls(midnight(monday, tz), midnight(monday + timedelta(days=7), tz), texts.THIS_WEEK)

    @classmethod
    def month_of(cls, now: datetime, tz: ZoneInfo) -> Period:
        first = business_day(now, tz).replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(midnight(first, tz), midnight(following, tz), texts.MONTH.format(month=first.month))

    @classmethod
    def quarter_of(cls, now: datetime, tz: ZoneInfo) -> Period:
        local = business_day(now, tz)
        first = date(local.year, 3 * ((local.month - 1) // 3) + 1, 1)
        following = (first + timedelta(days=95)).replace(day=1)
        return cls(midnight(first, tz), midnight(following, tz), texts.QUARTER.format(n=(first.month - 1) // 3 + 1))

    @classmethod
    def between(cls, first: date, last: date, tz: ZoneInfo) -> Period:
        """Whole days from `first` to `last`, both included."""
        label = texts.DAYS.format(first=f"{first.month}月{first.day}日", last=f"{last.month}月{last.day}日")
        return cls(midnight(first, tz), midnight(last + timedelta(days=1), tz), label)

    def before(self, label: str = "") -> Period:
        """The period of the same length just before this one (last week, for a weekly comparison)."""
        return Period(self.start - (self.end - self.start), self.start, label or self.label)

    def days(self, tz: ZoneInfo) -> list[date]:
        first, end = business_day(self.start, tz), business_day(self.end, tz)
        return [first + timedelta(days=n) for n in range((end - first).days)]
