"""Issue 14 at the level of a run: a unit closed without a merge, a swap killed between its
renames, two runs of one run id, settings that name units the data do not have, a period
that ends after the data, a full disk."""

from __future__ import annotations

import io as _io
import shutil
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
import yaml

from fragile_care import paths
from fragile_care.inputs.assembly import clean_dataset
from fragile_care.inputs.quality import DataValidationError
from fragile_care.run import config, pipeline
from fragile_care.run.locks import run_lock
from tests.table_scan import missing_values

pytestmark = pytest.mark.integration


def demo_config(tmp_path, data_dir, run_id="rel", **sections):
    raw = yaml.safe_load((paths.config_dir() / "runs" / "2026-T2.yaml").read_text(encoding="utf-8"))
    raw.update(run_id=run_id, data={"source": "path", "path": str(data_dir)}, followup={"previous_run": "none"}, **sections)
    raw.pop("render", None)
    path = tmp_path / f"{run_id}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return config.load_config(path)


def close_skas(src, dst, closed="2025-12-31"):
    """The demo data with Skövde closed at the end of 2025 without a merge (no rows after)."""
    shutil.copytree(src, dst)
    units = pd.read_csv(dst / "units.csv", dtype=str, keep_default_na=False)
    units.loc[units["unit_id"] == "SKAS", "closed"] = closed
    units.to_csv(dst / "units.csv", index=False)
    for name in ("births_monthly", "staffing", "neonatal_admissions"):
        frame = pd.read_csv(dst / f"{name}.csv", dtype=str, keep_default_na=False)
        frame[~((frame["unit_id"] == "SKAS") & (frame["month"] > closed[:7]))].to_csv(dst / f"{name}.csv", index=False)
    moved = pd.read_csv(dst / "neonatal_transfers.csv", dtype=str, keep_default_na=False)
    at_skas = (moved["from_unit"] == "SKAS") | (moved["to_unit"] == "SKAS")
    moved[~(at_skas & (moved["month"] > closed[:7]))].to_csv(dst / "neonatal_transfers.csv", index=False)
    leave = pd.read_csv(dst / "leave_plan.csv", dtype=str, keep_default_na=False)
    leave[~((leave["unit_id"] == "SKAS") & (leave["iso_week"] > "2026"))].to_csv(dst / "leave_plan.csv", index=False)
    red = pd.read_csv(dst / "redirections.csv", dtype=str, keep_default_na=False)
    skas = red["from_unit"].isin(["SkaS", "SKAS"]) | red["to_unit"].isin(["SkaS", "SKAS"])
    red[~(skas & (red["date"] > closed))].to_csv(dst / "redirections.csv", index=False)


def test_a_unit_closed_without_a_merge_stops_at_its_closing_and_no_table_has_nan(tmp_path):
    close_skas(paths.demo_dir(), tmp_path / "data")
    overflow = {"OSTRA": ["SAS", "NAL"], "NAL": ["OSTRA"], "SAS": ["OSTRA"]}
    cfg = demo_config(tmp_path, tmp_path / "data", capacity={"overflow": overflow})
    log = _io.StringIO()
    code, result = pipeline.run(
        cfg, render=False, out=log, output_root=tmp_path / "out", processed_root=tmp_path / "proc", cache_root=tmp_path / "cache"
    )
    assert code == 0, log.getvalue()
    processed = result.processed
    assert missing_values(processed) == {}
    fc = pd.read_parquet(processed / "births_forecast.parquet")
    assert sorted(fc["unit_id"].unique()) == ["NAL", "OSTRA", "REGION", "SAS"]
    units_sum = fc[fc["unit_id"] != "REGION"].groupby("month")["mean"].sum()
    region = fc[fc["unit_id"] == "REGION"].set_index("month")["mean"]
    assert (units_sum - region).abs().max() < 1e-6  # the region is the units still open
    published = pd.read_parquet(processed / "redirections_published.parquet")
    assert not ((published["unit_id"] == "SKAS") & (published["year"] == 2026)).any()
    assert ((published["unit_id"] == "SKAS") & (published["year"] == 2025)).any()  # its last summer stays in the history


