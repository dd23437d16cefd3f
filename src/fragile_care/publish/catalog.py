"""The output catalog: every processed table of a run declared once.

For each table: the step that writes it (or shows it to its notebook only), its key, and
its columns. A column's meaning is declared once in ``publish/fields.py`` (kind, unit, Swedish
label, Excel number format, whether it counts people); a table may give a column a label
or format of its own (``labels``, ``formats``) and say which of its columns count people.
The input tables' columns come from their contracts (``inputs/schemas.py``).

Who reads the catalog:

- ``run/steps.py``: a step's writes, optional writes and shown results are the catalog's
  tables of that step, and ``run_step`` checks every table against :func:`problems`;
- ``publish/handoff.py``: the workbook is a loop over ``publish/sheets.py``'s ``SHEETS``;
- the notebooks: :func:`headers` gives a table's Swedish column names;
- ``devdocs``: the step table in ``docs/architecture.md``; the snapshot test: the keys.

Adding a column to a processed table: add it to the table's ``columns`` here (and to
:data:`FIELDS` when the meaning is new) and compute it in the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fragile_care.inputs import schemas
from fragile_care.publish.fields import COUNT, FIELDS, TEXT

_INPUT_KIND = {
    "id": "text",
    "text": "text",
    "unit": "text",
    "owner": "text",
    "category": "text",
    "iso_week": "text",
    "count": "int",
    "year": "int",
    "number": "float",
    "month": "date",
    "date": "date",
}


@dataclass(frozen=True)
class Table:
    """A processed table: the step that writes it (``shown``: returned to the notebook
    only), its key and its columns (names in :data:`FIELDS`, or from its input contract)."""

    name: str
    step: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    about: str
    optional: bool = False
    shown: bool = False
    kinds: dict[str, str] = field(default_factory=dict)  # kind of a column not in FIELDS (input contracts)
    nullable: frozenset[str] = frozenset()  # columns that may be missing from the table (optional input columns)
    labels: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    people: tuple[str, ...] | None = None  # None: the fields' own flags

    def kind(self, column: str) -> str:
        return self.kinds.get(column) or FIELDS[column].kind

    def label(self, column: str) -> str:
        return self.labels.get(column) or (FIELDS[column].label if column in FIELDS else column)

    def fmt(self, column: str) -> str:
        return self.formats.get(column) or (FIELDS[column].fmt if column in FIELDS else TEXT)

    def counts_people(self, column: str) -> bool:
        if self.people is not None:
            return column in self.people
        return column in FIELDS and FIELDS[column].people


def _input(schema: schemas.TableSchema, optional: bool = False, extra: tuple[str, ...] = (), name: str | None = None) -> Table:
    """A table of the data set, as step 01 writes it: its contract's columns, the
    provenance column, and what the cleaning adds (``extra``)."""
    columns = (*schema.column_names, *extra, schema.provenance_column)
    kinds = {c.name: _INPUT_KIND[c.kind] for c in schema.columns}
    kinds[schema.provenance_column] = "text"
    missing_ok = frozenset(c.name for c in schema.columns if not c.required) | {schema.provenance_column}
    return Table(
        name or schema.name,
        "01_clean_data",
        schema.key,
        columns,
        schema.description,
        optional=optional,
        kinds=kinds,
        nullable=missing_ok,
    )


CLEAN = "01_clean_data"
FORECAST = "02_forecast_births"
STAFFING = "03_staffing"
CAPACITY = "04_capacity_risk"
PLAN = "05_action_plan"
BRIEF = "06_steering_brief"

_CLEANING_ADDS = {"units": ("short_name",)}  # columns the cleaning derives (inputs/units.py)
_WEEK = ("unit_id", "iso_year", "iso_week")
_STAFFING_COLUMNS = (
    *_WEEK,
    "deliveries",
    "fte_supply",
    "leave_planned",
    "rooms_physical",
    "load_erlangs",
    "rooms_needed",
    "fte_need",
    "fte_supply_ward",
    "fte_gap",
    "rooms_staffed",
    "rooms_gap",
    "rooms_short",
    "fte_benchmark",
    "fte_gap_benchmark",
    "kind",
    "sigma_log",
    "bb_beds",
    "bb_stay_hours",
)
_RISK_COLUMNS = (
    "bb_wait_hours",
    "blocking",
    "redirected",
    "redirected_mean",
    "redirected_p10",
    "redirected_p90",
    "blocking_p10",
    "blocking_p90",
    "p_high",
)
_NEONATAL_COLUMNS = (
    *_WEEK,
    "deliveries",
    "fte_supply",
    "care_level",
    "cots_physical",
    "admissions_own",
    "admissions_transferred",
    "admissions",
    "load_erlangs",
    "cots_needed",
    "nurses_per_cot",
    "cots_staffed",
    "fte_need",
    "fte_gap",
    "kind",
)
_FORECAST_COLUMNS = ("unit_id", "month", "model", "mean", "lower_80", "upper_80", "lower_95", "upper_95")
_NEONATAL_FTE = {"fte_supply": "Sjuksköterskor, tillgång (åa)", "fte_need": "Sjuksköterskor, behov (åa)"}

# fmt: off
TABLES: tuple[Table, ...] = (
    # 01: the data set, checked and harmonised
    *(_input(s, extra=_CLEANING_ADDS.get(s.name, ())) for s in (*schemas.UNIT_TABLES.values(), *schemas.PUBLIC_TABLES.values())),
    *(_input(s, optional=True) for s in (*schemas.OPTIONAL_UNIT_TABLES.values(), *schemas.OPTIONAL_PUBLIC_TABLES.values())),
    # a unit's sites before a merge (when the data set has merges)
    _input(schemas.BIRTHS_MONTHLY, optional=True, name="births_monthly_sites"),
    _input(schemas.STAFFING, optional=True, name="staffing_sites"),
    Table("quality_log", CLEAN, (), ("file", "table", "row", "column", "severity", "problem", "action", "count"),
          "every finding of the checks: file, row, column, what was wrong and what was done"),
    Table("row_accounting", CLEAN, ("file", "table"),
          ("file", "table", "rows_read", "rows_kept", "rows_rejected", "rows_merged", "rows_outside_period", "rows_out",
           "repairs", "warnings"),
          "rows per input file: read = kept + rejected; merged and outside the period counted apart"),
    Table("redirection_counts_internal", CLEAN, ("unit_id", "year", "reasons"),
          ("unit_id", "year", "reasons", "women", "status", "text"),
          "INTERNAL: summer redirections per unit, year and reason group, exact counts with their disclosure status"),
    Table("redirections_published", CLEAN, ("unit_id", "year", "reasons"), ("unit_id", "year", "reasons", "status", "text"),
          "what every report may print of the summer redirections: each cell's status and printed text, no count"),
    # 02: the births forecast
    Table("births_forecast", FORECAST, ("unit_id", "month"), _FORECAST_COLUMNS,
          "births per unit and month under the unchanged situation, with 80 % and 95 % prediction intervals"),
    Table("births_forecast_tertial", FORECAST, ("unit_id", "month"), _FORECAST_COLUMNS,
          "the region's forecast of the tertial's months from the data before the tertial", optional=True),
    Table("forecast_evaluation", FORECAST, ("series", "origin", "model"),
          ("series", "origin", "model", "mae", "mae_snaive", "mase", "mape", "relative_mae", "coverage_80", "coverage_95"),
          "the forecast's out-of-sample check from yearly origins", shown=True),
    Table("forecast_annual", FORECAST, ("unit_id", "year"), ("unit_id", "year", "mean"),
          "forecast births per complete calendar year", shown=True, labels={"mean": "Prognos förlossningar"}, formats={"mean": COUNT}),
    Table("demographic_check", FORECAST, ("year",),
          ("year", "forecast_deliveries", "forecast_county_scale", "demographic_tfr_target", "demographic_tfr_observed", "difference"),
          "the region's forecast against a demographic projection", shown=True),
    # 03: staff needed against available, the calibration
    Table("staffing_weekly", STAFFING, (*_WEEK, "kind"), _STAFFING_COLUMNS,
          "midwives and rooms per unit and summer week, observed summers (utfall) and next summer (prognos)",
          labels={"deliveries": "Förlossningar (skattade)"}),
    Table("neonatal_weekly", STAFFING, (*_WEEK, "care_level", "kind"), _NEONATAL_COLUMNS,
          "neonatal cots and nurses per unit, care level and summer week", labels=_NEONATAL_FTE),
    Table("neonatal_rates", STAFFING, ("unit_id", "care_level"),
          ("unit_id", "care_level", "admissions", "cot_days", "transfers_in", "per_delivery", "mean_stay_days", "years"),
          "neonatal admissions per delivery and mean stay per unit and care level", kinds={"years": "int"}),
    Table("neonatal_flows", STAFFING, ("from_unit", "unit_id", "care_level"),
          ("from_unit", "unit_id", "care_level", "transfers", "per_delivery"),
          "transfers between units per delivery of the sending unit"),
    Table("capacity_calibration", STAFFING, ("unit_id",),
          ("unit_id", "effective_stay_hours", "low_80", "high_80", "prior_stay_hours", "pooled_stay_hours", "pooled_low_80",
           "pooled_high_80", "spread_between_units", "summer_effect", "weeks", "summers", "summer_years", "logged", "predicted", "used", "reason"),
          "each unit's effective delivery-room time estimated from the redirection log, pooled across units, 80 % intervals"),
    Table("resolved_settings", STAFFING, ("setting",), ("setting", "value", "source", "low", "high", "prior"),
          "every number of the staffing and capacity sections with the value the model uses, its source (configured, "
          "default, calibrated or estimated), its 80 % interval when estimated and its prior; later steps read settings only here"),
    Table("calibration_draws", STAFFING, ("draw", "unit_id"), ("draw", "unit_id", "stay_hours", "summer_effect"),
          "joint posterior draws of every unit's effective delivery-room time and the summer effect's variance: "
          "the calibration's uncertainty carried into the planning figure"),
    Table("calibration_backtest", STAFFING, ("unit_id", "iso_year"),
          ("unit_id", "iso_year", "fitted_on", "logged", "predicted", "low_80", "high_80", "covered"),
          "rolling backtest: each logged summer predicted per unit and for the region (REGION) from the summers before"),
    # 04: redirection risk, the chain after the delivery room
    Table("redirection_risk", CAPACITY, _WEEK, (*_STAFFING_COLUMNS, *_RISK_COLUMNS),
          "risk that a woman is redirected per unit and week next summer, with the forecast's uncertainty",
          labels={"deliveries": "Förlossningar (prognos)"}),
    Table("redirection_totals", CAPACITY, ("unit_id",), ("unit_id", "redirected_mean", "redirected_p10", "redirected_p90", "redirected_mc_se"),
          "expected women redirected over next summer per unit and region (REGION) with the predictive 80 % interval "
          "(forecast errors correlated across units, the calibrated times' uncertainty, the summer effect and the Poisson "
          "count) and the Monte Carlo standard error: the planning figure"),
    Table("lever_proposals", CAPACITY, ("unit_id", "lever", "first_week"),
          ("unit_id", "lever", "lever_sv", "iso_year", "first_week", "last_week", "weeks", "amount", "amount_unit_sv",
           "amount_per_week", "cost_sek", "prevented_mean", "prevented_p10", "prevented_p90", "event_sv", "sek_per_prevented",
           "value_sek"),
          "the budget's exact allocation over the levers (model.levers) as non-overlapping proposals: unit, lever, weeks, "
          "amount, cost in kronor, prevented events with their 80 % interval and the cost per prevented event"),
    Table("target_cost", CAPACITY, ("unit_id",),
          ("unit_id", "fte_needed", "cost_sek", "weeks_short", "weeks_unreachable", "unreachable_weeks"),
          "what meeting the 1 % rule next summer would cost in midwife FTE-weeks and kronor, per unit and region"),
    Table("extra_staff", CAPACITY, _WEEK,
          (*_WEEK, "fte_added", "redirected_before", "redirected_after", "blocking", "fte_to_high", "reachable_high",
           "fte_to_target", "reachable_target"),
          "where the extra midwife FTE-weeks prevent most redirections, and what reaching the limits takes"),
    Table("neonatal_risk", CAPACITY, (*_WEEK, "care_level", "kind"), (*_NEONATAL_COLUMNS, "blocking", "turned_away", "at_risk"),
          "risk that a baby finds no cot at its care level", labels={**_NEONATAL_FTE, "blocking": "Risk"}),
    Table("model_vs_log", CAPACITY, ("unit_id", "iso_year"),
          ("unit_id", "iso_year", "deliveries", "predicted", "predicted_configured", "weeks", "logged_capacity", "logged_other"),
          "past summers: the model's expected redirections against the log",
          labels={"iso_year": "Sommar", "deliveries": "Förlossningar (skattade)"}, formats={"deliveries": COUNT},
          people=("deliveries", "logged_capacity", "logged_other")),
    Table("postnatal_weekly", CAPACITY, _WEEK,
          (*_WEEK, "deliveries", "beds", "early_share", "arrivals_per_day", "mean_stay_days", "offered_load", "p_full",
           "occupancy", "women_finding_full", "home_care_days"),
          "the postnatal ward per unit and week next summer", labels={"deliveries": "Förlossningar (prognos)"}),
    Table("care_chain_weekly", CAPACITY, _WEEK, (*_WEEK, "rooms", "postnatal", "neonatal", "weakest"),
          "per link the probability that it is full when someone arrives, and the weakest link"),
    Table("care_chain_simulated", CAPACITY, ("unit_id",),
          (*_WEEK, "deliveries", "rooms_staffed", "beds", "p_full", "rooms_alone", "chain_redirected", "waited_for_bed_share",
           "mean_wait_hours"),
          "delivery rooms and postnatal ward in one simulation in each unit's worst postnatal week",
          labels={"deliveries": "Förlossningar (prognos)", "rooms_staffed": "Bemannade rum"}),
    Table("theatre_weekly", CAPACITY, _WEEK,
          (*_WEEK, "deliveries", "caesareans_planned", "caesareans_emergency", "theatre_hours"),
          "caesareans and theatre hours per unit and week next summer", labels={"deliveries": "Förlossningar (prognos)"}),
    Table("theatre_annual", CAPACITY, ("unit_id", "year"),
          ("unit_id", "year", "deliveries", "caesareans_planned", "caesareans_emergency", "theatre_hours"),
          "caesareans and theatre hours per unit and year", labels={"deliveries": "Förlossningar (prognos)"}),
    Table("postnatal_annual", CAPACITY, ("unit_id", "year"),
          ("unit_id", "year", "deliveries", "beds_occupied", "beds_needed", "beds"),
          "postnatal beds needed per unit and year", kinds={"beds": "int"},
          labels={"deliveries": "Förlossningar (prognos)", "beds": "Platser"}),
    Table("neonatal_annual", CAPACITY, ("unit_id", "year", "care_level"),
          ("unit_id", "year", "care_level", "admissions_own", "admissions_transferred", "admissions", "cots_occupied",
           "cots_needed", "cots_physical", "nurse_fte"),
          "neonatal cots and nurses needed per unit, care level and year"),
    Table("simulation", CAPACITY, ("unit_id",),
          ("unit_id", "erlang_b", "sim_constant", "sim_pattern", "sim_pattern_overflow", "received_from_neighbour", "not_placed"),
          "the ward simulation with daily variation and overflow against Erlang B", shown=True),
    # 05: the action plan's scenarios and indicators
    Table("scenarios", PLAN, ("scenario",),
          ("scenario", "redirected_mean", "redirected_p10", "redirected_p90", "weeks_at_risk", "fte_shortfall", "fte_added",
           "not_placed_in_region", "postnatal_full", "home_care_days", "difference_mean", "difference_p10", "difference_p90",
           "difference_mc_se", "certain", "effect_reason", "outside_weeks", "outside_difference_mean", "outside_difference_p10",
           "outside_difference_p90"),
          "expected redirections next summer per scenario against the unchanged situation, the difference computed draw "
          "by draw on common random numbers (certain False: no sure difference), and the difference in the weeks outside "
          "the summer that an activity moves staff to or from"),
    Table("scenario_weeks", PLAN, (*_WEEK, "scenario"),
          (*(c for c in _STAFFING_COLUMNS if c != "kind"), *_RISK_COLUMNS, "scenario"),
          "each scenario's unit-weeks next summer"),
    Table("indicators", PLAN, ("activity_id",),
          ("activity_id", "indicator", "baseline", "target", "current", "light", "target_met_at_baseline", "baseline_found"),
          "the action plan's indicators against their targets, with the checks of baseline and target"),
    Table("plan_status", PLAN, ("activity_id",), ("activity_id", "status_reported", "status", "on_track", "check"),
          "each activity's status on the data cut-off: as reported, or late where the dates say so"),
    Table("care_levels_annual", PLAN, ("unit_id", "year", "level", "contact"),
          ("unit_id", "year", "level", "contact", "baseline", "with_plan"),
          "care around the births per care level, unit and year", labels={"baseline": "Oförändrat läge"}),
    # 06: the steering group's brief
    Table("brief_key_numbers", BRIEF, ("key",),
          ("key", "year", "value", "previous_year", "previous", "low", "high", "of", "detail", "detail_previous", "detail_year"),
          "the brief's key numbers", kinds={"year": "float"}),
    Table("brief_units", BRIEF, ("unit_id",),
          ("unit_id", "worst_week", "worst_blocking", "worst_p_high", "over", "fte_allocated", "fte_to_target",
           "redirected_mean", "redirected_p10", "redirected_p90", "light", "weakest"),
          "one row per unit: worst week, risk, allocated staff, light"),
    Table("brief_proposals", BRIEF, (),
          ("kind", "unit_id", "weeks", "what", "amount", "cost_sek", "prevented", "prevented_p10", "prevented_p90",
           "sek_per_prevented", "activity_id"),
          "the proposals for decision: the budget's priced levers, then certain plan measures", kinds={"weeks": "text", "amount": "text"}),
)
# fmt: on
BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    return BY_NAME[name]


def written_by(step: str, *, optional: bool = False) -> tuple[str, ...]:
    """The tables ``step`` writes (``optional``: those it writes only when their input is there)."""
    return tuple(t.name for t in TABLES if t.step == step and not t.shown and t.optional == optional)


def shown_by(step: str) -> tuple[str, ...]:
    """The results ``step`` returns to its notebook without writing them."""
    return tuple(t.name for t in TABLES if t.step == step and t.shown)


def headers(name: str, columns: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Column name -> Swedish header of table ``name`` (for a notebook's ``rename``)."""
    spec = BY_NAME[name]
    return {c: spec.label(c) for c in columns}


