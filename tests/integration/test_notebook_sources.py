"""The notebooks' Jupytext sources read as notebooks: the parameters cell, the cells the
reports embed, alt text and captions (moved from tests/unit/test_project_files.py: reading a
source needs jupytext, whose import runs `pandoc --version` in a subprocess, so jupytext is
imported inside the tests, not when the tests are collected)."""

import re
from pathlib import Path

import pytest

from fragile_care import paths
from fragile_care.publish.embeds import check_embeds, find_embeds

pytestmark = pytest.mark.integration
ROOT = paths.project_root()
NOTEBOOKS = sorted((ROOT / "analysis").glob("*.py"))
REPORTS = sorted(p for p in (ROOT / "reports").glob("*.qmd") if not p.name.startswith("_"))  # _*.qmd: included parts


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_have_one_parameters_cell(notebook):
    import jupytext  # its import runs `pandoc --version`

    nb = jupytext.read(notebook, fmt="py:percent")
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert "run_config" in tagged[0].source and "processed_dir" in tagged[0].source


@pytest.mark.parametrize("report", REPORTS, ids=lambda p: p.name)
def test_report_embeds_name_labelled_cells_of_the_source_notebooks(report):
    # The executed notebooks are checked in the e2e test; here the labels must exist in the sources.
    assert find_embeds(report), f"{report.name} embeds nothing"
    assert check_embeds([report], ROOT / "analysis", require_output=False, notebook_map=lambda p: Path(p).stem + ".py") == []


def test_figures_have_alt_text_and_captions():
    import jupytext  # its import runs `pandoc --version`

    for notebook in NOTEBOOKS:
        for cell in jupytext.read(notebook, fmt="py:percent").cells:
            if cell.cell_type == "code" and re.search(r"#\|\s*label:\s*fig-", cell.source):
                assert "#| fig-alt:" in cell.source and "#| fig-cap:" in cell.source, cell.source.splitlines()[0]
