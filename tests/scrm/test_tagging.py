"""Tagging rules as saved: one form per rule, no rule twice; and what the operators' file reader accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrm import files, tagging


def test_keywords_are_saved_comma_separated_and_the_same_words_in_any_order_are_the_same_rule(store, clock):
    with store.transaction() as session:
        rule = tagging.add(
            session, kind="keyword", pattern=" 制造，工厂、机械 ", group=" 行业", tag="制造 ", now=clock.now()
        )
        assert (rule.pattern, rule.tag_group, rule.tag_name) == ("制造,工厂,机械", "行业", "制造")
        with pytest.raises(tagging.RuleError, match=r"saved already: #1 keyword 制造,工厂,机械 -> 行业:制造"):
            tagging.add(session, kind="keyword", pattern="机械,制造,工厂", group="行业", tag="制造", now=clock.now())
        tagging.add(session, kind="keyword", pattern="机械,制造,工厂", group="行业", tag="机械", now=clock.now())
        assert len(tagging.listed(session)) == 2


@pytest.mark.parametrize(
    "text, expected",
    [("行业:制造", ("行业", "制造")), (" 行业 ： 制造 ", ("行业", "制造")), ("渠道:官网:报价", ("渠道", "官网:报价"))],
)
def test_a_tag_is_group_colon_name_with_either_colon(text, expected):
    assert tagging.split_tag(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [("制造", "needs the form 组:标签"), (":制造", "tag group '' must be"), ("行业:", "tag '' must be")],
)
def test_a_tag_without_its_group_or_name_is_refused(text, message):
    with pytest.raises(tagging.RuleError, match=message):
        tagging.split_tag(text)


def test_the_reader_takes_yml_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_bytes("\ufeffchannel: []\n".encode())
    assert files.read(path) == {"channel": []}


def test_a_file_error_names_the_file_on_every_line():
    error = files.FileError(Path("x/rules.toml"), ["a", "b"])
    assert str(error) == "rules.toml: a\nrules.toml: b"
