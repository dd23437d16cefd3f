"""The chain beyond next summer (issue 15 items 4-5): neonatal transfers that follow the
births where the babies were born, the years ahead for BB and neonatal cots, and the care
around each birth by level."""

import pandas as pd
import pytest

from fragile_care.model import capacity, carelevels, postnatal, staffing

pytestmark = pytest.mark.unit

MONTHS = pd.date_range("2023-01-01", "2025-12-01", freq="MS")  # three complete years


def _history():
    """A gets 100/36 intensive-care admissions a month, 20 of them over the three years
    moved in from B; A has 1000 deliveries in the three years, B 2000."""
    births = pd.concat(
        [pd.DataFrame({"unit_id": u, "month": MONTHS, "deliveries": n / len(MONTHS)}) for u, n in (("A", 1000.0), ("B", 2000.0))]
    )
    admissions = pd.DataFrame({"unit_id": "A", "month": MONTHS, "care_level": "ic", "admissions": 100 / 36, "cot_days": 10 * 100 / 36})
    transfers = pd.DataFrame({"month": MONTHS[:20], "from_unit": "B", "to_unit": "A", "care_level": "ic", "transfers": 1})
    return births, admissions, transfers


def test_transferred_babies_leave_the_own_rate_and_follow_the_births_where_they_were_born():
    births, admissions, transfers = _history()
    rates = staffing.neonatal_rates(admissions, births, 3, transfers)
    assert rates.set_index("unit_id").loc["A", "per_delivery"] == pytest.approx(80 / 1000)  # (100 - 20) own / 1000
    flows = staffing.transfer_rates(transfers, admissions, births, 3)
    assert flows[["from_unit", "unit_id"]].values.tolist() == [["B", "A"]]
    assert flows["per_delivery"].iloc[0] == pytest.approx(20 / 2000)
    # next year: A 10 deliveries, B 20 → 0.8 own + 0.2 moved in; B's growth moves A's demand
    ahead = pd.DataFrame({"unit_id": ["A", "B"], "year": 2027, "deliveries": [10.0, 20.0]})
    got = staffing.neonatal_admissions_expected(ahead, rates, flows, ["year"]).set_index("unit_id").loc["A"]
    assert got["admissions_own"] == pytest.approx(0.8) and got["admissions_transferred"] == pytest.approx(0.2)
    grown = ahead.assign(deliveries=[10.0, 40.0])
    assert staffing.neonatal_admissions_expected(grown, rates, flows, ["year"]).set_index("unit_id").loc["A", "admissions_transferred"] == (
        pytest.approx(0.4)
    )
    # without transfers the rate is the unit's admissions per own delivery, as before
    assert staffing.neonatal_rates(admissions, births, 3).set_index("unit_id").loc["A", "per_delivery"] == pytest.approx(0.1)
    assert staffing.transfer_rates(None, admissions, births, 3).empty


def test_the_years_ahead_size_cots_and_nurses_by_erlang_at_the_years_mean_load():
    births, admissions, transfers = _history()
    rates = staffing.neonatal_rates(admissions, births, 3, transfers)
    flows = staffing.transfer_rates(transfers, admissions, births, 3)
    units = pd.DataFrame({"unit_id": ["A", "B"], "neonatal_cots_ic": [3, 0], "neonatal_cots_hd": [0, 0], "neonatal_cots_sc": [0, 0]})
    annual = pd.DataFrame({"unit_id": ["A", "B"], "year": 2027, "deliveries": [3650.0, 7300.0]})
    out = staffing.neonatal_annual(annual, units, rates, flows, staffing.Norms())
    assert out["unit_id"].tolist() == ["A"]  # B has no cots: its babies count where they are cared for
    row = out.iloc[0]
    admitted = 3650 * 0.08 + 7300 * 0.01  # 292 + 73
    assert row["admissions"] == pytest.approx(admitted)
    assert row["cots_occupied"] == pytest.approx(admitted / 365.25 * 10)  # mean stay 10 days
    assert row["cots_needed"] == capacity.servers_needed(admitted / 365.25 * 10, 0.01)
    assert row["nurse_fte"] == pytest.approx(row["cots_needed"] * 1.0 * 168 / 34.33)


