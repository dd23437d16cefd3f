"""The forecast's model families: the candidate models of monthly births, the weekend
adjustment they are fitted with, their combination (:func:`_fit_all`), and the checks a
history passes before any of them sees it (:func:`validate_history`, :func:`robust_history`).
The overview of the forecast is in ``forecast.py``.

Candidates
----------
``snaive``   seasonal naive: the same month last year (the benchmark).
``airline``  SARIMA(0,1,1)(0,1,1)12 on log births per day (Box and Jenkins' airline
             model, statsmodels ``SARIMAX``).
``ets_level`` Holt-Winters without trend, multiplicative seasonality (statsmodels
             ``ExponentialSmoothing``) on births per day, times the days of the month (a
             calendar adjustment: February and 31-day months).
``seasonal_mean`` the last 12 months' level times calendar-month factors averaged over
             up to five years (robust for small, noisy series).
``comb``     the mean of the ARIMA and the seasonal-mean forecasts, and of Holt-Winters
             too for a series under 250 births a month (combinations won the M4
             competition).

The membership of ``comb`` follows the reference set (development data) with the weekend
adjustment: for the 34 series of 250 births a month or more the mean of ARIMA and the
seasonal mean is more accurate than the mean of all three, over the last five yearly
origins (MASE relative to seasonal naive: large 0.794 against 0.812, medium 0.791 against
0.800) and over all origins (0.852 against 0.868, 0.852 against 0.859); for the eight
smaller series the three are (0.827 against 0.839, all origins 0.847 against 0.857):
Holt-Winters smooths the level of a noisy series. The boundary, 250 a month, is the
benchmark's size class set before the comparison, not tuned.

Weekends
--------
Fewer babies are born on Saturdays and Sundays (planned caesareans and inductions fall on
weekdays), so a month with five weekends has fewer births per day than one with four.
:func:`weekend_effect` estimates the effect per series from its own history (the year-on-
year change of log births per day against the change in the month's share of weekend
days, least squares, shrunk towards none by its standard error so that a noisy estimate
of a small series adds nothing); every candidate but seasonal naive is fitted to births
per weekend-adjusted day and the forecast is put back on the calendar of the months
ahead. Chosen on the reference set (development data, ``fragile-care bench forecast``):
over the last five yearly origins of the 42 series it lowered the combination's MASE
relative to seasonal naive from 0.826 to 0.812, most for the large series (0.834 -> 0.812).

Holt-Winters with a damped trend was a candidate until the evaluation on the reference
set (Sweden and 41 countries, ``fragile-care bench forecast``) showed that the
combination is more accurate without it (MASE relative to seasonal naive 0.834 -> 0.823
over the last five origins, 0.898 -> 0.882 over all), while it took a third of the fit time.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

MIN_MONTHS = 24
SEASON = 12
CANDIDATES = ("snaive", "ets_level", "airline", "seasonal_mean", "comb")
# the candidates as the reports name them
MODEL_NAMES_SV = {
    "snaive": "samma månad förra året",
    "ets_level": "exponentiell utjämning",
    "airline": "säsongs-ARIMA",
    "seasonal_mean": "säsongsmedelvärde",
    "comb": "medelvärde av modellerna",
}


# ----------------------------------------------------------------------------- input
def validate_history(history: pd.Series) -> pd.Series:
    """Return ``history`` as a float Series on a month-start DatetimeIndex, or raise
    ValueError naming the problem (short, gap, negative, non-numeric, not monthly)."""
    if not isinstance(history, pd.Series):
        raise ValueError(f"history must be a pandas Series, not {type(history).__name__}")
    index = history.index
    if isinstance(index, pd.PeriodIndex):
        if index.freqstr not in ("M", "ME") and not str(index.freq).startswith("<MonthEnd"):
            raise ValueError(f"history has a non-monthly PeriodIndex (freq {index.freqstr})")
        index = index.to_timestamp()
    elif isinstance(index, pd.DatetimeIndex):
        if not (index == index.normalize()).all() or not index.is_month_start.all():
            bad = index[~(index.is_month_start & (index == index.normalize()))][0]
            raise ValueError(f"history has a non-monthly index: {bad} is not the start of a month")
    else:
        raise ValueError(f"history has a non-monthly index ({type(index).__name__}); use month-start dates or a monthly PeriodIndex")
    if index.has_duplicates:
        raise ValueError(f"history has duplicate months: {index[index.duplicated()][0]:%Y-%m}")
    if not index.is_monotonic_increasing:
        raise ValueError("history months are not in increasing order")
    values = pd.to_numeric(pd.Series(history.to_numpy(), index=index, dtype="object"), errors="coerce")
    non_numeric = values.isna() & pd.Series(history.to_numpy(), index=index).notna()
    if non_numeric.any():
        where = values.index[non_numeric.to_numpy()][0]
        raise ValueError(f"history has a non-numeric value {history.iloc[int(np.argmax(non_numeric.to_numpy()))]!r} at {where:%Y-%m}")
    if values.isna().any():
        raise ValueError(f"history has a gap: no value for {values.index[values.isna().to_numpy()][0]:%Y-%m}")
    full = pd.date_range(index[0], index[-1], freq="MS")
    if len(full) != len(index):
        missing = full.difference(index)
        raise ValueError(f"history has a gap: month {missing[0]:%Y-%m} is missing ({len(missing)} month(s) in all)")
    if (values < 0).any():
        where = values.index[(values < 0).to_numpy()][0]
        raise ValueError(f"history has a negative value {values[where]:g} at {where:%Y-%m}")
    if len(values) < MIN_MONTHS:
        raise ValueError(f"history is too short: {len(values)} months; at least {MIN_MONTHS} are needed")
    out = values.astype(float)
    out.index = pd.DatetimeIndex(index, freq="MS")
    return out


def robust_history(y: pd.Series) -> tuple[pd.Series, list[pd.Timestamp]]:
    """``y`` with each outlier month (``inputs.crosschecks.outlier_months``: a data error or a
    spike far out of line with the months around it) replaced by the median of those months,
    so that one bad month drags neither the level nor the season; and the months replaced.
    The data check step flags the same months in the quality log."""
    from fragile_care.inputs.crosschecks import outlier_months

    hits = outlier_months(y)
    if hits.empty:
        return y, []
    cleaned = y.copy()
    cleaned.loc[hits["month"]] = hits["expected"].to_numpy()
    return cleaned, list(hits["month"])


def _named(name: str, y: pd.Series) -> pd.Series:
    """:func:`validate_history` with the series named in its error."""
    try:
        return validate_history(y)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


# ----------------------------------------------------------------------------- models
def _future_index(y: pd.Series, horizon: int) -> pd.DatetimeIndex:
    return pd.date_range(y.index[-1] + pd.offsets.MonthBegin(1), periods=horizon, freq="MS")


def _snaive(y: pd.Series, horizon: int) -> np.ndarray:
    last_year = y.to_numpy()[-SEASON:]
    return np.array([last_year[i % SEASON] for i in range(horizon)])


def _holt_winters(y: pd.Series, horizon: int, damped_trend: bool) -> np.ndarray:
    """Holt-Winters on births per day (multiplicative seasonality when every month has
    births), times the days of each forecast month."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    days = y.index.days_in_month.to_numpy()
    rate = y / days
    seasonal = "mul" if (rate > 0).all() else "add"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(
            rate,
            trend="add" if damped_trend else None,
            damped_trend=damped_trend,
            seasonal=seasonal,
            seasonal_periods=SEASON,
            initialization_method="estimated",
        ).fit(use_brute=False)
        out = np.asarray(fit.forecast(horizon)) * _future_index(y, horizon).days_in_month.to_numpy()
    return np.maximum(out, 0.0)


