"""Run configuration: one YAML file per run, validated before anything runs.

The schema (keys, defaults, ranges) is :mod:`fragile_care.run.settings`; this module reads a
file, turns schema errors into messages that name the key and what is allowed, and checks
the steps against the step table. Checks that need the file system (the data folder, the
reports' embeds) are the pipeline's pre-flight.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from fragile_care import paths
from fragile_care.inputs import io
from fragile_care.run import steps as step_table
from fragile_care.run.settings import RunConfig, RunFile
from fragile_care.validation import messages

DEFAULT_REPORTS = ("index.qmd", "styrgrupp.qmd", "nulage.qmd", "framtid.qmd", "sommar.qmd", "handlingsplan.qmd", "tertialrapport.qmd")
VALIDATED_NAME = "run_config.json"  # the validated configuration in a run bundle


class ConfigError(ValueError):
    """A run configuration that cannot be used. The message names the key."""


def _steps(raw_steps: list[str] | None) -> tuple[str, ...]:
    if raw_steps is None:
        return step_table.NAMES
    for name in raw_steps:
        if name not in step_table.BY_NAME:
            raise ConfigError(f"steps: {name!r} is not allowed; allowed: {', '.join(step_table.NAMES)}")
    for name in raw_steps:
        for needed in step_table.needs(name):
            if needed not in raw_steps:
                raise ConfigError(f"steps: {name} needs {needed} before it")
    return tuple(s for s in step_table.NAMES if s in raw_steps)  # always run in dependency order


def parse_config(raw: Any, source_file: Path | None = None) -> RunConfig:
    """Validate a configuration mapping and return a :class:`RunConfig`."""
    if not isinstance(raw, dict):
        raise ConfigError("the run configuration must be a YAML mapping of keys")
    try:
        file = RunFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError("\n".join(messages(RunFile, exc))) from None
    reports = tuple(file.render.reports) if file.render.reports is not None else None
    return RunConfig(file=file, steps=_steps(file.steps), reports=reports, source_file=source_file)


MAX_CONFIG_BYTES = 256 * 1024  # a run configuration is a page of settings
MAX_CONFIG_NODES = 20_000  # values after YAML aliases are expanded (an alias bomb has billions)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values a YAML node stands for once every alias is expanded (anchored nodes
    are shared objects in the composed graph; ``memo`` counts each once per expansion)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a recursive alias counts once instead of looping
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        size = 1
    memo[key] = size
    return size


def _read_text(path: Path) -> str:
    """The file as UTF-8 text, bounded in size; anything else is a :class:`ConfigError`."""
    size = path.stat().st_size
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path.name}: {size:,} bytes; a run configuration may hold at most {MAX_CONFIG_BYTES:,} bytes")
    data = path.read_bytes()
    if b"\x00" in data:
        raise ConfigError(f"{path.name}: binary content (NUL bytes), not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path.name}: line {line}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 (the encoding Windows calls 'UTF-8')"
        ) from None


MAX_CONFIG_DEPTH = 50  # nested mappings and lists; a run configuration needs four or five levels
# Keys whose values are text: a plain scalar there keeps the text as written, so that
# ``run_id: 2026_2`` (an integer 20262 in YAML 1.1) or ``run_id: 2026-06-01`` (a date) stays
# the text the user typed instead of a number or a date.
TEXT_KEYS = (("run_id",), ("title",), ("tertial",), ("followup", "previous_run"), ("data", "path"))
_TEXT_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"}


def _check_depth(text: str, name: str) -> None:
    """Refuse nesting deeper than ``MAX_CONFIG_DEPTH`` from the event stream (iterative: a
    file of 20 000 opening brackets is refused before the recursive composer sees it)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                line = event.start_mark.line + 1
                raise ConfigError(
                    f"{name}: line {line}: nesting too deep (more than {MAX_CONFIG_DEPTH} levels of lists or mappings); "
                    "a run configuration needs a few levels: check for unbalanced brackets"
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _check_duplicate_keys(node: yaml.Node, name: str, seen: set[int] | None = None) -> None:
    """Refuse a key written twice in one mapping (PyYAML keeps the last without a word),
    naming the key and both lines."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                where = (key.tag, key.value)
                line = key.start_mark.line + 1
                if where in first:
                    raise ConfigError(
                        f"{name}: line {line}: key {key.value!r} appears twice in the same mapping (first on line {first[where]}); "
                        "YAML would silently keep the last one: remove one of them"
                    )
                first[where] = line
            _check_duplicate_keys(value, name, seen)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _check_duplicate_keys(child, name, seen)


def _keep_text(node: yaml.Node) -> None:
    """Plain scalars under :data:`TEXT_KEYS` keep the text as written (tag str)."""
    for path in TEXT_KEYS:
        current: yaml.Node | None = node
        for part in path:
            if not isinstance(current, yaml.MappingNode):
                current = None
                break
            current = next((v for k, v in current.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
        if isinstance(current, yaml.ScalarNode) and current.style is None and current.tag in _TEXT_TAGS:
            current.tag = "tag:yaml.org,2002:str"


def _parse_yaml(text: str, name: str) -> Any:
    """YAML with bounds on nesting and on alias expansion, checked before any value is
    built; a key written twice is refused; text keys keep their text as written."""
    _check_depth(text, name)
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return None
    size = _expanded_size(node, {})
    if size > MAX_CONFIG_NODES:
        raise ConfigError(f"{name}: expands to more than {MAX_CONFIG_NODES:,} values (YAML aliases); write the settings out")
    _check_duplicate_keys(node, name)
    _keep_text(node)
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _key_lines(node: yaml.Node | None, prefix: str = "", out: dict[str, int] | None = None) -> dict[str, int]:
    """The line of every mapping key of a composed YAML document, by its dotted path
    (``costs.bb_bed_week_sek`` -> 14)."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                path = f"{prefix}.{key.value}" if prefix else str(key.value)
                out.setdefault(path, key.start_mark.line + 1)
                _key_lines(value, path, out)
    return out


def _with_lines(message: str, text: str) -> str:
    """Each line of a validation message that starts with a setting's dotted path gets
    the line of the run file where that setting is written ("line 14: costs.x: ...")."""
    try:
        lines = _key_lines(yaml.compose(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return message
    out = []
    for part in message.splitlines():
        key = re.sub(r"\[\d+\]", "", part.split(":", 1)[0].strip())  # costs.levers[1]: the line of costs.levers
        while key and key not in lines and "." in key:
            key = key.rsplit(".", 1)[0]  # a nested value: the line of the nearest written key
        out.append(f"line {lines[key]}: {part}" if key in lines else part)
    return "\n".join(out)


def load_config(path: Path | str) -> RunConfig:
    """Read and validate a run configuration file, YAML or the validated JSON a bundle holds
    (relative paths: from the working folder, else from the project root)."""
    path = paths.resolve(path).absolute()  # the notebooks run in analysis/, not in the caller's folder
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    try:
        text = _read_text(path)
        raw = json.loads(text) if path.suffix == ".json" else _parse_yaml(text, path.name)
    except OSError as exc:
        raise ConfigError(f"{path.name}: cannot be read: {exc.strerror or exc}") from None
    except RecursionError:
        raise ConfigError(f"{path.name}: nesting too deep (lists or mappings inside each other); check for unbalanced brackets") from None
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path.name}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from None
    try:
        return parse_config(raw, path)
    except ConfigError as exc:
        message = str(exc) if path.suffix == ".json" else _with_lines(str(exc), text)
        raise ConfigError(f"{path.name}: {message}") from None


def write_validated(cfg: RunConfig, folder: Path) -> Path:
    """The validated configuration, every default filled in, as the notebooks read it."""
    target = folder / VALIDATED_NAME
    io.write_json(cfg.raw, target)
    return target


def notebook_context(run_config: str, processed_dir: str = "", step: str | None = None) -> tuple[RunConfig, Path]:
    """What every analysis notebook starts with: the validated run config (the bundle's
    ``run_config.json`` under the pipeline, a YAML file interactively) and the folder of the
    run's processed tables. With ``step``, the config shows only that step's declared
    sections (``settings.ScopedConfig``): its cache key hashes those, so reading another
    would give a stale cache hit when that section changes."""
    from fragile_care.lifetime import watch_parent

    if processed_dir:  # under the pipeline: the kernel stops if the run is killed outright
        watch_parent()
    cfg = load_config(run_config)
    folder = Path(processed_dir) if processed_dir else paths.processed_dir(cfg.run_id)
    return (step_table.scoped(cfg, step) if step else cfg), folder
