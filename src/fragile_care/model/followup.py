"""Tertial follow-up: indicators against targets, control charts, forecast against actual,
and what changed since the previous run.

Control charts (SPC) use fixed baselines: the centre line and limits are computed once
from a baseline period and kept, so later points are judged against them (an XmR chart
for monthly values, a c-chart for weekly counts). A point outside the limits, or eight
points in a row on one side of the centre line, is a signal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fragile_care.inputs import io
from fragile_care.model import calendar, capacity, chain, describe

LIGHTS_SV = {"green": "grön", "yellow": "gul", "red": "röd", "not_started": "ej mätbar än", "none": "–"}


# ----------------------------------------------------------------------------- indicators
def indicator_values(
    births: pd.DataFrame,
    redirections: pd.DataFrame,
    staffing: pd.DataFrame,
    staffing_weekly: pd.DataFrame | None,
    year: int,
    weeks: tuple[int, int],
    high_risk: float,
    mean_stay_hours: capacity.Stay,
) -> dict[str, float]:
    """The plan's indicators for the region in one summer (ISO weeks ``weeks`` of ``year``)."""
    weekly = calendar.weekly_estimate(births)
    weekly = weekly[(weekly["iso_year"] == year) & weekly["iso_week"].between(*weeks)]
    # redirections for capacity reasons: the count every report publishes
    redirected = describe.region_summer_redirections(redirections, year, weeks)["capacity"]
    deliveries = float(weekly["deliveries"].sum())
    summer_months = staffing[
        (staffing["profession"] == "barnmorska") & (staffing["month"].dt.year == year) & staffing["month"].dt.month.isin([6, 7, 8])
    ]
    out = {
        "hänvisade_sommar": redirected,
        "hänvisade_per_1000": 1000 * redirected / deliveries if deliveries else float("nan"),
        "vakansgrad_barnmorskor": 100 * summer_months["vacancies"].sum() / summer_months["fte_budgeted"].sum()
        if len(summer_months)
        else float("nan"),
        "veckor_med_risk": float("nan"),
    }
    if staffing_weekly is not None:
        part = staffing_weekly[staffing_weekly["iso_year"] == year]
        if len(part):
            stays = capacity.row_stays(part["unit_id"], mean_stay_hours)
            risk = chain.weekly_blocking(part, part["deliveries"].to_numpy(float), part["rooms_staffed"].to_numpy(float), stays)
            out["veckor_med_risk"] = float((risk > high_risk).sum())
    return out


def traffic_light(current: float, baseline: float, target: float) -> str:
    """Lower is better: green at or below target, yellow better than baseline, else red."""
    if any(pd.isna(v) for v in (current, baseline, target)):
        return "none"
    if current <= target:
        return "green"
    return "yellow" if current < baseline else "red"


INDICATOR_COLUMNS = ["activity_id", "indicator", "baseline", "target", "current", "light", "target_met_at_baseline", "baseline_found"]


def indicator_table(
    plan: pd.DataFrame,
    values: dict[str, float],
    measured_until: pd.Timestamp | None = None,
    past: dict[int, dict[str, float]] | None = None,
) -> pd.DataFrame:
    """One row per activity with an indicator: baseline, target, current value, light.

    An activity that starts after ``measured_until`` (the end of the summer the values
    measure) cannot have moved them: its light is "not_started", never green or red.
    ``target_met_at_baseline``: the target is no better than the baseline (lower is
    better), so it is met before anything is done: for the plan's owner to sharpen.
    ``baseline_found``: the summer (of ``past``, each summer's values by
    :func:`indicator_values`, the function that measures ``values``) whose value, rounded
    as the plan writes its baseline, is the baseline; NaN when none is (the baseline cannot
    be reproduced from the data)."""
    rows = []
    for act in plan.to_dict("records"):
        ind = act.get("indicator")
        if not isinstance(ind, str) or not ind:
            continue
        current = values.get(ind, float("nan"))
        started = measured_until is None or pd.isna(act.get("start")) or pd.Timestamp(act["start"]) <= measured_until
        baseline, target = act["baseline"], act["target"]
        rows.append(
            {
                "activity_id": act["activity_id"],
                "indicator": ind,
                "baseline": baseline,
                "target": target,
                "current": current,
                "light": traffic_light(current, baseline, target) if started else "not_started",
                "target_met_at_baseline": bool(not pd.isna(baseline) and not pd.isna(target) and target >= baseline),
                "baseline_found": _summer_of(baseline, ind, past or {}),
            }
        )
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


