import numpy as np
import pandas as pd
import pytest

from fragile_care.model import forecast as fc

pytestmark = pytest.mark.unit


def monthly(values, start="2015-01"):
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values), freq="MS"))


@pytest.mark.parametrize(
    "history, message",
    [
        (monthly([10] * 23), "too short: 23 months; at least 24"),
        (monthly([10] * 30).drop(pd.Timestamp("2016-03-01")), "gap: month 2016-03 is missing"),
        (monthly([10] * 29 + [-1]), "negative value -1 at 2017-06"),
        (pd.Series(["10"] * 29 + ["tio"], index=pd.date_range("2015-01", periods=30, freq="MS")), "non-numeric value 'tio' at 2017-06"),
        (pd.Series([10.0] * 30, index=pd.date_range("2015-01-01", periods=30, freq="D")), "non-monthly index: 2015-01-02"),
        (pd.Series([10.0] * 30, index=range(30)), "non-monthly index \\(RangeIndex\\)"),
        (pd.Series([10.0] * 30, index=pd.period_range("2015-01", periods=30, freq="Q")), "non-monthly PeriodIndex"),
        (monthly([10] * 29 + [np.nan]), "gap: no value for 2017-06"),
        ([10] * 30, "must be a pandas Series"),
    ],
)
def test_bad_history_raises_named_error(history, message):
    with pytest.raises(ValueError, match=message):
        fc.forecast_births(history, 12)


def test_bad_horizon():
    with pytest.raises(ValueError, match="horizon must be a positive whole number"):
        fc.forecast_births(monthly([10] * 30), 0)


def test_period_index_is_accepted():
    history = pd.Series(np.full(36, 100.0), index=pd.period_range("2020-01", periods=36, freq="M"))
    out = fc.forecast_births(history, 3)
    assert list(out.index) == list(pd.date_range("2023-01", periods=3, freq="MS"))


def test_reconciliation_is_exact_and_shares_the_gap_by_weight():
    idx = pd.date_range("2027-01", periods=3, freq="MS")
    unit = lambda m: pd.DataFrame({"mean": m, "lower_80": np.array(m) - 5, "upper_80": np.array(m) + 5}, index=idx)
    units = {"A": unit([100.0, 110, 120]), "B": unit([50.0, 55, 60])}
    region = unit([160.0, 165, 190])
    new_units, new_region = fc.reconcile(units, region, weights={"A": 2.0, "B": 1.0, "REGION": 1.0})
    pd.testing.assert_series_equal(new_units["A"]["mean"] + new_units["B"]["mean"], new_region["mean"], check_names=False, rtol=0, atol=0)
    # gap in month 1: 160 - 150 = 10, shared 2:1:1 -> A +5, B +2.5, region -2.5
    assert new_units["A"]["mean"].iloc[0] == pytest.approx(105.0)
    assert new_units["B"]["mean"].iloc[0] == pytest.approx(52.5)
    assert new_region["mean"].iloc[0] == pytest.approx(157.5)
    assert new_units["A"]["upper_80"].iloc[0] == pytest.approx(110.0)  # bounds move with the mean
    assert units["A"]["mean"].iloc[0] == 100.0  # arguments unchanged


def test_selection_keeps_the_combination_unless_clearly_beaten():
    # the default (chosen on the reference set): the combination whatever the backtest says
    assert fc.choose_model(pd.Series({"comb": 0.80, "ets": 0.60, "snaive": 1.0})) == "comb"
    assert fc.choose_model(pd.Series({"ets": 0.80, "snaive": 1.0})) == "ets"  # no combination backtested
    # with a margin of 5 %
    assert fc.choose_model(pd.Series({"comb": 0.80, "ets": 0.78, "snaive": 1.0}), 0.05) == "comb"  # 2.5 % lead: noise
    assert fc.choose_model(pd.Series({"comb": 0.80, "ets": 0.70, "snaive": 1.0}), 0.05) == "ets"  # 12.5 % lead
    assert fc.choose_model(pd.Series({"comb": 0.80, "snaive": 0.60}), 0.05) == "snaive"


def test_a_small_units_counting_noise_is_not_flagged():
    rng = np.random.default_rng(8)
    index = pd.date_range("2012-01", "2024-12", freq="MS")
    for mean in (3.0, 12.0, 30.0):
        series = pd.Series(rng.poisson(mean, len(index)).astype(float), index=index)
        assert len(outlier_months_of(series)) <= 1, mean  # at most a rare chance hit in 156 months


def outlier_months_of(series):
    from fragile_care.inputs.crosschecks import outlier_months

    return outlier_months(series)


def test_weekend_share_counts_saturdays_and_sundays():
    months = pd.DatetimeIndex(["2026-02-01", "2026-08-01"])
    # February 2026: the 1st, 7th, 8th, 14th, 15th, 21st, 22nd, 28th; August 2026: ten days
    assert fc.weekend_share(months).tolist() == pytest.approx([8 / 28, 10 / 31])


def test_weekend_effect_is_recovered_and_a_noisy_one_counts_for_nothing():
    """Births per day 20 % lower on weekend days: the monthly rate is proportional to
    1 - 0.2 · share, so log rate ≈ β · share with β = log(0.8)-ish slope near -0.22 over the
    range of shares; a large series recovers it, pure noise of a small one gives ~0."""
    months = pd.date_range("2010-01-01", periods=144, freq="MS")
    share = fc.weekend_share(months)
    season = 1 + 0.05 * np.sin(2 * np.pi * (months.month.to_numpy() - 1) / 12)
    rate = 3000 * season * (1 - 0.2 * share)
    rng = np.random.default_rng(5)
    large = pd.Series(rng.poisson(rate * months.days_in_month.to_numpy()).astype(float), index=months)
    expected = np.polyfit(share, np.log(1 - 0.2 * share), 1)[0]  # the slope of the log rate in the share
    assert fc.weekend_effect(large) == pytest.approx(expected, rel=0.1)
    flat = pd.Series(rng.poisson(10 * months.days_in_month.to_numpy()).astype(float), index=months)
    assert abs(fc.weekend_effect(flat)) < 0.05  # shrunk towards none: noise is not an effect
    assert fc.weekend_effect(large.iloc[:30]) == 0.0  # under three years: no estimate


def test_a_weekend_effect_moves_the_forecast_with_the_calendar_of_the_months_ahead():
    months = pd.date_range("2012-01-01", periods=120, freq="MS")
    rate = 3000 * (1 - 0.25 * fc.weekend_share(months))
    y = pd.Series(np.round(rate * months.days_in_month.to_numpy()), index=months)
    fits = fc._fit_all(y, 12)
    ahead = fc._future_index(y, 12)
    truth = 3000 * (1 - 0.25 * fc.weekend_share(ahead)) * ahead.days_in_month.to_numpy()
    for model in ("ets_level", "airline", "seasonal_mean", "comb"):
        assert np.abs(fits[model] / truth - 1).max() < 0.001, model  # within 0.1 % of every month
    assert np.abs(fits["snaive"] / truth - 1).max() > 0.008  # last year's calendar is not this year's: up to 0.9 % off
