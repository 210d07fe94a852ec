"""The dispatcher: retries, dead rows, crash recovery and concurrent workers, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.dispatch import Dispatcher
from handlers.context import HandlerSettings
from handlers.router import Router
from scrm import inbox, queue
from scrm.models import InboxEvent, OutboxMessage
from scrm.outbox import AppText

KIND = ("event", "change_external_contact", "add_external_contact")


class NoWeCom:
    def get_external_contact(self, external_userid: str) -> dict:
        raise AssertionError("not called in these tests")


def dispatcher(store, clock, router: Router, **kwargs) -> Dispatcher:
    return Dispatcher(store, router, NoWeCom(), clock, HandlerSettings(agent_id=1), **kwargs)


def receive(store, clock, n: int = 1) -> None:
    with store.transaction() as session:
        for i in range(n):
            fields = {
                "MsgType": "event",
                "Event": KIND[1],
                "ChangeType": KIND[2],
                "UserID": "zhangsan",
                "ExternalUserID": f"wm{i}",
                "CreateTime": "1",
            }
            inbox.add(session, dedup_key=f"k{i}", kind="/".join(KIND), payload=fields, now=clock.now())


def rows(store, model=InboxEvent) -> list:
    with store.transaction() as session:
        return list(session.exec(select(model).order_by(model.id)).all())


def test_a_failing_handler_is_retried_with_backoff_then_parked_as_dead(store, clock):
    router = Router("test")
    calls: list[str] = []

    @router.on("/".join(KIND))
    def broken(event, ctx) -> None:
        ctx.outbox.add(AppText(to=("zhangsan",), text="never sent"), key="x")  # rolled back each time
        calls.append(event.external_user_id)
        raise RuntimeError("boom")

    d = dispatcher(store, clock, router, policy=queue.RetryPolicy(max_attempts=3, first_delay=timedelta(seconds=10)))
    receive(store, clock)
    d.run_pending()
    assert [r.status for r in rows(store)] == ["failed"]
    d.run_pending()
    assert len(calls) == 1  # not before the backoff
    clock.advance(seconds=11)
    d.run_pending()
    clock.advance(seconds=41)
    d.run_pending()
    [row] = rows(store)
    assert (row.status, row.attempts, len(calls)) == ("dead", 3, 3)
    assert "RuntimeError: boom" in row.last_error
    assert rows(store, OutboxMessage) == []


def test_a_crash_in_the_middle_of_a_handler_is_recovered_and_its_effects_happen_once(store, clock):
    router = Router("test")
    crash = {"next": True}

    @router.on("/".join(KIND))
    def flaky(event, ctx) -> None:
        ctx.outbox.add(AppText(to=("zhangsan",), text="hello"), key=f"hello:{event.external_user_id}")
        if crash["next"]:
            crash["next"] = False
            raise KeyboardInterrupt("the process is killed here")  # not an Exception: nothing catches it

    d = dispatcher(store, clock, router, lease=timedelta(minutes=2))
    receive(store, clock)
    with pytest.raises(KeyboardInterrupt):
        d.run_pending()
    assert [r.status for r in rows(store)] == ["processing"] and rows(store, OutboxMessage) == []
    d.run_pending()
    assert [r.status for r in rows(store)] == ["processing"]  # still leased to the dead worker
    clock.advance(minutes=3)
    d.run_pending()
    assert [r.status for r in rows(store)] == ["done"]
    assert [m.key for m in rows(store, OutboxMessage)] == ["hello:wm0"]


def test_a_row_whose_worker_keeps_dying_is_parked(store, clock):
    router = Router("test")

    @router.on("/".join(KIND))
    def fatal(event, ctx) -> None:
        raise KeyboardInterrupt

    d = dispatcher(store, clock, router, policy=queue.RetryPolicy(max_attempts=2))
    receive(store, clock)
    for _ in range(2):
        with pytest.raises(KeyboardInterrupt):
            d.run_pending()
        clock.advance(minutes=3)
    d.run_pending()
    [row] = rows(store)
    assert row.status == "dead" and "worker died" in row.last_error


def test_several_workers_never_handle_one_row_twice(store, clock):
    router = Router("test")
    handled: list[str] = []
    lock = threading.Lock()

    @router.on("/".join(KIND))
    def record(event, ctx) -> None:
        with lock:
            handled.append(event.external_user_id)

    receive(store, clock, n=120)
    workers = [dispatcher(store, clock, router) for _ in range(4)]
    threads = [threading.Thread(target=w.run_pending) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(handled) == 120 and len(set(handled)) == 120
    assert {r.status for r in rows(store)} == {"done"}


class WriteLockProbe:
    """The real WeCom client, noting at each read whether another connection could take SQLite's write lock
    right then (it could not if the handler held it across the HTTP call, and every callback would wait)."""

    def __init__(self, inner, path: str) -> None:
        self.inner, self.path, self.free = inner, path, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def _note(self) -> None:
        import sqlite3

        other = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            self.free.append(True)
        except sqlite3.OperationalError:
            self.free.append(False)
        finally:
            other.close()

    def departments(self):
        self._note()
        return self.inner.departments()

    def group_chat(self, chat_id: str):
        self._note()
        return self.inner.group_chat(chat_id)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # the write lock is SQLite's
def test_handlers_that_read_wecom_hold_no_write_lock_meanwhile(services, wecom, standin, clock, database):
    from handlers import build_router
    from wecom_standin import xml
    from wecom_standin.fixtures import SAMPLE_CHAT_ID

    url, _ = database
    now = int(clock.now().timestamp())
    wecom.send(xml.contact_change("create_user", "newrep", create_time=now, corp_id=standin.corp.corp_id))
    wecom.send(
        xml.external_chat(
            SAMPLE_CHAT_ID,
            change_type="update",
            update_detail="add_member",
            create_time=now,
            corp_id=standin.corp.corp_id,
        )
    )
    probe = WriteLockProbe(services.contact_client, url.removeprefix("sqlite:///"))
    Dispatcher(
        services.store, build_router(), probe, clock, HandlerSettings(agent_id=1), spool=services.spool
    ).run_pending()
    assert probe.free == [True, True]  # the directory's checkpoint and the chat are looked up without it
    with services.store.transaction() as session:
        assert {e.status for e in session.exec(select(InboxEvent))} == {"done"}
