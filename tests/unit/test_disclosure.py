"""Secondary suppression: no hidden count can be recomputed from what a table shows.

The attacker in ``disclosure.exposed_cells`` (an integer programme) is checked here against
plain enumeration of every table that fits what is shown, on small tables where that is
feasible, so the protection is not judged by its own yardstick alone."""

import itertools

import numpy as np
import pandas as pd
import pytest

from fragile_care.model import describe
from fragile_care.publish import disclosure as D

pytestmark = pytest.mark.unit

T = 5


def _enumerated_ranges(counts, status, sums, cap=40):
    """Every integer assignment of the cells not shown (domains as the attacker knows
    them, cut at ``cap``) that satisfies every sum: the set of values each cell can take."""
    unknown = [k for k in status.index if status[k] != D.SHOWN]
    domains = []
    for k in unknown:
        lo, hi = {D.PRIMARY: (1, T - 1), D.SECONDARY: (T, cap), D.UNPUBLISHED: (0, cap)}[status[k]]
        domains.append(range(lo, hi + 1))
    seen = {k: set() for k in unknown}
    for values in itertools.product(*domains):
        cells = {**counts.to_dict(), **dict(zip(unknown, values))}
        if all(cells[t] == sum(cells[p] for p in parts) for t, parts in sums):
            for k in unknown:
                seen[k].add(cells[k])
    return seen


def _table(a, b, c):
    """Three units and their regional total."""
    counts = pd.Series({"A": a, "B": b, "C": c, "R": a + b + c})
    return counts, [("R", ["A", "B", "C"])]


def test_a_total_beside_one_hidden_unit_gives_it_away_and_protection_hides_one_more():
    counts, sums = _table(3, 12, 20)  # the case: total minus the shown units = 3
    primary_only = pd.Series({"A": D.PRIMARY, "B": D.SHOWN, "C": D.SHOWN, "R": D.SHOWN})
    assert D.exposed_cells(counts, primary_only, sums, T) == {"A": 3}
    status = D.protect(counts, sums, T, keep=["R"])
    assert status.to_dict() == {"A": D.PRIMARY, "B": D.SECONDARY, "C": D.SHOWN, "R": D.SHOWN}  # smallest other unit
    assert D.exposed_cells(counts, status, sums, T) == {}
    seen = _enumerated_ranges(counts, status, sums)
    assert seen["A"] == {1, 2, 3, 4} and min(seen["B"]) == 11


def test_a_group_that_no_hiding_can_protect_is_withheld_whole():
    # four 1s under a total of 4: four cells of at least 1 that add up to at most 4 are all 1,
    # whatever else is hidden; so none of the group is printed (every cell "..", no range)
    counts = pd.Series({"A": 1, "B": 1, "C": 1, "D": 1, "R": 4, "X": 30, "S": 34})
    sums = [("R", ["A", "B", "C", "D"]), ("S", ["R", "X"])]
    primary = counts.map(lambda n: D.PRIMARY if D.is_suppressed(n, T) else D.SHOWN)
    assert D.exposed_cells(counts, primary, sums, T) == {"A": 1, "B": 1, "C": 1, "D": 1, "R": 4}
    status = D.protect(counts, sums, T)
    assert (status == D.WITHHELD).all() and D.exposed_cells(counts, status, sums, T) == {}
    assert {D.cell_text(n, s, T) for n, s in zip(counts, status)} == {D.SECONDARY_MARK}


def test_a_group_with_room_to_hide_keeps_its_other_cells():
    counts = pd.Series({"A": 2, "B": 1, "C": 9, "D": 7, "R": 19, "X": 30, "S": 49})
    sums = [("R", ["A", "B", "C", "D"]), ("S", ["R", "X"])]
    status = D.protect(counts, sums, T, keep=["R", "S"])
    assert status.to_dict() == {"A": "primary", "B": "primary", "C": "shown", "D": "shown", "R": "shown", "X": "shown", "S": "shown"}
    assert D.exposed_cells(counts, status, sums, T) == {}  # 19 - 16 = 3 = A + B: two cells of 1-4, not unique


def test_a_cell_never_printed_still_counts_when_sums_pin_it_to_a_small_number():
    # all = capacity + other; only all and capacity are printed; other = 2 would follow
    counts = pd.Series({"all": 29, "cap": 27, "other": 2})
    sums = [("all", ["cap", "other"])]
    status = D.protect(counts, sums, T, published=["all", "cap"])
    assert status["other"] == D.UNPUBLISHED and (status[["all", "cap"]] == D.SECONDARY).sum() == 1
    assert D.exposed_cells(counts, status, sums, T) == {}


def _two_by_two(inner):
    """A 2 x 2 table with row, column and grand totals: every cell from the four inner ones."""
    cells = {f"{r}{c}": inner[(r, c)] for r in "ab" for c in "xy"}
    cells |= {f"{r}+": inner[(r, "x")] + inner[(r, "y")] for r in "ab"}
    cells |= {f"+{c}": inner[("a", c)] + inner[("b", c)] for c in "xy"}
    return cells | {"++": sum(inner.values())}


