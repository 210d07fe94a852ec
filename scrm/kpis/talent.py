"""Talent tiers (人才四分法): each rep placed by result against process, each against the team's median."""

from __future__ import annotations

import statistics

from scrm.kpis.metrics import Figures

QUADRANTS = ("明星", "潜力", "勤奋待提升", "需关注")
# The least a sales manager would judge a rep on in a month: two deals decide nothing, and one rep is no team.
MIN_CLOSED = 3  # deals closed (won or lost)
MIN_LOGGED = 10  # follow-ups logged
MIN_REPS = 2  # reps with enough of both, to have a median to compare with


def enough(figures: Figures) -> bool:
    """Whether a rep's period holds enough to be placed."""
    return figures.won + figures.lost >= MIN_CLOSED and figures.logged >= MIN_LOGGED


def quadrants(figures: dict[str, Figures]) -> dict[str, str]:
    """人才四分法: each rep with enough data (`enough`) by result (won amount) against process (follow-ups
    logged), each against the median of those reps: 明星 (both high), 潜力 (result high, process low),
    勤奋待提升 (process high, result low), 需关注. Nobody is placed while fewer than MIN_REPS reps have enough."""
    figures = {userid: f for userid, f in figures.items() if enough(f)}
    if len(figures) < MIN_REPS:
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
