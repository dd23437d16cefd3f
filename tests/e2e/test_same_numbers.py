"""One quantity, one number (issue 30 part 2): every place the default run prints a key
quantity (the brief, the reports' texts and tables, the workbook) shows the same value
within the rounding it is printed with.

Each quantity has its value in the processed tables and a list of places, each a Markdown
output of a labelled notebook cell (what the reports embed) with a pattern that reads the
number, or a workbook cell with its Excel number format. A place whose pattern no longer
matches fails too, so a reworded sentence cannot make the test pass by not being read.
"""

import re
from dataclasses import dataclass

import nbformat
import openpyxl
import pytest

from fragile_care.inputs import io
from fragile_care.run import bundle as run_bundle

pytestmark = pytest.mark.e2e

NUM = r"(−?\d{1,3}(?:\u00a0\d{3})*(?:,\d+)?)"  # a number as the reports print it: 16 014, 7,8, −6,3


def sv_number(text: str) -> tuple[float, int]:
    """A printed Swedish number and its decimals: ``"16 014"`` -> (16014.0, 0), ``"7,8"`` -> (7.8, 1)."""
    clean = text.replace("\u00a0", "").replace(" ", "").replace("−", "-")
    decimals = len(clean.split(",")[1]) if "," in clean else 0
    return float(clean.replace(",", ".")), decimals


def excel_decimals(number_format: str) -> int:
    """Decimals an Excel number format shows: ``#,##0.0`` -> 1, ``#,##0`` -> 0."""
    m = re.search(r"\.(0+)", number_format)
    return len(m[1]) if m else 0


def agrees(printed: float, decimals: int, value: float, scale: float = 1.0, tens: bool = False) -> bool:
    """Whether ``printed`` (with ``decimals``, of ``value / scale``) is ``value`` rounded as printed;
    ``tens``: printed to the nearest ten ("omkring 90")."""
    shown = value / scale
    step = 10.0 if tens else 10.0**-decimals
    return abs(printed - shown) <= step / 2 + 1e-9 * max(1.0, abs(shown))


@dataclass(frozen=True)
class Place:
    where: str  # notebook label, or "workbook:SHEET"
    pattern: str = ""  # with one group per number read (Markdown places)
    group: int = 1
    scale: float = 1.0  # printed in thousands (tkr) or millions (mnkr)
    tens: bool = False
    row: str = ""  # workbook: the Enhetskod of the row
    column: str = ""  # workbook: the column header
    year: int | None = None  # workbook: the År of the row


