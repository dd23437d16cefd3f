"""Benchmarks that print figures (performance and accuracy targets are measured here,
not by timed tests)."""

from __future__ import annotations

import os
import time
from typing import TextIO

import numpy as np
import pandas as pd

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.inputs.contracts import check_table
from fragile_care.inputs.schemas import PUBLIC_SWEDEN_MONTHLY
from fragile_care.model import forecast

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
        print(
            f"  {name:<26}{row['relative_mae']:>17.3f}{row['mase']:>8.3f}{row['mape']:>8.2f}{row['coverage_80']:>8.1%}{row['coverage_95']:>8.1%}",
            file=out,
        )
    overall = ev[["relative_mae", "mase", "mape", "coverage_80", "coverage_95"]].mean()
    print(
        f"  {'mean over series, origins':<26}{overall['relative_mae']:>17.3f}{overall['mase']:>8.3f}{overall['mape']:>8.2f}"
        f"{overall['coverage_80']:>8.1%}{overall['coverage_95']:>8.1%}",
        file=out,
    )
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
    print(
        f"forecast benchmark: rolling origin, horizon 12 months, one origin a year, {os.cpu_count()} cores; "
        f"model selection and interval calibration use only data before each origin",
        file=out,
    )
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
        print(
            f"forecast of {n} series (units + region, 60 months, selection and reconciliation): "
            f"{result['all_units_seconds']:.1f} s; target < 20 s: {'met' if ok else 'NOT met'}",
            file=out,
        )
    return result


AGREEMENT_CASES = ((1.0, 1), (3.0, 5), (8.108, 15), (9.0, 16), (10.0, 12), (11.0, 20), (80.0, 90))
NEONATAL_CASES = ((2.0, 4), (11.0, 14), (11.0, 20))  # intensive-care cots of a small and a large unit
NEONATAL_STAY_HOURS = 18 * 24.0


def _agreement_rows(agree: pd.DataFrame, out: TextIO) -> None:
    for r in agree.itertuples():
        print(
            f"  {r.load_erlangs:>8.3f}{r.servers:>7d}{r.erlang_b:>11.5f}{r.simulated:>11.5f}   [{r.ci_low:.5f}, {r.ci_high:.5f}]"
            f"{'yes' if r.within_ci else 'no':>8}",
            file=out,
        )


def capacity_benchmark(out: TextIO, cfg, tables: dict[str, pd.DataFrame], n_draws: int = 1000) -> dict[str, float]:
    """Print simulation-versus-Erlang agreement and the time to evaluate every open unit ×
    summer week × ``n_draws`` forecast draws (blocking, expected redirections, neonatal).

    The unit-weeks are the latest observed summer with a leave plan, each with a forecast
    uncertainty of 6 % (log scale), so the benchmark does not depend on a forecast run."""
    from fragile_care.model import calendar, capacity, staffing
    from fragile_care.run import steps

    cap = cfg.capacity
    t0 = time.perf_counter()
    agree = capacity.agreement(AGREEMENT_CASES, cap.mean_stay_hours, weeks=20.0, replications=40, seed=cap.seed, stay_cv=cap.stay_cv)
    sim_seconds = time.perf_counter() - t0
    print(
        f"capacity benchmark ({os.cpu_count()} cores): simulated loss system (constant arrivals, log-normal stays, cv {cap.stay_cv}, "
        f"40 replications x 20 weeks) against Erlang B",
        file=out,
    )
    print(f"  {'load':>8}{'rooms':>7}{'Erlang B':>11}{'simulated':>11}{'95 % CI':>21}{'within':>8}", file=out)
    _agreement_rows(agree, out)
    print(
        f"  {int(agree['within_ci'].sum())} of {len(agree)} cases inside the simulation's 95 % interval "
        f"(about 1 in 20 may fall outside by chance); simulation time {sim_seconds:.1f} s",
        file=out,
    )
    t0 = time.perf_counter()
    neonatal = capacity.agreement(NEONATAL_CASES, NEONATAL_STAY_HOURS, weeks=400.0, replications=20, seed=cap.seed, stay_cv=1.0)
    print(f"  neonatal cots (mean stay {NEONATAL_STAY_HOURS / 24:.0f} days, exponential stays, 20 replications x 400 weeks):", file=out)
    _agreement_rows(neonatal, out)
    print(f"  neonatal simulation time {time.perf_counter() - t0:.1f} s", file=out)

    units = steps.open_units(tables["units"])
    years = staffing.review_years(tables["leave_plan"], cfg.compare_years)
    weekly = calendar.weekly_estimate(tables["births_monthly"])
    weekly = weekly[
        (weekly["iso_year"] == years[-1]) & weekly["iso_week"].between(*cfg.summer_weeks) & weekly["unit_id"].isin(units["unit_id"])
    ]
    weekly = weekly.assign(kind="utfall", sigma_log=0.06)
    mid, neo = staffing.summer_staffing(
        weekly,
        tables["staffing"],
        tables["leave_plan"],
        units,
        tables["neonatal_admissions"],
        tables["births_monthly"],
        cfg.norms,
        cap.mean_stay_hours,
        years[-1],
        cap.neonatal_history_years,
    )
    t1 = time.perf_counter()
    risk, draws = capacity.redirection_risk(mid, "rooms_staffed", cap.mean_stay_hours, n_draws, cap.seed, cap.high_risk_blocking)
    capacity.totals_with_interval(risk, draws)
    neo_draws = capacity.forecast_draws(neo.assign(sigma_log=0.06), n_draws, cap.seed)
    capacity.erlang_b_mixed(
        neo["load_erlangs"].to_numpy()[:, None] * neo_draws / neo["deliveries"].to_numpy()[:, None], neo["cots_staffed"].to_numpy()[:, None]
    )
    seconds = time.perf_counter() - t1
    n_cells = len(mid) * n_draws + len(neo) * n_draws
    ok = seconds < 10
    print(
        f"risk of {mid['unit_id'].nunique()} units x {mid['iso_week'].nunique()} summer weeks x {n_draws} draws "
        f"(+ {len(neo) // max(1, mid['iso_week'].nunique())} neonatal unit-levels): {n_cells} Erlang evaluations in {seconds:.3f} s; "
        f"target < 10 s: {'met' if ok else 'NOT met'}",
        file=out,
    )
    return {"seconds": seconds, "within_ci": float(agree["within_ci"].mean()), "simulation_seconds": sim_seconds}
