"""The pooled interval calibration of the forecast, ``model/interval_calibration.json``
(read by ``forecast_intervals.load_pooled_calibration``): ``fragile-care calibrate-intervals``
makes it from the leave-one-country-out evaluation of the reference set (Sweden and the 41
UN series), which ``fragile-care bench forecast`` scores too (``run/bench.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.inputs.contracts import check_table
from fragile_care.inputs.schemas import PUBLIC_SWEDEN_MONTHLY, PUBLIC_UN_REFERENCE
from fragile_care.model import forecast


def sweden_live_births() -> pd.Series:
    """Sweden's monthly live births (public, UN table 55 / SCB) over its longest stretch
    without gaps in recent years, 2004-01 to 2023-11."""
    raw = io.read_raw_table(paths.public_dir() / "sweden_live_births_monthly.csv")
    table = check_table(raw, PUBLIC_SWEDEN_MONTHLY).frame
    table["date"] = pd.to_datetime(dict(year=table["year"], month=table["month"], day=1))
    return table.set_index("date")["live_births"].astype(float).sort_index()["2004-01":"2023-11"]


def reference_series() -> dict[str, pd.Series]:
    """The forecast's reference set: Sweden (:func:`sweden_live_births`) and the 41
    countries and territories of ``un_monthly_births_reference.csv`` (UN Demographic
    Yearbook table 55, about 300 to 700 000 births a year). The only series the method is
    developed and tuned on."""
    out = {"Sweden": sweden_live_births()}
    raw = io.read_raw_table(paths.public_dir() / "un_monthly_births_reference.csv")
    table = check_table(raw, PUBLIC_UN_REFERENCE).frame
    for country, part in table.groupby("country", sort=True):
        out[str(country)] = part.set_index("month")["live_births"].astype(float).sort_index().asfreq("MS")
    return out


def error_rows(windows: dict, forecasts: dict) -> pd.DataFrame:
    """One row per series, origin and step of the reference evaluation: the outcome, the
    forecast, the forecast's own error sd (its error model) and the month the outcome was
    observed."""
    rows = []
    for (name, k), (train, test) in windows.items():
        fc = forecasts[(name, k)]
        em = fc.attrs["error_model"]
        steps = np.arange(1, len(test) + 1, dtype=float)
        rows.append(
            pd.DataFrame(
                {
                    "series": name,
                    "key": [(name, k)] * len(test),
                    "origin": train.index[-1],
                    "month": test.index,
                    "step": steps.astype(int),
                    "actual": test.to_numpy(float),
                    "mean": fc["mean"].to_numpy()[: len(test)],
                    "sd": forecast.ErrorModel(em["a"], em["b"], {}, em["n"], b_long=em["b_long"]).sd(steps),
                    "own_k": [em["k"] for _ in steps],
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def leave_one_out_intervals(windows: dict, forecasts: dict, rows: pd.DataFrame, levels: tuple[int, ...] = (80, 95)) -> dict:
    """The forecasts with intervals as :func:`forecast.forecast_births` makes them with a
    pooled calibration, where the pool for a series' forecast from an origin holds only the
    errors of the *other* series observed by that origin: no country's own errors, and
    nothing that was not known at the time."""
    out = {}
    for key, (train, _test) in windows.items():
        fc = forecasts[key].copy()
        origin = train.index[-1]
        pool = rows[(rows["series"] != key[0]) & (rows["month"] <= origin)]
        own = rows[rows["key"] == key]
        if own.empty:
            continue
        steps = own["step"].to_numpy()
        n = len(steps)
        enough = len(pool) >= 12 * forecast.BACKTEST_HORIZON and pool["step"].nunique() == forecast.BACKTEST_HORIZON
        calibration = forecast.pooled_tables(pool, levels, newest=origin) if enough else None
        for level in levels:
            if calibration:
                half_width = calibration.half_width(level, own["sd"].to_numpy(), steps)
            else:
                half_width = own["own_k"].iloc[0][level] * own["sd"].to_numpy()
            lower, upper = forecast.interval_bounds(own["mean"].to_numpy(), half_width, level)
            fc.iloc[:n, fc.columns.get_loc(f"lower_{level}")] = lower
            fc.iloc[:n, fc.columns.get_loc(f"upper_{level}")] = upper
        fc.attrs = dict(forecasts[key].attrs, pooled_calibration=calibration is not None)
        out[key] = fc
    return out


def reference_evaluation(series: dict[str, pd.Series], n_origins: int = 100, levels: tuple[int, ...] = (80, 95)):
    """Rolling-origin forecasts of the reference set with the series' own calibration only
    (``pooled=False``): the windows, the forecasts and their :func:`error_rows`."""
    windows = forecast.evaluation_windows(series, 12, n_origins)
    forecasts = forecast.forecast_many({key: train for key, (train, _) in windows.items()}, 12, levels, pooled=False)
    return windows, forecasts, error_rows(windows, forecasts)


def loco_evaluation(series: dict[str, pd.Series], n_origins: int = 100, levels: tuple[int, ...] = (80, 95)):
    """:func:`reference_evaluation` scored twice: with the pooled calibration left one
    country out (:func:`leave_one_out_intervals`) and with each series' own calibration.
    Returns the error rows and the two score tables (the same series-origins)."""
    windows, own_only, rows = reference_evaluation(series, n_origins, levels)
    pooled = leave_one_out_intervals(windows, own_only, rows)
    windows = {key: windows[key] for key in pooled}
    return rows, forecast.score(windows, pooled), forecast.score(windows, {key: own_only[key] for key in windows})


def last_origins(ev: pd.DataFrame, n: int) -> pd.DataFrame:
    """The rows of each series' last ``n`` origins."""
    return ev[ev.groupby("series")["origin"].rank(ascending=False, method="dense") <= n]


