"""Figure helpers: disclosure control in bars (small counts neither labelled nor drawn at their height), axis labels and ticks."""

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


def test_week_ticks_are_whole_weeks_in_a_narrow_panel():
    fig, ax = plt.subplots(figsize=(3.0, 2.0))
    ax.plot([25, 26, 27, 28, 29, 30, 31, 32, 33], range(9))
    # what the 45-unit sommar render drew in its three-column grid: 25,0 27,5 30,0 32,5
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4))
    assert any(t % 1 for t in ax.get_xticks())
    figures.week_ticks(ax)
    assert all(t % 1 == 0 for t in ax.get_xticks())
    plt.close(fig)


def test_a_count_hidden_to_protect_another_is_a_dotted_column_over_the_whole_axes_not_a_zero():
    from fragile_care.publish.disclosure import SECONDARY, SHOWN

    fig, ax = plt.subplots()
    figures.suppressed_bars(ax, [0, 1], [17, 9], 5, 0.4, "C0", "Logg", status=[SHOWN, SECONDARY])
    bars = [p for p in ax.patches if p.get_hatch() != ".."]
    hidden = [p for p in ax.patches if p.get_hatch() == ".."]
    assert [b.get_height() for b in bars] == [17, 0]
    assert len(hidden) == 1 and hidden[0].get_height() == 1  # axes fraction: the whole height, whatever the counts
    assert [t.get_text() for t in ax.texts] == ["17", ".."]
    plt.close(fig)


def test_control_chart_signals_are_marked_where_their_bars_end():
    fig, ax = plt.subplots()
    figures.mark_signals(ax, [0, 1, 2], [48, 20, 3], [True, False, True], 5)
    marks = [(t.xy[0], t.xy[1]) for t in ax.texts]
    assert marks == [(0, 48.0), (2, 4)]  # a count under 5 is marked at its bar's height (4), not at 3
    assert all(t.get_text() == "\u25bc" for t in ax.texts)
    plt.close(fig)
