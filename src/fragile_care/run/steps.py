"""The step table: every step of a run declared once.

A :class:`Step` names its notebook source (a Jupytext percent file in ``analysis/``), the
tables it reads from the run's processed folder, the tables it writes there, the results
it only shows (returned to its notebook, not written), and the run-configuration sections
it reads. The configuration's check of ``steps``, the pipeline's order and pre-flight, the
step cache's keys, the benchmark and ``docs/architecture.md`` all use this table.

Each step's computation is a function ``(tables, cfg) -> results``: pure apart from
reading the raw files (first step), callable and tested without a notebook. A notebook
calls :func:`run_step`, which reads the declared tables, computes, checks that the
declared tables came out, writes them, and returns inputs and results for its figures
and prose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.inputs.assembly import clean_dataset
from fragile_care.inputs.schemas import (
    ACTION_PLAN,
)
from fragile_care.model import (
    allocation,
    brief,
    calibration,
    capacity,
    carelevels,
    chain,
    demography,
    describe,
    followup,
    forecast,
    levers,
    planning,
    postnatal,
    scenarios,
    staffing,
)
from fragile_care.model.calendar import tertial_months
from fragile_care.publish import catalog, disclosure
from fragile_care.run.bundle import manifest_path
from fragile_care.run.settings import RunConfig, ScopedConfig

Tables = dict[str, pd.DataFrame]
# Config sections every step reads (its notebook shows them).
COMMON_SECTIONS = ("run_id", "title", "tertial", "data", "period", "summer", "disclosure")


@dataclass(frozen=True)
class Step:
    name: str
    reads: tuple[str, ...]
    compute: Callable[[Tables, RunConfig], Tables]
    sections: tuple[str, ...] = ()
    optional_reads: tuple[str, ...] = ()
    reads_raw_files: bool = False
    reads_previous_run: bool = False

    # What a step writes and shows is declared once, in the output catalog.
    @property
    def writes(self) -> tuple[str, ...]:
        return catalog.written_by(self.name)

    @property
    def optional_writes(self) -> tuple[str, ...]:
        return catalog.written_by(self.name, optional=True)

    @property
    def shows(self) -> tuple[str, ...]:
        return catalog.shown_by(self.name)

    @property
    def source(self) -> Path:
        """The notebook's one source: ``analysis/<name>.py`` (Jupytext percent format)."""
        return paths.analysis_dir() / f"{self.name}.py"

    @property
    def config_sections(self) -> tuple[str, ...]:
        return (*COMMON_SECTIONS, *self.sections)


# ----------------------------------------------------------------------------- computations
def clean_data(tables: Tables, cfg: RunConfig) -> Tables:
    """Every raw table checked, repaired and harmonised; the quality log and row accounting."""
    result = clean_dataset(cfg.data_dir, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)
    published = published_redirections(result.tables, cfg)
    return {
        **result.tables,
        "quality_log": result.quality_log,
        "row_accounting": result.accounting,
        # the exact counts with their protection, for the code that prints them (internal);
        # what may be shown: each cell's status and printed text, no count behind a "<5" or ".."
        "redirection_counts_internal": published,
        "redirections_published": published.drop(columns="women"),
    }


def published_redirections(tables: Tables, cfg: RunConfig) -> pd.DataFrame:
    """The summer redirection counts every report prints, protected once for all of them
    (primary and secondary suppression, ``disclosure.protect_redirections``)."""
    unit_ids = sorted(set(tables["births_monthly"]["unit_id"]))
    years = tuple(cfg.compare_years)
    active = describe.summer_unit_years(tables["births_monthly"], years, cfg.summer_weeks)
    cube = describe.summer_redirections(tables["redirections"], unit_ids, years, cfg.summer_weeks, active)
    return disclosure.protect_redirections(cube, cfg.disclosure_threshold)


