"""The e2e tier's two runs, shared by its test files (each runs once per session): ``run``,
the demo data exported the Swedish way with markup in its texts and rendered when Quarto
is installed, and ``default_run``, the default config as a user runs it (no rendering)."""

import io as _io
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.run import config, pipeline


def swedish_export(src, dst):
    """Rewrite the demo CSVs as a Swedish Excel user would save them."""
    dst.mkdir()
    for path in src.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if path.stem in ("births_monthly", "neonatal_admissions", "staffing"):
            frame["month"] = frame["month"].str.replace("-", "M")  # 2025M07
        text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
        if path.stem in ("staffing", "leave_plan"):
            text = text.replace(".", ",")  # decimal commas
        (dst / path.name).write_bytes(text.encode("cp1252") + b"\r\n\r\n")  # trailing blank lines


# Data text that Markdown, HTML or a Quarto shortcode would read as markup (issue 14 item 5):
# two unit names and an activity title of the e2e data set carry it into every report.
NASTY_UNIT = {"SAS": "SÄS {{< meta title >}}", "NAL": "NÄL <i>x</i>|$1$"}
NASTY_TITLE = "Sommarersättning <script>alert(1)</script> | rad\ntvå"


def with_nasty_text(src, dst):
    dst.mkdir()
    for path in src.glob("*.csv"):
        shutil.copy2(path, dst / path.name)
    units = pd.read_csv(dst / "units.csv", dtype=str, keep_default_na=False)
    units["short_name"] = [NASTY_UNIT.get(u, s) for u, s in zip(units["unit_id"], units["short_name"])]
    units.to_csv(dst / "units.csv", index=False)
    plan = pd.read_csv(dst / "action_plan.csv", dtype=str, keep_default_na=False)
    plan.loc[plan["activity_id"] == "A01", "title"] = NASTY_TITLE
    plan.to_csv(dst / "action_plan.csv", index=False)
    thin_the_log(dst / "redirections.csv", "SkaS", 2026, keep=3)
    return dst


def thin_the_log(path, unit: str, year: int, keep: int) -> None:
    """Keep only ``keep`` women redirected for capacity reasons from ``unit`` in summer weeks
    25-33 of ``year``: a small count the disclosure rules must hide (the demo log, drawn
    from the model, has none in the e2e run's summers)."""
    log = pd.read_csv(path, dtype=str, keep_default_na=False)
    iso = pd.to_datetime(log["date"]).dt.isocalendar()
    chosen = (
        (log["from_unit"] == unit) & (iso["year"] == year) & iso["week"].between(25, 33) & log["reason"].isin(["platsbrist", "bemanning"])
    )
    women = log["women"].astype(int).where(chosen, 0)
    before = women.cumsum() - women  # women of the chosen rows before this one
    log["women"] = np.where(chosen, np.clip(keep - before, 0, women), log["women"].astype(int)).astype(int)
    log[(log["women"].astype(int) > 0)].to_csv(path, index=False)


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    swedish_export(with_nasty_text(paths.demo_dir(), tmp / "nasty"), tmp / "export")
    raw = {
        "run_id": "e2e",
        "tertial": "2026-T2",
        "data": {"source": "path", "path": str(tmp / "export")},
        "period": {"start": "2022-01"},
        "summer": {"compare_years": [2025, 2026]},
        "followup": {"previous_run": "e2e-T1", "spc_baseline": ["2022-01", "2025-12"]},
    }
    (tmp / "e2e.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    # a previous run's bundle to compare with: its manifest knew births_monthly.csv with other content
    previous = tmp / "out" / "e2e-T1"
    previous.mkdir(parents=True)
    io.write_json(
        {
            "run_id": "e2e-T1",
            "created_utc": "2026-05-02T08:00:00+00:00",
            "inputs": [{"path": str(tmp / "export" / "births_monthly.csv"), "sha256": "0" * 64}],
        },
        previous / "manifest.json",
    )
    io.write_tables({"redirection_totals": pd.DataFrame({"unit_id": ["REGION"], "redirected_mean": [70.0]})}, tmp / "proc" / "e2e-T1")
    cfg = config.load_config(tmp / "e2e.yaml")
    log = _io.StringIO()
    code, result = pipeline.run(cfg, out=log, output_root=tmp / "out", processed_root=tmp / "proc", cache_root=tmp / "cache")
    return cfg, code, result, log.getvalue(), tmp


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """The default config (demo data) as a user runs it, into temporary folders."""
    tmp = tmp_path_factory.mktemp("default")
    cfg = config.load_config(paths.config_dir() / "runs" / "2026-T2.yaml")
    code, result = pipeline.run(
        cfg, render=False, out=_io.StringIO(), output_root=tmp / "o", processed_root=tmp / "p", cache_root=tmp / "c"
    )
    assert code == 0
    return cfg, result
