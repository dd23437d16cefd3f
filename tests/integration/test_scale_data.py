"""The synthetic national data set of ``fragile-care bench scale`` (``sources.national``):
it passes every data check, its run config passes the pre-flight, and a run labels it
as synthetic although its source is a folder."""

import pandas as pd
import pytest

from fragile_care.inputs import assembly
from fragile_care.run import config, pipeline
from fragile_care.sources import national

pytestmark = pytest.mark.integration


def test_scale_data_passes_the_checks_and_is_labelled_synthetic(tmp_path):
    cfg = config.load_config(national.write_dataset(tmp_path, 6))
    assert cfg.data_source == "path" and not cfg.is_demo
    assert pipeline.preflight(cfg) == []  # the overflow map names open units of the data set
    marked, note = pipeline.marked_synthetic(cfg)
    assert marked.is_demo and "SYNTHETIC_SCALE" in note
    assert marked.raw["data"]["synthetic"] is True  # the notebooks read this from run_config.json
    cleaned = assembly.clean_dataset(cfg.data_dir, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)
    log = cleaned.quality_log
    assert not (log["severity"] == "error").any()
    assert cleaned.tables["units"]["unit_id"].tolist() == [f"U{i:02d}" for i in range(1, 7)]
    assert cleaned.tables["births_monthly"]["month"].min() == pd.Timestamp("2015-01-01")


def test_real_data_without_synthetic_marks_is_not_labelled(tmp_path):
    cfg = config.load_config(national.write_dataset(tmp_path, 4))
    units = tmp_path / "data" / "units.csv"
    frame = pd.read_csv(units, dtype=str, keep_default_na=False)
    frame.assign(source_id="REGION_EXPORT_2026").to_csv(units, index=False)
    marked, note = pipeline.marked_synthetic(cfg)
    assert note is None and not marked.is_demo
