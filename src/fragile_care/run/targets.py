"""Where a run may write (issue 32): checked before anything is written or moved.

A run writes its bundle to ``<output root>/<run_id>``, its processed tables to
``<processed root>/<run_id>`` and its cache under the cache root, and swaps each new folder
into place by renames that replace the old one. A run id combined with a root chosen on
the command line could therefore name any folder (run id ``raw`` with the processed root
``data`` is ``data/raw``). So:

- no root may be, contain or lie inside the project's sources or raw data, or the run's
  input data folder;
- no two roots may be the same folder or lie one inside the other;
- a folder a run would replace must carry the project's marker (``bundle.MARKER``): a
  folder the project did not make as a bundle or processed folder is never replaced;
- every root must be writable (a plain message instead of an error half-way through).
"""

from __future__ import annotations

import errno
import os
import uuid
from pathlib import Path

from fragile_care import paths
from fragile_care.run.bundle import MARKER, is_marked

# Folders of the project a run never writes into (nor replaces): the sources, the raw data
# and the tools. ``reports`` holds the report sources; the default output root lies inside
# it (``reports/_output``), so a root may lie inside ``reports`` but not be or contain it.
PROTECTED = ("src", "analysis", "config", "data/raw", "tests", "tools", "docs", ".git", ".ci", ".venv")
CONTAINER_ONLY = ("reports",)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _protected_folders() -> list[tuple[str, Path, bool]]:
    root = paths.project_root().resolve()
    return [(name, root / name, False) for name in PROTECTED] + [(name, root / name, True) for name in CONTAINER_ONLY]


def root_problems(roots: dict[str, Path], data_dirs: list[Path]) -> list[str]:
    """Problems with the roots a run writes to (``{option: folder}``), against the project's
    protected folders, the input data folders and each other."""
    project = paths.project_root().resolve()
    problems = []
    resolved = {name: Path(root).resolve() for name, root in roots.items()}
    for name, root in resolved.items():
        if root == project:
            problems.append(f"{name} {root} is the project folder itself; choose a folder of its own (default: {_default(name)})")
            continue
        for folder_name, folder, container_only in _protected_folders():
            if _inside(folder, root):
                problems.append(f"{name} {root} is or contains the project's {folder_name}/ folder, which a run never writes into")
            elif not container_only and _inside(root, folder):
                problems.append(f"{name} {root} lies inside the project's {folder_name}/ folder, which a run never writes into")
        for data in data_dirs:
            data = data.resolve()
            if _inside(root, data):
                problems.append(f"{name} {root} is or lies inside the input data folder {data}, which a run only reads")
    names = list(resolved)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ra, rb = resolved[a], resolved[b]
            if ra == rb:
                problems.append(f"{a} and {b} are the same folder ({ra}); each needs a folder of its own")
            elif _inside(ra, rb) or _inside(rb, ra):
                problems.append(f"{a} {ra} and {b} {rb} lie one inside the other; each needs a folder of its own")
    return problems


def _default(option: str) -> str:
    return {
        "--output-root": "reports/_output",
        "--processed-root": "data/processed",
        "--cache-root": "data/cache",
    }.get(option, "its default")


def replace_problems(run_id: str, finals: dict[str, Path], data_dirs: list[Path]) -> list[str]:
    """Problems with the folders a run would replace (``{what: folder}``): each must be
    absent, empty, or marked as made by the project."""
    problems = []
    for what, final in finals.items():
        if not final.exists():
            continue
        if not final.is_dir() or final.is_symlink():
            problems.append(f"{what} {final} exists and is not a folder the project made; remove it or choose another run id")
            continue
        resolved = final.resolve()
        if any(_inside(d.resolve(), resolved) for d in data_dirs):
            problems.append(f"{what} {final} is or contains the input data folder; choose another run id or root")
        elif any(final.iterdir()) and not is_marked(final):
            problems.append(
                f"{what} {final} exists and was not made by fragile-care (no {MARKER} marker file): a run replaces only "
                f"its own folders; choose another run id ({run_id!r} now) or root, or move that folder away"
            )
    return problems


def writable_problems(roots: dict[str, Path]) -> list[str]:
    """Roots that cannot be created or written to, with the system's reason."""
    problems = []
    for name, root in roots.items():
        probe = Path(root) / f".write-test-{uuid.uuid4().hex[:8]}"
        try:
            Path(root).mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            problems.append(f"{name} {root} cannot be written to ({os.strerror(exc.errno or errno.EIO)}); choose a folder you can write to")
    return problems
