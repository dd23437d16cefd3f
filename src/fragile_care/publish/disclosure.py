"""Disclosure control for published counts of people: one rule for tables, figures and the
workbook. A count from 1 to ``threshold - 1`` is shown as ``<threshold``; 0 and larger
counts are shown. Counts are rounded to whole people first (a float such as 4.9999 from a
sum is 5), the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from fragile_care.model.describe import REGION
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


# ----------------------------------------------------------------- secondary suppression
# A published table of counts is a set of cells (a pandas Series of whole counts, indexed
# by cell keys) and the sums that hold between them (a total and its parts). Hiding the
# counts of 1 to threshold - 1 (primary suppression) is not enough when a total and the
# other parts are shown: total minus the shown parts gives the hidden count back. Secondary
# suppression hides further cells (shown as "..") until no hidden cell can be recomputed.
#
# The check is an attacker who knows every shown count, every sum and this rule: a hidden
# "<threshold" cell lies in 1..threshold-1 and a ".." cell is at least ``threshold`` (zeros
# are never hidden). For each hidden cell the attacker minimises and maximises it over all
# integer tables consistent with what is shown (a small integer programme); a cell whose
# minimum equals its maximum is exposed.

SHOWN, PRIMARY, SECONDARY, UNPUBLISHED = "shown", "primary", "secondary", "unpublished"
WITHHELD = "withheld"  # a whole group printed as "..": no printed range, like a cell never printed
INACTIVE = "inactive"  # a unit-summer without activity (closed, not yet opened): printed "–", no count
SECONDARY_MARK = ".."
Sums = Sequence[tuple[Hashable, Sequence[Hashable]]]


class DisclosureError(ValueError):
    """The shown cells contradict the sums, or a hidden cell cannot be protected."""


def _bounds(status: str, threshold: int) -> tuple[float, float]:
    if status == PRIMARY:
        return 1.0, threshold - 1.0
    if status == SECONDARY:
        return float(threshold), np.inf
    return 0.0, np.inf  # never printed or withheld: the attacker knows only that it is a count


UNBOUNDED = 1e9


def ranges(counts: pd.Series, status: pd.Series, sums: Sums, threshold: int) -> dict[Hashable, tuple[float, float]]:
    """The attacker: for every cell not shown, the smallest and largest count consistent
    with every shown count, every sum and the rule (an integer programme per end)."""
    unknown = [k for k in status.index if status[k] != SHOWN]
    col = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for total, parts in sums:
        coef = np.zeros(len(unknown))
        known = 0.0
        for key, sign in [(total, 1.0), *[(p, -1.0) for p in parts]]:
            if key in col:
                coef[col[key]] += sign
            else:
                known += sign * float(counts[key])
        if coef.any():
            rows.append(coef)
            rhs.append(-known)
        elif abs(known) > 0.5:
            raise DisclosureError(f"the shown counts do not add up: {total} is not the sum of {list(parts)}")
    if not unknown:
        return {}
    lo, hi = zip(*(_bounds(status[k], threshold) for k in unknown))
    # a finite ceiling far above any count keeps every programme bounded
    bounds = optimize.Bounds(np.array(lo), np.minimum(np.array(hi), UNBOUNDED))
    constraints = [optimize.LinearConstraint(np.array(rows), rhs, rhs)] if rows else []
    integrality = np.ones(len(unknown))
    out: dict[Hashable, tuple[float, float]] = {}
    for k, i in col.items():
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(len(unknown))
            c[i] = sign
            res = optimize.milp(c, integrality=integrality, bounds=bounds, constraints=constraints)
            if res.status != 0:
                raise DisclosureError(f"no table fits the shown counts and the hidden cells' ranges (cell {k}): {res.message}")
            ends.append(sign * res.fun)
        out[k] = (ends[0], ends[1])
    return out


def exposed_cells(counts: pd.Series, status: pd.Series, sums: Sums, threshold: int) -> dict[Hashable, int]:
    """Cells whose count the attacker recomputes: a hidden cell (``<threshold`` or ``..``)
    pinned to one value, or a cell never printed pinned to a value from 1 to threshold - 1."""
    out = {}
    for k, (lo, hi) in ranges(counts, status, sums, threshold).items():
        if hi - lo < 0.5 and (status[k] not in (UNPUBLISHED, WITHHELD) or is_suppressed(lo, threshold)):
            out[k] = int(round(lo))
    return out


def _components(cells: Sequence[Hashable], sums: Sums) -> list[tuple[list[Hashable], list]]:
    """Cells linked by sums, each group with its sums (protected independently)."""
    parent = {k: k for k in cells}

    def root(k: Hashable) -> Hashable:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for total, parts in sums:
        for p in parts:
            parent[root(p)] = root(total)
    groups: dict[Hashable, tuple[list, list]] = {}
    for k in cells:
        groups.setdefault(root(k), ([], []))[0].append(k)
    for total, parts in sums:
        groups[root(total)][1].append((total, parts))
    return list(groups.values())


def protect(
    counts: pd.Series,
    sums: Sums,
    threshold: int,
    keep: Collection[Hashable] = (),
    published: Collection[Hashable] | None = None,
) -> pd.Series:
    """Primary and secondary suppression of a table of counts: the status of every cell
    (``shown``, ``primary``, ``secondary``, or ``unpublished`` for cells outside
    ``published`` that no report prints but the sums still tie to the others, or
    ``withheld`` for every printed cell of a group that no hiding can protect).

    While the attacker recomputes a cell, one more printed cell of a sum that holds an
    exposed cell is hidden: the one that leaves the fewest cells exposed, then the smallest
    count (the least information lost), taking cells in ``keep`` (totals a report quotes)
    only when no other will do."""
    whole_counts = counts.map(whole)
    if whole_counts.isna().any():
        raise DisclosureError(f"missing counts: {list(whole_counts.index[whole_counts.isna()])}")
    printed = set(counts.index if published is None else published)
    status = pd.Series(SHOWN, index=counts.index, dtype=object)
    status[[k not in printed for k in counts.index]] = UNPUBLISHED
    status[[k in printed and is_suppressed(whole_counts[k], threshold) for k in counts.index]] = PRIMARY
    for cells, group_sums in _components(list(counts.index), sums):
        try:
            status[cells] = _protect_group(whole_counts[cells], status[cells].copy(), group_sums, threshold, keep)
        except DisclosureError:
            # No choice of cells to hide protects the group: the ranges printed as <threshold
            # already pin it (four cells of 1 to 4 under a total of 4 are all 1). Then none
            # of the group is printed: every printed cell shows "..", with no range.
            part = status[cells]
            status[cells] = part.where(part == UNPUBLISHED, WITHHELD)
    return status


def _protect_group(counts: pd.Series, status: pd.Series, sums: Sums, threshold: int, keep: Collection[Hashable]) -> pd.Series:
    """Secondary suppression within one group of linked cells (see ``protect``)."""

    def exposed_after(cell: Hashable) -> int:
        trial = status.copy()
        trial[cell] = SECONDARY
        return len(exposed_cells(counts, trial, sums, threshold))

    for _ in range(len(counts) + 1):
        exposed = exposed_cells(counts, status, sums, threshold)
        if not exposed:
            return status
        around = {k for total, parts in sums for k in (total, *parts) if exposed.keys() & {total, *parts}}
        candidates = [k for k in around if status[k] == SHOWN and counts[k] >= threshold]
        if not candidates:
            raise DisclosureError(f"cells {sorted(map(str, exposed))} can be recomputed and no printed cell beside them can be hidden")
        status[min(candidates, key=lambda k: (exposed_after(k), k in keep, counts[k], str(k)))] = SECONDARY
    raise DisclosureError("secondary suppression did not converge")  # pragma: no cover - each pass hides one more cell


def cell_text(count: Any, status: str, threshold: int) -> str:
    """A protected count as published text: ``<threshold``, ``..`` or the count."""
    if status == PRIMARY:
        return f"<{threshold}"
    if status in (SECONDARY, WITHHELD):
        return SECONDARY_MARK
    if status == UNPUBLISHED:
        raise DisclosureError("a count protected as never printed was about to be printed")
    if status == INACTIVE:
        return "–"
    return suppress(count, threshold)


# ----------------------------------------------------- the published redirection counts
def redirection_sums(cube: pd.DataFrame) -> list[tuple[tuple, list[tuple]]]:
    """The sums between the cells of ``describe.summer_redirections``: per unit (and region)
    and year, all reasons = capacity + other; per year and reason group, region = the units."""
    keys = set(zip(cube["unit_id"], cube["year"], cube["reasons"]))
    units = sorted({u for u, _, _ in keys} - {REGION})
    years = sorted({y for _, y, _ in keys})
    sums: list[tuple[tuple, list[tuple]]] = []
    for y in years:
        active = [u for u in units if (u, y, "all") in keys]  # a unit closed before summer y has no cells that year
        for u in [*active, REGION]:
            sums.append(((u, y, "all"), [(u, y, "capacity"), (u, y, "other")]))
        for r in ("capacity", "other", "all"):
            sums.append(((REGION, y, r), [(u, y, r) for u in active]))
    missing_keys = {k for total, parts in sums for k in (total, *parts)} - keys
    if missing_keys:
        raise DisclosureError(f"the redirection counts lack cells {sorted(missing_keys)}")
    return sums


PUBLISHED_REDIRECTIONS = "capacity reasons per unit and for the region; other reasons for the region only"


def protect_redirections(cube: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """``cube`` (unit_id, year, reasons, women) with each cell's ``status`` and published
    ``text`` after primary and secondary suppression; region totals are hidden last.

    The reports publish one count of redirected women: those logged for capacity reasons
    (platsbrist, bemanning), per unit and for the region, the reasons the capacity model and
    the measures address; other reasons (neonatal, övrigt) only as a regional total. The
    all-reason counts are not printed: beside the capacity counts they would give away the
    few redirections for other reasons (2025 in the demo data: 52 against 48). The sums
    still tie them to the printed cells, so the attacker uses them."""
    counts = pd.Series(cube["women"].to_numpy(), index=pd.Index(list(zip(cube["unit_id"], cube["year"], cube["reasons"]))))
    keep = [k for k in counts.index if k[0] == REGION]
    published = [k for k in counts.index if k[2] == "capacity" or k == (REGION, k[1], "other")]
    status = protect(counts, redirection_sums(cube), threshold, keep=keep, published=published)
    out = cube.assign(status=status.to_numpy())
    out["text"] = [cell_text(n, s, threshold) if s != UNPUBLISHED else "" for n, s in zip(out["women"], out["status"])]
    return out


def suppression_note(threshold: int) -> str:
    """The sentence under every table or figure with protected counts."""
    return (
        f"Antal 1–{threshold - 1} visas som <{threshold}. Tecknet {SECONDARY_MARK} står för ett antal som döljs för att ett dolt antal "
        "inte ska kunna räknas fram ur summor, andra antal eller tal per 1 000 i rapporterna."
    )


class PublishedCounts:
    """Look-up of protected counts for tables, figures and sentences. Asking for a cell
    with the value about to be printed checks that it is the protected cell's value, so no
    report prints a count the protection did not see."""

    def __init__(self, table: pd.DataFrame, threshold: int):
        self.threshold = threshold
        self._rows = {
            (u, int(y), r): (int(n), s)
            for u, y, r, n, s in table[["unit_id", "year", "reasons", "women", "status"]].itertuples(index=False)
        }

    def _cell(self, unit: str, year: int, reasons: str, value: Any) -> tuple[int, str]:
        key = (unit, int(year), reasons)
        if key not in self._rows:
            if value is None or missing(value):  # a unit-summer without activity: nothing to protect
                return 0, INACTIVE
            raise DisclosureError(f"no protected count for {key}, but the report would print {value}")
        n, s = self._rows[key]
        if value is not None and whole(value) != n:
            raise DisclosureError(f"{key}: the report would print {value}, the protected count is {n}")
        return n, s

    def status(self, unit: str, year: int, reasons: str, value: Any = None) -> str:
        return self._cell(unit, year, reasons, value)[1]

    def hidden(self, unit: str, year: int, reasons: str, value: Any = None) -> bool:
        return self.status(unit, year, reasons, value) != SHOWN

    def text(self, unit: str, year: int, reasons: str, value: Any = None) -> str:
        n, s = self._cell(unit, year, reasons, value)
        return cell_text(n, s, self.threshold)

    def total_text(self, unit: str, years: Sequence[int], reasons: str, value: Any = None) -> str:
        """A sum over several summers: printed only when every summer's count is shown
        (then it adds nothing to what is shown), else ``..``; checked like ``text``."""
        cells = [self._cell(unit, y, reasons, None) for y in years]
        n = sum(c[0] for c in cells)
        if value is not None and whole(value) != n:
            raise DisclosureError(f"{(unit, tuple(years), reasons)}: the report would print {value}, the protected counts add up to {n}")
        return sv_int(n) if all(c[1] in (SHOWN, INACTIVE) for c in cells) else SECONDARY_MARK

    def rate(self, unit: str, year: int, reasons: str, rate: Any, decimals: int = 1) -> str:
        """A rate of a protected count: hidden ("–") when the count is, since the rate
        times its shown denominator gives the count back."""
        return "–" if self.hidden(unit, year, reasons) else sv_num(rate, decimals)
