"""One raw table against its contract (schemas): header, cell parsing and repairs, keys.

:func:`check_table` is used by the ``validate`` command and by the assembly of a data set.
Nothing is dropped silently: every repaired value and rejected row is a :class:`Problem`.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fragile_care.inputs import io
from fragile_care.inputs.parsing import (
    CellError,
    is_blank,
    parse_count,
    parse_date,
    parse_iso_week,
    parse_month,
    parse_number,
)
from fragile_care.inputs.quality import (
    Problem,
    ProblemLog,
    errors,
)
from fragile_care.inputs.schemas import (
    REGIONAL_OWNER,
    UNITS,
    Column,
    TableSchema,
)
from fragile_care.inputs.units import UnitRegistry, merge_cycles


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
    for _pos, written in unknown:
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
    if kind == "owner":
        text = str(value).strip()
        if units is None or text in units.owners:
            return text, None
        allowed = sorted(units.owners)
        near = difflib.get_close_matches(text, allowed, n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise CellError(
            f"{text!r} is not allowed{hint} (allowed: an administration of the units table or {REGIONAL_OWNER}: {', '.join(allowed)})"
        )
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


def empty_frame(schema: TableSchema) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=_DTYPES.get(c.kind, "object")) for c in schema.columns})


progress = logging.getLogger(__name__)
PROGRESS_ROWS = 100_000  # a long check says how far it got every this many rows


def _record_id(schema: TableSchema, positions: dict[str, int]) -> tuple[int, str] | None:
    """Position and noun (``activity``) of the one id column keying the table (the action
    plan, the best-practice register), or None: found once per table, not once per row."""
    if len(schema.key) != 1 or schema.column(schema.key[0]).kind != "id" or schema.key[0] not in positions:
        return None
    return positions[schema.key[0]], schema.key[0].removesuffix("_id").replace("_", " ")


def _row_namer(add, record: list[Any], record_id: tuple[int, str] | None):
    """``add`` that names the row's record by its id (``activity A03: ...``), as the checks
    of meaning do, so a problem can be found by the id its owner knows."""
    if record_id is None:
        return add
    pos, noun = record_id
    value = str(record[pos]).strip() if pos < len(record) else ""
    if not value:
        return add

    def named(row, column, severity, problem, action=""):
        add(row, column, severity, f"{noun} {value}: {problem}", action)

    return named


def _parse_row(
    record: list[Any],
    line: int,
    raw: io.RawTable,
    schema: TableSchema,
    positions: dict[str, int],
    decimal_comma: bool,
    units: UnitRegistry | None,
    row_add: Callable[..., None],
) -> tuple[dict[str, Any], bool]:
    """The typed values of one data row (``line`` in the file) and whether it has an error;
    each error and repair is said through ``row_add``."""
    bad = False
    ncols = len(raw.header)
    if len(record) > ncols and any(not is_blank(v) for v in record[ncols:]):
        row_add(line, None, "error", f"row has {len(record)} fields but the header has {ncols}")
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
            why = raw.blank_why.get((line, pos))
            row_add(line, col.name, "error", f"missing value: {why}" if why else "missing value")
            bad = True
            continue
        try:
            value, repair = _parse_cell(cell, col, decimal_comma, units)
        except CellError as exc:
            row_add(line, col.name, "error", str(exc))
            bad = True
            continue
        if repair:
            row_add(line, col.name, "repaired", repair, "value repaired, row kept")
        values[col.name] = value
    prov = schema.provenance_column
    if prov in positions:
        pos = positions[prov]
        values[prov] = str(record[pos]).strip() if pos < len(record) else ""
    return values, bad


def _report_exact_copies(
    frame: pd.DataFrame, kept_lines: list[int], exact_copies: list[tuple[int, int]], schema: TableSchema, add: Callable[..., None]
) -> None:
    """One finding per row written exactly as an earlier one, naming the earlier row and its key."""
    key_texts = {}
    if not frame.empty and all(k in frame for k in schema.key):
        by_line = frame.assign(_line=kept_lines).set_index("_line")
        key_texts = {
            line: ", ".join(f"{k}={_fmt_key(by_line.at[line, k])}" for k in schema.key)
            for line in {first for _, first in exact_copies}
            if line in by_line.index
        }
    for line, first_line in sorted(exact_copies):
        key_text = f" ({key_texts[first_line]})" if first_line in key_texts else ""
        add(line, None, "rejected", f"exact duplicate of row {first_line}{key_text}", "row dropped")


def _check_merge_targets(frame: pd.DataFrame, kept_lines: list[int], file: str, add: Callable[..., None], log: ProblemLog) -> None:
    """The units table's ``merged_into``: each a unit of the table, and no cycle."""
    ids = set(frame["unit_id"])
    for target, line in zip(frame["merged_into"], kept_lines):
        if target is not None and not pd.isna(target) and target not in ids:
            add(line, "merged_into", "error", f"merged_into names unknown unit {target!r}")
    for problem in merge_cycle_problems(frame, kept_lines, file):
        log.add(problem)


