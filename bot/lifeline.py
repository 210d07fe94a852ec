"""A process that `scrm serve` starts ends when the master does, however the master ends (SIGKILL included).

The child asks Linux to send it SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG), then checks that its
parent is still the master (the master may have died before the request). Linux sends the signal when the
*thread* that forked the child ends: `scrm serve` forks its web workers from gunicorn's main thread and each
worker or scheduler child from a thread that lives as long as that child. Where prctl is missing, a thread
polls the parent instead. SIGTERM, so each stops as it does on an ordinary stop: the worker finishes the
message in hand, a web process the request in hand.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
POLL = 1.0  # seconds between looks at the parent where prctl is missing


def end_with(parent: int, *, kernel: bool = True) -> None:
    """SIGTERM this process when `parent` ends, or now if it already has (its parent is no longer `parent`).

    `kernel=False` uses the polling thread even on Linux (to test it)."""
    if kernel and _death_signal(signal.SIGTERM):
        if os.getppid() != parent:  # it ended before we asked
            _parent_gone(parent)
    else:
        threading.Thread(target=_watch, args=(parent,), name="lifeline", daemon=True).start()  # looks at once


def _death_signal(number: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, number, 0, 0, 0) == 0
    except (OSError, AttributeError):  # no libc to hand, or no prctl in it
        return False


def _watch(parent: int) -> None:
    stopped = threading.Event()  # never set: a pause that is not a busy loop
    while os.getppid() == parent:
        stopped.wait(POLL)
    _parent_gone(parent)


def _parent_gone(parent: int) -> None:
    log.warning("the scrm serve that started this process (pid %d) has ended; stopping", parent)
    os.kill(os.getpid(), signal.SIGTERM)
