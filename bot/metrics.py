"""`/metrics` for Prometheus: what happens per process (callbacks, acks, sends), and the queues and job ticks
as the database holds them (the same numbers as `/healthz`).

Under gunicorn (`scrm serve`) every worker counts in files under PROMETHEUS_MULTIPROC_DIR, which `scrm serve`
sets before anything imports prometheus_client, and the scrape sums them (prometheus-client's multiprocess
mode). Labels carry outcomes and errcodes only: never a userid, a key or a message.

A scrape must stay cheap whatever the history and however many ask: a web process busy with one cannot take a
callback. So the database's gauges count only what is still in a queue or waits for an operator (pending,
processing, failed, dead) and ticks that did not end done, each through an index, never the finished history
(`scrm_callbacks_total` and `scrm_sends_total` count what finished); and each web process makes the page at
most once every `cache` (SCRM_METRICS_CACHE_SECONDS, 5): a scrape in between is as cheap as a 404. Pages of
different processes are up to `cache` apart, so a counter can only appear to go back to a scraper that asks
more often than that (keep it below the scrape interval).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, literal, union_all
from sqlmodel import Session, col, select

from scrm import health
from scrm.clock import Clock
from scrm.db import Store
from scrm.models import InboxEvent, JobTick, OutboxMessage
from scrm.spool import Spool, SpoolDamaged
from scrm.statuses import TickStatus

CALLBACKS = Counter("scrm_callbacks_total", "Callbacks answered, by HTTP status", ["status"])
ACK_SECONDS = Histogram(
    "scrm_ack_seconds",
    "From a callback's arrival to its answer",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SENDS = Counter(
    "scrm_sends_total", "Outbox rows tried, by what became of them and WeCom's errcode", ["status", "errcode"]
)
TICKS_NOT_DONE = tuple(s for s in TickStatus if s != TickStatus.DONE)
Value = TypeVar("Value")


class Cached(Generic[Value]):
    """A value read again once `ttl` has passed on the clock (or the clock went back); one read at a time, so
    concurrent askers wait for it rather than each asking the database."""

    def __init__(self, clock: Clock, ttl: timedelta, read: Callable[[datetime], Value]) -> None:
        self._clock, self._ttl, self._read = clock, ttl, read
        self._lock = threading.Lock()
        self._value: Value | None = None
        self._read_at: datetime | None = None

    def get(self) -> Value:
        with self._lock:
            now = self._clock.now()
            if self._read_at is None or not self._read_at <= now < self._read_at + self._ttl:
                self._value, self._read_at = self._read(now), now
            return self._value  # type: ignore[return-value]


class StoreGauges:
    """Gauges read from the database: queue rows by status, the oldest due row's age, ticks that did not end
    done, and when each job last ended done."""

    def __init__(self, store: Store, clock: Clock, spool: Spool | None, *, jobs: Sequence[str] = ()) -> None:
        self._store, self._clock, self._spool, self._jobs = store, clock, spool, tuple(jobs)

    def collect(self) -> list[GaugeMetricFamily]:
        return self._read(self._clock.now())

    def _read(self, now: datetime) -> list[GaugeMetricFamily]:
        rows = GaugeMetricFamily(
            "scrm_queue_rows",
            "Rows still in the inbox and the outbox (or dead, waiting for an operator), by status",
            labels=["queue", "status"],
        )
        oldest = GaugeMetricFamily("scrm_queue_oldest_due_seconds", "Age of the oldest row due now", labels=["queue"])
        ticks = GaugeMetricFamily(
            "scrm_job_ticks", "Kept ticks that did not end done, by job and status", labels=["job", "status"]
        )
        last_done = GaugeMetricFamily(
            "scrm_job_last_done_timestamp_seconds",
            "When each job's latest tick that ended done was scheduled (Unix time)",
            labels=["job"],
        )
        spooled = (0, None)
        if self._spool:
            with contextlib.suppress(SpoolDamaged):  # /healthz says so; the next write or move recovers it
                spooled = self._spool.waiting()
                rows.add_metric(["inbox", "arriving"], spooled[0])  # in the spool, not yet moved in (SQLite)
        with self._store.read() as session:
            for queue, model in (("inbox", InboxEvent), ("outbox", OutboxMessage)):
                counted = dict.fromkeys(health.LIVE, 0) | live_counts(session, model)
                for status, n in counted.items():
                    rows.add_metric([queue, status], n)
            report, _ = health.queues(session, now, spooled)
            for queue in ("inbox", "outbox"):
                oldest.add_metric([queue], report[queue]["oldest_due_seconds"])
            for job, status, n in session.exec(
                select(JobTick.job, JobTick.status, func.count())
                .where(col(JobTick.status).in_(TICKS_NOT_DONE))
                .group_by(JobTick.job, JobTick.status)
            ):
                ticks.add_metric([job, status], n)
            for job, at in _last_done(session, self._jobs):
                last_done.add_metric([job], at.timestamp())
        return [rows, oldest, ticks, last_done]


def live_counts(session: Session, model: type[InboxEvent] | type[OutboxMessage]) -> dict[str, int]:
    """Rows by status among those still in the queue or dead: a range of the (status, …) index, never the
    finished history."""
    query = select(model.status, func.count()).where(col(model.status).in_(health.LIVE)).group_by(model.status)
    return dict(session.exec(query).all())


def _last_done(session: Session, jobs: tuple[str, ...]) -> list[tuple[str, datetime]]:
    """Each job's latest done tick: one index seek a job (ix_job_tick_status), all in one statement."""
    if not jobs:
        return []
    latest = [
        select(literal(job).label("job"), func.max(JobTick.scheduled_for).label("at")).where(
            JobTick.status == TickStatus.DONE, JobTick.job == job
        )
        for job in jobs
    ]
    found = session.execute(union_all(*latest)).all()
    return [(job, at) for job, at in found if at is not None]


class Exposition:
    """The `/metrics` page of one process, made at most once a `cache`."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        spool: Spool | None = None,
        *,
        jobs: Sequence[str] = (),
        cache: timedelta = timedelta(0),
    ) -> None:
        self._registry = CollectorRegistry()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.MultiProcessCollector(self._registry)
        else:
            for metric in (CALLBACKS, ACK_SECONDS, SENDS):
                self._registry.register(metric)
        self._registry.register(StoreGauges(store, clock, spool, jobs=jobs))
        self._page = Cached(clock, cache, lambda _now: generate_latest(self._registry))

    def render(self) -> tuple[bytes, str]:
        """The scrape's body and content type."""
        return self._page.get(), CONTENT_TYPE_LATEST
