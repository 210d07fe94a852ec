"""`honor-board` (working days, after the digest): the team's champions in its group chat.

Every working day the day's board; on the first working day of a week, last week's; on the first working
day of a month, last month's. Each title goes to the rep(s) with the best figure for it (ties are shared;
nobody is crowned for zero); a team with nothing to crown gets no board. Managers are never ranked among
their reps. The day's board also names the reps on pace for their month's target `streak_days` working
days in a row or more (scrm.streaks). Once per team and board (`honor-board:team-7:week:2026-11-30`).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from jobs import texts
from jobs.config import Done, Run
from jobs.digests import each_team, span
from scrm import kpis, streaks, teams
from scrm.dates import format_day, midnight
from scrm.kpis import Period

NAME = "honor-board"


def run(run: Run) -> Done:
    if not run.working_day():
        return Done("not a working day")
    sent = 0
    for kind, period in boards(run):
        done = each_team(run, f"{NAME}:{kind}", f"{period.start.astimezone(run.settings.timezone):%Y-%m-%d}",
                         lambda session, team, kind=kind, period=period: _board(session, run, team, kind, period))
        sent += done.messages
    return Done(f"{sent} boards", sent)


def boards(run: Run) -> list[tuple[str, Period]]:
    """Today's board, and last week's or last month's on the first working day after them."""
    tz, today = run.settings.timezone, run.local.date()
    found = [("day", Period.day_of(run.now, tz))]
    if _first_working_day_since(run, today - timedelta(days=today.weekday())):
        found.append(("week", Period.week_of(run.now - timedelta(days=7), tz)))
    if _first_working_day_since(run, today.replace(day=1)):
        found.append(("month", Period.month_of(midnight(today.replace(day=1) - timedelta(days=1), tz), tz)))
    return found


def _first_working_day_since(run: Run, start: date) -> bool:
    """Today is the first working day from `start` on."""
    today, day = run.local.date(), start
    while day < today:
        if run.calendar.is_working_day(day):
            return False
        day += timedelta(days=1)
    return True


def _board(session: Session, run: Run, team: teams.Team, kind: str, period: Period) -> str | None:
    names = {m.userid: m.name for m in team.reps}
    figures = kpis.by_rep(session, list(names), period, now=run.now, tz=run.settings.timezone)
    lines = kpis.board(figures, names, run.settings.honor_metrics)
    if not lines:
        return None
    tz = run.settings.timezone
    if kind == "day" and (streak := _streaks(session, run, names)):
        lines.append(texts.HONOR_STREAK.format(names="、".join(streak)))
    label = {"day": format_day(period.start.astimezone(tz), run.now), "week": span(period, tz), "month": period.label}[kind]
    return "\n".join([texts.HONOR_TITLE[kind].format(team=team.department.name, period=label), *lines,
                      texts.HONOR_FOOTER])


def _streaks(session: Session, run: Run, names: dict[str, str]) -> list[str]:
    """张三 8 个工作日: the reps on pace at least `streak_days` working days in a row, longest first."""
    found = streaks.on_pace(session, list(names), run.local.date(), tz=run.settings.timezone, calendar=run.calendar)
    long_enough = sorted((-n, userid) for userid, n in found.items() if n >= run.settings.streak_days)
    return [texts.STREAK_REP.format(rep=names[userid], n=-n) for n, userid in long_enough]
