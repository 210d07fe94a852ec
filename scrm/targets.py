"""Targets (SMART): a number a rep or a team should reach in a month, week or quarter, and how far along they are.

Set by operators (`scrm targets set|list|load`) and by managers in chat (`目标 张三 12月 50万`). Progress is
the KPI engine's figure for the same period; the pace is what is left per working day (China's calendar).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from scrm import kpis, texts, workdays
from scrm.dates import business_day
from scrm.db import among
from scrm.kpis import Figures, Period
from scrm.models import Target
from scrm.numbers import short_amount

METRICS = kpis.DAILY_METRICS  # metrics that add up day by day, so a pace (and a streak) means something
PERIODS = ("month", "week", "quarter")
# Targets are for periods near today: from January of last year (a late correction) to December two years
# ahead (a plan). Anything else is a typo (9999-12, 0000-12) and is refused, never stored.
YEARS_BACK, YEARS_AHEAD = 1, 2
MIN_VALUE = Decimal(1)
MAX_VALUES = {"won_amount": Decimal(10_000_000_000)}  # 100亿 in a period; far past any team's plan
MAX_COUNT = Decimal(100_000)  # deals won, follow-ups logged, new customers in a period


class TargetError(ValueError):
    """A target that cannot be set. The message says what is wrong in one line (the CLI shows it); `reason`
    and `details` let chat say it in Chinese: not_a_period, no_such_month, no_such_week, no_such_quarter,
    too_far, too_small, too_large, not_whole, unknown."""

    def __init__(self, message: str, reason: str = "unknown", **details: object) -> None:
        super().__init__(message)
        self.reason, self.details = reason, details


def period(kind: str, starts: date, tz: ZoneInfo) -> Period:
    at = datetime.combine(starts, datetime.min.time(), tzinfo=tz)
    return {"month": Period.month_of, "week": Period.week_of, "quarter": Period.quarter_of}[kind](at, tz)


def years(today: date) -> tuple[int, int]:
    """The first and last year a target's period may be in."""
    return today.year - YEARS_BACK, today.year + YEARS_AHEAD


def parse_period(text: str, today: date) -> tuple[str, date]:
    """`2026-12`, `2026-W49`, `2026-Q4`, or as people say it: 2026年12月, 12月, 本月, 下月, 本周, 下周, 本季度, 第4季度.
    A month without a year is this one or, if it has passed, next year's. TargetError for a period that does
    not exist (13月, 2026-W60, 2026-Q5) or is not near today (see `years`)."""
    text = text.strip().upper()
    if m := re.fullmatch(r"(\d{1,9})-(\d{1,3})", text):
        return "month", _month(_year(m[1], text, today), int(m[2]))
    if m := re.fullmatch(r"(\d{1,9})-W(\d{1,3})", text):
        return "week", _week(_year(m[1], text, today), int(m[2]))
    if m := re.fullmatch(r"(\d{1,9})-Q(\d{1,3})", text):
        return "quarter", _quarter(_year(m[1], text, today), int(m[2]))
    if m := re.fullmatch(r"(\d{1,9})年(\d{1,3})月(?:份)?", text):
        return "month", _month(_year(m[1], text, today), int(m[2]))
    if m := re.fullmatch(r"(\d{1,3})月(?:份)?", text):
        month = int(m[1])
        return "month", _month(today.year + (month < today.month), month)
    words = {
        "本月": ("month", 0),
        "这个月": ("month", 0),
        "下月": ("month", 1),
        "下个月": ("month", 1),
        "本周": ("week", 0),
        "这周": ("week", 0),
        "下周": ("week", 1),
        "本季度": ("quarter", 0),
    }
    if text in words:
        kind, ahead = words[text]
        if kind == "week":
            return kind, today - timedelta(days=today.weekday()) + timedelta(weeks=ahead)
        if kind == "quarter":
            return kind, date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        first = today.replace(day=1)
        return kind, (first + timedelta(days=32 * ahead)).replace(day=1)
    if m := re.fullmatch(r"第?(\d{1,3}|[一二两三四五六七八九十])季度?", text):
        return "quarter", _quarter(today.year, int(m[1]) if m[1].isdigit() else _CHINESE_DIGITS[m[1]])
    raise TargetError(
        f"{text!r} is not a period: 2026-12, 2026-W49, 2026-Q4, 12月, 本月, 下周 …", "not_a_period", text=text
    )


