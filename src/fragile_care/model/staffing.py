"""Staff needed against staff available, per unit and ISO week.

Need comes from the (forecast or observed) deliveries and configurable norms; supply from
the staffing table (budgeted FTE, vacancies, available FTE, agency staff) and the leave
plan by ISO week. Everything is in FTE (årsarbetare) and in staffed rooms or cots.

Norms and their sources (defaults of :class:`Norms`; every one is configurable):

- One midwife per woman in active labour: Svenska Barnmorskeförbundet, policy "En födande
  – en barnmorska" (2022; public fact S01). A staffed delivery room is a room with a
  midwife on duty, so the midwives on the delivery ward set the number of staffed rooms.
- Births per midwife FTE per year, 28: Royal College of Obstetricians and Gynaecologists
  et al., *Safer Childbirth: Minimum Standards for the Organisation and Delivery of Care
  in Labour* (London, RCOG Press, 2007), the 1:28 ratio for the whole midwife
  establishment. A UK benchmark for all midwifery work (antenatal, labour, postnatal,
  community); shown beside the delivery-ward need, not used for the rooms.
- Neonatal nurses per cot: 1 intensive care, 0.5 high dependency, 0.25 special care:
  British Association of Perinatal Medicine, *Service Standards for Hospitals Providing
  Neonatal Care*, 3rd ed. (BAPM, 2010), the ratios 1:1, 1:2, 1:4.
- 34.33 hours a week for a full-time post in rotating three-shift work including nights
  (arbetstid vid treskift, 34 h 20 min, Sveriges Kommuner och Regioner, Allmänna
  bestämmelser); a position staffed around the clock (168 h) therefore needs
  168 / 34.33 = 4.9 FTE who are at work that week.
- Half of a unit's midwife FTE work on the delivery ward (the rest on the postnatal ward,
  in specialist antenatal care and ultrasound): an ASSUMPTION; no public source gives the
  split. Replace it with the unit's own schedule.
- The need for rooms (and cots) is the fewest that keep the Erlang-B blocking at or below
  ``target_blocking`` (default 1 %, a policy choice of this model, not a national norm).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from fragile_care.inputs.schemas import CARE_LEVELS
from fragile_care.model import capacity
from fragile_care.model.calendar import iso_year_week, week_month, weekly_estimate
from fragile_care.validation import KeyedError

WEEKS_PER_YEAR = 365.25 / 7
MIDWIFE = "barnmorska"
NEONATAL_NURSE = "neonatalsjuksköterska"


class Norms(BaseModel):
    """Staffing norms (see the module docstring for the sources). Each default and allowed
    range is defined here once; the run configuration's section ``staffing`` is this model."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    midwives_per_woman_in_labour: float = Field(1.0, ge=0.1, le=5, description="midwives per woman in active labour (Barnmorskeförbundet)")
    births_per_midwife_fte_year: float = Field(
        28.0, ge=1, le=500, description="benchmark births per midwife FTE a year (RCOG Safer Childbirth)"
    )
    nurses_per_cot: dict[str, float] = Field(
        default_factory=lambda: {"ic": 1.0, "hd": 0.5, "sc": 0.25},
        description="neonatal nurses per cot by care level ic/hd/sc, each above 0 and at most 5 (BAPM)",
    )
    hours_per_fte_week: float = Field(34.33, ge=1, le=80, description="working hours a week of a full-time post (three-shift)")
    labour_ward_share: float = Field(0.5, ge=0.01, le=1, description="share of midwife FTE working on the delivery ward (ASSUMPTION)")
    target_blocking: float = Field(0.01, ge=1e-6, le=0.5, description="highest acceptable share of women redirected (policy choice)")

    @field_validator("nurses_per_cot")
    @classmethod
    def _ratios(cls, value: dict[str, float]) -> dict[str, float]:
        if set(value) != set(CARE_LEVELS):
            raise ValueError(f"must map each of {', '.join(CARE_LEVELS)} to nurses per cot")
        for level, ratio in value.items():
            if not 0 < ratio <= 5:
                raise KeyedError(level, f"{ratio:g} is out of range; allowed: above 0-5", relative=True)
        return value

    @property
    def fte_per_position(self) -> float:
        """FTE at work that week needed to fill one position around the clock."""
        return capacity.HOURS_PER_WEEK / self.hours_per_fte_week


