"""resolved_settings (model/calibration.py): each number the model uses, once, with its source."""

import math

import pandas as pd
import pytest

from fragile_care.model import calibration
from fragile_care.model.capacity import CapacitySettings
from fragile_care.model.staffing import Norms

pytestmark = pytest.mark.unit


def _fits(used: bool) -> pd.DataFrame:
    return pd.DataFrame(
        [{"unit_id": u, "effective_stay_hours": t if used else 8.0, "low_80": t - 0.5 if used else math.nan,
          "high_80": t + 0.6 if used else math.nan, "pooled_stay_hours": 7.5 if used else 8.0,
          "pooled_low_80": 7.0 if used else math.nan, "pooled_high_80": 8.1 if used else math.nan, "used": used}
         for u, t in (("A", 7.2), ("B", 7.9))]
    )  # fmt: skip


def test_sources_say_configured_default_or_calibrated():
    sections = {"staffing": Norms(target_blocking=0.02), "capacity": CapacitySettings(mean_stay_hours=8.0, seed=7)}
    resolved = calibration.resolved_settings(sections, _fits(True)).set_index("setting")
    assert resolved.loc["staffing.target_blocking", "source"] == "configured"
    assert resolved.loc["staffing.target_blocking", "value"] == 0.02
    assert resolved.loc["staffing.labour_ward_share", "source"] == "default"
    assert resolved.loc["staffing.nurses_per_cot.hd", "value"] == 0.5  # mappings of numbers are flattened
    assert resolved.loc["capacity.arrival_profile.peak_hour", "source"] == "default"  # nested models too
    stay = resolved.loc["capacity.mean_stay_hours"]
    assert (stay["source"], stay["value"], stay["prior"], stay["low"], stay["high"]) == ("calibrated", 7.5, 8.0, 7.0, 8.1)
    assert "capacity.calibrate_stay" not in resolved.index  # flags are not numbers
    assert calibration.setting(resolved.reset_index(), "capacity.mean_stay_hours") == 7.5
    assert resolved.loc["capacity.mean_stay_hours.B", "value"] == 7.9  # each unit's own time beside the common one
    assert calibration.unit_stays(resolved.reset_index(), ["A", "B", "NEW"]) == {"A": 7.2, "B": 7.9, "NEW": 7.5}


def test_without_a_fit_the_prior_is_used():
    resolved = calibration.resolved_settings({"capacity": CapacitySettings(mean_stay_hours=9.0)}, _fits(False))
    stay = resolved.set_index("setting").loc["capacity.mean_stay_hours"]
    assert (stay["source"], stay["value"], stay["prior"]) == ("configured", 9.0, 9.0)
    assert math.isnan(stay["low"])
    with pytest.raises(KeyError, match="capacity.nothing is not in resolved_settings"):
        calibration.setting(resolved, "capacity.nothing")
