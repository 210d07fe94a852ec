"""`escalation` (daily, working days): follow-ups still open well after they were due go to the rep's managers.

"Well after" is `SCRM_ESCALATE_AFTER`: by default the end of the next working day after the due day, so a
follow-up due Monday 15:00 is escalated on Wednesday morning, and one due Friday on Tuesday. The rep hears
first: their morning list shows it as overdue (reminders.py), before this job runs.

Each follow-up is escalated once per due time (`escalation:followup-812:202612011500`); each manager gets
one list a day, grouped by rep. A rep with no active manager anywhere up the departments is not marked: the
log says so, and the next day tries again. Follow-ups overdue for longer than the lookback (30 days) are not
escalated: they are a clean-up for the rep's 待办, not news for the manager.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, exists, or_, update
from sqlmodel import Session, col, select

from jobs import texts
from jobs.config import Done, Run
from scrm import follow_ups, keys, ledger, members
from scrm.customers import label
from scrm.dates import business_day, format_day, format_when, midnight
from scrm.db import among
from scrm.models import Customer, CustomerRep, FollowUp, Member
from scrm.outbox import AppText, Outbox
from scrm.statuses import FollowUpStatus

NAME = "escalation"
REPS_PER_TRANSACTION = 500
log = logging.getLogger(__name__)


def run(run: Run) -> Done:
    if not run.working_day():
        return Done("not a working day")
    with run.store.transaction() as session:
        reps = sorted(
            session.exec(
                select(Member).where(col(Member.userid).in_(select(FollowUp.userid).where(*_overdue(run)).distinct()))
            ),
            key=lambda m: (m.department_ids, m.userid),
        )
    escalated = sent = 0
    for start in range(0, len(reps), REPS_PER_TRANSACTION):  # a team's reps sit together: one list per manager
        with run.store.transaction() as session:
            done, to = _escalate(session, run, reps[start : start + REPS_PER_TRANSACTION])
        escalated, sent = escalated + done, sent + to
    if sent:
        run.on_outbox()
    return Done(f"{escalated} overdue follow-ups escalated to {sent} managers", sent)


def rule(text: str) -> str:
    """SCRM_ESCALATE_AFTER's (and _A's) check: next_working_day, or a delay of at least an hour."""
    if not follow_ups.valid_rule(text):
        raise ValueError("must be next_working_day, or at least an hour such as 4h or 2d")
    return text.strip()


def cutoff(run: Run, tier: str = "") -> datetime:
    """Follow-ups due before this are escalated now (for an A-tier customer, SCRM_ESCALATE_AFTER_A)."""
    rule = run.settings.escalate_after_a if tier == "A" else run.settings.escalate_after
    if (delay := follow_ups.rule_delay(rule)) is not None:
        return run.now - delay
    # next_working_day: due on a day whose next working day has ended, i.e. before the last working day.
    return midnight(run.calendar.last_working_day_before(run.today), run.settings.timezone)


def _overdue(run: Run):
    """Open, not escalated, past the cutoff (an A-tier customer's sooner), within the lookback."""
    tier_a = exists().where(
        CustomerRep.userid == FollowUp.userid,
        CustomerRep.external_userid == FollowUp.external_userid,
        CustomerRep.tier == "A",
    )
    return (
        FollowUp.status == FollowUpStatus.OPEN,
        col(FollowUp.escalated_at).is_(None),
        or_(col(FollowUp.due_at) < cutoff(run), and_(col(FollowUp.due_at) < cutoff(run, tier="A"), tier_a)),
        col(FollowUp.due_at) >= run.now - run.settings.escalation_lookback,
    )


def _key(follow_up: FollowUp) -> str:
    return keys.escalated(follow_up.id, follow_up.due_at)


def _escalate(session: Session, run: Run, reps: list[Member]) -> tuple[int, int]:
    """These reps' overdue follow-ups to their managers, in one transaction; returns (follow-ups, managers)."""
    managers = {rep.userid: members.managers_of(session, rep) for rep in reps}
    for rep in reps:
        if not managers[rep.userid]:
            log.warning(
                "escalation: a rep (%s) has no active manager in any department above them; their "
                "overdue follow-ups wait (set a department leader in WeCom, then `scrm sync`)",
                rep.userid,
            )
    names = {rep.userid: rep.name for rep in reps}
    overdue = list(
        session.exec(
            select(FollowUp)
            .where(*_overdue(run), among(session, FollowUp.userid, [u for u, m in managers.items() if m]))
            .order_by(FollowUp.userid, FollowUp.due_at)
            .with_for_update(skip_locked=True)
        ).all()
    )
    fresh = ledger.claim_many(session, [_key(f) for f in overdue], job=NAME, now=run.now)
    session.exec(
        update(FollowUp)
        .where(among(session, FollowUp.id, [f.id for f in overdue]))
        .values(escalated_at=run.now)
        .execution_options(synchronize_session=False)
    )
    customers = {
        c.external_userid: c
        for c in session.exec(
            select(Customer).where(among(session, Customer.external_userid, {f.external_userid for f in overdue}))
        )
    }
    by_rep: dict[str, list[FollowUp]] = defaultdict(list)
    for follow_up in overdue:
        if _key(follow_up) in fresh:
            by_rep[follow_up.userid].append(follow_up)
    per_manager: dict[str, list[str]] = defaultdict(list)
    for userid, items in by_rep.items():
        for manager in managers[userid]:
            per_manager[manager.userid] += [
                texts.ESCALATION_REP.format(rep=names[userid]),
                *(_line(run, f, customers.get(f.external_userid)) for f in items),
            ]
    day = format_day(run.now, run.now)
    first = min((f.id for items in by_rep.values() for f in items), default=0)
    messages = []
    for manager, lines in per_manager.items():
        count = sum(1 for line in lines if line.startswith("·"))
        text = "\n".join([texts.ESCALATION_TITLE.format(day=day, n=count), *lines, texts.ESCALATION_FOOTER])
        messages.append((AppText(to=(manager,), text=text), keys.escalation_list(manager, run.today, first)))
    Outbox(session, run.clock.now()).add_many(messages)
    return sum(len(items) for items in by_rep.values()), len(messages)


def _line(run: Run, follow_up: FollowUp, customer: Customer | None) -> str:
    days = (run.today - business_day(follow_up.due_at, run.settings.timezone)).days  # calendar days, as people count
    hours = int((run.now - follow_up.due_at).total_seconds() // 3600)
    late = texts.LATE_DAYS.format(n=days) if days else texts.LATE_HOURS.format(n=max(hours, 1))
    return texts.ESCALATION_LINE.format(
        customer=label(customer),
        task=f" {follow_up.note}" if follow_up.note else "",
        due=format_when(follow_up.due_at, run.now),
        late=late,
    )