def summer_grid(units: list[str], year: int, weeks: tuple[int, int]) -> pd.DataFrame:
    """Every unit × ISO week of one summer."""
    return pd.DataFrame(
        [(u, year, w) for u in units for w in range(weeks[0], weeks[1] + 1)],
        columns=["unit_id", "iso_year", "iso_week"],
    )


def weekly_supply(
    staffing: pd.DataFrame, leave_plan: pd.DataFrame, grid: pd.DataFrame, profession: str, reference_year: int | None = None
) -> pd.DataFrame:
    """Staff at work per unit and ISO week for one profession, in FTE.

    supply = available FTE (budgeted minus vacancies and other absence) + agency FTE −
    planned leave in that week, from the staffing row of the month of the week's
    Thursday. With ``reference_year`` the staffing and leave of that year's same ISO week
    are used (the unchanged situation for a future summer). A week without a leave row
    counts no planned leave and is flagged (``leave_planned`` False). When leave exceeds
    the staff at work the supply is 0, and ``leave_exceeds_staff`` says so.

    Raises ValueError naming the unit and month when a staffing row is missing.
    """
    source_year = grid["iso_year"] if reference_year is None else pd.Series(reference_year, index=grid.index)
    frame = grid.assign(source_year=source_year.astype(int))
    frame["month"] = week_month(frame["source_year"], frame["iso_week"]).to_numpy()
    staff = staffing[staffing["profession"] == profession]
    frame = frame.merge(
        staff[["unit_id", "month", "fte_budgeted", "fte_available", "fte_agency", "vacancies"]],
        on=["unit_id", "month"],
        how="left",
        validate="many_to_one",
    )
    missing = frame[frame["fte_budgeted"].isna()]
    if not missing.empty:
        row = missing.iloc[0]
        raise ValueError(
            f"staffing: no {profession} row for unit {row['unit_id']} in {row['month']:%Y-%m} "
            f"(needed for ISO week {int(row['source_year'])}-W{int(row['iso_week']):02d}; {len(missing)} unit-weeks lack one)"
        )
    leave = leave_plan[leave_plan["profession"] == profession]
    source_year, week = iso_year_week(leave["iso_week"])
    leave = leave.assign(source_year=source_year, week=week)[["unit_id", "source_year", "week", "fte_on_leave"]]
    frame = frame.merge(
        leave,
        left_on=["unit_id", "source_year", "iso_week"],
        right_on=["unit_id", "source_year", "week"],
        how="left",
        validate="many_to_one",
    ).drop(columns="week")
    frame["leave_planned"] = frame["fte_on_leave"].notna()
    frame["fte_on_leave"] = frame["fte_on_leave"].fillna(0.0)
    at_work = frame["fte_available"] + frame["fte_agency"] - frame["fte_on_leave"]
    frame["leave_exceeds_staff"] = at_work < 0
    frame["fte_supply"] = at_work.clip(lower=0.0)
    return frame.assign(profession=profession)


