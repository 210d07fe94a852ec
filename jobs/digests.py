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
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from jobs import charts, texts
from jobs.config import Done, Run
from scrm import keys, kpis, ledger, targets, team_day, teams
from scrm.dates import business_day, format_day
from scrm.db import among
from scrm.kpis import Figures, Period
from scrm.models import AnomalyAlert, Target
from scrm.numbers import percent, short_amount
from scrm.outbox import Outbox

DAILY, WEEKLY = "daily-digest", "weekly-digest"
log = logging.getLogger(__name__)


def daily(run: Run) -> Done:
    if not run.working_day():
        return Done("not a working day")
    tz = run.settings.timezone
    today, month = Period.day_of(run.now, tz), Period.month_of(run.now, tz)
    day_key = f"{run.today:%Y-%m-%d}"
    return each_team(
        run,
        DAILY,
        day_key,
        lambda session, due: _daily_texts(session, run, due, today, month),
        (lambda session, due: _charts(session, run, due, month)) if charts.cjk_font() else None,
    )


def weekly(run: Run) -> Done:
    tz = run.settings.timezone
    last = Period.week_of(run.now - timedelta(days=7), tz)
    week_key = f"{business_day(last.start, tz):%Y-%m-%d}"
    return each_team(run, WEEKLY, week_key, lambda session, due: _weekly_texts(session, run, due, last))


@dataclass(frozen=True)
class Chart:
    """What a team's chart shows; drawn outside any transaction (drawing takes a tenth of a second)."""

    title: str
    days: list[date]
    won: dict[date, Decimal]
    pace: dict[date, Decimal]  # where the month's target says the team should be by each day (none: no target)
    today: date

    def draw(self) -> bytes | None:
        return charts.month_trend(self.title, self.days, self.won, self.pace, self.today)


Texts = Callable[[Session, list[teams.Team]], dict[int, str]]
Charts = Callable[[Session, list[teams.Team]], dict[int, Chart]]
BATCH = 50  # teams whose messages are claimed and queued in one transaction


def each_team(run: Run, job: str, period_key: str, texts_of: Texts, charts_of: Charts | None = None) -> Done:
    """Once per team and period, into the team's group chat: every team's text computed together (a handful
    of queries for the whole company, not a handful per team), then claimed and queued in batches of teams,
    each batch with its claims in one transaction."""

    def key(team: teams.Team) -> str:
        return keys.team_post(job, team.department.id, period_key)

    with run.store.transaction() as session:
        due = [t for t in teams.all_teams(session) if t.reps and _has_chat(session, run, job, t)]
        done = ledger.claimed(session, [key(t) for t in due])
        due = [t for t in due if key(t) not in done]
        made = texts_of(session, due) if due else {}
        due = [t for t in due if made.get(t.department.id)]
        pictures = charts_of(session, due) if charts_of and due else {}
    sent = 0
    for start in range(0, len(due), BATCH):
        batch = due[start : start + BATCH]
        drawn = {t.department.id: pictures[t.department.id].draw() for t in batch if t.department.id in pictures}
        with run.store.transaction() as session:
            claimed = ledger.claim_many(session, [key(t) for t in batch], job=job, now=run.now)
            messages = []
            for team in (t for t in batch if key(t) in claimed):
                messages.append((teams.message(team.chat, made[team.department.id]), key(team)))
                if drawn.get(team.department.id) is not None:
                    messages.append((teams.picture(team.chat, drawn[team.department.id]), keys.chart_of(key(team))))
            Outbox(session, run.clock.now()).add_many(messages)
            sent += len(claimed)
    if sent:
        run.on_outbox()
    return Done(f"{sent} team digests", sent)


def _has_chat(session: Session, run: Run, job: str, team: teams.Team) -> bool:
    if team.chat is not None and team.chat.enabled:
        return True
    if ledger.claim(session, keys.no_team_chat(team.department.id), job=job, now=run.now):
        log.warning(
            "team %s (%s) has no group chat, so it gets no digest or honor board: `scrm team set %s --robot KEY`",
            team.department.id,
            team.department.name,
            team.department.id,
        )
    return False


