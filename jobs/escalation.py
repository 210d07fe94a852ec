"""`escalation` (daily, working days): follow-ups still open well after they were due go to the rep's managers.

"Well after" is `SCRM_ESCALATE_AFTER`: by default the end of the next working day after the due day, so a
follow-up due Monday 15:00 is escalated on Wednesday morning, and one due Friday on Tuesday. The rep hears
first: their morning list shows it as overdue (reminders.py), before this job runs.

Each follow-up is escalated once per due time (`escalation:followup-812:202612011500`); each manager gets
one list a day, grouped by rep. Follow-ups overdue for longer than the lookback (30 days) are not escalated:
they are a clean-up for the rep's 待办, not news for the manager.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from jobs import texts
from jobs.config import Done, Run
from scrm import ledger, members
from scrm.customers import display_name
from scrm.dates import format_day, format_when
from scrm.models import Customer, FollowUp, Member
from scrm.outbox import AppText, Outbox

NAME = "escalation"
log = logging.getLogger(__name__)


def run(run: Run) -> Done:
    if not run.working_day():
        return Done("not a working day")
    with run.store.transaction() as session:
        overdue = list(session.exec(
            select(FollowUp).where(FollowUp.status == "open", col(FollowUp.escalated_at).is_(None),
                                   col(FollowUp.due_at) < cutoff(run),
                                   col(FollowUp.due_at) >= run.now - run.settings.escalation_lookback)
            .order_by(FollowUp.userid, FollowUp.due_at).with_for_update(skip_locked=True)).all())
        fresh = ledger.claim_many(session, [_key(f) for f in overdue], job=NAME, now=run.now)
        for start in range(0, len(overdue), 500):
            session.exec(update(FollowUp).where(col(FollowUp.id).in_([f.id for f in overdue[start:start + 500]]))
                         .values(escalated_at=run.now))
        sent = _tell_managers(session, run, [f for f in overdue if _key(f) in fresh])
    if sent:
        run.on_outbox()
    return Done(f"{len(fresh)} overdue follow-ups escalated to {sent} managers", sent)


def cutoff(run: Run) -> datetime:
    """Follow-ups due before this are escalated now."""
    rule = run.settings.escalate_after
    if match := re.fullmatch(r"(\d+)\s*([hd])", rule.strip()):
        amount = int(match[1])
        return run.now - (timedelta(hours=amount) if match[2] == "h" else timedelta(days=amount))
    # next_working_day: due on a day whose next working day has ended, i.e. before the last working day.
    last_working = run.calendar.last_working_day_before(run.local.date())
    return datetime.combine(last_working, datetime.min.time(), tzinfo=run.settings.timezone)


def _key(follow_up: FollowUp) -> str:
    return f"escalation:followup-{follow_up.id}:{follow_up.due_at:%Y%m%d%H%M}"


def _tell_managers(session: Session, run: Run, overdue: list[FollowUp]) -> int:
    by_rep: dict[str, list[FollowUp]] = defaultdict(list)
    for follow_up in overdue:
        by_rep[follow_up.userid].append(follow_up)
    reps = {m.userid: m for m in session.exec(select(Member).where(col(Member.userid).in_(sorted(by_rep))))}
    customers = {c.external_userid: c for c in session.exec(select(Customer).where(
        col(Customer.external_userid).in_(sorted({f.external_userid for f in overdue}))))}
    per_manager: dict[str, list[str]] = defaultdict(list)
    for userid, items in by_rep.items():
        rep = reps.get(userid)
        managers = members.managers_of(session, rep) if rep else []
        if not managers:
            log.info("escalation: %d overdue follow-ups of a rep with no manager", len(items))
        for manager in managers:
            per_manager[manager.userid] += [texts.ESCALATION_REP.format(rep=rep.name),
                                            *(_line(run, f, customers.get(f.external_userid)) for f in items)]
    day = format_day(run.now.astimezone(run.settings.timezone), run.now)
    messages = []
    for manager, lines in per_manager.items():
        count = sum(1 for line in lines if line.startswith("·"))
        text = "\n".join([texts.ESCALATION_TITLE.format(day=day, n=count), *lines, texts.ESCALATION_FOOTER])
        messages.append((AppText(to=(manager,), text=text), f"escalation:{manager}:{run.local.date():%Y-%m-%d}:"
                                                            f"{min(f.id for f in overdue)}"))
    Outbox(session, run.clock.now()).add_many(messages)
    return len(messages)


def _line(run: Run, follow_up: FollowUp, customer: Customer | None) -> str:
    due = follow_up.due_at.astimezone(run.settings.timezone)
    days = (run.local.date() - due.date()).days  # calendar days, as people count them
    hours = int((run.now - follow_up.due_at).total_seconds() // 3600)
    late = texts.LATE_DAYS.format(n=days) if days else texts.LATE_HOURS.format(n=max(hours, 1))
    name = display_name(customer)
    label = texts.CUSTOMER.format(name=name, corp=customer.corp_name) if customer and customer.corp_name else name
    return texts.ESCALATION_LINE.format(customer=label, task=f" {follow_up.note}" if follow_up.note else "",
                                        due=format_when(due, run.now), late=late)
