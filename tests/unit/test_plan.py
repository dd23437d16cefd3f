"""The action plan as model effects, scenario arithmetic and the follow-up's building blocks."""

import numpy as np
import pandas as pd
import pytest

from fragile_care.inputs import plan_checks
from fragile_care.model import capacity, chain, describe, followup, scenarios, staffing

pytestmark = pytest.mark.unit

UNITS = pd.DataFrame({"unit_id": ["U", "V"], "delivery_rooms": [12, 12]})
OUTLOOK = pd.DataFrame(
    {
        "unit_id": ["U"],
        "iso_year": [2027],
        "iso_week": [29],
        "deliveries": [84.0],
        "sigma_log": [0.0],
        "fte_supply": [90.0],
        "kind": ["prognos"],
    }
)
SETTINGS = capacity.CapacitySettings(
    mean_stay_hours=8.0,
    forecast_draws=100,
    seed=1,
    high_risk_blocking=0.05,
    simulation_replications=2,
    arrival_profile=capacity.FLAT_PROFILE,
)


def _activity(**kw):
    base = {
        "activity_id": "A1",
        "title": "t",
        "start": pd.Timestamp("2027-01-01"),
        "end": pd.Timestamp("2027-12-31"),
        "effect_type": "extra_staff",
        "effect_unit": "U",
        "effect_partner": None,
        "effect_fte": 10.0,
        "effect_weeks": "28-31",
        "effect_to_weeks": None,
        "effect_profile": "step",
        "ramp_weeks": None,
    }
    return pd.DataFrame([{**base, **kw}])


def _mixed(load, rooms):
    """The interpolated Erlang B worked by hand from the whole-room values."""
    low = int(np.floor(rooms))
    f = rooms - low
    return (1 - f) * capacity.erlang_b(load, low) + f * capacity.erlang_b(load, low + 1)


def test_adding_staff_lowers_risk_by_the_erlang_amount():
    """84 women in week 29, 8 h each: 4.0 erlangs. 90 FTE at work → 45 on the ward → 45 /
    (168 / 34.33) = 9.195 rooms staffed around the clock. +10 FTE → 50 → 10.217 rooms.
    Expected redirected women fall from 84·B(4, 9.195) to 84·B(4, 10.217), B interpolated
    between whole rooms."""
    per_room = 168 / 34.33
    base, _, _ = scenarios.run_scenario("base", OUTLOOK, UNITS, _activity().iloc[0:0], staffing.Norms(), SETTINGS)
    more, weeks, _ = scenarios.run_scenario("more", OUTLOOK, UNITS, _activity(), staffing.Norms(), SETTINGS)
    assert base["redirected_mean"] == pytest.approx(84 * _mixed(4.0, 45 / per_room))
    assert more["redirected_mean"] == pytest.approx(84 * _mixed(4.0, 50 / per_room))
    assert 84 * capacity.erlang_b(4.0, 11) < more["redirected_mean"] < 84 * capacity.erlang_b(4.0, 10)
    assert more["fte_added"] == 10.0 and weeks["rooms_staffed"].iloc[0] == pytest.approx(50 / per_room)


def test_profiles_and_moved_leave():
    weekly = pd.DataFrame({"unit_id": "U", "iso_year": 2027, "iso_week": [28, 29, 34], "fte_supply": [50.0, 50.0, 50.0]})
    ramp = _activity(effect_profile="ramp", ramp_weeks=10, start=pd.Timestamp("2027-06-14"), effect_weeks="28-34")
    # week 28 starts 12 July 2027: 4 weeks + 1 after the start → 5/10 of the effect
    out = scenarios.apply_staffing_effects(weekly, ramp)
    assert out["fte_added"].iloc[0] == pytest.approx(10.0 * 5 / 10)
    moved = _activity(effect_type="move_leave", effect_fte=6.0, effect_weeks="29", effect_to_weeks="34")
    out = scenarios.apply_staffing_effects(weekly, moved)
    assert out["fte_added"].tolist() == [0.0, 6.0, -6.0] and out["fte_supply"].tolist() == [50.0, 56.0, 44.0]
    ended = _activity(end=pd.Timestamp("2027-06-30"))
    assert scenarios.apply_staffing_effects(weekly, ended)["fte_added"].eq(0).all()  # over before the summer
    assert scenarios.pooling_pairs(_activity(effect_type="pooling", effect_partner="V"), pd.Timestamp("2027-07-15")) == {
        "U": ("V",),
        "V": ("U",),
    }


