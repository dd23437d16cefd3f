"""The seeded ward simulation against Erlang B, and what it adds (peaks, overflow)."""

import pytest

from fragile_care.model import capacity

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("load, servers", [(3.0, 5), (8.108, 15), (10.0, 12)])
def test_simulation_agrees_with_erlang_b(load, servers):
    out = capacity.agreement([(load, servers)], mean_stay_hours=8.0, weeks=20.0, replications=40, seed=7).iloc[0]
    se = (out["ci_high"] - out["ci_low"]) / (2 * capacity.Z95)
    # within three standard errors of the replication mean (a 95 % interval misses 1 in 20)
    assert abs(out["simulated"] - out["erlang_b"]) <= 3 * se
    assert out["arrivals"] > 20000


def test_simulation_is_reproducible_with_its_seed():
    wards = [capacity.Ward("A", 150.0, 10)]
    a = capacity.simulate(wards, 8.0, weeks=2, replications=5, seed=11)
    b = capacity.simulate(wards, 8.0, weeks=2, replications=5, seed=11)
    assert a.equals(b)


def test_peaks_raise_and_overflow_places_women():
    wards = [capacity.Ward("A", 190.0, 13), capacity.Ward("B", 50.0, 6)]
    common = dict(mean_stay_hours=8.0, weeks=4.0, replications=30)
    flat = capacity.simulate(wards, seed=1, **common).set_index("unit_id")
    peaks = capacity.simulate(
        wards, seed=1, profile=capacity.ArrivalProfile(hourly_amplitude=0.3, peak_hour=11.0, weekend_factor=0.8), **common
    ).set_index("unit_id")
    pooled = capacity.simulate(
        wards,
        seed=1,
        profile=capacity.ArrivalProfile(hourly_amplitude=0.3, peak_hour=11.0, weekend_factor=0.8),
        overflow={"A": ["B"], "B": ["A"]},
        **common,
    ).set_index("unit_id")
    assert peaks.loc["A", "blocking"] > flat.loc["A", "blocking_ci_high"]  # uneven arrivals mean more redirections
    # with coordination most redirected women find a room at the neighbour
    placed = pooled["received_from_neighbour"].sum()
    assert placed > 0.5 * pooled["redirected"].sum()
    assert pooled["overflow_lost"].sum() + placed == pooled["redirected"].sum()


def test_simulation_rejects_bad_settings():
    ward = capacity.Ward("A", 100.0, 5)
    with pytest.raises(ValueError, match="overflow names unit 'X', which is not simulated"):
        capacity.simulate([ward], 8.0, overflow={"A": ["X"]})
    with pytest.raises(ValueError, match="mean stay must be a positive number of hours, got 0"):
        capacity.simulate([ward], 0.0)
    with pytest.raises(ValueError, match="replications must be at least 2"):
        capacity.simulate([ward], 8.0, replications=1)
    with pytest.raises(ValueError, match="servers must be 0 or more"):
        capacity.Ward("A", 100.0, -2)
