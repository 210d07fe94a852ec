"""A job is declared once (jobs/table.py): its schedule variable and settings, what jobs read, `scrm jobs list`
and .env.example's job section all follow from the declaration, and the names, defaults and one-line errors
operators know stay as they were."""

from __future__ import annotations

import re
from datetime import time, timedelta
from io import StringIO

import pytest
from click.testing import CliRunner
from dotenv import dotenv_values

from bot import env_example
from bot.cli import cli
from bot.job_settings import job_settings, variables, with_jobs
from bot.settings import ConfigError, CoreSettings, load, load_settings
from jobs import texts
from jobs.config import Done, Run
from jobs.declaration import Job, Setting, settings_class, table
from jobs.runner import Runner
from jobs.table import JOBS, SCHEDULER
from scrm.clock import FrozenClock
from tests.jobs.conftest import at

GOOD = dict(
    wecom_corp_id="ww1",
    wecom_agent_id="1000002",
    wecom_agent_secret="s",
    wecom_token="Tok3n",
    wecom_encoding_aes_key="a" * 43,
    _env_file=None,
)

# What operators have in their .env: the names and defaults before the jobs were declared in one place.
KEPT = {
    "SCRM_JOB_GRACE_MINUTES": "30",
    "SCRM_SCHEDULE_REMINDERS": "* * * * *",
    "SCRM_QUIET_HOURS": "21:00-08:00",
    "SCRM_SCHEDULE_ESCALATION": "37 9 * * *",
    "SCRM_ESCALATE_AFTER": "next_working_day",
    "SCRM_ESCALATE_AFTER_A": "4h",
    "SCRM_SCHEDULE_ANOMALIES": "7 9 * * *",
    "SCRM_ALERT_SILENT_DAYS": "2",
    "SCRM_ALERT_OVERDUE_SHARE": "0.3",
    "SCRM_ALERT_OVERDUE_JUMP": "2",
    "SCRM_ALERT_DELETIONS": "3",
    "SCRM_SCHEDULE_DAILY_DIGEST": "0 18 * * *",
    "SCRM_SCHEDULE_WEEKLY_DIGEST": "13 9 * * 1",
    "SCRM_SCHEDULE_HONOR_BOARD": "10 18 * * *",
    "SCRM_HONOR_TITLES": "won_amount,on_time,new_customers",
    "SCRM_STREAK_DAYS": "5",
    "SCRM_SCHEDULE_TIERS": "17 2 * * *",
    "SCRM_SCHEDULE_PRUNE": "43 3 * * *",
    "SCRM_KEEP_HISTORY_DAYS": "30",
    "SCRM_KEEP_LEDGER_DAYS": "400",
}


def test_the_declared_variables_are_the_ones_operators_have_with_their_defaults():
    assert {s.variable: s.shown for s in variables()} == KEPT
    jobs = load_settings(**GOOD).jobs
    assert jobs.schedules == {name: job.schedule for name, job in JOBS.items()}
    assert (jobs.grace, jobs.quiet_start, jobs.quiet_end) == (timedelta(minutes=30), time(21), time(8))
    assert (jobs.escalate_after, jobs.escalate_after_a, jobs.escalation_lookback) == (
        "next_working_day",
        "4h",
        timedelta(days=30),
    )
    assert (jobs.silent_days, jobs.overdue_share, jobs.overdue_jump, jobs.overdue_min_due) == (2, 0.3, 2.0, 3)
    assert jobs.deletions_per_day == 3 and jobs.streak_days == 5
    assert jobs.honor_metrics == ("won_amount", "on_time", "new_customers")
    assert (jobs.keep_history, jobs.keep_ledger, jobs.prune_batch) == (timedelta(days=30), timedelta(days=400), 1000)


def test_the_env_example_documents_every_job_variable_with_its_default_and_nothing_stale():
    text = env_example.EXAMPLE.read_text(encoding="utf-8")
    before, section, after = env_example.split(text)
    documented = dotenv_values(stream=StringIO(section))
    declared = {s.variable: s.shown for s in variables()}
    assert sorted(set(declared) - set(documented)) == [], "declared but not in .env.example's job section"
    assert sorted(set(documented) - set(declared)) == [], "in .env.example's job section but declared by no job"
    assert {v: documented[v] for v in declared if documented[v] != declared[v]} == {}, "documented defaults differ"
    elsewhere = set(dotenv_values(stream=StringIO(before + after))) & set(declared)
    assert sorted(elsewhere) == [], "job variables documented outside the job section"
    assert not re.search(r"^#? ?SCRM_SCHEDULE_", before + after, re.M), "a schedule outside the job section"
    assert section == env_example.section(), "the job section differs: run `python -m bot.env_example`"