def _markdown_by_label(result) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted((run_bundle.internal_dir(result.bundle) / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            m = re.search(r"^#\|\s*label:\s*(\S+)", cell.source, re.MULTILINE) if cell.cell_type == "code" else None
            if m:
                texts[m[1]] = "".join(o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", []))
    return texts


def _plain(text) -> str:
    return str(text).replace("\u00a0", " ")


def _workbook_cell(book, place: Place):
    """The cell of a workbook place (sheet names and headers compared with plain spaces)."""
    ws = next(ws for ws in book.worksheets if _plain(ws.title) == _plain(place.where.split(":", 1)[1]))
    rows = list(ws.iter_rows())
    header = [_plain(c.value) for c in rows[0]]
    col, unit = header.index(_plain(place.column)), header.index("Enhetskod")
    year = header.index("År") if "År" in header else None
    hits = [r[col] for r in rows[1:] if r[unit].value == place.row and (place.year is None or r[year].value == place.year)]
    assert len(hits) == 1, f"{place.where}: {len(hits)} rows for {place.row} {place.year or ''}"
    return hits[0]


def printed_values(result, places: list[Place]) -> list[tuple[str, str, float, int, Place]]:
    """Every place's printed number: (where, printed text, value, decimals, place). A place
    that cannot be read raises an AssertionError naming it."""
    texts = _markdown_by_label(result)
    book = openpyxl.load_workbook(next((result.bundle / "published").glob("*_tabeller.xlsx")), read_only=False)
    out = []
    for place in places:
        if place.where.startswith("workbook:"):
            cell = _workbook_cell(book, place)
            decimals = excel_decimals(cell.number_format)
            printed = round(float(cell.value) / place.scale, decimals)
            out.append((f"{place.where}/{place.row}/{place.column}", f"{printed:.{decimals}f}", printed, decimals, place))
            continue
        text = texts.get(place.where, "")
        m = re.search(place.pattern, text)
        assert m, f"{place.where}: the pattern {place.pattern!r} does not match what the cell prints"
        value, decimals = sv_number(m[place.group])
        out.append((place.where, m[place.group], value, decimals, place))
    return out


def _disagreements(result, value: float, places: list[Place]) -> list[str]:
    return [
        f"{where}: prints {text} (value {value:.3f})"
        for where, text, printed, decimals, place in printed_values(result, places)
        if not agrees(printed, decimals, value, place.scale, place.tens)
    ]


def _quantities(t, cfg):
    """(name, value from the processed tables, places that print it)."""
    totals = t["redirection_totals"].set_index("unit_id")
    region = totals.loc["REGION"]
    key = t["brief_key_numbers"].set_index("key")
    outlook, last = int(key.loc["planning_figure", "year"]), int(key.loc["redirected_logged", "year"])
    cost = t["target_cost"].set_index("unit_id").loc["REGION"]
    annual = t["births_forecast"].assign(year=t["births_forecast"]["month"].dt.year)
    births_outlook = float(annual[(annual["unit_id"] == "REGION") & (annual["year"] == outlook)]["mean"].sum())
    ward = t["postnatal_weekly"]
    full_bb = float(ward.loc[ward["iso_year"] == outlook, "women_finding_full"].sum())
    backtest = t["calibration_backtest"].set_index(["unit_id", "iso_year"]).loc[("REGION", last)]
    row = r"\| Hela regionen \|"
    return [
        (
            "planning figure",
            region["redirected_mean"],
            [
                Place("tbl-key-numbers", r"Planeringstal[^|]*\| " + NUM + r" \|"),
                Place("txt-risk-summary", r"väntas omkring " + NUM + " kvinnor"),
                Place("tbl-risk-totals", row + " " + NUM + r" \|"),
                Place("workbook:Risk sommar", row="REGION", column="Väntat antal hänvisade"),
            ],
        ),
        (
            "planning figure, 10th percentile",
            region["redirected_p10"],
            [
                Place("tbl-key-numbers", r"Planeringstal[^|]*\|[^|]*\| 80\u00a0%-intervall " + NUM + "–"),
                Place("txt-risk-summary", r"mellan " + NUM + " och"),
                Place("tbl-risk-totals", row + r" [^|]* \| " + NUM + "–"),
                Place("workbook:Risk sommar", row="REGION", column="10\u00a0%"),
            ],
        ),
        (
            "planning figure, 90th percentile",
            region["redirected_p90"],
            [
                Place("tbl-key-numbers", r"Planeringstal[^|]*\|[^|]*\| 80\u00a0%-intervall [^–]*–" + NUM + r" \|"),
                Place("txt-risk-summary", r"mellan [^ ]+ och " + NUM + r"\."),
                Place("tbl-risk-totals", row + r" [^|]* \| [^–]*–" + NUM + r" \|"),
                Place("workbook:Risk sommar", row="REGION", column="90\u00a0%"),
            ],
        ),
        *(
            (
                f"planning figure, {unit}",
                totals.loc[unit, "redirected_mean"],
                [Place("workbook:Risk sommar", row=unit, column="Väntat antal hänvisade")],
            )
            for unit in totals.index
            if unit != "REGION"
        ),
        (
            f"women redirected for capacity reasons, summer {last} (log)",
            key.loc["redirected_logged", "value"],
            [
                Place("tbl-key-numbers", r"enligt loggen\) \| " + NUM + r" \|"),
                Place("txt-summer-summary", r"\. " + NUM + " kvinnor hänvisades"),
                Place("tbl-calibration-backtest", row + rf" {last} \|[^|]*\| " + NUM + r" \|"),
                Place("tbl-model-vs-log", rf"{last}: modellen [^;]*, loggen " + NUM),
            ],
        ),
        (
            f"model's redirections, summer {last}, fitted on the summers before",
            backtest["predicted"],
            [
                Place("tbl-calibration-backtest", row + rf" {last} \|[^|]*\|[^|]*\| " + NUM + r" \|"),
                Place("txt-model-trust", rf"Sommaren {last} förutsade modellen " + NUM),
            ],
        ),
        (
            f"births in the region {outlook} (forecast)",
            births_outlook,
            [
                Place("tbl-forecast-annual", row + " " + NUM + r" \|"),
                Place("workbook:Prognos per år", row="REGION", column="Prognos förlossningar", year=outlook),
            ],
        ),
        (
            f"cost of the 1 % rule, summer {outlook}",
            cost["cost_sek"],
            [
                Place("tbl-key-numbers", r"\| " + NUM + r" mnkr \|", scale=1e6),
                Place("txt-proposals", r"skulle kosta omkring " + NUM + r" mnkr", scale=1e6),
                Place("workbook:Kostnad för 1\u00a0%", row="REGION", column="Kostnad, kr"),
            ],
        ),
        (
            f"midwife FTE-weeks for the 1 % rule, summer {outlook}",
            cost["fte_needed"],
            [
                Place("tbl-key-numbers", NUM + " extra årsarbetarveckor"),
                Place("workbook:Kostnad för 1\u00a0%", row="REGION", column="Åa-veckor som behövs"),
            ],
        ),
        (
            f"unit-weeks over the 1 % rule, summer {outlook}",
            cost["weeks_short"],
            [
                Place("tbl-key-numbers", r"; " + NUM + r" väntas sommaren"),
                Place("txt-staffing-summary", rf"{outlook}: " + NUM + " av"),
                Place("txt-risk-summary", r"och " + NUM + r" en risk över dimensioneringsgränsen"),
                Place("workbook:Kostnad för 1\u00a0%", row="REGION", column="Veckor som behöver förstärkning"),
            ],
        ),
        (
            f"unit-weeks short of midwives, summer {last}",
            key.loc["weeks_short", "value"],
            [
                Place("tbl-key-numbers", r"sommaren " + str(last) + r" \| " + NUM + " av"),
                Place("txt-staffing-summary", rf"{last}: " + NUM + " av"),
                Place("txt-tertial-results", r"och " + NUM + " av [0-9]+ enhetsveckor hade för få"),
            ],
        ),
        (
            f"women finding a full BB, summer {outlook}",
            full_bb,
            [Place("tbl-key-numbers", r"fullt BB[^|]*\| omkring " + NUM + r" \|", tens=True)],
        ),
    ]


def test_every_key_quantity_is_printed_with_one_value(default_run):
    cfg, result = default_run
    t = io.read_tables(
        result.processed,
        ["redirection_totals", "brief_key_numbers", "target_cost", "births_forecast", "postnatal_weekly", "calibration_backtest"],
    )
    quantities = _quantities(t, cfg)
    assert len(quantities) >= 10
    problems = [f"{name}: {d}" for name, value, places in quantities for d in _disagreements(result, float(value), places)]
    assert problems == [], "the same quantity printed with different values:\n" + "\n".join(problems)


def test_the_brief_units_add_up_to_the_planning_figure_and_the_weeks_over_the_rule(default_run):
    """The brief's table of units: their weeks over 1 % add up to the key number's weeks; their
    expected redirections, rounded one by one, are within rounding of the planning figure."""
    _, result = default_run
    t = io.read_tables(result.processed, ["brief_units", "target_cost", "redirection_totals"])
    cost = t["target_cost"].set_index("unit_id")
    assert cost.drop(index="REGION")["weeks_short"].sum() == cost.loc["REGION", "weeks_short"]
    assert t["brief_units"]["over"].sum() == cost.loc["REGION", "weeks_short"]  # the table's "Veckor över 1 %"
    parts = t["redirection_totals"].query("unit_id != 'REGION'")["redirected_mean"]
    region = t["redirection_totals"].set_index("unit_id").loc["REGION", "redirected_mean"]
    assert abs(parts.round().sum() - round(region)) <= len(parts) / 2


def test_the_checks_of_this_file_fail_on_a_number_printed_two_ways():
    """The comparison itself: 39,2 agrees with 39 printed whole, 38 does not; 7,8 mnkr is
    7 842 613 kr; 'omkring 90' is 92 to the nearest ten."""
    assert agrees(39.0, 0, 39.2) and not agrees(38.0, 0, 39.2)
    assert agrees(7.8, 1, 7_842_613, scale=1e6) and not agrees(7.9, 1, 7_842_613, scale=1e6)
    assert agrees(90.0, 0, 92.16, tens=True) and not agrees(80.0, 0, 92.16, tens=True)
    assert sv_number("16\u00a0014") == (16014.0, 0) and sv_number("−6,3") == (-6.3, 1)
    assert excel_decimals("#,##0.0") == 1 and excel_decimals("#,##0") == 0


def test_moved_leave_is_counted_in_the_weeks_it_moves_to(default_run):
    """A03 of the demo plan moves Östra's leave from weeks 29-30 to 34-35: the weeks outside
    the summer are modelled too, where moving leave in cannot lower the risk; the baseline
    differs from itself by nothing."""
    _, result = default_run
    table = io.read_tables(result.processed, ["scenarios"])["scenarios"].set_index("scenario")
    assert set(table["outside_weeks"]) == {"34, 35"}
    assert table["outside_difference_mean"].iloc[0] == 0
    moved = table[table.index.str.startswith("A03")].iloc[0]
    assert moved["outside_difference_mean"] >= 0 and moved["outside_difference_p90"] >= moved["outside_difference_p10"]
