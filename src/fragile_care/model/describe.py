"""The current state (nuläge): births per unit and year, seasonality, the summer peak,
summer comparisons and the unit structure. Pure functions on cleaned tables.
"""

from __future__ import annotations

import pandas as pd

from fragile_care.inputs.units import closed_without_merge
from fragile_care.model.calendar import iso_year_week, summer_mask, week_month, weekly_estimate


def annual_births(births: pd.DataFrame) -> pd.DataFrame:
    """Deliveries and babies per unit and year, with the number of months reported
    (``months`` < 12 marks an incomplete year)."""
    frame = births.assign(year=births["month"].dt.year)
    out = frame.groupby(["unit_id", "year"], as_index=False).agg(
        deliveries=("deliveries", "sum"), babies_born=("babies_born", "sum"), months=("month", "nunique")
    )
    return out


def regional_annual(births: pd.DataFrame) -> pd.DataFrame:
    """Region totals per year; a year counts as complete when every unit active in it
    reported all its months up to the unit's last month."""
    per_unit = annual_births(births)
    region = per_unit.groupby("year", as_index=False).agg(deliveries=("deliveries", "sum"), babies_born=("babies_born", "sum"))
    last_month = births["month"].max()
    region["complete"] = (region["year"] < last_month.year) | (last_month.month == 12)
    return region


def regional_monthly(births: pd.DataFrame) -> pd.DataFrame:
    return births.groupby("month", as_index=False)[["deliveries", "babies_born"]].sum()


def complete_years(births: pd.DataFrame) -> list[int]:
    last = births["month"].max()
    first = births["month"].min()
    years = range(first.year if first.month == 1 else first.year + 1, last.year + (1 if last.month == 12 else 0))
    return list(years)


def seasonal_index(births: pd.DataFrame, value: str = "deliveries") -> pd.DataFrame:
    """Deliveries per day in each calendar month relative to the unit's mean per day, over
    complete years (1.05 = 5 % above an average day). Corrects for month length."""
    years = complete_years(births)
    frame = births[births["month"].dt.year.isin(years)]
    frame = frame.assign(per_day=frame[value].astype(float) / frame["month"].dt.days_in_month, cal_month=frame["month"].dt.month)
    by_month = frame.groupby(["unit_id", "cal_month"], as_index=False)["per_day"].mean()
    by_month["index"] = by_month["per_day"] / by_month.groupby("unit_id")["per_day"].transform("mean")
    return by_month[["unit_id", "cal_month", "index"]]


def national_seasonal_index(monthly: pd.DataFrame, first_year: int, last_year: int) -> pd.DataFrame:
    """The same index for Sweden's monthly live births (public series), over complete years."""
    frame = monthly[(monthly["year"] >= first_year) & (monthly["year"] <= last_year)]
    counts = frame.groupby("year")["month"].nunique()
    frame = frame[frame["year"].isin(counts[counts == 12].index)]
    days = pd.to_datetime(dict(year=frame["year"], month=frame["month"], day=1)).dt.days_in_month
    frame = frame.assign(per_day=frame["live_births"].astype(float) / days.to_numpy())
    by_month = frame.groupby("month", as_index=False)["per_day"].mean()
    by_month["index"] = by_month["per_day"] / by_month["per_day"].mean()
    return by_month.rename(columns={"month": "cal_month"})[["cal_month", "index"]]


def redirections_weekly(redirections: pd.DataFrame) -> pd.DataFrame:
    """Redirected women per sending unit and ISO week (exact: the log is daily)."""
    iso = redirections["date"].dt.isocalendar()
    frame = redirections.assign(iso_year=iso["year"].astype(int), iso_week=iso["week"].astype(int))
    return frame.groupby(["from_unit", "iso_year", "iso_week"], as_index=False)["women"].sum().rename(columns={"from_unit": "unit_id"})


CAPACITY_REASONS = ("platsbrist", "bemanning")
REGION = "REGION"


def summer_unit_years(births: pd.DataFrame, years: tuple[int, ...], weeks: tuple[int, int]) -> set[tuple[str, int]]:
    """The (unit, year) pairs with deliveries reported in that year's summer weeks: a unit
    that closed (or had not opened) has no summer that year."""
    weekly = weekly_estimate(births)
    weekly = weekly[summer_mask(weekly, weeks) & weekly["iso_year"].isin(years)]
    return {(str(u), int(y)) for u, y in zip(weekly["unit_id"], weekly["iso_year"])}


