"""Snapshot tests: the default run's headline tables, recomputed by the step functions
without notebooks, against the committed snapshots (tests/snapshots/README.md)."""

import os
from pathlib import Path

import pandas as pd
import pytest

from fragile_care import paths
from fragile_care.publish import catalog
from fragile_care.run import config, steps

pytestmark = pytest.mark.integration

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
# the headline tables; each is compared row by row on its key from the output catalog
HEADLINE = {
    name: list(catalog.table(name).key)
    for name in (
        "births_forecast",
        "staffing_weekly",
        "redirection_risk",
        "redirection_totals",
        "scenarios",
        "indicators",
        "neonatal_risk",
        "capacity_calibration",
        "brief_key_numbers",
        "extra_staff",
        "neonatal_annual",
        "care_levels_annual",
        "care_chain_simulated",
        "lever_proposals",
        "target_cost",
        "calibration_backtest",
    )
}


@pytest.fixture(scope="module")
def default_tables(tmp_path_factory):
    cfg = config.load_config(paths.config_dir() / "runs" / "2026-T2.yaml")
    folder = tmp_path_factory.mktemp("processed")
    tables: dict[str, pd.DataFrame] = {}
    for name in cfg.steps:
        tables.update(steps.run_step(name, cfg, folder))
    return tables


@pytest.mark.parametrize("name", sorted(HEADLINE))
def test_headline_table_matches_snapshot(default_tables, name):
    path = SNAPSHOTS / f"{name}.csv"
    updating = os.environ.get("FRAGILE_CARE_UPDATE_SNAPSHOTS") == "1"
    if updating and not path.exists():  # a new snapshot holds every column of the table
        default_tables[name].to_csv(path, index=False, float_format="%.10g")
    expected = pd.read_csv(path)
    got = default_tables[name][list(expected.columns)].copy()
    if updating:
        got.to_csv(path, index=False, float_format="%.10g")
        pytest.skip(f"snapshot {path.name} rewritten")
    # compare through the same CSV round trip, so dates and categories have the same types
    got = pd.read_csv(pd.io.common.StringIO(got.to_csv(index=False, float_format="%.10g")))
    keys = HEADLINE[name]
    got, expected = got.sort_values(keys).reset_index(drop=True), expected.sort_values(keys).reset_index(drop=True)
    assert len(got) == len(expected), f"{name}: {len(got)} rows, snapshot {len(expected)}"
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-6, atol=1e-9, check_dtype=False)


def test_steps_write_what_they_declare(default_tables, tmp_path):
    """Every declared table and shown result came out (run_step checks it too); a table a
    later step reads is written by an earlier step."""
    producers = steps.producers()
    for i, step in enumerate(steps.STEPS):
        for table in step.writes + step.shows:
            assert table in default_tables, f"{step.name} did not produce {table}"
        for table in step.reads:
            assert table in producers, f"{step.name} reads {table}, which no step writes"
            assert steps.NAMES.index(producers[table]) < i, f"{step.name} reads {table} before {producers[table]} writes it"
