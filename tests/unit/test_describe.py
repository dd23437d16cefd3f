import pandas as pd
import pytest

from fragile_care.model import calendar, describe

pytestmark = pytest.mark.unit


def births_frame(values: dict[str, list[int]], start="2024-01") -> pd.DataFrame:
    rows = []
    for unit, counts in values.items():
        for month, n in zip(pd.date_range(start, periods=len(counts), freq="MS"), counts):
            rows.append({"unit_id": unit, "month": month, "deliveries": n, "babies_born": n})
    frame = pd.DataFrame(rows)
    frame[["deliveries", "babies_born"]] = frame[["deliveries", "babies_born"]].astype("Int64")
    return frame


def test_weekly_estimate_preserves_totals_and_spreads_by_day():
    births = births_frame({"A": [310, 280]}, start="2025-01")  # 10 a day in both months
    weekly = calendar.weekly_estimate(births)
    assert weekly["deliveries"].sum() == pytest.approx(590)
    # ISO week 2 of 2025 (6-12 January) is all January: 7 days x 10
    w2 = weekly[(weekly["iso_year"] == 2025) & (weekly["iso_week"] == 2)]
    assert w2["deliveries"].item() == pytest.approx(70)
    # ISO week 5 (27 Jan - 2 Feb): 5 January days x 10 + 2 February days x 10
    w5 = weekly[(weekly["iso_year"] == 2025) & (weekly["iso_week"] == 5)]
    assert w5["deliveries"].item() == pytest.approx(70) and w5["days"].item() == 7


def test_seasonal_index_recovers_a_known_pattern():
    # Deliveries proportional to days x factor; the index must return the factors (mean 1).
    factors = [0.9, 1.0, 1.0, 1.1, 1.1, 1.2, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7]
    factors = [f / (sum(factors) / 12) for f in factors]
    months = pd.date_range("2023-01", "2024-12", freq="MS")
    counts = [round(1000 * factors[m.month - 1] * m.days_in_month) for m in months]
    births = births_frame({"A": counts}, start="2023-01")
    index = describe.seasonal_index(births).set_index("cal_month")["index"]
    assert index.tolist() == pytest.approx(factors, rel=1e-3)


def test_summer_comparison_hand_worked():
    months = pd.date_range("2025-01", "2025-12", freq="MS")
    births = births_frame({"A": [m.days_in_month * 10 for m in months]}, start="2025-01")
    red = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-06-20", "2025-07-01", "2025-09-01"]),
            "from_unit": ["A"] * 3,
            "to_unit": ["B"] * 3,
            "reason": ["bemanning"] * 3,
            "women": [2, 3, 4],
        }
    )
    out = describe.summer_comparison(births, red, (2025,), (25, 33))
    row = out.iloc[0]
    assert row["deliveries"] == pytest.approx(9 * 7 * 10)  # nine whole weeks at 10 a day
    assert row["redirected"] == 5  # 2025-06-20 is week 25, 2025-07-01 week 27; 1 September is week 36
    assert row["redirected_per_1000"] == pytest.approx(1000 * 5 / 630)
    assert bool(row["complete"])


def test_year_to_date_and_change():
    births = births_frame({"A": [10] * 20}, start="2024-01")  # to 2025-08
    ytd = describe.year_to_date(births)
    assert (ytd["current"], ytd["previous"]) == (80, 80)
    assert describe.change(110, 100) == pytest.approx(0.10)
    assert pd.isna(describe.change(1, 0))


def test_regional_annual_marks_incomplete_year():
    births = births_frame({"A": [10] * 14, "B": [5] * 14}, start="2024-01")
    region = describe.regional_annual(births)
    assert region.set_index("year")["complete"].to_dict() == {2024: True, 2025: False}
    assert region.set_index("year").loc[2024, "deliveries"] == 180
