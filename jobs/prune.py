"""`prune` (daily, at night): old finished history is deleted, in small batches (see scrm/retention.py).

What goes, older than SCRM_KEEP_HISTORY_DAYS (30): inbox rows handled (`done`), outbox rows `sent` or
`expired`, and job ticks (each job's latest stays: catch-up counts from it); job ledger keys older than
SCRM_KEEP_LEDGER_DAYS (400).

What stays, whatever its age: rows still in a queue (pending, processing, failed), and dead rows. A dead row
is a callback never handled or a message never sent: operators triage and replay it (`scrm inbox list`), and
it leaves only that way, as a done or sent row that then ages out. Ledger keys stay far longer than the rest:
a key is what stops a re-run of a tick from sending its unit again. The jobs look back much less far (catch-up:
the grace, at most a day; escalation: 30 days, and it marks what it escalated), and `scrm jobs run --at`
refuses a time older than the ledger keeps. A key that goes after 400 days can only let a condition still
true a year on (a rep silent since, a team still without a chat) be reported once more.

The cutoffs count from the real clock, never from a later `--at`: a tick run ahead of time deletes nothing
more. Each batch is its own transaction; running the job twice, or from two schedulers, deletes nothing
twice and sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from jobs.config import Done, Run
from scrm import retention

NAME = "prune"


def run(run: Run) -> Done:
    now = min(run.now, run.clock.now())
    history, ledger = now - run.settings.keep_history, now - run.settings.keep_ledger
    inbox = _batches(run, lambda s, n: retention.finished_inbox(s, before=history, limit=n))
    outbox = _batches(run, lambda s, n: retention.finished_outbox(s, before=history, limit=n))
    ticks = _old_ticks(run, history)
    keys = _batches(run, lambda s, n: retention.old_ledger_keys(s, before=ledger, limit=n))
    return Done(
        f"deleted {inbox} inbox rows, {outbox} outbox rows, {ticks} ticks (finished before "
        f"{_local(run, history)}), {keys} ledger keys (before {_local(run, ledger)})"
    )


def _old_ticks(run: Run, before: datetime) -> int:
    """Each job's ticks before `before`, its latest tick kept whatever its age."""
    with run.store.transaction() as session:
        latest = retention.latest_ticks(session)
    deleted = 0
    for job, last in latest.items():
        cutoff = min(before, last)
        deleted += _batches(
            run, lambda s, n, job=job, cutoff=cutoff: retention.old_ticks(s, job=job, before=cutoff, limit=n)
        )
    return deleted


def _batches(run: Run, delete: Callable[[Session, int], int]) -> int:
    """Delete batch after batch, each committed on its own, until one comes back short; how many in all."""
    total = 0
    while True:
        with run.store.transaction() as session:
            deleted = delete(session, run.settings.prune_batch)
        total += deleted
        if deleted < run.settings.prune_batch:
            return total


def _local(run: Run, at: datetime) -> str:
    return f"{at.astimezone(run.settings.timezone):%Y-%m-%d %H:%M}"
