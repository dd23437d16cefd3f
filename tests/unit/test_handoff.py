"""Disclosure control of the hand-off workbook and of report tables."""

import pandas as pd
import pytest

from fragile_care.publish import disclosure, handoff

pytestmark = pytest.mark.unit


def test_suppress_counts_threshold():
    values = pd.Series([0, 1, 4, 5, 12, None, 2.0])
    assert disclosure.suppress_counts(values, 5).tolist() == [0, "<5", "<5", 5, 12, None, "<5"]
    assert disclosure.suppress_counts(values, 3).tolist() == [0, "<3", 4, 5, 12, None, "<3"]
    assert disclosure.suppress(3, 5) == "<5" and disclosure.suppress(0, 5) == "0" and disclosure.suppress(4, 3) == "4"


def test_workbook_sheets_suppress_people_and_label_demo():
    units = pd.DataFrame({"unit_id": ["A"], "name": ["Enhet A"], "merged_into": [None]})
    births = pd.DataFrame(
        {"unit_id": "A", "month": pd.date_range("2025-01-01", periods=12, freq="MS"), "deliveries": [3] * 12, "babies_born": [3] * 11 + [4]}
    )
    redirections = pd.DataFrame(
        {"date": pd.to_datetime(["2025-07-01"]), "from_unit": ["A"], "to_unit": ["A"], "reason": ["platsbrist"], "women": [2]}
    )
    sheets = handoff.workbook_sheets(
        {"units": units, "births_monthly": births, "redirections": redirections},
        run_id="r",
        tertial="2025-T3",
        period_end=pd.Timestamp("2025-12-01"),
        is_demo=True,
        data_label="x",
        compare_years=(2025,),
        summer_weeks=(25, 33),
        threshold=5,
    )
    assert list(sheets) == ["Om tabellerna", "Förlossningar per år", "Sommarjämförelse"]
    assert sheets["Förlossningar per år"]["Förlossningar"].tolist() == [36]
    assert sheets["Sommarjämförelse"]["Hänvisade kvinnor"].tolist() == ["<5"]
    assert "EXEMPELDATA" in sheets["Om tabellerna"].set_index("Fält").loc["Underlag", "Värde"]
    assert "EXEMPELDATA" in handoff.banner(True, "r") and "EXEMPELDATA" not in handoff.banner(False, "r")
