"""The postnatal ward (BB), early discharge and theatre hours (issue 15, items 1 and 3)."""

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from fragile_care.model import postnatal as pn

pytestmark = pytest.mark.unit


def week(unit="A", deliveries=7.0, iso_week=27):
    return pd.DataFrame({"unit_id": [unit], "iso_year": [2027], "iso_week": [iso_week], "deliveries": [deliveries]})


UNITS = pd.DataFrame({"unit_id": ["A", "B"], "postnatal_beds": [2, 30]})


def test_a_hand_worked_week():
    # 7 deliveries a week = 1 woman a day; no caesareans, 2 days each: 2 erlangs on 2 beds.
    # Erlang B(2, 2) = (2^2/2!) / (1 + 2 + 2^2/2!) = 2/5; occupancy 2 (1 - 0.4) / 2 = 0.6.
    settings = pn.PostnatalSettings(caesarean_share=0.0, los_vaginal_days=2.0)
    row = pn.postnatal_beds_weekly(week(), UNITS, settings).iloc[0]
    assert row["arrivals_per_day"] == pytest.approx(1.0)
    assert row["offered_load"] == pytest.approx(2.0)
    assert row["p_full"] == pytest.approx(0.4)
    assert row["occupancy"] == pytest.approx(0.6)
    assert row["women_finding_full"] == pytest.approx(2.8)
    assert row["home_care_days"] == 0.0


def test_the_mean_stay_mixes_vaginal_and_caesarean_births():
    settings = pn.PostnatalSettings(caesarean_share=0.2, los_vaginal_days=2.0, los_caesarean_days=3.5)
    assert settings.mean_stay_days() == pytest.approx(0.8 * 2.0 + 0.2 * 3.5)


def test_staffed_beds_of_a_week_override_the_units_beds():
    capacity = pd.DataFrame({"unit_id": ["B"], "iso_year": [2027], "iso_week": [28], "beds_staffed": [20]})
    weekly = pd.concat([week("B", 70, 27), week("B", 70, 28)], ignore_index=True)
    out = pn.postnatal_beds_weekly(weekly, UNITS, pn.PostnatalSettings(), capacity)
    assert out["beds"].tolist() == [30.0, 20.0]
    assert out["p_full"].iloc[1] > out["p_full"].iloc[0]  # fewer staffed beds, fuller ward


def test_erlang_b_agrees_with_the_simulation():
    settings = pn.PostnatalSettings()
    check = pn.check_by_simulation(deliveries_per_week=70.0, beds=18, settings=settings, weeks=30.0, replications=20, seed=1)
    assert 0.02 < check["erlang_b"] < 0.3  # a case where the ward is full now and then
    assert check["ci_low"] - 0.01 <= check["erlang_b"] <= check["ci_high"] + 0.01, check


@pytest.mark.parametrize("beds", [5, 18, 30])
def test_a_shorter_stay_never_raises_the_risk_that_the_ward_is_full(beds):
    weekly = week("B", 70.0)
    units = pd.DataFrame({"unit_id": ["B"], "postnatal_beds": [beds]})
    risks, home = [], []
    for share in np.linspace(0.0, 1.0, 11):
        settings = pn.PostnatalSettings(early_discharge_share=float(share), early_discharge_days=0.5)
        row = pn.postnatal_beds_weekly(weekly, units, settings).iloc[0]
        risks.append(row["p_full"])
        home.append(row["home_care_days"])
    assert all(b <= a + 1e-12 for a, b in zip(risks, risks[1:]))
    assert risks[-1] < risks[0]
    assert all(b > a for a, b in zip(home, home[1:]))  # the bed-days go home instead
    # every woman after a vaginal birth home early: 70 × 0.83 × (2.0 - 0.5) days a week
    assert home[-1] == pytest.approx(70 * (1 - 0.17) * 1.5)


def test_theatre_hours_scale_exactly_with_births_and_the_caesarean_share():
    settings = pn.PostnatalSettings(caesarean_share=0.2, planned_share_of_caesareans=0.5)
    base = pn.theatre_hours_weekly(week("B", 50.0), settings).iloc[0]
    assert base["theatre_hours"] == pytest.approx(50 * 0.2 * (0.5 * 1.25 + 0.5 * 1.5))
    double_births = pn.theatre_hours_weekly(week("B", 100.0), settings).iloc[0]
    assert double_births["theatre_hours"] == pytest.approx(2 * base["theatre_hours"])
    double_share = pn.theatre_hours_weekly(week("B", 50.0), settings.model_copy(update={"caesarean_share": 0.4})).iloc[0]
    assert double_share["theatre_hours"] == pytest.approx(2 * base["theatre_hours"])


