"""The run bundle: what a run read (input files and their sha256), with what (package
versions, git commit), and the report sources with their Quarto project file."""

from __future__ import annotations

import importlib.metadata as md
import platform
import re
import shutil
import subprocess
from pathlib import Path

from fragile_care import __version__, paths
from fragile_care.inputs import io
from fragile_care.model import forecast
from fragile_care.publish import formatting as fmt
from fragile_care.publish import handoff
from fragile_care.run.settings import RunConfig

# ----------------------------------------------------------------------------- layout
# A bundle has two parts in folders of their own (issue 32): what may leave the analysts'
# room and what may not. ``published/`` holds the reports (HTML, PDF), the notebook pages
# they link to (every output protected as in the reports) and the workbook; ``internal/``
# holds the executed notebooks with every value, the manifest, the logs, the quality log,
# the report sources and the Typst sources. A marker file says the folder is a bundle the
# project made, so a run only ever replaces such a folder.
PUBLISHED, INTERNAL = "published", "internal"
MARKER = ".fragile-care-run"

PUBLISHED_README = """Publicerad del av körning {run_id}

Denna mapp får lämnas ut (till styrgruppen, på intranätet): rapporterna (HTML och PDF),
notebooksidorna som rapporterna länkar till och Excelarbetsboken. Antal 1–4 personer visas
som <5 och antal som annars kan räknas fram som "..".

Mappen "internal" bredvid får INTE lämnas ut: den innehåller de körda notebookarna med alla
värden, loggar och källfiler för granskning inom analysgruppen.
"""

INTERNAL_README = """Intern del av körning {run_id} – lämnas inte ut

Denna mapp stannar hos analysgruppen: körda notebookar med alla värden (även antal 1–4),
manifest, loggar, datakvalitetslogg, rapportkällor och Typst-källor. Det som får lämnas ut
finns i mappen "published" bredvid.
"""


def published_dir(bundle: Path) -> Path:
    """The part of a bundle that may leave the analysts' room."""
    return bundle / PUBLISHED


def internal_dir(bundle: Path) -> Path:
    """The part of a bundle that stays with the analysts (every value, for the audit)."""
    return bundle / INTERNAL


def manifest_path(bundle: Path) -> Path:
    """A bundle's manifest (``internal/manifest.json``; a bundle written before the split
    kept it at the top)."""
    inside = internal_dir(bundle) / "manifest.json"
    legacy = bundle / "manifest.json"
    return legacy if not inside.is_file() and legacy.is_file() else inside


def mark(folder: Path, kind: str, run_id: str) -> None:
    """Mark ``folder`` as made by the project (``kind``: bundle or processed)."""
    io.write_json({"kind": kind, "run_id": run_id, "made_by": "fragile-care"}, folder / MARKER)


def is_marked(folder: Path) -> bool:
    """Whether ``folder`` carries the project's marker (or is a bundle or processed folder
    written before markers: a manifest at its top, or only parquet tables)."""
    if (folder / MARKER).is_file():
        return True
    if (folder / "manifest.json").is_file() and (folder / "notebooks").is_dir():
        return True  # a bundle of the layout before issue 32
    entries = list(folder.iterdir()) if folder.is_dir() else []
    return bool(entries) and all(p.is_file() and p.suffix == ".parquet" for p in entries)


def start_layout(bundle: Path, run_id: str) -> None:
    """The two parts of a new bundle, their READMEs and the marker."""
    for part, text in ((published_dir(bundle), PUBLISHED_README), (internal_dir(bundle), INTERNAL_README)):
        part.mkdir(parents=True, exist_ok=True)
        (part / "LÄSMIG.txt").write_text(text.format(run_id=run_id), encoding="utf-8")
    mark(bundle, "bundle", run_id)


def relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.project_root()))
    except ValueError:
        return str(path)


def input_files(cfg: RunConfig) -> list[Path]:
    """Every file a run reads: the run config, the unit tables and the public series."""
    return ([cfg.source_file] if cfg.source_file else []) + data_files(cfg)


