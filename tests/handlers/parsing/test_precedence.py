"""The precedence between the readers is one table, handlers/parsing/commands.py's READERS: each row reads its
example before any row above it does, a message several rows read goes to the higher row, the command-word rows
never compete, and the rules applied afterwards change only what they say they change."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.intents import Intent
from handlers.parsing import commands
from handlers.parsing.book import Book, Entry
from handlers.parsing.commands import NAMED, READERS, parse_command
from handlers.parsing.message import COMMAND_WORDS, Message
from scrm import funnel

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)  # a Tuesday
BOOK = Book(
    [
        Entry("wmLiu", "刘洋", "刘工", "比亚迪股份有限公司", position="工程师"),
        Entry("wmDeng", "邓超", "邓总", "杭州海康威视数字技术股份有限公司"),
        Entry("wmChen", "陈静", "陈总", "蔚来汽车科技有限公司"),
        Entry("wmZhang", "张伟", "张总-华为", "华为技术有限公司", position="采购总监"),
        Entry("wmDji", "赵敏", "", "深圳市大疆创新科技有限公司"),
    ]
)
ROW = {reader.name: reader for reader in READERS}


def readers_of(text: str) -> list[str]:
    """Every row that would read the message, in the table's order (the first one does)."""
    return [r.name for r in READERS if r.read(Message(text, NOW, TZ, BOOK)) is not None]


def test_the_table_holds_each_reader_once_and_the_named_customer_rows_together() -> None:
    assert len(ROW) == len(READERS) == len({r.read for r in READERS})
    start = READERS.index(NAMED[0])
    assert READERS[start : start + len(NAMED)] == NAMED


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name)
def test_each_row_reads_its_example_before_any_row_above_it(reader: commands.Reader) -> None:
    assert readers_of(reader.example)[:1] == [reader.name]


@pytest.mark.parametrize(
    ("text", "winner", "also", "intent"),
    [
        ("看看待办", "a whole-message command", "a lookup word", Intent.AGENDA),
        ("目标 张三 12月 50万", "a target", "no command word", Intent.SET_TARGET),
        ("今天要跟谁", "a question", "no command word", Intent.AGENDA),
        ("成交 华为 12.8万", "a deal word", "a named customer won", Intent.WON),
        ("阶段 张总 报价", "a stage word", "a named customer's stage", Intent.STAGE),
        ("推迟 2 明天", "an agenda item's word", "no command word", Intent.POSTPONE),
        ("华为签单了 12万", "a customer, then a deal word", "a named customer won", Intent.WON),
        ("张总 进入报价阶段", "a customer, then a stage", "a named customer's stage", Intent.STAGE),
        ("把华为删了", "nothing the bot does", "what happened with a named customer", Intent.UNKNOWN),
        ("陈总现在什么情况", "a question about a named customer", "no command word", Intent.CARD),
        ("陈总 下周二再约", "a plan for a named customer", "no command word", Intent.NEXT_STEP),
        ("华为呢", "a named customer alone", "a name alone", Intent.CARD),
        ("张三怎么样", "a question about a named customer", "a question about a name", Intent.CARD),
    ],
)
def test_a_message_several_rows_read_goes_to_the_higher_row(text: str, winner: str, also: str, intent: Intent) -> None:
    found = readers_of(text)
    assert found[0] == winner and also in found[1:]
    assert parse_command(text, NOW, TZ, BOOK).intent is intent


BY_WORD = {
    Intent.FOLLOW_UP: "a follow-up word",
    Intent.DONE: "an agenda item's word",
    Intent.POSTPONE: "an agenda item's word",
    Intent.STAGE: "a stage word",
    Intent.WON: "a deal word",
    Intent.LOST: "a deal word",
    Intent.CARD: "a lookup word",
}


@pytest.mark.parametrize(("word", "intent"), COMMAND_WORDS, ids=[w for w, _ in COMMAND_WORDS])
def test_a_command_word_is_read_by_its_own_familys_row_and_no_other(word: str, intent: Intent) -> None:
    message = Message(f"{word} 王总", NOW, TZ, BOOK)
    assert message.command == (word, intent) or any(w.startswith(word) and w != word for w, _ in COMMAND_WORDS)
    reading = [name for name in set(BY_WORD.values()) if ROW[name].read(message) is not None]
    assert reading == [BY_WORD[message.command[1]]]


def test_a_done_word_without_an_item_gives_way_to_the_customer_named() -> None:
    assert readers_of("搞定!大疆下单了")[0] == "an agenda item's word"
    parsed = parse_command("搞定！大疆下单了", NOW, TZ, BOOK)
    assert (parsed.intent, parsed.customer_ids) == (Intent.WON, ("wmDji",))
    assert parse_command("搞定 2", NOW, TZ, BOOK).intent is Intent.DONE  # an item number: the agenda's


@pytest.mark.parametrize("text", ["周五要不要去拜访刘工?", "你觉得陈总这单能成吗", "明天下午去见刘工吗"])
def test_a_question_without_a_command_word_is_no_log_and_no_plan(text: str) -> None:
    _, read = commands.first(READERS, Message(text, NOW, TZ, BOOK))
    assert read is not None and read.intent in (Intent.FOLLOW_UP, Intent.NEXT_STEP, Intent.CARD)
    assert parse_command(text, NOW, TZ, BOOK).intent is Intent.UNKNOWN


def test_a_stage_of_the_operators_own_funnel_is_read_in_free_text() -> None:
    own = funnel.from_settings("初次接触,需求确认,试用,方案报价,成交,流失", "POC:试用")
    for text in ("刘工那边进入试用阶段了", "刘工到POC了", "刘工 进入试用"):
        parsed = parse_command(text, NOW, TZ, BOOK, funnel=own)
        assert (parsed.intent, parsed.stage, parsed.customer_ids) == (Intent.STAGE, "试用", ("wmLiu",)), text
    assert parse_command("刘工那边进入试用阶段了", NOW, TZ, BOOK).intent is Intent.FOLLOW_UP  # not a default stage
