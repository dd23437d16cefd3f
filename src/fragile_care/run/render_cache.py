"""The render cache: what Quarto made of a render job, kept under a key of everything the job
reads, so a run whose reports would come out the same does not render them again.

A render job is one ``quarto render --to FMT`` of a project folder that ``render.RenderBatch``
has just filled with what Quarto reads and nothing else: the project file and variables,
the reports, filters and styles, and the executed notebooks (a notebook whose page is
rendered as its protected copy). Its key is the SHA-256 of that folder's every file (path
and bytes), the format and ``quarto --version``: a changed notebook, report, filter, format
or Quarto version is a new key. The run's manifest and logs are not in the folder (they
change on every run and Quarto does not read them).

An entry holds the files the job's outputs are moved from (HTML, PDF, Typst source, Typst
figures, notebook pages), relative to the job's folder, and a marker written last: an entry
without it (a run killed while storing) is never used. At most :data:`ENTRIES` entries are
kept, the least recently used removed first.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

ENTRIES = 12
STALE_SECONDS = 3600  # a temporary entry this old was left by a killed run
COMPLETE = ".complete"


@functools.lru_cache(maxsize=4)
def quarto_version(quarto: str) -> str:
    """``quarto --version`` (empty when it cannot be asked: then no entry matches a real one)."""
    try:
        return subprocess.run([quarto, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def job_key(folder: Path, fmt: str, quarto: str) -> str:
    """The key of rendering ``folder`` to ``fmt`` with ``quarto`` (module docstring)."""
    digest = hashlib.sha256(f"render-cache 1\0{fmt}\0{quarto_version(quarto)}\0".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:40]


def lookup(cache: Path | None, key: str | None) -> Path | None:
    """The complete entry of ``key``, marked as just used; None if there is none."""
    if cache is None or key is None:
        return None
    entry = cache / key
    if not (entry / COMPLETE).is_file():
        return None
    os.utime(entry)
    return entry


def restore(entry: Path, folder: Path) -> None:
    """Put an entry's files into the job's ``folder``, where Quarto would have written them."""
    shutil.copytree(entry, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns(COMPLETE))


def store(cache: Path, key: str, folder: Path, names: list[str]) -> bool:
    """Keep the files and folders ``names`` (relative to the job's ``folder``) as the entry
    of ``key``: written to a temporary folder, marked complete, then renamed into place.
    False when it could not be written (a full disk, a folder removed under it): the
    outputs are then simply not cached, and the render stands."""
    tmp = cache / f".tmp-{key}-{uuid.uuid4().hex[:8]}"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for name in names:
            source, target = folder / name, tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target)
            elif source.is_file():
                shutil.copy2(source, target)
        (tmp / COMPLETE).parent.mkdir(parents=True, exist_ok=True)
        (tmp / COMPLETE).write_text(key)
        if (cache / key).exists():
            shutil.rmtree(cache / key, ignore_errors=True)
        tmp.rename(cache / key)
        prune(cache)
    except OSError:
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True


def prune(cache: Path, keep: int = ENTRIES) -> None:
    """Remove all but the ``keep`` most recently used entries (and leftovers of a killed store)."""
    import time

    entries = [p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".tmp-")]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    stale = [p for p in cache.glob(".tmp-*") if time.time() - p.stat().st_mtime > STALE_SECONDS]  # not another run's, under way
    for old in entries[keep:] + stale:
        shutil.rmtree(old, ignore_errors=True)
