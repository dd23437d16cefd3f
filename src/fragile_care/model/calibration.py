"""The capacity model calibrated against the redirection log.

The loss model predicts, for a week with ``d`` deliveries on ``s`` staffed rooms, the
expected number of women turned away ``d·B(d·τ/168, s)`` (capacity.blocking), where ``τ``
is the mean delivery-room stay in hours. The configured ``τ`` is an assumption (no Swedish
figure is public), and everything else the model leaves out (the share of midwives on the
delivery ward, women who wait instead of leaving, rooms opened by staff called in) also
shows up as a model that predicts more or fewer redirections than the log records. So
``τ`` is estimated as an *effective* stay: the one value that makes the model agree best
with the logged redirections for capacity reasons (platsbrist, bemanning) in the summers
observed.

Estimation: the logged women per unit and summer week are taken as Poisson with mean
``d·B(d·τ/168, s)``; ``τ`` maximises the likelihood (one parameter, bounded search on
``log τ``). Its confidence interval is the profile-likelihood interval, widened by the
Pearson dispersion ``φ = X²/(n − 1)`` when the counts vary more than Poisson (quasi-
likelihood; McCullagh & Nelder, *Generalized Linear Models*, 2nd ed., 1989, §9.2).
Backtest: fit on every summer but the last, predict the last, compare with its log.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel
from scipy import optimize, stats

from fragile_care.model import capacity
from fragile_care.model.describe import CAPACITY_REASONS, redirections_weekly

STAY_BOUNDS = (1.0, 48.0)  # hours; an estimate at a bound is not used
MIN_LOGGED = 10  # fewer logged women than this cannot pin the stay down


@dataclass(frozen=True)
class StayFit:
    """A fitted effective stay, or why none was fitted (``used`` False)."""

    effective_stay_hours: float  # the prior when no fit was made (used False)
    ci_low: float
    ci_high: float
    dispersion: float
    weeks: int
    logged: float
    predicted: float
    used: bool
    reason: str


def logged_by_week(redirections: pd.DataFrame) -> pd.DataFrame:
    """Women in the log per sending unit and ISO week, for capacity reasons only."""
    capacity_only = redirections[redirections["reason"].isin(CAPACITY_REASONS)]
    return redirections_weekly(capacity_only).rename(columns={"women": "logged"}).astype({"logged": float})


def weekly_with_log(observed: pd.DataFrame, redirections: pd.DataFrame) -> pd.DataFrame:
    """The observed unit-weeks (deliveries, rooms_staffed) with the logged women of each
    (0 where the log has none)."""
    keys = ["unit_id", "iso_year", "iso_week"]
    frame = observed[[*keys, "deliveries", "rooms_staffed"]].merge(logged_by_week(redirections), on=keys, how="left", validate="one_to_one")
    return frame.fillna({"logged": 0.0})


def _predicted(frame: pd.DataFrame, stay: float) -> np.ndarray:
    d = frame["deliveries"].to_numpy(float)
    return d * capacity.blocking(d, frame["rooms_staffed"].to_numpy(float), stay)


def _loglik(frame: pd.DataFrame, stay: float) -> float:
    mu = np.maximum(_predicted(frame, stay), 1e-12)
    y = frame["logged"].to_numpy(float)
    return float(np.sum(y * np.log(mu) - mu))


def fit_stay(frame: pd.DataFrame, configured: float, level: float = 0.95) -> StayFit:
    """Maximum-likelihood effective stay from ``frame`` (:func:`weekly_with_log`).

    Falls back to ``configured`` (``used`` False, with the reason) when the log holds
    fewer than :data:`MIN_LOGGED` women or the estimate lies at a bound of
    :data:`STAY_BOUNDS`.
    """
    logged = float(frame["logged"].sum())
    n = len(frame)

    def fallback(reason: str) -> StayFit:
        return StayFit(configured, math.nan, math.nan, math.nan, n, logged, float(_predicted(frame, configured).sum()), False, reason)

    if logged < MIN_LOGGED:
        return fallback(f"loggen har {logged:.0f} hänvisade av kapacitetsskäl under de observerade somrarna; minst {MIN_LOGGED} behövs")
    lo, hi = (math.log(b) for b in STAY_BOUNDS)
    res = optimize.minimize_scalar(lambda x: -_loglik(frame, math.exp(x)), bounds=(lo, hi), method="bounded", options={"xatol": 1e-6})
    best = float(res.x)
    if best - lo < 1e-3 or hi - best < 1e-3:
        return fallback(f"skattningen hamnar vid gränsen {math.exp(best):.1f} timmar; modellen kan inte förklara loggen med vårdtiden")
    stay = math.exp(best)
    mu = _predicted(frame, stay)
    y = frame["logged"].to_numpy(float)
    dispersion = max(1.0, float(np.sum((y - mu) ** 2 / np.maximum(mu, 1e-12)) / max(n - 1, 1)))
    top = _loglik(frame, stay)
    cut = stats.chi2.ppf(level, 1) / 2 * dispersion

    def edge(bound: float) -> float:
        f = lambda x: top - _loglik(frame, math.exp(x)) - cut  # noqa: E731
        return math.exp(optimize.brentq(f, best, bound)) if f(bound) > 0 else math.exp(bound)

    return StayFit(stay, edge(lo), edge(hi), dispersion, n, logged, float(mu.sum()), True, "")


def calibrate(observed: pd.DataFrame, redirections: pd.DataFrame, configured: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The effective stay fitted on every observed summer (the one the outlook uses) and
    on all but the last (the backtest), and the backtest per unit.

    Returns (fits: one row per fit with ``role`` "used" or "backtest"; backtest: per unit
    for the last summer, logged against predicted with the configured stay and with the
    stay fitted on the earlier summers).
    """
    frame = weekly_with_log(observed, redirections)
    years = sorted(frame["iso_year"].unique())
    rows = [("used", years, fit_stay(frame, configured))]
    earlier = frame[frame["iso_year"] < years[-1]]
    back = fit_stay(earlier, configured) if len(years) > 1 else None
    if back is not None:
        rows.append(("backtest", years[:-1], back))
    fits = pd.DataFrame(
        [
            {
                "role": role,
                "years": ", ".join(str(y) for y in ys),
                "prior_stay_hours": configured,
                "effective_stay_hours": f.effective_stay_hours,
                "ci_low": f.ci_low,
                "ci_high": f.ci_high,
                "dispersion": f.dispersion,
                "weeks": f.weeks,
                "logged": f.logged,
                "predicted": f.predicted,
                "used": f.used,
                "reason": f.reason,
            }
            for role, ys, f in rows
        ]
    )
    if back is None:
        return fits, pd.DataFrame(columns=["unit_id", "iso_year", "logged", "predicted_configured", "predicted_calibrated"])
    last = frame[frame["iso_year"] == years[-1]]
    test = last.assign(predicted_configured=_predicted(last, configured), predicted_calibrated=_predicted(last, back.effective_stay_hours))
    per_unit = test.groupby(["unit_id", "iso_year"], as_index=False)[["logged", "predicted_configured", "predicted_calibrated"]].sum()
    total = per_unit.drop(columns=["unit_id", "iso_year"]).sum().to_frame().T.assign(unit_id="REGION", iso_year=years[-1])
    return fits, pd.concat([per_unit, total[per_unit.columns]], ignore_index=True)