@pytest.mark.parametrize("text, weeks", [("27-31", [27, 28, 29, 30, 31]), ("30", [30]), (" 25 – 26 ", [25, 26])])
def test_parse_weeks(text, weeks):
    assert plan_checks.parse_weeks(text) == weeks


@pytest.mark.parametrize("text", ["31-27", "54", "v27", ""])
def test_parse_weeks_rejects(text):
    with pytest.raises(ValueError):
        plan_checks.parse_weeks(text)


def test_traffic_lights_lower_is_better():
    assert followup.traffic_light(30, 50, 40) == "green"
    assert followup.traffic_light(45, 50, 40) == "yellow"
    assert followup.traffic_light(55, 50, 40) == "red"
    assert followup.traffic_light(float("nan"), 50, 40) == "none"


def test_xmr_limits_and_signals():
    """Baseline 10, 12, 11, 13, 12, 14: mean 12, moving ranges 2, 1, 2, 1, 2 → mean 1.6;
    limits 12 ± 2.66 × 1.6 = 7.744 and 16.256."""
    values = pd.Series([10, 12, 11, 13, 12, 14, 20, 13, 13, 13, 13, 13, 13, 13, 13], dtype=float)
    chart = followup.xmr(values, np.arange(15) < 6)
    assert chart["centre"].iloc[0] == pytest.approx(12.0)
    assert chart["upper"].iloc[0] == pytest.approx(12 + 2.66 * 1.6) and chart["lower"].iloc[0] == pytest.approx(12 - 2.66 * 1.6)
    assert chart["outside"].tolist().index(True) == 6 and chart["outside"].sum() == 1
    assert chart["run"].iloc[5:].all() and not chart["run"].iloc[:5].any()  # 10 points above the centre in a row
    with pytest.raises(ValueError, match="at least 6 points"):
        followup.xmr(values, np.arange(15) < 3)
    c = followup.c_chart(pd.Series([9.0] * 8 + [25.0]), np.arange(9) < 8)
    assert c["upper"].iloc[0] == pytest.approx(18.0) and c["outside"].iloc[-1] and c["lower"].iloc[0] == 0.0


def test_tertial_comparison_against_a_previous_bundle():
    months = pd.date_range("2026-01-01", periods=4, freq="MS")
    previous_tables = {
        "births_monthly": pd.DataFrame({"unit_id": "U", "month": months, "deliveries": [100, 110, 120, 130]}),
        "births_forecast": pd.DataFrame({"unit_id": "REGION", "month": pd.date_range("2026-05-01", periods=12, freq="MS"), "mean": 100.0}),
        "redirection_totals": pd.DataFrame({"unit_id": ["U", "REGION"], "redirected_mean": [5.0, 5.0]}),
        "quality_log": pd.DataFrame({"severity": ["repaired", "warning"]}),
    }
    current_tables = {
        "births_monthly": pd.DataFrame(
            {
                "unit_id": "U",
                "month": pd.date_range("2026-01-01", periods=8, freq="MS"),
                "deliveries": [100, 110, 120, 130, 140, 150, 160, 170],
            }
        ),
        "births_forecast": pd.DataFrame({"unit_id": "REGION", "month": pd.date_range("2026-09-01", periods=12, freq="MS"), "mean": 110.0}),
        "redirection_totals": pd.DataFrame({"unit_id": ["U", "REGION"], "redirected_mean": [3.0, 3.0]}),
        "quality_log": pd.DataFrame({"severity": ["repaired"]}),
    }
    manifest = {
        "inputs": [
            {"path": "data/raw/demo/births_monthly.csv", "sha256": "a"},
            {"path": "data/raw/demo/old.csv", "sha256": "b"},
            {"path": "data/raw/public/x.csv", "sha256": "c"},
        ]
    }
    current_inputs = {"data/raw/demo/births_monthly.csv": "a2", "data/raw/public/x.csv": "c", "data/raw/demo/action_plan.csv": "d"}
    files, numbers = followup.compare_runs(manifest, previous_tables, current_inputs, current_tables)
    assert files.set_index("path")["change"].to_dict() == {
        "data/raw/demo/action_plan.csv": "ny",
        "data/raw/demo/births_monthly.csv": "ändrad",
        "data/raw/demo/old.csv": "borttagen",
    }
    n = numbers.set_index("number")
    assert n.loc["last_month_deliveries", "previous"] == 130 and n.loc["last_month_deliveries", "current"] == 170
    assert n.loc["forecast_next_12_months", "change"] == pytest.approx(120.0)
    assert n.loc["redirected_next_summer", "change"] == pytest.approx(-2.0)
    assert n.loc["quality_warnings", "current"] == 0


