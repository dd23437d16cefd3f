"""The PDF layout check's geometry (the word boxes come from poppler in real use)."""

import nbformat
import pytest

from fragile_care.publish.embeds import strip_html_outputs
from fragile_care.publish.pdf_layout import Page, Word, outside_words, overlapping_words

pytestmark = pytest.mark.unit


def _page(*boxes):
    return Page(1, 595, 842, tuple(Word(1, t, *b) for t, b in boxes))


def test_overprinted_table_rows_are_found():
    # the sommar table of issue 10: "Skara-" printed over "Skara-" two points lower
    page = _page(("Skara-", (96, 794, 120, 803)), ("Skara-", (96, 796, 120, 805)), ("2025", (160, 794, 175, 803)))
    assert [(a.text, b.text) for a, b in overlapping_words(page)] == [("Skara-", "Skara-")]


def test_words_that_only_touch_are_not_overlaps():
    page = _page(("NÄL", (96, 100, 110, 109)), ("Trollhättan", (110.5, 100, 150, 109)), ("2025", (96, 109.5, 111, 118)))
    assert overlapping_words(page) == []


def test_words_off_the_page_are_found():
    page = _page(("inne", (100, 100, 120, 110)), ("utanför", (590, 100, 620, 110)), ("under", (100, 845, 120, 855)))
    assert [w.text for w in outside_words(page)] == ["utanför", "under"]


def test_html_previews_are_stripped_and_text_kept(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("df")
    cell.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/html": "<table/>", "text/plain": "df"}, execution_count=1),
        nbformat.v4.new_output("display_data", data={"text/markdown": "| a |"}),
    ]
    nb.cells.append(cell)
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    assert strip_html_outputs(path) == 1
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert outputs[0]["data"] == {"text/plain": "df"} and outputs[1]["data"] == {"text/markdown": "| a |"}