def reps_of(due: list[teams.Team]) -> list[str]:
    """Every rep of these teams, once."""
    return list(dict.fromkeys(m.userid for t in due for m in t.reps))


def _month_targets(session: Session, run: Run, due: list[teams.Team], month: Period) -> dict[int, Target]:
    """Each team's target for the month (teams without one are absent)."""
    found = targets.for_teams(
        session,
        {(t.department.id,): [m.userid for m in t.reps] for t in due},
        "month",
        business_day(month.start, run.settings.timezone),
    )
    return {ids[0]: target for ids, target in found.items() if target is not None}


def _daily_texts(session: Session, run: Run, due: list[teams.Team], today: Period, month: Period) -> dict[int, str]:
    tz, ids = run.settings.timezone, reps_of(due)
    day = kpis.by_rep(
        session, ids, today, now=run.now, tz=tz, parts=("deals", "logged", "new_customers", "overdue_now")
    )
    so_far = kpis.by_rep(session, ids, month, now=run.now, tz=tz, parts=("deals", "due"))
    goals = _month_targets(session, run, due, month)
    moves, lost = team_day.moves(session, ids, today), [c for c in team_day.closed(session, ids, today) if not c.won]
    alerts = Counter(
        session.exec(
            select(AnomalyAlert.userid).where(
                among(session, AnomalyAlert.userid, ids),
                col(AnomalyAlert.at) >= today.start,
                col(AnomalyAlert.at) < today.end,
            )
        )
    )
    made = {}
    for team in due:
        names = {m.userid: m.name for m in team.reps}
        reps_day = {u: day[u] for u in names}
        total, month_total = kpis.total(reps_day.values()), kpis.total(so_far[u] for u in names)
        lines = [
            texts.DIGEST_TITLE.format(team=team.department.name, day=format_day(run.now, run.now)),
            texts.DIGEST_TODAY.format(
                won=total.won, amount=short_amount(total.won_amount), logged=total.logged, new=total.new_customers
            ),
            texts.DIGEST_MONTH.format(
                month=month.label,
                won=month_total.won,
                amount=short_amount(month_total.won_amount),
                win_rate=percent(month_total.win_rate),
                on_time=percent(month_total.on_time_rate),
            ),
        ]
        if (target := goals.get(team.department.id)) is not None:
            lines.append(targets.describe(targets.progress(target, month_total, month, now=run.now, tz=tz)))
        stars = _stars(reps_day, names)
        lines.append(texts.DIGEST_STARS.format(names="；".join(stars)) if stars else texts.DIGEST_QUIET)
        late = sorted((-day[u].overdue_now, names[u]) for u in names if day[u].overdue_now)  # the most first
        if late:
            lines.append(
                texts.DIGEST_OVERDUE.format(
                    total=-sum(n for n, _ in late),
                    names=_some([texts.OVERDUE_REP.format(rep=name, n=-n) for n, name in late], "、", texts.MORE_REPS),
                )
            )
        team_moves = [
            texts.MOVE.format(rep=names[m.userid], customer=m.customer, stage=m.stage)
            for m in moves
            if m.userid in names
        ]
        if team_moves:
            lines.append(texts.DIGEST_MOVES.format(moves=_some(team_moves, "；", texts.MORE_MOVES)))
        team_lost = [_lost(d, names[d.userid]) for d in lost if d.userid in names]
        if team_lost:
            lines.append(texts.DIGEST_LOST.format(deals=_some(team_lost, "；", texts.MORE_MOVES)))
        if team_alerts := [texts.ALERTS_REP.format(rep=names[u], n=alerts[u]) for u in sorted(names) if alerts[u]]:
            lines.append(texts.DIGEST_ALERTS.format(names="、".join(team_alerts)))
        made[team.department.id] = "\n".join(lines)
    return made


