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
from urllib.parse import quote

import numpy as np
import pandas as pd

NBSP = "\u00a0"


MINUS = "\u2212"


MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december")


MONTHS_SV_SHORT = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT


def indicator_label(indicator: str) -> str:
    """A plan indicator's Swedish name with its unit: "Vakansgrad barnmorskor juni–augusti, %"."""
    from fragile_care.model import followup

    unit = followup.INDICATOR_UNITS_SV.get(indicator)
    return followup.INDICATOR_NAMES_SV[indicator] + (f", {unit}" if unit else "")


def indicator_target(indicator: Any, target: float) -> str:
    """A plan activity's target in words ("Enhetsveckor med förhöjd risk, sommar: högst 3");
    "–" for an activity without an indicator. Lower is better for every indicator
    (:func:`fragile_care.model.followup.traffic_light`)."""
    from fragile_care.model import followup

    if not isinstance(indicator, str) or not indicator:
        return "–"
    unit = followup.INDICATOR_UNITS_SV.get(indicator)
    value = sv_num(target, 0 if indicator in followup.COUNT_INDICATORS else 1)
    return f"{followup.INDICATOR_NAMES_SV[indicator]}: högst {value}" + (f" {unit}" if unit else "")


WHOLE_WOMEN_FROM = 9.5  # an expectation that rounds to 10 or more is shown whole


def sv_expected(x: Any) -> str:
    """An expected number of women (a model's mean, not a count): whole from 10 up, where
    its 80 % interval spans several women and a decimal would be false precision; one
    decimal below 10, so that a small expectation never reads as a count of 1-4 women."""
    if missing(x):
        return "–"
    return sv_int(x) if float(x) >= WHOLE_WOMEN_FROM else sv_num(x, 1)


def fewer_redirected(expected: float) -> str:
    """The sentence on how many fewer women a measure is expected to redirect
    (:func:`sv_expected`; "omkring" before a whole number)."""
    about = "omkring " if float(expected) >= WHOLE_WOMEN_FROM else ""
    return f"Väntat {about}{sv_expected(expected)} färre hänvisade kvinnor."


def sv_int(x: Any) -> str:
    """``12345`` -> ``12 345`` (no-break space); negative numbers get a true minus sign."""
    if missing(x):
        return "–"
    value = int(round(float(x)))
    text = f"{abs(value):,}".replace(",", NBSP)
    return (MINUS if value < 0 else "") + text


SUM_NOTE = "Summorna är avrundade för sig och kan skilja sig något från summan av de avrundade talen."


def sum_note(parts: Any, totals: Any, decimals: int = 0) -> str:
    """:data:`SUM_NOTE` when a printed total differs from the sum of its printed parts, each
    rounded to ``decimals`` (``parts``: one row of parts per total); empty when they agree."""
    rows = np.atleast_2d(np.asarray(parts, float))
    total = np.atleast_1d(np.asarray(totals, float))
    printed_parts = np.round(np.nan_to_num(rows), decimals).sum(axis=1)
    return SUM_NOTE if not np.allclose(printed_parts, np.round(np.nan_to_num(total), decimals), atol=10.0**-decimals / 10) else ""


def sv_significant(x: Any, digits: int = 2) -> str:
    """A model estimate to ``digits`` significant figures, as a whole number in Swedish:
    ``249 400`` -> ``250 000``, ``25 900`` -> ``26 000`` (a kronor-per-event figure divided
    by an uncertain count should not print six digits)."""
    if missing(x):
        return "–"
    value = float(x)
    if value == 0 or not math.isfinite(value):
        return sv_int(value) if math.isfinite(value) else "–"
    places = digits - 1 - int(math.floor(math.log10(abs(value))))
    return sv_int(round(value, min(places, 0)))


SV_NUMBER_WORDS = ("noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio")


def sv_months(months: int) -> str:
    """A horizon in words: ``60`` -> ``fem år``, ``12`` -> ``ett år``, ``30`` -> ``30 månader``."""
    years, rest = divmod(int(months), 12)
    if rest == 0 and 1 <= years < len(SV_NUMBER_WORDS):
        return f"{SV_NUMBER_WORDS[years]} år"
    return f"{int(months)} månader"


