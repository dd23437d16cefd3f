"""Shared fixtures; every test must carry exactly one of the level markers (``LEVELS``)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

LEVELS = ("unit", "statistical", "integration", "e2e")
ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config, items):
    bad = []
    for item in items:
        found = [m for m in LEVELS if item.get_closest_marker(m)]
        if len(found) != 1:
            bad.append(f"{item.nodeid}: markers {found}")
    if bad:
        raise pytest.UsageError(f"each test needs exactly one of {'/'.join(LEVELS)}:\n" + "\n".join(bad))


@pytest.fixture
def write_file(tmp_path):
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def _write(name: str, content, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode(encoding))
        return path

    return _write


@pytest.fixture
def cli():
    """Run the fragile-care CLI in a subprocess, as a user would."""
    import subprocess

    def _run(*args: str, cwd: Path | None = None):
        return subprocess.run(
            [sys.executable, "-m", "fragile_care.cli", *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=600
        )

    return _run


@pytest.fixture
def quarto_available() -> bool:
    return shutil.which("quarto") is not None
