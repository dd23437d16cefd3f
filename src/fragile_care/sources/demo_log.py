"""The demo redirection log drawn from the capacity model with known per-unit parameters.

The log is the one table a model of redirections can be checked against, so the demo log
has a mechanism the pipeline's calibration can recover (issue 28): for every unit and day
of June–August the women turned away for capacity reasons are Poisson with mean

    (deliveries of the day) × B(load, staffed rooms) × (the unit-summer's effect),

where B is Erlang's loss formula (``capacity.blocking``) with the unit's TRUE effective
delivery-room time (:data:`TRUE_ROOM_HOURS`), the staffed rooms are what the week's
midwives at work staff (``staffing.weekly_supply`` and ``staffing.midwife_gap`` with the
default norms, on the demo's staffing and leave), and the unit-summer effect is
Gamma-distributed with mean 1 and variance :data:`TRUE_SUMMER_EFFECT` (what a summer's
routines and logging practice add). The pipeline estimates these very quantities (the
room time per unit with partial pooling and the summer effect's variance, in
``model/unit_calibration.py``); ``tests/statistical/test_demo_log_recovery.py`` draws the
log with several seeds and checks that the true values fall inside the 80 % intervals
about 80 % of the time.

2024 has a true leave plan here (drawn as for 2025-2026) that the demo data set does not
publish: the pipeline sees the summer without its leave plan, as the region does.

Women turned away for neonatal reasons are a separate Poisson stream
(:data:`NEONATAL_PER_DAY`) the room model does not cover. Every parameter is an
ASSUMPTION of the synthetic data set, stated in ``data/raw/demo/README.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fragile_care.model import capacity, chain, postnatal, staffing
from fragile_care.model.calendar import weekly_estimate

# ASSUMPTION (synthetic truth): SÄS is the slow unit (long room times: more inductions and
# women kept in the room while the postnatal ward is full), Östra the fast one.
TRUE_ROOM_HOURS = {"OSTRA": 7.0, "SAS": 10.0, "NAL": 8.0, "SKAS": 8.5}
TRUE_SUMMER_EFFECT = 0.08  # variance of the unit-summer effect (NB2 κ), ASSUMPTION
NEONATAL_PER_DAY = {"OSTRA": 0.03, "SAS": 0.02, "NAL": 0.02, "SKAS": 0.02}  # ASSUMPTION
DEFAULT_NEONATAL_PER_DAY = 0.02  # a unit not listed above, ASSUMPTION
CAPACITY_REASON_SHARES = {"platsbrist": 0.6, "bemanning": 0.4}  # ASSUMPTION
LOG_YEARS = (2024, 2025, 2026)
LOG_WEEKS = (22, 35)  # the ISO weeks 1 June-31 August touches


def expected_by_week(
    births: pd.DataFrame,
    staffing_table: pd.DataFrame,
    leave: pd.DataFrame,
    units: pd.DataFrame,
    beds: pd.DataFrame | None,
    room_hours: dict[str, float],
) -> pd.DataFrame:
    """Expected women turned away for capacity reasons per unit and ISO week of the log's
    summers (before the unit-summer effect), in the care chain (``model.chain``: a full BB
    keeps women in their rooms) with the staffed BB beds of ``beds`` (unit_id, iso_week as
    YYYY-Www, beds_staffed; other weeks the unit's beds) and the default postnatal stays:
    unit_id, iso_year, iso_week, deliveries, rooms_staffed, bb_beds, bb_stay_hours, expected."""
    births = births.assign(month=pd.to_datetime(births["month"], format="%Y-%m"))
    staff = staffing_table.assign(month=pd.to_datetime(staffing_table["month"], format="%Y-%m"))
    weekly = weekly_estimate(births)
    ids = list(room_hours)
    weekly = weekly[weekly["unit_id"].isin(ids) & weekly["iso_year"].isin(LOG_YEARS) & weekly["iso_week"].between(*LOG_WEEKS)]
    grid = weekly[["unit_id", "iso_year", "iso_week"]].reset_index(drop=True)
    supply = staffing.weekly_supply(staff, leave, grid, staffing.MIDWIFE)
    rooms = staffing.midwife_gap(weekly.reset_index(drop=True), supply, units, staffing.Norms(), room_hours)
    by_week = postnatal.capacity_by_week(beds) if beds is not None else None
    rooms = chain.with_ward(rooms, units, postnatal.PostnatalSettings(), by_week)
    d = rooms["deliveries"].to_numpy(float)
    stays = capacity.row_stays(rooms["unit_id"], room_hours)
    expected = d * chain.weekly_blocking(rooms, d, rooms["rooms_staffed"].to_numpy(float), stays)
    return rooms[["unit_id", "iso_year", "iso_week", "deliveries", "rooms_staffed", *chain.WARD_COLUMNS]].assign(expected=expected)


def draw_log(
    rng: np.random.Generator,
    expected: pd.DataFrame,
    targets: dict[str, list[str]],
    log_names: dict[str, str],
    kappa: float = TRUE_SUMMER_EFFECT,
) -> pd.DataFrame:
    """The log's rows (date, from_unit, to_unit, reason, women) for 1 June-31 August of
    each year in ``expected``: a unit-summer effect per unit and year, then Poisson women a
    day at a seventh of the week's expected count, each woman sent to one of the unit's
    ``targets`` for one of the capacity reasons; plus the neonatal stream."""
    by_week = expected.set_index(["unit_id", "iso_year", "iso_week"])["expected"]
    reasons = list(CAPACITY_REASON_SHARES)
    shares = np.array(list(CAPACITY_REASON_SHARES.values()))
    rows = []
    for year in sorted(expected["iso_year"].unique()):
        effect = {u: float(rng.gamma(1 / kappa, kappa)) if kappa > 0 else 1.0 for u in log_names}
        for day in pd.date_range(f"{year}-06-01", f"{year}-08-31", freq="D"):
            iso = day.isocalendar()
            for unit in log_names:
                mean = by_week.get((unit, int(iso.year), int(iso.week)), 0.0) / 7 * effect[unit]
                women = [(r, 1) for r in rng.choice(reasons, size=int(rng.poisson(mean)), p=shares)]
                women += [("neonatal", 1)] * int(rng.poisson(NEONATAL_PER_DAY.get(unit, DEFAULT_NEONATAL_PER_DAY)))
                for reason, n in women:
                    target = targets[unit][int(rng.integers(len(targets[unit])))]
                    rows.append((day.strftime("%Y-%m-%d"), log_names[unit], log_names[target], str(reason), n))
    frame = pd.DataFrame(rows, columns=["date", "from_unit", "to_unit", "reason", "women"])
    return frame.groupby(["date", "from_unit", "to_unit", "reason"], as_index=False, sort=True)["women"].sum()
