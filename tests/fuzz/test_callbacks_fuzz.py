"""Fuzzing the callback spine (issue 11): whatever arrives, forged or correctly signed, ingest answers 200 or
a 4xx and never raises; a refused callback leaves no row; whatever was stored is then handled, paused or
parked dead by the dispatcher, which never raises either.

`make test` runs a short slice (SCRM_FUZZ_EXAMPLES, 200 a test); `make fuzz` runs 100,000 cases and more.
Cases are built from what WeCom really sends (the field names, kinds and shapes of callback.md), mutated:
fields dropped, repeated, nested, given other types' values, absurd lengths, odd Unicode; and from wholly
random query strings and bodies.
"""

from __future__ import annotations

import os
import string
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, func, select

from bot.crypto import CallbackCrypto
from bot.dispatch import Dispatcher
from bot.ingest import Ingest
from bot.wecom import ServerError
from handlers import build_router
from handlers.context import HandlerSettings
from scrm.clock import FrozenClock
from scrm.db import Store, make_engine
from scrm.models import InboxEvent
from scrm.spool import Spool
from tests.conftest import AES_KEY, TOKEN
from wecom_standin import crypto

CORP = "wwFuzzCorp0001"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
EXAMPLES = int(os.environ.get("SCRM_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 200,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

KINDS = [
    ("text", None, None),
    ("image", None, None),
    ("event", "enter_agent", None),
    *[
        ("event", "change_external_contact", c)
        for c in (
            "add_external_contact",
            "add_half_external_contact",
            "edit_external_contact",
            "del_external_contact",
            "del_follow_user",
            "transfer_fail",
        )
    ],
    *[("event", "change_external_chat", c) for c in ("create", "update", "dismiss")],
    *[("event", "change_external_tag", c) for c in ("create", "update", "delete", "shuffle")],
    *[("event", "change_contact", c) for c in ("create_user", "update_user", "delete_party")],
    ("event", "no_such_event", None),
    ("unknown", None, None),
]
FIELDS = [
    "Content",
    "MsgId",
    "AgentID",
    "UserID",
    "ExternalUserID",
    "State",
    "WelcomeCode",
    "Source",
    "FailReason",
    "ChatId",
    "UpdateDetail",
    "JoinScene",
    "QuitScene",
    "MemChangeCnt",
    "Id",
    "TagType",
    "StrategyId",
    "CreateTime",
    "FromUserName",
]
text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "zhangsan",
            "wmCust0001",
            "1",
            "-1",
            "99999999999999999999",
            "帮助",
            "跟进 张伟 电话 明天下午3点",
            "",
            " ",
            "0",
        ]
    ),
    st.text(alphabet=string.printable, min_size=200, max_size=3000),
)


def _escape(value: str) -> str:
    return f"<![CDATA[{value.replace(']]>', ']]]]><![CDATA[>')}]]>"


@st.composite
def element(draw, name: str, depth: int = 0) -> str:
    """A field as WeCom sends it, or as it never does: repeated, with children, nested."""
    shape = draw(st.sampled_from(["text", "text", "text", "empty", "repeated", "children", "items"]))
    if shape == "empty":
        return f"<{name}/>"
    if shape == "repeated":
        return "".join(f"<{name}>{_escape(draw(text))}</{name}>" for _ in range(draw(st.integers(2, 3))))
    if shape == "children" and depth < 3:
        inner = draw(element(draw(st.sampled_from(["b", "Item", name])), depth + 1))
        return f"<{name}>{inner}</{name}>"
    if shape == "items":
        return (
            f"<{name}>"
            + "".join(f"<Item>{_escape(draw(text))}</Item>" for _ in range(draw(st.integers(0, 3))))
            + f"</{name}>"
        )
    return f"<{name}>{_escape(draw(text))}</{name}>"


@st.composite
def message(draw) -> str:
    """The decrypted XML of a callback: a real kind with mutated fields, or no kind at all."""
    msg_type, event, change = draw(st.sampled_from(KINDS))
    parts = [f"<ToUserName>{CORP}</ToUserName>", f"<MsgType>{msg_type}</MsgType>"]
    if event:
        parts.append(f"<Event>{event}</Event>")
    if change:
        parts.append(f"<ChangeType>{change}</ChangeType>")
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=8)):
        parts.append(draw(element(name)))
    return "<xml>" + "".join(draw(st.permutations(parts))) + "</xml>"


@pytest.fixture
def spine(tmp_path, sqlite_template):
    import shutil

    path = tmp_path / "fuzz.db"
    shutil.copy(sqlite_template, path)
    store = Store(make_engine(f"sqlite:///{path}"))
    clock = FrozenClock(NOW)
    spool = Spool.beside(store)  # as `scrm serve` on SQLite: callbacks land in the spool first
    ingest = Ingest(CallbackCrypto(TOKEN, AES_KEY, CORP), store, clock, max_age=300, spool=spool)
    dispatcher = Dispatcher(
        store, build_router(), FailingWeCom(), clock, HandlerSettings(agent_id=1000002), spool=spool
    )
    yield store, ingest, dispatcher, spool
    store.engine.dispose()
    spool.close()


class FailingWeCom:
    """WeCom away: every read a handler makes fails as an outage does (so the row pauses, never crashes)."""

    def __getattr__(self, name):
        def call(*args, **kwargs):
            raise ServerError(None, "ConnectTimeout")

        return call


def rows(store, spool) -> int:
    """Callbacks kept: in the inbox or still in the spool."""
    with store.transaction() as session:
        return session.exec(select(func.count()).select_from(InboxEvent)).one() + spool.waiting()[0]


def signed(xml: str) -> tuple[dict[str, str], bytes]:
    encrypted = crypto.encrypt(xml, AES_KEY, CORP)
    timestamp, nonce = str(int(NOW.timestamp())), "1372623149"
    query = {
        "msg_signature": crypto.signature(TOKEN, timestamp, nonce, encrypted),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    return query, f"<xml><ToUserName>{CORP}</ToUserName><Encrypt>{encrypted}</Encrypt></xml>".encode()


@FUZZ
@given(xml=message())
def test_signed_callbacks_of_any_shape_are_stored_and_then_handled_paused_or_dead(spine, xml):
    store, ingest, dispatcher, _ = spine
    query, body = signed(xml)
    ack = ingest.receive(query, body)
    assert ack.status == 200  # signed by WeCom: always kept (readable or as a dead 'unreadable' row)
    dispatcher.run_pending()  # never raises
    with store.transaction() as session:  # the newest row (a redelivery of an earlier case adds none)
        status = session.exec(select(InboxEvent.status).order_by(col(InboxEvent.id).desc()).limit(1)).one()
    assert status in ("done", "dead", "pending")  # handled, parked, or paused on WeCom; never left failing


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["msg_signature", "timestamp", "nonce", "echostr", "x"]),
        st.one_of(text, st.from_regex(r"[0-9]{1,400}", fullmatch=True)),
        max_size=5,
    ),
    body=st.one_of(
        st.binary(max_size=2000),
        st.builds(lambda x: x.encode(), message()),
        st.builds(lambda q_b: q_b[1], st.builds(signed, message())),
    ),
)
def test_forged_or_malformed_callbacks_get_a_4xx_and_leave_nothing(spine, query, body):
    store, ingest, _, spool = spine
    before = rows(store, spool)
    for ack in (ingest.receive(query, body), ingest.verify(query)):
        assert 400 <= ack.status < 500
    assert rows(store, spool) == before
