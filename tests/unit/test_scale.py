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