def test_a_config_naming_a_closed_or_unknown_unit_stops_before_any_step(tmp_path):
    close_skas(paths.demo_dir(), tmp_path / "data")
    postnatal = {"caesarean_share_by_unit": {"BORAAS": 0.2, "OSTRA": 0.19}}
    cfg = demo_config(tmp_path, tmp_path / "data", harmonisation={"aliases": {"Kungälv": "KUNGALV"}}, postnatal=postnatal)
    log = _io.StringIO()
    code, result = pipeline.run(cfg, render=False, out=log, output_root=tmp_path / "out", processed_root=tmp_path / "proc")
    assert (code, result) == (2, None)
    text = log.getvalue()
    assert "capacity.overflow: SKAS closed on 2025-12-31" in text and "'KUNGALV', which is not a unit" in text
    assert "postnatal.caesarean_share_by_unit: 'BORAAS' is not a unit" in text and "'OSTRA' is not" not in text
    assert "[1/" not in text and not (tmp_path / "proc").exists()


def test_a_period_ending_after_the_data_is_an_error_naming_the_key_and_the_last_month(tmp_path):
    cfg = demo_config(tmp_path, paths.demo_dir(), period={"start": "2015-01", "end": "2030-08"})
    with pytest.raises(DataValidationError, match=r"period\.end 2030-08 is after the last month of data, 2026-10"):
        clean_dataset(cfg.data_dir, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)


def test_a_second_run_of_the_same_run_id_exits_with_a_clear_message(tmp_path):
    cfg = demo_config(tmp_path, paths.demo_dir())
    log = _io.StringIO()
    with run_lock(tmp_path / "out", cfg.run_id):
        code, result = pipeline.run(cfg, render=False, out=log, output_root=tmp_path / "out", processed_root=tmp_path / "proc")
    assert (code, result) == (4, None)
    assert "run rel is already going on (pid" in log.getvalue()


def test_a_run_refuses_to_start_without_the_disk_space_it_needs(tmp_path, monkeypatch):
    cfg = demo_config(tmp_path, paths.demo_dir())
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 10**6, 10**6))
    log = _io.StringIO()
    code, _ = pipeline.run(cfg, render=False, out=log, output_root=tmp_path / "out", processed_root=tmp_path / "proc")
    assert code == 2 and "MB free on the disk holding" in log.getvalue()


