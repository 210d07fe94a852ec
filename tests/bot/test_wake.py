"""Workers on other processes are woken at once (through Redis, or a Unix datagram without it), not only by
their poll."""

import redis

from bot.wake import Signal


def _hears(listener: Signal, notifier: Signal) -> bool:
    for _ in range(50):  # the listener starts in a thread; notify until it hears (bounded)
        notifier.notify()
        if listener.wait(timeout=0.1):
            return True
    return False


def test_a_notify_in_one_process_wakes_a_worker_listening_through_redis(redis_server, redis_prefix):
    listener = Signal(f"{redis_prefix}:wake:inbox", redis.Redis.from_url(redis_server))
    assert _hears(listener, Signal(f"{redis_prefix}:wake:inbox", redis.Redis.from_url(redis_server)))


def test_without_redis_a_signal_still_wakes_in_process():
    signal = Signal("local")
    signal.notify()
    assert signal.wait(timeout=1) is True
    assert signal.wait(timeout=0.01) is False


def test_without_redis_a_notify_reaches_the_listener_through_a_unix_datagram(tmp_path):
    listener = Signal("scrm:wake:inbox", local_dir=tmp_path)  # the worker child of `scrm serve`
    notifier = Signal("scrm:wake:inbox", local_dir=tmp_path)  # a web worker: another object, its own socket
    notifier.notify()  # nobody listens yet: dropped without an error (the poll covers it)
    assert _hears(listener, notifier)
    assert (tmp_path / "inbox.sock").exists()
