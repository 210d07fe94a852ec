"""`reminders` (every minute): a follow-up that falls due reminds its rep once, with the quick replies.

- All of a rep's follow-ups falling due in one tick go as one message. They are numbered in the list the
  rep last saw (their 待办 or this morning's list), new ones added at its end, so `完成 2` answers the
  reminder and the numbers the rep already read stay true. A list with nothing open left starts afresh
  from their 待办.
- Quiet hours and days off (China's calendar) hold reminders. The first working tick after quiet hours
  (08:00 by default; 08:00 too when there are none) sends each rep with anything held or overdue their
  whole 待办, overdue first: the morning list. A rep hears of an overdue follow-up before their manager
  does (escalation.py runs later in the morning).
- A follow-up is reminded once per due time (`reminder:followup-812:202612011500` in the ledger);
  postponing it gives it a new due time, and so a new reminder.
- Only follow-ups due within the grace are reminded at their minute: after downtime, older ones wait for
  the morning list and 待办 rather than arriving late.

Work is done for a few hundred reps per transaction, with set-based statements: the ledger keys, the
messages and the `reminded_at` marks commit together or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from jobs import texts
from jobs.config import Done, Run
from scrm import chat_state, follow_ups, keys, ledger
from scrm.customers import label
from scrm.dates import ago, end_of_day, format_due
from scrm.db import among
from scrm.models import ChatState, Customer, CustomerRep, FollowUp, Interaction, Member
from scrm.outbox import AppText, Outbox
from scrm.statuses import FollowUpStatus

NAME = "reminders"
CHUNK = 500  # reps per transaction
MORNING_ITEMS = 20  # a longer 待办 is cut here in the morning list; 待办 shows it all
MORNING_WITHOUT_QUIET_HOURS = time(8, 0)


def run(run: Run) -> Done:
    if not run.working_day() or run.quiet():
        return Done("held: quiet hours or a day off")
    lists = _morning_lists(run) if run.now >= _morning(run) else 0
    reminded = reps = 0
    waiting = _reps_with_due(run)
    for start in range(0, len(waiting), CHUNK):  # whole reps per transaction: one message per rep
        with run.store.transaction() as session:
            done, to = _remind(session, run, _falling_due(session, run, waiting[start : start + CHUNK]))
        reminded, reps = reminded + done, reps + to
    if lists or reps:
        run.on_outbox()
    return Done(f"{reminded} reminders to {reps} reps, {lists} morning lists", reps + lists)


def key(follow_up: FollowUp) -> str:
    return keys.reminder(follow_up.id, follow_up.due_at)


def _morning(run: Run) -> datetime:
    s = run.settings
    start = s.quiet_end if s.quiet_start != s.quiet_end else MORNING_WITHOUT_QUIET_HOURS
    return datetime.combine(run.today, start, tzinfo=s.timezone)


def _due_now(run: Run):
    """Open, not yet reminded, due in the grace before now: what ix_follow_up_to_remind holds."""
    return (
        FollowUp.status == FollowUpStatus.OPEN,
        col(FollowUp.reminded_at).is_(None),
        col(FollowUp.due_at) <= run.now,
        col(FollowUp.due_at) > run.now - run.settings.grace,
    )


def _reps_with_due(run: Run) -> list[str]:
    with run.store.transaction() as session:
        return sorted(set(session.exec(select(FollowUp.userid).where(*_due_now(run))).all()))


def _falling_due(session: Session, run: Run, reps: list[str]) -> list[FollowUp]:
    """These reps' follow-ups falling due. Rows another scheduler is working on are skipped (PostgreSQL);
    the ledger would refuse them anyway."""
    return list(
        session.exec(
            select(FollowUp)
            .where(*_due_now(run), among(session, FollowUp.userid, reps))
            .order_by(FollowUp.due_at, FollowUp.id)
            .with_for_update(skip_locked=True)
        ).all()
    )


def _remind(session: Session, run: Run, due: list[FollowUp]) -> tuple[int, int]:
    """One message per rep for the follow-ups this transaction claims; returns (follow-ups, reps)."""
    if not due:
        return 0, 0
    fresh_keys = ledger.claim_many(session, [key(f) for f in due], job=NAME, now=run.now)
    _mark_reminded(session, [f.id for f in due], run.now)  # claimed elsewhere or here: either way, reminded
    active = _active(session, {f.userid for f in due})
    fresh: dict[str, list[FollowUp]] = defaultdict(list)
    for follow_up in due:
        if key(follow_up) in fresh_keys and follow_up.userid in active:
            fresh[follow_up.userid].append(follow_up)
    if not fresh:
        return 0, 0
    numbered = _numbered(session, run, fresh)
    lines = _Lines(session, run, [(userid, f) for userid, items in fresh.items() for f in items])
    messages = []
    for userid, items in fresh.items():
        title = texts.REMINDER_TITLE if len(items) == 1 else texts.REMINDER_TITLE_MANY.format(n=len(items))
        pairs = sorted((numbered[userid].index(f.id) + 1, f) for f in items)
        text = "\n".join([title, *lines.items(userid, pairs), texts.QUICK_REPLY.format(n=pairs[0][0])])
        messages.append((AppText(to=(userid,), text=text), key(pairs[0][1])))
    Outbox(session, run.clock.now()).add_many(messages)
    return sum(len(items) for items in fresh.values()), len(fresh)


def _numbered(session: Session, run: Run, fresh: dict[str, list[FollowUp]]) -> dict[str, list[int]]:
    """Each rep's numbered list with the follow-ups falling due in it: the list they last saw, if anything on
    it is still open (new items go at its end), else their 待办. Remembered, so `完成 N` refers to it."""
    saved = dict(
        session.exec(select(ChatState.userid, ChatState.agenda).where(among(session, ChatState.userid, fresh))).all()
    )
    still_open = set(
        session.exec(
            select(FollowUp.id).where(
                among(session, FollowUp.id, {i for ids in saved.values() for i in ids}),
                FollowUp.status == FollowUpStatus.OPEN,
            )
        )
    )
    stale = [userid for userid in fresh if not still_open.intersection(saved.get(userid, []))]
    agendas = _agendas(session, run, stale)
    numbered = {
        userid: list(saved[userid]) if userid not in agendas else [f.id for f in agendas[userid]] for userid in fresh
    }
    changed = {}
    for userid, items in fresh.items():
        added = [f.id for f in items if f.id not in numbered[userid]]
        numbered[userid] += added
        if added or userid in agendas:
            changed[userid] = numbered[userid]
    chat_state.remember_agendas(session, changed, now=run.now)
    return numbered


def _morning_lists(run: Run) -> int:
    """Each rep with something held or overdue gets their 待办 once today; returns how many went."""
    day = run.today
    with run.store.transaction() as session:
        if ledger.claimed(session, [keys.mornings_done(day)]):
            return 0
        waiting = session.exec(
            select(FollowUp.userid)
            .where(FollowUp.status == FollowUpStatus.OPEN, col(FollowUp.due_at) < _morning(run))
            .distinct()
        ).all()
        reps = sorted(_active(session, set(waiting)))
    sent = 0
    for start in range(0, len(reps), CHUNK):
        with run.store.transaction() as session:
            sent += _morning_chunk(session, run, reps[start : start + CHUNK], day)
    with run.store.transaction() as session:  # every rep is done: later ticks today need not look again
        ledger.claim(session, keys.mornings_done(day), job=NAME, now=run.now)
    return sent


def _morning_chunk(session: Session, run: Run, reps: list[str], day: date) -> int:
    fresh = ledger.claim_many(session, [keys.morning_list(userid, day) for userid in reps], job=NAME, now=run.now)
    reps = [userid for userid in reps if keys.morning_list(userid, day) in fresh]
    if not reps:
        return 0
    agendas = _agendas(session, run, reps)
    chat_state.remember_agendas(session, {u: [f.id for f in items] for u, items in agendas.items()}, now=run.now)
    held = [f for items in agendas.values() for f in items if f.due_at <= run.now and f.reminded_at is None]
    ledger.claim_many(session, [key(f) for f in held], job=NAME, now=run.now)  # reminded now, not at its minute
    _mark_reminded(session, [f.id for f in held], run.now)
    lines = _Lines(session, run, [(userid, f) for userid, items in agendas.items() for f in items[:MORNING_ITEMS]])
    title = texts.MORNING_TITLE if run.now.hour < 11 else texts.HELD_TITLE
    messages = []
    for userid in reps:
        agenda = agendas[userid]
        more = [texts.MORE.format(n=len(agenda) - MORNING_ITEMS)] if len(agenda) > MORNING_ITEMS else []
        text = "\n".join(
            [
                title.format(n=len(agenda)),
                *lines.items(userid, list(enumerate(agenda, 1))[:MORNING_ITEMS]),
                *more,
                texts.QUICK_REPLY_MORNING,
            ]
        )
        messages.append((AppText(to=(userid,), text=text), keys.morning_list(userid, day)))
    Outbox(session, run.clock.now()).add_many(messages)
    return len(messages)


def _agendas(session: Session, run: Run, reps: list[str]) -> dict[str, list[FollowUp]]:
    """Each rep's 待办, as the agenda command lists and numbers it."""
    agendas: dict[str, list[FollowUp]] = {userid: [] for userid in reps}
    if reps:
        for follow_up in follow_ups.agenda(session, reps, until=end_of_day(run.now, run.settings.timezone)):
            agendas[follow_up.userid].append(follow_up)
    return agendas


