"""The steering group's brief: five key numbers, one row per unit, proposals for decision.

Everything here is taken from tables the earlier steps wrote, so every number in the brief
is the same number the detailed reports show (the planning figure from
``redirection_totals``, the proposals from ``lever_proposals``, the measures from
``scenarios``). Nothing is estimated again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fragile_care.inputs.plan_checks import parse_weeks
from fragile_care.model import followup
from fragile_care.model.describe import region_summer_redirections

# A unit's light: red when a week's risk at the forecast mean is above the high-risk limit
# (capacity.high_risk_blocking), yellow above the dimensioning target (staffing
# target_blocking), else green.
LIGHT_ORDER = ("red", "yellow", "green")
ON_TRACK = "on_track"
BEHIND = "behind"


PLAN_LEVERS = {"extra_staff": "midwives", "early_discharge": "early_discharge"}  # a plan effect -> the lever that does the same


def _does_the_same(act: dict, lever: dict) -> bool:
    """Whether a priced lever proposal does what the plan measure ``act`` does: the same
    lever (:data:`PLAN_LEVERS`) at the same unit in overlapping weeks (a measure without
    weeks acts every week)."""
    if PLAN_LEVERS.get(act["effect_type"]) != lever["lever"] or act["effect_unit"] != lever["unit_id"]:
        return False
    text = act["effect_weeks"]
    return not (isinstance(text, str) and text.strip()) or bool(
        set(parse_weeks(text)) & set(range(int(lever["first_week"]), int(lever["last_week"]) + 1))
    )


def _covered_by_a_lever(act: pd.Series, levers: pd.DataFrame) -> bool:
    """Whether some lever proposal of ``levers`` does what the plan measure ``act`` does."""
    return any(_does_the_same(act, p) for p in levers.to_dict("records"))


def _plan_twins(lever: dict, actions: pd.DataFrame) -> str:
    """The plan's activities (ids, comma separated) that a lever proposal repeats, so the
    brief can say that funding the activity is the proposal."""
    return ", ".join(str(a["activity_id"]) for a in actions.to_dict("records") if _does_the_same(a, lever)) if len(actions) else ""


def activity_progress(actions: pd.DataFrame, cutoff: pd.Timestamp) -> pd.Series:
    """Per activity: on track or behind on ``cutoff``, by :func:`followup.plan_status` (the
    status every report shows): behind when paused, or late (planned but due to have
    started, or past its end and not done)."""
    on_track = followup.plan_status(actions, cutoff)["on_track"].to_numpy(bool)
    return pd.Series(np.where(on_track, ON_TRACK, BEHIND), index=actions.index)


def _decision_rows(
    year: int, postnatal_weekly: pd.DataFrame | None, target_cost: pd.DataFrame | None, lever_proposals: pd.DataFrame | None
) -> list[dict]:
    """The key numbers of the chain and the decisions: full BB, the 1 % rule's cost, the budget's effect."""
    rows: list[dict] = []
    if postnatal_weekly is not None:
        rows.append({"key": "postnatal_full", "year": year, "value": float(postnatal_weekly["women_finding_full"].sum())})
    if target_cost is not None:
        rule = target_cost.set_index("unit_id").loc["REGION"]
        rows.append({"key": "rule_cost", "year": year, "value": float(rule["cost_sek"]), "detail": float(rule["fte_needed"])})
    if lever_proposals is not None:
        rows.append(
            {
                "key": "budget_effect",
                "year": year,
                "value": float(lever_proposals["prevented_mean"].sum()),
                "of": float(lever_proposals["cost_sek"].sum()),
            }
        )
    return rows


def key_numbers(
    redirections: pd.DataFrame,
    staffing_weekly: pd.DataFrame,
    totals: pd.DataFrame,
    neonatal_risk: pd.DataFrame,
    actions: pd.DataFrame,
    summer_weeks: tuple[int, int],
    high_risk: float,
    cutoff: pd.Timestamp,
    postnatal_weekly: pd.DataFrame | None = None,
    target_cost: pd.DataFrame | None = None,
    lever_proposals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The key numbers, one row each: key, value, and where it applies previous (the
    summer before), low/high (80 % interval), of (the total it is counted in) and detail.
    With the care chain's tables: women expected to find a full BB next summer
    (``postnatal_full``), what the 1 % rule would cost (``rule_cost``: kronor, detail the
    FTE-weeks) and what the budget's proposals prevent (``budget_effect``: events, of the
    kronor they cost)."""
    observed_years = sorted(staffing_weekly.loc[staffing_weekly["kind"] == "utfall", "iso_year"].unique())
    last = int(observed_years[-1])
    before = int(observed_years[-2]) if len(observed_years) > 1 else None
    rows = []
    now = region_summer_redirections(redirections, last, summer_weeks)
    then = region_summer_redirections(redirections, before, summer_weeks) if before else None
    rows.append(
        {
            "key": "redirected_logged",
            "year": last,
            "value": now["capacity"],
            "previous_year": before,
            "previous": then["capacity"] if then else np.nan,
            "detail": now["other"],
            "detail_previous": then["other"] if then else np.nan,
        }
    )
    short = staffing_weekly.assign(short=staffing_weekly["fte_gap"] < 0).groupby(["kind", "iso_year"])["short"].agg(["sum", "size"])
    outlook_year = int(staffing_weekly.loc[staffing_weekly["kind"] == "prognos", "iso_year"].iloc[0])
    rows.append(
        {
            "key": "weeks_short",
            "year": last,
            "value": float(short.loc[("utfall", last), "sum"]),
            "of": float(short.loc[("utfall", last), "size"]),
            "previous_year": before,
            "previous": float(short.loc[("utfall", before), "sum"]) if before else np.nan,
            # the staffing table's need is the care chain's (allocation.chain_need): a week short
            # is a week over the 1 % rule, as the rule's cost table counts it
            "detail": float(short.loc[("prognos", outlook_year), "sum"]),
            "detail_year": outlook_year,
        }
    )
    region = totals.set_index("unit_id").loc["REGION"]
    rows.append(
        {
            "key": "planning_figure",
            "year": outlook_year,
            "value": float(region["redirected_mean"]),
            "low": float(region["redirected_p10"]),
            "high": float(region["redirected_p90"]),
        }
    )
    ahead = neonatal_risk[neonatal_risk["kind"] == "prognos"]
    levels = ahead.groupby(["unit_id", "care_level"])["blocking"].max()
    rows.append({"key": "neonatal_at_risk", "year": outlook_year, "value": float((levels > high_risk).sum()), "of": float(len(levels))})
    rows += _decision_rows(outlook_year, postnatal_weekly, target_cost, lever_proposals)
    progress = activity_progress(actions, cutoff) if len(actions) else pd.Series(dtype=str)
    rows.append({"key": "activities_on_track", "value": float((progress == ON_TRACK).sum()), "of": float(len(progress))})
    cols = ["key", "year", "value", "previous_year", "previous", "low", "high", "of", "detail", "detail_previous", "detail_year"]
    return pd.DataFrame(rows).reindex(columns=cols)


