"""Cleaning a whole data set: the demo set, and a copy with errors."""

import shutil

import pandas as pd
import pytest

from fragile_care import paths
from fragile_care.inputs.assembly import clean_dataset
from fragile_care.inputs.quality import DataValidationError
from fragile_care.run import config

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cfg():
    return config.load_config(paths.config_dir() / "runs" / "2026-T2.yaml")


def test_demo_dataset_cleans_with_full_accounting(cfg):
    result = clean_dataset(cfg.data_dir, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)
    acc = result.accounting.set_index("table")
    assert (acc["rows_read"] == acc["rows_kept"] + acc["rows_rejected"]).all()
    assert (acc["rows_out"] == acc["rows_kept"] - acc["rows_merged"] - acc["rows_outside_period"]).all()
    births = result.tables["births_monthly"]
    assert "MOLNDAL" not in set(births["unit_id"])
    assert "MOLNDAL" in set(result.tables["births_monthly_sites"]["unit_id"])
    # the merge moves deliveries, it does not lose or add any
    assert births["deliveries"].sum() == result.tables["births_monthly_sites"]["deliveries"].sum()
    assert births["month"].max().strftime("%Y-%m") == "2026-08"
    assert set(result.tables["redirections"]["from_unit"]) <= {"OSTRA", "NAL", "SAS", "SKAS"}
    assert (result.quality_log["severity"] != "error").all()


def test_errors_in_several_files_are_all_reported(cfg, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(cfg.data_dir, data)
    births = data / "births_monthly.csv"
    lines = births.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[2], "-7", 1)
    births.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data / "leave_plan.csv").write_text("unit_id,iso_week,profession,fte_on_leave\nSAS,2025-W53,barnmorska,2\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        clean_dataset(data, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)
    text = str(info.value)
    assert "births_monthly.csv:6:deliveries: error: negative count '-7'" in text
    assert "leave_plan.csv:2:iso_week: error: ISO week 53 does not exist in 2025" in text


def test_missing_table_is_named(cfg, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(cfg.data_dir, data)
    (data / "staffing.csv").unlink()
    with pytest.raises(DataValidationError, match="required table 'staffing' not found"):
        clean_dataset(data, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)


def test_an_outlier_month_is_a_warning_on_its_row_naming_unit_month_and_what_the_forecast_uses(tmp_path):
    import shutil

    from fragile_care import paths
    from fragile_care.inputs import assembly, units

    data = tmp_path / "data"
    shutil.copytree(paths.demo_dir(), data)
    births = pd.read_csv(data / "births_monthly.csv", dtype=str, keep_default_na=False)
    at = births.index[(births["unit_id"] == "NAL") & (births["month"] == "2020-05")][0]
    births.loc[at, "deliveries"] = str(int(births.loc[at, "deliveries"]) * 10)  # an extra digit
    births.to_csv(data / "births_monthly.csv", index=False)
    cleaned = assembly.clean_dataset(
        data, paths.public_dir(), units.Harmonisation({}, None), pd.Timestamp("2015-01-01"), pd.Timestamp("2026-08-01")
    )
    log = cleaned.quality_log
    hits = log[log["problem"].str.contains("times the median of the months around it", regex=False)]
    assert len(hits) == 1  # the demo data have no other outlier month
    hit = hits.iloc[0]
    assert (hit["file"], int(hit["row"]), hit["column"], hit["severity"]) == ("births_monthly.csv", at + 2, "deliveries", "warning")
    assert hit["problem"].startswith("NAL 2020-05:") and "The forecast uses" in hit["problem"]
