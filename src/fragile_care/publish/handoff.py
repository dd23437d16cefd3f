"""Excel hand-off: one workbook per run with the key tables, Swedish headers, one sheet a
table, counts of people suppressed (1 to threshold − 1 shown as "<threshold").

Pure functions here build the sheets from the run's processed tables; ``io.write_workbook``
writes them. Sheets whose tables the run did not make (fewer steps) are left out.
"""

from __future__ import annotations

import pandas as pd

from fragile_care.inputs.schemas import CARE_LEVEL_SV
from fragile_care.model import describe, forecast
from fragile_care.publish.disclosure import suppress_counts

SYNTHETIC_NOTE = "EXEMPELDATA – syntetiska siffror på enhetsnivå, inte regionens verkliga utfall"


def _labels(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    return {**describe.unit_labels(tables["units"]), "REGION": "Hela regionen"} if "units" in tables else {}


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
) -> dict[str, pd.DataFrame]:
    """The sheets of the hand-off workbook, in order, with Swedish column names."""
    labels = _labels(tables)
    unit = lambda s: s.map(lambda u: labels.get(u, u))  # noqa: E731
    sheets: dict[str, pd.DataFrame] = {}
    about = [
        ("Körning", run_id),
        ("Tertial", tertial),
        ("Data till och med", f"{period_end:%Y-%m}"),
        ("Underlag", SYNTHETIC_NOTE if is_demo else data_label),
        ("Röjandeskydd", f"Antal personer från 1 till {threshold - 1} visas som <{threshold}."),
        ("Veckovärden", "Förlossningar per vecka är fördelade från månadsvärden."),
        ("Modellvärden", "Väntade antal och prognoser är modellskattningar, inte räknade personer."),
    ]
    sheets["Om tabellerna"] = pd.DataFrame(about, columns=["Fält", "Värde"])
    if "births_monthly" in tables:
        births = tables["births_monthly"]
        annual = describe.annual_births(births)
        sheets["Förlossningar per år"] = pd.DataFrame(
            {
                "Enhet": unit(annual["unit_id"]),
                "År": annual["year"],
                "Förlossningar": suppress_counts(annual["deliveries"], threshold),
                "Födda barn": suppress_counts(annual["babies_born"], threshold),
                "Månader med data": annual["months"],
            }
        )
        if "redirections" in tables:
            summer = describe.summer_comparison(births, tables["redirections"], compare_years, summer_weeks)
            sheets["Sommarjämförelse"] = pd.DataFrame(
                {
                    "Enhet": unit(summer["unit_id"]),
                    "År": summer["year"],
                    "Förlossningar v. {}–{} (skattade)".format(*summer_weeks): suppress_counts(summer["deliveries"], threshold),
                    "Hänvisade kvinnor": suppress_counts(summer["redirected"], threshold),
                    "Hela sommaren i data": summer["complete"].map({True: "ja", False: "nej"}),
                }
            )
    if "births_forecast" in tables:
        fc = tables["births_forecast"]
        yearly = forecast.annual_totals(fc)
        sheets["Prognos per år"] = pd.DataFrame(
            {"Enhet": unit(yearly["unit_id"]), "År": yearly["year"], "Prognos förlossningar": yearly["mean"].round(0)}
        )
        sheets["Prognos per månad"] = pd.DataFrame(
            {
                "Enhet": unit(fc["unit_id"]),
                "Månad": fc["month"].dt.strftime("%Y-%m"),
                "Modell": fc["model"],
                "Prognos": fc["mean"].round(1),
                "80 % lägre": fc["lower_80"].round(1),
                "80 % övre": fc["upper_80"].round(1),
                "95 % lägre": fc["lower_95"].round(1),
                "95 % övre": fc["upper_95"].round(1),
            }
        )
    if "staffing_weekly" in tables:
        st = tables["staffing_weekly"]
        sheets["Bemanning sommar"] = pd.DataFrame(
            {
                "Enhet": unit(st["unit_id"]),
                "År": st["iso_year"],
                "Vecka": st["iso_week"],
                "Utfall/prognos": st["kind"],
                "Förlossningar (skattade)": st["deliveries"].round(1),
                "Rum som behövs": st["rooms_needed"],
                "Bemannade rum": st["rooms_staffed"],
                "Rum i lokalerna": st["rooms_physical"],
                "Barnmorskor förlossning, behov (åa)": st["fte_need"].round(1),
                "Barnmorskor förlossning, tillgång (åa)": st["fte_supply_ward"].round(1),
                "Skillnad (åa)": st["fte_gap"].round(1),
            }
        )
    if "redirection_risk" in tables:
        risk = tables["redirection_risk"]
        sheets["Risk per vecka"] = pd.DataFrame(
            {
                "Enhet": unit(risk["unit_id"]),
                "År": risk["iso_year"],
                "Vecka": risk["iso_week"],
                "Förlossningar (prognos)": risk["deliveries"].round(1),
                "Bemannade rum": risk["rooms_staffed"],
                "Risk för hänvisning (%)": (100 * risk["blocking"]).round(2),
                "Väntat antal hänvisade": risk["redirected_mean"].round(1),
                "10 %": risk["redirected_p10"].round(1),
                "90 %": risk["redirected_p90"].round(1),
                "Sannolikhet förhöjd risk (%)": (100 * risk["p_high"]).round(0),
            }
        )
    if "redirection_totals" in tables:
        tot = tables["redirection_totals"]
        sheets["Risk sommar"] = pd.DataFrame(
            {
                "Enhet": unit(tot["unit_id"]),
                "Väntat antal hänvisade": tot["redirected_mean"].round(1),
                "10 %": tot["redirected_p10"].round(1),
                "90 %": tot["redirected_p90"].round(1),
            }
        )
    if "neonatal_risk" in tables:
        neo = tables["neonatal_risk"]
        neo = neo[neo["kind"] == "prognos"]
        sheets["Neonatal risk"] = pd.DataFrame(
            {
                "Enhet": unit(neo["unit_id"]),
                "År": neo["iso_year"],
                "Vecka": neo["iso_week"],
                "Vårdnivå": neo["care_level"].map(CARE_LEVEL_SV),
                "Belagda platser (medel)": neo["load_erlangs"].round(2),
                "Platser": neo["cots_physical"],
                "Bemannade platser": neo["cots_staffed"],
                "Risk (%)": (100 * neo["blocking"]).round(2),
                "Väntat antal vårdade på annat håll": neo["turned_away"].round(2),
            }
        )
    if "row_accounting" in tables:
        acc = tables["row_accounting"]
        sheets["Radräkning"] = pd.DataFrame(
            {
                "Fil": acc["file"],
                "Tabell": acc["table"],
                "Lästa rader": acc["rows_read"],
                "Behållna": acc["rows_kept"],
                "Avvisade": acc["rows_rejected"],
                "Sammanslagna": acc["rows_merged"],
                "Utanför perioden": acc["rows_outside_period"],
                "Rättade värden": acc["repairs"],
                "Varningar": acc["warnings"],
            }
        )
    return {name: frame.reset_index(drop=True) for name, frame in sheets.items()}


def banner(is_demo: bool, run_id: str) -> str:
    """The line above every sheet's table."""
    return f"{SYNTHETIC_NOTE}. Körning {run_id}." if is_demo else f"Körning {run_id}."
