"""Births under the unchanged situation: monthly forecasts with calibrated intervals.

Per series, :func:`forecast_births` chooses among candidate models by a rolling-origin
backtest on the series' own history and calibrates its prediction intervals from the
backtest errors (split-conformal on standardised log errors), so the intervals' coverage
is earned, not assumed. A series' own errors come from a few calm years, so its intervals
are set by what forecasts of 42 reference series needed out of sample, shocks included
(:class:`PooledCalibration`), and never made narrower than a Poisson count's noise.
:func:`reconcile` makes unit forecasts add up to the region.

This module is the forecast's entry point: the forecast of a series, of many series
(:func:`run_jobs`) and of every unit and the region, and their evaluation. It also
re-exports the names of the modules that do each job, so ``forecast.X`` reaches them:

``forecast_models``     the candidate models, the weekend adjustment, their combination and
                        the checks of a history (the candidates and why they were chosen)
``forecast_backtest``   backtests inside a series (model selection), evaluation windows and
                        scores, the noise floor
``forecast_intervals``  conformal interval calibration: own errors and the pooled calibration
``forecast_parallel``   each distinct model fit once, in worker processes
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fragile_care.model.forecast_backtest import (
    BACKTEST_HORIZON,
    SELECTION_MARGIN,
    Backtest,
    Fit,
    backtest_origins,
    choose_model,
    evaluation_windows,
    fits_needed,
    noise_floor_scorecard,
    poisson_mean_absolute_deviation,
    run_backtest,
    score,
)
from fragile_care.model.forecast_intervals import (
    POOLED_BANDWIDTH,
    POOLED_CALIBRATION,
    POOLED_HALF_LIVES,
    POOLED_SD_GRID,
    ErrorModel,
    PooledCalibration,
    PooledMemory,
    _short_history_errors,
    calibrate,
    interval_bounds,
    level_variance_per_month,
    load_pooled_calibration,
    pooled_tables,
    weighted_conformal_quantile,
    weighted_conformal_quantiles,
)
from fragile_care.model.forecast_models import (
    CANDIDATES,
    COMBINED,
    MEMBERS,
    MIN_MONTHS,
    MODEL_NAMES_SV,
    SEASON,
    SMALL_SERIES,
    _fit_all,
    _future_index,
    _named,
    _seasonal_mean,
    _snaive,
    combined_members,
    robust_history,
    validate_history,
    weekend_adjustment,
    weekend_effect,
    weekend_share,
)
from fragile_care.model.forecast_parallel import fit_distinct, fit_key

# what ``forecast.X`` offers: the functions defined here and the names of the job modules
# that other modules, the notebooks and the tests use through this module
__all__ = [
    "BACKTEST_HORIZON",
    "CANDIDATES",
    "COMBINED",
    "MEMBERS",
    "MIN_MONTHS",
    "MODEL_NAMES_SV",
    "POOLED_BANDWIDTH",
    "POOLED_CALIBRATION",
    "POOLED_HALF_LIVES",
    "POOLED_SD_GRID",
    "SEASON",
    "SELECTION_MARGIN",
    "SMALL_SERIES",
    "Backtest",
    "ErrorModel",
    "Fit",
    "PooledCalibration",
    "PooledMemory",
    "_fit_all",
    "_future_index",
    "_seasonal_mean",
    "_snaive",
    "annual_totals",
    "backtest_origins",
    "calibrate",
    "choose_model",
    "combined_members",
    "evaluate",
    "evaluation_windows",
    "fit_key",
    "fits_needed",
    "forecast_all",
    "forecast_and_evaluate",
    "forecast_births",
    "forecast_many",
    "interval_bounds",
    "level_variance_per_month",
    "load_pooled_calibration",
    "noise_floor_scorecard",
    "not_forecast",
    "poisson_mean_absolute_deviation",
    "pooled_tables",
    "reconcile",
    "robust_history",
    "run_backtest",
    "run_jobs",
    "score",
    "series_by_unit",
    "summer_weekly",
    "validate_history",
    "weekend_adjustment",
    "weekend_effect",
    "weekend_share",
    "weighted_conformal_quantile",
    "weighted_conformal_quantiles",
]


# ----------------------------------------------------------------------------- one series
def forecast_births(
    history: pd.Series,
    horizon: int,
    levels: tuple[int, ...] = (80, 95),
    fit: Fit | None = None,
    outliers: list | None = None,
    pooled: PooledCalibration | None | bool = True,
) -> pd.DataFrame:
    """Forecast monthly births with calibrated prediction intervals.

    Parameters
    ----------
    history : monthly counts (births or deliveries) on a month-start DatetimeIndex or a
        monthly PeriodIndex; at least 24 months, no gaps, no negative values.
    horizon : number of months to forecast (> 0).
    levels : interval levels in percent.
    fit : where the candidate forecasts come from (default: fitted here); :func:`run_jobs`
        passes the fits it computed once for every series of a run.
    outliers : ``None``: outlier months of ``history`` are replaced here
        (:func:`robust_history`); a list: ``history`` is already cleaned and these are the
        months that were replaced (:func:`run_jobs` cleans once, before it plans the fits).
    pooled : the pooled interval calibration; ``True`` (default): the one committed with
        the package (:func:`load_pooled_calibration`); ``None`` or ``False``: the series'
        own errors only (the benchmark then applies a leave-one-country-out pool itself).

    Returns
    -------
    DataFrame indexed by the forecast months with ``mean`` and ``lower_L``/``upper_L``
    for each level (counts per month). ``.attrs``: ``model`` (the chosen candidate),
    ``backtest_mase`` (per candidate), ``origins`` (backtest origins), ``error_model``.

    Raises
    ------
    ValueError
        for a short history, a gap, a negative or non-numeric value, a non-monthly index,
        or a horizon that is not a positive whole number.
    """
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"horizon must be a positive whole number of months, not {horizon!r}")
    for level in levels:
        if not 0 < level < 100:
            raise ValueError(f"interval level {level!r} must be between 0 and 100")
    if outliers is None:
        y, outliers = robust_history(validate_history(history))
    else:
        y = validate_history(history)
    fit = fit or _fit_all
    backtest, mase, model, err = _choose_and_calibrate(y, fit, levels)
    mean = fit(y, horizon)[model]
    index = _future_index(y, horizon)
    steps = np.arange(1, horizon + 1, dtype=float)
    if pooled is True:
        pooled = load_pooled_calibration()
    out = pd.DataFrame({"mean": mean}, index=index)
    used = {}
    # the own sd by step, and as the pooled multipliers read it (held at step 12 beyond it)
    sd, lookup_sd = err.sd(steps), err.sd(np.minimum(steps, BACKTEST_HORIZON))
    for level in levels:
        if pooled and level in pooled.levels:
            half_width = pooled.half_width(level, sd, steps, lookup_sd=lookup_sd)
        else:
            half_width = err.k[level] * sd
        out[f"lower_{level}"], out[f"upper_{level}"] = interval_bounds(mean, half_width, level)
        used[level] = [round(float(x), 4) for x in half_width[:BACKTEST_HORIZON]]
    out.index.name = "month"
    out.attrs.update(
        {
            "model": model,
            "backtest_mase": mase.to_dict(),
            "origins": [str(o.date()) for o in backtest.origins],
            "error_model": {"a": err.a, "b": err.b, "b_long": err.b_long, "k": err.k, "n": err.n},
            "interval_half_widths": used,
            "pooled_calibration": bool(pooled),
            "outliers": [f"{m:%Y-%m}" for m in outliers],
        }
    )
    return out


def _choose_and_calibrate(y: pd.Series, fit: Fit, levels: tuple[int, ...]) -> tuple[Backtest, pd.Series, str, ErrorModel]:
    """The backtest of ``y``, its MASE per candidate, the model it chooses and the error
    model of the series' own backtest errors (seasonal differences where the history is
    too short for a backtest)."""
    backtest = run_backtest(y, fit=fit)
    if backtest.origins:
        mase = backtest.mase()
        model = choose_model(mase)
        # Calibrate on the errors of every model candidate, not only the winner's: the
        # winner's own backtest errors are optimistic because it was chosen for them.
        err = calibrate(backtest.errors[backtest.errors["model"] != "snaive"], levels)
    else:
        mase = pd.Series(dtype=float)
        model = "snaive"
        err = calibrate(_short_history_errors(y), levels)
    return backtest, mase, model, ErrorModel(err.a, err.b, err.k, err.n, b_long=level_variance_per_month(y))


def reconcile(
    units: dict[str, pd.DataFrame], region: pd.DataFrame, weights: dict[str, float] | None = None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Make unit forecasts add up to the region's exactly (weighted least squares on the
    two-level hierarchy). The difference between the region's forecast and the sum of the
    units is shared in proportion to each series' error variance (``weights``; default
    equal), so the noisier forecasts move more. Interval bounds move with their mean.

    Returns new frames; the arguments are not changed.
    """
    names = list(units)
    w = {name: float((weights or {}).get(name, 1.0)) for name in names + ["REGION"]}
    total_w = sum(w.values())
    gap = region["mean"] - sum(units[n]["mean"] for n in names)
    out_units = {}
    for name in names:
        shift = gap * w[name] / total_w
        out_units[name] = units[name].add(shift, axis=0).clip(lower=0)
    new_region_mean = sum(out_units[n]["mean"] for n in names)
    region_out = region.add(new_region_mean - region["mean"], axis=0)
    region_out["mean"] = new_region_mean  # exact: no floating residue from the shift
    for frame, src in [(region_out, region), *[(out_units[n], units[n]) for n in names]]:
        frame.attrs = dict(src.attrs)
    return out_units, region_out


