"""Seeded generator of the synthetic (demo) unit-level data set.

There is no public monthly series per delivery unit, no public staffing per unit and no
public redirection log, so the default data set is synthetic, calibrated to the public
figures in ``data/raw/public``. Every row carries ``source_id = SYNTHETIC_DEMO`` and the
assumptions are documented in ``data/raw/demo/README.md``. The generator is deterministic:
the same seed writes byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.inputs.contracts import check_table
from fragile_care.inputs.schemas import (
    PUBLIC_SWEDEN_ANNUAL,
    PUBLIC_SWEDEN_MONTHLY,
    PUBLIC_VGR_ANNUAL,
)
from fragile_care.sources import demo_log

SEED = 20260501
SOURCE_ID = "SYNTHETIC_DEMO"
FIRST_MONTH = pd.Timestamp("2015-01-01")
LAST_MONTH = pd.Timestamp("2026-10-01")
MULTIPLE_BIRTH_RATE = 0.015  # babies per delivery above one (twins), assumption
SU_SHARE_MOLNDAL = 0.28  # Mölndal's share of SU deliveries before the merge, assumption
MOLNDAL_CLOSED = dt.date(2017, 4, 30)  # fact D14
H1_2025_CHANGE = -0.017  # fact F12: Sweden Jan-Jun 2025 vs 2024
CHANGE_2026 = -0.017  # assumption: the 2025 change continues in 2026

# name, hospital, administration, rooms, postnatal beds, cots ic/hd/sc, anchor
UNIT_ROWS = [
    ("OSTRA", "Östra sjukhuset", "Sahlgrenska Universitetssjukhuset, Östra", "SU", 24, 80, 20, 16, 24),
    ("MOLNDAL", "Mölndals sjukhus", "Sahlgrenska Universitetssjukhuset, Mölndal", "SU", 7, 28, 0, 0, 0),
    ("NAL", "NÄL Trollhättan", "Norra Älvsborgs Länssjukhus, NU-sjukvården", "NU", 10, 30, 4, 6, 10),
    ("SAS", "SÄS Borås", "Södra Älvsborgs sjukhus, Borås", "SÄS", 10, 30, 3, 6, 10),
    ("SKAS", "Skaraborgs sjukhus Skövde", "Skaraborgs sjukhus, Skövde", "SkaS", 9, 28, 3, 5, 10),
]


@dataclass(frozen=True)
class Anchor:
    """A unit's size in one year, in babies born, and where it comes from."""

    year: int
    babies: float
    source: str


