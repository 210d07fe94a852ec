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
from jobs.declaration import words
from jobs.digests import each_team, reps_of, span
from scrm import kpis, streaks, teams
from scrm.dates import business_day, format_day, midnight
from scrm.kpis import Period

NAME = "honor-board"


def run(run: Run) -> Done:
    if not run.working_day():
        return Done("not a working day")
    sent = 0
    for kind, period in boards(run):
        done = each_team(
            run,
            f"{NAME}:{kind}",
            f"{business_day(period.start, run.settings.timezone):%Y-%m-%d}",
            lambda session, due, kind=kind, period=period: _boards(session, run, due, kind, period),
        )
        sent += done.messages
    return Done(f"{sent} boards", sent)


def titles(text: str) -> str:
    """SCRM_HONOR_TITLES's check: a comma-separated choice of the titles, in the order wanted."""
    chosen = words(text)
    if not chosen or any(title not in kpis.TITLED_METRICS for title in chosen):
        raise ValueError(f"a comma-separated choice of {', '.join(kpis.TITLED_METRICS)}")
    return ",".join(chosen)


def boards(run: Run) -> list[tuple[str, Period]]:
    """Today's board, and last week's or last month's on the first working day after them."""
    tz, today = run.settings.timezone, run.today
    found = [("day", Period.day_of(run.now, tz))]
    if _first_working_day_since(run, today - timedelta(days=today.weekday())):
        found.append(("week", Period.week_of(run.now - timedelta(days=7), tz)))
    if _first_working_day_since(run, today.replace(day=1)):
        found.append(("month", Period.month_of(midnight(today.replace(day=1) - timedelta(days=1), tz), tz)))
    return found


def _first_working_day_since(run: Run, start: date) -> bool:
    """Today is the first working day from `start` on."""
    today, day = run.today, start
    while day < today:
        if run.calendar.is_working_day(day):
            return False
        day += timedelta(days=1)
    return True


def _boards(session: Session, run: Run, due: list[teams.Team], kind: str, period: Period) -> dict[int, str]:
    tz, ids = run.settings.timezone, reps_of(due)
    figures = kpis.by_rep(
        session, ids, period, now=run.now, tz=tz, parts={kpis.PART_OF[metric] for metric in run.settings.honor_metrics}
    )
    on_pace = streaks.on_pace(session, ids, run.today, tz=tz, calendar=run.calendar) if kind == "day" else {}
    label = {"day": format_day(period.start, run.now), "week": span(period, tz), "month": period.label}[kind]
    made = {}
    for team in due:
        names = {m.userid: m.name for m in team.reps}
        lines = kpis.board({u: figures[u] for u in names}, names, run.settings.honor_metrics)
        if not lines:
            continue
        if streak := _streaks({u: on_pace[u] for u in names if u in on_pace}, names, run.settings.streak_days):
            lines.append(texts.HONOR_STREAK.format(names="、".join(streak)))
        made[team.department.id] = "\n".join(
            [texts.HONOR_TITLE[kind].format(team=team.department.name, period=label), *lines, texts.HONOR_FOOTER]
        )
    return made


def _streaks(on_pace: dict[str, int], names: dict[str, str], at_least: int) -> list[str]:
    """张三 8 个工作日: the reps on pace at least `at_least` working days in a row, longest first."""
    long_enough = sorted((-n, userid) for userid, n in on_pace.items() if n >= at_least)
    return [texts.STREAK_REP.format(rep=names[userid], n=-n) for n, userid in long_enough]