def _summer_of(baseline: float, indicator: str, past: dict[int, dict[str, float]]) -> float:
    """The latest summer whose measured ``indicator``, rounded to the decimals ``baseline``
    is written with (at most 3), equals it; NaN if none does."""
    if pd.isna(baseline):
        return float("nan")
    decimals = next((d for d in range(4) if round(float(baseline), d) == float(baseline)), 3)
    for year in sorted(past, reverse=True):
        value = past[year].get(indicator, float("nan"))
        if not pd.isna(value) and abs(round(float(value), decimals) - float(baseline)) < 0.5 * 10**-decimals:
            return float(year)
    return float("nan")


# ----------------------------------------------------------------------------- the plan's status
LATE = "försenad"
PLAN_STATUS_COLUMNS = ["activity_id", "status_reported", "status", "on_track", "check"]


def plan_status(actions: pd.DataFrame, reference: pd.Timestamp) -> pd.DataFrame:
    """Each activity's status read against one date, ``reference`` (the run's data cut-off,
    which the reports' cover gives): ``status`` is the status the plan reports unless the
    dates contradict it, then :data:`LATE` (planned but due to have started, or not done
    and past its end); ``on_track`` False for a late or paused activity; ``check`` says
    in Swedish what the plan's owner should look at (a status reported before the start
    date, a late activity), empty otherwise."""
    rows = []
    for a in actions.to_dict("records"):
        reported, start, end = a["status"], pd.Timestamp(a["start"]), pd.Timestamp(a["end"])
        status, check = reported, ""
        if reported in ("planerad", "pågår") and end < reference:
            status, check = LATE, f"skulle ha varit klar {end:%Y-%m-%d}"
        elif reported == "planerad" and start <= reference:
            status, check = LATE, f"skulle ha startat {start:%Y-%m-%d}"
        elif reported in ("pågår", "klar") and start > reference:
            check = f"anmäld som {reported} före sitt startdatum {start:%Y-%m-%d}: kontrollera datum eller status"
        rows.append(
            {
                "activity_id": a["activity_id"],
                "status_reported": reported,
                "status": status,
                "on_track": status not in (LATE, "pausad"),
                "check": check,
            }
        )
    return pd.DataFrame(rows, columns=PLAN_STATUS_COLUMNS)


COUNT_INDICATORS = ("hänvisade_sommar", "veckor_med_risk")  # whole numbers: shown without decimals
INDICATOR_NAMES_SV = {  # the plan's indicator ids (schemas.INDICATORS) as the reports name them
    "hänvisade_sommar": "Hänvisade kvinnor under sommarperioden (platsbrist, bemanning)",
    "hänvisade_per_1000": "Hänvisade (platsbrist, bemanning) per 1 000 förlossningar, sommar",
    "vakansgrad_barnmorskor": "Vakansgrad barnmorskor juni–augusti",
    "veckor_med_risk": "Enhetsveckor med förhöjd risk, sommar",
}
INDICATOR_UNITS_SV = {"vakansgrad_barnmorskor": "%"}  # the others are counts or a rate per 1 000 named in full


# ----------------------------------------------------------------------------- control charts
def _runs(values: np.ndarray, centre: float, length: int = 8) -> np.ndarray:
    side = np.sign(values - centre)
    flag = np.zeros(len(values), dtype=bool)
    count = 0
    for i in range(len(values)):
        count = count + 1 if i > 0 and side[i] != 0 and side[i] == side[i - 1] else (1 if side[i] != 0 else 0)
        if count >= length:
            flag[i - length + 1 : i + 1] = True
    return flag


def xmr(values: pd.Series, baseline: pd.Series) -> pd.DataFrame:
    """Individuals (XmR) chart: centre = baseline mean, limits = centre ± 2.66 × mean
    moving range of the baseline (Wheeler). ``baseline`` is a boolean mask."""
    mask = np.asarray(baseline, dtype=bool)
    base = values[mask]
    if len(base) < 6:
        raise ValueError(f"an XmR baseline needs at least 6 points, got {len(base)}")
    centre = float(base.mean())
    mr = float(base.diff().abs().mean())
    lower, upper = centre - 2.66 * mr, centre + 2.66 * mr
    v = values.to_numpy(float)
    return pd.DataFrame(
        {
            "value": v,
            "centre": centre,
            "lower": lower,
            "upper": upper,
            "baseline": mask,
            "outside": (v < lower) | (v > upper),
            "run": _runs(v, centre),
        },
        index=values.index,
    )


