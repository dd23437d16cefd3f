"""Runs: the notebooks in order under papermill, the run bundle, the manifest, rendering.

A run writes into temporary folders and moves them into place only when every step
succeeded, so a failed run leaves the previous bundle of the same run id untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import re
import shutil
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.publish.embeds import LABEL_RE, check_embeds, find_embeds, strip_html_outputs
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
from fragile_care.run.kernel import SharedKernel, kernel_engine
from fragile_care.run.locks import RunBusy, run_lock
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
from fragile_care.run.swap import journal_path, recover_swaps, swap_into_place

EXIT_INTERRUPTED = 130


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


TOKEN_RE = r"\d{8}T\d{6}-[0-9a-f]{6}"  # a run's token: start time and 6 hex digits (temporary and failed folders)


def new_token() -> str:
    """A fresh token for a run's temporary folders (matches ``TOKEN_RE``)."""
    return f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


FAILED_KEPT = 5  # partial bundles of failed runs kept per run id in <output root>/_failed


def _keep_failed(tmp_bundle: Path, tmp_processed: Path, failed: Path) -> Path:
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


def place_problems(cfg: RunConfig, out_root: Path, proc_root: Path, cache_root: Path) -> list[str]:
    """Where the run would write, checked before anything is written (``targets``): roots
    apart from the project's sources, the raw data, the input folder and each other, and
    writable; the folders the run would replace made by the project."""
    from fragile_care.run import targets

    roots = {"--output-root": out_root, "--processed-root": proc_root, "--cache-root": cache_root}
    data_dirs = [d for d in (cfg.data_dir, cfg.public_dir, paths.raw_dir()) if d is not None]
    problems = targets.root_problems(roots, data_dirs)
    if problems:
        return problems
    finals = {"the bundle": out_root / cfg.run_id, "the processed tables": proc_root / cfg.run_id}
    return targets.replace_problems(cfg.run_id, finals, data_dirs) or targets.writable_problems(roots)


def report_steps(report: str) -> set[str]:
    """The steps a report embeds cells from."""
    return {Path(e.notebook).stem for e in find_embeds(paths.reports_dir() / report)}


def reports_of(cfg: RunConfig) -> tuple[str, ...]:
    """The reports a run renders: ``render.reports``, else every default report whose steps run."""
    if cfg.reports is not None:
        return cfg.reports
    return tuple(r for r in config.DEFAULT_REPORTS if (paths.reports_dir() / r).is_file() and report_steps(r) <= set(cfg.steps))


def preflight(cfg: RunConfig) -> list[str]:
    """What would make the run fail before any notebook starts: missing data, notebooks or
    reports, and reports that embed cells of steps the run does not run."""
    from fragile_care.inputs.schemas import UNIT_TABLES

    problems = []
    if not cfg.data_dir.is_dir():
        problems.append(f"data folder not found: {cfg.data_dir} (data.source: {cfg.data_source})")
    else:
        missing = [t for t in UNIT_TABLES if io.find_table_file(cfg.data_dir, t) is None]
        if missing:
            problems.append(f"data folder {cfg.data_dir} lacks the table(s): {', '.join(missing)} (.csv or .xlsx)")
        else:
            problems += config_against_units(cfg)
    for name in cfg.steps:
        source = step_table.get(name).source
        if not source.is_file():
            problems.append(f"notebook source {relative(source)} not found")
    for name in reports_of(cfg):
        if not (paths.reports_dir() / name).is_file():
            problems.append(f"render.reports: {name!r} is not a report in reports/")
            continue
        missing_steps = sorted(report_steps(name) - set(cfg.steps))
        if missing_steps:
            problems.append(
                f"render.reports: {name} embeds cells of {', '.join(missing_steps)}, "
                f"which {'is' if len(missing_steps) == 1 else 'are'} not in steps"
            )
    return problems


