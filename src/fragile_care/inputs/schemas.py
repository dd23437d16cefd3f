"""Table contracts (DESIGN.md §4): columns, kinds, ranges and keys of every input table."""

from __future__ import annotations

from dataclasses import dataclass

PROFESSIONS = ("barnmorska", "undersköterska", "neonatalsjuksköterska")
CARE_LEVELS = ("ic", "hd", "sc")
CARE_LEVEL_SV = {"ic": "Intensivvård", "hd": "Intermediärvård", "sc": "Vårdavdelning"}  # for report text
# Swedish words for the neonatal care levels, accepted and repaired to the codes.
CARE_LEVEL_ALIASES = {
    "iva": "ic",
    "intensivvård": "ic",
    "neonatal iva": "ic",
    "intensive": "ic",
    "intermediär": "hd",
    "intermediärvård": "hd",
    "high dependency": "hd",
    "vårdavdelning": "sc",
    "special care": "sc",
}
# The administrations (förvaltningar) are data: the units table names them, the action plan
# refers to them (column kind "owner", checked against the units table's administrations).
REGIONAL_OWNER = "Regionkansliet"  # owner of regional activities, beside the units' administrations
REDIRECTION_REASONS = ("platsbrist", "bemanning", "neonatal", "övrigt")

KINDS = ("id", "text", "unit", "owner", "count", "number", "month", "date", "iso_week", "category", "year")


