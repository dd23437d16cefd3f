"""Checks of meaning of the action-plan register and the best-practice register."""

from __future__ import annotations

import re

from fragile_care.inputs.contracts import TableCheck
from fragile_care.inputs.parsing import is_blank
from fragile_care.inputs.quality import Problem

WEEKS_RE = re.compile(r"^\s*(\d{1,2})\s*(?:[-–]\s*(\d{1,2}))?\s*$")


def parse_weeks(text) -> list[int]:
    """ISO weeks from ``27-31`` or ``30``; ValueError otherwise."""
    m = WEEKS_RE.fullmatch(str(text or ""))
    if not m:
        raise ValueError(f"{text!r} is not a week or a range of weeks such as 27-31")
    first, last = int(m[1]), int(m[2] or m[1])
    if not (1 <= first <= 53 and 1 <= last <= 53 and first <= last):
        raise ValueError(f"{text!r}: weeks must be 1-53 and the first not after the last")
    return list(range(first, last + 1))


def check_plan(check: TableCheck) -> list[Problem]:
    """Errors of meaning in the action plan, each naming file, row, field and activity."""
    out: list[Problem] = []
    frame = check.frame

    def add(line, column, text):
        out.append(Problem(check.file, line, column, "error", text, "", "action_plan"))

    for row, line in zip(frame.to_dict("records"), check.lines):
        aid = row["activity_id"]
        if not is_blank(row.get("start")) and not is_blank(row.get("end")) and row["end"] < row["start"]:
            add(line, "end", f"activity {aid}: end {row['end']:%Y-%m-%d} is before start {row['start']:%Y-%m-%d}")
        if is_blank(row.get("indicator")) and not is_blank(row.get("target")):
            add(
                line,
                "indicator",
                f"activity {aid}: a target ({row['target']:g}) without an indicator; name the indicator it is measured by",
            )
        if not is_blank(row.get("indicator")) and is_blank(row.get("target")):
            add(line, "target", f"activity {aid}: indicator {row['indicator']} without a target")
        kind = row["effect_type"]
        needs = {
            "extra_staff": ("effect_unit", "effect_fte", "effect_weeks"),
            "move_leave": ("effect_unit", "effect_fte", "effect_weeks", "effect_to_weeks"),
            "pooling": ("effect_unit", "effect_partner"),
            "early_discharge": ("effect_unit", "effect_share"),
            "none": (),
        }[kind]
        for field in needs:
            if is_blank(row.get(field)):
                add(line, field, f"activity {aid}: effect_type {kind} needs {field}")
        for field in ("effect_weeks", "effect_to_weeks"):
            applies = field in needs or (kind == "early_discharge" and field == "effect_weeks")  # optional there
            if applies and not is_blank(row.get(field)):
                try:
                    parse_weeks(row[field])
                except ValueError as exc:
                    add(line, field, f"activity {aid}: {exc}")
        if kind == "pooling" and not is_blank(row.get("effect_partner")) and row.get("effect_partner") == row.get("effect_unit"):
            add(line, "effect_partner", f"activity {aid}: a unit cannot pool with itself")
        if row.get("effect_profile") == "ramp" and is_blank(row.get("ramp_weeks")):
            add(line, "ramp_weeks", f"activity {aid}: a ramp profile needs ramp_weeks")
    return out


def check_best_practice(check: TableCheck, plan: TableCheck | None) -> list[Problem]:
    """Every best-practice entry needs its source. The register is public and shared by
    every data set, while its ``inspired`` links name activities of one region's plan: a
    link to an activity that is not in this data set's plan is left out of the register
    (a counted repair, with file, row and column), never shown as a dangling reference."""
    out: list[Problem] = []
    ids = set(plan.frame["activity_id"]) if plan is not None and not plan.frame.empty else set()
    for position, (row, line) in enumerate(zip(check.frame.to_dict("records"), check.lines)):
        pid = row["practice_id"]
        if is_blank(row.get("source_url")):
            out.append(
                Problem(
                    check.file,
                    line,
                    "source_url",
                    "error",
                    f"best practice {pid}: no source; every entry needs its source_url",
                    "",
                    "best_practice",
                )
            )
        links = [a.strip() for a in str(row.get("inspired") or "").split("|") if a.strip()]
        unknown = [a for a in links if a not in ids]
        if unknown:
            out.append(
                Problem(
                    check.file,
                    line,
                    "inspired",
                    "repaired",
                    f"best practice {pid}: inspired names {', '.join(unknown)}, "
                    f"{'not in the action plan' if ids else 'but the data set has no action plan'}",
                    "link left out of the register",
                    "best_practice",
                )
            )
            kept = [a for a in links if a in ids]
            check.frame.iloc[position, check.frame.columns.get_loc("inspired")] = "|".join(kept) if kept else None
    return out
