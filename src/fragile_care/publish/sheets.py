"""The hand-off workbook's sheets, declared once: each shows a processed table of the
catalog (``publish/catalog.py``) or one of the workbook's views of them
(``publish/handoff.VIEWS``), with the columns' labels and formats from the catalog unless
a sheet says otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from fragile_care.inputs import schemas
from fragile_care.model.carelevels import CONTACTS_SV, LEVELS_SV
from fragile_care.model.followup import INDICATOR_NAMES_SV, LIGHTS_SV
from fragile_care.model.forecast_models import MODEL_NAMES_SV
from fragile_care.model.postnatal import LINKS_SV
from fragile_care.publish.catalog import BY_NAME, Table
from fragile_care.publish.fields import COUNT, TEXT

YES_NO = {True: "ja", False: "nej"}
YES_PART_YEAR = {True: "ja", False: "nej, delår"}


@dataclass(frozen=True)
class Show:
    """A column of a sheet; what is not given comes from the table's declaration.
    ``codes`` maps values to Swedish words, ``strftime`` prints dates as text, ``protected``
    takes each count's disclosure status from the redirection counts every report shows."""

    column: str
    label: str | None = None
    fmt: str | None = None
    people: bool | None = None
    codes: dict | None = None
    strftime: str | None = None
    protected: bool = False


@dataclass(frozen=True)
class Sheet:
    """A sheet of the hand-off workbook: the table (or the workbook's view of tables, made
    by ``publish/handoff.py``) it shows, the tables the run must have made for it, its
    caption (``{weeks}`` and ``{period_end}`` are filled in) and its columns in order."""

    name: str
    source: str
    needs: tuple[str, ...]
    about: str
    columns: tuple[Show, ...]
    unit_columns: bool = True  # Enhetskod and Enhet first
    total_of: str | None = None  # header grouping unit rows with their REGION total (secondary suppression)

    def spec(self) -> Table:
        return BY_NAME.get(self.source) or Table(self.source, "workbook", (), tuple(c.column for c in self.columns), "")

    def label(self, show: Show) -> str:
        return show.label or self.spec().label(show.column)

    def fmt(self, show: Show) -> str:
        return show.fmt or (TEXT if show.codes is not None or show.strftime else self.spec().fmt(show.column))

    def counts_people(self, show: Show) -> bool:
        return show.people if show.people is not None else self.spec().counts_people(show.column)


def _shows(*columns: str | Show) -> tuple[Show, ...]:
    return tuple(c if isinstance(c, Show) else Show(c) for c in columns)


_YEAR = Show("year")
_WEEKS = (Show("iso_year"), Show("iso_week"))
_LEVEL = Show("care_level", codes=schemas.CARE_LEVEL_SV)
_RANGE = _shows("redirected_mean", "redirected_p10", "redirected_p90")

