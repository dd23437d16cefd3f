"""Decisions with a price (issue 28, item 5): which levers, where and in which weeks, for a
budget in kronor.

Levers
------
Four levers act on one unit-week each, in whole steps ``k = 0..K`` (``K`` capped by the
physical rooms, beds or cots and by ``CostSettings.max_steps``):

- ``midwives``: ``k`` extra delivery-ward midwife FTE-weeks staff ``k / (fte_per_position ·
  midwives_per_woman)`` more rooms (as :mod:`allocation`), up to the physical rooms. Event:
  a redirected woman, ``d · B(d·τ/168, rooms)`` (Erlang B with fractional rooms).
- ``bb_beds``: ``k`` more staffed BB beds that week, up to the ward's physical beds (the
  units table's ``postnatal_beds``; ``max_extra_beds`` where it is not known). Event: a
  woman who finds every BB bed taken, ``d · B(d/7·stay, beds)`` (:mod:`postnatal`).
- ``early_discharge``: ``k · early_discharge_step`` more women after a vaginal birth go
  home after ``early_discharge_days`` with follow-up at home; each frees
  ``los_vaginal_days − early_discharge_days`` bed-days, so the ward's load falls by that
  over 7 days per woman (at most the women not yet discharged early in the draw). Event:
  as for ``bb_beds``.
- ``neonatal_nurses``: ``k`` extra neonatal nurse FTE-weeks. The nurses at work staff
  intensive care first, then high dependency, then special care (as units do;
  :func:`staff_ic_first`), each level at its nurses per cot, up to its physical cots.
  Event: an infant who finds no staffed cot at its level, ``Σ admissions · B(load, cots)``.
  Both the week without the lever and with it are staffed IC first, so the effect is the
  lever's alone (``staffing.neonatal_gap`` spreads the nurses pro rata instead).

The objective
-------------
Minimise the expected events of the summer: redirected women + women finding a full BB +
infants without a staffed cot, each event counting as one (``weight_*`` of
:class:`CostSettings` change that). The objective is *separable*: a sum over groups of a
function of the group's choice alone. A group is a unit-week and a lever, except that BB
beds and early discharge at one unit-week form one group (the allocation takes one of them
that week, or nothing): both act on the same ward, their effects do not add up, and
adding them would overstate the effect. Limitation: levers at one unit-week do not
interact otherwise (a woman kept in a delivery room by a full BB, ``postnatal.simulate_chain``,
is not in the midwives' effect), and a mix of beds and early discharge in one week is not
offered.

Exact allocation
----------------
Choosing one option per group under a budget is a multiple-choice knapsack. Greedy by the
ratio of effect to cost is not optimal when steps cost different amounts (a cheap step can
leave a remainder that buys nothing), so :func:`solve_mckp` solves it exactly by dynamic
programming over the budget in quanta of money: the gcd of the step costs in whole kronor
when it gives at most ``MAX_CELLS`` cells, else ``quantum_sek`` (times what keeps the cells
under ``MAX_CELLS``). Step costs are rounded up to whole quanta and the budget down, so the
allocation never costs more than the budget; with the gcd the answer is exactly optimal,
with a coarser quantum it is optimal for the rounded costs.

Uncertainty
-----------
Every effect is computed per arrival draw (:func:`capacity.forecast_draws`, one row per
unit-week), so each proposal's prevented events have an 80 % interval (10th-90th
percentile over the draws of the sum over its weeks). Neonatal admissions are scaled by
the unit-week's draw relative to its forecast mean (transferred babies follow the
receiving unit's draw: an approximation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from fragile_care.model import allocation, capacity, chain
from fragile_care.model.costs import (  # noqa: F401 (the prices live there; names used here and by callers)
    AMOUNT_SV,
    CARE_ORDER,
    EMPLOYER_CONTRIBUTIONS,
    EVENT_SV,
    KEY,
    LEVER_SV,
    LEVERS,
    MAX_CELLS,
    MAX_SEK,
    MIDWIFE_FTE_WEEK_SEK,
    MIDWIFE_MONTHLY_PAY_SEK,
    SUMMER_WEEK_BONUS_SEK,
    WARD_LEVERS,
    CostSettings,
    Lever,
    _sek,
)
from fragile_care.model.postnatal import DAYS_PER_WEEK, PostnatalSettings
from fragile_care.model.staffing import Norms, staff_ic_first  # noqa: F401 (staff_ic_first: also levers.staff_ic_first)


# ----------------------------------------------------------------------------- effects
@dataclass(frozen=True)
class LeverGroup:
    """One lever at one unit-week: ``events[k, j]`` is the expected events of the week in
    arrival draw ``j`` with ``k`` steps (``k = 0`` the week as planned)."""

    unit_id: str
    iso_year: int
    iso_week: int
    lever: str
    step_amount: float  # what one step adds: FTE-weeks, beds or women
    step_cost: float  # SEK of one step
    events: np.ndarray


def erlang_b_table(load, max_servers: int) -> np.ndarray:
    """Erlang B for every whole number of servers ``0..max_servers`` at once (the recursion
    of :func:`capacity.erlang_b`, kept at each step): shape ``(max_servers + 1, *load.shape)``."""
    a = np.asarray(load, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError("load must be finite and 0 or more erlangs")
    out = np.empty((max_servers + 1, *a.shape))
    b = np.ones(a.shape)
    out[0] = b
    for k in range(1, max_servers + 1):
        ab = a * b
        b = ab / (k + ab)
        out[k] = b
    return out


def mixed_from_table(table: np.ndarray, servers) -> np.ndarray:
    """Blocking at fractional ``servers`` (one value per output row) from
    :func:`erlang_b_table`, interpolated as :func:`capacity.erlang_b_mixed`."""
    s = np.asarray(servers, dtype=float)
    low = np.floor(s + 1e-9).astype(int)
    if np.any(low + 1 >= table.shape[0]) or np.any(s < 0):
        raise ValueError(f"servers {s.max():g} beyond the table of {table.shape[0] - 1} servers")
    share = np.clip(s - low, 0.0, 1.0)[:, None]
    return (1 - share) * table[low] + share * table[low + 1]


def _group(key: tuple, lever: str, step_amount: float, step_cost: float, events: np.ndarray) -> LeverGroup:
    """A :class:`LeverGroup` of the unit-week ``key`` (unit_id, iso_year, iso_week first)."""
    return LeverGroup(str(key[0]), int(key[1]), int(key[2]), lever, float(step_amount), float(step_cost), events)


def _steps_to(room: float, per_step: float, max_steps: int) -> int:
    """Steps of ``per_step`` that fill ``room`` (the last step may pass it), at most ``max_steps``."""
    return 0 if room <= 1e-9 else min(max_steps, math.ceil(room / per_step - 1e-9))


def _draw_rows(frame: pd.DataFrame, weekly: pd.DataFrame) -> np.ndarray:
    """The row of ``weekly`` (and so of the arrival draws) of each row of ``frame``."""
    where = pd.MultiIndex.from_frame(weekly[KEY].astype({"iso_year": int, "iso_week": int}))
    rows = where.get_indexer(pd.MultiIndex.from_frame(frame[KEY].astype({"iso_year": int, "iso_week": int})))
    if np.any(rows < 0):
        u, y, w = frame[KEY].iloc[int(np.argmax(rows < 0))]
        raise ValueError(f"no arrival draws for unit {u} in {int(y)}-W{int(w):02d} (not a row of the weekly outlook)")
    return rows


def chain_redirected(row, arrivals: np.ndarray, rooms, hours, point_hours: float, beds=None, ward_hours=None) -> np.ndarray:
    """Redirected women per option (rows: one per value of ``rooms``, ``beds`` or
    ``ward_hours``, broadcast) and arrival draw in the care chain (``model.chain``) of the
    unit-week ``row`` (its bb_beds and bb_stay_hours unless given; without them the rooms
    alone)."""
    base_beds = float(row["bb_beds"]) if "bb_beds" in row else np.nan
    base_hours = float(row["bb_stay_hours"]) if "bb_stay_hours" in row else 1.0
    rooms, beds, ward_hours = np.broadcast_arrays(
        np.atleast_1d(np.asarray(rooms, float)),
        np.atleast_1d(np.asarray(base_beds if beds is None else beds, float)),
        np.atleast_1d(np.asarray(base_hours if ward_hours is None else ward_hours, float)),
    )
    d = np.broadcast_to(np.asarray(arrivals, float), (len(rooms), len(arrivals)))
    h = np.asarray(hours, float)
    h = np.broadcast_to(h[None, :] if h.ndim == 1 else h, d.shape)
    blocked, _ = chain.chain_draws(d, rooms, h, beds, ward_hours, np.full(len(rooms), point_hours))
    return d * blocked


def midwife_groups(
    weekly: pd.DataFrame, draws: np.ndarray, norms: Norms, stay: capacity.Stay, costs: CostSettings, stay_draws: np.ndarray | None = None
) -> list[LeverGroup]:
    """The ``midwives`` lever per row of ``weekly`` (unit_id, iso_year, iso_week,
    rooms_staffed, rooms_physical; ``draws`` one row per row): rooms staffed after ``k``
    steps are ``min(physical, staffed + k · step · rooms_per_fte)``; events are the
    redirected women (as :func:`allocation.expected_redirected`, per draw). ``stay_draws``
    (as ``draws``): each draw's delivery-room time, else ``stay`` in every draw."""
    per_step = costs.midwife_step_fte / (norms.fte_per_position * norms.midwives_per_woman_in_labour)  # as allocation._rooms_per_fte
    stays = np.broadcast_to(capacity.row_stays(weekly["unit_id"], stay), len(weekly))
    out = []
    for i, row in enumerate(weekly[[*KEY, "rooms_staffed", "rooms_physical"]].itertuples(index=False)):
        staffed, physical = float(row.rooms_staffed), float(row.rooms_physical)
        steps = _steps_to(physical - staffed, per_step, costs.max_steps)
        if steps == 0:
            continue
        rooms = np.minimum(physical, staffed + per_step * np.arange(steps + 1))
        hours = float(stays[i]) if stay_draws is None else stay_draws[i]
        events = chain_redirected(weekly.iloc[i], draws[i], rooms, hours, float(stays[i]))
        out.append(_group(row, "midwives", costs.midwife_step_fte, costs.midwife_step_fte * costs.midwife_fte_week_sek, events))
    return out


