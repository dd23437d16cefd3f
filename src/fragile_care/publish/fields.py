"""What each column name of a processed table means, declared once: its kind, unit, Swedish
label, Excel number format and whether it counts people (``publish/catalog.py`` lists the
tables, ``publish/sheets.py`` the workbook's sheets)."""

from __future__ import annotations

from dataclasses import dataclass

# Excel number format codes (stored in the file in Excel's invariant notation; Swedish Excel
# shows "# ##0" with a space and "0,0 %" with a decimal comma).
INT = "0"  # years, weeks, codes: no thousands separator
COUNT = "#,##0"
DEC1 = "#,##0.0"
DEC2 = "#,##0.00"
PCT = "0.0 %"  # values are fractions (0.034 shows as 3,4 %)
DATE = "yyyy-mm-dd"
TEXT = "@"

KINDS = ("text", "int", "float", "date", "bool")


@dataclass(frozen=True)
class Field:
    """What a column name means wherever it appears: its kind, unit, Swedish label and
    Excel number format. ``people``: its values count people (1 to threshold − 1 are
    hidden when published)."""

    kind: str
    unit: str
    label: str
    fmt: str = TEXT
    people: bool = False


def _f(kind: str, unit: str, label: str, fmt: str | None = None, people: bool = False) -> Field:
    default = {"text": TEXT, "int": COUNT, "float": DEC1, "date": DATE, "bool": TEXT}[kind]
    return Field(kind, unit, label, fmt or default, people)


