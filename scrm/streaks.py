"""Streaks: how many working days in a row each rep has been on pace for their month's target.

On pace at the end of a working day: the month so far is at least the target's share for the working days
gone (a 22-working-day month with a target of 44万 asks 2万 a working day, so 10万 by the end of the fifth).
A rep with targets on several metrics must be on pace for each. The count goes back through the previous
month (with that month's targets), never further; a rep without a target has no streak.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import takewhile
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scrm import kpis, targets
from scrm.kpis import Period
from scrm.workdays import Calendar


def on_pace(session: Session, userids: list[str], today: date, *, tz: ZoneInfo, calendar: Calendar) -> dict[str, int]:
    """Each rep's streak of working days on pace, ending today (or the last working day before it)."""
    this_month = today.replace(day=1)
    months = [(this_month - timedelta(days=1)).replace(day=1), this_month]
    goals = {month: _goals(session, userids, month) for month in months}  # {month: {userid: {metric: value}}}
    metrics = {metric for by_rep in goals.values() for wanted in by_rep.values() for metric in wanted}
    window = Period.between(months[0], today, tz)
    daily = {metric: kpis.by_rep_and_day(session, userids, window, tz, metric) for metric in metrics}
    streaks = {}
    for userid in userids:
        days_on_pace: list[bool] = []
        for month in months:
            wanted = goals[month].get(userid)
            if not wanted:  # no target that month: a streak cannot run through it
                days_on_pace.append(False)
                continue
            days_on_pace += _month_on_pace(
                month, today, wanted, {m: daily[m].get(userid, {}) for m in wanted}, calendar
            )
        streaks[userid] = len(list(takewhile(bool, reversed(days_on_pace))))
    return streaks


def _month_on_pace(
    month: date, today: date, wanted: dict[str, Decimal], values: dict[str, dict[date, Decimal]], calendar: Calendar
) -> list[bool]:
    """For each working day of the month up to today: was the month so far at or above the target's share?"""
    days = [month + timedelta(days=n) for n in range(((month + timedelta(days=32)).replace(day=1) - month).days)]
    working = sum(1 for d in days if calendar.is_working_day(d))
    so_far, gone, result = defaultdict(Decimal), 0, []
    for day in days:
        if day > today:
            break
        for metric in wanted:  # a deal won on a Saturday counts too
            so_far[metric] += values[metric].get(day, Decimal(0))
        if calendar.is_working_day(day):
            gone += 1
            result.append(all(so_far[m] * working >= wanted[m] * gone for m in wanted))
    return result


def _goals(session: Session, userids: list[str], month: date) -> dict[str, dict[str, Decimal]]:
    """Each rep's month targets, by metric."""
    found: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for metric in targets.METRICS:
        for userid, target in targets.of(session, "rep", userids, "month", month, metric).items():
            found[userid][metric] = Decimal(target.value)
    return dict(found)
