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
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.callbacks import Callback, Secrets, make_lines, write_wrk_data
from bench.loadgen import RateResult, WrkResult, fixed_rate, settle, wrk
from bench.machine import describe_machine
from bench.profile_ingest import Profile, profile
from bench.servers import Database, gunicorn, postgres_database, sqlite_database
from bench.verify import Check, check, from_rate, from_wrk

GOAL_RATIO = 0.6
GOAL_P99_MS = 50.0
THREADS = 2  # wrk threads


@dataclass
class Result:
    target: str
    wrk: WrkResult
    rate: RateResult
    check: Check | None = None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, help="wrk seconds per target (default 10, quick 3)")
    parser.add_argument("--connections", type=int, default=20, help="wrk connections (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
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
        results = [_run("bare", None, args, s, data, load, paced, warm)]
        for backend in args.backends:
            try:
                opened = sqlite_database(tmp) if backend == "sqlite" else postgres_database()
                with opened as database:
                    results.append(_run(backend, database, args, s, data, load, paced, warm))
            except Exception as error:  # e.g. PostgreSQL not running: report, measure the rest
                if isinstance(error, RuntimeError) and "gunicorn" in str(error):
                    raise
                print(f"\n{backend}: skipped ({type(error).__name__}: {str(error).splitlines()[0]})", flush=True)
        print(_table(results, args))
        met = _verdicts(results, args)
        if not met or args.profile:
            for index, backend in enumerate(r.target for r in results[1:]):
                with sqlite_database(tmp) if backend == "sqlite" else postgres_database() as database:
                    print(_profile_text(profile(backend, database, s, calls=300 if args.quick else 2000,
                                                first=30_000_000 + index * 1_000_000)), flush=True)
    print(f"\nbench finished in {time.monotonic() - started:.0f} s")
    return 0 if all(r.check is None or r.check.ok for r in results) else 1


def _interrupted(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _run(target: str, database: Database | None, args: argparse.Namespace, s: Secrets, data: Path,
         load: list[Callback], paced: list[Callback], warm: list[Callback]) -> Result:
    app = "bench.wsgi_targets:bare_app()" if database is None else "bench.wsgi_targets:ingest_app()"
    env = s.env()
    if database is not None:
        env |= {"DATABASE_URL": database.url, "BENCH_DB_SCHEMA": database.schema or ""}
    print(f"\n{target}: gunicorn {args.workers} sync workers", flush=True)
    with gunicorn(app, workers=args.workers, env=env) as server:
        host = f"{server.host}:{server.port}"
        warmed = fixed_rate(server.host, server.port, [c.http(host) for c in warm], rate=200)
        settle(1.0)
        loaded = wrk(server.url, data, threads=THREADS, connections=args.connections, seconds=args.duration)
        print(f"  wrk: {loaded.rate:,.0f} req/s, errors {loaded.errors}", flush=True)
        settle(1.0)
        timed = fixed_rate(server.host, server.port, [c.http(host) for c in paced], rate=args.rate)
        print(f"  {args.rate:,.0f}/s: achieved {timed.achieved:,.0f}/s, p50 {timed.percentile(50):.1f} ms, "
              f"p99 {timed.percentile(99):.1f} ms, statuses {timed.statuses}", flush=True)
    result = Result(target, loaded, timed)
    if database is not None:
        phases = [from_rate("warm-up", warm, warmed),
                  from_wrk("wrk", load, loaded, threads=THREADS, connections=args.connections),
                  from_rate("fixed rate", paced, timed)]
        result.check = check(database.inbox(), phases)
        print(f"  inbox: {result.check.describe()}", flush=True)
        if loaded.wrapped:
            print("  note: wrk went through all its callbacks and resent some (raise the count)")
    return result


def _goals(result: Result, bare: Result, args: argparse.Namespace) -> tuple[bool, bool]:
    ratio_met = result.wrk.rate >= GOAL_RATIO * bare.wrk.rate
    rate = result.rate
    held = rate.achieved >= 0.98 * args.rate and rate.failures == 0
    return ratio_met, held and rate.percentile(99) < GOAL_P99_MS


def _table(results: list[Result], args: argparse.Namespace) -> str:
    bare = results[0]
    head = (f"\n| target | wrk req/s | × bare | wrk p50 / p99 ms | at {args.rate:,.0f}/s: achieved | p50 ms | "
            f"p90 ms | p99 ms | max ms | failed | inbox check | ≥ {GOAL_RATIO}× bare | p99 < {GOAL_P99_MS:.0f} ms |")
    lines = [head, "|" + "---|" * 13]
    for r in results:
        ratio_met, p99_met = _goals(r, bare, args)
        lines.append(
            f"| {r.target} | {r.wrk.rate:,.0f} | {r.wrk.rate / bare.wrk.rate:.2f} | "
            f"{r.wrk.latency_ms['p50']:.1f} / {r.wrk.latency_ms['p99']:.1f} | {r.rate.achieved:,.0f}/s | "
            f"{r.rate.percentile(50):.1f} | {r.rate.percentile(90):.1f} | {r.rate.percentile(99):.1f} | "
            f"{max(r.rate.latencies_ms, default=float('nan')):.1f} | {r.rate.failures} | "
            f"{'—' if r.check is None else ('OK' if r.check.ok else '**FAILED**')} | {_mark(ratio_met, r is bare)} | "
            f"{_mark(p99_met, r is bare)} |")
    return "\n".join(lines)


def _mark(met: bool, baseline: bool) -> str:
    return "—" if baseline else ("met" if met else "**missed**")


def _verdicts(results: list[Result], args: argparse.Namespace) -> bool:
    bare, all_met = results[0], True
    print()
    for r in results[1:]:
        ratio_met, p99_met = _goals(r, bare, args)
        ratio = r.wrk.rate / bare.wrk.rate
        p99 = r.rate.percentile(99)
        print(f"{r.target}: throughput {ratio:.2f}× bare ({'met' if ratio_met else 'missed'}: goal ≥ {GOAL_RATIO}×"
              + ("" if ratio_met else f", short by {GOAL_RATIO - ratio:.2f}×, needs "
                 f"{GOAL_RATIO * bare.wrk.rate - r.wrk.rate:,.0f} req/s more") + "); "
              f"p99 at {args.rate:,.0f}/s {p99:.1f} ms ({'met' if p99_met else 'missed'}: goal < {GOAL_P99_MS:.0f} ms"
              + ("" if p99_met or p99 < GOAL_P99_MS else f", over by {p99 - GOAL_P99_MS:.1f} ms") + ")")
        all_met &= ratio_met and p99_met
    return all_met


def _profile_text(p: Profile) -> str:
    total = p.stages_us["receive() in all"]
    lines = [f"\nprofile, {p.backend}: Ingest.receive in-process, {p.calls} fresh callbacks, no HTTP",
             "| stage | µs per callback | share of receive() |", "|---|---|---|"]
    lines += [f"| {name} | {us:,.0f} | {us / total:.0%} |" for name, us in p.stages_us.items()]
    lines += [f"\ncProfile, top {len(p.top)} by own time (µs per receive() call; profiler overhead included)",
              "| own µs | cumulative µs | calls | function |", "|---|---|---|---|"]
    lines += [f"| {tt:,.1f} | {ct:,.1f} | {n} | `{name}` |" for tt, ct, n, name in p.top]
    return "\n".join(lines)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped and temporary data removed", file=sys.stderr)
        sys.exit(130)
