"""Schedules as operators write them (crontab weekdays, not APScheduler's), and the calendar warning."""

from __future__ import annotations

import logging

import pytest

from jobs import schedule
from jobs.scheduler import Scheduler
from jobs.table import JobSettings
from tests.jobs.conftest import TZ, at, runner


def test_crontab_weekdays_keep_their_meaning():
    """APScheduler 3 reads 0 as Monday; `1-5` must still mean Monday to Friday."""
    friday_evening = at("2026-12-04 18:00")
    assert schedule.next_fire(schedule.trigger("30 9 * * 1-5", TZ), friday_evening) == at("2026-12-07 09:30")
    assert schedule.next_fire(schedule.trigger("0 9 * * 0", TZ), friday_evening) == at("2026-12-06 09:00")
    assert schedule.next_fire(schedule.trigger("0 9 * * 7", TZ), friday_evening) == at("2026-12-06 09:00")
    assert schedule.next_fire(schedule.trigger("0 9 * * 0-2", TZ), friday_evening) == at("2026-12-06 09:00")
    assert schedule.next_fire(schedule.trigger("*/2 * * * * *", TZ), friday_evening) == at("2026-12-04 18:00:02")


@pytest.mark.parametrize(
    "expr, reason",
    [("0 9 * *", "has 5 fields"), ("0 25 * * *", "higher than the maximum"), ("0 9 * * 8", "days are 0-7")],
)
def test_a_wrong_schedule_is_refused_with_the_reason(expr, reason):
    with pytest.raises(ValueError, match=reason):
        schedule.trigger(expr, TZ)


def test_the_scheduler_warns_once_a_year_that_is_not_covered(team, clock, caplog):
    clock.set(at("2026-12-01 10:00"))
    scheduler = Scheduler(runner(team, clock), JobSettings(), clock)
    with caplog.at_level(logging.WARNING, logger="jobs.scheduler"):
        scheduler.check_calendar()
        scheduler.check_calendar()
    warnings = [r.getMessage() for r in caplog.records if "working days" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith("working days: 2027's official holidays")


def test_a_sweep_runs_every_job_that_is_due_within_the_grace(team, clock):
    from tests.jobs.test_catch_up import ticks

    clock.set(at("2026-12-02 09:37"))
    Scheduler(runner(team, clock), JobSettings(), clock).sweep()
    assert ticks(team, "escalation") == [("12-02 09:37", "done")]
    assert ticks(team, "reminders") == [("12-02 09:37", "done")]
    assert ticks(team, "anomalies") == []  # 09:07 is 30 minutes ago: no longer within the grace
