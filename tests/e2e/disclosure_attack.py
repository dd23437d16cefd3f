"""An attacker who reads the rendered reports and the workbook of a run and tries to
recompute every hidden summer redirection count (tests only).

What is shown is read from the notebooks' embedded outputs (tables and sentences) and the
workbook's cells, never from the protection table. The attacker knows the sums that hold
between the counts (per unit and year: all reasons = capacity + other; per year and reason:
region = the units; any multi-summer total shown), the publication rule (``<5`` is 1-4,
``..`` is at least 5) and that every count is a whole number of at least 0. For every
hidden cell it solves for the smallest and largest value that fits (integer programmes).
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
from scipy import optimize

from fragile_care.publish.embeds import embedded_outputs, embedded_table_rows

REGION = "REGION"
NUMBER = re.compile(r"^\d[\d\u00a0 ]*$")


def _clean(text: str) -> str:
    return text.replace("\\", "").strip()


def _number(text: str) -> int | None:
    return int(re.sub(r"\D", "", text)) if NUMBER.match(text) else None


class Shown:
    """Every printed redirection count (cell -> set of texts), multi-summer totals and the
    rates printed beside a count."""

    def __init__(self) -> None:
        self.cells: dict[tuple, set[str]] = defaultdict(set)
        self.totals: dict[tuple, set[str]] = defaultdict(set)
        self.rates: list[tuple[tuple, str]] = []

    def add(self, key: tuple, text: str) -> None:
        self.cells[key].add(_clean(text))


def read_reports(qmd_files, notebook_dir, label_to_unit: dict[str, str], backtest_year: int, summer_year: int) -> Shown:
    shown = Shown()
    for _, label, row in embedded_table_rows(qmd_files, notebook_dir):
        if label == "tbl-summer-redirections":
            unit = label_to_unit[row["Enhet"]]
            for col, text in row.items():
                if m := re.match(r"Antal (\d{4})$", col):
                    shown.add((unit, int(m[1]), "capacity"), text)
                if m := re.match(r"Per 1[ \u00a0]000 (\d{4})$", col):  # the reports keep "1 000" on one line
                    shown.rates.append(((unit, int(m[1]), "capacity"), _clean(text)))
        elif label == "tbl-model-vs-log":
            shown.add((label_to_unit[row["Enhet"]], int(row["Sommar"]), "capacity"), row["Loggen"])
        elif label == "tbl-calibration-backtest":
            shown.add((label_to_unit[row["Enhet"]], int(row["Sommar"]), "capacity"), row["Loggen"])
        elif label == "tbl-stay-calibration":
            years = tuple(int(y) for y in row["Somrar"].split(", "))
            shown.totals[(label_to_unit[row["Enhet"]], years, "capacity")].add(_clean(row["Hänvisade i loggen"]))
        elif label == "tbl-indicators":
            value = _clean(row[f"Sommaren {summer_year}"])
            if row["Aktivitet"] and re.search(r"per 1[ \u00a0]000", row["Indikator"]):
                shown.rates.append(((REGION, summer_year, "capacity"), value))
            elif "Hänvisade kvinnor" in row["Indikator"]:
                shown.add((REGION, summer_year, "capacity"), value)
        elif label == "tbl-key-numbers" and row["Nyckeltal"].startswith("Hänvisade kvinnor"):
            year = int(re.search(r"sommaren (\d{4})", row["Nyckeltal"])[1])
            shown.add((REGION, year, "capacity"), row["Värde"])
            pattern = r"(\S+) sommaren (\d{4}); av andra orsaker \(neonatal, övrigt\) (\S+) \(sommaren (\d{4}): (\S+)\)$"
            m = re.match(pattern, _clean(row["Jämförelse"]))
            shown.add((REGION, int(m[2]), "capacity"), m[1])
            shown.add((REGION, year, "other"), m[3])
            shown.add((REGION, int(m[4]), "other"), m[5])
    prose = {
        r"(\S+) kvinnor hänvisades till en annan enhet på grund av platsbrist eller bemanning \((\S+) sommaren (\d{4})\)": "summary",
        r"Av andra orsaker \(neonatal, övrigt\) hänvisades (\S+) i hela regionen \((\S+) sommaren (\d{4})\)": "summary_other",
        r"(\d{4}): modellen [^;]*?, loggen (\S+); hänvisade av andra orsaker \(neonatal, övrigt\) (\S+)\.": "review",
        r"Sommaren (\d{4}), hela regionen: modellen [^;]*?, loggen (\S+)\.": "backtest",
        r"Skattad utan sommaren (\d{4}) förutsade den \S+ hänvisade den sommaren; loggen har (\S+)\.": "trust",
    }
    for _, _label, text in embedded_outputs(qmd_files, notebook_dir):
        text = _clean(text)
        for pattern, kind in prose.items():
            for m in re.finditer(pattern, text):
                if kind in ("summary", "summary_other"):
                    reasons = "capacity" if kind == "summary" else "other"
                    year = int(re.search(r"Under sommarperioden \(vecka \d+–\d+\) (\d{4})", text)[1])
                    shown.add((REGION, year, reasons), m[1])
                    shown.add((REGION, int(m[3]), reasons), m[2])
                elif kind == "review":
                    shown.add((REGION, int(m[1]), "capacity"), m[2])
                    shown.add((REGION, int(m[1]), "other"), m[3])
                else:
                    shown.add((REGION, int(m[1]), "capacity"), m[2])
    return shown


def read_workbook(path, label_to_code: dict[str, str], shown: Shown) -> None:
    """The workbook's redirection counts: a number, or an empty cell whose note says <5 or .."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    for sheet, year_col, count_col in (
        ("Sommarjämförelse", "År", "Hänvisade kvinnor (platsbrist, bemanning)"),
        ("Modell mot logg", "Sommar", "Loggen: platsbrist och bemanning"),
    ):
        ws = book[sheet]
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            cell = row[header.index(count_col)]
            text = str(int(cell.value)) if cell.value is not None else cell.comment.text.split(":")[0]
            shown.add((row[header.index("Enhetskod")].value, int(row[header.index(year_col)].value), "capacity"), text)


