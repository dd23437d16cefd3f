"""Where to put extra midwives next summer.

Two questions the steering group asks of the outlook:

1. Given ``budget`` extra midwife FTE-weeks on the delivery wards (what a summer-pay offer
   or bought leave weeks can buy), in which units and weeks do they prevent the most
   redirections? One FTE at work for a week staffs ``1 / fte_per_position`` of a room
   around the clock (staffing.Norms), and the expected redirected women of a unit-week
   ``E[d·B(d·τ/168, s)]`` (over the forecast draws) is decreasing and convex in the
   staffed rooms ``s`` (capacity.erlang_b_mixed), up to the physical rooms where it stops
   falling. The total is a sum of such functions, one per unit-week, so handing out the
   budget one FTE-week at a time to the unit-week with the largest marginal reduction is
   optimal (the greedy algorithm for separable convex resource allocation; Ibaraki &
   Katoh, *Resource Allocation Problems*, MIT Press 1988, ch. 4). The tests check it
   against brute force.
2. How many extra FTE does each unit-week need to bring its risk (blocking at the
   forecast mean) to the threshold? Solved exactly on the interpolated blocking; a week
   whose physical rooms cannot get it there says so.
"""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from fragile_care.model import capacity, chain
from fragile_care.model.staffing import Norms


def _rooms_per_fte(norms: Norms) -> float:
    return 1.0 / (norms.fte_per_position * norms.midwives_per_woman_in_labour)


def expected_redirected(
    draws: np.ndarray, rooms: float, stay: float, beds: float = np.nan, ward_stay: float = 1.0, stay_draws: np.ndarray | None = None
) -> float:
    """Mean over the draws of women redirected in one unit-week with ``rooms`` staffed, in
    the care chain with ``beds`` BB beds and a mean BB stay of ``ward_stay`` hours (NaN
    beds: the rooms alone); ``stay_draws``: the room time in each draw (else ``stay``)."""
    hours = np.asarray(stay_draws, float)[None, :] if stay_draws is not None else [stay]
    blocked, _ = chain.chain_draws(np.asarray(draws, float)[None, :], [rooms], hours, [beds], [ward_stay], [stay])
    return float(np.mean(draws * blocked[0]))


def greedy_allocation(
    weekly: pd.DataFrame,
    draws: np.ndarray,
    budget: int,
    norms: Norms,
    stay: capacity.Stay,
    step_fte: float = 1.0,
    stay_draws: np.ndarray | None = None,
) -> pd.DataFrame:
    """Allocate ``budget`` steps of ``step_fte`` FTE-weeks over the rows of ``weekly``
    (unit_id, iso_week, rooms_staffed, rooms_physical) to minimise the expected redirected
    women over ``draws`` (one row of arrival draws per row of ``weekly``).

    Returns ``weekly``'s keys with fte_added, redirected_before and redirected_after.
    """
    if budget < 0:
        raise ValueError(f"the budget of FTE-weeks must be 0 or more, got {budget}")
    per_fte = _rooms_per_fte(norms) * step_fte
    rooms = weekly["rooms_staffed"].to_numpy(float).copy()
    physical = weekly["rooms_physical"].to_numpy(float)
    stays = np.broadcast_to(capacity.row_stays(weekly["unit_id"], stay), len(rooms))  # each row's unit's mean stay
    beds, ward_stay = chain.ward_of(weekly)
    per_draw = (lambda i: None) if stay_draws is None else (lambda i: stay_draws[i])  # noqa: E731
    hours = stays[:, None] if stay_draws is None else stay_draws

    def all_rows(staffed: np.ndarray) -> np.ndarray:
        """Every row's expected redirected women with ``staffed`` rooms (one call for all rows)."""
        blocked, _ = chain.chain_draws(draws, staffed, np.broadcast_to(hours, draws.shape), beds, ward_stay, stays)
        return (draws * blocked).mean(axis=1)

    value = all_rows(rooms)
    before = value.copy()
    added = np.zeros(len(rooms))
    first_next = np.minimum(physical, rooms + per_fte)
    first_value = all_rows(first_next)

    def push(i: int, nxt: float | None = None, nxt_value: float | None = None) -> None:
        """Queue unit-week ``i`` by the drop one more step would give, with the rooms it gives."""
        if nxt is None:
            nxt = min(physical[i], rooms[i] + per_fte)
            nxt_value = expected_redirected(draws[i], nxt, stays[i], beds[i], ward_stay[i], per_draw(i))
        heapq.heappush(heap, (nxt_value - value[i], i, nxt, nxt_value))

    heap: list[tuple[float, int, float, float]] = []
    for i in range(len(rooms)):
        push(i, float(first_next[i]), float(first_value[i]))
    for _ in range(budget):
        if not heap:
            break
        change, i, nxt, new_value = heapq.heappop(heap)
        if change >= -1e-12:
            break  # no unit-week gains from more staff (all at their physical rooms or no risk)
        rooms[i], value[i] = nxt, new_value
        added[i] += step_fte
        push(i)
    return weekly[["unit_id", "iso_year", "iso_week"]].assign(fte_added=added, redirected_before=before, redirected_after=value)


