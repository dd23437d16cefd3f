"""Issue 16 item 4: a data set beyond VGR. The administrations are data (the units table
names them and the action plan's owners must be among them); nothing is a fixed list of
VGR's four."""

from __future__ import annotations

import pytest

from fragile_care.inputs import io
from fragile_care.inputs.contracts import check_table
from fragile_care.inputs.schemas import ACTION_PLAN, UNITS
from fragile_care.inputs.units import Harmonisation, UnitRegistry

pytestmark = pytest.mark.unit

UNITS_CSV = (
    "unit_id,name,hospital,administration,delivery_rooms,postnatal_beds,neonatal_cots_ic,neonatal_cots_hd,neonatal_cots_sc\n"
    "KS,Karolinska Huddinge,Karolinska Universitetssjukhuset,Karolinska,20,60,10,10,20\n"
    "SÖS,Södersjukhuset,Södersjukhuset,Region Stockholm,25,70,8,10,20\n"
)
PLAN = (
    "activity_id,title,area,owner,start,end,status,indicator,baseline,target,effect_type\n"
    "B01,Samordning,regional samordning,Karolinska,2027-01-01,2027-12-31,planerad,,,,none\n"
    "B02,Pool,kompetensförsörjning,Regionkansliet,2027-01-01,2027-12-31,planerad,,,,none\n"
    "B03,Semester,kompetensförsörjning,Sahlgrenska,2027-01-01,2027-12-31,planerad,,,,none\n"
)


def test_administrations_outside_vgr_are_data_and_owners_are_checked_against_them(write_file):
    units = check_table(io.read_raw_table(write_file("units.csv", UNITS_CSV)), UNITS)
    assert units.ok, [p.format() for p in units.problems]
    registry = UnitRegistry.build(units.frame, Harmonisation(), "units.csv", units.lines)
    plan = check_table(io.read_raw_table(write_file("action_plan.csv", PLAN)), ACTION_PLAN, registry)
    errors = [p for p in plan.problems if p.severity == "error"]
    assert [(p.row, p.column) for p in errors] == [(4, "owner")]
    assert errors[0].problem.startswith("activity B03: 'Sahlgrenska' is not allowed")
    assert "Karolinska, Region Stockholm, Regionkansliet" in errors[0].problem


# ----------------------------------------------------------------------------- reports at many units
def test_units_by_size_orders_by_the_last_twelve_months_with_ties_by_id():
    import pandas as pd

    from fragile_care.model import describe

    months = pd.date_range("2024-01-01", "2025-12-01", freq="MS")
    rows = []
    for m in months:
        rows += [("A", m, 10 if m.year == 2024 else 1), ("B", m, 5), ("C", m, 5), ("D", m, 0)]
    births = pd.DataFrame(rows, columns=["unit_id", "month", "deliveries"])
    # A was the largest in 2024 but only the last twelve months count
    assert describe.units_by_size(births) == ["B", "C", "A", "D"]


def test_shown_units_says_what_it_leaves_out_and_nothing_when_all_fit():
    from fragile_care.publish import formatting as fmt

    assert fmt.shown_units(["A", "B"], 3, "störst först", "Blad") == (["A", "B"], "")
    shown, note = fmt.shown_units([f"U{i}" for i in range(45)], 15, "de med flest förlossningar", "Prognos per år")
    assert shown == [f"U{i}" for i in range(15)]
    assert note == "Visar 15 av 45 enheter: de med flest förlossningar. Alla 45 finns i arbetsboken, bladet ”Prognos per år”."


def test_merged_units_lists_merges_not_plain_closures():
    import pandas as pd

    from fragile_care.model import describe

    units = pd.DataFrame(
        {
            "unit_id": ["OSTRA", "MOLNDAL", "SKAS"],
            "closed": [pd.NaT, pd.Timestamp("2017-04-30"), pd.Timestamp("2025-12-31")],
            "merged_into": [None, "OSTRA", None],
        }
    )
    merged = describe.merged_units(units)
    assert merged[["unit_id", "merged_into"]].values.tolist() == [["MOLNDAL", "OSTRA"]]


def test_national_synthetic_data_set_is_seeded_labelled_and_consistent():
    import numpy as np

    from fragile_care.sources import national

    tables, overflow = national.generate(12)
    again, _ = national.generate(12)
    for name, frame in tables.items():
        assert frame.equals(again[name]), name  # deterministic
        assert (frame["source_id"] == national.SOURCE_ID).all(), name  # every row says synthetic
    units = tables["units"]
    assert len(units) == 12 and units["name"].str.startswith("Syntetisk").all()
    per_year = tables["births_monthly"].assign(year=lambda d: d["month"].str[:4]).query("year == '2022'")
    per_year = per_year.groupby("unit_id")["babies_born"].sum()
    assert 150 <= per_year.min() and per_year.max() <= 11_000  # 200 to 10 000 a year, with noise
    assert np.isclose(sorted(national.unit_sizes(12))[0], national.SMALLEST)
    ids = set(units["unit_id"])
    assert set(overflow) == ids and all(targets and set(targets) <= ids - {uid} for uid, targets in overflow.items())
    # no intensive-care admissions at a unit without intensive-care cots
    neo = tables["neonatal_admissions"].merge(units[["unit_id", "neonatal_cots_ic"]], on="unit_id")
    assert neo.loc[(neo["care_level"] == "ic") & (neo["neonatal_cots_ic"] == 0), "admissions"].sum() == 0
