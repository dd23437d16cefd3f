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
from fragile_care.run import render_cache
from fragile_care.run.bundle import INTERNAL, PUBLISHED, internal_dir, manifest_path

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
    from fragile_care.run.bundle import manifest_path as bundle_manifest

    manifest_path = bundle_manifest(bundle)
    if manifest_path.exists():
        manifest = io.read_json(manifest_path)
        manifest["render"] = {"status": status, "outputs": outputs or []}
        io.write_json(manifest, manifest_path)


def notebook_page(notebook: Path) -> Path:
    """The page every "Källa" link of the HTML reports points to: Quarto's name for a
    notebook's preview, ``notebooks/<stem>-preview.html`` (``reports/notebook-links.lua``
    writes the links, anchored at ``#<label>`` for a table or figure, else ``#cell-<label>``)."""
    return notebook.with_name(f"{notebook.stem}-preview.html")


PROJECT_FILES = ("_quarto.yml", "_variables.yml", "*.qmd", "*.lua", "*.css", "*.scss")


def _page_source(notebook: Path, target: Path, embedded: set[str]) -> None:
    """The copy of an executed notebook that its published page is rendered from: every
    cell's source, the outputs of the cells the reports embed (``embedded``: made by the
    same protected code the reports print, and scanned with them), and in place of every
    other output a line saying that the audited notebook in the bundle's internal part holds
    it (``pages.protect_page``); first a raw front-matter cell that turns off the links to
    other formats (a notebook page has no PDF; the reports' HTML links to theirs)."""
    import json

    from fragile_care.publish.pages import protect_page

    data = protect_page(json.loads(notebook.read_text(encoding="utf-8")), embedded, f"internal/notebooks/{notebook.name}")
    data["cells"].insert(
        0,
        {
            "cell_type": "raw",
            "id": "fc-page-front-matter",
            "metadata": {},
            "source": ["---\n", "format:\n", "  html:\n", "    format-links: false\n", "---"],
        },
    )
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def embedded_labels(project: Path) -> dict[str, set[str]]:
    """Notebook file name -> the labels of its cells that the reports of ``project`` (a
    bundle's internal part) embed."""
    from fragile_care.publish.embeds import find_embeds

    found: dict[str, set[str]] = {}
    for qmd in sorted(project.glob("*.qmd")):
        for e in find_embeds(qmd):
            found.setdefault(Path(e.notebook).name, set()).add(e.label)
    return found


def _copy_project(source: Path, target: Path, render: list[str]) -> Path:
    """A copy of the bundle's Quarto project (its internal part, ``source``) in ``target``
    whose render list is ``render`` (rendered to ``fmt`` by the caller): project file,
    variables, reports, filters, styles and the notebooks executed so far; a notebook whose
    page is rendered is its protected copy."""
    (target / "notebooks").mkdir(parents=True, exist_ok=True)
    for pattern in PROJECT_FILES:
        for path in sorted(source.glob(pattern)):
            shutil.copy2(path, target / path.name)
    pages = {Path(name).name for name in render if name.startswith("notebooks/")}
    embedded = embedded_labels(source) if pages else {}
    for notebook in sorted((source / "notebooks").glob("*.ipynb")):
        if notebook.name in pages:
            _page_source(notebook, target / "notebooks" / notebook.name, embedded.get(notebook.name, set()))
        else:
            shutil.copy2(notebook, target / "notebooks" / notebook.name)
    project = io.read_yaml(target / "_quarto.yml")
    project.setdefault("project", {})["render"] = render
    # every format stays declared (``quarto render --to fmt`` picks one), so the HTML still
    # links to its PDF under "Andra format"
    io.write_yaml(project, target / "_quarto.yml")
    return target


