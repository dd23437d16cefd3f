"""Disclosure control for published counts of people: one rule for tables, figures and the
workbook. A count from 1 to ``threshold - 1`` is shown as ``<threshold``; 0 and larger
counts are shown. Counts are rounded to whole people first (a float such as 4.9999 from a
sum is 5), the same way everywhere.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from fragile_care.publish.formatting import missing, sv_int


def whole(count: Any) -> int | None:
    """A count of people as a whole number, or None when missing."""
    return None if missing(count) else int(round(float(count)))


def is_suppressed(count: Any, threshold: int) -> bool:
    """Whether a published count must be hidden (1 to threshold - 1)."""
    n = whole(count)
    return n is not None and 0 < n < threshold


def suppress(count: Any, threshold: int = 5) -> str:
    """A count of people as published text: ``<threshold``, or the count in Swedish format."""
    n = whole(count)
    if n is None:
        return "–"
    return f"<{threshold}" if is_suppressed(n, threshold) else sv_int(n)


def suppress_counts(values: pd.Series, threshold: int) -> pd.Series:
    """Counts of people as whole numbers for the workbook, with 1 to threshold - 1 replaced
    by ``<threshold``."""
    out = [None if whole(v) is None else (f"<{threshold}" if is_suppressed(v, threshold) else whole(v)) for v in values]
    return pd.Series(out, index=values.index, dtype="object")
