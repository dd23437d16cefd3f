"""Capacity and redirection risk: the Erlang loss model and a seeded ward simulation.

A woman in active labour needs a staffed delivery room (one midwife per woman, DESIGN §5).
Arrivals are Poisson at the forecast rate; a woman who finds every staffed room busy is
redirected (hänvisad). That is the Erlang loss system M/G/c/c, whose blocking probability
(Erlang B) depends on the stay only through its mean (the formula is insensitive to the
stay distribution). :func:`simulate` checks the formula and adds what it cannot express:
arrivals that vary by hour of day and weekday, and overflow to a neighbouring unit.

Time is in hours throughout: arrival rates per hour, stays in hours, loads in erlangs
(mean number of rooms or cots occupied if none were lacking).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from fragile_care.validation import KeyedError

HOURS_PER_WEEK = 168.0
# Defaults of CapacitySettings that the model's functions also fall back on: each written
# once, here (the run configuration's schema uses these names).
DEFAULT_MEAN_STAY_HOURS = 8.0  # an assumption, explained in CapacitySettings
DEFAULT_STAY_CV = 0.5
DEFAULT_HIGH_RISK = 0.05
DEFAULT_DRAWS = 1000
Z95 = 1.959963984540054


# ----------------------------------------------------------------------------- formula
def _as_servers(servers) -> np.ndarray:
    s = np.asarray(servers, dtype=float)
    if not np.all(np.isfinite(s)):
        raise ValueError("servers must be finite whole numbers")
    if np.any(s < 0):
        raise ValueError(f"servers must be 0 or more, got {s[s < 0].flat[0]:g}")
    if np.any(s != np.round(s)):
        raise ValueError(f"servers must be whole numbers, got {s[s != np.round(s)].flat[0]:g}")
    return s.astype(np.int64)


def _as_load(load) -> np.ndarray:
    a = np.asarray(load, dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError("load must be a finite number of erlangs")
    if np.any(a < 0):
        raise ValueError(f"load must be 0 or more erlangs, got {a[a < 0].flat[0]:g}")
    return a


def erlang_b(load_erlangs, servers):
    """Blocking probability of the Erlang loss system M/G/c/c.

    Uses the recursion ``B(0) = 1``, ``B(k) = a·B(k-1) / (k + a·B(k-1))``: every step is
    a ratio of numbers of order one, so it is stable for hundreds or thousands of servers
    where ``a**c / c!`` would overflow. Vectorised over broadcastable arrays.

    Parameters
    ----------
    load_erlangs : float or array, offered load in erlangs (arrival rate × mean stay), ≥ 0
    servers : int or array, number of staffed rooms (or cots), whole numbers ≥ 0

    Returns
    -------
    float or ndarray, the probability that an arrival finds every server busy. With no
    server it is 1 (every arrival is turned away); with no load and at least one server, 0.
    """
    a = _as_load(load_erlangs)
    s = _as_servers(servers)
    a, s = np.broadcast_arrays(a, s)
    b = np.ones(a.shape)
    for k in range(1, int(s.max(initial=0)) + 1):
        ab = a * b
        b = np.where(s >= k, ab / (k + ab), b)
    return float(b) if b.ndim == 0 else b


def servers_needed(load_erlangs, target: float):
    """Fewest servers whose Erlang-B blocking is at most ``target`` (0 < target < 1)."""
    if not 0 < target < 1:
        raise ValueError(f"target blocking must be between 0 and 1 (exclusive), got {target!r}")
    a = _as_load(load_erlangs)
    b = np.ones(a.shape)
    need = np.where(b <= target, 0, -1)
    k = 0
    while (need < 0).any():
        k += 1
        ab = a * b
        b = ab / (k + ab)
        need = np.where((need < 0) & (b <= target), k, need)
    return int(need) if need.ndim == 0 else need


def offered_load(arrivals_per_week, mean_stay_hours):
    """Offered load in erlangs from arrivals per week and the mean stay in hours (a number,
    or an array that broadcasts with the arrivals)."""
    stay = check_stay(mean_stay_hours, "mean stay")
    return np.asarray(arrivals_per_week, dtype=float) / HOURS_PER_WEEK * stay


def erlang_b_mixed(load_erlangs, servers):
    """Erlang-B blocking when the number of staffed servers may be fractional.

    Staff for 9.6 rooms means 10 rooms staffed part of the time and 9 the rest: the
    blocking is the mixture ``(1 − f)·B(a, ⌊s⌋) + f·B(a, ⌈s⌉)`` with ``f = s − ⌊s⌋``, the
    share of the time the last room is staffed (each part of the week treated as a loss
    system of its own, which holds when the stays are short against the stretches of
    time with one staffing level). For whole numbers it equals :func:`erlang_b`. Because
    ``B(a, c)`` is decreasing and convex in ``c`` (Messerli 1972), the interpolation is
    too: adding staff never raises the blocking and lowers it strictly while it is above 0.
    """
    s = np.asarray(servers, dtype=float)
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError(f"servers must be finite and 0 or more, got {s[~(np.isfinite(s) & (s >= 0))].flat[0]!r}")
    low = np.floor(s + 1e-9)
    share = np.clip(s - low, 0.0, 1.0)
    b_low = erlang_b(load_erlangs, low)
    if not np.any(share > 1e-9):
        return b_low
    ab = _as_load(load_erlangs) * b_low  # one more step of erlang_b's recursion: B(a, ⌊s⌋ + 1)
    b_high = ab / (low + 1 + ab)
    out = (1 - share) * b_low + share * b_high
    return float(out) if np.ndim(out) == 0 else out


def blocking(arrivals_per_week, servers, mean_stay_hours: float):
    """Erlang-B blocking for arrivals per week on ``servers`` staffed rooms (or cots) with a
    mean stay in hours; fractional servers as in :func:`erlang_b_mixed`; broadcasts like
    :func:`erlang_b`."""
    return erlang_b_mixed(offered_load(arrivals_per_week, mean_stay_hours), servers)


def check_stay(hours, what: str = "mean stay"):
    """Raise ValueError unless ``hours`` is a positive finite number (or an array of them,
    one per unit or row: returned as a float array)."""
    if isinstance(hours, np.ndarray):
        values = hours.astype(float)
        if values.size and (not np.all(np.isfinite(values)) or np.any(values <= 0)):
            raise ValueError(f"{what} must be positive numbers of hours, got {values[~(np.isfinite(values) & (values > 0))][:3]!r}")
        return values
    if isinstance(hours, bool) or not isinstance(hours, (int, float, np.floating, np.integer)) or not np.isfinite(hours):
        raise ValueError(f"{what} must be a positive number of hours, got {hours!r}")
    if hours <= 0:
        raise ValueError(f"{what} must be a positive number of hours, got {hours:g}")
    return float(hours)


# ----------------------------------------------------------------------------- risk with uncertainty
def forecast_draws(weekly: pd.DataFrame, n_draws: int, seed: int, rho: float = 0.0) -> np.ndarray:
    """Draws of the arrival rate per unit and week from the forecast's uncertainty.

    ``weekly`` has unit_id, deliveries (the forecast mean for the week) and sigma_log (the
    log-scale standard deviation of the forecast month). One standard-normal draw per unit
    is shared by all of its weeks: the forecast error of a summer is mostly a level error
    that persists from week to week, so summing independent weekly errors would understate
    the uncertainty of a summer total. The units' errors correlate ``rho`` (a common
    regional part: each unit's is ``√ρ·z_common + √(1−ρ)·z_unit``; ``model.planning``
    estimates it); with ``rho`` 0 they are independent. Draws are log-normal with the
    forecast mean.

    Returns an array of shape (rows of ``weekly``, n_draws).
    """
    if n_draws < 1:
        raise ValueError(f"n_draws must be at least 1, got {n_draws}")
    if not 0.0 <= rho <= 1.0:
        raise ValueError(f"the forecast errors' correlation must be within 0-1, got {rho}")
    rng = np.random.default_rng(seed)
    units = pd.Index(pd.unique(weekly["unit_id"]))
    z = rng.standard_normal((len(units), n_draws))
    if rho > 0:
        z = np.sqrt(rho) * rng.standard_normal(n_draws)[None, :] + np.sqrt(1.0 - rho) * z
    rows = units.get_indexer(weekly["unit_id"])
    sigma = weekly["sigma_log"].to_numpy(float)[:, None]
    mean = weekly["deliveries"].to_numpy(float)[:, None]
    return mean * np.exp(sigma * z[rows] - sigma**2 / 2)


Stay = float | Mapping[str, float]  # one mean stay for every unit, or one per unit (unit id -> hours)


def row_stays(unit_ids, stay: Stay):
    """The mean stay of each row: ``stay`` itself when it is one number, else each row's
    unit's value from the mapping (an array; a unit without a value is an error)."""
    if isinstance(stay, Mapping):
        ids = [str(u) for u in np.asarray(unit_ids, dtype=object)]
        missing = sorted(set(ids) - set(stay))
        if missing:
            raise ValueError(f"no delivery-room time for unit(s) {', '.join(missing)}")
        return check_stay(np.array([float(stay[u]) for u in ids]))
    return check_stay(stay)


