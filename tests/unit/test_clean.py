"""Schema checks and repairs on every kind of bad input named in issue 2."""

import openpyxl
import pandas as pd
import pytest

from fragile_care.inputs import io
from fragile_care.inputs.contracts import check_table, series_gaps
from fragile_care.inputs.quality import UnreadableTableError
from fragile_care.inputs.schemas import BIRTHS_MONTHLY, LEAVE_PLAN, REDIRECTIONS, UNITS
from fragile_care.inputs.units import Harmonisation, Merge, UnitRegistry, apply_merges

pytestmark = pytest.mark.unit

UNITS_FRAME = pd.DataFrame(
    {
        "unit_id": ["OSTRA", "MOLNDAL", "SAS"],
        "name": ["Östra sjukhuset", "Mölndals sjukhus", "SÄS Borås"],
        "aliases": ["Östra", None, "SÄS|Borås"],
    }
)
REGISTRY = UnitRegistry.build(UNITS_FRAME, Harmonisation(aliases={"Södra Älvsborg": "SAS"}))
HEADER = "unit_id,month,deliveries,babies_born\n"


def check(write_file, text, schema=BIRTHS_MONTHLY, name="births.csv", encoding="utf-8"):
    return check_table(io.read_raw_table(write_file(name, text, encoding)), schema, REGISTRY)


def messages(result, severity=None):
    return [p.format() for p in result.problems if severity is None or p.severity == severity]


def test_valid_file_has_no_problems(write_file):
    result = check(write_file, HEADER + "OSTRA,2025-07,800,812\nSAS,2025-07,200,203\n")
    assert result.problems == []
    assert result.rows_read == result.rows_kept == 2
    assert result.frame["deliveries"].tolist() == [800, 200]
    assert result.frame["month"].tolist() == [pd.Timestamp("2025-07-01")] * 2


def test_empty_file_cannot_be_read(write_file):
    with pytest.raises(UnreadableTableError, match="empty file"):
        io.read_raw_table(write_file("e.csv", ""))


def test_header_only(write_file):
    result = check(write_file, HEADER)
    assert messages(result) == ["births.csv:-:-: error: header only, no data rows"]


def test_missing_required_column(write_file):
    result = check(write_file, "unit_id,month,deliveries\nOSTRA,2025-07,800\n")
    assert messages(result) == ["births.csv:1:babies_born: error: missing required column 'babies_born'"]
    assert result.rows_kept == 0 and result.rows_rejected == 1


def test_misspelt_column_suggests_the_near_match(write_file):
    result = check(write_file, "unit_id,month,delivries,babies_born\nOSTRA,2025-07,800,812\n")
    assert messages(result) == ["births.csv:1:delivries: error: unknown column 'delivries'; did you mean 'deliveries'?"]


def test_conflicting_duplicate_keys_are_errors(write_file):
    result = check(write_file, HEADER + "OSTRA,2025-07,800,812\nOSTRA,2025-07,801,812\n")
    assert messages(result, "error") == [
        "births.csv:3:unit_id,month: error: duplicate key (unit_id=OSTRA, month=2025-07) also on row 2 with different values"
    ]


def test_exact_duplicates_are_dropped_and_counted(write_file):
    result = check(write_file, HEADER + "OSTRA,2025-07,800,812\nOSTRA,2025-07,800,812\n")
    assert result.ok
    assert result.rows_read == 2 and result.rows_kept == 1 and result.rows_rejected == 1
    assert messages(result) == ["births.csv:3:-: rejected: exact duplicate of row 2 (unit_id=OSTRA, month=2025-07) -> row dropped"]


@pytest.mark.parametrize("value, message", [("-3", "negative count '-3'"), ("12.5", "non-integer count '12.5'"), ("", "missing value")])
def test_bad_counts(write_file, value, message):
    result = check(write_file, HEADER + f"OSTRA,2025-07,{value},812\n")
    assert messages(result, "error") == [f"births.csv:2:deliveries: error: {message}"]


def test_month_forms_are_repaired_and_logged(write_file):
    text = HEADER + "OSTRA,2025-7,1,1\nOSTRA,juli 2024,2,2\nOSTRA,2023M07,3,3\nOSTRA,44743,4,4\n"
    result = check(write_file, text)
    assert result.ok
    months = result.frame["month"].dt.strftime("%Y-%m").tolist()
    assert months == ["2025-07", "2024-07", "2023-07", "2022-07"]
    assert len(messages(result, "repaired")) == 4


def test_excel_dates_in_a_workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["unit_id", "month", "deliveries", "babies_born"])
    ws.append(["OSTRA", pd.Timestamp("2025-07-01").to_pydatetime(), 800, 812])
    ws.append(["SAS", pd.Timestamp("2025-07-01").to_pydatetime(), 200.0, 203])
    wb.save(tmp_path / "births.xlsx")
    result = check_table(io.read_raw_table(tmp_path / "births.xlsx"), BIRTHS_MONTHLY, REGISTRY)
    assert result.ok
    assert result.frame["month"].tolist() == [pd.Timestamp("2025-07-01")] * 2
    assert [p.row for p in result.problems if p.column == "month"] == [2, 3]


def test_unknown_unit_is_an_error_with_a_suggestion(write_file):
    result = check(write_file, HEADER + "OSTRAA,2025-07,800,812\n")
    assert len(messages(result, "error")) == 1
    assert "unknown unit id 'OSTRAA'; did you mean 'OSTRA'?" in messages(result, "error")[0]


def test_unit_aliases_are_harmonised_and_logged(write_file):
    result = check(write_file, HEADER + "Östra,2025-07,800,812\nsäs,2025-07,200,203\nSödra Älvsborg,2025-08,210,211\n")
    assert result.frame["unit_id"].tolist() == ["OSTRA", "SAS", "SAS"]
    assert len(messages(result, "repaired")) == 3


