"""A process that watches its parent (``lifetime.watch_parent``) stops when the parent is
killed: real processes (moved from tests/unit/test_reliability.py)."""

import pytest

pytestmark = pytest.mark.integration

WATCHED_CHILD = """
import sys, time
from fragile_care.lifetime import watch_parent
watch_parent(0.1)
open(sys.argv[1], "w").write("started")
time.sleep(60)
"""


PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]])
print(child.pid, flush=True)
time.sleep(60)
"""


def test_a_watched_process_stops_when_its_parent_is_killed_outright(tmp_path):
    """Kernels and forecast workers call ``watch_parent``: after ``kill -9`` of the run they
    do not keep computing."""
    import os
    import signal
    import subprocess
    import sys
    import time

    flag = tmp_path / "started"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, WATCHED_CHILD, str(flag)], stdout=subprocess.PIPE, text=True)
    child_pid = int(parent.stdout.readline())
    deadline = time.monotonic() + 30
    while not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert flag.exists()
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            break
        if open(f"/proc/{child_pid}/stat").read().split()[2] == "Z":  # a zombie has stopped
            break
        time.sleep(0.05)
    else:
        os.kill(child_pid, signal.SIGKILL)
        raise AssertionError("the child kept running after its parent was killed")
