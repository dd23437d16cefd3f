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

pytestmark = pytest.mark.unit


def monthly(values, start="2015-01"):
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values), freq="MS"))


def cheap_fit(y: pd.Series, horizon: int) -> dict[str, np.ndarray]:
    """Two fast candidates instead of the statsmodels fits: the calibration is under test."""
    mean = fc._seasonal_mean(y, horizon)
    return {"snaive": fc._snaive(y, horizon), "seasonal_mean": mean, "comb": mean}


def test_weighted_conformal_quantile_with_equal_weights_is_the_split_conformal_rank():
    z = np.array([5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0])  # 1..9 shuffled, n = 9
    ones = np.ones(9)
    # ceil((n + 1) * 0.8) = 8th smallest; ceil(10 * 0.5) = 5th; for 95 % the rank 10 > n: the largest
    assert fc.weighted_conformal_quantile(z, ones, 80) == 8.0
    assert fc.weighted_conformal_quantile(z, ones, 50) == 5.0
    assert fc.weighted_conformal_quantile(z, ones, 95) == 9.0


def _errors(log_errors, sd, month, mean=1000.0) -> pd.DataFrame:
    """Reference errors with the given log errors at every step 1..12."""
    log_errors = np.asarray(log_errors, float)
    one = pd.DataFrame({"mean": mean, "sd": sd, "month": pd.Timestamp(month)}, index=range(len(log_errors)))
    one["actual"] = (mean + 0.5) * np.exp(log_errors) - 0.5
    return pd.concat([one.assign(step=h) for h in range(1, 13)], ignore_index=True)


def _half_width(calibration, level: int) -> np.ndarray:
    """k times s(h) for an own sd of 1: the |log error| the interval reaches at each step."""
    steps = np.arange(1, 13)
    return calibration.multiplier(level, steps) * calibration.scale(np.ones(12), steps)


def test_recent_errors_weigh_more_than_old_ones():
    # 200 small errors observed ten years back and 200 large ones in the last year
    errors = pd.concat(
        [_errors(np.linspace(0.0, 1.0, 200), 1.0, "2014-01-01"), _errors(np.linspace(2.0, 3.0, 200), 1.0, "2024-01-01")],
        ignore_index=True,
    )
    recent = _half_width(fc.pooled_tables(errors, (80,), half_life=1.0), 80)
    flat = _half_width(fc.pooled_tables(errors, (80,), half_life=1e9), 80)
    assert (recent > 2.7).all()  # the old errors weigh 2**-10: the new ones decide
    assert ((flat > 2.5) & (flat < 2.7)).all()  # equal weights: the 321st of 400, among the new ones


def test_the_shift_variance_is_the_errors_variance_beyond_their_own_error_models():
    rng = np.random.default_rng(11)
    own_sd, shift_sd = 0.05, 0.10
    errors = _errors(rng.normal(0.0, np.hypot(own_sd, shift_sd), 4000), own_sd, "2020-01-01")
    calibration = fc.pooled_tables(errors, (80,))
    assert np.allclose(calibration.tau2, shift_sd**2, rtol=0.1)
    # errors no larger than their own models promise add nothing
    calm = fc.pooled_tables(_errors(rng.normal(0.0, own_sd, 4000), own_sd, "2020-01-01"), (80,))
    assert max(calm.tau2) < 0.1 * own_sd**2


def test_a_common_shift_gives_small_and_large_series_the_coverage_they_are_promised():
    """Small series (own sd 15 %, mostly counting noise) and large ones (2 %) share shifts of
    level of 5 %: scaled by their own sd alone, one multiplier covers the small series too
    much and the large ones too little; with the shift variance both get about 80 %."""
    rng = np.random.default_rng(5)

    def group(sd, n):
        return rng.normal(0.0, sd, n) + rng.normal(0.0, 0.05, n), sd

    def frame(n):
        return pd.concat([_errors(*group(0.15, n), "2020-01-01"), _errors(*group(0.02, n), "2020-01-01")], ignore_index=True)

    learn, check = frame(2000), frame(2000)
    calibration = fc.pooled_tables(learn, (80,))
    z = np.abs(np.log((learn["actual"] + 0.5) / (learn["mean"] + 0.5))) / learn["sd"]
    sd_only = fc.PooledCalibration({80: [fc.weighted_conformal_quantile(z, np.ones(len(z)), 80)] * 12}, [0.0] * 12, len(z), {})

    def coverage(cal, part):
        e = np.abs(np.log((part["actual"] + 0.5) / (part["mean"] + 0.5)))
        return float(np.mean(e <= cal.multiplier(80, part["step"]) * cal.scale(part["sd"], part["step"])))

    small, large = check[check["sd"] > 0.1], check[check["sd"] < 0.1]
    assert coverage(sd_only, small) > 0.86 and coverage(sd_only, large) < 0.74
    assert 0.77 <= coverage(calibration, small) <= 0.83 and 0.77 <= coverage(calibration, large) <= 0.83


def _level_shift_series(rng: np.random.Generator, n: int) -> list[pd.Series]:
    """Eight years of monthly births around 400 with a seasonal swing; half of the series
    shift their level by 10-25 % up or down at a random month of the last two years, the
    kind of shift a few calm backtest years never show."""
    season = 1 + 0.08 * np.sin(2 * np.pi * np.arange(96) / 12)
    out = []
    for _ in range(n):
        level = np.full(96, 400.0)
        if rng.random() < 0.5:
            level[rng.integers(72, 96) :] *= 1 + rng.choice([-1.0, 1.0]) * rng.uniform(0.10, 0.25)
        out.append(monthly(rng.poisson(level * season)))
    return out


def _coverage(series: list[pd.Series], pooled) -> dict[int, float]:
    inside = {80: [], 95: []}
    for y in series:
        out = fc.forecast_births(y.iloc[:84], 12, fit=cheap_fit, pooled=pooled)
        for level in inside:
            actual = y.iloc[84:].to_numpy()
            inside[level].extend((actual >= out[f"lower_{level}"].to_numpy()) & (actual <= out[f"upper_{level}"].to_numpy()))
    return {level: float(np.mean(v)) for level, v in inside.items()}


def test_pooled_calibration_recovers_nominal_coverage_on_series_with_level_shifts():
    rng = np.random.default_rng(20261123)
    learn, check = _level_shift_series(rng, 150), _level_shift_series(rng, 150)
    windows = {(f"s{i}", 1): (y.iloc[:84], y.iloc[84:]) for i, y in enumerate(learn)}
    forecasts = {key: fc.forecast_births(train, 12, fit=cheap_fit, pooled=False) for key, (train, _) in windows.items()}
    rows = bench.error_rows(windows, forecasts)
    pooled = fc.pooled_tables(rows, (80, 95), source={"made_by": "this test"})
    own = _coverage(check, pooled=False)
    calibrated = _coverage(check, pooled=pooled)
    # the series' own (calm) errors promise more than they keep ...
    assert own[80] < 0.74 and own[95] < 0.90
    # ... the pooled calibration, learned on other series with shifts, keeps its promise, within
    # the sampling error of 150 check series whose 12 months move together (se about 0.018 at
    # 95 %, 0.033 at 80 %: the bounds are about two of them)
    assert 0.76 <= calibrated[80] <= 0.84, calibrated
    assert 0.925 <= calibrated[95] <= 0.98, calibrated


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
    assert set(calibration.k) >= {80, 95} and all(len(k) == fc.BACKTEST_HORIZON for k in calibration.k.values())
    assert len(calibration.tau2) == fc.BACKTEST_HORIZON and min(calibration.tau2) >= 0
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
