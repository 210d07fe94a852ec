"""`make bench`: callback ingest under load on gunicorn, against a bare Flask endpoint in the same run.

For the bare endpoint and for ingest on each database: wrk for throughput (closed loop), then an
open-loop fixed rate (default 1,000 req/s) for latency; then a check that the inbox holds every
delivered callback exactly once. Prints a table with the ratio to bare and the goal verdicts, and,
when a goal is missed (or with --profile), where the ingest time goes.

    python -m bench.ingest [--quick] [--duration 10] [--connections 20] [--workers 2]
                           [--backends sqlite,postgresql] [--rate 1000] [--rate-seconds 10] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.exc import OperationalError

from bench import report
from bench.callbacks import Callback, Secrets, make_lines, write_wrk_data
from bench.cpu import APPLICATION_NAME, postgres_pids
from bench.cpu import per_request as cpu_per_request
from bench.cpu import sample as cpu_sample
from bench.loadgen import fixed_rate, settle, wrk
from bench.machine import describe_machine, load_average
from bench.profile_ingest import profile
from bench.report import Result
from bench.servers import Database, gunicorn, postgres_database, sqlite_database
from bench.timing import per_request_ms, snapshot
from bench.verify import check, from_rate, from_wrk

THREADS = 2  # wrk threads


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, help="wrk seconds per target (default 10, quick 3)")
    parser.add_argument("--connections", type=int, default=20, help="wrk connections (default 20)")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * len(os.sched_getaffinity(0)),
        help="gunicorn sync workers (default 2 a CPU core, as scrm serve)",
    )
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--rate", type=float, default=1000.0, help="fixed rate for the latency phase, req/s")
    parser.add_argument("--rate-seconds", type=float, help="latency phase seconds (default 10, quick 3)")
    parser.add_argument("--redeliveries", type=float, default=0.1, help="share of exact redeliveries (0.1)")
    parser.add_argument("--profile", action="store_true", help="profile ingest even when the goals are met")
    parser.add_argument("--quick", action="store_true", help="short phases: a smoke run in about a minute")
    args = parser.parse_args(argv)
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.rate_seconds = args.rate_seconds or (3.0 if args.quick else 10.0)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if unknown := set(args.backends) - {"sqlite", "postgresql"}:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupted)  # so the cleanup below also runs on SIGTERM
    print(describe_machine(), flush=True)
    s = Secrets.random()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        tmp = Path(folder)
        print("generating signed callbacks ...", flush=True)
        load = make_lines(s, max(5000, int(args.duration * 4000)), first=0, redeliveries=args.redeliveries)
        data = write_wrk_data(load, tmp / "callbacks.tsv")
        paced = make_lines(s, int(args.rate * args.rate_seconds), first=10_000_000, redeliveries=args.redeliveries)
        warm = make_lines(s, 200, first=20_000_000, redeliveries=0)
        run = lambda target, database=None: _run(target, database, args, s, data, load, paced, warm)  # noqa: E731
        results = [run("bare")]
        for backend in args.backends:
            with contextlib.ExitStack() as stack:
                try:
                    database = stack.enter_context(_database(backend, tmp))
                except OperationalError as error:  # e.g. PostgreSQL not running: say so, measure the rest
                    print(f"\n{backend}: skipped ({str(error.orig).splitlines()[0]})", flush=True)
                    continue
                results.append(run(backend, database))
        if not args.quick:
            results.append(run("bare (again)"))
        print(report.table(results, args.rate))
        print(report.in_app_table(results, args.rate))
        print(report.cpu_table(results, args.rate))
        met, verdicts = report.verdicts(results, args.rate)
        print(verdicts, flush=True)
        if not met or args.profile:
            for index, r in enumerate(r for r in results if not r.baseline):
                with _database(r.target, tmp) as database:
                    print(
                        report.profile_text(
                            profile(
                                r.target,
                                database,
                                s,
                                calls=300 if args.quick else 2000,
                                first=30_000_000 + index * 1_000_000,
                            )
                        ),
                        flush=True,
                    )
    print(f"\nbench finished in {time.monotonic() - started:.0f} s; {load_average()}")
    return 0 if all(r.check is None or r.check.ok for r in results) else 1


def _interrupted(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _database(backend: str, folder: Path) -> contextlib.AbstractContextManager[Database]:
    return sqlite_database(folder) if backend == "sqlite" else postgres_database()


def _run(
    target: str,
    database: Database | None,
    args: argparse.Namespace,
    s: Secrets,
    data: Path,
    load: list[Callback],
    paced: list[Callback],
    warm: list[Callback],
) -> Result:
    app = "bench.wsgi_targets:bare_app()" if database is None else "bench.wsgi_targets:ingest_app()"
    env = s.env()
    postgres = database.url if database is not None and database.schema else None
    if database is not None:
        url = f"{database.url}?application_name={APPLICATION_NAME}" if postgres else database.url
        env |= {"DATABASE_URL": url, "BENCH_DB_SCHEMA": database.schema or ""}
    print(f"\n{target}: gunicorn {args.workers} sync workers", flush=True)
    with gunicorn(app, workers=args.workers, env=env) as server:
        host = f"{server.host}:{server.port}"
        warmed = fixed_rate(server.host, server.port, [c.http(host) for c in warm], rate=200)
        settle(1.0)
        before, cpu = snapshot(server.timings), [cpu_sample(server.group, postgres_pids(postgres))]
        loaded = wrk(server.url, data, threads=THREADS, connections=args.connections, seconds=args.duration)
        cpu.append(cpu_sample(server.group, postgres_pids(postgres)))
        settle(1.0)
        middle = snapshot(server.timings)
        print(f"  wrk: {loaded.rate:,.0f} req/s, errors {loaded.errors}; {_in_app(before, middle)}", flush=True)
        cpu.append(cpu_sample(server.group, postgres_pids(postgres)))
        timed = fixed_rate(server.host, server.port, [c.http(host) for c in paced], rate=args.rate)
        cpu.append(cpu_sample(server.group, postgres_pids(postgres)))
        settle(0.5)
        after = snapshot(server.timings)
        print(
            f"  {args.rate:,.0f}/s: achieved {timed.achieved:,.0f}/s, p50 {timed.percentile(50):.1f} ms, "
            f"p99 {timed.percentile(99):.1f} ms, client lag p99 {timed.percentile(99, timed.lags_ms):.1f} ms "
            f"and CPU {timed.client_cpu:.0%} of a core, "
            f"statuses {timed.statuses}; {_in_app(middle, after)}",
            flush=True,
        )
    result = Result(
        target,
        loaded,
        timed,
        None,
        per_request_ms(before, middle),
        per_request_ms(middle, after),
        cpu_per_request(cpu[0], cpu[1], loaded.requests),
        cpu_per_request(cpu[2], cpu[3], len(timed.latencies_ms)),
    )
    if database is not None:
        phases = [
            from_rate("warm-up", warm, warmed),
            from_wrk("wrk", load, loaded, threads=THREADS, connections=args.connections),
            from_rate("fixed rate", paced, timed),
        ]
        result.check = check(database.inbox(), phases)
        print(f"  inbox: {result.check.describe()}", flush=True)
        if loaded.wrapped:
            print("  note: wrk went through all its callbacks and resent some (raise the count)")
    return result


def _in_app(before: dict[str, float], after: dict[str, float]) -> str:
    ms = per_request_ms(before, after)
    if not ms:
        return "in-app time not recorded"
    text = f"in the app a request: wall {ms['app_wall']:.2f} ms, CPU {ms['app_cpu']:.2f} ms"
    if ms["db_wall"]:
        text += f" (transaction: wall {ms['db_wall']:.2f} ms, CPU {ms['db_cpu']:.2f} ms)"
    return text


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped and temporary data removed", file=sys.stderr)
        sys.exit(130)
