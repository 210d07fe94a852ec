"""Where the ingest time goes: `Ingest.receive` called in-process in a loop, timed by stage and under cProfile.

No HTTP here: what the bare endpoint costs (gunicorn, Flask, the socket) comes on top of these figures.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from dataclasses import dataclass

from bench.callbacks import Callback, Secrets, make_lines
from bench.servers import Database
from bot.app import build
from bot.crypto import CallbackCrypto
from bot.settings import load_settings
from handlers.events import dedup_key, kind_of
from scrm import inbox


@dataclass
class Profile:
    backend: str
    calls: int
    stages_us: dict[str, float]  # stage -> mean microseconds a call
    top: list[tuple[float, float, int, str]]  # by own time: (tottime µs/call, cumtime µs/call, ncalls, function)
    cumulative: list[tuple[float, float, int, str]]  # the same rows, by cumulative time


def profile(backend: str, database: Database, s: Secrets, *, calls: int, first: int, top: int = 15) -> Profile:
    settings = load_settings(_env_file=None, database_url=database.url, **{k.lower(): v for k, v in s.env().items()})
    services = build(settings, db_schema=database.schema)
    try:
        lines = make_lines(s, 3 * calls + 50, first=first, redeliveries=0)
        warm, timed, staged, profiled = (
            lines[:50],
            lines[50 : 50 + calls],
            lines[50 + calls : 50 + 2 * calls],
            lines[50 + 2 * calls :],
        )
        for line in warm:
            _receive(services, line)
        started = time.perf_counter()
        for line in timed:
            _receive(services, line)
        stages = {"receive() in all": (time.perf_counter() - started) / calls * 1e6}
        stages.update(_stages(services, s, staged))
        profiler = cProfile.Profile()
        profiler.enable()
        for line in profiled:
            _receive(services, line)
        profiler.disable()
        rows = _rows(profiler, len(profiled))
        by_cumulative = sorted(rows, key=lambda row: row[1], reverse=True)
        return Profile(backend, calls, stages, rows[:top], by_cumulative[:top])
    finally:
        services.store.engine.dispose()


def _receive(services, line: Callback) -> None:
    ack = services.ingest.receive(line.query, line.body)
    if ack.status != 200:
        raise RuntimeError(f"receive answered {ack.status}")


def _stages(services, s: Secrets, lines: list[Callback]) -> dict[str, float]:
    """The three steps of receive(), timed one by one on fresh callbacks."""
    crypto = CallbackCrypto(s.token, s.aes_key, s.corp_id)
    intake = services.spool or inbox.Intake(services.store.engine)  # what ingest writes with
    spent = {"verify + decrypt + parse XML": 0.0, "dedup key + kind": 0.0, "store (spool or inbox), committed": 0.0}
    names = list(spent)
    for line in lines:
        q = line.query
        t0 = time.perf_counter()
        fields = crypto.open(q["msg_signature"], q["timestamp"], q["nonce"], line.body)
        t1 = time.perf_counter()
        key, kind = dedup_key(fields), kind_of(fields)
        t2 = time.perf_counter()
        intake.add(dedup_key=key, kind=kind, payload=fields, now=services.clock.now())
        t3 = time.perf_counter()
        for name, seconds in zip(names, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            spent[name] += seconds
    return {name: seconds / len(lines) * 1e6 for name, seconds in spent.items()}


def _rows(profiler: cProfile.Profile, calls: int) -> list[tuple[float, float, int, str]]:
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = []
    for (path, line, function), (_cc, ncalls, tottime, cumtime, _callers) in stats.items():
        where = path.split("site-packages/")[-1].split("/main/")[-1]
        name = function if path == "~" else f"{function} ({where}:{line})"
        rows.append((tottime / calls * 1e6, cumtime / calls * 1e6, ncalls, name))
    return sorted(rows, reverse=True)
