"""Seeded generator of a synthetic national-size data set, for the scale benchmark.

``fragile-care bench scale`` runs the whole pipeline on data sets of 4, 12 and about 45
delivery units, the size of Sweden's maternity care, to measure time and memory. No real
unit-level data of that size is public, so this module makes one in the shape of the demo
data (``sources.demo``, whose pattern and helpers it reuses): every input table, with the
same national season and trend, units of 200 to 10 000 births a year spread evenly on a
log scale, grouped into regions, and an overflow map where a unit's women go first to the
largest unit of its region and a region's largest unit to the next region's. Names say
that the units are synthetic ("Syntetisk enhet 07"); nothing here describes a real
hospital. Deterministic: the same seed and size give the same tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.sources import demo, demo_log

SEED = 20261123
SOURCE_ID = "SYNTHETIC_SCALE"
SMALLEST, LARGEST = 200.0, 10_000.0  # babies a year in the index's reference year
UNITS_PER_REGION = 3  # about 15 regions at 45 units
ROOM_PER_BIRTHS = 330.0  # ASSUMPTION: a delivery room per 330 births a year (the demo units: 280-420)
BIRTHS_PER_POSTNATAL_BED = 100.0  # ASSUMPTION
NEONATAL_RATE = 0.085  # the demo's rate outside the university hospital (N05: 9.4 % nationally)
IC_FROM = 1500.0  # ASSUMPTION: neonatal intensive care at units with at least 1 500 births a year


def unit_sizes(n_units: int, seed: int = SEED) -> np.ndarray:
    """Babies a year per unit: ``n_units`` sizes evenly spaced on a log scale from
    ``SMALLEST`` to ``LARGEST``, in a seeded order (so a region mixes sizes)."""
    sizes = np.geomspace(SMALLEST, LARGEST, n_units) if n_units > 1 else np.array([LARGEST])
    return np.random.default_rng(seed).permutation(sizes)


def neonatal_split(babies: float) -> tuple[float, float, float]:
    """Admissions by care level (intensive, high dependency, special care): the demo's
    split where intensive care is given, none of it at units below ``IC_FROM``."""
    return demo.NEONATAL_SPLIT["other"] if babies >= IC_FROM else (0.0, 0.4, 0.6)


def neonatal_cots(babies: float) -> dict[str, int]:
    """Cots per care level for the expected occupancy (admissions times the demo's length
    of stay) with room for its variation: mean + 3 standard deviations (Poisson) + 1, so
    that a month's cot days stay within the data checks' plausible occupancy."""
    out = {}
    for level, share in zip(("ic", "hd", "sc"), neonatal_split(babies), strict=True):
        mean = babies * NEONATAL_RATE * share * demo.NEONATAL_LOS_DAYS[level] / 365.0
        out[level] = int(np.ceil(mean + 3 * np.sqrt(mean) + 1)) if share else 0
    return out


def _units(sizes: np.ndarray) -> pd.DataFrame:
    rows = []
    for i, babies in enumerate(sizes, start=1):
        region = (i - 1) // UNITS_PER_REGION + 1
        cots = neonatal_cots(babies)
        rows.append(
            {
                "unit_id": f"U{i:02d}",
                "name": f"Syntetisk enhet {i:02d}",
                "hospital": f"Syntetiskt sjukhus {i:02d}",
                "administration": f"Syntetisk region {region:02d}",
                "delivery_rooms": max(2, int(round(babies / ROOM_PER_BIRTHS))),
                "postnatal_beds": max(4, int(round(babies / BIRTHS_PER_POSTNATAL_BED))),
                "neonatal_cots_ic": cots["ic"],
                "neonatal_cots_hd": cots["hd"],
                "neonatal_cots_sc": cots["sc"],
                "opened": "",
                "closed": "",
                "merged_into": "",
                "aliases": "",
                "short_name": f"E{i:02d}",
            }
        )
    return pd.DataFrame(rows)


def overflow_map(units: pd.DataFrame, sizes: np.ndarray) -> dict[str, list[str]]:
    """Where each unit's overflow goes first: the largest unit of its region, then the
    region's second largest; a region's largest unit sends to the next region's largest."""
    frame = units.assign(size=sizes)
    by_region = {admin: group.sort_values("size", ascending=False)["unit_id"].tolist() for admin, group in frame.groupby("administration")}
    regions = sorted(by_region)
    out: dict[str, list[str]] = {}
    for k, region in enumerate(regions):
        ranked = by_region[region]
        next_hub = by_region[regions[(k + 1) % len(regions)]][0]
        for uid in ranked:
            targets = [u for u in ranked[:2] if u != uid]
            out[uid] = [next_hub] if uid == ranked[0] else targets
            if out[uid] == [uid] or not out[uid]:
                out[uid] = [u for u in units["unit_id"] if u != uid][:1]
    return out


def _births(rng: np.random.Generator, sizes: np.ndarray, units: pd.DataFrame) -> pd.DataFrame:
    index = demo.regional_index()
    factors = demo.seasonal_day_factors()
    trend = index / index.loc[2022]
    months = pd.date_range(demo.FIRST_MONTH, demo.LAST_MONTH, freq="MS")
    year_weight = {}
    for year in sorted(set(months.year)):
        days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
        year_weight[year] = float(factors.loc[days.month].sum())
    rows = []
    for month in months:
        weight = factors.loc[month.month] * month.days_in_month / year_weight[month.year]
        for uid, babies in zip(units["unit_id"], sizes, strict=True):
            expected = babies * trend.loc[month.year] * weight
            deliveries = int(rng.poisson(expected / (1 + demo.MULTIPLE_BIRTH_RATE)))
            rows.append((uid, month.strftime("%Y-%m"), deliveries, deliveries + int(rng.binomial(deliveries, demo.MULTIPLE_BIRTH_RATE))))
    return pd.DataFrame(rows, columns=["unit_id", "month", "deliveries", "babies_born"])


