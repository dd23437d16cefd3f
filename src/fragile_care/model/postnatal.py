"""The links after the delivery room (issue 15): the postnatal ward (BB), early discharge
with home follow-up, and caesarean sections as operating-theatre hours, per unit and ISO
week from the births forecast.

The postnatal ward
------------------
Women arrive at the ward after giving birth: a Poisson stream at the week's forecast rate
(the same assumption as for the delivery rooms). Each stays ``los_vaginal_days`` or
``los_caesarean_days`` (the baby rooms in with its mother, so a bed is a mother-and-baby
place). With ``c`` staffed beds, the offered load is ``A = arrivals per day × mean stay``
and the probability that a woman finds every bed taken is Erlang's loss formula
``B(c, A)``, which depends on the stay only through its mean (insensitivity), so the mix
of short and long stays needs no distribution. A woman who finds the ward full in
practice waits in the delivery room or is moved; B is how often it happens. The wait
itself, and what it does to the delivery rooms, is in :func:`simulate_chain` (delivery
rooms and ward in series with blocking after service), run for each unit's worst BB week
by :func:`chain_at_worst_week`. Occupancy is
``A (1 − B) / c``. :func:`check_by_simulation` compares B with the seeded simulation of
:mod:`fragile_care.model.capacity`.

Early discharge (action plan measure A05): a share of the women with a vaginal birth go
home after ``early_discharge_days`` with follow-up at home; the mean stay falls, so the
load and B fall (B rises with the load), and the bed-days saved become home-care days.

Operating theatres
------------------
Caesarean sections per week = deliveries × ``caesarean_share``, split into planned and
emergency sections, each taking ``theatre_hours_planned`` / ``theatre_hours_emergency``
hours of theatre time. Hours scale exactly with births and the caesarean share.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fragile_care.model.calendar import iso_year_week
from fragile_care.model.capacity import HOURS_PER_WEEK as HOURS_PER_WEEK_ROOMS
from fragile_care.model.capacity import erlang_b, erlang_b_mixed
from fragile_care.validation import KeyedError

HOURS_PER_DAY = 24.0
DAYS_PER_WEEK = 7.0


class PostnatalSettings(BaseModel):
    """Assumptions of the postnatal and theatre models, each with its source or marked
    ASSUMPTION where no public Swedish figure was found (``../shared/data/public/SOURCES.md``
    lists Swedish length of stay among the figures not found)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    caesarean_share: float = Field(
        0.17,
        ge=0,
        le=1,
        description="share of deliveries by caesarean section; Socialstyrelsen, 'Fakta och statistik' "
        "(socialstyrelsen.se/meranbaramamma/statistik): about one in six, 17 %, nationally",
    )
    planned_share_of_caesareans: float = Field(
        0.5,
        ge=0,
        le=1,
        description="planned sections among caesareans; Socialstyrelsen, same page: 'drygt hälften planerade, knappt hälften akuta'",
    )
    los_vaginal_days: float = Field(2.0, gt=0, le=30, description="ASSUMPTION: mean stay on the postnatal ward after a vaginal birth")
    los_caesarean_days: float = Field(3.5, gt=0, le=30, description="ASSUMPTION: mean stay on the postnatal ward after a caesarean")
    theatre_hours_planned: float = Field(
        1.25, gt=0, le=12, description="ASSUMPTION: theatre hours per planned caesarean, turnover included"
    )
    theatre_hours_emergency: float = Field(1.5, gt=0, le=12, description="ASSUMPTION: theatre hours per emergency caesarean")
    caesarean_share_by_unit: dict[str, float] = Field(
        default_factory=dict,
        description="per unit id: the unit's own share of caesareans (e.g. from its delivery register), replacing caesarean_share there",
    )
    early_discharge_share: float = Field(0.0, ge=0, le=1, description="share of women after a vaginal birth who go home early (A05)")
    early_discharge_days: float = Field(0.5, gt=0, le=30, description="ASSUMPTION: stay on the ward of a woman discharged early")

    @field_validator("caesarean_share_by_unit")
    @classmethod
    def _shares(cls, value: dict[str, float]) -> dict[str, float]:
        for unit, share in value.items():
            if not 0 <= share <= 1:
                raise KeyedError(unit, f"{share:g} is out of range; allowed: 0-1", relative=True)
        return value

    @model_validator(mode="after")
    def _early_is_shorter(self) -> PostnatalSettings:
        if self.early_discharge_days > self.los_vaginal_days:
            raise ValueError(
                f"early_discharge_days ({self.early_discharge_days}) is longer than los_vaginal_days ({self.los_vaginal_days})"
            )
        return self

    def caesarean_for(self, units) -> np.ndarray:
        """The share of caesareans of each unit id in ``units``: its own where
        ``caesarean_share_by_unit`` gives one, else ``caesarean_share``."""
        return np.array([self.caesarean_share_by_unit.get(u, self.caesarean_share) for u in units], dtype=float)

    def mean_stay_days(self, early_share=None, caesarean=None):
        """Mean stay on the ward of a woman who has given birth, early discharge included.
        ``early_share`` (a number or an array, e.g. per unit-week under a measure) replaces
        ``early_discharge_share``; ``caesarean`` (e.g. :meth:`caesarean_for`) replaces
        ``caesarean_share``."""
        share = self.early_discharge_share if early_share is None else early_share
        cs = self.caesarean_share if caesarean is None else caesarean
        vaginal = (1 - share) * self.los_vaginal_days + share * self.early_discharge_days
        return (1 - cs) * vaginal + cs * self.los_caesarean_days

    def home_days_per_delivery(self, early_share=None, caesarean=None):
        """Ward days per delivery that early discharge moves to follow-up at home."""
        share = self.early_discharge_share if early_share is None else early_share
        cs = self.caesarean_share if caesarean is None else caesarean
        return (1 - cs) * share * (self.los_vaginal_days - self.early_discharge_days)


