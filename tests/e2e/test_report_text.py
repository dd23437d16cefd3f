"""What a reader of the PDFs sees of the embedded tables: every table fits its page."""

import pytest

from fragile_care.publish import formatting as fmt
from fragile_care.publish.embeds import embedded_tables

pytestmark = pytest.mark.e2e


def test_every_embedded_table_fits_its_page_at_its_narrowest(default_run):
    """A table whose unbreakable words alone are wider than the line overprints in the PDF
    (nulage's row accounting printed "AvvisadeSammanslagna" and "24 1 680"): each table fits
    a portrait line, or a landscape one where the report puts it on a landscape page."""
    _, result = default_run
    tables = list(embedded_tables(sorted(result.internal.glob("*.qmd")), result.internal / "notebooks"))
    assert len(tables) > 30
    too_wide = sorted(
        (report, label, sum(fmt.column_needs(frame)))
        for report, label, landscape, frame in tables
        if not fmt.table_fits_line(frame, fmt.LANDSCAPE_LINE_CHARS if landscape else fmt.TABLE_LINE_CHARS)
    )
    assert too_wide == [], f"tables wider than their page (report, label, characters needed): {too_wide}"
