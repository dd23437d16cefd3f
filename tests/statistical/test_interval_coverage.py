"""Slow statistical checks of the prediction intervals: coverage on simulated errors and
on simulated series with level shifts (moved from tests/unit/test_forecast_calibration.py)."""

import numpy as np
import pandas as pd
import pytest

from fragile_care.model import forecast as fc
from fragile_care.run import interval_calibration
from tests.forecast_helpers import cheap_fit, errors_at_every_step, monthly

pytestmark = pytest.mark.statistical


def test_multipliers_follow_the_error_shape_of_series_like_the_one_forecast():
    """Series whose own sd is mostly counting noise have close to normal errors; countries
    have heavy-tailed ones from shifts of level. One multiplier for all gives the two
    different coverage; the localised multipliers give each its level."""
    rng = np.random.default_rng(8)

    def frame(n):
        noisy = errors_at_every_step(rng.normal(0.0, 0.15, n), 0.15, "2020-01-01")
        heavy = errors_at_every_step(0.02 * rng.standard_t(2, n), 0.02, "2020-01-01")
        return pd.concat([noisy, heavy], ignore_index=True)

    learn, check = frame(6000), frame(6000)
    local = fc.pooled_tables(learn, (80, 95))
    one = fc.pooled_tables(learn, (80, 95), bandwidth=1e6)
    small, large = check[check["sd"] > 0.1], check[check["sd"] < 0.1]

    def coverage(calibration, part, level):
        e = np.abs(np.log((part["actual"] + 0.5) / (part["mean"] + 0.5)))
        return float(np.mean(e <= calibration.half_width(level, part["sd"], part["step"])))

    assert coverage(one, small, 80) < 0.77 and coverage(one, large, 80) > 0.83
    for part in (small, large):
        assert 0.77 <= coverage(local, part, 80) <= 0.83
        assert 0.935 <= coverage(local, part, 95) <= 0.965


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
    rows = interval_calibration.error_rows(windows, forecasts)
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