class RenderBatch:
    """Some reports in HTML and PDF and some notebook pages, rendered by Quarto in folders
    of their own and then moved into the bundle.

    A batch is at most two Quarto processes side by side: one project render to HTML of
    its reports and of its notebooks' pages, and one to Typst/PDF of its reports, each in
    a copy of the bundle's project (``workdir/html``, ``workdir/typst``), so they share
    neither Quarto's ``.quarto`` folder nor the reports' ``_files`` folders, and each pays
    Quarto's start (about 2.5 s of CPU for HTML) once. A run starts a batch for the reports
    whose steps are done while the last steps still compute (``pipeline._run``), and one for
    the rest at the end.

    A notebook's page is the target of every "Källa" link, so a reader can go from a figure
    to the audited cell that made it. Quarto 1.7 renders such preview pages itself, once per
    report that embeds the notebook, and deletes them after a self-contained render; the
    reports render with ``notebook-view: false`` and each page is rendered once here, under
    the name the links use (``notebook_page``)."""

    def __init__(
        self,
        quarto: str,
        source: Path,
        workdir: Path,
        reports: list[str],
        pages: list[str],
        formats: tuple[str, ...],
        out: TextIO,
        cache: Path | None = None,
    ):
        self.workdir, self.reports, self.cache = workdir, list(reports), cache
        self.pages = list(pages) if "html" in formats else []
        self._procs: dict[str, subprocess.Popen] = {}
        self._cached: dict[str, Path] = {}  # format -> the render cache's entry that has its outputs
        self._keys: dict[str, str] = {}  # format -> the key its fresh outputs are stored under
        shutil.rmtree(workdir, ignore_errors=True)
        jobs = {}
        if "html" in formats and (self.reports or self.pages):
            jobs["html"] = self.reports + [f"notebooks/{name}" for name in self.pages]
        if "typst" in formats and self.reports:
            jobs["typst"] = self.reports
        for fmt, render in jobs.items():
            folder = _copy_project(source, workdir / fmt, render)
            what = ", ".join(Path(r).stem for r in render if not r.startswith("notebooks/"))
            pages = sum(r.startswith("notebooks/") for r in render)
            what = (what or "no report") + (f" and {pages} notebook page(s)" if pages else "")
            key = render_cache.job_key(folder, fmt, quarto) if cache is not None else None
            entry = render_cache.lookup(cache, key)
            if entry is not None:  # everything Quarto would read is as when it last rendered this
                self._cached[fmt] = entry
                _progress(out, f"render: {fmt} of {what} unchanged since it was rendered: taken from the render cache")
                continue
            if key is not None:
                self._keys[fmt] = key
            self._procs[fmt] = subprocess.Popen(
                [quarto, "render", "--to", fmt], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            _progress(out, f"render: quarto render to {fmt}: {what}")

    def stop(self) -> None:
        """Stop rendering (a failed or interrupted run) and remove the work folders."""
        for proc in self._procs.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def collect(self, bundle: Path) -> tuple[list[str], str | None]:
        """Wait for the renders, move their outputs into the bundle (HTML, PDF and pages to
        its published part, Typst sources and their figures to its internal part) and remove
        the work folders. Returns the files written (relative to the bundle) and the first
        error."""
        try:
            done = {fmt: (proc.communicate()[0], proc.returncode) for fmt, proc in self._procs.items()}
            for fmt, entry in self._cached.items():
                render_cache.restore(entry, self.workdir / fmt)
                done[fmt] = ("", 0)
        except BaseException:
            self.stop()
            raise
        written, error = [], None
        for fmt, (output, code) in done.items():
            if code != 0:
                tail = "\n".join(output.strip().splitlines()[-15:])
                error = (
                    error or f"quarto render to {fmt} of {', '.join(self.reports) or 'the notebook pages'} failed (exit {code}):\n{tail}"
                )
        moves = []
        pub, internal = PUBLISHED, INTERNAL
        for report in self.reports:
            stem = Path(report).stem
            if "html" in done:
                moves.append((f"html/{stem}.html", f"{pub}/{stem}.html"))
            if "typst" in done:
                moves += [(f"typst/{stem}.pdf", f"{pub}/{stem}.pdf"), (f"typst/{stem}.typ", f"{internal}/{stem}.typ")]
                moves.append((f"typst/{stem}_files/figure-typst", f"{internal}/{stem}_files/figure-typst"))
        for name in self.pages:
            page = notebook_page(Path("notebooks") / name)
            moves.append((f"html/notebooks/{Path(name).stem}.html", f"{pub}/{page.as_posix()}"))
        for fmt, key in self._keys.items() if error is None and self.cache is not None else []:
            names = [src.partition("/")[2] for src, _ in moves if src.startswith(f"{fmt}/")]
            render_cache.store(self.cache, key, self.workdir / fmt, names)
        for source_name, target_name in moves if error is None else []:
            source, target = self.workdir / source_name, bundle / target_name
            if not source.exists():
                if source.suffix:  # a report or a page; a figure folder exists only where it has figures
                    error = error or f"quarto render wrote no {target_name}"
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir():
                shutil.rmtree(target)
            source.replace(target)
            if target.suffix in (".html", ".pdf"):
                written.append(target_name)
        self.stop()
        return written, error


def render_bundle(
    bundle: Path,
    formats: tuple[str, ...],
    reports: tuple[str, ...],
    out: TextIO = sys.stderr,
    started: list[RenderBatch] | None = None,
    workdir: Path | None = None,
    cache: Path | None = None,
) -> int:
    """Render the reports and notebook pages of a bundle with Quarto. Returns 0, 3 (no
    Quarto) or 1 (failed).

    ``started``: batches a run started before the end of its steps (their reports and
    pages are not rendered again); the rest is rendered in one more batch, in ``workdir``
    (default ``<bundle>/.render``). ``cache``: the render cache's folder
    (``run.render_cache``): a job whose every input is unchanged is taken from it. The bench (``fragile-care bench scale --render``)
    measures the result."""
    started = list(started or [])
    quarto = shutil.which("quarto")
    if quarto is None:
        _progress(out, "render: " + QUARTO_HELP.format(run_id=bundle.name))
        set_render_status(bundle, "not rendered: quarto not found on PATH")
        for batch in started:
            batch.stop()
        return EXIT_NO_RENDER
    done_reports = {r for batch in started for r in batch.reports}
    done_pages = {n for batch in started for n in batch.pages}
    notebooks = sorted((internal_dir(bundle) / "notebooks").glob("*.ipynb"))
    rest = RenderBatch(
        quarto,
        internal_dir(bundle),
        workdir or bundle / ".render",
        [r for r in reports if r not in done_reports],
        [n.name for n in notebooks if n.name not in done_pages],
        formats,
        out,
        cache,
    )
    written, error = [], None
    for batch in [*started, rest]:
        files, problem = batch.collect(bundle)
        written += files
        error = error or problem
    if error:
        _progress(out, f"error: {error}")
        set_render_status(bundle, "failed: " + error.splitlines()[0], written)
        return EXIT_FAILED
    outputs = [
        f"{PUBLISHED}/{Path(report).with_suffix('.html' if fmt == 'html' else '.pdf').name}" for report in reports for fmt in formats
    ] + ([f"{PUBLISHED}/notebooks/{notebook_page(n).name}" for n in notebooks] if "html" in formats else [])
    missing = [name for name in outputs if not (bundle / name).is_file()]
    if missing:
        _progress(out, f"error: rendering left out {', '.join(missing)}")
        set_render_status(bundle, f"failed: {', '.join(missing)} not rendered", written)
        return EXIT_FAILED
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
    if not manifest_path(bundle).is_file() and not (bundle.parent / f".swap-{run_id}.json").is_file():
        _progress(out, f"error: no run bundle {run_id!r} in {bundle.parent} (run `fragile-care run --config ...` first)")
        return EXIT_USAGE
    try:
        with run_lock(bundle.parent, run_id):
            from fragile_care.run.swap import recover_swaps

            recover_swaps(bundle.parent, run_id, out)  # a run killed between its renames: finish the swap first
            if not (internal_dir(bundle) / "manifest.json").is_file():
                _progress(
                    out,
                    f"error: {bundle} is not a bundle of this version (no internal/manifest.json); "
                    "run `fragile-care run --config ...` again to make one",
                )
                return EXIT_USAGE
            try:
                manifest = io.read_json(manifest_path(bundle))
                formats = tuple((manifest.get("config", {}).get("render") or {}).get("formats", ["html", "typst"]))
                reports = tuple(manifest.get("reports", []))
            except (ValueError, AttributeError, TypeError) as exc:
                _progress(out, f"error: {manifest_path(bundle)} is not a run manifest ({type(exc).__name__}); run the pipeline again")
                return EXIT_USAGE
            return render_bundle(bundle, formats, reports, out=out)
    except RunBusy as exc:
        _progress(out, f"error: {exc}")
        return EXIT_BUSY