@dataclass(frozen=True)
class Column:
    """One column of a table contract.

    ``kind`` is one of :data:`KINDS`; ``allowed`` lists the values of a category;
    ``minimum``/``maximum`` bound numbers; ``required`` columns must be present;
    ``nullable`` columns may have empty cells.
    """

    name: str
    kind: str
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    aliases: tuple[tuple[str, str], ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class TableSchema:
    """A table contract: the columns, the key, and the monthly series to check for gaps."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str = ""
    series_by: tuple[str, ...] = ()
    series_month: str | None = None
    # ``source_id`` (provenance of each row, e.g. SYNTHETIC_DEMO) is allowed in every table.
    provenance_column: str = "source_id"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _count(name: str, **kw) -> Column:
    return Column(name, "count", **kw)


def _fte(name: str, **kw) -> Column:
    return Column(name, "number", minimum=0.0, maximum=5000.0, **kw)


UNITS = TableSchema(
    "units",
    (
        Column("unit_id", "id"),
        Column("name", "text"),
        Column("hospital", "text"),
        Column("administration", "text", description="the administration (förvaltning) the unit belongs to"),
        _count("delivery_rooms", maximum=200),
        _count("postnatal_beds", maximum=2000),
        _count("neonatal_cots_ic", maximum=500),
        _count("neonatal_cots_hd", maximum=500),
        _count("neonatal_cots_sc", maximum=500),
        Column("opened", "date", required=False, nullable=True),
        Column("closed", "date", required=False, nullable=True),
        Column("merged_into", "unit", required=False, nullable=True),
        Column("aliases", "text", required=False, nullable=True, description="other spellings of the unit in exports, separated by '|'"),
        Column(
            "short_name",
            "text",
            required=False,
            nullable=True,
            description="the name in tables and figure labels, e.g. NÄL; missing: the first alias, else the name",
        ),
    ),
    key=("unit_id",),
    description="Delivery units with their capacity and structural history",
)

BIRTHS_MONTHLY = TableSchema(
    "births_monthly",
    (
        Column("unit_id", "unit"),
        Column("month", "month"),
        _count("deliveries", maximum=5000),
        _count("babies_born", maximum=5000),
    ),
    key=("unit_id", "month"),
    description="Deliveries and babies born per delivery unit and month",
    series_by=("unit_id",),
    series_month="month",
)

STAFFING = TableSchema(
    "staffing",
    (
        Column("unit_id", "unit"),
        Column("month", "month"),
        Column("profession", "category", allowed=PROFESSIONS),
        _fte("fte_budgeted"),
        _fte("fte_available"),
        _fte("fte_agency"),
        _fte("vacancies"),
    ),
    key=("unit_id", "month", "profession"),
    description="Staff per unit, month and profession, in FTE (årsarbetare)",
    series_by=("unit_id", "profession"),
    series_month="month",
)

LEAVE_PLAN = TableSchema(
    "leave_plan",
    (
        Column("unit_id", "unit"),
        Column("iso_week", "iso_week"),
        Column("profession", "category", allowed=PROFESSIONS),
        _fte("fte_on_leave"),
    ),
    key=("unit_id", "iso_week", "profession"),
    description="Planned leave per unit, ISO week and profession, in FTE",
)

REDIRECTIONS = TableSchema(
    "redirections",
    (
        Column("date", "date"),
        Column("from_unit", "unit"),
        Column("to_unit", "unit"),
        Column("reason", "category", allowed=REDIRECTION_REASONS),
        _count("women", minimum=1, maximum=500),
    ),
    key=("date", "from_unit", "to_unit", "reason"),
    description="Women redirected (hänvisade) from one delivery unit to another",
)

NEONATAL_ADMISSIONS = TableSchema(
    "neonatal_admissions",
    (
        Column("unit_id", "unit"),
        Column("month", "month"),
        Column("care_level", "category", allowed=CARE_LEVELS, aliases=tuple(CARE_LEVEL_ALIASES.items())),
        _count("admissions", maximum=5000),
        _count("cot_days", maximum=50000),
    ),
    key=("unit_id", "month", "care_level"),
    description="Neonatal admissions and cot days per unit, month and care level",
    series_by=("unit_id", "care_level"),
    series_month="month",
)

# Public series (real figures with a source on every row).
PUBLIC_SWEDEN_MONTHLY = TableSchema(
    "sweden_live_births_monthly",
    (
        Column("country", "text"),
        Column("year", "year"),
        Column("month", "count", minimum=1, maximum=12),
        Column("month_name", "text", required=False),
        _count("live_births", maximum=10_000_000),
        Column("reliability", "text", required=False, nullable=True),
        Column("un_source_year", "year", required=False, nullable=True),
    ),
    key=("year", "month"),
    description="Sweden, live births by month (UN Demographic Yearbook table 55 / SCB)",
)

PUBLIC_VGR_ANNUAL = TableSchema(
    "vgr_live_births_annual",
    (
        Column("region_code", "text"),
        Column("region", "text"),
        Column("year", "year"),
        _count("live_births", maximum=10_000_000),
    ),
    key=("year",),
    description="Västra Götalands län, live births per year (SCB BE0101E2)",
)

PUBLIC_SWEDEN_ANNUAL = TableSchema(
    "sweden_live_births_annual",
    (
        Column("country", "text"),
        Column("year", "year"),
        _count("live_births", maximum=10_000_000),
        Column("reliability", "text", required=False, nullable=True),
    ),
    key=("year",),
    description="Sweden, live births per year",
)

PUBLIC_BIRTHS_BY_MOTHER_AGE = TableSchema(
    "vgr_live_births_by_mother_age",
    (
        Column("region_code", "text"),
        Column("year", "year"),
        Column("mother_age", "text", description="single years, '<15', '49+' or 'no information'"),
        Column("child_sex", "category", allowed=("girls", "boys")),
        _count("live_births", maximum=10_000_000),
    ),
    key=("year", "mother_age", "child_sex"),
    description="Västra Götalands län, live births by mother's age and child's sex (SCB BE0101E2)",
)

PUBLIC_WOMEN_BY_AGE = TableSchema(
    "vgr_women_15_49_by_age",
    (
        Column("region_code", "text"),
        Column("year", "year"),
        Column("reference_date", "date"),
        Column("age", "count", minimum=15, maximum=49),
        _count("women", maximum=10_000_000),
    ),
    key=("year", "age"),
    description="Västra Götalands län, women by single year of age 15-49 on 31 December (SCB BE0101N1)",
)

PUBLIC_POPULATION_2020 = TableSchema(
    "vgr_population_by_age_sex_2020",
    (
        Column("region_code", "text"),
        Column("reference_date", "date"),
        Column("age_group", "text"),
        Column("sex", "category", allowed=("women", "men")),
        _count("population", maximum=100_000_000),
    ),
    key=("age_group", "sex"),
    description="Västra Götalands län, population by 5-year age group and sex on 31 December 2020 (Regionfakta/SCB)",
)

# Action plan (handlingsplan) and best practice (omvärldsbevakning).
PLAN_AREAS = (
    "nära vård",
    "digitalisering",
    "kunskapsstyrning",
    "kvalitetsdriven verksamhetsutveckling",
    "kompetensförsörjning",
    "regional samordning",
    "produktions- och kapacitetsstyrning",
)
PLAN_STATUSES = ("planerad", "pågår", "klar", "pausad")
EFFECT_TYPES = ("extra_staff", "pooling", "move_leave", "early_discharge", "none")
EFFECT_PROFILES = ("step", "ramp")
# Indicators the follow-up computes from the data (lower is better for all of them).
INDICATORS = ("hänvisade_sommar", "hänvisade_per_1000", "vakansgrad_barnmorskor", "veckor_med_risk")

ACTION_PLAN = TableSchema(
    "action_plan",
    (
        Column("activity_id", "id"),
        Column("title", "text"),
        Column("area", "category", allowed=PLAN_AREAS),
        Column("owner", "owner", description=f"an administration of the units table or {REGIONAL_OWNER}"),
        Column("start", "date"),
        Column("end", "date"),
        Column("status", "category", allowed=PLAN_STATUSES),
        Column("indicator", "category", allowed=INDICATORS, required=False, nullable=True),
        Column("baseline", "number", required=False, nullable=True, minimum=-1e9, maximum=1e9),
        Column("target", "number", required=False, nullable=True, minimum=-1e9, maximum=1e9),
        Column("effect_type", "category", allowed=EFFECT_TYPES),
        Column("effect_unit", "unit", required=False, nullable=True),
        Column("effect_partner", "unit", required=False, nullable=True),
        Column("effect_fte", "number", required=False, nullable=True, minimum=0.0, maximum=500.0),
        Column("effect_weeks", "text", required=False, nullable=True, description="ISO weeks the effect applies, e.g. 27-31"),
        Column("effect_to_weeks", "text", required=False, nullable=True, description="move_leave: the weeks the leave moves to"),
        Column("effect_profile", "category", allowed=EFFECT_PROFILES, required=False, nullable=True),
        Column("ramp_weeks", "count", required=False, nullable=True, minimum=1, maximum=104),
        Column(
            "effect_share",
            "number",
            required=False,
            nullable=True,
            minimum=0.0,
            maximum=1.0,
            description="early_discharge: share of women after a vaginal birth at effect_unit who go home early with follow-up at home",
        ),
    ),
    key=("activity_id",),
    description="The action plan: timed activities with owner, status, indicator, target and expected effect",
)

BEST_PRACTICE = TableSchema(
    "best_practice",
    (
        Column("practice_id", "id"),
        Column("title", "text"),
        Column("where", "text"),
        Column("period", "text"),
        Column("description", "text"),
        Column("achieved", "text", required=False, nullable=True),
        Column("fact_ids", "text", required=False, nullable=True),
        Column("source_url", "text", nullable=True),
        Column("inspired", "text", required=False, nullable=True, description="activity ids of the plan, separated by '|'"),
    ),
    key=("practice_id",),
    description="Practices from other regions and countries, each with its source",
)
PUBLIC_UN_REFERENCE = TableSchema(
    "un_monthly_births_reference",
    (
        Column("country", "text"),
        Column("month", "month"),
        _count("live_births", maximum=10_000_000),
        Column("reliability", "text", required=False, nullable=True),
        Column("un_source_year", "year", required=False, nullable=True),
    ),
    key=("country", "month"),
    description="Live births by month of 41 countries and territories (UN Demographic Yearbook table 55): "
    "the forecast benchmark's reference set, read by no run",
)
POSTNATAL_CAPACITY = TableSchema(
    "postnatal_capacity",
    (
        Column("unit_id", "unit"),
        Column("iso_week", "iso_week"),
        _count("beds_staffed", maximum=500, description="postnatal (BB) beds staffed that week"),
    ),
    key=("unit_id", "iso_week"),
    description="Postnatal ward (BB) beds staffed per unit and ISO week; a week not listed has the units table's postnatal_beds",
)
NEONATAL_TRANSFERS = TableSchema(
    "neonatal_transfers",
    (
        Column("month", "month"),
        Column("from_unit", "unit", description="the unit where the baby was born"),
        Column("to_unit", "unit", description="the unit of care the baby was moved to"),
        Column("care_level", "category", allowed=CARE_LEVELS, aliases=tuple(CARE_LEVEL_ALIASES.items())),
        _count("transfers", maximum=5000, description="babies moved; counted among to_unit's neonatal admissions of the month"),
    ),
    key=("month", "from_unit", "to_unit", "care_level"),
    description="Newborns moved after birth from the unit where they were born to another unit's neonatal care, by care level",
)
# Read when present; their checks stop the run like any table's.
OPTIONAL_UNIT_TABLES: dict[str, TableSchema] = {
    ACTION_PLAN.name: ACTION_PLAN,
    POSTNATAL_CAPACITY.name: POSTNATAL_CAPACITY,
    NEONATAL_TRANSFERS.name: NEONATAL_TRANSFERS,
}
OPTIONAL_PUBLIC_TABLES: dict[str, TableSchema] = {BEST_PRACTICE.name: BEST_PRACTICE}

# Order matters: units first, because the other tables are checked against its unit ids.
UNIT_TABLES: dict[str, TableSchema] = {s.name: s for s in (UNITS, BIRTHS_MONTHLY, STAFFING, LEAVE_PLAN, REDIRECTIONS, NEONATAL_ADMISSIONS)}
PUBLIC_TABLES: dict[str, TableSchema] = {
    s.name: s
    for s in (
        PUBLIC_SWEDEN_MONTHLY,
        PUBLIC_SWEDEN_ANNUAL,
        PUBLIC_VGR_ANNUAL,
        PUBLIC_BIRTHS_BY_MOTHER_AGE,
        PUBLIC_WOMEN_BY_AGE,
        PUBLIC_POPULATION_2020,
    )
}
ALL_TABLES: dict[str, TableSchema] = {
    **UNIT_TABLES,
    **OPTIONAL_UNIT_TABLES,
    **PUBLIC_TABLES,
    **OPTIONAL_PUBLIC_TABLES,
    PUBLIC_UN_REFERENCE.name: PUBLIC_UN_REFERENCE,
}
