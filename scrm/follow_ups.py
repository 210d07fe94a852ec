"""Follow-ups: next steps a rep owes a customer, and the SOP's first one for every new customer."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from scrm import keys, workdays
from scrm.dates import business_day, end_of_day
from scrm.db import among, insert_ignore
from scrm.models import FollowUp

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
    """The SOP's first follow-up, once per rep and customer however often the add is seen."""
    values = {
        "key": keys.first_follow_up(userid, external_userid),
        "external_userid": external_userid,
        "userid": userid,
        "due_at": due_at,
        "status": "open",
        "note": note,
        "source": "sop",
        "created_at": now,
    }
    return insert_ignore(session, FollowUp, values, key="key")


def open_for(session: Session, external_userid: str) -> list[FollowUp]:
    query = select(FollowUp).where(FollowUp.external_userid == external_userid, FollowUp.status == "open")
    return list(session.exec(query.order_by(FollowUp.due_at)).all())


def schedule(
    session: Session, *, external_userid: str, userid: str, due_at: datetime, note: str, now: datetime
) -> FollowUp:
    """A next step the rep set; it replaces the rep's open SOP follow-up for the customer (it is the plan now)."""
    for open_one in open_for(session, external_userid):
        if open_one.userid == userid and open_one.source == "sop":
            open_one.status, open_one.done_at = "replaced", now
            session.add(open_one)
    follow_up = FollowUp(
        external_userid=external_userid, userid=userid, due_at=due_at, note=note, source="rep", created_at=now
    )
    session.add(follow_up)
    session.flush()
    return follow_up


def agenda(session: Session, userids: list[str], *, until: datetime) -> list[FollowUp]:
    """Open follow-ups of these reps due before `until` (overdue ones first, as they are the oldest)."""
    query = select(FollowUp).where(
        among(session, FollowUp.userid, userids), FollowUp.status == "open", FollowUp.due_at <= until
    )
    return list(session.exec(query.order_by(FollowUp.due_at, FollowUp.id)).all())


def complete(session: Session, follow_up: FollowUp, *, now: datetime) -> None:
    follow_up.status, follow_up.done_at = "done", now
    session.add(follow_up)


def complete_open(session: Session, *, external_userid: str, userid: str, now: datetime, tz: ZoneInfo) -> int:
    """Logging a follow-up with a customer closes what was due with them by the end of the business day (the
    step happened), whatever the hour it is logged at."""
    closed, today_ends = 0, end_of_day(now, tz)
    for open_one in open_for(session, external_userid):
        if open_one.userid == userid and open_one.due_at < today_ends:
            complete(session, open_one, now=now)
            closed += 1
    return closed


def postpone(session: Session, follow_up: FollowUp, *, due_at: datetime) -> None:
    follow_up.due_at, follow_up.reminded_at, follow_up.escalated_at = due_at, None, None  # a new due: remind again
    session.add(follow_up)
