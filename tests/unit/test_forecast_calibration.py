"""Prediction intervals calibrated across series (issue 12): the pooled conformal
multipliers, the Poisson floor and the provenance of the committed calibration."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import poisson

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.model import forecast as fc
from fragile_care.run import bench
from tests.forecast_helpers import cheap_fit, errors_at_every_step, monthly

pytestmark = pytest.mark.unit


def test_weighted_conformal_quantile_with_equal_weights_is_the_split_conformal_rank():
    z = np.array([5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0])  # 1..9 shuffled, n = 9
    ones = np.ones(9)
    # ceil((n + 1) * 0.8) = 8th smallest; ceil(10 * 0.5) = 5th; for 95 % the rank 10 > n: the largest
    assert fc.weighted_conformal_quantile(z, ones, 80) == 8.0
    assert fc.weighted_conformal_quantile(z, ones, 50) == 5.0
    assert fc.weighted_conformal_quantile(z, ones, 95) == 9.0


def _half_width(calibration, level: int, own_sd: float = 1.0) -> np.ndarray:
    """k times s(h) for the given own sd: the |log error| the interval reaches at each step."""
    steps = np.arange(1, 13)
    return calibration.half_width(level, np.full(12, own_sd), steps)


def test_recent_errors_weigh_more_than_old_ones():
    # 200 small errors observed ten years back and 200 large ones in the last year
    errors = pd.concat(
        [
            errors_at_every_step(np.linspace(0.0, 1.0, 200), 1.0, "2014-01-01"),
            errors_at_every_step(np.linspace(2.0, 3.0, 200), 1.0, "2024-01-01"),
        ],
        ignore_index=True,
    )
    recent = _half_width(fc.pooled_tables(errors, (80,), half_lives=(1.0,)), 80)
    flat = _half_width(fc.pooled_tables(errors, (80,), half_lives=(None,)), 80)
    assert (recent > 2.7).all()  # the old errors weigh 2**-10: the new ones decide
    assert ((flat > 2.5) & (flat < 2.7)).all()  # equal weights: the 321st of 400, among the new ones


def test_the_long_memory_keeps_old_shifts_and_the_short_one_follows_new_ones():
    """The committed calibration uses the wider of a short and a long memory: a shift seen
    years ago still widens the intervals in a calm spell, and a new one widens them at once
    although the long memory's many calm years would dilute it."""
    rng = np.random.default_rng(2)
    shock, calm = rng.normal(0.0, 0.20, 300), rng.normal(0.0, 0.02, 300)
    calm_years = [errors_at_every_step(rng.normal(0.0, 0.02, 300), 0.02, f"{year}-06-01") for year in range(2011, 2024)]
    both = fc.POOLED_HALF_LIVES
    old_shock = pd.concat([errors_at_every_step(shock, 0.02, "2010-06-01"), *calm_years, errors_at_every_step(calm, 0.02, "2024-06-01")])
    new_shock = pd.concat([errors_at_every_step(calm, 0.02, "2010-06-01"), *calm_years, errors_at_every_step(shock, 0.02, "2024-06-01")])
    # one year in 15 was a shock: the 95 % interval of the long memory reaches into it
    recent_only = _half_width(fc.pooled_tables(old_shock, (95,), half_lives=both[:1]), 95, 0.02)
    kept = _half_width(fc.pooled_tables(old_shock, (95,), half_lives=both), 95, 0.02)
    assert (kept > 1.5 * recent_only).all(), (kept, recent_only)
    long_only = _half_width(fc.pooled_tables(new_shock, (80,), half_lives=both[1:]), 80, 0.02)
    followed = _half_width(fc.pooled_tables(new_shock, (80,), half_lives=both), 80, 0.02)
    assert (followed > 3 * long_only).all(), (followed, long_only)  # the new shock decides at once


def test_the_shift_variance_is_the_errors_variance_beyond_their_own_error_models():
    rng = np.random.default_rng(11)
    own_sd, shift_sd = 0.05, 0.10
    errors = errors_at_every_step(rng.normal(0.0, np.hypot(own_sd, shift_sd), 4000), own_sd, "2020-01-01")
    for memory in fc.pooled_tables(errors, (80,)).memories:
        assert np.allclose(memory.tau2, shift_sd**2, rtol=0.1)
    # errors no larger than their own models promise add nothing
    calm = fc.pooled_tables(errors_at_every_step(rng.normal(0.0, own_sd, 4000), own_sd, "2020-01-01"), (80,))
    assert max(max(memory.tau2) for memory in calm.memories) < 0.1 * own_sd**2


def test_a_common_shift_gives_small_and_large_series_the_coverage_they_are_promised():
    """Small series (own sd 15 %, mostly counting noise) and large ones (2 %) share shifts of
    level of 5 %: scaled by their own sd alone, one multiplier covers the small series too
    much and the large ones too little; with the shift variance both get about 80 %."""
    rng = np.random.default_rng(5)

    def group(sd, n):
        return rng.normal(0.0, sd, n) + rng.normal(0.0, 0.05, n), sd

    def frame(n):
        return pd.concat(
            [errors_at_every_step(*group(0.15, n), "2020-01-01"), errors_at_every_step(*group(0.02, n), "2020-01-01")], ignore_index=True
        )

    learn, check = frame(2000), frame(2000)
    calibration = fc.pooled_tables(learn, (80,))
    z = np.abs(np.log((learn["actual"] + 0.5) / (learn["mean"] + 0.5))) / learn["sd"]
    k_sd_only = fc.weighted_conformal_quantile(z, np.ones(len(z)), 80)

    def coverage(half_width, part):
        return float(np.mean(np.abs(np.log((part["actual"] + 0.5) / (part["mean"] + 0.5))) <= half_width))

    small, large = check[check["sd"] > 0.1], check[check["sd"] < 0.1]
    assert coverage(k_sd_only * small["sd"], small) > 0.86 and coverage(k_sd_only * large["sd"], large) < 0.74
    for part in (small, large):
        assert 0.77 <= coverage(calibration.half_width(80, part["sd"], part["step"]), part) <= 0.83


