"""`/metrics` for Prometheus: what happens per process (callbacks, acks, sends), and the queues and job ticks
as the database holds them (read at each scrape, the same numbers as `/healthz`).

Under gunicorn (`scrm serve`) every worker counts in files under PROMETHEUS_MULTIPROC_DIR, which `scrm serve`
sets before anything imports prometheus_client, and the scrape sums them (prometheus-client's multiprocess
mode). Labels carry outcomes and errcodes only: never a userid, a key or a message.
"""

from __future__ import annotations

import contextlib
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func
from sqlmodel import select

from scrm import health
from scrm.clock import Clock
from scrm.db import Store
from scrm.models import InboxEvent, JobTick, OutboxMessage
from scrm.spool import Spool, SpoolDamaged

CALLBACKS = Counter("scrm_callbacks_total", "Callbacks answered, by HTTP status", ["status"])
ACK_SECONDS = Histogram("scrm_ack_seconds", "From a callback's arrival to its answer",
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
SENDS = Counter("scrm_sends_total", "Outbox rows tried, by what became of them and WeCom's errcode",
                ["status", "errcode"])


class StoreCollector:
    """Gauges read from the database at scrape time: queue rows by status, the oldest due row's age, job
    ticks by job and status."""

    def __init__(self, store: Store, clock: Clock, spool: Spool | None) -> None:
        self._store, self._clock, self._spool = store, clock, spool

    def collect(self):
        rows = GaugeMetricFamily("scrm_queue_rows", "Rows in the inbox and the outbox, by status", labels=["queue", "status"])
        oldest = GaugeMetricFamily("scrm_queue_oldest_due_seconds", "Age of the oldest row due now", labels=["queue"])
        ticks = GaugeMetricFamily("scrm_job_ticks", "Scheduled ticks recorded, by job and status", labels=["job", "status"])
        spooled = (0, None)
        if self._spool:
            with contextlib.suppress(SpoolDamaged):  # /healthz says so; the next write or move recovers it
                spooled = self._spool.waiting()
                rows.add_metric(["inbox", "arriving"], spooled[0])  # in the spool, not yet moved in (SQLite)
        with self._store.read() as session:
            for queue, model in (("inbox", InboxEvent), ("outbox", OutboxMessage)):
                for status, n in session.exec(select(model.status, func.count()).group_by(model.status)):
                    rows.add_metric([queue, status], n)
            report, _ = health.queues(session, self._clock.now(), spooled)
            for queue in ("inbox", "outbox"):
                oldest.add_metric([queue], report[queue]["oldest_due_seconds"])
            for job, status, n in session.exec(select(JobTick.job, JobTick.status, func.count())
                                               .group_by(JobTick.job, JobTick.status)):
                ticks.add_metric([job, status], n)
        yield from (rows, oldest, ticks)


def exposition(store: Store, clock: Clock, spool: Spool | None = None) -> tuple[bytes, str]:
    """The scrape's body and content type."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in (CALLBACKS, ACK_SECONDS, SENDS):
            registry.register(metric)
    registry.register(StoreCollector(store, clock, spool))
    return generate_latest(registry), CONTENT_TYPE_LATEST