# fmt: off
SHEETS: tuple[Sheet, ...] = (
    Sheet("Förlossningar per år", "births_annual", ("births_monthly",),
          "Förlossningar och födda barn per enhet och år, med regionens summa (Enhetskod REGION). Ett år med färre än 12 månader "
          "i data är ett delår (kolumnen Helt år); data till och med {period_end:%Y-%m}.",
          (_YEAR, Show("deliveries", fmt=COUNT, people=True), Show("babies_born"), Show("months"),
           Show("complete", codes=YES_PART_YEAR)),
          total_of="År"),
    Sheet("Sommarjämförelse", "summer_comparison", ("births_monthly", "redirections", "redirection_counts_internal"),
          "Skattade förlossningar och kvinnor hänvisade på grund av platsbrist eller bemanning under sommarveckorna ({weeks}) "
          "per enhet och år; hänvisade räknas för den enhet som hänvisade.",
          (_YEAR, Show("deliveries", label="Förlossningar {weeks} (skattade)", fmt=COUNT, people=True),
           Show("redirected", people=True, protected=True), Show("complete", label="Hela sommaren i data", codes=YES_NO))),
    Sheet("Neonatalvård i dag", "neonatal_current", ("neonatal_admissions", "units"),
          "Neonatalvård per enhet, vårdnivå och år: inlagda barn och vårddygn, vårdplatser enligt lokalförteckningen och "
          "beläggning (vårddygn delat med platser gånger dagar), över året och under juni–augusti. Ett år som data inte täcker "
          "helt är ett delår (kolumnen Helt år); dess beläggning gäller de månader som finns.",
          (_YEAR, _LEVEL, Show("admissions", label="Inlagda barn", fmt=COUNT, people=True), Show("cot_days"), Show("cots"),
           Show("occupancy"), Show("admissions_summer"), Show("occupancy_summer"), Show("complete", codes=YES_PART_YEAR))),
    Sheet("Prognos per år", "forecast_annual", ("births_forecast",),
          "Prognos för förlossningar per enhet och helt kalenderår under oförändrat läge (medelvärde; intervallen finns per månad).",
          (_YEAR, Show("mean"))),
    Sheet("Prognos per månad", "births_forecast", ("births_forecast",),
          "Prognos för förlossningar per enhet och månad med 80 %- och 95 %-prediktionsintervall.",
          (Show("month", strftime="%Y-%m"), Show("model", codes=MODEL_NAMES_SV),
           *_shows("mean", "lower_80", "upper_80", "lower_95", "upper_95"))),
    Sheet("Bemanning sommar", "staffing_weekly", ("staffing_weekly",),
          "Barnmorskor på förlossningsavdelningen per enhet och sommarvecka: behov och tillgång i årsarbetare (åa), rum.",
          (*_WEEKS, *_shows("kind", "deliveries", "rooms_needed", "rooms_staffed", "rooms_physical", "fte_need",
                            "fte_supply_ward", "fte_gap"))),
    Sheet("Risk per vecka", "redirection_risk", ("redirection_risk",),
          "Risk att en kvinna måste hänvisas per enhet och vecka nästa sommar (oförändrat läge); väntade antal är modellskattningar.",
          (*_WEEKS, *_shows("deliveries", "rooms_staffed", "blocking", *_RANGE, "p_high"))),
    Sheet("Risk sommar", "redirection_totals", ("redirection_totals",),
          "Väntat antal hänvisade kvinnor under hela nästa sommar per enhet och i regionen (REGION), med 80 %-intervall.",
          _RANGE),
    Sheet("Förslag med pris", "lever_proposals", ("lever_proposals",),
          "Budgeten fördelad exakt över åtgärderna (extra barnmorskor, BB-platser, tidig hemgång, neonatalsjuksköterskor) per "
          "enhet och veckor: mängd, kostnad i kronor, undvikta händelser med 80 %-intervall och kostnad per undviken händelse. "
          "Priserna är antaganden i körningens konfiguration (costs); undvikta händelser är modellskattningar.",
          _shows("lever_sv", "iso_year", "first_week", "last_week", "weeks", "amount", "amount_unit_sv", "amount_per_week",
                 "cost_sek", "prevented_mean", "prevented_p10", "prevented_p90", "event_sv", "sek_per_prevented")),
    Sheet("Kostnad för 1 %", "target_cost", ("target_cost",),
          "Extra barnmorskor (årsarbetarveckor) och kostnad till sommarpris för att hålla risken under dimensioneringsgränsen "
          "varje sommarvecka nästa sommar, per enhet och i regionen (REGION).",
          _shows("fte_needed", "cost_sek", "weeks_short", "weeks_unreachable", "unreachable_weeks")),
    Sheet("Kalibrering", "capacity_calibration", ("capacity_calibration",),
          "Varje enhets effektiva tid på förlossningsrummet skattad mot hänvisningsloggen (80 %-intervall), den gemensamma tiden, "
          "sommareffekten och modellens väntade antal under de observerade somrarna.",
          _shows("effective_stay_hours", "low_80", "high_80", "pooled_stay_hours", "summer_effect", "summer_years", "predicted")),
    Sheet("Efterhandstest", "calibration_backtest", ("calibration_backtest", "redirection_counts_internal"),
          "Varje sommar med logg förutsagd av modellen skattad på somrarna före: loggen (platsbrist och bemanning) mot modellens "
          "väntade antal och 80 %-intervall, per enhet och för regionen (REGION).",
          (Show("iso_year"), *_shows("fitted_on", "predicted", "low_80", "high_80"), Show("logged", protected=True),
           Show("covered", codes=YES_NO))),
    Sheet("Vårdkedjan sommar", "care_chain_with_ward", ("care_chain_weekly", "postnatal_weekly"),
          "Nästa sommar per enhet och ISO-vecka: sannolikheten att förlossningsrummen, BB och neonatalvården (den vårdnivå som "
          "oftast är full) är fulla när någon kommer (Erlangs förlustformel, var länk för sig), BB:s bemannade platser och "
          "beläggning och den länk som oftast är full. Vårdtider och operationstid är antaganden (körningens konfiguration, postnatal).",
          (*_WEEKS, *_shows("rooms", "postnatal", "neonatal", "beds"), Show("occupancy", label="BB-beläggning"),
           Show("weakest", codes=LINKS_SV))),
    Sheet("Operationstid per år", "theatre_annual", ("theatre_annual",),
          "Kejsarsnitt och operationstid per enhet och år under oförändrat läge (REGION: hela regionen); andelen kejsarsnitt "
          "från Socialstyrelsen, operationstid per snitt ett antagande (körningens konfiguration, postnatal).",
          (_YEAR, *_shows("deliveries", "caesareans_planned", "caesareans_emergency", "theatre_hours"))),
    Sheet("Vårdkedjan simulerad", "care_chain_simulated", ("care_chain_simulated",),
          "Förlossningsrum och BB i samma simulering i varje enhets vecka med störst risk för fullt BB nästa sommar: en kvinna "
          "som inte får en BB-plats blir kvar på förlossningsrummet. Hänvisade med rummen för sig (Erlang B) och med kö till BB.",
          (*_WEEKS, *_shows("deliveries", "rooms_staffed", "beds", "rooms_alone", "chain_redirected", "waited_for_bed_share",
                            "mean_wait_hours"))),
    Sheet("BB per år", "postnatal_annual", ("postnatal_annual", "neonatal_annual"),
          "BB-platser de kommande åren under oförändrat läge: belagda i genomsnitt och som behövs för att högst "
          "dimensioneringsgränsen ska mötas av fullt BB vid årets genomsnittliga belastning, mot enhetens platser.",
          (_YEAR, *_shows("deliveries", "beds_occupied", "beds_needed", "beds"))),
    Sheet("Neonatalvård per år", "neonatal_annual", ("postnatal_annual", "neonatal_annual"),
          "Neonatalvård de kommande åren under oförändrat läge per enhet och vårdnivå: väntade inläggningar (egna och "
          "överflyttade från andra enheter), belagda platser, platser som behövs vid årets genomsnittliga belastning och "
          "sjuksköterskor (årsarbetare) för dem.",
          (_YEAR, _LEVEL, *_shows("admissions_own", "admissions_transferred", "cots_occupied", "cots_needed", "cots_physical",
                                  "nurse_fte"))),
    Sheet("Vårdnivåer per år", "care_levels_annual", ("care_levels_annual",),
          "Vården kring födslarna per vårdnivå, enhet och år: oförändrat läge och med handlingsplanens tidiga hemgång. Normer per "
          "graviditet i körningens konfiguration (care_levels); REGION är summan av enheterna.",
          (_YEAR, Show("level", codes=LEVELS_SV), Show("contact", codes=CONTACTS_SV), *_shows("baseline", "with_plan"))),
    Sheet("Modell mot logg", "model_vs_log", ("model_vs_log", "redirection_counts_internal"),
          "Hänvisningar under gångna somrar: modellens väntade antal (med den kalibrerade och med den antagna vårdtiden) mot "
          "loggen (platsbrist och bemanning), per enhet och år.",
          (Show("iso_year"), *_shows("deliveries", "predicted", "predicted_configured"), Show("logged_capacity", protected=True))),
    Sheet("Neonatal bemanning", "neonatal_weekly", ("neonatal_weekly",),
          "Neonatalvård per enhet, vårdnivå och sommarvecka: platser per vårdnivå, och sjuksköterskor (åa) för hela "
          "enhetens neonatalvård, behov mot tillgång. Sjuksköterskorna står på varje vårdnivås rad: summera dem inte "
          "över vårdnivåerna.",
          (*_WEEKS, Show("kind"), _LEVEL, *_shows("cots_physical", "cots_needed", "cots_staffed"),
           Show("fte_need", label="Sjuksköterskor, behov hela enheten (åa)"),
           Show("fte_supply", label="Sjuksköterskor, tillgång hela enheten (åa)"),
           Show("fte_gap", label="Skillnad hela enheten (åa)"))),
    Sheet("Neonatal risk", "neonatal_risk_ahead", ("neonatal_risk",),
          "Risk att ett barn inte får plats på sin vårdnivå per enhet och sommarvecka nästa sommar (modellskattning).",
          (*_WEEKS, _LEVEL, *_shows("load_erlangs", "cots_physical", "cots_staffed"), Show("blocking", label="Risk"),
           Show("turned_away"))),
    Sheet("Handlingsplan", "action_plan", ("action_plan",),
          "Handlingsplanens aktiviteter: ansvarig, tid, status, indikator med utgångsläge och mål.",
          (*_shows("activity_id", "title", "area", "owner", "start", "end", "status"), Show("indicator", codes=INDICATOR_NAMES_SV),
           *_shows("baseline", "target")),
          unit_columns=False),
    Sheet("Status", "plan_status", ("plan_status",),
          "Aktiviteternas status per den dag data går till: som planen anger den, eller försenad där planens datum "
          "säger det, och vad ansvariga bör kontrollera.",
          (Show("activity_id"), Show("status_reported"), Show("status"), Show("on_track", codes=YES_NO), Show("check")),
          unit_columns=False),
    Sheet("Indikatorer", "indicators", ("indicators",),
          "Indikatorer mot mål: utgångsläge, mål, värdet för den senaste sommaren och trafikljus "
          "(grön = målet nått, gul = bättre än utgångsläget, röd = inte bättre, ej mätbar än = aktiviteten startar "
          "efter sommaren), om målet redan var nått i utgångsläget och vilken sommar utgångsläget är räknat ur.",
          (Show("activity_id"), Show("indicator", codes=INDICATOR_NAMES_SV), *_shows("baseline", "target", "current"),
           Show("light", codes=LIGHTS_SV),
           Show("target_met_at_baseline", codes=YES_NO), Show("baseline_found")),
          unit_columns=False),
    Sheet("Scenarier", "scenarios", ("scenarios",),
          "Väntat antal hänvisade kvinnor nästa sommar per scenario (åtgärd ensam och alla tillsammans) mot oförändrat läge.",
          (*_shows("scenario", *(c.column for c in _RANGE), "difference_mean", "difference_p10", "difference_p90"),
           Show("certain", codes=YES_NO), *_shows("weeks_at_risk", "fte_shortfall", "fte_added", "not_placed_in_region",
                                                  "postnatal_full", "home_care_days")),
          unit_columns=False),
    Sheet("Radräkning", "row_accounting", ("row_accounting",),
          "Rader per indatafil: lästa = behållna + avvisade; sammanslagna och rader utanför perioden räknas separat.",
          _shows("file", "table", "rows_read", "rows_kept", "rows_rejected", "rows_merged", "rows_outside_period", "repairs",
                 "warnings"),
          unit_columns=False),
)
# fmt: on