def test_a_units_own_caesarean_share_replaces_the_national_one_there_and_the_region_adds_up():
    settings = pn.PostnatalSettings(caesarean_share=0.2, caesarean_share_by_unit={"A": 0.3})
    rows = pd.concat([week("A", 50.0), week("B", 50.0)], ignore_index=True)
    annual = pd.concat([rows, rows.iloc[[0]].assign(unit_id="REGION", deliveries=100.0)], ignore_index=True)
    hours = pn.theatre_hours_weekly(annual, settings).set_index("unit_id")["theatre_hours"]
    per_section = 0.5 * 1.25 + 0.5 * 1.5
    assert hours["A"] == pytest.approx(50 * 0.3 * per_section) and hours["B"] == pytest.approx(50 * 0.2 * per_section)
    assert hours["REGION"] == pytest.approx(hours["A"] + hours["B"])  # the units' sum, with their own shares
    ward = pn.postnatal_beds_weekly(rows, UNITS, settings).set_index("unit_id")["mean_stay_days"]
    assert ward["A"] == pytest.approx(0.7 * 2.0 + 0.3 * 3.5) and ward["B"] == pytest.approx(0.8 * 2.0 + 0.2 * 3.5)
    with pytest.raises(ValidationError, match="1.5 is out of range"):
        pn.PostnatalSettings(caesarean_share_by_unit={"A": 1.5})


def test_bad_settings_and_inputs_say_what_is_wrong():
    with pytest.raises(ValidationError, match="early_discharge_days \\(3.0\\) is longer than los_vaginal_days \\(2.0\\)"):
        pn.PostnatalSettings(early_discharge_days=3.0)
    with pytest.raises(ValidationError, match="caesarean_share"):
        pn.PostnatalSettings(caesarean_share=1.5)
    with pytest.raises(ValueError, match="no postnatal_beds for unit\\(s\\) X"):
        pn.postnatal_beds_weekly(week("X"), UNITS, pn.PostnatalSettings())
    with pytest.raises(ValueError, match="lacks column\\(s\\) deliveries"):
        pn.postnatal_beds_weekly(week().drop(columns="deliveries"), UNITS, pn.PostnatalSettings())


def test_the_weakest_link_is_the_one_most_often_full():
    key = {"unit_id": ["A", "A"], "iso_year": [2027, 2027], "iso_week": [28, 29]}
    risk = pd.DataFrame({**key, "blocking": [0.02, 0.10]})
    ward = pd.DataFrame({**key, "p_full": [0.05, 0.04]})
    neonatal = pd.DataFrame(
        {
            "unit_id": ["A"] * 4,
            "iso_year": [2027] * 4,
            "iso_week": [28, 28, 29, 29],
            "care_level": ["ic", "sc"] * 2,
            "blocking": [0.01, 0.03, 0.0, 0.2],
        }
    )
    links = pn.chain_links(risk, ward, neonatal)
    assert links["neonatal"].tolist() == [0.03, 0.2]  # the care level most often full
    assert links["weakest"].tolist() == ["postnatal", "neonatal"]
    summary = pn.chain_summary(links).iloc[0]
    assert (summary["rooms_max"], summary["rooms_week"]) == (0.10, 29)
    assert (summary["postnatal_max"], summary["postnatal_week"]) == (0.05, 28)
    assert summary["weakest"] == "neonatal"


def test_staffed_beds_input_is_read_by_iso_week():
    capacity = pd.DataFrame({"unit_id": ["A"], "iso_week": ["2027-W29"], "beds_staffed": [21]})
    out = pn.capacity_by_week(capacity)
    assert out.to_dict("records") == [{"unit_id": "A", "iso_year": 2027, "iso_week": 29, "beds_staffed": 21.0}]
    assert pn.capacity_by_week(None) is None


def test_the_chain_reduces_to_erlang_b_when_the_ward_is_ample():
    from fragile_care.model.capacity import erlang_b

    # 60 women a week, 8 h in a delivery room, 4 rooms: 2.86 erlangs; a ward that never fills
    chain = pn.simulate_chain(60.0, 4, 8.0, beds=500, bed_stay_days=2.0, weeks=30, replications=20, seed=3)
    expected = erlang_b(60.0 / 168 * 8.0, 4)
    assert 0.05 < expected < 0.3
    assert chain["ci_low"] - 0.005 <= expected <= chain["ci_high"] + 0.005, (expected, chain)
    assert chain["waited_for_bed_share"] == 0.0


