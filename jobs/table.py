"""The job table: every scheduled job, by name. `scrm jobs list` prints it; one module per job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jobs import anomalies, digests, escalation, honor_board, prune, reminders, tiering
from jobs.config import Done, Run


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Run], Done]
    about: str


JOBS = {
    job.name: job
    for job in (
        Job(reminders.NAME, reminders.run, "follow-ups falling due, to their reps; the morning list after quiet hours"),
        Job(escalation.NAME, escalation.run, "follow-ups still open after the grace, to the reps' managers"),
        Job(anomalies.NAME, anomalies.run, "silent reps, overdue jumps, deletions, stalled deals, to managers"),
        Job(digests.DAILY, digests.daily, "each team's day and month so far, in its group chat"),
        Job(digests.WEEKLY, digests.weekly, "last week per rep against the week before, in each team's group chat"),
        Job(honor_board.NAME, honor_board.run, "the day's (week's, month's) champions, in each team's group chat"),
        Job(tiering.NAME, tiering.run, "every customer's A/B/C tier from value, recency and engagement"),
        Job(prune.NAME, prune.run, "finished inbox and outbox rows, ticks and ledger keys older than their keep"),
    )
}
