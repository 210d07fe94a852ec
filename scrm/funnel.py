"""The sales funnel, defined once: its stages in order (open ones, then won and lost), the words reps use for
them, and how long a deal may stay in each. The operator's SCRM_STAGES, SCRM_STAGE_SYNONYMS and
SCRM_STAGE_LIMITS make it (`from_settings`); the parser, the handlers, the KPIs and the jobs all read that one."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

WON, LOST = "成交", "流失"
DEFAULT_STAGES = ("初次接触", "需求确认", "方案报价", "谈判", WON, LOST)
# Days a deal may stay in an open stage before it is reported as stalled (the stage's SLA).
DEFAULT_LIMITS = {"初次接触": 7, "需求确认": 14, "方案报价": 14, "谈判": 21}
# Words reps use for the default stages; a word counts in a funnel only when its stage is one of the funnel's.
DEFAULT_SYNONYMS: Mapping[str, str] = {
    "初次": "初次接触",
    "接触": "初次接触",
    "新客": "初次接触",
    "新客户": "初次接触",
    "初步接触": "初次接触",
    "需求": "需求确认",
    "调研": "需求确认",
    "确认需求": "需求确认",
    "需求调研": "需求确认",
    "报价": "方案报价",
    "方案": "方案报价",
    "出方案": "方案报价",
    "报价阶段": "方案报价",
    "谈判": "谈判",
    "议价": "谈判",
    "商务": "谈判",
    "商务谈判": "谈判",
    "砍价": "谈判",
    "成交": "成交",
    "签单": "成交",
    "签约": "成交",
    "赢单": "成交",
    "流失": "流失",
    "丢单": "流失",
    "输单": "流失",
}
_FILLER = ("阶段", "环节", "了", "啦")


@dataclass(frozen=True)
class Funnel:
    """The stages in order, won and lost last; `synonyms` maps a word reps type to a stage of this funnel."""

    stages: tuple[str, ...] = DEFAULT_STAGES
    synonyms: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SYNONYMS))
    limits: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))

    @property
    def open_stages(self) -> tuple[str, ...]:
        return self.stages[:-2]

    @property
    def closing(self) -> tuple[str, str]:
        """(won, lost): the two stages a deal ends in."""
        return self.stages[-2], self.stages[-1]

    def match(self, word: str) -> str | None:
        """The stage `word` names: exact, then a synonym, then the one stage name containing it (谈 → 谈判)."""
        word = word.strip()
        for filler in _FILLER:
            word = word.removesuffix(filler)
        word = word.removeprefix("到").strip()
        if not word:
            return None
        if word in self.stages:
            return word
        if self.synonyms.get(word) in self.stages:
            return self.synonyms[word]
        containing = [stage for stage in self.stages if word in stage or stage in word]
        return containing[0] if len(containing) == 1 else None

    def words(self) -> tuple[str, ...]:
        """Every word that names a stage, longest first (to find one at the end of 阶段张总报价)."""
        return _words(self.stages, tuple(self.synonyms.items()))


@functools.lru_cache(maxsize=16)
def _words(stages: tuple[str, ...], synonyms: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    found = set(stages) | {word for word, stage in synonyms if stage in stages}
    return tuple(sorted(found, key=len, reverse=True))


DEFAULT = Funnel()


def from_settings(stages: str, synonyms: str = "", limits: str = "") -> Funnel:
    """The funnel an operator configured: SCRM_STAGES, SCRM_STAGE_SYNONYMS added to the default words, and
    SCRM_STAGE_LIMITS (empty: the default limits of the default stages it keeps). Raises ValueError saying why."""
    ordered = parse_stages(stages)
    words = {word: stage for word, stage in DEFAULT_SYNONYMS.items() if stage in ordered}
    days = (
        parse_limits(limits, ordered) if limits.strip() else {s: d for s, d in DEFAULT_LIMITS.items() if s in ordered}
    )
    return Funnel(ordered, words | parse_synonyms(synonyms, ordered), days)


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
    for stage, days in _pairs(value):
        if stage not in stages[:-2]:
            raise ValueError(f"{stage!r} is not an open stage of SCRM_STAGES")
        if not days.isdigit() or int(days) < 1:
            raise ValueError(f"{stage}: the days must be a whole number of at least 1, like {stage}:14")
        limits[stage] = int(days)
    return limits


def parse_synonyms(value: str, stages: tuple[str, ...]) -> dict[str, str]:
    """`POC:需求确认,试用:需求确认`: more words reps use for a stage of SCRM_STAGES (word:stage)."""
    synonyms: dict[str, str] = {}
    for word, stage in _pairs(value):
        if not word or not stage or re.search(r"\s", word):
            raise ValueError(f"{word}:{stage}: give a word without spaces and its stage, like POC:{stages[0]}")
        if stage not in stages:
            raise ValueError(f"{word}:{stage}: {stage!r} is not a stage of SCRM_STAGES")
        synonyms[word] = stage
    return synonyms


def _pairs(value: str) -> list[tuple[str, str]]:
    """`a:b,c:d` (full-width punctuation too) → [(a, b), (c, d)], each side stripped."""
    pairs = []
    for part in value.replace("，", ",").replace("：", ":").split(","):
        if part.strip():
            left, _, right = part.partition(":")
            pairs.append((left.strip(), right.strip()))
    return pairs