def check_table(raw: io.RawTable, schema: TableSchema, units: UnitRegistry | None = None) -> TableCheck:
    """Check one raw table against its contract.

    Returns the typed rows that passed, every problem found (all of them, not only the
    first) and the row accounting. Does not raise on bad data.
    """
    log = ProblemLog()  # identical findings on many rows are counted, not repeated
    file = raw.name

    def add(row, column, severity, problem, action=""):
        log.add(Problem(file, row, column, severity, problem, action, schema.name))

    rows_read = len(raw.records)
    positions = _check_header(raw, schema, add)
    if positions is None:
        return TableCheck(schema.name, file, empty_frame(schema), log.problems(), rows_read, 0, rows_read)
    decimal_comma = raw.delimiter != ","
    kept: list[dict[str, Any]] = []
    kept_lines: list[int] = []
    rejected = 0
    blank_lines: list[int] = []
    record_id = _record_id(schema, positions)
    first_seen: dict[tuple, int] = {}  # a row as written -> the line it first appeared on
    exact_copies: list[tuple[int, int]] = []  # (line, line of the first copy): dropped unparsed
    for done, (record, line) in enumerate(zip(raw.records, raw.line_numbers), start=1):
        if done % PROGRESS_ROWS == 0:
            progress.info("%s: %s of %s rows checked", file, f"{done:,}", f"{rows_read:,}")
        if all(is_blank(v) for v in record):
            blank_lines.append(line)
            rejected += 1
            continue
        written = tuple(record)
        first_line = first_seen.setdefault(written, line)
        if first_line != line:  # a row written exactly as an earlier one: not parsed again
            exact_copies.append((line, first_line))
            rejected += 1
            continue
        row_add = _row_namer(add, record, record_id)
        values, bad = _parse_row(record, line, raw, schema, positions, decimal_comma, units, row_add)
        if bad:
            rejected += 1
            continue
        kept.append(values)
        kept_lines.append(line)
    for line in blank_lines:
        add(line, None, "rejected", "blank row", "row skipped")
    del first_seen
    if not kept and not errors(log.problems()):
        add(None, None, "error", "header only, no data rows" if not raw.records or len(blank_lines) == rows_read else "no usable rows")

    frame = pd.DataFrame(kept) if kept else empty_frame(schema)
    for col in schema.columns:
        if col.name in frame:
            frame[col.name] = frame[col.name].astype(_DTYPES.get(col.kind, "object"))
    if exact_copies:
        _report_exact_copies(frame, kept_lines, exact_copies, schema, add)
    frame, dup_rejected, kept_lines = _check_keys(frame, kept_lines, schema, add)
    rejected += dup_rejected
    if schema.name == UNITS.name and "merged_into" in frame:
        _check_merge_targets(frame, kept_lines, file, add, log)
    return TableCheck(
        schema.name, file, frame.reset_index(drop=True), log.problems(), rows_read, rows_read - rejected, rejected, kept_lines
    )


def merge_cycle_problems(units: pd.DataFrame, lines: list[int], file: str) -> list[Problem]:
    """Units whose ``merged_into`` chain comes back to a unit of the chain (Östra into
    Mölndal and Mölndal into Östra, or a unit into itself): no unit would receive the
    activity. One error per unit of a cycle, naming the rows of the whole cycle."""
    if "merged_into" not in units or units.empty:
        return []
    target = {str(u): t for u, t in zip(units["unit_id"], units["merged_into"]) if isinstance(t, str) and t.strip()}
    row_of = {str(u): line for u, line in zip(units["unit_id"], lines)}
    out: list[Problem] = []
    for cycle in merge_cycles(target, sorted(target, key=lambda u: row_of.get(u, 0))):
        path = " -> ".join([*cycle, cycle[0]])
        rows = ", ".join(str(row_of[u]) for u in cycle)
        text = (
            f"merged_into forms a cycle {path} (rows {rows}); no unit would receive the merged activity: "
            "a unit is merged into a unit that stays open (clear merged_into of the unit that took over)"
        )
        out += [Problem(file, row_of[uid], "merged_into", "error", text, "", UNITS.name) for uid in cycle]
    return out


def _check_keys(frame: pd.DataFrame, lines: list[int], schema: TableSchema, add) -> tuple[pd.DataFrame, int, list[int]]:
    """Drop exact duplicate rows (logged); report conflicting duplicates of a key as errors
    (the later rows are counted as rejected)."""
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
                add(
                    int(row["_line"]),
                    ",".join(key),
                    "error",
                    f"duplicate key ({key_text}) also on row {int(first['_line'])} with different values",
                )
                drop_idx.append(idx)  # an error row is counted as rejected, never as kept
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
            found.append(
                Problem(
                    file, None, month, "warning", f"month {gap:%Y-%m} missing inside the series {label}", "flagged, not filled", schema.name
                )
            )
    return found
