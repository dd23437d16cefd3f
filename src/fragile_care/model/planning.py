"""The planning figure's uncertainty: every source the steering group's number carries.

The expected redirections next summer depend on

1. **the births**, forecast per unit with a log-scale error. The units' errors are not
   independent: a regional change (fewer births everywhere) moves them together. Each
   unit's error is ``√ρ·z_common + √(1−ρ)·z_unit`` (standard normal parts), so the units'
   errors correlate ``ρ`` (``capacity.forecast_draws``). ``ρ`` is estimated from the data as
   the mean pairwise correlation of the units' year-on-year changes in log deliveries
   (:func:`error_correlation`), unless the run file sets it;
2. **each unit's effective delivery-room time**, calibrated against the log with its
   posterior uncertainty (``unit_calibration.draw_log_stays``): a draw of every unit's
   time, shared by all its weeks, per forecast draw (:func:`parameter_draws`);
3. **what the model leaves out**: a unit-summer effect Gamma(1/κ, κ) and the Poisson count
   of the women themselves, with κ the summer effect's variance drawn with the times
   (:func:`predictive_totals`), as in the calibration's likelihood and its backtest;
4. **Monte Carlo error**: the standard error of the mean over the draws, reported beside it.

The planning figure is the mean of the predictive draws (the expected number) and its
interval the predictive 10th-90th percentiles: the range the logged count will fall in
four summers out of five if the model holds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from fragile_care.model import capacity, chain

DRAW_COLUMNS = ["draw", "unit_id", "stay_hours", "summer_effect"]
MIN_YEARS = 4  # complete years of deliveries needed to estimate the correlation


def error_correlation(births: pd.DataFrame, units) -> tuple[float, float, float]:
    """The correlation of the units' forecast errors, estimated as the mean pairwise
    correlation of their year-on-year changes in log deliveries over complete calendar
    years (``births``: unit_id, month, deliveries), with the 10th and 90th percentiles of
    the pairwise correlations. Clipped to [0, 1]; 0 (no estimate) with fewer than two
    units or :data:`MIN_YEARS` complete years in common."""
    frame = births[births["unit_id"].isin(list(units))].assign(year=births["month"].dt.year)
    months = frame.groupby(["unit_id", "year"])["month"].nunique()
    complete = months[months == 12].index
    annual = frame.groupby(["unit_id", "year"])["deliveries"].sum().loc[complete].unstack("unit_id").dropna()
    if annual.shape[1] < 2 or annual.shape[0] < MIN_YEARS or (annual <= 0).any().any():
        return 0.0, 0.0, 0.0
    changes = np.log(annual).diff().dropna()
    corr = changes.corr().to_numpy()
    pairs = corr[np.triu_indices_from(corr, k=1)]
    pairs = pairs[np.isfinite(pairs)]
    if pairs.size == 0:
        return 0.0, 0.0, 0.0
    low, high = np.quantile(pairs, [0.1, 0.9])
    return (float(np.clip(pairs.mean(), 0, 1)), float(np.clip(low, 0, 1)), float(np.clip(high, 0, 1)))


def parameter_draws(draws: pd.DataFrame, unit_ids, n_draws: int, fallback: float) -> tuple[np.ndarray, np.ndarray]:
    """Each row's delivery-room time per draw (rows of ``unit_ids`` × ``n_draws``) and the
    summer effect's variance per draw, from the calibration's joint posterior draws
    (``draws``: draw, unit_id, stay_hours, summer_effect), reused in turn when the
    forecast has more draws than the posterior. A unit without draws gets ``fallback``
    hours (the units' common time); no draws at all: ``fallback`` and κ = 0."""
    ids = [str(u) for u in np.asarray(unit_ids, dtype=object)]
    if draws.empty:
        return np.full((len(ids), n_draws), float(fallback)), np.zeros(n_draws)
    wide = draws.pivot(index="draw", columns="unit_id", values="stay_hours").sort_index()
    kappa = draws.groupby("draw")["summer_effect"].first().sort_index().to_numpy(float)
    pick = np.arange(n_draws) % len(wide)
    hours = np.array([wide[u].to_numpy(float)[pick] if u in wide else np.full(n_draws, float(fallback)) for u in ids])
    return hours.reshape(len(ids), n_draws), kappa[pick]


def predictive_totals(frame: pd.DataFrame, expected: np.ndarray, kappa: np.ndarray, seed: int, by: str = "unit_id") -> pd.DataFrame:
    """Women redirected over the weeks per group (``by``) and for REGION: the expected
    number (mean over the draws of the expected women, ``expected``: rows of ``frame`` ×
    draws), the predictive 80 % interval (a summer effect with variance ``kappa`` per group
    and draw, then a Poisson count; REGION the sum of the groups' counts) and the Monte
    Carlo standard error of the expected number (``redirected_mc_se``)."""
    rng = np.random.default_rng([seed, 28])
    safe = np.maximum(kappa, 1e-9)
    rows, region, region_mean = [], np.zeros(expected.shape[1]), np.zeros(expected.shape[1])
    for key, idx in frame.groupby(by, sort=False).indices.items():
        mean = expected[idx].sum(axis=0)
        effect = np.where(kappa > 1e-9, rng.gamma(1.0 / safe, safe), 1.0)
        counts = rng.poisson(np.maximum(mean, 0.0) * effect).astype(float)
        region, region_mean = region + counts, region_mean + mean
        rows.append(_total_row(by, key, mean, counts))
    rows.append(_total_row(by, "REGION", region_mean, region))
    return pd.DataFrame(rows)


def redirection_risk(
    weekly: pd.DataFrame,
    servers_col: str,
    mean_stay_hours: capacity.Stay,
    n_draws: int = capacity.DEFAULT_DRAWS,
    seed: int = 0,
    high_risk: float = capacity.DEFAULT_HIGH_RISK,
    arrivals: np.ndarray | None = None,
    stay_draws: np.ndarray | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Blocking probability and expected redirected women per unit and week, with the
    forecast's uncertainty.

    ``weekly`` has unit_id, iso_year, iso_week, deliveries, sigma_log and ``servers_col``
    (staffed rooms). ``arrivals``: the draws of :func:`capacity.forecast_draws` when the caller
    already has them (else drawn here with ``n_draws`` and ``seed``); ``stay_draws``: each
    row's delivery-room time per draw (the calibration's posterior draws,
    ``planning.parameter_draws``), else ``mean_stay_hours`` in every draw. Returns the table
    with blocking and redirected at the forecast mean, their 10th-90th percentiles over the
    draws, and ``p_high`` = the probability that the blocking exceeds ``high_risk``; and the
    array of redirected women per row and draw.

    The blocking is the care chain's (``model.chain``): where ``weekly`` has the BB link
    (bb_beds, bb_stay_hours) a full BB keeps women in their delivery rooms; without it the
    rooms alone (Erlang B). ``bb_wait_hours`` is the mean wait for a bed at the forecast mean.
    """
    stays = capacity.row_stays(weekly["unit_id"], mean_stay_hours)
    draws = capacity.forecast_draws(weekly, n_draws, seed) if arrivals is None else arrivals
    deliveries = weekly["deliveries"].to_numpy(float)
    servers = weekly[servers_col].to_numpy()
    point = np.broadcast_to(stays, deliveries.shape)
    per_draw = stay_draws if stay_draws is not None else point
    beds, ward_stay = chain.ward_of(weekly)
    blocking_draws, _ = chain.chain_draws(draws, servers, per_draw, beds, ward_stay, point)
    redirected_draws = draws * blocking_draws
    at_mean, wait = chain.chain_blocking(deliveries, servers, point, beds, ward_stay)
    out = weekly.assign(
        bb_wait_hours=wait,
        load_erlangs=capacity.offered_load(deliveries, stays),
        blocking=at_mean,
        redirected=deliveries * at_mean,
        redirected_mean=redirected_draws.mean(axis=1),
        redirected_p10=np.percentile(redirected_draws, 10, axis=1),
        redirected_p90=np.percentile(redirected_draws, 90, axis=1),
        blocking_p10=np.percentile(blocking_draws, 10, axis=1),
        blocking_p90=np.percentile(blocking_draws, 90, axis=1),
        p_high=(blocking_draws > high_risk).mean(axis=1),
    )
    return out, redirected_draws


def _total_row(by: str, key, mean: np.ndarray, counts: np.ndarray) -> dict:
    low, high = np.quantile(counts, [0.1, 0.9])
    return {
        by: key,
        "redirected_mean": float(mean.mean()),
        "redirected_p10": float(low),
        "redirected_p90": float(high),
        "redirected_mc_se": float(mean.std(ddof=1) / math.sqrt(len(mean))) if len(mean) > 1 else math.nan,
    }