def sv_difference(mean: Any, low: Any, high: Any) -> str:
    """A change with its interval, signed, one decimal: "−3,2 (−4,5 till −2,1)"."""
    signed = lambda v: ("+" if v > 0 else "") + sv_num(v, 1)  # noqa: E731
    return f"{signed(mean)} ({signed(low)} till {signed(high)})"


def sv_list(items: Iterable[Any]) -> str:
    """Items joined as Swedish prose: "a", "a och b", "a, b och c"."""
    words = [str(x) for x in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " och " + words[-1] if words else ""


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


def sv_pct_week(fraction: Any, week: Any) -> str:
    """A weekly risk with its ISO week, ``12 % (v. 29)``; a dash where there is none."""
    return "–" if missing(fraction) else f"{sv_pct(fraction, 0)} (v. {int(week)})"


def sv_range(low: Any, high: Any) -> str:
    """Whole numbers ``low–high``, one number when they are equal."""
    return sv_int(low) if sv_int(low) == sv_int(high) else f"{sv_int(low)}–{sv_int(high)}"


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


class Markup(str):
    """Markdown written by the code itself (for example a coloured traffic light), which
    ``md_escape`` and ``md_table`` pass through; every other string is data and escaped."""


# Characters Pandoc's Markdown (as Quarto reads it) gives a meaning: emphasis, links and
# spans, code, raw HTML, math, citations, shortcodes ({{< >}}), footnotes, table cells.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+|$@^~\"])")


def _one_line(text: Any) -> str:
    """A table cell or inline span is one line: line breaks become a space."""
    return re.sub(r"[\r\n]+", " ", str(text))


def md_escape(text: Any) -> str:
    """Data text as literal Markdown: every character Pandoc's Markdown could read as markup
    is backslash-escaped, so a unit name like ``*Test* <b>`` or ``{{< var x >}}`` prints as
    written and cannot start emphasis, a link, raw HTML, math or a Quarto shortcode. A line
    break becomes a space (a table cell is one line). ``Markup`` is passed through."""
    if isinstance(text, Markup):
        return str(text)
    return _MD_SPECIAL.sub(r"\\\1", _one_line(text))


def md_code(text: Any) -> Markup:
    """Data text as an inline code span (a raw value from an input file, a file name): the
    fence is one backtick longer than any run of backticks in the text, so nothing in it can
    end the span; a line break becomes a space."""
    flat = _one_line(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return Markup(f"{fence}{pad}{flat}{pad}{fence}")


URL_SAFE = ":/?#@!$&'*+,;=%~-._"  # kept in a link's address; parentheses, spaces, <> are encoded


def md_link(text: Any, url: Any) -> str:
    """A link from data: the text escaped, the address percent-encoded so it cannot end the
    link, and only ``http``/``https`` addresses linked (anything else is shown as text)."""
    address = str(url).strip()
    if not re.match(r"https?://[^\s/]", address):
        return md_escape(text)
    encoded = quote(address, safe=URL_SAFE)
    return Markup(f"[{md_escape(text)}]({encoded})")


LIGHT_STYLES = {
    # word, symbol and a text colour with at least 4.5:1 contrast on white (WCAG AA), so the
    # light reads in colour, in shape and in words (and in a black-and-white print).
    "green": ("GRÖN", "\u25cf", "#1a7f37"),
    "yellow": ("GUL", "\u25b2", "#8a5a00"),
    "red": ("RÖD", "\u25a0", "#b3261e"),
    "not_started": ("EJ MÄTBAR ÄN", "\u25cb", "#595959"),  # grey: the activity starts after the summer measured
}


def traffic_light(light: str) -> str:
    """A traffic light as a Markdown table cell: ``● GRÖN`` in green, ``▲ GUL`` in amber,
    ``■ RÖD`` in red, ``○ EJ MÄTBAR ÄN`` in grey (Quarto colours the span in HTML and in
    Typst); no light gives ``–``."""
    if light not in LIGHT_STYLES:
        return "–"
    word, symbol, colour = LIGHT_STYLES[light]
    return Markup(f'[{symbol}{NBSP}{word}]{{style="color: {colour}"}}')


def md_table(frame: pd.DataFrame, align: Iterable[str] | None = None, markup: Iterable[str] = ()) -> str:
    """A pipe table for Quarto (renders in HTML and typst PDF). Cells must already be
    formatted as text; ``align`` is ``l``/``r`` per column (numbers right).

    Every cell is data and escaped (``md_escape``), except in the ``markup`` columns, whose
    cells the code made with ``traffic_light``, ``md_code`` or ``md_link`` (which escape the
    data inside them).

    The dashes under each header set the column's share of the page width (pandoc reads
    them so once a table is wider than its line length): a column gets at least its longest
    word, so no word is split or printed over its neighbour, and long texts get more."""
    cols = list(frame.columns)
    unknown = set(markup) - set(cols)
    if unknown:
        raise ValueError(f"md_table: markup columns {sorted(unknown)} are not in the table")
    align = list(align) if align is not None else ["l"] + ["r"] * (len(cols) - 1)
    head = "| " + " | ".join(md_escape(c) for c in cols) + " |"
    visible = frame.assign(**{c: frame[c].map(_visible_text) for c in markup})
    rule = "|" + "|".join((":" + "-" * w if a == "l" else "-" * w + ":") for a, w in zip(align, column_weights(visible), strict=True)) + "|"
    raw = [c in set(markup) for c in cols]
    body = [
        "| " + " | ".join(str(v) if r else md_escape(v) for v, r in zip(row, raw, strict=True)) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *body])


def _visible_text(markdown: Any) -> str:
    """What a reader sees of a cell made by ``traffic_light``/``md_code``/``md_link``: no
    attributes, link address, brackets or backticks (for column widths)."""
    text = re.sub(r"\]\([^)]*\)", "]", re.sub(r"\]\{[^}]*\}", "]", str(markdown)))
    return re.sub(r"\\(.)", r"\1", text.replace("[", "").replace("]", "").replace("`", ""))


# Characters of 8 pt table text on a line of an A4 portrait page (Typst PDF), less two for
# each column's padding: the budget column_weights shares out.
TABLE_LINE_CHARS = 100
# lines may break at spaces and after '/' or '-', never at the no-break spaces of "18 900"
_BREAKS = re.compile(r"[^\S\u00a0\u202f]+|(?<=[/\u200b-])")


def column_needs(frame: pd.DataFrame) -> list[int]:
    """Each column's longest unbreakable word (header included), at least 3 characters: the
    narrowest the column can be without a word printed over its neighbour."""
    return [
        max(3, max((len(w) for text in [str(col), *frame[col].astype(str)] for w in _BREAKS.split(text)), default=3))
        for col in frame.columns
    ]


# the same on a landscape page (297 mm wide instead of 210, the same margins)
LANDSCAPE_LINE_CHARS = 145


def table_fits_line(frame: pd.DataFrame, line_chars: int = TABLE_LINE_CHARS) -> bool:
    """Whether a table's columns fit a line of ``line_chars`` at their narrowest; a table
    that does not overprints or runs off the page in the PDF."""
    return sum(column_needs(frame)) <= line_chars - 2 * len(frame.columns)


def column_weights(frame: pd.DataFrame, cap: int = 24) -> list[int]:
    """Relative widths of a table's columns from their text.

    A column wants its longest cell, at most ``cap`` characters, and needs its longest
    unbreakable word (hyphenation is off in the PDFs). When the wants do not fit a line of
    ``TABLE_LINE_CHARS``, every column first gets what it needs and the rest of the line is
    shared in proportion to what each wants beyond that, so shrinking the table never makes a
    column narrower than a word in it (unless the needs alone overflow: then the table wants
    a landscape page)."""
    needs = column_needs(frame)
    wants = []
    for col, need in zip(frame.columns, needs, strict=True):
        longest_cell = max((len(text) for text in frame[col].astype(str)), default=3)
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
    status = f" Handlingsplanens status avläses samma dag, {sv_date(pd.Timestamp(period_end) + pd.offsets.MonthEnd(0))}."
    if is_demo:
        return (
            f"**EXEMPELDATA.** Alla siffror på enhetsnivå i denna rapport (förlossningar per enhet och "
            f"månad, bemanning, semesterplan, hänvisningar, neonatal vård) är **syntetiska**: de är "
            f"framtagna av en dokumenterad slumpgenerator, kalibrerad mot offentlig statistik (SCB m.fl.), "
            f"och är inte regionens verkliga utfall. Körning `{run_id}`, data till och med {end}.{status}"
        )
    return f"Underlag: regionens egna data ({md_code(data_source)}), till och med {end}. Körning {md_code(run_id)}.{status}"


MAX_TABLE_UNITS = 15  # unit rows in a report table; the workbook has them all


def shown_units(ranked: Iterable[str], limit: int = MAX_TABLE_UNITS, order: str = "", sheet: str | None = None) -> tuple[list[str], str]:
    """The first ``limit`` units of ``ranked`` for a report table or figure, and the note
    that says so (empty when every unit is shown): a data set of 45 units gets its largest
    or riskiest units in the report and all of them in the workbook's ``sheet``."""
    ranked = list(ranked)
    if len(ranked) <= limit:
        return ranked, ""
    where = f" Alla {len(ranked)} finns i arbetsboken, bladet ”{sheet}”." if sheet else ""
    return ranked[:limit], f"Visar {limit} av {len(ranked)} enheter: {order}.{where}"


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


# The quality log's finding texts that reach a report, in Swedish (the log itself, like the
# command line's messages, stays in English). Applied in order; a text none of them
# matches is shown as it is, marked as the log's own words.
_LOG_TEXT_SV = [
    (r" \(([\d,]+) rows like this, the first on rows ([^)]*)\)$", r" (\1 rader av samma slag, de första på rad \2)"),
    (r" \(([\d,]+) rows like this\)$", r" (\1 rader av samma slag)"),
    (r"^unit (.+) harmonised to (\S+)", r"enheten \1 tolkad som \2"),
    (r"^(\d+) row\(s\) of merged unit (\S+)", r"\1 rader från den sammanslagna enheten \2"),
    (r"^month (.+) written as (\S+)", r"månaden \1 skriven som \2"),
    (r"^date (.+) read as month (\S+)", r"datumet \1 läst som månaden \2"),
    (r"^date (.+) written as (\S+)", r"datumet \1 skrivet som \2"),
    (r"^Excel serial (\S+) read as (month|date) (\S+)", r"Excel-serienumret \1 läst som \3"),
    (r"^ISO week (.+) written as (\S+)", r"ISO-veckan \1 skriven som \2"),
    (r"^count (.+) written as (\S+)", r"antalet \1 skrivet som \2"),
    (r"^column name (.+)$", r"kolumnnamnet \1"),
    (r"^column (.+) is not in the (\S+) contract", r"kolumnen \1 finns inte i kontraktet för \2"),
    (r"^month (\S+) missing inside the series (.+)$", r"månaden \1 saknas inne i serien \2"),
]


def sv_log_text(text: Any) -> str:
    """A quality-log finding in Swedish for a report table: the known kinds of finding are
    translated (the values in them kept as written), an unknown kind is returned with the
    prefix "loggtext:" so the reader sees it is the log's own (English) words."""
    out = str(text)
    translated = False
    for pattern, replacement in _LOG_TEXT_SV:
        new = re.sub(pattern, replacement, out)
        translated |= new != out
        out = new
    if not translated:
        return f"loggtext: {out}"
    return re.sub(r"(?<=\d),(?=\d{3}\b)", NBSP, out)  # "1,234 rader" as Swedish writes it


ZWSP = "\u200b"


def breakable_name(name: Any) -> str:
    """A file or table name that may break after ``_`` and ``.`` (a zero-width space there):
    ``sweden_live_births_monthly.csv`` fits a narrow table column instead of widening it."""
    return re.sub(r"([_.])(?=.)", r"\1" + ZWSP, str(name))


_STATUS_WORDS = (  # the plan's statuses in the order a sentence lists them: (status, singular, plural)
    ("pågår", "pågår", "pågår"),
    ("planerad", "är planerad", "är planerade"),
    ("klar", "är klar", "är klara"),
    ("försenad", "är försenad", "är försenade"),
    ("pausad", "är pausad", "är pausade"),
)


def plan_status_counts(statuses: pd.Series) -> str:
    """``3 pågår, 2 är planerade och 1 är klar``: each status that occurs, counted, in
    Swedish with singular and plural (``model.followup.plan_status``)."""
    counts = statuses.value_counts()
    parts = [f"{int(counts[s])} {one if counts[s] == 1 else many}" for s, one, many in _STATUS_WORDS if counts.get(s, 0)]
    if not parts:
        return "inga aktiviteter"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " och " + parts[-1]


def indicator_check(row: dict) -> str:
    """The indicator table's check of one row (``model.followup.indicator_table``): a target
    already met at baseline, a baseline that no summer's value reproduces, or the summer it
    comes from."""
    notes = []
    if row.get("target_met_at_baseline"):
        notes.append("målet är redan nått i utgångsläget: skärp målet")
    found, baseline = row.get("baseline_found"), row.get("baseline")
    if not missing(found):
        notes.append(f"utgångsläget = sommaren {int(found)}")
    elif not missing(baseline):
        notes.append("utgångsläget går inte att räkna fram ur data för någon sommar: kontrollera det")
    return "; ".join(notes)


def plan_checks(status: pd.DataFrame, indicators: pd.DataFrame) -> str:
    """One sentence (with a trailing space) naming the activities their owners should
    look at: late ones, a status reported before the start date, targets met at baseline,
    baselines not found in the data; empty when there are none."""
    late = status.loc[status["status"] == "försenad", "activity_id"].tolist()
    early = status.loc[(status["status"] != "försenad") & status["check"].astype(bool), "activity_id"].tolist()
    met = indicators.loc[indicators["target_met_at_baseline"].astype(bool), "activity_id"].tolist()
    unfound = indicators.loc[indicators["baseline_found"].isna() & indicators["baseline"].notna(), "activity_id"].tolist()
    parts = []
    if late:
        parts.append(f"försenade enligt planens datum: {', '.join(map(md_escape, late))}")
    if early:
        parts.append(f"status anmäld före startdatum: {', '.join(map(md_escape, early))}")
    if met:
        parts.append(f"mål redan nått i utgångsläget: {', '.join(map(md_escape, met))}")
    if unfound:
        parts.append(f"utgångsläge som inte går att räkna fram ur data: {', '.join(map(md_escape, unfound))}")
    return f"Att kontrollera för ansvariga: {'; '.join(parts)}. " if parts else ""


def reference_list(practices: pd.DataFrame) -> str:
    """The best-practice register's sources as a Swedish reference list: per row its source
    codes, what and where, and the address written out (a printed page cannot follow a link).
    Every data text is escaped; an address that is not http(s) is printed as text."""
    lines = ["**Källor till omvärldsbevakningen**", ""]
    for row in practices.to_dict("records"):
        codes = md_escape(str(row.get("fact_ids") or "källa").replace("|", ", "))
        what = md_escape(f"{row['title']} – {row['where']}, {row['period']}")
        url = str(row.get("source_url") or "").strip()
        lines.append(f"- {codes}: {what}. {md_link(url, url) if url else 'Adress saknas i registret.'}")
    return "\n".join(lines)


def sv_week_list(weeks: Any) -> str:
    """ISO weeks written ``34, 35, 37`` as Swedish text collapses them: ``34–35, 37``."""
    numbers = sorted({int(w) for w in re.findall(r"\d+", str(weeks))})
    runs: list[list[int]] = []
    for w in numbers:
        if runs and w == runs[-1][-1] + 1:
            runs[-1].append(w)
        else:
            runs.append([w])
    return ", ".join(f"{r[0]}\u2013{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def sv_weeks(span: Any) -> str:
    """A span of weeks as the plan writes it, ``28-31``, with the en dash of Swedish text: ``28–31``."""
    return "–" if missing(span) else str(span).replace("-", "\u2013")
