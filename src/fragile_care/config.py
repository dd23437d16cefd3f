"""Run configuration: one YAML file per run, validated before anything runs.

A bad value stops the run with a message that names the key and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from . import embeds, io, paths
from .capacity import ArrivalProfile, CapacitySettings
from .clean import Harmonisation, Merge
from .staffing import Norms

STEPS = ("01_clean_data", "02_forecast_births", "03_staffing", "04_capacity_risk", "05_action_plan")
# Each step needs the steps before it (its input tables are their output).
STEP_NEEDS = {"02_forecast_births": "01_clean_data", "03_staffing": "02_forecast_births", "04_capacity_risk": "03_staffing",
              "05_action_plan": "04_capacity_risk"}
DEFAULT_REPORTS = ("index.qmd", "nulage.qmd", "framtid.qmd", "sommar.qmd", "handlingsplan.qmd", "tertialrapport.qmd")
DATA_SOURCES = ("demo", "local", "path")
RENDER_FORMATS = ("html", "typst")
TERTIAL_RE = re.compile(r"^(\d{4})-T([123])$")
RUN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MONTH_RE = re.compile(r"^\d{4}-\d{2}$")


class ConfigError(ValueError):
    """A run configuration that cannot be used. The message names the key."""


# key -> (description of what is allowed, required)
SCHEMA: dict[str, Any] = {
    "run_id": ("text of letters, digits, '.', '_' or '-' (at most 64)", True),
    "title": ("text", False),
    "tertial": ("YYYY-T1, YYYY-T2 or YYYY-T3", True),
    "data": {
        "source": (f"one of {', '.join(DATA_SOURCES)}", True),
        "path": ("folder with the unit tables (only with source: path)", False),
    },
    "period": {
        "start": ("first month, YYYY-MM", False),
        "end": ("last month, YYYY-MM (default: the tertial's last month)", False),
    },
    "summer": {
        "first_week": ("ISO week 1-53", False),
        "last_week": ("ISO week 1-53, not before first_week", False),
        "compare_years": ("list of years", False),
    },
    "harmonisation": {
        "aliases": ("mapping from a name in the sources to a unit id", False),
        "merges": ("list of {from, into, date}; default: from the units table", False),
    },
    "forecast": {
        "horizon_months": ("forecast horizon in months, 24-120 (default 60; the reports need a whole calendar year and next summer)", False),
        "evaluation_origins": ("yearly origins of the out-of-sample check in the report, 1-5 (default 1)", False),
    },
    "staffing": {
        "midwives_per_woman_in_labour": ("midwives per woman in active labour, 0.1-5 (default 1: Barnmorskeförbundet)", False),
        "births_per_midwife_fte_year": ("benchmark births per midwife FTE a year, 1-500 (default 28: RCOG Safer Childbirth)", False),
        "nurses_per_cot": ("mapping ic/hd/sc to neonatal nurses per cot, each 0-5 (default 1, 0.5, 0.25: BAPM)", False),
        "hours_per_fte_week": ("working hours a week of a full-time post, 1-80 (default 34.33: three-shift)", False),
        "labour_ward_share": ("share of midwife FTE working on the delivery ward, 0.01-1 (default 0.5, assumption)", False),
        "target_blocking": ("highest acceptable share of women redirected, 0.000001-0.5 (default 0.01)", False),
    },
    "capacity": {
        "mean_stay_hours": ("mean delivery-room stay in hours, above 0 and at most 72 (default 8)", False),
        "stay_cv": ("coefficient of variation of the stay in the simulation, 0-5 (default 0.5)", False),
        "high_risk_blocking": ("blocking above which a week counts as at risk, 0-1 (default 0.05)", False),
        "neonatal_history_years": ("complete years of neonatal admissions behind the rates, 1-10 (default 3)", False),
        "forecast_draws": ("draws from the forecast's uncertainty, 100-100000 (default 1000)", False),
        "simulation_replications": ("replications of the ward simulation, 2-1000 (default 30)", False),
        "seed": ("whole number seeding the draws and the simulation", False),
        "arrival_profile": ("mapping: hourly_amplitude 0-0.99, peak_hour 0-23, weekend_factor 0.1-3", False),
        "overflow": ("mapping from a unit id to the list of neighbouring unit ids that take its overflow", False),
    },
    "followup": {
        "previous_run": ("run id of the run to compare with (default: the previous tertial's run, when its bundle exists)", False),
        "spc_baseline": ("[first month, last month] of the control charts' fixed baseline, YYYY-MM (default: the three years before the tertial's year)", False),
    },
    "disclosure": {
        "threshold": ("counts of people below this (and above 0) are shown as <threshold in published tables, 2-100 (default 5)", False),
    },
    "steps": (f"list of notebooks from {', '.join(STEPS)}", False),
    "render": {
        "formats": (f"list from {', '.join(RENDER_FORMATS)}", False),
        "reports": ("list of report file names in reports/", False),
    },
}


@dataclass(frozen=True)
class RunConfig:
    """A validated run configuration."""

    run_id: str
    title: str
    tertial: str
    data_source: str
    data_dir: Path
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    summer_first_week: int
    summer_last_week: int
    compare_years: tuple[int, ...]
    harmonisation: Harmonisation
    steps: tuple[str, ...]
    render_formats: tuple[str, ...]
    reports: tuple[str, ...]
    horizon_months: int = 60
    evaluation_origins: int = 1
    disclosure_threshold: int = 5
    previous_run: str | None = None
    spc_baseline: tuple[pd.Timestamp, pd.Timestamp] | None = None
    norms: Norms = field(default_factory=Norms)
    capacity: CapacitySettings = field(default_factory=CapacitySettings)
    source_file: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_demo(self) -> bool:
        return self.data_source == "demo"

    @property
    def public_dir(self) -> Path:
        return paths.public_dir()

    @property
    def summer_weeks(self) -> tuple[int, int]:
        return (self.summer_first_week, self.summer_last_week)

    @property
    def previous_run_id(self) -> str:
        """The run to compare with: ``followup.previous_run`` or the previous tertial's id."""
        if self.previous_run:
            return self.previous_run
        year, t = int(self.tertial[:4]), int(self.tertial[-1])
        return f"{year - 1}-T3" if t == 1 else f"{year}-T{t - 1}"

    @property
    def outlook_summer(self) -> int:
        """The next summer after the run's data: the year after the period's end once
        August is in the data, else the same year."""
        return self.period_end.year + (1 if self.period_end.month >= 8 else 0)


