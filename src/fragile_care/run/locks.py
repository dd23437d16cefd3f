"""One process at a time per run id: runs and renders of the same run id never overlap."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path


class RunBusy(RuntimeError):
    """Another process holds the lock of this run id."""


@contextlib.contextmanager
def run_lock(out_root: Path, run_id: str):
    """One process at a time per run id (runs and renders): an exclusive ``flock`` on
    ``<output root>/.lock-<run_id>``, released by the kernel when the process ends, however
    it ends. Raises :class:`RunBusy` naming the process holding it."""
    import fcntl
    import os

    out_root.mkdir(parents=True, exist_ok=True)
    path = out_root / f".lock-{run_id}"
    handle = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunBusy(f"run {run_id} is already going on ({holder}); wait for it to finish or stop it, then run again") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
        handle.flush()
        yield
    finally:
        handle.close()
