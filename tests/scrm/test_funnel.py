"""The funnel, defined once: the default stages and their words, and an operator's own (stages, more words,
day limits) as SCRM_STAGES, SCRM_STAGE_SYNONYMS and SCRM_STAGE_LIMITS give them."""

from __future__ import annotations

import pytest

from scrm import funnel
from scrm.funnel import DEFAULT, DEFAULT_STAGES


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
    assert DEFAULT.match(word) == stage


@pytest.mark.parametrize("word", ["", "阶段", "啥", "POC"])
def test_words_naming_no_stage_match_nothing(word: str) -> None:
    assert DEFAULT.match(word) is None


def test_a_configured_funnel_wins_over_the_default_synonyms() -> None:
    own = funnel.from_settings("线索,报价,成交,流失")
    assert own.match("报价") == "报价"
    assert own.match("方案") is None  # its synonym names a stage this funnel lacks
    assert own.match("线索") == "线索"
    assert "方案" not in own.words() and {"线索", "报价"} <= set(own.words())


def test_the_default_funnel_is_the_design_briefs() -> None:
    assert DEFAULT_STAGES == ("初次接触", "需求确认", "方案报价", "谈判", "成交", "流失")
    assert funnel.from_settings(",".join(DEFAULT_STAGES)) == DEFAULT
    assert DEFAULT.open_stages == DEFAULT_STAGES[:-2] and DEFAULT.closing == ("成交", "流失")


def test_an_operator_adds_words_for_a_stage_and_keeps_the_default_ones() -> None:
    own = funnel.from_settings("初次接触,需求确认,试用,方案报价,成交,流失", "POC：试用，打样:试用")
    assert own.match("POC") == own.match("打样") == own.match("试用") == "试用"
    assert own.match("报价") == "方案报价"  # the default words of the stages it kept
    assert [len(w) for w in own.words()] == sorted((len(w) for w in own.words()), reverse=True)  # longest first
    assert {"POC", "打样"} <= set(own.words())


def test_limits_default_to_those_of_the_default_stages_kept_unless_set() -> None:
    assert funnel.from_settings("线索,拜访,方案报价,成交,流失").limits == {"方案报价": 14}
    assert funnel.from_settings("线索,拜访,成交,流失", limits="拜访:3").limits == {"拜访": 3}


@pytest.mark.parametrize(
    ("synonyms", "says"),
    [
        ("POC:试用", "'试用' is not a stage of SCRM_STAGES"),
        ("POC", "give a word without spaces and its stage"),
        ("P OC:谈判", "give a word without spaces and its stage"),
    ],
)
def test_a_word_for_a_stage_the_funnel_lacks_is_refused_saying_why(synonyms: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        funnel.parse_synonyms(synonyms, DEFAULT_STAGES)