def _ets(y: pd.Series, horizon: int) -> np.ndarray:
    """Holt-Winters with a damped trend: no longer a candidate (see the module's note); kept
    so that ``bench forecast`` can show what it would add."""
    return _holt_winters(y, horizon, damped_trend=True)


def _airline(y: pd.Series, horizon: int) -> np.ndarray:
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    days = y.index.days_in_month.to_numpy()
    log_rate = np.log((y + 0.5) / days)  # +0.5 keeps a month with no births finite
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = SARIMAX(log_rate, order=(0, 1, 1), seasonal_order=(0, 1, 1, SEASON), simple_differencing=True, concentrate_scale=True).fit(
            disp=False
        )
        # simple differencing: forecasts come back on the differenced scale -> integrate
        diff_forecast = np.asarray(fit.forecast(horizon))
    history = np.asarray(log_rate)
    levels = list(history)
    for d in diff_forecast:
        # y_t = d_t + y_{t-1} + y_{t-12} - y_{t-13}
        levels.append(d + levels[-1] + levels[-SEASON] - levels[-SEASON - 1])
    future = np.array(levels[len(history) :])
    return np.maximum(np.exp(future) * _future_index(y, horizon).days_in_month.to_numpy() - 0.5, 0.0)


def _ets_level(y: pd.Series, horizon: int) -> np.ndarray:
    return _holt_winters(y, horizon, damped_trend=False)