# SU (Östra with Mölndal before the merge) is anchored on "about 10 000 a year" at Östra
# c. 2022 (D13); NÄL on about 2 830 deliveries in 2023 (D06); SkaS on 2 714 babies in 2016
# (D05). SÄS has no full-year public figure: 2 900 a year in 2016 is an assumption,
# consistent with 2 476 born by the date of a 2006 article (D09).
ANCHORS = {
    "SU": Anchor(2022, 10000.0, "D13"),
    "NAL": Anchor(2023, 2830.0 * (1 + MULTIPLE_BIRTH_RATE), "D06"),
    "SKAS": Anchor(2016, 2714.0, "D05"),
    "SAS": Anchor(2016, 2900.0, "assumption (D09)"),
}
UNIT_ALIASES = {
    "OSTRA": "Östra|SU/Östra|SU Östra",
    "MOLNDAL": "Mölndal|SU/Mölndal",
    "NAL": "NÄL|NU-sjukvården|Trollhättan",
    "SAS": "SÄS|Borås",
    "SKAS": "SkaS|Skövde",
}
# The names tables and figure labels use (the full name stands once in each report's text).
SHORT_NAMES = {"OSTRA": "Östra", "MOLNDAL": "Mölndal", "NAL": "NÄL", "SAS": "SÄS", "SKAS": "SkaS"}
REDIRECT_TARGETS = {"OSTRA": ["SAS", "NAL"], "SAS": ["OSTRA"], "NAL": ["OSTRA"], "SKAS": ["OSTRA", "SAS"]}
# Names as a regional logging system writes them: harmonised by the run config's aliases.
LOG_NAMES = {"OSTRA": "Östra", "SAS": "SÄS", "NAL": "NÄL", "SKAS": "SkaS"}
BB_CLOSURE = {"NAL": 0.8, "OSTRA": 0.3}  # share of the staff leave share closed as BB beds in summer (others 0.5), ASSUMPTION
LOG_STREAM = 28  # the redirection log has its own random stream, so the other tables do not move with it
NEONATAL_RATE = {"OSTRA": 0.11, "NAL": 0.085, "SAS": 0.085, "SKAS": 0.085}  # N05: 9.4 % nationally
NEONATAL_SPLIT = {"OSTRA": (0.20, 0.30, 0.50), "other": (0.05, 0.35, 0.60)}
NEONATAL_LOS_DAYS = {"ic": 18.0, "hd": 10.0, "sc": 7.0}
# Babies moved after birth to Östra's neonatal care per baby born at the other units with a
# neonatal unit, by care level: an ASSUMPTION (no public figures per unit).
TRANSFER_RATE = {"ic": 0.004, "hd": 0.002}
TRANSFER_RECEIVER = "OSTRA"
HOURS_PER_FTE_YEAR = 1600.0  # worked hours per FTE after leave and absence, assumption
DELIVERIES_PER_MIDWIFE_FTE = 42.0  # Östra: about 234 midwives for about 10 000 births (S06, D13)
MIN_MIDWIFE_FTE = 80.0  # assumption: the least a unit staffing 7 delivery rooms around the clock budgets
# Summer substitutes and extra shifts (sommarvikarier, sold leave weeks) as a share of the
# budget, by month: assumption.
SUMMER_COVER = {"06": 0.15, "07": 0.40, "08": 0.25}


def _public(name: str, schema) -> pd.DataFrame:
    raw = io.read_raw_table(paths.public_dir() / f"{name}.csv")
    return check_table(raw, schema).frame


def regional_index() -> pd.Series:
    """Regional births per year 2015-2026: VGR's own figures 2015-2017 (SCB), then the
    national trend (Sweden's annual births), 2023 geometric between 2022 and 2024 (missing
    in the UN table), then the 2025 first-half change (F12) and an assumed 2026 change."""
    vgr = _public("vgr_live_births_annual", PUBLIC_VGR_ANNUAL).set_index("year")["live_births"].astype(float)
    swe = _public("sweden_live_births_annual", PUBLIC_SWEDEN_ANNUAL).set_index("year")["live_births"].astype(float)
    swe.loc[2023] = float(np.sqrt(swe.loc[2022] * swe.loc[2024]))
    index = {y: vgr.loc[y] for y in (2015, 2016, 2017)}
    for year in range(2018, 2025):
        index[year] = vgr.loc[2017] * swe.loc[year] / swe.loc[2017]
    index[2025] = index[2024] * (1 + H1_2025_CHANGE)
    index[2026] = index[2025] * (1 + CHANGE_2026)
    return pd.Series(index).sort_index()


def seasonal_day_factors() -> pd.Series:
    """Relative births per day by calendar month, Sweden 2015-2022 (complete years)."""
    monthly = _public("sweden_live_births_monthly", PUBLIC_SWEDEN_MONTHLY)
    monthly = monthly[(monthly["year"] >= 2015) & (monthly["year"] <= 2022)].copy()
    days = pd.to_datetime(dict(year=monthly["year"], month=monthly["month"], day=1)).dt.days_in_month
    monthly["per_day"] = monthly["live_births"].astype(float) / days.to_numpy()
    factors = monthly.groupby("month")["per_day"].mean()
    return factors / factors.mean()


def _unit_annual_babies(index: pd.Series) -> dict[str, pd.Series]:
    out = {}
    for unit, anchor in ANCHORS.items():
        out[unit] = anchor.babies * index / index.loc[anchor.year]
    return out


