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

from . import io, paths
from .clean import Harmonisation, Merge

STEPS = ("01_clean_data", "02_forecast_births")
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
        "horizon_months": ("forecast horizon in months, 1-120 (default 60)", False),
        "evaluation_origins": ("yearly origins of the out-of-sample check in the report, 1-5 (default 1)", False),
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
    horizon_months = _int(fc_section.get("horizon_months", 60), "forecast.horizon_months", 1, 120)
    evaluation_origins = _int(fc_section.get("evaluation_origins", 1), "forecast.evaluation_origins", 1, 5)
    steps = _str_list(raw.get("steps", list(STEPS)), "steps", STEPS)
    if "02_forecast_births" in steps and "01_clean_data" not in steps:
        raise ConfigError("steps: 02_forecast_births needs 01_clean_data before it")
    render = _section(raw, "render")
    formats = _str_list(render.get("formats", list(RENDER_FORMATS)), "render.formats", RENDER_FORMATS)
    reports = _str_list(render.get("reports", ["nulage.qmd", "framtid.qmd"] if "02_forecast_births" in steps else ["nulage.qmd"]), "render.reports")
    for name in reports:
        if not (paths.reports_dir() / name).is_file():
            raise ConfigError(f"render.reports: {name!r} is not a report in reports/")
    return RunConfig(
        run_id=run_id, title=title, tertial=tertial, data_source=source, data_dir=data_dir,
        period_start=start, period_end=end, summer_first_week=first_week, summer_last_week=last_week,
        compare_years=years, harmonisation=Harmonisation(dict(aliases), None if merges is None else tuple(merges)), steps=steps,
        render_formats=formats, reports=reports, horizon_months=horizon_months, evaluation_origins=evaluation_origins,
        source_file=source_file, raw=raw,
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