def test_windows_1252_with_swedish_letters(write_file):
    text = (
        "unit_id;name;hospital;administration;delivery_rooms;postnatal_beds;neonatal_cots_ic;neonatal_cots_hd;neonatal_cots_sc\n"
        "SAS;SÄS Borås;Södra Älvsborgs sjukhus;SÄS;10;30;3;6;10\n"
    )
    raw = io.read_raw_table(write_file("units.csv", text, encoding="cp1252"))
    assert raw.encoding == "windows-1252"
    result = check_table(raw, UNITS)
    assert result.ok
    assert result.frame.loc[0, "name"] == "SÄS Borås"


def test_utf8_bom_and_semicolons_with_decimal_commas(write_file):
    text = "\ufeffunit_id;iso_week;profession;fte_on_leave\nOSTRA;2026-W27;barnmorska;12,5\nOSTRA;v28 2026;barnmorska;1\u00a0012,0\n"
    raw = io.read_raw_table(write_file("leave.csv", text))
    assert raw.encoding == "utf-8-sig" and raw.delimiter == ";"
    result = check_table(raw, LEAVE_PLAN, REGISTRY)
    assert result.ok
    assert result.frame["fte_on_leave"].tolist() == [12.5, 1012.0]
    assert result.frame["iso_week"].tolist() == ["2026-W27", "2026-W28"]


def test_week_53_in_a_52_week_year(write_file):
    result = check(write_file, "unit_id,iso_week,profession,fte_on_leave\nOSTRA,2025-W53,barnmorska,1\n", schema=LEAVE_PLAN)
    assert messages(result, "error") == ["births.csv:2:iso_week: error: ISO week 53 does not exist in 2025, which has 52 weeks"]


def test_trailing_blank_lines_are_counted(write_file):
    result = check(write_file, HEADER + "OSTRA,2025-07,800,812\n\n\n,,,\n")
    assert result.ok
    assert (result.rows_read, result.rows_kept, result.rows_rejected) == (4, 1, 3)
    assert messages(result, "rejected") == [f"births.csv:{n}:-: rejected: blank row -> row skipped" for n in (3, 4, 5)]


def test_row_accounting_identity_with_mixed_problems(write_file):
    text = HEADER + "OSTRA,2025-07,800,812\nOSTRA,2025-07,800,812\nOSTRA,2025-08,-1,5\n\nSAS,2025-09,7,7\n"
    result = check(write_file, text)
    assert result.rows_read == result.rows_kept + result.rows_rejected
    assert (result.rows_kept, result.rows_rejected) == (2, 3)


def test_missing_month_inside_a_series_is_flagged_not_filled(write_file):
    result = check(write_file, HEADER + "OSTRA,2025-01,800,812\nOSTRA,2025-03,800,812\n")
    gaps = series_gaps(result.frame, BIRTHS_MONTHLY, result.file)
    assert [p.format() for p in gaps] == [
        "births.csv:-:month: warning: month 2025-02 missing inside the series unit_id=OSTRA -> flagged, not filled"
    ]
    assert len(result.frame) == 2  # nothing filled in


def test_merge_adds_closed_unit_into_receiving_unit(write_file):
    result = check(write_file, HEADER + "OSTRA,2017-04,500,505\nMOLNDAL,2017-04,200,202\nOSTRA,2017-05,700,707\n")
    merged, log, combined = apply_merges(
        result.frame, BIRTHS_MONTHLY, (Merge("MOLNDAL", "OSTRA", pd.Timestamp("2017-04-30").date()),), "births.csv"
    )
    assert combined == 1
    expected = pd.DataFrame(
        {
            "unit_id": ["OSTRA", "OSTRA"],
            "month": pd.to_datetime(["2017-04-01", "2017-05-01"]),
            "deliveries": pd.array([700, 700], dtype="Int64"),
            "babies_born": pd.array([707, 707], dtype="Int64"),
        }
    )
    pd.testing.assert_frame_equal(merged.reset_index(drop=True), expected, check_dtype=False)
    assert [p.format() for p in log] == [
        "births.csv:-:unit_id: repaired: 1 row(s) of merged unit MOLNDAL -> moved to OSTRA (harmonisation.merges)"
    ]
    # the argument is not changed
    assert "MOLNDAL" in result.frame["unit_id"].tolist()


def test_redirection_to_unknown_unit(write_file):
    text = "date,from_unit,to_unit,reason,women\n2025-07-03,SÄS,Kungälv,platsbrist,2\n"
    result = check(write_file, text, schema=REDIRECTIONS)
    assert len(messages(result, "error")) == 1
    assert messages(result, "error")[0].startswith("births.csv:2:to_unit: error: unknown unit id 'Kungälv'")


def test_category_case_is_repaired_unknown_is_error(write_file):
    text = "unit_id,iso_week,profession,fte_on_leave\nOSTRA,2026-W27,Barnmorska,1\nOSTRA,2026-W27,sjuksköterska,1\n"
    result = check(write_file, text, schema=LEAVE_PLAN)
    assert len(messages(result, "repaired")) == 1
    errs = messages(result, "error")
    assert len(errs) == 1 and "'sjuksköterska' is not allowed" in errs[0]


def test_binary_file_is_not_a_table(write_file):
    with pytest.raises(UnreadableTableError, match="binary"):
        io.read_raw_table(write_file("x.csv", b"\x00\x01\x02PK"))


def test_raw_file_is_never_modified(write_file):
    path = write_file("births.csv", HEADER + "OSTRA,2025-7,800,812\n\n")
    before = path.read_bytes()
    check_table(io.read_raw_table(path), BIRTHS_MONTHLY, REGISTRY)
    assert path.read_bytes() == before
