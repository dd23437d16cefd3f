"""The demo redirection log has a mechanism the calibration recovers (issue 28, item 6).

Logs are drawn from the care chain of the demo data set with the known per-unit room
times (``sources.demo_log.TRUE_ROOM_HOURS``) and summer effect, with seeds other than the
demo's. The calibration sees what the pipeline sees: the published leave plan (2025-2026)
with 2024's leave imputed (``staffing.impute_leave``), the published BB beds, and the log's
capacity redirections in summer weeks 25-33. The true times must fall inside their 80 %
intervals about 80 % of the time (accepted 0.65-0.95 over 40 unit-seeds)."""

import numpy as np
import pandas as pd
import pytest

from fragile_care.model import calibration, staffing
from fragile_care.sources import demo, demo_log

pytestmark = pytest.mark.statistical

SEEDS = range(101, 111)
SUMMER = (25, 33)


def _frames():
    rng = np.random.default_rng(demo.SEED)
    tables = demo.generate()
    units = tables["units"][tables["units"]["closed"] == ""]
    truth_leave = pd.concat([demo._leave_plan(rng, tables["staffing"], years=(2024,)), tables["leave_plan"]])
    beds = tables["postnatal_capacity"]
    truth = demo_log.expected_by_week(tables["births_monthly"], tables["staffing"], truth_leave, units, beds, demo_log.TRUE_ROOM_HOURS)
    staff = tables["staffing"].assign(month=pd.to_datetime(tables["staffing"]["month"], format="%Y-%m"))
    imputed = staffing.impute_leave(tables["leave_plan"], staff, [2024])
    seen_leave = pd.concat([tables["leave_plan"], imputed], ignore_index=True)
    seen = demo_log.expected_by_week(tables["births_monthly"], tables["staffing"], seen_leave, units, beds, demo_log.TRUE_ROOM_HOURS)
    return truth, seen[seen["iso_week"].between(*SUMMER)].drop(columns="expected")


def test_the_calibration_recovers_the_demo_logs_true_room_times():
    truth, seen = _frames()
    ids = sorted(demo_log.TRUE_ROOM_HOURS)
    inside = []
    for seed in SEEDS:
        log = demo_log.draw_log(np.random.default_rng(seed), truth, {u: [v for v in ids if v != u][:1] for u in ids}, {u: u for u in ids})
        log = log.assign(date=pd.to_datetime(log["date"]))
        fits, _, _ = calibration.calibrate(seen, log, prior=8.0, seed=seed)
        assert fits["used"].all()
        for row in fits.to_dict("records"):
            inside.append(row["low_80"] <= demo_log.TRUE_ROOM_HOURS[row["unit_id"]] <= row["high_80"])
    share = float(np.mean(inside))
    print(f"true room times inside their 80 % intervals: {sum(inside)} of {len(inside)} ({share:.2f})")
    assert 0.65 <= share <= 0.95
