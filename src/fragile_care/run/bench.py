"""Benchmarks that print figures (performance and accuracy targets are measured here,
not by timed tests): ``fragile-care bench forecast|capacity|scale``.

The leave-one-country-out evaluation that ``bench forecast`` scores is the one the pooled
interval calibration is made from (``run/interval_calibration.py``, ``fragile-care
calibrate-intervals``); the benchmark only reads and prints it."""

from __future__ import annotations

import io as io_
import os
import re
import threading
import time
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from fragile_care.model import forecast
from fragile_care.run.interval_calibration import last_origins, loco_evaluation, mean_coverage, reference_series, sweden_live_births

BENCH_SEED = 20261122
UNIT_SIZES = (30, 250, 900)  # mean births a month of the thinned series


def forecast_series(seed: int = BENCH_SEED) -> dict[str, pd.Series]:
    """Sweden's monthly live births (:func:`interval_calibration.sweden_live_births`) and
    series of a delivery unit's size made from it by binomial thinning (each birth kept
    with probability p): the real national pattern with the counting noise of a small unit."""
    sweden = sweden_live_births()
    rng = np.random.default_rng(seed)
    out = {"Sverige (SCB)": sweden}
    for size in UNIT_SIZES:
        kept = rng.binomial(sweden.astype(int).to_numpy(), size / sweden.mean())
        out[f"enhetsstorlek ~{size}/mån"] = pd.Series(kept.astype(float), index=sweden.index)
    return out


# size classes by mean births a month: a delivery unit's scale, a region's or a small
# country's, a country's
SIZE_CLASSES = ((250.0, "small (< 250 a month)"), (5000.0, "medium (250-5 000)"), (float("inf"), "large (> 5 000)"))
METRICS = ["relative_mae", "mase", "mape", "coverage_80", "coverage_95"]


def size_class(y: pd.Series) -> str:
    mean = float(y.mean())
    return next(label for limit, label in SIZE_CLASSES if mean < limit)


