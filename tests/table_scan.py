"""No NaN reaches a table (issue 14): a scan of every processed table of a run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fragile_care.inputs.schemas import ALL_TABLES

# Result columns where an empty cell means "not applicable", each with its reason. Every
# other numeric column of every processed table must be complete.
NOT_APPLICABLE = {
    ("quality_log", "row"): "a problem of a whole file or column has no row",
    ("brief_key_numbers", "year"): "a key number that is not tied to a year (the planning figure)",
    ("brief_key_numbers", "previous_year"): "a key number without a comparison year",
    ("brief_key_numbers", "previous"): "a key number without a comparison value",
    ("brief_key_numbers", "low"): "a key number without an interval",
    ("brief_key_numbers", "high"): "a key number without an interval",
    ("brief_key_numbers", "of"): "a key number that is not a share of something",
    ("brief_key_numbers", "detail"): "a key number without a detail value",
    ("brief_key_numbers", "detail_previous"): "a key number without a detail value",
    ("brief_key_numbers", "detail_year"): "a key number without a detail value",
    ("scenarios", "not_placed_in_region"): "scenarios without regional overflow have no such count",
    ("resolved_settings", "low"): "a setting that is configured or a default, not estimated, has no interval",
    ("resolved_settings", "high"): "a setting that is configured or a default, not estimated, has no interval",
}


def nullable_input_columns() -> set[tuple[str, str]]:
    """Input columns the contracts allow to be empty (or to be absent)."""
    return {(s.name, c.name) for s in ALL_TABLES.values() for c in s.columns if c.nullable or not c.required}


def missing_values(processed: Path) -> dict[str, dict[str, int]]:
    """Numeric columns with NaN per table, beyond the documented exceptions."""
    allowed = set(NOT_APPLICABLE) | nullable_input_columns()
    found = {}
    for path in sorted(processed.glob("*.parquet")):
        frame = pd.read_parquet(path)
        numeric = frame.select_dtypes("number")
        bad = {c: int(numeric[c].isna().sum()) for c in numeric if numeric[c].isna().any() and (path.stem, c) not in allowed}
        if bad:
            found[path.stem] = bad
    return found
