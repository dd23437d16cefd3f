"""The run configuration's schema: one pydantic model per section, each default and range
defined once (the norms and the capacity settings are the model layer's own models).

:class:`RunFile` is what a YAML file may hold; :class:`RunConfig` is the validated run with
its derived values (data folder, period end from the tertial, the summer's years, the
control charts' baseline). ``run.config`` reads and checks a file into a ``RunConfig``; the
pipeline writes ``RunConfig.raw`` (the validated file, defaults filled in) into the bundle,
and the notebooks read that.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from fragile_care import paths
from fragile_care.inputs.units import Harmonisation, Merge
from fragile_care.model.calendar import tertial_months
from fragile_care.model.capacity import CapacitySettings
from fragile_care.model.carelevels import CareLevelSettings
from fragile_care.model.costs import CostSettings
from fragile_care.model.postnatal import PostnatalSettings
from fragile_care.model.staffing import Norms
from fragile_care.validation import KeyedError

DATA_SOURCES = ("demo", "local", "path")
RENDER_FORMATS = ("html", "typst")
RUN_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
REPORT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.qmd")
MONTH_RE = re.compile(r"\d{4}-\d{2}")
FIRST_YEAR, LAST_YEAR = 1990, 2100  # dates outside these years are typing errors


def _month(value: Any) -> pd.Timestamp:
    if isinstance(value, pd.Timestamp):
        return value
    if isinstance(value, dt.date):
        value = f"{value.year:04d}-{value.month:02d}"
    if not isinstance(value, str) or not MONTH_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a month; allowed: YYYY-MM")
    year, month = int(value[:4]), int(value[5:])
    if not 1 <= month <= 12:
        raise ValueError(f"{value!r} has month {month}; allowed: 01-12")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{value!r} has year {year}; allowed: {FIRST_YEAR}-{LAST_YEAR}")
    return pd.Timestamp(year, month, 1)


def _date(value: Any) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date; allowed: YYYY-MM-DD") from None
    if not isinstance(value, dt.date):
        raise ValueError(f"{value!r} is not a date; allowed: YYYY-MM-DD")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"{value.isoformat()!r} has year {value.year}; allowed: {FIRST_YEAR}-{LAST_YEAR}")
    return value


Month = Annotated[pd.Timestamp, BeforeValidator(_month), PlainSerializer(lambda v: f"{v:%Y-%m}", return_type=str)]
Date = Annotated[dt.date, BeforeValidator(_date), PlainSerializer(lambda v: v.isoformat(), return_type=str)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, arbitrary_types_allowed=True, populate_by_name=True)


class DataSection(Section):
    source: Literal["demo", "local", "path"] = Field(description=f"one of {', '.join(DATA_SOURCES)}")
    path: str | None = Field(None, description="folder with the unit tables (only with source: path)")
    synthetic: bool = Field(
        False,
        description="the data are synthetic (made up): every report, figure and sheet says EXEMPELDATA. Always so for "
        "source demo; a run also sets it when the units table's source_id marks its rows SYNTHETIC_…",
    )

    @model_validator(mode="after")
    def _path_only_with_path(self) -> DataSection:
        if self.source == "path" and not self.path:
            raise KeyedError("data.path", "a folder is required when data.source is 'path'")
        if self.source != "path" and self.path is not None:
            raise KeyedError("data.path", f"only allowed with data.source 'path' (source is {self.source!r})")
        return self


class PeriodSection(Section):
    start: Month = Field(pd.Timestamp(2015, 1, 1), description="first month, YYYY-MM")
    end: Month | None = Field(None, description="last month, YYYY-MM (default: the tertial's last month)")


class SummerSection(Section):
    first_week: int = Field(25, ge=1, le=52, description="first ISO week of the summer period (week 53 is missing in most years)")
    last_week: int = Field(33, ge=1, le=52, description="last ISO week of the summer period, not before first_week")
    compare_years: list[Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]] | None = Field(
        None, min_length=1, description="list of years (default: the period's last three)"
    )

    @model_validator(mode="after")
    def _order(self) -> SummerSection:
        if self.last_week < self.first_week:
            raise KeyedError("summer.last_week", f"{self.last_week} is before summer.first_week {self.first_week}")
        return self


class MergeSpec(Section):
    from_: str = Field(alias="from", description="the unit id that closed")
    into: str = Field(description="the unit id that took over its activity")
    date: Date = Field(description="the closing date, YYYY-MM-DD")


class HarmonisationSection(Section):
    aliases: dict[str, str] = Field(default_factory=dict, description="mapping from a name in the sources to a unit id")
    merges: list[MergeSpec] | None = Field(None, description="list of {from, into, date}; default: from the units table")


class ForecastSection(Section):
    horizon_months: int = Field(
        60, ge=24, le=120, description="forecast horizon in months (the reports need a whole calendar year and next summer)"
    )
    evaluation_origins: int = Field(3, ge=1, le=5, description="yearly origins of the out-of-sample check in the report")


class FollowupSection(Section):
    previous_run: str | None = Field(None, description="run id of the run to compare with (default: the previous tertial's run)")
    spc_baseline: tuple[Month, Month] | None = Field(None, description="[first month, last month] of the control charts' fixed baseline")

    @field_validator("previous_run")
    @classmethod
    def _run_id(cls, value: str | None) -> str | None:
        if value is not None and not RUN_ID_RE.fullmatch(value):
            raise ValueError(f"{value!r} is not a run id")
        return value

    @field_validator("spc_baseline", mode="before")
    @classmethod
    def _pair(cls, value: Any) -> Any:
        if isinstance(value, list):
            if len(value) != 2:
                raise ValueError("must be [first month, last month]")
            return tuple(value)
        return value

    @field_validator("spc_baseline")
    @classmethod
    def _long_enough(cls, value: tuple[pd.Timestamp, pd.Timestamp] | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        if value is not None and value[1] < value[0] + pd.DateOffset(months=5):
            raise ValueError("the baseline needs at least 6 months, the first not after the last")
        return value


class DisclosureSection(Section):
    threshold: int = Field(5, ge=2, le=100, description="counts of people below this (and above 0) are shown as <threshold")


class RenderSection(Section):
    formats: list[Literal["html", "typst"]] = Field(
        default_factory=lambda: list(RENDER_FORMATS), description=f"list from {', '.join(RENDER_FORMATS)}"
    )
    reports: list[str] | None = Field(None, description="list of report file names in reports/ (default: every report whose steps run)")

    @field_validator("reports")
    @classmethod
    def _names(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            if not REPORT_RE.fullmatch(name):
                raise ValueError(f"{name!r} is not a report name; allowed: a file name in reports/ such as sommar.qmd (no folders)")
        return value


class RunFile(Section):
    """What a run configuration file may hold."""

    run_id: str = Field(description="text of letters, digits, '.', '_' or '-' (at most 64)")
    title: str | None = Field(None, description="text")
    tertial: str = Field(description="YYYY-T1, YYYY-T2 or YYYY-T3")
    data: DataSection
    period: PeriodSection = Field(default_factory=PeriodSection)
    summer: SummerSection = Field(default_factory=SummerSection)
    harmonisation: HarmonisationSection = Field(default_factory=HarmonisationSection)
    forecast: ForecastSection = Field(default_factory=ForecastSection)
    staffing: Norms = Field(default_factory=Norms)
    capacity: CapacitySettings = Field(default_factory=CapacitySettings)
    postnatal: PostnatalSettings = Field(default_factory=PostnatalSettings)
    care_levels: CareLevelSettings = Field(default_factory=CareLevelSettings)
    costs: CostSettings = Field(default_factory=CostSettings)
    followup: FollowupSection = Field(default_factory=FollowupSection)
    disclosure: DisclosureSection = Field(default_factory=DisclosureSection)
    steps: list[str] | None = Field(None, description="list of steps (default: all)")
    render: RenderSection = Field(default_factory=RenderSection)

    @field_validator("run_id")
    @classmethod
    def _run_id(cls, value: str) -> str:
        if not RUN_ID_RE.fullmatch(value):
            raise ValueError(f"{value!r} is not allowed; allowed: text of letters, digits, '.', '_' or '-' (at most 64)")
        return value

    @field_validator("tertial")
    @classmethod
    def _tertial(cls, value: str) -> str:
        first, _ = tertial_months(value)  # raises ValueError naming what is allowed
        if not FIRST_YEAR <= first.year <= LAST_YEAR:
            raise ValueError(f"{value!r} has year {first.year}; allowed: {FIRST_YEAR}-{LAST_YEAR}")
        return value

    @model_validator(mode="after")
    def _period(self) -> RunFile:
        end = self.period.end or tertial_months(self.tertial)[1]
        if end < self.period.start:
            raise KeyedError("period.end", f"{end:%Y-%m} is before period.start {self.period.start:%Y-%m}")
        outside = [y for y in self.summer.compare_years or [] if not self.period.start.year <= y <= end.year]
        if outside:
            raise KeyedError(
                "summer.compare_years",
                f"{', '.join(map(str, outside))} outside the period {self.period.start:%Y-%m} to {end:%Y-%m}; allowed: {self.period.start.year}-{end.year}",
            )
        return self


class RunConfig(BaseModel):
    """A validated run: the file's sections plus the values derived from them."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    file: RunFile
    steps: tuple[str, ...]
    reports: tuple[str, ...] | None  # None: chosen in the pre-flight (every report whose steps run)
    source_file: Path | None = None

    # ------------------------------------------------------------------ derived values
    @property
    def raw(self) -> dict[str, Any]:
        """The validated configuration with every default filled in (JSON types)."""
        dumped = self.file.model_dump(mode="json", by_alias=True)
        dumped["steps"] = list(self.steps)
        return dumped

    @property
    def run_id(self) -> str:
        return self.file.run_id

    @property
    def tertial(self) -> str:
        return self.file.tertial

    @property
    def title(self) -> str:
        return self.file.title or f"Förlossnings- och neonatalvård i VGR, {self.tertial}"

    @property
    def data_source(self) -> str:
        return self.file.data.source

    @property
    def is_demo(self) -> bool:
        """The data are synthetic (labelled EXEMPELDATA everywhere)."""
        return self.data_source == "demo" or self.file.data.synthetic

    @property
    def data_dir(self) -> Path:
        if self.data_source == "path":
            folder = Path(self.file.data.path or "")
            return folder if folder.is_absolute() else paths.project_root() / folder
        return paths.demo_dir() if self.data_source == "demo" else paths.local_dir()

    @property
    def public_dir(self) -> Path:
        return paths.public_dir()

    @property
    def period_start(self) -> pd.Timestamp:
        return self.file.period.start

    @property
    def period_end(self) -> pd.Timestamp:
        return self.file.period.end or tertial_months(self.tertial)[1]

    @property
    def data_cutoff(self) -> pd.Timestamp:
        """The last day the data cover (the end of ``period_end``'s month): the one date every
        status of the plan is read against, named on every report's cover."""
        return self.period_end + pd.offsets.MonthEnd(0)

    @property
    def summer_first_week(self) -> int:
        return self.file.summer.first_week

    @property
    def summer_last_week(self) -> int:
        return self.file.summer.last_week

    @property
    def summer_weeks(self) -> tuple[int, int]:
        return (self.summer_first_week, self.summer_last_week)

    @property
    def compare_years(self) -> tuple[int, ...]:
        years = self.file.summer.compare_years
        end = self.period_end.year
        return tuple(years) if years else (end - 2, end - 1, end)

    @property
    def harmonisation(self) -> Harmonisation:
        merges = self.file.harmonisation.merges
        return Harmonisation(
            dict(self.file.harmonisation.aliases), None if merges is None else tuple(Merge(m.from_, m.into, m.date) for m in merges)
        )

    @property
    def render_formats(self) -> tuple[str, ...]:
        return tuple(self.file.render.formats)

    @property
    def horizon_months(self) -> int:
        return self.file.forecast.horizon_months

    @property
    def evaluation_origins(self) -> int:
        return self.file.forecast.evaluation_origins

    @property
    def disclosure_threshold(self) -> int:
        return self.file.disclosure.threshold

    @property
    def norms(self) -> Norms:
        return self.file.staffing

    @property
    def capacity(self) -> CapacitySettings:
        return self.file.capacity

    @property
    def postnatal(self) -> PostnatalSettings:
        return self.file.postnatal

    @property
    def care_levels(self) -> CareLevelSettings:
        return self.file.care_levels

    @property
    def costs(self) -> CostSettings:
        return self.file.costs

    @property
    def previous_run(self) -> str | None:
        return self.file.followup.previous_run

    @property
    def previous_run_id(self) -> str:
        """The run to compare with: ``followup.previous_run`` or the previous tertial's id."""
        if self.previous_run:
            return self.previous_run
        year, t = int(self.tertial[:4]), int(self.tertial[-1])
        return f"{year - 1}-T3" if t == 1 else f"{year}-T{t - 1}"

    @property
    def spc_baseline(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The control charts' fixed baseline: as configured, else the three years before
        the tertial's year."""
        if self.file.followup.spc_baseline:
            return self.file.followup.spc_baseline
        year = int(self.tertial[:4])
        return (pd.Timestamp(year - 3, 1, 1), pd.Timestamp(year - 1, 12, 1))

    @property
    def outlook_summer(self) -> int:
        """The next summer after the run's data: the year after the period's end once
        August is in the data, else the same year."""
        return self.period_end.year + (1 if self.period_end.month >= 8 else 0)


# ----------------------------------------------------------------------------- a step's view of the run
# Which sections of the run file each value of RunConfig is derived from. A step's cache key
# hashes the sections it declares (run/steps.py), so a step may read only those:
# ScopedConfig refuses the others. A new RunConfig property needs its sections here (a test
# checks that every property is listed).
SECTIONS_OF: dict[str, tuple[str, ...]] = {
    "run_id": ("run_id",),
    "tertial": ("tertial",),
    "title": ("title", "tertial"),
    "data_source": ("data",),
    "is_demo": ("data",),
    "data_dir": ("data",),
    "public_dir": (),
    "period_start": ("period",),
    "period_end": ("period", "tertial"),
    "data_cutoff": ("period", "tertial"),
    "summer_first_week": ("summer",),
    "summer_last_week": ("summer",),
    "summer_weeks": ("summer",),
    "compare_years": ("summer", "period", "tertial"),
    "outlook_summer": ("period", "tertial"),
    "harmonisation": ("harmonisation",),
    "horizon_months": ("forecast",),
    "evaluation_origins": ("forecast",),
    "disclosure_threshold": ("disclosure",),
    "norms": ("staffing",),
    "capacity": ("capacity",),
    "postnatal": ("postnatal",),
    "care_levels": ("care_levels",),
    "costs": ("costs",),
    "previous_run": ("followup",),
    "previous_run_id": ("followup", "tertial"),
    "spc_baseline": ("followup", "tertial"),
    "render_formats": ("render",),
    "steps": ("steps",),
    "reports": ("render",),
}
SECTIONS_OF["source_file"] = tuple(RunFile.model_fields)  # the file as a whole holds every section


class UndeclaredSection(RuntimeError):
    """A step read a section of the run configuration it does not declare."""


class ScopedConfig:
    """A run configuration as one step may see it: the values of the sections it declares,
    an error naming the section for any other (the step's cache key would not change with
    it). ``read`` collects the sections it did read."""

    def __init__(self, cfg: RunConfig, sections: tuple[str, ...], step: str):
        self._cfg, self._sections, self._step = cfg, frozenset(sections), step
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in SECTIONS_OF:
            raise UndeclaredSection(f"step {self._step} reads cfg.{name}, which no step may read (run/settings.SECTIONS_OF)")
        missing = [s for s in SECTIONS_OF[name] if s not in self._sections]
        if missing:
            raise UndeclaredSection(
                f"step {self._step} reads cfg.{name} from section(s) {', '.join(missing)} it does not declare "
                "(add them to its Step(..., sections=...) in run/steps.py)"
            )
        self.read.update(SECTIONS_OF[name])
        return getattr(self._cfg, name)