def totals_with_interval(frame: pd.DataFrame, draws: np.ndarray, by: str = "unit_id") -> pd.DataFrame:
    """Sum redirected women over weeks per group, with the 10th-90th percentile of the sum
    over the draws (percentiles of sums, not sums of percentiles)."""

    def row(key, total: np.ndarray) -> dict:
        return {
            by: key,
            "redirected_mean": float(total.mean()),
            "redirected_p10": float(np.percentile(total, 10)),
            "redirected_p90": float(np.percentile(total, 90)),
        }

    out = [row(key, draws[idx].sum(axis=0)) for key, idx in frame.groupby(by, sort=False).indices.items()]
    out.append(row("REGION", draws.sum(axis=0)))
    return pd.DataFrame(out)


def rank_risk(risk: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The unit-weeks with the most expected redirected women (ties: higher blocking first)."""
    return risk.sort_values(["redirected_mean", "blocking"], ascending=False).head(top).reset_index(drop=True)


# ----------------------------------------------------------------------------- simulation
class ArrivalProfile(BaseModel):
    """How arrivals vary within a week (multipliers with mean 1 over the week).

    ``hourly_amplitude``: arrivals are ``1 + A·cos(2π(h − peak_hour)/24)`` times the mean
    at hour ``h``; ``weekend_factor``: Saturday and Sunday relative to weekdays (planned
    inductions and caesareans are booked on weekdays). The defaults are ASSUMPTIONS (no
    public source for VGR); :data:`FLAT_PROFILE` is the profile without variation.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    hourly_amplitude: float = Field(0.15, ge=0, le=0.99, description="ASSUMPTION: amplitude of the daily cycle")
    peak_hour: float = Field(11.0, ge=0, le=23, description="ASSUMPTION: hour of the day with most arrivals")
    weekend_factor: float = Field(0.9, ge=0.1, le=3, description="ASSUMPTION: arrivals on Saturday and Sunday relative to weekdays")

    def multiplier(self, hours: np.ndarray) -> np.ndarray:
        """Multiplier at times ``hours`` (hours since Monday 00:00)."""
        hour_of_day = np.mod(hours, 24.0)
        day = np.floor(np.mod(hours, HOURS_PER_WEEK) / 24.0)
        hourly = 1 + self.hourly_amplitude * np.cos(2 * np.pi * (hour_of_day - self.peak_hour) / 24)
        weekly = np.where(day >= 5, self.weekend_factor, 1.0) * 7 / (5 + 2 * self.weekend_factor)
        return hourly * weekly

    @property
    def peak(self) -> float:
        return (1 + self.hourly_amplitude) * max(self.weekend_factor, 1.0) * 7 / (5 + 2 * self.weekend_factor)


FLAT_PROFILE = ArrivalProfile(hourly_amplitude=0.0, peak_hour=11.0, weekend_factor=1.0)


@dataclass(frozen=True)
class Ward:
    """One unit in a simulation: arrivals per week and staffed rooms (or cots).

    Fractional ``servers`` (staff for 9.6 rooms) are simulated as the mixture
    :func:`erlang_b_mixed` assumes: each replication staffs the last room with
    probability equal to the fraction (60 % of the replications run 10 rooms, 40 % run 9).
    """

    unit_id: str
    arrivals_per_week: float
    servers: float

    def __post_init__(self) -> None:
        if not np.isfinite(self.servers) or self.servers < 0:
            raise ValueError(f"{self.unit_id}: servers must be 0 or more, got {self.servers!r}")
        if not np.isfinite(self.arrivals_per_week) or self.arrivals_per_week < 0:
            raise ValueError(f"{self.unit_id}: arrivals per week must be 0 or more, got {self.arrivals_per_week!r}")


def _arrivals(rng: np.random.Generator, rate_per_hour: float, hours: float, profile: ArrivalProfile) -> np.ndarray:
    """Non-homogeneous Poisson arrival times on [0, hours) by thinning."""
    peak = profile.peak
    n = rng.poisson(rate_per_hour * peak * hours)
    times = np.sort(rng.uniform(0.0, hours, n))
    keep = rng.uniform(0.0, peak, n) < profile.multiplier(times)
    return times[keep]


def _stays(rng: np.random.Generator, n: int, mean: float, cv: float) -> np.ndarray:
    if cv == 0:
        return np.full(n, mean)
    sigma2 = np.log1p(cv**2)
    return rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), n)


