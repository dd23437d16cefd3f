"""The effective delivery-room time of each unit, calibrated against the redirection log
with partial pooling, and a rolling backtest of what it predicts.

Model. The women logged as redirected for capacity reasons by unit ``u`` in summer week
``w`` have mean ``m_uw(τ_u) = d_uw · B(d_uw · τ_u / 168, s_uw)`` (``capacity.blocking``;
``d`` deliveries, ``s`` staffed rooms, ``τ_u`` the unit's effective time in hours). A
unit's weeks in one summer share whatever the model leaves out (a summer's routines, a
manager's practice of logging), so the unit-summer total ``Y_us`` is negative binomial
around ``M_us = Σ_w m_uw``: a gamma-distributed summer effect with variance ``κ`` times a
Poisson count (variance ``M + κ M²``). ``κ`` is estimated from the unit-summer totals by
the method of moments with a degrees-of-freedom correction; counting the weeks as
independent Poisson draws would make every interval too narrow.

Partial pooling (hierarchical Bayes on a grid): ``log τ_u ~ N(μ, σ²)`` with a flat prior
on ``μ`` and a half-normal prior on ``σ`` (scale :data:`SIGMA_SCALE`: effective times that
differ between units by up to about half are plausible; chosen before looking at any log,
checked on simulated data in ``tests/statistical``). Each unit's likelihood is evaluated on
a grid of ``log τ``; the posterior of ``(μ, σ)`` and of each unit's ``log τ`` follow by
summing over the grids, so a unit with little in its log is pulled towards the units'
common time, a unit with much keeps its own, and the uncertainty of ``μ`` and ``σ`` is in
every interval (with few units an estimated ``σ`` plugged in would overstate the pooling).
References: Gelman et al., *Bayesian Data Analysis* (3rd ed., 2013) §5.4 (the hierarchical
normal model computed on a grid); Cameron & Trivedi, *Regression Analysis of Count Data*
(2013) §3.2 for the negative binomial (NB2) and its moment estimator.

The rolling backtest fits on the summers before each logged summer and predicts it per
unit and for the region: draws of ``(μ, σ)``, of each unit's ``log τ`` given them, of a
summer effect with variance ``κ`` and of a Poisson count give the 80 % interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import gammaln

from fragile_care.model import capacity, chain

LOG_BOUNDS = (math.log(1.0), math.log(48.0))  # hours
GRID = np.linspace(math.log(2.0), math.log(40.0), 241)  # log τ
MU_GRID = GRID[::4]
SIGMA_GRID = np.linspace(0.01, 1.0, 34)
SIGMA_SCALE = 0.5  # half-normal prior of the spread of log τ between units
KAPPA_GRID = np.array([0.0, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.65, 0.8, 1.0])
Z80 = float(stats.norm.ppf(0.9))
PREDICTIVE_DRAWS = 4000
POSTERIOR_CHUNK = 256  # (μ, σ) pairs per step of UnitFit.unit_posterior
WAIT_POINTS = 17  # room times the BB wait is solved at before interpolating


@dataclass(frozen=True)
class UnitFit:
    """The posterior on the grids: per unit (``units``: unit_id, weeks, summers, logged,
    predicted at the median), the log-likelihood on :data:`GRID` for every summer-effect
    variance of :data:`KAPPA_GRID` (``loglik``: κ × units × grid), and the posterior weights
    of (κ, μ, σ) on :data:`KAPPA_GRID` × :data:`MU_GRID` × :data:`SIGMA_GRID`."""

    units: pd.DataFrame
    loglik: np.ndarray
    weights: np.ndarray

    @property
    def kappa(self) -> float:
        """Posterior mean of the summer effect's variance."""
        return float(np.sum(self.weights.sum(axis=(1, 2)) * KAPPA_GRID))

    def unit_posterior(self) -> np.ndarray:
        """Each unit's posterior over :data:`GRID` (rows sum to 1)."""
        out = np.zeros(self.loglik.shape[1:])
        for k in range(len(KAPPA_GRID)):
            i, j = np.nonzero(self.weights[k] > 1e-9)
            for part in range(0, len(i), POSTERIOR_CHUNK):  # (μ, σ) pairs at a time: bounded memory
                sel = slice(part, part + POSTERIOR_CHUNK)
                cond = _conditional(self.loglik[k], MU_GRID[i[sel]], SIGMA_GRID[j[sel]])
                out += np.einsum("p,pug->ug", self.weights[k, i[sel], j[sel]], cond)
        return out / out.sum(axis=1, keepdims=True)

    def quantiles(self, q: tuple[float, ...] = (0.1, 0.5, 0.9)) -> np.ndarray:
        """Per unit the posterior quantiles of log τ (interpolated on the grid)."""
        cdf = np.cumsum(self.unit_posterior(), axis=1)
        return np.array([[np.interp(p, c, GRID) for p in q] for c in cdf])

    def pooled(self) -> tuple[float, float]:
        """Posterior means of μ (as hours) and σ."""
        return (
            float(np.exp(np.sum(self.weights.sum(axis=(0, 2)) * MU_GRID))),
            float(np.sum(self.weights.sum(axis=(0, 1)) * SIGMA_GRID)),
        )


