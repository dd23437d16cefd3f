import re

import pandas as pd
import pytest

from fragile_care.publish import disclosure
from fragile_care.publish import formatting as fmt

pytestmark = pytest.mark.unit
NB = "\u00a0"


def test_swedish_numbers():
    assert fmt.sv_int(12345) == f"12{NB}345"
    assert fmt.sv_int(-1234) == f"\u22121{NB}234"
    assert fmt.sv_num(3.46, 1) == "3,5"
    assert fmt.sv_num(1234.5, 1) == f"1{NB}234,5"
    assert fmt.sv_pct(0.034) == f"3,4{NB}%"
    assert fmt.sv_pct(0.012, signed=True) == f"+1,2{NB}%"
    assert fmt.sv_pct(-0.012, signed=True) == f"\u22121,2{NB}%"
    assert fmt.sv_int(None) == "–"


def test_expected_women_are_whole_from_ten_and_never_read_as_a_count_of_one_to_four():
    assert fmt.sv_expected(39.4) == "39" and fmt.sv_expected(9.6) == "10"
    assert fmt.sv_expected(2.0) == "2,0" and fmt.sv_expected(6.3) == "6,3" and fmt.sv_expected(None) == "–"
    assert fmt.fewer_redirected(12.4) == "Väntat omkring 12 färre hänvisade kvinnor."
    assert fmt.fewer_redirected(1.5) == "Väntat 1,5 färre hänvisade kvinnor."


def test_swedish_dates():
    assert fmt.sv_month(pd.Timestamp("2025-07-01")) == "juli 2025"
    assert fmt.sv_date(pd.Timestamp("2017-04-30")) == "30 april 2017"
    assert fmt.sv_month(pd.NaT) == fmt.sv_date(None) == "–"


def test_suppression_of_small_counts():
    assert [disclosure.suppress(n) for n in (0, 1, 4, 5, 1234)] == ["0", "<5", "<5", "5", f"1{NB}234"]
    assert disclosure.suppress(3, threshold=3) == "3"


def test_markdown_table():
    text = fmt.md_table(pd.DataFrame({"Enhet": ["A|B"], "Antal": ["1"]}))
    assert text.splitlines() == ["| Enhet | Antal |", "|:-----|-----:|", "| A\\|B | 1 |"]


def test_column_widths_follow_the_longest_word():
    """A column is at least as wide as its longest unbreakable word (a line may break at a
    space or after '/' or '-'), so a narrow number column next to a long unit name does not
    get an equal share and split the name or its own header."""
    frame = pd.DataFrame({"Enhet": ["Skaraborgs sjukhus Skövde"], "Förlossningar/vecka": ["47"], "Rum": ["7"]})
    assert fmt.column_weights(frame) == [24, 14, 3]
    rule = fmt.md_table(frame).splitlines()[1]
    assert rule == "|:" + "-" * 24 + "|" + "-" * 14 + ":|" + "-" * 3 + ":|"
    url = pd.DataFrame({"Källa": ["https://www.regionvasterbotten.se/nyheter/sommarersattning-for-barnmorskor"], "Id": ["S08"]})
    assert fmt.column_weights(url) == [26, 3]  # "www.regionvasterbotten.se/" cannot break


def test_a_number_with_thousands_separators_is_one_word():
    """sv_int writes 18 900 with a no-break space, which Typst never breaks: the row-count
    table of a 45-unit run printed "18 900" over its neighbour when the column was sized
    for "900"."""
    frame = pd.DataFrame({"Fil": ["staffing.csv"], "Ut": [fmt.sv_int(18900)]})
    assert fmt.column_weights(frame) == [12, 6]


