"""A damaged spool loses no acknowledged callback: a web process notices around its write, refuses or recovers
before it answers, and what the damaged file or its memory still has is spooled again (issue 19, finding 2).

Two Spool objects on one file stand for a web process (it adds) and the worker (it moves), as in `scrm serve`."""

from __future__ import annotations

import glob
import os
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import create_app
from scrm.models import InboxEvent
from scrm.spool import Spool, SpoolDamaged

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def inbox(store) -> dict[str, int]:
    """dedup key -> deliveries."""
    with store.read() as session:
        return {e.dedup_key: e.deliveries for e in session.exec(select(InboxEvent))}


def acknowledged(spool: Spool, keys, clock) -> list[str]:
    for key in keys:
        spool.add(dedup_key=key, kind="text", payload={"Content": key}, now=clock.now())  # raises if not kept
    return list(keys)


def spool_path(store) -> str:
    return store.engine.url.database + "-spool"


def checkpointed(path: str) -> None:
    """What SQLite does every 1,000 pages: the WAL copied into the file itself."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    connection.close()


def test_a_spool_deleted_by_hand_and_then_a_crashed_worker_lose_nothing(store, clock):
    web, worker = Spool.beside(store), Spool.beside(store)
    sent = acknowledged(web, ["a", "b"], clock)
    worker.move_into(clock.now())
    sent += acknowledged(web, ["c"], clock)  # not yet moved when the file goes
    os.remove(spool_path(store))  # its -wal and -shm stay: a new connection would read them into a new file
    worker.close()  # the worker dies; a new one opens the path

    sent += acknowledged(web, ["d", "e"], clock)  # noticed before the write: the new spool takes them
    restarted = Spool.beside(store)
    while restarted.move_into(clock.now()):
        pass
    assert inbox(store) == dict.fromkeys(sent, 1)  # each once, none counted twice
    [note] = web.incidents()
    assert "deleted" in note and "spooled again: 1 read from it" in note


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_spool_damaged_in_place_is_set_aside_and_nothing_acknowledged_is_lost(store, clock, damage):
    web, worker = Spool.beside(store), Spool.beside(store)
    sent = acknowledged(web, [f"early{n}" for n in range(300)], clock)  # a backlog: the file grows
    worker.move_into(clock.now(), limit=100)
    checkpointed(spool_path(store))
    with open(spool_path(store), "r+b") as file:
        if damage == "truncated":
            file.truncate(0)
        else:
            file.seek(-8192, os.SEEK_END)
            file.write(os.urandom(8192))

    sent += acknowledged(web, [f"late{n}" for n in range(50)], clock)
    while worker.move_into(clock.now()):
        pass
    web.check()  # its watch, every second: the worker may have been first to find the damage
    while worker.move_into(clock.now()):
        pass
    assert inbox(store) == dict.fromkeys(sent, 1)
    assert len(glob.glob(spool_path(store) + ".damaged-*.txt")) <= 1


def test_a_new_spool_made_by_another_process_is_used_and_fed_what_this_one_holds(store, clock):
    one, other, worker = Spool.beside(store), Spool.beside(store), Spool.beside(store)
    sent = acknowledged(one, ["a"], clock) + acknowledged(other, ["b"], clock)
    os.remove(spool_path(store))
    sent += acknowledged(other, ["c"], clock)  # makes the new spool
    sent += acknowledged(one, ["d"], clock)  # finds it, and spools "a" again from the file it holds
    while worker.move_into(clock.now()):
        pass
    assert inbox(store) == dict.fromkeys(sent, 1)
    assert len(one.incidents()) == 1


def test_healthz_makes_a_damaged_spool_anew_and_says_what_happened_until_the_note_is_removed(services, clock):
    client = create_app(services).test_client()
    assert client.get("/healthz").json["status"] == "ok"
    path = spool_path(services.store)
    os.truncate(path, 0)
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json["status"] == "degraded"
    [problem] = answer.json["problems"]
    assert "truncated" in problem and ".damaged-" in problem
    for note in glob.glob(path + ".damaged-*.txt"):
        Path(note).unlink()  # an operator has looked
    assert client.get("/healthz").json["status"] == "ok"


def test_a_spool_that_cannot_be_made_anew_refuses_callbacks_and_healthz_says_why(services, clock):
    client = create_app(services).test_client()
    path = spool_path(services.store)
    os.remove(f"{path}-recovery")
    os.mkdir(f"{path}-recovery")  # the lock file cannot be opened: no recovery can run
    os.truncate(path, 0)
    with pytest.raises(SpoolDamaged):
        services.spool.add(dedup_key="a", kind="text", payload={}, now=clock.now())
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.is_json and answer.json["spool"].startswith("truncated")

    os.rmdir(f"{path}-recovery")
    for key in ("a", "b"):  # WeCom sends "a" again, as it does after a 503
        services.spool.add(dedup_key=key, kind="text", payload={}, now=clock.now())
    services.dispatcher.take_in()
    assert inbox(services.store) == {"a": 1, "b": 1}
