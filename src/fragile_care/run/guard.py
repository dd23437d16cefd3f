"""What can stop a run, and stopping it in order: SIGINT and SIGTERM, a full disk, a
file-size limit, a folder the system refuses to write, an internal error. Each removes the
run's temporary folders and says what was kept; the free space a run needs is checked
before it starts."""

from __future__ import annotations

import contextlib
import errno
import logging
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar

from fragile_care.run.render import EXIT_FAILED

EXIT_INTERRUPTED = 130

R = TypeVar("R")


def _progress(out: TextIO, text: str) -> None:
    print(text, file=out, flush=True)


# ----------------------------------------------------------------------------- disk space
MIN_FREE_MB = 200  # free space a run needs at least, besides twice its previous size


def _megabytes(folder: Path) -> float:
    if not folder.is_dir():
        return 0.0
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1024**2


def space_needed_mb(run_id: str, out_root: Path, proc_root: Path) -> float:
    """What a run of ``run_id`` needs free: twice what its previous run took (the new folders
    are written before the old ones are removed) plus ``MIN_FREE_MB``."""
    return 2 * (_megabytes(out_root / run_id) + _megabytes(proc_root / run_id)) + MIN_FREE_MB


def free_space_problems(run_id: str, out_root: Path, proc_root: Path) -> list[str]:
    need = space_needed_mb(run_id, out_root, proc_root)
    problems = []
    for root in {out_root, proc_root}:
        probe = next((p for p in (root, *root.parents) if p.exists()), None)
        if probe is None:
            continue
        free = shutil.disk_usage(probe).free / 1024**2
        if free < need:
            problems.append(f"only {free:,.0f} MB free on the disk holding {root}; a run of {run_id} needs about {need:,.0f} MB")
    return problems


def disk_full_message(run_id: str, step: str, filename: object, out_root: Path, proc_root: Path) -> str:
    return (
        f"the disk filled up during {step} (writing {filename or out_root}); a run of {run_id} needs about "
        f"{space_needed_mb(run_id, out_root, proc_root):,.0f} MB free. The run's temporary folders were removed; "
        "the previous bundle, its processed tables and the cache are unchanged. Free space and run again"
    )


# ----------------------------------------------------------------------------- signals
class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM during a run."""


@contextlib.contextmanager
def stop_on_signals():
    """Turn SIGTERM into an exception like Ctrl-C (SIGINT) for the duration of a run, so
    both stop the run the same, orderly way. Only possible in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Interrupted(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def signals_deferred():
    """Hold SIGINT and SIGTERM back while folders are swapped, so a stop can never fall
    between the two renames; a signal that arrives meanwhile is delivered right after."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# ----------------------------------------------------------------------------- the guard
def stop_batches(state: dict) -> None:
    """Stop the render batches started during the run (``state["batches"]``)."""
    for batch in state.get("batches") or []:
        batch.stop()
    state["batches"] = []


def remove_temporary(state: dict) -> None:
    """Stop the render batches and remove the run's temporary folders."""
    stop_batches(state)
    for key in ("tmp_bundle", "tmp_processed"):
        if state.get(key):
            shutil.rmtree(state[key], ignore_errors=True)


def _os_error_message(exc: OSError, run_id: str, step: object, out_root: Path, proc_root: Path) -> str | None:
    """What to say when the system refused a write during ``step``; None for other errors."""
    if exc.errno == errno.EFBIG:
        return (
            f"error: during {step} the system refused to write a file this large in {exc.filename or out_root} "
            "(a file-size limit is set for this shell: see `ulimit -f`). The run's temporary folders were removed; the "
            "previous bundle, its processed tables and the cache are unchanged. Lift the limit and run again"
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"error: {disk_full_message(run_id, step, exc.filename, out_root, proc_root)}"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"error: during {step} the system refused to write {exc.filename or out_root} ({exc.strerror}); "
            "the previous bundle, its processed tables and the cache are unchanged. Choose folders you can write to "
            "(--output-root, --processed-root, --cache-root) and run again"
        )
    return None


def _stopped_message(how: str, run_id: str, step: object) -> str:
    """What to say when a signal stopped the run during ``step``."""
    if step == "rendering":
        return (
            f"stopped ({how}) while rendering: the new bundle is in place, its reports are not rendered; run `fragile-care render {run_id}`"
        )
    return (
        f"stopped ({how}) during {step}: the run was abandoned; the previous bundle, "
        f"its processed tables and the cache are unchanged; run again to start over"
    )


def guarded(
    run_id: str, out: TextIO, out_root: Path, proc_root: Path, body: Callable[[dict], tuple[int, R | None]]
) -> tuple[int, R | None]:
    """Run ``body(state)`` so that a stop (SIGINT, SIGTERM), a full disk or an internal error
    removes the run's temporary folders and says what was kept. ``state`` records the step
    going on and the temporary folders."""
    state: dict[str, object] = {"step": "start"}
    with stop_on_signals():
        try:
            code, result = body(state)
            stop_batches(state)  # a run that ended before rendering
            return code, result
        except OSError as exc:
            remove_temporary(state)
            message = _os_error_message(exc, run_id, state["step"], out_root, proc_root)
            if message is None:
                raise
            _progress(out, message)
            return EXIT_FAILED, None
        except Exception:
            remove_temporary(state)  # an internal error leaves no half-written folders either
            raise
        except KeyboardInterrupt as exc:
            # nbclient's abandoned cell task reports the interrupt again when it is garbage
            # collected; that is noise after an orderly stop, not an error.
            logging.getLogger("asyncio").setLevel(logging.CRITICAL)
            remove_temporary(state)
            _progress(out, _stopped_message(str(exc) or "SIGINT", run_id, state["step"]))
            return EXIT_INTERRUPTED, None
