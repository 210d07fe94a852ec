"""A child that asked to end with its parent gets SIGTERM when the parent is killed, or at once if the parent was
gone before it asked (bot/lifeline.py), through prctl or, where that is missing, by polling."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time

import pytest

# The child stops as `scrm worker` and `scrm scheduler` do: its SIGTERM handler lets it finish, then it says so.
CHILD = """
import signal, sys, threading
from pathlib import Path
from bot import lifeline
stopped = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopped.set())
lifeline.end_with(int(sys.argv[1]), kernel=sys.argv[2] == "kernel")
Path(sys.argv[3]).write_text("up")
while not stopped.wait(1):
    pass
Path(sys.argv[3]).write_text("stopped on SIGTERM")
"""
PARENT = """
import os, signal, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid()), *sys.argv[2:]])
print(child.pid, flush=True)
signal.pause()
"""


@pytest.mark.parametrize("mode", ["kernel", "polling"])
def test_a_child_stops_on_sigterm_when_its_parent_is_killed(tmp_path, mode):
    said = tmp_path / "child"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, mode, str(said)], stdout=subprocess.PIPE, text=True)
    pidfd = os.pidfd_open(int(parent.stdout.readline()))  # names the child for good, whatever pids are reused
    try:
        deadline = time.monotonic() + 60
        while not (said.exists() and said.read_text() == "up"):
            assert time.monotonic() < deadline and parent.poll() is None, "the child did not start"
            with contextlib.suppress(subprocess.TimeoutExpired):
                parent.wait(0.05)  # a bounded pause
        # When the parent is killed outright
        parent.kill()
        parent.wait(30)
        # Then the child ends (its pidfd turns readable), having stopped through its SIGTERM handler
        assert select.select([pidfd], [], [], 30)[0], "the child outlived its parent"
        assert said.read_text() == "stopped on SIGTERM"
    finally:  # this test's processes: do not leave them to the machine
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        os.close(pidfd)
        parent.kill()
        parent.wait(30)
        parent.stdout.close()


@pytest.mark.parametrize("mode", ["kernel", "polling"])
def test_a_child_whose_parent_ended_before_it_asked_stops_at_once(tmp_path, mode):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    said = tmp_path / "child"
    # Its parent is this test, not the process it was told of, which has ended (as a master killed meanwhile)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, gone.stdout.strip(), mode, str(said)], capture_output=True, text=True, timeout=60
    )
    assert child.returncode == 0, child.stderr
    assert said.read_text() == "stopped on SIGTERM"
    assert f"the scrm serve that started this process (pid {gone.stdout.strip()}) has ended; stopping" in child.stderr
