"""Excel hand-off: one workbook per run with the key tables, as an analyst expects them.

Every sheet is one Excel table: Swedish headers in row 1, the header row frozen, a filter on
every column, numbers stored as numbers with Swedish-style number formats (``# ##0``,
``0,0 %``), unit codes beside unit names and a regional total where units add up. A count of
people from 1 to threshold − 1 is an empty cell with a note "<5" (never text in a numeric
column); a regional total that would give such a count away is emptied too. Demo data says
EXEMPELDATA in a column of every sheet, in the print header and on a red sheet tab.

The pure function ``workbook_sheets`` builds the sheets from the run's processed tables;
``write_workbook`` writes them. Sheets whose tables the run did not make are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fragile_care.model import describe, forecast
from fragile_care.publish import sheets as sheet_catalog
from fragile_care.publish.disclosure import PRIMARY, SECONDARY, SECONDARY_MARK, SHOWN, WITHHELD, PublishedCounts, protect, whole
from fragile_care.publish.fields import TEXT

SYNTHETIC_NOTE = "EXEMPELDATA – syntetiska siffror på enhetsnivå, inte regionens verkliga utfall"
REGION = describe.REGION


@dataclass(frozen=True)
class Col:
    """One column of a sheet: header, values, Excel number format, and whether the values
    are counts of people (then 1 to threshold − 1 are hidden)."""

    header: str
    values: pd.Series
    fmt: str = TEXT
    people: bool = False
    status: pd.Series | None = None  # disclosure status per row, when protected for all reports


@dataclass
class Sheet:
    """A sheet's table (numbers as numbers, hidden counts as NaN), the number format per
    column, the cells hidden for disclosure (column -> row positions) and what it holds."""

    frame: pd.DataFrame
    formats: dict[str, str]
    about: str
    hidden: dict[str, list[int]] = field(default_factory=dict)
    secondary: dict[str, list[int]] = field(default_factory=dict)  # of the hidden: to protect another


def _sheet(about: str, cols: list[Col], threshold: int, is_demo: bool, total_of: str | None = None) -> Sheet:
    """Build a sheet. A people column is protected as every report protects it: its
    ``status`` when given (``disclosure.protect_redirections``), else primary and secondary
    suppression over the sums in the sheet: with ``total_of``, the column that groups unit
    rows with their regional total row (``Enhetskod`` == REGION)."""
    frame = pd.DataFrame({c.header: c.values.reset_index(drop=True) for c in cols})
    formats = {c.header: c.fmt for c in cols}
    hidden: dict[str, list[int]] = {}
    secondary: dict[str, list[int]] = {}
    sums = []
    if total_of is not None and "Enhetskod" in frame:
        is_total = frame["Enhetskod"] == REGION
        for group in frame.groupby(total_of).groups.values():
            rows = list(group)
            totals = [i for i in rows if is_total[i]]
            sums += [(t, [i for i in rows if not is_total[i]]) for t in totals]
    for c in cols:
        if not c.people:
            continue
        counts = frame[c.header].map(whole)
        if c.status is not None:
            status = pd.Series(c.status.to_numpy(), index=frame.index)
        else:
            status = protect(counts.fillna(0), sums, threshold, keep=[t for t, _ in sums])
            status[counts.isna()] = SHOWN  # missing stays missing
        mask = status.isin([PRIMARY, SECONDARY, WITHHELD])
        frame[c.header] = counts.where(~mask).astype("float64")
        if mask.any():
            hidden[c.header] = [int(i) for i in np.flatnonzero(mask.to_numpy())]
        if status.isin([SECONDARY, WITHHELD]).any():
            secondary[c.header] = [int(i) for i in np.flatnonzero(status.isin([SECONDARY, WITHHELD]).to_numpy())]
    if is_demo:
        frame["Underlag"] = "EXEMPELDATA"
        formats["Underlag"] = TEXT
    return Sheet(frame, formats, about, hidden, secondary)


def _protected(published: PublishedCounts, units: pd.Series, years: pd.Series, counts: pd.Series) -> pd.Series:
    """The status of summer redirection counts (capacity reasons) as every report shows them."""
    return pd.Series([published.status(u, y, "capacity", n) for u, y, n in zip(units, years, counts)])


def _unit_cols(codes: pd.Series, labels: dict[str, str]) -> list[Col]:
    return [Col("Enhetskod", codes), Col("Enhet", codes.map(lambda u: labels.get(u, u)))]


def _births_annual(tables: dict[str, pd.DataFrame], ctx: dict) -> pd.DataFrame:
    per_unit = describe.annual_births(tables["births_monthly"])
    region = per_unit.groupby("year", as_index=False).agg(
        deliveries=("deliveries", "sum"), babies_born=("babies_born", "sum"), months=("months", "max")
    )
    annual = pd.concat([per_unit, region.assign(unit_id=REGION)], ignore_index=True).sort_values(["year", "unit_id"], kind="stable")
    return annual.assign(complete=annual["months"].eq(12))


def _care_chain_with_ward(tables: dict[str, pd.DataFrame], ctx: dict) -> pd.DataFrame:
    chain = tables["care_chain_weekly"]
    ward = tables["postnatal_weekly"].set_index(["unit_id", "iso_year", "iso_week"])
    key = pd.MultiIndex.from_frame(chain[["unit_id", "iso_year", "iso_week"]])
    return chain.assign(beds=ward["beds"].reindex(key).to_numpy(), occupancy=ward["occupancy"].reindex(key).to_numpy())


# The workbook's views of the processed tables (sheet_catalog.SHEETS names them as their source);
# a sheet whose source is a processed table shows that table as it is.
VIEWS = {
    "births_annual": _births_annual,
    "summer_comparison": lambda t, ctx: describe.summer_comparison(
        t["births_monthly"], t["redirections"], ctx["compare_years"], ctx["summer_weeks"]
    ),
    "neonatal_current": lambda t, ctx: describe.neonatal_current(t["neonatal_admissions"], t["units"], ctx["compare_years"]),
    "forecast_annual": lambda t, ctx: forecast.annual_totals(t["births_forecast"]),
    "care_chain_with_ward": _care_chain_with_ward,
    "neonatal_risk_ahead": lambda t, ctx: t["neonatal_risk"][t["neonatal_risk"]["kind"] == "prognos"],
}


def region_last(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with the region's rows after its units' rows: the REGION block at the end
    of a table sorted by unit, the REGION row last in each group of a table sorted by year
    or week (each group starting with the same unit); the order is otherwise kept."""
    if "unit_id" not in frame or not frame["unit_id"].eq(REGION).any():
        return frame
    units = frame["unit_id"].reset_index(drop=True)
    is_region = units.eq(REGION)
    blocks = units.ne(units.shift()).cumsum()
    if blocks.nunique() == units.nunique():  # each unit's rows together: move the REGION block last
        order = np.lexsort((np.arange(len(units)), is_region.to_numpy()))
    else:
        first = units[~is_region].iloc[0]
        group = units.eq(first).cumsum().to_numpy()
        order = np.lexsort((np.arange(len(units)), is_region.to_numpy(), group))
    return frame.iloc[order].reset_index(drop=True)


