"""Command parse time: every corpus utterance parsed many times after warm-up, against baselines.

Prints per-parse median and p99 (all utterances, then those with and without time words), the same
for NFKC normalisation and str.split of the same texts (measured in the same run, as ratios), and
process start-up to the first parse with a cold and a warm jieba cache. Ends with a Markdown block
for docs/benchmarks.md. Goal: median under 5 ms.

    python -m bench.parse [--rounds 30] [--starts 5]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import yaml

from handlers.parsing import warm_up
from handlers.parsing.clean import normalize
from handlers.parsing.commands import parse_command

ROOT = Path(__file__).parents[1]
CORPUS = ROOT / "tests" / "handlers" / "data" / "utterances.yaml"
GOAL_MS = 5.0
# The child reports its own split: the imports (handlers/__init__ builds the whole routing table, so
# this includes sqlmodel and the other handler families), jieba, the recognizer model, cn2an, the first parse.
FIRST_PARSE = """
import sys, time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo
marks = [time.perf_counter()]
from handlers.parsing import numerals, recognizer, tokens
from handlers.parsing.commands import parse_command
marks.append(time.perf_counter())
tokens.warm_up(Path(sys.argv[1]))
marks.append(time.perf_counter())
recognizer.warm_up()
marks.append(time.perf_counter())
numerals.warm_up()
marks.append(time.perf_counter())
tz = ZoneInfo("Asia/Shanghai")
parse_command("跟进 张总 电话沟通了报价,客户嫌贵 明天下午3点回访", datetime.now(tz), tz)
marks.append(time.perf_counter())
print(*(b - a for a, b in zip(marks, marks[1:])))
"""
STEPS = ("imports (handlers package)", "jieba dictionary", "recognizer model", "cn2an", "first parse")


def load_corpus() -> list[tuple[str, datetime.datetime]]:
    corpus = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    blocks = [corpus, *(v for v in corpus.values() if isinstance(v, dict) and "cases" in v)]
    return [(case["say"], _aware(block["now"])) for block in blocks for case in block["cases"]]


def _aware(value: datetime.datetime | str) -> datetime.datetime:
    return value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(value)


def sample(func: Callable[[str, datetime.datetime], object], corpus: list[tuple[str, datetime.datetime]],
           rounds: int) -> list[list[float]]:
    """Seconds per call, per utterance: rounds × len(corpus) timings, interleaved so drift hits all alike."""
    timings: list[list[float]] = [[] for _ in corpus]
    clock = time.perf_counter
    for _ in range(rounds):
        for i, (text, now) in enumerate(corpus):
            start = clock()
            func(text, now)
            timings[i].append(clock() - start)
    return timings


def summary(timings: list[list[float]]) -> tuple[float, float]:
    flat = sorted(t for ts in timings for t in ts)
    return statistics.median(flat), flat[min(len(flat) - 1, int(len(flat) * 0.99))]


def start_up(cache: Path, runs: int, cold: bool) -> list[list[float]]:
    """Wall time from spawning a Python process to its first parse, then the child's own split."""
    results = []
    for _ in range(runs):
        if cold:
            for old in cache.glob("jieba-*.cache"):
                old.unlink()
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", FIRST_PARSE, str(cache)], cwd=ROOT, check=True,
                              capture_output=True, text=True, timeout=120)
        results.append([time.perf_counter() - start, *(float(x) for x in done.stdout.split())])
    return results


def machine() -> str:
    cpu = platform.processor() or "unknown"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        cpu = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")), cpu)
    except OSError:
        pass
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"date {datetime.date.today().isoformat()}; nproc {os.cpu_count()}; CPU {cpu}; "
            f"Python {platform.python_version()}; load average before the run {load}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()

    about = machine()
    corpus = load_corpus()
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    warm_up()
    parsed = [parse_command(text, now, tz) for text, now in corpus]
    for _ in range(2):  # warm-up: regex caches, lazy imports, branch paths
        sample(lambda text, now: parse_command(text, now, tz), corpus, 1)
    gc.collect()

    timings = sample(lambda text, now: parse_command(text, now, tz), corpus, args.rounds)
    nfkc = sample(lambda text, now: unicodedata.normalize("NFKC", text), corpus, args.rounds)
    split = sample(lambda text, now: text.split(), corpus, args.rounds)
    clean = sample(lambda text, now: normalize(text), corpus, args.rounds)
    with_time = [t for t, p in zip(timings, parsed, strict=True) if p.when is not None]
    without_time = [t for t, p in zip(timings, parsed, strict=True) if p.when is None]

    median, p99 = summary(timings)
    rows = [("parse_command, all utterances", len(timings), *summary(timings)),
            ("  with a time expression", len(with_time), *summary(with_time)),
            ("  without", len(without_time), *summary(without_time)),
            ("baseline: NFKC normalisation", len(nfkc), *summary(nfkc)),
            ("baseline: clean.normalize (NFKC + emoji + spaces)", len(clean), *summary(clean)),
            ("baseline: str.split", len(split), *summary(split))]

    with tempfile.TemporaryDirectory() as folder:
        cold = start_up(Path(folder), args.starts, cold=True)
        warm = start_up(Path(folder), args.starts, cold=False)

    lines = [
        "## Command parsing", "",
        f"`python -m bench.parse` ({about}). {len(corpus)} corpus utterances "
        f"(tests/handlers/data/utterances.yaml), {args.rounds} rounds after 2 warm-up rounds; times per parse.", "",
        "| what | utterances | median | p99 | median ÷ parse |", "|---|---|---|---|---|",
    ]
    for name, count, med, high in rows:
        lines.append(f"| {name} | {count} | {_ms(med)} | {_ms(high)} | {med / median:.4f} |")
    met = summary(with_time)[0] * 1000 < GOAL_MS
    lines += ["", f"Goal: median under {GOAL_MS:g} ms: **{'met' if met else 'MISSED'}** "
              f"(all: {_ms(median)}; with a time expression: {_ms(summary(with_time)[0])}). A parse costs "
              f"{median / summary(nfkc)[0]:.0f}× NFKC alone and {median / summary(split)[0]:.0f}× str.split "
              f"(with a time expression: {summary(with_time)[0] / summary(nfkc)[0]:.0f}× NFKC).", "",
              "| process start to first parse (medians) | wall | " + " | ".join(STEPS) + " |",
              "|---" * (len(STEPS) + 2) + "|"]
    for name, runs in (("cold jieba cache (builds it)", cold), ("warm jieba cache (loads it)", warm)):
        medians = [statistics.median(r[i] for r in runs) for i in range(len(STEPS) + 1)]
        lines.append(f"| {name}, {len(runs)} runs | " + " | ".join(_ms(m) for m in medians) + " |")
    slowest = sorted(zip((statistics.median(t) for t in timings), (text for text, _ in corpus), strict=True))[-3:]
    lines += ["", "Slowest utterances (median): " + "; ".join(f"`{text}` {_ms(t)}" for t, text in reversed(slowest))]
    print("\n".join(lines))


def _ms(seconds: float) -> str:
    if seconds < 1e-4:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1000:.3f} ms" if seconds < 1 else f"{seconds:.2f} s"


if __name__ == "__main__":
    main()
