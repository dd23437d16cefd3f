"""Issue 14: one test per class of bad input or fault that used to give a wrong number, an
internal error or an unbounded wait (the pipeline-level ones are in
tests/integration/test_reliability_runs.py)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from fragile_care.inputs import io
from fragile_care.inputs.contracts import TableCheck, check_table
from fragile_care.inputs.crosschecks import meaning_checks, plausibility_checks, unit_life_checks
from fragile_care.inputs.parsing import CellError, parse_count
from fragile_care.inputs.quality import UnreadableTableError
from fragile_care.inputs.schemas import ACTION_PLAN, BIRTHS_MONTHLY
from fragile_care.inputs.units import Harmonisation, UnitRegistry
from fragile_care.model import describe, forecast
from fragile_care.publish import disclosure
from fragile_care.run import cache, config, pipeline
from fragile_care.run.config import ConfigError
from fragile_care.run.locks import RunBusy, run_lock

pytestmark = pytest.mark.unit


def units_frame(rows):
    cols = ["unit_id", "name", "aliases", "closed", "merged_into", "opened"]
    frame = pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)
    frame["closed"] = pd.to_datetime(frame["closed"])
    frame["opened"] = pd.to_datetime(frame["opened"])
    return frame


# ---------------------------------------------------------------- 1. alias takeover
def test_an_alias_naming_another_unit_is_an_error_naming_both_rows():
    units = units_frame([("OSTRA", "Östra sjukhuset", "Östra", None, None, None), ("NEWU", "Ny enhet", "östra|Ny", None, None, None)])
    registry = UnitRegistry.build(units, Harmonisation(), "units.csv", [2, 3])
    assert len(registry.conflicts) == 1
    text = registry.conflicts[0].format()
    assert text.startswith("units.csv:3:aliases: error:") and "OSTRA" in text and "NEWU" in text and "row 2" in text
    assert registry.resolve("Östra") == ("OSTRA", "unit 'Östra' harmonised to OSTRA")  # never taken over


def test_ids_differing_only_in_case_or_diacritics_are_an_error():
    units = units_frame([("OSTRA", "Östra", None, None, None, None), ("ÖSTRA", "Östra igen", None, None, None, None)])
    conflicts = UnitRegistry.build(units, Harmonisation(), "units.csv", [2, 3]).conflicts
    assert [c.row for c in conflicts] == [3] and "OSTRA" in conflicts[0].problem and "ÖSTRA" in conflicts[0].problem


def test_config_alias_to_an_unknown_unit_or_to_a_second_unit_is_an_error():
    units = units_frame([("OSTRA", "Östra", None, None, None, None), ("NAL", "NÄL", None, None, None, None)])
    conflicts = UnitRegistry.build(units, Harmonisation({"Foo": "NOPE", "nal": "OSTRA"}), "units.csv", [2, 3]).conflicts
    assert len(conflicts) == 2
    assert "'NOPE'" in conflicts[0].problem and conflicts[0].column == "harmonisation.aliases"
    assert "would name both NAL" in conflicts[1].problem


# ---------------------------------------------------------------- 2. closed units
def births(units_months):
    rows = [(u, m, 100) for u, months in units_months.items() for m in months]
    return pd.DataFrame(rows, columns=["unit_id", "month", "deliveries"])


def test_closed_and_too_new_units_are_not_forecast_and_the_region_is_like_for_like():
    months = pd.date_range("2020-01-01", "2024-12-01", freq="MS")
    frame = births({"A": months, "B": months[months <= "2023-06-01"], "C": months[-10:]})
    left_out = forecast.not_forecast(frame)
    assert set(left_out) == {"B", "C"} and "2023-06" in left_out["B"] and "10 månader" in left_out["C"]
    series = forecast.series_by_unit(frame)
    assert set(series) == {"A", "REGION"}
    assert (series["REGION"] == series["A"]).all()  # no step where B leaves or C enters


def test_a_unit_without_a_summer_has_no_redirection_cell_and_prints_a_dash():
    log = pd.DataFrame(
        {"date": pd.to_datetime(["2025-06-20"]), "from_unit": ["A"], "to_unit": ["B"], "reason": ["platsbrist"], "women": [7]}
    )
    active = {("A", 2025), ("B", 2025), ("A", 2026)}  # B closed before summer 2026
    cube = describe.summer_redirections(log, ["A", "B"], (2025, 2026), (25, 33), active)
    assert not ((cube["unit_id"] == "B") & (cube["year"] == 2026)).any()
    published = disclosure.PublishedCounts(disclosure.protect_redirections(cube, 5), 5)
    assert published.text("B", 2026, "capacity", float("nan")) == "–"
    with pytest.raises(disclosure.DisclosureError):
        published.text("B", 2026, "capacity", 3)  # a count for a unit-summer that did not exist


def test_rows_after_a_closing_without_merge_are_errors_naming_the_row():
    units = units_frame(
        [("A", "A", None, "2025-12-31", None, None), ("M", "M", None, "2017-04-30", "A", None), ("N", "N", None, None, None, "2025-09-01")]
    )
    units_check = TableCheck("units", "units.csv", units, [], 3, 3, 0, [2, 3, 4])
    frame = pd.DataFrame(
        {
            "unit_id": ["A", "A", "M", "N", "N"],
            "month": pd.to_datetime(["2025-12-01", "2026-01-01", "2018-01-01", "2025-08-01", "2025-09-01"]),
        }
    )
    births_check = TableCheck("births_monthly", "births_monthly.csv", frame, [], 5, 5, 0, [10, 11, 12, 13, 14])
    problems = unit_life_checks({"units": units_check, "births_monthly": births_check})
    assert [(p.row, p.column, p.severity) for p in problems] == [(11, "unit_id", "error"), (13, "unit_id", "error")]  # merged M's rows move
    assert "closed on 2025-12-31" in problems[0].problem and "opened on 2025-09-01" in problems[1].problem


# ---------------------------------------------------------------- 7. empty CSV, huge counts
def test_a_csv_of_separators_only_is_unreadable_not_an_internal_error(write_file):
    with pytest.raises(UnreadableTableError, match="only separators"):
        io.read_raw_table(write_file("x.csv", ";;;;\n;;;;\n"))


def test_counts_beyond_any_plausible_size_are_cell_errors():
    with pytest.raises(CellError, match="beyond any plausible count"):
        parse_count("100000000000000000000", False)
    with pytest.raises(CellError, match="beyond any plausible count"):
        parse_count("1e300", False)


# ---------------------------------------------------------------- 8, 9. run configuration files
def demo_yaml(tmp_path, text_edit=lambda t: t, name="c.yaml", encoding="utf-8"):
    text = (config.paths.config_dir() / "runs" / "2026-T2.yaml").read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_bytes(text_edit(text).encode(encoding))
    return path


@pytest.mark.parametrize(
    ("edit", "encoding", "message"),
    [
        (lambda t: t, "cp1252", r"line 9: not UTF-8 text"),  # the title
        (lambda t: t.replace("run_id: 2026-T2", 'run_id: "x\\n"'), "utf-8", r"run_id: 'x\\n' is not allowed"),
        (lambda t: t.replace("tertial: 2026-T2", 'tertial: "2026-T2\\n"'), "utf-8", r"tertial: '2026-T2\\n' is not a tertial"),
        (lambda t: t.replace("tertial: 2026-T2", "tertial: 9999-T2"), "utf-8", r"tertial: '9999-T2' has year 9999"),
        (lambda t: t + "period:\n  end: 9999-12\n", "utf-8", r"period\.end: '9999-12' has year 9999"),
        (
            lambda t: t + "summer:\n  compare_years: [2010, 2025]\n",
            "utf-8",
            r"summer\.compare_years: 2010 outside",
        ),
        (lambda t: t + "summer:\n  first_week: 53\n  last_week: 53\n", "utf-8", r"summer\.first_week"),
    ],
)
def test_bad_config_files_are_config_errors(tmp_path, edit, encoding, message):
    with pytest.raises(ConfigError, match=message):
        config.load_config(demo_yaml(tmp_path, edit, encoding=encoding))


def test_binary_oversized_and_alias_bomb_configs_are_refused_before_parsing(tmp_path):
    (tmp_path / "bin.yaml").write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(ConfigError, match="binary content"):
        config.load_config(tmp_path / "bin.yaml")
    (tmp_path / "big.yaml").write_text("# x\n" * 100_000, encoding="utf-8")
    with pytest.raises(ConfigError, match="at most"):
        config.load_config(tmp_path / "big.yaml")
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
    )
    (tmp_path / "bomb.yaml").write_text(bomb + "run_id: *i\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="YAML aliases"):
        config.load_config(tmp_path / "bomb.yaml")


def test_a_relative_config_path_is_made_absolute_for_the_notebooks(tmp_path, monkeypatch):
    path = demo_yaml(tmp_path)
    monkeypatch.chdir(tmp_path)
    cfg = config.load_config("c.yaml")
    assert cfg.source_file == path and cfg.source_file.is_absolute()


# ---------------------------------------------------------------- 11. bad cache entries
def _entry(root, meta=None, notebook=b"{}", table=b"PAR1"):
    step_cache = cache.StepCache(root)
    entry = root / "01_clean_data" / "k"
    (entry / "tables").mkdir(parents=True)
    (entry / "notebook.ipynb").write_bytes(notebook)
    (entry / "tables" / "t.parquet").write_bytes(table)
    if meta is None:
        meta = {
            "format": cache.CACHE_FORMAT,
            "version": cache.__version__,
            "notebook_sha256": io.sha256_file(entry / "notebook.ipynb"),
            "tables": {"t.parquet": io.sha256_file(entry / "tables" / "t.parquet")},
        }
    (entry / "entry.json").write_text(json.dumps(meta), encoding="utf-8")
    return step_cache, entry


@pytest.mark.parametrize("meta", [[], None, {"format": 2, "tables": []}, {"tables": "x", "notebook_sha256": 1}])
def test_cache_metadata_of_the_wrong_shape_is_removed_not_an_internal_error(tmp_path, meta):
    step_cache, entry = _entry(tmp_path, meta=meta if meta is not None else "null")
    if meta is None:
        (entry / "entry.json").write_text("null", encoding="utf-8")
    hit, note = step_cache.lookup("01_clean_data", "k")
    assert hit is None and "unusable" in note and not entry.exists()


def test_a_cached_notebook_or_table_that_does_not_read_is_removed_even_when_its_hash_matches(tmp_path):
    step_cache, entry = _entry(tmp_path / "a", notebook=b"not json")
    hit, note = step_cache.lookup("01_clean_data", "k")
    assert hit is None and "unusable" in note and not entry.exists()
    nb = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    step_cache, entry = _entry(tmp_path / "b", notebook=nb, table=b"garbage, not parquet")
    hit, note = step_cache.lookup("01_clean_data", "k")
    assert hit is None and "unusable" in note and not entry.exists()


def test_older_entries_of_the_wrong_shape_do_not_break_the_lookup(tmp_path):
    step_cache, _ = _entry(tmp_path, meta=[1, 2])
    hit, note = step_cache.lookup("01_clean_data", "other-key")
    assert hit is None and note.endswith("from another package version ignored")


def test_a_full_disk_while_caching_leaves_no_half_entry(tmp_path, monkeypatch):
    import errno
    import shutil

    notebook = tmp_path / "nb.ipynb"
    notebook.write_text("{}", encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copy2", full)
    step_cache = cache.StepCache(tmp_path / "cache")
    note = step_cache.store("01_clean_data", "k", notebook, [], 1.0)
    assert "No space left on device" in note
    assert list((tmp_path / "cache" / "01_clean_data").iterdir()) == []


# ---------------------------------------------------------------- 12. one run per run id
def test_a_second_holder_of_a_run_lock_is_refused_naming_the_first(tmp_path):
    with run_lock(tmp_path, "r1"):
        with pytest.raises(RunBusy, match=r"run r1 is already going on \(pid \d+"):
            with run_lock(tmp_path, "r1"):
                pass
        with run_lock(tmp_path, "r2"):  # another run id is independent
            pass
    with run_lock(tmp_path, "r1"):  # released
        pass


# ---------------------------------------------------------------- 14. render's run id
def test_render_refuses_a_path_for_a_run_id(tmp_path):
    from fragile_care.run.render import EXIT_USAGE, render_run

    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "manifest.json").write_text("{}", encoding="utf-8")
    assert render_run("../x", output_root=tmp_path / "out") == EXIT_USAGE


# ---------------------------------------------------------------- 15. forecast errors name the series
def test_a_history_problem_names_the_series():
    months = pd.date_range("2020-01-01", "2023-12-01", freq="MS")
    frame = births({"A": months.delete(10)})
    with pytest.raises(ValueError, match=r"^A: history has a gap"):
        forecast.forecast_all(frame, horizon=12)


def test_a_series_of_the_documented_minimum_is_forecast_and_left_out_of_the_evaluation():
    months = pd.date_range("2021-01-01", periods=forecast.MIN_MONTHS, freq="MS")
    series = {"A": pd.Series(100.0, index=months)}
    assert forecast.evaluation_windows(series, 12, 1) == {}
    assert forecast.not_forecast(births({"A": months})) == {}


# ---------------------------------------------------------------- 16, 17. files that are not tables
def test_a_fifo_and_an_oversized_file_are_refused(tmp_path, monkeypatch):
    import os

    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(UnreadableTableError, match="not a regular file"):
        io.read_raw_table(tmp_path / "pipe.csv")
    (tmp_path / "big.csv").write_text("a,b\n1,2\n" * 100, encoding="utf-8")
    monkeypatch.setattr(io, "MAX_TABLE_BYTES", 100)
    with pytest.raises(UnreadableTableError, match="at most"):
        io.read_raw_table(tmp_path / "big.csv")


def test_excel_stray_cell_hidden_sheet_other_sheets_and_values_beyond_the_header(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "gammal"
    hidden.sheet_state = "hidden"
    data = wb.create_sheet("data")
    data.append(["unit_id", "month", "deliveries", "babies_born", "source_id"])
    data.append(["OSTRA", "2025-01", 600, 610, "x", "stray"])
    wb.create_sheet("anteckningar")
    wb.save(tmp_path / "b.xlsx")
    raw = io.read_raw_table(tmp_path / "b.xlsx")
    assert raw.sheet == "data"
    assert any("hidden worksheet(s) 'gammal' skipped" in n for n in raw.notes)
    assert any("'anteckningar'" in n for n in raw.notes)
    problems = check_table(raw, BIRTHS_MONTHLY).problems
    assert any("row has 6 fields but the header has 5" in p.problem for p in problems)
    data["XFD1048576"] = 1
    wb.save(tmp_path / "stray.xlsx")
    with pytest.raises(UnreadableTableError, match="stray cells"):
        io.read_raw_table(tmp_path / "stray.xlsx")


def test_excel_formulas_without_results_and_merged_cells_say_why_the_value_is_missing(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["unit_id", "month", "deliveries", "babies_born", "source_id"])
    ws.append(["OSTRA", "2025-01", "=600+1", 610, "x"])  # openpyxl saves no result for a formula
    ws.append(["OSTRA", "2025-02", 600, 610, "x"])
    ws.append(["", "2025-03", 600, 610, "x"])
    ws.merge_cells("A3:A4")
    wb.save(tmp_path / "b.xlsx")
    problems = {(p.row, p.column): p.problem for p in check_table(io.read_raw_table(tmp_path / "b.xlsx"), BIRTHS_MONTHLY).problems}
    assert problems[(2, "deliveries")].startswith("missing value: the cell holds the formula '=600+1' without a saved result")
    assert (
        problems[(4, "unit_id")]
        == "missing value: the cell is inside the merged range A3:A4, whose value is in A3; unmerge and fill every cell"
    )


def test_utf16_without_a_byte_order_mark_is_read(tmp_path):
    text = "unit_id;month;deliveries;babies_born;source_id\nOSTRA;2025-01;600;610;x\n"
    (tmp_path / "u16.csv").write_bytes(text.encode("utf-16-le"))
    raw = io.read_raw_table(tmp_path / "u16.csv")
    assert raw.header[0] == "unit_id" and raw.records[0][0] == "OSTRA" and raw.encoding == "utf-16-le (no BOM)"


# ---------------------------------------------------------------- 18, 19
def test_contract_errors_in_the_action_plan_name_the_activity(write_file):
    path = write_file(
        "action_plan.csv",
        "activity_id,title,area,owner,start,end,status,indicator,baseline,target,effect_type\n"
        "A09,Test,nonsense,SU,2027-01-01,2027-02-01,planerad,,,,ingen\n",
    )
    problems = check_table(io.read_raw_table(path), ACTION_PLAN).problems
    assert any(p.column == "area" and p.problem.startswith("activity A09: ") for p in problems)


def test_conflicting_duplicate_keys_are_counted_as_rejected(write_file):
    path = write_file("b.csv", "unit_id,month,deliveries,babies_born,source_id\nOSTRA,2025-01,600,610,x\nOSTRA,2025-01,500,510,x\n")
    check = check_table(io.read_raw_table(path), BIRTHS_MONTHLY)
    assert (check.rows_read, check.rows_kept, check.rows_rejected) == (2, 1, 1) and not check.ok


def test_a_redirection_to_the_same_unit_and_impossible_cot_days_are_flagged():
    red = pd.DataFrame({"date": pd.to_datetime(["2025-06-01"] * 2), "from_unit": ["A", "A"], "to_unit": ["A", "B"]})
    problems = meaning_checks(TableCheck("redirections", "r.csv", red, [], 2, 2, 0, [2, 3]))
    assert [(p.row, p.severity) for p in problems] == [(2, "error")]
    units = units_frame([("A", "A", None, None, None, None)]).assign(neonatal_cots_ic=10)
    adm = pd.DataFrame(
        {"unit_id": ["A"] * 3, "month": pd.to_datetime(["2025-01-01"] * 3), "care_level": ["ic"] * 3, "cot_days": [300, 330, 3100]}
    )
    checked = {
        "units": TableCheck("units", "u.csv", units, [], 1, 1, 0, [2]),
        "neonatal_admissions": TableCheck("neonatal_admissions", "n.csv", adm, [], 3, 3, 0, [2, 3, 4]),
    }
    found = [(p.row, p.severity) for p in plausibility_checks(checked)]
    assert found == [(3, "warning"), (4, "error")]  # 310 cot days available: 330 is 106 %, 3 100 is 1 000 %


def test_failed_bundles_are_kept_for_the_newest_runs_only(tmp_path):
    for k in range(pipeline.FAILED_KEPT + 3):
        tmp_bundle, tmp_processed = tmp_path / f"b{k}", tmp_path / f"p{k}"
        tmp_bundle.mkdir()
        tmp_processed.mkdir()
        pipeline._keep_failed(tmp_bundle, tmp_processed, tmp_path / "_failed" / f"r-1-20261123T1200{k:02d}-abcdef")
    (tmp_path / "_failed" / "r-2-20261123T120000-abcdef").mkdir()  # another run id is not pruned by r-1's failures
    kept = sorted(p.name for p in (tmp_path / "_failed").iterdir())
    assert len([k for k in kept if k.startswith("r-1-")]) == pipeline.FAILED_KEPT and "r-2-20261123T120000-abcdef" in kept
    assert "r-1-20261123T120007-abcdef" in kept and "r-1-20261123T120000-abcdef" not in kept


def test_a_unit_with_no_births_at_all_is_an_error_and_a_perfect_naive_forecast_divides_by_no_zero():
    frame = pd.DataFrame(
        {"unit_id": ["A", "A", "B"], "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01"]), "deliveries": [0, 0, 5]}
    )
    problems = meaning_checks(TableCheck("births_monthly", "b.csv", frame, [], 3, 3, 0, [2, 3, 4]))
    assert [(p.row, p.column, p.severity) for p in problems] == [(2, "deliveries", "error")] and "0 deliveries in all 2" in problems[
        0
    ].problem
    months = pd.date_range("2020-01-01", periods=48, freq="MS")
    train, test = pd.Series(0.0, index=months[:36]), pd.Series(0.0, index=months[36:])
    fc = pd.DataFrame({"mean": 0.0, "lower_80": 0.0, "upper_80": 0.0, "lower_95": 0.0, "upper_95": 0.0}, index=test.index)
    fc.attrs["model"] = "x"
    scored = forecast.score({("A", 1): (train, test)}, {("A", 1): fc})
    assert scored["relative_mae"].tolist() == [0.0]
