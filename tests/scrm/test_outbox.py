"""Outbox messages: unique keys, and WeCom's byte limits."""

from sqlmodel import select

from scrm import outbox
from scrm.models import OutboxMessage
from scrm.outbox import AppText, Outbox, split_text


def test_split_text_keeps_lines_whole_and_parts_under_the_byte_limit():
    text = "\n".join(f"{n}. 客户{n} 明天下午3点回访 报价单已发" for n in range(200))
    parts = split_text(text, 2048)
    assert len(parts) > 1 and all(len(p.encode()) <= 2048 for p in parts)
    assert "\n".join(parts) == text


def test_a_single_overlong_line_is_cut_without_breaking_a_character():
    parts = split_text("客" * 1000, 2048)
    assert [len(p.encode()) for p in parts] == [2046, 954] and "".join(parts) == "客" * 1000


def test_a_long_reply_becomes_several_messages_in_order_and_adding_again_changes_nothing(store, clock):
    text = "\n".join(f"{n}. 客户{n} 明天下午3点回访" for n in range(150))
    for _ in range(2):
        with store.transaction() as session:
            Outbox(session, clock.now()).add(AppText(to=("zhangsan",), text=text), key="reply:1")
    with store.transaction() as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        messages = [outbox.load(r.payload) for r in rows]
    assert [r.key for r in rows] == ["reply:1", "reply:1#2", "reply:1#3"][: len(rows)] and len(rows) > 1
    assert "\n".join(m.text for m in messages) == text
