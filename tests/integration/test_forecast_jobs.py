"""The forecast's fit planning (``run_jobs``) against ``forecast_births`` with the real
candidate models (moved from tests/unit/test_forecast.py: about 35 statsmodels fits)."""

import numpy as np
import pandas as pd
import pytest

from fragile_care.model import forecast as fc
from fragile_care.model import forecast_parallel

pytestmark = pytest.mark.integration


def test_run_jobs_fits_each_distinct_model_set_once_with_the_same_results(monkeypatch):
    """Issue 16: the evaluation's training series are prefixes of the full series, so
    their backtest fits repeat the full series' own; run_jobs computes each once."""
    rng = np.random.default_rng(7)
    months = pd.date_range("2016-01-01", periods=96, freq="MS")
    y = pd.Series(300 + 30 * np.sin(2 * np.pi * months.month / 12) + rng.normal(0, 10, len(months)), index=months).round()
    jobs = {"full": (y, 24, (80, 95)), "eval": (y.iloc[:-12], 12, (80, 95))}
    expected = {key: fc.forecast_births(*job) for key, job in jobs.items()}
    calls = []
    original = fc._fit_all

    def counted(train, horizon):
        calls.append((len(train), horizon))
        return original(train, horizon)

    monkeypatch.setattr(forecast_parallel, "_fit_all", counted)  # where run_jobs' fits are made
    got = fc.run_jobs(jobs, workers=1)
    requested = [pair for key in jobs for pair in fc.fits_needed(jobs[key][0], jobs[key][1])]
    assert len(calls) == len(set(calls)) < len(requested)  # every model set once, fewer than asked for
    for key in jobs:
        pd.testing.assert_frame_equal(got[key], expected[key])
        assert got[key].attrs == expected[key].attrs
