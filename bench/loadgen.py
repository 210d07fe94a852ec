"""Load: wrk for throughput (closed loop), and an open-loop generator for latency at a fixed rate.

wrk cannot hold a fixed rate and wrk2 is not packaged here, so `fixed_rate` schedules request i at
start + i/rate, opens a connection for it (the sync workers close every connection anyway), and
measures latency from the scheduled time: a slow server cannot slow the schedule down and hide its
own queueing (no coordinated omission). Both are bounded in count and time and stop by themselves.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

LUA = Path(__file__).resolve().parent / "callbacks.lua"


@dataclass
class WrkResult:
    requests: int
    seconds: float
    errors: dict[str, int]
    latency_ms: dict[str, float]
    sent: dict[int, int]  # thread -> request lines it sent
    lines: dict[int, int]  # thread -> request lines it had

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def wrapped(self) -> bool:
        return any(self.sent[t] > self.lines[t] for t in self.sent)


def wrk(url: str, data: Path, *, threads: int, connections: int, seconds: float) -> WrkResult:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        url,
        "--",
        str(data),
        str(threads),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    out = done.stdout
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or out}")
    sent = {int(t): int(n) for t, n, _ in re.findall(r"BENCH thread (\d+) sent (\d+) of (\d+)", out)}
    lines = {int(t): int(c) for t, _, c in re.findall(r"BENCH thread (\d+) sent (\d+) of (\d+)", out)}
    summary = re.search(r"BENCH summary requests (\d+) duration_us (\d+) (.*)", out)
    latency = re.search(r"BENCH latency_us p50 (\d+) p99 (\d+) max (\d+)", out)
    if not (summary and latency and sent):
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    pairs = summary.group(3).split()
    errors = {pairs[i]: int(pairs[i + 1]) for i in range(0, len(pairs), 2)}
    p50, p99, top = (int(v) / 1000 for v in latency.groups())
    return WrkResult(
        int(summary.group(1)), int(summary.group(2)) / 1e6, errors, {"p50": p50, "p99": p99, "max": top}, sent, lines
    )


@dataclass
class RateResult:
    rate: float  # the schedule's
    achieved: float  # completed responses per second
    latencies_ms: list[float]
    lags_ms: list[float] = field(default_factory=list)  # how late the generator started each request
    worst: list[tuple[float, int]] = field(default_factory=list)  # (latency ms, index) of the slowest
    client_cpu: float = 0.0  # share of one core the generator itself used
    statuses: dict[int, int] = field(default_factory=dict)  # status (0: error or timeout) -> count
    acked: list[int] = field(default_factory=list)  # indices answered 200
    skipped: list[int] = field(default_factory=list)  # indices never sent: too many already in flight

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        ordered = sorted(self.latencies_ms if values is None else values)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")

    @property
    def failures(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)


def fixed_rate(
    host: str, port: int, requests: Sequence[bytes], *, rate: float, timeout: float = 5.0, max_in_flight: int = 2000
) -> RateResult:
    """Send `requests` open-loop at `rate` per second; at most len(requests)/rate + timeout seconds.

    The garbage collector is paused meanwhile: a full pass over the pre-generated callbacks would
    stall the schedule for tens of milliseconds and show up as server latency.
    """
    gc.collect()
    gc.freeze()
    gc.disable()
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        result = asyncio.run(_fixed_rate(host, port, requests, rate, timeout, max_in_flight))
        result.client_cpu = (time.process_time() - cpu) / (time.perf_counter() - wall)
        return result
    finally:
        gc.enable()
        gc.unfreeze()


def fixed_rate_apart(
    host: str, port: int, requests: Sequence[bytes], *, rate: float, timeout: float = 5.0
) -> RateResult:
    """`fixed_rate` in a process of its own (forked: the requests are not copied through a pipe), so that what else
    runs in this one (the WeCom stand-in answering a saturated pipeline) cannot hold the GIL the generator needs
    to read its answers on time."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=lambda: results.put(fixed_rate(host, port, requests, rate=rate, timeout=timeout)))
    child.start()
    try:
        return results.get(timeout=len(requests) / rate + timeout + 60)
    finally:
        child.join(5)
        if child.is_alive():
            child.kill()


async def _fixed_rate(
    host: str, port: int, requests: Sequence[bytes], rate: float, timeout: float, max_in_flight: int
) -> RateResult:
    loop = asyncio.get_running_loop()
    result = RateResult(rate, 0.0, [])
    in_flight = 0
    done_at = 0.0

    async def one(index: int, raw: bytes, due: float) -> None:
        nonlocal in_flight, done_at
        result.lags_ms.append((loop.time() - due) * 1000)
        try:
            status = await asyncio.wait_for(_exchange(host, port, raw), timeout)
        except (TimeoutError, OSError, ValueError):
            status = 0
        finally:
            in_flight -= 1
        finished = loop.time()
        result.statuses[status] = result.statuses.get(status, 0) + 1
        result.latencies_ms.append((finished - due) * 1000)  # a timeout counts as its full wait
        result.worst = sorted([*result.worst, (result.latencies_ms[-1], index)], reverse=True)[:5]
        if status:
            done_at = max(done_at, finished)
        if status == 200:
            result.acked.append(index)

    start = loop.time() + 0.1
    tasks = []
    for index, raw in enumerate(requests):
        due = start + index / rate
        if (delay := due - loop.time()) > 0:
            await asyncio.sleep(delay)
        if in_flight >= max_in_flight:  # the server has stalled; count it as a failure, do not pile on
            result.statuses[-1] = result.statuses.get(-1, 0) + 1
            result.skipped.append(index)
            continue
        in_flight += 1
        tasks.append(asyncio.create_task(one(index, raw, due)))
    await asyncio.gather(*tasks)
    completed = sum(n for status, n in result.statuses.items() if status > 0)
    result.achieved = completed / (done_at - start) if done_at > start else 0.0
    return result


async def _exchange(host: str, port: int, raw: bytes) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(raw)
        await writer.drain()
        response = await reader.read()  # the server closes the connection after its answer
    finally:
        writer.close()
    if not response.startswith(b"HTTP/1."):
        raise ValueError("not an HTTP response")
    return int(response[9:12])


def settle(seconds: float = 0.5) -> None:
    """Let the last requests drain and the machine cool down between phases."""
    time.sleep(seconds)