C_CHART_MIN_POINTS = 6


def c_chart(counts: pd.Series, baseline: pd.Series) -> pd.DataFrame:
    """c-chart for counts per period: centre c̄ from the baseline, limits c̄ ± 3√c̄ (lower at 0).

    A baseline of fewer than 6 points (a run whose data hold one summer before the latest)
    gives the counts without centre and limits (NaN, no signals) and says so in
    ``attrs["note"]``, instead of stopping the step."""
    mask = np.asarray(baseline, dtype=bool)
    base = counts[mask]
    v = counts.to_numpy(float)
    if len(base) < C_CHART_MIN_POINTS:
        chart = pd.DataFrame(
            {"value": v, "centre": np.nan, "lower": np.nan, "upper": np.nan, "baseline": mask, "outside": False, "run": False},
            index=counts.index,
        )
        chart.attrs["note"] = (
            f"no control limits: the baseline holds {len(base)} point(s), at least {C_CHART_MIN_POINTS} are needed "
            "(for the summer months June-August: two summers before the latest)"
        )
        return chart
    centre = float(base.mean())
    lower, upper = max(0.0, centre - 3 * np.sqrt(centre)), centre + 3 * np.sqrt(centre)
    return pd.DataFrame(
        {
            "value": v,
            "centre": centre,
            "lower": lower,
            "upper": upper,
            "baseline": mask,
            "outside": (v < lower) | (v > upper),
            "run": _runs(v, centre),
        },
        index=counts.index,
    )


