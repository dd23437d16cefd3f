"""Processes that end with the process that started them.

A run starts a Jupyter kernel per step, and the forecast starts a pool of worker processes
inside that kernel. When the run is killed outright (``kill -9``, an out-of-memory kill)
nobody shuts them down: they would keep computing for a run that no longer exists. Each
of them therefore watches its parent and stops itself when the parent is gone (the
operating system re-parents an orphan, so its parent id changes).
"""

from __future__ import annotations

import os
import signal
import threading

_watching = False


def watch_parent(interval: float = 1.0) -> None:
    """Stop this process with SIGTERM once its parent process has died. Idempotent; the
    check runs in a daemon thread every ``interval`` seconds."""
    global _watching
    if _watching or os.name != "posix":
        return
    _watching = True
    parent = os.getppid()

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(interval):
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="fragile-care-parent-watch", daemon=True).start()
