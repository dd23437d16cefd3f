"""Numbers in the reports' prose come from the run (``_variables.yml``), never from literals."""

import re

import pytest
import yaml

from fragile_care import paths
from fragile_care.run import bundle, config, pipeline

pytestmark = pytest.mark.unit

VAR_RE = re.compile(r"\{\{<\s*var\s+([A-Za-z_]+)\s*>\}\}")


def _variables(tmp_path, **capacity):
    cfg = config.load_config(paths.config_dir() / "runs" / "2026-T2.yaml")
    file = cfg.file.model_copy(update={"capacity": cfg.capacity.model_copy(update=capacity)}) if capacity else cfg.file
    cfg = cfg.model_copy(update={"file": file, "reports": pipeline.reports_of(cfg)})
    bundle.internal_dir(tmp_path).mkdir(parents=True)
    bundle.assemble_reports(tmp_path, cfg)
    return yaml.safe_load((bundle.internal_dir(tmp_path) / "_variables.yml").read_text(encoding="utf-8"))


def test_every_variable_a_report_uses_is_written_by_the_run(tmp_path):
    used = {m for qmd in paths.reports_dir().glob("*.qmd") for m in VAR_RE.findall(qmd.read_text(encoding="utf-8"))}
    assert {"forecast_draws", "horizon", "small_series"} <= used
    assert used <= set(_variables(tmp_path))


def test_the_prose_follows_the_configuration(tmp_path):
    values = _variables(tmp_path, forecast_draws=20000)
    assert values["forecast_draws"] == "20\u00a0000" and values["horizon"] == "fem år" and values["small_series"] == "250"
    prose = (paths.reports_dir() / "sommar.qmd").read_text(encoding="utf-8")
    assert "1 000 dragningar" not in prose and "{{< var forecast_draws >}} dragningar" in prose