def midwife_gap(
    deliveries: pd.DataFrame, supply: pd.DataFrame, units: pd.DataFrame, norms: Norms, mean_stay_hours: capacity.Stay
) -> pd.DataFrame:
    """Midwives and staffed delivery rooms needed against available, per unit and week,
    for the rooms alone (Erlang B). The pipeline replaces the need with the care chain's
    (:func:`allocation.chain_need`, once the BB link is known), so the published shortfall
    is the one model's; this rooms-only need is its ample-ward limit and the demo
    generator's.

    ``deliveries``: unit_id, iso_year, iso_week, deliveries (women per week).
    ``supply``: from :func:`weekly_supply` for midwives.

    Columns (FTE are årsarbetare at work that week):
    load_erlangs (women in active labour at a time, on average), rooms_needed (fewest
    rooms with blocking ≤ target), fte_need (delivery-ward midwives to staff them around
    the clock), fte_supply_ward (the ward's share of midwives at work), fte_gap (supply −
    need; negative = shortfall), rooms_physical, rooms_staffed (rooms the midwives on duty
    can staff around the clock, at most the physical rooms; fractional: 9.6 means a tenth
    room staffed 60 % of the time), rooms_gap (staffed − needed),
    fte_benchmark (1:28 establishment benchmark for all midwifery) and
    fte_gap_benchmark (all midwives at work − benchmark).
    """
    flags = [c for c in ("leave_planned",) if c in supply]
    frame = deliveries[["unit_id", "iso_year", "iso_week", "deliveries"]].merge(
        supply[["unit_id", "iso_year", "iso_week", "fte_supply", *flags]],
        on=["unit_id", "iso_year", "iso_week"],
        how="left",
        validate="one_to_one",
    )
    if frame["fte_supply"].isna().any():
        row = frame[frame["fte_supply"].isna()].iloc[0]
        raise ValueError(f"no midwife supply for unit {row['unit_id']} in {int(row['iso_year'])}-W{int(row['iso_week']):02d}")
    rooms = units.set_index("unit_id")["delivery_rooms"]
    frame["rooms_physical"] = frame["unit_id"].map(rooms).astype(int)
    zero = frame[frame["rooms_physical"] <= 0]
    if not zero.empty:
        raise ValueError(
            f"units: delivery_rooms is {int(zero['rooms_physical'].iloc[0])} for open unit {zero['unit_id'].iloc[0]}; "
            "a delivery unit needs at least one room"
        )
    load = capacity.offered_load(frame["deliveries"].to_numpy(float), capacity.row_stays(frame["unit_id"], mean_stay_hours))
    rooms_needed = capacity.servers_needed(load, norms.target_blocking)
    on_duty_needed = rooms_needed * norms.midwives_per_woman_in_labour
    ward_supply = frame["fte_supply"] * norms.labour_ward_share
    on_duty = ward_supply / norms.fte_per_position
    # Staff for 9.6 rooms staffs a tenth room part of the time (capacity.erlang_b_mixed),
    # so the staffed rooms are not rounded down: every FTE added counts.
    staffed = np.minimum(frame["rooms_physical"].astype(float), on_duty / norms.midwives_per_woman_in_labour)
    benchmark = frame["deliveries"] * WEEKS_PER_YEAR / norms.births_per_midwife_fte_year
    return frame.assign(
        load_erlangs=load,
        rooms_needed=rooms_needed,
        fte_need=on_duty_needed * norms.fte_per_position,
        fte_supply_ward=ward_supply,
        fte_gap=ward_supply - on_duty_needed * norms.fte_per_position,
        rooms_staffed=staffed,
        rooms_gap=staffed - rooms_needed,
        rooms_short=rooms_needed > frame["rooms_physical"],
        fte_benchmark=benchmark,
        fte_gap_benchmark=frame["fte_supply"] - benchmark,
    )


def _complete_years(admissions: pd.DataFrame, years: int) -> dict[str, list[int]]:
    """Per unit: the last ``years`` calendar years with all twelve months in ``admissions``."""
    adm = admissions.assign(year=admissions["month"].dt.year)
    months = adm.groupby(["unit_id", "year"])["month"].nunique()
    complete = months[months == 12].reset_index()
    return {u: sorted(y)[-years:] for u, y in complete.groupby("unit_id")["year"]}


def _in_unit_years(frame: pd.DataFrame, unit_years: dict[str, list[int]], unit_col: str = "unit_id") -> pd.DataFrame:
    """The rows of ``frame`` (with a ``month``) in the years ``unit_years`` gives for the
    row's unit (``unit_col``)."""
    years = frame["month"].dt.year
    return frame[[y in unit_years.get(u, ()) for u, y in zip(frame[unit_col], years)]]


def _deliveries_in(births: pd.DataFrame, unit_years: dict[str, list[int]]) -> pd.Series:
    """Deliveries per unit summed over the years ``unit_years`` gives for it."""
    return _in_unit_years(births, unit_years).groupby("unit_id")["deliveries"].sum()


