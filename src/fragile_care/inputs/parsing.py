"""Parsers for single cell values, as found in Swedish exports.

Each parser returns ``(value, repair)``: ``repair`` is ``None`` when the cell was already in
canonical form, otherwise a short text saying what was changed (it goes to the quality log).
A value that cannot be understood raises :class:`CellError` with a message for the log.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pandas as pd

SWEDISH_MONTHS = {
    "januari": 1,
    "februari": 2,
    "mars": 3,
    "april": 4,
    "maj": 5,
    "juni": 6,
    "juli": 7,
    "augusti": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
ENGLISH_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "october": 10,
}
# Three-letter abbreviations in both languages ("okt", "oct", "maj", "may").
MONTH_WORDS: dict[str, int] = {**SWEDISH_MONTHS, **ENGLISH_MONTHS}
for _word, _num in list(MONTH_WORDS.items()):
    MONTH_WORDS.setdefault(_word[:3], _num)
MONTH_WORDS["okt"] = 10
MONTH_WORDS["oct"] = 10

EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serial days for 1950-01-01 .. 2099-12-31: a bare number in this range in a date
# column is read as an Excel date.
EXCEL_SERIAL_RANGE = (18264, 73050)
YEAR_RANGE = (1900, 2100)

_SPACES = re.compile(r"[\s\u00a0\u202f]")


class CellError(ValueError):
    """A cell value that cannot be understood or is out of range."""


def is_blank(value: Any) -> bool:
    """None, NaN, pandas' missing markers (NA, NaT) or a string of white space."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # not a scalar
        return False


def _check_year(year: int, raw: Any) -> None:
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise CellError(f"year {year} in {raw!r} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")


def _check_month(month: int, raw: Any) -> None:
    if not 1 <= month <= 12:
        raise CellError(f"month {month} in {raw!r} is not 1-12")


def _excel_serial(value: float, raw: Any) -> dt.date:
    if not float(value).is_integer() or not EXCEL_SERIAL_RANGE[0] <= value <= EXCEL_SERIAL_RANGE[1]:
        raise CellError(f"{raw!r} is not a month or date")
    return EXCEL_EPOCH + dt.timedelta(days=int(value))


def parse_month(value: Any) -> tuple[pd.Period, str | None]:
    """Parse a month. Canonical form ``YYYY-MM``.

    Accepted with a logged repair: ``2025-7``, ``2025M07`` (SCB), ``2025/07``, ``juli 2025``
    (Swedish or English names, full or three letters), a first-of-month date
    ``2025-07-01``, an Excel date cell, or an Excel serial number.
    """
    raw = value
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return pd.Period(year=value.year, month=value.month, freq="M"), "Excel date cell read as month"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        day = _excel_serial(value, raw)
        return pd.Period(year=day.year, month=day.month, freq="M"), "Excel serial date read as month"
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m:
        year, month = int(m[1]), int(m[2])
        _check_year(year, raw)
        _check_month(month, raw)
        return pd.Period(year=year, month=month, freq="M"), None
    m = re.fullmatch(r"(\d{4})\s*(?:-|/|\.|M|m)\s*(\d{1,2})", text)
    if m:
        year, month = int(m[1]), int(m[2])
        _check_year(year, raw)
        _check_month(month, raw)
        return pd.Period(year=year, month=month, freq="M"), f"month {text!r} written as {year:04d}-{month:02d}"
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?", text)
    if m:
        year, month = int(m[1]), int(m[2])
        _check_year(year, raw)
        _check_month(month, raw)
        try:
            dt.date(year, month, int(m[3]))
        except ValueError:
            raise CellError(f"{text!r} is not a valid date") from None
        return pd.Period(year=year, month=month, freq="M"), f"date {text!r} read as month {year:04d}-{month:02d}"
    m = re.fullmatch(r"([A-Za-zÅÄÖåäö]+)\.?\s+(\d{4})", text) or re.fullmatch(r"(\d{4})\s+([A-Za-zÅÄÖåäö]+)\.?", text)
    if m:
        word, year_text = (m[1], m[2]) if not m[1].isdigit() else (m[2], m[1])
        month = MONTH_WORDS.get(word.lower())
        if month is None:
            raise CellError(f"unknown month name {word!r} in {text!r}")
        year = int(year_text)
        _check_year(year, raw)
        return pd.Period(year=year, month=month, freq="M"), f"month {text!r} written as {year:04d}-{month:02d}"
    if re.fullmatch(r"\d+(\.0+)?", text):
        day = _excel_serial(float(text), raw)
        return pd.Period(year=day.year, month=day.month, freq="M"), f"Excel serial {text} read as month {day:%Y-%m}"
    raise CellError(f"{text!r} is not a month (expected YYYY-MM)")


