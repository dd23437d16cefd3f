"""The action plan (handlingsplan): checks, measures as model effects, scenarios, indicators.

Each activity may carry an expected effect on the models:

- ``extra_staff``: ``effect_fte`` more midwife FTE at work at ``effect_unit`` in ISO weeks
  ``effect_weeks`` (e.g. ``27-31``): summer substitutes, bought leave weeks, agency staff;
- ``move_leave``: ``effect_fte`` FTE of planned leave at ``effect_unit`` moved from
  ``effect_weeks`` to ``effect_to_weeks`` (the latter may lie outside the summer);
- ``pooling``: regional coordination between ``effect_unit`` and ``effect_partner``: a
  woman who finds every staffed room busy is received at the partner when it has a free
  room (the simulation's overflow);
- ``early_discharge``: a share ``effect_share`` of the women with a vaginal birth at
  ``effect_unit`` go home early with follow-up at home (in ``effect_weeks`` if given, else
  every week): the postnatal ward's (BB) mean stay falls, and with it the probability that
  the ward is full; the bed-days saved become home-care days
  (:mod:`fragile_care.model.postnatal`). Each link of the chain is modelled on its own, so
  the measure does not change the delivery rooms' redirections;
- ``none``: an activity without a modelled effect (e.g. a digital tool, a guideline).

The effect follows a time profile from the activity's ``start``: ``step`` (full at once)
or ``ramp`` (linear over ``ramp_weeks``), and ends at ``end``. A scenario applies one
activity, or all of them, to next summer's unchanged-situation staffing and runs the
staffing and capacity models again with the same forecast draws as the baseline, so the
differences are the measures' effect and not noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fragile_care.inputs.parsing import is_blank
from fragile_care.inputs.plan_checks import parse_weeks
from fragile_care.model import allocation, capacity, chain, planning, postnatal, staffing

OutlookDraws = tuple[np.ndarray, np.ndarray | None, np.ndarray]  # arrivals, room times per draw, summer-effect variance


def week_start(iso_year: int, iso_week: int) -> pd.Timestamp:
    return pd.Timestamp.fromisocalendar(int(iso_year), int(iso_week), 1)


def week_starts(weekly: pd.DataFrame) -> list[pd.Timestamp]:
    """The Monday of each row's ISO week (``iso_year``, ``iso_week``)."""
    return [week_start(y, w) for y, w in zip(weekly["iso_year"], weekly["iso_week"])]


def profile_factor(activity: dict, when: pd.Timestamp) -> float:
    """Share of the full effect at ``when``: 0 before start and after end; a step is 1;
    a ramp rises linearly over ``ramp_weeks`` from the start."""
    if when < activity["start"] or when > activity["end"]:
        return 0.0
    if activity.get("effect_profile") == "ramp" and not is_blank(activity.get("ramp_weeks")):
        weeks = (when - activity["start"]).days / 7 + 1
        return float(min(1.0, weeks / float(activity["ramp_weeks"])))
    return 1.0


def in_force(weekly: pd.DataFrame, activity: dict, starts: list[pd.Timestamp], weeks) -> np.ndarray:
    """Per row of ``weekly`` (unit_id, iso_week; ``starts`` the rows' week starts): the
    share of ``activity``'s full effect (:func:`profile_factor`) in the rows of its
    ``effect_unit`` and of ``weeks`` (e.g. ``27-31``; blank: every week), else 0."""
    rows = weekly["unit_id"].to_numpy() == activity["effect_unit"]
    if not is_blank(weeks):
        rows &= np.isin(weekly["iso_week"].to_numpy(), parse_weeks(weeks))
    factors = np.array([profile_factor(activity, when) for when in starts])
    return np.where(rows, factors, 0.0)


