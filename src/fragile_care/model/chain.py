"""The care chain's delivery rooms and postnatal ward (BB) as one fast analytic model.

A woman whose labour is over moves to BB if a bed is free; if not, she keeps her delivery
room until one is (blocking after service). So a full BB makes the rooms busier, and a
woman in labour who finds every room taken, by labour or by a woman waiting for a bed, is
redirected. :func:`postnatal.simulate_chain` simulates exactly this; this module is its
fast approximation, used for every published number (planning figure, heat map,
scenarios, allocation, calibration), and checked against the simulation in
``tests/unit/test_chain.py``.

Approximation (decomposition with a fixed point). Let λ be the women arriving per hour,
τ the delivery-room time, s the staffed rooms, c the staffed BB beds and L the mean BB
stay in hours.

- BB is an M/M/c/K queue fed by the women admitted to a room, λ(1 − B), with K = c + s
  places (the beds plus the rooms a woman can wait in). Its mean wait before a bed,
  W = L_q / λ_eff (Little's law over the admitted women, waiting or not), is
  :func:`ward_wait_hours`.
- The rooms are Erlang's loss system with the room time stretched by the wait,
  B = ErlangB(λ(τ + W), s) (``capacity.erlang_b_mixed``: fractional rooms).
- B is the fixed point of B ↦ ErlangB(λ(τ + W(λ(1 − B))), s), which is decreasing in B,
  so it has one solution, found by the Illinois method (regula falsi kept bracketing, see
  :func:`chain_blocking`).

With an ample ward (W ≈ 0) it is Erlang B exactly (the limiting case). Against the
simulation (exponential stays) it is within about 25 % where BB is overloaded and in small
units, and it understates the redirections of a large unit whose ward is near but below
full (waits come in bursts the average wait does not carry): the check in the tests
states the tolerance. A unit-week without a known number of BB beds is treated as having
an ample ward.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln

from fragile_care.model import capacity

HOURS_PER_WEEK = capacity.HOURS_PER_WEEK
ROOT_TOLERANCE = 1e-10  # |g(B) - B| at which the fixed point counts as found
ROOT_STEPS = 40  # at most (the Illinois method needs about 6-10 on the default run)
WAIT_GRID = 9  # arrival levels the per-draw emulator interpolates the wait over (checked in tests/unit/test_chain.py)


def ward_wait_hours(admitted_per_hour, stay_hours, beds, places) -> np.ndarray:
    """Mean wait in hours for a BB bed of an admitted woman: M/M/c/K with ``beds`` servers
    (c), ``places`` = K ≥ c (beds plus waiting places), arrival rate ``admitted_per_hour``
    and mean stay ``stay_hours``; ``L_q / λ_eff`` with ``λ_eff = λ (1 − p_K)``. Broadcasts;
    0 where there are no beds or no arrivals."""
    lam, stay, c, k = np.broadcast_arrays(
        np.asarray(admitted_per_hour, float), np.asarray(stay_hours, float), np.asarray(beds, float), np.asarray(places, float)
    )
    c = np.floor(c)
    k = np.maximum(np.floor(k), c)
    ok = (lam > 0) & (c >= 1) & np.isfinite(c)
    a = np.where(ok, lam * stay, 1.0)
    c_safe = np.where(ok, c, 1.0)
    top = int(np.nanmax(np.where(ok, k, 0.0))) if ok.any() else 0
    n = np.arange(top + 1, dtype=float).reshape((-1,) + (1,) * a.ndim)
    log_a = np.log(a)
    below = n * log_a - gammaln(n + 1)
    above = c_safe * log_a - gammaln(c_safe + 1) + (n - c_safe) * (log_a - np.log(c_safe))
    log_p = np.where(n <= c_safe, below, above)
    log_p = np.where(n <= k, log_p, -np.inf)
    log_p = log_p - log_p.max(axis=0)
    p = np.exp(log_p)
    p /= p.sum(axis=0)
    queue = np.sum(np.maximum(n - c_safe, 0.0) * p, axis=0)
    p_full = np.take_along_axis(p, np.where(ok, k, 0).astype(int)[None, ...], axis=0)[0]
    wait = queue / np.maximum(lam * (1.0 - p_full), 1e-12)
    return np.where(ok, wait, 0.0)


def chain_blocking(arrivals_per_week, rooms, room_hours, beds, bed_stay_hours) -> tuple[np.ndarray, np.ndarray]:
    """The share of women redirected when the rooms and BB are in series (the fixed point
    of the module docstring) and the mean wait for a bed in hours, elementwise over the
    broadcast arguments. ``beds`` NaN: an ample ward (Erlang B)."""
    d, s, tau, c, stay = np.broadcast_arrays(
        np.asarray(arrivals_per_week, float),
        np.asarray(rooms, float),
        np.asarray(room_hours, float),
        np.asarray(beds, float),
        np.asarray(bed_stay_hours, float),
    )
    lam = d / HOURS_PER_WEEK
    ample = ~np.isfinite(c)
    c = np.where(ample, 0.0, c)
    places = c + np.floor(s + 1e-9)

    def excess(b: np.ndarray) -> np.ndarray:  # g(B) - B: decreasing, >= 0 at 0 and <= 0 at 1
        return capacity.blocking(d, s, tau + ward_wait_hours(lam * (1 - b), stay, c, places)) - b

    # Illinois method: regula falsi on a bracket [lo, hi] that always holds the root (excess
    # > 0 at lo, < 0 at hi); the value at an end kept twice in a row is halved, so it
    # converges superlinearly and never leaves [0, 1] (bisection needed 22 steps for 2.4e-7)
    # A wait only adds to the room time, so the root lies between the rooms' own blocking
    # (no wait) and g(0) (the wait at the full arrival rate): a tight bracket to start from
    lo = np.asarray(capacity.blocking(d, s, tau), float) * np.ones(d.shape)
    hi = excess(np.zeros(d.shape))
    f_lo, f_hi = excess(lo), excess(hi)
    b = np.where(f_lo <= ROOT_TOLERANCE, lo, hi)  # a root at an end (no load, or no room)
    open_ = (f_lo > ROOT_TOLERANCE) & (f_hi < -ROOT_TOLERANCE)
    last = np.zeros(d.shape)  # which end moved last: -1 hi, +1 lo
    for _ in range(ROOT_STEPS):
        if not open_.any():
            break
        b = np.where(open_, (lo * f_hi - hi * f_lo) / np.where(open_, f_hi - f_lo, -1.0), b)
        f_b = excess(b)
        found = open_ & (np.abs(f_b) <= ROOT_TOLERANCE)
        move_hi, move_lo = open_ & ~found & (f_b < 0), open_ & ~found & (f_b > 0)
        f_lo = np.where(move_hi & (last == -1), f_lo / 2, f_lo)  # lo kept twice
        f_hi = np.where(move_lo & (last == 1), f_hi / 2, f_hi)  # hi kept twice
        hi, f_hi = np.where(move_hi, b, hi), np.where(move_hi, f_b, f_hi)
        lo, f_lo = np.where(move_lo, b, lo), np.where(move_lo, f_b, f_lo)
        last = np.where(move_hi, -1.0, np.where(move_lo, 1.0, last))
        open_ = open_ & ~found & (hi - lo > ROOT_TOLERANCE)
    wait = ward_wait_hours(lam * (1 - b), stay, c, places)
    b = np.where(ample, capacity.blocking(d, s, tau), capacity.blocking(d, s, tau + wait))
    return np.asarray(b, float), np.where(ample, 0.0, wait)


def chain_draws(arrivals: np.ndarray, rooms, room_hours, beds, bed_stay_hours, point_hours) -> tuple[np.ndarray, np.ndarray]:
    """Blocking and BB wait for each row (unit-week) and draw of ``arrivals`` (rows ×
    draws), each draw with its own room time ``room_hours`` (rows × draws, or rows).

    The wait is solved at :data:`WAIT_GRID` arrival levels per row spanning its draws,
    with the row's ``point_hours`` (the room time's point estimate), and interpolated to
    each draw (the wait moves with the arrivals far more than with the room time); the
    blocking is then Erlang B with each draw's room time plus its wait."""
    arrivals = np.asarray(arrivals, float)
    rows = arrivals.shape[0]
    col = lambda x: np.broadcast_to(np.asarray(x, float).reshape(-1, 1) if np.ndim(x) else np.asarray(x, float), (rows, 1))  # noqa: E731
    low, high = arrivals.min(axis=1, keepdims=True), arrivals.max(axis=1, keepdims=True)
    grid = low + (high - low) * np.linspace(0.0, 1.0, WAIT_GRID)[None, :]
    _, waits = chain_blocking(grid, col(rooms), col(point_hours), col(beds), col(bed_stay_hours))
    wait = np.empty_like(arrivals)
    for i in range(rows):
        wait[i] = np.interp(arrivals[i], grid[i], waits[i]) if high[i, 0] > low[i, 0] else waits[i, 0]
    hours = np.asarray(room_hours, float)
    hours = hours.reshape(-1, 1) if hours.ndim == 1 else hours
    return np.asarray(capacity.blocking(arrivals, col(rooms), hours + wait), float), wait