KILLED_SWAP = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from fragile_care.run import pipeline

    root = Path(sys.argv[1])
    calls = []
    original = Path.rename

    def rename(self, target):
        calls.append(self)
        if len(calls) == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)  # kill -9 between two renames
        return original(self, target)

    Path.rename = rename
    pipeline.swap_into_place(
        [(root / "proc" / ".tmp-r-x", root / "proc" / "r"), (root / "out" / ".tmp-r-x", root / "out" / "r")],
        pipeline.journal_path(root / "out", "r"),
    )
    """
)


@pytest.mark.parametrize("kill_at", [2, 3, 4])
def test_a_swap_killed_between_its_renames_is_completed_by_the_next_run(tmp_path, kill_at):
    for side in ("proc", "out"):
        (tmp_path / side / "r").mkdir(parents=True)
        (tmp_path / side / "r" / "what").write_text("previous", encoding="utf-8")
        (tmp_path / side / "r" / ".fragile-care-run").write_text("{}", encoding="utf-8")  # folders the project made
        (tmp_path / side / ".tmp-r-x").mkdir()
        (tmp_path / side / ".tmp-r-x" / "what").write_text("new", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", KILLED_SWAP, str(tmp_path), str(kill_at)], capture_output=True, text=True)
    assert proc.returncode == -9
    log = _io.StringIO()
    pipeline.recover_swaps(tmp_path / "out", "r", log)
    assert "recovered an interrupted folder swap of r" in log.getvalue()
    for side in ("proc", "out"):
        assert (tmp_path / side / "r" / "what").read_text(encoding="utf-8") == "new"  # both sides from the same run
        assert sorted(p.name for p in (tmp_path / side).iterdir() if p.name.startswith(".tmp") or p.name.startswith(".old")) == []
    assert not pipeline.journal_path(tmp_path / "out", "r").exists()


def test_a_previous_folder_stranded_by_an_older_version_is_put_back(tmp_path):
    (tmp_path / ".old-r-0123abcd").mkdir()
    (tmp_path / ".old-r-b-0123abcd").mkdir()  # another run id ("r-b") is left alone
    log = _io.StringIO()
    pipeline._remove_leftovers(tmp_path, "r", log)
    assert (tmp_path / "r").is_dir() and (tmp_path / ".old-r-b-0123abcd").is_dir()
    assert "restored r from .old-r-0123abcd" in log.getvalue()


def test_a_run_never_writes_into_the_raw_data_folder(tmp_path):
    cfg = demo_config(tmp_path, paths.demo_dir())
    log = _io.StringIO()
    before = sorted(p.name for p in paths.demo_dir().iterdir())
    code, _ = pipeline.run(cfg, render=False, out=log, output_root=paths.demo_dir() / "out", processed_root=tmp_path / "proc")
    assert code == 2 and "lies inside the project's data/raw/ folder" in log.getvalue()
    assert sorted(p.name for p in paths.demo_dir().iterdir()) == before


def test_a_disk_that_fills_up_during_a_step_leaves_nothing_half_written(tmp_path, monkeypatch):
    class PapermillLike(Exception):
        ename, evalue = "OSError", "[Errno 28] No space left on device: 'births_monthly.parquet'"

    def full(*args, **kwargs):
        raise PapermillLike("a cell failed")

    monkeypatch.setattr(pipeline, "_execute", full)
    cfg = demo_config(tmp_path, paths.demo_dir())
    log = _io.StringIO()
    code, result = pipeline.run(
        cfg, render=False, out=log, output_root=tmp_path / "out", processed_root=tmp_path / "proc", cache_root=tmp_path / "cache"
    )
    assert (code, result) == (1, None)
    assert "the disk filled up during step 01_clean_data" in log.getvalue() and "MB free" in log.getvalue()
    leftovers = [
        p.name for root in (tmp_path / "out", tmp_path / "proc") if root.exists() for p in root.iterdir() if not p.name.startswith(".lock")
    ]
    assert leftovers == []  # no temporary folder, no partial bundle in _failed


def test_an_internal_error_leaves_no_temporary_folders(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(pipeline, "write_handoff", broken)
    monkeypatch.setattr(pipeline, "_execute", lambda *a, **k: None)
    monkeypatch.setattr(pipeline, "strip_html_outputs", lambda *a, **k: None)
    monkeypatch.setattr(pipeline.cache.StepCache, "store", lambda *a, **k: None)
    cfg = demo_config(tmp_path, paths.demo_dir())
    with pytest.raises(RuntimeError, match="a bug"):
        pipeline.run(
            cfg, render=False, out=_io.StringIO(), output_root=tmp_path / "out", processed_root=tmp_path / "proc", cache_root=tmp_path / "c"
        )
    leftovers = [p.name for root in (tmp_path / "out", tmp_path / "proc") for p in root.iterdir() if p.name.startswith(".tmp")]
    assert leftovers == []


def _tree(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("run_id", "option", "root", "says"),
    [
        ("raw", "--processed-root", "data", "is or contains the project's data/raw/ folder"),
        ("raw", "--output-root", "data", "is or contains the project's data/raw/ folder"),
        ("analysis", "--output-root", ".", "is the project folder itself"),
        ("demo", "--processed-root", "data/raw", "is or contains the project's data/raw/ folder"),
        ("x", "--cache-root", "data/raw/demo", "lies inside the project's data/raw/ folder"),
    ],
)
def test_a_run_id_and_root_that_name_a_project_folder_are_refused_before_anything_moves(tmp_path, cli, run_id, option, root, says):
    """Issue 32 (data loss): run id `raw` with --processed-root data replaced data/raw, run
    id `analysis` with --output-root at the project replaced the notebook sources."""
    cfg = demo_config(tmp_path, paths.demo_dir(), run_id=run_id)
    watched = [paths.raw_dir(), paths.analysis_dir()]
    before = [_tree(folder) for folder in watched]
    target = paths.project_root() / root
    args = [option, str(target)]
    others = {"--output-root": tmp_path / "o", "--processed-root": tmp_path / "p", "--cache-root": tmp_path / "c"}
    for name, folder in others.items():
        if name != option:
            args += [name, str(folder)]
    proc = cli("run", "--config", str(cfg.source_file), "--no-render", *args)
    assert proc.returncode == 2, proc.stderr
    assert says in proc.stderr and "Traceback" not in proc.stderr
    assert [_tree(folder) for folder in watched] == before
    assert not (target / f".lock-{run_id}").exists() or target == paths.project_root() / "data"


def test_a_folder_the_project_did_not_make_is_never_replaced(tmp_path):
    cfg = demo_config(tmp_path, paths.demo_dir(), run_id="mine")
    (tmp_path / "out" / "mine").mkdir(parents=True)
    (tmp_path / "out" / "mine" / "thesis.docx").write_text("years of work", encoding="utf-8")
    log = _io.StringIO()
    code, _ = pipeline.run(
        cfg, render=False, out=log, output_root=tmp_path / "out", processed_root=tmp_path / "proc", cache_root=tmp_path / "c"
    )
    assert code == 2 and "was not made by fragile-care (no .fragile-care-run marker file)" in log.getvalue()
    assert (tmp_path / "out" / "mine" / "thesis.docx").read_text(encoding="utf-8") == "years of work"


def test_two_runs_of_one_run_id_with_the_same_processed_root_do_not_overlap(tmp_path):
    """Issue 32: different output roots, the same processed root: the second waits its turn
    (exit 4) instead of crossing its tables with the first's."""
    from fragile_care.run.locks import run_lock

    cfg = demo_config(tmp_path, paths.demo_dir())
    log = _io.StringIO()
    with run_lock(tmp_path / "proc", cfg.run_id):  # the first run holds the processed root
        code, result = pipeline.run(cfg, render=False, out=log, output_root=tmp_path / "other-out", processed_root=tmp_path / "proc")
    assert (code, result) == (4, None) and "already going on" in log.getvalue()


