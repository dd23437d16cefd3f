"""Bad action-plan and best-practice input: each error names the file, row, field and activity."""

import shutil

import pandas as pd
import pytest

from fragile_care import paths
from fragile_care.inputs import assembly, units
from fragile_care.inputs.quality import DataValidationError

pytestmark = pytest.mark.integration


def _edit(path, edit):
    frame = edit(pd.read_csv(path, dtype=str, keep_default_na=False))
    frame.to_csv(path, index=False)


def test_every_plan_problem_is_named(tmp_path):
    data, public = tmp_path / "data", tmp_path / "public"
    shutil.copytree(paths.demo_dir(), data)
    shutil.copytree(paths.public_dir(), public)

    def plan(f):
        f.loc[f["activity_id"] == "A01", "end"] = "2026-12-31"  # ends before it starts (2027-01-15)
        f.loc[f["activity_id"] == "A02", "area"] = "regional samverkan"  # unknown area
        f.loc[f["activity_id"] == "A03", "status"] = "avslutad"  # unknown status
        f.loc[f["activity_id"] == "A04", "owner"] = "Sahlgrenska"  # unknown owner
        f.loc[f["activity_id"] == "A04", "effect_unit"] = "KUNGALV"  # effect on a unit that does not exist
        f.loc[f["activity_id"] == "A05", "target"] = "10"  # a target without an indicator
        dup = f[f["activity_id"] == "A06"].assign(title="En annan aktivitet")  # duplicate id with other content
        return pd.concat([f, dup], ignore_index=True)

    _edit(data / "action_plan.csv", plan)

    def practices(f):
        f.loc[f["practice_id"] == "P02", "source_url"] = ""  # no source
        return f

    _edit(public / "best_practice.csv", practices)

    with pytest.raises(DataValidationError) as info:
        assembly.clean_dataset(data, public, units.Harmonisation({}, None), pd.Timestamp("2015-01-01"), pd.Timestamp("2026-08-01"))
    text = str(info.value)
    assert "action_plan.csv:2:end: error: activity A01: end 2026-12-31 is before start 2027-01-15" in text
    assert "action_plan.csv:3:area: error: activity A02: 'regional samverkan' is not allowed; did you mean 'regional samordning'?" in text
    assert "action_plan.csv:4:status: error: activity A03: 'avslutad' is not allowed" in text
    assert "action_plan.csv:5:owner: error: activity A04: 'Sahlgrenska' is not allowed" in text
    assert "action_plan.csv:5:effect_unit: error: activity A04: unknown unit id 'KUNGALV'" in text
    assert "action_plan.csv:6:indicator: error: activity A05: a target (10) without an indicator" in text
    assert "action_plan.csv:9:activity_id: error:" in text and "A06" in text
    assert "best_practice.csv:3:source_url: error: best practice P02: no source" in text


def test_a_best_practice_link_to_an_activity_not_in_this_plan_is_left_out_and_logged(tmp_path):
    # the register is public and shared; its links name the demo plan's ids. Another data
    # set's plan (here: without A05) must not fail on them, nor show a dangling "A05"
    data = tmp_path / "data"
    shutil.copytree(paths.demo_dir(), data)
    _edit(data / "action_plan.csv", lambda f: f[f["activity_id"] != "A05"])
    cleaned = assembly.clean_dataset(
        data, paths.public_dir(), units.Harmonisation({}, None), pd.Timestamp("2015-01-01"), pd.Timestamp("2026-08-01")
    )
    register = cleaned.tables["best_practice"].set_index("practice_id")["inspired"]
    assert register["P04"] is None or pd.isna(register["P04"])  # it named only A05
    assert register["P02"] == "A01|A04"  # links to activities in the plan are kept
    assert not register.fillna("").str.contains("A05").any()
    log = cleaned.quality_log
    repairs = log[(log["table"] == "best_practice") & (log["severity"] == "repaired")]
    assert len(repairs) == 2  # P04 and P05, each with its row
    assert set(repairs["row"]) == {5, 6} and set(repairs["column"]) == {"inspired"}
    assert "names A05, not in the action plan" in repairs["problem"].iloc[0]
