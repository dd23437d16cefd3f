"""Report helpers: Swedish number and date formats, Markdown tables, figure style.

Swedish conventions (Språkrådet): a space as thousands separator (``12 345``), a decimal
comma (``3,4``), a space before the percent sign (``3,4 %``), lower-case month names.
A no-break space keeps numbers and units together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

NBSP = "\u00a0"


MINUS = "\u2212"


MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december")


MONTHS_SV_SHORT = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT


def sv_int(x: Any) -> str:
    """``12345`` -> ``12 345`` (no-break space); negative numbers get a true minus sign."""
    if missing(x):
        return "–"
    value = int(round(float(x)))
    text = f"{abs(value):,}".replace(",", NBSP)
    return (MINUS if value < 0 else "") + text


def sv_num(x: Any, decimals: int = 1) -> str:
    """``3.45`` -> ``3,5`` with thousands separated; ``decimals`` after the comma."""
    if missing(x):
        return "–"
    value = float(x)
    text = f"{abs(value):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", NBSP)
    if text.strip("0,\u00a0") == "":
        return text
    return (MINUS if value < 0 else "") + text


def sv_pct(fraction: Any, decimals: int = 1, signed: bool = False) -> str:
    """``0.034`` -> ``3,4 %``; with ``signed`` a plus sign for increases (``+1,2 %``)."""
    if missing(fraction):
        return "–"
    text = sv_num(float(fraction) * 100, decimals) + NBSP + "%"
    if signed and float(fraction) > 0 and text[0] != "0":
        text = "+" + text
    return text


def sv_month(ts: Any) -> str:
    """``2025-07-01`` -> ``juli 2025``; a missing value gives ``–``."""
    if missing(ts) or pd.isna(ts):
        return "–"
    ts = pd.Timestamp(ts)
    return f"{MONTHS_SV[ts.month - 1]} {ts.year}"


def sv_date(ts: Any) -> str:
    """``2017-04-30`` -> ``30 april 2017``; a missing value gives ``–``."""
    if missing(ts) or pd.isna(ts):
        return "–"
    ts = pd.Timestamp(ts)
    return f"{ts.day} {MONTHS_SV[ts.month - 1]} {ts.year}"


def md_escape(text: str) -> str:
    return str(text).replace("|", "\\|")


def md_table(frame: pd.DataFrame, align: Iterable[str] | None = None) -> str:
    """A pipe table for Quarto (renders in HTML and typst PDF). Cells must already be
    formatted as text; ``align`` is ``l``/``r`` per column (numbers right).

    The dashes under each header set the column's share of the page width (pandoc reads
    them so once a table is wider than its line length): a column gets at least its longest
    word, so no word is split or printed over its neighbour, and long texts get more."""
    cols = list(frame.columns)
    align = list(align) if align is not None else ["l"] + ["r"] * (len(cols) - 1)
    head = "| " + " | ".join(md_escape(c) for c in cols) + " |"
    rule = "|" + "|".join((":" + "-" * w if a == "l" else "-" * w + ":") for a, w in zip(align, column_weights(frame), strict=True)) + "|"
    body = ["| " + " | ".join(md_escape(v) for v in row) + " |" for row in frame.astype(str).itertuples(index=False)]
    return "\n".join([head, rule, *body])


# Characters of 8 pt table text on a line of an A4 portrait page (Typst PDF), less two for
# each column's padding: the budget column_weights shares out.
TABLE_LINE_CHARS = 100
_BREAKS = re.compile(r"\s+|(?<=[/-])")  # lines may break at spaces and after '/' or '-'


def column_weights(frame: pd.DataFrame, cap: int = 24) -> list[int]:
    """Relative widths of a table's columns from their text.

    A column wants its longest cell, at most ``cap`` characters, and needs its longest
    unbreakable word (hyphenation is off in the PDFs). When the wants do not fit a line of
    ``TABLE_LINE_CHARS``, every column first gets what it needs and the rest of the line is
    shared in proportion to what each wants beyond that, so shrinking the table never makes a
    column narrower than a word in it (unless the needs alone overflow: then the table wants
    a landscape page)."""
    needs, wants = [], []
    for col in frame.columns:
        texts = [str(col), *frame[col].astype(str)]
        need = max(3, max((len(w) for text in texts for w in _BREAKS.split(text)), default=3))
        longest_cell = max((len(text) for text in texts[1:]), default=3)
        needs.append(need)
        wants.append(max(need, min(longest_cell, cap)))
    budget = TABLE_LINE_CHARS - 2 * len(wants)
    if sum(wants) <= budget or sum(needs) >= budget:
        return wants if sum(needs) < budget else needs
    spare = budget - sum(needs)
    extra = [w - n for w, n in zip(wants, needs, strict=True)]
    return [n + round(spare * x / sum(extra)) for n, x in zip(needs, extra, strict=True)]


def data_banner(is_demo: bool, data_source: str, period_end: Any, run_id: str) -> str:
    """The first-page notice of every report: what data the report is made from."""
    end = sv_month(period_end)
    if is_demo:
        return (
            f"**EXEMPELDATA.** Alla siffror på enhetsnivå i denna rapport (förlossningar per enhet och "
            f"månad, bemanning, semesterplan, hänvisningar, neonatal vård) är **syntetiska**: de är "
            f"framtagna av en dokumenterad slumpgenerator, kalibrerad mot offentlig statistik (SCB m.fl.), "
            f"och är inte regionens verkliga utfall. Körning `{run_id}`, data till och med {end}."
        )
    return f"Underlag: regionens egna data (`{data_source}`), till och med {end}. Körning `{run_id}`."


SEVERITY_SV = {"error": "fel", "repaired": "rättat", "rejected": "avvisad rad", "warning": "varning"}


_ACTIONS_SV = [
    (r"^value repaired, row kept$", "värdet rättat, raden behållen"),
    (r"^moved to (\S+) \(harmonisation\.merges\)$", r"flyttad till \1 (sammanslagning)"),
    (r"^row skipped$", "raden hoppades över"),
    (r"^row dropped$", "raden togs bort"),
    (r"^flagged, not filled$", "flaggad, inte ifylld"),
    (r"^ignored$", "kolumnen ignorerad"),
    (r"^read as (.+)$", r"läst som \1"),
]


def sv_action(action: str) -> str:
    """The quality log's action text in Swedish (unknown texts are returned as they are)."""
    import re

    for pattern, replacement in _ACTIONS_SV:
        if re.match(pattern, action or ""):
            return re.sub(pattern, replacement, action)
    return action or ""
