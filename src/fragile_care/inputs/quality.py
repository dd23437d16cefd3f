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
LOG_COLUMNS = ["file", "table", "row", "column", "severity", "problem", "action", "count"]
# More than this many identical findings (same file, table, column, severity, text and
# action; only the row differs) are one entry with their count and first rows: a file of
# half a million duplicate rows gives one log row, not half a million.
REPEAT_LIMIT = 20
ROWS_SHOWN = 10  # rows listed in a counted entry


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
    count: int = 1  # findings this entry stands for (identical ones on other rows are counted, not repeated)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}; allowed: {SEVERITIES}")

    @property
    def signature(self) -> tuple:
        return (self.file, self.table, self.column, self.severity, self.problem, self.action)

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


class ProblemLog:
    """Findings in the order found, with bounded memory: of identical findings (same
    :attr:`Problem.signature`, rows differ) the first ``REPEAT_LIMIT`` are kept; the rest are
    only counted. :meth:`problems` gives each group of at most ``REPEAT_LIMIT`` as it was and
    a larger one as a single entry (the first row, the count, and the first ``ROWS_SHOWN``
    rows in the finding's text; the action is unchanged)."""

    def __init__(self) -> None:
        self._order: list[tuple] = []  # (signature, problem) in the order found, at most REPEAT_LIMIT per signature
        self._groups: dict[tuple, list] = {}  # signature -> [count, rows]

    def add(self, problem: Problem) -> None:
        group = self._groups.get(problem.signature)
        if group is None:
            group = self._groups[problem.signature] = [0, []]
        group[0] += problem.count
        if len(group[1]) < max(REPEAT_LIMIT, ROWS_SHOWN) + 1:
            group[1].append(problem.row)
            self._order.append((problem.signature, problem))

    def extend(self, problems) -> None:
        for problem in problems:
            self.add(problem)

    def problems(self) -> list[Problem]:
        out: list[Problem] = []
        done: set[tuple] = set()
        for sig, problem in self._order:
            count, rows = self._groups[sig]
            # a group of at most REPEAT_LIMIT single findings, or one entry that already
            # counts its group (a log collapsed again, as ``validate`` does): as it was
            if (count <= REPEAT_LIMIT and len(rows) == count) or (len(rows) == 1 and problem.count == count):
                out.append(problem)
                continue
            if sig in done:
                continue
            done.add(sig)
            shown = ", ".join(str(r) for r in rows[:ROWS_SHOWN] if r is not None)
            where = f", the first on rows {shown}, …" if shown else ""
            # the action stays as it was, so the entry groups and translates with its kind;
            # the count and the first rows go with the finding's text
            out.append(
                Problem(
                    problem.file,
                    problem.row,
                    problem.column,
                    problem.severity,
                    f"{problem.problem} ({count:,} rows like this{where})",
                    problem.action,
                    problem.table,
                    count,
                )
            )
        return out


def collapse(problems: list[Problem]) -> list[Problem]:
    """``problems`` with identical findings beyond ``REPEAT_LIMIT`` counted in one entry."""
    log = ProblemLog()
    log.extend(problems)
    return log.problems()


def total(problems: list[Problem], severity: str) -> int:
    """How many findings of ``severity`` the entries stand for (counted entries included)."""
    return sum(p.count for p in problems if p.severity == severity)


def problems_to_frame(problems: list[Problem]) -> pd.DataFrame:
    """The data-quality log as a table with the columns of :data:`LOG_COLUMNS`; identical
    findings beyond ``REPEAT_LIMIT`` are one row with their ``count``."""
    if not problems:
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "count" else "object") for c in LOG_COLUMNS})
    frame = pd.DataFrame([asdict(p) for p in collapse(problems)])[LOG_COLUMNS]
    frame["row"] = frame["row"].astype("Int64")
    frame["count"] = frame["count"].astype("Int64")
    return frame


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


class DataValidationError(Exception):
    """Raised when input tables are unusable. Carries every error found, not only the first."""

    def __init__(
        self, problems: list[Problem], limit: int = 25, all_problems: list[Problem] | None = None, accounting: pd.DataFrame | None = None
    ) -> None:
        problems = collapse(problems)
        self.problems = problems
        self.all_problems = all_problems  # the errors with the repairs and warnings found beside them
        self.accounting = accounting
        shown = [p.format() for p in problems[:limit]]
        more = sum(p.count for p in problems[limit:])
        if more > 0:
            shown.append(f"... and {more} more error(s); see the data-quality log")
        n = sum(p.count for p in problems)
        super().__init__(f"{n} data error(s) make the input unusable:\n" + "\n".join(shown))


class UnreadableTableError(Exception):
    """The file cannot be read as a table at all (missing, empty, binary, undecodable)."""

    def __init__(self, file: str, reason: str) -> None:
        self.file = file
        self.reason = reason
        super().__init__(f"{file}:-:-: {reason}")
