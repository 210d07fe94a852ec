"""Follow-ups: next steps a rep owes a customer, and the SOP's first one for every new customer.

Open work follows how reps think: a rep has one open next step with a customer, and a new plan replaces it
(the old one closed as superseded) unless the rep adds a second one. Closing the deal closes the open steps;
reopening it restores them. No two open steps of a rep with a customer share a minute (a unique index).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from scrm import keys, workdays
from scrm.dates import business_day, end_of_day
from scrm.db import among, insert_ignore
from scrm.models import CustomerRep, FollowUp
from scrm.statuses import FollowUpStatus

OPEN = FollowUpStatus.OPEN

FIRST_CALL_HOUR = time(10, 0)


def first_due(added_at: datetime, tz: ZoneInfo, rule: str) -> datetime:
    """When the first follow-up is due: `next_working_day` (10:00, China's calendar), or `Nh` / `Nd` later."""
    if (delay := rule_delay(rule)) is not None:
        return added_at + delay
    local = workdays.current().next_working_day(business_day(added_at, tz))
    return datetime.combine(local, FIRST_CALL_HOUR, tzinfo=tz)


def rule_delay(rule: str) -> timedelta | None:
    """`4h` / `2d` as a delay; None for `next_working_day` (the calendar decides)."""
    match = re.fullmatch(r"(\d+)\s*([hd])", rule.strip())
    if match is None:
        return None
    return timedelta(hours=int(match[1])) if match[2] == "h" else timedelta(days=int(match[1]))


def valid_rule(rule: str) -> bool:
    """next_working_day, or a delay of at least an hour (4h, 2d)."""
    delay = rule_delay(rule)
    return rule.strip() == "next_working_day" or (delay is not None and delay >= timedelta(hours=1))


def open_first(
    session: Session, *, external_userid: str, userid: str, due_at: datetime, note: str, now: datetime
) -> bool:
    """The SOP's first follow-up, once per rep and customer however often the add is seen, and only when the
    rep has no open step with the customer yet (it would be a second one)."""
    if open_of(session, external_userid, userid):
        return False
    values = {
        "key": keys.first_follow_up(userid, external_userid),
        "external_userid": external_userid,
        "userid": userid,
        "due_at": _minute(due_at),
        "status": OPEN,
        "note": note,
        "source": "sop",
        "created_at": now,
    }
    return insert_ignore(session, FollowUp, values, key="key")


def open_for(session: Session, external_userid: str) -> list[FollowUp]:
    query = select(FollowUp).where(FollowUp.external_userid == external_userid, FollowUp.status == OPEN)
    return list(session.exec(query.order_by(FollowUp.due_at)).all())


def open_of(session: Session, external_userid: str, userid: str) -> list[FollowUp]:
    """The rep's open steps with the customer, soonest first."""
    query = select(FollowUp).where(
        FollowUp.external_userid == external_userid, FollowUp.userid == userid, FollowUp.status == OPEN
    )
    return list(session.exec(query.order_by(FollowUp.due_at, FollowUp.id)).all())


@dataclass(frozen=True)
class Planned:
    """A step the rep set, and the open steps it closed as superseded."""

    step: FollowUp
    superseded: list[FollowUp]
    new: bool = True  # False: that step was open at that minute already (the same plan sent twice)


def schedule(
    session: Session,
    *,
    external_userid: str,
    userid: str,
    due_at: datetime,
    note: str,
    now: datetime,
    adding: bool = False,
) -> Planned:
    """The rep's next step with the customer. It is the plan now: the rep's other open steps with the customer
    are superseded, unless `adding` (另外, 还要, a second plan in one message) keeps them; the SOP's first
    follow-up is superseded either way. A step already open at that minute is kept rather than doubled, and the
    very plan again changes nothing."""
    due_at = _minute(due_at)
    _lock_pair(session, external_userid, userid)
    current = open_of(session, external_userid, userid)
    if adding:  # a step of the rep's own already at that minute is kept, whatever its words
        same = next((s for s in current if s.due_at == due_at and s.source != "sop"), None)
        superseded = [s for s in current if s.source == "sop"]
    else:  # the very plan again (sent twice) changes nothing
        same = next((s for s in current if s.due_at == due_at and s.note == note), None)
        superseded = [] if same is not None else current
    _close(session, superseded, FollowUpStatus.SUPERSEDED, now)
    if same is not None:
        return Planned(same, superseded, new=False)
    step = FollowUp(
        external_userid=external_userid, userid=userid, due_at=due_at, note=note, source="rep", created_at=now
    )
    session.add(step)
    session.flush()
    return Planned(step, superseded)


def agenda(session: Session, userids: list[str], *, until: datetime) -> list[FollowUp]:
    """Open follow-ups of these reps due before `until` (overdue ones first, as they are the oldest)."""
    query = select(FollowUp).where(
        among(session, FollowUp.userid, userids), FollowUp.status == OPEN, FollowUp.due_at <= until
    )
    return list(session.exec(query.order_by(FollowUp.due_at, FollowUp.id)).all())


def complete(session: Session, follow_up: FollowUp, *, now: datetime) -> None:
    _close(session, [follow_up], FollowUpStatus.DONE, now)


def complete_open(session: Session, *, external_userid: str, userid: str, now: datetime, tz: ZoneInfo) -> int:
    """Logging a follow-up with a customer closes what was due with them by the end of the business day (the
    step happened), whatever the hour it is logged at."""
    today_ends = end_of_day(now, tz)
    due = [s for s in open_of(session, external_userid, userid) if s.due_at < today_ends]
    _close(session, due, FollowUpStatus.DONE, now)
    return len(due)


def close_open(
    session: Session, *, external_userid: str, userid: str, status: FollowUpStatus, now: datetime
) -> list[FollowUp]:
    """Close the rep's open steps with the customer: the deal was won or lost (DEAL_CLOSED), or the customer
    deleted the rep (CANCELLED). Steps set afterwards (a delivery visit after the win) are new work."""
    _lock_pair(session, external_userid, userid)
    steps = open_of(session, external_userid, userid)
    _close(session, steps, status, now)
    return steps


def restore(session: Session, *, external_userid: str, userid: str, closed_at: datetime) -> list[FollowUp]:
    """重新打开: the steps the deal's close closed are open again at their own times, but for one at a minute
    the rep has filled since."""
    _lock_pair(session, external_userid, userid)
    taken = {s.due_at for s in open_of(session, external_userid, userid)}
    closed = session.exec(
        select(FollowUp)
        .where(
            FollowUp.external_userid == external_userid,
            FollowUp.userid == userid,
            FollowUp.status == FollowUpStatus.DEAL_CLOSED,
            FollowUp.done_at == closed_at,
        )
        .order_by(FollowUp.due_at, FollowUp.id)
    ).all()
    restored = []
    for step in closed:
        if step.due_at not in taken:
            step.status, step.done_at = OPEN, None
            session.add(step)
            taken.add(step.due_at)
            restored.append(step)
    session.flush()
    return restored


def postpone(session: Session, follow_up: FollowUp, *, due_at: datetime, now: datetime) -> FollowUp:
    """Move a step to a new time (and so a new reminder). Moved onto the minute of another of the rep's open
    steps with the customer, the two are one: that one stays, this one is superseded. Returns the step kept."""
    due_at = _minute(due_at)
    _lock_pair(session, follow_up.external_userid, follow_up.userid)
    there = next((s for s in open_of(session, follow_up.external_userid, follow_up.userid) if s.due_at == due_at), None)
    if there is not None and there is not follow_up:
        _close(session, [follow_up], FollowUpStatus.SUPERSEDED, now)
        return there
    follow_up.due_at, follow_up.reminded_at, follow_up.escalated_at = due_at, None, None  # a new due: remind again
    session.add(follow_up)
    return follow_up


def _close(session: Session, steps: list[FollowUp], status: FollowUpStatus, now: datetime) -> None:
    for step in steps:
        step.status, step.done_at = status, now
        session.add(step)
    session.flush()  # before any new step at a minute one of these held (the unique index counts open ones)


def _lock_pair(session: Session, external_userid: str, userid: str) -> None:
    """Serialise changes to a rep's steps with one customer: two workers handling two messages about them at
    once would each read the same open step. A no-op UPDATE of their relation takes its row lock on
    PostgreSQL, and on SQLite the write lock (a first write ends the lock-late session's snapshot reads)."""
    session.exec(
        update(CustomerRep)
        .where(col(CustomerRep.external_userid) == external_userid, col(CustomerRep.userid) == userid)
        .values(updated_at=CustomerRep.updated_at)
        .execution_options(synchronize_session=False)
    )


def _minute(at: datetime) -> datetime:
    """Steps are kept to the minute, as reps set them and reminders fire."""
    return at.replace(second=0, microsecond=0)
