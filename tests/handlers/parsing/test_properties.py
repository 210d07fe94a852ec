"""Properties over ranges and grids (no hypothesis): amounts round-trip, parse_when never schedules the past."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from handlers.intents import When, WhenError
from handlers.parsing.amounts import parse_amount
from handlers.parsing.when import parse_when
from scrm.numbers import format_amount

TZ = ZoneInfo("Asia/Shanghai")


def _amounts() -> list[Decimal]:
    values = {
        Decimal(n)
        for n in (
            1,
            9,
            10,
            99,
            100,
            999,
            1000,
            9999,
            10000,
            10001,
            99999,
            100000,
            123456,
            999999,
            1000000,
            99999999,
            100000000,
            120000000,
            1234567890,
        )
    }
    values |= {Decimal(n) * 137 for n in range(1, 800, 7)}  # 137 … 109,000: every shape of digits
    values |= {Decimal(n) / 100 for n in range(1, 100000, 997)}  # fen
    values |= {Decimal(2) ** k for k in range(40)}
    return sorted(values)


@pytest.mark.parametrize("value", _amounts(), ids=str)
def test_a_formatted_amount_parses_back_to_the_same_value(value: Decimal) -> None:
    words = format_amount(value)
    amount = parse_amount(words)
    assert amount is not None and amount.value == value and amount.span == (0, len(words)), words


EXPRESSIONS = [
    "明天下午3点",
    "后天上午",
    "下周二",
    "下周二上午10点",
    "周五前",
    "3天后",
    "两小时后",
    "半小时后",
    "10分钟后",
    "12月5日上午",
    "12月5号",
    "月底",
    "下个月初",
    "今晚8点",
    "大后天",
    "这周五",
    "下下周一",
    "1月3日",
    "12/5",
    "中午",
    "明早",
    "晚上7点半",
    "过两天",
    "明天",
    "下午4点",
    "下午3点半",
    "后天晚上",
    "一周后",
    "周末",
    "周四",
    "下个月",
    "下月5号",
    "11月30日下午2点",
    "今天下午五点前",
    "年底",
    "周二",
    "周日",
    "3点",
    "9点",
    "8点半",
    "5号",
    "28号",
    "月中",
    "月初",
    "本周内",
    "今天之内",
    "3天内",
    "今晚",
    "傍晚",
    "凌晨2点",
    "2月28日",
    "12月31日",
    "1月1日",
    "晚上12点",
    "今天下午",
    "这周一",
    "本月28号",
    "下周末",
    "一个月后",
]


def _grid() -> list[datetime]:
    days = [
        datetime(2026, 11, 24),
        datetime(2026, 11, 29),
        datetime(2026, 11, 30),
        datetime(2026, 12, 31),
        datetime(2027, 1, 1),
        datetime(2027, 2, 28),
        datetime(2028, 2, 29),
        datetime(2026, 6, 30),
    ]
    hours = [0, 8, 9, 10, 12, 14, 17, 19, 20, 23]
    return [(day + timedelta(hours=h, minutes=m)).replace(tzinfo=TZ) for day in days for h in hours for m in (0, 59)]


@pytest.mark.parametrize("now", _grid(), ids=lambda n: n.strftime("%Y%m%d-%H%M"))
def test_parse_when_never_returns_a_due_time_in_the_past(now: datetime) -> None:
    for text in EXPRESSIONS:
        when = parse_when(text, now, TZ)
        assert when is None or isinstance(when, WhenError) or when.due > now, (text, when)
        if isinstance(when, When):
            assert when.due.tzinfo == TZ and 0 <= when.span[0] < when.span[1] <= len(text), (text, when)