def _unknown_keys(given: dict, allowed: dict, prefix: str) -> None:
    for key in given:
        if key not in allowed:
            near = difflib.get_close_matches(str(key), list(allowed), n=1)
            hint = f"; did you mean {prefix}{near[0]!r}?" if near else ""
            raise ConfigError(f"unknown key {prefix}{key!r}{hint} (allowed: {', '.join(prefix + k for k in allowed)})")


def _section(raw: dict, name: str) -> dict:
    value = raw.get(name, {}) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{name}: must be a mapping of keys (allowed: {', '.join(SCHEMA[name])})")
    _unknown_keys(value, SCHEMA[name], f"{name}.")
    return value


def _month(value: Any, key: str) -> pd.Timestamp:
    if isinstance(value, dt.date):
        return pd.Timestamp(value.year, value.month, 1)
    if not isinstance(value, str) or not MONTH_RE.match(value):
        raise ConfigError(f"{key}: {value!r} is not a month; allowed: YYYY-MM")
    year, month = int(value[:4]), int(value[5:])
    if not 1 <= month <= 12:
        raise ConfigError(f"{key}: {value!r} has month {month}; allowed: 01-12")
    return pd.Timestamp(year, month, 1)


def _int(value: Any, key: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{key}: {value!r} is not a whole number; allowed: {lo}-{hi}")
    if not lo <= value <= hi:
        raise ConfigError(f"{key}: {value} is out of range; allowed: {lo}-{hi}")
    return value


def _num(value: Any, key: str, lo: float, hi: float, lo_open: bool = False) -> float:
    allowed = f"{'above ' if lo_open else ''}{lo:g}-{hi:g}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{key}: {value!r} is not a number; allowed: {allowed}")
    if not (lo < value <= hi if lo_open else lo <= value <= hi):
        raise ConfigError(f"{key}: {value:g} is out of range; allowed: {allowed}")
    return float(value)