def data_files(cfg: RunConfig) -> list[Path]:
    """The data files a run reads: the unit tables and the public series (a step may read
    these; the run config file as a whole it may not, see ``settings.ScopedConfig``)."""
    files: list[Path] = []
    if cfg.data_dir.is_dir():
        files += sorted(p for p in cfg.data_dir.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".xlsx", ".xlsm", ".txt", ".tsv"))
    files += sorted(p for p in cfg.public_dir.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    return files


def input_hashes(cfg: RunConfig, files: list[Path] | None = None) -> dict[str, str]:
    """sha256 of every input file (``files``, default :func:`input_files`) by its path as
    the manifest records it."""
    return {relative(p): io.sha256_file(p) for p in (input_files(cfg) if files is None else files)}


def dependencies() -> tuple[str, ...]:
    """The libraries the installed package requires (pyproject.toml), without the extras."""
    requires = md.requires("fragile-care") or []
    return tuple(re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0] for r in requires if "extra ==" not in r)


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "fragile-care": __version__}
    for name in dependencies():
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_state() -> dict[str, object]:
    root = paths.project_root()
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    if commit.returncode != 0:
        return {"commit": None, "dirty": None}
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


def assemble_reports(bundle: Path, cfg: RunConfig) -> list[Path]:
    """Copy the report sources and the Quarto project file into the bundle's internal part,
    with the run's values in ``_variables.yml``: only values whose form the config's checks
    fix (run id, tertial, months, weeks), never free text such as the title, since Quarto
    reads shortcodes in the variables file even where they are backslash-escaped (a title
    with ``{{< include /etc/passwd >}}`` stopped the render)."""
    bundle = internal_dir(bundle)
    src = paths.reports_dir()
    copied = []
    for name in cfg.reports:
        shutil.copy2(src / name, bundle / name)
        copied.append(bundle / name)
    for extra in sorted(src.glob("*.css")) + sorted(src.glob("*.scss")) + sorted(src.glob("*.lua")) + sorted(src.glob("_*.qmd")):
        shutil.copy2(extra, bundle / extra.name)
    quarto_yml = io.read_yaml(paths.project_root() / "_quarto.yml")
    quarto_yml.setdefault("project", {})["render"] = list(cfg.reports)
    quarto_yml["format"] = {k: v for k, v in quarto_yml.get("format", {}).items() if k in cfg.render_formats}
    io.write_yaml(quarto_yml, bundle / "_quarto.yml")
    io.write_yaml(
        {
            "run_id": cfg.run_id,
            "tertial": cfg.tertial,
            "data_label": "EXEMPELDATA (syntetiska enhetsdata)" if cfg.is_demo else "Regionens egna data",
            "period_end": f"{cfg.period_end:%Y-%m}",
            "summer_weeks": f"{cfg.summer_first_week}–{cfg.summer_last_week}",
            # numbers the report prose states, from the run (never written as literals in a report)
            "forecast_draws": fmt.sv_int(cfg.capacity.forecast_draws),
            "horizon": fmt.sv_months(cfg.horizon_months),
            "small_series": fmt.sv_int(forecast.SMALL_SERIES),
        },
        bundle / "_variables.yml",
    )
    return copied


def write_handoff(cfg: RunConfig, processed: Path, bundle: Path) -> Path:
    """The run's Excel workbook of key tables (``<run_id>_tabeller.xlsx``) in the bundle's
    published part."""
    sheets = handoff.workbook_sheets(
        io.read_tables(processed),
        run_id=cfg.run_id,
        tertial=cfg.tertial,
        period_end=cfg.period_end,
        is_demo=cfg.is_demo,
        data_label=f"regionens egna data ({cfg.data_source})",
        compare_years=cfg.compare_years,
        summer_weeks=cfg.summer_weeks,
        threshold=cfg.disclosure_threshold,
    )
    return handoff.write_workbook(
        sheets, published_dir(bundle) / f"{cfg.run_id}_tabeller.xlsx", handoff.banner(cfg.is_demo, cfg.run_id), cfg.disclosure_threshold
    )
