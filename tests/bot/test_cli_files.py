"""`scrm rules load` and `scrm welcome load` through the real CLI: every mistake in a file is one line naming
where it is, exits non-zero and changes nothing; good files (YAML, TOML, the documented examples) load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.table import width

DOCS = Path(__file__).resolve().parents[2] / "docs"
GOOD_YAML = """\
channel:
  - {state: 'expo*', group: 渠道, tag: 展会}
keyword:
  - {words: [制造, 工厂], tag: '行业:制造'}
"""
GOOD_TOML = """\
[[channel]]
state = "douyin*"
tag = "渠道:抖音"

[[keyword]]
words = "医院、诊所"
group = "行业"
tag = "医疗"
"""


@pytest.fixture
def scrm(cli_env):
    """Run `scrm ARGS…` against the test's database."""
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), env=cli_env)


@pytest.fixture
def saved(scrm, tmp_path):
    """Two rules saved from a good file; returns what `scrm rules list` prints for them."""
    good = tmp_path / "good.yaml"
    good.write_text(GOOD_YAML, encoding="utf-8")
    assert scrm("rules", "load", str(good)).output == "loaded 2 rules\n"
    return scrm("rules", "list").output


def refused(result, *expected: str) -> None:
    """Exit 1, no traceback, and exactly the expected lines (each one a problem; the first after `Error: `)."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.removeprefix("Error: ").splitlines() == list(expected), result.output


RULE_MISTAKES = {
    "plural-section": (
        "rules.yaml",
        "channels:\n  - {state: x, group: 渠道, tag: 展会}\n",
        'rules.yaml: unknown key "channels" (known: channel, keyword)',
    ),
    "not-a-list": ("rules.yaml", "channel: 5\n", "rules.yaml: channel: expected a list, got 5"),
    "gbk": (
        "rules.yaml",
        "channel:\n  - {state: x, tag: 渠道:展会}\n".encode("gbk"),
        "rules.yaml: not UTF-8 text (byte 0xc7 at offset 29; saved as GBK?): save it as UTF-8",
    ),
    "bad-yaml": (
        "rules.yaml",
        "channel:\n  - {state: x, tag: 渠道:展会\n",
        "rules.yaml: not valid YAML at line 3, column 1: expected ',' or '}', but got '<stream end>'",
    ),
    "bad-toml": (
        "rules.toml",
        "[[channel]]\nstate = x\n",
        "rules.toml: not valid TOML: Invalid value (at line 2, column 9)",
    ),
    "suffix": ("rules.json", '{"channel": []}', "rules.json: unknown file type '.json': use .yaml, .yml, .toml"),
    "empty": (
        "rules.yaml",
        "",
        "rules.yaml: no rules in the file: expected `channel:` and/or `keyword:` lists (see docs/rules.example.yaml)",
    ),
    "empty-lists": (
        "rules.toml",
        "channel = []\n",
        "rules.toml: no rules in the file: expected `channel:` and/or `keyword:` lists (see docs/rules.example.yaml)",
    ),
    "section-twice": (
        "rules.yaml",
        "channel:\n  - {state: x, tag: a:b}\nchannel:\n  - {state: y, tag: a:b}\n",
        'rules.yaml: not valid YAML at line 3, column 1: the key "channel" appears twice',
    ),
    "no-colon": (
        "rules.yaml",
        "channel:\n  - {state: x, tag: 渠道:展会}\n  - {state: y, tag: 展会}\n",
        "rules.yaml: channel[2].tag: tag '展会' needs the form 组:标签 (GROUP:TAG), e.g. 行业:制造, "
        "or a `group:` beside it",
    ),
    "unknown-key": (
        "rules.yaml",
        "keyword:\n  - {words: [制造], group: 行业, tag: 制造, tags: 工厂}\n",
        'rules.yaml: keyword[1]: unknown key "tags" (known: group, tag, words)',
    ),
    "group-twice": (
        "rules.yaml",
        "keyword:\n  - {words: [制造], group: 行业, tag: '行业:制造'}\n",
        "rules.yaml: keyword[1].tag: give the group once: `group: 行业` with `tag: 制造`, or `tag: 行业:制造` alone",
    ),
    "too-long": (
        "rules.yaml",
        f"channel:\n  - {{state: x, tag: '渠道:{'展' * 31}'}}\n",
        f"rules.yaml: channel[1].tag: tag '{'展' * 31}' must be 1-30 characters (WeCom's limit)",
    ),
    "no-words": (
        "rules.yaml",
        "keyword:\n  - {words: '，、', tag: 行业:制造}\n",
        "rules.yaml: keyword[1].words: a keyword rule needs at least one word",
    ),
    "twice-in-file": (
        "rules.yaml",
        "keyword:\n  - {words: 制造，工厂, tag: 行业:制造}\n  - {words: [工厂, 制造], group: 行业, tag: 制造}\n",
        "rules.yaml: keyword[2]: the same rule as keyword[1]",
    ),
}


@pytest.mark.parametrize("name, content, line", RULE_MISTAKES.values(), ids=RULE_MISTAKES)
def test_a_mistake_in_a_rules_file_is_one_line_and_even_replace_changes_nothing(
    scrm, saved, tmp_path, name, content, line
):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    refused(scrm("rules", "load", "--replace", str(path)), line)
    assert scrm("rules", "list").output == saved


def test_several_mistakes_are_one_line_each_and_only_the_first_five(scrm, saved, tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("channel:\n" + "".join(f"  - {{state: s{n}, tag: 展会{n}}}\n" for n in range(7)), encoding="utf-8")
    result = scrm("rules", "load", str(path))
    refused(
        result,
        *[
            f"rules.yaml: channel[{n + 1}].tag: tag '展会{n}' needs the form 组:标签 (GROUP:TAG), "
            "e.g. 行业:制造, or a `group:` beside it"
            for n in range(5)
        ],
        "rules.yaml: … and 2 more",
    )
    assert scrm("rules", "list").output == saved


def test_a_rule_saved_already_is_refused_unless_the_file_replaces_them(scrm, saved, tmp_path):
    again = tmp_path / "again.yaml"
    again.write_text(
        "channel:\n  - {state: new, tag: 渠道:新}\n  - {state: 'expo*', tag: '渠道:展会'}\n", encoding="utf-8"
    )
    refused(scrm("rules", "load", str(again)), "again.yaml: channel[2]: the same rule is saved already as #1")
    assert scrm("rules", "list").output == saved

    assert scrm("rules", "load", "--replace", str(again)).output == "loaded 2 rules (the old ones are gone)\n"
    listed = scrm("rules", "list").output
    assert "new" in listed and "制造" not in listed


def test_rules_add_asks_for_group_colon_tag_and_refuses_a_duplicate(scrm, saved):
    refused(
        scrm("rules", "add", "channel", "x*", "nocolon"),
        "tag 'nocolon' needs the form 组:标签 (GROUP:TAG), e.g. 行业:制造",
    )
    refused(
        scrm("rules", "add", "keyword", "工厂，制造", "行业：制造"),
        "the same rule is saved already: #2 keyword 制造,工厂 -> 行业:制造",
    )
    assert scrm("rules", "list").output == saved
    assert scrm("rules", "add", "channel", "x*", "渠道：X").output == "added rule #3\n"  # a full-width colon is fine


def test_rules_load_yaml_and_toml_and_list_them_in_columns(scrm, saved, tmp_path):
    toml = tmp_path / "more.toml"
    toml.write_text(GOOD_TOML, encoding="utf-8")
    assert scrm("rules", "load", str(toml)).output == "loaded 2 rules\n"
    listed = scrm("rules", "list").output.splitlines()
    assert [line.split() for line in listed] == [
        ["#1", "channel", "expo*", "->", "渠道:展会"],
        ["#2", "keyword", "制造,工厂", "->", "行业:制造"],
        ["#3", "channel", "douyin*", "->", "渠道:抖音"],
        ["#4", "keyword", "医院,诊所", "->", "行业:医疗"],
    ]
    arrows = {width(line[: line.index("->")]) for line in listed}
    assert len(arrows) == 1, listed  # 制造,工厂 is 9 columns wide, not 5 characters


def test_the_documented_example_files_load(scrm):
    rules = scrm("rules", "load", "--replace", str(DOCS / "rules.example.yaml"))
    assert rules.exit_code == 0 and re.fullmatch(r"loaded \d+ rules \(the old ones are gone\)\n", rules.output)
    assert "渠道:2026工业展" in scrm("rules", "list").output
    templates = scrm("welcome", "load", "--replace", str(DOCS / "welcome.example.yaml"))
    assert templates.exit_code == 0, templates.output
    assert templates.output == "loaded 3 welcome templates (the old ones are gone)\n"
    assert "(default): {客户}您好，我是{我司}的{销售}" in scrm("welcome", "list").output


WELCOME_MISTAKES = {
    "placeholder": (
        "welcome.yaml",
        "welcome:\n  - {channel: '', text: '{客户}您好'}\n  - {channel: 'expo*', text: '{客人}您好'}\n",
        "welcome.yaml: welcome[2].text: unknown placeholder {客人}; use {客户}, {销售}, {公司}, {我司}",
    ),
    "braces": (
        "welcome.toml",
        "[[welcome]]\nchannel = 'x'\ntext = '{客户您好'\n",
        "welcome.toml: welcome[1].text: unbalanced braces: expected '}' before end of string",
    ),
    "empty-text": (
        "welcome.yaml",
        "welcome:\n  - {channel: x, text: '  '}\n",
        "welcome.yaml: welcome[1].text: the welcome text is empty",
    ),
    "too-long": (
        "welcome.yaml",
        f"welcome:\n  - {{channel: x, text: '{'您好' * 700}'}}\n",
        "welcome.yaml: welcome[1].text: too long: WeCom takes 4000 bytes",
    ),
    "channel-twice": (
        "welcome.yaml",
        "welcome:\n  - {channel: '', text: a}\n  - {channel: x, text: b}\n  - {channel: ' ', text: c}\n",
        "welcome.yaml: welcome[3]: the same channel as welcome[1]",
    ),
    "unknown-key": (
        "welcome.yaml",
        "welcome:\n  - {channel: x, txt: 您好}\n",
        (
            'welcome.yaml: welcome[1]: needs "text"',
            'welcome.yaml: welcome[1]: unknown key "txt" (known: channel, text)',
        ),
    ),
    "mapping": ("welcome.yaml", "welcome:\n  x: 您好\n", "welcome.yaml: welcome: expected a list"),
    "nothing": (
        "welcome.yaml",
        "welcome: []\n",
        "welcome.yaml: no templates in the file: expected a `welcome:` "
        "list of {channel, text} (see docs/welcome.example.yaml)",
    ),
}


@pytest.mark.parametrize("name, content, lines", WELCOME_MISTAKES.values(), ids=WELCOME_MISTAKES)
def test_a_mistake_in_a_welcome_file_names_its_entry_and_changes_nothing(scrm, tmp_path, name, content, lines):
    assert scrm("welcome", "set", "", "{客户}您好，我是{销售}").exit_code == 0
    before = scrm("welcome", "list").output
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    refused(scrm("welcome", "load", "--replace", str(path)), *([lines] if isinstance(lines, str) else lines))
    assert scrm("welcome", "list").output == before


def test_welcome_load_from_toml_adds_and_overwrites_by_channel(scrm, tmp_path):
    assert scrm("welcome", "set", "", "旧的默认").exit_code == 0
    assert scrm("welcome", "set", "old*", "旧渠道").exit_code == 0
    path = tmp_path / "welcome.toml"
    path.write_text(
        '[[welcome]]\nchannel = ""\ntext = "{客户}您好"\n\n'
        '[[welcome]]\nchannel = "expo*"\ntext = """\n{客户}您好，\n我是{我司}的{销售}"""\n',
        encoding="utf-8",
    )
    assert scrm("welcome", "load", str(path)).output == "loaded 2 welcome templates\n"
    assert (
        scrm("welcome", "list").output
        == "(default): {客户}您好\nexpo*: {客户}您好，\n我是{我司}的{销售}\nold*: 旧渠道\n"
    )
