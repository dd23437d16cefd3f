"""Backtests and evaluation of the forecast: the rolling origins inside a series' own
history that choose its model (:func:`run_backtest`, :func:`choose_model`) and calibrate its
intervals, and the rolling-origin evaluation's windows and scores (:func:`evaluation_windows`,
:func:`score`; ``forecast.evaluate`` runs it) with the error a perfect forecast would still
make from counting noise (:func:`noise_floor_scorecard`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fragile_care.model.forecast_models import MIN_MONTHS, SEASON, _fit_all, _named, _snaive

BACKTEST_HORIZON = 12


# ----------------------------------------------------------------------------- backtest
@dataclass
class Backtest:
    """Forecasts from rolling origins inside the history: one row per origin, model, step."""

    errors: pd.DataFrame  # origin, model, step, actual, forecast, scale
    origins: list[pd.Timestamp]

    def mase(self) -> pd.Series:
        """Mean absolute scaled error per model, averaged over origins."""
        frame = self.errors.assign(ae=(self.errors["actual"] - self.errors["forecast"]).abs())
        per_origin = frame.groupby(["model", "origin"]).agg(ae=("ae", "mean"), scale=("scale", "first"))
        return (per_origin["ae"] / per_origin["scale"]).groupby("model").mean()


def _mase_scale(train: pd.Series) -> float:
    """In-sample MAE of seasonal naive: the denominator of MASE (1 for a series where it is 0)."""
    values = train.to_numpy()
    return float(np.mean(np.abs(values[SEASON:] - values[:-SEASON]))) or 1.0


def backtest_origins(
    n: int, horizon: int = BACKTEST_HORIZON, step: int = 6, max_origins: int = 14, min_train: int = MIN_MONTHS
) -> list[int]:
    """Training lengths of the rolling origins: the newest leaves ``horizon`` months to
    test, each earlier one ``step`` months before, at most ``max_origins``."""
    origins = []
    train = n - horizon
    while train >= min_train and len(origins) < max_origins:
        origins.append(train)
        train -= step
    if not origins and n - min_train >= 1:
        origins.append(min_train)
    return sorted(origins)


Fit = Callable[[pd.Series, int], dict[str, np.ndarray]]  # (training series, horizon) -> forecasts per candidate


def run_backtest(y: pd.Series, horizon: int = BACKTEST_HORIZON, fit: Fit | None = None, **kw) -> Backtest:
    fit = fit or _fit_all
    rows = []
    origins = backtest_origins(len(y), horizon, **kw)
    for train_len in origins:
        train, test = y.iloc[:train_len], y.iloc[train_len : train_len + horizon]
        scale = _mase_scale(train)
        forecasts = fit(train, len(test))
        for model, values in forecasts.items():
            for step, (actual, fc) in enumerate(zip(test.to_numpy(), values), start=1):
                rows.append((train.index[-1], model, step, actual, fc, scale))
    errors = pd.DataFrame(rows, columns=["origin", "model", "step", "actual", "forecast", "scale"])
    return Backtest(errors, [y.index[t - 1] for t in origins])


SELECTION_MARGIN: float | None = None


def choose_model(mase: pd.Series, margin: float | None = SELECTION_MARGIN) -> str:
    """The combination whenever it was backtested. With a ``margin``, another candidate
    whose backtest MASE is lower than the combination's by more than ``margin`` instead.

    The default (no margin: never leave the combination) was chosen by the leave-one-
    country-out evaluation on the reference set (``fragile-care bench forecast``, 42
    series, development data), MASE relative to seasonal naive over the last five yearly
    origins / over all origins: margin 5 % 0.805 / 0.866, 10 % 0.806 / 0.860, 20 %
    0.808 / 0.858, none 0.799 / 0.855. A series' own backtest is too short and too calm to
    pick a single model better than the combination does (as in the M4 competition)."""
    if "comb" not in mase:
        return str(mase.idxmin())
    if margin is None:
        return "comb"
    best = str(mase.idxmin())
    return "comb" if mase[best] >= mase["comb"] * (1 - margin) else best


def fits_needed(y: pd.Series, horizon: int) -> list[tuple[int, int]]:
    """The candidate fits :func:`forecast_births` makes for a validated series: (training
    length, horizon) of every backtest origin and of the final forecast."""
    origins = backtest_origins(len(y))
    return [(n, min(BACKTEST_HORIZON, len(y) - n)) for n in origins] + [(len(y), horizon)]


# ----------------------------------------------------------------------------- evaluation
def evaluation_windows(series: dict[str, pd.Series], horizon: int, n_origins: int) -> dict[tuple, tuple[pd.Series, pd.Series]]:
    """(training part, test window) per series and origin k (k windows from the end)."""
    windows = {}
    for name, y in series.items():
        y = _named(name, y)
        for k in range(n_origins, 0, -1):
            train_len = len(y) - k * horizon
            if train_len < MIN_MONTHS:
                continue  # too short to evaluate from this origin; the series is still forecast
            windows[(name, k)] = (y.iloc[:train_len], y.iloc[train_len : train_len + horizon])
    return windows


def score(windows: dict[tuple, tuple[pd.Series, pd.Series]], forecasts: dict, levels: tuple[int, ...] = (80, 95)) -> pd.DataFrame:
    """The evaluation table of :func:`evaluate` from windows and their forecasts."""
    rows = []
    for (name, k), (train, test) in windows.items():
        fc = forecasts[(name, k)]
        actual = test.to_numpy()
        mean = fc["mean"].to_numpy()
        naive = _snaive(train, len(test))
        scale = _mase_scale(train)
        row = {
            "series": name,
            "origin": train.index[-1],
            "model": fc.attrs["model"],
            "mae": float(np.mean(np.abs(actual - mean))),
            "mae_snaive": float(np.mean(np.abs(actual - naive))),
            "mase": float(np.mean(np.abs(actual - mean))) / scale,
            "mape": float(np.mean(np.abs(actual - mean) / np.maximum(actual, 1))) * 100,
        }
        # seasonal naive can be exact only on a series of constant months (zeros): floor its
        # error at one delivery a month so the ratio stays a number
        row["relative_mae"] = row["mae"] / max(row["mae_snaive"], 1.0)
        for level in levels:
            inside = (actual >= fc[f"lower_{level}"].to_numpy()) & (actual <= fc[f"upper_{level}"].to_numpy())
            row[f"coverage_{level}"] = float(inside.mean())
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- noise floor
def poisson_mean_absolute_deviation(rate) -> np.ndarray:
    """E|Y - rate| for a Poisson count Y: 2·rate·P(Y = floor(rate)) (the mean absolute
    deviation of the Poisson distribution; Crow 1958, Biometrika 45:556). The error a
    forecast that knew the true rate would still make, from counting noise alone."""
    from scipy.stats import poisson

    rate = np.asarray(rate, dtype=float)
    return np.where(rate > 0, 2 * rate * poisson.pmf(np.floor(rate), np.maximum(rate, 1e-12)), 0.0)


def noise_floor_scorecard(series: dict[str, pd.Series], evaluation: pd.DataFrame, horizon: int = BACKTEST_HORIZON) -> pd.DataFrame:
    """Per series: the evaluation's mean absolute error per month next to the error a
    perfect forecast would still make from Poisson noise (the rate taken as the month's
    outcome), over the same months, and the share of the error above that floor (the part
    a better forecast could remove). One row per series of ``evaluation``."""
    rows = []
    for name, part in evaluation.groupby("series", sort=False):
        y = series[name]
        floors = []
        for origin in part["origin"]:
            window = y[y.index > origin].iloc[:horizon]
            floors.append(float(poisson_mean_absolute_deviation(window.to_numpy()).mean()))
        mae, floor = float(part["mae"].mean()), float(np.mean(floors))
        rows.append(
            {
                "series": name,
                "mae": mae,
                "noise_floor": floor,
                "avoidable_share": max(0.0, 1 - floor / mae) if mae > 0 else 0.0,
                "mean_monthly": float(y.iloc[-SEASON:].mean()),
                "origins": int(part["origin"].nunique()),
            }
        )
    return pd.DataFrame(rows)