def neonatal_rates(admissions: pd.DataFrame, births: pd.DataFrame, years: int = 3, transfers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Admissions per delivery and mean stay (cot days per admission) per unit and care
    level over the last ``years`` complete calendar years of the admissions table.

    The admissions table counts every baby cared for at the unit, transfers included. With
    ``transfers`` (optional input ``neonatal_transfers``: month, from_unit, to_unit,
    care_level, transfers) the babies moved in from other units are taken out
    (``transfers_in``), so ``per_delivery`` is the unit's own babies per own delivery and
    the transferred babies follow the deliveries where they were born
    (:func:`transfer_rates`)."""
    last = _complete_years(admissions, years)
    adm = _in_unit_years(admissions, last)
    deliveries = _deliveries_in(births, last)
    per = adm.groupby(["unit_id", "care_level"], as_index=False)[["admissions", "cot_days"]].sum()
    per["transfers_in"] = 0.0
    if transfers is not None and not transfers.empty:
        inflow = _in_unit_years(transfers, last, "to_unit").groupby(["to_unit", "care_level"])["transfers"].sum()
        key = pd.MultiIndex.from_frame(per[["unit_id", "care_level"]])
        per["transfers_in"] = inflow.reindex(key).fillna(0.0).to_numpy(float)
    own = (per["admissions"] - per["transfers_in"]).clip(lower=0.0)
    per["per_delivery"] = own / per["unit_id"].map(deliveries)
    per["mean_stay_days"] = per["cot_days"] / per["admissions"].where(per["admissions"] > 0)
    per["years"] = per["unit_id"].map({u: len(y) for u, y in last.items()})
    return per


def transfer_rates(transfers: pd.DataFrame | None, admissions: pd.DataFrame, births: pd.DataFrame, years: int = 3) -> pd.DataFrame:
    """Babies moved after birth from the unit where they were born (``from_unit``) to the
    unit of care (``unit_id``), per care level, per delivery at the unit of birth: over the
    same complete years of the receiving unit as :func:`neonatal_rates`. Empty without
    transfers. A unit's deliveries then bring neonatal demand to the units its babies are
    moved to, typically the intensive care of the unit with the highest level."""
    cols = ["from_unit", "unit_id", "care_level", "transfers", "per_delivery"]
    if transfers is None or transfers.empty:
        return pd.DataFrame(columns=cols)
    last = _complete_years(admissions, years)
    out = (
        _in_unit_years(transfers, last, "to_unit")
        .groupby(["from_unit", "to_unit", "care_level"], as_index=False)["transfers"]
        .sum()
        .rename(columns={"to_unit": "unit_id"})
    )
    origin_years = {o: last.get(u, []) for o, u in zip(out["from_unit"], out["unit_id"])}
    born = _deliveries_in(births, origin_years)
    out["per_delivery"] = out["transfers"] / out["from_unit"].map(born).where(lambda v: v > 0)
    return out[cols].fillna({"per_delivery": 0.0})


def neonatal_admissions_expected(deliveries: pd.DataFrame, rates: pd.DataFrame, flows: pd.DataFrame | None, key: list[str]) -> pd.DataFrame:
    """Expected neonatal admissions per care unit, ``key`` period and care level: the
    unit's own (its deliveries × its own rate) and those moved in (each origin's deliveries
    in the same period × its transfer rate). ``deliveries``: unit_id, *key, deliveries."""
    own = deliveries.merge(rates[["unit_id", "care_level", "per_delivery"]], on="unit_id")
    own = own.assign(admissions_own=own["deliveries"] * own["per_delivery"])[["unit_id", *key, "care_level", "admissions_own"]]
    if flows is None or flows.empty:
        return own.assign(admissions_transferred=0.0)
    moved = deliveries.rename(columns={"unit_id": "from_unit"}).merge(
        flows[["from_unit", "unit_id", "care_level", "per_delivery"]], on="from_unit"
    )
    moved["admissions_transferred"] = moved["deliveries"] * moved["per_delivery"]
    moved = moved.groupby(["unit_id", *key, "care_level"], as_index=False)["admissions_transferred"].sum()
    out = own.merge(moved, on=["unit_id", *key, "care_level"], how="left")
    return out.fillna({"admissions_transferred": 0.0})


def neonatal_gap(
    deliveries: pd.DataFrame,
    supply: pd.DataFrame,
    units: pd.DataFrame,
    rates: pd.DataFrame,
    norms: Norms,
    flows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Neonatal nurses and staffed cots needed against available, per unit, week and care
    level (units with cots only). Admissions are the unit's own babies and, with ``flows``
    (:func:`transfer_rates`), the babies moved in from the units where they were born
    (``admissions_own``, ``admissions_transferred``).

    Occupied cots (load) = admissions per day × mean stay in days; cots needed = fewest
    with blocking ≤ target; nurses on duty needed = Σ cots needed × nurses per cot.
    Nurses at work staff intensive care first, then high dependency, then special care
    (:func:`staff_ic_first`: up to what each level needs, then further cots), each level at
    most its physical cots; like the delivery rooms the staffed cots are fractional (a cot
    staffed part of the time, capacity.erlang_b_mixed).
    """
    levels = list(CARE_LEVELS)
    cots = units.set_index("unit_id")[[f"neonatal_cots_{lv}" for lv in levels]]
    with_cots = cots[cots.sum(axis=1) > 0].index
    frame = deliveries[deliveries["unit_id"].isin(with_cots)][["unit_id", "iso_year", "iso_week", "deliveries"]]
    frame = frame.merge(
        supply[["unit_id", "iso_year", "iso_week", "fte_supply"]], on=["unit_id", "iso_year", "iso_week"], how="left", validate="one_to_one"
    )
    if frame["fte_supply"].isna().any():
        row = frame[frame["fte_supply"].isna()].iloc[0]
        raise ValueError(f"no neonatal nurse supply for unit {row['unit_id']} in {int(row['iso_year'])}-W{int(row['iso_week']):02d}")
    key = ["unit_id", "iso_year", "iso_week"]
    expected = neonatal_admissions_expected(deliveries[[*key, "deliveries"]], rates, flows, ["iso_year", "iso_week"])
    expected = expected.set_index([*key, "care_level"])
    rows = []
    for level in levels:
        r = rates[rates["care_level"] == level].set_index("unit_id")
        part = frame.assign(care_level=level)
        part["cots_physical"] = part["unit_id"].map(cots[f"neonatal_cots_{level}"]).astype(int)
        stay_days = part["unit_id"].map(r["mean_stay_days"]).fillna(0.0)
        found = expected.reindex(pd.MultiIndex.from_frame(part[[*key, "care_level"]]))
        part["admissions_own"] = found["admissions_own"].fillna(0.0).to_numpy(float)
        part["admissions_transferred"] = found["admissions_transferred"].fillna(0.0).to_numpy(float)
        part["admissions"] = part["admissions_own"] + part["admissions_transferred"]
        part["load_erlangs"] = part["admissions"] / 7 * stay_days
        part["cots_needed"] = capacity.servers_needed(part["load_erlangs"].to_numpy(), norms.target_blocking)
        part["nurses_per_cot"] = norms.nurses_per_cot[level]
        rows.append(part)
    long = pd.concat(rows, ignore_index=True)
    on_duty = (frame["fte_supply"] / norms.fte_per_position).to_numpy(float)  # one value per unit-week, as frame's rows
    physical = {lv: frame["unit_id"].map(cots[f"neonatal_cots_{lv}"]).to_numpy(float) for lv in levels}
    need = {lv: long.loc[long["care_level"] == lv, "cots_needed"].to_numpy(float) for lv in levels}
    staffed = staff_ic_first(on_duty, physical, norms.nurses_per_cot, need)
    long["cots_staffed"] = np.concatenate([staffed[lv] for lv in levels])  # long is the levels stacked in that order
    need_positions = (long["cots_needed"] * long["nurses_per_cot"]).groupby([long[k] for k in key]).transform("sum")
    long["fte_need"] = need_positions * norms.fte_per_position
    long["fte_gap"] = long["fte_supply"] - long["fte_need"]
    return long


