"""The run's pre-flight: what would make a run fail, checked before any notebook starts and
before anything is written (data, notebooks, reports, the settings that name units, where
the run would write), and the reports a run renders."""

from __future__ import annotations

from pathlib import Path

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.publish.embeds import find_embeds
from fragile_care.run import config
from fragile_care.run import steps as step_table
from fragile_care.run.bundle import relative
from fragile_care.run.settings import RunConfig


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
    errors of its own (or unreadable) is left to step 01, which reports them all with their rows."""
    from fragile_care.inputs.assembly import read_units_table
    from fragile_care.inputs.units import UnitRegistry, is_open

    check = read_units_table(cfg.data_dir)
    if check is None or not check.ok:
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
    from fragile_care.inputs.assembly import read_units_table

    check = read_units_table(cfg.data_dir)  # an unreadable table has no source_id: step 01 reports it
    frame = check.frame if check is not None else None
    if frame is None or "source_id" not in frame:
        return cfg, None
    marks = sorted({str(v).strip() for v in frame["source_id"].dropna() if str(v).strip().upper().startswith("SYNTHETIC")})
    if not marks:
        return cfg, None
    data = cfg.file.data.model_copy(update={"synthetic": True})
    cfg = cfg.model_copy(update={"file": cfg.file.model_copy(update={"data": data})})
    return cfg, f"{check.file} marks its units as synthetic (source_id {', '.join(marks)}): the reports say EXEMPELDATA"