# ----------------------------------------------------------------------------- forecast against actual
def forecast_vs_actual(forecast: pd.DataFrame, births: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """The region's forecast (unit_id REGION) against the actual deliveries in ``months``."""
    actual = births.groupby("month")["deliveries"].sum()
    fc = forecast[forecast["unit_id"] == "REGION"].set_index("month")
    rows = []
    for m in months:
        if m not in fc.index or m not in actual.index:
            continue
        f = fc.loc[m]
        rows.append(
            {
                "month": m,
                "actual": float(actual[m]),
                "forecast": float(f["mean"]),
                "lower_80": float(f["lower_80"]),
                "upper_80": float(f["upper_80"]),
                "error_pct": 100 * (float(actual[m]) - float(f["mean"])) / float(f["mean"]),
                "inside_80": bool(f["lower_80"] <= actual[m] <= f["upper_80"]),
            }
        )
    return pd.DataFrame(rows, columns=["month", "actual", "forecast", "lower_80", "upper_80", "error_pct", "inside_80"])


# ----------------------------------------------------------------------------- previous run
def load_previous(manifest: Path, processed: Path) -> tuple[dict, dict[str, pd.DataFrame]] | None:
    """The previous run's manifest (``bundle.manifest_path`` finds it in a bundle) and
    processed tables, or None when there is none."""
    if not manifest.is_file() or not processed.is_dir():
        return None
    return io.read_json(manifest), io.read_tables(processed)


def key_numbers(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Headline numbers of a run, for comparing runs."""
    out: dict[str, float] = {}
    births = tables.get("births_monthly")
    if births is not None and len(births):
        out["last_month_deliveries"] = float(births[births["month"] == births["month"].max()]["deliveries"].sum())
    fc = tables.get("births_forecast")
    if fc is not None and len(fc):
        region = fc[fc["unit_id"] == "REGION"]
        first = region["month"].min()
        out["forecast_next_12_months"] = float(region[region["month"] < first + pd.DateOffset(months=12)]["mean"].sum())
    tot = tables.get("redirection_totals")
    if tot is not None and len(tot):
        out["redirected_next_summer"] = float(tot.set_index("unit_id").loc["REGION", "redirected_mean"])
    log = tables.get("quality_log")
    if log is not None:
        counts = log["count"].fillna(1) if "count" in log else pd.Series(1, index=log.index)  # an entry may count many findings
        out["quality_repairs"] = float(counts[log["severity"] == "repaired"].sum())
        out["quality_warnings"] = float(counts[log["severity"] == "warning"].sum())
    return out


def compare_runs(
    previous_manifest: dict,
    previous_tables: dict[str, pd.DataFrame],
    current_inputs: dict[str, str],
    current_tables: dict[str, pd.DataFrame],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What changed since the previous run: input files (added, removed, changed by
    sha256) and the headline numbers side by side."""
    before = {item["path"]: item["sha256"] for item in previous_manifest.get("inputs", [])}
    files = []
    for path in sorted(set(before) | set(current_inputs)):
        if path not in before:
            files.append((path, "ny"))
        elif path not in current_inputs:
            files.append((path, "borttagen"))
        elif before[path] != current_inputs[path]:
            files.append((path, "ändrad"))
    old, new = key_numbers(previous_tables), key_numbers(current_tables)
    numbers = [(k, old.get(k, float("nan")), new.get(k, float("nan"))) for k in new]
    frame = pd.DataFrame(numbers, columns=["number", "previous", "current"])
    frame["change"] = frame["current"] - frame["previous"]
    return pd.DataFrame(files, columns=["path", "change"]), frame


def log_after_activities(backtest: pd.DataFrame, actions: pd.DataFrame, summer_weeks: tuple[int, int]) -> pd.DataFrame:
    """Did the log change after an activity of the plan? For each summer the rolling
    backtest predicted for the region (``calibration_backtest``, REGION rows: the model
    fitted on the summers before): where the log fell against the 80 % interval
    (``position``: below, inside, above) and the activities under way or done that started
    or finished between the end of the summers it was fitted on and the end of that summer
    (``activities``: their ids, comma separated; only those can explain a change the
    earlier summers do not). A log below the interval after such an activity is what the
    follow-up reports as a possible effect; the model cannot tell it from chance."""
    region = backtest[backtest["unit_id"] == "REGION"].sort_values("iso_year")
    rows = []
    for r in region.to_dict("records"):
        fitted = [int(y) for y in str(r["fitted_on"]).split(", ") if y]
        since = pd.Timestamp.fromisocalendar(max(fitted), summer_weeks[1], 7) if fitted else pd.Timestamp.min
        until = pd.Timestamp.fromisocalendar(int(r["iso_year"]), summer_weeks[1], 7)
        started = actions["status"].isin(["pågår", "klar"]) if len(actions) else pd.Series(dtype=bool)
        in_window = [(actions[c] > since) & (actions[c] <= until) for c in ("start", "end")] if len(actions) else []
        acts = actions[started & (in_window[0] | in_window[1])] if len(actions) else actions
        position = "below" if r["logged"] < r["low_80"] else "above" if r["logged"] > r["high_80"] else "inside"
        rows.append({**{k: r[k] for k in ("iso_year", "logged", "predicted", "low_80", "high_80")}, "position": position,
                     "activities": ", ".join(acts["activity_id"].astype(str)) if len(acts) else ""})  # fmt: skip
    cols = ["iso_year", "logged", "predicted", "low_80", "high_80", "position", "activities"]
    return pd.DataFrame(rows, columns=cols)


def tertial_results(births: pd.DataFrame, staffing_weekly: pd.DataFrame, months: pd.DatetimeIndex) -> dict[str, float]:
    """The tertial's own figures for the opening of the tertial report: deliveries in the
    region in ``months`` (the tertial's months with data) and in the same months a year
    before, with the change, and the unit-weeks of the latest observed summer with too few
    midwives (``weeks_short`` of ``weeks``; NaN without an observed summer)."""
    monthly = births.groupby("month")["deliveries"].sum()
    now = float(monthly.reindex(months).sum())
    before = float(monthly.reindex(months - pd.DateOffset(years=1)).sum())
    observed = staffing_weekly[staffing_weekly["kind"] == "utfall"]
    year = int(observed["iso_year"].max()) if len(observed) else None
    summer = observed[observed["iso_year"] == year] if year else observed
    return {
        "deliveries": now,
        "deliveries_year_before": before,
        "change": describe.change(now, before),
        "months": float(len(months)),
        "summer_year": float(year) if year else np.nan,
        "weeks_short": float((summer["fte_gap"] < 0).sum()) if year else np.nan,
        "weeks": float(len(summer)) if year else np.nan,
    }