class _Lines:
    """Two lines per follow-up: number, time, customer and task; then the last thing logged with them.
    What they need is read for all follow-ups of a transaction at once."""

    def __init__(self, session: Session, run: Run, pairs: list[tuple[str, FollowUp]]) -> None:
        self._run = run
        wanted = sorted({f.external_userid for _, f in pairs})
        reps = sorted({userid for userid, _ in pairs})
        self._customers = {
            c.external_userid: c
            for c in session.exec(select(Customer).where(among(session, Customer.external_userid, wanted)))
        }
        newest = (
            select(func.max(Interaction.id))
            .where(
                among(session, Interaction.userid, reps),
                Interaction.kind == "follow_up",
                among(session, Interaction.external_userid, wanted),
            )
            .group_by(Interaction.userid, Interaction.external_userid)
        )
        self._last = {
            (e.userid, e.external_userid): e
            for e in session.exec(select(Interaction).where(col(Interaction.id).in_(newest)))
        }
        self._added = {
            (userid, external): at
            for userid, external, at in session.exec(
                select(CustomerRep.userid, CustomerRep.external_userid, CustomerRep.added_at).where(
                    among(session, CustomerRep.userid, reps), among(session, CustomerRep.external_userid, wanted)
                )
            )
        }

    def items(self, userid: str, numbered: list[tuple[int, FollowUp]]) -> list[str]:
        run, lines = self._run, []
        for n, follow_up in numbered:
            lines.append(
                texts.ITEM.format(
                    n=n,
                    overdue=texts.OVERDUE if follow_up.due_at < run.now else "",  # as 待办 marks it
                    when=format_due(follow_up.due_at, run.now),
                    customer=label(self._customers.get(follow_up.external_userid)),
                    task=f" {follow_up.note}" if follow_up.note else "",
                )
            )
            lines.append(self._last_line(userid, follow_up.external_userid))
        return lines

    def _last_line(self, userid: str, external_userid: str) -> str:
        tz, now = self._run.settings.timezone, self._run.now
        entry = self._last.get((userid, external_userid))
        if entry is not None:
            text = entry.text if len(entry.text) <= 24 else entry.text[:24] + "…"
            return texts.LAST.format(ago=ago(entry.at, now, tz), text=text)
        added = self._added.get((userid, external_userid))
        return texts.LAST_NONE.format(ago=ago(added, now, tz)) if added else texts.LAST_NEVER


def _mark_reminded(session: Session, ids: list[int], now: datetime) -> None:
    session.exec(
        update(FollowUp)
        .where(among(session, FollowUp.id, ids))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )


def _active(session: Session, userids: set[str]) -> set[str]:
    """Members who can still receive messages (one who left is not reminded)."""
    return set(session.exec(select(Member.userid).where(among(session, Member.userid, userids), Member.active == True)))  # noqa: E712
