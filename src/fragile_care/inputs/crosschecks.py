"""Checks across tables and checks of meaning (the action plan's and the best-practice
register's): each problem names file, row and column.
"""

from __future__ import annotations

import pandas as pd

from fragile_care.inputs.contracts import TableCheck
from fragile_care.inputs.plan_checks import check_best_practice, check_plan
from fragile_care.inputs.quality import (
    Problem,
)
from fragile_care.inputs.units import is_open


def meaning_checks(check: TableCheck, checked: dict[str, TableCheck] | None = None) -> list[Problem]:
    """Checks of meaning beyond the column contract, for the tables that have them (the
    action plan; the best-practice register, against the plan when it is given)."""
    if check.table == "action_plan":
        return check_plan(check)
    if check.table == "best_practice":
        return check_best_practice(check, (checked or {}).get("action_plan"))
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
        for row, line in zip(st.itertuples(index=False), staffing.lines):
            if row.unit_id not in u.index or not is_open(u.at[row.unit_id, "closed"], row.month):
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
