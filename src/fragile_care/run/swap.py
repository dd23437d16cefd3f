"""The journalled folder swap that puts a run's processed tables and bundle into place
together (and its recovery after a run killed between the renames)."""

from __future__ import annotations

import shutil
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