def mean_coverage(ev: pd.DataFrame) -> dict[str, float]:
    """Coverage of the 80 % and 95 % intervals, per series over its origins, then over series."""
    per = ev.groupby("series")[["coverage_80", "coverage_95"]].mean().mean()
    return {"coverage_80": float(per["coverage_80"]), "coverage_95": float(per["coverage_95"])}


def write_pooled_calibration(out: TextIO, path: Path = forecast.POOLED_CALIBRATION, levels: tuple[int, ...] = (80, 90, 95)) -> Path:
    """``fragile-care calibrate-intervals``: the pooled interval calibration from every
    forecast of the reference set (Sweden and the 41 UN series, every yearly origin),
    written to ``model/interval_calibration.json`` with its sources' checksums."""
    import datetime as dt
    import json

    series = reference_series()
    rows, ev, _ = loco_evaluation(series, levels=levels)
    newest = rows["month"].max()
    evaluation = {
        name: {**{k: round(v, 4) for k, v in mean_coverage(part).items()}, "series_origins": len(part)}
        for name, part in (("last_5_origins", last_origins(ev, 5)), ("all_origins", ev))
    }
    sources = [paths.public_dir() / "sweden_live_births_monthly.csv", paths.public_dir() / "un_monthly_births_reference.csv"]
    calibration = forecast.pooled_tables(
        rows,
        levels,
        newest=newest,
        source={
            "made_by": "fragile-care calibrate-intervals",
            "made_on": f"{dt.date.today():%Y-%m-%d}",
            "series": len(series),
            "series_origins": int(rows["key"].nunique()),
            "newest_window_end": f"{newest:%Y-%m}",
            "half_lives_years": list(forecast.POOLED_HALF_LIVES),
            "bandwidth": forecast.POOLED_BANDWIDTH,
            "leave_one_country_out": evaluation,
            "files": {f"data/raw/public/{p.name}": io.sha256_file(p) for p in sources},
        },
    )
    path.write_text(json.dumps(calibration.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"pooled interval calibration from {calibration.source['series_origins']} series-origins ({len(rows)} errors): {path}", file=out)
    steps = np.arange(1, forecast.BACKTEST_HORIZON + 1)
    for memory in calibration.memories:
        memory_name = "every year the same" if memory.half_life is None else f"half-life {memory.half_life:g} years"
        print(f"  memory: {memory_name}; shift variance tau2 by step: " + " ".join(f"{x:.4f}" for x in memory.tau2), file=out)
        print("    effective number of errors by step: " + " ".join(f"{x:.0f}" for x in memory.effective_n), file=out)
    for own_sd in (0.03, 0.08, 0.17):
        for level in levels:
            width = calibration.half_width(level, np.full(len(steps), own_sd), steps)
            print(f"  own sd {own_sd:.2f}, {level} %: half-width (log) by step " + " ".join(f"{x:.3f}" for x in width), file=out)
    return path
