"""Disclosure control for published counts of people: one rule for tables, figures and the
workbook (1 to threshold - 1 shown as ``<threshold``).
"""

from __future__ import annotations

from typing import Any

from fragile_care.publish.formatting import missing, sv_int


def suppress(count: Any, threshold: int = 5) -> str:
    """Disclosure control for published counts of people: 1 to ``threshold - 1`` show as
    ``<threshold``; 0 and larger counts are shown."""
    if missing(count):
        return "–"
    value = int(count)
    if 0 < value < threshold:
        return f"<{threshold}"
    return sv_int(value)