# ----------------------------------------------------------------------------- many series
def evaluate(
    series: dict[str, pd.Series], horizon: int = 12, n_origins: int = 6, levels: tuple[int, ...] = (80, 95), pooled: bool = True
) -> pd.DataFrame:
    """Rolling-origin evaluation of :func:`forecast_births` (model selection and interval
    calibration included, using only data before each origin).

    One origin per year: the last ``n_origins`` non-overlapping ``horizon``-month windows
    at the end of each series. Returns one row per series and origin with the MAE of the
    forecast and of seasonal naive, their ratio, MASE (scaled by the in-sample seasonal
    naive MAE), MAPE (percent) and the share of actuals inside each interval.
    """
    windows = evaluation_windows(series, horizon, n_origins)
    forecasts = forecast_many({key: train for key, (train, _) in windows.items()}, horizon, levels, pooled=pooled)
    return score(windows, forecasts, levels)


def forecast_many(
    series: dict[str, pd.Series], horizon: int, levels: tuple[int, ...] = (80, 95), workers: int | None = None, pooled: bool = True
) -> dict[str, pd.DataFrame]:
    """:func:`forecast_births` for several series, in parallel processes (one per core).

    Each series is independent, so the result is the same as a loop; ``workers=1`` runs
    in this process."""
    return run_jobs({key: (y, horizon, levels) for key, y in series.items()}, workers, pooled=pooled)


