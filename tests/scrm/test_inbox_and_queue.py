"""The inbox's unique key and the queue's claims, on SQLite and PostgreSQL."""

import threading
from datetime import timedelta

from sqlmodel import select

from scrm import inbox, queue
from scrm.models import InboxEvent


def add(store, clock, key: str) -> bool:
    with store.transaction() as session:
        return inbox.add(session, dedup_key=key, kind="text", payload={"Content": key}, now=clock.now())


def test_a_repeated_delivery_is_stored_once_and_counted(store, clock):
    assert add(store, clock, "msg:1:1") is True
    assert add(store, clock, "msg:1:1") is False
    assert add(store, clock, "msg:1:1") is False
    with store.transaction() as session:
        rows = session.exec(select(InboxEvent)).all()
    assert [(r.dedup_key, r.deliveries) for r in rows] == [("msg:1:1", 3)]


def test_an_overlong_key_is_hashed_not_refused(store, clock):
    assert add(store, clock, "x" * 1000) is True
    assert add(store, clock, "x" * 1000) is False


def claim(store, clock, limit=10, lease=timedelta(minutes=1)):
    with store.transaction() as session:
        return queue.claim(session, InboxEvent, now=clock.now(), lease=lease, limit=limit)


def test_a_claimed_row_is_not_claimed_again_until_its_lease_ends(store, clock):
    add(store, clock, "a")
    first = claim(store, clock)
    assert len(first.ids) == 1
    assert claim(store, clock).ids == []
    clock.advance(minutes=2)  # the worker died: its lease ran out
    second = claim(store, clock)
    assert second.ids == first.ids and second.token != first.token


def test_a_worker_whose_claim_was_taken_cannot_close_the_row(store, clock):
    add(store, clock, "a")
    stale = claim(store, clock)
    clock.advance(minutes=2)
    fresh = claim(store, clock)
    with store.transaction() as session:
        assert queue.finish(session, InboxEvent, stale.ids[0], stale.token, status="done") is False
        assert queue.finish(session, InboxEvent, fresh.ids[0], fresh.token, status="done") is True


def test_failures_back_off_then_park_the_row_as_dead(store, clock):
    add(store, clock, "a")
    policy = queue.RetryPolicy(max_attempts=2, first_delay=timedelta(seconds=10))
    taken = claim(store, clock)
    with store.transaction() as session:
        assert (
            queue.fail(
                session, InboxEvent, taken.ids[0], taken.token, error="boom", now=clock.now(), policy=policy, attempts=1
            )
            == "failed"
        )
    assert claim(store, clock).ids == []  # not before its backoff
    clock.advance(seconds=11)
    taken = claim(store, clock)
    with store.transaction() as session:
        assert (
            queue.fail(
                session, InboxEvent, taken.ids[0], taken.token, error="boom", now=clock.now(), policy=policy, attempts=2
            )
            == "dead"
        )
        assert inbox.counts(session) == {"dead": 1}
        assert inbox.replay(session, None, now=clock.now()) == 1
    assert len(claim(store, clock).ids) == 1


def test_concurrent_claimers_never_share_a_row(store, clock):
    for n in range(200):
        add(store, clock, f"k{n}")
    taken: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        while True:
            ids = claim(store, clock, limit=7).ids
            if not ids:
                return
            with lock:
                taken.extend(ids)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(taken) == sorted(set(taken)) and len(taken) == 200
