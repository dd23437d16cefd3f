"""Processes that end with the process that started them, and the environment they start with.

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
from collections.abc import Iterator
from contextlib import contextmanager

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


# BLAS and OpenMP read these when a process imports numpy: one thread each
SINGLE_THREADED = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def single_threaded_blas():
    """``os.environ`` with one BLAS/OpenMP thread for the processes started inside it (a
    step's kernel, the forecast's workers). The models multiply small matrices, where a
    second BLAS thread only costs: the default run's steps took 24.6 s with one thread
    against 28.8 s with the default two (one run each, 2 cores), the forecast's fits about
    five times as long in workers with two threads each."""
    return _environment(SINGLE_THREADED)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` set (spawned workers inherit them), restored after."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