TWO_BY_TWO_SUMS = [("a+", ["ax", "ay"]), ("b+", ["bx", "by"]), ("+x", ["ax", "bx"]), ("+y", ["ay", "by"]), ("++", ["a+", "b+"])]


def _enumerate_two_by_two(counts, status, cap=12):
    """Every 2 x 2 table (inner cells 0..cap) consistent with what ``status`` shows: the
    values each hidden cell takes across them."""
    keys = [(r, c) for r in "ab" for c in "xy"]
    fits = {D.PRIMARY: lambda n: 1 <= n < T, D.SECONDARY: lambda n: n >= T, D.WITHHELD: lambda n: n >= 0}
    seen = {k: set() for k in counts.index if status[k] != D.SHOWN}
    for values in itertools.product(range(cap + 1), repeat=4):
        cells = _two_by_two(dict(zip(keys, values)))
        if all(cells[k] == counts[k] if s == D.SHOWN else fits[s](cells[k]) for k, s in status.items()):
            for k in seen:
                seen[k].add(cells[k])
    return seen


@pytest.mark.parametrize("seed", range(12))
def test_integer_programme_attacker_agrees_with_enumeration_and_protection_holds(seed):
    """Random 2 x 2 tables with margins and small cells, against brute-force enumeration."""
    rng = np.random.default_rng(seed)
    counts = pd.Series(_two_by_two({(r, c): int(rng.choice([0, 1, 2, 3, 4, 6, 9])) for r in "ab" for c in "xy"}))
    primary = counts.map(lambda n: D.PRIMARY if D.is_suppressed(n, T) else D.SHOWN)
    seen = _enumerate_two_by_two(counts, primary)
    assert set(D.exposed_cells(counts, primary, TWO_BY_TWO_SUMS, T)) == {k for k, v in seen.items() if len(v) == 1}
    status = D.protect(counts, TWO_BY_TWO_SUMS, T)
    assert status[counts.map(lambda n: D.is_suppressed(n, T))].isin([D.PRIMARY, D.WITHHELD]).all()  # every small count hidden
    assert all(len(v) > 1 for v in _enumerate_two_by_two(counts, status).values())  # none can be recomputed
    assert D.exposed_cells(counts, status, TWO_BY_TWO_SUMS, T) == {}


def test_the_random_tables_include_ones_that_primary_suppression_leaves_exposed():
    """The check above is not vacuous: with only the small counts hidden, some of those
    tables give a hidden count back."""
    exposed = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        counts = pd.Series(_two_by_two({(r, c): int(rng.choice([0, 1, 2, 3, 4, 6, 9])) for r in "ab" for c in "xy"}))
        primary = counts.map(lambda n: D.PRIMARY if D.is_suppressed(n, T) else D.SHOWN)
        exposed += bool(D.exposed_cells(counts, primary, TWO_BY_TWO_SUMS, T))
    assert exposed >= 3


def test_shown_counts_that_do_not_add_up_are_an_error():
    counts = pd.Series({"A": 3, "B": 10, "R": 14})
    with pytest.raises(D.DisclosureError, match="do not add up"):
        D.exposed_cells(counts, pd.Series({"A": D.SHOWN, "B": D.SHOWN, "R": D.SHOWN}), [("R", ["A", "B"])], T)


def _cube():
    log = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-06-20", "2025-07-01", "2025-07-02", "2025-07-03", "2025-07-10"]),
            "from_unit": ["A", "A", "B", "B", "C"],
            "to_unit": ["B", "B", "A", "A", "A"],
            "reason": ["platsbrist", "neonatal", "bemanning", "platsbrist", "platsbrist"],
            "women": [3, 1, 8, 4, 20],
        }
    )
    return describe.summer_redirections(log, ["A", "B", "C"], (2025,), (25, 33))


def test_published_redirections_are_protected_and_checked_when_printed():
    table = D.protect_redirections(_cube(), T)
    cell = table.set_index(["unit_id", "year", "reasons"])
    assert cell.loc[("A", 2025, "capacity"), "women"] == 3 and cell.loc[("B", 2025, "capacity"), "women"] == 12
    assert cell.loc[("REGION", 2025, "capacity"), "women"] == 35 and cell.loc[("REGION", 2025, "all"), "women"] == 36
    published = D.PublishedCounts(table, T)
    assert published.text("A", 2025, "capacity", 3) == "<5"
    assert published.text("B", 2025, "capacity", 12) == D.SECONDARY_MARK  # else 35 - 12 - 20 = 3
    assert published.text("REGION", 2025, "capacity", 35) == "35"
    assert published.rate("B", 2025, "capacity", 9.3) == "–"
    with pytest.raises(D.DisclosureError, match="would print 11"):
        published.text("B", 2025, "capacity", 11)
    with pytest.raises(D.DisclosureError, match="never printed"):
        published.text("A", 2025, "other")
    counts = pd.Series(table["women"].to_numpy(), index=list(zip(table["unit_id"], table["year"], table["reasons"])))
    status = pd.Series(table["status"].to_numpy(), index=counts.index)
    assert D.exposed_cells(counts, status, D.redirection_sums(_cube()), T) == {}
