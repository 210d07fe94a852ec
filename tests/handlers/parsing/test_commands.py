"""parse_command beyond the corpus: spans point into Parsed.text, and the result is a value."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.parsing.commands import Intent, Parsed, parse_command
from handlers.parsing.when import When

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("跟进 张总 电话沟通了报价,客户嫌贵 明天下午3点回访", "明天下午3点"),
        ("跟进：张总，客户说３天后再联系 😊", "3天后"),
        ("推迟 2 下周二", "下周二"),
        ("成交 腾讯 12.8万 合同下周一签", "下周一"),
        ("王经理 电话沟通了报价，下周二再联系", "下周二"),
    ],
)
def test_the_time_span_indexes_the_normalised_text(text: str, words: str) -> None:
    parsed = parse_command(text, NOW, TZ)
    assert isinstance(parsed.when, When)
    assert parsed.text[parsed.when.span[0] : parsed.when.span[1]] == words


def test_the_amount_span_indexes_the_normalised_text() -> None:
    parsed = parse_command("拿下字节跳动，合同额50w 🎉", NOW, TZ)
    assert parsed.amount is not None and parsed.text[parsed.amount.span[0] : parsed.amount.span[1]] == "50w"


def test_the_text_is_normalised_full_width_to_half_width_without_emoji() -> None:
    assert parse_command("跟进：张总，ｏｋ👍", NOW, TZ).text == "跟进:张总,ok"


def test_parsed_is_frozen_and_intents_compare_as_strings() -> None:
    parsed = parse_command("今天", NOW, TZ)
    assert parsed == Parsed(Intent.AGENDA, "今天") and parsed.intent == "agenda"
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.intent = Intent.HELP  # type: ignore[misc]


def test_every_intent_of_the_brief_exists() -> None:
    assert {i.value for i in Intent} == {
        "follow_up",
        "next_step",
        "agenda",
        "done",
        "postpone",
        "stage",
        "won",
        "lost",
        "card",
        "my_numbers",
        "team_agenda",
        "member_customers",
        "set_target",
        "member_numbers",
        "funnel",
        "board",
        "channels",
        "talent",
        "reopen",
        "help",
        "choose",
        "unknown",
    }


@pytest.mark.parametrize(
    "text, member, period, amount",
    [
        ("目标 张三 12月 50万", "张三", "12月", "500000"),
        ("设目标：李四 本月 30万", "李四", "本月", "300000"),
        ("目标 团队 下个月 200万", "团队", "下个月", "2000000"),
        ("定目标 张三 2026-12 500000", "张三", "2026-12", "500000"),
    ],
)
def test_a_target_is_who_when_and_how_much(text, member, period, amount) -> None:
    parsed = parse_command(text, NOW, TZ)
    assert (parsed.intent, parsed.member, parsed.note, str(parsed.amount.value)) == (
        Intent.SET_TARGET,
        member,
        period,
        amount,
    )