@pytest.mark.parametrize(
    "name, value, said",
    [  # as main said them before the jobs were declared in one place
        ("scrm_schedule_reminders", "* * * *", "SCRM_SCHEDULE_REMINDERS: '* * * *': a cron expression has 5 fields"),
        ("scrm_schedule_reminders", "0 9 * * 8", "SCRM_SCHEDULE_REMINDERS: weekday '8': days are 0-7 (0 and 7 are"),
        ("scrm_schedule_daily_digest", "soon", "SCRM_SCHEDULE_DAILY_DIGEST: 'soon': a cron expression has 5 fields"),
        ("scrm_job_grace_minutes", "0", "SCRM_JOB_GRACE_MINUTES: Input should be greater than or equal to 1"),
        ("scrm_job_grace_minutes", "1441", "SCRM_JOB_GRACE_MINUTES: Input should be less than or equal to 1440"),
        ("scrm_quiet_hours", "21-8", "SCRM_QUIET_HOURS: must be a range of times like 21:00-08:00"),
        ("scrm_escalate_after", "30m", "SCRM_ESCALATE_AFTER: must be next_working_day, or at least an hour such as"),
        ("scrm_escalate_after_a", "x", "SCRM_ESCALATE_AFTER_A: must be next_working_day, or at least an hour such"),
        ("scrm_alert_silent_days", "61", "SCRM_ALERT_SILENT_DAYS: Input should be less than or equal to 60"),
        ("scrm_alert_overdue_share", "1", "SCRM_ALERT_OVERDUE_SHARE: Input should be less than 1"),
        ("scrm_alert_overdue_jump", "0.5", "SCRM_ALERT_OVERDUE_JUMP: Input should be greater than or equal to 1"),
        ("scrm_alert_deletions", "0", "SCRM_ALERT_DELETIONS: Input should be greater than or equal to 1"),
        ("scrm_honor_titles", "won_amount,fastest", "SCRM_HONOR_TITLES: a comma-separated choice of won_amount, "),
        ("scrm_streak_days", "0", "SCRM_STREAK_DAYS: Input should be greater than or equal to 1"),
        ("scrm_keep_history_days", "3651", "SCRM_KEEP_HISTORY_DAYS: Input should be less than or equal to 3650"),
        ("scrm_keep_ledger_days", "30", "SCRM_KEEP_LEDGER_DAYS: Input should be greater than or equal to 60"),
    ],
)
def test_a_bad_job_setting_is_one_line_naming_its_variable(name, value, said):
    with pytest.raises(ConfigError) as error:
        load_settings(**GOOD, **{name: value})
    assert str(error.value).startswith(said) and "\n" not in str(error.value)


def audit(run: Run) -> Done:
    """A job added in a test: it reports what it read of its own settings."""
    return Done(f"audited deals over {run.settings.audit_floor} yuan, {run.settings.audit_lookback.days} days back")


AUDIT = Job(
    "deal-audit",
    audit,
    "23 7 * * 1-5",
    "big deals without a follow-up, to the managers",
    texts,
    settings=(
        Setting("SCRM_AUDIT_FLOOR", 50_000, "audit_floor", "Deals from this amount (yuan) are audited.", ge=1),
        Setting(
            "SCRM_AUDIT_DAYS", 14, "audit_lookback", "Deals closed this many days back.", read=timedelta, ge=1, le=90
        ),
    ),
)


def test_a_job_declared_once_gets_its_variables_what_it_reads_its_env_section_and_runs(store):
    # Given the table with one job more, declared in one place
    jobs = table(*JOBS.values(), AUDIT)
    # Then its schedule and settings are variables, with their defaults and checks
    settings_model = with_jobs(CoreSettings, jobs)
    loaded = load(settings_model, **GOOD, scrm_audit_days="30")
    assert (loaded.scrm_schedule_deal_audit, loaded.scrm_audit_floor) == ("23 7 * * 1-5", 50_000)
    with pytest.raises(ConfigError, match=r"^SCRM_AUDIT_DAYS: Input should be less than or equal to 90$"):
        load(settings_model, **GOOD, scrm_audit_days="91")
    with pytest.raises(ConfigError, match=r"^SCRM_SCHEDULE_DEAL_AUDIT: weekday '9'"):
        load(settings_model, **GOOD, scrm_schedule_deal_audit="0 9 * * 9")
    # and what the job reads, and its paragraph of .env.example
    read = job_settings(loaded, {}, jobs, SCHEDULER, settings_class(jobs.values(), SCHEDULER))
    assert (read.schedules["deal-audit"], read.audit_floor, read.audit_lookback) == (
        "23 7 * * 1-5",
        50_000,
        timedelta(30),
    )
    assert env_example.section(jobs).endswith(
        "\n\n# deal-audit: big deals without a follow-up, to the managers.\nSCRM_SCHEDULE_DEAL_AUDIT=23 7 * * 1-5\n"
        "# Deals from this amount (yuan) are audited.\nSCRM_AUDIT_FLOOR=50000\n"
        "# Deals closed this many days back.\nSCRM_AUDIT_DAYS=14\n"
    )
    # When it runs
    result = Runner(store, read, FrozenClock(at("2026-12-01 07:23")), table=jobs).run("deal-audit")
    # Then it saw its settings
    assert (result.status, result.summary) == ("done", "audited deals over 50000 yuan, 30 days back")


def test_a_setting_declared_twice_fails_at_import():
    twice = Job("twice", audit, "0 9 * * *", "", texts, settings=(Setting("SCRM_X", 1, "grace", ""),))
    with pytest.raises(ValueError, match="job settings declared twice: grace"):
        settings_class([twice], SCHEDULER)
    with pytest.raises(ValueError, match="two jobs have the same name"):
        table(AUDIT, AUDIT)


def test_jobs_list_shows_each_declared_job_with_its_schedule_in_order(cli_env):
    listed = CliRunner().invoke(cli, ["jobs", "list"], env=cli_env)
    assert listed.exit_code == 0, listed.output
    header, *rows = listed.output.splitlines()
    assert header == f"{'job':<14} {'schedule':<14} {'next run':<17} last tick (Asia/Shanghai)"
    assert [(row[:14].strip(), row[15:29].strip()) for row in rows] == [(n, j.schedule) for n, j in JOBS.items()]
