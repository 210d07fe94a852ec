"""Reply latency: reps message the bot at a fixed rate; how long until the answer leaves the sender?

`python -m bench.replies [--rate 20] [--seconds 15] [--backends sqlite,postgresql]`

50 reps of a generated corp send a realistic mix (log a follow-up with a next step, agenda, a card,
a stage, my numbers) through encrypted callbacks to the real `scrm serve`. Latency runs from each
message's scheduled time (open loop) to the moment the stand-in received the reply. Baseline in the
same run: one direct message/send to the stand-in. Goal: p99 under 500 ms at 20 messages per second.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from wechatpy.session.memorystorage import MemoryStorage

from bench.machine import describe_machine
from bench.scene import Scene, open_loop, percentile, serve_scene
from bot.settings import Settings
from bot.sync import Backfill
from bot.wecom import WeComClient
from scrm.clock import SystemClock
from scrm.db import Store
from wecom_standin import Corp, xml

GOAL_P99_MS = 500
REPS = 50
MIX = (
    "跟进 {name} 电话沟通了报价,客户嫌贵 明天下午3点回访",
    "今天跟进谁",
    "查 {name}",
    "阶段 {name} 报价",
    "业绩",
    "跟进 {name} 微信发了方案",
    "{name}",
)


def prepare(settings: Settings, store: Store) -> None:
    client = WeComClient(
        settings.wecom_corp_id,
        settings.contact_secret.get_secret_value(),
        api_base=settings.wecom_api_base,
        storage=MemoryStorage(),
    )
    Backfill(client, store, SystemClock(), progress=False).run()


def run_backend(backend: str, *, rate: float, seconds: float, workers: int, folder: Path) -> dict:
    count = int(rate * seconds)
    corp = Corp.generated(reps=REPS, customers=REPS * 20, seed=7)
    with serve_scene(corp, backend, folder, workers=workers, prepare=prepare) as scene:
        baseline = _baseline(scene)
        sent = _send_messages(scene, count=count, rate=rate)
        replies = _wait_replies(scene, count, deadline=time.time() + 30)
    latencies = []
    for userid, slots in sent.items():
        answered = sorted(replies.get(userid, []))
        latencies += [(reply - slot) * 1000 for slot, reply in zip(sorted(slots), answered, strict=False)]
    return {
        "backend": backend,
        "sent": count,
        "answered": len(latencies),
        "baseline_ms": baseline,
        "p50": percentile(latencies, 0.5),
        "p90": percentile(latencies, 0.9),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=float("nan")),
    }


def _baseline(scene: Scene, calls: int = 50) -> float:
    session, token = requests.Session(), scene.standin.token()
    timings = []
    for i in range(calls):
        started = time.perf_counter()
        session.post(
            f"{scene.standin.url}/cgi-bin/message/send",
            params={"access_token": token},
            timeout=5,
            json={
                "touser": "rep001",
                "msgtype": "text",
                "agentid": scene.standin.corp.agent_id,
                "text": {"content": f"基线 {i}"},
            },
        )
        timings.append((time.perf_counter() - started) * 1000)
    scene.standin.reset_records()
    scene.standin.reset_limits()
    return statistics.median(timings)


def _send_messages(scene: Scene, *, count: int, rate: float) -> dict[str, list[float]]:
    """Message i comes from rep i % 50 (each rep stays well under WeCom's 30 a minute)."""
    corp, client = scene.standin.corp, scene.callbacks()
    reps = sorted(corp.members)[:REPS] if len(corp.members) >= REPS else sorted(corp.members)
    reps = [r for r in reps if corp.customers_of(r)]
    names = {r: [c.name for c in corp.customers_of(r)] for r in reps}
    ids, sent, lock = itertools.count(7_000_000_000_000_000_000), {}, threading.Lock()

    def send(i: int, slot: float) -> None:
        rep = reps[i % len(reps)]
        text = MIX[i % len(MIX)].format(name=names[rep][i % len(names[rep])])
        with lock:
            sent.setdefault(rep, []).append(slot)
            msg_id = next(ids)
        client.send(
            xml.text_message(from_user=rep, content=text, msg_id=msg_id, agent_id=corp.agent_id, corp_id=corp.corp_id)
        )

    open_loop(count, rate, send)
    return sent


def _wait_replies(scene: Scene, count: int, *, deadline: float) -> dict[str, list[float]]:
    while time.time() < deadline and len(scene.standin.delivered("app")) < count:
        time.sleep(0.2)
    replies: dict[str, list[float]] = {}
    for message in scene.standin.delivered("app"):
        replies.setdefault(message.recipients[0], []).append(message.time)
    return replies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    print(describe_machine())
    print(
        f"\nreply latency at {args.rate:g} messages/s for {args.seconds:g} s from {REPS} reps, "
        f"scrm serve --workers {args.workers}"
    )
    print(
        f"{'backend':<11}{'sent':>6}{'answered':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'p50/floor':>11}  goal p99<{GOAL_P99_MS} ms"
    )
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-replies-") as folder:
        for backend in args.backends.split(","):
            r = run_backend(backend, rate=args.rate, seconds=args.seconds, workers=args.workers, folder=Path(folder))
            met = r["p99"] < GOAL_P99_MS and r["answered"] == r["sent"]
            ok &= met
            print(
                f"{r['backend']:<11}{r['sent']:>6}{r['answered']:>10}{r['p50']:>9.0f}{r['p90']:>9.0f}"
                f"{r['p99']:>9.0f}{r['max']:>9.0f}{r['p50'] / r['baseline_ms']:>10.1f}x  "
                f"{'met' if met else 'MISSED'} (floor {r['baseline_ms']:.1f} ms)"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
