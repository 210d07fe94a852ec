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
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from wechatpy.session.memorystorage import MemoryStorage

from bench.machine import describe_machine
from bench.scene import Scene, open_loop, percentile, serve_scene
from bot.settings import Settings
from bot.sync import sync_members
from bot.wecom import WeComClient
from scrm import tagging
from scrm.clock import SystemClock
from scrm.db import Store
from wecom_standin import Corp, xml

GOAL_P99_MS = 2000


def prepare(settings: Settings, store: Store) -> None:
    client = WeComClient(
        settings.wecom_corp_id,
        settings.wecom_agent_secret.get_secret_value(),
        api_base=settings.wecom_api_base,
        storage=MemoryStorage(),
    )
    sync_members(client, store, SystemClock())
    with store.transaction() as session:  # tagging runs on every add, as in production
        now = SystemClock().now()
        tagging.add(session, kind="channel", pattern="expo2026*", group="渠道", tag="展会", now=now)
        tagging.add(session, kind="keyword", pattern="制造,工厂,机械", group="行业", tag="制造", now=now)


def run_backend(backend: str, *, rate: float, seconds: float, workers: int, folder: Path) -> dict:
    count = int(rate * seconds)
    corp = Corp.sample()
    for i in range(count):
        corp.add_external_contact(f"wmBench{i:05d}", f"客户{i}", corp_name="苏州精密机械制造有限公司")
        corp.attach_contact("zhangsan", f"wmBench{i:05d}", state="expo2026_bench")
    with serve_scene(corp, backend, folder, workers=workers, prepare=prepare) as scene:
        baseline = _baseline(scene)
        scheduled = _send_adds(scene, count=count, rate=rate)
        delivered = _wait_welcomes(scene, count, deadline=time.time() + 30)
    latencies = [(delivered[k] - t) * 1000 for k, t in scheduled.items() if k in delivered]
    return {
        "backend": backend,
        "sent": count,
        "welcomed": len(latencies),
        "baseline_ms": baseline,
        "p50": percentile(latencies, 0.5),
        "p90": percentile(latencies, 0.9),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=float("nan")),
        "within_2s": sum(1 for x in latencies if x <= 2000) / count if count else 0,
    }


def _baseline(scene: Scene, calls: int = 50) -> float:
    """Median time of one send_welcome_msg straight to the stand-in: the floor of the whole path."""
    session, token, corp = requests.Session(), scene.standin.token(), scene.standin.corp
    timings = []
    for i in range(calls):
        corp.add_external_contact(f"wmBase{i}", "基线")
        corp.attach_contact("lisi", f"wmBase{i}")
        code = scene.standin.issue_welcome_code("lisi", f"wmBase{i}")
        started = time.perf_counter()
        session.post(
            f"{scene.standin.url}/cgi-bin/externalcontact/send_welcome_msg",
            params={"access_token": token},
            json={"welcome_code": code, "text": {"content": "您好"}},
            timeout=5,
        )
        timings.append((time.perf_counter() - started) * 1000)
    scene.standin.reset_records()
    return statistics.median(timings)


def _send_adds(scene: Scene, *, count: int, rate: float) -> dict[str, float]:
    """Each add at its slot; returns external_userid -> scheduled wall time."""
    client, corp, scheduled = scene.callbacks(), scene.standin.corp, {}

    def send(i: int, slot: float) -> None:
        external = f"wmBench{i:05d}"
        code = scene.standin.issue_welcome_code("zhangsan", external)
        scheduled[external] = slot
        client.send(
            xml.contact_added(
                user_id="zhangsan",
                external_user_id=external,
                state="expo2026_bench",
                welcome_code=code,
                corp_id=corp.corp_id,
            )
        )

    open_loop(count, rate, send)
    return scheduled


def _wait_welcomes(scene: Scene, count: int, *, deadline: float) -> dict[str, float]:
    while time.time() < deadline:
        delivered = {d.recipients[0]: d.time for d in scene.standin.delivered("welcome")}
        if len(delivered) >= count:
            return delivered
        time.sleep(0.2)
    return {d.recipients[0]: d.time for d in scene.standin.delivered("welcome")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    print(describe_machine())
    print(f"\nwelcome latency at {args.rate:g} adds/s for {args.seconds:g} s, scrm serve --workers {args.workers}")
    print(
        f"{'backend':<11}{'sent':>6}{'welcomed':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'≤2 s':>7}{'p50/floor':>11}  goal p99<{GOAL_P99_MS} ms"
    )
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-welcome-") as folder:
        for backend in args.backends.split(","):
            r = run_backend(backend, rate=args.rate, seconds=args.seconds, workers=args.workers, folder=Path(folder))
            met = r["p99"] < GOAL_P99_MS and r["welcomed"] == r["sent"]
            ok &= met
            print(
                f"{r['backend']:<11}{r['sent']:>6}{r['welcomed']:>10}{r['p50']:>9.0f}{r['p90']:>9.0f}{r['p99']:>9.0f}"
                f"{r['max']:>9.0f}{r['within_2s']:>7.0%}{r['p50'] / r['baseline_ms']:>10.1f}x  "
                f"{'met' if met else 'MISSED'} (floor {r['baseline_ms']:.1f} ms)"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
