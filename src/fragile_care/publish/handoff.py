"""Excel hand-off: one workbook per run with the key tables, as an analyst expects them.

Every sheet is one Excel table: Swedish headers in row 1, the header row frozen, a filter on
every column, numbers stored as numbers with Swedish-style number formats (``# ##0``,
``0,0 %``), unit codes beside unit names and a regional total where units add up. A count of
people from 1 to threshold − 1 is an empty cell with a note "<5" (never text in a numeric
column); a regional total that would give such a count away is emptied too. Demo data says
EXEMPELDATA in a column of every sheet, in the print header and on a red sheet tab.

The pure function ``workbook_sheets`` builds the sheets from the run's processed tables;
``write_workbook`` writes them. Sheets whose tables the run did not make are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fragile_care.inputs.schemas import CARE_LEVEL_SV
from fragile_care.model import describe, forecast
from fragile_care.model.carelevels import CONTACTS_SV, LEVELS_SV
from fragile_care.model.followup import LIGHTS_SV
from fragile_care.model.postnatal import LINKS_SV
from fragile_care.publish.disclosure import PRIMARY, SECONDARY, SECONDARY_MARK, SHOWN, WITHHELD, PublishedCounts, protect, whole

SYNTHETIC_NOTE = "EXEMPELDATA – syntetiska siffror på enhetsnivå, inte regionens verkliga utfall"
REGION = describe.REGION

# Excel number format codes (stored in the file in Excel's invariant notation; Swedish Excel
# shows "# ##0" with a space and "0,0 %" with a decimal comma).
INT = "0"  # years, weeks, codes: no thousands separator
COUNT = "#,##0"
DEC1 = "#,##0.0"
DEC2 = "#,##0.00"
PCT = "0.0 %"  # values are fractions (0.034 shows as 3,4 %)
DATE = "yyyy-mm-dd"
TEXT = "@"


@dataclass(frozen=True)
class Col:
    """One column of a sheet: header, values, Excel number format, and whether the values
    are counts of people (then 1 to threshold − 1 are hidden)."""

    header: str
    values: pd.Series
    fmt: str = TEXT
    people: bool = False
    status: pd.Series | None = None  # disclosure status per row, when protected for all reports


@dataclass
class Sheet:
    """A sheet's table (numbers as numbers, hidden counts as NaN), the number format per
    column, the cells hidden for disclosure (column -> row positions) and what it holds."""

    frame: pd.DataFrame
    formats: dict[str, str]
    about: str
    hidden: dict[str, list[int]] = field(default_factory=dict)
    secondary: dict[str, list[int]] = field(default_factory=dict)  # of the hidden: to protect another


def _sheet(about: str, cols: list[Col], threshold: int, is_demo: bool, total_of: str | None = None) -> Sheet:
    """Build a sheet. A people column is protected as every report protects it: its
    ``status`` when given (``disclosure.protect_redirections``), else primary and secondary
    suppression over the sums in the sheet: with ``total_of``, the column that groups unit
    rows with their regional total row (``Enhetskod`` == REGION)."""
    frame = pd.DataFrame({c.header: c.values.reset_index(drop=True) for c in cols})
    formats = {c.header: c.fmt for c in cols}
    hidden: dict[str, list[int]] = {}
    secondary: dict[str, list[int]] = {}
    sums = []
    if total_of is not None and "Enhetskod" in frame:
        is_total = frame["Enhetskod"] == REGION
        for group in frame.groupby(total_of).groups.values():
            rows = list(group)
            totals = [i for i in rows if is_total[i]]
            sums += [(t, [i for i in rows if not is_total[i]]) for t in totals]
    for c in cols:
        if not c.people:
            continue
        counts = frame[c.header].map(whole)
        if c.status is not None:
            status = pd.Series(c.status.to_numpy(), index=frame.index)
        else:
            status = protect(counts.fillna(0), sums, threshold, keep=[t for t, _ in sums])
            status[counts.isna()] = SHOWN  # missing stays missing
        mask = status.isin([PRIMARY, SECONDARY, WITHHELD])
        frame[c.header] = counts.where(~mask).astype("float64")
        if mask.any():
            hidden[c.header] = [int(i) for i in np.flatnonzero(mask.to_numpy())]
        if status.isin([SECONDARY, WITHHELD]).any():
            secondary[c.header] = [int(i) for i in np.flatnonzero(status.isin([SECONDARY, WITHHELD]).to_numpy())]
    if is_demo:
        frame["Underlag"] = "EXEMPELDATA"
        formats["Underlag"] = TEXT
    return Sheet(frame, formats, about, hidden, secondary)


def _protected(published: PublishedCounts, units: pd.Series, years: pd.Series, counts: pd.Series) -> pd.Series:
    """The status of summer redirection counts (capacity reasons) as every report shows them."""
    return pd.Series([published.status(u, y, "capacity", n) for u, y, n in zip(units, years, counts)])


def _unit_cols(codes: pd.Series, labels: dict[str, str]) -> list[Col]:
    return [Col("Enhetskod", codes), Col("Enhet", codes.map(lambda u: labels.get(u, u)))]


def workbook_sheets(
    tables: dict[str, pd.DataFrame],
    *,
    run_id: str,
    tertial: str,
    period_end: pd.Timestamp,
    is_demo: bool,
    data_label: str,
    compare_years: tuple[int, ...],
    summer_weeks: tuple[int, int],
    threshold: int,
) -> dict[str, Sheet]:
    """The sheets of the hand-off workbook, in order, with Swedish column names."""
    labels = {**describe.unit_labels(tables["units"]), REGION: "Hela regionen"} if "units" in tables else {REGION: "Hela regionen"}
    units = lambda s: _unit_cols(s, labels)  # noqa: E731
    make = lambda about, cols, **kw: _sheet(about, cols, threshold, is_demo, **kw)  # noqa: E731
    sheets: dict[str, Sheet] = {}
    weeks = "v. {}–{}".format(*summer_weeks)
    if "births_monthly" in tables:
        births = tables["births_monthly"]
        per_unit = describe.annual_births(births)
        region = per_unit.groupby("year", as_index=False).agg(
            deliveries=("deliveries", "sum"), babies_born=("babies_born", "sum"), months=("months", "max")
        )
        annual = pd.concat([per_unit, region.assign(unit_id=REGION)], ignore_index=True).sort_values(["year", "unit_id"], kind="stable")
        sheets["Förlossningar per år"] = make(
            "Förlossningar och födda barn per enhet och år, med regionens summa (Enhetskod REGION). "
            f"Ett år med färre än 12 månader i data är ett delår (kolumnen Helt år); data till och med {period_end:%Y-%m}.",
            [
                *units(annual["unit_id"]),
                Col("År", annual["year"], INT),
                Col("Förlossningar", annual["deliveries"], COUNT, people=True),
                Col("Födda barn", annual["babies_born"], COUNT, people=True),
                Col("Månader med data", annual["months"], INT),
                Col("Helt år", annual["months"].eq(12).map({True: "ja", False: "nej, delår"})),
            ],
            total_of="År",
        )
        if "redirections" in tables and "redirection_counts_internal" in tables:
            published = PublishedCounts(tables["redirection_counts_internal"], threshold)
            summer = describe.summer_comparison(births, tables["redirections"], compare_years, summer_weeks)
            sheets["Sommarjämförelse"] = make(
                f"Skattade förlossningar och kvinnor hänvisade på grund av platsbrist eller bemanning under sommarveckorna ({weeks}) "
                "per enhet och år; hänvisade räknas för den enhet som hänvisade.",
                [
                    *units(summer["unit_id"]),
                    Col("År", summer["year"], INT),
                    Col(f"Förlossningar {weeks} (skattade)", summer["deliveries"], COUNT, people=True),
                    Col(
                        "Hänvisade kvinnor (platsbrist, bemanning)",
                        summer["redirected"],
                        COUNT,
                        people=True,
                        status=_protected(published, summer["unit_id"], summer["year"], summer["redirected"]),
                    ),
                    Col("Hela sommaren i data", summer["complete"].map({True: "ja", False: "nej"})),
                ],
            )
    if "neonatal_admissions" in tables and "units" in tables:
        neo = describe.neonatal_current(tables["neonatal_admissions"], tables["units"], compare_years)
        sheets["Neonatalvård i dag"] = make(
            "Neonatalvård per enhet, vårdnivå och år: inlagda barn och vårddygn, vårdplatser enligt lokalförteckningen och "
            "beläggning (vårddygn delat med platser gånger dagar), över året och under juni–augusti. Ett år som data inte täcker "
            "helt är ett delår (kolumnen Helt år); dess beläggning gäller de månader som finns.",
            [
                *units(neo["unit_id"]),
                Col("År", neo["year"], INT),
                Col("Vårdnivå", neo["care_level"].map(CARE_LEVEL_SV), TEXT),
                Col("Inlagda barn", neo["admissions"], COUNT, people=True),
                Col("Vårddygn", neo["cot_days"], COUNT),
                Col("Platser", neo["cots"], COUNT),
                Col("Beläggning", neo["occupancy"], PCT),
                Col("Inlagda barn juni–augusti", neo["admissions_summer"], COUNT, people=True),
                Col("Beläggning juni–augusti", neo["occupancy_summer"], PCT),
                Col("Helt år", neo["complete"].map({True: "ja", False: "nej, delår"})),
            ],
        )
    if "births_forecast" in tables:
        fc = tables["births_forecast"]
        yearly = forecast.annual_totals(fc)
        sheets["Prognos per år"] = make(
            "Prognos för förlossningar per enhet och helt kalenderår under oförändrat läge (medelvärde; intervallen finns per månad).",
            [*units(yearly["unit_id"]), Col("År", yearly["year"], INT), Col("Prognos förlossningar", yearly["mean"], COUNT)],
        )
        sheets["Prognos per månad"] = make(
            "Prognos för förlossningar per enhet och månad med 80 %- och 95 %-prediktionsintervall.",
            [
                *units(fc["unit_id"]),
                Col("Månad", fc["month"].dt.strftime("%Y-%m")),
                Col("Modell", fc["model"]),
                Col("Prognos", fc["mean"], DEC1),
                Col("80 % lägre", fc["lower_80"], DEC1),
                Col("80 % övre", fc["upper_80"], DEC1),
                Col("95 % lägre", fc["lower_95"], DEC1),
                Col("95 % övre", fc["upper_95"], DEC1),
            ],
        )
    if "staffing_weekly" in tables:
        st = tables["staffing_weekly"]
        sheets["Bemanning sommar"] = make(
            "Barnmorskor på förlossningsavdelningen per enhet och sommarvecka: behov och tillgång i årsarbetare (åa), rum.",
            [
                *units(st["unit_id"]),
                Col("År", st["iso_year"], INT),
                Col("Vecka", st["iso_week"], INT),
                Col("Utfall/prognos", st["kind"]),
                Col("Förlossningar (skattade)", st["deliveries"], DEC1),
                Col("Rum som behövs", st["rooms_needed"], COUNT),
                Col("Bemannade rum (dygnet runt, i snitt)", st["rooms_staffed"], DEC1),
                Col("Rum i lokalerna", st["rooms_physical"], COUNT),
                Col("Barnmorskor förlossning, behov (åa)", st["fte_need"], DEC1),
                Col("Barnmorskor förlossning, tillgång (åa)", st["fte_supply_ward"], DEC1),
                Col("Skillnad (åa)", st["fte_gap"], DEC1),
            ],
        )
    if "redirection_risk" in tables:
        risk = tables["redirection_risk"]
        sheets["Risk per vecka"] = make(
            "Risk att en kvinna måste hänvisas per enhet och vecka nästa sommar (oförändrat läge); väntade antal är modellskattningar.",
            [
                *units(risk["unit_id"]),
                Col("År", risk["iso_year"], INT),
                Col("Vecka", risk["iso_week"], INT),
                Col("Förlossningar (prognos)", risk["deliveries"], DEC1),
                Col("Bemannade rum (dygnet runt, i snitt)", risk["rooms_staffed"], DEC1),
                Col("Risk för hänvisning", risk["blocking"], PCT),
                Col("Väntat antal hänvisade", risk["redirected_mean"], DEC1),
                Col("10 %", risk["redirected_p10"], DEC1),
                Col("90 %", risk["redirected_p90"], DEC1),
                Col("Sannolikhet förhöjd risk", risk["p_high"], PCT),
            ],
        )
    if "redirection_totals" in tables:
        tot = tables["redirection_totals"]
        sheets["Risk sommar"] = make(
            "Väntat antal hänvisade kvinnor under hela nästa sommar per enhet och i regionen (REGION), med 80 %-intervall.",
            [
                *units(tot["unit_id"]),
                Col("Väntat antal hänvisade", tot["redirected_mean"], DEC1),
                Col("10 %", tot["redirected_p10"], DEC1),
                Col("90 %", tot["redirected_p90"], DEC1),
            ],
        )
    if "care_chain_weekly" in tables and "postnatal_weekly" in tables:
        chain = tables["care_chain_weekly"]
        ward = tables["postnatal_weekly"].set_index(["unit_id", "iso_year", "iso_week"])
        key = pd.MultiIndex.from_frame(chain[["unit_id", "iso_year", "iso_week"]])
        sheets["Vårdkedjan sommar"] = make(
            "Nästa sommar per enhet och ISO-vecka: sannolikheten att förlossningsrummen, BB och neonatalvården (den vårdnivå som "
            "oftast är full) är fulla när någon kommer (Erlangs förlustformel, var länk för sig), BB:s bemannade platser och "
            "beläggning och den länk som oftast är full. Vårdtider och operationstid är antaganden (körningens konfiguration, postnatal).",
            [
                *units(chain["unit_id"]),
                Col("År", chain["iso_year"], INT),
                Col("Vecka", chain["iso_week"], INT),
                Col("Förlossningsrum fulla", chain["rooms"], PCT),
                Col("BB fullt", chain["postnatal"], PCT),
                Col("Neonatalvård full", chain["neonatal"], PCT),
                Col("BB-platser bemannade", pd.Series(ward["beds"].reindex(key).to_numpy(), index=chain.index), COUNT),
                Col("BB-beläggning", pd.Series(ward["occupancy"].reindex(key).to_numpy(), index=chain.index), PCT),
                Col("Brister först", chain["weakest"].map(LINKS_SV), TEXT),
            ],
        )
    if "theatre_annual" in tables:
        theatre = tables["theatre_annual"]
        sheets["Operationstid per år"] = make(
            "Kejsarsnitt och operationstid per enhet och år under oförändrat läge (REGION: hela regionen); andelen kejsarsnitt "
            "från Socialstyrelsen, operationstid per snitt ett antagande (körningens konfiguration, postnatal).",
            [
                *units(theatre["unit_id"]),
                Col("År", theatre["year"], INT),
                Col("Förlossningar (prognos)", theatre["deliveries"], DEC1),
                Col("Planerade kejsarsnitt", theatre["caesareans_planned"], DEC1),
                Col("Akuta kejsarsnitt", theatre["caesareans_emergency"], DEC1),
                Col("Operationstimmar", theatre["theatre_hours"], DEC1),
            ],
        )
    if "care_chain_simulated" in tables:
        sim = tables["care_chain_simulated"]
        sheets["Vårdkedjan simulerad"] = make(
            "Förlossningsrum och BB i samma simulering i varje enhets vecka med störst risk för fullt BB nästa sommar: en kvinna "
            "som inte får en BB-plats blir kvar på förlossningsrummet. Hänvisade med rummen för sig (Erlang B) och med kö till BB.",
            [
                *units(sim["unit_id"]),
                Col("År", sim["iso_year"], INT),
                Col("Vecka", sim["iso_week"], INT),
                Col("Förlossningar (prognos)", sim["deliveries"], DEC1),
                Col("Bemannade rum", sim["rooms_staffed"], DEC1),
                Col("BB-platser bemannade", sim["beds"], COUNT),
                Col("Hänvisade, rummen för sig", sim["rooms_alone"], PCT),
                Col("Hänvisade, med kö till BB", sim["chain_redirected"], PCT),
                Col("Väntar på BB-plats", sim["waited_for_bed_share"], PCT),
                Col("Väntan på BB-plats, timmar", sim["mean_wait_hours"], DEC1),
            ],
        )
    if "postnatal_annual" in tables and "neonatal_annual" in tables:
        bb, neo = tables["postnatal_annual"], tables["neonatal_annual"]
        sheets["BB per år"] = make(
            "BB-platser de kommande åren under oförändrat läge: belagda i genomsnitt och som behövs för att högst "
            "dimensioneringsgränsen ska mötas av fullt BB vid årets genomsnittliga belastning, mot enhetens platser.",
            [
                *units(bb["unit_id"]),
                Col("År", bb["year"], INT),
                Col("Förlossningar (prognos)", bb["deliveries"], DEC1),
                Col("Belagda platser i genomsnitt", bb["beds_occupied"], DEC1),
                Col("Platser som behövs", bb["beds_needed"], COUNT),
                Col("Platser", bb["beds"], COUNT),
            ],
        )
        sheets["Neonatalvård per år"] = make(
            "Neonatalvård de kommande åren under oförändrat läge per enhet och vårdnivå: väntade inläggningar (egna och "
            "överflyttade från andra enheter), belagda platser, platser som behövs vid årets genomsnittliga belastning och "
            "sjuksköterskor (årsarbetare) för dem.",
            [
                *units(neo["unit_id"]),
                Col("År", neo["year"], INT),
                Col("Vårdnivå", neo["care_level"].map(CARE_LEVEL_SV), TEXT),
                Col("Inläggningar, egna", neo["admissions_own"], DEC1),
                Col("Inläggningar, överflyttade hit", neo["admissions_transferred"], DEC1),
                Col("Belagda platser i genomsnitt", neo["cots_occupied"], DEC1),
                Col("Platser som behövs", neo["cots_needed"], COUNT),
                Col("Platser", neo["cots_physical"], COUNT),
                Col("Sjuksköterskor (åa)", neo["nurse_fte"], DEC1),
            ],
        )
    if "care_levels_annual" in tables:
        cl = tables["care_levels_annual"]
        sheets["Vårdnivåer per år"] = make(
            "Vården kring födslarna per vårdnivå, enhet och år: oförändrat läge och med handlingsplanens tidiga hemgång. Normer per "
            "graviditet i körningens konfiguration (care_levels); REGION är summan av enheterna.",
            [
                *units(cl["unit_id"]),
                Col("År", cl["year"], INT),
                Col("Vårdnivå", cl["level"].map(LEVELS_SV), TEXT),
                Col("Kontakt", cl["contact"].map(CONTACTS_SV), TEXT),
                Col("Oförändrat läge", cl["baseline"], DEC1),
                Col("Med handlingsplanen", cl["with_plan"], DEC1),
            ],
        )
    if "model_vs_log" in tables and "redirection_counts_internal" in tables:
        published = PublishedCounts(tables["redirection_counts_internal"], threshold)
        review = tables["model_vs_log"]
        sheets["Modell mot logg"] = make(
            "Hänvisningar under gångna somrar: modellens väntade antal (med den kalibrerade och med den antagna vårdtiden) mot loggen (platsbrist och bemanning), per enhet och år.",
            [
                *units(review["unit_id"]),
                Col("Sommar", review["iso_year"], INT),
                Col("Förlossningar (skattade)", review["deliveries"], COUNT, people=True),
                Col("Modell, kalibrerad vårdtid", review["predicted"], DEC1),
                Col("Modell, antagen vårdtid", review["predicted_configured"], DEC1),
                Col(
                    "Loggen: platsbrist och bemanning",
                    review["logged_capacity"],
                    COUNT,
                    people=True,
                    status=_protected(published, review["unit_id"], review["iso_year"], review["logged_capacity"]),
                ),
            ],
        )
    if "neonatal_weekly" in tables:
        neo = tables["neonatal_weekly"]
        sheets["Neonatal bemanning"] = make(
            "Neonatalvård per enhet, vårdnivå och sommarvecka: platser och sjuksköterskor (åa), behov mot tillgång.",
            [
                *units(neo["unit_id"]),
                Col("År", neo["iso_year"], INT),
                Col("Vecka", neo["iso_week"], INT),
                Col("Utfall/prognos", neo["kind"]),
                Col("Vårdnivå", neo["care_level"].map(CARE_LEVEL_SV)),
                Col("Platser", neo["cots_physical"], COUNT),
                Col("Platser som behövs", neo["cots_needed"], COUNT),
                Col("Bemannade platser (i snitt)", neo["cots_staffed"], DEC1),
                Col("Sjuksköterskor, behov (åa)", neo["fte_need"], DEC1),
                Col("Sjuksköterskor, tillgång (åa)", neo["fte_supply"], DEC1),
                Col("Skillnad (åa)", neo["fte_gap"], DEC1),
            ],
        )
    if "neonatal_risk" in tables:
        neo = tables["neonatal_risk"]
        neo = neo[neo["kind"] == "prognos"]
        sheets["Neonatal risk"] = make(
            "Risk att ett barn inte får plats på sin vårdnivå per enhet och sommarvecka nästa sommar (modellskattning).",
            [
                *units(neo["unit_id"]),
                Col("År", neo["iso_year"], INT),
                Col("Vecka", neo["iso_week"], INT),
                Col("Vårdnivå", neo["care_level"].map(CARE_LEVEL_SV)),
                Col("Belagda platser (medel)", neo["load_erlangs"], DEC2),
                Col("Platser", neo["cots_physical"], COUNT),
                Col("Bemannade platser (i snitt)", neo["cots_staffed"], DEC1),
                Col("Risk", neo["blocking"], PCT),
                Col("Väntat antal vårdade på annat håll", neo["turned_away"], DEC2),
            ],
        )
    if "action_plan" in tables:
        plan = tables["action_plan"]
        sheets["Handlingsplan"] = make(
            "Handlingsplanens aktiviteter: ansvarig, tid, status, indikator med utgångsläge och mål.",
            [
                Col("Aktivitet", plan["activity_id"]),
                Col("Beskrivning", plan["title"]),
                Col("Område", plan["area"]),
                Col("Ansvarig", plan["owner"]),
                Col("Start", plan["start"], DATE),
                Col("Slut", plan["end"], DATE),
                Col("Status", plan["status"]),
                Col("Indikator", plan["indicator"]),
                Col("Utgångsläge", plan["baseline"], DEC1),
                Col("Mål", plan["target"], DEC1),
            ],
        )
    if "indicators" in tables:
        ind = tables["indicators"]
        sheets["Indikatorer"] = make(
            "Indikatorer mot mål: utgångsläge, mål, värdet för den senaste sommaren och trafikljus "
            "(grön = målet nått, gul = bättre än utgångsläget, röd = inte bättre).",
            [
                Col("Aktivitet", ind["activity_id"]),
                Col("Indikator", ind["indicator"]),
                Col("Utgångsläge", ind["baseline"], DEC1),
                Col("Mål", ind["target"], DEC1),
                Col("Senaste sommaren", ind["current"], DEC1),
                Col("Trafikljus", ind["light"].map(LIGHTS_SV)),
            ],
        )
    if "scenarios" in tables:
        sc = tables["scenarios"]
        sheets["Scenarier"] = make(
            "Väntat antal hänvisade kvinnor nästa sommar per scenario (åtgärd ensam och alla tillsammans) mot oförändrat läge.",
            [
                Col("Scenario", sc["scenario"]),
                Col("Väntat antal hänvisade", sc["redirected_mean"], DEC1),
                Col("10 %", sc["redirected_p10"], DEC1),
                Col("90 %", sc["redirected_p90"], DEC1),
                Col("Enhetsveckor med förhöjd risk", sc["weeks_at_risk"], COUNT),
                Col("Underskott barnmorskor, summa över veckor (åa-veckor)", sc["fte_shortfall"], DEC1),
                Col("Tillförda åa-veckor", sc["fte_added"], DEC1),
                Col("Utan plats trots samordning", sc["not_placed_in_region"], DEC1),
                Col("Väntat antal kvinnor som möter fullt BB", sc["postnatal_full"], DEC1),
                Col("Vårddygn flyttade från BB till hemmet", sc["home_care_days"], DEC1),
            ],
        )
    if "row_accounting" in tables:
        acc = tables["row_accounting"]
        sheets["Radräkning"] = make(
            "Rader per indatafil: lästa = behållna + avvisade; sammanslagna och rader utanför perioden räknas separat.",
            [
                Col("Fil", acc["file"]),
                Col("Tabell", acc["table"]),
                Col("Lästa rader", acc["rows_read"], COUNT),
                Col("Behållna", acc["rows_kept"], COUNT),
                Col("Avvisade", acc["rows_rejected"], COUNT),
                Col("Sammanslagna", acc["rows_merged"], COUNT),
                Col("Utanför perioden", acc["rows_outside_period"], COUNT),
                Col("Rättade värden", acc["repairs"], COUNT),
                Col("Varningar", acc["warnings"], COUNT),
            ],
        )
    about = [
        ("Körning", run_id),
        ("Tertial", tertial),
        ("Data till och med", f"{period_end:%Y-%m}"),
        ("Underlag", SYNTHETIC_NOTE if is_demo else data_label),
        (
            "Röjandeskydd",
            f"Antal personer från 1 till {threshold - 1} är tomma celler med anteckningen <{threshold}. Ett antal som skulle röja ett "
            f"sådant antal (ur en summa, en skillnad eller ett tal per 1 000) är också tomt, med anteckningen {SECONDARY_MARK}; "
            "hänvisningarna är skyddade på samma sätt i arbetsboken och i rapporterna.",
        ),
        ("Veckovärden", "Förlossningar per vecka är fördelade från månadsvärden."),
        ("Modellvärden", "Väntade antal och prognoser är modellskattningar, inte räknade personer."),
        *((f"Flik: {name}", sheet.about) for name, sheet in sheets.items()),
    ]
    first = _sheet(
        "Körningen och flikarna.",
        [Col("Fält", pd.Series([a for a, _ in about])), Col("Värde", pd.Series([b for _, b in about]))],
        threshold,
        False,
    )
    return {"Om tabellerna": first, **sheets}


def banner(is_demo: bool, run_id: str) -> str:
    """The print header of every sheet (and the workbook's title)."""
    return f"{SYNTHETIC_NOTE}. Körning {run_id}." if is_demo else f"Körning {run_id}."


def _table_name(sheet_name: str, used: set[str]) -> str:
    """An Excel table name: letters, digits and underscores, starting with a letter, unique."""
    ascii_name = sheet_name.translate(str.maketrans("åäöÅÄÖé", "aaoAAOe"))
    base = "T_" + (re.sub(r"[^A-Za-z0-9_]", "_", ascii_name).strip("_") or "tabell")
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name.lower())
    return name


