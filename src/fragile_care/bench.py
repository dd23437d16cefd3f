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


def forecast_benchmark(out: TextIO, births: pd.DataFrame | None = None) -> dict[str, float]:
    """Print the rolling-origin evaluation and the time to forecast every unit and the region."""
    series = forecast_series()
    t0 = time.perf_counter()
    ev = forecast.evaluate(series, horizon=12, n_origins=6)
    eval_seconds = time.perf_counter() - t0
    print(f"forecast benchmark: rolling origin, horizon 12 months, one origin a year ({ev['origin'].nunique()} origins, "
          f"{ev['origin'].min():%Y-%m} to {ev['origin'].max():%Y-%m}), {os.cpu_count()} cores", file=out)
    per_series = ev.groupby("series", sort=False)[["relative_mae", "mase", "mape", "coverage_80", "coverage_95"]].mean()
    print(f"  {'series':<26}{'MASE rel. snaive':>17}{'MASE':>8}{'MAPE %':>8}{'cov 80':>8}{'cov 95':>8}", file=out)
    for name, row in per_series.iterrows():
        print(f"  {name:<26}{row['relative_mae']:>17.3f}{row['mase']:>8.3f}{row['mape']:>8.2f}{row['coverage_80']:>8.1%}{row['coverage_95']:>8.1%}", file=out)
    overall = ev[["relative_mae", "mase", "mape", "coverage_80", "coverage_95"]].mean()
    print(f"  {'mean over series, origins':<26}{overall['relative_mae']:>17.3f}{overall['mase']:>8.3f}{overall['mape']:>8.2f}"
          f"{overall['coverage_80']:>8.1%}{overall['coverage_95']:>8.1%}", file=out)
    print(f"  models chosen: {ev['model'].value_counts().to_dict()}", file=out)
    checks = {
        "MASE relative to seasonal naive <= 0.80": overall["relative_mae"] <= 0.80,
        "80 % coverage within 75-85 %": 0.75 <= overall["coverage_80"] <= 0.85,
        "95 % coverage within 90-98 %": 0.90 <= overall["coverage_95"] <= 0.98,
    }
    result = {"relative_mae": float(overall["relative_mae"]), "coverage_80": float(overall["coverage_80"]),
              "coverage_95": float(overall["coverage_95"]), "evaluation_seconds": eval_seconds}
    if births is not None:
        t1 = time.perf_counter()
        all_fc = forecast.forecast_all(births, horizon=60)
        result["all_units_seconds"] = time.perf_counter() - t1
        n = all_fc["unit_id"].nunique()
        checks["every unit and the region in < 20 s"] = result["all_units_seconds"] < 20
        print(f"  forecast of {n} series (units + region, 60 months, selection and reconciliation): {result['all_units_seconds']:.1f} s", file=out)
    print(f"  evaluation wall time: {eval_seconds:.1f} s", file=out)
    for text, ok in checks.items():
        print(f"  target {text}: {'met' if ok else 'NOT met'}", file=out)
    return result
