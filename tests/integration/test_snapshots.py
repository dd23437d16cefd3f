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


def test_every_published_number_of_next_summer_comes_from_the_one_chain_model(default_tables):
    """Issue 28: the planning figure, the heat map, the scenarios, the allocation and the
    brief come from one model, the care chain calibrated per unit."""
    from fragile_care.model import capacity, chain

    t = default_tables
    totals = t["redirection_totals"].set_index("unit_id").loc["REGION"]
    baseline = t["scenarios"].iloc[0]
    assert baseline["scenario"] == "Oförändrat läge"
    for column in ("redirected_mean", "redirected_p10", "redirected_p90"):
        assert baseline[column] == pytest.approx(totals[column], rel=1e-12)  # same draws, same model
    brief = t["brief_key_numbers"].set_index("key").loc["planning_figure"]
    assert (brief["value"], brief["low"], brief["high"]) == pytest.approx(
        (totals["redirected_mean"], totals["redirected_p10"], totals["redirected_p90"])
    )
    # the heat map's risk is the chain's blocking with each unit's calibrated time, not the rooms alone
    risk = t["redirection_risk"]
    stays = steps.unit_stays(t)
    hours = capacity.row_stays(risk["unit_id"], stays)
    d, rooms = risk["deliveries"].to_numpy(float), risk["rooms_staffed"].to_numpy(float)
    assert risk["blocking"].to_numpy() == pytest.approx(chain.weekly_blocking(risk, d, rooms, hours), rel=1e-9)
    waiting = risk["bb_wait_hours"] > 0.5
    assert waiting.any(), "the default run has weeks where BB keeps women in their rooms"
    rooms_only = capacity.blocking(d, rooms, hours)
    assert (risk["blocking"].to_numpy() > rooms_only + 1e-6)[waiting.to_numpy()].all()
    # the price of the 1 % rule and the units' need in the brief are the same computation
    assert t["target_cost"].set_index("unit_id").loc["REGION", "fte_needed"] == pytest.approx(t["extra_staff"]["fte_to_target"].sum())
    # the brief's proposals are the priced allocation's
    levers = t["brief_proposals"][t["brief_proposals"]["kind"] == "lever"]
    assert set(levers["prevented"].round(6)) <= set(t["lever_proposals"]["prevented_mean"].round(6))