@pytest.mark.parametrize("values", ["constant", "poisson"])
def test_intervals_of_a_30_a_month_series_are_never_narrower_than_counting_noise(values):
    rng = np.random.default_rng(7)
    y = monthly([30] * 72 if values == "constant" else rng.poisson(30, 72))
    # a perfectly regular series has zero backtest errors: only the floor gives its intervals width
    out = fc.forecast_births(y, 24, fit=cheap_fit, pooled=False)
    for level in (80, 95):
        tail = (1 - level / 100) / 2
        assert (out[f"lower_{level}"] <= poisson.ppf(tail, out["mean"])).all()
        assert (out[f"upper_{level}"] >= poisson.ppf(1 - tail, out["mean"])).all()
    if values == "constant":  # exactly the counting noise of the month's mean
        mean = out["mean"].iloc[0]
        assert out["upper_95"].iloc[0] - out["lower_95"].iloc[0] == poisson.ppf(0.975, mean) - poisson.ppf(0.025, mean)


def test_the_pooled_calibration_widens_the_own_intervals_of_a_calm_series_over_the_year():
    """A calm series' own errors do not know the shifts other countries had. In the first
    three months the reference forecasts missed by less than their own error models said
    (an own model's variance is a straight line in the step, fitted over all twelve), so
    the committed calibration may be up to about a tenth narrower there; from the fourth
    month on it is wider, and over the year clearly so."""
    rng = np.random.default_rng(3)
    y = monthly(rng.poisson(400 * (1 + 0.08 * np.sin(2 * np.pi * np.arange(96) / 12))))
    own = fc.forecast_births(y, 24, fit=cheap_fit, pooled=False)
    pooled = fc.forecast_births(y, 24, fit=cheap_fit)
    assert pooled.attrs["pooled_calibration"] and not own.attrs["pooled_calibration"]
    assert np.allclose(own["mean"], pooled["mean"])
    for level in (80, 95):
        ratio = ((pooled[f"upper_{level}"] - pooled[f"lower_{level}"]) / (own[f"upper_{level}"] - own[f"lower_{level}"])).to_numpy()
        assert ratio[:3].min() > 0.9 and ratio[3:].min() >= 1.0 and ratio.mean() > 1.2, ratio.round(2)


def test_the_committed_calibration_was_made_from_the_public_reference_files_as_they_are():
    data = json.loads(fc.POOLED_CALIBRATION.read_text(encoding="utf-8"))
    calibration = fc.PooledCalibration.from_json(data)
    assert calibration.levels >= {80, 95} and [m.half_life for m in calibration.memories] == list(fc.POOLED_HALF_LIVES)
    for memory in calibration.memories:
        assert all(len(row) == fc.BACKTEST_HORIZON for ks in memory.k.values() for row in ks)
        assert len(memory.tau2) == fc.BACKTEST_HORIZON and min(memory.tau2) >= 0
    assert calibration.source["made_by"] == "fragile-care calibrate-intervals"
    for name, sha in calibration.source["files"].items():
        path = paths.project_root() / name
        assert io.sha256_file(path) == sha, f"{name} changed since the calibration was made: run `fragile-care calibrate-intervals`"


def test_coverage_by_origin_year_averages_the_series_origins_of_each_year():
    ev = pd.DataFrame(
        {
            "series": ["a", "b", "a", "b", "a"],
            "origin": pd.to_datetime(["2019-12-01", "2019-06-01", "2020-12-01", "2020-11-01", "2008-12-01"]),
            "coverage_80": [1.0, 0.5, 0.25, 0.75, 0.0],
            "coverage_95": [1.0, 1.0, 0.5, 1.0, 0.0],
        }
    )
    table = bench.coverage_by_origin_year(ev, since=2010)
    assert list(table.index) == [2019, 2020]  # 2008 is before ``since``
    assert table.loc[2019, "coverage_80"] == 0.75 and table.loc[2020, "coverage_95"] == 0.75
    assert list(table["n"]) == [2, 2]


def test_coverage_uncertainty_is_none_for_identical_series_and_wide_for_opposite_ones():
    ev = pd.DataFrame(
        {
            "series": ["a", "a", "b", "c", "d"],
            "coverage_80": [0.75, 0.85, 0.8, 0.0, 1.0],
            "coverage_95": [0.9, 1.0, 0.95, 0.0, 1.0],
        }
    )
    spread = bench.coverage_uncertainty(ev, {"a": "same", "b": "same", "c": "split", "d": "split"}, n_boot=500)
    # a and b both cover 80 % on average over their origins: no draw of them differs
    assert spread.loc["same", "low_80"] == spread.loc["same", "high_80"] == pytest.approx(0.8)
    # one series never covers, the other always: resamples range from about none to all
    assert spread.loc["split", "low_80"] == 0.0 and spread.loc["split", "high_80"] == 1.0
    assert spread.loc["all series", "series"] == 4