def parse_date(value: Any) -> tuple[dt.date, str | None]:
    """Parse a date. Canonical form ``YYYY-MM-DD``; ``2025-7-3``, ``3 juli 2025``, Excel
    dates and serials are repaired and logged. Day-first or month-first slash dates are
    ambiguous and rejected."""
    raw = value
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date(), "Excel date cell read as date"
    if isinstance(value, dt.date):
        return value, "Excel date cell read as date"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        day = _excel_serial(value, raw)
        return day, "Excel serial date read as date"
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?", text)
    if m:
        year = int(m[1])
        _check_year(year, raw)
        try:
            day = dt.date(year, int(m[2]), int(m[3]))
        except ValueError:
            raise CellError(f"{text!r} is not a valid date") from None
        canonical = day.isoformat()
        return day, None if text == canonical else f"date {text!r} written as {canonical}"
    m = re.fullmatch(r"(\d{1,2})\s+([A-Za-zÅÄÖåäö]+)\.?\s+(\d{4})", text)
    if m:
        month = MONTH_WORDS.get(m[2].lower())
        if month is None:
            raise CellError(f"unknown month name {m[2]!r} in {text!r}")
        try:
            day = dt.date(int(m[3]), month, int(m[1]))
        except ValueError:
            raise CellError(f"{text!r} is not a valid date") from None
        return day, f"date {text!r} written as {day.isoformat()}"
    if re.fullmatch(r"\d+(\.0+)?", text):
        day = _excel_serial(float(text), raw)
        return day, f"Excel serial {text} read as date {day.isoformat()}"
    raise CellError(f"{text!r} is not a date (expected YYYY-MM-DD)")


def iso_weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always lies in the last ISO week of its year."""
    return dt.date(year, 12, 28).isocalendar().week


def parse_iso_week(value: Any) -> tuple[str, str | None]:
    """Parse an ISO week. Canonical form ``YYYY-Www`` (``2026-W27``). ``2026W27``,
    ``2026-27``, ``v27 2026``, ``2026 v.27`` are repaired. Week 53 in a 52-week year is an
    error."""
    text = str(value).strip()
    m = (
        re.fullmatch(r"(\d{4})-?[Ww](\d{1,2})", text)
        or re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        or re.fullmatch(r"(\d{4})\s*[Vv](?:ecka)?\.?\s*(\d{1,2})", text)
    )
    if m:
        year, week = int(m[1]), int(m[2])
    else:
        m = re.fullmatch(r"[Vv](?:ecka)?\.?\s*(\d{1,2})\s+(\d{4})", text)
        if not m:
            raise CellError(f"{text!r} is not an ISO week (expected YYYY-Www, e.g. 2026-W27)")
        week, year = int(m[1]), int(m[2])
    _check_year(year, value)
    last = iso_weeks_in_year(year)
    if not 1 <= week <= last:
        raise CellError(f"ISO week {week} does not exist in {year}, which has {last} weeks")
    canonical = f"{year:04d}-W{week:02d}"
    return canonical, None if text == canonical else f"ISO week {text!r} written as {canonical}"


def parse_number(value: Any, decimal_comma: bool) -> tuple[float, str | None]:
    """Parse a number. Spaces (also no-break spaces) as thousands separators are removed;
    a decimal comma is accepted when the file is not comma-separated."""
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(f"{value!r} is not a finite number")
        return float(value), None
    text = _SPACES.sub("", str(value))
    text = text.replace("\u2212", "-")  # typographic minus sign
    if "," in text:
        if not decimal_comma:
            raise CellError(f"{value!r}: a comma in a comma-separated file is ambiguous")
        if text.count(",") > 1 or "." in text:
            raise CellError(f"{value!r} is not a number")
        text = text.replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        raise CellError(f"{value!r} is not a number")
    return float(text), None


MAX_COUNT = 10**12  # any count above this is a typing or export error (and beyond int64's safe range)


def parse_count(value: Any, decimal_comma: bool) -> tuple[int, str | None]:
    """Parse a non-negative whole count. ``12.0`` is repaired to ``12``; ``12.5`` and
    negative values are errors."""
    number, _ = parse_number(value, decimal_comma)
    if number < 0:
        raise CellError(f"negative count {value!r}")
    if number > MAX_COUNT:
        raise CellError(f"count {value!r} is beyond any plausible count (at most {MAX_COUNT:,})")
    if not float(number).is_integer():
        raise CellError(f"non-integer count {value!r}")
    repair = None
    if not isinstance(value, int) and not re.fullmatch(r"\d+", _SPACES.sub("", str(value))):
        repair = f"count {value!r} written as {int(number)}"
    return int(number), repair