def test_forecast_vs_actual_marks_months_outside_the_interval():
    months = pd.date_range("2026-05-01", periods=2, freq="MS")
    fc = pd.DataFrame({"unit_id": "REGION", "month": months, "mean": [100.0, 100.0], "lower_80": [90.0, 90.0], "upper_80": [110.0, 110.0]})
    births = pd.DataFrame({"unit_id": ["U", "U"], "month": months, "deliveries": [105, 120]})
    out = followup.forecast_vs_actual(fc, births, months)
    assert out["inside_80"].tolist() == [True, False] and out["error_pct"].tolist() == pytest.approx([5.0, 20.0])


def test_load_previous_reads_a_bundle_from_disk(tmp_path):
    from fragile_care.inputs import io

    assert followup.load_previous(tmp_path / "out" / "r1" / "manifest.json", tmp_path / "proc" / "r1") is None  # no previous run
    (tmp_path / "out" / "r1").mkdir(parents=True)
    io.write_json({"run_id": "r1", "inputs": []}, tmp_path / "out" / "r1" / "manifest.json")
    io.write_tables({"redirection_totals": pd.DataFrame({"unit_id": ["REGION"], "redirected_mean": [4.5]})}, tmp_path / "proc" / "r1")
    manifest, tables = followup.load_previous(tmp_path / "out" / "r1" / "manifest.json", tmp_path / "proc" / "r1")
    assert manifest["run_id"] == "r1" and followup.key_numbers(tables) == {"redirected_next_summer": 4.5}


def test_activity_starting_after_the_measured_summer_is_grey_not_scored():
    plan = _activity(start=pd.Timestamp("2027-01-15")).assign(indicator="hänvisade_sommar", baseline=52.0, target=40.0)
    values = {"hänvisade_sommar": 29.0}  # below target: would be green if it counted
    scored = followup.indicator_table(plan, values, measured_until=pd.Timestamp("2027-08-22"))
    grey = followup.indicator_table(plan, values, measured_until=pd.Timestamp("2026-08-23"))
    assert scored["light"].iloc[0] == "green" and grey["light"].iloc[0] == "not_started"


def test_a_pooling_measure_says_why_it_does_not_change_the_expected_redirections():
    pooling = _activity(effect_type="pooling", effect_partner="V")
    outlook = pd.concat([OUTLOOK, OUTLOOK.assign(unit_id="V")], ignore_index=True)
    table, _ = scenarios.scenarios(outlook, UNITS, pooling, staffing.Norms(), SETTINGS)
    assert table["effect_reason"].tolist() == ["", "pooling"]
    staff = _activity()
    table, _ = scenarios.scenarios(OUTLOOK, UNITS, staff, staffing.Norms(), SETTINGS)
    assert table["effect_reason"].tolist() == ["", ""]  # 10 FTE lower the redirections: nothing to explain


def test_staff_at_work_subtracts_the_months_planned_leave():
    """July 2027 has five Thursdays (ISO weeks 26-30); 10 FTE on leave in two of them:
    20 / 5 = 4 FTE off the 100 on the books. June has no leave rows: nothing subtracted.
    July 2026 lies in a year the leave plan does not cover: not returned."""
    staff = pd.DataFrame(
        {
            "unit_id": "U",
            "month": pd.to_datetime(["2026-07-01", "2027-06-01", "2027-07-01"]),
            "profession": "barnmorska",
            "fte_available": [90.0, 90.0, 90.0],
            "fte_agency": [10.0, 10.0, 10.0],
        }
    )
    leave = pd.DataFrame({"unit_id": "U", "iso_week": ["2027-W27", "2027-W28"], "profession": "barnmorska", "fte_on_leave": 10.0})
    at_work = describe.staff_at_work_monthly(staff, leave, "barnmorska")
    assert at_work.tolist() == pytest.approx([100.0, 96.0])  # 2026 has no leave plan: left out, not shown leave-free


