"""The job table: every scheduled job declared once, with its default schedule, settings and texts.

The settings operators set (bot/job_settings.py), what jobs read (JobSettings), `scrm jobs list` and the job
section of .env.example (bot/env_example.py) are all made from here; one module per job holds its work.
"""

from __future__ import annotations

from jobs import anomalies, digests, escalation, honor_board, prune, reminders, texts, tiering
from jobs.config import quiet_hours
from jobs.declaration import Job, Setting, checked, days, minutes, settings_class, table, words
from scrm import kpis

# Read by the scheduler for every job.
SCHEDULER = (
    Setting(
        "SCRM_JOB_GRACE_MINUTES",
        30,
        "grace",
        "A tick missed (downtime) runs late only within this many minutes; older ones are skipped and logged.",
        read=minutes,
        ge=1,
        le=1440,
    ),
)

JOBS = table(
    Job(
        reminders.NAME,
        reminders.run,
        "* * * * *",  # every minute; quiet hours and days off are handled inside
        "follow-ups falling due, to their reps; the morning list after quiet hours",
        texts,
        settings=(
            Setting(
                "SCRM_QUIET_HOURS",
                "21:00-08:00",
                ("quiet_start", "quiet_end"),
                "Reminders wait through these hours (and days off) and arrive as one morning list. 00:00-00:00 = none.",
                read=quiet_hours,
                check=checked(quiet_hours),
            ),
        ),
    ),
    # Off :00 and :30, the minutes every corp sends at (WeCom asks for that); working days are checked inside,
    # since cron cannot know China's calendar. The anomalies run before escalation, the morning list before both.
    Job(
        escalation.NAME,
        escalation.run,
        "37 9 * * *",
        "follow-ups still open after the grace, to the reps' managers",
        texts,
        settings=(
            Setting(
                "SCRM_ESCALATE_AFTER",
                "next_working_day",
                "escalate_after",
                "A follow-up still open this long after it was due goes to the rep's managers: next_working_day (the "
                "end of the next working day after the due day), or at least an hour: 4h / 2d.",
                check=escalation.rule,
            ),
            Setting(
                "SCRM_ESCALATE_AFTER_A",
                "4h",
                "escalate_after_a",
                "Sooner for an A-tier customer (the tiers job grades customers A/B/C nightly).",
                check=escalation.rule,
            ),
        ),
        tuning={"escalation_lookback": days(30)},  # older open follow-ups are not escalated any more
    ),
    Job(
        anomalies.NAME,
        anomalies.run,
        "7 9 * * *",
        "silent reps, overdue jumps, deletions, stalled deals (SCRM_STAGE_LIMITS), to managers",
        texts,
        settings=(
            Setting(
                "SCRM_ALERT_SILENT_DAYS",
                2,
                "silent_days",
                "A rep who has customers and logged nothing for this many working days is reported to their managers.",
                ge=1,
                le=60,
            ),
            Setting(
                "SCRM_ALERT_OVERDUE_SHARE",
                0.3,
                "overdue_share",
                "So is a rep whose late share over the last 7 days is above this (0-1) and SCRM_ALERT_OVERDUE_JUMP "
                "times their share of the 4 weeks before.",
                gt=0,
                lt=1,
            ),
            Setting(
                "SCRM_ALERT_OVERDUE_JUMP",
                2.0,
                "overdue_jump",
                "How many times their share of the 4 weeks before (see SCRM_ALERT_OVERDUE_SHARE).",
                ge=1,
            ),
            Setting(
                "SCRM_ALERT_DELETIONS",
                3,
                "deletions_per_day",
                "And a rep deleted by this many customers in a day.",
                ge=1,
            ),
        ),
        # Fewer follow-ups due in the week than overdue_min_due: no share is judged. Fewer in the 4 weeks before
        # than overdue_min_history: no baseline, so no jump (a rep with no history is not "up from 0%").
        tuning={"overdue_min_due": 3, "overdue_min_history": 8},
    ),
    Job(
        digests.DAILY,
        digests.daily,
        "0 18 * * *",  # the hour the issue asks for; working days are checked inside
        "each team's day and month so far, in its group chat",
        texts,
    ),
    Job(
        digests.WEEKLY,
        digests.weekly,
        "13 9 * * 1",  # Monday morning
        "last week per rep against the week before, in each team's group chat",
        texts,
    ),
    Job(
        honor_board.NAME,
        honor_board.run,
        "10 18 * * *",
        "the day's (week's, month's) champions, in each team's group chat",
        texts,
        settings=(
            Setting(
                "SCRM_HONOR_TITLES",
                ",".join(kpis.HONOR_TITLES),
                "honor_metrics",
                "The honor board's titles (and 排行's), in order: won_amount (销冠), on_time (跟进之星), new_customers "
                "(拓客王).",
                read=words,
                check=honor_board.titles,
            ),
            Setting(
                "SCRM_STREAK_DAYS",
                5,
                "streak_days",
                "The day's honor board names reps on pace for their month's target (scrm targets) this many working "
                "days in a row or more (🔥 连续达标).",
                ge=1,
            ),
        ),
    ),
    Job(
        tiering.NAME,
        tiering.run,
        "17 2 * * *",
        "every customer's A/B/C tier from value, recency and engagement",
        texts,
    ),
    Job(
        prune.NAME,
        prune.run,
        "43 3 * * *",  # at night, off the hour: deleting old history in small batches
        "finished inbox and outbox rows, ticks and ledger keys older than their keep; in small batches, each its "
        "own short transaction",
        texts,
        settings=(
            Setting(
                "SCRM_KEEP_HISTORY_DAYS",
                30,
                "keep_history",
                "Handled callbacks (inbox `done`), sent and expired messages (outbox) and job ticks older than this "
                "many days are deleted (at least 7). Rows still queued and dead rows are never deleted: triage and "
                "replay them with `scrm inbox list` / `scrm outbox list`; a replayed row then ages out like the "
                "others.",
                read=days,
                ge=7,
                le=3650,
            ),
            Setting(
                "SCRM_KEEP_LEDGER_DAYS",
                400,
                "keep_ledger",
                "Job ledger keys (what stops a re-run tick from sending again) are kept this many days (at least 60); "
                "a time older than that is refused by `scrm jobs run --at`.",
                read=days,
                ge=60,
                le=36500,
            ),
        ),
        tuning={"prune_batch": 1000},  # rows deleted per transaction: no lock is held for long
    ),
)

DEFAULT_SCHEDULES = {name: job.schedule for name, job in JOBS.items()}
JobSettings = settings_class(JOBS.values(), SCHEDULER)

__all__ = ["DEFAULT_SCHEDULES", "JOBS", "SCHEDULER", "Job", "JobSettings", "Setting"]