def apply_staffing_effects(weekly: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """Midwife FTE at work per unit and week (``fte_supply``) after the extra-staff and
    moved-leave effects of ``activities``; adds ``fte_added`` (what the measures changed)."""
    out = weekly.copy()
    added = np.zeros(len(out))
    starts = week_starts(out)
    for act in activities.to_dict("records"):
        if act["effect_type"] not in ("extra_staff", "move_leave"):
            continue
        added += act["effect_fte"] * in_force(out, act, starts, act["effect_weeks"])
        if act["effect_type"] == "move_leave":
            added -= act["effect_fte"] * in_force(out, act, starts, act["effect_to_weeks"])
    out["fte_added"] = added
    out["fte_supply"] = (out["fte_supply"] + added).clip(lower=0.0)
    return out


def early_discharge_shares(weekly: pd.DataFrame, activities: pd.DataFrame, base_share: float) -> np.ndarray:
    """Per row of ``weekly`` (unit_id, iso_year, iso_week): the share of women after a
    vaginal birth discharged early, ``base_share`` plus the early-discharge activities in
    force (each ``effect_share`` times its profile factor), at most 1."""
    share = np.full(len(weekly), float(base_share))
    starts = week_starts(weekly)
    for act in activities.to_dict("records"):
        if act["effect_type"] == "early_discharge":
            share += float(act["effect_share"]) * in_force(weekly, act, starts, act.get("effect_weeks"))
    return np.minimum(share, 1.0)


def pooling_pairs(activities: pd.DataFrame, when: pd.Timestamp) -> dict[str, tuple[str, ...]]:
    """Overflow neighbours from the pooling activities in force at ``when`` (both ways)."""
    pairs: dict[str, list[str]] = {}
    for act in activities.to_dict("records"):
        if act["effect_type"] == "pooling" and profile_factor(act, when) > 0:
            pairs.setdefault(act["effect_unit"], []).append(act["effect_partner"])
            pairs.setdefault(act["effect_partner"], []).append(act["effect_unit"])
    return {k: tuple(dict.fromkeys(v)) for k, v in pairs.items()}


def run_scenario(
    name: str,
    outlook: pd.DataFrame,
    units: pd.DataFrame,
    activities: pd.DataFrame,
    norms: staffing.Norms,
    settings: capacity.CapacitySettings,
    ward: postnatal.PostnatalSettings | None = None,
    beds: pd.DataFrame | None = None,
    stay: capacity.Stay | None = None,
    draws: OutlookDraws | None = None,
) -> tuple[dict, pd.DataFrame, np.ndarray]:
    """Next summer under the activities given (none: the baseline). ``outlook`` is the
    ``kind == "prognos"`` part of the staffing table. Returns the key outputs, the
    unit-week table and the region's expected redirections per draw. Every scenario uses
    the same draws (common random numbers): ``draws`` = (arrivals, each row's room time,
    the summer effect's variance), the planning figure's (``planning``); without them
    the forecast draws of ``settings.seed`` and one time per unit. With
    ``ward`` (the postnatal settings; ``beds`` the staffed BB beds by week, see
    :func:`postnatal.capacity_by_week`) the summary also holds the women expected to find
    a full BB and the ward days moved to care at home."""
    stay = settings.mean_stay_hours if stay is None else stay  # one time for all units, or each unit's
    supply = apply_staffing_effects(outlook, activities)
    gap = staffing.midwife_gap(outlook[["unit_id", "iso_year", "iso_week", "deliveries"]], supply, units, norms, stay)
    gap = gap.merge(outlook[["unit_id", "iso_year", "iso_week", "sigma_log"]], on=["unit_id", "iso_year", "iso_week"])
    bb = None
    if ward is not None:  # the BB link of the chain, with the scenario's early discharge (model.chain)
        bb = postnatal.postnatal_beds_weekly(gap, units, ward, beds, early_discharge_shares(gap, activities, ward.early_discharge_share))
        gap = allocation.chain_need(chain.from_ward(gap, bb), norms, stay)  # the shortfall of the whole chain, as the summer's
    if draws is None:
        arrivals = capacity.forecast_draws(gap, settings.forecast_draws, settings.seed)
        draws = (arrivals, None, np.zeros(arrivals.shape[1]))
    arrivals, stay_draws, kappa = draws
    risk, expected = planning.redirection_risk(
        gap, "rooms_staffed", stay, high_risk=settings.high_risk_blocking, arrivals=arrivals, stay_draws=stay_draws
    )
    region = planning.predictive_totals(risk, expected, kappa, settings.seed).set_index("unit_id").loc["REGION"]
    pairs = pooling_pairs(activities, week_start(int(outlook["iso_year"].iloc[0]), int(outlook["iso_week"].median())))
    not_placed = float("nan")  # only scenarios with regional coordination are simulated (the rest: Erlang B)
    if pairs:
        sim = capacity.simulate_summer(
            gap,
            stay,
            settings.arrival_profile,
            pairs,
            settings.simulation_replications,
            settings.seed,
            settings.stay_cv,
            overflow_only=True,  # the constant and patterned simulations are not shown for a scenario
        )
        not_placed = float(sim.set_index("unit_id").loc["REGION", "not_placed"])
    summary = {
        "scenario": name,
        "redirected_mean": float(region["redirected_mean"]),
        "redirected_p10": float(region["redirected_p10"]),
        "redirected_p90": float(region["redirected_p90"]),
        "weeks_at_risk": int((risk["blocking"] > settings.high_risk_blocking).sum()),
        "fte_shortfall": float(-gap["fte_gap"].clip(upper=0).sum()),
        "fte_added": float(supply["fte_added"].sum()),
        "not_placed_in_region": not_placed,
        "postnatal_full": float("nan"),
        "home_care_days": float("nan"),
    }
    if bb is not None:
        summary["postnatal_full"] = float(bb["women_finding_full"].sum())
        summary["home_care_days"] = float(bb["home_care_days"].sum())
    return summary, risk.assign(scenario=name), expected.sum(axis=0)


def scenarios(
    outlook: pd.DataFrame,
    units: pd.DataFrame,
    plan: pd.DataFrame,
    norms: staffing.Norms,
    settings: capacity.CapacitySettings,
    ward: postnatal.PostnatalSettings | None = None,
    beds: pd.DataFrame | None = None,
    stay: capacity.Stay | None = None,
    draws: OutlookDraws | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The baseline, each activity with a modelled effect alone, and all together
    (``stay``: each unit's delivery-room time; default the settings' one time; ``draws``:
    the planning figure's draws, shared by every scenario). Each scenario's difference
    from the baseline is computed draw by draw (common random numbers): its mean, 80 %
    interval and Monte Carlo standard error, and ``certain`` False when the interval
    holds 0 or the mean is within two standard errors of 0 ("ingen säker skillnad")."""
    modelled = plan[plan["effect_type"] != "none"] if not plan.empty else plan
    runs = [("Oförändrat läge", modelled.iloc[0:0])]
    runs += [
        (f"{a['activity_id']}: {a['title']}", modelled[modelled["activity_id"] == a["activity_id"]]) for a in modelled.to_dict("records")
    ]
    if len(modelled) > 1:
        runs.append(("Alla åtgärder", modelled))
    summaries, weekly, totals = [], [], []
    for name, acts in runs:
        summary, risk, total = run_scenario(name, outlook, units, acts, norms, settings, ward, beds, stay, draws)
        summaries.append(summary | difference(total, totals[0] if totals else total))
        weekly.append(risk)
        totals.append(total)
    table = pd.DataFrame(summaries)
    table["effect_reason"] = [
        effect_reason(acts, summary, summaries[0], outlook) if i > 0 else "" for i, ((_, acts), summary) in enumerate(zip(runs, summaries))
    ]
    return table, pd.concat(weekly, ignore_index=True)


def difference(scenario: np.ndarray, baseline: np.ndarray) -> dict:
    """A scenario's change in the region's expected redirections against the baseline,
    draw by draw: mean, 80 % interval, Monte Carlo standard error and whether it is
    certain (the interval excludes 0 and the mean is more than two standard errors from 0)."""
    diff = scenario - baseline
    low, high = (float(v) for v in np.quantile(diff, [0.1, 0.9]))
    se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
    mean = float(diff.mean())
    certain = bool((high < 0 or low > 0) and abs(mean) > 2 * se)
    return {"difference_mean": mean, "difference_p10": low, "difference_p90": high, "difference_mc_se": se, "certain": certain}


def effect_reason(activities: pd.DataFrame, summary: dict, baseline: dict, outlook: pd.DataFrame) -> str:
    """Why a scenario changes the expected redirections by less than 0.05 women, or "":

    - "pooling": regional coordination does not change how many women find their own
      unit full, only where they are received (its effect is ``not_placed_in_region``);
    - "postnatal": early discharge acts on the postnatal ward (its effect is
      ``postnatal_full``), not on the delivery rooms;
    - "not_in_force": no activity is in force in the outlook's summer weeks;
    - "no_risk": staff were added where no week had a risk to lower;
    - "no_change": the staffing changes cancel out over the summer (moved leave).
    """
    if abs(summary["redirected_mean"] - baseline["redirected_mean"]) >= 0.05:
        return ""
    if (activities["effect_type"] == "pooling").all():
        return "pooling"
    if (activities["effect_type"] == "early_discharge").all():
        return "postnatal"
    starts = week_starts(outlook)
    if not any(profile_factor(a, when) > 0 for a in activities.to_dict("records") for when in starts):
        return "not_in_force"
    return "no_risk" if summary["fte_added"] > 0 else "no_change"


# ----------------------------------------------------------------------------- weeks outside the summer
OUTSIDE_COLUMNS = ["outside_weeks", "outside_difference_mean", "outside_difference_p10", "outside_difference_p90"]


def weeks_outside(plan: pd.DataFrame, summer_weeks: tuple[int, int]) -> list[int]:
    """The ISO weeks outside the summer window that a staffing activity adds staff to or moves
    leave to (A03 of the demo plan moves leave from weeks 29-30 to 34-35): its effect there
    is a cost the summer's scenarios would not count."""
    weeks: set[int] = set()
    for act in plan.to_dict("records") if not plan.empty else []:
        if act["effect_type"] in ("extra_staff", "move_leave"):
            for column in ("effect_weeks", "effect_to_weeks"):
                if not is_blank(act.get(column)):
                    weeks |= set(parse_weeks(act[column]))
    return sorted(w for w in weeks if not summer_weeks[0] <= w <= summer_weeks[1])


def outside_outlook(
    tables: dict[str, pd.DataFrame],
    weeks: list[int],
    ahead: pd.DataFrame,
    units: pd.DataFrame,
    norms: staffing.Norms,
    stay: capacity.Stay,
    reference_year: int,
    outlook_year: int,
    ward: postnatal.PostnatalSettings,
    beds: pd.DataFrame | None,
) -> pd.DataFrame:
    """The unchanged situation in ``weeks`` (outside the summer) of ``outlook_year`` for the
    units of ``ahead`` (the summer's outlook), built as the summer's is
    (staffing.summer_staffing): the forecast's deliveries, ``reference_year``'s staffing and
    leave plan for the same ISO weeks, each unit's delivery-room time and its BB link.
    ``tables``: births_monthly, births_forecast, staffing, leave_plan. Empty without weeks."""
    if not weeks:
        return ahead.iloc[0:0]
    births = staffing.summer_deliveries(
        tables["births_monthly"], tables["births_forecast"], sorted(set(ahead["unit_id"])), [], outlook_year, (min(weeks), max(weeks))
    )
    births = births[births["iso_week"].isin(weeks)].reset_index(drop=True)
    gap = staffing.midwife_weeks(births, tables["staffing"], tables["leave_plan"], units, norms, stay, reference_year)
    return allocation.chain_need(chain.with_ward(gap, units, ward, beds), norms, stay)


def outside_effects(
    table: pd.DataFrame,
    outlook: pd.DataFrame,
    units: pd.DataFrame,
    plan: pd.DataFrame,
    norms: staffing.Norms,
    settings: capacity.CapacitySettings,
    ward: postnatal.PostnatalSettings | None = None,
    beds: pd.DataFrame | None = None,
    stay: capacity.Stay | None = None,
) -> pd.DataFrame:
    """``table`` (from :func:`scenarios`) with each scenario's effect in the weeks of
    ``outlook`` outside the summer: the difference in expected redirections there against
    the unchanged situation in the same weeks (common random numbers, as the summer's), and
    the weeks as text. Scenarios that do not act there get 0; an empty ``outlook`` leaves
    the columns empty."""
    if outlook.empty:
        return table.assign(outside_weeks="", **dict.fromkeys(OUTSIDE_COLUMNS[1:], np.nan))
    outside, _ = scenarios(outlook, units, plan, norms, settings, ward, beds, stay)
    by_name = outside.set_index("scenario")
    weeks = sorted(int(w) for w in outlook["iso_week"].unique())
    return table.assign(
        outside_weeks=", ".join(str(w) for w in weeks),
        outside_difference_mean=table["scenario"].map(by_name["difference_mean"]),
        outside_difference_p10=table["scenario"].map(by_name["difference_p10"]),
        outside_difference_p90=table["scenario"].map(by_name["difference_p90"]),
    )