def _births(rng: np.random.Generator, index: pd.Series, factors: pd.Series) -> pd.DataFrame:
    months = pd.date_range(FIRST_MONTH, LAST_MONTH, freq="MS")
    annual = _unit_annual_babies(index)
    rows = []
    for month in months:
        year = month.year
        year_days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
        weight = factors.loc[month.month] * month.days_in_month / float(factors.loc[year_days.month].sum())
        expected = {u: annual[u].loc[year] * weight for u in annual}
        su = expected.pop("SU")
        before_merge = month <= pd.Timestamp(MOLNDAL_CLOSED)
        expected["OSTRA"] = su * (1 - SU_SHARE_MOLNDAL) if before_merge else su
        if before_merge:
            expected["MOLNDAL"] = su * SU_SHARE_MOLNDAL
        for unit in ("OSTRA", "MOLNDAL", "NAL", "SAS", "SKAS"):
            if unit not in expected:
                continue
            deliveries = int(rng.poisson(expected[unit] / (1 + MULTIPLE_BIRTH_RATE)))
            babies = deliveries + int(rng.binomial(deliveries, MULTIPLE_BIRTH_RATE))
            rows.append((unit, month.strftime("%Y-%m"), deliveries, babies))
    return pd.DataFrame(rows, columns=["unit_id", "month", "deliveries", "babies_born"])


def _units() -> pd.DataFrame:
    frame = pd.DataFrame(
        UNIT_ROWS,
        columns=[
            "unit_id",
            "name",
            "hospital",
            "administration",
            "delivery_rooms",
            "postnatal_beds",
            "neonatal_cots_ic",
            "neonatal_cots_hd",
            "neonatal_cots_sc",
        ],
    )
    frame["opened"] = ""
    frame["closed"] = np.where(frame["unit_id"] == "MOLNDAL", MOLNDAL_CLOSED.isoformat(), "")
    frame["merged_into"] = np.where(frame["unit_id"] == "MOLNDAL", "OSTRA", "")
    frame["aliases"] = frame["unit_id"].map(UNIT_ALIASES)
    frame["short_name"] = frame["unit_id"].map(SHORT_NAMES)
    return frame


def _neonatal_positions(unit: pd.Series) -> float:
    """24/7 nurse positions by BAPM ratios 1:1 intensive, 1:2 high dependency, 1:4 special care."""
    return unit["neonatal_cots_ic"] * 1.0 + unit["neonatal_cots_hd"] / 2 + unit["neonatal_cots_sc"] / 4


def _staffing(
    rng: np.random.Generator,
    births: pd.DataFrame,
    units: pd.DataFrame,
    min_midwife_fte: dict[str, float] | None = None,
    extra_vacancy: dict[str, float] | None = None,
    no_agency: tuple[str, ...] = ("OSTRA",),
) -> pd.DataFrame:
    """Monthly FTE per unit and profession. ``min_midwife_fte`` (per unit; default
    ``MIN_MIDWIFE_FTE`` for all) is the least midwife budget, ``extra_vacancy`` a unit's
    vacancy rate above the common one (default SÄS +3 points), ``no_agency`` the units
    that hire no agency staff."""
    extra_vacancy = {"SAS": 0.03} if extra_vacancy is None else extra_vacancy
    annual = births.assign(year=births["month"].str[:4].astype(int)).groupby(["unit_id", "year"])["deliveries"].sum()
    rows = []
    fte_per_position = 24 * 365 / HOURS_PER_FTE_YEAR
    for _, unit in units.iterrows():
        uid = unit["unit_id"]
        unit_months = births.loc[births["unit_id"] == uid, "month"]
        for month in unit_months:
            year = int(month[:4])
            summer = month[5:] in ("06", "07", "08")
            # Budget set from the previous year's volume (the current year for the first year).
            base_year = max(year - 1, int(unit_months.iloc[0][:4]))
            volume = float(annual.loc[(uid, base_year)])
            vacancy_rate = min(0.03 + 0.006 * max(0, year - 2015), 0.10) + extra_vacancy.get(uid, 0.0)
            floor = MIN_MIDWIFE_FTE if min_midwife_fte is None else min_midwife_fte[uid]
            budgets = {
                "barnmorska": max(volume / DELIVERIES_PER_MIDWIFE_FTE, floor),
                "undersköterska": volume / 52.0,
                "neonatalsjuksköterska": _neonatal_positions(unit) * fte_per_position,
            }
            for profession, budget in budgets.items():
                if budget == 0:
                    continue
                vacancies = budget * vacancy_rate * float(rng.uniform(0.8, 1.2))
                absence = budget * float(rng.uniform(0.04, 0.07))
                agency = budget * float(rng.uniform(0.02, 0.05)) if summer and uid not in no_agency and year >= 2022 else 0.0
                cover = budget * SUMMER_COVER.get(month[5:], 0.0) * float(rng.uniform(0.9, 1.1))
                available = budget - vacancies - absence + cover
                rows.append((uid, month, profession, round(budget, 1), round(available, 1), round(agency, 1), round(vacancies, 1)))
    return pd.DataFrame(rows, columns=["unit_id", "month", "profession", "fte_budgeted", "fte_available", "fte_agency", "vacancies"])


