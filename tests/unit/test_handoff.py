"""Disclosure control and layout of the hand-off workbook."""

import openpyxl
import pandas as pd
import pytest

from fragile_care.model import describe
from fragile_care.publish import disclosure, handoff

pytestmark = pytest.mark.unit


def test_suppress_threshold():
    assert disclosure.suppress(3, 5) == "<5" and disclosure.suppress(0, 5) == "0" and disclosure.suppress(4, 3) == "4"
    assert [disclosure.is_suppressed(v, 5) for v in (0, 1, 4, 4.6, 5, None)] == [False, True, True, False, False, False]


def _sheets(births, redirections, is_demo=True):
    units = pd.DataFrame(
        {"unit_id": ["A", "B"], "name": ["Enhet A", "Enhet B"], "short_name": ["A-enh", "B-enh"], "merged_into": [None, None]}
    )
    published = disclosure.protect_redirections(describe.summer_redirections(redirections, ["A", "B"], (2025,), (25, 33)), 5)
    tables = {"units": units, "births_monthly": births, "redirections": redirections, "redirection_counts_internal": published}
    return _workbook(tables, is_demo)


def _workbook(tables, is_demo=True):
    """The sheets of a 2025-T3 run with threshold 5 that compares summer 2025."""
    return handoff.workbook_sheets(
        tables,
        run_id="r",
        tertial="2025-T3",
        period_end=pd.Timestamp("2025-12-01"),
        is_demo=is_demo,
        data_label="x",
        compare_years=(2025,),
        summer_weeks=(25, 33),
        threshold=5,
    )


BIRTHS = pd.DataFrame(
    {
        "unit_id": ["A"] * 12 + ["B"] * 6,
        "month": list(pd.date_range("2025-01-01", periods=12, freq="MS")) + list(pd.date_range("2025-01-01", periods=6, freq="MS")),
        "deliveries": [3] * 12 + [0, 0, 0, 0, 0, 3],
        "babies_born": [3] * 11 + [4] + [0] * 6,
    }
)
REDIRECTIONS = pd.DataFrame(
    {"date": pd.to_datetime(["2025-07-01"]), "from_unit": ["A"], "to_unit": ["B"], "reason": ["platsbrist"], "women": [2]}
)


def test_sheets_hold_numbers_hide_small_counts_and_their_totals():
    sheets = _sheets(BIRTHS, REDIRECTIONS)
    assert list(sheets) == ["Om tabellerna", "Förlossningar per år", "Sommarjämförelse"]
    annual = sheets["Förlossningar per år"].frame.set_index("Enhetskod")
    assert annual.loc["A", "Enhet"] == "A-enh" and annual.loc["A", "Födda barn"] == 37.0
    # B's 3 deliveries are hidden; A's 36 beside the regional total 39 would give them away,
    # so A is hidden too (as ".."): the regional total is kept, it is the number reports quote
    assert pd.isna(annual.loc["B", "Förlossningar"]) and pd.isna(annual.loc["A", "Förlossningar"])
    assert annual.loc["REGION", "Förlossningar"] == 39.0
    assert annual.loc["B", "Helt år"] == "nej, delår" and annual.loc["A", "Helt år"] == "ja"
    assert annual["Förlossningar"].dtype == "float64"  # numbers stay numbers
    assert sheets["Förlossningar per år"].hidden == {"Förlossningar": [0, 1]}
    assert sheets["Förlossningar per år"].secondary == {"Förlossningar": [0]}
    summer = sheets["Sommarjämförelse"].frame.set_index("Enhetskod")
    assert pd.isna(summer.loc["A", "Hänvisade kvinnor (platsbrist, bemanning)"])
    assert (annual["Underlag"] == "EXEMPELDATA").all()
    about = sheets["Om tabellerna"].frame.set_index("Fält")["Värde"]
    assert "EXEMPELDATA" in about["Underlag"] and "Flik: Sommarjämförelse" in about.index
    assert "Underlag" not in _sheets(BIRTHS, REDIRECTIONS, is_demo=False)["Förlossningar per år"].frame