# ----------------------------------------------------------------------------- checking a table
def _kind_ok(kind: str, series: pd.Series) -> bool:
    values = series.dropna()
    if values.empty:  # an empty or all-missing column has no type to check
        return True
    dtype = series.dtype
    if kind == "text":
        return pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(dtype)
    if kind == "date":
        return pd.api.types.is_datetime64_any_dtype(dtype)
    if kind == "bool":
        return pd.api.types.is_bool_dtype(dtype) or (
            pd.api.types.is_object_dtype(dtype) and values.map(lambda v: isinstance(v, bool | np.bool_)).all()
        )
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return False
    if kind == "int":  # a whole-number column may hold missing values as float
        return pd.api.types.is_integer_dtype(dtype) or bool(np.all(np.mod(values.to_numpy(dtype=float), 1) == 0))
    return True  # float: any number


def problems(name: str, frame: pd.DataFrame) -> list[str]:
    """What in ``frame`` differs from table ``name``'s declaration: missing or undeclared
    columns, a column of the wrong kind, a repeated key."""
    spec = BY_NAME[name]
    found: list[str] = []
    missing = [c for c in spec.columns if c not in frame.columns and c not in spec.nullable]
    extra = [c for c in frame.columns if c not in spec.columns]
    if missing:
        found.append(f"{name}: missing column(s) {', '.join(missing)}")
    if extra:
        found.append(f"{name}: undeclared column(s) {', '.join(map(str, extra))} (declare them in publish/catalog.py)")
    for column in spec.columns:
        if column in frame.columns and not _kind_ok(spec.kind(column), frame[column]):
            found.append(f"{name}.{column}: {frame[column].dtype} values, declared {spec.kind(column)}")
    if spec.key and not missing and len(frame):
        repeated = frame.duplicated(list(spec.key))
        if repeated.any():
            first = frame.loc[repeated, list(spec.key)].iloc[0].to_dict()
            found.append(f"{name}: {int(repeated.sum())} row(s) repeat the key ({', '.join(spec.key)}), first {first}")
    return found
