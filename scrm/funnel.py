"""The sales funnel: its stages in order (open ones, then won and lost) and how long a deal may stay in each."""

from __future__ import annotations

WON, LOST = "成交", "流失"
DEFAULT_STAGES = ("初次接触", "需求确认", "方案报价", "谈判", WON, LOST)
# Days a deal may stay in an open stage before it is reported as stalled (the stage's SLA).
DEFAULT_LIMITS = {"初次接触": 7, "需求确认": 14, "方案报价": 14, "谈判": 21}


def parse_stages(value: str) -> tuple[str, ...]:
    """`初次接触,需求确认,…,成交,流失` (full-width commas too); raises ValueError naming the rule broken."""
    stages = tuple(s.strip() for s in value.replace("，", ",").split(",") if s.strip())
    if len(stages) < 3 or stages[-2:] != (WON, LOST):
        raise ValueError(f"needs at least one open stage, then {WON},{LOST} last")
    if len(set(stages)) != len(stages):
        raise ValueError("a stage is named twice")
    return stages


def parse_limits(value: str, stages: tuple[str, ...]) -> dict[str, int]:
    """`初次接触:7,谈判:21`: days per open stage; stages not named keep no limit."""
    limits: dict[str, int] = {}
    for part in value.replace("，", ",").replace("：", ":").split(","):
        if not part.strip():
            continue
        stage, _, days = part.partition(":")
        stage = stage.strip()
        if stage not in stages[:-2]:
            raise ValueError(f"{stage!r} is not an open stage of SCRM_STAGES")
        if not days.strip().isdigit() or int(days) < 1:
            raise ValueError(f"{stage}: the days must be a whole number of at least 1, like {stage}:14")
        limits[stage] = int(days)
    return limits
