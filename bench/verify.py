"""After the load: every acknowledged callback is in the inbox once, and nothing else is (no losses,
no duplicates); the dedup path counted each redelivery in `deliveries`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.callbacks import Callback
from bench.loadgen import RateResult, WrkResult


@dataclass
class Phase:
    """What one load phase sent to the ingest endpoint."""

    name: str
    lines: Sequence[Callback]  # everything generated for the phase
    sent: list[Callback]  # what was sent (a request may have been cut off when the load stopped)
    required: list[Callback]  # what must be stored: acknowledged, or sent well before the end
    acked: int  # 200 responses: each inserted a row or counted a redelivery


def from_wrk(name: str, lines: Sequence[Callback], result: WrkResult, *, threads: int, connections: int) -> Phase:
    """wrk thread t sent lines[t::threads] in order; the last `connections/threads` of them may have
    been in flight when wrk stopped, so only those before them are required."""
    sent: list[Callback] = []
    required: list[Callback] = []
    in_flight = -(-connections // threads)
    for t in range(threads):
        mine = lines[t::threads]
        order = [mine[i % len(mine)] for i in range(result.sent.get(t, 0))]
        sent += order
        required += order[: max(0, len(order) - in_flight)]
    return Phase(name, lines, sent, required, result.requests - result.errors.get("status", 0))


def from_rate(name: str, lines: Sequence[Callback], result: RateResult) -> Phase:
    skipped = set(result.skipped)
    sent = [line for i, line in enumerate(lines) if i not in skipped]
    return Phase(name, lines, sent, [lines[i] for i in result.acked], len(result.acked))


@dataclass
class Check:
    rows: int
    distinct_sent: int
    deliveries: int
    acked: int
    requests_sent: int
    stray: int  # rows no phase sent
    missing: int  # required but absent
    ok: bool

    def describe(self) -> str:
        verdict = "OK" if self.ok else "FAILED"
        gap = self.distinct_sent - self.rows
        note = f", {gap} cut off in flight when the load stopped" if gap and not self.missing else ""
        return (
            f"{verdict}: {self.rows} inbox rows for {self.distinct_sent} distinct callbacks sent{note}; "
            f"deliveries {self.deliveries} for {self.acked} acks of {self.requests_sent} requests; "
            f"missing {self.missing}, stray {self.stray}"
        )


def check(rows: dict[str, int], phases: Sequence[Phase]) -> Check:
    stored, total = 0, Check(len(rows), 0, 0, 0, 0, 0, 0, True)
    for phase in phases:
        keys = {line.key for line in phase.lines}
        sent = {line.key for line in phase.sent}
        mine = {k: n for k, n in rows.items() if k in keys}
        deliveries = sum(mine.values())
        missing = len({line.key for line in phase.required} - mine.keys())
        total.ok &= not missing and mine.keys() <= sent and phase.acked <= deliveries <= len(phase.sent)
        stored += len(mine)
        total.distinct_sent += len(sent)
        total.deliveries += deliveries
        total.acked += phase.acked
        total.requests_sent += len(phase.sent)
        total.missing += missing
    total.stray = len(rows) - stored
    total.ok &= total.stray == 0
    return total
