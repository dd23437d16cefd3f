import datetime as dt

import pandas as pd
import pytest

from fragile_care.inputs.parsing import (
    CellError,
    iso_weeks_in_year,
    parse_count,
    parse_date,
    parse_iso_week,
    parse_month,
    parse_number,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "value, repaired",
    [
        ("2025-07", False),
        ("2025-7", True),
        ("juli 2025", True),
        ("Juli 2025", True),
        ("jul 2025", True),
        ("July 2025", True),
        ("2025M07", True),
        ("2025/07", True),
        ("2025-07-01", True),
        (dt.datetime(2025, 7, 1), True),
        (45839, True),  # Excel serial for 2025-07-01
        ("45839", True),
    ],
)
def test_month_forms(value, repaired):
    period, repair = parse_month(value)
    assert period == pd.Period("2025-07", freq="M")
    assert (repair is not None) == repaired


@pytest.mark.parametrize(
    "value, message", [("2025-13", "not 1-12"), ("jully 2025", "unknown month name"), ("hello", "not a month"), ("1850-01", "outside")]
)
def test_bad_months(value, message):
    with pytest.raises(CellError, match=message):
        parse_month(value)


def test_dates():
    assert parse_date("2025-07-03") == (dt.date(2025, 7, 3), None)
    assert parse_date("2025-7-3")[0] == dt.date(2025, 7, 3)
    assert parse_date("3 juli 2025")[0] == dt.date(2025, 7, 3)
    with pytest.raises(CellError, match="not a date"):
        parse_date("03/07/2025")  # day-first or month-first: ambiguous
    with pytest.raises(CellError, match="not a valid date"):
        parse_date("2025-02-30")


def test_iso_weeks():
    # ISO 8601: a year has 53 weeks when 28 December falls in week 53 (2020, 2026 do; 2025 does not).
    assert iso_weeks_in_year(2020) == 53
    assert iso_weeks_in_year(2025) == 52
    assert iso_weeks_in_year(2026) == 53
    assert parse_iso_week("2026-W53") == ("2026-W53", None)
    assert parse_iso_week("v27 2026")[0] == "2026-W27"
    assert parse_iso_week("2026-27")[0] == "2026-W27"
    with pytest.raises(CellError, match="week 53 does not exist in 2025"):
        parse_iso_week("2025-W53")


def test_numbers_swedish_format():
    assert parse_number("3,5", decimal_comma=True)[0] == 3.5
    assert parse_number("12\u00a0345", decimal_comma=True)[0] == 12345
    assert parse_number("\u22122,5", decimal_comma=True)[0] == -2.5
    with pytest.raises(CellError, match="ambiguous"):
        parse_number("3,5", decimal_comma=False)


def test_counts():
    assert parse_count("12", True) == (12, None)
    value, repair = parse_count("12.0", True)
    assert value == 12 and "written as 12" in repair
    with pytest.raises(CellError, match="negative count"):
        parse_count("-3", True)
    with pytest.raises(CellError, match="non-integer count"):
        parse_count("12,5", True)
    with pytest.raises(CellError, match="not a number"):
        parse_count("tolv", True)