def test_neonatal_occupancy_is_cot_days_over_cots_times_days_covered():
    """12 months of 31 cot days a month at 2 intensive-care cots in 2025; 2026 covers only
    January–February (59 days, 59 cot days): occupancy over the days covered, not the year."""
    months = list(pd.date_range("2025-01-01", "2026-02-01", freq="MS"))
    adm = pd.DataFrame({"unit_id": "U", "month": months, "care_level": "ic", "admissions": 3, "cot_days": 31})
    adm.loc[adm["month"].dt.year == 2026, "cot_days"] = [31, 28]
    units = pd.DataFrame({"unit_id": ["U"], "neonatal_cots_ic": [2], "neonatal_cots_hd": [0], "neonatal_cots_sc": [0]})
    out = describe.neonatal_current(adm, units, (2025, 2026)).set_index("year")
    assert out.loc[2025, "occupancy"] == pytest.approx(12 * 31 / (2 * 365))
    assert out.loc[2025, "occupancy_summer"] == pytest.approx(3 * 31 / (2 * 92))
    assert out.loc[2026, "occupancy"] == pytest.approx(59 / (2 * 59)) and not out.loc[2026, "complete"]
    assert list(out["care_level"].unique()) == ["ic"]  # no cots at hd and sc: left out


def test_early_discharge_lowers_the_postnatal_risk_by_the_hand_worked_stay_and_through_the_chain_the_rooms():
    """84 women in week 29 at U, 28 staffed BB beds. Default settings: 17 % caesareans
    (3.5 days), vaginal births 2.0 days, early discharge 0.5 days. Baseline mean stay
    0.83 * 2.0 + 0.17 * 3.5 = 2.255 days; with a third of the vaginal births going home
    early 0.83 * (0.67 * 2.0 + 0.33 * 0.5) + 0.595 = 1.84415 days. At 12 women a day the
    offered load falls from 27.06 to 22.1298 erlangs; women finding a full ward are
    84 * B(28, load). Home-care days: 84 * 0.83 * 0.33 * (2.0 - 0.5) = 34.5114. In the
    chain (model.chain) the shorter BB stay also frees delivery rooms: the redirected women
    are the chain's at each stay, and fewer with early discharge."""
    from fragile_care.model import postnatal

    ward = postnatal.PostnatalSettings()
    units = UNITS.assign(postnatal_beds=28)
    early = _activity(effect_type="early_discharge", effect_fte=None, effect_weeks=None, effect_share=0.33)
    table, _ = scenarios.scenarios(OUTLOOK, units, early, staffing.Norms(), SETTINGS, ward)
    base, measure = table.iloc[0], table.iloc[1]
    assert base["postnatal_full"] == pytest.approx(84 * capacity.erlang_b(12 * 2.255, 28))
    assert measure["postnatal_full"] == pytest.approx(84 * capacity.erlang_b(12 * 1.84415, 28))
    assert measure["postnatal_full"] < base["postnatal_full"]
    assert base["home_care_days"] == 0.0 and measure["home_care_days"] == pytest.approx(34.5114)
    rooms = 45 / (168 / 34.33)  # 90 FTE at work, half on the ward (test_adding_staff_lowers_risk_by_the_erlang_amount)
    for row, stay_days in ((base, 2.255), (measure, 1.84415)):
        blocked, _ = chain.chain_blocking(84.0, rooms, 8.0, 28.0, stay_days * 24)
        assert row["redirected_mean"] == pytest.approx(84 * blocked, rel=1e-9)
    assert base["redirected_mean"] > measure["redirected_mean"] > 84 * _mixed(4.0, rooms)  # the chain: never below the rooms alone
    assert table["effect_reason"].tolist() == ["", ""]


def test_early_discharge_shares_follow_the_unit_weeks_and_profile_and_stay_at_most_one():
    weekly = pd.DataFrame({"unit_id": ["U", "U", "V"], "iso_year": 2027, "iso_week": [28, 34, 28]})
    ramp = _activity(
        effect_type="early_discharge",
        effect_share=0.4,
        effect_weeks="25-30",
        effect_profile="ramp",
        ramp_weeks=10,
        start=pd.Timestamp("2027-06-14"),
    )
    shares = scenarios.early_discharge_shares(weekly, ramp, base_share=0.1)
    # week 28: 5/10 of the ramp → 0.1 + 0.2; week 34 is outside effect_weeks; V is another unit
    assert shares.tolist() == pytest.approx([0.3, 0.1, 0.1])
    full = _activity(effect_type="early_discharge", effect_share=0.9, effect_weeks=None)
    assert scenarios.early_discharge_shares(weekly, full, base_share=0.5).max() == 1.0


