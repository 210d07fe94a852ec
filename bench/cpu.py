"""Whose CPU a request costs, machine-wide: the gunicorn workers, PostgreSQL, the load generator, the rest.

On a 2-core machine everything shares the cores, so throughput is CPU per request across all of them;
this splits it up from /proc (Linux). PostgreSQL counts its server processes that serve the benchmark
(application_name `scrm-bench`) and its background processes (WAL writer, checkpointer, ...).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

APPLICATION_NAME = "scrm-bench"
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    wall: float
    busy: float  # CPU seconds used on the machine
    server: float  # the gunicorn process group
    database: float
    generator: float  # wrk (a waited-for child) and this process (the fixed-rate client)


def _machine_busy() -> float:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICK


def _process(pid: int) -> tuple[int, float] | None:
    """(process group, CPU seconds) of a live process."""
    try:
        after_comm = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(after_comm[2]), (int(after_comm[11]) + int(after_comm[12])) / TICK


def postgres_pids(url: str | None) -> set[int]:
    """The server processes working for the benchmark, read from pg_stat_activity."""
    if not url:
        return set()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = :name OR backend_type <> 'client backend'"  # noqa: E501
                ),
                {"name": APPLICATION_NAME},
            )
            return {row[0] for row in rows}
    except Exception:
        return set()
    finally:
        engine.dispose()


def sample(server_group: int, database_pids: set[int]) -> Sample:
    server = 0.0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (found := _process(int(entry.name))) and found[0] == server_group:
            server += found[1]
    database = sum(found[1] for pid in database_pids if (found := _process(pid)))
    own = os.times()
    generator = own.user + own.system + own.children_user + own.children_system
    return Sample(time.monotonic(), _machine_busy(), server, database, generator)


def per_request(before: Sample, after: Sample, requests: int) -> dict[str, float]:
    """CPU ms a request by whom, and `busy`: the share of all cores in use over the interval."""
    if requests <= 0:
        return {}
    parts = {name: getattr(after, name) - getattr(before, name) for name in ("server", "database", "generator")}
    busy = after.busy - before.busy
    ms = {name: seconds / requests * 1000 for name, seconds in parts.items()}
    ms["other"] = max(0.0, busy - sum(parts.values())) / requests * 1000
    ms["busy"] = busy / ((after.wall - before.wall) * (os.cpu_count() or 1))
    return ms