def postnatal_beds_weekly(
    weekly: pd.DataFrame,
    units: pd.DataFrame,
    settings: PostnatalSettings,
    capacity: pd.DataFrame | None = None,
    early_share: np.ndarray | None = None,
) -> pd.DataFrame:
    """The postnatal ward per unit and ISO week.

    ``weekly``: unit_id, iso_year, iso_week, deliveries (e.g. :func:`forecast.summer_weekly`).
    ``units``: unit_id, postnatal_beds. ``capacity`` (optional input ``postnatal_capacity``):
    unit_id, iso_year, iso_week, beds_staffed; a week it does not list has the unit's
    ``postnatal_beds``.

    ``early_share`` (one value per row of ``weekly``; default the settings'
    ``early_discharge_share``) is the share of women after a vaginal birth discharged
    early in that unit-week, as an action-plan measure sets it (:mod:`scenarios`).

    Returns one row per row of ``weekly`` with ``beds``, ``arrivals_per_day``,
    ``mean_stay_days``, ``offered_load`` (erlangs: beds needed on average with no limit),
    ``occupancy`` (share of staffed beds in use), ``p_full`` (Erlang B: share of women
    who find every bed taken), ``women_finding_full`` (expected per week) and
    ``home_care_days`` (ward days moved home by early discharge, per week).
    """
    missing = [c for c in ("unit_id", "iso_year", "iso_week", "deliveries") if c not in weekly.columns]
    if missing:
        raise ValueError(f"weekly forecast lacks column(s) {', '.join(missing)}")
    beds = units.set_index("unit_id")["postnatal_beds"]
    unknown = sorted(set(weekly["unit_id"]) - set(beds.index))
    if unknown:
        raise ValueError(f"units table has no postnatal_beds for unit(s) {', '.join(map(str, unknown))}")
    out = weekly[["unit_id", "iso_year", "iso_week", "deliveries"]].copy()
    out["beds"] = out["unit_id"].map(beds).astype(float)
    if capacity is not None and not capacity.empty:
        staffed = capacity.set_index(["unit_id", "iso_year", "iso_week"])["beds_staffed"]
        key = pd.MultiIndex.from_frame(out[["unit_id", "iso_year", "iso_week"]])
        listed = staffed.reindex(key).to_numpy(float)
        out["beds"] = np.where(np.isnan(listed), out["beds"], listed)
    share = np.full(len(out), settings.early_discharge_share) if early_share is None else np.asarray(early_share, float)
    if share.shape != (len(out),) or np.any((share < 0) | (share > 1)):
        raise ValueError(f"early_share must hold one share in [0, 1] per row of the weekly forecast ({len(out)} rows)")
    cs = settings.caesarean_for(out["unit_id"])
    stay = settings.mean_stay_days(share, cs)
    out["early_share"] = share
    out["arrivals_per_day"] = out["deliveries"].astype(float) / DAYS_PER_WEEK
    out["mean_stay_days"] = stay
    out["offered_load"] = out["arrivals_per_day"] * stay
    out["p_full"] = erlang_b(out["offered_load"].to_numpy(float), out["beds"].to_numpy(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["occupancy"] = np.where(out["beds"] > 0, out["offered_load"] * (1 - out["p_full"]) / out["beds"], np.nan)
    out["women_finding_full"] = out["deliveries"] * out["p_full"]
    out["home_care_days"] = out["deliveries"] * settings.home_days_per_delivery(share, cs)
    return out


def postnatal_annual(annual: pd.DataFrame, units: pd.DataFrame, settings: PostnatalSettings, target_blocking: float) -> pd.DataFrame:
    """The postnatal ward in the years ahead, per unit and year of ``annual`` (unit_id,
    year, deliveries; the units only): beds occupied on average (deliveries a day × mean
    stay), the beds needed to keep the share of women finding the ward full at
    ``target_blocking`` at the year's mean load (Erlang B; summer closures and the weeks'
    variation come on top, see the summer tables), and the unit's ``postnatal_beds``."""
    from fragile_care.model.capacity import servers_needed

    beds = units.set_index("unit_id")["postnatal_beds"]
    out = annual[annual["unit_id"].isin(beds.index)][["unit_id", "year", "deliveries"]].reset_index(drop=True)
    out["beds_occupied"] = (
        out["deliveries"].astype(float) / 365.25 * settings.mean_stay_days(caesarean=settings.caesarean_for(out["unit_id"]))
    )
    out["beds_needed"] = servers_needed(out["beds_occupied"].to_numpy(float), target_blocking)
    out["beds"] = out["unit_id"].map(beds).astype(int)
    return out


def shortfalls_by_year(postnatal_years: pd.DataFrame, neonatal_years: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Per unit and link (``postnatal``, or a neonatal care level) where the places needed
    in ``years`` (:func:`postnatal_annual`, :func:`staffing.neonatal_annual`) exceed the
    places the unit has: the first such year, the most needed and the places there are."""
    bb = postnatal_years[postnatal_years["year"].isin(years)]
    bb = bb.assign(link="postnatal", need=bb["beds_needed"], have=bb["beds"])
    neo = neonatal_years[neonatal_years["year"].isin(years)]
    neo = neo.assign(link=neo["care_level"], need=neo["cots_needed"], have=neo["cots_physical"])
    both = pd.concat([bb[["unit_id", "year", "link", "need", "have"]], neo[["unit_id", "year", "link", "need", "have"]]], ignore_index=True)
    short = both[both["need"] > both["have"]]
    out = short.groupby(["unit_id", "link"], as_index=False, sort=True).agg(
        first_year=("year", "min"), need=("need", "max"), have=("have", "max")
    )
    return out[["unit_id", "link", "first_year", "need", "have"]]


def theatre_hours_weekly(weekly: pd.DataFrame, settings: PostnatalSettings) -> pd.DataFrame:
    """Caesarean sections and operating-theatre hours per unit and week (or any period the
    rows of ``weekly`` stand for): planned and emergency sections and their hours, with
    each unit's share of caesareans (:meth:`PostnatalSettings.caesarean_for`). Rows of
    the region (``unit_id == "REGION"``) are the sum of the units' rows of the same period
    (the unit forecasts are reconciled to the region's)."""
    units = weekly[weekly["unit_id"] != "REGION"]
    out = units[[c for c in units.columns if c != "deliveries"]].copy()
    deliveries = units["deliveries"].astype(float)
    caesareans = deliveries * settings.caesarean_for(units["unit_id"])
    out["deliveries"] = deliveries
    out["caesareans_planned"] = caesareans * settings.planned_share_of_caesareans
    out["caesareans_emergency"] = caesareans * (1 - settings.planned_share_of_caesareans)
    out["theatre_hours"] = (
        out["caesareans_planned"] * settings.theatre_hours_planned + out["caesareans_emergency"] * settings.theatre_hours_emergency
    )
    if (weekly["unit_id"] == "REGION").any():
        period = [
            c for c in out.columns if c not in ("unit_id", "deliveries", "caesareans_planned", "caesareans_emergency", "theatre_hours")
        ]
        region = out.groupby(period, as_index=False)[["deliveries", "caesareans_planned", "caesareans_emergency", "theatre_hours"]].sum()
        out = pd.concat([out, region.assign(unit_id="REGION")[out.columns]], ignore_index=True)
    return out.reset_index(drop=True)


def check_by_simulation(
    deliveries_per_week: float, beds: int, settings: PostnatalSettings, weeks: float = 30.0, replications: int = 20, seed: int = 0
) -> dict[str, float]:
    """Erlang B for one ward-week against the seeded simulation of
    :func:`fragile_care.model.capacity.simulate` (log-normal stays with the settings' mean
    and a coefficient of variation of 0.5; constant arrival rate)."""
    from fragile_care.model.capacity import Ward, simulate

    stay_hours = settings.mean_stay_days() * HOURS_PER_DAY
    load = deliveries_per_week / DAYS_PER_WEEK * settings.mean_stay_days()
    sim = simulate(
        [Ward("BB", deliveries_per_week, beds)],
        stay_hours,
        weeks=weeks,
        replications=replications,
        seed=seed,
        warmup_hours=10 * stay_hours,
    ).iloc[0]
    return {
        "erlang_b": float(erlang_b(load, beds)),
        "simulated": float(sim["blocking"]),
        "ci_low": float(sim["blocking_ci_low"]),
        "ci_high": float(sim["blocking_ci_high"]),
    }


def capacity_by_week(capacity: pd.DataFrame | None) -> pd.DataFrame | None:
    """The optional ``postnatal_capacity`` input (unit_id, iso_week as ``YYYY-Www``,
    beds_staffed) with iso_year and iso_week as numbers."""
    if capacity is None or capacity.empty:
        return None
    year, week = iso_year_week(capacity["iso_week"])
    return pd.DataFrame(
        {
            "unit_id": capacity["unit_id"].to_numpy(),
            "iso_year": year.to_numpy(),
            "iso_week": week.to_numpy(),
            "beds_staffed": capacity["beds_staffed"].astype(float).to_numpy(),
        }
    )


LINKS = ("rooms", "postnatal", "neonatal")
LINKS_SV = {"rooms": "förlossningsrummen", "postnatal": "BB", "neonatal": "neonatalvården"}


def chain_links(risk: pd.DataFrame, postnatal_weekly: pd.DataFrame, neonatal_risk: pd.DataFrame) -> pd.DataFrame:
    """Per unit and ISO week of ``risk`` (the delivery rooms' outlook): the probability that
    each link of the chain is full when someone arrives (Erlang B: the delivery rooms for a
    woman in labour, the postnatal ward for a woman after birth, and for a newborn the
    neonatal care level that is most often full), and the link most often full
    (``weakest``). Each link is modelled on its own here, as if the others had room; the
    blocking between links (a full BB keeping a woman in the delivery room) is in
    :func:`chain_at_worst_week`."""
    key = ["unit_id", "iso_year", "iso_week"]
    out = risk[key + ["blocking"]].rename(columns={"blocking": "rooms"})
    bb = postnatal_weekly.set_index(key)["p_full"]
    out["postnatal"] = bb.reindex(pd.MultiIndex.from_frame(out[key])).to_numpy()
    neo = neonatal_risk.groupby(key)["blocking"].max()
    out["neonatal"] = neo.reindex(pd.MultiIndex.from_frame(out[key])).to_numpy()
    out["weakest"] = out[list(LINKS)].fillna(-1.0).idxmax(axis=1)
    return out.reset_index(drop=True)


def chain_summary(links: pd.DataFrame) -> pd.DataFrame:
    """Per unit over the weeks of ``links``: each link's highest probability of being full
    and its week, and the link with the highest of these (the one that breaks first)."""
    rows = []
    for unit, part in links.groupby("unit_id", sort=False):
        row: dict[str, object] = {"unit_id": unit}
        for link in LINKS:
            values = part[link]
            has = values.notna().any()
            row[f"{link}_max"] = float(values.max()) if has else float("nan")
            row[f"{link}_week"] = int(part.loc[values.idxmax(), "iso_week"]) if has else None
        maxima = {link: row[f"{link}_max"] for link in LINKS if not np.isnan(row[f"{link}_max"])}
        row["weakest"] = max(maxima, key=maxima.get) if maxima else None
        rows.append(row)
    return pd.DataFrame(rows)


def _chain_replication(
    times: np.ndarray, labour: np.ndarray, ward: np.ndarray, rooms: int, beds: int, warmup: float
) -> tuple[int, int, int, list[float]]:
    """One replication of :func:`simulate_chain` from its arrival ``times`` and each woman's
    ``labour`` and ``ward`` stays: the women arrived, redirected and blocked in a delivery
    room after the warm-up, and the waits for a bed of those who waited."""
    import heapq

    events: list[tuple[float, int, int]] = [(t, 0, i) for i, t in enumerate(times.tolist())]  # 0 arrival, 1 labour over, 2 leaves ward
    heapq.heapify(events)
    rooms_taken = beds_taken = 0
    queue: list[tuple[float, int]] = []  # women waiting in a delivery room for a bed: (since, who)
    arrived = redirected = blocked = 0
    waits: list[float] = []
    while events:
        t, kind, i = heapq.heappop(events)
        counted = times[i] >= warmup
        if kind == 0:
            arrived += counted
            if rooms_taken < rooms:
                rooms_taken += 1
                heapq.heappush(events, (t + labour[i], 1, i))
            else:
                redirected += counted
        elif kind == 1:
            if beds_taken < beds:
                beds_taken += 1
                rooms_taken -= 1
                heapq.heappush(events, (t + ward[i], 2, i))
            else:
                queue.append((t, i))
                blocked += counted
        else:
            beds_taken -= 1
            if queue:
                since, j = queue.pop(0)
                beds_taken += 1
                rooms_taken -= 1
                heapq.heappush(events, (t + ward[j], 2, j))
                if times[j] >= warmup:
                    waits.append(t - since)
    return arrived, redirected, blocked, waits


def simulate_chain(
    arrivals_per_week: float,
    rooms: int,
    room_stay_hours: float,
    beds: int,
    bed_stay_days: float,
    weeks: float = 20.0,
    replications: int = 20,
    seed: int = 0,
    stay_cv: float = 0.5,
    warmup_hours: float | None = None,
) -> dict[str, float]:
    """Seeded simulation of one unit's delivery rooms and postnatal ward in series, with
    blocking after service (issue 15 item 2): a woman whose labour is over moves to the
    ward if a bed is free, else she keeps her delivery room until one is (first come,
    first served). A woman in labour who finds every room taken, by labour or by a woman
    waiting for a bed, is redirected.

    Stays are log-normal with coefficient of variation ``stay_cv``; arrivals are Poisson
    at a constant rate. Returns the share redirected (mean over replications and its 95 %
    interval), the share of women who waited in the delivery room for a bed, and the
    mean wait in hours of those who did. With ample beds it is the delivery rooms' Erlang
    loss system (``test_the_chain_reduces_to_erlang_b_when_the_ward_is_ample``)."""
    from fragile_care.model.capacity import FLAT_PROFILE, Z95, _arrivals, _stays

    if rooms < 1 or beds < 0:
        raise ValueError(f"rooms must be at least 1 and beds 0 or more, got rooms={rooms}, beds={beds}")
    bed_stay_hours = bed_stay_days * HOURS_PER_DAY
    warmup = warmup_hours if warmup_hours is not None else 5 * (room_stay_hours + bed_stay_hours)
    horizon = warmup + weeks * DAYS_PER_WEEK * HOURS_PER_DAY
    rng = np.random.default_rng(seed)
    shares, waited, wait_hours = [], [], []
    for _ in range(replications):
        times = _arrivals(rng, arrivals_per_week / (DAYS_PER_WEEK * HOURS_PER_DAY), horizon, FLAT_PROFILE)
        labour = _stays(rng, len(times), room_stay_hours, stay_cv)
        ward = _stays(rng, len(times), bed_stay_hours, stay_cv)
        arrived, redirected, blocked, waits = _chain_replication(times, labour, ward, rooms, beds, warmup)
        shares.append(redirected / arrived if arrived else 0.0)
        waited.append(blocked / arrived if arrived else 0.0)
        wait_hours.extend(waits)
    mean = float(np.mean(shares))
    se = float(np.std(shares, ddof=1) / np.sqrt(replications)) if replications > 1 else float("nan")
    return {
        "redirected_share": mean,
        "ci_low": mean - Z95 * se,
        "ci_high": mean + Z95 * se,
        "waited_for_bed_share": float(np.mean(waited)),
        "mean_wait_hours": float(np.mean(wait_hours)) if wait_hours else 0.0,
    }


def chain_at_worst_week(
    risk: pd.DataFrame,
    ward: pd.DataFrame,
    room_stay_hours: float | Mapping[str, float],
    weeks: float = 20.0,
    replications: int = 20,
    seed: int = 0,
    stay_cv: float = 0.5,
) -> pd.DataFrame:
    """The delivery rooms and the postnatal ward in one simulation (:func:`simulate_chain`)
    for each unit's week with the highest probability that BB is full: the share of women
    redirected when a full BB keeps women in the delivery room, next to the delivery
    rooms' own Erlang-B share that week (``rooms_alone``, as if BB always had room), and
    the share who wait in the delivery room for a bed and their mean wait.

    ``risk``: the rooms' outlook (unit_id, iso_year, iso_week, deliveries, rooms_staffed,
    blocking); ``ward``: :func:`postnatal_beds_weekly`. Staffed rooms are fractional (a
    room staffed part of the time); the simulation runs with the whole rooms below and
    above and weighs the two as :func:`fragile_care.model.capacity.erlang_b_mixed` does."""
    key = ["unit_id", "iso_year", "iso_week"]
    worst = ward.loc[ward.groupby("unit_id", sort=False)["p_full"].idxmax()]
    rows = []
    for w in worst.itertuples(index=False):
        room = risk[(risk["unit_id"] == w.unit_id) & (risk["iso_year"] == w.iso_year) & (risk["iso_week"] == w.iso_week)]
        if room.empty:
            continue
        r = room.iloc[0]
        unit_stay = float(room_stay_hours[w.unit_id]) if isinstance(room_stay_hours, Mapping) else room_stay_hours
        staffed = float(r["rooms_staffed"])
        low = max(1, int(np.floor(staffed)))
        share_high = staffed - low if staffed >= 1 else 0.0
        weights = {low: 1 - share_high, low + 1: share_high} if share_high > 0 else {low: 1.0}
        runs = {
            n: simulate_chain(float(w.deliveries), n, unit_stay, int(w.beds), float(w.mean_stay_days), weeks, replications, seed, stay_cv)
            for n in weights
        }
        mixed = {
            f: sum(share * runs[n][f] for n, share in weights.items())
            for f in ("redirected_share", "waited_for_bed_share", "mean_wait_hours")
        }
        rows.append(
            {
                **{k: r[k] for k in key},
                "deliveries": float(w.deliveries),
                "rooms_staffed": staffed,
                "beds": float(w.beds),
                "p_full": float(w.p_full),
                "rooms_alone": float(erlang_b_mixed(float(w.deliveries) / HOURS_PER_WEEK_ROOMS * unit_stay, staffed)),
                "chain_redirected": mixed["redirected_share"],
                "waited_for_bed_share": mixed["waited_for_bed_share"],
                "mean_wait_hours": mixed["mean_wait_hours"],
            }
        )
    return pd.DataFrame(rows)
