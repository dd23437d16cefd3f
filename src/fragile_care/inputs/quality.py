"""Data-quality problems and the log they form.

Every problem names the file, the row (as numbered in the file: for CSV the physical line
number with the header on line 1; for Excel the worksheet row number), the column, what is
wrong and what was done about it. Severities:

``error``
    the table cannot be used as it is; the run stops and ``validate`` exits 1.
``repaired``
    the value was changed to a canonical form (for example ``2025-7`` to ``2025-07``);
    logged and counted, the row is kept.
``rejected``
    the row was left out (blank line, exact duplicate); logged and counted.
``warning``
    nothing was changed but a reader must know (for example a month missing inside a
    series, which is flagged and never filled).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

SEVERITIES = ("error", "repaired", "rejected", "warning")
LOG_COLUMNS = ["file", "table", "row", "column", "severity", "problem", "action"]


@dataclass(frozen=True)
class Problem:
    """One data-quality finding."""

    file: str
    row: int | None
    column: str | None
    severity: str
    problem: str
    action: str = ""
    table: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}; allowed: {SEVERITIES}")

    def location(self) -> str:
        row = "-" if self.row is None else str(self.row)
        col = "-" if not self.column else self.column
        return f"{self.file}:{row}:{col}"

    def format(self) -> str:
        """``FILE:ROW:COLUMN: problem`` with the action appended for non-errors."""
        text = f"{self.location()}: {self.severity}: {self.problem}"
        if self.action and self.severity != "error":
            text += f" -> {self.action}"
        return text


def problems_to_frame(problems: list[Problem]) -> pd.DataFrame:
    """The data-quality log as a table with the columns of :data:`LOG_COLUMNS`."""
    if not problems:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in LOG_COLUMNS})
    frame = pd.DataFrame([asdict(p) for p in problems])[LOG_COLUMNS]
    frame["row"] = frame["row"].astype("Int64")
    return frame


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


class DataValidationError(Exception):
    """Raised when input tables are unusable. Carries every error found, not only the first."""

    def __init__(self, problems: list[Problem], limit: int = 25) -> None:
        self.problems = problems
        shown = [p.format() for p in problems[:limit]]
        more = len(problems) - limit
        if more > 0:
            shown.append(f"... and {more} more error(s); see the data-quality log")
        super().__init__(f"{len(problems)} data error(s) make the input unusable:\n" + "\n".join(shown))


class UnreadableTableError(Exception):
    """The file cannot be read as a table at all (missing, empty, binary, undecodable)."""

    def __init__(self, file: str, reason: str) -> None:
        self.file = file
        self.reason = reason
        super().__init__(f"{file}:-:-: {reason}")