def staff_ic_first(
    positions, cots: Mapping[str, object], nurses_per_cot: Mapping[str, float], needed: Mapping[str, object] | None = None
) -> dict[str, np.ndarray]:
    """Staffed cots per care level when ``positions`` nurses on duty (a number or an array)
    staff intensive care first, then high dependency, then special care, each level at its
    ``nurses_per_cot`` and up to its physical ``cots`` (numbers or arrays like
    ``positions``; fractional: a cot staffed part of the time). With ``needed`` (cots per
    level the week needs) the nurses first staff each level, in that order, up to what it
    needs, and what is left opens further cots in the same order: a unit keeps its
    sickest babies' cots open but does not staff empty intensive-care cots while special
    care turns babies away."""
    unknown = sorted(set(cots) - set(CARE_LEVELS))
    if unknown:
        raise ValueError(f"unknown care level(s) {', '.join(unknown)}; allowed: {', '.join(CARE_LEVELS)}")
    left = np.maximum(np.asarray(positions, dtype=float), 0.0)
    levels = [lv for lv in CARE_LEVELS if lv in cots]
    physical = {lv: np.asarray(cots[lv], dtype=float) for lv in levels}
    caps = [{lv: np.minimum(physical[lv], np.asarray(needed[lv], dtype=float)) for lv in levels}] if needed is not None else []
    out = {lv: np.zeros(np.broadcast_shapes(left.shape, physical[lv].shape)) for lv in levels}
    for cap in [*caps, physical]:
        for level in levels:
            more = np.clip(left / nurses_per_cot[level], 0.0, np.maximum(cap[level] - out[level], 0.0))
            out[level] = out[level] + more
            left = np.maximum(left - more * nurses_per_cot[level], 0.0)
    return out


