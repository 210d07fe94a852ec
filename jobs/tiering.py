"""`tiers` (daily, at night): every customer's A/B/C tier recomputed (see scrm/tiers.py)."""

from __future__ import annotations

from jobs.config import Done, Run
from scrm import tiers

NAME = "tiers"


def run(run: Run) -> Done:
    with run.store.transaction() as session:
        counts = tiers.recompute(session, now=run.now, stages=run.settings.funnel.stages)
    return Done(", ".join(f"{tier}: {n}" for tier, n in counts.items()) or "no customers")
