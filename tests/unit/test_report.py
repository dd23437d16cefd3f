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
