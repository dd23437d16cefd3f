"""The care chain's fast analytic model (model/chain.py): its limiting cases and its
queue formula against hand-worked values. The comparison with the simulation is in
tests/statistical/test_chain_against_simulation.py."""

import numpy as np
import pandas as pd
import pytest

from fragile_care.model import capacity, chain, postnatal

pytestmark = pytest.mark.unit


def test_mm1k_wait_matches_the_hand_worked_queue():
    """M/M/1/2 (Gross & Harris, Fundamentals of Queueing Theory, M/M/c/K): arrival rate
    0.5 an hour, mean stay 1 hour, one bed and one waiting place: p ∝ 1, 0.5, 0.25, so
    p = (4, 2, 1)/7, L_q = p_2 = 1/7, λ_eff = 0.5 (1 − 1/7) = 3/7 and W = L_q/λ_eff = 1/3 h."""
    assert chain.ward_wait_hours(0.5, 1.0, 1, 2) == pytest.approx(1 / 3)
    # M/M/2/2 (no waiting place): nobody waits
    assert chain.ward_wait_hours(0.5, 1.0, 2, 2) == pytest.approx(0.0)


def test_an_ample_ward_is_erlang_b_exactly():
    d, rooms, tau = np.array([40.0, 60.0, 90.0]), np.array([4.0, 5.5, 7.0]), 8.0
    rooms_only = capacity.blocking(d, rooms, tau)
    for beds in (np.nan, 500.0):
        blocked, wait = chain.chain_blocking(d, rooms, tau, beds, 57.6)
        assert blocked == pytest.approx(rooms_only, rel=1e-6)
        assert np.all(wait < 1e-6)


def test_fewer_beds_more_redirections_and_never_fewer_than_the_rooms_alone():
    beds = np.array([40.0, 24.0, 21.0, 19.0, 17.0])
    blocked, wait = chain.chain_blocking(52.0, 7.0, 7.7, beds, 57.6)
    assert np.all(np.diff(blocked) > 0) and np.all(np.diff(wait) > 0)
    assert np.all(blocked >= capacity.blocking(52.0, 7.0, 7.7) - 1e-12)


def test_the_fixed_point_holds():
    """B = ErlangB(λ(τ + W(λ(1 − B))), s) at the returned blocking."""
    blocked, wait = chain.chain_blocking(180.0, 20.0, 7.0, 52.0, 57.6)
    again = capacity.blocking(180.0, 20.0, 7.0 + chain.ward_wait_hours(180 / 168 * (1 - blocked), 57.6, 52, 72))
    assert float(again) == pytest.approx(float(blocked), abs=1e-6)  # the fixed point to 1e-10 (chain.ROOT_TOLERANCE)


def test_the_per_draw_emulator_matches_the_exact_chain_draw_by_draw():
    rng = np.random.default_rng(4)
    arrivals = np.array([[52.0], [180.0]]) * np.exp(0.08 * rng.standard_normal((2, 400)))
    hours = np.array([[7.7], [7.0]])
    emulated, _ = chain.chain_draws(arrivals, [7.0, 20.0], np.broadcast_to(hours, arrivals.shape), [21.0, 57.0], 57.6, [7.7, 7.0])
    exact, _ = chain.chain_blocking(arrivals, np.array([[7.0], [20.0]]), hours, np.array([[21.0], [57.0]]), 57.6)
    assert np.max(np.abs(emulated - exact)) < 0.002


def test_early_discharge_shortens_the_ward_link_and_frees_rooms():
    weekly = pd.DataFrame({"unit_id": ["U", "U"], "iso_year": 2027, "iso_week": [28, 29], "deliveries": 84.0})
    units = pd.DataFrame({"unit_id": ["U"], "postnatal_beds": [28]})
    settings = postnatal.PostnatalSettings()
    base = chain.with_ward(weekly, units, settings, None)
    early = chain.with_ward(weekly, units, settings, None, early_share=np.array([0.0, 0.5]))
    assert base["bb_beds"].tolist() == [28.0, 28.0]
    assert early["bb_stay_hours"].iloc[1] < base["bb_stay_hours"].iloc[1] == early["bb_stay_hours"].iloc[0]
    b0 = chain.weekly_blocking(base, weekly["deliveries"], 9.0, 8.0)
    b1 = chain.weekly_blocking(early, weekly["deliveries"], 9.0, 8.0)
    assert b1[1] < b0[1] and b1[0] == b0[0]