def rooms_to_threshold(weekly: pd.DataFrame, threshold: float, stay: capacity.Stay) -> tuple[np.ndarray, np.ndarray]:
    """Per unit-week of ``weekly`` (rooms_staffed, deliveries and the BB link of
    :func:`chain.with_ward`): the staffed rooms (fractional, as :func:`capacity.erlang_b_mixed`
    counts them) at which the care chain's blocking at the forecast mean is ``threshold``,
    and the chain's blocking at today's staffing. The room time is stretched by the wait for
    a BB bed at today's staffing (model.chain), so a full BB raises the rooms needed."""
    deliveries = weekly["deliveries"].to_numpy(float)
    rooms = weekly["rooms_staffed"].to_numpy(float)
    beds, ward_stay = chain.ward_of(weekly)
    own = capacity.row_stays(weekly["unit_id"], stay)
    blocked, wait = chain.chain_blocking(deliveries, rooms, own, beds, ward_stay)
    load = capacity.offered_load(deliveries, own + wait)
    whole = capacity.servers_needed(load, threshold).astype(float)  # B(whole) <= threshold < B(whole - 1)
    below = np.maximum(whole - 1, 0)
    b_hi = np.asarray(capacity.erlang_b(load, below), dtype=float)
    b_lo = np.asarray(capacity.erlang_b(load, whole), dtype=float)
    # the interpolated blocking is linear between whole - 1 and whole: where it meets the threshold
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(whole > 0, np.clip((b_hi - threshold) / (b_hi - b_lo), 0.0, 1.0), 0.0)
    return np.where(whole > 0, below + frac, 0.0), np.asarray(blocked, float)


def chain_need(weekly: pd.DataFrame, norms: Norms, stay: capacity.Stay) -> pd.DataFrame:
    """The midwife table of :func:`staffing.midwife_gap` with its need taken from the care
    chain instead of the rooms alone: rooms_needed (fractional) is where the chain's blocking
    meets ``norms.target_blocking`` (:func:`rooms_to_threshold`), and fte_need, fte_gap,
    rooms_gap and rooms_short follow from it. So a week short of midwives is a week whose
    chain risk is above the rule, as the planning figure, the heat map and the rule's cost
    count it. ``weekly`` needs the BB link (:func:`chain.with_ward`); without it the chain is
    the rooms alone (Erlang B)."""
    needed, _ = rooms_to_threshold(weekly, norms.target_blocking, stay)
    fte_need = needed * norms.midwives_per_woman_in_labour * norms.fte_per_position
    return weekly.assign(
        rooms_needed=needed,
        fte_need=fte_need,
        fte_gap=weekly["fte_supply_ward"] - fte_need,
        rooms_gap=weekly["rooms_staffed"] - needed,
        rooms_short=needed > weekly["rooms_physical"] + 1e-9,
    )


def fte_to_threshold(weekly: pd.DataFrame, threshold: float, norms: Norms, stay: capacity.Stay) -> pd.DataFrame:
    """Extra delivery-ward FTE each unit-week needs for its blocking at the forecast mean
    to be at most ``threshold``; ``reachable`` False when even every physical room staffed
    leaves it above (then fte_needed is what staffs them all)."""
    rooms = weekly["rooms_staffed"].to_numpy(float)
    physical = weekly["rooms_physical"].to_numpy(float)
    target_rooms, blocked = rooms_to_threshold(weekly, threshold, stay)
    reachable = target_rooms <= physical + 1e-9
    needed_rooms = np.maximum(0.0, np.minimum(target_rooms, physical) - rooms)
    return weekly[["unit_id", "iso_year", "iso_week"]].assign(
        blocking=blocked,
        fte_needed=needed_rooms / _rooms_per_fte(norms),
        reachable=reachable,
    )


def extra_staff(
    weekly: pd.DataFrame,
    draws: np.ndarray,
    budget: int,
    thresholds: dict[str, float],
    norms: Norms,
    stay: capacity.Stay,
    stay_draws: np.ndarray | None = None,
) -> pd.DataFrame:
    """Both answers per unit-week of the outlook (rows as in ``weekly``): the greedy allocation of ``budget`` and,
    for each named threshold, the FTE needed to reach it (columns ``fte_to_<name>`` and
    ``reachable_<name>``). ``stay_draws``: each row's room time per draw (the planning
    figure's draws, so ``redirected_before`` sums to it)."""
    out = greedy_allocation(weekly, draws, budget, norms, stay, stay_draws=stay_draws)
    for name, threshold in thresholds.items():
        need = fte_to_threshold(weekly, threshold, norms, stay)  # same rows in the same order
        out["blocking"] = need["blocking"].to_numpy()
        out[f"fte_to_{name}"] = need["fte_needed"].to_numpy()
        out[f"reachable_{name}"] = need["reachable"].to_numpy()
    return out


def allocation_blocks(table: pd.DataFrame) -> pd.DataFrame:
    """The allocation as proposals: per unit, runs of consecutive weeks that receive staff,
    with the FTE-weeks, the mean FTE a week and the expected redirections prevented."""
    got = table[table["fte_added"] > 0].sort_values(["unit_id", "iso_week"])
    rows = []
    for unit, part in got.groupby("unit_id", sort=False):
        run = (part["iso_week"].diff() != 1).cumsum()
        for _, block in part.groupby(run):
            rows.append(
                {
                    "unit_id": unit,
                    "first_week": int(block["iso_week"].min()),
                    "last_week": int(block["iso_week"].max()),
                    "fte_weeks": float(block["fte_added"].sum()),
                    "fte_per_week": float(block["fte_added"].mean()),
                    "prevented": float((block["redirected_before"] - block["redirected_after"]).sum()),
                }
            )
    cols = ["unit_id", "first_week", "last_week", "fte_weeks", "fte_per_week", "prevented"]
    return pd.DataFrame(rows, columns=cols).sort_values("prevented", ascending=False, ignore_index=True)
