"""Escaped table text read back by the real Pandoc (Quarto's), in a subprocess (moved from
tests/unit/test_report.py)."""

import pandas as pd
import pytest

from fragile_care.publish import formatting as fmt
from tests.unit.test_report import NASTY

pytestmark = pytest.mark.integration


def _pandoc():
    import shutil

    quarto = shutil.which("quarto")
    if quarto is None:
        pytest.skip("quarto (which ships pandoc) is not on PATH: the escaping is checked against Pandoc only where it is")
    return quarto


def test_escaped_data_reads_back_as_the_same_text_in_pandoc():
    """The real reader decides: every nasty string, escaped into a pipe table, comes out of
    Pandoc (Quarto's) as exactly the text it was, with no element made from it."""
    import json
    import subprocess

    quarto = _pandoc()
    frame = pd.DataFrame({"Enhet": NASTY, "Kod": [fmt.md_code(t) for t in NASTY]})
    markdown = fmt.md_table(frame, markup=["Kod"])
    proc = subprocess.run([quarto, "pandoc", "-f", "markdown", "-t", "json"], input=markdown, capture_output=True, text=True, check=True)
    ast = json.loads(proc.stdout)
    table = ast["blocks"][0]
    assert table["t"] == "Table"
    rows = table["c"][4][0][3]
    for text, row in zip(NASTY, rows, strict=True):
        name_cell, code_cell = (cell[4] for cell in row[1])
        inlines = name_cell[0]["c"]
        kinds = {i["t"] for i in inlines}
        assert kinds <= {"Str", "Space"}, (text, kinds)
        assert "".join(i["c"] if i["t"] == "Str" else " " for i in inlines) == text
        assert code_cell[0]["c"] == [{"t": "Code", "c": [["", [], []], text]}]