def _catalog_sheet(
    spec: sheet_catalog.Sheet, tables: dict[str, pd.DataFrame], ctx: dict, labels: dict[str, str], threshold: int, is_demo: bool
) -> Sheet:
    """One sheet as ``sheet_catalog.SHEETS`` declares it."""
    frame = VIEWS[spec.source](tables, ctx) if spec.source in VIEWS else tables[spec.source]
    frame = region_last(frame)
    year_column = "year" if "year" in frame else "iso_year"
    published = PublishedCounts(tables["redirection_counts_internal"], threshold) if "redirection_counts_internal" in tables else None
    cols = _unit_cols(frame["unit_id"], labels) if spec.unit_columns else []
    for show in spec.columns:
        values = frame[show.column]
        if show.codes is not None:
            values = values.map(show.codes)
        elif show.strftime:
            values = values.dt.strftime(show.strftime)
        status = None
        if show.protected:  # shown as every report shows the summer redirections (capacity reasons)
            status = _protected(published, frame["unit_id"], frame[year_column], frame[show.column])
        label = spec.label(show).format(weeks=ctx["weeks"])
        cols.append(Col(label, values, spec.fmt(show), people=spec.counts_people(show), status=status))
    return _sheet(spec.about.format(**ctx), cols, threshold, is_demo, total_of=spec.total_of)