def run_jobs(jobs_by_key: dict, workers: int | None = None, pooled: bool = True) -> dict:
    """:func:`forecast_births` on (history, horizon, levels) jobs. The candidate fits of all
    jobs are collected first and each distinct one (:func:`fit_key`) is computed once, in
    parallel processes (:func:`forecast_parallel.fit_distinct`): the evaluation's training
    series are prefixes of the full series, so most of their backtest fits are the full
    series' own. Results are the same as calling :func:`forecast_births` on each job."""
    keys = list(jobs_by_key)
    jobs = [(*robust_history(validate_history(y)), horizon, levels) for y, horizon, levels in jobs_by_key.values()]
    plan: dict[tuple, tuple[pd.Series, int]] = {}
    for y, _, horizon, _ in jobs:
        for length, h in fits_needed(y, horizon):
            train = y.iloc[:length]
            plan.setdefault(fit_key(train, h), (train, h))
    done = fit_distinct(plan, workers)

    def lookup(train: pd.Series, horizon: int) -> dict[str, np.ndarray]:
        return done[fit_key(train, horizon)]

    return {
        key: forecast_births(y, horizon, levels, fit=lookup, outliers=hits, pooled=pooled)
        for key, (y, hits, horizon, levels) in zip(keys, jobs)
    }


# ----------------------------------------------------------------------------- units and region
def not_forecast(births: pd.DataFrame) -> dict[str, str]:
    """Units left out of the forecast, with the reason in Swedish for the report: a series
    that stops before the last month of the data (the unit closed or stopped reporting: it
    has no future to forecast) or one shorter than ``MIN_MONTHS`` (a unit too new)."""
    last_month = births["month"].max()
    span = births.groupby("unit_id")["month"].agg(["min", "max", "size"])
    out = {}
    for uid, row in span.iterrows():
        if row["max"] < last_month:
            out[str(uid)] = f"serien slutar {row['max']:%Y-%m} (enheten har stängt eller rapporterar inte längre)"
        elif row["size"] < MIN_MONTHS:
            out[str(uid)] = f"för kort historik: {row['size']} månader, minst {MIN_MONTHS} behövs"
    return out


def series_by_unit(births: pd.DataFrame, value: str = "deliveries") -> dict[str, pd.Series]:
    """Monthly series per unit and for the region (key ``REGION``) from a long table.

    Only the units :func:`not_forecast` does not leave out are forecast, and the region's
    series is the sum of those units over the whole history: like for like, so the region's
    forecast is what the units' forecasts add up to, without a step where a closed unit's
    births leave the sum or a new unit's enter it."""
    births = births[~births["unit_id"].isin(list(not_forecast(births)))]
    out = {uid: group.set_index("month")[value].astype(float).sort_index() for uid, group in births.groupby("unit_id")}
    out["REGION"] = births.groupby("month")[value].sum().astype(float).sort_index()
    return out


def forecast_all(births: pd.DataFrame, horizon: int, value: str = "deliveries", levels: tuple[int, ...] = (80, 95)) -> pd.DataFrame:
    """Forecast every unit and the region (``unit_id = "REGION"``), reconciled so that the
    units add up to the region exactly. Long table: unit_id, month, mean, bounds, model.

    Reconciliation weights are each series' backtest error variance in counts (the
    log-error variance times the squared level of the last 12 months)."""
    series = {name: _named(name, y) for name, y in series_by_unit(births, value).items()}
    return _reconciled(series, forecast_many(series, horizon, levels), levels)


