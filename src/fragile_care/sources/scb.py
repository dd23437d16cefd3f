"""Refresh public series from Statistics Sweden's (SCB) PxWeb API.

``fragile-care fetch-scb`` asks SCB's statistical database (PxWeb API v1,
``https://api.scb.se/OV0104/v1/doris/sv/ssd/``) for each series in :data:`SERIES` as
JSON-stat 2.0, checks the response's shape, turns it into a long table and writes it with
its provenance into ``data/raw/public/scb/``. The committed public files are never
overwritten: a refreshed series is a new file beside them, so the raw data stay read-only
and an analyst decides when to use it.

Before the data request, the table's metadata (GET on the same address) is read and every
variable code and value of the query is checked against it: when SCB renames a code, the
error names the variable and lists what the table offers, instead of failing obscurely.
Offline, or when SCB does not answer, nothing is written and the error says so.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from fragile_care import paths
from fragile_care.inputs import io

API = "https://api.scb.se/OV0104/v1/doris/sv/ssd/"


class ScbUnavailable(RuntimeError):
    """SCB's API could not be reached (offline, timeout, HTTP error)."""


class ScbResponseError(ValueError):
    """SCB answered with something this module does not understand; nothing was written."""


@dataclass(frozen=True)
class Series:
    """One PxWeb query: table path, selections (variable code -> value codes, ``["*"]``
    for all) and what the values are."""

    name: str
    path: str
    selection: dict[str, list[str]]
    description: str
    value_name: str = "value"
    notes: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return API + self.path

    def query(self) -> dict[str, Any]:
        return {
            "query": [
                {"code": code, "selection": {"filter": "all" if values == ["*"] else "item", "values": values}}
                for code, values in self.selection.items()
            ],
            "response": {"format": "json-stat2"},
        }


SERIES = {
    s.name: s
    for s in (
        Series(
            "vgr_live_births_monthly",
            "BE/BE0101/BE0101G/ManadBefStatRegion",
            {"Region": ["14"], "Forandringar": ["115"], "Kon": ["1+2"], "Tid": ["*"]},
            "Live births per month, Västra Götaland county (14), SCB TAB1625 (2000M01-2024M12)",
            "live_births",
            ["Forandringar 115 = födda (live births); from 2025 SCB publishes months in MBefStatRegionCKM (TAB6473)"],
        ),
        Series(
            "vgr_population_by_age_sex",
            "BE/BE0101/BE0101A/BefolkningNy",
            {"Region": ["14"], "Alder": ["*"], "Kon": ["1", "2"], "ContentsCode": ["BE0101N1"], "Tid": ["*"]},
            "Population 31 December by age and sex, Västra Götaland county (14), SCB BefolkningNy",
            "persons",
        ),
        Series(
            "sweden_population_projection",
            "BE/BE0401/BE0401A/BefolkprognRev2022",
            {"Alder": ["*"], "Kon": ["2"], "Tid": ["*"]},
            "SCB national population projection (women by age), BE0401",
            "persons",
            ["the projection table is replaced when SCB publishes a new projection; update the path then"],
        ),
    )
}


