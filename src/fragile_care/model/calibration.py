"""The capacity model calibrated against the redirection log.

The loss model predicts, for a week with ``d`` deliveries on ``s`` staffed rooms, the
expected number of women turned away ``d·B(d·τ/168, s)`` (capacity.blocking), where ``τ``
is the mean delivery-room stay in hours. The configured ``τ`` is an assumption (no Swedish
figure is public), and everything else the model leaves out (the share of midwives on the
delivery ward, women who wait instead of leaving, rooms opened by staff called in) also
shows up as a model that predicts more or fewer redirections than the log records. So
``τ`` is estimated as an *effective* time per unit: the value that makes the model agree
with each unit's logged redirections for capacity reasons (platsbrist, bemanning) in the
summers observed, pooled across units (``unit_calibration``: negative-binomial summer
totals, hierarchical normal model for log τ, rolling backtest).

:func:`calibrate` makes the per-unit table and the backtest; :func:`resolved_settings`
the one table of settings later steps read (the configured or default values and the
calibrated times with their intervals).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel

from fragile_care.model import capacity, chain, planning, unit_calibration
from fragile_care.model.describe import CAPACITY_REASONS, redirections_weekly

DRAW_TYPES = {"draw": int, "unit_id": str, "stay_hours": float, "summer_effect": float}
MIN_LOGGED = 10  # fewer logged women than this cannot pin the stay down
STAY = "capacity.mean_stay_hours"  # the setting the calibration estimates, per unit


def logged_by_week(redirections: pd.DataFrame) -> pd.DataFrame:
    """Women in the log per sending unit and ISO week, for capacity reasons only."""
    capacity_only = redirections[redirections["reason"].isin(CAPACITY_REASONS)]
    return redirections_weekly(capacity_only).rename(columns={"women": "logged"}).astype({"logged": float})


def weekly_with_log(observed: pd.DataFrame, redirections: pd.DataFrame) -> pd.DataFrame:
    """The observed unit-weeks (deliveries, rooms_staffed and the BB link where known) with
    the logged women of each (0 where the log has none)."""
    keys = ["unit_id", "iso_year", "iso_week"]
    ward = [c for c in chain.WARD_COLUMNS if c in observed.columns]
    frame = observed[[*keys, "deliveries", "rooms_staffed", *ward]].merge(
        logged_by_week(redirections), on=keys, how="left", validate="one_to_one"
    )
    return frame.fillna({"logged": 0.0})


def _predicted(frame: pd.DataFrame, stay: float) -> np.ndarray:
    d = frame["deliveries"].to_numpy(float)
    return d * chain.weekly_blocking(frame, d, frame["rooms_staffed"].to_numpy(float), stay)


CALIBRATION_COLUMNS = [
    "unit_id",
    "effective_stay_hours",
    "low_80",
    "high_80",
    "prior_stay_hours",
    "pooled_stay_hours",
    "pooled_low_80",
    "pooled_high_80",
    "spread_between_units",
    "summer_effect",
    "weeks",
    "summers",
    "summer_years",
    "logged",
    "predicted",
    "used",
    "reason",
]


PARAMETER_DRAWS = 2000  # joint posterior draws of the units' times handed to the outlook


def calibrate(
    observed: pd.DataFrame, redirections: pd.DataFrame, prior: float, seed: int, enabled: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Each unit's effective delivery-room time from every observed summer, pooled across
    units (``unit_calibration``), and the rolling backtest of what it predicts.

    Returns (fits: one row per unit, ``used`` False with the reason when the prior is used
    instead; backtest: per unit-summer and REGION, logged against the 80 % interval of the
    model fitted on the summers before; draws: :data:`PARAMETER_DRAWS` joint posterior
    draws of every unit's time and the summer effect's variance, ``planning.DRAW_COLUMNS``).
    Without calibration every unit keeps ``prior`` and there are no draws.
    """
    frame = weekly_with_log(observed, redirections)
    logged = float(frame["logged"].sum())
    reason = ""
    if not enabled:
        reason = "kalibreringen är avstängd i konfigurationen (capacity.calibrate_stay)"
    elif logged < MIN_LOGGED:
        reason = f"loggen har {logged:.0f} hänvisade av kapacitetsskäl under de observerade somrarna; minst {MIN_LOGGED} behövs"
    enough = logged >= MIN_LOGGED and frame["iso_year"].nunique() > 1
    backtest = unit_calibration.rolling_backtest(frame if enough else frame.iloc[0:0], seed)
    if reason:
        per_unit = frame.groupby("unit_id", sort=True)
        fits = pd.DataFrame(
            {
                "unit_id": list(per_unit.groups),
                "effective_stay_hours": prior,
                "low_80": math.nan,
                "high_80": math.nan,
                "prior_stay_hours": prior,
                "pooled_stay_hours": prior,
                "pooled_low_80": math.nan,
                "pooled_high_80": math.nan,
                "spread_between_units": math.nan,
                "summer_effect": math.nan,
                "weeks": per_unit.size().to_numpy(),
                "summers": per_unit["iso_year"].nunique().to_numpy(),
                "summer_years": [unit_calibration.years_text(g["iso_year"]) for _, g in per_unit],
                "logged": per_unit["logged"].sum().to_numpy(float),
                "predicted": [float(_predicted(g, prior).sum()) for _, g in per_unit],
                "used": False,
                "reason": reason,
            }
        )
        return fits[CALIBRATION_COLUMNS], backtest, pd.DataFrame(columns=planning.DRAW_COLUMNS).astype(DRAW_TYPES)
    fit = unit_calibration.fit_units(frame)
    fits = unit_calibration.summary(fit, prior).assign(used=True, reason="")
    log_stays, kappas = unit_calibration.draw_log_stays(fit, PARAMETER_DRAWS, np.random.default_rng([seed, 3]))
    ids = list(fit.units["unit_id"])
    draws = pd.DataFrame(
        {
            "draw": np.repeat(np.arange(PARAMETER_DRAWS), len(ids)),
            "unit_id": np.tile(ids, PARAMETER_DRAWS),
            "stay_hours": np.exp(log_stays).ravel(),
            "summer_effect": np.repeat(kappas, len(ids)),
        }
    )
    return fits[CALIBRATION_COLUMNS], backtest, draws.astype(DRAW_TYPES)


