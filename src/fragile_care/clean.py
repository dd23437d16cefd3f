"""Schema checks, repairs, unit harmonisation and row accounting.

The entry points are :func:`check_table` (one raw table against its contract, used by the
``validate`` command) and :func:`clean_dataset` (every table of a data set, used by the
cleaning notebook). Nothing is dropped silently: every repaired value, rejected row and
merged row is in the data-quality log, and for every file
``rows_read == rows_kept + rows_rejected`` holds.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import io
from .parsing import (
    CellError,
    is_blank,
    parse_count,
    parse_date,
    parse_iso_week,
    parse_month,
    parse_number,
)
from .plan import check_best_practice, check_plan
from .quality import DataValidationError, Problem, errors, problems_to_frame
from .schemas import OPTIONAL_PUBLIC_TABLES, OPTIONAL_UNIT_TABLES, PUBLIC_TABLES, UNIT_TABLES, UNITS, Column, TableSchema


# ----------------------------------------------------------------------------- units
@dataclass(frozen=True)
class Merge:
    """A delivery unit that closed and whose activity moved to another unit."""

    from_unit: str
    into_unit: str
    effective: dt.date


@dataclass(frozen=True)
class Harmonisation:
    """How unit names in the sources map to unit ids.

    ``aliases`` maps a spelling found in exports (case-insensitive) to a unit id, in
    addition to the unit names and the ``aliases`` column of the units table;
    ``merges`` lists closed units whose whole history is added to the receiving unit, so
    that its series covers the same catchment before and after the merge. ``None`` (the
    default) takes the merges from the units table (``merged_into`` and ``closed``).
    """

    aliases: dict[str, str] = field(default_factory=dict)
    merges: tuple[Merge, ...] | None = None


@dataclass(frozen=True)
class UnitRegistry:
    """Known unit ids and the aliases that resolve to them."""

    ids: frozenset[str]
    aliases: dict[str, str]

    @classmethod
    def build(cls, units: pd.DataFrame, harmonisation: Harmonisation) -> "UnitRegistry":
        ids = frozenset(units["unit_id"].astype(str))
        aliases: dict[str, str] = {}
        extra = units["aliases"] if "aliases" in units else pd.Series([None] * len(units))
        for uid, name, more in zip(units["unit_id"], units["name"], extra):
            aliases[str(name).strip().lower()] = str(uid)
            aliases[str(uid).lower()] = str(uid)
            for alias in str(more or "").split("|"):
                if alias.strip():
                    aliases[alias.strip().lower()] = str(uid)
        for alias, uid in harmonisation.aliases.items():
            aliases[str(alias).strip().lower()] = str(uid)
        return cls(ids, aliases)

    def resolve(self, value: Any) -> tuple[str, str | None]:
        text = str(value).strip()
        if text in self.ids:
            return text, None
        hit = self.aliases.get(text.lower())
        if hit is not None:
            return hit, f"unit {text!r} harmonised to {hit}"
        near = difflib.get_close_matches(text, sorted(self.ids | set(self.aliases)), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise CellError(f"unknown unit id {text!r}{hint} (known: {', '.join(sorted(self.ids))})")


# ----------------------------------------------------------------------------- tables
@dataclass
class TableCheck:
    """The outcome of checking one file against its contract."""

    table: str
    file: str
    frame: pd.DataFrame
    problems: list[Problem]
    rows_read: int
    rows_kept: int
    rows_rejected: int
    lines: list[int] = field(default_factory=list)  # source row number of each row of ``frame``

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


def _normalise_header(name: str) -> str:
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _check_header(raw: io.RawTable, schema: TableSchema, add) -> dict[str, int] | None:
    """Map contract columns to positions in the file; ``None`` when the header is unusable."""
    wanted = schema.column_names
    positions: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    for pos, written in enumerate(raw.header):
        name = _normalise_header(written)
        if not name:
            if any(not is_blank(r[pos]) for r in raw.records if pos < len(r)):
                add(1, f"#{pos + 1}", "error", "column has values but no name")
            continue
        if name in positions:
            add(1, written, "error", f"column {name!r} appears twice")
            continue
        if name in wanted or name == schema.provenance_column:
            if name != written:
                add(1, written, "repaired", f"column name {written!r}", f"read as {name!r}")
            positions[name] = pos
        else:
            unknown.append((pos, written))
    missing = [c for c in schema.columns if c.required and c.name not in positions]
    ok = True
    for pos, written in unknown:
        near = difflib.get_close_matches(_normalise_header(written), [c.name for c in missing], n=1, cutoff=0.7)
        if near:
            add(1, written, "error", f"unknown column {written!r}; did you mean {near[0]!r}?")
            missing = [c for c in missing if c.name != near[0]]
            ok = False
        else:
            add(1, written, "warning", f"column {written!r} is not in the {schema.name} contract", "ignored")
    for col in missing:
        add(1, col.name, "error", f"missing required column {col.name!r}")
        ok = False
    return positions if ok else None


def _parse_cell(value: Any, col: Column, decimal_comma: bool, units: UnitRegistry | None) -> tuple[Any, str | None]:
    kind = col.kind
    if kind in ("id", "text"):
        text = str(value).strip()
        return text, None
    if kind == "unit":
        if units is None:
            return str(value).strip(), None
        return units.resolve(value)
    if kind == "category":
        text = str(value).strip()
        assert col.allowed is not None
        if text in col.allowed:
            return text, None
        lowered = {a.lower(): a for a in col.allowed}
        alias = dict(col.aliases).get(text.lower())
        hit = lowered.get(text.lower()) or alias
        if hit is not None:
            return hit, f"{text!r} written as {hit!r}"
        near = difflib.get_close_matches(text.lower(), list(lowered) + list(dict(col.aliases)), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise CellError(f"{text!r} is not allowed{hint} (allowed: {', '.join(col.allowed)})")
    if kind == "count":
        number, repair = parse_count(value, decimal_comma)
    elif kind == "number":
        number, repair = parse_number(value, decimal_comma)
    elif kind == "year":
        number, repair = parse_count(value, decimal_comma)
        if not 1900 <= number <= 2100:
            raise CellError(f"year {value!r} is outside 1900-2100")
        return number, repair
    elif kind == "month":
        period, repair = parse_month(value)
        return period.to_timestamp(), repair
    elif kind == "date":
        day, repair = parse_date(value)
        return pd.Timestamp(day), repair
    elif kind == "iso_week":
        return parse_iso_week(value)
    else:  # pragma: no cover - guarded by Column.__post_init__
        raise AssertionError(kind)
    if col.minimum is not None and number < col.minimum:
        raise CellError(f"{value!r} is below the minimum {col.minimum:g}")
    if col.maximum is not None and number > col.maximum:
        raise CellError(f"{value!r} is above the plausible maximum {col.maximum:g}")
    return number, repair


_DTYPES = {"count": "Int64", "year": "Int64", "number": "float64", "month": "datetime64[ns]", "date": "datetime64[ns]"}


def _empty_frame(schema: TableSchema) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=_DTYPES.get(c.kind, "object")) for c in schema.columns})


def check_table(raw: io.RawTable, schema: TableSchema, units: UnitRegistry | None = None) -> TableCheck:
    """Check one raw table against its contract.

    Returns the typed rows that passed, every problem found (all of them, not only the
    first) and the row accounting. Does not raise on bad data.
    """
    problems: list[Problem] = [
    ]
    file = raw.name

    def add(row, column, severity, problem, action=""):
        problems.append(Problem(file, row, column, severity, problem, action, schema.name))

    rows_read = len(raw.records)
    positions = _check_header(raw, schema, add)
    if positions is None:
        return TableCheck(schema.name, file, _empty_frame(schema), problems, rows_read, 0, rows_read)
    decimal_comma = raw.delimiter != ","
    kept: list[dict[str, Any]] = []
    kept_lines: list[int] = []
    rejected = 0
    blank_lines: list[int] = []
    ncols = len(raw.header)
    for record, line in zip(raw.records, raw.line_numbers):
        if all(is_blank(v) for v in record):
            blank_lines.append(line)
            rejected += 1
            continue
        bad = False
        if len(record) > ncols and any(not is_blank(v) for v in record[ncols:]):
            add(line, None, "error", f"row has {len(record)} fields but the header has {ncols}")
            bad = True
        values: dict[str, Any] = {}
        for col in schema.columns:
            if col.name not in positions:
                values[col.name] = None
                continue
            pos = positions[col.name]
            cell = record[pos] if pos < len(record) else ""
            if is_blank(cell):
                if col.nullable or not col.required:
                    values[col.name] = None
                    continue
                add(line, col.name, "error", "missing value")
                bad = True
                continue
            try:
                value, repair = _parse_cell(cell, col, decimal_comma, units)
            except CellError as exc:
                add(line, col.name, "error", str(exc))
                bad = True
                continue
            if repair:
                add(line, col.name, "repaired", repair, "value repaired, row kept")
            values[col.name] = value
        prov = schema.provenance_column
        if prov in positions:
            pos = positions[prov]
            values[prov] = str(record[pos]).strip() if pos < len(record) else ""
        if bad:
            rejected += 1
            continue
        kept.append(values)
        kept_lines.append(line)
    for line in blank_lines:
        add(line, None, "rejected", "blank row", "row skipped")
    if not kept and not errors(problems):
        add(None, None, "error", "header only, no data rows" if not raw.records or len(blank_lines) == rows_read else "no usable rows")

    frame = pd.DataFrame(kept) if kept else _empty_frame(schema)
    for col in schema.columns:
        if col.name in frame:
            frame[col.name] = frame[col.name].astype(_DTYPES.get(col.kind, "object"))
    frame, dup_rejected, kept_lines = _check_keys(frame, kept_lines, schema, add)
    rejected += dup_rejected
    if schema.name == UNITS.name and "merged_into" in frame:
        ids = set(frame["unit_id"])
        for target, line in zip(frame["merged_into"], kept_lines):
            if target is not None and not pd.isna(target) and target not in ids:
                add(line, "merged_into", "error", f"merged_into names unknown unit {target!r}")
    return TableCheck(schema.name, file, frame.reset_index(drop=True), problems, rows_read, rows_read - rejected, rejected, kept_lines)


def _check_keys(frame: pd.DataFrame, lines: list[int], schema: TableSchema, add) -> tuple[pd.DataFrame, int, list[int]]:
    """Drop exact duplicate rows (logged); report conflicting duplicates of a key as errors."""
    if frame.empty:
        return frame, 0, lines
    frame = frame.assign(_line=lines)
    key = list(schema.key)
    dup_mask = frame.duplicated(key, keep=False)
    if not dup_mask.any():
        return frame.drop(columns="_line"), 0, lines
    drop_idx = []
    value_cols = [c for c in schema.column_names if c in frame]
    for _, group in frame[dup_mask].groupby(key, dropna=False, sort=False):
        first = group.iloc[0]
        key_text = ", ".join(f"{k}={_fmt_key(first[k])}" for k in key)
        for idx, row in group.iloc[1:].iterrows():
            same = all(_same(row[c], first[c]) for c in value_cols)
            if same:
                add(int(row["_line"]), None, "rejected", f"exact duplicate of row {int(first['_line'])} ({key_text})", "row dropped")
                drop_idx.append(idx)
            else:
                add(int(row["_line"]), ",".join(key), "error", f"duplicate key ({key_text}) also on row {int(first['_line'])} with different values")
    frame = frame.drop(index=drop_idx)
    return frame.drop(columns="_line"), len(drop_idx), frame["_line"].tolist()


def _fmt_key(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m") if value.day == 1 else value.strftime("%Y-%m-%d")
    return str(value)


def _same(a: Any, b: Any) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    return bool(a == b)


def series_gaps(frame: pd.DataFrame, schema: TableSchema, file: str) -> list[Problem]:
    """Months missing inside each monthly series: flagged as warnings, never filled."""
    if not schema.series_month or frame.empty:
        return []
    month = schema.series_month
    found: list[Problem] = []
    for keys, group in frame.groupby(list(schema.series_by), sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        present = pd.DatetimeIndex(group[month].unique())
        full = pd.date_range(present.min(), present.max(), freq="MS")
        label = ", ".join(f"{k}={v}" for k, v in zip(schema.series_by, keys))
        for gap in full.difference(present):
            found.append(Problem(file, None, month, "warning", f"month {gap:%Y-%m} missing inside the series {label}", "flagged, not filled", schema.name))
    return found


# ----------------------------------------------------------------------------- data set
@dataclass
class CleanResult:
    """Validated tables, the data-quality log and the row accounting of a data set."""

    tables: dict[str, pd.DataFrame]
    quality_log: pd.DataFrame
    accounting: pd.DataFrame
    files: dict[str, Path]


def _read(path: Path, schema: TableSchema, units: UnitRegistry | None) -> tuple[TableCheck, io.RawTable | None]:
    try:
        raw = io.read_raw_table(path)
    except io.UnreadableTableError as exc:
        problem = Problem(exc.file, None, None, "error", exc.reason, "", schema.name)
        return TableCheck(schema.name, path.name, _empty_frame(schema), [problem], 0, 0, 0), None
    return check_table(raw, schema, units), raw


def apply_merges(frame: pd.DataFrame, schema: TableSchema, merges: tuple[Merge, ...], file: str) -> tuple[pd.DataFrame, list[Problem], int]:
    """Move every row of a merged unit to the receiving unit and add up rows that then share
    a key. Returns the new frame, one log entry per moved row, and how many rows were
    combined away."""
    unit_cols = [c.name for c in schema.columns if c.kind == "unit" and c.name in frame]
    if not merges or frame.empty or not unit_cols:
        return frame, [], 0
    mapping = {m.from_unit: m.into_unit for m in merges}
    problems: list[Problem] = []
    out = frame.copy()
    for col in unit_cols:
        moved = out[col].isin(list(mapping))
        for uid, count in out.loc[moved, col].value_counts().sort_index().items():
            problems.append(Problem(file, None, col, "repaired", f"{count} row(s) of merged unit {uid}", f"moved to {mapping[uid]} (harmonisation.merges)", schema.name))
        out[col] = out[col].replace(mapping)
    key = [k for k in schema.key]
    numeric = [c.name for c in schema.columns if c.kind in ("count", "number") and c.name in out]
    before = len(out)
    if out.duplicated(key).any():
        agg = {c: "sum" for c in numeric}
        for c in out.columns:
            if c not in key and c not in agg:
                agg[c] = "first"
        out = out.groupby(key, as_index=False, sort=False, dropna=False).agg(agg)[frame.columns.tolist()]
    return out, problems, before - len(out)


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
        folder = source_dir if name in unit_side else public_dir
        path = io.find_table_file(folder, name)
        if path is None and (name in OPTIONAL_UNIT_TABLES or name in OPTIONAL_PUBLIC_TABLES):
            continue  # optional: the follow-up says when there is no action plan
        if path is None:
            problems.append(Problem(f"{folder.name}/{name}.csv", None, None, "error", f"required table {name!r} not found in {folder}", "", name))
            continue
        files[name] = path
        check, _ = _read(path, schema, units_registry if name in unit_side else None)
        checked[name] = check
        problems.extend(check.problems)
        frame = check.frame
        if name == UNITS.name and check.ok:
            units_registry = UnitRegistry.build(frame, harmonisation)
            if harmonisation.merges is None:
                harmonisation = Harmonisation(harmonisation.aliases, merges_from_units(frame))
            _check_merges(harmonisation, units_registry, check.file, problems)
        merged_away = 0
        outside = 0
        if name in UNIT_TABLES and check.ok:
            if name != UNITS.name:
                sites = frame  # before merges: the unit structure as it was
                frame, moved, merged_away = apply_merges(frame, schema, harmonisation.merges or (), check.file)
                problems.extend(moved)
                if moved:
                    tables[f"{name}_sites"] = _period_filter(sites, schema, period_start, period_end).reset_index(drop=True)
                in_period = _period_filter(frame, schema, period_start, period_end)
                outside = len(frame) - len(in_period)
                frame = in_period.reset_index(drop=True)
                problems.extend(series_gaps(frame, schema, check.file))
        tables[name] = frame
        accounting.append(
            {
                "file": check.file,
                "table": name,
                "rows_read": check.rows_read,
                "rows_kept": check.rows_kept,
                "rows_rejected": check.rows_rejected,
                "rows_merged": merged_away,
                "rows_outside_period": outside,
                "rows_out": len(frame),
                "repairs": sum(p.severity == "repaired" and p.file == check.file for p in problems),
                "warnings": sum(p.severity == "warning" and p.file == check.file for p in problems),
            }
        )
    problems.extend(capacity_checks(checked))
    for check in checked.values():
        problems.extend(meaning_checks(check, checked))
    found = errors(problems)
    if found:
        raise DataValidationError(found)
    return CleanResult(tables, problems_to_frame(problems), pd.DataFrame(accounting), files)


def meaning_checks(check: TableCheck, checked: dict[str, TableCheck] | None = None) -> list[Problem]:
    """Checks of meaning beyond the column contract, for the tables that have them (the
    action plan; the best-practice register, against the plan when it is given)."""
    if check.table == "action_plan":
        return check_plan(check)
    if check.table == "best_practice":
        return check_best_practice(check, (checked or {}).get("action_plan"))
    return []


def merges_from_units(units: pd.DataFrame) -> tuple[Merge, ...]:
    """Merges recorded in the units table: a unit with ``merged_into`` and ``closed``."""
    if "merged_into" not in units:
        return ()
    out = []
    for _, row in units.iterrows():
        target = row["merged_into"]
        if target is not None and not pd.isna(target):
            closed = row.get("closed")
            day = closed.date() if isinstance(closed, pd.Timestamp) else dt.date.min
            out.append(Merge(str(row["unit_id"]), str(target), day))
    return tuple(out)


def _check_merges(harmonisation: Harmonisation, registry: UnitRegistry, file: str, problems: list[Problem]) -> None:
    for merge in harmonisation.merges:
        for uid in (merge.from_unit, merge.into_unit):
            if uid not in registry.ids:
                problems.append(Problem(file, None, "unit_id", "error", f"harmonisation.merges names unknown unit {uid!r}", "", "units"))


def _is_open(closed: Any, month: pd.Timestamp | None = None) -> bool:
    if closed is None or pd.isna(closed):
        return True
    return month is not None and month < closed


def capacity_checks(checked: dict[str, TableCheck]) -> list[Problem]:
    """Checks across tables that the staffing and capacity models rely on, each naming
    the file, row and column: an open unit without delivery rooms; an open unit-month
    without midwives at work (or a unit with neonatal cots without neonatal nurses);
    planned leave above the FTE budgeted for that unit, month and profession."""
    out: list[Problem] = []
    units = checked.get("units")
    if units is None or not units.ok or units.frame.empty:
        return out
    u = units.frame.set_index("unit_id")
    for uid, line in zip(units.frame["unit_id"], units.lines):
        rooms = u.at[uid, "delivery_rooms"]
        if not pd.isna(rooms) and int(rooms) == 0 and _is_open(u.at[uid, "closed"]):
            out.append(Problem(units.file, line, "delivery_rooms", "error",
                               f"open unit {uid} has 0 delivery rooms; a delivery unit needs at least one (if it has closed, fill in 'closed')", "", "units"))
    staffing = checked.get("staffing")
    if staffing is not None and not staffing.frame.empty:  # rows that passed, even if others did not
        st = staffing.frame
        cots = u[["neonatal_cots_ic", "neonatal_cots_hd", "neonatal_cots_sc"]].fillna(0).sum(axis=1)
        for row, line in zip(st.itertuples(index=False), staffing.lines):
            if row.unit_id not in u.index or not _is_open(u.at[row.unit_id, "closed"], row.month):
                continue
            needs_staff = row.profession == "barnmorska" or (row.profession == "neonatalsjuksköterska" and cots.get(row.unit_id, 0) > 0)
            if needs_staff and (row.fte_available or 0) + (row.fte_agency or 0) <= 0:
                out.append(Problem(staffing.file, line, "fte_available", "error",
                                   f"0 {row.profession} FTE available and no agency staff at open unit {row.unit_id} in {row.month:%Y-%m}; "
                                   "the unit cannot run without them (if it was closed, fill in 'closed' in the units table)", "", "staffing"))
        leave = checked.get("leave_plan")
        if leave is not None and not leave.frame.empty:
            lv = leave.frame.assign(src_line=leave.lines)
            lv["month"] = pd.to_datetime(lv["iso_week"] + "-4", format="%G-W%V-%u").dt.to_period("M").dt.to_timestamp()
            budget = st.assign(st_line=staffing.lines)[["unit_id", "month", "profession", "fte_budgeted", "st_line"]]
            joined = lv.merge(budget, on=["unit_id", "month", "profession"], how="left")
            for row in joined.itertuples(index=False):
                if pd.isna(row.fte_budgeted):
                    out.append(Problem(leave.file, row.src_line, "fte_on_leave", "warning",
                                       f"no staffing row for {row.profession} at {row.unit_id} in {row.month:%Y-%m} to check the leave of {row.iso_week} against",
                                       "leave kept unchecked", "leave_plan"))
                elif row.fte_on_leave > row.fte_budgeted + 1e-9:
                    out.append(Problem(leave.file, row.src_line, "fte_on_leave", "error",
                                       f"{row.fte_on_leave:g} FTE on leave in {row.iso_week} exceeds the {row.fte_budgeted:g} FTE budgeted for "
                                       f"{row.profession} at {row.unit_id} in {row.month:%Y-%m} ({staffing.file} row {row.st_line})", "", "leave_plan"))
    return out