def _with_rooms(events: np.ndarray, weekly: pd.DataFrame, r: int, draws: np.ndarray, stays, costs: CostSettings, **ward) -> np.ndarray:
    """A ward lever's events plus, in the care chain, the redirected women of the unit-week
    (``weekly`` row ``r`` with ``stays[r]`` hours in its rooms) under the lever's ``ward``
    (beds or ward_hours per option), weighted so the lever's weight gives each event its
    own (``weight_redirection / weight_full_bb``); unchanged without ``stays``."""
    if stays is None or "rooms_staffed" not in weekly:
        return events
    row = weekly.iloc[r]
    redirected = chain_redirected(row, draws[r], float(row["rooms_staffed"]), float(stays[r]), float(stays[r]), **ward)
    return events + redirected * (costs.weight_redirection / costs.weight_full_bb if costs.weight_full_bb > 0 else 0.0)


def bb_bed_groups(
    ward: pd.DataFrame,
    weekly: pd.DataFrame,
    draws: np.ndarray,
    costs: CostSettings,
    units: pd.DataFrame | None = None,
    stays: np.ndarray | None = None,
) -> list[LeverGroup]:
    """The ``bb_beds`` lever per row of ``ward`` (:func:`postnatal.postnatal_beds_weekly`:
    unit_id, iso_year, iso_week, beds, mean_stay_days): ``k`` more staffed beds, up to the
    unit's ``postnatal_beds`` in ``units`` (else ``max_extra_beds`` more); events are the
    women finding every bed taken and, with ``stays`` (each weekly row's room time), the
    women redirected because women waiting for a bed hold delivery rooms (the chain)."""
    has_beds = units is not None and "postnatal_beds" in units
    physical = units.set_index("unit_id")["postnatal_beds"].dropna().astype(float).to_dict() if has_beds else {}
    rows = _draw_rows(ward, weekly)
    out = []
    for r, row in zip(rows, ward[[*KEY, "beds", "mean_stay_days"]].itertuples(index=False)):
        beds = float(row.beds)
        room = physical[row.unit_id] - beds if row.unit_id in physical else float(costs.max_extra_beds)
        steps = min(costs.max_steps, max(0, math.floor(room + 1e-9)))
        if steps == 0:
            continue
        table = erlang_b_table(draws[r] / DAYS_PER_WEEK * float(row.mean_stay_days), math.ceil(beds) + steps + 1)
        events = draws[r] * mixed_from_table(table, beds + np.arange(steps + 1))
        events = _with_rooms(events, weekly, r, draws, stays, costs, beds=beds + np.arange(steps + 1))
        out.append(_group(row, "bb_beds", 1.0, costs.bb_bed_week_sek, events))
    return out


