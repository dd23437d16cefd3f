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


def test_tick_labels_wrap_at_words_and_end_a_cut_name_with_an_ellipsis():
    name = "A01: Sommarersättning för barnmorskor som arbetar veckorna 28–31 på SÄS och NÄL under hela semesterperioden"
    label = figures.tick_label(name, width=42, lines=2)
    first, second = label.split("\n")
    assert len(first) <= 42 and len(second) <= 42
    assert second.endswith(" …")
    # every word shown is a whole word of the name, in order
    shown = (first + " " + second.removesuffix(" …")).split()
    assert shown == name.split()[: len(shown)]
    assert figures.tick_label("Oförändrat läge") == "Oförändrat läge"  # short names untouched
