"""`daily-digest` (working days, 18:00) and `weekly-digest` (Monday morning): each team's numbers in its group chat.

The daily digest: today beside the month so far, results beside process, the day's best, who has overdue
follow-ups, and who moved a customer along the funnel. The weekly one: last week per rep against the week
before. Each goes once per team and period (`digest:team-7:2026-12-01` in the ledger and the outbox), to the
team's group chat; a team without one gets nothing and the log says so once (`scrm team set`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session, col, select

from jobs import charts, texts
from jobs.config import Done, Run
from scrm import kpis, ledger, targets, teams
from scrm.customers import display_name
from scrm.dates import format_day
from scrm.db import among
from scrm.kpis import Figures, Period
from scrm.models import AnomalyAlert, Customer, Deal, StageChange
from scrm.numbers import percent, short_amount
from scrm.outbox import Outbox

DAILY, WEEKLY = "daily-digest", "weekly-digest"
log = logging.getLogger(__name__)


def daily(run: Run) -> Done:
    if not run.working_day():
        return Done("not a working day")
    tz = run.settings.timezone
    today, month = Period.day_of(run.now, tz), Period.month_of(run.now, tz)
    day_key = f"{run.local.date():%Y-%m-%d}"
    return each_team(run, DAILY, day_key, lambda session, team: _daily_text(session, run, team, today, month),
                     lambda session, team: _chart(session, run, team, month))


def weekly(run: Run) -> Done:
    tz = run.settings.timezone
    last = Period.week_of(run.now - timedelta(days=7), tz)
    week_key = f"{last.start.astimezone(tz):%Y-%m-%d}"
    return each_team(run, WEEKLY, week_key, lambda session, team: _weekly_text(session, run, team, last))


def each_team(run: Run, job: str, period_key: str, text_of: Callable[[Session, teams.Team], str | None],
              chart_of: Callable[[Session, teams.Team], bytes | None] | None = None) -> Done:
    sent = 0
    with run.store.transaction() as session:
        all_teams = [t for t in teams.all_teams(session) if t.reps]
    for team in all_teams:
        with run.store.transaction() as session:
            if team.chat is None or not team.chat.enabled:
                if ledger.claim(session, f"no-chat:team-{team.department.id}", job=job, now=run.now):
                    log.warning("team %s (%s) has no group chat, so it gets no digest or honor board: "
                                "`scrm team set %s --robot KEY`", team.department.id, team.department.name,
                                team.department.id)
                continue
            key = f"{job}:team-{team.department.id}:{period_key}"
            if ledger.claimed(session, [key]):
                continue
            text = text_of(session, team)
            if text is None or not ledger.claim(session, key, job=job, now=run.now):
                continue
            outbox = Outbox(session, run.clock.now())
            outbox.add(teams.message(team.chat, text), key=key)
            chart = chart_of(session, team) if chart_of else None
            if chart is not None:
                outbox.add(teams.picture(team.chat, chart), key=f"{key}:chart")
            sent += 1
    if sent:
        run.on_outbox()
    return Done(f"{sent} team digests", sent)


def _daily_text(session: Session, run: Run, team: teams.Team, today: Period, month: Period) -> str:
    tz, reps = run.settings.timezone, team.reps
    ids = [m.userid for m in reps]
    names = {m.userid: m.name for m in reps}
    day = kpis.by_rep(session, ids, today, now=run.now, tz=tz)
    so_far = sum(kpis.by_rep(session, ids, month, now=run.now, tz=tz).values(), Figures())
    total = sum(day.values(), Figures())
    lines = [texts.DIGEST_TITLE.format(team=team.department.name, day=format_day(run.local, run.now)),
             texts.DIGEST_TODAY.format(won=total.won, amount=short_amount(total.won_amount), logged=total.logged,
                                       new=total.new_customers),
             texts.DIGEST_MONTH.format(month=month.label, won=so_far.won, amount=short_amount(so_far.won_amount),
                                       win_rate=percent(so_far.win_rate), on_time=percent(so_far.on_time_rate))]
    target = targets.for_team(session, [team.department.id], ids, "month", month.start.astimezone(tz).date())
    if target is not None:
        lines.append(targets.describe(targets.progress(target, so_far, month, now=run.now, tz=tz)))
    stars = _stars(day, names)
    lines.append(texts.DIGEST_STARS.format(names="；".join(stars)) if stars else texts.DIGEST_QUIET)
    overdue = [texts.OVERDUE_REP.format(rep=names[u], n=f.overdue_now) for u, f in day.items() if f.overdue_now]
    if overdue:
        lines.append(texts.DIGEST_OVERDUE.format(names="、".join(overdue)))
    moves = _moves(session, ids, names, today)
    if moves:
        lines.append(texts.DIGEST_MOVES.format(moves="；".join(moves)))
    alerts = Counter(session.exec(select(AnomalyAlert.userid).where(
        among(session, AnomalyAlert.userid, ids), col(AnomalyAlert.at) >= today.start, col(AnomalyAlert.at) < today.end)))
    if alerts:
        lines.append(texts.DIGEST_ALERTS.format(names="、".join(texts.ALERTS_REP.format(rep=names[u], n=n)
                                                                for u, n in sorted(alerts.items()))))
    return "\n".join(lines)


def _chart(session: Session, run: Run, team: teams.Team, month: Period) -> bytes | None:
    tz, ids = run.settings.timezone, [m.userid for m in team.reps]
    target = targets.for_team(session, [team.department.id], ids, "month", month.start.astimezone(tz).date())
    return charts.month_trend(texts.CHART_TITLE.format(team=team.department.name, month=month.label), month.days(tz),
                              kpis.won_by_day(session, ids, month, tz), target.value if target else None,
                              run.local.date())


def _stars(day: dict[str, Figures], names: dict[str, str]) -> list[str]:
    """The day's best: the top won amount (ties shared), else the most follow-ups logged; nobody for zero."""
    best_won = max((f.won_amount for f in day.values()), default=0)
    if best_won:
        return [texts.STAR_WON.format(rep=names[u], amount=short_amount(f.won_amount))
                for u, f in day.items() if f.won_amount == best_won]
    most = max((f.logged for f in day.values()), default=0)
    return [texts.STAR_LOGGED.format(rep=names[u], n=f.logged) for u, f in day.items() if most and f.logged == most]