def early_discharge_groups(
    ward: pd.DataFrame,
    weekly: pd.DataFrame,
    draws: np.ndarray,
    postnatal: PostnatalSettings,
    costs: CostSettings,
    stays: np.ndarray | None = None,
) -> list[LeverGroup]:
    """The ``early_discharge`` lever per row of ``ward`` (:func:`postnatal.postnatal_beds_weekly`):
    ``k · early_discharge_step`` more women after a vaginal birth go home early, each
    saving ``los_vaginal_days − early_discharge_days`` bed-days, at most
    ``costs.early_discharge_max_share`` of the draw's vaginal births in all (those already
    discharged early included); events are the women finding a full ward and, with
    ``stays``, the chain's redirected women (the mean BB stay shortened at the forecast mean)."""
    saved = postnatal.los_vaginal_days - postnatal.early_discharge_days
    if saved <= 0:
        return []
    rows = _draw_rows(ward, weekly)
    share = ward["early_share"].to_numpy(float) if "early_share" in ward else np.full(len(ward), postnatal.early_discharge_share)
    eligible_share = (1 - postnatal.caesarean_for(ward["unit_id"])) * np.maximum(costs.early_discharge_max_share - share, 0.0)
    step = costs.early_discharge_step
    out = []
    for i, (r, row) in enumerate(zip(rows, ward[[*KEY, "deliveries", "beds", "mean_stay_days"]].itertuples(index=False))):
        steps = min(costs.max_steps, math.floor(float(row.deliveries) * eligible_share[i] / step + 1e-9))
        if steps == 0:
            continue
        d = draws[r]
        women = np.minimum(step * np.arange(steps + 1)[:, None], d * eligible_share[i])  # a draw with fewer births has fewer to send home
        load = np.maximum(d / DAYS_PER_WEEK * float(row.mean_stay_days) - women * saved / DAYS_PER_WEEK, 0.0)
        events = d * capacity.erlang_b_mixed(load, float(row.beds))
        saved_days = step * np.arange(steps + 1) * saved / max(float(row.deliveries), 1e-9)
        ward_hours = np.maximum(float(row.mean_stay_days) - saved_days, postnatal.early_discharge_days) * 24.0
        events = _with_rooms(events, weekly, r, draws, stays, costs, ward_hours=ward_hours)
        out.append(_group(row, "early_discharge", float(step), step * costs.early_discharge_sek, events))
    return out