def _norms(section: dict) -> Norms:
    d = Norms()
    ratios = section.get("nurses_per_cot", dict(d.nurses_per_cot))
    if not isinstance(ratios, dict) or set(ratios) != set(d.nurses_per_cot):
        raise ConfigError(f"staffing.nurses_per_cot: must map each of {', '.join(d.nurses_per_cot)} to nurses per cot")
    return Norms(
        midwives_per_woman_in_labour=_num(section.get("midwives_per_woman_in_labour", d.midwives_per_woman_in_labour), "staffing.midwives_per_woman_in_labour", 0.1, 5),
        births_per_midwife_fte_year=_num(section.get("births_per_midwife_fte_year", d.births_per_midwife_fte_year), "staffing.births_per_midwife_fte_year", 1, 500),
        nurses_per_cot={lv: _num(v, f"staffing.nurses_per_cot.{lv}", 0, 5, lo_open=True) for lv, v in ratios.items()},
        hours_per_fte_week=_num(section.get("hours_per_fte_week", d.hours_per_fte_week), "staffing.hours_per_fte_week", 1, 80),
        labour_ward_share=_num(section.get("labour_ward_share", d.labour_ward_share), "staffing.labour_ward_share", 0.01, 1),
        target_blocking=_num(section.get("target_blocking", d.target_blocking), "staffing.target_blocking", 0.000001, 0.5),
    )


def _capacity(section: dict) -> CapacitySettings:
    d = CapacitySettings()
    prof = section.get("arrival_profile", {}) or {}
    if not isinstance(prof, dict):
        raise ConfigError("capacity.arrival_profile: must be a mapping of hourly_amplitude, peak_hour, weekend_factor")
    _unknown_keys(prof, {"hourly_amplitude": 0, "peak_hour": 0, "weekend_factor": 0}, "capacity.arrival_profile.")
    dp = d.arrival_profile
    profile = ArrivalProfile(
        _num(prof.get("hourly_amplitude", dp.hourly_amplitude), "capacity.arrival_profile.hourly_amplitude", 0, 0.99),
        _num(prof.get("peak_hour", dp.peak_hour), "capacity.arrival_profile.peak_hour", 0, 23),
        _num(prof.get("weekend_factor", dp.weekend_factor), "capacity.arrival_profile.weekend_factor", 0.1, 3),
    )
    overflow_raw = section.get("overflow", {k: list(v) for k, v in d.overflow.items()})
    if not isinstance(overflow_raw, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(n, str) for n in v) for k, v in overflow_raw.items()
    ):
        raise ConfigError("capacity.overflow: must map a unit id to a list of neighbouring unit ids")
    for unit, neighbours in overflow_raw.items():
        if unit in neighbours:
            raise ConfigError(f"capacity.overflow.{unit}: a unit cannot overflow to itself")
    return CapacitySettings(
        mean_stay_hours=_num(section.get("mean_stay_hours", d.mean_stay_hours), "capacity.mean_stay_hours", 0, 72, lo_open=True),
        stay_cv=_num(section.get("stay_cv", d.stay_cv), "capacity.stay_cv", 0, 5),
        high_risk_blocking=_num(section.get("high_risk_blocking", d.high_risk_blocking), "capacity.high_risk_blocking", 0, 1),
        neonatal_history_years=_int(section.get("neonatal_history_years", d.neonatal_history_years), "capacity.neonatal_history_years", 1, 10),
        forecast_draws=_int(section.get("forecast_draws", d.forecast_draws), "capacity.forecast_draws", 100, 100000),
        simulation_replications=_int(section.get("simulation_replications", d.simulation_replications), "capacity.simulation_replications", 2, 1000),
        seed=_int(section.get("seed", d.seed), "capacity.seed", 0, 2**32 - 1),
        arrival_profile=profile,
        overflow={k: tuple(v) for k, v in overflow_raw.items()},
    )


def report_steps(report: str) -> set[str]:
    """The analysis notebooks (steps) a report embeds cells from."""
    return {Path(e.notebook).stem for e in embeds.find_embeds(paths.reports_dir() / report)}