def attack(shown: Shown, units: list[str], years: list[int], threshold: int) -> dict[tuple, tuple[float, float]]:
    """The range of every cell not printed as a number: {cell: (min, max)}."""
    reasons = ("capacity", "other", "all")
    cells = [(u, y, r) for u in [*units, REGION] for y in years for r in reasons]
    text = {}
    for key, texts in shown.cells.items():
        assert len(texts) == 1, f"{key} is printed differently in different places: {texts}"
        text[key] = next(iter(texts))
    unknown = [k for k in cells if _number(text.get(k, "")) is None]
    col = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []

    def add(total: tuple | int, parts: list[tuple]) -> None:
        coef = np.zeros(len(unknown))
        known = float(total) if isinstance(total, int) else 0.0  # a printed total enters as a number
        terms = [(total, 1.0)] if isinstance(total, tuple) else []
        for key, sign in [*terms, *[(p, -1.0) for p in parts]]:
            if key in col:
                coef[col[key]] += sign
            else:
                known += sign * _number(text[key])
        if coef.any():
            rows.append(coef)
            rhs.append(-known)
        else:
            assert abs(known) < 0.5, f"printed counts do not add up around {total}"

    for y in years:
        for u in [*units, REGION]:
            add((u, y, "all"), [(u, y, "capacity"), (u, y, "other")])
        for r in reasons:
            add((REGION, y, r), [(u, y, r) for u in units])
    for (unit, ys, r), texts in shown.totals.items():
        (t,) = texts
        if _number(t) is not None:
            add(_number(t), [(unit, y, r) for y in ys])
    lo = [1 if text.get(k) == f"<{threshold}" else threshold if text.get(k) == ".." else 0 for k in unknown]
    hi = [threshold - 1 if text.get(k) == f"<{threshold}" else 1e9 for k in unknown]
    out = {}
    for k, i in col.items():
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(len(unknown))
            c[i] = sign
            res = optimize.milp(
                c,
                integrality=np.ones(len(unknown)),
                bounds=optimize.Bounds(lo, hi),
                constraints=[optimize.LinearConstraint(np.array(rows), rhs, rhs)],
            )
            assert res.status == 0, f"no table fits what is printed ({k}): {res.message}"
            ends.append(sign * res.fun)
        out[k] = (ends[0], ends[1])
    return out, text


def recomputed(shown: Shown, units: list[str], years: list[int], threshold: int) -> dict[tuple, int]:
    """Hidden cells (printed <5 or ..) and never-printed cells pinned to 1-4 that the
    attacker recomputes, and rates printed beside a hidden count."""
    ranges, text = attack(shown, units, years, threshold)
    out = {}
    for k, (lo, hi) in ranges.items():
        printed_hidden = k in text
        if hi - lo < 0.5 and (printed_hidden or 1 <= lo < threshold):
            out[k] = int(round(lo))
    for key, rate in shown.rates:
        if _number(text.get(key, "")) is None and rate not in ("–", ""):
            out[key] = f"rate {rate} printed beside a hidden count"
    return out