def _action_plan(units: pd.DataFrame, sizes: np.ndarray, overflow: dict[str, list[str]]) -> pd.DataFrame:
    largest = units["unit_id"].iloc[int(np.argmax(sizes))]
    smallest = units["unit_id"].iloc[int(np.argmin(sizes))]
    admin = units.set_index("unit_id")["administration"]
    empty = {c: "" for c in demo.ACTION_PLAN_COLUMNS}
    rows = [
        {
            **empty,
            "activity_id": "S01",
            "title": f"Sommarersättning för barnmorskor vid {units.set_index('unit_id').loc[largest, 'short_name']}",
            "area": "kompetensförsörjning",
            "owner": admin[largest],
            "start": "2027-01-15",
            "end": "2027-09-30",
            "status": "planerad",
            "effect_type": "extra_staff",
            "effect_unit": largest,
            "effect_fte": 4.0,
            "effect_weeks": "28-31",
            "effect_profile": "step",
        },
        {
            **empty,
            "activity_id": "S02",
            "title": "Samordnad hänvisning till regionens största enhet",
            "area": "regional samordning",
            "owner": "Regionkansliet",
            "start": "2027-03-01",
            "end": "2028-12-31",
            "status": "planerad",
            "effect_type": "pooling",
            "effect_unit": smallest,
            "effect_partner": overflow[smallest][0],
            "effect_profile": "step",
        },
        {
            **empty,
            "activity_id": "S03",
            "title": "Gemensamma riktlinjer för hänvisning",
            "area": "kunskapsstyrning",
            "owner": "Regionkansliet",
            "start": "2026-03-01",
            "end": "2026-06-30",
            "status": "klar",
            "effect_type": "none",
        },
    ]
    return pd.DataFrame(rows, columns=demo.ACTION_PLAN_COLUMNS)


def true_room_hours(ids: list[str], seed: int) -> dict[str, float]:
    """The synthetic truth of each unit's effective delivery-room time: 8 h times a
    log-normal factor with sd 0.15 (ASSUMPTION), seeded."""
    rng = np.random.default_rng([seed, 7])
    return {u: float(8.0 * np.exp(0.15 * z)) for u, z in zip(ids, rng.standard_normal(len(ids)), strict=True)}


def _redirections(
    rng: np.random.Generator, births: pd.DataFrame, staffing: pd.DataFrame, units: pd.DataFrame, leave: pd.DataFrame, overflow
) -> pd.DataFrame:
    """The redirection log drawn from the care chain as the demo's (``demo_log``), with
    each unit's time from :func:`true_room_hours` and its BB beds all staffed."""
    ids = units["unit_id"].tolist()
    leave_2024 = demo._leave_plan(rng, staffing, years=(2024,))
    hours = true_room_hours(ids, SEED)
    expected = demo_log.expected_by_week(births, staffing, pd.concat([leave_2024, leave]), units, None, hours)
    return demo_log.draw_log(rng, expected, {u: list(overflow[u]) for u in ids}, {u: u for u in ids})


def generate(n_units: int = 45, seed: int = SEED) -> tuple[dict[str, pd.DataFrame], dict[str, list[str]]]:
    """Every input table of a synthetic data set of ``n_units`` delivery units, and its
    overflow map. Pure: reads only the public series the demo generator reads."""
    rng = np.random.default_rng(seed + n_units)
    sizes = unit_sizes(n_units, seed)
    units = _units(sizes)
    overflow = overflow_map(units, sizes)
    births = _births(rng, sizes, units)
    rooms = units.set_index("unit_id")["delivery_rooms"]
    staffing = demo._staffing(
        rng,
        births,
        units,
        min_midwife_fte={u: r * demo.MIN_MIDWIFE_FTE / 7 for u, r in rooms.items()},  # the demo's floor per room
        extra_vacancy={},
        no_agency=(),
    )
    ids = units["unit_id"].tolist()
    size_of = dict(zip(ids, sizes, strict=True))
    leave = demo._leave_plan(rng, staffing)
    tables = {
        "units": units,
        "births_monthly": births,
        "staffing": staffing,
        "leave_plan": leave,
        "redirections": _redirections(np.random.default_rng([seed, n_units, demo.LOG_STREAM]), births, staffing, units, leave, overflow),
        "neonatal_admissions": demo._neonatal(
            rng,
            births,
            {u: NEONATAL_RATE for u in ids},
            lambda uid: neonatal_split(size_of[uid]),
        ),
        "action_plan": _action_plan(units, sizes, overflow),
    }
    return {name: frame.assign(source_id=SOURCE_ID) for name, frame in tables.items()}, overflow


def write_dataset(out_dir: Path, n_units: int = 45, seed: int = SEED) -> Path:
    """Write the tables as CSV into ``out_dir`` and a run config for them beside
    (``out_dir/run.yaml``, the default run's settings with the data path and overflow map);
    returns the config's path."""
    out_dir = Path(out_dir)
    data = out_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    tables, overflow = generate(n_units, seed)
    for name, frame in tables.items():
        io.write_csv(frame, data / f"{name}.csv")
    raw = yaml.safe_load((paths.config_dir() / "runs" / "2026-T2.yaml").read_text(encoding="utf-8"))
    raw.update(
        run_id=f"scale-{n_units}",
        title=f"Syntetisk skaltest med {n_units} förlossningsenheter (EXEMPELDATA)",
        data={"source": "path", "path": str(data.resolve())},
        harmonisation={"aliases": {}, "merges": []},
    )
    raw.setdefault("capacity", {})["overflow"] = overflow
    config = out_dir / "run.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config