def resolved_settings(
    sections: Mapping[str, BaseModel], fits: pd.DataFrame, estimated: Mapping[str, tuple[float, float, float, float]] | None = None
) -> pd.DataFrame:
    """Every number of the given configuration sections with the value the model uses
    (``value``), where it comes from (``source``: configured in the run file, the schema's
    default, or calibrated against the redirection log), its 80 % interval when it is
    estimated (``low``, ``high``) and the value before the calibration (``prior``). The
    delivery-room time has a row per unit (``capacity.mean_stay_hours.<unit>``) beside the
    units' common time. ``estimated``: settings left empty in the run file that the data
    give (name -> value, low, high, prior: what the model uses without the estimate;
    source "estimated"). The one table later steps and
    notebooks take settings from; nothing re-derives them."""
    used = not fits.empty and bool(fits["used"].all())
    rows = []
    for section, model in sections.items():
        for setting, value, configured in _numbers(section, model):
            row = {"setting": setting, "value": value, "source": "configured" if configured else "default"}
            row.update(low=math.nan, high=math.nan, prior=value)
            if setting == STAY and used:
                first = fits.iloc[0]
                row.update(value=first["pooled_stay_hours"], source="calibrated", low=first["pooled_low_80"], high=first["pooled_high_80"])
            rows.append(row)
            if setting == STAY:
                rows += [
                    {
                        "setting": f"{STAY}.{f['unit_id']}",
                        "value": f["effective_stay_hours"],
                        "source": "calibrated" if f["used"] else row["source"],
                        "low": f["low_80"],
                        "high": f["high_80"],
                        "prior": value,
                    }
                    for f in fits.to_dict("records")
                ]
    known = {r["setting"] for r in rows}
    rows += [
        {"setting": name, "value": v, "source": "estimated", "low": lo, "high": hi, "prior": prior}
        for name, (v, lo, hi, prior) in (estimated or {}).items()
        if name not in known
    ]
    return pd.DataFrame(rows, columns=["setting", "value", "source", "low", "high", "prior"]).astype(
        {"value": float, "low": float, "high": float, "prior": float}
    )