def test_written_workbook_is_tables_from_a1_with_formats_and_notes(tmp_path):
    sheets = _sheets(BIRTHS, REDIRECTIONS)
    path = handoff.write_workbook(sheets, tmp_path / "t.xlsx", handoff.banner(True, "r"), 5)
    book = openpyxl.load_workbook(path)
    ws = book["Förlossningar per år"]
    assert [c.value for c in ws[1]][:4] == ["Enhetskod", "Enhet", "År", "Förlossningar"]
    assert ws.freeze_panes == "A2"
    assert list(ws.tables.values())[0].ref == f"A1:H{len(sheets['Förlossningar per år'].frame) + 1}"
    a_row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "A")
    assert a_row[4].value == 37 and a_row[4].number_format == "#,##0" and a_row[2].number_format == "0"
    b_row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "B")
    assert b_row[3].value is None and "<5" in b_row[3].comment.text
    assert a_row[3].value is None and a_row[3].comment.text.startswith("..")
    assert ws.sheet_properties.tabColor.rgb.endswith("B00020") and "EXEMPELDATA" in ws.oddHeader.center.text
    assert len({t for s in book.worksheets for t in s.tables}) == len(book.worksheets)  # unique table names


def test_a_rate_beside_a_hidden_count_is_hidden_too():
    """1,8 per 1 000 of 1 712 deliveries gives back the hidden count 3."""
    cube = pd.DataFrame(
        {"unit_id": ["A", "B", "C"], "year": 2026, "reasons": "capacity", "women": [3, 12, 0], "status": ["primary", "shown", "shown"]}
    )
    published = disclosure.PublishedCounts(cube, 5)
    assert published.rate("A", 2026, "capacity", 1.75) == "–"
    assert published.rate("B", 2026, "capacity", 7.0) == "7,0" and published.rate("C", 2026, "capacity", 0.0) == "0,0"


def test_the_neonatal_sheet_holds_the_reports_table_and_hides_few_babies():
    units = pd.DataFrame(
        {
            "unit_id": ["A"],
            "name": ["Enhet A"],
            "short_name": ["A-enh"],
            "merged_into": [None],
            "neonatal_cots_intensive": [2],
            "neonatal_cots_intermediate": [0],
        }
    )
    months = pd.date_range("2025-01-01", periods=12, freq="MS")
    admissions = pd.DataFrame(
        {"unit_id": "A", "month": months, "care_level": "intensive", "admissions": [2] * 5 + [1] * 3 + [2] * 4, "cot_days": 31.0}
    )
    sheets = _workbook({"units": units, "neonatal_admissions": admissions})
    sheet = sheets["Neonatalvård i dag"]
    row = sheet.frame.iloc[0]
    assert len(sheet.frame) == 1  # no row for a level without cots
    assert row["Inlagda barn"] == 21 and row["Vårddygn"] == 372 and row["Helt år"] == "ja"
    assert row["Beläggning"] == pytest.approx(372 / (2 * 365)) and row["Beläggning juni–augusti"] == pytest.approx(93 / (2 * 92))
    assert pd.isna(row["Inlagda barn juni–augusti"])  # 3 babies over the summer: hidden, as the report prints <5
    assert sheet.hidden == {"Inlagda barn juni–augusti": [0]}


def test_the_region_row_comes_after_its_units_in_every_layout():
    by_year = pd.DataFrame({"unit_id": ["NAL", "OSTRA", "REGION", "SAS"] * 2, "year": [1] * 4 + [2] * 4})
    assert handoff.region_last(by_year)["unit_id"].tolist() == ["NAL", "OSTRA", "SAS", "REGION"] * 2
    assert handoff.region_last(by_year)["year"].tolist() == [1] * 4 + [2] * 4
    by_unit = pd.DataFrame({"unit_id": ["NAL", "NAL", "REGION", "REGION", "SAS", "SAS"], "year": [1, 2] * 3})
    out = handoff.region_last(by_unit)
    assert out["unit_id"].tolist() == ["NAL", "NAL", "SAS", "SAS", "REGION", "REGION"] and out["year"].tolist() == [1, 2] * 3
    no_region = pd.DataFrame({"unit_id": ["B", "A"], "x": [1, 2]})
    assert handoff.region_last(no_region).equals(no_region)
