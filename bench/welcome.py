"""Welcome latency: customers add a rep at a fixed rate; how long until the welcome reaches WeCom?

`python -m bench.welcome [--rate 100] [--seconds 10] [--backends sqlite,postgresql]`

The real `scrm serve` (gunicorn, dispatcher and sender inside) runs against the local WeCom stand-in.
Each add is sent at its scheduled time (open loop, so a slow server cannot slow the schedule and hide
its queue) and latency runs from that time to the moment the stand-in received send_welcome_msg.
Baseline, measured in the same run: one direct send_welcome_msg call to the stand-in (the floor of
the path). WeCom's welcome_code lives 20 s; the product's goal is p99 under 2 s.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import requests
from wechatpy.session.memorystorage import MemoryStorage

from bench.machine import describe_machine
from bench.servers import postgres_database, sqlite_database
from bot.settings import load_settings
from bot.sync import sync_members
from bot.wecom import WeComClient
from scrm import tagging
from scrm.clock import SystemClock
from scrm.db import Store, make_engine
from wecom_standin import CallbackClient, Corp, StandIn, xml

GOAL_P99_MS = 2000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _url_with_schema(url: str, schema: str | None) -> str:
    return f"{url}?options={quote(f'-csearch_path={schema}')}" if schema else url


def run_backend(backend: str, *, rate: float, seconds: float, workers: int, folder: Path) -> dict:
    count = int(rate * seconds)
    corp = Corp.sample()
    for i in range(count):
        corp.add_external_contact(f"wmBench{i:05d}", f"客户{i}", corp_name="苏州精密机械制造有限公司")
        corp.attach_contact("zhangsan", f"wmBench{i:05d}", state="expo2026_bench")
    database_cm = sqlite_database(folder) if backend == "sqlite" else postgres_database()
    with StandIn(corp) as standin, database_cm as database:
        alphabet = string.ascii_letters + string.digits
        env = {"WECOM_CORP_ID": corp.corp_id, "WECOM_AGENT_ID": str(corp.agent_id), "WECOM_AGENT_SECRET": corp.secret,
               "WECOM_TOKEN": "BenchToken", "WECOM_ENCODING_AES_KEY": "".join(secrets.choice(alphabet) for _ in range(43)),
               "WECOM_API_BASE": standin.url, "DATABASE_URL": _url_with_schema(database.url, database.schema),
               "REDIS_URL": "", "SCRM_LOG_LEVEL": "WARNING", "WECOM_CALLBACK_MAX_AGE": "600"}
        _prepare(env, database)
        port = _free_port()
        log = (folder / f"serve-{backend}.log").open("w")
        server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--workers", str(workers)], env={**os.environ, **env}, stdout=log,
                                  stderr=subprocess.STDOUT)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", server)
            baseline = _baseline(standin, corp)
            scheduled = _send_adds(standin, corp, env, port, count=count, rate=rate)
            delivered = _wait_welcomes(standin, count, deadline=time.time() + 30)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
    latencies = [(delivered[k] - t) * 1000 for k, t in scheduled.items() if k in delivered]
    return {"backend": backend, "sent": count, "welcomed": len(latencies), "baseline_ms": baseline,
            "p50": percentile(latencies, 0.5), "p90": percentile(latencies, 0.9), "p99": percentile(latencies, 0.99),
            "max": max(latencies, default=float("nan")),
            "within_2s": sum(1 for x in latencies if x <= 2000) / count if count else 0}


def _prepare(env: dict, database) -> None:
    settings = load_settings(**{k.lower(): v for k, v in env.items()}, _env_file=None)
    store = Store(make_engine(database.url, schema=database.schema))
    client = WeComClient(settings.wecom_corp_id, settings.wecom_agent_secret.get_secret_value(),
                         api_base=settings.wecom_api_base, storage=MemoryStorage())
    sync_members(client, store, SystemClock())
    with store.transaction() as session:  # tagging runs on every add, as in production
        now = SystemClock().now()
        tagging.add(session, kind="channel", pattern="expo2026*", group="渠道", tag="展会", now=now)
        tagging.add(session, kind="keyword", pattern="制造,工厂,机械", group="行业", tag="制造", now=now)
    store.engine.dispose()


def _wait_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("scrm serve exited; see its log")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise SystemExit("scrm serve did not become healthy")


def _baseline(standin: StandIn, corp: Corp, calls: int = 50) -> float:
    """Median time of one send_welcome_msg straight to the stand-in: the floor of the whole path."""
    session = requests.Session()
    token = standin.token()
    timings = []
    for i in range(calls):
        corp.add_external_contact(f"wmBase{i}", "基线")
        corp.attach_contact("lisi", f"wmBase{i}")
        code = standin.issue_welcome_code("lisi", f"wmBase{i}")
        started = time.perf_counter()
        session.post(f"{standin.url}/cgi-bin/externalcontact/send_welcome_msg", params={"access_token": token},
                     json={"welcome_code": code, "text": {"content": "您好"}}, timeout=5)
        timings.append((time.perf_counter() - started) * 1000)
    standin.reset_records()
    return statistics.median(timings)


def _send_adds(standin: StandIn, corp: Corp, env: dict, port: int, *, count: int, rate: float) -> dict[str, float]:
    """Send every add at its slot (start + i/rate); returns external_userid -> scheduled wall time."""
    client = CallbackClient(f"http://127.0.0.1:{port}/wecom/callback", env["WECOM_TOKEN"],
                            env["WECOM_ENCODING_AES_KEY"], corp.corp_id, attempts=1)
    scheduled: dict[str, float] = {}
    lock = threading.Lock()
    start = time.time() + 0.5

    def send(i: int) -> None:
        external = f"wmBench{i:05d}"
        slot = start + i / rate
        code = standin.issue_welcome_code("zhangsan", external)
        event = xml.contact_added(user_id="zhangsan", external_user_id=external, state="expo2026_bench",
                                  welcome_code=code, corp_id=corp.corp_id)
        time.sleep(max(0.0, slot - time.time()))
        with lock:
            scheduled[external] = slot
        client.send(event)

    with ThreadPoolExecutor(max_workers=32) as pool:
        for i in range(count):
            time.sleep(max(0.0, start + i / rate - 0.2 - time.time()))  # hand work out just ahead of its slot
            pool.submit(send, i)
    return scheduled


def _wait_welcomes(standin: StandIn, count: int, *, deadline: float) -> dict[str, float]:
    while time.time() < deadline:
        delivered = {d.recipients[0]: d.time for d in standin.delivered("welcome")}
        if len(delivered) >= count:
            return delivered
        time.sleep(0.2)
    return {d.recipients[0]: d.time for d in standin.delivered("welcome")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    print(describe_machine())
    print(f"\nwelcome latency at {args.rate:g} adds/s for {args.seconds:g} s, scrm serve --workers {args.workers}")
    print(f"{'backend':<11}{'sent':>6}{'welcomed':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'≤2 s':>7}{'p50/floor':>11}  goal p99<{GOAL_P99_MS} ms")
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-welcome-") as folder:
        for backend in args.backends.split(","):
            r = run_backend(backend, rate=args.rate, seconds=args.seconds, workers=args.workers, folder=Path(folder))
            met = r["p99"] < GOAL_P99_MS and r["welcomed"] == r["sent"]
            ok &= met
            print(f"{r['backend']:<11}{r['sent']:>6}{r['welcomed']:>10}{r['p50']:>9.0f}{r['p90']:>9.0f}{r['p99']:>9.0f}"
                  f"{r['max']:>9.0f}{r['within_2s']:>7.0%}{r['p50'] / r['baseline_ms']:>10.1f}x  "
                  f"{'met' if met else 'MISSED'} (floor {r['baseline_ms']:.1f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