def _summer_means(frame: pd.DataFrame, log_stays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(expected totals: one row per ``log_stays`` value, one column per summer; logged totals)."""
    d = frame["deliveries"].to_numpy(float)
    s = frame["rooms_staffed"].to_numpy(float)
    log_tau = np.atleast_1d(np.asarray(log_stays, float))
    m = d[None, :] * capacity.blocking(d[None, :], s[None, :], np.exp(log_tau)[:, None] + _bb_waits(frame, log_tau))
    years = frame["iso_year"].to_numpy()
    keys = np.unique(years)
    expected = np.stack([m[:, years == y].sum(axis=1) for y in keys], axis=1)
    logged = np.array([frame["logged"].to_numpy(float)[years == y].sum() for y in keys])
    return expected, logged


def _bb_waits(frame: pd.DataFrame, log_tau: np.ndarray) -> np.ndarray | float:
    """Each week's mean wait for a BB bed (``model.chain``) for every room time of
    ``log_tau`` (values × weeks): solved on :data:`WAIT_POINTS` room times spanning them and
    interpolated (the wait is smooth in the room time); 0 without the BB link."""
    beds, stay = chain.ward_of(frame)
    if not np.isfinite(beds).any():
        return 0.0
    d = frame["deliveries"].to_numpy(float)
    s = frame["rooms_staffed"].to_numpy(float)
    coarse = np.linspace(log_tau.min(), log_tau.max(), WAIT_POINTS) if log_tau.size > WAIT_POINTS else np.unique(log_tau)
    _, waits = chain.chain_blocking(d[None, :], s[None, :], np.exp(coarse)[:, None], beds[None, :], stay[None, :])
    if coarse.size == 1:
        return np.broadcast_to(waits, (log_tau.size, d.size))
    return np.stack([np.interp(log_tau, coarse, waits[:, j]) for j in range(d.size)], axis=1)


def _nb_loglik(mean: np.ndarray, y: np.ndarray, kappa: float) -> np.ndarray:
    """NB2 log-likelihood summed over the last axis (variance M + κM²; Poisson when κ is 0)."""
    mean = np.maximum(mean, 1e-12)
    if kappa <= 1e-9:
        return np.sum(y * np.log(mean) - mean - gammaln(y + 1), axis=-1)
    r = 1.0 / kappa
    terms = gammaln(y + r) - gammaln(r) - gammaln(y + 1) + r * np.log(r / (r + mean)) + y * np.log(mean / (r + mean))
    return np.sum(terms, axis=-1)


def _conditional(loglik: np.ndarray, mu, sigma) -> np.ndarray:
    """Each unit's posterior over the grid given (μ, σ) (rows sum to 1); with arrays of μ
    and σ, one such table per pair (pairs × units × grid)."""
    mu, sigma = np.asarray(mu, float)[..., None, None], np.asarray(sigma, float)[..., None, None]
    log_post = loglik - (GRID - mu) ** 2 / (2 * sigma**2)
    post = np.exp(log_post - log_post.max(axis=-1, keepdims=True))
    return post / post.sum(axis=-1, keepdims=True)


def fit_units(frame: pd.DataFrame) -> UnitFit:
    """Each unit's effective room time from ``frame`` (``calibration.weekly_with_log``:
    unit_id, iso_year, iso_week, deliveries, rooms_staffed, logged), pooled across units."""
    ids = sorted(frame["unit_id"].unique())
    frames = [frame[frame["unit_id"] == u] for u in ids]
    totals = [_summer_means(f, GRID) for f in frames]
    loglik = np.stack([np.stack([_nb_loglik(m, y, kappa) for m, y in totals]) for kappa in KAPPA_GRID])  # κ × units × grid
    # each unit's marginal likelihood for every (κ, μ, σ): the sum over the grid of log τ
    step = GRID[1] - GRID[0]
    density = np.exp(-((GRID[None, None, :] - MU_GRID[:, None, None]) ** 2) / (2 * SIGMA_GRID[None, :, None] ** 2))
    density /= math.sqrt(2 * math.pi) * SIGMA_GRID[None, :, None]
    top = loglik.max(axis=(0, 2), keepdims=True)  # per unit, so every κ is on one scale
    marginal = np.einsum("abg,kug->kuab", density, np.exp(loglik - top)) * step  # κ × units × μ × σ
    log_weights = np.log(np.maximum(marginal, 1e-300)).sum(axis=1) - SIGMA_GRID[None, None, :] ** 2 / (2 * SIGMA_SCALE**2)
    weights = np.exp(log_weights - log_weights.max())
    fit = UnitFit(pd.DataFrame({"unit_id": ids}), loglik, weights / weights.sum())
    median = fit.quantiles((0.5,))[:, 0]
    fit.units["weeks"] = [len(f) for f in frames]
    fit.units["summers"] = [int(f["iso_year"].nunique()) for f in frames]
    fit.units["summer_years"] = [years_text(f["iso_year"]) for f in frames]
    fit.units["logged"] = [float(f["logged"].sum()) for f in frames]
    fit.units["predicted"] = [float(_summer_means(f, x)[0].sum()) for f, x in zip(frames, median)]
    return fit


def years_text(years) -> str:
    """The distinct years of ``years`` in order, as "2024, 2025"."""
    return ", ".join(str(int(y)) for y in sorted(set(years)))


def summary(fit: UnitFit, prior_hours: float) -> pd.DataFrame:
    """One row per unit: effective time (hours, the posterior median) with its 80 %
    interval, the prior, the common time and spread, the summer effect, what the fit
    rests on."""
    q = np.exp(fit.quantiles((0.1, 0.5, 0.9)))
    pooled, spread = fit.pooled()
    mu_cdf = np.cumsum(fit.weights.sum(axis=(0, 2)))
    pooled_low, pooled_high = (math.exp(np.interp(p, mu_cdf, MU_GRID)) for p in (0.1, 0.9))
    u = fit.units
    return pd.DataFrame(
        {
            "unit_id": u["unit_id"],
            "effective_stay_hours": q[:, 1],
            "low_80": q[:, 0],
            "high_80": q[:, 2],
            "prior_stay_hours": prior_hours,
            "pooled_stay_hours": pooled,
            "pooled_low_80": pooled_low,
            "pooled_high_80": pooled_high,
            "spread_between_units": spread,
            "summer_effect": fit.kappa,
            "weeks": u["weeks"],
            "summers": u["summers"],
            "summer_years": u["summer_years"],
            "logged": u["logged"],
            "predicted": u["predicted"],
        }
    )


def draw_log_stays(fit: UnitFit, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Joint draws of every unit's log τ (draws × units) and of κ: (κ, μ, σ) from their
    posterior, then each unit given them, so the units' uncertainty is shared through μ."""
    flat = fit.weights.ravel()
    picks = rng.choice(flat.size, size=n, p=flat / flat.sum())
    out = np.empty((n, len(fit.units)))
    kappas = np.empty(n)
    for pick in np.unique(picks):
        rows = np.flatnonzero(picks == pick)
        k, i, j = np.unravel_index(int(pick), fit.weights.shape)
        kappas[rows] = KAPPA_GRID[k]
        cdf = np.cumsum(_conditional(fit.loglik[k], MU_GRID[i], SIGMA_GRID[j]), axis=1)
        u = rng.uniform(size=(len(rows), len(fit.units)))
        for c in range(len(fit.units)):
            out[rows, c] = np.interp(u[:, c], cdf[c], GRID)
    return out, kappas


