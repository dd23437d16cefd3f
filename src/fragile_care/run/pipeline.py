"""Runs: the notebooks in order under papermill, the step cache, the manifest and the
hand-off to rendering.

A run writes into temporary folders and moves them into place only when every step
succeeded, so a failed run leaves the previous bundle of the same run id untouched. The
other parts of a run have modules of their own: the pre-flight (``run.preflight``), the
journalled folder swap, its recovery and the partial bundles of failed runs
(``run.swap``), and stops by a signal or a full disk (``run.guard``); their names stay
importable from here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.lifetime import single_threaded_blas
from fragile_care.publish.embeds import LABEL_RE, check_embeds, strip_html_outputs
from fragile_care.run import cache, config
from fragile_care.run import steps as step_table
from fragile_care.run.bundle import (
    assemble_reports,
    git_state,
    input_files,
    input_hashes,
    internal_dir,
    manifest_path,
    mark,
    package_versions,
    published_dir,
    relative,
    start_layout,
    write_handoff,
)
from fragile_care.run.guard import (
    EXIT_INTERRUPTED,
    MIN_FREE_MB,
    Interrupted,
    disk_full_message,
    free_space_problems,
    guarded,
    signals_deferred,
    space_needed_mb,
)
from fragile_care.run.kernel import SharedKernel, kernel_engine
from fragile_care.run.locks import RunBusy, run_lock
from fragile_care.run.preflight import (
    config_against_units,
    marked_synthetic,
    place_problems,
    preflight,
    report_steps,
    reports_of,
)
from fragile_care.run.render import (
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_NO_RENDER,
    EXIT_OK,
    EXIT_USAGE,
    RenderBatch,
    bundle_dir,
    render_bundle,
    set_render_status,
)
from fragile_care.run.settings import RunConfig
from fragile_care.run.swap import (
    FAILED_KEPT,
    TOKEN_RE,
    journal_path,
    keep_failed,
    new_token,
    recover_swaps,
    remove_leftovers,
    swap_into_place,
)

__all__ = [
    "EXIT_BUSY",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NO_RENDER",
    "EXIT_OK",
    "EXIT_USAGE",
    "FAILED_KEPT",
    "MIN_FREE_MB",
    "TOKEN_RE",
    "Interrupted",
    "RunError",
    "RunResult",
    "StepResult",
    "config_against_units",
    "disk_full_message",
    "failing_cell",
    "free_space_problems",
    "journal_path",
    "load_notebook",
    "marked_synthetic",
    "new_token",
    "place_problems",
    "preflight",
    "recover_swaps",
    "report_steps",
    "reports_of",
    "run",
    "space_needed_mb",
    "swap_into_place",
]

# the private names the tests call, from before the run's parts left this module (issue 31)
_keep_failed = keep_failed
_remove_leftovers = remove_leftovers


class RunError(Exception):
    """A run that failed; the message says where, and what was kept."""


@dataclass
class StepResult:
    name: str
    notebook: str
    seconds: float
    cached: bool = False


@dataclass
class RunResult:
    run_id: str
    bundle: Path
    processed: Path
    steps: list[StepResult] = field(default_factory=list)
    render_status: str = "not run"
    seconds: float = 0.0

    @property
    def internal(self) -> Path:
        """The bundle's part that stays with the analysts (notebooks, manifest, logs)."""
        return internal_dir(self.bundle)

    @property
    def published(self) -> Path:
        """The bundle's part that may leave the analysts' room (reports, pages, workbook)."""
        return published_dir(self.bundle)


def _progress(out: TextIO, text: str) -> None:
    print(text, file=out, flush=True)


