"""Checks across tables and checks of meaning (the action plan's and the best-practice
register's): each problem names file, row and column.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from fragile_care.inputs.contracts import TableCheck
from fragile_care.inputs.plan_checks import check_best_practice, check_plan
from fragile_care.inputs.quality import (
    Problem,
)
from fragile_care.inputs.units import closed_without_merge, is_open


def meaning_checks(check: TableCheck, checked: dict[str, TableCheck] | None = None) -> list[Problem]:
    """Checks of meaning beyond the column contract, for the tables that have them (the
    action plan; the best-practice register, against the plan when it is given)."""
    if check.table == "action_plan":
        return check_plan(check)
    if check.table == "best_practice":
        return check_best_practice(check, (checked or {}).get("action_plan"))
    if check.table == "redirections":
        return redirection_checks(check)
    if check.table == "births_monthly":
        return births_checks(check) + births_gaps(check) + births_plausibility(check)
    if check.table == "staffing":
        return staffing_plausibility(check)
    return []


def capacity_checks(checked: dict[str, TableCheck]) -> list[Problem]:
    """Checks across tables that the staffing and capacity models rely on, each naming
    the file, row and column: an open unit without delivery rooms; an open unit-month
    without midwives at work (or a unit with neonatal cots without neonatal nurses);
    planned leave above the FTE budgeted for that unit, month and profession."""
    out: list[Problem] = []
    units = checked.get("units")
    if units is None or not units.ok or units.frame.empty:
        return out
    u = units.frame.set_index("unit_id")
    for uid, line in zip(units.frame["unit_id"], units.lines):
        rooms = u.at[uid, "delivery_rooms"]
        if not pd.isna(rooms) and int(rooms) == 0 and is_open(u.at[uid, "closed"]):
            out.append(
                Problem(
                    units.file,
                    line,
                    "delivery_rooms",
                    "error",
                    f"open unit {uid} has 0 delivery rooms; a delivery unit needs at least one (if it has closed, fill in 'closed')",
                    "",
                    "units",
                )
            )
    staffing = checked.get("staffing")
    if staffing is not None and not staffing.frame.empty:  # rows that passed, even if others did not
        st = staffing.frame
        cots = u[["neonatal_cots_ic", "neonatal_cots_hd", "neonatal_cots_sc"]].fillna(0).sum(axis=1)
        closed = u["closed"].to_dict()  # a dict lookup per row: u.at costs 60 µs, on every staffing row
        for row, line in zip(st.itertuples(index=False), staffing.lines):
            if row.unit_id not in closed or not is_open(closed[row.unit_id], row.month):
                continue
            needs_staff = row.profession == "barnmorska" or (row.profession == "neonatalsjuksköterska" and cots.get(row.unit_id, 0) > 0)
            if needs_staff and (row.fte_available or 0) + (row.fte_agency or 0) <= 0:
                out.append(
                    Problem(
                        staffing.file,
                        line,
                        "fte_available",
                        "error",
                        f"0 {row.profession} FTE available and no agency staff at open unit {row.unit_id} in {row.month:%Y-%m}; "
                        "the unit cannot run without them (if it was closed, fill in 'closed' in the units table)",
                        "",
                        "staffing",
                    )
                )
        leave = checked.get("leave_plan")
        if leave is not None and not leave.frame.empty:
            lv = leave.frame.assign(src_line=leave.lines)
            lv["month"] = pd.to_datetime(lv["iso_week"] + "-4", format="%G-W%V-%u").dt.to_period("M").dt.to_timestamp()
            budget = st.assign(st_line=staffing.lines)[["unit_id", "month", "profession", "fte_budgeted", "st_line"]]
            joined = lv.merge(budget, on=["unit_id", "month", "profession"], how="left")
            for row in joined.itertuples(index=False):
                if pd.isna(row.fte_budgeted):
                    out.append(
                        Problem(
                            leave.file,
                            row.src_line,
                            "fte_on_leave",
                            "warning",
                            f"no staffing row for {row.profession} at {row.unit_id} in {row.month:%Y-%m} to check the leave of {row.iso_week} against",
                            "leave kept unchecked",
                            "leave_plan",
                        )
                    )
                elif row.fte_on_leave > row.fte_budgeted + 1e-9:
                    out.append(
                        Problem(
                            leave.file,
                            row.src_line,
                            "fte_on_leave",
                            "error",
                            f"{row.fte_on_leave:g} FTE on leave in {row.iso_week} exceeds the {row.fte_budgeted:g} FTE budgeted for "
                            f"{row.profession} at {row.unit_id} in {row.month:%Y-%m} ({staffing.file} row {row.st_line})",
                            "",
                            "leave_plan",
                        )
                    )
    return out


def transfer_checks(checked: dict[str, TableCheck]) -> list[Problem]:
    """The optional neonatal transfers against the units and the admissions, each an error
    naming file, row and column: a unit moving babies to itself; a receiving unit without
    cots at the care level; more babies moved in to a unit, month and level than the
    admissions table counts there (transfers are part of the receiving unit's admissions)."""
    out: list[Problem] = []
    transfers, units = checked.get("neonatal_transfers"), checked.get("units")
    if transfers is None or transfers.frame.empty or units is None or not units.ok or units.frame.empty:
        return out

    def add(line, column, text):
        out.append(Problem(transfers.file, line, column, "error", text, "", "neonatal_transfers"))

    u = units.frame.set_index("unit_id")
    admissions = checked.get("neonatal_admissions")
    counted = (
        admissions.frame.groupby(["unit_id", "month", "care_level"])["admissions"].sum()
        if admissions is not None and not admissions.frame.empty
        else pd.Series(dtype=float)
    )
    frame = transfers.frame.assign(src_line=transfers.lines)
    moved_in = frame.groupby(["to_unit", "month", "care_level"])["transfers"].transform("sum")
    for row, total in zip(frame.itertuples(index=False), moved_in):
        if row.from_unit == row.to_unit:
            add(row.src_line, "to_unit", f"babies moved from {row.from_unit} to itself; a transfer goes to another unit")
            continue
        if row.to_unit in u.index and not (u.at[row.to_unit, f"neonatal_cots_{row.care_level}"] or 0) > 0:
            add(
                row.src_line, "care_level", f"{row.to_unit} has no {row.care_level} cots in the units table to receive babies at that level"
            )
            continue
        room = counted.get((row.to_unit, row.month, row.care_level), 0)
        if total > room:
            add(
                row.src_line,
                "transfers",
                f"{total:g} babies moved in to {row.to_unit} at level {row.care_level} in {row.month:%Y-%m}, but the admissions "
                f"table counts {room:g} there; transfers are part of the receiving unit's admissions",
            )
    return out


# Tables with dated rows per unit: the unit column(s) and the column that dates the row.
DATED_UNIT_ROWS = {
    "births_monthly": (("unit_id",), "month"),
    "neonatal_admissions": (("unit_id",), "month"),
    "staffing": (("unit_id",), "month"),
    "leave_plan": (("unit_id",), "iso_week"),
    "redirections": (("from_unit", "to_unit"), "date"),
    "neonatal_transfers": (("from_unit", "to_unit"), "month"),
}
OCCUPANCY_WARN, OCCUPANCY_ERROR = 1.0, 1.5  # cot days per cot-day available in a month


def _row_month(value, kind: str) -> pd.Timestamp:
    if kind == "iso_week":
        return pd.Timestamp(pd.to_datetime(value + "-4", format="%G-W%V-%u")).to_period("M").to_timestamp()
    return pd.Timestamp(value).to_period("M").to_timestamp()


def unit_life_checks(checked: dict[str, TableCheck]) -> list[Problem]:
    """Rows of a unit outside its life: dated after the month a unit closed without a merge
    (a merged unit's later rows are moved to the receiving unit) or before the month it
    opened. Each is an error naming file, row, column and the units table's dates."""
    out: list[Problem] = []
    units = checked.get("units")
    if units is None or not units.ok or units.frame.empty:
        return out
    u = units.frame.set_index("unit_id")
    closed = {uid: day.to_period("M").to_timestamp() for uid, day in closed_without_merge(units.frame).items()}
    opened = {
        uid: pd.Timestamp(o).to_period("M").to_timestamp() for uid, o in u.get("opened", pd.Series(dtype=object)).items() if not pd.isna(o)
    }
    if not closed and not opened:
        return out
    for table, (unit_cols, date_col) in DATED_UNIT_ROWS.items():
        check = checked.get(table)
        if check is None or check.frame.empty or date_col not in check.frame:
            continue
        kind = "iso_week" if date_col == "iso_week" else "date"
        for line, (_, row) in zip(check.lines, check.frame.iterrows()):
            month = None
            for col in unit_cols:
                uid = row[col]
                if uid not in closed and uid not in opened:
                    continue
                month = month if month is not None else _row_month(row[date_col], kind)
                if uid in closed and month > closed[uid]:
                    problem = (
                        f"{uid} closed on {u.at[uid, 'closed']:%Y-%m-%d} (units table, no merged_into), "
                        f"but this row is dated {month:%Y-%m}; remove the row or correct 'closed'"
                    )
                elif uid in opened and month < opened[uid]:
                    problem = f"{uid} opened on {u.at[uid, 'opened']:%Y-%m-%d} (units table), but this row is dated {month:%Y-%m}"
                else:
                    continue
                out.append(Problem(check.file, line, col, "error", problem, "", table))
    return out


def plausibility_checks(checked: dict[str, TableCheck]) -> list[Problem]:
    """Values each inside its column's range that cannot all be true together: a unit's
    cot days in a month above what its cots of that care level allow (a warning above
    100 % occupancy, an error above 150 %, likely a typing error)."""
    out: list[Problem] = []
    units, adm = checked.get("units"), checked.get("neonatal_admissions")
    if units is None or not units.ok or adm is None or adm.frame.empty:
        return out
    u = units.frame.set_index("unit_id")
    cot_columns = {c: u[c].to_dict() for c in u.columns if c.startswith("neonatal_cots_")}  # dict lookups, not u.at per row
    for line, row in zip(adm.lines, adm.frame.itertuples(index=False)):
        col = f"neonatal_cots_{row.care_level}"
        if row.unit_id not in u.index or col not in cot_columns or pd.isna(row.cot_days):
            continue
        value = cot_columns[col][row.unit_id]
        cots = 0 if pd.isna(value) else int(value)
        available = cots * pd.Timestamp(row.month).days_in_month
        if row.cot_days <= available * OCCUPANCY_WARN:
            continue
        ratio = row.cot_days / available if available else float("inf")
        severe = ratio > OCCUPANCY_ERROR
        out.append(
            Problem(
                adm.file,
                line,
                "cot_days",
                "error" if severe else "warning",
                f"{row.cot_days:g} cot days at {row.unit_id} level {row.care_level} in {row.month:%Y-%m}, but the units table "
                f"gives it {cots} {row.care_level} cots ({available} cot days in the month"
                + (f", occupancy {ratio:.0%})" if available else ")"),
                "" if severe else "kept; check the figure or the unit's cots",
                "neonatal_admissions",
            )
        )
    return out


OUTLIER_Z = 6.0  # robust standard deviations of the log ratio to the months around
OUTLIER_RATIO = 1.5  # and at least this factor above (or below) them
OUTLIER_WINDOW = 13  # months: the month in the middle of a year around it


def outlier_months(values: pd.Series) -> pd.DataFrame:
    """Months of a monthly count series that are far out of line with the months around
    them: a data error (an extra digit, a month booked twice) or a real spike. A month is
    an outlier when the log ratio of its count to the median of the 13 months centred on it
    is more than ``OUTLIER_Z`` robust standard deviations (1.4826 × the median absolute
    deviation of that ratio over the whole series) from the series' typical ratio, and the
    count is more than ``OUTLIER_RATIO`` times that median (or less than its inverse). The
    scale adapts to the series: counting noise makes a small unit's months vary much more
    than a large one's, and births' own season (about ±10 %) stays far inside the limit.

    Returns one row per outlier: month (the index value), value, expected (the centred
    median, what a robust forecast uses instead) and ratio (value / expected)."""
    y = pd.Series(values, dtype=float)
    columns = ["month", "value", "expected", "ratio"]
    if len(y) < OUTLIER_WINDOW:
        return pd.DataFrame(columns=columns)
    expected = y.rolling(OUTLIER_WINDOW, center=True, min_periods=OUTLIER_WINDOW // 2 + 1).median()
    r = np.log((y + 0.5) / (expected + 0.5))
    centre = float(np.nanmedian(r))
    scale = max(1.4826 * float(np.nanmedian(np.abs(r - centre))), 1e-6)
    flag = ((r - centre).abs() > OUTLIER_Z * scale) & (r.abs() > np.log(OUTLIER_RATIO))
    out = pd.DataFrame({"month": y.index[flag], "value": y[flag].to_numpy(), "expected": expected[flag].to_numpy()})
    out["ratio"] = (out["value"] + 0.5) / (out["expected"] + 0.5)
    return out[columns]


def births_checks(check: TableCheck) -> list[Problem]:
    """A unit whose every month has 0 deliveries is not a delivery unit in this period (a
    closed unit needs ``closed``; a unit not yet open has no rows): an error on its first row.
    A month far out of line with the months around it (:func:`outlier_months`): a warning
    on its row, which says what the forecast uses instead."""
    out: list[Problem] = []
    frame = check.frame
    if frame.empty or "deliveries" not in frame:
        return out
    lines = pd.Series(check.lines, index=frame.index)
    for uid, group in frame.groupby("unit_id", sort=True):
        ordered = group.sort_values("month")
        for hit in outlier_months(ordered.set_index("month")["deliveries"].fillna(0)).itertuples():
            row = ordered.index[ordered["month"] == hit.month][0]
            out.append(
                Problem(
                    check.file,
                    int(lines[row]),
                    "deliveries",
                    "warning",
                    f"{uid} {hit.month:%Y-%m}: {hit.value:.0f} deliveries, {hit.ratio:.1f} times the median of the "
                    f"months around it ({hit.expected:.0f}); a data error or a real spike? The forecast uses "
                    f"{hit.expected:.0f} for this month",
                    "",
                    check.table,
                )
            )
        if (group["deliveries"].fillna(0) == 0).all():
            out.append(
                Problem(
                    check.file,
                    int(lines[group.index].min()),
                    "deliveries",
                    "error",
                    f"{uid} has 0 deliveries in all {len(group)} month(s); a unit without births has no rows "
                    "(if it closed, fill in 'closed' in the units table and remove its later rows)",
                    "",
                    check.table,
                )
            )
    return out


def redirection_checks(check: TableCheck) -> list[Problem]:
    """A redirection names two different units."""
    out = []
    if check.frame.empty:
        return out
    for line, src, dst in zip(check.lines, check.frame["from_unit"], check.frame["to_unit"]):
        if src == dst:
            out.append(
                Problem(
                    check.file,
                    line,
                    "to_unit",
                    "error",
                    f"a redirection from {src} to itself; to_unit must be another unit",
                    "",
                    "redirections",
                )
            )
    return out


# ----------------------------------------------------------------------------- plausibility of counts
# Babies per delivery. About 1.5-2 % of deliveries in Sweden are multiple births (Socialstyrelsen,
# Medicinska födelseregistret), so babies born are about 1.02 × deliveries; stillbirths (about 4 per
# 1 000) take a count of live births a little below. A month outside 0.95-1.10 × deliveries
# (give or take 2 babies, one set of triplets in a small unit's month) is a typing error in one of
# the two: a warning on the row (an extra digit in deliveries is also an outlier month, which the
# forecast replaces; the run goes on, the warning is counted in the log).
BABIES_PER_DELIVERY = (0.95, 1.10)
BABIES_SLACK = 2
BABIES_SOURCE = "multiple births are about 1.5-2 % of deliveries in Sweden (Socialstyrelsen, Medicinska födelseregistret)"
# FTE available (or hired from agencies) against the FTE budgeted. A unit staffs about its
# budget: vacancies and leave take it below, extra hires at most some tens of percent above
# (the demo data: 0.79-1.35 ×). More than twice the budget plus 5 FTE is a typing error.
FTE_BUDGET_FACTOR, FTE_BUDGET_SLACK = 2.0, 5.0
# Women redirected from a unit in one day cannot exceed the women who come to give birth there
# that day: at most the 99.99 % quantile of a Poisson day whose mean is the unit's deliveries
# of the month per day (births_monthly).
REDIRECTION_DAY_QUANTILE = 0.9999
MERGE_GRACE_MONTHS = 2  # rows booked under a merged unit's id this many months after the merge: a warning; later: an error


def births_plausibility(check: TableCheck) -> list[Problem]:
    """``babies_born`` against ``deliveries`` on each row (:data:`BABIES_PER_DELIVERY`)."""
    frame = check.frame
    if frame.empty or not {"deliveries", "babies_born"} <= set(frame):
        return []
    d = frame["deliveries"].astype(float)
    b = frame["babies_born"].astype(float)
    lo = np.maximum(np.floor(BABIES_PER_DELIVERY[0] * d) - BABIES_SLACK, 0)
    hi = np.ceil(BABIES_PER_DELIVERY[1] * d) + BABIES_SLACK
    bad = (b < lo) | (b > hi)
    out = []
    lines = np.asarray(check.lines)
    for i in np.flatnonzero(bad.fillna(False).to_numpy()):
        row = frame.iloc[i]
        out.append(
            Problem(
                check.file,
                int(lines[i]),
                "babies_born",
                "warning",
                f"{row['unit_id']} {row['month']:%Y-%m}: {int(b.iloc[i])} babies born against {int(d.iloc[i])} deliveries; "
                f"plausible: {int(lo[i])}-{int(hi[i])} ({BABIES_PER_DELIVERY[0]:.2f}-{BABIES_PER_DELIVERY[1]:.2f} babies per delivery "
                f"± {BABIES_SLACK}: {BABIES_SOURCE}; stillbirths are rare): correct babies_born or deliveries",
                "kept; the forecast reads deliveries, the annual tables babies_born",
                check.table,
            )
        )
    return out


def staffing_plausibility(check: TableCheck) -> list[Problem]:
    """``fte_available`` and ``fte_agency`` against ``fte_budgeted`` on each row."""
    frame = check.frame
    if frame.empty or "fte_budgeted" not in frame:
        return []
    out = []
    budget = frame["fte_budgeted"].astype(float)
    ceiling = FTE_BUDGET_FACTOR * budget + FTE_BUDGET_SLACK
    lines = np.asarray(check.lines)
    for column in ("fte_available", "fte_agency"):
        if column not in frame:
            continue
        values = frame[column].astype(float)
        for i in np.flatnonzero((values > ceiling).fillna(False).to_numpy()):
            row = frame.iloc[i]
            out.append(
                Problem(
                    check.file,
                    int(lines[i]),
                    column,
                    "error",
                    f"{row['unit_id']} {row['month']:%Y-%m} {row['profession']}: {values.iloc[i]:g} FTE against {budget.iloc[i]:g} FTE "
                    f"budgeted; plausible: 0-{ceiling.iloc[i]:g} (at most {FTE_BUDGET_FACTOR:g} × the budget + {FTE_BUDGET_SLACK:g} FTE: "
                    "a unit staffs about its budget, vacancies take it below and extra hires some tens of percent above): "
                    f"correct {column} or fte_budgeted",
                    "",
                    check.table,
                )
            )
    return out


def redirection_plausibility(checked: dict[str, TableCheck]) -> list[Problem]:
    """Women redirected from a unit in one day (all rows of that day and unit) against the
    unit's births that month: more than the 99.99 % quantile of a Poisson day with the
    unit's mean deliveries per day is more women than come to give birth there in a day."""
    from scipy import stats

    red, births = checked.get("redirections"), checked.get("births_monthly")
    if red is None or red.frame.empty or births is None or births.frame.empty:
        return []
    per_month = (
        births.frame.assign(_line=births.lines).groupby(["unit_id", "month"]).agg(deliveries=("deliveries", "sum"), line=("_line", "first"))
    )
    frame = red.frame.assign(line_=red.lines, month_=red.frame["date"].dt.to_period("M").dt.to_timestamp())
    frame["day_total_"] = frame.groupby(["from_unit", "date"])["women"].transform("sum")
    out = []
    for row in frame.itertuples(index=False):
        key = (row.from_unit, row.month_)
        if key not in per_month.index or pd.isna(row.day_total_):
            continue  # no births row for that unit and month: nothing to compare with
        deliveries, bline = per_month.loc[key, "deliveries"], per_month.loc[key, "line"]
        per_day = float(deliveries) / row.month_.days_in_month
        ceiling = max(int(stats.poisson.ppf(REDIRECTION_DAY_QUANTILE, per_day)), 1)
        if row.day_total_ <= ceiling:
            continue
        same_day = "" if row.day_total_ == row.women else f" ({int(row.day_total_)} on {row.date:%Y-%m-%d} in all rows)"
        out.append(
            Problem(
                red.file,
                int(row.line_),
                "women",
                "error",
                f"{int(row.women)} women redirected from {row.from_unit} on {row.date:%Y-%m-%d}{same_day}, but {row.from_unit} had "
                f"{int(deliveries)} deliveries in {row.month_:%Y-%m} ({births.file} row {int(bline)}), about {per_day:.1f} a day; "
                f"plausible: 1-{ceiling} a day (the women who come to give birth there on a day busier than 9 999 days of "
                "10 000: the 99.99 % quantile of a Poisson day with that mean): correct women, the date or from_unit",
                "",
                red.table,
            )
        )
    return out


def merge_checks(checked: dict[str, TableCheck], merges) -> list[Problem]:
    """Rows under a merged unit's id dated after the merge (their activity would be added
    to the receiving unit without a word): up to ``MERGE_GRACE_MONTHS`` months after the
    merge a warning (late bookings under the old id, moved like the others), later an
    error (the unit no longer existed: a wrong id or a wrong date)."""
    out: list[Problem] = []
    dated = [m for m in merges or () if m.effective != dt.date.min]
    if not dated:
        return out
    last_month = {m.from_unit: (pd.Timestamp(m.effective).to_period("M").to_timestamp(), m) for m in dated}
    for table, (unit_cols, date_col) in DATED_UNIT_ROWS.items():
        check = checked.get(table)
        if check is None or check.frame.empty or date_col not in check.frame:
            continue
        frame = check.frame
        lines = np.asarray(check.lines)
        for col in unit_cols:
            hits = frame[col].isin(list(last_month))
            if not hits.any():
                continue
            for i in np.flatnonzero(hits.to_numpy()):
                uid = frame[col].iloc[i]
                merged, merge = last_month[uid]
                month = _row_month(frame[date_col].iloc[i], "iso_week" if date_col == "iso_week" else "date")
                if month <= merged:
                    continue
                late = (month.year - merged.year) * 12 + month.month - merged.month
                severe = late > MERGE_GRACE_MONTHS
                out.append(
                    Problem(
                        check.file,
                        int(lines[i]),
                        col,
                        "error" if severe else "warning",
                        f"{uid} merged into {merge.into_unit} on {merge.effective:%Y-%m-%d} (units table or harmonisation.merges), "
                        f"but this row is dated {month:%Y-%m}, {late} month(s) later; "
                        + (
                            f"a row more than {MERGE_GRACE_MONTHS} months after the merge would be added to {merge.into_unit} "
                            "without a word: correct the unit id or the date, or the merge date"
                            if severe
                            else f"counted at {merge.into_unit} like the unit's earlier rows"
                        ),
                        "" if severe else f"moved to {merge.into_unit}",
                        table,
                    )
                )
    return out


def births_gaps(check: TableCheck) -> list[Problem]:
    """Months missing inside a unit's series of births: the forecast (step 02) needs every
    month of a unit's history and never fills one (a filled month would be invented data),
    so a gap is an error on the first row after it, naming the unit and the missing months."""
    frame = check.frame
    if frame.empty or "month" not in frame:
        return []
    out = []
    lines = pd.Series(check.lines, index=frame.index)
    for uid, group in frame.groupby("unit_id", sort=True):
        ordered = group.sort_values("month")
        months = ordered["month"].tolist()
        for (before, i_before), (after, i_after) in zip(zip(months, ordered.index), zip(months[1:], ordered.index[1:])):
            missing = pd.date_range(before + pd.offsets.MonthBegin(1), after - pd.offsets.MonthBegin(1), freq="MS")
            if len(missing) == 0:
                continue
            listed = ", ".join(f"{m:%Y-%m}" for m in missing[:12]) + (", …" if len(missing) > 12 else "")
            out.append(
                Problem(
                    check.file,
                    int(lines[i_after]),
                    "month",
                    "error",
                    f"{uid}: {len(missing)} month(s) missing between {before:%Y-%m} (row {int(lines[i_before])}) and {after:%Y-%m}: "
                    f"{listed}; the forecast needs every month of a unit's history and fills none: add the missing rows "
                    "(0 deliveries for a month without births) or, if the unit was closed, record it in the units table",
                    "",
                    check.table,
                )
            )
    return out