def _cell_value(value):
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


# A text that starts with one of these is read by Excel (or LibreOffice) as a formula, when
# the file is opened or a cell is edited: OWASP's CSV/formula-injection rule. Such a text is
# stored as text with Excel's quote prefix (shown as written, never evaluated).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell) -> None:
    """Keep a text cell that looks like a formula a text (``FORMULA_START``)."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_workbook(sheets: dict[str, Sheet], path: Path, banner_text: str, threshold: int) -> Path:
    """Write the sheets: each an Excel table from A1 (header row frozen, filter buttons),
    number formats per column, hidden counts as empty cells with a "<threshold" note."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    demo = "EXEMPELDATA" in banner_text
    book = Workbook()
    book.remove(book.active)
    book.properties.title = banner_text
    used: set[str] = set()
    for name, sheet in sheets.items():
        ws = book.create_sheet(title=name[:31])
        frame = sheet.frame
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            ws.append([_cell_value(v) for v in row])
        for row in ws.iter_rows():
            for cell in row:
                _as_text(cell)
        for j, column in enumerate(frame.columns, start=1):
            fmt = sheet.formats.get(column, TEXT)
            letter = get_column_letter(j)
            for i in range(2, len(frame) + 2):
                cell = ws.cell(row=i, column=j)
                if fmt != TEXT or isinstance(cell.value, str):
                    cell.number_format = fmt
            texts = [str(column), *(str(v) for v in frame[column] if _cell_value(v) is not None)]
            ws.column_dimensions[letter].width = min(max(10, max(len(t) for t in texts) + 2), 60)
        for column, rows in sheet.hidden.items():
            j = list(frame.columns).index(column) + 1
            for i in rows:
                note = (
                    f"{SECONDARY_MARK}: dolt så att ett annat dolt antal inte kan räknas fram (röjandeskydd)"
                    if i in sheet.secondary.get(column, [])
                    else f"<{threshold}: ett antal från 1 till {threshold - 1}, dolt (röjandeskydd)"
                )
                ws.cell(row=i + 2, column=j).comment = Comment(note, "fragile-care")
        last = f"{get_column_letter(len(frame.columns))}{len(frame) + 1}"
        if len(frame):
            table = Table(displayName=_table_name(name, used), ref=f"A1:{last}")
            table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
            ws.add_table(table)
        else:
            ws.auto_filter.ref = f"A1:{last}"
        ws.freeze_panes = "A2"
        ws.oddHeader.center.text = banner_text
        if demo:
            ws.sheet_properties.tabColor = "B00020"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