def review_years(leave_plan: pd.DataFrame, compare_years: tuple[int, ...]) -> list[int]:
    """The summers to review: the compare years that have a leave plan (at most the last two)."""
    planned = set(leave_plan["iso_week"].str[:4].astype(int))
    return [y for y in compare_years if y in planned][-2:]


def impute_leave(leave_plan: pd.DataFrame, staffing: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Leave rows for summers of ``years`` that have no leave plan: each unit's, profession's
    and ISO week's share of budgeted FTE on leave, averaged over the summers that have a
    plan, times the summer's own budget (the staffing row of the week's month). Returns the
    imputed rows only (same columns as the leave plan, ``source_id`` "imputed"); empty when
    no summer lacks a plan or no summer has one."""
    source_year, week = iso_year_week(leave_plan["iso_week"])
    planned = leave_plan.assign(source_year=source_year, week=week)
    missing = sorted(set(years) - set(planned["source_year"]))
    cols = ["unit_id", "iso_week", "profession", "fte_on_leave", "source_id"]
    if not missing or planned.empty:
        return pd.DataFrame(columns=cols)
    planned["month"] = week_month(planned["source_year"], planned["week"]).to_numpy()
    budget = staffing[["unit_id", "month", "profession", "fte_budgeted"]]
    planned = planned.merge(budget, on=["unit_id", "month", "profession"], how="inner", validate="many_to_one")
    planned = planned[planned["fte_budgeted"] > 0]
    share = (planned["fte_on_leave"] / planned["fte_budgeted"]).groupby([planned["unit_id"], planned["profession"], planned["week"]]).mean()
    share = share.rename("share").reset_index()
    out = pd.concat([share.assign(source_year=y) for y in missing], ignore_index=True)
    out["month"] = week_month(out["source_year"], out["week"]).to_numpy()
    out = out.merge(budget, on=["unit_id", "month", "profession"], how="inner", validate="many_to_one")
    out["iso_week"] = out["source_year"].astype(str) + "-W" + out["week"].map("{:02d}".format)
    return out.assign(fte_on_leave=out["share"] * out["fte_budgeted"], source_id="imputed")[cols]


def summer_deliveries(
    births: pd.DataFrame, forecasts: pd.DataFrame, units: list[str], years: list[int], outlook_year: int, weeks: tuple[int, int]
) -> pd.DataFrame:
    """Deliveries per unit and summer week: observed (spread from months) for the review
    years, the forecast (with its log-scale sigma) for the outlook year. Column ``kind``
    is "utfall" or "prognos"."""
    from fragile_care.model.forecast import summer_weekly

    observed = weekly_estimate(births)
    observed = observed[observed["iso_year"].isin(years) & observed["iso_week"].between(*weeks) & observed["unit_id"].isin(units)]
    observed = observed.assign(sigma_log=0.0, kind="utfall")
    ahead = summer_weekly(forecasts[forecasts["unit_id"].isin(units)], outlook_year, weeks).assign(kind="prognos")
    cols = ["kind", "unit_id", "iso_year", "iso_week", "deliveries", "sigma_log"]
    return pd.concat([observed[cols], ahead[cols]], ignore_index=True)


def midwife_weeks(
    deliveries: pd.DataFrame,
    staffing: pd.DataFrame,
    leave_plan: pd.DataFrame,
    units: pd.DataFrame,
    norms: Norms,
    mean_stay_hours: capacity.Stay,
    reference_year: int | None,
) -> pd.DataFrame:
    """The midwife table of the weeks of ``deliveries`` (unit_id, iso_year, iso_week,
    deliveries, kind, sigma_log): supply (:func:`weekly_supply`, from ``reference_year``'s
    staffing and leave when given) against the rooms' need (:func:`midwife_gap`), with the
    rows' kind and forecast sigma."""
    grid = deliveries[["unit_id", "iso_year", "iso_week"]]
    supply = weekly_supply(staffing, leave_plan, grid, MIDWIFE, reference_year)
    gap = midwife_gap(deliveries, supply, units, norms, mean_stay_hours)
    return gap.merge(deliveries[["unit_id", "iso_year", "iso_week", "kind", "sigma_log"]], on=["unit_id", "iso_year", "iso_week"])