def test_postnatal_beds_for_the_years_ahead():
    settings = postnatal.PostnatalSettings()
    units = pd.DataFrame({"unit_id": ["A"], "postnatal_beds": [30]})
    annual = pd.DataFrame({"unit_id": ["A", "REGION"], "year": 2027, "deliveries": [3652.5, 9999.0]})
    out = postnatal.postnatal_annual(annual, units, settings, 0.01)
    assert out["unit_id"].tolist() == ["A"]
    assert out["beds_occupied"].iloc[0] == pytest.approx(10 * 2.255)
    assert out["beds_needed"].iloc[0] == capacity.servers_needed(22.55, 0.01) and out["beds"].iloc[0] == 30
    no_cots = pd.DataFrame(columns=["unit_id", "year", "care_level", "cots_needed", "cots_physical"])
    assert postnatal.shortfalls_by_year(out.assign(beds=40), no_cots, [2027]).empty
    tight = postnatal.shortfalls_by_year(out, no_cots, [2027])  # 22.55 occupied need 33 beds at 1 %, the unit has 30
    assert tight[["unit_id", "link", "first_year", "need", "have"]].values.tolist() == [["A", "postnatal", 2027, 33, 30]]
    assert postnatal.shortfalls_by_year(out, no_cots, [2028]).empty  # other years only


def test_care_levels_count_the_programme_per_birth_and_early_discharge_moves_ward_days_home():
    """100 deliveries, 8 antenatal visits, 1 check, 1 ultrasound; 17 % caesareans. A plan
    sending a third of vaginal births home early moves 100 · 0.83 · 0.33 · 1.5 ward days home
    and adds 2 home visits per early discharge."""
    ward = postnatal.PostnatalSettings()
    care = carelevels.CareLevelSettings()
    annual = pd.DataFrame({"unit_id": ["A", "B"], "year": 2027, "deliveries": [100.0, 50.0]})
    plan = pd.DataFrame(
        [
            {
                "activity_id": "A05",
                "start": pd.Timestamp("2026-01-01"),
                "end": pd.Timestamp("2030-12-31"),
                "effect_type": "early_discharge",
                "effect_unit": "A",
                "effect_weeks": None,
                "effect_profile": "step",
                "ramp_weeks": None,
                "effect_share": 0.33,
            }
        ]
    )
    out = carelevels.care_level_volumes(annual, care, ward, plan).set_index(["unit_id", "contact"])
    assert out.loc[("A", "antenatal_visits"), "baseline"] == 800 and out.loc[("A", "ultrasound"), "level"] == "hospital"
    assert out.loc[("A", "ward_days"), "baseline"] == pytest.approx(100 * 2.255)
    moved = out.loc[("A", "ward_days"), "baseline"] - out.loc[("A", "ward_days"), "with_plan"]
    assert moved == pytest.approx(100 * 0.83 * 0.33 * 1.5)
    assert out.loc[("A", "home_days"), "with_plan"] == pytest.approx(moved)  # nothing lost: the days move home
    assert out.loc[("A", "home_visits"), "with_plan"] == pytest.approx(100 * 0.83 * 0.33 * 2)
    assert out.loc[("B", "ward_days"), "with_plan"] == out.loc[("B", "ward_days"), "baseline"]  # the measure is at A
    assert out.loc[("REGION", "antenatal_visits"), "baseline"] == 1200  # the sum of the units
    later = carelevels.care_level_volumes(annual.assign(year=2032), care, ward, plan).set_index(["unit_id", "contact"])
    assert later.loc[("A", "home_visits"), "with_plan"] == 0  # the plan's activity has ended