def neonatal_nurse_groups(
    neonatal: pd.DataFrame, weekly: pd.DataFrame, draws: np.ndarray, norms: Norms, costs: CostSettings
) -> list[LeverGroup]:
    """The ``neonatal_nurses`` lever per unit-week of ``neonatal`` (the outlook's rows of
    ``staffing.summer_staffing``'s neonatal table: unit_id, iso_year, iso_week, care_level,
    cots_physical, load_erlangs, admissions, fte_supply): ``k`` more FTE-weeks, the cots
    staffed as ``staffing.neonatal_gap`` staffs them (each level up to what it needs, IC
    first, then further cots); events are the infants finding no staffed cot at their level, with
    admissions and load scaled by the unit-week's arrival draw over its forecast mean."""
    rows = _draw_rows(neonatal, weekly)
    mean = weekly["deliveries"].to_numpy(float)
    out = []
    for key, idx in neonatal.groupby(KEY, sort=True).indices.items():
        part = neonatal.iloc[idx]
        r = rows[idx[0]]
        ratio = draws[r] / mean[r] if mean[r] > 0 else np.ones(draws.shape[1])
        cots = dict(zip(part["care_level"], part["cots_physical"].astype(float)))
        supply = float(part["fte_supply"].iloc[0])
        full = sum(c * norms.nurses_per_cot[lv] for lv, c in cots.items()) * norms.fte_per_position
        steps = _steps_to(full - supply, costs.nurse_step_fte, costs.max_steps)
        if steps == 0:
            continue
        positions = (supply + costs.nurse_step_fte * np.arange(steps + 1)) / norms.fte_per_position
        needed = dict(zip(part["care_level"], part["cots_needed"].astype(float))) if "cots_needed" in part else None
        staffed = staff_ic_first(positions, cots, norms.nurses_per_cot, needed)  # as staffing.neonatal_gap staffs them
        events = np.zeros((steps + 1, draws.shape[1]))
        for lv, load, admitted in zip(part["care_level"], part["load_erlangs"].astype(float), part["admissions"].astype(float)):
            table = erlang_b_table(load * ratio, math.ceil(cots[lv]) + 1)
            events += admitted * ratio * mixed_from_table(table, staffed[lv])
        out.append(_group(key, "neonatal_nurses", costs.nurse_step_fte, costs.nurse_step_fte * costs.neonatal_nurse_fte_week_sek, events))
    return out