def test_a_full_ward_keeps_women_in_the_delivery_room_and_raises_redirections():
    ample = pn.simulate_chain(60.0, 4, 8.0, beds=500, bed_stay_days=2.0, weeks=30, replications=20, seed=3)
    # 60 a week for 2 days is 17 erlangs on the ward: 16 beds are often all taken
    full = pn.simulate_chain(60.0, 4, 8.0, beds=16, bed_stay_days=2.0, weeks=30, replications=20, seed=3)
    # measured: 12.6 % waited, 4.2 h on average; 21.7 % redirected against 18.9 % with an ample ward
    assert full["waited_for_bed_share"] > 0.05 and full["mean_wait_hours"] > 1.0
    assert full["ci_low"] > ample["ci_high"]  # the intervals do not overlap
    again = pn.simulate_chain(60.0, 4, 8.0, beds=16, bed_stay_days=2.0, weeks=30, replications=20, seed=3)
    assert again == full  # seeded


def test_the_briefs_unit_rows_name_the_link_that_breaks_first():
    from fragile_care.model import brief

    key = {"unit_id": ["A", "A", "B", "B"], "iso_year": [2027] * 4, "iso_week": [28, 29, 28, 29]}
    risk = pd.DataFrame({**key, "blocking": [0.02, 0.06, 0.01, 0.015], "p_high": [0.1, 0.6, 0.0, 0.0]})
    totals = pd.DataFrame({"unit_id": ["A", "B", "REGION"], "redirected_mean": [5.0, 1.0, 6.0]})
    extra = pd.DataFrame({"unit_id": ["A", "B"], "fte_added": [2.0, 0.0], "fte_to_target": [3.0, 1.0]})
    chain = pd.DataFrame({**key, "rooms": [0.02, 0.06, 0.01, 0.015], "postnatal": [0.01, 0.02, 0.04, 0.05], "neonatal": [0.0] * 4})
    rows = brief.unit_rows(risk, totals, extra, high_risk=0.05, target=0.01, chain=chain).set_index("unit_id")
    assert rows.loc["A", "weakest"] == "rooms" and rows.loc["B", "weakest"] == "postnatal"
    assert rows.loc["A", "light"] == "red" and rows.loc["B", "light"] == "yellow"
    assert "weakest" not in brief.unit_rows(risk, totals, extra, high_risk=0.05, target=0.01).columns


def test_the_chain_at_each_units_worst_bb_week_weighs_whole_rooms_and_reduces_to_erlang_with_ample_beds():
    from fragile_care.model.capacity import erlang_b, erlang_b_mixed

    settings = pn.PostnatalSettings()
    units = pd.DataFrame({"unit_id": ["A", "B"], "postnatal_beds": [500, 16]})
    weekly = pd.concat([week("A", 60.0, 28), week("A", 60.0, 29), week("B", 60.0, 29)], ignore_index=True)
    ward = pn.postnatal_beds_weekly(weekly, units, settings)
    load = 60.0 / 168 * 8.0
    risk = weekly.assign(rooms_staffed=[4.0, 4.5, 4.0])
    risk["blocking"] = erlang_b_mixed(np.full(3, load), risk["rooms_staffed"].to_numpy())
    out = pn.chain_at_worst_week(risk, ward, 8.0, weeks=30, replications=20, seed=3).set_index("unit_id")
    assert out.loc["A", "iso_week"] == 28  # both weeks equal: the first of the worst
    assert out.loc["A", "rooms_alone"] == pytest.approx(erlang_b(load, 4))
    # ample beds: the simulation is the delivery rooms' Erlang B (within the simulation's noise)
    assert out.loc["A", "chain_redirected"] == pytest.approx(erlang_b(load, 4), abs=0.015)
    assert out.loc["A", "waited_for_bed_share"] == 0.0
    # 16 beds for 60 women a week staying 2.255 days (19 erlangs): women wait, more are redirected
    assert out.loc["B", "waited_for_bed_share"] > 0.1 and out.loc["B", "chain_redirected"] > out.loc["B", "rooms_alone"] + 0.02
    # 4.5 staffed rooms: half the simulation with 4 rooms and half with 5
    half = pn.chain_at_worst_week(risk.iloc[[1]], ward.iloc[[1]], 8.0, weeks=30, replications=20, seed=3).iloc[0]
    four = pn.simulate_chain(60.0, 4, 8.0, 500, settings.mean_stay_days(), 30, 20, 3)["redirected_share"]
    five = pn.simulate_chain(60.0, 5, 8.0, 500, settings.mean_stay_days(), 30, 20, 3)["redirected_share"]
    assert half["chain_redirected"] == pytest.approx(0.5 * four + 0.5 * five)
