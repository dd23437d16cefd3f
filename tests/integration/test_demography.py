"""Demographic cross-check on the real public series (SCB)."""

import pytest

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.inputs.contracts import check_table
from fragile_care.inputs.schemas import PUBLIC_TABLES
from fragile_care.model import demography as dm

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def public():
    names = ["vgr_live_births_by_mother_age", "vgr_women_15_49_by_age", "vgr_population_by_age_sex_2020", "vgr_live_births_annual"]
    return {n: check_table(io.read_raw_table(paths.public_dir() / f"{n}.csv"), PUBLIC_TABLES[n]).frame for n in names}


def test_a_years_own_rates_reproduce_its_births_exactly(public):
    # SCB_BE0101E2_2018 gives 19 354 live births in county 14 in 2015 (an independent download)
    asfr = dm.age_specific_fertility(public["vgr_live_births_by_mother_age"], public["vgr_women_15_49_by_age"], [2015])
    births = dm.demographic_births(asfr, public["vgr_women_15_49_by_age"]).set_index("year")["births"]
    assert births.loc[2015] == pytest.approx(19354, abs=1e-6)
    annual = public["vgr_live_births_annual"].set_index("year")["live_births"]
    assert births.loc[2015] == pytest.approx(float(annual.loc[2015]), abs=1e-6)


def test_total_fertility_is_plausible_and_scalable(public):
    asfr = dm.age_specific_fertility(
        public["vgr_live_births_by_mother_age"], public["vgr_women_15_49_by_age"], [2011, 2012, 2013, 2014, 2015]
    )
    assert 1.7 < dm.tfr(asfr) < 2.0  # Sweden's TFR was 1.85-1.91 in 2011-2015 (SCB)
    women = dm.project_women(public["vgr_population_by_age_sex_2020"], range(2025, 2027))
    low = dm.demographic_births(asfr, women, tfr=1.0)["births"].iloc[0]
    high = dm.demographic_births(asfr, women, tfr=2.0)["births"].iloc[0]
    assert high == pytest.approx(2 * low)


def test_cohorts_age_one_year_a_year(public):
    pop = public["vgr_population_by_age_sex_2020"]
    women = dm.project_women(pop, range(2020, 2026)).set_index(["year", "age"])["women"]
    group_15_19 = float(pop[(pop["sex"] == "women") & (pop["age_group"] == "15-19")]["population"].iloc[0])
    assert women.loc[(2020, 17)] == pytest.approx(group_15_19 / 5)
    assert women.loc[(2025, 22)] == pytest.approx(women.loc[(2020, 17)])  # the same cohort five years on
    assert not women.isna().any()


def test_unknown_ages_are_shared_out_not_lost(public):
    raw = public["vgr_live_births_by_mother_age"]
    single = dm.single_age_births(raw)
    for year in (1990, 2015):
        assert single[single["year"] == year]["live_births"].sum() == pytest.approx(raw[raw["year"] == year]["live_births"].sum())


def test_the_cross_check_applies_only_to_units_that_deliver_the_countys_births(public):
    """Issue 16 item 4: a data set of another area is compared with nothing, never
    rescaled to the county (it once printed a ratio of 6,348 for a national data set)."""
    import pandas as pd

    county = public["vgr_live_births_annual"]
    years = [2014, 2015, 2016]
    births_of = dict(zip(county["year"], county["live_births"]))

    def units(scale):
        months = pd.date_range(f"{years[0]}-01-01", f"{years[-1]}-12-01", freq="MS")
        per_month = [births_of[m.year] * scale / 12 for m in months]
        return pd.DataFrame({"unit_id": "A", "month": months, "deliveries": per_month, "babies_born": per_month})

    forecast = pd.DataFrame({"year": [2027, 2028], "mean": [17000.0, 17100.0]})
    args = (public["vgr_live_births_by_mother_age"], public["vgr_women_15_49_by_age"], public["vgr_population_by_age_sex_2020"])
    region = dm.cross_check(forecast, units(1.0), county, *args)
    assert region.attrs["applies"] and len(region) == 2 and region["forecast_county_scale"].notna().all()
    nation = dm.cross_check(forecast, units(6.3), county, *args)
    assert not nation.attrs["applies"] and nation.empty and "6,30 gånger" in nation.attrs["reason"]
    elsewhere = dm.cross_check(forecast, units(1.0).assign(month=lambda d: d["month"] + pd.DateOffset(years=20)), county, *args)
    assert not elsewhere.attrs["applies"] and "inga år" in elsewhere.attrs["reason"]
