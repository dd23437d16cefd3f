"""The per-unit calibration (model/unit_calibration.py) recovers known delivery-room times:
data sets drawn from the loss model with four unit-specific times, a gamma summer effect
(variance 0.125) and Poisson weeks; the true times fall inside their 80 % intervals about
80 % of the time (settings chosen on these simulations, never on the demo log)."""

import numpy as np
import pandas as pd
import pytest

from fragile_care.model import capacity, unit_calibration

pytestmark = pytest.mark.statistical

TRUE = {"A": 6.5, "B": 8.0, "C": 9.5, "D": 11.0}
SIZE = {"A": (190, 10.5), "B": (60, 4.6), "C": (50, 4.2), "D": (45, 3.8)}  # deliveries a week, staffed rooms


def _draw(seed: int, kappa: float = 0.125, years=(2024, 2025, 2026)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for unit, tau in TRUE.items():
        d0, s0 = SIZE[unit]
        for year in years:
            shock = rng.gamma(1 / kappa, kappa)
            for week in range(25, 34):
                d, s = d0 * rng.uniform(0.85, 1.15), max(1.0, s0 * rng.uniform(0.8, 1.1))
                rows.append((unit, year, week, d, s, float(rng.poisson(d * float(capacity.blocking(d, s, tau)) * shock))))
    return pd.DataFrame(rows, columns=["unit_id", "iso_year", "iso_week", "deliveries", "rooms_staffed", "logged"])


def test_true_times_fall_inside_their_80_percent_intervals_about_80_percent_of_the_time():
    inside = []
    for seed in range(100, 140):
        fits = unit_calibration.summary(unit_calibration.fit_units(_draw(seed)), 8.0).set_index("unit_id")
        inside += [fits.loc[u, "low_80"] <= tau <= fits.loc[u, "high_80"] for u, tau in TRUE.items()]
    share = float(np.mean(inside))
    assert 0.68 <= share <= 0.92, share  # 160 intervals: 0.8 ± 2.4 standard errors