def config_against_units(cfg: RunConfig) -> list[str]:
    """The settings that name units, checked against the units table before any step runs:
    ``harmonisation.aliases`` (each to a known unit, no spelling for two units) and
    ``capacity.overflow`` (each a unit open at the end of the period),
    ``postnatal.caesarean_share_by_unit`` (each a known unit). A units table with
    errors of its own is left to step 01, which reports them all with their rows."""
    from fragile_care.inputs.contracts import check_table
    from fragile_care.inputs.quality import UnreadableTableError
    from fragile_care.inputs.schemas import UNITS
    from fragile_care.inputs.units import UnitRegistry, is_open

    path = io.find_table_file(cfg.data_dir, UNITS.name)
    try:
        check = check_table(io.read_raw_table(path), UNITS)
    except UnreadableTableError:
        return []
    if not check.ok:
        return []
    registry = UnitRegistry.build(check.frame, cfg.harmonisation, check.file, check.lines)
    problems = [p.format() for p in registry.conflicts]
    units = check.frame.set_index("unit_id")
    for uid, neighbours in cfg.capacity.overflow.items():
        for name in [uid, *neighbours]:
            if name not in units.index:
                problems.append(f"capacity.overflow: {name!r} is not a unit in {check.file} (known: {', '.join(sorted(units.index))})")
            elif not is_open(units.at[name, "closed"], cfg.period_end):
                problems.append(
                    f"capacity.overflow: {name} closed on {units.at[name, 'closed']:%Y-%m-%d} ({check.file}); "
                    "only open units can receive or send overflow: remove it from the map"
                )
    for name in cfg.postnatal.caesarean_share_by_unit:
        if name not in units.index:
            problems.append(
                f"postnatal.caesarean_share_by_unit: {name!r} is not a unit in {check.file} (known: {', '.join(sorted(units.index))})"
            )
    return problems


