"""A run's folders beside its bundle: the journalled folder swap that puts a run's processed
tables and bundle into place together, its recovery after a run killed between the renames,
the temporary folders a killed run left behind and the partial bundles of failed runs."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import TextIO

from fragile_care.inputs import io
from fragile_care.run.bundle import is_marked


class SwapRefused(RuntimeError):
    """A folder to replace was not made by the project."""


def _progress(out: TextIO, text: str) -> None:
    print(text, file=out, flush=True)


def _old_name(final: Path) -> Path:
    return final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")


def journal_path(out_root: Path, run_id: str) -> Path:
    """The record of a folder swap in progress (see :func:`swap_into_place`)."""
    return out_root / f".swap-{run_id}.json"


def swap_into_place(pairs: list[tuple[Path, Path]], journal: Path) -> None:
    """Replace each ``final`` by its complete ``tmp`` with renames, so no ``final`` is ever
    half-written. The swap is first written to ``journal``; a run killed outright (SIGKILL,
    power loss) between the renames is completed by :func:`recover_swaps` at the start of
    the next run, so the processed tables and the bundle of a run id always belong together."""
    foreign = [final for _, final in pairs if final.is_dir() and any(final.iterdir()) and not is_marked(final)]
    if foreign:  # checked before the run too (``place_problems``); this is the last line of defence
        raise SwapRefused(f"refusing to replace {', '.join(map(str, foreign))}: not made by fragile-care (no marker file)")
    steps = [(tmp, final, _old_name(final)) for tmp, final in pairs]
    io.write_json({"pairs": [[str(a), str(b), str(c)] for a, b, c in steps]}, journal)
    _complete(steps)
    journal.unlink()


def _complete(steps: list[tuple[Path, Path, Path]]) -> None:
    for tmp, final, old in steps:
        if tmp.exists():  # not yet swapped
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                final.rename(old)
            tmp.rename(final)
    for _, _, old in steps:
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)


def recover_swaps(out_root: Path, run_id: str, out: TextIO) -> None:
    """Finish a folder swap that a killed run left half done (its new folders were complete
    before the swap began), and say so."""
    journal = journal_path(out_root, run_id)
    if not journal.is_file():
        return
    try:
        steps = [(Path(a), Path(b), Path(c)) for a, b, c in io.read_json(journal)["pairs"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        journal.unlink()
        _progress(out, f"removed an unreadable swap record {journal.name} ({type(exc).__name__})")
        return
    for tmp, final, old in steps:
        if not tmp.exists() and not final.exists() and old.exists():
            old.rename(final)  # the new folder is gone: put the previous one back
    _complete(steps)
    journal.unlink()
    _progress(
        out,
        f"recovered an interrupted folder swap of {run_id}: "
        + ", ".join(str(final) for _, final, _ in steps)
        + " now hold the last complete run (its reports may need `fragile-care render`)",
    )


TOKEN_RE = r"\d{8}T\d{6}-[0-9a-f]{6}"  # a run's token: start time and 6 hex digits (temporary and failed folders)


def new_token() -> str:
    """A fresh token for a run's temporary folders (matches ``TOKEN_RE``)."""
    return f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


FAILED_KEPT = 5  # partial bundles of failed runs kept per run id in <output root>/_failed


def keep_failed(tmp_bundle: Path, tmp_processed: Path, failed: Path) -> Path:
    """Move a failed run's partial bundle aside for inspection; drop its processed tables.
    Only the newest ``FAILED_KEPT`` failed bundles of a run id are kept."""
    failed.parent.mkdir(parents=True, exist_ok=True)
    tmp_bundle.rename(failed)
    shutil.rmtree(tmp_processed, ignore_errors=True)
    run_id = failed.name.rsplit("-", 2)[0]
    same = re.compile(rf"{re.escape(run_id)}-{TOKEN_RE}")
    older = sorted((p for p in failed.parent.iterdir() if same.fullmatch(p.name)), key=lambda p: p.name)
    for path in older[:-FAILED_KEPT]:
        shutil.rmtree(path, ignore_errors=True)
    return failed


def _leftover_re(run_id: str) -> re.Pattern[str]:
    """Names of the temporary folders of exactly this run id (not of ``<run_id>-b``)."""
    return re.compile(rf"\.(tmp|old)-{re.escape(run_id)}-({TOKEN_RE}|[0-9a-f]{{8}})")


def remove_leftovers(root: Path, run_id: str, out: TextIO, min_age_s: float = 3600) -> None:
    """Remove temporary folders of this run id left by a run that was killed outright
    (SIGKILL, power loss): a previous folder set aside by a swap goes back into place when
    nothing took its place, others are removed. Temporary folders younger than
    ``min_age_s`` are kept: the run lock is taken first, but an older version may run."""
    if not root.is_dir():
        return
    now = time.time()
    pattern = _leftover_re(run_id)
    for leftover in sorted(root.iterdir()):
        m = pattern.fullmatch(leftover.name)
        if not m:
            continue
        final = root / run_id
        if m[1] == "old" and not final.exists():
            leftover.rename(final)
            _progress(out, f"restored {final.name} from {leftover.name}, set aside by an interrupted run")
        elif m[1] == "old" or now - leftover.stat().st_mtime > min_age_s:
            shutil.rmtree(leftover, ignore_errors=True)
            _progress(out, f"removed {leftover.name}, left by an interrupted run")
