"""parse_amount and format_amount: the ways reps write money, and the numbers that are not money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.parsing.amounts import TOO_LARGE, parse_amount, whole_amount
from scrm.numbers import format_amount

WRITTEN = [
    ("5万", 50000),
    ("5w", 50000),
    ("5W", 50000),
    ("50k", 50000),
    ("五万", 50000),
    ("两万五", 25000),
    ("2万5", 25000),
    ("12万8", 128000),
    ("一万二", 12000),
    ("50,000", 50000),
    ("12.8万元", 128000),
    ("128000元", 128000),
    ("一百二十八万", 1280000),
    ("3千", 3000),
    ("1.5万", 15000),
    ("十万", 100000),
    ("3.5k", 3500),
    ("¥12,800", 12800),
    ("八千块", 8000),
    ("1.2亿", 120000000),
    ("一亿二", 120000000),
    ("1万2千", 12000),
    ("3千5", 3500),
    ("￥12,800", 12800),
    ("5万块钱", 50000),
    ("99.5元", Decimal("99.5")),
]


@pytest.mark.parametrize(("text", "value"), WRITTEN, ids=[t for t, _ in WRITTEN])
def test_amounts_as_reps_write_them_are_read_in_yuan(text: str, value: int) -> None:
    amount = parse_amount(text.replace("￥", "¥"))
    assert amount is not None and amount.value == Decimal(value)
    assert amount.span == (0, len(text))


def test_an_amount_inside_a_sentence_carries_its_span() -> None:
    text = "成交 腾讯 12.8万 合同下周一签"
    amount = parse_amount(text)
    assert amount is not None and text[amount.span[0] : amount.span[1]] == "12.8万" == amount.text


@pytest.mark.parametrize(
    "text",
    [
        "12月5日",
        "2号楼",
        "聊了20分钟",
        "3层",
        "第2个",
        "13812345678",
        "推迟 2",
        "下午3点",
        "3天后",
        "千万别降价",
        "万一不行",
        "5万多",
        "三四万",
        "5km",
        "三十个人",
        "2026-12-05",
    ],
)
def test_times_places_counts_and_rough_figures_are_not_amounts(text: str) -> None:
    assert parse_amount(text) is None


def test_bare_numbers_count_only_when_the_caller_says_so() -> None:
    assert parse_amount("签单 华为 128000") is None
    assert parse_amount("签单 华为 128000", bare_numbers=True).value == 128000  # type: ignore[union-attr]
    assert parse_amount("2号楼 13812345678", bare_numbers=True) is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("50000", "5万"),
        ("128000", "12.8万"),
        ("8000", "8,000元"),
        ("120000000", "1.2亿"),
        ("99.5", "99.5元"),
        ("12800", "1.28万"),
    ],
)
def test_format_amount_writes_what_a_rep_would(value: str, words: str) -> None:
    assert format_amount(Decimal(value)) == words


@pytest.mark.parametrize("text", ["1e309", "1e5", "x5万", "AB50000"])
def test_a_number_glued_to_letters_is_no_amount(text: str) -> None:
    """1e309 was read as 309 (and recorded as a deal of 309元)."""
    assert parse_amount(text, bare_numbers=True) is None


@pytest.mark.parametrize("text", ["九千九百九十九万亿", "1,000,000,000,000,000", "九" * 4000, "99999999999999999999万"])
def test_an_absurd_amount_is_read_as_too_large_never_an_error(text: str) -> None:
    """九千九百九十九万亿 raised InvalidOperation in the handler (a retried, then dead, event and no reply)."""
    amount = parse_amount(text, bare_numbers=True)
    assert amount is not None and amount.value == TOO_LARGE


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("50万", 500000),
        ("500000", 500000),
        ("5", 5),
        ("12.5", Decimal("12.5")),
        ("¥8,000", 8000),
        ("两万五", 25000),
        ("-5万", -50000),
        ("负5万", -50000),
        ("+5", 5),
        ("0元", 0),
        ("1" * 40, TOO_LARGE),
        ("1e309", None),
        ("inf", None),
        ("NaN", None),
        ("5万多", None),
        ("50万 加油", None),
        ("", None),
        ("5O万", None),
    ],
)
def test_whole_amount_reads_one_amount_and_nothing_more(text: str, value) -> None:
    assert whole_amount(text) == (None if value is None else Decimal(value))