def used_fit(fits: pd.DataFrame) -> pd.Series:
    """The row of :func:`calibrate`'s fits that the outlook uses (fitted on every summer)."""
    return fits[fits["role"] == "used"].iloc[0]


def effective_stay(fits: pd.DataFrame) -> float:
    """The stay the outlook and scenarios use: the calibrated one when it was fitted, else
    the configured one."""
    row = used_fit(fits)
    return float(row["effective_stay_hours"]) if bool(row["used"]) else float(row["prior_stay_hours"])


CALIBRATED = {"capacity.mean_stay_hours"}  # the settings the calibration estimates


def resolved_settings(sections: Mapping[str, BaseModel], fits: pd.DataFrame) -> pd.DataFrame:
    """Every number of the given configuration sections with the value the model uses
    (``value``), where it comes from (``source``: configured in the run file, the schema's
    default, or calibrated against the redirection log), its 95 % interval when it is
    estimated (``low``, ``high``) and the value before the calibration (``prior``). The one
    table later steps and notebooks take settings from; nothing re-derives them."""
    used = used_fit(fits)
    rows = []
    for section, model in sections.items():
        for setting, value, configured in _numbers(section, model):
            row = {"setting": setting, "value": value, "source": "configured" if configured else "default"}
            row.update(low=math.nan, high=math.nan, prior=value)
            if setting in CALIBRATED and bool(used["used"]):
                row.update(value=float(used["effective_stay_hours"]), source="calibrated", low=used["ci_low"], high=used["ci_high"])
            rows.append(row)
    return pd.DataFrame(rows, columns=["setting", "value", "source", "low", "high", "prior"]).astype(
        {"value": float, "low": float, "high": float, "prior": float}
    )


def _numbers(prefix: str, model: BaseModel):
    """(dotted name, number, set in the run file) for every number of a settings model,
    nested models and mappings of numbers included; flags and texts are left out."""
    for name, value in model:
        key, configured = f"{prefix}.{name}", name in model.model_fields_set
        if isinstance(value, BaseModel):
            yield from ((k, v, configured and c) for k, v, c in _numbers(key, value))
        elif isinstance(value, dict):
            yield from ((f"{key}.{k}", float(v), configured) for k, v in value.items() if _is_number(v))
        elif _is_number(value):
            yield key, float(value), configured


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def setting(resolved: pd.DataFrame, name: str) -> float:
    """The value the model uses for ``name`` (e.g. ``capacity.mean_stay_hours``)."""
    found = resolved.loc[resolved["setting"] == name, "value"]
    if found.empty:
        raise KeyError(f"{name} is not in resolved_settings")
    return float(found.iloc[0])


def prediction_interval(mean: float, dispersion: float, level: float = 0.8) -> tuple[float, float]:
    """Central interval for a count with the given mean and dispersion (variance =
    dispersion × mean): the Poisson quantiles when the dispersion is 1, else the negative
    binomial with that variance."""
    if mean <= 0:
        return 0.0, 0.0
    tail = (1 - level) / 2
    if dispersion <= 1.0 + 1e-9:
        dist = stats.poisson(mean)
    else:
        p = 1.0 / dispersion
        dist = stats.nbinom(mean * p / (1 - p), p)
    return float(dist.ppf(tail)), float(dist.ppf(1 - tail))