def test_the_plan_check_names_the_missing_share_of_an_early_discharge_activity():
    from fragile_care.inputs.contracts import TableCheck

    frame = _activity(effect_type="early_discharge", effect_share=None, effect_weeks="v27").assign(indicator=None, target=None)
    check = TableCheck("action_plan", "action_plan.csv", frame, [], 1, 1, 0, [2])
    problems = {(p.row, p.column): p.problem for p in plan_checks.check_plan(check)}
    assert problems[(2, "effect_share")] == "activity A1: effect_type early_discharge needs effect_share"
    assert "'v27' is not a week" in problems[(2, "effect_weeks")]


def test_every_indicator_the_plan_may_name_has_a_swedish_name():
    from fragile_care.inputs import schemas

    assert set(followup.INDICATOR_NAMES_SV) == set(schemas.INDICATORS)
    assert set(followup.COUNT_INDICATORS) <= set(schemas.INDICATORS)


def test_the_follow_up_names_activities_between_the_fitted_summers_and_a_summer_whose_log_fell():
    backtest = pd.DataFrame(
        {
            "unit_id": ["REGION", "REGION", "A"],
            "iso_year": [2025, 2026, 2026],
            "fitted_on": ["2024", "2024, 2025", "2024, 2025"],
            "logged": [60.0, 20.0, 5.0],
            "predicted": [55.0, 50.0, 9.0],
            "low_80": [40.0, 35.0, 3.0],
            "high_80": [70.0, 65.0, 15.0],
            "covered": [True, False, True],
        }
    )
    actions = pd.DataFrame(
        {
            "activity_id": ["G1", "G2", "G3"],
            "status": ["klar", "planerad", "pågår"],
            "start": pd.to_datetime(["2026-03-01", "2026-03-01", "2024-01-01"]),
            "end": pd.to_datetime(["2026-06-30", "2026-12-31", "2027-12-31"]),
        }
    )
    out = followup.log_after_activities(backtest, actions, (25, 33)).set_index("iso_year")
    assert list(out.index) == [2025, 2026]  # the region's rows only
    assert out.loc[2026, "position"] == "below" and out.loc[2026, "activities"] == "G1"  # G2 not started, G3 before 2025's end
    assert out.loc[2025, "position"] == "inside" and out.loc[2025, "activities"] == ""


def _dated(status: str, start: str, end: str, aid: str = "A1") -> pd.DataFrame:
    return pd.DataFrame({"activity_id": [aid], "status": [status], "start": [pd.Timestamp(start)], "end": [pd.Timestamp(end)]})


@pytest.mark.parametrize(
    ("status", "start", "end", "shown", "on_track", "check"),
    [
        ("planerad", "2026-10-01", "2027-05-31", "planerad", True, ""),  # starts after the cut-off: fine
        ("planerad", "2026-08-01", "2027-05-31", "försenad", False, "skulle ha startat 2026-08-01"),
        ("pågår", "2026-01-01", "2026-06-30", "försenad", False, "skulle ha varit klar 2026-06-30"),
        ("pågår", "2027-02-01", "2027-08-31", "pågår", True, "före sitt startdatum 2027-02-01"),  # the A03
        ("klar", "2026-03-01", "2026-06-30", "klar", True, ""),
        ("pausad", "2026-03-01", "2027-06-30", "pausad", False, ""),
    ],
)
def test_a_status_is_read_against_the_data_cutoff_and_the_plans_dates(status, start, end, shown, on_track, check):
    got = followup.plan_status(_dated(status, start, end), pd.Timestamp("2026-08-31")).iloc[0]
    assert got["status_reported"] == status and got["status"] == shown and bool(got["on_track"]) is on_track
    assert (check in got["check"]) if check else got["check"] == ""


def test_the_briefs_count_on_track_is_the_plan_status_of_the_reports():
    from fragile_care.model import brief

    plan = pd.concat([_dated("planerad", "2026-10-01", "2027-05-31", "A6"), _dated("planerad", "2026-08-01", "2027-05-31", "A7")])
    progress = brief.activity_progress(plan.reset_index(drop=True), pd.Timestamp("2026-12-03"))
    assert progress.tolist() == [brief.BEHIND, brief.BEHIND]  # A06 of the issue: start 1 Oct passed on 3 Dec, still planned
    assert brief.activity_progress(plan.reset_index(drop=True), pd.Timestamp("2026-08-31")).tolist() == [brief.ON_TRACK, brief.BEHIND]


