"""Command parse time: every corpus utterance parsed many times after warm-up, against baselines.

Prints per-parse median and p99 (all utterances, then those with and without time words), the same
for NFKC normalisation and str.split of the same texts (measured in the same run, as ratios), and
process start-up to the first parse with a cold and a warm jieba cache. Every parse is given the rep's
Book of 5,000 customers (names, remarks, companies; built once, as handlers/books.py keeps it), and the
same utterances parsed without a Book are the baseline. Ends with a Markdown block for docs/benchmarks.md.
Goal: median under 5 ms for a message with a time, with a rep of 5,000 customers.

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
from handlers.parsing.book import Book, Entry
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


BOOK_SIZE = 5_000


def big_book(size: int = BOOK_SIZE) -> tuple[Book, float]:
    """A rep's Book of `size` customers: the corpus's own book plus generated names, companies and remarks.
    Returns it with the seconds it took to build."""
    import random

    rng = random.Random(7)
    corpus = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    entries = [
        Entry(e["name"], e["name"], e.get("remark") or "", e.get("corp") or "") for e in corpus["conversation"]["book"]
    ]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕玉梅晓东红梅鹏飞俊文斌宇浩"
    brands = "星辰云海华创盛达恒通远航鼎新博瑞嘉禾天成汇智联信泰和东方金石银河晨光锦程瑞丰宏图"
    industries = ("科技", "电子", "机械", "医药", "物流", "贸易", "软件", "新能源", "建设", "食品")
    seen = {e.name for e in entries}
    while len(entries) < size:
        name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
        if name in seen:
            continue
        seen.add(name)
        brand = "".join(rng.choice(brands) for _ in range(rng.choice((2, 3))))
        corp = f"{brand}{rng.choice(industries)}有限公司"
        remark = rng.choice(("", "", f"{name[0]}总", f"{name[0]}经理-{brand}", f"{name}-{brand}"))
        entries.append(Entry(f"wm{len(entries):05d}", name, remark, corp))
    start = time.perf_counter()
    book = Book(entries)
    return book, time.perf_counter() - start


def book_of_store(size: int = BOOK_SIZE, rounds: int = 50) -> tuple[float, float]:
    """handlers/books.py on a SQLite file holding one rep with `size` customers: seconds for the first
    call (reads them all and builds the Book) and the median of the cached calls (the stamp query alone)."""
    from sqlmodel import SQLModel

    from handlers.books import book_of
    from scrm.db import Store, make_engine
    from scrm.models import Customer, CustomerRep

    book, _ = big_book(size)
    now = datetime.datetime.now(datetime.UTC)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(make_engine(f"sqlite:///{folder}/bench.db"))
        SQLModel.metadata.create_all(store.engine)
        with store.transaction() as session:
            for e in book.entries.values():
                session.add(
                    Customer(external_userid=e.id, name=e.name, corp_name=e.corp, created_at=now, updated_at=now)
                )
                session.add(
                    CustomerRep(external_userid=e.id, userid="rep1", status="active", remark=e.remark, updated_at=now)
                )
        with store.transaction() as session:
            start = time.perf_counter()
            book_of(session, "rep1")
            first = time.perf_counter() - start
            cached = []
            for _ in range(rounds):
                start = time.perf_counter()
                book_of(session, "rep1")
                cached.append(time.perf_counter() - start)
        store.engine.dispose()
    return first, statistics.median(cached)


def load_corpus() -> list[tuple[str, datetime.datetime]]:
    corpus = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    blocks = [corpus, *(v for v in corpus.values() if isinstance(v, dict) and "cases" in v)]
    return [(case["say"], _aware(block["now"])) for block in blocks for case in block["cases"]]


def _aware(value: datetime.datetime | str) -> datetime.datetime:
    return value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(value)


def sample(
    func: Callable[[str, datetime.datetime], object], corpus: list[tuple[str, datetime.datetime]], rounds: int
) -> list[list[float]]:
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
        done = subprocess.run(
            [sys.executable, "-c", FIRST_PARSE, str(cache)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
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
    return (
        f"date {datetime.date.today().isoformat()}; nproc {os.cpu_count()}; CPU {cpu}; "
        f"Python {platform.python_version()}; load average before the run {load}"
    )


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
    book, built = big_book()
    parsed = [parse_command(text, now, tz, book) for text, now in corpus]
    for _ in range(2):  # warm-up: regex caches, lazy imports, branch paths
        sample(lambda text, now: parse_command(text, now, tz, book), corpus, 1)
    gc.collect()

    timings = sample(lambda text, now: parse_command(text, now, tz, book), corpus, args.rounds)
    bookless = sample(lambda text, now: parse_command(text, now, tz), corpus, args.rounds)
    nfkc = sample(lambda text, now: unicodedata.normalize("NFKC", text), corpus, args.rounds)
    split = sample(lambda text, now: text.split(), corpus, args.rounds)
    clean = sample(lambda text, now: normalize(text), corpus, args.rounds)
    with_time = [t for t, p in zip(timings, parsed, strict=True) if p.when is not None]
    without_time = [t for t, p in zip(timings, parsed, strict=True) if p.when is None]

    median, p99 = summary(timings)
    rows = [
        (f"parse_command with a Book of {len(book):,} customers, all utterances", len(timings), *summary(timings)),
        ("  with a time expression", len(with_time), *summary(with_time)),
        ("  without", len(without_time), *summary(without_time)),
        ("baseline: parse_command without a Book", len(bookless), *summary(bookless)),
        ("baseline: NFKC normalisation", len(nfkc), *summary(nfkc)),
        ("baseline: clean.normalize (NFKC + emoji + spaces)", len(clean), *summary(clean)),
        ("baseline: str.split", len(split), *summary(split)),
    ]

    first_book, cached_book = book_of_store()
    with tempfile.TemporaryDirectory() as folder:
        cold = start_up(Path(folder), args.starts, cold=True)
        warm = start_up(Path(folder), args.starts, cold=False)

    lines = [
        "## Command parsing",
        "",
        f"`python -m bench.parse` ({about}). {len(corpus)} corpus utterances "
        f"(tests/handlers/data/utterances.yaml), {args.rounds} rounds after 2 warm-up rounds; times per parse. "
        f"Building the Book of {len(book):,} customers once: {_ms(built)}.",
        "",
        "| what | utterances | median | p99 | median ÷ parse |",
        "|---|---|---|---|---|",
    ]
    for name, count, med, high in rows:
        lines.append(f"| {name} | {count} | {_ms(med)} | {_ms(high)} | {med / median:.4f} |")
    met = summary(with_time)[0] * 1000 < GOAL_MS
    lines += [
        "",
        f"Goal: median under {GOAL_MS:g} ms: **{'met' if met else 'MISSED'}** "
        f"(all: {_ms(median)}; with a time expression: {_ms(summary(with_time)[0])}). A parse costs "
        f"{median / summary(nfkc)[0]:.0f}× NFKC alone and {median / summary(split)[0]:.0f}× str.split "
        f"(with a time expression: {summary(with_time)[0] / summary(nfkc)[0]:.0f}× NFKC).",
        "",
        f"The Book in service (handlers/books.py, SQLite, one rep with {BOOK_SIZE:,} customers): first message "
        f"{_ms(first_book)} (reads the customers and builds it), then {_ms(cached_book)} a message (the stamp "
        f"query that tells it is still current). ",
        "",
        "| process start to first parse (medians) | wall | " + " | ".join(STEPS) + " |",
        "|---" * (len(STEPS) + 2) + "|",
    ]
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
