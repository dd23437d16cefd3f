"""Series and fits shared by the forecast's unit and statistical tests."""

import numpy as np
import pandas as pd

from fragile_care.model import forecast as fc


def monthly(values, start="2015-01"):
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values), freq="MS"))


def cheap_fit(y: pd.Series, horizon: int) -> dict[str, np.ndarray]:
    """Two fast candidates instead of the statsmodels fits: the calibration is under test."""
    mean = fc._seasonal_mean(y, horizon)
    return {"snaive": fc._snaive(y, horizon), "seasonal_mean": mean, "comb": mean}


def errors_at_every_step(log_errors, sd, month, mean=1000.0) -> pd.DataFrame:
    """Reference errors with the given log errors at every step 1..12."""
    log_errors = np.asarray(log_errors, float)
    one = pd.DataFrame({"mean": mean, "sd": sd, "month": pd.Timestamp(month)}, index=range(len(log_errors)))
    one["actual"] = (mean + 0.5) * np.exp(log_errors) - 0.5
    return pd.concat([one.assign(step=h) for h in range(1, 13)], ignore_index=True)
