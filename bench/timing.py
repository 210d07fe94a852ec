"""Wall and CPU time inside the served app, per request, while under load.

The in-process profile cannot see what only concurrency causes (SQLite's write lock, PostgreSQL
round trips and commits); these totals can. Each worker adds up the WSGI call and the database
transaction and writes its totals to BENCH_TIMINGS_DIR/<pid>.json every FLUSH_EVERY requests; the
benchmark diffs the sums before and after a phase. Overhead: four clock reads a request.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scrm.db import Store

FLUSH_EVERY = 100
FIELDS = ("requests", "app_wall", "app_cpu", "db_wall", "db_cpu")


class Totals:
    def __init__(self, folder: str) -> None:
        self._file = Path(folder) / f"{os.getpid()}.json"
        self.sums = dict.fromkeys(FIELDS, 0.0)

    def add(self, prefix: str, wall: float, cpu: float) -> None:
        self.sums[f"{prefix}_wall"] += wall
        self.sums[f"{prefix}_cpu"] += cpu
        if prefix == "app":
            self.sums["requests"] += 1
            if self.sums["requests"] % FLUSH_EVERY == 0:
                self._file.write_text(json.dumps(self.sums))


class TimedStore(Store):
    """The project's Store, timing each transaction."""

    def __init__(self, engine, totals: Totals) -> None:
        super().__init__(engine)
        self._totals = totals

    @contextmanager
    def transaction(self) -> Iterator:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            with super().transaction() as session:
                yield session
        finally:
            self._totals.add("db", time.perf_counter() - wall, time.thread_time() - cpu)


def timed(app, totals: Totals):
    """WSGI middleware timing the app call (the responses here are small and not streamed)."""

    def call(environ, start_response):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return app(environ, start_response)
        finally:
            totals.add("app", time.perf_counter() - wall, time.thread_time() - cpu)

    return call


def snapshot(folder: Path) -> dict[str, float]:
    """The sums over every worker's last flush."""
    sums = dict.fromkeys(FIELDS, 0.0)
    for file in folder.glob("*.json"):
        try:
            data = json.loads(file.read_text())
        except (OSError, ValueError):  # caught mid-write: skip this worker for this snapshot
            continue
        for key in FIELDS:
            sums[key] += data.get(key, 0.0)
    return sums


def per_request_ms(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Mean milliseconds a request between two snapshots: app_wall, app_cpu, db_wall, db_cpu."""
    n = after["requests"] - before["requests"]
    if n <= 0:
        return {}
    return {k: (after[k] - before[k]) / n * 1000 for k in FIELDS if k != "requests"}
