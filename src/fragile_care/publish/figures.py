"""Figure style and helpers: colour-blind palette, Swedish axis numbers, source notes,
bars of counts of people with disclosure control.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import seaborn as sns

from fragile_care.publish.disclosure import PRIMARY, SHOWN, cell_text, is_suppressed, whole
from fragile_care.publish.formatting import sv_int, sv_num

# Colour-blind-safe qualitative palette (seaborn "colorblind", after Okabe and Ito).
PALETTE = "colorblind"


def set_style() -> None:
    """Figure style for every report: white grid, colour-blind palette, readable sizes."""
    sns.set_theme(
        style="whitegrid",
        palette=PALETTE,
        context="notebook",
        rc={"figure.figsize": (9, 4.5), "figure.dpi": 110, "axes.titlesize": 12, "axes.titleweight": "bold", "savefig.bbox": "tight"},
    )
    # Text from data (unit names, activity titles) is drawn as written: "$...$" in a name is
    # not mathematics (and a lone "$" cannot break a figure).
    plt.rcParams["text.parse_math"] = False


def sv_axis(ax, axis: str = "y", decimals: int = 0) -> None:
    """Swedish number format on an axis (``12 345``). Labels without decimals get ticks on
    whole numbers only: a tick at 2,5 labelled "2" would misstate the scale."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(mticker.FuncFormatter(lambda v, _: sv_int(v) if decimals == 0 else sv_num(v, decimals)))
    if decimals == 0:
        target.set_major_locator(mticker.MaxNLocator(integer=True))


def week_ticks(ax) -> None:
    """Whole ISO weeks on the x axis: in a narrow panel the default ticks fell at 27,5."""
    ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))


def year_ticks(ax, every: int = 1) -> None:
    """Year labels on a date axis, every ``every`` years (avoids crowded tick labels)."""
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.YearLocator(every))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def tick_label(text: str, width: int = 42, lines: int = 2) -> str:
    """A long category name (an activity, a scenario) as an axis label: wrapped at word
    boundaries into at most ``lines`` lines of ``width`` characters, what does not fit
    replaced by an ellipsis after the last whole word. A name cut at a fixed number of
    characters ended mid-word ("arbetar vecko")."""
    import textwrap

    wrapped = textwrap.wrap(" ".join(str(text).split()), width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1 :]), width, placeholder=" …")]
    return "\n".join(wrapped)


MAX_PANELS = 12  # panels of a figure with one panel per unit
MAX_LINES = 8  # coloured lines of a figure with one line per unit; the others are drawn grey


def facet_layout(n_panels: int) -> dict[str, float]:
    """``col_wrap``, ``height`` and ``aspect`` of a seaborn grid with one panel per unit.
    Up to six panels: two columns of 2.4 x 4.3 in. More: three columns of 2.0 x 3.0 in, so
    that twelve panels (four rows, 8 in) still fit an A4 page with their caption; in two
    columns they were six rows, 14 in, and the caption ran into the page number."""
    if n_panels <= 6:
        return {"col_wrap": 2, "height": 2.4, "aspect": 1.8}
    return {"col_wrap": 3, "height": 2.0, "aspect": 1.5}


def shown_note(fig, note: str) -> None:
    """Under the source note: which units a figure shows when it cannot show all."""
    if note:
        fig.text(0.01, -0.07, note, ha="left", va="top", fontsize=8, color="#444444", wrap=True)


def grey_lines(ax, data, x: str, y: str, unit: str, label: str) -> None:
    """The units a figure does not colour, as thin grey lines (one legend entry, ``label``)."""
    for k, (_, part) in enumerate(data.groupby(unit, sort=True)):
        ax.plot(part[x], part[y], color="#b8b8b8", linewidth=0.7, zorder=1, label=label if k == 0 else None)


def source_note(fig, is_demo: bool, source: str = "") -> None:
    """Put the data source under a figure; demo figures say visibly that they are synthetic."""
    text = "EXEMPELDATA – syntetiska siffror på enhetsnivå, inte verkliga utfall" if is_demo else "Källa: regionens egna data"
    if source:
        text += f". {source}"
    fig.text(
        0.01,
        -0.02,
        text,
        ha="left",
        va="top",
        fontsize=8,
        color="#b00020" if is_demo else "#444444",
        fontweight="bold" if is_demo else "normal",
    )


def suppressed_bars(ax, positions, counts, threshold: int, width: float, color, label: str, status=None) -> None:
    """Bars of counts of people with disclosure control: a count from 1 to threshold − 1
    is drawn as a hatched bar up to threshold − 1 and labelled ``<threshold``, so neither
    the label nor the bar's height shows it; every bar carries its (suppressed) value.
    ``status`` (from secondary suppression, one per bar) overrides the rule: a cell hidden
    to protect another (``secondary``, ``withheld``) gets no bar but a pale dotted column over
    the whole height of the axes, labelled ``..`` at its foot, so it reads as "hidden" and
    neither as zero nor as any count."""
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import blended_transform_factory

    counts = [whole(c) or 0 for c in counts]
    status = list(status) if status is not None else [PRIMARY if is_suppressed(c, threshold) else SHOWN for c in counts]
    cap = threshold - 1
    heights = [cap if s == PRIMARY else c if s == SHOWN else 0 for c, s in zip(counts, status)]
    ax.bar(
        list(positions),
        heights,
        width=width,
        color=color,
        label=label,
        hatch=["//" if s == PRIMARY else "" for s in status],
        edgecolor="white",
    )
    data_x_axes_y = blended_transform_factory(ax.transData, ax.transAxes)
    for x, h, c, s in zip(positions, heights, counts, status):
        if s in (PRIMARY, SHOWN):
            ax.text(x, h, cell_text(c, s, threshold), ha="center", va="bottom", fontsize=8)
            continue
        ax.add_patch(
            Rectangle(
                (x - width / 2, 0), width, 1, transform=data_x_axes_y, facecolor="none", edgecolor="#9a9a9a", hatch="..", linewidth=0.5
            )
        )
        ax.text(
            x, 0.02, cell_text(c, s, threshold), transform=data_x_axes_y, ha="center", va="bottom", fontsize=10, fontweight="bold",
            bbox={"facecolor": "white", "edgecolor": "#595959", "boxstyle": "round,pad=0.2"},
        )  # fmt: skip


def mark_signals(ax, positions, counts, outside, threshold: int) -> None:
    """A red triangle above each bar of a control chart outside its limits. A count below
    ``threshold`` is not marked at its value (its bar is drawn at threshold − 1), so the mark
    sits where its bar ends and says no more than the bar does."""
    for x, c, out in zip(positions, counts, outside):
        if out:
            shown = threshold - 1 if is_suppressed(c, threshold) else float(c)
            # above the bar's value label, so neither hides the other
            ax.annotate(
                "\u25bc", xy=(x, shown), xytext=(0, 11), textcoords="offset points", ha="center", va="bottom", color="#b3261e", fontsize=8
            )


# A control chart whose baseline is too short for control limits (fewer than six summer
# months before the latest summer): the chart shows the counts only and says why.
SPC_NO_LIMITS = "Inga styrgränser: baslinjen har färre än sex sommarmånader (det behövs två somrar före den senaste)."