def forecast_and_evaluate(
    births: pd.DataFrame,
    horizon: int,
    n_origins: int,
    value: str = "deliveries",
    levels: tuple[int, ...] = (80, 95),
    region_from: pd.Timestamp | None = None,
    region_horizon: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """:func:`forecast_all` and :func:`evaluate` (horizon 12, ``n_origins`` yearly origins)
    in one pool of worker processes: the same results as calling both, in less time
    (the workers start once and the jobs pack better onto the cores).

    With ``region_from`` also the region's forecast made from the data before that month
    (``region_horizon`` months; the tertial follow-up compares it with what happened)."""
    series = {name: _named(name, y) for name, y in series_by_unit(births, value).items()}
    windows = evaluation_windows(series, BACKTEST_HORIZON, n_origins)
    jobs = {("full", name): (y, horizon, levels) for name, y in series.items()}
    if region_from is not None and region_horizon > 0:
        jobs[("before", "REGION")] = (series["REGION"][series["REGION"].index < region_from], region_horizon, levels)
    jobs.update({("eval", key): (train, BACKTEST_HORIZON, levels) for key, (train, _) in windows.items()})
    done = run_jobs(jobs)
    full = {name: done[("full", name)] for name in series}
    evaluated = {key: done[("eval", key)] for key in windows}
    before = done.get(("before", "REGION"))
    if before is not None:
        before = before.reset_index().assign(unit_id="REGION", model=before.attrs["model"])
    return _reconciled(series, full, levels), score(windows, evaluated, levels), before


def _reconciled(series: dict[str, pd.Series], forecasts: dict[str, pd.DataFrame], levels: tuple[int, ...]) -> pd.DataFrame:
    forecasts = dict(forecasts)
    weights = {name: forecasts[name].attrs["error_model"]["a"] * float(y.iloc[-SEASON:].mean()) ** 2 for name, y in series.items()}
    region_fc = forecasts.pop("REGION")
    units, region_rec = reconcile(forecasts, region_fc, weights)
    frames = [frame.assign(unit_id=uid, model=frame.attrs["model"]) for uid, frame in {**units, "REGION": region_rec}.items()]
    return pd.concat(frames).reset_index()[
        ["unit_id", "month", "model", "mean", *[f"{b}_{lv}" for lv in levels for b in ("lower", "upper")]]
    ]


def summer_weekly(forecasts: pd.DataFrame, year: int, weeks: tuple[int, int]) -> pd.DataFrame:
    """Forecast deliveries per unit and ISO week of one summer: each forecast month's mean
    spread evenly over its days (the forecast is monthly). ``sigma_log`` is the log-scale
    standard deviation of the month of the week's Thursday, read off its 95 % interval."""
    from fragile_care.model.calendar import week_month, weekly_estimate

    frame = forecasts.rename(columns={"mean": "deliveries"})[["unit_id", "month", "deliveries"]]
    weekly = weekly_estimate(frame)
    weekly = weekly[(weekly["iso_year"] == year) & weekly["iso_week"].between(*weeks)].reset_index(drop=True)
    z = 1.959963984540054
    lower, upper, mean = (forecasts[c].to_numpy(float) for c in ("lower_95", "upper_95", "mean"))
    with np.errstate(divide="ignore", invalid="ignore"):
        both = (np.log(upper) - np.log(lower)) / (2 * z)
        upper_half = np.log(upper / mean) / z
    # A unit of a birth or two a month has a 95 % interval down to 0 births, whose log is -inf:
    # its spread is read off the upper half of the interval; a month forecast at 0 has none.
    sigma = np.where(lower > 0, both, np.where((mean > 0) & (upper > mean), upper_half, 0.0))
    sigma = np.where(np.isfinite(sigma), sigma, 0.0)
    sigma = pd.Series(sigma, index=pd.MultiIndex.from_frame(forecasts[["unit_id", "month"]]))
    months = week_month(weekly["iso_year"], weekly["iso_week"])
    weekly["sigma_log"] = sigma.reindex(pd.MultiIndex.from_arrays([weekly["unit_id"], months])).to_numpy()
    return weekly


def annual_totals(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Forecast deliveries per unit and complete calendar year (mean only: interval
    bounds of months do not add up to bounds of a year)."""
    frame = forecasts.assign(year=forecasts["month"].dt.year)
    counts = frame.groupby(["unit_id", "year"])["month"].transform("size")
    return frame[counts == 12].groupby(["unit_id", "year"], as_index=False)["mean"].sum()
