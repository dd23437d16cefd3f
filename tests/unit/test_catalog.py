"""The output catalog (publish/catalog.py): every processed table declared once, and
``run_step`` refusing a result that differs from its declaration."""

import pandas as pd
import pytest

from fragile_care.publish import catalog, fields, sheets
from fragile_care.run import steps

pytestmark = pytest.mark.unit


def _risk_totals(**overrides):
    frame = pd.DataFrame(
        {
            "unit_id": ["A", "B"],
            "redirected_mean": [1.5, 2.0],
            "redirected_p10": [0.5, 1.0],
            "redirected_p90": [3.0, 4.0],
            "redirected_mc_se": [0.1, 0.1],
        }
    )
    return frame.assign(**overrides)


def test_a_table_as_declared_has_no_problem():
    assert catalog.problems("redirection_totals", _risk_totals()) == []
    assert catalog.problems("redirection_totals", _risk_totals().iloc[:0]) == []  # an empty table has no kinds to check


def test_missing_undeclared_wrong_kind_and_repeated_key_are_named():
    frame = _risk_totals(unit_id=["A", "A"], extra=1).drop(columns="redirected_p90")
    frame["redirected_mean"] = ["x", "y"]
    found = catalog.problems("redirection_totals", frame)
    assert any("missing column(s) redirected_p90" in p for p in found)
    assert any("undeclared column(s) extra" in p for p in found)
    assert any(p.startswith("redirection_totals.redirected_mean:") and "declared float" in p for p in found)
    # the key is checked once the declared columns are there
    repeated = catalog.problems("redirection_totals", _risk_totals(unit_id=["A", "A"]))
    assert repeated == ["redirection_totals: 1 row(s) repeat the key (unit_id), first {'unit_id': 'A'}"]


def test_whole_numbers_stored_as_float_pass_as_int_but_fractions_do_not():
    frame = pd.DataFrame({"role": ["fit"], "years": ["2024"], "weeks": [9.0]})
    spec = catalog.table("capacity_calibration")
    assert catalog._kind_ok(spec.kind("weeks"), frame["weeks"])
    assert not catalog._kind_ok(spec.kind("weeks"), pd.Series([9.5]))
    assert not catalog._kind_ok("int", pd.Series([True, False]))  # a flag is not a count


def test_every_declared_column_has_a_meaning_and_every_read_table_a_declaration():
    for spec in catalog.TABLES:
        for column in spec.columns:
            assert spec.kind(column) in fields.KINDS, (spec.name, column)
            assert spec.label(column), (spec.name, column)
    declared = set(catalog.BY_NAME)
    for step in steps.STEPS:
        assert set(step.reads) | set(step.optional_reads) <= declared, step.name
        assert step.writes, step.name


def test_every_sheet_column_is_declared():
    for sheet in sheets.SHEETS:
        spec = sheet.spec()
        for show in sheet.columns:
            assert show.column in fields.FIELDS or show.column in spec.kinds, (sheet.name, show.column)
        assert set(sheet.needs) <= set(catalog.BY_NAME), sheet.name


def test_run_step_refuses_a_result_off_the_catalog(monkeypatch, tmp_path):
    step = steps.get("06_steering_brief")
    good = {"brief_key_numbers": None, "brief_units": None, "brief_proposals": None}

    def compute(tables, cfg):
        out = {name: pd.DataFrame({c: [] for c in catalog.table(name).columns}) for name in good}
        out["brief_units"] = out["brief_units"].drop(columns="light")
        return out

    monkeypatch.setattr(steps, "BY_NAME", {**steps.BY_NAME, step.name: steps.Step(step.name, reads=(), compute=compute)})
    with pytest.raises(steps.StepOutputError, match=r"brief_units: missing column\(s\) light"):
        steps.run_step(step.name, cfg=None, processed_dir=tmp_path)
    assert not list(tmp_path.iterdir())  # nothing written
