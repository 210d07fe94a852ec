"""match_stage: the default funnel, its synonyms, and a funnel of the caller's own."""

from __future__ import annotations

import pytest

from handlers.parsing.stages import DEFAULT_STAGES, match_stage


@pytest.mark.parametrize(
    ("word", "stage"),
    [
        ("报价", "方案报价"),
        ("方案", "方案报价"),
        ("需求", "需求确认"),
        ("调研", "需求确认"),
        ("谈判", "谈判"),
        ("议价", "谈判"),
        ("商务", "谈判"),
        ("初次", "初次接触"),
        ("接触", "初次接触"),
        ("新客", "初次接触"),
        ("方案报价", "方案报价"),
        ("报价阶段", "方案报价"),
        ("到谈判", "谈判"),
        ("谈", "谈判"),
        ("成交", "成交"),
        ("流失", "流失"),
    ],
)
def test_typed_stage_words_find_the_default_stage(word: str, stage: str) -> None:
    assert match_stage(word) == stage


@pytest.mark.parametrize("word", ["", "阶段", "啥", "POC"])
def test_words_naming_no_stage_match_nothing(word: str) -> None:
    assert match_stage(word) is None


def test_a_configured_funnel_wins_over_the_default_synonyms() -> None:
    funnel = ["线索", "报价", "签约"]
    assert match_stage("报价", funnel) == "报价"
    assert match_stage("方案", funnel) is None  # its synonym names a stage this funnel lacks
    assert match_stage("线索", funnel) == "线索"


def test_the_default_funnel_is_the_design_briefs() -> None:
    assert DEFAULT_STAGES == ("初次接触", "需求确认", "方案报价", "谈判", "成交", "流失")
