"""Incremental re-runs from the step cache, a bad cache, and a run stopped by a signal."""

import io as _io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from fragile_care.inputs import io
from fragile_care.run import cache, config, pipeline, steps

pytestmark = pytest.mark.integration


def _config(tmp_path, steps=("01_clean_data",), **extra):
    raw = {
        "run_id": "cache-it",
        "tertial": "2026-T2",
        "data": {"source": "demo"},
        "period": {"start": "2022-01"},
        "steps": list(steps),
        "render": {"reports": ["nulage.qmd"]},
        **extra,
    }
    path = tmp_path / "cache-it.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return config.load_config(path)


def _run(cfg, tmp_path, **kw):
    log = _io.StringIO()
    code, result = pipeline.run(
        cfg, render=False, out=log, output_root=tmp_path / "o", processed_root=tmp_path / "p", cache_root=tmp_path / "c", **kw
    )
    return code, result, log.getvalue()


def _tables(result):
    return cache.folder_tables(result.processed)


def test_rerun_reuses_unchanged_steps_and_gives_the_same_tables(tmp_path):
    cfg = _config(tmp_path)
    code, first, log1 = _run(cfg, tmp_path)
    assert code == 0 and "01_clean_data ... done in" in log1
    tables_first = _tables(first)
    code, second, log2 = _run(cfg, tmp_path)
    assert code == 0 and "[1/1] 01_clean_data ... reused from cache (inputs unchanged" in log2
    assert _tables(second) == tables_first
    manifest = io.read_json(second.internal / "manifest.json")
    assert manifest["steps"][0]["reused_from_cache"] is True
    # --force ignores the cache
    code, _, log3 = _run(cfg, tmp_path, force=True)
    assert code == 0 and "01_clean_data ... running" in log3
    # a bundle folder deleted by hand is simply made again
    shutil.rmtree(second.bundle)
    code, again, log4 = _run(cfg, tmp_path)
    assert code == 0 and "reused from cache" in log4 and (again.internal / "manifest.json").is_file()


def test_corrupt_cache_entry_is_reported_and_recomputed(tmp_path):
    cfg = _config(tmp_path)
    code, first, _ = _run(cfg, tmp_path)
    expected = _tables(first)
    entry = next((tmp_path / "c" / "01_clean_data").iterdir())
    table = next((entry / "tables").iterdir())
    table.write_bytes(b"not parquet")
    code, second, log = _run(cfg, tmp_path)
    assert code == 0
    assert f"cache entry of 01_clean_data is unusable (table {table.name} is missing or does not match its recorded hash); removed" in log
    assert "01_clean_data ... running" in log and _tables(second) == expected
    # an unreadable entry.json likewise
    entry = next((tmp_path / "c" / "01_clean_data").iterdir())
    (entry / "entry.json").write_text("{", encoding="utf-8")
    code, _, log = _run(cfg, tmp_path)
    assert code == 0 and "is unusable" in log and "01_clean_data ... running" in log


def test_cache_from_another_package_version_is_not_used(tmp_path, monkeypatch):
    cfg = _config(tmp_path)
    monkeypatch.setattr(cache, "__version__", "0.0.1-old")
    assert _run(cfg, tmp_path)[0] == 0
    monkeypatch.undo()
    code, _, log = _run(cfg, tmp_path)
    assert code == 0
    assert "1 cache entry of 01_clean_data from another package version ignored" in log and "01_clean_data ... running" in log