def test_a_squeezed_table_keeps_every_column_as_wide_as_its_longest_word():
    """The nulage unit table overprinted "Förvaltning" on the next column when every column
    shrank in proportion; now only the room beyond each column's longest word is shared."""
    frame = pd.DataFrame(
        {
            "Enhet": ["Skaraborgs sjukhus Skövde"],
            "Förvaltning": ["SkaS"],
            "Förlossningsrum": ["9"],
            "BB-platser": ["28"],
            "Neonatal IVA/intermediär/vårdavd.": ["3/5/10"],
            "Data från": ["januari 2015"],
            "Data till": ["augusti 2026"],
            "Status": ["Stängd 30 april 2017, verksamheten flyttad till Östra sjukhuset"],
        }
    )
    weights = fmt.column_weights(frame)
    needs = [10, 11, 15, 7, 12, 7, 7, 12]
    assert sum(weights) <= fmt.TABLE_LINE_CHARS - 2 * len(weights) + len(weights)  # rounding: at most one per column
    assert all(w >= n for w, n in zip(weights, needs, strict=True)), weights


def test_demo_banner_labels_synthetic_data():
    assert "EXEMPELDATA" in fmt.data_banner(True, "demo", pd.Timestamp("2026-08-01"), "x")
    assert "EXEMPELDATA" not in fmt.data_banner(False, "local", pd.Timestamp("2026-08-01"), "x")


def test_quality_log_actions_in_swedish():
    assert fmt.sv_action("moved to OSTRA (harmonisation.merges)") == "flyttad till OSTRA (sammanslagning)"
    assert fmt.sv_action("value repaired, row kept") == "värdet rättat, raden behållen"
    assert fmt.sv_action("something new") == "something new"
    assert set(fmt.SEVERITY_SV) == {"error", "repaired", "rejected", "warning"}


NASTY = [
    "*Test* _x_ **y**",
    "<b>fet</b> <script>alert(1)</script>",
    "{{< var run_id >}} {{< include ../README.md >}}",
    "[länk](http://example.org) ![bild](x.png)",
    "$x^2$ @citation ~sub~ ^sup^ `kod` a\\b",
    "SU|Östra #1 (inkl. Mölndal) +=!",
]


def test_markdown_escape_leaves_no_markup_character_unescaped():
    for text in NASTY:
        escaped = fmt.md_escape(text)
        unescaped = [m.start() for m in re.finditer(r"(?<!\\)[*_`<>\[\]{}$@~^|]", escaped.replace("\\\\", ""))]
        assert unescaped == [], (text, escaped)
    assert fmt.md_escape("rad ett\nrad två") == "rad ett rad två"
    assert fmt.md_escape(fmt.Markup("[x]{.y}")) == "[x]{.y}"


def test_code_span_and_link_from_data():
    assert fmt.md_code("a`b") == "``a`b``"
    assert fmt.md_code("`x`") == "`` `x` ``"
    assert fmt.md_link("S08", "https://ex.org/a (b)") == "[S08](https://ex.org/a%20%28b%29)"
    assert fmt.md_link("S08", "javascript:alert(1)") == "S08"


def test_traffic_light_has_colour_symbol_and_word():
    assert fmt.traffic_light("green") == '[\u25cf\u00a0GRÖN]{style="color: #1a7f37"}'
    assert "\u25b2\u00a0GUL" in fmt.traffic_light("yellow") and "\u25a0\u00a0RÖD" in fmt.traffic_light("red")
    assert fmt.traffic_light("none") == "–"
    table = fmt.md_table(pd.DataFrame({"Mål": ["1"], "Trafikljus": [fmt.traffic_light("green")]}), markup=["Trafikljus"])
    assert table.splitlines()[2] == '| 1 | [\u25cf\u00a0GRÖN]{style="color: #1a7f37"} |'
    assert table.splitlines()[1] == "|:---|----------:|"  # the width of "Trafikljus"/"● GRÖN", not of the markup
    with pytest.raises(ValueError, match="Ljus"):
        fmt.md_table(pd.DataFrame({"Mål": ["1"]}), markup=["Ljus"])