def lever_groups(
    weekly: pd.DataFrame,
    draws: np.ndarray,
    costs: CostSettings,
    norms: Norms,
    stay: capacity.Stay,
    ward: pd.DataFrame | None = None,
    neonatal: pd.DataFrame | None = None,
    postnatal: PostnatalSettings | None = None,
    units: pd.DataFrame | None = None,
    stay_draws: np.ndarray | None = None,
) -> list[LeverGroup]:
    """Every (unit-week, lever) group of the levers ``costs.levers`` allows, with at least one
    step possible. ``weekly``: the outlook's delivery-room rows (``staffing_weekly`` of kind
    "prognos"), ``draws`` their arrival draws; ``ward``: :func:`postnatal.postnatal_beds_weekly`
    of those rows (for ``bb_beds`` and ``early_discharge``, with ``postnatal``); ``neonatal``:
    the outlook's neonatal rows (for ``neonatal_nurses``); ``units``: unit_id, postnatal_beds;
    ``stay_draws``: as :func:`midwife_groups`."""
    if draws.shape[0] != len(weekly):
        raise ValueError(f"draws has {draws.shape[0]} rows for {len(weekly)} rows of the weekly outlook")
    needed = {"bb_beds": ward, "early_discharge": None if postnatal is None else ward, "neonatal_nurses": neonatal}
    missing = [lv for lv in costs.levers if lv in needed and needed[lv] is None]
    if missing:
        raise ValueError(f"lever(s) {', '.join(missing)} need the postnatal ward (and its settings) or the neonatal table")
    groups: list[LeverGroup] = []
    if "midwives" in costs.levers:
        groups += midwife_groups(weekly, draws, norms, stay, costs, stay_draws)
    point = np.broadcast_to(capacity.row_stays(weekly["unit_id"], stay), len(weekly)) if "rooms_staffed" in weekly else None
    if "bb_beds" in costs.levers:
        groups += bb_bed_groups(ward, weekly, draws, costs, units, point)
    if "early_discharge" in costs.levers:
        groups += early_discharge_groups(ward, weekly, draws, postnatal, costs, point)
    if "neonatal_nurses" in costs.levers:
        groups += neonatal_nurse_groups(neonatal, weekly, draws, norms, costs)
    return groups


