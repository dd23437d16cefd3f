"""Unit harmonisation: aliases of unit names, merges of closed units into others."""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fragile_care.inputs.parsing import (
    CellError,
)
from fragile_care.inputs.quality import (
    Problem,
)
from fragile_care.inputs.schemas import (
    REGIONAL_OWNER,
    TableSchema,
)


@dataclass(frozen=True)
class Merge:
    """A delivery unit that closed and whose activity moved to another unit."""

    from_unit: str
    into_unit: str
    effective: dt.date


@dataclass(frozen=True)
class Harmonisation:
    """How unit names in the sources map to unit ids.

    ``aliases`` maps a spelling found in exports (case-insensitive) to a unit id, in
    addition to the unit names and the ``aliases`` column of the units table;
    ``merges`` lists closed units whose whole history is added to the receiving unit, so
    that its series covers the same catchment before and after the merge. ``None`` (the
    default) takes the merges from the units table (``merged_into`` and ``closed``).
    """

    aliases: dict[str, str] = field(default_factory=dict)
    merges: tuple[Merge, ...] | None = None


def fold(text: Any) -> str:
    """A unit spelling as compared: trimmed, case-folded, without diacritics and with single
    spaces, so ``ÖSTRA``, ``Östra`` and ``ostra`` are the same name."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@dataclass(frozen=True)
class UnitRegistry:
    """Known unit ids and the aliases that resolve to them.

    Every spelling (unit id, name, the ``aliases`` column, ``harmonisation.aliases``) is
    compared folded (:func:`fold`). A spelling that would resolve to two units is never
    decided silently: it is listed in ``conflicts`` (errors naming both rows or the config
    key), and the caller refuses the data set."""

    ids: frozenset[str]
    aliases: dict[str, str]
    conflicts: tuple[Problem, ...] = ()
    owners: frozenset[str] = frozenset()  # who may own an activity: the administrations and the regional office

    @classmethod
    def build(
        cls, units: pd.DataFrame, harmonisation: Harmonisation, file: str = "units.csv", lines: list[int] | None = None
    ) -> UnitRegistry:
        ids = frozenset(units["unit_id"].astype(str))
        aliases: dict[str, str] = {}
        where: dict[str, str] = {}  # folded spelling -> where it was first given
        conflicts: list[Problem] = []
        rows = lines if lines is not None and len(lines) == len(units) else [None] * len(units)
        extra = units["aliases"] if "aliases" in units else pd.Series([None] * len(units))

        def claim(spelling: str, uid: str, line: int | None, column: str, source: str) -> None:
            key = fold(spelling)
            if not key:
                return
            owner = aliases.get(key)
            if owner is not None and owner != uid:
                conflicts.append(
                    Problem(
                        file,
                        line,
                        column,
                        "error",
                        f"{spelling!r} ({source}) would name both {owner} ({where[key]}) and {uid}; "
                        "a spelling may name one unit only (case and diacritics are ignored)",
                        "",
                        "units",
                    )
                )
                return
            aliases.setdefault(key, uid)
            where.setdefault(key, source)

        for uid, line in zip(units["unit_id"].astype(str), rows):  # ids first: a name never takes an id
            claim(uid, uid, line, "unit_id", f"unit_id on row {line}" if line is not None else f"unit_id {uid}")
        for uid, name, more, line in zip(units["unit_id"].astype(str), units["name"], extra, rows):
            at = f"row {line}" if line is not None else f"unit {uid}"
            claim(str(name), uid, line, "name", f"name on {at}")
            for alias in str(more or "").split("|"):
                if alias.strip():
                    claim(alias.strip(), uid, line, "aliases", f"aliases on {at}")
        for alias, uid in harmonisation.aliases.items():
            if str(uid) not in ids:
                conflicts.append(
                    Problem(
                        "run configuration",
                        None,
                        "harmonisation.aliases",
                        "error",
                        f"alias {alias!r} points to {uid!r}, which is not a unit in {file} (known: {', '.join(sorted(ids))})",
                        "",
                        "units",
                    )
                )
                continue
            claim(str(alias), str(uid), None, "harmonisation.aliases", f"harmonisation.aliases[{alias!r}] in the run configuration")
        administrations = set(units["administration"].astype(str)) if "administration" in units else set()
        return cls(ids, aliases, tuple(conflicts), frozenset(administrations | {REGIONAL_OWNER}))

    def resolve(self, value: Any) -> tuple[str, str | None]:
        text = str(value).strip()
        if text in self.ids:
            return text, None
        hit = self.aliases.get(fold(text))
        if hit is not None:
            return hit, f"unit {text!r} harmonised to {hit}"
        near = difflib.get_close_matches(text, sorted(self.ids | set(self.aliases)), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise CellError(f"unknown unit id {text!r}{hint} (known: {', '.join(sorted(self.ids))})")


def apply_merges(frame: pd.DataFrame, schema: TableSchema, merges: tuple[Merge, ...], file: str) -> tuple[pd.DataFrame, list[Problem], int]:
    """Move every row of a merged unit to the receiving unit and add up rows that then share
    a key. Returns the new frame, one log entry per moved row, and how many rows were
    combined away."""
    unit_cols = [c.name for c in schema.columns if c.kind == "unit" and c.name in frame]
    if not merges or frame.empty or not unit_cols:
        return frame, [], 0
    mapping = {m.from_unit: m.into_unit for m in merges}
    problems: list[Problem] = []
    out = frame.copy()
    for col in unit_cols:
        moved = out[col].isin(list(mapping))
        for uid, count in out.loc[moved, col].value_counts().sort_index().items():
            problems.append(
                Problem(
                    file,
                    None,
                    col,
                    "repaired",
                    f"{count} row(s) of merged unit {uid}",
                    f"moved to {mapping[uid]} (harmonisation.merges)",
                    schema.name,
                    int(count),  # the entry stands for every row moved, as the row accounting counts them
                )
            )
        out[col] = out[col].replace(mapping)
    key = [k for k in schema.key]
    numeric = [c.name for c in schema.columns if c.kind in ("count", "number") and c.name in out]
    before = len(out)
    if out.duplicated(key).any():
        agg = {c: "sum" for c in numeric}
        for c in out.columns:
            if c not in key and c not in agg:
                agg[c] = "first"
        out = out.groupby(key, as_index=False, sort=False, dropna=False).agg(agg)[frame.columns.tolist()]
    return out, problems, before - len(out)


def merges_from_units(units: pd.DataFrame) -> tuple[Merge, ...]:
    """Merges recorded in the units table: a unit with ``merged_into`` and ``closed``."""
    if "merged_into" not in units:
        return ()
    out = []
    for _, row in units.iterrows():
        target = row["merged_into"]
        if target is not None and not pd.isna(target):
            closed = row.get("closed")
            day = closed.date() if isinstance(closed, pd.Timestamp) else dt.date.min
            out.append(Merge(str(row["unit_id"]), str(target), day))
    return tuple(out)


def merge_cycles(target: dict[str, str], order: list[str]) -> list[list[str]]:
    """The cycles of a "merged into" map (a unit merged into one of the units merged into
    it, or into itself), each once: the chain walked from each unit of ``order`` until it
    comes back, the cycle written from the unit where the chain enters it."""
    cycles: list[list[str]] = []
    reported: set[str] = set()
    for start in order:
        chain = [start]
        while chain[-1] in target and target[chain[-1]] not in chain:
            chain.append(target[chain[-1]])
        if chain[-1] not in target:
            continue  # the chain ends at a unit that was not merged away
        cycle = chain[chain.index(target[chain[-1]]) :]
        if cycle[0] not in reported:
            reported.update(cycle)
            cycles.append(cycle)
    return cycles


def check_merges(harmonisation: Harmonisation, registry: UnitRegistry, file: str, problems: list[Problem]) -> None:
    def config_error(text: str) -> Problem:
        return Problem("run configuration", None, "harmonisation.merges", "error", text, "", "units")

    for merge in harmonisation.merges:
        for uid in (merge.from_unit, merge.into_unit):
            if uid not in registry.ids:
                problems.append(Problem(file, None, "unit_id", "error", f"harmonisation.merges names unknown unit {uid!r}", "", "units"))
    into: dict[str, str] = {}
    for merge in harmonisation.merges:
        if into.get(merge.from_unit, merge.into_unit) != merge.into_unit:
            problems.append(
                config_error(
                    f"{merge.from_unit} is merged into both {into[merge.from_unit]} and {merge.into_unit}; a unit is merged into one unit"
                )
            )
        into[merge.from_unit] = merge.into_unit
    for cycle in merge_cycles(into, list(into))[:1]:
        problems.append(
            config_error(
                f"the merges form a cycle {' -> '.join([*cycle, cycle[0]])}; no unit would receive the merged activity: "
                "merge each closed unit into a unit that stays open"
            )
        )


def closed_without_merge(units: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Units closed without a merge (``closed`` set, no ``merged_into``) and the day each
    closed: their rows stop there, and their births leave the region's totals (a merged
    unit's rows move to the receiving unit instead)."""
    if "closed" not in units:
        return {}
    merged = units["merged_into"] if "merged_into" in units else pd.Series(None, index=units.index)
    closed = units[units["closed"].notna() & merged.isna()]
    return {str(u): pd.Timestamp(c) for u, c in zip(closed["unit_id"], closed["closed"])}


def is_open(closed: Any, month: pd.Timestamp | None = None) -> bool:
    if closed is None or pd.isna(closed):
        return True
    return month is not None and month < closed
