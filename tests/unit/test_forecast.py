import warnings

import numpy as np
import pandas as pd
import pytest

from fragile_care.model import forecast as fc
from fragile_care.model import forecast_parallel
from tests.conftest import ROOT

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


def test_constant_poisson_rate_is_recovered():
    # births per day constant at 0.8: a unit of about 290 a year
    rng = np.random.default_rng(11)
    index = pd.date_range("2017-01", "2024-12", freq="MS")
    rate = 0.8
    history = pd.Series(rng.poisson(rate * index.days_in_month.to_numpy()).astype(float), index=index)
    out = fc.forecast_births(history, 12)
    days = out.index.days_in_month.to_numpy()
    estimated = out["mean"].sum() / days.sum()
    # standard error of a rate estimated from the last five years of counts (Poisson)
    se = np.sqrt(rate / index[-60:].days_in_month.to_numpy().sum())
    assert abs(estimated - rate) < 2 * se, (estimated, out.attrs["model"])


def test_known_seasonal_pattern_is_recovered():
    factors = np.array([0.9, 0.95, 1.0, 1.05, 1.1, 1.1, 1.15, 1.05, 1.0, 0.95, 0.9, 0.85])
    index = pd.date_range("2016-01", "2024-12", freq="MS")
    history = pd.Series(30.0 * factors[index.month - 1] * index.days_in_month.to_numpy(), index=index)
    out = fc.forecast_births(history, 12)
    expected = 30.0 * factors * out.index.days_in_month.to_numpy()
    np.testing.assert_allclose(out["mean"].to_numpy(), expected, rtol=0.02)


def test_intervals_are_ordered_and_widen():
    rng = np.random.default_rng(3)
    index = pd.date_range("2015-01", "2024-12", freq="MS")
    history = pd.Series(rng.poisson(250, len(index)).astype(float), index=index)
    out = fc.forecast_births(history, 60)
    assert (out["lower_95"] <= out["lower_80"]).all() and (out["lower_80"] <= out["mean"]).all()
    assert (out["mean"] <= out["upper_80"]).all() and (out["upper_80"] <= out["upper_95"]).all()
    width = out["upper_80"] - out["lower_80"]
    assert width.iloc[-1] > width.iloc[0]
    assert out.attrs["model"] in fc.CANDIDATES


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


def test_airline_model_matches_box_jenkins_published_example():
    """SARIMA(0,1,1)(0,1,1)12 on log airline passengers (Box, Jenkins and Reinsel, Series G).

    Reference: R's documented example ``arima(log(AirPassengers), c(0, 1, 1),
    seasonal = list(order = c(0, 1, 1), period = 12))``: ma1 = -0.4018, sma1 = -0.5569,
    sigma^2 = 0.001348, log likelihood = 244.7; Box and Jenkins report theta = 0.40,
    Theta = 0.61 (conditional least squares)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    table = pd.read_csv(ROOT / "tests" / "fixtures" / "air_passengers.csv", comment="#").set_index("year")
    y = pd.Series(table.to_numpy().ravel().astype(float), index=pd.date_range("1949-01", periods=144, freq="MS"))
    assert y.sum() == 40363  # the published series total
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = SARIMAX(np.log(y), order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), simple_differencing=True).fit(disp=False)
    assert fit.params["ma.L1"] == pytest.approx(-0.4018, abs=5e-4)
    assert fit.params["ma.S.L12"] == pytest.approx(-0.5569, abs=5e-4)
    assert fit.params["sigma2"] == pytest.approx(0.001348, abs=5e-6)
    assert fit.llf == pytest.approx(244.7, abs=0.05)


def test_selection_keeps_the_combination_unless_clearly_beaten():
    # the default (chosen on the reference set): the combination whatever the backtest says
    assert fc.choose_model(pd.Series({"comb": 0.80, "ets": 0.60, "snaive": 1.0})) == "comb"
    assert fc.choose_model(pd.Series({"ets": 0.80, "snaive": 1.0})) == "ets"  # no combination backtested
    # with a margin of 5 %
    assert fc.choose_model(pd.Series({"comb": 0.80, "ets": 0.78, "snaive": 1.0}), 0.05) == "comb"  # 2.5 % lead: noise
    assert fc.choose_model(pd.Series({"comb": 0.80, "ets": 0.70, "snaive": 1.0}), 0.05) == "ets"  # 12.5 % lead
    assert fc.choose_model(pd.Series({"comb": 0.80, "snaive": 0.60}), 0.05) == "snaive"


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


@pytest.mark.parametrize("where", [30, 95])  # inside the history, and within the last year
def test_a_month_ten_times_its_neighbours_is_flagged_and_does_not_drag_the_forecast(where):
    # issue 12: an outlier month (a data error or a real spike) is flagged and the forecast
    # stays within 5 % of the clean series' forecast
    rng = np.random.default_rng(5)
    index = pd.date_range("2016-01", "2024-12", freq="MS")
    season = 1 + 0.08 * np.sin(2 * np.pi * (index.month.to_numpy() - 4) / 12)
    clean = pd.Series(rng.poisson(150 * season).astype(float), index=index)
    spiked = clean.copy()
    spiked.iloc[where] = clean.iloc[where] * 10
    from fragile_care.inputs.crosschecks import outlier_months

    hits = outlier_months(spiked)
    assert list(hits["month"]) == [index[where]]
    assert outlier_months(clean).empty  # counting noise and the season are not outliers
    base, robust = fc.forecast_births(clean, 12), fc.forecast_births(spiked, 12)
    assert robust.attrs["outliers"] == [f"{index[where]:%Y-%m}"]
    np.testing.assert_allclose(robust["mean"].to_numpy(), base["mean"].to_numpy(), rtol=0.05)
    if where >= len(index) - 12:  # without the repair a recent spike drags the forecast: the check can fail
        dragged = fc.forecast_births(spiked, 12, outliers=[])
        assert np.abs(dragged["mean"].to_numpy() / base["mean"].to_numpy() - 1).max() > 0.05


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
