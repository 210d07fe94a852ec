"""Talent tiers (人才四分法): each rep placed by result against process, each against the team's median."""

from __future__ import annotations

import statistics

from scrm.kpis.metrics import Figures

QUADRANTS = ("明星", "潜力", "勤奋待提升", "需关注")


def quadrants(figures: dict[str, Figures]) -> dict[str, str]:
    """人才四分法: each rep by result (won amount) against process (follow-ups logged), each against the team's
    median: 明星 (both high), 潜力 (result high, process low), 勤奋待提升 (process high, result low), 需关注."""
    if not figures:
        return {}
    result_median = statistics.median(f.won_amount for f in figures.values())
    process_median = statistics.median(f.logged for f in figures.values())
    placed = {}
    for userid, f in figures.items():
        high_result = f.won_amount > 0 and f.won_amount >= result_median
        high_process = f.logged > 0 and f.logged >= process_median
        placed[userid] = QUADRANTS[
            0 if high_result and high_process else 1 if high_result else 2 if high_process else 3
        ]
    return placed
