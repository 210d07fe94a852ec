"""`scrm serve` starts its worker and scheduler from threads while gunicorn forks web workers from its main
thread (at start, and whenever one is replaced). A process forked without exec while a child was being
started kept the write end of the pipe through which Python's subprocess learns that the child's exec
succeeded: the start waited until that process ended, which for a web worker is never. So the scheduler was
never started again if it died, and a killed worker sometimes stayed dead (found by the damaged-spool test,
in which 150 acknowledged callbacks then waited forever in the spool)."""

from __future__ import annotations

import os
import signal
import sys
import threading

from bot.serve import start_child

STARTS = 30


def test_a_child_starts_while_other_threads_fork():
    holders: list[int] = []
    stop = threading.Event()

    def fork_like_gunicorn() -> None:  # each forked process lives on, as a web worker does
        while not stop.is_set() and len(holders) < 200:
            pid = os.fork()
            if pid == 0:
                signal.sigwait([signal.SIGTERM])  # no Python code runs in the fork: it waits to be ended
                os._exit(0)
            holders.append(pid)

    started: list[int] = []

    def start_children() -> None:
        for _ in range(STARTS):
            child = start_child([sys.executable, "-c", "pass"])
            started.append(child.wait())

    forker = threading.Thread(target=fork_like_gunicorn, daemon=True)
    starter = threading.Thread(target=start_children, daemon=True)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])  # the forks inherit it: sigwait needs it blocked
    try:
        forker.start()
        starter.start()
        starter.join(60)  # a bound on a start held by a fork: it would wait until that process ended
        stop.set()
        forker.join(60)
        assert started == [0] * STARTS, f"{len(started)} of {STARTS} children started while other threads forked"
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
        for pid in holders:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