def summer_redirections(
    redirections: pd.DataFrame,
    unit_ids: list[str],
    years: tuple[int, ...],
    weeks: tuple[int, int],
    active: set[tuple[str, int]] | None = None,
) -> pd.DataFrame:
    """Redirected women in the summer weeks (ISO weeks ``weeks``) of each year, per sending
    unit and for the region (``REGION``), by reason group: ``capacity`` (platsbrist,
    bemanning), ``other`` and ``all``. Every unit and year has a row (only the pairs in
    ``active`` when given: a closed unit has no row for the summers after it closed), zero
    when nothing was logged; these are the counts the reports publish (and protect) about
    redirections."""
    iso = redirections["date"].dt.isocalendar()
    frame = redirections.assign(
        unit_id=redirections["from_unit"],
        iso_year=iso["year"].astype(int),
        iso_week=iso["week"].astype(int),
        reasons=redirections["reason"].isin(CAPACITY_REASONS).map({True: "capacity", False: "other"}),
    )
    frame = frame[summer_mask(frame, weeks) & frame["iso_year"].isin(years) & frame["unit_id"].isin(unit_ids)]
    grid = pd.MultiIndex.from_product([sorted(unit_ids), sorted(years), ["capacity", "other"]], names=["unit_id", "year", "reasons"])
    if active is not None:
        grid = grid[[(u, y) in active for u, y, _ in grid]]
    parts = frame.groupby(["unit_id", "iso_year", "reasons"])["women"].sum().rename_axis(grid.names).reindex(grid, fill_value=0)
    parts = parts.reset_index()
    both = parts.groupby(["unit_id", "year"], as_index=False)["women"].sum().assign(reasons="all")
    units = pd.concat([parts, both], ignore_index=True)
    region = units.groupby(["year", "reasons"], as_index=False)["women"].sum().assign(unit_id=REGION)
    out = pd.concat([units, region], ignore_index=True)[["unit_id", "year", "reasons", "women"]]
    return out.astype({"women": "int64"}).sort_values(["year", "reasons", "unit_id"], ignore_index=True)


def region_summer_redirections(redirections: pd.DataFrame, year: int, weeks: tuple[int, int]) -> dict[str, float]:
    """The region's row of ``summer_redirections`` for one summer: women redirected for
    capacity reasons, other reasons and all reasons (0 when nothing was logged)."""
    cube = summer_redirections(redirections, sorted(set(redirections["from_unit"])), (year,), weeks)
    region = cube[cube["unit_id"] == REGION].set_index("reasons")["women"]
    return {r: float(region.get(r, 0)) for r in ("capacity", "other", "all")}


def redirections_monthly(redirections: pd.DataFrame, months: tuple[int, ...]) -> pd.Series:
    """Women redirected for capacity reasons in the region per calendar month (the months
    ``months`` of every year in the log, zero where none was logged), indexed by month start."""
    log = redirections[redirections["reason"].isin(CAPACITY_REASONS)]
    if redirections.empty:
        return pd.Series(dtype=float)
    start, end = redirections["date"].min().to_period("M"), redirections["date"].max().to_period("M")
    every = pd.period_range(start, end, freq="M").to_timestamp()
    monthly = log.groupby(log["date"].dt.to_period("M").dt.to_timestamp())["women"].sum().reindex(every, fill_value=0).astype(float)
    return monthly[monthly.index.month.isin(months)]


def summer_comparison(births: pd.DataFrame, redirections: pd.DataFrame, years: tuple[int, ...], weeks: tuple[int, int]) -> pd.DataFrame:
    """Per unit and summer (ISO weeks ``weeks`` of each year in ``years``): estimated
    deliveries, women redirected for capacity reasons (platsbrist, bemanning: the count the
    reports publish, see ``summer_redirections``) and redirections per 1 000 deliveries.

    A summer whose weeks are not all covered by the data is marked ``complete = False``."""
    weekly = weekly_estimate(births)
    weekly = weekly[summer_mask(weekly, weeks) & weekly["iso_year"].isin(years)]
    n_weeks = weeks[1] - weeks[0] + 1
    vol = weekly.groupby(["unit_id", "iso_year"], as_index=False).agg(deliveries=("deliveries", "sum"), days=("days", "sum"))
    vol["complete"] = vol["days"] == 7 * n_weeks
    active = {(str(u), int(y)) for u, y in zip(vol["unit_id"], vol["iso_year"])}
    red = summer_redirections(redirections, sorted(set(vol["unit_id"])), years, weeks, active)
    red = red[(red["reasons"] == "capacity") & (red["unit_id"] != REGION)]
    red = red.rename(columns={"year": "iso_year", "women": "redirected"})[["unit_id", "iso_year", "redirected"]]
    out = vol.merge(red, on=["unit_id", "iso_year"], how="left")
    out["redirected"] = out["redirected"].fillna(0).astype(int)
    out["redirected_per_1000"] = 1000 * out["redirected"] / out["deliveries"]
    return out.rename(columns={"iso_year": "year"}).drop(columns="days")