def test_sigterm_during_a_run_leaves_previous_bundle_and_cache_and_next_run_works(tmp_path):
    cfg = _config(tmp_path, steps=("01_clean_data", "02_forecast_births"), forecast={"horizon_months": 24})
    out, proc, cache_root = tmp_path / "o", tmp_path / "p", tmp_path / "c"
    previous = out / cfg.run_id
    previous.mkdir(parents=True)
    (previous / "manifest.json").write_text('{"previous": true}', encoding="utf-8")
    (previous / ".fragile-care-run").write_text('{"kind": "bundle"}', encoding="utf-8")  # made by the project
    cmd = [
        sys.executable,
        "-m",
        "fragile_care.cli",
        "run",
        "--config",
        str(cfg.source_file),
        "--no-render",
        "--output-root",
        str(out),
        "--processed-root",
        str(proc),
        "--cache-root",
        str(cache_root),
    ]
    proc_run = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = []
    deadline = time.time() + 120
    for line in proc_run.stderr:
        lines.append(line)
        if "02_forecast_births ... running" in line or time.time() > deadline:
            break
    time.sleep(2.0)  # inside the forecast cell
    proc_run.send_signal(signal.SIGTERM)
    rest, _ = proc_run.communicate(timeout=60)[1], None
    text = "".join(lines) + (rest or "")
    assert proc_run.returncode == pipeline.EXIT_INTERRUPTED, text
    assert "stopped (SIGTERM) during step 02_forecast_births" in text and "Traceback" not in text
    assert json.loads((previous / "manifest.json").read_text(encoding="utf-8")) == {"previous": True}
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]
    assert not (proc.exists() and [p for p in proc.iterdir() if p.name.startswith(".tmp-")])
    entries = list((cache_root / "01_clean_data").iterdir())
    assert len(entries) == 1 and not entries[0].name.startswith(".tmp-")
    assert not (cache_root / "02_forecast_births").exists() or not list((cache_root / "02_forecast_births").iterdir())
    # the next run works, and takes the first step from the cache
    code, result, log = _run(cfg, tmp_path)
    assert code == 0, log
    assert "[1/2] 01_clean_data ... reused from cache" in log and "[2/2] 02_forecast_births ... done in" in log
    assert io.read_json(result.internal / "manifest.json")["run_id"] == cfg.run_id


def test_step_keys_follow_the_inputs_each_step_reads(tmp_path):
    raw = {"run_id": "r", "capacity": {"mean_stay_hours": 8}, "forecast": {"horizon_months": 60}}
    changed = {**raw, "capacity": {"mean_stay_hours": 9}}
    key = lambda step, r, upstream=None, inputs=None, code="code": cache.step_key(steps.get(step), r, upstream or {}, inputs, code)
    assert key("02_forecast_births", raw) == key("02_forecast_births", changed)  # the forecast does not read capacity
    assert key("03_staffing", raw) != key("03_staffing", changed)
    assert key("01_clean_data", raw, inputs="a") != key("01_clean_data", raw, inputs="b")  # a changed data file
    assert key("04_capacity_risk", raw, {"x.parquet": "1"}) != key("04_capacity_risk", raw, {"x.parquet": "2"})  # upstream output
    assert key("01_clean_data", raw) != key("01_clean_data", raw, code="other code")


def test_step_key_hashes_the_notebook_source(tmp_path, monkeypatch):
    """Editing a notebook's Jupytext source changes its step's key (and only its step's)."""
    from fragile_care import paths

    analysis = tmp_path / "analysis"
    analysis.mkdir()
    for s in steps.STEPS:
        (analysis / f"{s.name}.py").write_text("# %%\nx = 1\n", encoding="utf-8")
    monkeypatch.setattr(paths, "analysis_dir", lambda: analysis)
    before = {s.name: cache.step_key(s, {}, {}, None, "code") for s in steps.STEPS}
    (analysis / "03_staffing.py").write_text("# %%\nx = 2\n", encoding="utf-8")
    after = {s.name: cache.step_key(s, {}, {}, None, "code") for s in steps.STEPS}
    assert [n for n in before if before[n] != after[n]] == ["03_staffing"]


def test_code_digest_covers_every_subpackage():
    from fragile_care.run import cache as c

    root = Path(c.__file__).resolve().parents[1]
    assert {p.parent.name for p in root.rglob("*.py")} >= {"inputs", "model", "publish", "run", "sources"}
    assert len(c.source_digest()) == 64
