"""A worker or scheduler that an earlier `scrm serve` left running, found and stopped by the next one.

Before bot/lifeline.py, a master killed with SIGKILL left them running (parent 1), still processing, with the
old code after an upgrade (issue 19). Only certain leftovers are touched: this user's processes with the
command line `scrm serve` gives its children (`python -m bot worker|scheduler --nice N`), whose environment
has the wake-up folder a `scrm serve` sets, whose parent is not a `scrm serve`, and that were started from this
directory with the same DATABASE_URL and SCRM_ENV_FILE (so on this database). Anything else is left alone: a
`scrm worker` started by hand, or one of a `scrm serve` still running (two on one database are allowed).
"""

from __future__ import annotations

import contextlib
import logging
import os

import psutil

log = logging.getLogger(__name__)
STOP_SECONDS = 10  # SIGTERM first: a worker finishes the message in hand, as long as `scrm serve` gives its own
SAME_PLACE = ("DATABASE_URL", "SCRM_ENV_FILE")


def stop_left_behind() -> list[int]:
    """Stop the worker and scheduler an earlier `scrm serve` started here left running; their pids."""
    left = left_behind()
    if left:
        log.warning(
            "stopping %s, left running by an earlier scrm serve started here that ended without stopping them (killed)",
            ", ".join(f"{process.info['cmdline'][3]} pid {process.pid}" for process in left),
        )
        stop(left)
    return [process.pid for process in left]


def left_behind() -> list[psutil.Process]:
    return [
        process
        for process in psutil.process_iter(["cmdline"])
        if _shaped_as_a_child(process.info["cmdline"] or []) and _left_here(process)
    ]


def stop(processes: list[psutil.Process]) -> None:
    """SIGTERM, then SIGKILL for any still running STOP_SECONDS later (psutil checks each is still the same
    process first, whatever pid was reused)."""
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.terminate()
    _gone, alive = psutil.wait_procs(processes, timeout=STOP_SECONDS)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=STOP_SECONDS)


def _shaped_as_a_child(cmdline: list[str]) -> bool:
    return cmdline[1:3] == ["-m", "bot"] and cmdline[3:4] in (["worker"], ["scheduler"])


def _left_here(process: psutil.Process) -> bool:
    try:
        if process.uids().real != os.getuid() or process.cwd() != os.getcwd():
            return False
        environment = process.environ()
        if "SCRM_WAKE_DIR" not in environment or any(
            environment.get(name) != os.environ.get(name) for name in SAME_PLACE
        ):
            return False
        parent = process.parent()
        return parent is None or "serve" not in parent.cmdline()
    except psutil.Error:  # gone meanwhile, or not ours to read
        return False
