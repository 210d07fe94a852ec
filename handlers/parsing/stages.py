"""The default sales funnel and the words reps use for its stages. Which funnel applies is the caller's
setting; this module only matches a typed word to one of the stages it is given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

DEFAULT_STAGES: tuple[str, ...] = ("初次接触", "需求确认", "方案报价", "谈判", "成交", "流失")

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


def match_stage(
    word: str, stages: Sequence[str] = DEFAULT_STAGES, synonyms: Mapping[str, str] = DEFAULT_SYNONYMS
) -> str | None:
    """The stage `word` names: exact, then a synonym, then a stage name containing it (谈 → 谈判)."""
    word = word.strip()
    for filler in _FILLER:
        word = word.removesuffix(filler)
    word = word.removeprefix("到").strip()
    if not word:
        return None
    if word in stages:
        return word
    if synonyms.get(word) in stages:
        return synonyms[word]
    containing = [stage for stage in stages if word in stage or stage in word]
    return containing[0] if len(containing) == 1 else None


def stage_words(
    stages: Sequence[str] = DEFAULT_STAGES, synonyms: Mapping[str, str] = DEFAULT_SYNONYMS
) -> tuple[str, ...]:
    """Every word that names a stage, longest first (to find one at the end of 阶段张总报价)."""
    words = set(stages) | {word for word, stage in synonyms.items() if stage in stages}
    return tuple(sorted(words, key=len, reverse=True))