def test_an_output_root_that_cannot_be_written_is_named_before_the_run(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    cfg = demo_config(tmp_path, paths.demo_dir())
    log = _io.StringIO()
    code, _ = pipeline.run(
        cfg, render=False, out=log, output_root=blocker / "out", processed_root=tmp_path / "p", cache_root=tmp_path / "c"
    )
    assert code == 2 and f"--output-root {blocker / 'out'} cannot be written to" in log.getvalue()


def test_a_file_size_limit_ends_the_run_with_a_plain_message(tmp_path, monkeypatch):
    """Issue 32: `ulimit -f` during a step ended in exit 70 with a message naming no file."""

    class PapermillLike(Exception):
        ename, evalue = "OSError", "[Errno 27] File too large"

    def limited(*args, **kwargs):
        raise PapermillLike("a cell failed")

    monkeypatch.setattr(pipeline, "_execute", limited)
    cfg = demo_config(tmp_path, paths.demo_dir())
    log = _io.StringIO()
    code, _ = pipeline.run(cfg, render=False, out=log, output_root=tmp_path / "o", processed_root=tmp_path / "p", cache_root=tmp_path / "c")
    assert code == 1 and "refused to write a file this large" in log.getvalue() and "ulimit -f" in log.getvalue()
    assert [p.name for p in (tmp_path / "p").iterdir()] == [".lock-rel"]
