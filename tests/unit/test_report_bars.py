"""Disclosure control in figures: small counts neither labelled nor drawn at their height."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from fragile_care.publish import figures

pytestmark = pytest.mark.unit


def test_suppressed_bars_hide_counts_of_one_to_four():
    fig, ax = plt.subplots()
    figures.suppressed_bars(ax, [0, 1, 2, 3], [0, 3, 4, 12], 5, 0.4, "C0", "Logg")
    heights = [p.get_height() for p in ax.patches]
    assert heights == [0, 4, 4, 12]  # 3 is drawn like 4: the height does not give it away
    assert [t.get_text() for t in ax.texts] == ["0", "<5", "<5", "12"]
    assert [p.get_hatch() or "" for p in ax.patches] == ["", "//", "//", ""]
    plt.close(fig)
