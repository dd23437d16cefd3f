"""Bad staffing, leave and unit input for the capacity models: every problem named by
file, row and column, all at once."""

import shutil

import pandas as pd
import pytest

from fragile_care import paths
from fragile_care.inputs import assembly, units
from fragile_care.inputs.quality import DataValidationError

pytestmark = pytest.mark.integration


def _edit(path, edit):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = edit(frame)
    frame.to_csv(path, index=False)
    return frame


@pytest.fixture
def broken(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(paths.demo_dir(), data)

    def units(f):
        f.loc[f["unit_id"] == "SAS", "delivery_rooms"] = "0"
        return f

    _edit(data / "units.csv", units)

    def staff(f):
        row = (f["unit_id"] == "NAL") & (f["month"] == "2026-07") & (f["profession"] == "barnmorska")
        f.loc[row, ["fte_available", "fte_agency"]] = "0"
        return f

    _edit(data / "staffing.csv", staff)

    def leave(f):
        f.loc[(f["unit_id"] == "OSTRA") & (f["iso_week"] == "2026-W29") & (f["profession"] == "barnmorska"), "fte_on_leave"] = "400"
        f.loc[(f["unit_id"] == "NAL") & (f["iso_week"] == "2026-W30") & (f["profession"] == "barnmorska"), "fte_on_leave"] = "-3"
        f.loc[(f["unit_id"] == "SKAS") & (f["iso_week"] == "2025-W30") & (f["profession"] == "barnmorska"), "iso_week"] = "2025-W53"
        f.loc[(f["unit_id"] == "SKAS") & (f["iso_week"] == "2025-W31") & (f["profession"] == "barnmorska"), "unit_id"] = "BORAAS"
        return f

    frame = _edit(data / "leave_plan.csv", leave)
    return data, frame


def _line(frame, mask):
    return int(frame.index[mask][0]) + 2  # header is row 1


def test_every_capacity_input_problem_is_named(broken):
    data, leave = broken
    with pytest.raises(DataValidationError) as info:
        assembly.clean_dataset(
            data, paths.public_dir(), units.Harmonisation({}, None), pd.Timestamp("2015-01-01"), pd.Timestamp("2026-08-01")
        )
    text = str(info.value)
    assert "units.csv:5:delivery_rooms: error: open unit SAS has 0 delivery rooms" in text
    assert (
        "staffing.csv:" in text
        and ":fte_available: error: 0 barnmorska FTE available and no agency staff at open unit NAL in 2026-07" in text
    )
    over = _line(leave, (leave["unit_id"] == "OSTRA") & (leave["iso_week"] == "2026-W29") & (leave["profession"] == "barnmorska"))
    assert f"leave_plan.csv:{over}:fte_on_leave: error: 400 FTE on leave in 2026-W29 exceeds the" in text
    negative = _line(leave, leave["fte_on_leave"] == "-3")
    assert f"leave_plan.csv:{negative}:fte_on_leave: error: '-3' is below the minimum 0" in text
    week53 = _line(leave, leave["iso_week"] == "2025-W53")
    assert f"leave_plan.csv:{week53}:iso_week: error:" in text and "ISO week 53 does not exist in 2025" in text
    unknown = _line(leave, leave["unit_id"] == "BORAAS")
    assert f"leave_plan.csv:{unknown}:unit_id: error: unknown unit id 'BORAAS'" in text


def test_bad_postnatal_capacity_is_named_by_file_row_and_column(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(paths.demo_dir(), data)

    def beds(f):
        f.loc[(f["unit_id"] == "NAL") & (f["iso_week"] == "2026-W28"), "beds_staffed"] = "-2"
        f.loc[(f["unit_id"] == "SAS") & (f["iso_week"] == "2025-W30"), "iso_week"] = "2025-W53"
        f.loc[(f["unit_id"] == "SKAS") & (f["iso_week"] == "2027-W31"), "unit_id"] = "BORAAS"
        f.loc[(f["unit_id"] == "OSTRA") & (f["iso_week"] == "2027-W26"), "beds_staffed"] = "många"
        return f

    frame = _edit(data / "postnatal_capacity.csv", beds)
    with pytest.raises(DataValidationError) as info:
        assembly.clean_dataset(
            data, paths.public_dir(), units.Harmonisation({}, None), pd.Timestamp("2015-01-01"), pd.Timestamp("2026-08-01")
        )
    text = str(info.value)
    assert f"postnatal_capacity.csv:{_line(frame, frame['beds_staffed'] == '-2')}:beds_staffed: error:" in text
    assert f"postnatal_capacity.csv:{_line(frame, frame['beds_staffed'] == 'många')}:beds_staffed: error:" in text
    week53 = _line(frame, frame["iso_week"] == "2025-W53")
    assert f"postnatal_capacity.csv:{week53}:iso_week: error:" in text and "ISO week 53 does not exist in 2025" in text
    assert f"postnatal_capacity.csv:{_line(frame, frame['unit_id'] == 'BORAAS')}:unit_id: error: unknown unit id 'BORAAS'" in text


def test_bad_neonatal_transfers_are_named_by_file_row_and_column(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(paths.demo_dir(), data)
    # ÖSTRA's intensive-care admissions in 2025-03 bound the babies moved in that month
    admissions = pd.read_csv(data / "neonatal_admissions.csv", dtype=str)
    counted = int(
        admissions.loc[
            (admissions["unit_id"] == "OSTRA") & (admissions["month"] == "2025-03") & (admissions["care_level"] == "ic"), "admissions"
        ].iloc[0]
    )
    extra = pd.DataFrame(
        [
            ("2025-03", "NAL", "NAL", "hd", "1"),  # to itself
            ("2025-03", "SAS", "OSTRA", "ic", str(counted + 1)),  # more than Östra's admissions
            ("2025-05", "SKAS", "BORAAS", "ic", "1"),  # unknown unit
            ("2025-06", "SAS", "OSTRA", "ic", "två"),  # not a count
        ],
        columns=["month", "from_unit", "to_unit", "care_level", "transfers"],
    ).assign(source_id="TEST")
    original = pd.read_csv(data / "neonatal_transfers.csv", dtype=str, keep_default_na=False)
    original = original[~((original["month"] == "2025-03") & (original["to_unit"] == "OSTRA"))]  # the month's moves: only ours
    frame = pd.concat([original, extra], ignore_index=True)
    frame.to_csv(data / "neonatal_transfers.csv", index=False)
    # a unit without intermediate-care cots cannot receive babies at that level
    unit_table = pd.read_csv(data / "units.csv", dtype=str, keep_default_na=False)
    unit_table.loc[unit_table["unit_id"] == "SKAS", "neonatal_cots_hd"] = "0"
    unit_table.to_csv(data / "units.csv", index=False)
    no_cots = pd.DataFrame([("2025-07", "NAL", "SKAS", "hd", "1", "TEST")], columns=frame.columns)
    frame = pd.concat([frame, no_cots], ignore_index=True)
    frame.to_csv(data / "neonatal_transfers.csv", index=False)
    with pytest.raises(DataValidationError) as info:
        assembly.clean_dataset(
            data, paths.public_dir(), units.Harmonisation({}, None), pd.Timestamp("2015-01-01"), pd.Timestamp("2026-08-01")
        )
    text = str(info.value)
    row = lambda mask: _line(frame, mask)  # noqa: E731
    itself = row((frame["from_unit"] == "NAL") & (frame["to_unit"] == "NAL"))
    assert f"neonatal_transfers.csv:{itself}:to_unit: error: babies moved from NAL to itself" in text
    over = row(frame["transfers"] == str(counted + 1))
    assert f"neonatal_transfers.csv:{over}:transfers: error: {counted + 1} babies moved in to OSTRA at level ic in 2025-03" in text
    assert f"but the admissions table counts {counted} there" in text
    assert f"neonatal_transfers.csv:{row(frame['to_unit'] == 'BORAAS')}:to_unit: error: unknown unit id 'BORAAS'" in text
    assert f"neonatal_transfers.csv:{row(frame['transfers'] == 'två')}:transfers: error:" in text
    hd = row((frame["to_unit"] == "SKAS") & (frame["care_level"] == "hd"))
    assert f"neonatal_transfers.csv:{hd}:care_level: error: SKAS has no hd cots in the units table" in text
    assert "neonatal_transfers.csv:2:" not in text  # the demo's own rows are fine
