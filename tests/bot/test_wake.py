"""Workers on other processes are woken through Redis, not only by their poll."""

import redis

from bot.wake import Signal


def test_a_notify_in_one_process_wakes_a_worker_listening_through_redis(redis_server, redis_prefix):
    listener = Signal(f"{redis_prefix}:wake:inbox", redis.Redis.from_url(redis_server))
    notifier = Signal(f"{redis_prefix}:wake:inbox", redis.Redis.from_url(redis_server))
    woken = False
    for _ in range(50):  # the subscription starts in a thread; publish until it hears (bounded)
        notifier.notify()
        if listener.wait(timeout=0.1):
            woken = True
            break
    assert woken


def test_without_redis_a_signal_still_wakes_in_process():
    signal = Signal("local")
    signal.notify()
    assert signal.wait(timeout=1) is True
    assert signal.wait(timeout=0.01) is False