WARD_COLUMNS = ("bb_beds", "bb_stay_hours")


def with_ward(weekly: pd.DataFrame, units: pd.DataFrame, settings, beds_by_week: pd.DataFrame | None, early_share=None) -> pd.DataFrame:
    """``weekly`` (unit_id, iso_year, iso_week, deliveries) with the BB link of each
    unit-week: ``bb_beds`` (staffed beds: ``postnatal_capacity`` where it lists the week,
    else the unit's beds) and ``bb_stay_hours`` (the mean stay, early discharge included;
    ``postnatal.postnatal_beds_weekly`` with ``settings``, ``early_share`` per row)."""
    from fragile_care.model import postnatal

    return from_ward(weekly, postnatal.postnatal_beds_weekly(weekly, units, settings, beds_by_week, early_share))


def from_ward(weekly: pd.DataFrame, ward: pd.DataFrame) -> pd.DataFrame:
    """``weekly`` with the BB link taken from its ward table (``postnatal.postnatal_beds_weekly``
    of the same rows, in the same order): ``bb_beds`` and ``bb_stay_hours``."""
    return weekly.assign(bb_beds=ward["beds"].to_numpy(float), bb_stay_hours=ward["mean_stay_days"].to_numpy(float) * 24.0)


def ward_of(weekly: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's BB beds and mean BB stay in hours (:func:`with_ward`); without those
    columns an ample ward (NaN beds): the rooms alone, Erlang B."""
    if all(c in weekly.columns for c in WARD_COLUMNS):
        return weekly["bb_beds"].to_numpy(float), weekly["bb_stay_hours"].to_numpy(float)
    return np.full(len(weekly), np.nan), np.ones(len(weekly))


def weekly_blocking(weekly: pd.DataFrame, arrivals, rooms, room_hours) -> np.ndarray:
    """The chain's blocking for the rows of ``weekly`` at ``arrivals`` per week (one per
    row) with ``rooms`` staffed and ``room_hours`` delivery-room time (one per row)."""
    beds, stay = ward_of(weekly)
    return chain_blocking(arrivals, rooms, room_hours, beds, stay)[0]
