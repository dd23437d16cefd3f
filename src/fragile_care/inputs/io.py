"""Reading and writing files. The only module that touches the file system for data.

Readers return every cell as found (text for CSV, Python values for Excel) together with
the row number each record has in the file, so that later checks can name file, row and
column. Raw files are opened read-only and never modified.
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from fragile_care.inputs.quality import UnreadableTableError

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
DELIMITERS = (";", ",", "\t", "|")


@dataclass
class RawTable:
    """A table as read from a file, before any checks.

    ``header`` holds the column names as written; ``records`` one list of cell values per
    data row; ``line_numbers`` the row number of each record in the file (header = 1).
    """

    path: Path
    header: list[str]
    records: list[list[Any]]
    line_numbers: list[int]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    blank_why: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column index) -> why an Excel cell reads empty

    @property
    def name(self) -> str:
        return self.path.name


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise UnreadableTableError(name, f"cannot decode as UTF-16: {exc.reason}") from None
    if b"\x00" in data:
        sample = data[:4096]
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if max(even, odd) > 0.4 * len(sample) / 2 and min(even, odd) < 0.05 * len(sample) / 2:
            encoding = "utf-16-le" if odd > even else "utf-16-be"  # ASCII-range text: every other byte is NUL
            try:
                return data.decode(encoding), f"{encoding} (no BOM)"
            except UnicodeDecodeError as exc:
                raise UnreadableTableError(name, f"looks like UTF-16 without a byte-order mark but does not decode: {exc.reason}") from None
        raise UnreadableTableError(name, "binary content (NUL bytes): not a text table")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise UnreadableTableError(name, f"cannot decode as UTF-8 or Windows-1252 (byte {exc.start}): not a text table") from None


def _sniff_delimiter(header_line: str) -> str:
    """Pick the delimiter that splits the header line into the most fields (outside quotes)."""
    best, best_count = ",", 0
    for delim in DELIMITERS:
        try:
            fields = next(csv.reader([header_line], delimiter=delim))
        except (csv.Error, StopIteration):
            continue
        if len(fields) - 1 > best_count:
            best, best_count = delim, len(fields) - 1
    return best


MAX_TABLE_BYTES = (
    25 * 1024**2
)  # a region's unit table is kilobytes, a national one a few MB; 25 MB is about a million rows (some 40 s to check)
MAX_SHEET_CELLS = 20_000_000  # a worksheet's used range above this is stray cells, not a table
EXCEL_SECONDS = 60.0  # time limit on reading one worksheet


def _lines(text: str):
    """The lines of ``text`` one at a time (no list of every line of a large file)."""
    for match in re.finditer(r"[^\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+", text):
        yield match.group(0)


def read_delimited(path: Path) -> RawTable:
    """Read a CSV/semicolon/tab-separated text file, detecting encoding and delimiter."""
    name = path.name
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableTableError(name, "empty file")
    text, encoding = _decode(data, name)
    del data
    first_line = next((line for line in _lines(text) if line.strip()), None)
    if first_line is None:
        raise UnreadableTableError(name, "empty file (only blank lines)")
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records: list[list[Any]] = []
    numbers: list[int] = []
    shared: dict[tuple[str, ...], list[str]] = {}  # a row repeated exactly is held once, however often it is written
    try:
        for row in reader:
            line_no = reader.line_num
            if header is None:
                if not any(cell.strip() for cell in row):
                    continue  # leading blank lines before the header
                header = row
                header_line = line_no
                continue
            records.append(shared.setdefault(tuple(row), row))
            numbers.append(line_no)
    except csv.Error as exc:
        raise UnreadableTableError(name, f"malformed CSV at line {reader.line_num}: {exc}") from None
    if header is None:
        raise UnreadableTableError(name, "no header row: every line is empty or holds only separators (an empty sheet saved as CSV?)")
    notes = [f"read as {encoding}, delimiter {delimiter!r}"]
    if header_line != 1:
        notes.append(f"header found on line {header_line}")
    return RawTable(path, header, records, numbers, encoding=encoding, delimiter=delimiter, notes=notes)


def read_excel(path: Path, sheet: str | None = None) -> RawTable:
    """Read the first visible worksheet (or ``sheet``) of an .xlsx workbook with openpyxl.
    The notes say which sheet was read and which were not; a used range too large to be a
    table, or a read over ``EXCEL_SECONDS``, is refused with a message saying what to do."""
    import time

    import openpyxl

    name = path.name
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableTableError(name, f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        notes = []
        if sheet is not None and sheet in workbook.sheetnames:
            ws = workbook[sheet]
        else:
            visible = [w for w in workbook.worksheets if w.sheet_state == "visible"]
            if not visible:
                raise UnreadableTableError(name, "every worksheet is hidden")
            ws = visible[0]
            hidden = [w.title for w in workbook.worksheets[: workbook.worksheets.index(ws)]]
            if hidden:
                notes.append(f"hidden worksheet(s) {', '.join(map(repr, hidden))} skipped")
        others = [w.title for w in workbook.worksheets if w.title != ws.title]
        max_row, max_col = ws.max_row or 0, ws.max_column or 0
        if max_row * max_col > MAX_SHEET_CELLS:
            raise UnreadableTableError(
                name,
                f"worksheet {ws.title!r} claims a used range of {max_row:,} rows x {max_col:,} columns; "
                "delete the stray cells far outside the table (Ctrl+End shows the last one) and save again",
            )
        deadline = time.monotonic() + EXCEL_SECONDS
        header: list[str] | None = None
        records: list[list[Any]] = []
        numbers: list[int] = []
        for row_no, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if row_no % 1000 == 0 and time.monotonic() > deadline:
                raise UnreadableTableError(
                    name, f"reading worksheet {ws.title!r} took over {EXCEL_SECONDS:.0f} s (at row {row_no:,}); save it as CSV"
                )
            cells = ["" if v is None else v for v in row]
            if header is None:
                if not any(str(c).strip() for c in cells):
                    continue
                header = [str(c) for c in cells]
                while header and not header[-1].strip():
                    header.pop()
                continue
            while len(cells) > len(header) and cells[-1] == "":
                cells.pop()  # empty cells right of the table; values there are kept and reported
            records.append(cells + [""] * (len(header) - len(cells)))
            numbers.append(row_no)
        if header is None:
            raise UnreadableTableError(name, "empty workbook (no header row)")
        notes.insert(0, f"read worksheet {ws.title!r}")
        if others:
            notes.append(f"other worksheet(s) not read: {', '.join(map(repr, others))}")
        blanks = [(n, j) for n, rec in zip(numbers, records) for j, v in enumerate(rec) if v == ""]
        why = _why_blank(path, ws.title, blanks) if blanks and path.stat().st_size <= EXCEL_EXPLAIN_BYTES else {}
        return RawTable(path, header, records, numbers, sheet=ws.title, notes=notes, blank_why=why)
    finally:
        workbook.close()


EXCEL_EXPLAIN_BYTES = 5 * 1024**2  # workbooks up to this size are read a second time to explain empty cells


def _why_blank(path: Path, sheet: str, cells: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Why cells read as empty: a formula whose result was never saved (a file written by a
    program that does not calculate), or the inside of a merged range (only its top-left
    cell holds the value). Needs a second, full read of the workbook with formulas."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        workbook = openpyxl.load_workbook(path, read_only=False, data_only=False)
    except Exception:  # the first read succeeded; without the explanation the cells still say "missing value"
        return {}
    try:
        ws = workbook[sheet]
        merged = [(r.min_row, r.max_row, r.min_col, r.max_col, r.coord) for r in ws.merged_cells.ranges]
        out = {}
        for row, j in cells:
            value = ws.cell(row=row, column=j + 1).value
            if isinstance(value, str) and value.startswith("="):
                out[(row, j)] = f"the cell holds the formula {value[:40]!r} without a saved result; open the file in Excel and save it"
                continue
            for r0, r1, c0, c1, coord in merged:
                if r0 <= row <= r1 and c0 <= j + 1 <= c1 and (row, j + 1) != (r0, c0):
                    top_left = f"{get_column_letter(c0)}{r0}"
                    out[(row, j)] = (
                        f"the cell is inside the merged range {coord}, whose value is in {top_left}; unmerge and fill every cell"
                    )
                    break
        return out
    finally:
        workbook.close()


def read_raw_table(path: Path | str, sheet: str | None = None) -> RawTable:
    """Read any supported table file. Raises :class:`UnreadableTableError` when it cannot."""
    path = Path(path)
    if not path.exists():
        raise UnreadableTableError(path.name, f"file not found: {path}")
    if path.is_dir():
        raise UnreadableTableError(path.name, "is a folder, not a file")
    if not path.is_file():
        raise UnreadableTableError(path.name, "not a regular file (a pipe or a device): save the table as a file")
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        raise UnreadableTableError(
            path.name,
            f"{size / 1024**2:,.0f} MB; a table may be at most {MAX_TABLE_BYTES // 1024**2} MB (split it, or aggregate to months)",
        )
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise UnreadableTableError(path.name, "old Excel format .xls is not supported; save it as .xlsx")
    if suffix in EXCEL_SUFFIXES:
        return read_excel(path, sheet)
    return read_delimited(path)


TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".txt", ".tsv")


def table_files(folder: Path, table: str) -> list[Path]:
    """Every file in ``folder`` that could hold ``table`` (``<table>.csv``, ``.xlsx``, ...).
    More than one is ambiguous: the data-set check refuses it, naming them all."""
    return [folder / f"{table}{suffix}" for suffix in TABLE_SUFFIXES if (folder / f"{table}{suffix}").exists()]


def find_table_file(folder: Path, table: str) -> Path | None:
    """The file holding ``table`` in ``folder``: ``<table>.csv``, ``.txt`` or ``.xlsx`` (the
    first of :data:`TABLE_SUFFIXES`; :func:`table_files` lists them all)."""
    found = table_files(folder, table)
    return found[0] if found else None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_yaml(path: Path) -> Any:
    with Path(path).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def write_yaml(data: Any, path: Path) -> None:
    Path(path).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def write_json(data: Any, path: Path) -> None:
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def read_json(path: Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Deterministic UTF-8 CSV with ``\\n`` line endings (byte-identical for equal frames)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_tables(tables: dict[str, pd.DataFrame], folder: Path | str) -> list[Path]:
    """Write each table as ``<name>.parquet`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        target = folder / f"{name}.parquet"
        frame.to_parquet(target, index=False)
        written.append(target)
    return written


def read_tables(folder: Path | str, names: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Read processed parquet tables written by :func:`write_tables`."""
    folder = Path(folder)
    files = sorted(folder.glob("*.parquet"))
    out = {f.stem: pd.read_parquet(f) for f in files if names is None or f.stem in names}
    if names:
        missing = sorted(set(names) - set(out))
        if missing:
            raise FileNotFoundError(f"processed tables missing in {folder}: {', '.join(missing)}")
    return out