def _moves(session: Session, ids: list[str], names: dict[str, str], today: Period) -> list[str]:
    """Who moved which customer to which stage today (won and lost are in the numbers)."""
    rows = session.exec(select(StageChange.userid, StageChange.to_stage, Deal.external_userid)
                        .join(Deal, col(Deal.id) == StageChange.deal_id)
                        .where(among(session, StageChange.userid, ids), col(StageChange.at) >= today.start,
                               col(StageChange.at) < today.end, col(StageChange.from_stage) != "",
                               Deal.status == "open").order_by(StageChange.at)).all()
    customers = {c.external_userid: c for c in session.exec(
        select(Customer).where(among(session, Customer.external_userid, {r[2] for r in rows})))} if rows else {}
    return [texts.MOVE.format(rep=names[u], customer=display_name(customers.get(e)), stage=stage)
            for u, stage, e in rows][:8]


def span(period: Period, tz) -> str:
    """11月23日–11月29日: a period's first and last day."""
    first, last = period.start.astimezone(tz).date(), period.end.astimezone(tz).date() - timedelta(days=1)
    return texts.SPAN.format(first=f"{first.month}月{first.day}日", last=f"{last.month}月{last.day}日")


def _weekly_text(session: Session, run: Run, team: teams.Team, last: Period) -> str | None:
    tz = run.settings.timezone
    ids = [m.userid for m in team.reps]
    now_figures = kpis.by_rep(session, ids, last, now=run.now, tz=tz)
    before = kpis.by_rep(session, ids, last.before(), now=run.now, tz=tz)
    total, total_before = sum(now_figures.values(), Figures()), sum(before.values(), Figures())
    if not (total.logged or total.won or total.new_customers or total_before.logged or total_before.won):
        return None  # a team with nothing in two weeks gets no report
    lines = [texts.WEEKLY_TITLE.format(team=team.department.name, period=span(last, tz)),
             texts.WEEKLY_TEAM.format(won=total.won, amount=short_amount(total.won_amount),
                                      before=short_amount(total_before.won_amount), logged=total.logged,
                                      logged_before=total_before.logged)]
    ranked = sorted(team.reps, key=lambda m: (-now_figures[m.userid].won_amount, -now_figures[m.userid].logged))
    for member in ranked:
        f, b = now_figures[member.userid], before[member.userid]
        if f + b == Figures():
            continue  # nothing in either week (on leave): silence is the anomalies job's to report
        lines.append(texts.WEEKLY_LINE.format(rep=member.name, amount=short_amount(f.won_amount),
                                              before=short_amount(b.won_amount), logged=f.logged,
                                              logged_before=b.logged, new=f.new_customers))
    return "\n".join(lines)