def leave_share(week: int) -> float:
    """Share of budgeted FTE on planned leave in an ISO week: four weeks of summer leave for
    90 % of staff, spread over weeks 25-33 and peaking in weeks 28-31; 3 % other weeks."""
    profile = {25: 0.5, 26: 1.0, 27: 1.6, 28: 2.0, 29: 2.2, 30: 2.2, 31: 2.0, 32: 1.4, 33: 0.8}
    if week not in profile:
        return 0.03
    return 4 * 0.9 * profile[week] / sum(profile.values())


def _leave_plan(rng: np.random.Generator, staffing: pd.DataFrame, years: tuple[int, ...] = (2025, 2026)) -> pd.DataFrame:
    rows = []
    for year in years:
        june = staffing[staffing["month"] == f"{year}-06"]
        for _, st in june.iterrows():
            for week in range(22, 36):
                share = leave_share(week) * float(rng.uniform(0.9, 1.1))
                rows.append((st["unit_id"], f"{year}-W{week:02d}", st["profession"], round(st["fte_budgeted"] * share, 1)))
    return pd.DataFrame(rows, columns=["unit_id", "iso_week", "profession", "fte_on_leave"])


def _postnatal_capacity(units: pd.DataFrame, years: tuple[int, ...] = (2024, 2025, 2026, 2027)) -> pd.DataFrame:
    """Postnatal (BB) beds staffed in summer weeks 25-33 of the open units: half as many beds
    closed as the share of staff on leave (``leave_share``), at NÄL (the BB bottleneck of
    the synthetic truth) and Östra the share in :data:`BB_CLOSURE`; an ASSUMPTION of a plausible summer plan
    (no public figures). No random draws: the other tables stay as they were."""
    rows = []
    for _, unit in units[units["closed"] == ""].iterrows():
        closure = BB_CLOSURE.get(unit["unit_id"], 0.5)
        for year in years:
            for week in range(25, 34):
                beds = int(round(unit["postnatal_beds"] * (1 - closure * leave_share(week))))
                rows.append((unit["unit_id"], f"{year}-W{week:02d}", beds))
    return pd.DataFrame(rows, columns=["unit_id", "iso_week", "beds_staffed"])


def _redirections(
    rng: np.random.Generator, births: pd.DataFrame, staffing: pd.DataFrame, units: pd.DataFrame, leave: pd.DataFrame
) -> pd.DataFrame:
    """The summer redirection log drawn from the capacity model (``demo_log``): 2024's leave
    plan is drawn here as 2025's and 2026's were, and kept out of the published leave plan."""
    leave_2024 = _leave_plan(rng, staffing, years=(2024,))
    beds = _postnatal_capacity(units)
    expected = demo_log.expected_by_week(births, staffing, pd.concat([leave_2024, leave]), units, beds, demo_log.TRUE_ROOM_HOURS)
    return demo_log.draw_log(rng, expected, REDIRECT_TARGETS, LOG_NAMES)


