import numpy as np
import pandas as pd
import pytest

from fragile_care.model import forecast as fc

pytestmark = pytest.mark.integration


def _births(seed: int, start: str, rates: dict[str, float]) -> pd.DataFrame:
    """Poisson deliveries per unit and month to 2025-12 (rates per day)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range(start, "2025-12", freq="MS")
    return pd.concat(
        [
            pd.DataFrame({"unit_id": uid, "month": months, "deliveries": rng.poisson(lam * months.days_in_month.to_numpy())})
            for uid, lam in rates.items()
        ],
        ignore_index=True,
    )


def test_units_and_region_forecasts_are_coherent_in_parallel():
    births = _births(5, "2018-01", {"A": 25.0, "B": 7.0})
    out = fc.forecast_all(births, horizon=24)
    assert set(out["unit_id"]) == {"A", "B", "REGION"}
    wide = out.pivot(index="month", columns="unit_id", values="mean")
    np.testing.assert_allclose(wide["A"] + wide["B"], wide["REGION"], rtol=0, atol=1e-9)
    assert len(wide) == 24 and wide.index[0] == pd.Timestamp("2026-01-01")
    # the parallel run gives the same forecasts as a plain loop
    serial = fc.forecast_many({"A": births[births.unit_id == "A"].set_index("month")["deliveries"].astype(float)}, 24, workers=1)["A"]
    parallel = fc.forecast_many(
        {
            "A": births[births.unit_id == "A"].set_index("month")["deliveries"].astype(float),
            "B": births[births.unit_id == "B"].set_index("month")["deliveries"].astype(float),
        },
        24,
    )["A"]
    pd.testing.assert_frame_equal(serial, parallel)


def test_forecast_and_evaluate_in_one_pool_equals_the_two_calls():
    births = _births(6, "2019-01", {"A": 20.0, "B": 9.0})
    together, evaluation, _ = fc.forecast_and_evaluate(births, horizon=24, n_origins=1)
    pd.testing.assert_frame_equal(together, fc.forecast_all(births, horizon=24))
    pd.testing.assert_frame_equal(evaluation, fc.evaluate(fc.series_by_unit(births), horizon=12, n_origins=1))
    assert set(evaluation["series"]) == {"A", "B", "REGION"}
