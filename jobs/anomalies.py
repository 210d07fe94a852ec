"""`anomalies` (daily, working days): the abnormal indicators of sales operations, to the rep's managers.

- silent: a rep with customers who has logged nothing (no follow-up logged or marked done) for N working
  days (once per quiet spell);
- overdue jump: a rep whose share of late follow-ups over the last 7 days is above a level and a multiple
  of their 4 weeks before (once per ISO week);
- deletions: customers deleting one rep, at least N in a day (once per rep and day; the days since the
  working day before the last one are looked at, so a run after a long holiday still sees them);
- stalled: a deal in one funnel stage longer than that stage's limit (once per deal and stage entry).

Each alert is a ledger key; each manager gets the day's alerts as one message. A rep on leave with no
customers is no subject: only reps with live customers are judged. An alert about a rep with no active
manager anywhere up the departments is not claimed (the log says so): it goes once a manager is set.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from jobs import texts
from jobs.config import Done, Run
from scrm import keys, ledger, members
from scrm.customers import LIVE, display_name
from scrm.dates import business_day, format_day, midnight
from scrm.kpis import ON_TIME_GRACE
from scrm.models import AnomalyAlert, Customer, CustomerRep, Deal, FollowUp, Interaction, Member, StageChange
from scrm.outbox import AppText, Outbox
from scrm.statuses import DealStatus, FollowUpStatus, RelationStatus

NAME = "anomalies"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    key: str
    userid: str  # the rep it is about; their managers hear of it
    line: str


def run(run: Run) -> Done:
    if not run.working_day():
        return Done("not a working day")
    with run.store.transaction() as session:
        reps = {m.userid: m for m in session.exec(select(Member).where(Member.active == True))}  # noqa: E712
        alerts = [
            *silent(session, run, reps),
            *overdue_jumps(session, run, reps),
            *deletions(session, run, reps),
            *stalled(session, run, reps),
        ]
        managers = {userid: members.managers_of(session, reps[userid]) for userid in {a.userid for a in alerts}}
        for userid in sorted(u for u, m in managers.items() if not m):
            log.warning(
                "anomalies: a rep (%s) has no active manager in any department above them; their "
                "alerts wait (set a department leader in WeCom, then `scrm sync`)",
                userid,
            )
        alerts = [a for a in alerts if managers[a.userid]]
        fresh = ledger.claim_many(session, [a.key for a in alerts], job=NAME, now=run.now)
        new = [a for a in alerts if a.key in fresh]
        session.add_all(
            AnomalyAlert(userid=a.userid, kind=keys.anomaly_kind(a.key), line=a.line, at=run.now) for a in new
        )
        sent = _tell_managers(session, run, managers, new)
    if sent:
        run.on_outbox()
    return Done(f"{len(fresh)} new alerts to {sent} managers", sent)


def silent(session: Session, run: Run, reps: dict[str, Member]) -> Iterator[Alert]:
    today = run.today
    customers = dict(
        session.exec(
            select(CustomerRep.userid, func.count())
            .where(col(CustomerRep.status).in_(LIVE))
            .group_by(CustomerRep.userid)
        ).all()
    )
    first_added = dict(
        session.exec(
            select(CustomerRep.userid, func.min(CustomerRep.added_at))
            .where(col(CustomerRep.status).in_(LIVE))
            .group_by(CustomerRep.userid)
        ).all()
    )
    last_logged = dict(
        session.exec(
            select(Interaction.userid, func.max(Interaction.at))
            .where(Interaction.kind == "follow_up")
            .group_by(Interaction.userid)
        ).all()
    )
    last_done = dict(
        session.exec(
            select(FollowUp.userid, func.max(FollowUp.done_at))  # `完成 1` is work too
            .where(FollowUp.status == FollowUpStatus.DONE)
            .group_by(FollowUp.userid)
        ).all()
    )
    for userid, count in customers.items():
        if userid not in reps:
            continue
        last = max((at for at in (last_logged.get(userid), last_done.get(userid)) if at), default=None)
        since = last or first_added.get(userid)
        if since is None:
            continue
        since_day = business_day(since, run.settings.timezone)
        days = _working_days_between(run, since_day, today)
        if days < run.settings.silent_days:
            continue
        name = reps[userid].name
        if last is None:
            yield Alert(keys.silent_rep(userid, None), userid, texts.SILENT_NEVER.format(rep=name, customers=count))
        else:
            yield Alert(
                keys.silent_rep(userid, since_day),
                userid,
                texts.SILENT.format(rep=name, days=days, last=format_day(since, run.now)),
            )


def overdue_jumps(session: Session, run: Run, reps: dict[str, Member]) -> Iterator[Alert]:
    today = midnight(run.today, run.settings.timezone)
    week = _late_shares(session, today - timedelta(days=7), today)
    before = _late_shares(session, today - timedelta(days=35), today - timedelta(days=7))
    year, number, _ = run.today.isocalendar()
    for userid, (due, late) in week.items():
        if userid not in reps or due < run.settings.overdue_min_due:
            continue
        share = late / due
        earlier_due, earlier_late = before.get(userid, (0, 0))
        if earlier_due < run.settings.overdue_min_history:
            continue
        earlier = earlier_late / earlier_due
        if share > run.settings.overdue_share and share >= run.settings.overdue_jump * earlier:
            yield Alert(
                keys.overdue_jump(userid, year, number),
                userid,
                texts.OVERDUE_JUMP.format(
                    rep=reps[userid].name,
                    share=f"{share:.0%}",
                    late=late,
                    due=due,
                    before=f"{earlier:.0%}",
                    late_before=earlier_late,
                    due_before=earlier_due,
                ),
            )


def _late_shares(session: Session, start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
    """Per rep: follow-ups due in [start, end), and how many were not done within the on-time grace.
    (Counted here rather than in SQL: date arithmetic differs between SQLite and PostgreSQL.)"""
    shares: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for userid, status, due_at, done_at in session.exec(
        select(FollowUp.userid, FollowUp.status, FollowUp.due_at, FollowUp.done_at).where(
            col(FollowUp.status).in_((FollowUpStatus.OPEN, FollowUpStatus.DONE)),
            col(FollowUp.due_at) >= start,
            col(FollowUp.due_at) < end,
        )
    ):
        shares[userid][0] += 1
        shares[userid][1] += not (
            status == FollowUpStatus.DONE and done_at is not None and done_at <= due_at + ON_TIME_GRACE
        )
    return {userid: (due, late) for userid, (due, late) in shares.items()}


def deletions(session: Session, run: Run, reps: dict[str, Member]) -> Iterator[Alert]:
    before = run.calendar.last_working_day_before  # covers the days off since, and one missed run
    start = midnight(before(before(run.today)), run.settings.timezone)
    counts: dict[tuple[str, date], int] = defaultdict(int)
    for userid, at in session.exec(
        select(CustomerRep.userid, CustomerRep.status_at).where(
            CustomerRep.status == RelationStatus.LOST, col(CustomerRep.status_at) >= start
        )
    ):
        counts[userid, business_day(at, run.settings.timezone)] += 1
    for (userid, day), n in sorted(counts.items()):
        if userid in reps and n >= run.settings.deletions_per_day:
            yield Alert(
                keys.deletions(userid, day),
                userid,
                texts.DELETIONS.format(
                    rep=reps[userid].name, n=n, day=format_day(midnight(day, run.settings.timezone), run.now)
                ),
            )


def stalled(session: Session, run: Run, reps: dict[str, Member]) -> Iterator[Alert]:
    limits = run.settings.funnel.limits
    entered = select(StageChange.deal_id, func.max(StageChange.at).label("at")).group_by(StageChange.deal_id).subquery()
    rows = session.exec(
        select(Deal, entered.c.at)
        .join(entered, entered.c.deal_id == Deal.id, isouter=True)
        .where(Deal.status == DealStatus.OPEN, col(Deal.stage).in_(sorted(limits)))
    ).all()
    found = [
        (deal, at or deal.opened_at)
        for deal, at in rows
        if (run.now - (at or deal.opened_at)).days > limits[deal.stage]
    ]
    names = {
        c.external_userid: c
        for c in session.exec(
            select(Customer).where(col(Customer.external_userid).in_(sorted({d.external_userid for d, _ in found})))
        )
    }
    for deal, at in found:
        if deal.userid in reps:
            yield Alert(
                keys.stalled_deal(deal.id, deal.stage, at),
                deal.userid,
                texts.STALLED.format(
                    rep=reps[deal.userid].name,
                    customer=display_name(names.get(deal.external_userid)),
                    stage=deal.stage,
                    days=(run.now - at).days,
                    limit=limits[deal.stage],
                ),
            )


def _tell_managers(session: Session, run: Run, managers: dict[str, list[Member]], alerts: list[Alert]) -> int:
    per_manager: dict[str, list[str]] = defaultdict(list)
    for alert in alerts:
        for manager in managers[alert.userid]:
            per_manager[manager.userid].append(alert.line)
    title = texts.ANOMALY_TITLE.format(day=format_day(run.now, run.now))
    first = min((a.key for a in alerts), default="")
    messages = [
        (
            AppText(to=(manager,), text="\n".join([title, *lines])),
            keys.anomalies_list(manager, run.today, first),
        )
        for manager, lines in per_manager.items()
    ]
    Outbox(session, run.clock.now()).add_many(messages)
    return len(messages)


def _working_days_between(run: Run, first: date, today: date) -> int:
    """Working days after `first` and before `today`."""
    days, day = 0, first + timedelta(days=1)
    while day < today:
        days += run.calendar.is_working_day(day)
        day += timedelta(days=1)
    return days