def _neonatal(
    rng: np.random.Generator,
    births: pd.DataFrame,
    rate: dict[str, float] = NEONATAL_RATE,
    split_of=lambda uid: NEONATAL_SPLIT["OSTRA" if uid == "OSTRA" else "other"],
) -> pd.DataFrame:
    """Monthly neonatal admissions and cot days by care level: a share ``rate`` of the
    babies born at the unit (units without a rate have no neonatal unit), split over
    intensive, high-dependency and special care by ``split_of(unit)``. A month's cot days
    are at most the level's cots (``UNIT_ROWS``) times the month's days: a full unit moves
    babies elsewhere (ASSUMPTION; units not in ``UNIT_ROWS`` have no cap)."""
    cots = {(row[0], level): row[6 + i] for row in UNIT_ROWS for i, level in enumerate(("ic", "hd", "sc"))}
    rows = []
    for _, b in births.iterrows():
        uid = b["unit_id"]
        if uid not in rate:
            continue  # no neonatal unit (Mölndal: its newborns were cared for at Östra)
        total = int(rng.poisson(b["babies_born"] * rate[uid]))
        split = split_of(uid)
        counts = rng.multinomial(total, split)
        for level, count in zip(("ic", "hd", "sc"), counts):
            cot_days = int(rng.poisson(count * NEONATAL_LOS_DAYS[level])) if count else 0
            if (uid, level) in cots:
                cot_days = min(cot_days, cots[(uid, level)] * pd.Period(b["month"], "M").days_in_month)
            rows.append((uid, b["month"], level, int(count), cot_days))
    return pd.DataFrame(rows, columns=["unit_id", "month", "care_level", "admissions", "cot_days"])


def _neonatal_transfers(
    seed: int, births: pd.DataFrame, admissions: pd.DataFrame, rate: dict[str, float] = TRANSFER_RATE, receiver: str = TRANSFER_RECEIVER
) -> pd.DataFrame:
    """Newborns moved from the other units with a neonatal unit to ``receiver``, by month
    and care level: Poisson(babies born × ``rate``) per unit and month. Transfers are part
    of the receiver's admissions, so a month's transfers at a level stop at the receiver's
    admissions there (the later units in the units table get fewer that month). Its own
    random generator (``seed`` + 15), so the other tables stay as they were."""
    rng = np.random.default_rng(seed + 15)
    room = admissions[admissions["unit_id"] == receiver].set_index(["month", "care_level"])["admissions"].to_dict()
    origins = births[births["unit_id"].isin([u for u in NEONATAL_RATE if u != receiver])]
    rows = []
    for b in origins.itertuples(index=False):
        for level, r in rate.items():
            left = room.get((b.month, level), 0)
            moved = min(int(rng.poisson(b.babies_born * r)), left)
            room[(b.month, level)] = left - moved
            if moved:
                rows.append((b.month, b.unit_id, receiver, level, moved))
    return pd.DataFrame(rows, columns=["month", "from_unit", "to_unit", "care_level", "transfers"])


