"""Command-line interface: ``fragile-care COMMAND``.

Bad input never produces a traceback: known errors print one clear message and exit with
a documented code. Set ``FRAGILE_CARE_DEBUG=1`` to see the traceback of an internal error.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from fragile_care import __version__, paths
from fragile_care.inputs import io
from fragile_care.inputs.contracts import check_table, series_gaps
from fragile_care.inputs.crosschecks import meaning_checks
from fragile_care.inputs.quality import UnreadableTableError, collapse, total
from fragile_care.inputs.schemas import ALL_TABLES, UNITS
from fragile_care.inputs.units import Harmonisation, UnitRegistry
from fragile_care.run.config import ConfigError, load_config

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2


def _units_registry(units_file: Path | None, data_file: Path) -> tuple[UnitRegistry | None, str]:
    """Known units for ``validate``: ``--units``, else ``units.*`` beside the file, else the demo set."""
    candidates = (
        [units_file] if units_file else [io.find_table_file(data_file.parent, "units"), io.find_table_file(paths.demo_dir(), "units")]
    )
    for path in candidates:
        if path is None or not path.is_file():
            continue
        check = check_table(io.read_raw_table(path), UNITS)
        registry = UnitRegistry.build(check.frame, Harmonisation(), path.name, check.lines) if check.ok else None
        if registry is not None and not registry.conflicts:
            return registry, str(path)
        raise UnreadableTableError(path.name, "the units table used to check unit ids has errors; validate it first")
    return None, "none"


def validate_run(config_path: str, strict: bool = False) -> int:
    """``validate --config``: the run configuration and the whole data set it reads, checked
    as step 01 of a run checks them (every table, the checks across tables, the checks of
    what the later steps need); one line per problem, the same exit codes as for files."""
    from fragile_care.inputs.assembly import check_dataset

    cfg = _config_or_none(config_path)
    if cfg is None:
        return EXIT_UNREADABLE
    if not cfg.data_dir.is_dir():
        print(f"error: data folder not found: {cfg.data_dir} (data.source: {cfg.data_source})", file=sys.stderr)
        return EXIT_UNREADABLE
    problems, accounting = check_dataset(cfg.data_dir, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)
    for problem in collapse(problems):
        print(problem.format())
    n_err, n_rep, n_warn = (total(problems, s) for s in ("error", "repaired", "warning"))
    print(
        f"{cfg.source_file.name if cfg.source_file else config_path}: data folder {cfg.data_dir}: "
        f"{int(accounting['rows_read'].sum()) if len(accounting) else 0} rows read in {len(accounting)} file(s); "
        f"{n_err} error(s), {n_rep} repair(s), {n_warn} warning(s)" + ("; the run would stop in step 01" if n_err else ""),
        file=sys.stderr,
    )
    return EXIT_PROBLEMS if n_err or (strict and (n_rep or n_warn)) else EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    import logging

    progress = logging.getLogger("fragile_care")  # progress of long checks, on stderr
    if not progress.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    if args.config:
        if args.table or args.files:
            print("error: validate takes either --config FILE or --table TABLE FILE..., not both", file=sys.stderr)
            return EXIT_UNREADABLE
        return validate_run(args.config, args.strict)
    if not args.table or not args.files:
        print("error: validate needs --config FILE (a whole run's data) or --table TABLE and one or more files", file=sys.stderr)
        return EXIT_UNREADABLE
    schema = ALL_TABLES[args.table]
    worst = EXIT_OK
    for name in args.files:
        path = Path(name)
        try:
            raw = io.read_raw_table(path)
            registry = None
            if any(c.kind == "unit" for c in schema.columns) and schema.name != UNITS.name:
                registry, _ = _units_registry(Path(args.units) if args.units else None, path)
        except UnreadableTableError as exc:
            print(f"{name}:-:-: error: {exc.reason}")
            worst = EXIT_UNREADABLE
            continue
        check = check_table(raw, schema, registry)
        problems = check.problems + (series_gaps(check.frame, schema, check.file) if check.ok else []) + meaning_checks(check)
        if schema.name == UNITS.name and check.ok:
            problems += UnitRegistry.build(check.frame, Harmonisation(), check.file, check.lines).conflicts
        for problem in collapse(problems):
            print(dataclasses.replace(problem, file=name).format())
        n_err, n_rep, n_warn = (total(problems, s) for s in ("error", "repaired", "warning"))
        print(
            f"{name}: {args.table}: {check.rows_read} rows read, {check.rows_kept} kept, {check.rows_rejected} rejected; "
            f"{n_err} error(s), {n_rep} repair(s), {n_warn} warning(s); {'; '.join(raw.notes)}",
            file=sys.stderr,
        )
        if n_err or (args.strict and (n_rep or n_warn)):
            worst = max(worst, EXIT_PROBLEMS)
    return worst


def _config_or_none(path: str):
    """The validated config, or ``None`` after printing the error (exit code 2 follows)."""
    try:
        return load_config(path)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def cmd_run(args: argparse.Namespace) -> int:
    from fragile_care.run.pipeline import run

    cfg = _config_or_none(args.config)
    if cfg is None:
        return 2
    roots = {
        name: Path(value)
        for name, value in (("output_root", args.output_root), ("processed_root", args.processed_root), ("cache_root", args.cache_root))
        if value
    }
    code, _ = run(
        cfg,
        render=not args.no_render,
        require_render=args.require_render,
        force=args.force,
        kernel_per_step=args.kernel_per_step,
        **roots,
    )
    return code


def cmd_render(args: argparse.Namespace) -> int:
    from fragile_care.run.render import render_run

    return render_run(args.run_id)


def cmd_demo_data(args: argparse.Namespace) -> int:
    from fragile_care.sources.demo import SEED, write_demo

    seed = args.seed if args.seed is not None else SEED
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            written = write_demo(Path(tmp), seed)
            differ = (
                [p.name for p in written if p.read_bytes() != (paths.demo_dir() / p.name).read_bytes()]
                if paths.demo_dir().is_dir()
                else ["all"]
            )
        if differ:
            print(f"demo data differ from a fresh generation: {', '.join(differ)}", file=sys.stderr)
            return 1
        print("demo data are identical to a fresh generation")
        return 0
    for path in write_demo(Path(args.out) if args.out else None, seed):
        print(path)
    return 0


def cmd_calibrate_intervals(args) -> int:
    from fragile_care.run.interval_calibration import write_pooled_calibration

    write_pooled_calibration(sys.stdout)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from fragile_care.run.pipeline import run

    cfg = _config_or_none(args.config)
    if cfg is None:
        return 2
    if args.what == "capacity":
        from fragile_care.inputs.assembly import clean_dataset
        from fragile_care.run.bench import capacity_benchmark

        cleaned = clean_dataset(cfg.data_dir, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)
        capacity_benchmark(sys.stdout, cfg, cleaned.tables)
        return 0
    if args.what == "forecast":
        from fragile_care.inputs.assembly import clean_dataset
        from fragile_care.run.bench import forecast_benchmark

        cleaned = clean_dataset(cfg.data_dir, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)
        forecast_benchmark(sys.stdout, cleaned.tables["births_monthly"])
        return 0
    if args.what == "scale":
        from fragile_care.run.bench import scale_benchmark

        try:
            sizes = tuple(int(x) for x in args.sizes.split(",") if x.strip())
        except ValueError:
            print(f"error: --sizes {args.sizes!r}: give numbers of units separated by commas, e.g. 4,12,45", file=sys.stderr)
            return 2
        if not sizes or min(sizes) < 2 or max(sizes) > 99 or args.repeat < 1:
            print("error: --sizes must be 2 to 99 units each, and --repeat at least 1", file=sys.stderr)
            return 2
        scale_benchmark(sys.stdout, Path(args.config), sizes, args.repeat, args.render)
        return 0
    if args.what == "rerun":
        with tempfile.TemporaryDirectory() as tmp:
            roots = dict(output_root=Path(tmp) / "out", processed_root=Path(tmp) / "proc", cache_root=Path(tmp) / "cache")
            times = []
            for _ in range(2):
                t0 = time.perf_counter()
                code, result = run(cfg, render=args.render, require_render=args.render, out=open(os.devnull, "w"), **roots)
                times.append(time.perf_counter() - t0)
                if code != 0 or result is None:
                    print("benchmark run failed; run `fragile-care run` to see why", file=sys.stderr)
                    return code or 1
            reused = sum(s.cached for s in result.steps)
        what = "with rendering" if args.render else "without rendering"
        print(f"benchmark: re-run of {cfg.run_id} with nothing changed, {what} ({os.cpu_count()} cores, empty cache at start)")
        print(f"  first run (fills the cache)   {times[0]:7.2f} s")
        print(
            f"  re-run ({reused} of {len(result.steps)} steps reused) {times[1]:7.2f} s   target < 5 s: {'met' if times[1] < 5 else 'NOT met'}"
        )
        if args.render:  # the render cache (run.render_cache): a no-op re-run at most 15 % of the cold run
            ratio = times[1] / times[0]
            print(f"  re-run / first run            {ratio:7.1%}   target <= 15 %: {'met' if ratio <= 0.15 else 'NOT met'}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        code, result = run(
            cfg,
            render=False,
            output_root=Path(tmp) / "out",
            processed_root=Path(tmp) / "proc",
            cache_root=Path(tmp) / "cache",
            out=open(os.devnull, "w"),
        )
        total = time.perf_counter() - t0
    if code != 0 or result is None:
        print("benchmark run failed; run `fragile-care run` to see why", file=sys.stderr)
        return code or 1
    print(f"benchmark: full run of {cfg.run_id} without rendering ({os.cpu_count()} cores)")
    for step in result.steps:
        print(f"  {step.name:<24} {step.seconds:7.2f} s")
    print(f"  {'total (wall)':<24} {total:7.2f} s   target < 60 s: {'met' if total < 60 else 'NOT met'}")
    return 0


def cmd_fetch_scb(args: argparse.Namespace) -> int:
    from fragile_care.sources import scb

    names = args.series or list(scb.SERIES)
    unknown = [n for n in names if n not in scb.SERIES]
    if unknown:
        print(f"error: unknown series {', '.join(unknown)}; known: {', '.join(scb.SERIES)}", file=sys.stderr)
        return 2
    code = 0
    for name in names:
        series = scb.SERIES[name]
        try:
            frame = scb.fetch(series, args.timeout)
        except scb.ScbUnavailable as exc:
            print(f"error: {exc}. Nothing was written; the public series in data/raw/public are unchanged.", file=sys.stderr)
            return 2
        except scb.ScbResponseError as exc:
            print(f"error: {name}: unexpected answer from SCB: {exc}. Nothing was written for this series.", file=sys.stderr)
            code = 1
            continue
        path = scb.write_series(series, frame, Path(args.out) if args.out else None)
        print(f"{name}: {len(frame)} rows -> {path}")
    return code


def cmd_docs(args: argparse.Namespace) -> int:
    from fragile_care.devdocs import render_docs, write_docs

    if args.check:
        stale = [file for file, text in render_docs().items() if file.read_text(encoding="utf-8") != text]
        for file in stale:
            print(f"{file}: generated part out of date; run `fragile-care docs`", file=sys.stderr)
        return 1 if stale else 0
    for file in write_docs():
        print(f"rewrote {file}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fragile-care", description="Analysis pipeline for obstetric and neonatal care in VGR.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "validate",
        help="check files against a table contract, or a run's whole data set (--config)",
        description="Print one line per problem as FILE:ROW:COLUMN: severity: problem. Rows are numbered as in the "
        "file: the header is row 1. With --config, every table of the run's data folder is checked as the run's "
        "first step checks it, with the checks across tables. Exit 0 valid, 1 problems found, 2 a file cannot "
        "be read as a table (or the configuration is unusable).",
    )
    p.add_argument("--config", help="run configuration: check the whole data set the run reads")
    p.add_argument("--table", choices=sorted(ALL_TABLES), help="which contract to check the files against")
    p.add_argument("--units", help="units table with the known unit ids (default: units.csv beside the file, else the demo units)")
    p.add_argument("--strict", action="store_true", help="repairs and warnings also count as problems (exit 1)")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("run", help="run the pipeline for one run configuration")
    p.add_argument("--config", required=True, help="run configuration, e.g. config/runs/2026-T2.yaml")
    p.add_argument("--require-render", action="store_true", help="exit 3 when Quarto is not installed")
    p.add_argument("--no-render", action="store_true", help="skip rendering with Quarto")
    p.add_argument("--force", action="store_true", help="re-run every step, ignoring the step cache")
    p.add_argument(
        "--kernel-per-step",
        action="store_true",
        help="execute each notebook in a fresh kernel of its own (slower; the default shares one kernel, cleared between steps)",
    )
    p.add_argument("--output-root", help="folder for run bundles (default reports/_output)")
    p.add_argument("--processed-root", help="folder for processed tables (default data/processed)")
    p.add_argument("--cache-root", help="folder of the step cache (default data/cache)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("render", help="render the reports of an existing run bundle with Quarto")
    p.add_argument("run_id")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("demo-data", help="(re)generate the synthetic demo data set")
    p.add_argument("--out", help="folder (default data/raw/demo)")
    p.add_argument("--seed", type=int)
    p.add_argument("--check", action="store_true", help="exit 1 unless the committed files equal a fresh generation")
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("bench", help="print benchmark figures: pipeline wall times, forecast accuracy, capacity model")
    p.add_argument("what", choices=["pipeline", "forecast", "capacity", "rerun", "scale"])
    p.add_argument("--config", default="config/runs/2026-T2.yaml")
    p.add_argument("--sizes", default="4,12,45", help="scale: numbers of synthetic delivery units, e.g. 4,12,45")
    p.add_argument("--repeat", type=int, default=3, help="scale: runs of each data set (the median is printed)")
    p.add_argument(
        "--render",
        action="store_true",
        help="scale: also time the rendering of the default run and the largest set; rerun: render both runs (the render cache)",
    )
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser(
        "calibrate-intervals",
        help="recompute the pooled forecast interval calibration from the public reference series "
        "(data/raw/public: Sweden and 41 UN series) into src/fragile_care/model/interval_calibration.json",
    )
    p.set_defaults(func=cmd_calibrate_intervals)

    p = sub.add_parser("fetch-scb", help="refresh public series from SCB's PxWeb API (needs internet) into data/raw/public/scb/")
    p.add_argument("--series", nargs="*", help="series to fetch (default: all)")
    p.add_argument("--out", help="folder to write to (default data/raw/public/scb)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for SCB (default 30)")
    p.set_defaults(func=cmd_fetch_scb)

    p = sub.add_parser("docs", help="rewrite the generated parts of the documentation (docs/assumptions.md) from the code")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 when a generated part differs from the code")
    p.set_defaults(func=cmd_docs)

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never a bare traceback for users
        if os.environ.get("FRAGILE_CARE_DEBUG"):
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc} (set FRAGILE_CARE_DEBUG=1 for details)", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
