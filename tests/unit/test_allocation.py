"""Fractional staffed rooms, the greedy allocation of extra staff (against brute force), the
FTE needed to reach a risk threshold and the calibration of the stay against the log."""

import itertools

import numpy as np
import pandas as pd
import pytest

from fragile_care.model import allocation, calibration, capacity, staffing, unit_calibration
from fragile_care.model.capacity import CapacitySettings

pytestmark = pytest.mark.unit
NORMS = staffing.Norms()
PER_ROOM = 168 / 34.33  # FTE at work that staff one room around the clock


def test_mixed_blocking_equals_erlang_b_at_whole_rooms_and_interpolates_between():
    assert capacity.erlang_b_mixed(4.0, 9.0) == pytest.approx(capacity.erlang_b(4.0, 9))
    assert capacity.erlang_b_mixed(4.0, 9.25) == pytest.approx(0.75 * capacity.erlang_b(4.0, 9) + 0.25 * capacity.erlang_b(4.0, 10))
    with pytest.raises(ValueError, match="servers"):
        capacity.erlang_b_mixed(4.0, -0.5)


def test_adding_staff_never_raises_and_strictly_lowers_redirections_while_rooms_are_short():
    """From no staff to every physical room staffed, in steps of 0.1 FTE."""
    deliveries, physical = 120.0, 10
    supply = np.arange(0.0, 60.0, 0.1)
    rooms = np.minimum(physical, supply / PER_ROOM)
    redirected = deliveries * capacity.blocking(deliveries, rooms, 8.0)
    steps = np.diff(redirected)
    assert (steps <= 1e-15).all()
    short = rooms[:-1] < physical
    assert (steps[short] < 0).all()
    assert (steps[~short] == 0).all()  # beyond the physical rooms more staff does nothing here


def test_simulation_with_fractional_rooms_agrees_with_the_mixture():
    ward = capacity.Ward("W", arrivals_per_week=4.0 / 8.0 * 168, servers=4.5)
    sim = capacity.simulate([ward], 8.0, weeks=4.0, replications=300, seed=5).iloc[0]
    formula = capacity.erlang_b_mixed(4.0, 4.5)
    assert sim["blocking_ci_low"] <= formula <= sim["blocking_ci_high"]


def _weekly(rooms, physical, deliveries):
    n = len(rooms)
    return pd.DataFrame(
        {
            "unit_id": [f"U{i}" for i in range(n)],
            "iso_year": 2027,
            "iso_week": 28,
            "deliveries": deliveries,
            "rooms_staffed": rooms,
            "rooms_physical": physical,
        }
    )


def test_greedy_allocation_is_optimal_against_brute_force():
    """Three unit-weeks, a budget of 6 FTE-weeks: every way of splitting them is tried."""
    weekly = _weekly([5.2, 7.9, 3.1], [8, 9, 4], [110.0, 150.0, 60.0])
    rng = np.random.default_rng(0)
    draws = weekly["deliveries"].to_numpy()[:, None] * rng.lognormal(0.0, 0.1, (3, 200))
    budget = 6
    out = allocation.greedy_allocation(weekly, draws, budget, NORMS, 8.0)

    def total(split):
        rooms = np.minimum(weekly["rooms_physical"], weekly["rooms_staffed"] + np.array(split) / PER_ROOM)
        return sum(allocation.expected_redirected(draws[i], rooms[i], 8.0) for i in range(3))

    best = min(total(s) for s in itertools.product(range(budget + 1), repeat=3) if sum(s) == budget)
    assert out["redirected_after"].sum() == pytest.approx(best, rel=1e-9)
    assert out["fte_added"].sum() == budget
    assert (out["redirected_after"] <= out["redirected_before"]).all()


def test_greedy_stops_when_no_unit_week_gains():
    weekly = _weekly([8.0], [8], [100.0])  # every physical room already staffed
    out = allocation.greedy_allocation(weekly, np.full((1, 10), 100.0), 5, NORMS, 8.0)
    assert out["fte_added"].iloc[0] == 0