def summer_staffing(
    deliveries: pd.DataFrame,
    staffing: pd.DataFrame,
    leave_plan: pd.DataFrame,
    units: pd.DataFrame,
    admissions: pd.DataFrame,
    births: pd.DataFrame,
    norms: Norms,
    mean_stay_hours: capacity.Stay,
    reference_year: int,
    neonatal_years: int = 3,
    transfers: pd.DataFrame | None = None,
    rates: pd.DataFrame | None = None,
    flows: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Midwife and neonatal staffing per unit and summer week.

    Observed summers use their own staffing and leave; the outlook summer (kind
    "prognos") uses ``reference_year``'s staffing and leave plan for the same ISO weeks:
    the unchanged situation. Returns (midwives, neonatal by care level). ``rates`` and
    ``flows`` (:func:`neonatal_rates`, :func:`transfer_rates`) are computed from the
    admissions, births and ``transfers`` when not given.
    """
    mid, neo = [], []
    if rates is None:
        rates = neonatal_rates(admissions, births, neonatal_years, transfers)
    if flows is None:
        flows = transfer_rates(transfers, admissions, births, neonatal_years)
    for kind, part in deliveries.groupby("kind", sort=False):
        grid = part[["unit_id", "iso_year", "iso_week"]]
        ref = reference_year if kind == "prognos" else None
        mid.append(midwife_weeks(part, staffing, leave_plan, units, norms, mean_stay_hours, ref))
        nurses = weekly_supply(staffing, leave_plan, grid, NEONATAL_NURSE, ref)
        neo.append(neonatal_gap(part, nurses, units, rates, norms, flows).assign(kind=kind))
    return pd.concat(mid, ignore_index=True), pd.concat(neo, ignore_index=True)


def neonatal_annual(
    annual: pd.DataFrame, units: pd.DataFrame, rates: pd.DataFrame, flows: pd.DataFrame | None, norms: Norms
) -> pd.DataFrame:
    """The years ahead for neonatal care, per unit with cots, year and care level, from the
    yearly births forecast ``annual`` (unit_id, year, deliveries): expected admissions (own
    and moved in from the units where the babies were born), cots occupied on average
    (admissions a day × mean stay), the cots needed to keep the blocking at the year's
    mean load at ``target_blocking`` (the summer peak and the weeks' variation come on
    top; see the summer tables), the unit's cots, and the nurse FTE the needed cots take."""
    cots = units.set_index("unit_id")[[f"neonatal_cots_{lv}" for lv in CARE_LEVELS]]
    with_cots = cots[cots.sum(axis=1) > 0].index
    out = neonatal_admissions_expected(annual[["unit_id", "year", "deliveries"]], rates, flows, ["year"])
    out = out[out["unit_id"].isin(with_cots)].reset_index(drop=True)
    stay = rates.set_index(["unit_id", "care_level"])["mean_stay_days"]
    stays = stay.reindex(pd.MultiIndex.from_frame(out[["unit_id", "care_level"]])).fillna(0.0).to_numpy(float)
    out["admissions"] = out["admissions_own"] + out["admissions_transferred"]
    out["cots_occupied"] = out["admissions"] / 365.25 * stays
    out["cots_needed"] = capacity.servers_needed(out["cots_occupied"].to_numpy(float), norms.target_blocking)
    out["cots_physical"] = [int(cots.at[u, f"neonatal_cots_{lv}"]) for u, lv in zip(out["unit_id"], out["care_level"])]
    out["nurse_fte"] = out["cots_needed"] * out["care_level"].map(norms.nurses_per_cot) * norms.fte_per_position
    return out.sort_values(["unit_id", "year", "care_level"]).reset_index(drop=True)
