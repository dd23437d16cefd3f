"""Adversarial inputs of issue 32 (silently wrong, internal errors, resource): each bad input
ends in a plain message or a counted warning naming file, row and column, never a traceback
and never silent data loss. Each test alters a copy of the demo data set."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from fragile_care import paths
from fragile_care.inputs.assembly import check_dataset, clean_dataset
from fragile_care.inputs.quality import DataValidationError, collapse
from fragile_care.run import config

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cfg():
    return config.load_config(paths.config_dir() / "runs" / "2026-T2.yaml")


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(paths.demo_dir(), folder)
    return folder


def read(folder, table):
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def write(folder, table, frame):
    frame.to_csv(folder / f"{table}.csv", index=False)


def found(folder, cfg, severity="error"):
    problems, _ = check_dataset(folder, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)
    return [p.format() for p in collapse(problems) if p.severity == severity]


def refuses(folder, cfg) -> str:
    with pytest.raises(DataValidationError) as info:
        clean_dataset(folder, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)
    return str(info.value)


def test_demo_data_have_no_errors_or_warnings(cfg):
    assert found(paths.demo_dir(), cfg) == [] and found(paths.demo_dir(), cfg, "warning") == []


def test_a_table_in_two_files_is_refused_naming_both(data, cfg):
    read(data, "births_monthly").to_excel(data / "births_monthly.xlsx", index=False)
    text = refuses(data, cfg)
    assert "table 'births_monthly' is in 2 files" in text and "births_monthly.csv, births_monthly.xlsx" in text


def test_a_redirection_row_above_the_units_births_of_a_day_is_refused(data, cfg):
    frame = read(data, "redirections")
    frame.loc[3, "women"] = "480"  # file row 5: SkaS, about 7 births a day
    write(data, "redirections", frame)
    (line,) = [m for m in found(data, cfg) if m.startswith("redirections.csv:5:women:")]
    assert "480 women redirected from SKAS" in line and "plausible: 1-18 a day" in line
    assert "births_monthly.csv row" in line and "Poisson" in line  # where the range comes from


def test_babies_born_far_below_deliveries_is_a_warning_on_its_row(data, cfg):
    frame = read(data, "births_monthly")
    at = frame.index[(frame["unit_id"] == "NAL") & (frame["month"] == "2020-03")][0]
    frame.loc[at, "babies_born"] = "5"
    write(data, "births_monthly", frame)
    (line,) = [m for m in found(data, cfg, "warning") if ":babies_born:" in m]
    assert line.startswith(f"births_monthly.csv:{at + 2}:babies_born: warning: NAL 2020-03: 5 babies born against 264 deliveries")
    assert "plausible: 248-293" in line and "multiple births" in line


def test_a_row_of_a_unit_merged_years_earlier_is_refused_and_a_late_one_is_a_counted_warning(data, cfg):
    frame = read(data, "births_monthly")
    extra = pd.DataFrame(
        [
            {"unit_id": "MOLNDAL", "month": "2017-05", "deliveries": "200", "babies_born": "203", "source_id": "X"},
            {"unit_id": "MOLNDAL", "month": "2024-03", "deliveries": "200", "babies_born": "203", "source_id": "X"},
        ]
    )
    write(data, "births_monthly", pd.concat([frame, extra]))
    last = len(frame) + 1
    errors = found(data, cfg)
    assert any(m.startswith(f"births_monthly.csv:{last + 2}:unit_id: error: MOLNDAL merged into OSTRA on 2017-04-30") for m in errors)
    warnings = found(data, cfg, "warning")
    assert any(m.startswith(f"births_monthly.csv:{last + 1}:unit_id: warning: MOLNDAL merged into OSTRA") for m in warnings)


def test_fte_available_far_above_the_budget_is_refused(data, cfg):
    frame = read(data, "staffing")
    at = frame.index[frame["unit_id"] == "NAL"][0]
    frame.loc[at, "fte_available"] = "2500"
    write(data, "staffing", frame)
    (line,) = [m for m in found(data, cfg) if ":fte_available:" in m]
    assert line.startswith(f"staffing.csv:{at + 2}:fte_available: error:") and "2500 FTE against" in line and "plausible: 0-" in line


def test_a_gap_in_a_units_births_is_refused_before_the_forecast(data, cfg):
    frame = read(data, "births_monthly")
    frame = frame[~((frame["unit_id"] == "NAL") & frame["month"].isin(["2025-02", "2025-03", "2025-04"]))]
    write(data, "births_monthly", frame)
    text = refuses(data, cfg)
    assert "NAL: 3 month(s) missing between 2025-01" in text and "2025-02, 2025-03, 2025-04" in text


def test_a_merge_cycle_in_the_units_table_is_refused_naming_rows_and_column(data, cfg):
    units = read(data, "units")
    units.loc[units["unit_id"] == "OSTRA", ["merged_into", "closed"]] = ["MOLNDAL", "2018-01-01"]
    write(data, "units", units)
    text = refuses(data, cfg)
    assert "units.csv:2:merged_into: error: merged_into forms a cycle OSTRA -> MOLNDAL -> OSTRA (rows 2, 3)" in text


def test_a_merge_cycle_in_the_run_configuration_is_refused(data, cfg):
    from fragile_care.inputs.units import Harmonisation, Merge

    cycle = Harmonisation(
        {}, (Merge("MOLNDAL", "OSTRA", pd.Timestamp("2017-04-30").date()), Merge("OSTRA", "MOLNDAL", pd.Timestamp("2018-01-01").date()))
    )
    with pytest.raises(DataValidationError, match="the merges form a cycle"):
        clean_dataset(data, cfg.public_dir, cycle, cfg.period_start, cfg.period_end)


def test_50000_duplicate_rows_give_a_handful_of_log_rows_with_the_count(data, cfg):
    frame = read(data, "redirections")
    copies = pd.concat([frame.iloc[[0]]] * 50_000)
    write(data, "redirections", pd.concat([frame, copies]))
    result = clean_dataset(data, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)
    log = result.quality_log
    dup = log[log["problem"].str.startswith("exact duplicate of row 2 ")]
    assert len(dup) == 1 and int(dup["count"].iloc[0]) == 50_000
    assert "50,000 rows like this, the first on rows" in dup["problem"].iloc[0]
    assert len(log) < 40  # the demo's own repairs, counted per kind beyond 20
    acc = result.accounting.set_index("table").loc["redirections"]
    assert acc["rows_read"] == acc["rows_kept"] + acc["rows_rejected"] and acc["rows_rejected"] == 50_000
    assert int(log["count"].sum()) >= 50_000 + 280  # nothing is lost from the counts


def test_validate_config_reports_what_the_run_would_stop_on(cli, data, tmp_path):
    frame = read(data, "births_monthly")
    write(data, "births_monthly", frame[~((frame["unit_id"] == "SAS") & (frame["month"] == "2024-07"))])
    run = tmp_path / "run.yaml"
    run.write_text(f"run_id: adv\ntertial: 2026-T2\ndata: {{source: path, path: {data}}}\n", encoding="utf-8")
    proc = cli("validate", "--config", str(run))
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert "SAS: 1 month(s) missing between 2024-06" in proc.stdout and "the run would stop in step 01" in proc.stderr


def test_validate_config_passes_on_the_demo(cli):
    proc = cli("validate", "--config", "config/runs/2026-T2.yaml")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert "0 error(s), 480 repair(s), 0 warning(s)" in proc.stderr  # 396 unit names, 28 + 56 rows of the merged unit