# ----------------------------------------------------------------------------- parsing (offline-testable)
def parse_jsonstat2(obj: Any, value_name: str = "value") -> pd.DataFrame:
    """A JSON-stat 2.0 dataset as a long table: per dimension its code and label columns
    (``<dim>`` and ``<dim>_label``), then ``value_name``. Values are in row-major order
    with the last dimension varying fastest (JSON-stat 2.0, "value"); a sparse ``value``
    object (index -> value) is accepted; missing values are NaN.

    Raises ScbResponseError naming what is wrong with the shape.
    """
    if not isinstance(obj, dict):
        raise ScbResponseError(f"expected a JSON object, got {type(obj).__name__}")
    if obj.get("class") != "dataset":
        raise ScbResponseError(f"expected a JSON-stat 2.0 dataset (class 'dataset'), got class {obj.get('class')!r}")
    for key in ("id", "size", "dimension", "value"):
        if key not in obj:
            raise ScbResponseError(f"JSON-stat dataset lacks {key!r}")
    ids, sizes, dims = obj["id"], obj["size"], obj["dimension"]
    if not isinstance(ids, list) or not isinstance(sizes, list) or len(ids) != len(sizes):
        raise ScbResponseError("JSON-stat 'id' and 'size' must be lists of the same length")
    categories = []
    for dim_id, size in zip(ids, sizes):
        cat = (dims.get(dim_id) or {}).get("category") if isinstance(dims, dict) else None
        if not isinstance(cat, dict) or "index" not in cat:
            raise ScbResponseError(f"dimension {dim_id!r} lacks category.index")
        index = cat["index"]
        codes = sorted(index, key=index.get) if isinstance(index, dict) else list(index)
        if len(codes) != size:
            raise ScbResponseError(f"dimension {dim_id!r} has {len(codes)} categories but size {size}")
        labels = cat.get("label") or {}
        categories.append((dim_id, codes, [labels.get(c, c) for c in codes]))
    total = math.prod(sizes)
    values = obj["value"]
    if isinstance(values, dict):
        dense: list[Any] = [None] * total
        for k, v in values.items():
            if not str(k).isdigit() or int(k) >= total:
                raise ScbResponseError(f"sparse value index {k!r} outside 0-{total - 1}")
            dense[int(k)] = v
        values = dense
    if not isinstance(values, list) or len(values) != total:
        raise ScbResponseError(
            f"JSON-stat 'value' has {len(values) if isinstance(values, list) else '?'} entries, expected {total} (product of size)"
        )
    grid = pd.MultiIndex.from_product([codes for _, codes, _ in categories], names=[d for d, _, _ in categories]).to_frame(index=False)
    for dim_id, codes, labels in categories:
        grid[f"{dim_id}_label"] = grid[dim_id].map(dict(zip(codes, labels)))
    grid[value_name] = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce")
    return grid


def check_query_against_metadata(series: Series, metadata: Any) -> None:
    """Raise ScbResponseError when a variable or value of the query is not in the table's
    metadata (PxWeb v1: {"title": ..., "variables": [{"code", "values", "valueTexts"}]})."""
    if not isinstance(metadata, dict) or not isinstance(metadata.get("variables"), list):
        raise ScbResponseError(f"{series.path}: metadata without a 'variables' list")
    offered = {v.get("code"): v for v in metadata["variables"] if isinstance(v, dict)}
    for code, values in series.selection.items():
        if code not in offered:
            raise ScbResponseError(f"{series.path}: the table has no variable {code!r} (it has: {', '.join(map(str, offered))})")
        if values == ["*"]:
            continue
        known = set(offered[code].get("values") or [])
        missing = [v for v in values if v not in known]
        if missing:
            texts = dict(zip(offered[code].get("values") or [], offered[code].get("valueTexts") or []))
            sample = ", ".join(f"{k} ({t})" for k, t in list(texts.items())[:12])
            raise ScbResponseError(f"{series.path}: variable {code!r} has no value {', '.join(missing)}; it offers {sample}")


def tidy(series: Series, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the source and, for monthly data, a ``month`` column (YYYY-MM from 2024M07)."""
    out = frame.copy()
    if "Tid" in out and out["Tid"].astype(str).str.fullmatch(r"\d{4}M\d{2}").all():
        out["month"] = out["Tid"].str[:4] + "-" + out["Tid"].str[5:]
    out["source"] = f"SCB PxWeb {series.path}"
    return out


# ----------------------------------------------------------------------------- network
def _request(url: str, payload: dict | None, timeout: float) -> Any:
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", "User-Agent": "fragile-care"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (fixed https address)
            body = resp.read()
    except urllib.error.HTTPError as exc:
        raise ScbUnavailable(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ScbUnavailable(f"cannot reach {url} ({reason}); is the machine online?") from None
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScbResponseError(f"{url}: the answer is not JSON ({exc})") from None


def fetch(series: Series, timeout: float = 30.0) -> pd.DataFrame:
    """Check the query against the table's metadata, then fetch and parse the data."""
    check_query_against_metadata(series, _request(series.url, None, timeout))
    return tidy(series, parse_jsonstat2(_request(series.url, series.query(), timeout), series.value_name))


def write_series(series: Series, frame: pd.DataFrame, out_dir: Path | None = None) -> Path:
    """Write ``<name>.csv`` and ``<name>.provenance.json`` (address, query, time, sha256)."""
    out_dir = out_dir or paths.public_dir() / "scb"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{series.name}.csv"
    tmp = out_dir / f".tmp-{series.name}.csv"
    io.write_csv(frame, tmp)
    tmp.replace(target)
    io.write_json(
        {
            "series": series.name,
            "description": series.description,
            "url": series.url,
            "query": series.query(),
            "fetched_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "rows": len(frame),
            "sha256": io.sha256_file(target),
            "notes": series.notes,
        },
        out_dir / f"{series.name}.provenance.json",
    )
    return target
