"""Care levels (nära vård, issue 15 item 5): the volume of care around each birth, by
where it is given, per unit and year from the births forecast.

A pregnancy that ends in a delivery at a unit brings, by the norms of
:class:`CareLevelSettings`:

- at the midwife clinic (barnmorskemottagning, primary care): the antenatal visits of the
  basic programme and the postnatal check;
- at the hospital: the routine ultrasound examination, the delivery itself and the days
  on the postnatal ward (BB);
- at home: the home visits after an early discharge and the ward days that early
  discharge moves home (:mod:`fragile_care.model.postnatal`).

Every delivery is counted as one pregnancy followed through the programme (pregnancies
that end before a delivery and care beyond the basic programme are not counted: the
volumes are a floor). The action plan's early-discharge measures shift volume from the
hospital (ward days) to the home (home visits, days of follow-up at home): the plan's
column applies them with their unit, start, end and ramp, averaged over the year's weeks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from fragile_care.model import postnatal, scenarios

PRIMARY, HOSPITAL, HOME = "primary_care", "hospital", "home"
LEVELS_SV = {PRIMARY: "Barnmorskemottagning (primärvård)", HOSPITAL: "Sjukhus", HOME: "Hemmet"}
CONTACTS_SV = {
    "antenatal_visits": "Besök under graviditeten",
    "postnatal_checks": "Eftervårdsbesök",
    "ultrasound": "Rutinultraljud",
    "deliveries": "Förlossningar",
    "ward_days": "Vårddygn på BB",
    "home_visits": "Hembesök efter tidig hemgång",
    "home_days": "Dygn med uppföljning hemma i stället för BB",
}
CONTACT_LEVEL = {
    "antenatal_visits": PRIMARY,
    "postnatal_checks": PRIMARY,
    "ultrasound": HOSPITAL,
    "deliveries": HOSPITAL,
    "ward_days": HOSPITAL,
    "home_visits": HOME,
    "home_days": HOME,
}


class CareLevelSettings(BaseModel):
    """Norms of the care around a birth (config section ``care_levels``), each with its
    source or marked ASSUMPTION."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    antenatal_visits: float = Field(
        8.0,
        ge=0,
        le=30,
        description="midwife visits per pregnancy in the basic programme; 1177 Västerbotten, 'Besöksprogram för gravida': "
        "'sju till nio besök hos barnmorskan' (the middle, 8); VGR's regional basic programme "
        "(1177 Västra Götaland) gives no count, so set the region's own",
    )
    postnatal_checks: float = Field(
        1.0, ge=0, le=10, description="ASSUMPTION: one postnatal check (eftervårdsbesök) at the midwife clinic per birth"
    )
    ultrasound_exams: float = Field(
        1.0,
        ge=0,
        le=10,
        description="routine ultrasound examinations per pregnancy; 1177 Västra Götaland: '1-2 ultraljudsundersökningar' "
        "(the routine one); that they are done at the hospital is an ASSUMPTION",
    )
    home_visits_per_early_discharge: float = Field(
        2.0, ge=0, le=10, description="ASSUMPTION: home visits by a midwife after an early discharge"
    )


def care_level_volumes(
    annual: pd.DataFrame,
    care: CareLevelSettings,
    ward: postnatal.PostnatalSettings,
    activities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per unit, year and contact: the volume expected under the unchanged situation
    (``baseline``) and with the action plan's early-discharge measures (``with_plan``).
    ``annual``: unit_id, year, deliveries (the units, not the region). The region is the
    sum of the units (``unit_id == "REGION"``)."""
    base = annual[annual["unit_id"] != "REGION"][["unit_id", "year", "deliveries"]].reset_index(drop=True)
    share_now = np.full(len(base), ward.early_discharge_share)
    share_plan = yearly_early_shares(base, activities, ward.early_discharge_share) if activities is not None else share_now
    d = base["deliveries"].to_numpy(float)
    cs = ward.caesarean_for(base["unit_id"])
    frames = []
    for column, share in (("baseline", share_now), ("with_plan", share_plan)):
        early = d * (1 - cs) * share
        volumes = {
            "antenatal_visits": d * care.antenatal_visits,
            "postnatal_checks": d * care.postnatal_checks,
            "ultrasound": d * care.ultrasound_exams,
            "deliveries": d,
            "ward_days": d * ward.mean_stay_days(share, cs),
            "home_visits": early * care.home_visits_per_early_discharge,
            "home_days": d * ward.home_days_per_delivery(share, cs),
        }
        long = pd.concat([base[["unit_id", "year"]].assign(contact=c, value=v) for c, v in volumes.items()], ignore_index=True)
        frames.append(long.rename(columns={"value": column}))
    out = frames[0].merge(frames[1], on=["unit_id", "year", "contact"])
    region = out.groupby(["year", "contact"], as_index=False, sort=False)[["baseline", "with_plan"]].sum().assign(unit_id="REGION")
    out = pd.concat([out, region[out.columns]], ignore_index=True)
    out["level"] = out["contact"].map(CONTACT_LEVEL)
    return out[["unit_id", "year", "level", "contact", "baseline", "with_plan"]]


def yearly_early_shares(annual: pd.DataFrame, activities: pd.DataFrame, base_share: float) -> np.ndarray:
    """Per row of ``annual`` (unit_id, year): the share of women after a vaginal birth
    discharged early, averaged over the year's ISO weeks, with the early-discharge
    activities of ``activities`` in force (:func:`scenarios.early_discharge_shares`)."""
    if annual.empty:
        return np.zeros(0)
    weeks = pd.DataFrame(
        [
            (i, u, y, w)
            for i, (u, y) in enumerate(zip(annual["unit_id"], annual["year"]))
            for w in range(1, pd.Timestamp(int(y), 12, 28).isocalendar().week + 1)
        ],
        columns=["row", "unit_id", "iso_year", "iso_week"],
    )
    weeks["share"] = scenarios.early_discharge_shares(weeks, activities, base_share)
    return weeks.groupby("row")["share"].mean().reindex(range(len(annual))).to_numpy(float)
