"""Benchmarks that print figures (performance and accuracy targets are measured here,
not by timed tests)."""

from __future__ import annotations

import os
import time
from typing import TextIO

import numpy as np
import pandas as pd

from . import forecast, io, paths
from .clean import check_table
from .schemas import PUBLIC_SWEDEN_MONTHLY

BENCH_SEED = 20261122
UNIT_SIZES = (30, 250, 900)  # mean births a month of the thinned series


def forecast_series(seed: int = BENCH_SEED) -> dict[str, pd.Series]:
    """Sweden's monthly live births (public, UN table 55 / SCB) over its longest stretch
    without gaps in recent years, 2004-01 to 2023-11, and series of a delivery unit's
    size made from it by binomial thinning (each birth kept with probability p): the real
    national pattern with the counting noise of a small unit."""
    raw = io.read_raw_table(paths.public_dir() / "sweden_live_births_monthly.csv")
    table = check_table(raw, PUBLIC_SWEDEN_MONTHLY).frame
    table["date"] = pd.to_datetime(dict(year=table["year"], month=table["month"], day=1))
    sweden = table.set_index("date")["live_births"].astype(float).sort_index()["2004-01":"2023-11"]
    rng = np.random.default_rng(seed)
    out = {"Sverige (SCB)": sweden}
    for size in UNIT_SIZES:
        kept = rng.binomial(sweden.astype(int).to_numpy(), size / sweden.mean())
        out[f"enhetsstorlek ~{size}/mån"] = pd.Series(kept.astype(float), index=sweden.index)
    return out


def _summary_lines(ev: pd.DataFrame, title: str, out: TextIO) -> dict[str, float]:
    per_series = ev.groupby("series", sort=False)[["relative_mae", "mase", "mape", "coverage_80", "coverage_95"]].mean()
    print(f"{title}", file=out)
    print(f"  {'series':<26}{'MASE rel. snaive':>17}{'MASE':>8}{'MAPE %':>8}{'cov 80':>8}{'cov 95':>8}", file=out)
    for name, row in per_series.iterrows():
        print(f"  {name:<26}{row['relative_mae']:>17.3f}{row['mase']:>8.3f}{row['mape']:>8.2f}{row['coverage_80']:>8.1%}{row['coverage_95']:>8.1%}", file=out)
    overall = ev[["relative_mae", "mase", "mape", "coverage_80", "coverage_95"]].mean()
    print(f"  {'mean over series, origins':<26}{overall['relative_mae']:>17.3f}{overall['mase']:>8.3f}{overall['mape']:>8.2f}"
          f"{overall['coverage_80']:>8.1%}{overall['coverage_95']:>8.1%}", file=out)
    checks = {
        "MASE relative to seasonal naive <= 0.80": overall["relative_mae"] <= 0.80,
        "80 % coverage within 75-85 %": 0.75 <= overall["coverage_80"] <= 0.85,
        "95 % coverage within 90-98 %": 0.90 <= overall["coverage_95"] <= 0.98,
    }
    for text, ok in checks.items():
        print(f"  target {text}: {'met' if ok else 'NOT met'}", file=out)
    return {k: float(v) for k, v in overall.items()}


def forecast_benchmark(out: TextIO, births: pd.DataFrame | None = None, n_origins: int = 10, minimum_origins: int = 6) -> dict[str, float]:
    """Print the rolling-origin evaluation and the time to forecast every unit and the region.

    The same forecasts are summarised twice: over the last ``minimum_origins`` yearly
    origins (the last five years and more, as the target asks) and over all ``n_origins``."""
    series = forecast_series()
    t0 = time.perf_counter()
    ev = forecast.evaluate(series, horizon=12, n_origins=n_origins)
    eval_seconds = time.perf_counter() - t0
    origins = sorted(ev["origin"].unique())
    print(f"forecast benchmark: rolling origin, horizon 12 months, one origin a year, {os.cpu_count()} cores; "
          f"model selection and interval calibration use only data before each origin", file=out)
    recent = ev[ev["origin"].isin(origins[-minimum_origins:])]
    result = _summary_lines(recent, f"last {minimum_origins} origins ({origins[-minimum_origins]:%Y-%m} to {origins[-1]:%Y-%m})", out)
    result_all = _summary_lines(ev, f"all {len(origins)} origins ({origins[0]:%Y-%m} to {origins[-1]:%Y-%m})", out)
    result.update({f"all_{k}": v for k, v in result_all.items()})
    print(f"models chosen: {ev['model'].value_counts().to_dict()}", file=out)
    print(f"evaluation wall time: {eval_seconds:.1f} s", file=out)
    if births is not None:
        t1 = time.perf_counter()
        all_fc = forecast.forecast_all(births, horizon=60)
        result["all_units_seconds"] = time.perf_counter() - t1
        n = all_fc["unit_id"].nunique()
        ok = result["all_units_seconds"] < 20
        print(f"forecast of {n} series (units + region, 60 months, selection and reconciliation): "
              f"{result['all_units_seconds']:.1f} s; target < 20 s: {'met' if ok else 'NOT met'}", file=out)
    return result