# A realistic demo action plan (handlingsplan) for summer 2027; baselines are summer 2025's
# values of the indicators in the demo data (redirections for capacity reasons, as every
# report counts them: 71 women, 23,5 per 1 000), targets about a quarter lower. Statuses as
# on the default run's data cut-off (31 August 2026), the one date every report reads them
# against: only A07 has started (and ended); the rest start later.
ACTION_PLAN_ROWS = [
    (
        "A01",
        "Sommarersättning för barnmorskor som arbetar veckorna 28–31 på SÄS",
        "kompetensförsörjning",
        "SÄS",
        "2027-01-15",
        "2027-09-30",
        "planerad",
        "hänvisade_sommar",
        71,
        53,
        "extra_staff",
        "SAS",
        "",
        4.0,
        "28-31",
        "",
        "step",
        "",
        "",
    ),
    (
        "A02",
        "Regional förlossningskoordinering mellan NÄL och Östra",
        "regional samordning",
        "Regionkansliet",
        "2027-03-01",
        "2028-12-31",
        "planerad",
        "hänvisade_per_1000",
        23.5,
        17.6,
        "pooling",
        "NAL",
        "OSTRA",
        "",
        "",
        "",
        "step",
        "",
        "",
    ),
    (
        "A03",
        "Förskjuten semester på Östra: 6 årsarbetare från vecka 29–30 till 34–35",
        "produktions- och kapacitetsstyrning",
        "SU",
        "2027-02-01",
        "2027-08-31",
        "planerad",
        "veckor_med_risk",
        10,
        7,
        "move_leave",
        "OSTRA",
        "",
        6.0,
        "29-30",
        "34-35",
        "step",
        "",
        "",
    ),
    (
        "A04",
        "Bemanningspool med barnmorskor för NÄL",
        "kompetensförsörjning",
        "NU",
        "2026-11-01",
        "2027-12-31",
        "planerad",
        "vakansgrad_barnmorskor",
        9.8,
        8,
        "extra_staff",
        "NAL",
        "",
        3.0,
        "25-33",
        "",
        "ramp",
        26,
        "",
    ),
    (
        "A05",
        "Tidig hemgång med uppföljning i hemmet på Östra: var tredje kvinna efter vaginal förlossning",
        "nära vård",
        "SU",
        "2026-09-01",
        "2030-12-31",
        "planerad",
        "",
        "",
        "",
        "early_discharge",
        "OSTRA",
        "",
        "",
        "",
        "",
        "ramp",
        26,
        0.33,
    ),
    (
        "A06",
        "Digital överblick över lediga förlossningsrum i regionen",
        "digitalisering",
        "Regionkansliet",
        "2026-10-01",
        "2027-05-31",
        "planerad",
        "",
        "",
        "",
        "none",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ),
    (
        "A07",
        "Gemensamma riktlinjer för hänvisning mellan förlossningsenheter",
        "kunskapsstyrning",
        "Regionkansliet",
        "2026-03-01",
        "2026-06-30",
        "klar",
        "",
        "",
        "",
        "none",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ),
]
ACTION_PLAN_COLUMNS = [
    "activity_id",
    "title",
    "area",
    "owner",
    "start",
    "end",
    "status",
    "indicator",
    "baseline",
    "target",
    "effect_type",
    "effect_unit",
    "effect_partner",
    "effect_fte",
    "effect_weeks",
    "effect_to_weeks",
    "effect_profile",
    "ramp_weeks",
    "effect_share",
]


def generate(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Build every demo table. Pure: reads only the public series."""
    rng = np.random.default_rng(seed)
    index = regional_index()
    factors = seasonal_day_factors()
    units = _units()
    births = _births(rng, index, factors)
    staffing = _staffing(rng, births, units)
    leave = _leave_plan(rng, staffing)  # the draws in this order: each table as before
    admissions = _neonatal(rng, births)
    redirections = _redirections(np.random.default_rng([seed, LOG_STREAM]), births, staffing, units, leave)
    tables = {
        "units": units,
        "births_monthly": births,
        "staffing": staffing,
        "leave_plan": leave,
        "redirections": redirections,
        "neonatal_admissions": admissions,
        "action_plan": pd.DataFrame(ACTION_PLAN_ROWS, columns=ACTION_PLAN_COLUMNS),
        "postnatal_capacity": _postnatal_capacity(units),
        "neonatal_transfers": _neonatal_transfers(seed, births, admissions),
    }
    return {name: frame.assign(source_id=SOURCE_ID) for name, frame in tables.items()}


def write_demo(out_dir: Path | None = None, seed: int = SEED) -> list[Path]:
    """Write the demo tables as CSV into ``out_dir`` (default ``data/raw/demo``)."""
    out_dir = Path(out_dir) if out_dir is not None else paths.demo_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in generate(seed).items():
        target = out_dir / f"{name}.csv"
        io.write_csv(frame, target)
        written.append(target)
    return written
