"""Rendering a bundle's reports with Quarto (HTML and Typst PDF). Rendering runs no Python:
every figure and table is an output of a notebook executed by papermill."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import TextIO

from fragile_care import paths
from fragile_care.inputs import io

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NO_RENDER, EXIT_BUSY = 0, 1, 2, 3, 4


def _progress(out: TextIO, text: str) -> None:
    print(text, file=out, flush=True)


def bundle_dir(run_id: str, output_root: Path | None = None) -> Path:
    return (output_root or paths.output_root()) / run_id


QUARTO_HELP = (
    "Quarto was not found on PATH, so HTML and PDF were not rendered. Every other output of the run is kept.\n"
    "Install Quarto 1.5 or later in one of these ways, then run `fragile-care render {run_id}`:\n"
    "  - conda:     conda install -c conda-forge quarto   (included in environment.yml)\n"
    "  - installer: https://quarto.org/docs/get-started/\n"
    "  - pip:       pip install quarto-cli   (downloads the Quarto binary; needs internet)\n"
    "PDF output uses Typst, which Quarto includes."
)


def set_render_status(bundle: Path, status: str, outputs: list[str] | None = None) -> None:
    manifest_path = bundle / "manifest.json"
    if manifest_path.exists():
        manifest = io.read_json(manifest_path)
        manifest["render"] = {"status": status, "outputs": outputs or []}
        io.write_json(manifest, manifest_path)


def _failed(out: TextIO, bundle: Path, source: str, fmt: str, proc: subprocess.CompletedProcess, outputs: list[str]) -> int:
    tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
    _progress(out, f"error: quarto render {source} --to {fmt} failed (exit {proc.returncode}):\n{tail}")
    set_render_status(bundle, f"failed: {source} to {fmt}", outputs)
    return EXIT_FAILED


def notebook_page(notebook: Path) -> Path:
    """The page every "Källa" link of the HTML reports points to: Quarto's name for a
    notebook's preview, ``notebooks/<stem>-preview.html`` (``reports/notebook-links.lua``
    writes the links, anchored at ``#<label>`` for a table or figure, else ``#cell-<label>``)."""
    return notebook.with_name(f"{notebook.stem}-preview.html")


def _render_notebook_pages(quarto: str, bundle: Path, out: TextIO, outputs: list[str]) -> int:
    """The executed notebooks as self-contained HTML pages, the target of every "Källa" link,
    so a reader can go from a figure to the audited cell that made it.

    Quarto 1.7 renders such preview pages itself but deletes them after a self-contained
    render (they count as supporting files), and ignores ``notebook-view: url`` for embeds; so
    the pages are rendered here, after the reports, under the name Quarto links to. One
    Quarto process per notebook, as many at a time as there are cores (each writes only its
    own page): 17 s instead of 29 s for six pages on two cores, the same files."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    notebooks = sorted((bundle / "notebooks").glob("*.ipynb"))

    def render(notebook: Path) -> subprocess.CompletedProcess:
        source = f"notebooks/{notebook.name}"
        _progress(out, f"render: quarto render {source} --to html")
        return subprocess.run(
            [quarto, "render", source, "--to", "html", "-M", "embed-resources:true"], cwd=bundle, capture_output=True, text=True
        )

    with ThreadPoolExecutor(max_workers=max(1, min(len(notebooks), os.cpu_count() or 1))) as pool:
        done = list(pool.map(render, notebooks))
    for notebook, proc in zip(notebooks, done):
        if proc.returncode != 0:
            return _failed(out, bundle, f"notebooks/{notebook.name}", "html", proc, outputs)
        page = notebook_page(notebook)
        notebook.with_suffix(".html").replace(page)
        outputs.append(page.relative_to(bundle).as_posix())
    return EXIT_OK


def render_bundle(bundle: Path, formats: tuple[str, ...], reports: tuple[str, ...], out: TextIO = sys.stderr) -> int:
    """Render the reports of a bundle with Quarto. Returns 0, 3 (no Quarto) or 1 (failed)."""
    quarto = shutil.which("quarto")
    if quarto is None:
        _progress(out, "render: " + QUARTO_HELP.format(run_id=bundle.name))
        set_render_status(bundle, "not rendered: quarto not found on PATH")
        return EXIT_NO_RENDER
    outputs = []
    # One project render (the bundle's _quarto.yml lists the reports and the formats): one
    # Quarto process instead of one per report and format, 40 s instead of 70 s for the
    # default run's seven reports in two formats, with the same files.
    _progress(out, f"render: quarto render ({len(reports)} report(s) to {', '.join(formats)}, one project render)")
    proc = subprocess.run([quarto, "render"], cwd=bundle, capture_output=True, text=True)
    if proc.returncode != 0:
        return _failed(out, bundle, "the project", "/".join(formats), proc, outputs)
    for report in reports:
        for fmt in formats:
            target = Path(report).with_suffix(".html" if fmt == "html" else ".pdf").name
            if not (bundle / target).is_file():
                return _failed(out, bundle, report, fmt, proc, outputs)
            outputs.append(target)
    if "html" in formats:
        code = _render_notebook_pages(quarto, bundle, out, outputs)
        if code != EXIT_OK:
            return code
    set_render_status(bundle, "ok", outputs)
    _progress(out, "render: " + ", ".join(outputs))
    return EXIT_OK


def render_run(run_id: str, out: TextIO = sys.stderr, output_root: Path | None = None) -> int:
    """Render an existing bundle (``fragile-care render RUN_ID``)."""
    from fragile_care.run.settings import RUN_ID_RE

    if not RUN_ID_RE.fullmatch(run_id):
        _progress(out, f"error: {run_id!r} is not a run id; allowed: letters, digits, '.', '_' or '-' (at most 64), no folders")
        return EXIT_USAGE
    from fragile_care.run.locks import RunBusy, run_lock

    bundle = bundle_dir(run_id, output_root)
    manifest_path = bundle / "manifest.json"
    if not manifest_path.is_file():
        _progress(out, f"error: no run bundle {run_id!r} in {bundle.parent} (run `fragile-care run --config ...` first)")
        return EXIT_USAGE
    try:
        with run_lock(bundle.parent, run_id):
            try:
                manifest = io.read_json(manifest_path)
                formats = tuple((manifest.get("config", {}).get("render") or {}).get("formats", ["html", "typst"]))
                reports = tuple(manifest.get("reports", []))
            except (ValueError, AttributeError, TypeError) as exc:
                _progress(out, f"error: {manifest_path} is not a run manifest ({type(exc).__name__}); run the pipeline again")
                return EXIT_USAGE
            return render_bundle(bundle, formats, reports, out=out)
    except RunBusy as exc:
        _progress(out, f"error: {exc}")
        return EXIT_BUSY