def _neighbour_positions(ids: list[str], overflow: dict[str, Sequence[str]]) -> list[list[int]]:
    """Each unit's overflow neighbours as positions in ``ids`` (in order of preference)."""
    for uid, neighbours in overflow.items():
        for n in [uid, *neighbours]:
            if n not in ids:
                raise ValueError(f"overflow names unit {n!r}, which is not simulated (units: {', '.join(ids)})")
    position = {uid: i for i, uid in enumerate(ids)}
    return [[position[n] for n in overflow.get(uid, ())] for uid in ids]


def _replay(
    c: np.ndarray,
    t_all: np.ndarray,
    o_all: np.ndarray,
    stays: np.ndarray,
    servers: list[int],
    neighbour_idx: list[list[int]],
    warmup_hours: float,
) -> None:
    """One replication's arrivals in time order through the wards: counts per unit (in
    ``c``: arrivals, redirected, received from a neighbour, lost to the group) after the
    warm-up.

    A ward's finished stays are removed only when that ward is looked at (its own arrival,
    or a neighbour's overflow): the count of busy rooms at time ``t`` is the same as if
    every ward were cleared at every arrival, and a replication costs the arrivals times
    the wards each one looks at, not times every ward of the region."""
    busy: list[list[float]] = [[] for _ in servers]

    def free(j: int, t: float) -> bool:
        heap = busy[j]
        while heap and heap[0] <= t:
            heapq.heappop(heap)
        return len(heap) < servers[j]

    for t, i, stay in zip(t_all.tolist(), o_all.tolist(), stays.tolist()):
        counted = t >= warmup_hours
        if counted:
            c[i, 0] += 1
        if free(i, t):
            heapq.heappush(busy[i], t + stay)
            continue
        if counted:
            c[i, 1] += 1
        for j in neighbour_idx[i]:
            if free(j, t):
                heapq.heappush(busy[j], t + stay)
                if counted:
                    c[j, 2] += 1
                break
        else:
            if counted and neighbour_idx[i]:
                c[i, 3] += 1


