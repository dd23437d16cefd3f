"""A reader of everything published (issue 32): the HTML pages reachable from the reports
(their tables and their text outputs) and the workbook, looking for a count
of people that the reports hide (tests only).

The attack in ``disclosure_attack`` reads the protected outputs the reports embed and solves
for the hidden cells. This scan reads what a reader would find on any published page,
structured as tables: HTML tables, pandas text tables in ``<pre>`` blocks, workbook sheets.
A row that names a unit (its code or label) and a summer year, under a column that counts
redirected women, gives a printed count for that cell; a printed whole number where the
protection hid the cell (``<5``, ``..``, never printed) is a leak, and so is a 1-4 in any
column that counts people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

# Columns that count redirected women, as the notebooks and reports name them.
REDIRECTED_COLUMN = re.compile(r"redirect|hänvis|women|kvinnor|loggen|logged|^antal \d{4}$", re.IGNORECASE)
NOT_COUNT_COLUMN = re.compile(r"per[ _]1[ _\u00a0]?000|rate|share|andel|per_week|risk|expected|väntat|modell|predicted|%", re.IGNORECASE)
ROW_KEY = re.compile(r"[a-z_]*(redirected|women)[a-z_]*")  # a row's key in a table of key numbers
YEAR_COLUMN = re.compile(r"^(year|iso_year|år|sommar)$", re.IGNORECASE)
WHOLE = re.compile(r"^\d[\d\u00a0 ]*(\.0+)?$")
HIDDEN = ("primary", "secondary", "withheld", "unpublished")


@dataclass(frozen=True)
class Record:
    """One row of a published table: where it was read and {column header: cell text}."""

    where: str
    cells: dict[str, str]


class _Tables(HTMLParser):
    """HTML tables (header cells and rows) and the text of ``<pre>`` blocks of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.pre: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._pre: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "pre":
            self._pre = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None
        elif tag == "pre" and self._pre is not None:
            self.pre.append("".join(self._pre))
            self._pre = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._pre is not None:
            self._pre.append(data)


def text_table_records(text: str, where: str) -> Iterator[Record]:
    """Rows of pandas' text tables (``print(frame)`` or a frame as a cell's last expression):
    a header line, then rows of one token more (the index label first); columns matched
    from the right, extra tokens on the left belong to the index label. A line of one
    token under a header is the index's name."""
    header: list[str] | None = None
    for line in text.splitlines():
        tokens = [t for t in line.split() if t != "\\"]
        if not tokens:
            continue
        if header is not None and len(tokens) > len(header):
            values = tokens[len(tokens) - len(header) :]
            cells = dict(zip(header, values))
            cells["(index)"] = " ".join(tokens[: len(tokens) - len(header)])
            yield Record(where, cells)
        elif header is not None and len(tokens) == 1 and len(header) > 1:
            continue  # the index's name
        else:
            header = tokens


def html_records(path: Path) -> Iterator[Record]:
    """Rows of every HTML table and every text table in ``<pre>`` on a page."""
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    for k, table in enumerate(parser.tables):
        if len(table) < 2:
            continue
        header = table[0]
        for row in table[1:]:
            yield Record(f"{path.name} table {k + 1}", dict(zip(header, row)))
    for k, text in enumerate(parser.pre):
        yield from text_table_records(text, f"{path.name} text output {k + 1}")


def workbook_records(path: Path) -> Iterator[Record]:
    """Rows of every sheet of a workbook (headers in row 1); an empty cell is ''."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if len(rows) < 2:
            continue
        header = [str(h) for h in rows[0]]
        for i, row in enumerate(rows[1:], start=2):
            cells = {
                h: "" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)) for h, v in zip(header, row)
            }
            yield Record(f"{path.name}!{ws.title} row {i}", cells)


def published_records(published: Path) -> Iterator[Record]:
    """Every table row of the published part of a bundle: the HTML pages (reports and the
    notebook pages they link to) and the workbooks. The PDFs are typeset from the same
    embedded outputs as the HTML reports (``disclosure_attack`` reads those)."""
    for page in sorted(published.rglob("*.html")):
        yield from html_records(page)
    for book in sorted(published.glob("*.xlsx")):
        yield from workbook_records(book)


def _whole(text: str) -> int | None:
    text = text.strip().replace("\\", "")
    return int(re.sub(r"\D", "", text.split(".")[0])) if WHOLE.match(text) else None


def _unit_of(cells: dict[str, str], names: dict[str, str]) -> str | None:
    for value in cells.values():
        value = value.strip().replace("\\", "")
        if value in names:
            return names[value]
    return None


def _years(cells: dict[str, str]) -> dict[str, int]:
    """Column -> the year it belongs to: a year column's value for every column, or a
    year in the column's own header ("Antal 2025")."""
    row_year = next((int(v) for h, v in cells.items() if YEAR_COLUMN.match(h.strip()) and re.fullmatch(r"\d{4}", v.strip())), None)
    out = {}
    for h in cells:
        m = re.search(r"\b(20\d\d)\b", h)
        if m:
            out[h] = int(m[1])
        elif row_year is not None:
            out[h] = row_year
    return out


def leaks(records: Iterable[Record], hidden: dict[tuple[str, int], str], names: dict[str, str], threshold: int = 5) -> list[str]:
    """Printed counts a reader should not see. ``hidden``: (unit_id, year) -> why it is
    hidden (the cells of the capacity redirections the protection did not print as a
    number); ``names``: every text naming a unit (code, label) -> its unit_id."""
    found = []
    for record in records:
        unit = _unit_of(record.cells, names)
        years = _years(record.cells)
        # a row about redirected women ("redirected_logged" in a key-number table): its
        # whole numbers count women too, in whatever column
        row_counts = any(ROW_KEY.fullmatch(v.strip()) and not NOT_COUNT_COLUMN.search(v) for v in record.cells.values())
        for column, text in record.cells.items():
            if column == "(index)" or YEAR_COLUMN.match(column.strip()) or NOT_COUNT_COLUMN.search(column):
                continue
            if not (REDIRECTED_COLUMN.search(column) or row_counts):
                continue
            n = _whole(text)
            if n is None:
                continue
            if 0 < n < threshold:
                found.append(f"{record.where}: {column!r} prints {n}, a count of 1-{threshold - 1}")
            elif unit is not None and (unit, years.get(column)) in hidden:
                found.append(f"{record.where}: {column!r} prints {n} for {unit} {years.get(column)}, hidden in the reports")
    return found