def forecast_births(tables: Tables, cfg: RunConfig) -> Tables:
    """Births per unit and region under the unchanged situation, its out-of-sample check,
    the region's forecast from the data before the tertial and the demographic cross-check."""
    births = tables["births_monthly"]
    t_first, _ = tertial_months(cfg.tertial)
    t_months = len(pd.date_range(t_first, cfg.period_end, freq="MS"))
    fc, evaluation, before_tertial = forecast.forecast_and_evaluate(
        births, cfg.horizon_months, cfg.evaluation_origins, region_from=t_first, region_horizon=t_months
    )
    annual = forecast.annual_totals(fc)
    check = demography.cross_check(
        annual[annual["unit_id"] == "REGION"],
        births,
        tables["vgr_live_births_annual"],
        tables["vgr_live_births_by_mother_age"],
        tables["vgr_women_15_49_by_age"],
        tables["vgr_population_by_age_sex_2020"],
    )
    out = {"births_forecast": fc, "forecast_evaluation": evaluation, "forecast_annual": annual, "demographic_check": check}
    if before_tertial is not None:
        out["births_forecast_tertial"] = before_tertial
    return out


def staffing_need(tables: Tables, cfg: RunConfig) -> Tables:
    """Midwives and neonatal nurses needed against available per unit and ISO week: the
    last summers observed and next summer under the unchanged situation."""
    units = own_units(tables["units"])  # observed summers: every unit open then; next summer: the units forecast
    years = staffing.review_years(tables["leave_plan"], cfg.compare_years)
    deliveries = staffing.summer_deliveries(
        tables["births_monthly"], tables["births_forecast"], list(units["unit_id"]), years, cfg.outlook_summer, cfg.summer_weeks
    )

    transfers = tables.get("neonatal_transfers")
    years_used = cfg.capacity.neonatal_history_years
    rates = staffing.neonatal_rates(tables["neonatal_admissions"], tables["births_monthly"], years_used, transfers)
    flows = staffing.transfer_rates(transfers, tables["neonatal_admissions"], tables["births_monthly"], years_used)

    beds = postnatal.capacity_by_week(tables.get("postnatal_capacity"))

    def compute(
        stay: capacity.Stay, weeks: pd.DataFrame = deliveries, leave: pd.DataFrame = tables["leave_plan"]
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Midwives (with each week's BB link, model.chain, and the need of the whole chain) and neonatal staffing."""
        mid, neo = staffing.summer_staffing(
            weeks,
            tables["staffing"],
            leave,
            units,
            tables["neonatal_admissions"],
            tables["births_monthly"],
            cfg.norms,
            stay,
            reference_year=max(years),
            rates=rates,
            flows=flows,
        )
        return allocation.chain_need(chain.with_ward(mid, tables["units"], cfg.postnatal, beds), cfg.norms, stay), neo

    prior = cfg.capacity.mean_stay_hours
    midwives, neonatal = compute(prior)
    # summers of the compare years without a leave plan (the demo's 2024) still count for the
    # calibration, with each unit's usual share on leave per week (staffing.impute_leave)
    unplanned = [y for y in cfg.compare_years if y not in years and y < cfg.outlook_summer]
    imputed = staffing.impute_leave(tables["leave_plan"], tables["staffing"], unplanned)
    observed = midwives[midwives["kind"] == "utfall"]
    if not imputed.empty:
        extra = staffing.summer_deliveries(
            tables["births_monthly"], tables["births_forecast"], list(units["unit_id"]), unplanned, cfg.outlook_summer, cfg.summer_weeks
        )
        extra, _ = compute(prior, extra[extra["kind"] == "utfall"], pd.concat([tables["leave_plan"], imputed], ignore_index=True))
        observed = pd.concat([extra.assign(leave_planned=False), observed], ignore_index=True)
    fits, backtest, draws = calibration.calibrate(
        observed, tables["redirections"], prior, cfg.capacity.seed, enabled=cfg.capacity.calibrate_stay
    )
    rho = planning.error_correlation(tables["births_monthly"], units["unit_id"])
    correlation = {"capacity.forecast_error_correlation": (*rho, 0.0)}  # without the estimate: independent units
    resolved = calibration.resolved_settings({"staffing": cfg.norms, "capacity": cfg.capacity}, fits, correlation)
    stays = calibration.unit_stays(resolved, units["unit_id"])
    if any(v != prior for v in stays.values()):
        midwives, neonatal = compute(stays)  # the rooms needed with each unit's effective time
    return {
        "staffing_weekly": midwives,
        "neonatal_weekly": neonatal,
        "neonatal_rates": rates,
        "neonatal_flows": flows,
        "capacity_calibration": fits,
        "calibration_backtest": backtest,
        "calibration_draws": draws,
        "resolved_settings": resolved,
    }


def capacity_risk(tables: Tables, cfg: RunConfig) -> Tables:
    """Redirection risk per unit and week with the forecast's uncertainty (the effective stay
    from step 03's calibration), where extra staff helps most, the model against the
    redirection log, the simulation with daily variation and overflow, neonatal cots."""
    cap = effective_capacity(tables, cfg)
    weekly = tables["staffing_weekly"]
    stays = unit_stays(tables)  # each unit's effective delivery-room time (step 03)
    observed, ahead = weekly[weekly["kind"] == "utfall"], weekly[weekly["kind"] == "prognos"]
    arrivals, stay_draws, kappa = outlook_draws(tables, cap, ahead)  # one set of draws for the risk, the allocation, the scenarios
    risk, draws = planning.redirection_risk(
        ahead, "rooms_staffed", stays, high_risk=cap.high_risk_blocking, arrivals=arrivals, stay_draws=stay_draws
    )
    thresholds = {"high": cap.high_risk_blocking, "target": cfg.norms.target_blocking}
    extra = allocation.extra_staff(ahead, arrivals, cap.extra_fte_weeks, thresholds, cfg.norms, stays, stay_draws)
    beds = postnatal.capacity_by_week(tables.get("postnatal_capacity"))
    annual = annual_deliveries(tables)
    ward = postnatal.postnatal_beds_weekly(ahead, tables["units"], cfg.postnatal, beds)
    neonatal_risk = capacity.neonatal_risk(tables["neonatal_weekly"], cap.high_risk_blocking)
    proposals, target = priced_proposals(tables, cfg, ahead, ward, (arrivals, stay_draws), stays)
    units_annual = annual[annual["unit_id"] != "REGION"]
    return {
        "postnatal_annual": postnatal.postnatal_annual(units_annual, tables["units"], cfg.postnatal, cfg.norms.target_blocking),
        "neonatal_annual": staffing.neonatal_annual(
            units_annual, tables["units"], tables["neonatal_rates"], tables["neonatal_flows"], cfg.norms
        ),
        "postnatal_weekly": ward,
        "care_chain_weekly": postnatal.chain_links(risk, ward, neonatal_risk),
        "care_chain_simulated": postnatal.chain_at_worst_week(risk, ward, stays, seed=cap.seed, stay_cv=cap.stay_cv),
        "theatre_weekly": postnatal.theatre_hours_weekly(ahead[["unit_id", "iso_year", "iso_week", "deliveries"]], cfg.postnatal),
        "theatre_annual": postnatal.theatre_hours_weekly(annual, cfg.postnatal),
        "redirection_risk": risk,
        "redirection_totals": planning.predictive_totals(risk, draws, kappa, cap.seed),
        "extra_staff": extra,
        "lever_proposals": proposals,
        "target_cost": target,
        "neonatal_risk": neonatal_risk,
        "model_vs_log": calibration.model_vs_log(
            observed, tables["redirections"], stays, configured_stay_hours=cfg.capacity.mean_stay_hours
        ),
        "simulation": capacity.simulate_summer(
            ahead, stays, cap.arrival_profile, cap.overflow, cap.simulation_replications, cap.seed, cap.stay_cv
        ),
    }


LEVER_DRAWS = 2000  # arrival draws the lever effects use (their Monte Carlo error is far below the effects)


def priced_proposals(
    tables: Tables, cfg: RunConfig, ahead: pd.DataFrame, ward: pd.DataFrame, draws: tuple[np.ndarray, np.ndarray], stays: capacity.Stay
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The budget's exact allocation over the levers as proposals, and what the 1 % rule
    would cost (model.levers, with the prices of the run's ``costs`` section)."""
    arrivals, stay_draws = (d[:, :LEVER_DRAWS] for d in draws)
    neonatal = tables["neonatal_weekly"]
    groups = levers.lever_groups(
        ahead,
        arrivals,
        cfg.costs,
        cfg.norms,
        stays,
        ward=ward,
        neonatal=neonatal[neonatal["kind"] == "prognos"],
        postnatal=cfg.postnatal,
        units=tables["units"],
        stay_draws=stay_draws,
    )
    options, prevented = levers.lever_options(groups, cfg.costs)
    chosen = levers.allocate(options, cfg.costs.budget_sek, fallback_sek=cfg.costs.quantum_sek)
    target = levers.target_cost(ahead, cfg.norms.target_blocking, cfg.norms, stays, cfg.costs)
    return levers.proposals(chosen, prevented, cfg.costs), levers.target_cost_summary(target)


def action_plan(tables: Tables, cfg: RunConfig) -> Tables:
    """Each measure's effect on next summer as a scenario, and the indicators against targets."""
    cap = effective_capacity(tables, cfg)
    stays = unit_stays(tables)  # each unit's effective delivery-room time (step 03)
    weekly = tables["staffing_weekly"]
    actions = plan_table(tables)
    ahead = weekly[weekly["kind"] == "prognos"]
    scenario_table, scenario_weeks = scenarios.scenarios(
        ahead,
        open_units(tables["units"]),
        actions,
        cfg.norms,
        cap,
        cfg.postnatal,
        postnatal.capacity_by_week(tables.get("postnatal_capacity")),
        stays,
        outlook_draws(tables, cap, ahead),
    )
    beds = postnatal.capacity_by_week(tables.get("postnatal_capacity"))
    outside = scenarios.outside_outlook(
        tables, scenarios.weeks_outside(actions, cfg.summer_weeks), ahead, open_units(tables["units"]), cfg.norms, stays,
        int(weekly.query("kind == 'utfall'")["iso_year"].max()), cfg.outlook_summer, cfg.postnatal, beds,
    )  # fmt: skip
    scenario_table = scenarios.outside_effects(
        scenario_table, outside, open_units(tables["units"]), actions, cfg.norms, cap, cfg.postnatal, beds, stays
    )
    observed = sorted(int(y) for y in weekly.loc[weekly["kind"] == "utfall", "iso_year"].unique())
    summer_year = observed[-1]
    past = {  # every observed summer by one function: the latest is the indicators' value, the plan's baselines are checked against all
        y: followup.indicator_values(
            tables["births_monthly"],
            tables["redirections"],
            tables["staffing"],
            weekly,
            y,
            cfg.summer_weeks,
            cap.high_risk_blocking,
            stays,
        )
        for y in observed
    }
    measured_until = pd.Timestamp.fromisocalendar(summer_year, cfg.summer_weeks[1], 7)
    indicators = followup.indicator_table(actions, past[summer_year], measured_until, past)
    annual = annual_deliveries(tables)
    return {
        "scenarios": scenario_table,
        "scenario_weeks": scenario_weeks,
        "indicators": indicators,
        "plan_status": followup.plan_status(actions, cfg.data_cutoff),
        "care_levels_annual": carelevels.care_level_volumes(annual, cfg.care_levels, cfg.postnatal, actions),
    }


def steering_brief(tables: Tables, cfg: RunConfig) -> Tables:
    """The steering group's brief: key numbers, one row per unit, proposals for decision,
    all taken from the tables of steps 03-05."""
    cap = cfg.capacity
    actions = plan_table(tables)
    return {
        "brief_key_numbers": brief.key_numbers(
            tables["redirections"],
            tables["staffing_weekly"],
            tables["redirection_totals"],
            tables["neonatal_risk"],
            actions,
            cfg.summer_weeks,
            cap.high_risk_blocking,
            cfg.data_cutoff,
            tables["postnatal_weekly"],
            tables["target_cost"],
            tables["lever_proposals"],
        ),
        "brief_units": brief.unit_rows(
            tables["redirection_risk"],
            tables["redirection_totals"],
            tables["extra_staff"],
            cap.high_risk_blocking,
            cfg.norms.target_blocking,
            tables.get("care_chain_weekly"),
        ),
        "brief_proposals": brief.proposals(tables["lever_proposals"], tables["scenarios"], actions, cfg.costs.midwife_fte_week_sek),
    }


# ----------------------------------------------------------------------------- helpers the notebooks share
def effective_capacity(tables: Tables, cfg: RunConfig) -> capacity.CapacitySettings:
    """The capacity settings the model uses: the run's, with every value step 03 resolved
    by calibration (``resolved_settings``, source "calibrated"; ``mean_stay_hours`` is the
    units' common time, each unit's own is :func:`unit_stays`). ``cfg.capacity`` holds the
    priors; this object the effective values."""
    resolved = tables["resolved_settings"]
    settings = set(type(cfg.capacity).model_fields)
    names = resolved["setting"].str.removeprefix("capacity.")
    from_data = resolved["source"].isin(["calibrated", "estimated"])
    calibrated = resolved[from_data & resolved["setting"].str.startswith("capacity.") & names.isin(settings)]
    return cfg.capacity.model_copy(
        update={s.removeprefix("capacity."): float(v) for s, v in zip(calibrated["setting"], calibrated["value"])}
    )


def outlook_draws(tables: Tables, cap: capacity.CapacitySettings, ahead: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The draws behind every number of next summer (rows of ``ahead`` × draws): arrivals
    with forecast errors correlated across units, each row's delivery-room time from the
    calibration's posterior, and the summer effect's variance per draw (model.planning).
    ``cap``: :func:`effective_capacity`."""
    rho = cap.forecast_error_correlation or 0.0
    arrivals = capacity.forecast_draws(ahead, cap.forecast_draws, cap.seed, rho)
    stay_draws, kappa = planning.parameter_draws(tables["calibration_draws"], ahead["unit_id"], cap.forecast_draws, cap.mean_stay_hours)
    return arrivals, stay_draws, kappa


def unit_stays(tables: Tables) -> dict[str, float]:
    """Each unit's effective delivery-room time as step 03 resolved it (a unit without
    observed summers: the units' common time)."""
    return calibration.unit_stays(tables["resolved_settings"], tables["units"]["unit_id"])


def annual_deliveries(tables: Tables) -> pd.DataFrame:
    """Forecast deliveries per complete calendar year (unit_id, year, deliveries) of the
    open units and the region."""
    annual = forecast.annual_totals(tables["births_forecast"]).rename(columns={"mean": "deliveries"})
    return annual[annual["unit_id"].isin([*open_units(tables["units"])["unit_id"], "REGION"])]


def open_units(units: pd.DataFrame) -> pd.DataFrame:
    """The units without a closing date."""
    return units[units["closed"].isna()]


def own_units(units: pd.DataFrame) -> pd.DataFrame:
    """The units with series of their own: all but those merged into another unit (a unit
    closed without a merge keeps its history up to its closing month)."""
    return units[units["merged_into"].isna()] if "merged_into" in units else units


def plan_table(tables: Tables) -> pd.DataFrame:
    """The action plan, or an empty one with its columns when the data set has none."""
    return tables.get("action_plan", pd.DataFrame(columns=ACTION_PLAN.column_names))


# ----------------------------------------------------------------------------- the table
STEPS: tuple[Step, ...] = (
    Step(
        "01_clean_data",
        reads=(),
        compute=clean_data,
        sections=("harmonisation",),
        reads_raw_files=True,
    ),
    Step(
        "02_forecast_births",
        compute=forecast_births,
        sections=("forecast",),
        reads=(
            "births_monthly",
            "units",
            "vgr_live_births_annual",
            "vgr_live_births_by_mother_age",
            "vgr_women_15_49_by_age",
            "vgr_population_by_age_sex_2020",
        ),
    ),
    Step(
        "03_staffing",
        compute=staffing_need,
        sections=("staffing", "capacity", "postnatal"),
        reads=(
            "units",
            "births_monthly",
            "births_forecast",
            "staffing",
            "leave_plan",
            "neonatal_admissions",
            "redirections",
            "redirection_counts_internal",
        ),
        optional_reads=("neonatal_transfers", "postnatal_capacity"),
    ),
    Step(
        "04_capacity_risk",
        compute=capacity_risk,
        sections=("staffing", "capacity", "postnatal", "costs"),
        reads=(
            "units",
            "staffing_weekly",
            "neonatal_weekly",
            "redirections",
            "redirection_counts_internal",
            "capacity_calibration",
            "calibration_draws",
            "resolved_settings",
            "births_forecast",
            "neonatal_rates",
            "neonatal_flows",
        ),
        optional_reads=("postnatal_capacity",),
    ),
    Step(
        "05_action_plan",
        compute=action_plan,
        sections=("staffing", "capacity", "followup", "postnatal", "care_levels"),
        reads=(
            "units",
            "births_monthly",
            "redirections",
            "redirection_counts_internal",
            "staffing",
            "leave_plan",
            "staffing_weekly",
            "births_forecast",
            "redirection_totals",
            "capacity_calibration",
            "calibration_backtest",
            "calibration_draws",
            "resolved_settings",
            "quality_log",
            "births_forecast_tertial",
        ),
        optional_reads=("action_plan", "best_practice", "postnatal_capacity"),
        reads_previous_run=True,
    ),
    Step(
        "06_steering_brief",
        compute=steering_brief,
        sections=("staffing", "capacity", "costs"),
        reads=(
            "units",
            "redirections",
            "redirection_counts_internal",
            "staffing_weekly",
            "redirection_totals",
            "redirection_risk",
            "extra_staff",
            "lever_proposals",
            "target_cost",
            "postnatal_weekly",
            "neonatal_risk",
            "scenarios",
            "capacity_calibration",
            "calibration_backtest",
            "resolved_settings",
        ),
        optional_reads=("action_plan", "care_chain_weekly"),
    ),
)
BY_NAME = {s.name: s for s in STEPS}
NAMES = tuple(BY_NAME)


def get(name: str) -> Step:
    return BY_NAME[name]


def needs(name: str) -> tuple[str, ...]:
    """The steps that write a table ``name`` reads (its inputs come from them)."""
    step = BY_NAME[name]
    wanted = set(step.reads)
    return tuple(s.name for s in STEPS if s.name != name and wanted & set(s.writes + s.optional_writes))


def producers() -> dict[str, str]:
    """Table name -> the step that writes it."""
    return {t: s.name for s in STEPS for t in (*s.writes, *s.optional_writes)}


# ----------------------------------------------------------------------------- running a step
def scoped(cfg: RunConfig | ScopedConfig, name: str) -> ScopedConfig:
    """``cfg`` as step ``name`` may see it (``settings.ScopedConfig``)."""
    full = cfg._cfg if isinstance(cfg, ScopedConfig) else cfg
    return ScopedConfig(full, BY_NAME[name].config_sections, name)


class StepOutputError(RuntimeError):
    """A step's computation did not return a table it declares."""


def run_step(name: str, cfg: RunConfig, processed_dir: Path | str) -> Tables:
    """Read the step's declared tables from ``processed_dir``, compute, check every result
    against the output catalog, write the declared tables, and return the inputs and every
    result (written or shown)."""
    step = BY_NAME[name]
    folder = Path(processed_dir)
    optional = [t for t in step.optional_reads if (folder / f"{t}.parquet").exists()]
    inputs = io.read_tables(folder, [*step.reads, *optional]) if (step.reads or optional) else {}
    # the computation sees only the configuration sections the step declares (its cache key hashes them)
    results = step.compute(inputs, scoped(cfg, name))
    missing = [t for t in (*step.writes, *step.shows) if t not in results]
    if missing:
        raise StepOutputError(f"step {name} did not produce {', '.join(missing)}")
    undeclared = sorted(set(results) - set(step.writes) - set(step.optional_writes) - set(step.shows))
    if undeclared:
        raise StepOutputError(f"step {name} produced undeclared results {', '.join(undeclared)}")
    wrong = [problem for table, frame in results.items() for problem in catalog.problems(table, frame)]
    if wrong:
        raise StepOutputError(f"step {name}: results differ from the output catalog (publish/catalog.py): " + "; ".join(wrong))
    io.write_tables({k: v for k, v in results.items() if k in step.writes or k in step.optional_writes}, folder)
    return {**inputs, **results}


def previous_run_changes(
    cfg: RunConfig, processed_dir: Path | str, output_root: Path | str | None, current: Tables, input_hashes: dict[str, str]
):
    """What changed since the previous run (``followup.previous_run``): ``None`` when its
    bundle is not there, else (its manifest, changed files, headline numbers)."""
    root = Path(output_root) if output_root else paths.output_root()
    previous = followup.load_previous(manifest_path(root / cfg.previous_run_id), Path(processed_dir).parent / cfg.previous_run_id)
    if previous is None:
        return None
    manifest, old_tables = previous
    # data files only: the run configuration's sections are compared by the cache, not as a file
    config_file = manifest.get("config_file")
    manifest = {**manifest, "inputs": [i for i in manifest.get("inputs", []) if i.get("path") != config_file]}
    files, numbers = followup.compare_runs(manifest, old_tables, input_hashes, current)
    return manifest, files, numbers