def marked_synthetic(cfg: RunConfig) -> tuple[RunConfig, str | None]:
    """``cfg`` with ``data.synthetic`` set when the units table marks its rows as
    synthetic (``source_id`` SYNTHETIC_…) and the config does not say so already, so that
    synthetic data never appear in a report as the region's own; and the note saying so."""
    if cfg.is_demo:
        return cfg, None
    from fragile_care.inputs.contracts import check_table
    from fragile_care.inputs.quality import UnreadableTableError
    from fragile_care.inputs.schemas import UNITS

    path = io.find_table_file(cfg.data_dir, UNITS.name)
    try:
        frame = check_table(io.read_raw_table(path), UNITS).frame if path else None
    except UnreadableTableError:
        return cfg, None  # step 01 reports it
    if frame is None or "source_id" not in frame:
        return cfg, None
    marks = sorted({str(v).strip() for v in frame["source_id"].dropna() if str(v).strip().upper().startswith("SYNTHETIC")})
    if not marks:
        return cfg, None
    data = cfg.file.data.model_copy(update={"synthetic": True})
    cfg = cfg.model_copy(update={"file": cfg.file.model_copy(update={"data": data})})
    return cfg, f"{path.name} marks its units as synthetic (source_id {', '.join(marks)}): the reports say EXEMPELDATA"


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


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM during a run."""


@contextlib.contextmanager
def _stop_on_signals():
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
def _signals_deferred():
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


def _leftover_re(run_id: str) -> re.Pattern[str]:
    """Names of the temporary folders of exactly this run id (not of ``<run_id>-b``)."""
    return re.compile(rf"\.(tmp|old)-{re.escape(run_id)}-({TOKEN_RE}|[0-9a-f]{{8}})")


def _remove_leftovers(root: Path, run_id: str, out: TextIO, min_age_s: float = 3600) -> None:
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
                _remove_leftovers(root, cfg.run_id, out)
            step_cache.clean_temporary()
            return _guarded(
                cfg.run_id,
                out,
                out_root,
                proc_root,
                lambda state: _run(
                    cfg, render, require_render, out, out_root, proc_root, step_cache, force, kernel_per_step, started, state
                ),
            )
    except RunBusy as exc:
        _progress(out, f"error: {exc}")
        return EXIT_BUSY, None


def _early_batch(cfg: RunConfig, done: list[str], tmp_bundle: Path, out_root: Path, out: TextIO) -> RenderBatch | None:
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
    return RenderBatch(quarto, internal_dir(tmp_bundle), folder, ready, [f"{step}.ipynb" for step in done], cfg.render_formats, out)


def _stop_batches(state: dict) -> None:
    for batch in state.get("batches") or []:
        batch.stop()
    state["batches"] = []


def _remove_temporary(state: dict) -> None:
    _stop_batches(state)
    for key in ("tmp_bundle", "tmp_processed"):
        if state.get(key):
            shutil.rmtree(state[key], ignore_errors=True)


def _guarded(
    run_id: str, out: TextIO, out_root: Path, proc_root: Path, body: Callable[[dict], tuple[int, RunResult | None]]
) -> tuple[int, RunResult | None]:
    """Run ``body(state)`` so that a stop (SIGINT, SIGTERM), a full disk or an internal error
    removes the run's temporary folders and says what was kept. ``state`` records the step
    going on and the temporary folders."""
    state: dict[str, object] = {"step": "start"}
    with _stop_on_signals():
        try:
            code, result = body(state)
            _stop_batches(state)  # a run that ended before rendering
            return code, result
        except OSError as exc:
            _remove_temporary(state)
            if exc.errno == errno.EFBIG:
                _progress(
                    out,
                    f"error: during {state['step']} the system refused to write a file this large in {exc.filename or out_root} "
                    "(a file-size limit is set for this shell: see `ulimit -f`). The run's temporary folders were removed; the "
                    "previous bundle, its processed tables and the cache are unchanged. Lift the limit and run again",
                )
                return EXIT_FAILED, None
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                _progress(out, f"error: {disk_full_message(run_id, state['step'], exc.filename, out_root, proc_root)}")
                return EXIT_FAILED, None
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                _progress(
                    out,
                    f"error: during {state['step']} the system refused to write {exc.filename or out_root} ({exc.strerror}); "
                    "the previous bundle, its processed tables and the cache are unchanged. Choose folders you can write to "
                    "(--output-root, --processed-root, --cache-root) and run again",
                )
                return EXIT_FAILED, None
            raise
        except Exception:
            _remove_temporary(state)  # an internal error leaves no half-written folders either
            raise
        except KeyboardInterrupt as exc:
            # nbclient's abandoned cell task reports the interrupt again when it is garbage
            # collected; that is noise after an orderly stop, not an error.
            logging.getLogger("asyncio").setLevel(logging.CRITICAL)
            _remove_temporary(state)
            how = str(exc) or "SIGINT"
            if state["step"] == "rendering":
                _progress(
                    out,
                    f"stopped ({how}) while rendering: the new bundle is in place, its reports are not rendered; "
                    f"run `fragile-care render {run_id}`",
                )
            else:
                _progress(
                    out,
                    f"stopped ({how}) during {state['step']}: the run was abandoned; the previous bundle, "
                    f"its processed tables and the cache are unchanged; run again to start over",
                )
            return EXIT_INTERRUPTED, None


def _run(
    cfg: RunConfig,
    render: bool,
    require_render: bool,
    out: TextIO,
    out_root: Path,
    proc_root: Path,
    step_cache: cache.StepCache,
    force: bool,
    kernel_per_step: bool,
    started: float,
    state: dict,
) -> tuple[int, RunResult | None]:
    token = new_token()
    tmp_bundle = out_root / f".tmp-{cfg.run_id}-{token}"
    tmp_processed = proc_root / f".tmp-{cfg.run_id}-{token}"
    state.update(tmp_bundle=tmp_bundle, tmp_processed=tmp_processed)
    internal = internal_dir(tmp_bundle)
    (internal / "notebooks").mkdir(parents=True)
    start_layout(tmp_bundle, cfg.run_id)
    tmp_processed.mkdir(parents=True)
    mark(tmp_processed, "processed", cfg.run_id)
    result = RunResult(cfg.run_id, bundle_dir(cfg.run_id, out_root), proc_root / cfg.run_id)
    if cfg.source_file:
        shutil.copy2(cfg.source_file, internal / f"run_config{cfg.source_file.suffix}")
    validated = config.write_validated(cfg, internal)  # the notebooks read this, not the YAML
    n = len(cfg.steps)
    _progress(out, f"run {cfg.run_id}: {n} step(s), data: {cfg.data_source}{' (EXEMPELDATA, synthetic)' if cfg.is_demo else ''}")
    code_digest = cache.source_digest()
    files = input_files(cfg)  # listed once: a file added to a data folder during the run is not an input of it
    hashes = input_hashes(cfg, files)
    sizes = {relative(p): p.stat().st_size for p in files}
    # the data files; the run config's settings enter each step's key by section instead
    config_file = relative(cfg.source_file) if cfg.source_file else None
    inputs_digest = cache.digest({path: sha for path, sha in hashes.items() if path != config_file})
    kernel: SharedKernel | None = None
    qmds = assemble_reports(tmp_bundle, cfg)  # before the steps: a render batch may start before they end
    state["batches"] = []
    done: list[str] = []

    def step_done(step: str) -> None:
        """Note a finished step (computed or from the cache) and start the early render
        batch once enough reports are ready."""
        done.append(step)
        if render and not state["batches"]:
            batch = _early_batch(cfg, done, tmp_bundle, out_root, out)
            state["batches"] = [batch] if batch else []

    try:
        for i, step in enumerate(cfg.steps, start=1):
            state["step"] = f"step {step}"
            declared = step_table.get(step)
            notebook = declared.source
            target = internal / "notebooks" / f"{step}.ipynb"
            before = cache.folder_tables(tmp_processed)
            step_inputs = inputs_digest if declared.reads_raw_files else None
            if declared.reads_previous_run:  # the follow-up compares with the previous run's bundle
                previous = manifest_path(out_root / cfg.previous_run_id)
                step_inputs = io.sha256_file(previous) if previous.is_file() else "no previous run"
            key = cache.step_key(declared, cfg.raw, before, step_inputs, code_digest)
            hit, note = (None, None) if force else step_cache.lookup(step, key)
            if note:
                _progress(out, f"[{i}/{n}] {step}: {note}")
            if hit is not None:
                shutil.copy2(hit.notebook, target)
                for table in hit.tables:
                    shutil.copy2(table, tmp_processed / table.name)
                result.steps.append(StepResult(step, relative(notebook), 0.0, cached=True))
                step_done(step)
                _progress(out, f"[{i}/{n}] {step} ... reused from cache (inputs unchanged; computed in {hit.seconds:.1f} s)")
                continue
            _progress(out, f"[{i}/{n}] {step} ... running")
            t0 = time.perf_counter()
            try:
                if kernel is None and not kernel_per_step:  # started for the first step not taken from the cache
                    kernel = SharedKernel(paths.analysis_dir(), internal / "logs" / "kernel.log")
                _execute(
                    notebook,
                    target,
                    {"run_config": str(validated), "processed_dir": str(tmp_processed), "output_root": str(out_root)},
                    paths.analysis_dir(),
                    log=internal / "logs" / f"{step}.log",
                    kernel=kernel,
                )
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # papermill raises PapermillExecutionError and kernel errors
                said = f"{getattr(exc, 'evalue', '')} {exc}"
                if "No space left on device" in said:
                    raise OSError(errno.ENOSPC, "No space left on device", str(tmp_processed)) from None
                if "File too large" in said:  # a file-size limit (ulimit -f) in the kernel
                    raise OSError(errno.EFBIG, "File too large", str(tmp_processed)) from None
                failed = _keep_failed(tmp_bundle, tmp_processed, out_root / "_failed" / f"{cfg.run_id}-{token}")
                _progress(out, f"[{i}/{n}] {step} ... FAILED after {time.perf_counter() - t0:.1f} s")
                _progress(out, "error: " + _failure_message(exc, step, internal_dir(failed) / "notebooks" / target.name))
                return EXIT_FAILED, None
            seconds = time.perf_counter() - t0
            strip_html_outputs(target)  # no CDN scripts in the self-contained HTML reports
            written = [
                tmp_processed / f"{name}.parquet"
                for name in (*declared.writes, *declared.optional_writes)
                if (tmp_processed / f"{name}.parquet").exists()
            ]
            with _signals_deferred():
                note = step_cache.store(step, key, target, written, seconds)
            if note:
                _progress(out, f"[{i}/{n}] {step}: {note}")
            result.steps.append(StepResult(step, relative(notebook), round(seconds, 2)))
            step_done(step)
            _progress(out, f"[{i}/{n}] {step} ... done in {seconds:.1f} s (elapsed {time.perf_counter() - started:.1f} s)")
    finally:
        if kernel is not None:
            kernel.close(now=sys.exc_info()[0] is not None)

    state["step"] = "writing the Excel workbook"
    workbook = write_handoff(cfg, tmp_processed, tmp_bundle)
    state["step"] = "assembling the bundle"
    if (tmp_processed / "quality_log.parquet").exists():
        import pandas as pd

        io.write_csv(pd.read_parquet(tmp_processed / "quality_log.parquet"), internal / "quality_log.csv")
    problems = check_embeds(qmds, internal / "notebooks")
    if problems:
        failed = _keep_failed(tmp_bundle, tmp_processed, out_root / "_failed" / f"{cfg.run_id}-{token}")
        _progress(out, "error: the reports embed cells that do not resolve:\n  " + "\n  ".join(problems) + f"\npartial output: {failed}")
        return EXIT_FAILED, None
    result.seconds = round(time.perf_counter() - started, 2)
    manifest = {
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
        "workbook": workbook.name,
        "disclosure_threshold": cfg.disclosure_threshold,
        "render": {"status": "pending"},
    }
    io.write_json(manifest, internal / "manifest.json")
    with _signals_deferred():
        swap_into_place([(tmp_processed, result.processed), (tmp_bundle, result.bundle)], journal_path(out_root, cfg.run_id))
        state.update(tmp_bundle=None, tmp_processed=None)
    state["step"] = "rendering"
    _progress(out, f"bundle: {result.bundle}")
    _progress(out, f"processed tables: {result.processed}")
    if not render:
        set_render_status(result.bundle, "skipped (--no-render)")
        return EXIT_OK, result
    code = render_bundle(result.bundle, cfg.render_formats, cfg.reports, out=out, started=state["batches"])
    state["batches"] = []
    result.render_status = "ok" if code == EXIT_OK else ("quarto missing" if code == EXIT_NO_RENDER else "failed")
    if code == EXIT_NO_RENDER and not require_render:
        return EXIT_OK, result
    return code, result
