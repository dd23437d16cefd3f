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
