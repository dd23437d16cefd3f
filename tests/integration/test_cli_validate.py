"""`fragile-care validate` as a user runs it: one line per problem, exit 0/1/2, never a traceback."""

import openpyxl
import pytest

pytestmark = pytest.mark.integration

HEADER = "unit_id,month,deliveries,babies_born\n"


def validate(cli, *files, table="births_monthly", extra=()):
    proc = cli("validate", "--table", table, *extra, *map(str, files))
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


def lines(proc):
    return proc.stdout.splitlines()


def test_valid_file_exits_0(cli, write_file):
    proc = validate(cli, write_file("ok.csv", HEADER + "OSTRA,2025-07,800,812\n"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "1 rows read, 1 kept, 0 rejected; 0 error(s)" in proc.stderr


@pytest.mark.parametrize(
    "content, expected",
    [
        (HEADER, "{f}:-:-: error: header only, no data rows"),
        ("unit_id,month,deliveries\nOSTRA,2025-07,800\n", "{f}:1:babies_born: error: missing required column 'babies_born'"),
        (
            "unit_id,month,delivries,babies_born\nOSTRA,2025-07,800,812\n",
            "{f}:1:delivries: error: unknown column 'delivries'; did you mean 'deliveries'?",
        ),
        (
            HEADER + "OSTRA,2025-07,800,812\nOSTRA,2025-07,900,912\n",
            "{f}:3:unit_id,month: error: duplicate key (unit_id=OSTRA, month=2025-07) also on row 2 with different values",
        ),
        (HEADER + "OSTRA,2025-07,-5,812\n", "{f}:2:deliveries: error: negative count '-5'"),
        (HEADER + "OSTRA,2025-07,80.5,812\n", "{f}:2:deliveries: error: non-integer count '80.5'"),
        (HEADER + "ÖSTRAA,2025-07,800,812\n", "{f}:2:unit_id: error: unknown unit id 'ÖSTRAA'"),
        (HEADER + "OSTRA,2025-13,800,812\n", "{f}:2:month: error: month 13 in '2025-13' is not 1-12"),
    ],
    ids=["header-only", "missing-column", "misspelt-column", "duplicate-key", "negative", "non-integer", "unknown-unit", "bad-month"],
)
def test_problems_exit_1_with_file_row_column(cli, write_file, content, expected):
    path = write_file("bad.csv", content)
    proc = validate(cli, path)
    assert proc.returncode == 1
    assert any(line.startswith(expected.format(f=path)) for line in lines(proc)), proc.stdout


@pytest.mark.parametrize("month", ["2025-7", "2025-07", "juli 2025", "2025M07", "45839"])
def test_month_spellings_are_repaired_exit_0(cli, write_file, month):
    proc = validate(cli, write_file("m.csv", HEADER + f"OSTRA,{month},800,812\n"))
    assert proc.returncode == 0
    if month != "2025-07":
        assert lines(proc) and ":2:month: repaired:" in lines(proc)[0] and "2025-07" in lines(proc)[0]


def test_strict_makes_repairs_count(cli, write_file):
    proc = validate(cli, write_file("m.csv", HEADER + "OSTRA,2025-7,800,812\n"), extra=("--strict",))
    assert proc.returncode == 1


def test_excel_dates(cli, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["unit_id", "month", "deliveries", "babies_born"])
    wb.active.append(["OSTRA", __import__("datetime").datetime(2025, 7, 1), 800, 812])
    wb.save(tmp_path / "b.xlsx")
    proc = validate(cli, tmp_path / "b.xlsx")
    assert proc.returncode == 0
    assert "b.xlsx:2:month: repaired: Excel date cell read as month" in proc.stdout


def test_windows_1252_semicolons_decimal_commas(cli, write_file):
    content = "unit_id;iso_week;profession;fte_on_leave\nSÄS Borås;2026-W27;undersköterska;3,5\n"
    proc = validate(cli, write_file("leave.csv", content, encoding="cp1252"), table="leave_plan")
    assert proc.returncode == 0, proc.stdout
    assert "windows-1252" in proc.stderr and "';'" in proc.stderr


def test_trailing_blank_lines_logged(cli, write_file):
    proc = validate(cli, write_file("b.csv", HEADER + "OSTRA,2025-07,800,812\n\n\n"))
    assert proc.returncode == 0
    assert "2 rejected" in proc.stderr and ":3:-: rejected: blank row" in proc.stdout


def test_gap_in_series_is_flagged(cli, write_file):
    proc = validate(cli, write_file("g.csv", HEADER + "OSTRA,2025-01,800,812\nOSTRA,2025-03,800,812\n"))
    assert "g.csv:-:month: warning: month 2025-02 missing inside the series unit_id=OSTRA" in proc.stdout


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.csv", b"", "empty file"),
        ("blank.csv", b"\n\n  \n", "empty file"),
        ("binary.csv", b"\x00\x00\xff", "binary content"),
        ("bad.xlsx", b"not a zip", "not a readable .xlsx"),
        ("old.xls", b"\xd0\xcf\x11\xe0", ".xls is not supported"),
    ],
)
def test_unreadable_files_exit_2(cli, write_file, name, content, reason):
    path = write_file(name, content)
    proc = validate(cli, path)
    assert proc.returncode == 2
    assert proc.stdout.startswith(f"{path}:-:-: error: ") and reason in proc.stdout


def test_missing_file_exits_2(cli, tmp_path):
    proc = validate(cli, tmp_path / "nope.csv")
    assert proc.returncode == 2 and "file not found" in proc.stdout


def test_worst_exit_code_over_several_files(cli, write_file):
    ok = write_file("ok.csv", HEADER + "OSTRA,2025-07,800,812\n")
    bad = write_file("bad.csv", HEADER + "OSTRA,2025-07,-1,812\n")
    assert validate(cli, ok, bad).returncode == 1


def test_committed_demo_files_validate(cli):
    from fragile_care import paths

    for table in ("units", "births_monthly", "staffing", "leave_plan", "redirections", "neonatal_admissions"):
        proc = validate(cli, paths.demo_dir() / f"{table}.csv", table=table)
        assert proc.returncode == 0, proc.stdout[:500]


def test_validate_applies_the_action_plans_checks_of_meaning(cli, tmp_path):
    path = tmp_path / "action_plan.csv"
    path.write_text(
        "activity_id,title,area,owner,start,end,status,indicator,target,effect_type\n"
        "A1,Test,regional samordning,SU,2027-05-01,2027-01-01,planerad,,10,none\n",
        encoding="utf-8",
    )
    proc = cli("validate", "--table", "action_plan", str(path))
    assert proc.returncode == 1
    assert f"{path}:2:end: error: activity A1: end 2027-01-01 is before start 2027-05-01" in proc.stdout
    assert f"{path}:2:indicator: error: activity A1: a target (10) without an indicator" in proc.stdout