def change(current: float, previous: float) -> float:
    """Relative change; NaN when the previous value is 0 or missing."""
    if previous is None or previous == 0 or pd.isna(previous):
        return float("nan")
    return (current - previous) / previous


def coverage_vs_public(births: pd.DataFrame, county: pd.DataFrame) -> pd.DataFrame:
    """Babies born at the units against the county's live births (SCB) where both exist."""
    units = regional_annual(births)
    units = units[units["complete"]][["year", "babies_born"]]
    out = units.merge(county[["year", "live_births"]], on="year", how="inner")
    out["ratio"] = out["babies_born"] / out["live_births"]
    return out


def unit_structure(units: pd.DataFrame, births_sites: pd.DataFrame) -> pd.DataFrame:
    """Units with their first and last reported month and status (open / closed, merged)."""
    span = births_sites.groupby("unit_id")["month"].agg(first="min", last="max").reset_index()
    out = units.merge(span, on="unit_id", how="left")
    return out


def quality_summary(log: pd.DataFrame) -> pd.DataFrame:
    """The data-quality log grouped by file, column, severity and action, with a count
    and one example each."""
    if log.empty:
        return pd.DataFrame(columns=["file", "column", "severity", "action", "count", "example"])
    counts = log["count"].fillna(1) if "count" in log else 1  # an entry can stand for many identical findings
    frame = log.assign(column=log["column"].fillna("–"), action=log["action"].fillna(""), count=counts)
    out = frame.groupby(["file", "column", "severity", "action"], as_index=False, dropna=False).agg(
        count=("count", "sum"), example=("problem", "first")
    )
    order = {"error": 0, "rejected": 1, "repaired": 2, "warning": 3}
    return out.sort_values(["file", "severity"], key=lambda s: s.map(order) if s.name == "severity" else s).reset_index(drop=True)


def unit_labels(units: pd.DataFrame) -> dict[str, str]:
    """Display names per unit id for tables, figures and running text: the short name (e.g.
    "NÄL"); a unit that received a merged unit says so ("Östra (inkl. Mölndal)")."""
    labels = short_labels(units)
    if "merged_into" in units:
        merged = dict(labels)
        for uid, target in zip(units["unit_id"], units["merged_into"]):
            if isinstance(target, str) and target in labels:
                merged[target] = f"{merged[target]} (inkl. {labels[uid]})"
        return merged
    return labels


def year_to_date(births: pd.DataFrame) -> dict[str, float]:
    """Deliveries from January to the last month of data, this year and the year before."""
    last = births["month"].max()

    def total(year: int) -> float:
        mask = (births["month"].dt.year == year) & (births["month"].dt.month <= last.month)
        return float(births.loc[mask, "deliveries"].sum())

    return {"last_month": last, "current": total(last.year), "previous": total(last.year - 1)}


def closures_since(units: pd.DataFrame, since: pd.Timestamp) -> dict[str, pd.Timestamp]:
    """Units closed without a merge on or after ``since``: their births leave the region's
    totals, which a comparison with earlier years must say."""
    return {uid: day for uid, day in closed_without_merge(units).items() if day >= since}


def short_labels(units: pd.DataFrame) -> dict[str, str]:
    """Short unit names for tables and crowded axes: the ``short_name`` column, else the
    first alias (e.g. "NÄL"), else the full name."""
    out = {}
    empty = pd.Series([None] * len(units), index=units.index)
    for uid, name, aliases, short in zip(units["unit_id"], units["name"], units.get("aliases", empty), units.get("short_name", empty)):
        first = str(aliases).split("|")[0].strip() if isinstance(aliases, str) and aliases.strip() else ""
        given = short.strip() if isinstance(short, str) else ""
        out[uid] = given or first or name
    return out