def test_fte_to_threshold_reaches_it_exactly_or_says_it_cannot():
    weekly = _weekly([6.0, 3.0], [16, 4], [150.0, 150.0])
    need = allocation.fte_to_threshold(weekly, 0.01, NORMS, 8.0)
    first = need.iloc[0]
    assert first["reachable"]
    rooms = 6.0 + first["fte_needed"] / PER_ROOM
    assert capacity.blocking(150.0, rooms, 8.0) == pytest.approx(0.01, abs=1e-9)
    assert capacity.blocking(150.0, rooms - 0.01, 8.0) > 0.01
    second = need.iloc[1]  # 7.1 erlangs on at most 4 rooms: never below 1 %
    assert not second["reachable"] and second["fte_needed"] == pytest.approx(1.0 * PER_ROOM)


def test_the_chain_need_is_where_the_chain_risk_meets_the_rule_and_a_full_bb_raises_it():
    """One model for the shortfall (issue 28): a week is short of midwives exactly when the
    rule's cost table needs FTE there; with an ample ward the need is the rooms' own."""
    ample = _weekly([6.0, 9.0], [16, 16], [150.0, 150.0]).assign(fte_supply_ward=[6.0 * PER_ROOM, 9.0 * PER_ROOM])
    need = allocation.chain_need(ample, NORMS, 8.0)
    assert capacity.blocking(150.0, need["rooms_needed"].to_numpy(), 8.0) == pytest.approx([0.01, 0.01], abs=1e-9)
    cost = allocation.fte_to_threshold(ample, 0.01, NORMS, 8.0)
    assert ((need["fte_gap"] < 0) == (cost["fte_needed"] > 1e-9)).all()
    assert -need["fte_gap"].clip(upper=0).sum() == pytest.approx(cost["fte_needed"].sum())
    tight = ample.assign(bb_beds=10.0, bb_stay_hours=60.0)  # 150 women a week for 60 h each: BB near full
    assert (allocation.chain_need(tight, NORMS, 8.0)["rooms_needed"] > need["rooms_needed"]).all()


def test_calibration_recovers_a_known_stay_from_simulated_counts():
    """Logged counts drawn as Poisson from the model with a 6.5 h time at four units over
    ten summers; each unit's 80 % interval holds it and excludes the prior 8 h."""
    rng = np.random.default_rng(11)
    n = 400
    weekly = pd.DataFrame(
        {
            "unit_id": [f"U{i % 4}" for i in range(n)],
            "iso_year": 2015 + np.arange(n) // 40,
            "iso_week": 20 + np.arange(n) % 40 // 4,
            "deliveries": rng.uniform(60, 160, n),
            "rooms_staffed": rng.uniform(5, 9, n),
        }
    )
    truth = 6.5
    weekly["logged"] = rng.poisson(weekly["deliveries"] * capacity.blocking(weekly["deliveries"], weekly["rooms_staffed"], truth))
    fits = unit_calibration.summary(unit_calibration.fit_units(weekly), 8.0)
    assert (fits["low_80"] < truth).all() and (fits["high_80"] > truth).all()
    assert (fits["high_80"] < 8.0).all()
    assert fits["pooled_stay_hours"].iloc[0] == pytest.approx(truth, rel=0.05)


def test_calibration_falls_back_to_the_prior_on_a_nearly_empty_log():
    observed = pd.DataFrame({"unit_id": ["A"] * 9, "iso_year": 2025, "iso_week": range(25, 34), "deliveries": 100.0, "rooms_staffed": 6.0})
    log = pd.DataFrame({"date": [pd.Timestamp("2025-06-20")], "from_unit": ["A"], "to_unit": ["B"], "reason": ["platsbrist"], "women": [2]})
    fits, backtest, _ = calibration.calibrate(observed, log, prior=8.0, seed=1)
    row = fits.iloc[0]
    assert not row["used"] and row["effective_stay_hours"] == 8.0 and "minst" in row["reason"]
    assert backtest.empty
    resolved = calibration.resolved_settings({"capacity": CapacitySettings()}, fits).set_index("setting")
    assert resolved.loc["capacity.mean_stay_hours.A", "source"] == "default"
    assert resolved.loc["capacity.mean_stay_hours", "value"] == 8.0
