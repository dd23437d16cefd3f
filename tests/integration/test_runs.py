"""Runs that go wrong: a bad config, a failing notebook, no Quarto."""

import io as _io
import shutil

import pytest
import yaml

from fragile_care import paths
from fragile_care.run import config, pipeline, render

pytestmark = pytest.mark.integration


def write_config(tmp_path, data_dir, run_id="it-run"):
    raw = {"run_id": run_id, "tertial": "2026-T2", "data": {"source": "path", "path": str(data_dir)}, "period": {"start": "2023-01"}}
    path = tmp_path / f"{run_id}.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return config.load_config(path)


def test_bad_config_via_cli_names_the_key(cli, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("run_id: x\ntertial: 2026-T2\ndata: {source: demo}\nsummer: {first_week: 'tjugofem'}\n", encoding="utf-8")
    proc = cli("run", "--config", str(path))
    assert proc.returncode == 2
    assert "error: bad.yaml: line 4: summer.first_week: 'tjugofem' is not a whole number; allowed: 1-52" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_failed_run_keeps_previous_bundle_and_says_where(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(paths.demo_dir(), data)
    (data / "births_monthly.csv").write_text("unit_id,month,deliveries,babies_born\nOSTRA,2025-07,-1,1\n", encoding="utf-8")
    cfg = write_config(tmp_path, data)
    out_root, proc_root = tmp_path / "out", tmp_path / "proc"
    previous = out_root / cfg.run_id
    previous.mkdir(parents=True)
    (previous / "manifest.json").write_text('{"previous": true}', encoding="utf-8")
    (previous / ".fragile-care-run").write_text('{"kind": "bundle"}', encoding="utf-8")  # made by the project
    log = _io.StringIO()
    code, result = pipeline.run(cfg, render=False, out=log, output_root=out_root, processed_root=proc_root, cache_root=tmp_path / "cache")
    text = log.getvalue()
    assert code == 1 and result is None
    assert (previous / "manifest.json").read_text(encoding="utf-8") == '{"previous": true}'
    assert "[1/6] 01_clean_data ... FAILED" in text
    assert "step 01_clean_data failed in cell 8: DataValidationError" in text  # position in the executed notebook
    assert "births_monthly.csv:2:deliveries: error: negative count '-1'" in text
    partial = next((out_root / "_failed").iterdir())
    assert f"partial output: {partial / 'internal' / 'notebooks' / '01_clean_data.ipynb'}" in text
    assert (partial / "internal" / "notebooks" / "01_clean_data.ipynb").is_file()
    assert not any(p.name.startswith(".tmp-") for p in out_root.iterdir())
    assert not (proc_root / cfg.run_id).exists()


def test_render_without_quarto_says_how_to_install(tmp_path, monkeypatch):
    bundle = tmp_path / "r1" / "internal"
    bundle.mkdir(parents=True)
    (bundle / "manifest.json").write_text('{"reports": ["nulage.qmd"], "config": {}}', encoding="utf-8")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    log = _io.StringIO()
    code = render.render_run("r1", out=log, output_root=tmp_path)
    assert code == render.EXIT_NO_RENDER == 3
    assert "Quarto was not found on PATH" in log.getvalue() and "conda install -c conda-forge quarto" in log.getvalue()
    assert '"status": "not rendered: quarto not found on PATH"' in (bundle / "manifest.json").read_text(encoding="utf-8")


def test_render_unknown_run(tmp_path):
    log = _io.StringIO()
    assert render.render_run("nope", out=log, output_root=tmp_path) == 2
    assert "no run bundle 'nope'" in log.getvalue()


def test_missing_local_data_is_reported_before_any_notebook(tmp_path):
    data = tmp_path / "empty"
    data.mkdir()
    (data / "units.csv").write_text("unit_id\n", encoding="utf-8")
    cfg = write_config(tmp_path, data, run_id="pre")
    log = _io.StringIO()
    code, result = pipeline.run(cfg, out=log, output_root=tmp_path / "o", processed_root=tmp_path / "p", cache_root=tmp_path / "c")
    assert code == 2 and result is None
    assert "lacks the table(s): births_monthly, staffing, leave_plan, redirections, neonatal_admissions" in log.getvalue()
    assert not (tmp_path / "o").exists()