def _summary_lines(ev: pd.DataFrame, title: str, out: TextIO, classes: dict[str, str] | None = None) -> dict[str, float]:
    """Per series (mean over its origins), per size class and overall (means over series,
    so a long series does not outweigh a short one), with the targets of issue 12 checked
    overall and within each class."""
    per_series = ev.groupby("series", sort=False)[METRICS].mean()
    per_series["origins"] = ev.groupby("series", sort=False)["origin"].nunique()
    classes = classes or {}
    per_series["class"] = [classes.get(name, "") for name in per_series.index]
    print(f"{title}", file=out)
    print(f"  {'series':<34}{'MASE rel. snaive':>17}{'MASE':>8}{'MAPE %':>8}{'cov 80':>8}{'cov 95':>8}{'origins':>9}", file=out)

    def line(name: str, row: pd.Series, origins: str) -> None:
        print(
            f"  {name[:33]:<34}{row['relative_mae']:>17.3f}{row['mase']:>8.3f}{row['mape']:>8.2f}"
            f"{row['coverage_80']:>8.1%}{row['coverage_95']:>8.1%}{origins:>9}",
            file=out,
        )

    for name, row in per_series.sort_values(["class", "mase"]).iterrows():
        line(str(name), row, str(int(row["origins"])))
    groups = {label: per_series[per_series["class"] == label] for _, label in SIZE_CLASSES if (per_series["class"] == label).any()}
    groups["all series"] = per_series
    result: dict[str, float] = {}
    for label, part in groups.items():
        mean = part[METRICS].mean()
        line(f"mean, {label} ({len(part)})", mean, str(int(part["origins"].sum())))
        result.update({f"{label}: {k}": float(v) for k, v in mean.items()})
        if label == "all series":
            result.update({k: float(v) for k, v in mean.items()})
    for label in groups:
        ok = {
            "MASE rel. snaive <= 0.80": result[f"{label}: relative_mae"] <= 0.80,
            "80 % coverage 78-82 %": 0.78 <= result[f"{label}: coverage_80"] <= 0.82,
            "95 % coverage 93-97 %": 0.93 <= result[f"{label}: coverage_95"] <= 0.97,
        }
        print(f"  targets, {label}: " + "; ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in ok.items()), file=out)
    return result


def coverage_uncertainty(ev: pd.DataFrame, classes: dict[str, str], n_boot: int = 2000, seed: int = BENCH_SEED) -> pd.DataFrame:
    """How much the coverage of each size class (and of all series) could move with another
    draw of series: the 2.5 and 97.5 percentiles of the class means of per-series coverage
    over ``n_boot`` resamples of its series with replacement. A lower bound on the
    uncertainty: the series of one year share their shocks, which this ignores."""
    per = ev.groupby("series")[["coverage_80", "coverage_95"]].mean()
    per["class"] = [classes.get(name, "") for name in per.index]
    rng = np.random.default_rng(seed)
    rows = []
    for label, part in [*per.groupby("class", sort=False), ("all series", per)]:
        values = part[["coverage_80", "coverage_95"]].to_numpy()
        means = values[rng.integers(0, len(values), (n_boot, len(values)))].mean(axis=1)
        low, high = np.percentile(means, [2.5, 97.5], axis=0)
        rows.append({"class": label, "series": len(values), "low_80": low[0], "high_80": high[0], "low_95": low[1], "high_95": high[1]})
    return pd.DataFrame(rows).set_index("class")


def coverage_by_origin_year(ev: pd.DataFrame, since: int = 2010) -> pd.DataFrame:
    """Coverage of the 80 % and 95 % intervals per calendar year of the origin (``since``
    on), with the number of series-origins: the shifts of 2020-2022 show here."""
    part = ev[pd.to_datetime(ev["origin"]).dt.year >= since]
    return part.groupby(pd.to_datetime(part["origin"]).dt.year).agg(
        coverage_80=("coverage_80", "mean"), coverage_95=("coverage_95", "mean"), n=("series", "size")
    )


def forecast_benchmark(
    out: TextIO, births: pd.DataFrame | None = None, n_origins: int = 100, minimum_origins: int = 5, thinned: bool = False
) -> dict[str, float]:
    """Print the rolling-origin evaluation on the reference set (Sweden and 41 countries)
    and the time to forecast every unit and the region.

    One origin a year, horizon 12, every origin with at least 24 months of training data
    (at most ``n_origins``); the same forecasts are summarised over the last
    ``minimum_origins`` origins of each series and over all of them. With ``thinned`` also
    the earlier benchmark's unit-sized series thinned from Sweden."""
    series = reference_series()
    if thinned:
        series.update({k: v for k, v in forecast_series().items() if k != "Sverige (SCB)"})
    classes = {name: size_class(y) for name, y in series.items()}
    t0 = time.perf_counter()
    _, ev, ev_own = loco_evaluation(series, n_origins)
    eval_seconds = time.perf_counter() - t0
    print(
        f"forecast benchmark: {len(series)} series (Sweden and the UN reference set), rolling origin, horizon 12 months, "
        f"one origin a year, {os.cpu_count()} cores; model selection and interval calibration use only data before each origin; "
        "the pooled interval calibration leaves the series out and uses only errors observed by the origin",
        file=out,
    )
    recent = last_origins(ev, minimum_origins)
    result = _summary_lines(recent, f"last {minimum_origins} origins of each series", out, classes)
    spread = coverage_uncertainty(recent, classes)
    print(
        f"  sampling uncertainty over the last {minimum_origins} origins (95 % bootstrap interval, series resampled within each "
        "class; ignores that a year's shocks are shared): "
        + "; ".join(
            f"{label.split(' (')[0]} {row.low_80:.1%}-{row.high_80:.1%} (80 %), {row.low_95:.1%}-{row.high_95:.1%} (95 %)"
            for label, row in spread.iterrows()
        ),
        file=out,
    )
    result_all = _summary_lines(ev, "all origins", out, classes)
    result.update({f"all_{k}": v for k, v in result_all.items()})
    for title, part in ((f"last {minimum_origins} origins", last_origins(ev_own, minimum_origins)), ("all origins", ev_own)):
        per = mean_coverage(part)
        print(
            f"  for comparison, own calibration only, {title}: coverage {per['coverage_80']:.1%} (80 %), {per['coverage_95']:.1%} (95 %)",
            file=out,
        )
    by_year = coverage_by_origin_year(ev)
    print(
        "  coverage by the year of the origin (pooled, left one country out; the forecast covers the 12 months after it): "
        + "; ".join(f"{row.Index}: {row.coverage_80:.0%}/{row.coverage_95:.0%} (n={row.n})" for row in by_year.itertuples()),
        file=out,
    )
    print(f"models chosen: {ev['model'].value_counts().to_dict()}", file=out)
    print(f"evaluation wall time: {eval_seconds:.1f} s ({len(ev)} series-origins)", file=out)
    candidate_contributions(series, minimum_origins, out)
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


def candidate_contributions(series: dict[str, pd.Series], n_origins: int, out: TextIO) -> pd.DataFrame:
    """What each candidate model costs and adds: its fit time per training series, its own
    MASE relative to seasonal naive, and that of the mean of all three members and of the
    mean without each, over the same rolling origins as the evaluation (point forecasts on
    weekend-adjusted days, as :func:`forecast._fit_all` fits them, without selection). A
    member whose removal does not make the combination worse does not earn its place."""
    members = tuple(forecast.MEMBERS)
    windows = forecast.evaluation_windows(series, 12, n_origins)
    seconds = dict.fromkeys(("snaive", *members), 0.0)
    rows = []
    for (name, k), (train, test) in windows.items():
        h = len(test)
        adjusted, ahead = forecast.weekend_adjustment(train, h)
        t0 = time.perf_counter()
        values = {"snaive": forecast._snaive(train, h)}
        seconds["snaive"] += time.perf_counter() - t0
        for model in members:
            t0 = time.perf_counter()
            values[model] = forecast.MEMBERS[model](adjusted, h) * ahead
            seconds[model] += time.perf_counter() - t0
        actual = test.to_numpy(float)
        naive_ae = np.abs(actual - values["snaive"]).mean() or 1.0
        combos = {"mean of all three": np.mean([values[m] for m in members], axis=0)}
        combos.update({f"mean without {m}": np.mean([values[x] for x in members if x != m], axis=0) for m in members})
        for label, fc in {**{m: values[m] for m in members}, **combos}.items():
            rows.append((name, k, label, np.abs(actual - fc).mean() / naive_ae))
    frame = pd.DataFrame(rows, columns=["series", "origin", "forecast", "relative_mae"])
    table = frame.groupby(["forecast", "series"], sort=False)["relative_mae"].mean().groupby("forecast", sort=False).mean()
    print(
        f"candidate models: cost and contribution over the last {n_origins} origins (point forecasts, no selection); "
        f"comb is the mean of {' and '.join(forecast.COMBINED)}, with ets_level under {forecast.SMALL_SERIES:g} births a month",
        file=out,
    )
    print(f"  {'forecast':<30}{'MASE rel. snaive':>17}{'ms per fit':>12}", file=out)
    for label, value in table.items():
        cost = f"{1000 * seconds[label] / len(windows):10.0f}" if label in seconds else ""
        print(f"  {label:<30}{value:>17.3f}{cost:>12}", file=out)
    return table.to_frame()


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
    from fragile_care.model import calendar, capacity, planning, staffing
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
    risk, draws = planning.redirection_risk(mid, "rooms_staffed", cap.mean_stay_hours, n_draws, cap.seed, cap.high_risk_blocking)
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


# ----------------------------------------------------------------------------- scale
SCALE_SIZES = (4, 12, 45)
STEP_LINE = re.compile(r"^\[\d+/\d+\] (\S+) \.\.\. (running|done|FAILED)")


class _StepClock(io_.StringIO):
    """The run's progress output, with the moment each step started and ended."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[tuple[float, str, str]] = []

    def write(self, text: str) -> int:
        for line in text.splitlines():
            m = STEP_LINE.match(line)
            if m:
                self.marks.append((time.perf_counter(), m[1], m[2]))
        return super().write(text)

    def windows(self) -> dict[str, tuple[float, float]]:
        started = {name: t for t, name, what in self.marks if what == "running"}
        return {name: (started[name], t) for t, name, what in self.marks if what != "running" and name in started}


class _TreeSampler(threading.Thread):
    """Samples the process tree of this process (the run, its kernel, the forecast's
    workers) every ``interval`` s: memory summed over the tree as proportional set size
    (PSS: a page shared by n processes counts 1/n in each, so libraries that the kernel
    and the workers share are not counted twice; resident size where PSS is not
    available), and CPU time (user + system of every process of the tree, a process that has
    ended with its last sample; one that lives less than ``interval`` is missed)."""

    def __init__(self, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        import psutil

        self.root = psutil.Process()
        self.interval = interval
        self.samples: list[tuple[float, float, float]] = []  # time, rss bytes, cpu seconds
        self.stop = threading.Event()
        self._cpu_gone = 0.0
        self._last: dict[int, float] = {}

    def _cpu(self, proc) -> float:
        t = proc.cpu_times()  # the process's own time; a child's is counted from its own samples
        return t.user + t.system

    def sample(self) -> None:
        import psutil

        procs = [self.root, *self.root.children(recursive=True)]
        rss, now = 0.0, {}
        for proc in procs:
            try:
                rss += _memory(proc)
                now[proc.pid] = self._cpu(proc)
            except psutil.Error:
                continue
        # a process that ended since the last sample: count its CPU until then
        self._cpu_gone += sum(cpu for pid, cpu in self._last.items() if pid not in now)
        self._last = now
        self.samples.append((time.perf_counter(), rss, self._cpu_gone + sum(now.values())))

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)

    def between(self, t0: float, t1: float) -> tuple[float, float]:
        """CPU seconds used and peak memory (bytes) between ``t0`` and ``t1``."""
        inside = [s for s in self.samples if t0 <= s[0] <= t1] or [min(self.samples, key=lambda s: abs(s[0] - t1))]
        before = [s for s in self.samples if s[0] <= t0] or inside[:1]
        return inside[-1][2] - before[-1][2], max(s[1] for s in inside)


def _memory(proc) -> float:
    try:
        return float(proc.memory_full_info().pss)
    except (AttributeError, OSError):
        return float(proc.memory_info().rss)


def _measured_run(cfg, tmp: Path, render: bool = False) -> dict:
    """One cold run of every step (empty cache), without rendering unless ``render``: wall,
    CPU and peak memory per step and in total (with ``render``, the total includes the
    rendering of every report and notebook page, as ``fragile-care run`` does it)."""
    from fragile_care.run.pipeline import run

    clock, sampler = _StepClock(), _TreeSampler()
    sampler.start()
    t0 = time.perf_counter()
    code, result = run(
        cfg, render=render, require_render=render, out=clock, output_root=tmp / "o", processed_root=tmp / "p", cache_root=tmp / "c"
    )
    t1 = time.perf_counter()
    sampler.sample()
    sampler.stop.set()
    sampler.join()
    if code != 0 or result is None:
        raise RuntimeError(f"the run of {cfg.run_id} failed (exit {code}):\n{clock.getvalue()[-3000:]}")
    steps = {}
    for name, (a, b) in clock.windows().items():
        cpu, peak = sampler.between(a, b)
        steps[name] = {"wall": b - a, "cpu": cpu, "peak": peak}
    cpu, peak = sampler.between(t0, t1)
    return {"steps": steps, "wall": t1 - t0, "cpu": cpu, "peak": peak, "bundle": result.bundle}


def _render_times(bundle: Path, formats: tuple[str, ...]) -> dict[str, float]:
    """Render time of each report and format on its own, in a copy of the bundle (for the
    per-report figures; a run renders them all at once, see ``render.render_bundle``)."""
    import shutil
    import subprocess

    reports = tuple(sorted(p.name for p in bundle.glob("*.qmd") if not p.name.startswith("_")))  # _*.qmd: parts the reports include
    copy = bundle.parent / f"{bundle.name}-per-report"
    shutil.copytree(bundle, copy)
    times = {}
    for report in reports:
        for fmt in formats:  # quarto takes one --to (the last one given wins)
            t0 = time.perf_counter()
            subprocess.run(["quarto", "render", report, "--to", fmt], cwd=copy, capture_output=True, check=True)
            times[f"{report} to {fmt}, on its own"] = time.perf_counter() - t0
    shutil.rmtree(copy, ignore_errors=True)
    return times


def _mib(n: float) -> str:
    return f"{n / 1024**2:7.0f} MiB"


def scale_benchmark(
    out: TextIO, default_config: Path | None = None, sizes: tuple[int, ...] = SCALE_SIZES, repeat: int = 3, render: bool = False
) -> dict[str, dict]:
    """``fragile-care bench scale``: the whole pipeline, cold, on the default run
    (``default_config``, the region's 4 demo units) and on seeded synthetic data sets of
    ``sizes`` delivery units (``sources.national``), ``repeat`` times each. Prints the
    median wall time, CPU time and peak memory of the process tree per step and in total,
    and with ``render`` the render times of the first repetition of the default run and
    of the largest data set."""
    import shutil
    import statistics
    import tempfile

    from fragile_care.run.config import load_config
    from fragile_care.sources import national

    print(
        f"scale benchmark: cold runs of all steps without rendering, median of {repeat}, {os.cpu_count()} cores; "
        "memory = the run, its kernel and its workers together (PSS)",
        file=out,
    )
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        datasets = [("default run (demo data, the region's 4 units)", default_config, (25.0, 45.0))] if default_config else []
        for n in sizes:
            datasets.append(
                (
                    f"{n} synthetic units (sources.national)",
                    national.write_dataset(tmp / f"data-{n}", n),
                    (75.0, None) if n >= 45 else (None, None),
                )
            )
        for k, (title, config_path, (limit, with_render)) in enumerate(datasets):
            cfg = load_config(config_path)
            runs, rendered, full = [], None, []
            for r in range(repeat):
                folder = tmp / f"set{k}-run{r}"
                runs.append(_measured_run(cfg, folder))
                shutil.rmtree(folder, ignore_errors=True)
            if render and (k == 0 or k == len(datasets) - 1):
                # whole runs with rendering, as `fragile-care run` does them: the default run
                # as often as the others (its target), the largest data set once
                for r in range(repeat if k == 0 else 1):
                    folder = tmp / f"set{k}-render{r}"
                    full.append(_measured_run(cfg, folder, render=True))
                    if r == 0:
                        rendered = _render_times(full[0]["bundle"], cfg.render_formats)
                    shutil.rmtree(folder, ignore_errors=True)
            med = statistics.median
            print(f"{title}, run id {cfg.run_id}", file=out)
            print(f"  {'step':<24}{'wall':>9}{'CPU':>9}{'peak memory':>14}", file=out)
            for step in runs[0]["steps"]:
                rows = [run["steps"][step] for run in runs]
                wall, cpu, peak = (med([x[key] for x in rows]) for key in ("wall", "cpu", "peak"))
                print(f"  {step:<24}{wall:8.1f}s{cpu:8.1f}s{_mib(peak):>14}", file=out)
            total = {key: med([run[key] for run in runs]) for key in ("wall", "cpu", "peak")}
            print(f"  {'all steps':<24}{total['wall']:8.1f}s{total['cpu']:8.1f}s{_mib(total['peak']):>14}", file=out)
            print(f"  wall times of the {repeat} runs: " + ", ".join(f"{run['wall']:.1f}" for run in runs) + " s", file=out)
            if limit is not None:
                print(f"  target all steps <= {limit:.0f} s: {'met' if total['wall'] <= limit else 'NOT met'}", file=out)
            if limit is not None and with_render is None:
                print(f"  target peak memory < 1 GiB: {'met' if total['peak'] < 1024**3 else 'NOT met'}", file=out)
            if full:
                both = med([run["wall"] for run in full])
                print(
                    f"  all steps and rendering (cold, {len(full)} run(s), median): {both:.1f} s; wall times "
                    + ", ".join(f"{run['wall']:.1f}" for run in full)
                    + f" s; peak memory {_mib(med([run['peak'] for run in full])).strip()}",
                    file=out,
                )
                if with_render is not None:
                    print(
                        f"  target all steps and rendering <= {with_render:.0f} s: {'met' if both <= with_render else 'NOT met'}", file=out
                    )
            for what, seconds in (rendered or {}).items():
                print(f"  render {what:<52}{seconds:7.1f} s", file=out)
            results[cfg.run_id] = {"runs": runs, "total": total, "render": rendered, "full": full}
    return results
