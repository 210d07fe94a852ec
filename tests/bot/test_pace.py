"""While callbacks pour in, processing rests after each busy step so that acknowledging keeps the CPU it needs
(issue 11: acks starved while two PostgreSQL workers ran flat out); once they stop it runs flat out."""

import time

import pytest

from bot.runner import Pace
from bot.wake import Signal


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.mark.parametrize(("share", "rest"), [(0.5, 0.3), (0.25, 0.9), (1.0, 0.0)])
def test_while_callbacks_arrive_a_busy_step_is_followed_by_a_rest_that_holds_processing_to_its_share(share, rest):
    clock = Clock()
    pace = Pace(share, heard_at=lambda: clock.t - 0.2, now=clock)  # a callback 0.2 s ago
    started = clock()
    clock.t += 0.3  # the step took 0.3 s
    assert pace.rest(started) == pytest.approx(rest)


def test_once_callbacks_stop_arriving_processing_does_not_rest():
    clock = Clock()
    pace = Pace(0.5, heard_at=lambda: clock.t - Pace.ARRIVING - 0.1, now=clock)
    started = clock()
    clock.t += 0.3
    assert pace.rest(started) == 0.0


def test_a_worker_hears_callbacks_arrive_without_ever_waiting(tmp_path):
    """A worker that starts into a backlog never waits for work, yet must know callbacks arrive (to step back)."""
    listener = Signal("scrm:wake:inbox", local_dir=tmp_path)
    listener.listen()  # Background.start does this
    notifier = Signal("scrm:wake:inbox", local_dir=tmp_path)
    before = time.monotonic()
    for _ in range(500):  # the listener binds in a thread; notify until it hears (bounded, no sleep)
        notifier.notify()
        if listener.heard_at >= before:
            break
        listener.wait(timeout=0.01)
    assert listener.heard_at >= before


def test_a_signal_remembers_when_it_last_heard_of_a_callback(tmp_path):
    listener = Signal("scrm:wake:inbox", local_dir=tmp_path)  # the worker child of `scrm serve`
    notifier = Signal("scrm:wake:inbox", local_dir=tmp_path)  # a web worker
    before = time.monotonic()
    assert listener.heard_at < before  # nothing heard yet
    for _ in range(50):  # the listener starts in a thread; notify until it hears (bounded)
        notifier.notify()
        if listener.wait(timeout=0.1):
            break
    assert listener.heard_at >= before