def workbook_sheets(
    tables: dict[str, pd.DataFrame],
    *,
    run_id: str,
    tertial: str,
    period_end: pd.Timestamp,
    is_demo: bool,
    data_label: str,
    compare_years: tuple[int, ...],
    summer_weeks: tuple[int, int],
    threshold: int,
) -> dict[str, Sheet]:
    """The sheets of the hand-off workbook, in order, with Swedish column names: every
    sheet of ``sheet_catalog.SHEETS`` whose tables the run made, after a first sheet about them."""
    labels = {**describe.unit_labels(tables["units"]), REGION: "Hela regionen"} if "units" in tables else {REGION: "Hela regionen"}
    ctx = {
        "weeks": "v. {}–{}".format(*summer_weeks),
        "period_end": period_end,
        "compare_years": compare_years,
        "summer_weeks": summer_weeks,
    }
    sheets = {
        spec.name: _catalog_sheet(spec, tables, ctx, labels, threshold, is_demo)
        for spec in sheet_catalog.SHEETS
        if all(t in tables for t in spec.needs)
    }
    about = [
        ("Körning", run_id),
        ("Tertial", tertial),
        ("Data till och med", f"{period_end:%Y-%m}"),
        ("Underlag", SYNTHETIC_NOTE if is_demo else data_label),
        (
            "Röjandeskydd",
            f"Antal personer från 1 till {threshold - 1} är tomma celler med anteckningen <{threshold}. Ett antal som skulle röja ett "
            f"sådant antal (ur en summa, en skillnad eller ett tal per 1 000) är också tomt, med anteckningen {SECONDARY_MARK}; "
            "hänvisningarna är skyddade på samma sätt i arbetsboken och i rapporterna.",
        ),
        ("Veckovärden", "Förlossningar per vecka är fördelade från månadsvärden."),
        ("Modellvärden", "Väntade antal och prognoser är modellskattningar, inte räknade personer."),
        *((f"Flik: {name}", sheet.about) for name, sheet in sheets.items()),
    ]
    first = _sheet(
        "Körningen och flikarna.",
        [Col("Fält", pd.Series([a for a, _ in about])), Col("Värde", pd.Series([b for _, b in about]))],
        threshold,
        False,
    )
    return {"Om tabellerna": first, **sheets}


def banner(is_demo: bool, run_id: str) -> str:
    """The print header of every sheet (and the workbook's title)."""
    return f"{SYNTHETIC_NOTE}. Körning {run_id}." if is_demo else f"Körning {run_id}."


def _table_name(sheet_name: str, used: set[str]) -> str:
    """An Excel table name: letters, digits and underscores, starting with a letter, unique."""
    ascii_name = sheet_name.translate(str.maketrans("åäöÅÄÖé", "aaoAAOe"))
    base = "T_" + (re.sub(r"[^A-Za-z0-9_]", "_", ascii_name).strip("_") or "tabell")
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name.lower())
    return name


def _cell_value(value):
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


# A text that starts with one of these is read by Excel (or LibreOffice) as a formula, when
# the file is opened or a cell is edited: OWASP's CSV/formula-injection rule. Such a text is
# stored as text with Excel's quote prefix (shown as written, never evaluated).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell) -> None:
    """Keep a text cell that looks like a formula a text (``FORMULA_START``)."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_workbook(sheets: dict[str, Sheet], path: Path, banner_text: str, threshold: int) -> Path:
    """Write the sheets: each an Excel table from A1 (header row frozen, filter buttons),
    number formats per column, hidden counts as empty cells with a "<threshold" note."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    demo = "EXEMPELDATA" in banner_text
    book = Workbook()
    book.remove(book.active)
    book.properties.title = banner_text
    used: set[str] = set()
    for name, sheet in sheets.items():
        ws = book.create_sheet(title=name[:31])
        frame = sheet.frame
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            ws.append([_cell_value(v) for v in row])
        for row in ws.iter_rows():
            for cell in row:
                _as_text(cell)
        for j, column in enumerate(frame.columns, start=1):
            fmt = sheet.formats.get(column, TEXT)
            letter = get_column_letter(j)
            for i in range(2, len(frame) + 2):
                cell = ws.cell(row=i, column=j)
                if fmt != TEXT or isinstance(cell.value, str):
                    cell.number_format = fmt
            texts = [str(column), *(str(v) for v in frame[column] if _cell_value(v) is not None)]
            ws.column_dimensions[letter].width = min(max(10, max(len(t) for t in texts) + 2), 60)
        for column, rows in sheet.hidden.items():
            j = list(frame.columns).index(column) + 1
            for i in rows:
                note = (
                    f"{SECONDARY_MARK}: dolt så att ett annat dolt antal inte kan räknas fram (röjandeskydd)"
                    if i in sheet.secondary.get(column, [])
                    else f"<{threshold}: ett antal från 1 till {threshold - 1}, dolt (röjandeskydd)"
                )
                ws.cell(row=i + 2, column=j).comment = Comment(note, "fragile-care")
        last = f"{get_column_letter(len(frame.columns))}{len(frame) + 1}"
        if len(frame):
            table = Table(displayName=_table_name(name, used), ref=f"A1:{last}")
            table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
            ws.add_table(table)
        else:
            ws.auto_filter.ref = f"A1:{last}"
        ws.freeze_panes = "A2"
        ws.oddHeader.center.text = banner_text
        if demo:
            ws.sheet_properties.tabColor = "B00020"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
