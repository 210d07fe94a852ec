"""What a scheduler runs when it looks: the latest missed tick within the grace, once; older ones are skipped
and logged, never sent late; a crashed or failed tick runs again."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.exc import OperationalError
from sqlmodel import select

from jobs.runner import Runner
from jobs.table import JOBS, Job, JobSettings
from scrm import ledger
from scrm.models import JobTick
from tests.jobs.conftest import at, plan, runner, sent


def ticks(store, job: str) -> list[tuple[str, str]]:
    with store.transaction() as session:
        rows = session.exec(select(JobTick).where(JobTick.job == job).order_by(JobTick.scheduled_for)).all()
    return [(f"{r.scheduled_for.astimezone(at('2026-01-01 00:00').tzinfo):%m-%d %H:%M}", r.status) for r in rows]


def test_a_daily_tick_missed_within_the_grace_runs_once_and_an_older_one_is_skipped_with_a_log_line(
    team, clock, caplog
):
    plan(team, "wmChen", "zhangsan", "2026-11-30 15:00", "发报价")
    jobs = runner(team, clock)
    clock.set(at("2026-12-02 09:37"))
    jobs.catch_up("escalation")
    assert ticks(team, "escalation") == [("12-02 09:37", "done")]
    clock.set(at("2026-12-04 09:50"))  # down from Wednesday's tick to Friday 09:50
    with caplog.at_level(logging.WARNING, logger="jobs.runner"):
        jobs.catch_up("escalation")
        jobs.catch_up("escalation")  # looking again changes nothing
    assert ticks(team, "escalation") == [("12-02 09:37", "done"), ("12-03 09:37", "skipped"), ("12-04 09:37", "done")]
    assert "job escalation: skipped 1 missed ticks (2026-12-03 09:37:00 … 2026-12-03 09:37:00)" in caplog.text
    assert len(sent(team)) == 1  # Monday's follow-up, escalated once (by the Wednesday tick)


def test_after_downtime_reminders_within_the_grace_go_once_and_older_ones_wait_for_the_agenda(team, clock):
    old = plan(team, "wmChen", "zhangsan", "2026-12-01 10:05", "早就过了")
    recent = plan(team, "wmZhang", "zhangsan", "2026-12-01 10:20", "刚过")
    jobs = runner(team, clock)
    clock.set(at("2026-12-01 10:00"))
    jobs.catch_up("reminders")
    clock.set(at("2026-12-01 10:45"))  # down for 45 minutes; the grace is 30
    jobs.catch_up("reminders")
    history = ticks(team, "reminders")
    assert history[0] == ("12-01 10:00", "done") and history[-1] == ("12-01 10:45", "done")
    assert [status for _, status in history[1:-1]] == ["skipped"] * 14  # 10:01 … 10:14
    [(_, text)] = sent(team)
    assert "刚过" in text and "早就过了" not in text
    assert old != recent


def flaky(job: Job, failures: int, error: Exception | None = None) -> Job:
    """The job, failing its first `failures` runs as a database that is away for a moment would (or `error`)."""
    left = [failures]

    def run(run):
        if left[0]:
            left[0] -= 1
            raise error or OperationalError("SELECT 1", {}, Exception("the database went away"))
        return job.run(run)

    return replace(job, run=run)


def test_a_failed_tick_is_retried_after_the_policy_delay_and_a_crashed_one_is_taken_over(team, clock):
    plan(team, "wmChen", "zhangsan", "2026-12-01 15:00", "回访")
    jobs = Runner(team, JobSettings(), clock, table={**JOBS, "reminders": flaky(JOBS["reminders"], failures=1)})
    clock.set(at("2026-12-01 15:00"))
    [result] = jobs.catch_up("reminders")
    assert result.status == "paused" and "the database went away" in result.summary  # an outage: no attempt spent
    clock.set(at("2026-12-01 15:00:05"))
    assert jobs.catch_up("reminders") == []  # the pause (10 s) is not over
    clock.set(at("2026-12-01 15:00:30"))
    results = jobs.catch_up("reminders")
    assert [r.status for r in results] == ["done"]
    assert len(sent(team)) == 1
    assert ticks(team, "reminders")[-1] == ("12-01 15:00", "done")
    with team.transaction() as session:  # a tick left running by a process that died
        tick = ledger.start_tick(
            session, "escalation", at("2026-12-02 09:37"), runner="gone:1", now=at("2026-12-02 09:37")
        )
        assert tick.status == "running"
    clock.set(at("2026-12-02 09:38"))
    assert jobs.catch_up("escalation") == []  # its lease is not over: someone may still be on it
    clock.set(at("2026-12-02 09:37") + timedelta(minutes=6))
    [result] = jobs.catch_up("escalation")
    assert result.status == "done" and ticks(team, "escalation") == [("12-02 09:37", "done")]


def test_a_tick_that_fails_for_a_bug_spends_its_attempts_and_stops(team, clock):
    bug = flaky(JOBS["escalation"], failures=99, error=RuntimeError("a bug"))
    jobs = Runner(team, JobSettings(), clock, table={**JOBS, "escalation": bug})
    statuses = []
    for minutes in range(60):  # the sweep, every minute
        clock.set(at("2026-12-02 09:37") + timedelta(minutes=minutes))
        statuses += [r.status for r in jobs.catch_up("escalation")]
    assert statuses == ["failed"] * 5  # the policy's 5 attempts, with backoff, then left for `scrm jobs run`


def test_a_tick_run_by_hand_ahead_of_its_time_still_runs_when_its_time_comes(team, clock):
    jobs = runner(team, clock)
    jobs.run("escalation", at("2026-12-02 09:37"))  # on 12-01, as the demo does
    plan(team, "wmChen", "zhangsan", "2026-11-30 15:00", "发报价")  # overdue by Wednesday
    clock.set(at("2026-12-02 09:37"))
    [result] = jobs.catch_up("escalation")
    assert result.status == "done" and "1 overdue follow-ups escalated" in result.summary
    assert jobs.catch_up("escalation") == []