@contextlib.contextmanager
def _stderr_to(log: Path):
    """Send file descriptor 2 to ``log`` while a notebook runs: the kernel process
    inherits it, so its messages (ipykernel's warnings, and its report of an interrupted
    cell) go to the step's log in the bundle instead of the terminal."""
    import os

    sys.stderr.flush()
    saved = os.dup(2)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as handle:
        os.dup2(handle.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def load_notebook(source: Path):
    """A notebook from its one source, a Jupytext percent file, with stable cell ids
    (the cell's label where it has one, else its position), so an executed notebook's cells
    can be cited the same way in every run."""
    import jupytext

    nb = jupytext.read(source, fmt="py:percent")
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    seen: set[str] = set()
    for position, cell in enumerate(nb.cells, start=1):
        m = LABEL_RE.search(cell.source) if cell.cell_type == "code" else None
        cell_id = m[1] if m and m[1] not in seen else f"cell-{position:03d}"
        seen.add(cell_id)
        cell["id"] = cell_id[:64]
    return nb


def _execute(source: Path, target: Path, parameters: dict, cwd: Path, log: Path | None = None, kernel: SharedKernel | None = None) -> None:
    """Execute one step's notebook with papermill: in ``kernel`` (cleared first) when given,
    else in a kernel of its own whose standard error goes to ``log``."""
    import papermill as pm

    if kernel is None and log is not None:
        with _stderr_to(log):
            _execute(source, target, parameters, cwd)
        return
    shared = {}
    if kernel is not None:
        kernel.prepare(target.stem)
        shared = {"engine_name": kernel_engine(), "shared_kernel": kernel}
    pm.execute_notebook(
        load_notebook(source),
        str(target),
        parameters=parameters,
        cwd=str(cwd),
        progress_bar=False,
        kernel_name="python3",
        log_output=False,
        report_mode=False,
        **shared,
    )


def failing_cell(notebook: Path) -> str | None:
    """``cell N`` (1-based position in the executed notebook) and its label, if any, of
    the first cell with an error output."""
    import nbformat

    try:
        nb = nbformat.read(notebook, as_version=4)
    except (OSError, ValueError):
        return None
    for position, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            m = LABEL_RE.search(cell.source)
            return f"cell {position}" + (f" (label {m[1]})" if m else "")
    return None


def _failure_message(exc: Exception, step: str, partial: Path) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    where = failing_cell(partial) or "a cell"
    return f"step {step} failed in {where}: {ename}: {evalue}\npartial output: {partial}\nthe previous bundle, if any, is unchanged"


def run(
    cfg: RunConfig,
    *,
    render: bool = True,
    require_render: bool = False,
    out: TextIO = sys.stderr,
    output_root: Path | None = None,
    processed_root: Path | None = None,
    cache_root: Path | None = None,
    force: bool = False,
    kernel_per_step: bool = False,
) -> tuple[int, RunResult | None]:
    """Run every step of ``cfg``; returns the exit code and the result.

    Steps whose inputs are unchanged are reused from the cache unless ``force``. The steps
    run one after the other in one kernel (``fragile_care.run.kernel``), each in a kernel
    of its own with ``kernel_per_step``. A run
    stopped by SIGINT or SIGTERM removes its temporary folders, leaves the previous bundle
    and the cache as they were and returns 130."""
    started = time.perf_counter()
    problems = preflight(cfg)
    if problems:
        _progress(out, "error: the run cannot start:\n  " + "\n  ".join(problems))
        return EXIT_USAGE, None
    cfg = cfg.model_copy(update={"reports": reports_of(cfg)})
    cfg, synthetic_note = marked_synthetic(cfg)
    if synthetic_note:
        _progress(out, f"note: {synthetic_note}")
    out_root = output_root or paths.output_root()
    proc_root = processed_root or paths.processed_root()
    step_cache = cache.StepCache(cache_root or paths.cache_root())
    short = place_problems(cfg, out_root, proc_root, step_cache.root) or free_space_problems(cfg.run_id, out_root, proc_root)
    if short:
        _progress(out, "error: the run cannot start:\n  " + "\n  ".join(short))
        return EXIT_USAGE, None
    try:
        # both roots are locked: two runs of one run id with different output roots but the
        # same processed root would otherwise cross their tables
        with run_lock(out_root, cfg.run_id), run_lock(proc_root, cfg.run_id):
            recover_swaps(out_root, cfg.run_id, out)
            for root in (out_root, proc_root):
                remove_leftovers(root, cfg.run_id, out)
            step_cache.clean_temporary()
            return guarded(
                cfg.run_id,
                out,
                out_root,
                proc_root,
                lambda state: _run(
                    _Run(cfg, out, out_root, proc_root, step_cache, state, render, force, kernel_per_step, started), require_render
                ),
            )
    except RunBusy as exc:
        _progress(out, f"error: {exc}")
        return EXIT_BUSY, None


@dataclass
class _Run:
    """One run under way: what it was asked to do, where it writes, how far it got."""

    cfg: RunConfig
    out: TextIO
    out_root: Path
    proc_root: Path
    step_cache: cache.StepCache
    state: dict  # shared with ``guard.guarded``: the step going on, the temporary folders, the render batches
    render: bool
    force: bool
    kernel_per_step: bool
    started: float
    token: str = field(default_factory=new_token)
    done: list[str] = field(default_factory=list)  # the steps finished, computed or from the cache
    kernel: SharedKernel | None = None  # started for the first step not taken from the cache
    validated: Path | None = None  # the validated run config the notebooks read
    code_digest: str = ""  # the package's code, in every step's cache key
    inputs_digest: str = ""  # the data files, in the cache key of the steps that read them

    @property
    def render_cache(self) -> Path:
        """The render cache (``run.render_cache``), beside the steps' cache."""
        return self.step_cache.root / "render"

    @property
    def tmp_bundle(self) -> Path:
        return self.out_root / f".tmp-{self.cfg.run_id}-{self.token}"

    @property
    def tmp_processed(self) -> Path:
        return self.proc_root / f".tmp-{self.cfg.run_id}-{self.token}"

    @property
    def internal(self) -> Path:
        return internal_dir(self.tmp_bundle)

    def say(self, text: str) -> None:
        _progress(self.out, text)

    def keep_failed(self) -> Path:
        """Set the partial bundle aside in ``<output root>/_failed`` (``swap.keep_failed``)."""
        return keep_failed(self.tmp_bundle, self.tmp_processed, self.out_root / "_failed" / f"{self.cfg.run_id}-{self.token}")


def _run(r: _Run, require_render: bool) -> tuple[int, RunResult | None]:
    """The run proper, inside the run lock and ``guard.guarded``: every step into temporary
    folders, the bundle assembled and swapped into place, then rendering."""
    cfg = r.cfg
    result = _start(r)
    r.say(f"run {cfg.run_id}: {len(cfg.steps)} step(s), data: {cfg.data_source}{' (EXEMPELDATA, synthetic)' if cfg.is_demo else ''}")
    hashes, sizes = _input_digests(r)
    qmds = assemble_reports(r.tmp_bundle, cfg)  # before the steps: a render batch may start before they end
    r.state["batches"] = []
    try:
        with single_threaded_blas():  # the kernels started in here inherit it
            for i, step in enumerate(cfg.steps, start=1):
                if not _run_step(r, i, step, result):
                    return EXIT_FAILED, None
    finally:
        if r.kernel is not None:
            r.kernel.close(now=sys.exc_info()[0] is not None)
    if not _assemble(r, result, qmds, hashes, sizes):
        return EXIT_FAILED, None
    return _place_and_render(r, result, require_render)


def _start(r: _Run) -> RunResult:
    """The run's temporary folders (recorded in ``r.state`` for the guard) with the bundle's
    layout, the run config and the validated config the notebooks read."""
    cfg = r.cfg
    r.state.update(tmp_bundle=r.tmp_bundle, tmp_processed=r.tmp_processed)
    (r.internal / "notebooks").mkdir(parents=True)
    start_layout(r.tmp_bundle, cfg.run_id)
    r.tmp_processed.mkdir(parents=True)
    mark(r.tmp_processed, "processed", cfg.run_id)
    result = RunResult(cfg.run_id, bundle_dir(cfg.run_id, r.out_root), r.proc_root / cfg.run_id)
    if cfg.source_file:
        shutil.copy2(cfg.source_file, r.internal / f"run_config{cfg.source_file.suffix}")
    r.validated = config.write_validated(cfg, r.internal)  # the notebooks read this, not the YAML
    return result


def _input_digests(r: _Run) -> tuple[dict[str, str], dict[str, int]]:
    """The sha256 and size of every input file by its path as the manifest records it; sets
    the digests of the code and of the data files that enter the steps' cache keys."""
    cfg = r.cfg
    r.code_digest = cache.source_digest()
    files = input_files(cfg)  # listed once: a file added to a data folder during the run is not an input of it
    hashes = input_hashes(cfg, files)
    sizes = {relative(p): p.stat().st_size for p in files}
    # the data files; the run config's settings enter each step's key by section instead
    config_file = relative(cfg.source_file) if cfg.source_file else None
    r.inputs_digest = cache.digest({path: sha for path, sha in hashes.items() if path != config_file})
    return hashes, sizes


def _run_step(r: _Run, i: int, step: str, result: RunResult) -> bool:
    """Step ``i`` of the run, reused from the cache when its inputs are unchanged, else
    computed; False when it failed (the failure said, the partial bundle kept aside)."""
    cfg, n = r.cfg, len(r.cfg.steps)
    r.state["step"] = f"step {step}"
    declared = step_table.get(step)
    target = r.internal / "notebooks" / f"{step}.ipynb"
    before = cache.folder_tables(r.tmp_processed)
    step_inputs = r.inputs_digest if declared.reads_raw_files else None
    if declared.reads_previous_run:  # the follow-up compares with the previous run's bundle
        previous = manifest_path(r.out_root / cfg.previous_run_id)
        step_inputs = io.sha256_file(previous) if previous.is_file() else "no previous run"
    key = cache.step_key(declared, cfg.raw, before, step_inputs, r.code_digest)
    hit, note = (None, None) if r.force else r.step_cache.lookup(step, key)
    if note:
        r.say(f"[{i}/{n}] {step}: {note}")
    if hit is None:
        return _compute_step(r, i, step, declared, target, key, result)
    shutil.copy2(hit.notebook, target)
    for table in hit.tables:
        shutil.copy2(table, r.tmp_processed / table.name)
    result.steps.append(StepResult(step, relative(declared.source), 0.0, cached=True))
    _step_done(r, step)
    r.say(f"[{i}/{n}] {step} ... reused from cache (inputs unchanged; computed in {hit.seconds:.1f} s)")
    return True


def _compute_step(r: _Run, i: int, step: str, declared: step_table.Step, target: Path, key: str, result: RunResult) -> bool:
    """Execute step ``i``'s notebook into ``target`` and store it in the cache under ``key``;
    False when it failed."""
    n = len(r.cfg.steps)
    r.say(f"[{i}/{n}] {step} ... running")
    t0 = time.perf_counter()
    try:
        if r.kernel is None and not r.kernel_per_step:  # started for the first step not taken from the cache
            r.kernel = SharedKernel(paths.analysis_dir(), r.internal / "logs" / "kernel.log")
        _execute(
            declared.source,
            target,
            {"run_config": str(r.validated), "processed_dir": str(r.tmp_processed), "output_root": str(r.out_root)},
            paths.analysis_dir(),
            log=r.internal / "logs" / f"{step}.log",
            kernel=r.kernel,
        )
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # papermill raises PapermillExecutionError and kernel errors
        _step_failed(r, exc, i, step, target, t0)
        return False
    seconds = time.perf_counter() - t0
    strip_html_outputs(target)  # no CDN scripts in the self-contained HTML reports
    written = [
        r.tmp_processed / f"{name}.parquet"
        for name in (*declared.writes, *declared.optional_writes)
        if (r.tmp_processed / f"{name}.parquet").exists()
    ]
    with signals_deferred():
        note = r.step_cache.store(step, key, target, written, seconds)
    if note:
        r.say(f"[{i}/{n}] {step}: {note}")
    result.steps.append(StepResult(step, relative(declared.source), round(seconds, 2)))
    _step_done(r, step)
    r.say(f"[{i}/{n}] {step} ... done in {seconds:.1f} s (elapsed {time.perf_counter() - r.started:.1f} s)")
    return True


def _step_failed(r: _Run, exc: Exception, i: int, step: str, target: Path, t0: float) -> None:
    """A step's notebook raised ``exc``: a full disk or a file-size limit in the kernel
    becomes the OSError ``guard.guarded`` reports; any other error sets the partial bundle
    aside and says where it failed."""
    said = f"{getattr(exc, 'evalue', '')} {exc}"
    if "No space left on device" in said:
        raise OSError(errno.ENOSPC, "No space left on device", str(r.tmp_processed)) from None
    if "File too large" in said:  # a file-size limit (ulimit -f) in the kernel
        raise OSError(errno.EFBIG, "File too large", str(r.tmp_processed)) from None
    failed = r.keep_failed()
    r.say(f"[{i}/{len(r.cfg.steps)}] {step} ... FAILED after {time.perf_counter() - t0:.1f} s")
    r.say("error: " + _failure_message(exc, step, internal_dir(failed) / "notebooks" / target.name))


def _step_done(r: _Run, step: str) -> None:
    """Note a finished step (computed or from the cache) and start the early render batch
    once enough reports are ready."""
    r.done.append(step)
    if r.render and not r.state["batches"]:
        batch = _early_batch(r.cfg, r.done, r.tmp_bundle, r.out_root, r.out, r.render_cache)
        r.state["batches"] = [batch] if batch else []


def _early_batch(
    cfg: RunConfig, done: list[str], tmp_bundle: Path, out_root: Path, out: TextIO, cache: Path | None = None
) -> RenderBatch | None:
    """A render batch started while steps are still to run (``render.RenderBatch``): once
    the steps done cover at least half of the run's reports, those reports and the pages
    of the notebooks done are rendered beside the remaining steps, on the core they leave
    free, in a temporary folder of the run; None before that, after the last step, without
    Quarto or when nothing is ready."""
    quarto = shutil.which("quarto")
    ready = [r for r in cfg.reports if report_steps(r) <= set(done)]
    if quarto is None or len(done) == len(cfg.steps) or not ready or 2 * len(ready) < len(cfg.reports):
        return None
    folder = out_root / f".tmp-{cfg.run_id}-{new_token()}"
    pages = [f"{step}.ipynb" for step in done]
    return RenderBatch(quarto, internal_dir(tmp_bundle), folder, ready, pages, cfg.render_formats, out, cache)


def _assemble(r: _Run, result: RunResult, qmds: list[Path], hashes: dict[str, str], sizes: dict[str, int]) -> bool:
    """The bundle around the executed notebooks: the workbook, the quality log, the check of
    the reports' embeds and the manifest; False when an embed does not resolve."""
    cfg = r.cfg
    r.state["step"] = "writing the Excel workbook"
    workbook = write_handoff(cfg, r.tmp_processed, r.tmp_bundle)
    r.state["step"] = "assembling the bundle"
    if (r.tmp_processed / "quality_log.parquet").exists():
        import pandas as pd

        io.write_csv(pd.read_parquet(r.tmp_processed / "quality_log.parquet"), r.internal / "quality_log.csv")
    problems = check_embeds(qmds, r.internal / "notebooks")
    if problems:
        failed = r.keep_failed()
        r.say("error: the reports embed cells that do not resolve:\n  " + "\n  ".join(problems) + f"\npartial output: {failed}")
        return False
    result.seconds = round(time.perf_counter() - r.started, 2)
    io.write_json(_manifest(cfg, result, hashes, sizes, workbook.name), r.internal / "manifest.json")
    return True


def _manifest(cfg: RunConfig, result: RunResult, hashes: dict[str, str], sizes: dict[str, int], workbook: str) -> dict:
    """What the run read, with what, and what it made (``internal/manifest.json``)."""
    return {
        "run_id": cfg.run_id,
        "tertial": cfg.tertial,
        "title": cfg.title,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data_source": cfg.data_source,
        "synthetic_data": cfg.is_demo,
        "config_file": relative(cfg.source_file) if cfg.source_file else None,
        "config": cfg.raw,
        "inputs": [{"path": path, "sha256": sha, "bytes": sizes[path]} for path, sha in hashes.items()],
        "package_versions": package_versions(),
        "git": git_state(),
        "steps": [{"name": s.name, "notebook": s.notebook, "seconds": s.seconds, "reused_from_cache": s.cached} for s in result.steps],
        "seconds_total": result.seconds,
        "processed_dir": relative(result.processed),
        "reports": list(cfg.reports),
        "workbook": workbook,
        "disclosure_threshold": cfg.disclosure_threshold,
        "render": {"status": "pending"},
    }


def _place_and_render(r: _Run, result: RunResult, require_render: bool) -> tuple[int, RunResult | None]:
    """Swap the complete bundle and processed tables into place, then render the reports
    (or mark them skipped)."""
    with signals_deferred():
        swap_into_place([(r.tmp_processed, result.processed), (r.tmp_bundle, result.bundle)], journal_path(r.out_root, r.cfg.run_id))
        r.state.update(tmp_bundle=None, tmp_processed=None)
    r.state["step"] = "rendering"
    r.say(f"bundle: {result.bundle}")
    r.say(f"processed tables: {result.processed}")
    if not r.render:
        set_render_status(result.bundle, "skipped (--no-render)")
        return EXIT_OK, result
    code = render_bundle(result.bundle, r.cfg.render_formats, r.cfg.reports, out=r.out, started=r.state["batches"], cache=r.render_cache)
    r.state["batches"] = []
    result.render_status = "ok" if code == EXIT_OK else ("quarto missing" if code == EXIT_NO_RENDER else "failed")
    if code == EXIT_NO_RENDER and not require_render:
        return EXIT_OK, result
    return code, result
