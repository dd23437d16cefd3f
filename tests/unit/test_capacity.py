"""Erlang B, servers needed, forecast draws and redirection risk."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import poisson

from fragile_care.model import calibration, capacity, planning

pytestmark = pytest.mark.unit


def test_erlang_b_published_table_value():
    # Source: Westbay Engineers, Erlang B calculator manual, "How much traffic can a trunk
    # group handle?" (https://erlang.com/calculatormanual/howmuchtrafficcanatrunkgrouphandle.htm):
    # 15 lines at 1 % blocking carry 8.108 erlangs.
    assert capacity.erlang_b(8.108, 15) == pytest.approx(0.01, abs=2e-5)
    # A lecture example (Medhi, CS 6030, offered load 1 erlang on one line): blocking 1/2.
    assert capacity.erlang_b(1.0, 1) == 0.5


@pytest.mark.parametrize("load, servers", [(0.5, 2), (4.0, 10), (24.0, 30), (450.0, 400), (900.0, 1000), (2500.0, 2600)])
def test_erlang_b_equals_truncated_poisson_ratio(load, servers):
    # Independent formula: B = P(X = c) / P(X <= c) for X ~ Poisson(a); for hundreds of
    # servers a**c / c! overflows a float, the recursion does not.
    expected = poisson.pmf(servers, load) / poisson.cdf(servers, load)
    assert capacity.erlang_b(load, servers) == pytest.approx(expected, rel=1e-9)


def test_erlang_b_limits():
    assert capacity.erlang_b(0.0, 3) == 0.0
    assert capacity.erlang_b(5.0, 0) == 1.0
    assert capacity.erlang_b(0.0, 0) == 1.0
    for a in (0.1, 1.0, 7.5):
        assert capacity.erlang_b(a, 1) == pytest.approx(a / (1 + a))
    assert capacity.erlang_b(10.0, 500) < 1e-300 or capacity.erlang_b(10.0, 500) == 0.0
    out = capacity.erlang_b(np.array([[1.0], [2.0]]), np.array([1, 2, 3]))
    assert out.shape == (2, 3) and np.isfinite(out).all()


def test_erlang_b_monotone():
    loads = np.linspace(0.1, 40, 60)
    servers = np.arange(0, 45)
    grid = capacity.erlang_b(loads[:, None], servers[None, :])
    assert (np.diff(grid, axis=1) <= 1e-15).all()  # more staffed rooms never raise the risk
    assert (np.diff(grid, axis=0) >= -1e-15).all()  # more arrivals never lower it


@pytest.mark.parametrize(
    "load, servers, message",
    [
        (-1.0, 3, "load must be 0 or more erlangs, got -1"),
        (float("nan"), 3, "load must be a finite number"),
        (2.0, 2.5, "servers must be whole numbers, got 2.5"),
        (2.0, -1, "servers must be 0 or more, got -1"),
    ],
)
def test_erlang_b_rejects_bad_values(load, servers, message):
    with pytest.raises(ValueError, match=message):
        capacity.erlang_b(load, servers)


@pytest.mark.parametrize("stay", [0, -3.0, float("nan"), "8"])
def test_stay_must_be_positive_hours(stay):
    with pytest.raises(ValueError, match="mean stay must be a positive number of hours"):
        capacity.offered_load(100.0, stay)


@pytest.mark.parametrize("load", [0.0, 0.3, 4.0, 11.25, 80.0])
def test_servers_needed_is_the_fewest_meeting_the_target(load):
    n = capacity.servers_needed(load, 0.01)
    assert capacity.erlang_b(load, n) <= 0.01
    if n > 0:
        assert capacity.erlang_b(load, n - 1) > 0.01
    with pytest.raises(ValueError, match="target blocking must be between 0 and 1"):
        capacity.servers_needed(load, 0.0)


def _weekly(sigma=0.1):
    return pd.DataFrame(
        {
            "unit_id": ["A", "A", "B"],
            "iso_year": 2027,
            "iso_week": [28, 29, 28],
            "deliveries": [180.0, 170.0, 50.0],
            "sigma_log": sigma,
            "rooms_staffed": [12, 12, 5],
        }
    )


def test_forecast_draws_keep_the_mean_and_share_a_unit_level_error():
    draws = capacity.forecast_draws(_weekly(), 20000, seed=1)
    assert draws.shape == (3, 20000)
    assert draws.mean(axis=1) == pytest.approx([180.0, 170.0, 50.0], rel=0.01)
    assert np.corrcoef(draws[0], draws[1])[0, 1] == pytest.approx(1.0)  # same unit: one level error
    assert abs(np.corrcoef(draws[0], draws[2])[0, 1]) < 0.05  # other unit: independent
    assert np.allclose(capacity.forecast_draws(_weekly(0.0), 5, seed=1), _weekly()["deliveries"].to_numpy()[:, None])


def test_redirection_risk_adds_staff_lowers_risk_by_the_erlang_amount():
    base, _ = planning.redirection_risk(_weekly(0.0), "rooms_staffed", 8.0, n_draws=100, seed=0)
    more = _weekly(0.0).assign(rooms_staffed=[14, 14, 6])
    better, _ = planning.redirection_risk(more, "rooms_staffed", 8.0, n_draws=100, seed=0)
    load = 180.0 / 168 * 8
    assert base["redirected"].iloc[0] - better["redirected"].iloc[0] == pytest.approx(
        180.0 * (capacity.erlang_b(load, 12) - capacity.erlang_b(load, 14))
    )
    assert (better["redirected_mean"] < base["redirected_mean"]).all()
    assert base["redirected_mean"].to_numpy() == pytest.approx(base["redirected"].to_numpy())  # no uncertainty: draws = mean


def test_totals_take_percentiles_of_sums():
    risk, draws = planning.redirection_risk(_weekly(0.2), "rooms_staffed", 8.0, n_draws=2000, seed=3)
    totals = capacity.totals_with_interval(risk, draws).set_index("unit_id")
    assert totals.loc["REGION", "redirected_mean"] == pytest.approx(risk["redirected_mean"].sum())
    assert totals.loc["A", "redirected_p90"] <= risk.loc[risk["unit_id"] == "A", "redirected_p90"].sum() + 1e-9
    assert totals.loc["REGION", "redirected_p10"] < totals.loc["REGION", "redirected_mean"] < totals.loc["REGION", "redirected_p90"]


def test_model_vs_log_counts_capacity_reasons_only():
    weekly = _weekly(0.0)
    log = pd.DataFrame(
        {
            "date": pd.to_datetime(["2027-07-13", "2027-07-14", "2027-07-15", "2027-08-30"]),
            "from_unit": ["A", "A", "B", "A"],
            "to_unit": ["B", "B", "A", "B"],
            "reason": ["platsbrist", "neonatal", "bemanning", "platsbrist"],
            "women": [2, 1, 1, 5],
        }
    )
    out = calibration.model_vs_log(weekly, log, 8.0).set_index("unit_id")
    assert out.loc["A", "logged_capacity"] == 2 and out.loc["A", "logged_other"] == 1  # week 35 is outside the weeks modelled
    assert out.loc["B", "logged_capacity"] == 1
    load = 180.0 / 168 * 8
    assert out.loc["A", "predicted"] == pytest.approx(180 * capacity.erlang_b(load, 12) + 170 * capacity.erlang_b(170 / 168 * 8, 12))


def test_the_neonatal_summary_puts_the_level_with_most_infants_away_first():
    ahead = pd.DataFrame(
        {
            "unit_id": ["A", "A", "B", "B"],
            "care_level": ["ic", "sc", "sc", "sc"],
            "turned_away": [0.1, 2.0, 5.0, 6.0],
            "blocking": [0.01, 0.3, 0.9, 1.0],
            "cots_staffed": [3.0, 2.0, 0.0, 1.0],
        }
    )
    out = capacity.neonatal_summary(ahead)
    assert out[["unit_id", "care_level"]].values.tolist() == [["B", "sc"], ["A", "sc"], ["A", "ic"]]
    assert out.iloc[0]["away"] == 11.0 and out.iloc[0]["worst"] == 1.0 and out.iloc[0]["staffed_min"] == 0.0