def unit_stays(resolved: pd.DataFrame, units) -> dict[str, float]:
    """The delivery-room time each of ``units`` has in the model: its own calibrated time,
    else (a unit without observed summers) the units' common time."""
    values = dict(zip(resolved["setting"], resolved["value"]))
    return {str(u): float(values.get(f"{STAY}.{u}", values[STAY])) for u in units}


def _numbers(prefix: str, model: BaseModel):
    """(dotted name, number, set in the run file) for every number of a settings model,
    nested models and mappings of numbers included; flags and texts are left out."""
    for name, value in model:
        key, configured = f"{prefix}.{name}", name in model.model_fields_set
        if isinstance(value, BaseModel):
            yield from ((k, v, configured and c) for k, v, c in _numbers(key, value))
        elif isinstance(value, dict):
            yield from ((f"{key}.{k}", float(v), configured) for k, v in value.items() if _is_number(v))
        elif _is_number(value):
            yield key, float(value), configured


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def setting(resolved: pd.DataFrame, name: str) -> float:
    """The value the model uses for ``name`` (e.g. ``capacity.mean_stay_hours``)."""
    found = resolved.loc[resolved["setting"] == name, "value"]
    if found.empty:
        raise KeyError(f"{name} is not in resolved_settings")
    return float(found.iloc[0])


def model_vs_log(
    weekly: pd.DataFrame,
    redirections: pd.DataFrame,
    mean_stay_hours: capacity.Stay,
    servers_col: str = "rooms_staffed",
    configured_stay_hours: capacity.Stay | None = None,
) -> pd.DataFrame:
    """Redirections the model predicts for observed summers against the log, per unit and
    year. ``weekly``: unit_id, iso_year, iso_week, deliveries (observed) and staffed rooms.
    ``predicted`` uses ``mean_stay_hours`` (the calibrated stay), ``predicted_configured``
    the configured one.

    The model covers women turned away because every staffed room was busy, so it is
    compared with the log's reasons platsbrist and bemanning; neonatal and other reasons
    are shown beside it.
    """
    deliveries = weekly["deliveries"].to_numpy(float)
    rooms = weekly[servers_col].to_numpy(float)
    stays = capacity.row_stays(weekly["unit_id"], mean_stay_hours)
    prior = stays if configured_stay_hours is None else capacity.row_stays(weekly["unit_id"], configured_stay_hours)
    frame = weekly.assign(
        predicted=deliveries * chain.weekly_blocking(weekly, deliveries, rooms, stays),
        predicted_configured=deliveries * chain.weekly_blocking(weekly, deliveries, rooms, prior),
    )
    iso = redirections["date"].dt.isocalendar()
    log = redirections.assign(
        iso_year=iso["year"].astype(int),
        iso_week=iso["week"].astype(int),
        capacity=redirections["reason"].isin(CAPACITY_REASONS),
    )
    log = log.rename(columns={"from_unit": "unit_id"})
    keys = frame[["unit_id", "iso_year", "iso_week"]].drop_duplicates()
    log = log.merge(keys, on=["unit_id", "iso_year", "iso_week"], how="inner")
    women = log["women"].astype(float)
    logged = log.assign(logged_capacity=women.where(log["capacity"], 0.0), logged_other=women.where(~log["capacity"], 0.0))
    logged = logged.groupby(["unit_id", "iso_year"], as_index=False)[["logged_capacity", "logged_other"]].sum()
    out = frame.groupby(["unit_id", "iso_year"], as_index=False).agg(
        deliveries=("deliveries", "sum"),
        predicted=("predicted", "sum"),
        predicted_configured=("predicted_configured", "sum"),
        weeks=("iso_week", "nunique"),
    )
    out = out.merge(logged, on=["unit_id", "iso_year"], how="left").fillna({"logged_capacity": 0.0, "logged_other": 0.0})
    return out
