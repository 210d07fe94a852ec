"""The printed figures: the results table, where the time goes in the app, the goal verdicts, the profile."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.loadgen import RateResult, WrkResult
from bench.profile_ingest import Profile
from bench.verify import Check

GOAL_RATIO = 0.6
GOAL_P99_MS = 50.0


@dataclass
class Result:
    target: str
    wrk: WrkResult
    rate: RateResult
    check: Check | None = None  # None for the bare endpoint
    wrk_ms: dict[str, float] = field(default_factory=dict)  # in-app time a request (bench/timing.py)
    rate_ms: dict[str, float] = field(default_factory=dict)
    wrk_cpu: dict[str, float] = field(default_factory=dict)  # machine-wide CPU ms a request (bench/cpu.py)
    rate_cpu: dict[str, float] = field(default_factory=dict)

    @property
    def baseline(self) -> bool:
        return self.check is None


def baseline_rate(results: list[Result]) -> float:
    """The bare endpoint's throughput: the best of its runs (one before the ingest runs, one after).

    Other work on the machine only ever lowers a figure, so the best run is the least disturbed one,
    and comparing against it can only make the ratio look worse, never better.
    """
    return max(r.wrk.rate for r in results if r.baseline)


def goals(result: Result, bare_rate: float) -> tuple[bool, bool]:
    """(throughput ≥ 0.6× bare, p99 < 50 ms at the fixed rate with every request answered)."""
    return (
        result.wrk.rate >= GOAL_RATIO * bare_rate,
        result.rate.failures == 0 and result.rate.percentile(99) < GOAL_P99_MS,
    )


def table(results: list[Result], rate: float) -> str:
    bare = baseline_rate(results)
    lines = [
        f"\n| target | wrk req/s | × bare | wrk p50 / p99 ms | at {rate:,.0f}/s: achieved | p50 ms | p90 ms | "
        f"p99 ms | max ms | not answered | inbox check | ≥ {GOAL_RATIO}× bare | p99 < {GOAL_P99_MS:.0f} ms |",
        "|" + "---|" * 13,
    ]
    for r in results:
        ratio_met, p99_met = goals(r, bare)
        lines.append(
            f"| {r.target} | {r.wrk.rate:,.0f} | {r.wrk.rate / bare:.2f} | "
            f"{r.wrk.latency_ms['p50']:.1f} / {r.wrk.latency_ms['p99']:.1f} | {r.rate.achieved:,.0f}/s | "
            f"{r.rate.percentile(50):.1f} | {r.rate.percentile(90):.1f} | {r.rate.percentile(99):.1f} | "
            f"{max(r.rate.latencies_ms, default=float('nan')):.1f} | {r.rate.failures} | "
            f"{'—' if r.check is None else ('OK' if r.check.ok else '**FAILED**')} | "
            f"{_mark(ratio_met, r.baseline)} | {_mark(p99_met, r.baseline)} |"
        )
    lines.append(f"\n× bare: against the best bare run, {bare:,.0f} req/s.")
    return "\n".join(lines)


def in_app_table(results: list[Result], rate: float) -> str:
    """Mean ms a request inside the WSGI app and inside its database transaction, under each load."""
    lines = [
        "\nin the app, ms a request (wall / CPU of the worker):",
        f"| target | wrk: app | wrk: transaction | at {rate:,.0f}/s: app | at {rate:,.0f}/s: transaction |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        cells = [_pair(ms, "app") + " | " + _pair(ms, "db") for ms in (r.wrk_ms, r.rate_ms)]
        lines.append(f"| {r.target} | {' | '.join(cells)} |")
    return "\n".join(lines)


def cpu_table(results: list[Result], rate: float) -> str:
    lines = [
        "\nCPU a request across the machine, ms (cores busy: share of all cores over the phase):",
        "| target | phase | cores busy | gunicorn workers | PostgreSQL | load generator | other | total |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for phase, ms in (("wrk", r.wrk_cpu), (f"{rate:,.0f}/s", r.rate_cpu)):
            if ms:
                parts = [ms[k] for k in ("server", "database", "generator", "other")]
                cells = " | ".join(f"{v:.2f}" for v in parts)
                lines.append(f"| {r.target} | {phase} | {ms['busy']:.0%} | {cells} | {sum(parts):.2f} |")
    return "\n".join(lines)


def _pair(ms: dict[str, float], prefix: str) -> str:
    wall, cpu = ms.get(f"{prefix}_wall", 0.0), ms.get(f"{prefix}_cpu", 0.0)
    return f"{wall:.2f} / {cpu:.2f}" if wall else "—"


def _mark(met: bool, baseline: bool) -> str:
    return "—" if baseline else ("met" if met else "**missed**")


def verdicts(results: list[Result], rate: float) -> tuple[bool, str]:
    bare, all_met, lines = baseline_rate(results), True, [""]
    for r in results:
        if r.baseline:
            continue
        ratio_met, p99_met = goals(r, bare)
        ratio, p99 = r.wrk.rate / bare, r.rate.percentile(99)
        throughput = (
            f"throughput {ratio:.2f}× bare: met (goal ≥ {GOAL_RATIO}×)"
            if ratio_met
            else f"throughput {ratio:.2f}× bare: missed by {GOAL_RATIO - ratio:.2f}× "
            f"({GOAL_RATIO * bare - r.wrk.rate:,.0f} req/s short of {GOAL_RATIO * bare:,.0f})"
        )
        latency = f"p99 at {rate:,.0f}/s {p99:.1f} ms: " + (
            f"met (goal < {GOAL_P99_MS:.0f} ms)"
            if p99_met
            else f"missed (goal < {GOAL_P99_MS:.0f} ms; achieved {r.rate.achieved:,.0f}/s, "
            f"{r.rate.failures} not answered)"
        )
        lines.append(f"{r.target}: {throughput}; {latency}")
        all_met &= ratio_met and p99_met
    return all_met, "\n".join(lines)


def profile_text(p: Profile) -> str:
    total = p.stages_us["receive() in all"]
    lines = [
        f"\nprofile, {p.backend}: Ingest.receive in-process, {p.calls} fresh callbacks, no HTTP",
        "| stage | µs per callback | share of receive() |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {us:,.0f} | {us / total:.0%} |" for name, us in p.stages_us.items()]
    for title, rows in (("own time", p.top), ("cumulative time", p.cumulative)):
        lines += [
            f"\ncProfile, top {len(rows)} by {title} (µs per receive() call, profiler overhead included)",
            "| own µs | cumulative µs | calls | function |",
            "|---|---|---|---|",
        ]
        lines += [f"| {tt:,.1f} | {ct:,.1f} | {n} | `{name}` |" for tt, ct, n, name in rows]
    return "\n".join(lines)