def test_whole_number_axis_has_ticks_on_whole_numbers_only():
    """nulage Fig 6 read 0, 2, 5, 8, 10, 12, 15, 18: ticks at 2,5 and 7,5 labelled without
    decimals. An axis labelled in whole numbers now gets whole-number ticks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from fragile_care.publish import figures

    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [3, 17.5])
    figures.sv_axis(ax)
    fig.canvas.draw()
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    plt.close(fig)
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks), ticks


def test_a_grid_of_twelve_unit_panels_fits_an_a4_page():
    from fragile_care.publish import figures

    for n in (1, 5, 6, 7, 12):
        layout = figures.facet_layout(n)
        rows = -(-n // layout["col_wrap"])
        width, height = layout["col_wrap"] * layout["height"] * layout["aspect"], rows * layout["height"]
        # scaled to a 6.3 in text width, figure and caption keep within 8 of the page's 9.7 in
        assert height * min(1.0, 6.3 / width) <= 8.0, (n, layout)


def test_plan_targets_in_words():
    assert fmt.indicator_target("veckor_med_risk", 3.0) == "Enhetsveckor med förhöjd risk, sommar: högst 3"
    assert fmt.indicator_target("vakansgrad_barnmorskor", 8.0) == "Vakansgrad barnmorskor juni–augusti: högst 8,0 %"
    assert fmt.indicator_target(float("nan"), float("nan")) == "–"
    assert fmt.indicator_label("vakansgrad_barnmorskor") == "Vakansgrad barnmorskor juni–augusti, %"


def test_quality_log_texts_reach_the_report_in_swedish_and_unknown_ones_say_they_are_the_logs_words():
    assert fmt.sv_log_text("28 row(s) of merged unit MOLNDAL") == "28 rader från den sammanslagna enheten MOLNDAL"
    text = "unit 'SkaS' harmonised to SKAS (1,028 rows like this, the first on rows 2, 3, …)"
    assert fmt.sv_log_text(text) == f"enheten 'SkaS' tolkad som SKAS (1{NB}028 rader av samma slag, de första på rad 2, 3, …)"
    assert fmt.sv_log_text("month '2025-7' written as 2025-07") == "månaden '2025-7' skriven som 2025-07"
    assert fmt.sv_log_text("a finding of a new kind") == "loggtext: a finding of a new kind"


def test_file_names_may_break_after_underscores_so_a_table_column_stays_narrow():
    name = fmt.breakable_name("sweden_live_births_monthly.csv")
    assert name.replace("\u200b", "") == "sweden_live_births_monthly.csv"
    frame = pd.DataFrame({"Fil": [name]})
    assert fmt.column_needs(frame) == [len("monthly.\u200b")]
    wide = pd.DataFrame({f"Kolumnrubrik{i}": ["x"] for i in range(8)})  # 8 × 13 characters + padding > 100
    assert not fmt.table_fits_line(wide) and fmt.table_fits_line(wide, fmt.LANDSCAPE_LINE_CHARS)


def test_the_reference_list_writes_each_source_out_escaped_and_links_only_web_addresses():
    practices = pd.DataFrame(
        {
            "fact_ids": ["S13|S14", "S08"],
            "title": ["Styrning *av* platser", "Sommarersättning"],
            "where": ["Region Stockholm", "Region Västerbotten"],
            "period": ["2017–2022", "2022"],
            "source_url": ["https://ex.org/a", "javascript:alert(1)"],
        }
    )
    text = fmt.reference_list(practices)
    assert "- S13, S14: Styrning \\*av\\* platser – Region Stockholm, 2017–2022. [https://ex.org/a](https://ex.org/a)" in text
    assert "- S08: Sommarersättning – Region Västerbotten, 2022. javascript:alert(1)" in text and "](javascript" not in text


def test_weeks_are_written_as_runs():
    assert fmt.sv_week_list("34, 35") == "34\u201335" and fmt.sv_week_list("34, 35, 37") == "34\u201335, 37" and fmt.sv_week_list("") == ""