def _option_stats(group: LeverGroup) -> tuple[np.ndarray, ...]:
    """Per step of ``group``: mean events, mean, 10th and 90th percentile of the prevented
    events over the draws, and the prevented events per draw as float32."""
    p = group.events[0] - group.events
    return group.events.mean(axis=1), p.mean(axis=1), np.percentile(p, 10, axis=1), np.percentile(p, 90, axis=1), p.astype(np.float32)


def lever_options(groups: Sequence[LeverGroup], costs: CostSettings) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per group and number of steps (``step`` 0 included), and the prevented
    events per row and arrival draw (float32, rows as the frame's ``option``).

    Columns: option, group, unit_id, iso_year, iso_week, lever, step, amount (FTE-weeks,
    beds or women), cost_sek, events_mean (expected events of the week with the step),
    prevented_mean, prevented_p10, prevented_p90 (against step 0, over the draws) and
    value (prevented_mean × the lever's weight: what the allocation maximises)."""
    sizes = np.array([len(g.events) for g in groups], dtype=int)
    kinds = [(g.unit_id, g.iso_year, g.iso_week, "ward" if g.lever in WARD_LEVERS else g.lever) for g in groups]
    ids = {kind: i for i, kind in enumerate(dict.fromkeys(kinds))}  # one ward's two levers share a group
    group = np.repeat(np.array([ids[k] for k in kinds], dtype=int), sizes)
    lever_of = np.repeat(np.arange(len(groups)), sizes)
    step = np.concatenate([np.arange(n) for n in sizes]) if len(groups) else np.zeros(0, dtype=int)
    empty = (np.zeros(0),) * 4 + (np.zeros((0, 1), np.float32),)
    events_mean, prevented_mean, p10, p90, drawn = (np.concatenate(c) for c in zip(*([_option_stats(g) for g in groups] or [empty])))

    def each(attr: str) -> np.ndarray:
        return np.array([getattr(g, attr) for g in groups])[lever_of]

    frame = pd.DataFrame(
        {
            "option": np.arange(len(group)),
            "group": group,
            **{c: each(c) for c in KEY},
            "lever": each("lever"),
            "step": step,
            "amount": step * each("step_amount"),
            "cost_sek": step * each("step_cost"),
            "events_mean": events_mean,
            "prevented_mean": prevented_mean,
            "prevented_p10": p10,
            "prevented_p90": p90,
        }
    )
    frame["value"] = frame["prevented_mean"] * frame["lever"].map(costs.weight).astype(float)
    return frame, drawn


# ----------------------------------------------------------------------------- exact allocation
def choose_quantum(step_costs, budget_sek: float, fallback_sek: float = 1_000.0, max_cells: int = MAX_CELLS) -> float:
    """The unit of money of :func:`solve_mckp`: the gcd of the step costs in whole kronor
    when every step cost is a whole number of kronor and the budget is at most
    ``max_cells`` of it (then the rounding changes nothing), else ``fallback_sek`` times
    the smallest whole number that keeps the budget within ``max_cells`` quanta."""
    c = np.asarray(step_costs, dtype=float)
    c = c[c > 0]
    whole = np.round(c)
    if len(c) and np.all(np.abs(c - whole) < 1e-6):
        gcd = float(np.gcd.reduce(whole.astype(np.int64)))
        if budget_sek / gcd <= max_cells:
            return gcd
    return fallback_sek * max(1, math.ceil(budget_sek / (fallback_sek * max_cells)))


def solve_mckp(costs_q: np.ndarray, values: np.ndarray, budget_q: int) -> tuple[np.ndarray, float]:
    """Exact multiple-choice knapsack: choose one column per row of ``costs_q`` (whole
    quanta, ``(groups, options)``) maximising the sum of ``values`` with total cost at
    most ``budget_q``. Column 0 of every row must cost 0 (doing nothing); options that do
    not exist are ``-inf`` in ``values``. Dynamic programming over the budget,
    ``best[b]`` = the best value of the rows so far at cost at most ``b``, one numpy
    pass per row; of equal values the first column is chosen. Returns the column chosen
    per row and the optimal value."""
    costs_q = np.asarray(costs_q, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    if costs_q.shape != values.shape or costs_q.ndim != 2:
        raise ValueError(f"costs and values must be arrays of the same (groups, options) shape, got {costs_q.shape} and {values.shape}")
    if budget_q < 0:
        raise ValueError(f"the budget must be 0 or more, got {budget_q}")
    if len(costs_q) and (np.any(costs_q[:, 0] != 0) or np.any(costs_q < 0)):
        raise ValueError("every group's first option must cost 0 and no option may cost less")
    budget = np.arange(budget_q + 1)
    best = np.zeros(budget_q + 1)
    choice = np.zeros((len(costs_q), budget_q + 1), dtype=np.int16 if costs_q.shape[1] < 2**15 else np.int32)
    for g in range(len(costs_q)):
        before = budget[None, :] - costs_q[g][:, None]  # (options, budget): the budget left for the rows before
        cand = np.where(before >= 0, best[np.maximum(before, 0)] + values[g][:, None], -np.inf)
        choice[g] = np.argmax(cand, axis=0)  # of equal values the first
        best = cand[choice[g], budget]
    chosen = np.zeros(len(costs_q), dtype=np.int64)
    left = budget_q
    for g in range(len(costs_q) - 1, -1, -1):
        chosen[g] = choice[g, left]
        left -= int(costs_q[g, chosen[g]])
    return chosen, float(best[budget_q])


def allocate(options: pd.DataFrame, budget_sek: float, quantum_sek: float | None = None, fallback_sek: float = 1_000.0) -> pd.DataFrame:
    """The exact allocation of ``budget_sek`` over the groups of ``options``
    (:func:`lever_options`; one row with ``step`` ≥ 1, or nothing, per group): the chosen
    rows of ``options``. ``quantum_sek``: the unit of money (default
    :func:`choose_quantum`); step costs are rounded up to whole quanta and the budget down.
    ``attrs`` hold budget_sek, quantum_sek, cost_sek (the true cost) and value."""
    if isinstance(budget_sek, bool) or not isinstance(budget_sek, Real) or not np.isfinite(budget_sek) or budget_sek < 0:
        raise ValueError(f"the budget must be a number of SEK, 0 or more, got {budget_sek!r}")
    quantum = quantum_sek or choose_quantum(options.loc[options["step"] == 1, "cost_sek"].to_numpy(float), budget_sek, fallback_sek)
    steps = options[options["step"] > 0]
    groups, g = np.unique(steps["group"].to_numpy(), return_inverse=True)
    col = steps.groupby("group").cumcount().to_numpy() + 1  # column 0 of every group: nothing
    width = int(col.max()) + 1 if len(steps) else 1
    costs_q = np.zeros((len(groups), width), dtype=np.int64)
    values = np.full((len(groups), width), -np.inf)
    values[:, 0] = 0.0
    costs_q[g, col] = np.ceil(steps["cost_sek"].to_numpy(float) / quantum - 1e-9).astype(np.int64)
    values[g, col] = steps["value"].to_numpy(float)
    chosen, best = solve_mckp(costs_q, values, int(math.floor(budget_sek / quantum + 1e-9)))
    out = steps[col == chosen[g]].sort_values([*KEY, "lever"]).reset_index(drop=True)
    out.attrs = {"budget_sek": float(budget_sek), "quantum_sek": float(quantum), "cost_sek": float(out["cost_sek"].sum()), "value": best}
    return out


# ----------------------------------------------------------------------------- proposals
def proposals(chosen: pd.DataFrame, prevented_draws: np.ndarray, costs: CostSettings) -> pd.DataFrame:
    """The allocation as proposals: per unit and lever, runs of consecutive ISO weeks of one
    year, so a (unit, week, lever) is in one proposal at most. Columns: unit_id, lever,
    lever_sv, iso_year, first_week, last_week, weeks, amount (sum over the weeks),
    amount_unit_sv, amount_per_week (the weeks' amounts as text), cost_sek,
    prevented_mean, prevented_p10, prevented_p90 (80 % interval of the sum over the weeks,
    over the draws), event_sv, sek_per_prevented (cost per prevented event) and value_sek
    (the weighted prevented events × ``redirection_sek``). Largest effect first."""
    rows = []
    ordered = chosen.sort_values(["unit_id", "lever", "iso_year", "iso_week"])
    for (unit, lever), part in ordered.groupby(["unit_id", "lever"], sort=False):
        run = ((part["iso_week"].diff() != 1) | (part["iso_year"].diff() != 0)).cumsum()
        for _, block in part.groupby(run, sort=False):
            total = prevented_draws[block["option"].to_numpy()].astype(float).sum(axis=0)
            mean, cost = float(total.mean()), float(block["cost_sek"].sum())
            rows.append(
                {
                    "unit_id": unit,
                    "lever": lever,
                    "lever_sv": LEVER_SV[lever],
                    "iso_year": int(block["iso_year"].iloc[0]),
                    "first_week": int(block["iso_week"].min()),
                    "last_week": int(block["iso_week"].max()),
                    "weeks": len(block),
                    "amount": float(block["amount"].sum()),
                    "amount_unit_sv": AMOUNT_SV[lever],
                    "amount_per_week": " / ".join(f"{a:g}" for a in block["amount"]),
                    "cost_sek": cost,
                    "prevented_mean": mean,
                    "prevented_p10": float(np.percentile(total, 10)),
                    "prevented_p90": float(np.percentile(total, 90)),
                    "event_sv": EVENT_SV[lever],
                    "sek_per_prevented": cost / mean if mean > 0 else float("inf"),
                    "value_sek": mean * costs.weight(lever) * costs.redirection_sek,
                }
            )
    cols = [
        "unit_id", "lever", "lever_sv", "iso_year", "first_week", "last_week", "weeks", "amount", "amount_unit_sv",
        "amount_per_week", "cost_sek", "prevented_mean", "prevented_p10", "prevented_p90", "event_sv", "sek_per_prevented", "value_sek",
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["prevented_mean", "cost_sek"], ascending=[False, True], ignore_index=True)


# ----------------------------------------------------------------------------- the 1 % rule
def target_cost(weekly: pd.DataFrame, threshold: float, norms: Norms, stay: capacity.Stay, costs: CostSettings) -> pd.DataFrame:
    """What bringing each unit-week's blocking at the forecast mean down to ``threshold``
    (the 1 % rule: ``norms.target_blocking``) would cost in midwives: the FTE-weeks of
    :func:`allocation.fte_to_threshold` at ``midwife_fte_week_sek``. Columns: unit_id,
    iso_year, iso_week, blocking, fte_needed, cost_sek, reachable (False: even every
    physical room staffed leaves it above; fte_needed then staffs them all)."""
    need = allocation.fte_to_threshold(weekly, threshold, norms, stay)
    return need.assign(cost_sek=need["fte_needed"] * costs.midwife_fte_week_sek)[
        ["unit_id", "iso_year", "iso_week", "blocking", "fte_needed", "cost_sek", "reachable"]
    ]


def target_cost_summary(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`target_cost` per unit and for the region: fte_needed, cost_sek, weeks_short
    (weeks that need staff), weeks_unreachable and unreachable_weeks (their ISO weeks as
    text, "" when none)."""

    def row(unit: str, part: pd.DataFrame) -> dict:
        unreachable = part.loc[~part["reachable"].astype(bool), "iso_week"].astype(int)
        return {
            "unit_id": unit,
            "fte_needed": float(part["fte_needed"].sum()),
            "cost_sek": float(part["cost_sek"].sum()),
            "weeks_short": int((part["fte_needed"] > 1e-9).sum()),
            "weeks_unreachable": len(unreachable),
            "unreachable_weeks": ", ".join(str(w) for w in sorted(set(unreachable))),
        }

    rows = [row(u, p) for u, p in table.groupby("unit_id", sort=True)]
    rows.append(row("REGION", table))
    return pd.DataFrame(rows)