def _str_list(value: Any, key: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key}: must be a list of text values" + (f" from {', '.join(allowed)}" if allowed else ""))
    if allowed:
        for v in value:
            if v not in allowed:
                raise ConfigError(f"{key}: {v!r} is not allowed; allowed: {', '.join(allowed)}")
    return tuple(value)


def tertial_months(tertial: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month of a tertial (T1 Jan-Apr, T2 May-Aug, T3 Sep-Dec)."""
    m = TERTIAL_RE.match(tertial)
    if not m:
        raise ConfigError(f"tertial: {tertial!r} is not a tertial; allowed: YYYY-T1, YYYY-T2 or YYYY-T3")
    year, t = int(m[1]), int(m[2])
    first = pd.Timestamp(year, 4 * (t - 1) + 1, 1)
    return first, first + pd.DateOffset(months=3)


def parse_config(raw: Any, source_file: Path | None = None) -> RunConfig:
    """Validate a configuration mapping and return a :class:`RunConfig`."""
    if not isinstance(raw, dict):
        raise ConfigError("the run configuration must be a YAML mapping of keys")
    _unknown_keys(raw, SCHEMA, "")
    for key, spec in SCHEMA.items():
        if isinstance(spec, tuple) and spec[1] and key not in raw:
            raise ConfigError(f"missing required key {key!r}; allowed: {spec[0]}")
    run_id = raw["run_id"]
    if not isinstance(run_id, str) or not RUN_ID_RE.match(run_id):
        raise ConfigError(f"run_id: {run_id!r} is not allowed; allowed: {SCHEMA['run_id'][0]}")
    tertial = raw["tertial"]
    if not isinstance(tertial, str):
        raise ConfigError(f"tertial: {tertial!r} is not allowed; allowed: {SCHEMA['tertial'][0]}")
    _, tertial_end = tertial_months(tertial)
    title = raw.get("title", f"Förlossnings- och neonatalvård i VGR, {tertial}")
    if not isinstance(title, str):
        raise ConfigError("title: must be text")

    data = _section(raw, "data")
    if "source" not in data:
        raise ConfigError(f"missing required key 'data.source'; allowed: {', '.join(DATA_SOURCES)}")
    source = data["source"]
    if source not in DATA_SOURCES:
        raise ConfigError(f"data.source: {source!r} is not allowed; allowed: {', '.join(DATA_SOURCES)}")
    if source == "path":
        if not isinstance(data.get("path"), str):
            raise ConfigError("data.path: a folder is required when data.source is 'path'")
        data_dir = Path(data["path"])
        if not data_dir.is_absolute():
            data_dir = paths.project_root() / data_dir
    else:
        if data.get("path") is not None:
            raise ConfigError(f"data.path: only allowed with data.source 'path' (source is {source!r})")
        data_dir = paths.demo_dir() if source == "demo" else paths.local_dir()

    period = _section(raw, "period")
    start = _month(period.get("start", "2015-01"), "period.start")
    end = _month(period["end"], "period.end") if "end" in period else tertial_end
    if end < start:
        raise ConfigError(f"period.end: {end:%Y-%m} is before period.start {start:%Y-%m}")

    summer = _section(raw, "summer")
    first_week = _int(summer.get("first_week", 25), "summer.first_week", 1, 53)
    last_week = _int(summer.get("last_week", 33), "summer.last_week", 1, 53)
    if last_week < first_week:
        raise ConfigError(f"summer.last_week: {last_week} is before summer.first_week {first_week}")
    years_raw = summer.get("compare_years", [end.year - 2, end.year - 1, end.year])
    if not isinstance(years_raw, list) or not years_raw:
        raise ConfigError("summer.compare_years: must be a non-empty list of years")
    years = tuple(_int(y, "summer.compare_years", 1990, 2100) for y in years_raw)

    harm = _section(raw, "harmonisation")
    aliases = harm.get("aliases", {}) or {}
    if not isinstance(aliases, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()):
        raise ConfigError("harmonisation.aliases: must map text to a unit id")
    merges: list[Merge] | None = None if "merges" not in harm else []
    for i, m in enumerate(harm.get("merges", []) or []):
        key = f"harmonisation.merges[{i}]"
        if not isinstance(m, dict) or set(m) != {"from", "into", "date"}:
            raise ConfigError(f"{key}: must have exactly the keys from, into, date")
        date = m["date"]
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date)
            except ValueError:
                raise ConfigError(f"{key}.date: {m['date']!r} is not a date; allowed: YYYY-MM-DD") from None
        if not isinstance(date, dt.date):
            raise ConfigError(f"{key}.date: {m['date']!r} is not a date; allowed: YYYY-MM-DD")
        assert merges is not None
        merges.append(Merge(str(m["from"]), str(m["into"]), date))

    fc_section = _section(raw, "forecast")
    horizon_months = _int(fc_section.get("horizon_months", 60), "forecast.horizon_months", 24, 120)
    evaluation_origins = _int(fc_section.get("evaluation_origins", 1), "forecast.evaluation_origins", 1, 5)
    disclosure_threshold = _int(_section(raw, "disclosure").get("threshold", 5), "disclosure.threshold", 2, 100)
    followup = _section(raw, "followup")
    previous_run = followup.get("previous_run")
    if previous_run is not None and (not isinstance(previous_run, str) or not RUN_ID_RE.match(previous_run)):
        raise ConfigError(f"followup.previous_run: {previous_run!r} is not a run id")
    year = int(tertial[:4])
    base = followup.get("spc_baseline", [f"{year - 3}-01", f"{year - 1}-12"])
    if not isinstance(base, list) or len(base) != 2:
        raise ConfigError("followup.spc_baseline: must be [first month, last month]")
    spc_baseline = (_month(base[0], "followup.spc_baseline"), _month(base[1], "followup.spc_baseline"))
    if spc_baseline[1] < spc_baseline[0] + pd.DateOffset(months=5):
        raise ConfigError("followup.spc_baseline: the baseline needs at least 6 months, the first not after the last")
    norms = _norms(_section(raw, "staffing"))
    capacity_settings = _capacity(_section(raw, "capacity"))
    steps = _str_list(raw.get("steps", list(STEPS)), "steps", STEPS)
    for step, needed in STEP_NEEDS.items():
        if step in steps and needed not in steps:
            raise ConfigError(f"steps: {step} needs {needed} before it")
    steps = tuple(s for s in STEPS if s in steps)  # always run in dependency order
    render = _section(raw, "render")
    formats = _str_list(render.get("formats", list(RENDER_FORMATS)), "render.formats", RENDER_FORMATS)
    if "reports" in render:
        reports = _str_list(render["reports"], "render.reports")
    else:
        reports = tuple(r for r in DEFAULT_REPORTS if (paths.reports_dir() / r).is_file() and report_steps(r) <= set(steps))
    for name in reports:
        if not (paths.reports_dir() / name).is_file():
            raise ConfigError(f"render.reports: {name!r} is not a report in reports/")
        missing = sorted(report_steps(name) - set(steps))
        if missing:
            raise ConfigError(f"render.reports: {name} embeds cells of {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not in steps")
    return RunConfig(
        run_id=run_id, title=title, tertial=tertial, data_source=source, data_dir=data_dir,
        period_start=start, period_end=end, summer_first_week=first_week, summer_last_week=last_week,
        compare_years=years, harmonisation=Harmonisation(dict(aliases), None if merges is None else tuple(merges)), steps=steps,
        render_formats=formats, reports=reports, horizon_months=horizon_months, evaluation_origins=evaluation_origins,
        disclosure_threshold=disclosure_threshold, previous_run=previous_run, spc_baseline=spc_baseline, norms=norms, capacity=capacity_settings, source_file=source_file, raw=raw,
    )


def load_config(path: Path | str) -> RunConfig:
    """Read and validate a run configuration file (relative paths: from the working
    folder, else from the project root)."""
    path = paths.resolve(path)
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    try:
        raw = io.read_yaml(path)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML: {exc}") from None
    try:
        return parse_config(raw, path)
    except ConfigError as exc:
        raise ConfigError(f"{path.name}: {exc}") from None


def notebook_context(config_path: str, processed_dir: str = "") -> tuple[RunConfig, Path]:
    """What every analysis notebook starts with: the validated run config and the folder
    of the run's processed tables (the pipeline passes it; interactively the default)."""
    cfg = load_config(config_path)
    return cfg, Path(processed_dir) if processed_dir else paths.processed_dir(cfg.run_id)