def predictive_draws(frame: pd.DataFrame, log_stays: np.ndarray, kappas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draws of the logged total over ``frame``'s weeks, one per value of ``log_stays`` (with
    its κ): a summer effect Gamma(1/κ, κ) and a Poisson count around the expected total."""
    means = _summer_means(frame, log_stays)[0].sum(axis=1)
    safe = np.maximum(kappas, 1e-9)
    effect = np.where(kappas > 1e-9, rng.gamma(1.0 / safe, safe), 1.0)
    return rng.poisson(np.maximum(means, 0.0) * effect).astype(float)


def rolling_backtest(frame: pd.DataFrame, seed: int, draws: int = PREDICTIVE_DRAWS) -> pd.DataFrame:
    """Fit on the summers before each logged summer, predict that summer per unit and for
    the region (REGION: the sum of the units' draws): logged against the mean and 80 %
    interval, and whether the interval holds the log."""
    years = sorted(frame["iso_year"].unique())
    rng = np.random.default_rng(seed)
    rows = []
    for year in years[1:]:
        fit = fit_units(frame[frame["iso_year"] < year])
        known = list(fit.units["unit_id"])
        stays, kappas = draw_log_stays(fit, draws, rng)
        mu_draws = np.log(fit.pooled()[0]) + np.zeros(draws)  # a unit without earlier summers: the common time
        test = frame[frame["iso_year"] == year]
        region = np.zeros(draws)
        for u, g in test.groupby("unit_id", sort=True):
            x = stays[:, known.index(u)] if u in known else mu_draws
            counts = predictive_draws(g, x, kappas, rng)
            region += counts
            rows.append(_backtest_row(u, year, years, float(g["logged"].sum()), counts))
        rows.append(_backtest_row("REGION", year, years, float(test["logged"].sum()), region))
    columns = ["unit_id", "iso_year", "fitted_on", "logged", "predicted", "low_80", "high_80", "covered"]
    return pd.DataFrame(rows, columns=columns)


def _backtest_row(unit: str, year: int, years: list, logged: float, counts: np.ndarray) -> dict:
    low, high = (float(v) for v in np.quantile(counts, [0.1, 0.9]))
    return {
        "unit_id": unit,
        "iso_year": int(year),
        "fitted_on": years_text(y for y in years if y < year),
        "logged": logged,
        "predicted": float(counts.mean()),
        "low_80": low,
        "high_80": high,
        "covered": bool(low <= logged <= high),
    }
