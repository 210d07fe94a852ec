"""The prune job: finished history older than its keep goes, in batches of their own transaction; what is still
in a queue, dead rows (triage and replay), each job's latest tick and younger ledger keys stay (issue 19)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Delete, event
from sqlmodel import select

from jobs.table import JOBS
from scrm.models import InboxEvent, JobLedger, JobTick, OutboxMessage
from tests.jobs.conftest import runner

DAY = timedelta(days=1)


def test_prune_deletes_exactly_the_old_finished_history_in_batches_and_again_nothing(store, clock):
    now = clock.now()
    inbox = {
        "done-old-1": ("done", 40),
        "done-old-2": ("done", 31),
        "done-old-3": ("done", 60),
        "done-old-4": ("done", 45),
        "done-old-5": ("done", 300),
        "done-recent": ("done", 29),
        "dead-old": ("dead", 400),
        "pending-old": ("pending", 90),
        "failed-old": ("failed", 90),
        "processing-old": ("processing", 90),
    }
    outbox = {
        "sent-old-1": ("sent", 40),
        "sent-old-2": ("sent", 31),
        "sent-old-3": ("sent", 99),
        "expired-old-1": ("expired", 40),
        "expired-old-2": ("expired", 35),
        "sent-recent": ("sent", 3),
        "expired-recent": ("expired", 20),
        "dead-old": ("dead", 400),
        "pending-old": ("pending", 90),
        "failed-old": ("failed", 90),
    }
    ticks = {
        ("reminders", 40),
        ("reminders", 39),
        ("reminders", 0),
        ("weekly-digest", 50),
        ("weekly-digest", 45),
        ("tiers", 1),
    }
    keys = {"reminder:old": 401, "escalation:kept": 100, "morning:new": 1}
    with store.transaction() as session:
        for key, (status, days) in inbox.items():
            at = now - days * DAY
            session.add(
                InboxEvent(
                    dedup_key=key,
                    kind="text",
                    payload={},
                    received_at=at - DAY,
                    next_try_at=at,
                    status=status,
                    done_at=at if status == "done" else None,
                )
            )
        for key, (status, days) in outbox.items():
            at = now - days * DAY
            session.add(
                OutboxMessage(
                    key=key,
                    channel="app",
                    payload={},
                    created_at=at,
                    next_try_at=at,
                    status=status,
                    sent_at=at if status == "sent" else None,
                )
            )
        for job, days in ticks:
            at = now - days * DAY
            session.add(JobTick(job=job, scheduled_for=at, status="done", attempts=1, started_at=at, finished_at=at))
        for key, days in keys.items():
            session.add(JobLedger(key=key, job="reminders", created_at=now - days * DAY))

    deletes, transactions = [], [0]
    event.listen(store.engine, "begin", lambda _connection: transactions.__setitem__(0, transactions[0] + 1))
    event.listen(
        store.engine,
        "after_execute",
        lambda _c, clause, _m, _p, _o, result: (
            deletes.append((clause.table.name, result.rowcount, transactions[0]))
            if isinstance(clause, Delete)
            else None
        ),
    )
    result = runner(store, clock, prune_batch=2).run("prune")

    assert result.status == "done", result.summary
    assert result.summary == (
        "deleted 5 inbox rows, 5 outbox rows, 3 ticks (finished before 2026-11-01 09:00), "
        "1 ledger keys (before 2025-10-27 09:00)"
    )
    with store.read() as session:
        assert set(session.exec(select(InboxEvent.dedup_key)).all()) == {
            "done-recent",
            "dead-old",
            "pending-old",
            "failed-old",
            "processing-old",
        }
        assert set(session.exec(select(OutboxMessage.key)).all()) == {
            "sent-recent",
            "expired-recent",
            "dead-old",
            "pending-old",
            "failed-old",
        }
        kept = {(job, round((now - at) / DAY)) for job, at in session.exec(select(JobTick.job, JobTick.scheduled_for))}
        assert kept == {("reminders", 0), ("weekly-digest", 45), ("tiers", 1), ("prune", 0)}  # each job's latest stays
        assert set(session.exec(select(JobLedger.key)).all()) == {"escalation:kept", "morning:new"}
    by_table = {table: [n for t, n, _ in deletes if t == table] for table in ("inbox_event", "outbox_message")}
    assert by_table == {"inbox_event": [2, 2, 1], "outbox_message": [2, 2, 1]}  # batches of at most 2 rows
    assert len({transaction for *_, transaction in deletes}) == len(deletes)  # each batch committed on its own

    clock.advance(minutes=1)
    again = runner(store, clock, prune_batch=2).run("prune")
    assert again.summary.startswith("deleted 0 inbox rows, 0 outbox rows, 0 ticks (")
    assert again.summary.endswith("0 ledger keys (before 2025-10-27 09:01)")


def test_prune_counts_from_the_real_clock_never_from_a_later_at(store, clock):
    now = clock.now()
    with store.transaction() as session:
        session.add(
            InboxEvent(
                dedup_key="done-10-days",
                kind="text",
                payload={},
                received_at=now - 10 * DAY,
                next_try_at=now - 10 * DAY,
                status="done",
                done_at=now - 10 * DAY,
            )
        )
    ahead = runner(store, clock).run("prune", now + 365 * DAY)  # `scrm jobs run prune --at` a year ahead
    assert ahead.status == "done" and ahead.summary.startswith("deleted 0 inbox rows")
    with store.read() as session:
        assert session.exec(select(InboxEvent.dedup_key)).all() == ["done-10-days"]


def test_prune_is_a_job_like_the_others_with_a_schedule_of_its_own():
    from jobs.table import DEFAULT_SCHEDULES

    assert "prune" in JOBS and DEFAULT_SCHEDULES["prune"] == "43 3 * * *"


def test_each_batch_finds_its_rows_through_an_index_not_a_table_scan(tmp_path, sqlite_template):
    """SQLite's plans (PostgreSQL's planner rightly scans tables this small): every DELETE searches an index."""
    import shutil

    from scrm.clock import FrozenClock
    from scrm.db import Store, make_engine
    from tests.jobs.conftest import at

    shutil.copy(sqlite_template, tmp_path / "scrm.db")
    store = Store(make_engine(f"sqlite:///{tmp_path / 'scrm.db'}"))
    statements = []
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda _c, _cursor, statement, parameters, *_: (
            statements.append((statement, parameters)) if statement.startswith("DELETE") else None
        ),
    )
    with store.transaction() as session:
        session.add(
            JobTick(
                job="reminders", scheduled_for=at("2026-10-01 09:00"), status="done", started_at=at("2026-10-01 09:00")
            )
        )
    runner(store, FrozenClock(at("2026-12-01 09:00"))).run("prune")
    plans = []
    with store.engine.connect() as connection:
        for statement, parameters in statements:
            plans += [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    assert len(statements) == 5  # inbox, outbox, the ticks of reminders and of prune itself, the ledger
    assert [plan for plan in plans if "SCAN" in plan] == [] and sum("<?)" in plan for plan in plans) == 5, (
        plans
    )  # a range each
    store.engine.dispose()