_CHINESE_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九十", 1)} | {"两": 2}


def _year(digits: str, text: str, today: date) -> int:
    """The year as written, when a target may be set in it (never year 0 or 10000: no date has those)."""
    first, last = years(today)
    year = int(digits)
    if not first <= year <= last:
        raise TargetError(
            f"{text!r} is too far from today: targets are for {first}-01 to {last}-12",
            "too_far",
            text=text,
            first=first,
            last=last,
        )
    return year


def _month(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise TargetError(f"there is no month {month}", "no_such_month", month=month)
    return date(year, month, 1)


def _week(year: int, week: int) -> date:
    weeks = date(year, 12, 28).isocalendar().week  # 28 December is always in the year's last ISO week
    if not 1 <= week <= weeks:
        raise TargetError(
            f"{year} has no week {week} (it has {weeks})", "no_such_week", year=year, week=week, weeks=weeks
        )
    return date.fromisocalendar(year, week, 1)


def _quarter(year: int, quarter: int) -> date:
    if not 1 <= quarter <= 4:
        raise TargetError(f"there is no quarter {quarter} (Q1 to Q4)", "no_such_quarter", quarter=quarter)
    return date(year, 3 * quarter - 2, 1)


def check(kind: str, starts: date, value: Decimal, metric: str, today: date) -> None:
    """A target that makes sense: a real period near today, a value from 1 up to the metric's maximum (a whole
    number for counts). TargetError otherwise."""
    first, last = years(today)
    year = starts.isocalendar().year if kind == "week" else starts.year
    real = {
        "month": starts.day == 1,
        "quarter": starts.day == 1 and starts.month % 3 == 1,
        "week": starts.weekday() == 0,
    }[kind]
    if not real:
        raise TargetError(f"{starts} does not begin a {kind}", "not_a_period", text=str(starts))
    if not first <= year <= last:
        raise TargetError(
            f"{starts} is too far from today: targets are for {first}-01 to {last}-12",
            "too_far",
            text=str(starts),
            first=first,
            last=last,
        )
    most = MAX_VALUES.get(metric, MAX_COUNT)
    if not value.is_finite() or value < MIN_VALUE:
        raise TargetError(f"{value} is not a target: it must be {MIN_VALUE} or more", "too_small", value=value)
    if value > most:
        raise TargetError(f"{value} is too large for a target: at most {most}", "too_large", value=value, most=most)
    if metric not in MAX_VALUES and value != value.to_integral_value():
        raise TargetError(f"{value} is not a whole number ({metric} counts)", "not_whole", value=value)


def set_target(
    session: Session,
    *,
    scope: str,
    subject: str,
    kind: str,
    starts: date,
    value: Decimal,
    metric: str = "won_amount",
    set_by: str = "",
    now: datetime,
    today: date,
) -> Target:
    """Set (or change) a target; TargetError when it makes no sense (`check` against `today`, the business day)."""
    if scope not in ("rep", "team") or metric not in METRICS or kind not in PERIODS:
        raise TargetError(f"unknown target: {scope} {metric} per {kind}")
    check(kind, starts, value, metric, today)
    found = session.exec(
        select(Target).where(
            Target.scope == scope,
            Target.subject == subject,
            Target.metric == metric,
            Target.period == kind,
            Target.starts == starts,
        )
    ).first()
    target = found or Target(scope=scope, subject=subject, metric=metric, period=kind, starts=starts, value=value)
    target.value, target.set_by, target.updated_at = value, set_by, now
    session.add(target)
    return target


def of(
    session: Session, scope: str, subjects: list[str], kind: str, starts: date, metric: str = "won_amount"
) -> dict[str, Target]:
    rows = session.exec(
        select(Target).where(
            Target.scope == scope,
            among(session, Target.subject, subjects),
            Target.metric == metric,
            Target.period == kind,
            Target.starts == starts,
        )
    )
    return {t.subject: t for t in rows}


def for_team(
    session: Session, department_ids: list[int], reps: list[str], kind: str, starts: date, metric: str = "won_amount"
) -> Target | None:
    """A team's target: the one set for its department(s), else the sum of its reps' (None when neither is set)."""
    return for_teams(session, {tuple(department_ids): reps}, kind, starts, metric)[tuple(department_ids)]


def for_teams(
    session: Session, teams: dict[tuple[int, ...], list[str]], kind: str, starts: date, metric: str = "won_amount"
) -> dict[tuple[int, ...], Target | None]:
    """`for_team` for many teams (keyed by their department ids) in two queries."""
    set_for_teams = of(session, "team", [str(d) for ids in teams for d in ids], kind, starts, metric)
    set_for_reps = of(session, "rep", list({u for reps in teams.values() for u in reps}), kind, starts, metric)
    found: dict[tuple[int, ...], Target | None] = {}
    for ids, reps in teams.items():
        set_for = [set_for_teams[str(d)] for d in ids if str(d) in set_for_teams] or [
            set_for_reps[u] for u in reps if u in set_for_reps
        ]
        found[ids] = (
            Target(
                scope="team",
                subject=",".join(map(str, ids)),
                metric=metric,
                period=kind,
                starts=starts,
                value=sum((Decimal(t.value) for t in set_for), Decimal(0)),
            )
            if set_for
            else None
        )
    return found


def listed(session: Session, since: date | None = None) -> list[Target]:
    query = select(Target).order_by(Target.starts, Target.scope, Target.subject, Target.metric)
    return list(session.exec(query.where(Target.starts >= since) if since else query))


@dataclass(frozen=True)
class Progress:
    target: Decimal
    actual: Decimal
    days_left: int  # working days from today to the end of the period, today included

    @property
    def ratio(self) -> float:
        return float(self.actual / self.target) if self.target else 0.0

    @property
    def gap(self) -> Decimal:
        return max(self.target - self.actual, Decimal(0))

    @property
    def pace(self) -> Decimal | None:
        """What is needed per working day to make it; None when reached or no working day is left."""
        if not self.gap or not self.days_left:
            return None
        return (self.gap / self.days_left).quantize(Decimal("0.01"), ROUND_HALF_UP)


def progress(target: Target, figures: Figures, period: Period, *, now: datetime, tz: ZoneInfo) -> Progress:
    actual = Decimal(getattr(figures, target.metric))
    calendar, today = workdays.current(), business_day(now, tz)
    days = [d for d in period.days(tz) if d >= today and calendar.is_working_day(d)]
    return Progress(Decimal(target.value), actual, len(days))


def pace_to_date(value: Decimal, days: list[date], calendar: workdays.Calendar) -> dict[date, Decimal]:
    """Where the month should be by the end of each of its days: the target's share for the working days gone
    (a 23-working-day month with a target of 23万 asks 1万 a working day, so 5万 by the fifth; a day off adds
    nothing). The same reading of "on pace" as the streaks'."""
    working = sum(1 for d in days if calendar.is_working_day(d))
    pace, gone = {}, 0
    for day in days:
        gone += calendar.is_working_day(day)
        pace[day] = value * gone / working if working else value
    return pace


def describe(p: Progress) -> str:
    """目标 50万：完成 60%，还差 20万，剩 19 个工作日，每天需 1.1万."""
    shown = lambda value: short_amount(value) if p.target >= 1000 else f"{value.normalize():f}"  # noqa: E731
    ratio = f"{p.ratio:.0%}"
    if not p.gap:
        return texts.TARGET_MET.format(target=shown(p.target), ratio=ratio)
    if p.pace is None:
        return texts.TARGET_NO_DAYS.format(target=shown(p.target), ratio=ratio, gap=shown(p.gap))
    return texts.TARGET_LEFT.format(
        target=shown(p.target), ratio=ratio, gap=shown(p.gap), days=p.days_left, pace=shown(p.pace)
    )