def simulate(
    wards: Sequence[Ward],
    mean_stay_hours: Stay,
    weeks: float = 1.0,
    replications: int = 50,
    seed: int = 0,
    stay_cv: float = DEFAULT_STAY_CV,
    profile: ArrivalProfile | None = None,
    overflow: Mapping[str, Sequence[str]] | None = None,
    warmup_hours: float = 48.0,
) -> pd.DataFrame:
    """Seeded simulation of delivery wards as loss systems, optionally with overflow.

    Each replication simulates ``warmup_hours`` (not counted, so the wards do not start
    empty) plus ``weeks`` weeks. A woman who finds every room at her own unit busy is
    redirected; with ``overflow`` (unit -> neighbours in order of preference) she is
    received at the first neighbour with a free room, else she must leave the group of
    units. Stays are log-normal with mean ``mean_stay_hours`` (one number, or one per unit)
    and coefficient of variation
    ``stay_cv`` (0: fixed).

    Returns one row per unit: arrivals, redirected (blocked at own unit), received_from
    _neighbour, overflow_lost, blocking (redirected / arrivals, mean over replications)
    and its 95 % confidence interval from the spread between replications.
    """
    ward_stays = row_stays([w.unit_id for w in wards], mean_stay_hours)
    if replications < 2:
        raise ValueError(f"replications must be at least 2 (for a confidence interval), got {replications}")
    if not 0 <= stay_cv <= 5:
        raise ValueError(f"stay_cv must be in [0, 5], got {stay_cv!r}")
    profile = profile or FLAT_PROFILE
    ids = [w.unit_id for w in wards]
    neighbour_idx = _neighbour_positions(ids, dict(overflow or {}))
    servers_low = np.floor(np.array([w.servers for w in wards], dtype=float) + 1e-9)
    servers_share = np.clip(np.array([w.servers for w in wards], dtype=float) - servers_low, 0.0, 1.0)
    horizon = warmup_hours + weeks * HOURS_PER_WEEK
    rng = np.random.default_rng(seed)
    counts = np.zeros((replications, len(wards), 4))  # arrivals, redirected, received, lost
    for r in range(replications):
        extra = rng.uniform(size=len(wards)) < servers_share if servers_share.any() else np.zeros(len(wards), bool)
        servers = (servers_low + extra).astype(int).tolist()
        times = [_arrivals(rng, w.arrivals_per_week / HOURS_PER_WEEK, horizon, profile) for w in wards]
        owner = [np.full(len(t), i) for i, t in enumerate(times)]
        t_all = np.concatenate(times)
        order = np.argsort(t_all, kind="stable")
        t_all, o_all = t_all[order], np.concatenate(owner)[order]
        if np.ndim(ward_stays):  # each unit's own mean: the same draws, scaled by the arrival's unit
            stays = _stays(rng, len(t_all), 1.0, stay_cv) * ward_stays[o_all]
        else:
            stays = _stays(rng, len(t_all), ward_stays, stay_cv)
        _replay(counts[r], t_all, o_all, stays, servers, neighbour_idx, warmup_hours)
    with np.errstate(invalid="ignore", divide="ignore"):
        blocked_share = counts[:, :, 1] / counts[:, :, 0]
    mean_b = np.nanmean(blocked_share, axis=0)
    se = np.nanstd(blocked_share, axis=0, ddof=1) / np.sqrt(replications)
    total = counts.sum(axis=0)
    return pd.DataFrame(
        {
            "unit_id": ids,
            "servers": [w.servers for w in wards],
            "arrivals": total[:, 0],
            "redirected": total[:, 1],
            "received_from_neighbour": total[:, 2],
            "overflow_lost": total[:, 3],
            "blocking": mean_b,
            "blocking_ci_low": mean_b - Z95 * se,
            "blocking_ci_high": mean_b + Z95 * se,
            "replications": replications,
        }
    )


