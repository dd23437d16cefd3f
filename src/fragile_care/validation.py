"""Messages for settings that fail their schema (pydantic models), in this project's words.

Every message names the key (dotted, ``capacity.arrival_profile.peak_hour``), the value and
what is allowed, and suggests the nearest key for an unknown one ("did you mean"). Used by
the run configuration and by every settings model of the package (norms, capacity), so a
bad value reads the same wherever it is caught.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

import annotated_types as at
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo


class KeyedError(ValueError):
    """A check of meaning that names its own key (raised inside model validators): the
    whole dotted key, or with ``relative=True`` a key below the field that failed (the
    model layer does not know where in a configuration its settings sit)."""

    def __init__(self, key: str, text: str, relative: bool = False) -> None:
        super().__init__(f"{key}: {text}")
        self.key = key
        self.text = text
        self.relative = relative


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _field(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[FieldInfo | None, type[BaseModel] | None]:
    """The field a location points at and the model that holds it."""
    current: Any = model
    info = None
    holder = None
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            fields = {f.alias or name: f for name, f in current.model_fields.items()}
            info = fields.get(part)
            holder = current
            if info is None:
                return None, holder
            annotation = info.annotation
            current = _inner_model(annotation)
        else:
            current = _inner_model(current) if current is not None else None
    return info, holder


def _inner_model(annotation: Any) -> Any:
    """The pydantic model inside an annotation such as ``Model | None`` or ``list[Model]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


def bounds(info: FieldInfo | None) -> str | None:
    """``1-53`` or ``above 0-72`` from a field's range constraints."""
    if info is None:
        return None
    lo = hi = None
    lo_open = False
    for meta in info.metadata:
        if isinstance(meta, at.Ge):
            lo = meta.ge
        elif isinstance(meta, at.Gt):
            lo, lo_open = meta.gt, True
        elif isinstance(meta, at.Le):
            hi = meta.le
        elif isinstance(meta, at.Lt):
            hi = meta.lt
    if lo is None or hi is None:
        return None
    return f"{'above ' if lo_open else ''}{lo:g}-{hi:g}"


def _allowed_keys(holder: type[BaseModel] | None) -> list[str]:
    if holder is None:
        return []
    return [f.alias or name for name, f in holder.model_fields.items()]


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else repr(value)


def _yaml_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false value"
    if isinstance(value, (int, float)):
        return "number"
    return "date"


def message(model: type[BaseModel], error: dict[str, Any], prefix: str = "") -> str:
    """One pydantic error as a sentence that names the key and what is allowed."""
    loc = tuple(error.get("loc", ()))
    kind = error.get("type", "")
    value = error.get("input")
    exc = (error.get("ctx") or {}).get("error")
    if isinstance(exc, KeyedError):
        key = f"{prefix}{_dotted(loc)}.{exc.key}" if exc.relative else f"{prefix}{exc.key}"
        return f"{key}: {exc.text}"
    key = prefix + _dotted(loc)
    info, holder = _field(model, loc)
    if kind == "extra_forbidden":
        parent = prefix + _dotted(loc[:-1])
        dot = f"{parent}." if parent else ""
        allowed = _allowed_keys(holder)  # the model that holds the unknown key
        near = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"; did you mean {dot}{near[0]!r}?" if near else ""
        return f"unknown key {dot}{loc[-1]!r}{hint} (allowed: {', '.join(dot + k for k in allowed)})"
    described = info.description if info is not None and info.description else None
    if kind == "missing":
        return f"missing required key {key!r}" + (f"; allowed: {described}" if described else "")
    rng = bounds(info)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{key}: {value!r} is not a whole number" + (f"; allowed: {rng}" if rng else "")
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"{key}: {value!r} is not a number" + (f"; allowed: {rng}" if rng else "")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{key}: {_num(value)} is out of range" + (f"; allowed: {rng}" if rng else "")
    if kind == "literal_error":
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"{key}: {value!r} is not allowed; allowed: {expected.replace(' or ', ', ').replace(chr(39), '')}"
    if kind in ("string_type", "str_type"):
        hint = ""
        if isinstance(value, (bool, int, float, dt.date)):
            # YAML 1.1 reads 2026_2 as 20262, 1e3 as 1000.0, yes as true and 2026-06-01 as a date
            hint = f' (YAML read what was written as a {_yaml_kind(value)}); write the value in quotes, e.g. "..."'
        return f"{key}: {value!r} is not text{hint}" + (f"; allowed: {described}" if described else "")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{key}: must be a mapping of keys" + (f" ({described})" if described else "")
    if kind in ("list_type", "tuple_type"):
        return f"{key}: must be a list" + (f" ({described})" if described else "")
    if exc is not None:
        return f"{key}: {exc}" if key else str(exc)
    return f"{key}: {error.get('msg', 'not allowed')}" + (f"; allowed: {described}" if described else "")


def messages(model: type[BaseModel], exc: ValidationError, prefix: str = "") -> list[str]:
    """Every error of a validation, each as :func:`message` words it."""
    return [message(model, e, prefix) for e in exc.errors()]