def test_a_target_met_at_baseline_and_a_baseline_no_summer_gives_are_flagged():
    plan = pd.DataFrame(
        {
            "activity_id": ["A1", "A2", "A3"],
            "indicator": ["hänvisade_sommar", "veckor_med_risk", "hänvisade_per_1000"],
            "baseline": [71.0, 7.0, 23.5],
            "target": [53.0, 7.0, 17.6],
            "start": [pd.Timestamp("2027-01-01")] * 3,
        }
    )
    past = {
        2024: {"hänvisade_sommar": 41.0, "veckor_med_risk": 2.0, "hänvisade_per_1000": 13.96},
        2025: {"hänvisade_sommar": 71.0, "veckor_med_risk": 1.0, "hänvisade_per_1000": 23.46},
    }
    table = followup.indicator_table(plan, past[2025], pd.Timestamp("2025-08-17"), past).set_index("activity_id")
    assert table.loc["A1", "baseline_found"] == 2025 and not table.loc["A1", "target_met_at_baseline"]
    assert np.isnan(table.loc["A2", "baseline_found"]) and table.loc["A2", "target_met_at_baseline"]  # 7 in no summer; target = baseline
    assert table.loc["A3", "baseline_found"] == 2025  # 23,46 as the plan writes it (one decimal) is 23,5


def test_the_plan_status_sentence_counts_in_swedish():
    from fragile_care.publish import formatting as fmt

    assert fmt.plan_status_counts(pd.Series(["klar", "planerad", "planerad", "försenad"])) == "2 är planerade, 1 är klar och 1 är försenad"
    assert fmt.plan_status_counts(pd.Series(["pågår"])) == "1 pågår"


def test_a_plan_measure_the_budgets_lever_already_proposes_is_not_proposed_twice():
    from fragile_care.model import brief

    levers = pd.DataFrame({"unit_id": ["OSTRA"], "lever": ["early_discharge"], "first_week": [26], "last_week": [32]})
    same = pd.Series({"effect_type": "early_discharge", "effect_unit": "OSTRA", "effect_weeks": ""})  # every week: overlaps
    other_unit = same.copy()
    other_unit["effect_unit"] = "NAL"
    later = pd.Series({"effect_type": "early_discharge", "effect_unit": "OSTRA", "effect_weeks": "33-35"})
    staff = pd.Series({"effect_type": "extra_staff", "effect_unit": "OSTRA", "effect_weeks": "28-31"})
    assert brief._covered_by_a_lever(same, levers)
    assert not brief._covered_by_a_lever(other_unit, levers) and not brief._covered_by_a_lever(later, levers)
    assert not brief._covered_by_a_lever(staff, levers)  # midwives are another lever


def test_the_tertial_report_opens_with_its_own_months_against_the_same_months_a_year_before():
    from fragile_care.model import followup

    months = pd.date_range("2025-05-01", "2026-08-01", freq="MS")
    births = pd.DataFrame({"unit_id": "A", "month": months, "deliveries": [100.0] * 12 + [90.0] * 4})
    staffing = pd.DataFrame(
        {"kind": ["utfall"] * 3 + ["prognos"], "iso_year": [2025, 2026, 2026, 2027], "fte_gap": [-1.0, -0.5, 0.2, -3.0]}
    )
    out = followup.tertial_results(births, staffing, pd.date_range("2026-05-01", "2026-08-01", freq="MS"))
    assert out["deliveries"] == 360 and out["deliveries_year_before"] == 400 and out["change"] == pytest.approx(-0.1)
    assert out["summer_year"] == 2026 and out["weeks_short"] == 1 and out["weeks"] == 2  # the forecast summer is not counted


def test_weeks_outside_the_summer_that_an_activity_moves_staff_to_are_found():
    plan = pd.DataFrame(
        {
            "effect_type": ["move_leave", "extra_staff", "early_discharge", "none"],
            "effect_weeks": ["29-30", "24-26", "", ""],
            "effect_to_weeks": ["34-35", "", "", "40"],
        }
    )
    assert scenarios.weeks_outside(plan, (25, 33)) == [24, 34, 35]  # not the ward's or a measure without modelled effect
    assert scenarios.weeks_outside(plan.iloc[2:], (25, 33)) == [] and scenarios.weeks_outside(plan.iloc[0:0], (25, 33)) == []
