"""Demographic cross-check of the births forecast: births = age-specific fertility x women
by age (observed, then projected by ageing cohorts forward).

Public inputs (real, SCB): live births in Västra Götaland by mother's age 1968-2015,
women 15-49 by single year of age 1968-2015, and the population by 5-year age group and
sex on 31 December 2020. There is no public county projection by age in the data set, so
women are projected by moving each 2020 cohort one year of age a year (no deaths, no
migration: for women under 50 both are small against the uncertainty of fertility), and
fertility is scaled to a chosen total fertility rate (Sweden 2024: 1.43, SCB).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

AGES = np.arange(15, 50)
TFR_SWEDEN_2024 = 1.43  # fact F01 (SCB)


def single_age_births(births_by_age: pd.DataFrame) -> pd.DataFrame:
    """Births per year and single mother's age 15-49: ``<15`` counted at 15, ``49+`` at 49,
    births with no age information shared out in proportion to the known ages."""
    frame = births_by_age.groupby(["year", "mother_age"], as_index=False)["live_births"].sum()
    frame["live_births"] = frame["live_births"].astype(float)
    unknown = frame[frame["mother_age"] == "no information"].set_index("year")["live_births"]
    known = frame[frame["mother_age"] != "no information"].copy()
    known["age"] = known["mother_age"].replace({"<15": "15", "49+": "49"}).astype(int)
    known = known.groupby(["year", "age"], as_index=False)["live_births"].sum()
    share = known["live_births"] / known.groupby("year")["live_births"].transform("sum")
    known["live_births"] += share * known["year"].map(unknown).fillna(0.0)
    return known


def age_specific_fertility(births_by_age: pd.DataFrame, women: pd.DataFrame, years: list[int]) -> pd.Series:
    """Mean age-specific fertility rate over ``years``: births in a year divided by the
    mean of women of that age at the start and the end of the year."""
    births = single_age_births(births_by_age)
    w = women.pivot(index="age", columns="year", values="women").astype(float)
    rates = []
    for year in years:
        exposure = (w[year - 1] + w[year]) / 2
        b = births[births["year"] == year].set_index("age")["live_births"].reindex(AGES)
        rates.append(b / exposure.reindex(AGES))
    return pd.concat(rates, axis=1).mean(axis=1).rename("asfr")


def project_women(population_2020: pd.DataFrame, years: range) -> pd.DataFrame:
    """Women 15-49 by single age on 31 December of each year, from the 2020 population by
    5-year groups (spread evenly within a group) aged forward one year a year."""
    women = population_2020[(population_2020["sex"] == "women") & population_2020["age_group"].str.fullmatch(r"\d+-\d+")]
    by_age = {}
    for group, persons in zip(women["age_group"], women["population"]):
        low, high = (int(x) for x in group.split("-"))
        for age in range(low, high + 1):
            by_age[age] = float(persons) / (high - low + 1)
    rows = []
    for year in years:
        shift = year - 2020
        for age in AGES:
            rows.append((year, int(age), by_age.get(int(age) - shift, np.nan)))
    return pd.DataFrame(rows, columns=["year", "age", "women"])


def demographic_births(asfr: pd.Series, women: pd.DataFrame, tfr: float | None = None) -> pd.DataFrame:
    """Expected births per year: sum over ages of fertility x women (mean of the start and
    end of the year). ``tfr`` rescales the age pattern to that total fertility rate."""
    rates = asfr.copy()
    if tfr is not None:
        rates = rates * tfr / rates.sum()
    w = women.pivot(index="age", columns="year", values="women").reindex(AGES)
    years = [y for y in w.columns if y - 1 in w.columns]
    out = [(y, float((rates * (w[y - 1] + w[y]) / 2).sum()), float(((w[y - 1] + w[y]) / 2).sum())) for y in years]
    return pd.DataFrame(out, columns=["year", "births", "women_15_49"])


def tfr(asfr: pd.Series) -> float:
    return float(asfr.sum())


def cross_check(
    forecast_region: pd.DataFrame,
    births: pd.DataFrame,
    county_births: pd.DataFrame,
    births_by_age: pd.DataFrame,
    women: pd.DataFrame,
    population_2020: pd.DataFrame,
    tfr_target: float = TFR_SWEDEN_2024,
    fertility_years: tuple[int, ...] = (2011, 2012, 2013, 2014, 2015),
) -> pd.DataFrame:
    """The statistical forecast beside the demographic estimate, per year.

    ``forecast_region``: annual forecast deliveries of the region (``year``, ``mean``).
    The forecast is put on the demographic scale (live births to women living in the
    county) with the units' babies per delivery and the ratio of the units' babies to the
    county's live births in the years where both exist (SCB series to 2017).
    Returns year, forecast (county scale), demographic estimate at ``tfr_target`` and at
    the fertility of ``fertility_years``, and the relative difference.
    """
    from fragile_care.model.describe import coverage_vs_public

    babies_per_delivery = float(births["babies_born"].sum()) / float(births["deliveries"].sum())
    coverage = coverage_vs_public(births, county_births)
    columns = ["year", "forecast_deliveries", "forecast_county_scale", "demographic_tfr_target", "demographic_tfr_observed", "difference"]
    reason = applicability(coverage)
    if reason:  # the county's population does not describe the area the units serve: no rescaling
        out = pd.DataFrame(columns=columns).astype(float)
        out.attrs.update({"applies": False, "reason": reason, "tfr_target": tfr_target})
        return out
    ratio = float(coverage["ratio"].mean())
    asfr = age_specific_fertility(births_by_age, women, list(fertility_years))
    years = range(2020, int(forecast_region["year"].max()) + 1)
    projected = project_women(population_2020, years)
    at_target = demographic_births(asfr, projected, tfr=tfr_target).set_index("year")["births"]
    at_observed = demographic_births(asfr, projected).set_index("year")["births"]
    out = forecast_region[["year", "mean"]].rename(columns={"mean": "forecast_deliveries"}).copy()
    out["forecast_county_scale"] = out["forecast_deliveries"] * babies_per_delivery / ratio
    out["demographic_tfr_target"] = out["year"].map(at_target)
    out["demographic_tfr_observed"] = out["year"].map(at_observed)
    out["difference"] = out["forecast_county_scale"] / out["demographic_tfr_target"] - 1
    out.attrs.update(
        {
            "babies_per_delivery": babies_per_delivery,
            "coverage_ratio": ratio,
            "tfr_target": tfr_target,
            "tfr_observed": tfr(asfr),
            "fertility_years": list(fertility_years),
            "applies": True,
            "reason": "",
        }
    )
    return out.dropna().reset_index(drop=True)


COVERAGE_RANGE = (0.8, 1.25)  # babies born at the units per live birth in the county for the check to apply


def applicability(coverage: pd.DataFrame) -> str:
    """Why the demographic cross-check does not apply to these units (Swedish, for the
    report), or "" when it does: it needs years where both the units' births and the
    county's live births are known, and the units must deliver about the county's births
    (``COVERAGE_RANGE``). A data set of another area, or of part of a county, is compared
    with nothing rather than rescaled."""
    if coverage.empty:
        return "inga år där både enheternas förlossningar och länets levande födda (SCB) finns"
    ratio = float(coverage["ratio"].mean())
    if not COVERAGE_RANGE[0] <= ratio <= COVERAGE_RANGE[1]:
        times = f"{ratio:.2f}".replace(".", ",")
        return f"enheterna förlöser {times} gånger så många barn som det föds i länet; länets befolkning beskriver inte det område enheterna betjänar"
    return ""
