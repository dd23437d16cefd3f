"""Disclosure control for published counts of people: one rule for tables, figures and the
workbook. A count from 1 to ``threshold - 1`` is shown as ``<threshold``; 0 and larger
counts are shown. Counts are rounded to whole people first (a float such as 4.9999 from a
sum is 5), the same way everywhere.
"""

from __future__ import annotations

from typing import Any

from fragile_care.publish.formatting import missing, sv_int, sv_num


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


def suppress_rate(count: Any, rate: Any, threshold: int = 5, decimals: int = 1) -> str:
    """A rate published beside a count of people: hidden ("–") when the count is, since rate
    times the denominator would give the hidden count back (Östra 2026: 1,8 per 1 000 of
    1 712 deliveries = 3 women)."""
    if is_suppressed(count, threshold):
        return "–"
    return sv_num(rate, decimals)