# fmt: off
FIELDS: dict[str, Field] = {
    # keys and codes
    "unit_id": _f("text", "", "Enhetskod"),
    "from_unit": _f("text", "", "Från enhet"),
    "to_unit": _f("text", "", "Till enhet"),
    "year": _f("int", "year", "År", INT),
    "iso_year": _f("int", "year", "År", INT),
    "iso_week": _f("int", "ISO week", "Vecka", INT),
    "month": _f("date", "month", "Månad"),
    "kind": _f("text", "", "Utfall/prognos"),
    "care_level": _f("text", "", "Vårdnivå"),
    "level": _f("text", "", "Vårdnivå"),
    "contact": _f("text", "", "Kontakt"),
    "model": _f("text", "", "Modell"),
    "scenario": _f("text", "", "Scenario"),
    "role": _f("text", "", "Roll"),
    "key": _f("text", "", "Nyckeltal"),
    "series": _f("text", "", "Serie"),
    "origin": _f("date", "month", "Prognosens startmånad"),
    "activity_id": _f("text", "", "Aktivitet"),
    "indicator": _f("text", "", "Indikator"),
    "light": _f("text", "", "Trafikljus"),
    "weakest": _f("text", "", "Brister först"),
    "reason": _f("text", "", "Skäl"),
    "reasons": _f("text", "", "Skäl till hänvisning"),
    "status": _f("text", "", "Status"),
    "text": _f("text", "", "Visas som"),
    "effect_reason": _f("text", "", "Effektens grund"),
    "years": _f("text", "year", "År"),
    "weeks": _f("int", "weeks", "Veckor"),
    "file": _f("text", "", "Fil"),
    "title": _f("text", "", "Beskrivning"),
    "area": _f("text", "", "Område"),
    "owner": _f("text", "", "Ansvarig"),
    "start": _f("date", "date", "Start"),
    "end": _f("date", "date", "Slut"),
    "table": _f("text", "", "Tabell"),
    # counts of people and events
    "deliveries": _f("float", "births", "Förlossningar", DEC1),
    "babies_born": _f("int", "babies", "Födda barn", COUNT, people=True),
    "months": _f("int", "months", "Månader med data", INT),
    "complete": _f("bool", "", "Helt år"),
    "redirected": _f("float", "women", "Hänvisade kvinnor (platsbrist, bemanning)", COUNT),
    "women": _f("int", "women", "Kvinnor", COUNT, people=True),
    "admissions": _f("float", "admissions", "Inläggningar", DEC1),
    "admissions_own": _f("float", "admissions", "Inläggningar, egna", DEC1),
    "admissions_transferred": _f("float", "admissions", "Inläggningar, överflyttade hit", DEC1),
    "admissions_summer": _f("int", "babies", "Inlagda barn juni–augusti", COUNT, people=True),
    "cot_days": _f("int", "cot-days", "Vårddygn", COUNT),
    "transfers": _f("int", "transfers", "Överflyttningar", COUNT),
    "transfers_in": _f("float", "transfers", "Överflyttningar hit", DEC1),
    # staff and rooms
    "fte_supply": _f("float", "FTE", "Barnmorskor, tillgång (åa)"),
    "fte_supply_ward": _f("float", "FTE", "Barnmorskor förlossning, tillgång (åa)"),
    "fte_need": _f("float", "FTE", "Barnmorskor förlossning, behov (åa)"),
    "fte_gap": _f("float", "FTE", "Skillnad (åa)"),
    "fte_benchmark": _f("float", "FTE", "Barnmorskor enligt riktmärket (åa)"),
    "fte_gap_benchmark": _f("float", "FTE", "Skillnad mot riktmärket (åa)"),
    "fte_added": _f("float", "FTE-weeks", "Tillförda åa-veckor"),
    "fte_to_high": _f("float", "FTE", "Åa till under förhöjd risk"),
    "fte_to_target": _f("float", "FTE", "Åa till dimensioneringsgränsen"),
    "fte_allocated": _f("float", "FTE-weeks", "Fördelade åa-veckor"),
    "fte_shortfall": _f("float", "FTE-weeks", "Underskott barnmorskor, summa över veckor (åa-veckor)"),
    "fte_weeks": _f("float", "FTE-weeks", "Åa-veckor"),
    "fte_per_week": _f("float", "FTE", "Åa per vecka"),
    "nurse_fte": _f("float", "FTE", "Sjuksköterskor (åa)"),
    "nurses_per_cot": _f("float", "nurses per cot", "Sjuksköterskor per plats", DEC2),
    "leave_planned": _f("bool", "", "Semesterplan finns"),
    "rooms_physical": _f("int", "rooms", "Rum i lokalerna"),
    "rooms_needed": _f("int", "rooms", "Rum som behövs"),
    "rooms_staffed": _f("float", "rooms", "Bemannade rum (dygnet runt, i snitt)"),
    "rooms_gap": _f("float", "rooms", "Rum som saknar bemanning"),
    "rooms_short": _f("bool", "", "För få bemannade rum"),
    "load_erlangs": _f("float", "erlangs", "Belagda platser (medel)", DEC2),
    "sigma_log": _f("float", "log births", "Prognosens osäkerhet (sigma, log)", DEC2),
    "beds": _f("float", "beds", "BB-platser bemannade", COUNT),
    "beds_occupied": _f("float", "beds", "Belagda platser i genomsnitt"),
    "beds_needed": _f("int", "beds", "Platser som behövs"),
    "cots_physical": _f("int", "cots", "Platser"),
    "cots_needed": _f("int", "cots", "Platser som behövs"),
    "cots_staffed": _f("float", "cots", "Bemannade platser (i snitt)"),
    "cots_occupied": _f("float", "cots", "Belagda platser i genomsnitt"),
    "cots": _f("float", "cots", "Platser", COUNT),
    "occupancy": _f("float", "share", "Beläggning", PCT),
    "occupancy_summer": _f("float", "share", "Beläggning juni–augusti", PCT),
    # risk and model values (expected numbers, not counted people)
    "blocking": _f("float", "probability", "Risk för hänvisning", PCT),
    "blocking_p10": _f("float", "probability", "Risk, 10 %", PCT),
    "blocking_p90": _f("float", "probability", "Risk, 90 %", PCT),
    "p_high": _f("float", "probability", "Sannolikhet förhöjd risk", PCT),
    "p_full": _f("float", "probability", "Sannolikhet fullt BB", PCT),
    "at_risk": _f("bool", "", "Förhöjd risk"),
    "reachable_high": _f("bool", "", "Under förhöjd risk går att nå"),
    "reachable_target": _f("bool", "", "Dimensioneringsgränsen går att nå"),
    "redirected_mean": _f("float", "women", "Väntat antal hänvisade"),
    "redirected_p10": _f("float", "women", "10 %"),
    "redirected_p90": _f("float", "women", "90 %"),
    "redirected_mc_se": _f("float", "women", "Monte Carlo-fel (medelfel)", DEC2),
    "draw": _f("int", "", "Dragning"),
    "bb_beds": _f("float", "beds", "Bemannade BB-platser", DEC1),
    "bb_stay_hours": _f("float", "hours", "Vårdtid på BB, timmar", DEC1),
    "bb_wait_hours": _f("float", "hours", "Väntan på BB-plats, timmar (snitt per kvinna)", DEC2),
    "difference_mean": _f("float", "women", "Skillnad mot oförändrat läge", DEC1),
    "difference_p10": _f("float", "women", "Skillnad, 10 %", DEC1),
    "difference_p90": _f("float", "women", "Skillnad, 90 %", DEC1),
    "difference_mc_se": _f("float", "women", "Skillnad, Monte Carlo-fel", DEC2),
    "certain": _f("bool", "", "Säker skillnad"),
    "stay_hours": _f("float", "hours", "Tid på rummet, timmar", DEC1),
    "redirected_before": _f("float", "women", "Väntat antal hänvisade före"),
    "redirected_after": _f("float", "women", "Väntat antal hänvisade efter"),
    "prevented": _f("float", "women", "Färre hänvisade"),
    "turned_away": _f("float", "babies", "Väntat antal vårdade på annat håll", DEC2),
    "predicted": _f("float", "women", "Modell, kalibrerad vårdtid"),
    "predicted_configured": _f("float", "women", "Modell, antagen vårdtid"),
    "predicted_calibrated": _f("float", "women", "Modell, kalibrerad vårdtid"),
    "logged": _f("float", "women", "Loggen"),
    "logged_capacity": _f("float", "women", "Loggen: platsbrist och bemanning", COUNT, people=True),
    "logged_other": _f("float", "women", "Loggen: övriga skäl", COUNT, people=True),
    "weeks_at_risk": _f("int", "unit-weeks", "Enhetsveckor med förhöjd risk"),
    "not_placed": _f("float", "share", "Utan plats trots samordning", PCT),
    "not_placed_in_region": _f("float", "women", "Utan plats trots samordning"),
    "postnatal_full": _f("float", "women", "Väntat antal kvinnor som möter fullt BB"),
    "home_care_days": _f("float", "days", "Vårddygn flyttade från BB till hemmet"),
    "worst_week": _f("int", "ISO week", "Värsta vecka", INT),
    "worst_blocking": _f("float", "probability", "Risk i värsta veckan", PCT),
    "worst_p_high": _f("float", "probability", "Sannolikhet förhöjd risk i värsta veckan", PCT),
    "over": _f("int", "weeks", "Veckor över dimensioneringsgränsen"),
    # the care chain
    "rooms": _f("float", "probability", "Förlossningsrum fulla", PCT),
    "postnatal": _f("float", "probability", "BB fullt", PCT),
    "neonatal": _f("float", "probability", "Neonatalvård full", PCT),
    "early_share": _f("float", "share", "Andel tidig hemgång", PCT),
    "arrivals_per_day": _f("float", "women per day", "Kvinnor till BB per dygn"),
    "mean_stay_days": _f("float", "days", "Vårdtid (dygn)", DEC2),
    "offered_load": _f("float", "erlangs", "Belagda platser (medel)", DEC2),
    "women_finding_full": _f("float", "women", "Väntat antal kvinnor som möter fullt BB"),
    "rooms_alone": _f("float", "share", "Hänvisade, rummen för sig", PCT),
    "chain_redirected": _f("float", "share", "Hänvisade, med kö till BB", PCT),
    "waited_for_bed_share": _f("float", "share", "Väntar på BB-plats", PCT),
    "mean_wait_hours": _f("float", "hours", "Väntan på BB-plats, timmar"),
    "caesareans_planned": _f("float", "caesareans", "Planerade kejsarsnitt"),
    "caesareans_emergency": _f("float", "caesareans", "Akuta kejsarsnitt"),
    "theatre_hours": _f("float", "hours", "Operationstimmar"),
    "per_delivery": _f("float", "per birth", "Per förlossning", DEC2),
    "baseline": _f("float", "indicator unit", "Utgångsläge"),
    "target": _f("float", "indicator unit", "Mål"),
    "current": _f("float", "indicator unit", "Senaste sommaren"),
    "with_plan": _f("float", "contacts", "Med handlingsplanen"),
    # the forecast
    "mean": _f("float", "births", "Prognos"),
    "lower_80": _f("float", "births", "80 % lägre"),
    "upper_80": _f("float", "births", "80 % övre"),
    "lower_95": _f("float", "births", "95 % lägre"),
    "upper_95": _f("float", "births", "95 % övre"),
    "mae": _f("float", "births", "MAE"),
    "mae_snaive": _f("float", "births", "MAE säsongsnaiv"),
    "mase": _f("float", "ratio", "MASE", DEC2),
    "mape": _f("float", "share", "MAPE", PCT),
    "relative_mae": _f("float", "ratio", "Relativt MAE", DEC2),
    "coverage_80": _f("float", "share", "Träffsäkerhet 80 %", PCT),
    "coverage_95": _f("float", "share", "Träffsäkerhet 95 %", PCT),
    "forecast_deliveries": _f("float", "births", "Prognos förlossningar"),
    "forecast_county_scale": _f("float", "births", "Prognos i länets skala"),
    "demographic_tfr_target": _f("float", "births", "Demografisk skattning, fruktsamhet mot mål"),
    "demographic_tfr_observed": _f("float", "births", "Demografisk skattning, observerad fruktsamhet"),
    "difference": _f("float", "share", "Skillnad", PCT),
    # the calibration
    "prior_stay_hours": _f("float", "hours", "Antagen vårdtid (timmar)"),
    "effective_stay_hours": _f("float", "hours", "Kalibrerad vårdtid (timmar)"),
    "low_80": _f("float", "", "80 %, lägre"),
    "high_80": _f("float", "", "80 %, övre"),
    "pooled_stay_hours": _f("float", "hours", "Gemensam tid (timmar)"),
    "pooled_low_80": _f("float", "hours", "Gemensam tid, 80 % lägre"),
    "pooled_high_80": _f("float", "hours", "Gemensam tid, 80 % övre"),
    "spread_between_units": _f("float", "log hours", "Spridning mellan enheter", DEC2),
    "summer_effect": _f("float", "variance", "Sommareffekt (varians)", DEC2),
    "summers": _f("int", "summers", "Somrar"),
    "summer_years": _f("text", "", "Somrarna"),
    "fitted_on": _f("text", "", "Skattad på somrarna"),
    "covered": _f("bool", "", "Inom intervallet"),
    "used": _f("bool", "", "Används"),
    "setting": _f("text", "", "Inställning"),
    "source": _f("text", "", "Ursprung"),
    "prior": _f("float", "setting's unit", "Före kalibrering", DEC2),
    # the simulation
    "erlang_b": _f("float", "probability", "Erlang B", PCT),
    "sim_constant": _f("float", "probability", "Simulering, jämnt inflöde", PCT),
    "sim_pattern": _f("float", "probability", "Simulering, dygns- och veckomönster", PCT),
    "sim_pattern_overflow": _f("float", "probability", "Simulering med samordning", PCT),
    "received_from_neighbour": _f("float", "share", "Tagna från grannenhet", PCT),
    # the brief's key numbers
    "value": _f("float", "", "Värde"),
    "previous": _f("float", "", "Föregående"),
    "previous_year": _f("float", "year", "Föregående år", INT),
    "low": _f("float", "", "Lägre"),
    "high": _f("float", "", "Övre"),
    "of": _f("float", "", "Av"),
    "detail": _f("float", "", "Detalj"),
    "detail_previous": _f("float", "", "Detalj, föregående"),
    "detail_year": _f("float", "year", "Detaljens år", INT),
    "unit": _f("text", "", "Enhet"),
    # the row accounting and the quality log
    "rows_read": _f("int", "rows", "Lästa rader"),
    "rows_kept": _f("int", "rows", "Behållna"),
    "rows_rejected": _f("int", "rows", "Avvisade"),
    "rows_merged": _f("int", "rows", "Sammanslagna"),
    "rows_outside_period": _f("int", "rows", "Utanför perioden"),
    "rows_out": _f("int", "rows", "Rader ut"),
    "repairs": _f("int", "values", "Rättade värden"),
    "warnings": _f("int", "rows", "Varningar"),
    "row": _f("int", "row", "Rad", INT),
    "column": _f("text", "", "Kolumn"),
    "severity": _f("text", "", "Allvarlighet"),
    "problem": _f("text", "", "Problem"),
    "action": _f("text", "", "Åtgärd"),
    "count": _f("int", "rows", "Antal"),
    "source_id": _f("text", "", "Källa"),
    # the input tables (their own contracts hold kinds and ranges)
    "fte_budgeted": _f("float", "FTE", "Budgeterade åa"),
    "fte_available": _f("float", "FTE", "Tillgängliga åa"),
    "fte_agency": _f("float", "FTE", "Inhyrda åa"),
    "vacancies": _f("float", "FTE", "Vakanser (åa)"),
    "profession": _f("text", "", "Yrke"),
    "fte_on_leave": _f("float", "FTE", "Åa på semester"),
}
# fmt: on