def unit_rows(
    risk: pd.DataFrame, totals: pd.DataFrame, extra: pd.DataFrame, high_risk: float, target: float, chain: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per unit: its light, its worst week (the highest risk at the forecast mean,
    the same ranking the heat map shows), its share of the planning figure with the 80 %
    interval, the weeks above the target, the FTE-weeks the allocation gives it and, with
    ``chain`` (step 04's ``care_chain_weekly``), the link of the care chain most often full
    (``weakest``: rooms, postnatal or neonatal; :func:`postnatal.chain_summary`)."""
    worst = risk.loc[risk.groupby("unit_id")["blocking"].idxmax(), ["unit_id", "iso_week", "blocking", "p_high"]]
    worst = worst.rename(columns={"iso_week": "worst_week", "blocking": "worst_blocking", "p_high": "worst_p_high"})
    over = risk.assign(over=risk["blocking"] > target).groupby("unit_id", as_index=False)["over"].sum()
    got = extra.groupby("unit_id", as_index=False).agg(fte_allocated=("fte_added", "sum"), fte_to_target=("fte_to_target", "sum"))
    out = worst.merge(over, on="unit_id").merge(got, on="unit_id")
    units_only = totals[totals["unit_id"] != "REGION"].drop(columns=["redirected_mc_se"], errors="ignore")
    out = out.merge(units_only, on="unit_id", validate="one_to_one")
    out["light"] = np.select([out["worst_blocking"] > high_risk, out["worst_blocking"] > target], ["red", "yellow"], "green")
    if chain is not None:
        from fragile_care.model.postnatal import chain_summary

        weakest = chain_summary(chain).set_index("unit_id")["weakest"]
        out["weakest"] = out["unit_id"].map(weakest)
    order = out["light"].map({v: i for i, v in enumerate(LIGHT_ORDER)})
    return out.assign(_o=order).sort_values(["_o", "worst_blocking"], ascending=[True, False]).drop(columns="_o").reset_index(drop=True)


PROPOSAL_COLUMNS = [
    "kind", "unit_id", "weeks", "what", "amount", "cost_sek", "prevented", "prevented_p10", "prevented_p90",
    "sek_per_prevented", "activity_id",
]  # fmt: skip


def proposals(
    levers: pd.DataFrame, scenarios: pd.DataFrame, actions: pd.DataFrame, midwife_week_sek: float, limit: int = 5
) -> pd.DataFrame:
    """Proposals for decision, each naming a unit, weeks, an amount, its cost in kronor and
    its modelled effect with an 80 % interval: the budget's allocation over the levers
    (``lever_proposals``, largest effect first), then the plan's modelled measures not yet
    under way whose difference from the unchanged situation is certain (``scenarios``,
    the midwife FTE-weeks they add priced at ``midwife_week_sek``). The lever proposals do
    not overlap each other; a plan measure is counted against the unchanged situation, and left out
    where a lever proposal does the same at the same unit and weeks (``_covered_by_a_lever``)."""
    rows = [
        {
            "kind": "lever",
            "unit_id": p["unit_id"],
            "weeks": f"{p['first_week']}–{p['last_week']}" if p["first_week"] != p["last_week"] else str(p["first_week"]),
            "what": p["lever_sv"],
            "amount": f"{p['amount']:.0f} {p['amount_unit_sv']}",
            "cost_sek": p["cost_sek"],
            "prevented": p["prevented_mean"],
            "prevented_p10": p["prevented_p10"],
            "prevented_p90": p["prevented_p90"],
            "sek_per_prevented": p["sek_per_prevented"],
            "activity_id": _plan_twins(p, actions),  # a plan activity the proposal repeats, if any
        }
        for p in levers.sort_values("prevented_mean", ascending=False).to_dict("records")
    ]
    status = actions.set_index("activity_id")["status"] if len(actions) else pd.Series(dtype=str)
    plan = []
    for row in scenarios.iloc[1:].to_dict("records"):
        act_id = row["scenario"].split(":")[0]
        if act_id not in status.index or status[act_id] in ("pågår", "klar") or not row["certain"] or row["difference_mean"] >= 0:
            continue
        act = actions[actions["activity_id"] == act_id].iloc[0]
        if _covered_by_a_lever(act, levers):
            continue  # the budget's proposal for the same lever at the same unit and weeks says it: not twice
        cost = float(row["fte_added"]) * midwife_week_sek
        prevented = -float(row["difference_mean"])
        plan.append(
            {
                "kind": "plan_measure",
                "unit_id": act["effect_unit"],
                "weeks": act["effect_weeks"] if isinstance(act["effect_weeks"], str) else "",
                "what": act["title"],
                "amount": f"{float(row['fte_added']):.0f} åa-veckor" if row["fte_added"] > 0 else "",
                "cost_sek": cost if cost > 0 else np.nan,
                "prevented": prevented,
                "prevented_p10": -float(row["difference_p90"]),
                "prevented_p90": -float(row["difference_p10"]),
                "sek_per_prevented": cost / prevented if cost > 0 else np.nan,
                "activity_id": act_id,
            }
        )
    plan = sorted(plan, key=lambda r: -r["prevented"])[:2]
    frame = pd.DataFrame(rows[: limit - len(plan)] + plan, columns=PROPOSAL_COLUMNS)
    return frame.astype({"cost_sek": float, "prevented": float, "prevented_p10": float, "prevented_p90": float, "sek_per_prevented": float})