def _some(items: list[str], joiner: str, more: str, shown: int = 5) -> str:
    """The first few, and how many more: a digest line stays one line on a phone, whatever the team's size."""
    return joiner.join(items[:shown]) + (more.format(n=len(items) - shown) if len(items) > shown else "")


def _charts(session: Session, run: Run, due: list[teams.Team], month: Period) -> dict[int, Chart]:
    tz = run.settings.timezone
    won = kpis.by_rep_and_day(session, reps_of(due), month, tz, "won_amount")
    goals = _month_targets(session, run, due, month)
    found = {}
    for team in due:
        by_day: dict[date, Decimal] = Counter()
        for member in team.reps:
            by_day.update(won.get(member.userid, {}))
        target = goals.get(team.department.id)
        found[team.department.id] = Chart(
            texts.CHART_TITLE.format(team=team.department.name, month=month.label),
            month.days(tz),
            dict(by_day),
            targets.pace_to_date(Decimal(target.value), month.days(tz), run.calendar) if target else {},
            run.today,
        )
    return found


def _stars(day: dict[str, Figures], names: dict[str, str]) -> list[str]:
    """The day's best: the top won amount (ties shared), else the most follow-ups logged; nobody for zero."""
    best_won = max((f.won_amount for f in day.values()), default=0)
    if best_won:
        return [
            texts.STAR_WON.format(rep=names[u], amount=short_amount(f.won_amount))
            for u, f in day.items()
            if f.won_amount == best_won
        ]
    most = max((f.logged for f in day.values()), default=0)
    return [texts.STAR_LOGGED.format(rep=names[u], n=f.logged) for u, f in day.items() if most and f.logged == most]


def _lost(deal: team_day.Closed, rep: str) -> str:
    """李四·刘洋（预算砍了）: the reason as the rep gave it, when they gave one."""
    reason = texts.LOST_REASON.format(reason=deal.reason) if deal.reason else ""
    return texts.LOST_DEAL.format(rep=rep, customer=deal.customer, reason=reason)


def span(period: Period, tz) -> str:
    """11月23日–11月29日: a period's first and last day."""
    first, last = business_day(period.start, tz), business_day(period.end, tz) - timedelta(days=1)
    return texts.SPAN.format(first=f"{first.month}月{first.day}日", last=f"{last.month}月{last.day}日")


def _weekly_texts(session: Session, run: Run, due: list[teams.Team], last: Period) -> dict[int, str]:
    tz, ids, parts = run.settings.timezone, reps_of(due), ("deals", "logged", "new_customers")
    this_week = kpis.by_rep(session, ids, last, now=run.now, tz=tz, parts=parts)
    week_before = kpis.by_rep(session, ids, last.before(), now=run.now, tz=tz, parts=parts)
    made = {}
    for team in due:
        now_figures = {m.userid: this_week[m.userid] for m in team.reps}
        before = {m.userid: week_before[m.userid] for m in team.reps}
        total, total_before = kpis.total(now_figures.values()), kpis.total(before.values())
        if not (total.logged or total.won or total.new_customers or total_before.logged or total_before.won):
            continue  # a team with nothing in two weeks gets no report
        lines = [
            texts.WEEKLY_TITLE.format(team=team.department.name, period=span(last, tz)),
            texts.WEEKLY_TEAM.format(
                won=total.won,
                amount=short_amount(total.won_amount),
                before=short_amount(total_before.won_amount),
                logged=total.logged,
                logged_before=total_before.logged,
            ),
        ]
        ranked = sorted(team.reps, key=lambda m: (-now_figures[m.userid].won_amount, -now_figures[m.userid].logged))
        for member in ranked:
            f, b = now_figures[member.userid], before[member.userid]
            if f + b == Figures():
                continue  # nothing in either week (on leave): silence is the anomalies job's to report
            lines.append(
                texts.WEEKLY_LINE.format(
                    rep=member.name,
                    amount=short_amount(f.won_amount),
                    before=short_amount(b.won_amount),
                    logged=f.logged,
                    logged_before=b.logged,
                    new=f.new_customers,
                )
            )
        made[team.department.id] = "\n".join(lines)
    return made