def _seasonal_mean(y: pd.Series, horizon: int, years: int = 5) -> np.ndarray:
    """Level of the last 12 months times calendar-month factors averaged over up to
    ``years`` years (births per day): averages the noise of small series away.

    Each month's factor is shrunk towards 1 by the share of its spread that counting
    noise explains (empirical Bayes: λ = signal / (signal + noise), the noise of a factor
    being 1 / (expected births that month × years)): a small series' seasonal pattern is
    mostly noise and is flattened, a large one's is kept. On the reference set
    (development data) this lowered the combination's MASE relative to seasonal naive for
    the eight small series (mean of three) from 0.827 to 0.818 over the last five origins
    and from 0.847 to 0.833 over all origins; for the eleven medium series (mean of two)
    0.791 -> 0.791 and 0.852 -> 0.850."""
    recent = y.iloc[-min(len(y), years * SEASON) :]
    days = recent.index.days_in_month.to_numpy()
    rate = recent / days
    rolling = rate.rolling(SEASON, center=True, min_periods=SEASON // 2).mean()
    ratio = rate / rolling
    by_month = ratio.groupby(rate.index.month)
    factors = by_month.mean()
    expected = (rolling * days).groupby(rate.index.month).mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        noise = (1.0 / (expected * by_month.count())).replace([np.inf, -np.inf], np.nan).fillna(0.0)
    spread = float(((factors / factors.mean() - 1) ** 2).mean())
    signal = max(spread - float(noise.mean()), 0.0)
    shrink = (signal / (signal + noise)).fillna(1.0) if signal > 0 else noise * 0.0
    factors = 1 + shrink * (factors / factors.mean() - 1)
    factors = factors / factors.mean()
    last = y.iloc[-SEASON:]
    level = float((last / last.index.days_in_month.to_numpy() / factors.loc[last.index.month].to_numpy()).mean())
    future = _future_index(y, horizon)
    return level * factors.loc[future.month].to_numpy() * future.days_in_month.to_numpy()


def weekend_share(index: pd.DatetimeIndex) -> np.ndarray:
    """Share of each month's days that are a Saturday or a Sunday."""
    first = index.day_of_week.to_numpy()  # weekday of the 1st, Monday 0
    days = index.days_in_month.to_numpy()
    offset = np.arange(31)[None, :]
    weekday = (first[:, None] + offset) % 7
    return ((weekday >= 5) & (offset < days[:, None])).sum(axis=1) / days


def weekend_effect(y: pd.Series) -> float:
    """β in log(births per day) = … + β · (share of weekend days), from the year-on-year
    changes of ``y`` (so level and season cancel), shrunk by (1 − (se/β)²)⁺: 0 when the
    estimate is not clearly apart from zero, the estimate when it is. Negative where
    fewer are born on weekends. 0 for a series shorter than three years."""
    log_rate = np.log((y.to_numpy(float) + 0.5) / y.index.days_in_month.to_numpy())
    change = log_rate[SEASON:] - log_rate[:-SEASON]
    share = weekend_share(y.index)
    x = share[SEASON:] - share[:-SEASON]
    ok = np.isfinite(change)
    change, x = change[ok], x[ok]
    if len(change) < 2 * SEASON or x @ x == 0:
        return 0.0
    beta = float(x @ change / (x @ x))
    resid = change - beta * x
    se = math.sqrt(float(resid @ resid) / (len(change) - 1) / float(x @ x))
    return beta * max(0.0, 1.0 - (se / abs(beta)) ** 2) if beta else 0.0


def weekend_adjustment(y: pd.Series, horizon: int) -> tuple[pd.Series, np.ndarray]:
    """``y`` on weekend-adjusted days (:func:`weekend_effect`) and the factors that put a
    forecast of it back on the calendar of the ``horizon`` months ahead."""
    beta = weekend_effect(y)
    past = np.exp(beta * weekend_share(y.index))
    ahead = np.exp(beta * weekend_share(_future_index(y, horizon)))
    return y / past, ahead


MEMBERS = {"ets_level": _ets_level, "airline": _airline, "seasonal_mean": _seasonal_mean}
COMBINED = ("airline", "seasonal_mean")  # the members of ``comb`` (module docstring)
SMALL_SERIES = 250.0  # births a month below which ``comb`` also holds Holt-Winters


def combined_members(y: pd.Series) -> tuple[str, ...]:
    """The members of ``comb`` for ``y``: all three below :data:`SMALL_SERIES` births a
    month over the last year (where Holt-Winters' smoothing of the level earns its
    place), else :data:`COMBINED`."""
    return tuple(MEMBERS) if float(y.iloc[-SEASON:].mean()) < SMALL_SERIES else COMBINED


def _fit_all(y: pd.Series, horizon: int) -> dict[str, np.ndarray]:
    adjusted, ahead = weekend_adjustment(y, horizon)
    out = {"snaive": _snaive(y, horizon)}
    out.update({name: fit(adjusted, horizon) * ahead for name, fit in MEMBERS.items()})
    out["comb"] = np.mean([out[name] for name in combined_members(y)], axis=0)
    return out