def agreement(
    cases: Sequence[tuple[float, int]],
    mean_stay_hours: float = DEFAULT_MEAN_STAY_HOURS,
    weeks: float = 20.0,
    replications: int = 40,
    seed: int = 0,
    stay_cv: float = DEFAULT_STAY_CV,
) -> pd.DataFrame:
    """Simulated blocking against Erlang B for (load in erlangs, servers) cases, constant
    arrival rate, log-normal stays (the formula holds for any stay distribution)."""
    rows = []
    for k, (load, servers) in enumerate(cases):
        ward = Ward("W", load / mean_stay_hours * HOURS_PER_WEEK, servers)
        sim = simulate([ward], mean_stay_hours, weeks, replications, seed + k, stay_cv).iloc[0]
        formula = erlang_b(load, servers)
        rows.append(
            {
                "load_erlangs": load,
                "servers": servers,
                "erlang_b": formula,
                "simulated": sim["blocking"],
                "ci_low": sim["blocking_ci_low"],
                "ci_high": sim["blocking_ci_high"],
                "within_ci": bool(sim["blocking_ci_low"] <= formula <= sim["blocking_ci_high"]),
                "arrivals": int(sim["arrivals"]),
            }
        )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- summer views
def simulate_summer(
    weekly: pd.DataFrame,
    mean_stay_hours: Stay,
    profile: ArrivalProfile,
    overflow: Mapping[str, Sequence[str]],
    replications: int,
    seed: int,
    stay_cv: float = DEFAULT_STAY_CV,
    servers_col: str = "rooms_staffed",
    overflow_only: bool = False,
) -> pd.DataFrame:
    """Redirected women per unit over a summer by four methods, week by week at the mean
    arrival rate: Erlang B; simulation with constant arrivals (checks the formula);
    simulation with the hour-of-day and weekday pattern; and the same with overflow to
    neighbouring units (regional coordination). Also the women received from a neighbour
    and those no neighbour could take. ``overflow_only``: the simulation with overflow
    alone (the same draws; the two others' columns NaN), all a scenario needs."""
    rows = []
    for week, part in weekly.groupby("iso_week", sort=True):
        wards = [Ward(u, float(d), float(s)) for u, d, s in zip(part["unit_id"], part["deliveries"], part[servers_col])]
        deliveries = part["deliveries"].to_numpy(float)
        formula = deliveries * blocking(deliveries, part[servers_col].to_numpy(), row_stays(part["unit_id"], mean_stay_hours))
        common = dict(mean_stay_hours=mean_stay_hours, weeks=1.0, replications=replications, stay_cv=stay_cv)
        skipped = pd.DataFrame({"redirected": np.full(len(wards), np.nan)})
        flat = skipped if overflow_only else simulate(wards, seed=seed + week, **common)
        peaks = skipped if overflow_only else simulate(wards, seed=seed + 1000 + week, profile=profile, **common)
        pooled = simulate(wards, seed=seed + 2000 + week, profile=profile, overflow=overflow, **common)
        for i, uid in enumerate(part["unit_id"]):
            per_rep = replications  # simulated counts are totals over replications
            rows.append(
                {
                    "unit_id": uid,
                    "iso_week": week,
                    "erlang_b": formula[i],
                    "sim_constant": flat["redirected"].iloc[i] / per_rep,
                    "sim_pattern": peaks["redirected"].iloc[i] / per_rep,
                    "sim_pattern_overflow": pooled["redirected"].iloc[i] / per_rep,
                    "received_from_neighbour": pooled["received_from_neighbour"].iloc[i] / per_rep,
                    "not_placed": pooled["overflow_lost"].iloc[i] / per_rep,
                }
            )
    weeks = pd.DataFrame(rows)
    totals = weeks.drop(columns="iso_week").groupby("unit_id", as_index=False, sort=False).sum(min_count=1)  # NaN stays NaN
    region = totals.drop(columns="unit_id").sum(min_count=1).to_frame().T.assign(unit_id="REGION")
    return pd.concat([totals, region[totals.columns]], ignore_index=True)