def staff_at_work_monthly(staffing: pd.DataFrame, leave_plan: pd.DataFrame, profession: str) -> pd.Series:
    """The region's staff of one profession at work per month, in FTE: available FTE plus
    agency staff minus planned leave (the mean over the ISO weeks whose Thursday falls in
    the month; a week without a leave row counts no leave). Without the leave, summer
    months look best staffed exactly when most staff are on holiday, so only the years the
    leave plan covers are returned (empty without a leave plan)."""
    staff = staffing[staffing["profession"] == profession]
    on_books = (staff["fte_available"] + staff["fte_agency"]).groupby(staff["month"]).sum()
    leave = leave_plan[leave_plan["profession"] == profession]
    year, week = iso_year_week(leave["iso_week"])
    on_books = on_books[on_books.index.year.isin(set(year))]
    if leave.empty:
        return on_books
    month = week_month(year, week).to_numpy()
    leave_sum = leave.assign(month=month).groupby("month")["fte_on_leave"].sum()
    thursdays = pd.Series([len(pd.date_range(m, m + pd.offsets.MonthEnd(0), freq="W-THU")) for m in leave_sum.index], index=leave_sum.index)
    return on_books - (leave_sum / thursdays).reindex(on_books.index).fillna(0.0)


def neonatal_current(admissions: pd.DataFrame, units: pd.DataFrame, years: tuple[int, ...], summer_months=(6, 7, 8)) -> pd.DataFrame:
    """Neonatal care now: per unit, care level and year, admissions and cot days over the
    whole year and over the summer months, and the occupancy (cot days / (cots × days)) of
    each against the unit's cots at that level. Units without cots at a level are left out.
    A year the admissions table does not cover completely is marked ``complete`` False and
    its occupancy is over the months covered."""
    adm = admissions.assign(year=admissions["month"].dt.year)
    adm = adm[adm["year"].isin(years)]
    adm = adm.assign(summer=adm["month"].dt.month.isin(summer_months))
    covered = adm.drop_duplicates(["unit_id", "month"])
    months = covered.groupby(["unit_id", "year"]).agg(months=("month", "size"), days=("month", lambda m: int(m.dt.days_in_month.sum())))
    whole_year = adm.groupby(["unit_id", "care_level", "year"])[["admissions", "cot_days"]].sum()
    summer = adm[adm["summer"]].groupby(["unit_id", "care_level", "year"])[["admissions", "cot_days"]].sum()
    out = whole_year.join(summer.add_suffix("_summer")).fillna(0.0).reset_index()
    long = units.melt(id_vars="unit_id", value_vars=[c for c in units if c.startswith("neonatal_cots_")], value_name="cots")
    long["care_level"] = long["variable"].str.removeprefix("neonatal_cots_")
    out = out.merge(long[["unit_id", "care_level", "cots"]], on=["unit_id", "care_level"], how="inner")
    out = out[out["cots"] > 0].merge(months.reset_index(), on=["unit_id", "year"], how="left")
    summer_days = sum(pd.Timestamp(2001, m, 1).days_in_month for m in summer_months)
    out["occupancy"] = out["cot_days"] / (out["cots"] * out["days"])  # over the months the table covers
    out["occupancy_summer"] = out["cot_days_summer"] / (out["cots"] * summer_days)
    out["complete"] = out["months"] == 12
    return out.sort_values(["unit_id", "care_level", "year"], ignore_index=True)


def units_by_size(births: pd.DataFrame, months: int = 12) -> list[str]:
    """Unit ids, most deliveries in the last ``months`` months of data first (ties by id);
    units without deliveries in that window last. The order reports use when a data set
    has more units than a figure or table can show."""
    last = births["month"].max()
    recent = births[births["month"] > last - pd.DateOffset(months=months)]
    volume = recent.groupby("unit_id")["deliveries"].sum().reindex(births["unit_id"].unique(), fill_value=0)
    return sorted(volume.index, key=lambda u: (-float(volume[u]), str(u)))


def merged_units(units: pd.DataFrame) -> pd.DataFrame:
    """The units that closed and moved their care to another unit (``merged_into``):
    unit_id, closed, merged_into, oldest closure first."""
    if "merged_into" not in units:
        return pd.DataFrame(columns=["unit_id", "closed", "merged_into"])
    merged = units[units["merged_into"].notna() & (units["merged_into"].astype(str) != "")]
    return merged[["unit_id", "closed", "merged_into"]].sort_values(["closed", "unit_id"], ignore_index=True)
