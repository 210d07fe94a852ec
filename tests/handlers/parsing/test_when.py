"""parse_when on its own: the expressions reps use, the refusals, the numbers that are no times, spans."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.intents import When, WhenError, describe_when
from handlers.parsing.when import parse_when
from scrm.dates import format_when

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)  # Tuesday
YEAR_END = datetime(2026, 12, 28, 10, 0, tzinfo=TZ)  # Monday

# (text, due "MM-DD HH:MM" or "YYYY-MM-DD HH:MM", has_clock)
FUTURE = [
    ("明天下午3点", "11-25 15:00", True),
    ("明天下午三点", "11-25 15:00", True),
    ("后天上午", "11-26 09:00", False),
    ("下周二", "12-01 09:00", False),
    ("下周二上午10点", "12-01 10:00", True),
    ("周五前", "11-27 18:00", False),
    ("3天后", "11-27 09:00", False),
    ("三天后", "11-27 09:00", False),
    ("两小时后", "11-24 12:00", True),
    ("半小时后", "11-24 10:30", True),
    ("10分钟后", "11-24 10:10", True),
    ("12月5日上午", "12-05 09:00", False),
    ("12月5号", "12-05 09:00", False),
    ("月底", "11-30 09:00", False),
    ("下个月初", "12-01 09:00", False),
    ("今晚8点", "11-24 20:00", True),
    ("大后天", "11-27 09:00", False),
    ("这周五", "11-27 09:00", False),
    ("下下周一", "12-07 09:00", False),
    ("2026-12-05 14:00", "12-05 14:00", True),
    ("12/5", "12-05 09:00", False),
    ("中午", "11-24 12:00", False),
    ("明早", "11-25 09:00", False),
    ("晚上7点半", "11-24 19:30", True),
    ("过两天", "11-26 09:00", False),
    ("明天", "11-25 09:00", False),
    ("下午4点", "11-24 16:00", True),
    ("下午3点半", "11-24 15:30", True),
    ("明天上午九点半", "11-25 09:30", True),
    ("后天晚上", "11-26 19:00", False),
    ("一周后", "12-01 09:00", False),
    ("两周后", "12-08 09:00", False),
    ("下周", "11-30 09:00", False),
    ("周末", "11-28 09:00", False),
    ("周四", "11-26 09:00", False),
    ("下个月", "12-01 09:00", False),
    ("下月5号", "12-05 09:00", False),
    ("11月30日下午2点", "11-30 14:00", True),
    ("下周三下午两点", "12-02 14:00", True),
    ("今天下午五点前", "11-24 17:00", True),
    ("年底", "12-31 09:00", False),
    ("明天下午", "11-25 14:00", False),
    ("一个半小时后", "11-24 11:30", True),
    ("3个月后", "2027-02-24 09:00", False),
]


def _due(text: str) -> datetime:
    if len(text) == len("11-25 15:00"):
        text = f"2026-{text}"
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize(("text", "due", "has_clock"), FUTURE, ids=[t for t, _, _ in FUTURE])
def test_reps_time_words_resolve_to_the_expected_due_time(text: str, due: str, has_clock: bool) -> None:
    when = parse_when(text, NOW, TZ)
    assert isinstance(when, When), when
    assert (when.due, when.has_clock) == (_due(due), has_clock)
    assert when.span == (0, len(text)) and when.text == text


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("1月3日", "2027-01-03 09:00"),
        ("下周一", "2027-01-04 09:00"),
        ("下个月", "2027-01-01 09:00"),
        ("2号上午", "2027-01-02 09:00"),
    ],
)
def test_dates_after_new_year_roll_into_next_year(text: str, due: str) -> None:
    when = parse_when(text, YEAR_END, TZ)
    assert isinstance(when, When) and when.due == _due(due)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("昨天下午", "past"),
        ("今天上午9点", "past"),
        ("上周五", "past"),
        ("11月20日", "past"),
        ("9点", "past"),
        ("2月30日", "impossible"),
        ("13月1日", "impossible"),
        ("25点", "impossible"),
        ("11月31日", "impossible"),
        ("10:75", "impossible"),
        ("国庆期间", "unknown"),
        ("元宵节后", "unknown"),
        ("过几天", "unknown"),
        ("每周一上午", "unknown"),
    ],
)
def test_past_impossible_and_unresolvable_times_are_refused_with_a_suggestion(text: str, reason: str) -> None:
    when = parse_when(text, NOW, TZ)
    assert isinstance(when, WhenError), when
    assert when.reason == reason
    assert when.text and when.text == text[when.span[0] : when.span[1]] and when.text in when.suggestion


def test_a_refused_past_time_says_what_it_understood() -> None:
    when = parse_when("今天上午9点", NOW, TZ)
    assert isinstance(when, WhenError) and when.understood == NOW - timedelta(hours=1)
    assert "11月24日（周二）09:00" in when.suggestion


@pytest.mark.parametrize(
    "text",
    [
        "12.8万",
        "2号楼",
        "聊了20分钟",
        "3层",
        "5万",
        "第2个",
        "128000元",
        "13812345678",
        "推迟 2",
        "138-1234-5678",
        "客户想便宜一点",
        "提了两点意见",
        "早点发",
        "晚点再说",
        "今年预算不多",
        "这个月",
        "现在",
        "1.5%",
        "3:2赢了",
        "3号会议室",
        "1号产品",
        "5号线",
        "降了5个点",
        "有点贵",
        "打个9折",
        "前3名",
        "一天到晚",
    ],
)
def test_numbers_that_are_not_times_are_not_read_as_times(text: str) -> None:
    assert parse_when(text, NOW, TZ) is None


# The ten whole commands of LIBRARIES.md §1, traps included: (text, time words, due or None)
COMMANDS = [
    ("跟进 张总 电话沟通了报价,客户嫌贵 明天下午3点回访", "明天下午3点", "11-25 15:00"),
    ("推迟 2 下周二", "下周二", "12-01 09:00"),
    ("跟进 李总 3天后再联系 报价单已发", "3天后", "11-27 09:00"),
    ("拜访 王总 下周三下午两点 带样品", "下周三下午两点", "12-02 14:00"),
    ("跟进 刘经理 客户说12月5号前给答复", "12月5号前", "12-05 18:00"),
    ("跟进 赵总 聊了20分钟 约了周五上午10点见面", "周五上午10点", "11-27 10:00"),
    ("成交 腾讯 12.8万 合同下周一签", "下周一", "11-30 09:00"),
    ("跟进 陈总 2号楼3层 明天去", "明天", "11-25 09:00"),
    ("成交 华为 5万", None, None),
    ("跟进 孙总 今晚8点前发方案", "今晚8点前", "11-24 20:00"),
]


@pytest.mark.parametrize(("text", "words", "due"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_the_time_inside_a_command_is_found_with_its_exact_span(text: str, words: str | None, due: str | None) -> None:
    when = parse_when(text, NOW, TZ)
    if words is None:
        assert when is None
        return
    assert isinstance(when, When), when
    assert text[when.span[0] : when.span[1]] == words == when.text
    assert when.due == _due(due)


def test_deadlines_are_marked_and_get_the_end_of_the_working_day() -> None:
    when = parse_when("周五前发方案", NOW, TZ)
    assert isinstance(when, When) and when.deadline and not when.has_clock and when.due.hour == 18
    assert parse_when("3天内给答复", NOW, TZ).deadline  # type: ignore[union-attr]
    assert not parse_when("3天后", NOW, TZ).deadline  # type: ignore[union-attr]


def test_the_first_future_time_wins_over_a_past_one_before_it() -> None:
    when = parse_when("昨天拜访了 明天下午3点回访", NOW, TZ)
    assert isinstance(when, When) and when.text == "明天下午3点"


def test_full_width_digits_keep_their_offsets() -> None:
    text = "客户说３天后再联系"
    when = parse_when(text, NOW, TZ)
    assert isinstance(when, When) and text[when.span[0] : when.span[1]] == "３天后" == when.text


def test_the_due_time_is_in_the_business_timezone_whatever_zone_now_is_in() -> None:
    utc_now = NOW.astimezone(ZoneInfo("UTC"))
    when = parse_when("明天下午3点", utc_now, TZ)
    assert isinstance(when, When) and when.due.tzinfo == TZ and when.due == _due("11-25 15:00")


def test_format_when_shows_weekday_and_adds_the_year_only_when_it_differs() -> None:
    assert format_when(_due("11-25 15:00"), NOW) == "11月25日（周三）15:00"
    assert format_when(_due("2027-01-03 09:00"), NOW) == "2027年1月3日（周日）09:00"


def test_describe_when_says_when_the_hour_was_a_default() -> None:
    assert describe_when(parse_when("周五前", NOW, TZ), NOW) == "11月27日（周五）18:00前（没说几点，先按18点）"  # type: ignore[arg-type]
    assert describe_when(parse_when("明天下午3点", NOW, TZ), NOW) == "11月25日（周三）15:00"  # type: ignore[arg-type]


# Issue 19: times far beyond any plan, durations the recognizer misread, years no calendar has.
FAR_OR_IMPOSSIBLE = [
    ("9999年1月1日", "far"),
    ("9999年底", "far"),
    ("9999年12月31日下午3点", "far"),
    ("2099年1月1日", "far"),
    ("30个月后", "far"),
    ("9999个月后", "far"),
    ("99999天后", "far"),
    ("999999小时后", "far"),
    ("9999999周后", "far"),
    ("9" * 5000 + "天后", "far"),
    ("9999年12月下旬", "far"),
    ("0000年1月1日", "impossible"),
    ("1年1月1日", "impossible"),
    ("10000年1月1日", "impossible"),
    ("0年底", "impossible"),
    ("1e9天后", "impossible"),
    ("32号", "impossible"),
    ("0号前", "impossible"),
    ("2025年12月中旬", "past"),
]


@pytest.mark.parametrize(("text", "reason"), FAR_OR_IMPOSSIBLE, ids=[t[:20] for t, _ in FAR_OR_IMPOSSIBLE])
def test_a_time_far_ahead_or_in_a_year_no_calendar_has_is_refused(text: str, reason: str) -> None:
    refused = parse_when(text, NOW, TZ)
    assert isinstance(refused, WhenError) and refused.reason == reason, refused
    assert refused.text in text and refused.suggestion.startswith(f"「{refused.text}」")


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("100天后", datetime(2027, 3, 4, 9, 0)),
        ("365天后", datetime(2027, 11, 24, 9, 0)),  # were 10 and 36 days
        ("三百六十五天后", datetime(2027, 11, 24, 9, 0)),
        ("一百天后", datetime(2027, 3, 4, 9, 0)),  # 60 days, none
        ("100天内", datetime(2027, 3, 4, 18, 0)),
        ("100周后", datetime(2028, 10, 24, 9, 0)),  # was 10 weeks
        ("1000分钟后", datetime(2026, 11, 25, 2, 40)),
        ("1000小时后", datetime(2027, 1, 5, 2, 0)),  # 100 min, 100 h
        ("2027年12月中旬", datetime(2027, 12, 13, 9, 0)),  # was this year's 12月中旬
        ("24个月后", datetime(2028, 11, 24, 9, 0)),
        ("2028年11月24日", datetime(2028, 11, 24, 9, 0)),  # two years: kept
    ],
)
def test_long_durations_and_a_named_year_are_read_whole(text: str, due: datetime) -> None:
    when = parse_when(text, NOW, TZ)
    assert isinstance(when, When) and when.due == due.replace(tzinfo=TZ), when


def test_a_run_of_time_words_longer_than_any_time_is_not_read() -> None:
    """4,000 characters of 明天明天… took the recognizer 20 s (its time grows with the square of the input)."""
    assert parse_when("明天" * 2000, NOW, TZ) is None
    assert parse_when("明天" * 2000 + "，后天下午3点", NOW, TZ).due == datetime(2026, 11, 26, 15, 0, tzinfo=TZ)


def test_reading_a_time_leaves_the_decimal_precision_alone() -> None:
    """recognizers-number sets the importing thread's Decimal precision to 15: amounts of 16 digits and more then
    raised InvalidOperation in the handler (no reply; retried five times and dead). In a fresh interpreter, as the
    worker is, where the first time read imports it."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import decimal; from datetime import datetime; from zoneinfo import ZoneInfo;"
        "from handlers.parsing.when import parse_when; from handlers.parsing.amounts import parse_amount;"
        "tz = ZoneInfo('Asia/Shanghai'); parse_when('明天下午3点', datetime(2026, 11, 24, 10, tzinfo=tz), tz);"
        "print(decimal.getcontext().prec, parse_amount('1,000,000,000,000,000').value)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parents[3],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.split() == ["28", "1000000000000000"], done.stderr[-500:]
