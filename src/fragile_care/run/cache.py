"""Step cache: a step whose inputs are unchanged is reused instead of re-run.

A step's key is the hash of everything it depends on: the cache format, the package
version and a digest of the package's source files (an editable install keeps its version
number while its code changes), the notebook file, the configuration sections the step
reads, the raw input files (first step only) and the tables the earlier steps left in the
processed folder. A changed input therefore re-runs the step that reads it and, when that
changes its output, the steps downstream of it.

An entry is a folder ``<cache root>/<step>/<key>/`` with the executed notebook, the tables
the step wrote and ``entry.json`` (their sha256). Entries are written into a temporary
folder and renamed into place, so an interrupted run never leaves half an entry under a
key. An entry that fails its checks (unreadable ``entry.json``, a missing file, a changed
hash, another format) is reported, removed and re-computed: never used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fragile_care import __version__
from fragile_care.inputs import io
from fragile_care.run.steps import Step

CACHE_FORMAT = 2  # 2: keys hash the notebook's Jupytext source and the step table's sections


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_digest() -> str:
    """Digest of every Python source file of the package, in every subpackage."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def digest(hashes: dict[str, str]) -> str:
    """One digest of files given as path -> sha256 (order-independent)."""
    return _sha(json.dumps(sorted(hashes.items())).encode())


def folder_tables(folder: Path) -> dict[str, str]:
    """sha256 of every table file in a processed folder."""
    return {p.name: io.sha256_file(p) for p in sorted(folder.glob("*.parquet"))}


def step_key(step: Step, raw_config: dict[str, Any], upstream: dict[str, str], inputs_digest: str | None, code_digest: str) -> str:
    """The cache key of one step run (see the module docstring): the step's source file, the
    config sections it declares, the upstream tables, its other inputs and the code."""
    sections = {k: raw_config.get(k) for k in step.config_sections}
    payload = {
        "format": CACHE_FORMAT,
        "version": __version__,
        "code": code_digest,
        "step": step.name,
        "source": io.sha256_file(step.source),
        "config": sections,
        "upstream": upstream,
        "inputs": inputs_digest,
    }
    return _sha(json.dumps(payload, sort_keys=True, default=str).encode())[:32]


@dataclass
class Hit:
    notebook: Path
    tables: list[Path]
    seconds: float


def _checked_hit(entry: Path) -> Hit:
    """An entry that passed every check, or an exception saying which failed: the metadata
    (a JSON object of the expected shape, this format and version), the notebook (its hash
    and that it is a notebook) and each table (its hash and that it reads as Parquet)."""
    import nbformat
    import pyarrow.parquet as pq

    meta = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
    if not isinstance(meta, dict) or not isinstance(meta.get("tables"), dict) or not isinstance(meta.get("notebook_sha256"), str):
        raise ValueError("entry.json is not a cache record")
    if meta.get("format") != CACHE_FORMAT or meta.get("version") != __version__:
        raise ValueError(f"made by format {meta.get('format')} / version {meta.get('version')}")
    notebook = entry / "notebook.ipynb"
    if io.sha256_file(notebook) != meta["notebook_sha256"]:
        raise ValueError("the executed notebook does not match its recorded hash")
    nbformat.read(notebook, as_version=4)
    tables = []
    for name, digest in meta["tables"].items():
        path = entry / "tables" / str(name)
        if Path(str(name)).name != name or not path.is_file() or io.sha256_file(path) != digest:
            raise ValueError(f"table {name} is missing or does not match its recorded hash")
        pq.read_metadata(path)
        tables.append(path)
    return Hit(notebook, tables, float(meta.get("seconds", 0.0)))


class StepCache:
    """The cache of one project (or of a test), rooted at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _entry(self, step: str, key: str) -> Path:
        return self.root / step / key

    def lookup(self, step: str, key: str) -> tuple[Hit | None, str | None]:
        """The entry for ``key``, checked; or None and, when an entry was refused or older
        entries were passed over, a message saying so."""
        entry = self._entry(step, key)
        if not entry.is_dir():
            return None, self._older_versions(step)
        try:
            return _checked_hit(entry), None
        except Exception as exc:  # any way an entry can be bad: it is never used
            shutil.rmtree(entry, ignore_errors=True)
            return None, f"cache entry of {step} is unusable ({exc}); removed, the step is re-computed"

    def _older_versions(self, step: str) -> str | None:
        folder = self.root / step
        if not folder.is_dir():
            return None
        older = 0
        for entry in folder.iterdir():
            try:
                meta = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(meta, dict) or meta.get("version") != __version__ or meta.get("format") != CACHE_FORMAT:
                older += 1
        return f"{older} cache entr{'y' if older == 1 else 'ies'} of {step} from another package version ignored" if older else None

    def store(self, step: str, key: str, notebook: Path, tables: list[Path], seconds: float) -> str | None:
        """Write an entry atomically (temporary folder, then rename). Returns a message
        when the entry could not be stored (a full disk, say); the run goes on without it.
        Two runs storing the same key at once both succeed: the second keeps the first's."""
        final = self._entry(step, key)
        tmp = final.with_name(f".tmp-{key}-{uuid.uuid4().hex[:8]}")
        try:
            (tmp / "tables").mkdir(parents=True)
            shutil.copy2(notebook, tmp / "notebook.ipynb")
            for table in tables:
                shutil.copy2(table, tmp / "tables" / table.name)
            meta = {
                "format": CACHE_FORMAT,
                "version": __version__,
                "step": step,
                "key": key,
                "seconds": round(seconds, 2),
                "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "notebook_sha256": io.sha256_file(tmp / "notebook.ipynb"),
                "tables": {t.name: io.sha256_file(tmp / "tables" / t.name) for t in tables},
            }
            (tmp / "entry.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
            if final.exists():
                shutil.rmtree(final, ignore_errors=True)
            try:
                tmp.rename(final)
            except OSError:
                if not final.is_dir():
                    raise
                shutil.rmtree(tmp, ignore_errors=True)  # another run stored the same inputs' result meanwhile
            return None
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            return f"not cached ({exc.strerror or exc} in {self.root}); the result is used, the next run re-computes the step"

    def clean_temporary(self) -> int:
        """Remove half-written entries left by a run that was killed outright."""
        removed = 0
        if self.root.is_dir():
            for tmp in self.root.glob("*/.tmp-*"):
                shutil.rmtree(tmp, ignore_errors=True)
                removed += 1
        return removed