def neonatal_risk(neonatal: pd.DataFrame, high_risk: float) -> pd.DataFrame:
    """Blocking per unit, week and care level for cots (Erlang B with the staffed cots),
    and the expected admissions turned away (to be cared for elsewhere)."""
    cot_blocking = erlang_b_mixed(neonatal["load_erlangs"].to_numpy(float), neonatal["cots_staffed"].to_numpy(float))
    return neonatal.assign(blocking=cot_blocking, turned_away=neonatal["admissions"] * cot_blocking, at_risk=cot_blocking > high_risk)


class CapacitySettings(BaseModel):
    """Settings of the capacity and redirection-risk model (config section ``capacity``).

    ``mean_stay_hours`` default 8: an assumption. No Swedish measured figure is public
    (data/raw/public/SOURCES.md, known gaps). It is built from WHO's intrapartum-care
    recommendations (2018: the active first stage usually lasts up to 12 h in a first
    labour and 10 h in later ones, the second stage up to 3 h and 2 h), most labours
    being shorter than these limits, plus about 2 h of observation in the delivery room
    after the birth. Replace it with the unit's own mean from its patient records.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    mean_stay_hours: float = Field(
        DEFAULT_MEAN_STAY_HOURS, gt=0, le=72, description="mean delivery-room stay in hours (ASSUMPTION; the prior of the calibration)"
    )
    calibrate_stay: bool = Field(
        True, description="estimate the effective stay from the redirection log (model.calibration) and use it for the outlook"
    )
    stay_cv: float = Field(DEFAULT_STAY_CV, ge=0, le=5, description="coefficient of variation of the stay in the simulation")
    high_risk_blocking: float = Field(DEFAULT_HIGH_RISK, ge=0, le=1, description="blocking above which a week counts as at risk")
    extra_fte_weeks: int = Field(
        40,
        ge=0,
        le=100000,
        description="ASSUMPTION: extra delivery-ward midwife FTE-weeks to allocate next summer (what a summer-pay offer buys)",
    )
    neonatal_history_years: int = Field(3, ge=1, le=10, description="complete years of neonatal admissions behind the rates")
    forecast_draws: int = Field(DEFAULT_DRAWS, ge=100, le=100000, description="draws from the forecast's uncertainty")
    forecast_error_correlation: float | None = Field(
        None,
        ge=0,
        le=1,
        description="correlation of the units' forecast errors (a common regional part); "
        "default: estimated from the units' year-on-year changes in deliveries (model.planning)",
    )
    simulation_replications: int = Field(30, ge=2, le=1000, description="replications of the ward simulation")
    seed: int = Field(20260601, ge=0, le=2**32 - 1, description="whole number seeding the draws and the simulation")
    arrival_profile: ArrivalProfile = Field(default_factory=ArrivalProfile)
    overflow: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: {"OSTRA": ("SAS", "NAL"), "NAL": ("OSTRA",), "SAS": ("OSTRA",), "SKAS": ("SAS", "OSTRA")},
        description="mapping from a unit id to the neighbouring unit ids that take its overflow, in order of preference",
    )

    @field_validator("overflow", mode="before")
    @classmethod
    def _lists(cls, value):
        if isinstance(value, dict):  # YAML gives lists; strict mode wants tuples
            return {k: tuple(v) if isinstance(v, list) else v for k, v in value.items()}
        return value

    @field_validator("overflow")
    @classmethod
    def _not_to_itself(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for unit, neighbours in value.items():
            if unit in neighbours:
                raise KeyedError(unit, "a unit cannot overflow to itself", relative=True)
        return value


def neonatal_summary(ahead: pd.DataFrame) -> pd.DataFrame:
    """Per unit and care level of the outlook's neonatal rows (:func:`neonatal_risk`): the
    infants expected to be cared for elsewhere over the summer (``away``), the worst week's
    blocking (``worst``) and the fewest cots staffed in a week (``staffed_min``); the level
    with most infants away first."""
    out = ahead.groupby(["unit_id", "care_level"], as_index=False).agg(
        away=("turned_away", "sum"), worst=("blocking", "max"), staffed_min=("cots_staffed", "min")
    )
    return out.sort_values(["away", "unit_id", "care_level"], ascending=[False, True, True], ignore_index=True)
