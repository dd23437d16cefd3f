"""A whole data set: every table read and checked, units harmonised, the period applied,
cross-table checks, the data-quality log and the row accounting
(``rows_read == rows_kept + rows_rejected`` for every file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from fragile_care.inputs import io
from fragile_care.inputs.contracts import (
    TableCheck,
    check_table,
    empty_frame,
    series_gaps,
)
from fragile_care.inputs.crosschecks import (
    capacity_checks,
    meaning_checks,
    merge_checks,
    plausibility_checks,
    redirection_plausibility,
    transfer_checks,
    unit_life_checks,
)
from fragile_care.inputs.quality import (
    DataValidationError,
    Problem,
    errors,
    problems_to_frame,
)
from fragile_care.inputs.schemas import (
    OPTIONAL_PUBLIC_TABLES,
    OPTIONAL_UNIT_TABLES,
    PUBLIC_TABLES,
    UNIT_TABLES,
    UNITS,
    TableSchema,
)
from fragile_care.inputs.units import (
    Harmonisation,
    UnitRegistry,
    apply_merges,
    check_merges,
    merges_from_units,
)


@dataclass
class CleanResult:
    """Validated tables, the data-quality log and the row accounting of a data set."""

    tables: dict[str, pd.DataFrame]
    quality_log: pd.DataFrame
    accounting: pd.DataFrame
    files: dict[str, Path]
    problems: list[Problem] = field(default_factory=list)  # every finding, before repeated ones are counted in the log


def _read(path: Path, schema: TableSchema, units: UnitRegistry | None) -> tuple[TableCheck, io.RawTable | None]:
    try:
        raw = io.read_raw_table(path)
    except io.UnreadableTableError as exc:
        problem = Problem(exc.file, None, None, "error", exc.reason, "", schema.name)
        return TableCheck(schema.name, path.name, empty_frame(schema), [problem], 0, 0, 0), None
    return check_table(raw, schema, units), raw


def read_units_table(folder: Path) -> TableCheck | None:
    """The units table of ``folder`` read and checked on its own, before any harmonisation
    (what a run's pre-flight checks the settings against); None when the folder has none.
    An unreadable file is a check with that one error, as in :func:`clean_dataset`."""
    path = io.find_table_file(folder, UNITS.name)
    return None if path is None else _read(path, UNITS, None)[0]


def _period_filter(frame: pd.DataFrame, schema: TableSchema, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Rows inside the run's period (monthly and dated tables; ISO weeks by their Thursday)."""
    end_exclusive = end + pd.offsets.MonthBegin(1)
    for col in schema.columns:
        if col.name not in frame or frame.empty:
            continue
        if col.kind in ("month", "date"):
            values = frame[col.name]
        elif col.kind == "iso_week":
            values = pd.to_datetime(frame[col.name] + "-4", format="%G-W%V-%u")
        else:
            continue
        return frame[(values >= start) & (values < end_exclusive)]
    return frame


def check_dataset(
    source_dir: Path,
    public_dir: Path,
    harmonisation: Harmonisation,
    period_start: pd.Timestamp,
    period_end: pd.Timestamp,
) -> tuple[list[Problem], pd.DataFrame]:
    """Every problem :func:`clean_dataset` finds (errors, repairs, warnings), without
    raising, and the row accounting: what ``validate --config`` prints."""
    try:
        result = clean_dataset(source_dir, public_dir, harmonisation, period_start, period_end)
    except DataValidationError as exc:
        return exc.all_problems or exc.problems, exc.accounting if exc.accounting is not None else pd.DataFrame()
    return result.problems, result.accounting


def _locate(folder: Path, name: str, problems: list[Problem]) -> Path | None:
    """The one file of table ``name`` in ``folder``; None when there is none (an error unless
    the table is optional) or more than one (an error)."""
    path = io.find_table_file(folder, name)
    if path is None and (name in OPTIONAL_UNIT_TABLES or name in OPTIONAL_PUBLIC_TABLES):
        return None  # optional: the follow-up says when there is no action plan
    if path is None:
        problems.append(
            Problem(f"{folder.name}/{name}.csv", None, None, "error", f"required table {name!r} not found in {folder}", "", name)
        )
        return None
    candidates = io.table_files(folder, name)
    if len(candidates) > 1:  # never pick one of two versions of a table without a word
        problems.append(
            Problem(
                candidates[0].name,
                None,
                None,
                "error",
                f"table {name!r} is in {len(candidates)} files in {folder}: {', '.join(p.name for p in candidates)}; "
                "it is not clear which one holds the data: keep one and move the other(s) out of the folder",
                "",
                name,
            )
        )
        return None
    return path


def _unit_structure_and_period(
    name: str,
    frame: pd.DataFrame,
    schema: TableSchema,
    harmonisation: Harmonisation,
    file: str,
    period: tuple[pd.Timestamp, pd.Timestamp],
    tables: dict[str, pd.DataFrame],
    problems: list[Problem],
) -> tuple[pd.DataFrame, int, int]:
    """A unit table with the merges applied (the rows as the sites wrote them kept in
    ``tables[<name>_sites]`` when a merge moved any) and the run's period applied; the rows
    merged away and the rows outside the period."""
    sites = frame  # before merges: the unit structure as it was
    frame, moved, merged_away = apply_merges(frame, schema, harmonisation.merges or (), file)
    problems.extend(moved)
    if moved:
        tables[f"{name}_sites"] = _period_filter(sites, schema, *period).reset_index(drop=True)
    in_period = _period_filter(frame, schema, *period)
    outside = len(frame) - len(in_period)
    frame = in_period.reset_index(drop=True)
    problems.extend(series_gaps(frame, schema, file))
    return frame, merged_away, outside


def _accounting_row(check: TableCheck, name: str, merged_away: int, outside: int, rows_out: int, problems: list[Problem]) -> dict[str, Any]:
    """A file's row accounting, with its repairs and warnings so far."""
    return {
        "file": check.file,
        "table": name,
        "rows_read": check.rows_read,
        "rows_kept": check.rows_kept,
        "rows_rejected": check.rows_rejected,
        "rows_merged": merged_away,
        "rows_outside_period": outside,
        "rows_out": rows_out,
        "repairs": sum(p.count for p in problems if p.severity == "repaired" and p.file == check.file),
        "warnings": sum(p.count for p in problems if p.severity == "warning" and p.file == check.file),
    }


def _period_end_problems(births: pd.DataFrame | None, files: dict[str, Path], period_end: pd.Timestamp) -> list[Problem]:
    """An error when the run's period ends after the last month of births data."""
    if births is None or births.empty or not births["month"].max() < period_end:
        return []
    return [
        Problem(
            "run configuration",
            None,
            "period.end",
            "error",
            f"period.end {period_end:%Y-%m} is after the last month of data, {births['month'].max():%Y-%m} "
            f"({files['births_monthly'].name}); set period.end (or the tertial) to a month the data cover",
            "",
            "births_monthly",
        )
    ]


def clean_dataset(
    source_dir: Path,
    public_dir: Path,
    harmonisation: Harmonisation,
    period_start: pd.Timestamp,
    period_end: pd.Timestamp,
) -> CleanResult:
    """Check and clean every table of a data set.

    Parameters
    ----------
    source_dir : folder with the unit-level tables (``units.csv``, ``births_monthly.csv``, ...)
    public_dir : folder with the public series
    harmonisation : aliases and merges of units
    period_start, period_end : first and last month (month-start timestamps) of the run

    Raises
    ------
    DataValidationError
        with every error of every file, when any table is unusable.
    """
    problems: list[Problem] = []
    accounting: list[dict[str, Any]] = []
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    units_registry: UnitRegistry | None = None
    checked: dict[str, TableCheck] = {}
    unit_side = {**UNIT_TABLES, **OPTIONAL_UNIT_TABLES}
    for name, schema in {**UNIT_TABLES, **OPTIONAL_UNIT_TABLES, **PUBLIC_TABLES, **OPTIONAL_PUBLIC_TABLES}.items():
        path = _locate(source_dir if name in unit_side else public_dir, name, problems)
        if path is None:
            continue
        files[name] = path
        check, _ = _read(path, schema, units_registry if name in unit_side else None)
        checked[name] = check
        problems.extend(check.problems)
        frame = check.frame
        if name == UNITS.name and check.ok:
            units_registry = UnitRegistry.build(frame, harmonisation, check.file, check.lines)
            problems.extend(units_registry.conflicts)
            if harmonisation.merges is None:
                harmonisation = Harmonisation(harmonisation.aliases, merges_from_units(frame))
            check_merges(harmonisation, units_registry, check.file, problems)
        merged_away = 0
        outside = 0
        if name in UNIT_TABLES and check.ok and name != UNITS.name:
            frame, merged_away, outside = _unit_structure_and_period(
                name, frame, schema, harmonisation, check.file, (period_start, period_end), tables, problems
            )
        tables[name] = frame
        accounting.append(_accounting_row(check, name, merged_away, outside, len(frame), problems))
    problems.extend(_period_end_problems(tables.get("births_monthly"), files, period_end))
    problems.extend(capacity_checks(checked))
    problems.extend(transfer_checks(checked))
    problems.extend(unit_life_checks(checked))
    problems.extend(plausibility_checks(checked))
    problems.extend(redirection_plausibility(checked))
    problems.extend(merge_checks(checked, harmonisation.merges))
    for check in checked.values():
        problems.extend(meaning_checks(check, checked))
    found = errors(problems)
    if found:
        raise DataValidationError(found, all_problems=problems, accounting=pd.DataFrame(accounting))
    return CleanResult(tables, problems_to_frame(problems), pd.DataFrame(accounting), files, problems)
