"""The published notebook pages: what a reader of a report finds behind a "Källa" link.

An executed notebook holds every value, small counts included (the audit needs them), in
the outputs of its unlabelled cells: tables of the raw data, the key numbers before
formatting. Its published page must show no more than the reports do (issue 32). A page
therefore keeps every cell's source (the audit trail: what was computed, in which cell),
the markdown prose, and the outputs of the cells the reports embed, which the same
protected code made (``disclosure.PublishedCounts``, ``formatting.md_escape``) and which the
disclosure tests scan. Every other output is replaced by one line saying that the audited
notebook in the bundle's internal part holds it. What is kept is chosen by a list of labels,
never by looking at the values, so a new unlabelled output can never slip through.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from fragile_care.publish.embeds import LABEL_RE

# Output kinds a kept (embedded) cell may show on a page: Quarto embeds the same. Stream
# text (print) and errors are never published; nor is an HTML representation (pandas'
# tables) nor plain text beside nothing else (a bare data frame).
KEPT_MIMES = ("text/markdown", "image/png", "image/svg+xml", "image/jpeg")

WITHHELD_NOTE = (
    "*Cellens utdata visas inte på den publicerade sidan: de kan innehålla små antal som rapporterna döljer. "
    "Den granskade notebooken `{internal}` i körningens interna del (lämnas inte ut) innehåller dem.*"
)


def _label(cell: dict[str, Any]) -> str | None:
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    m = LABEL_RE.search(source)
    return m[1] if m else None


def _published_output(output: dict[str, Any]) -> dict[str, Any] | None:
    """An embedded cell's output as published: its markdown and images (with the plain-text
    fallback Quarto needs beside an image), or None for anything else."""
    if output.get("output_type") not in ("display_data", "execute_result"):
        return None
    data = output.get("data") or {}
    kept = {k: v for k, v in data.items() if k in KEPT_MIMES}
    if not kept:
        return None
    if "text/plain" in data and any(k.startswith("image/") for k in kept):
        kept["text/plain"] = data["text/plain"]  # "<Figure size …>": no data in it
    out = {k: v for k, v in output.items() if k != "data"}
    out["data"] = kept
    return out


def protect_page(notebook: dict[str, Any], embedded: set[str], internal: str) -> dict[str, Any]:
    """A copy of ``notebook`` (nbformat 4 as a dict) fit to publish: the outputs of the
    cells labelled in ``embedded`` that the reports print (markdown, images), and for every
    other cell with output a note naming ``internal``, the path of the audited notebook in
    the bundle's internal part. Markdown cells and cell sources are kept."""
    page = copy.deepcopy(notebook)
    note = {
        "output_type": "display_data",
        "metadata": {},
        "data": {"text/markdown": WITHHELD_NOTE.format(internal=internal), "text/plain": "(utdata i den interna notebooken)"},
    }
    for cell in page.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            # the run's folders on the machine that ran it: the page names the file only
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = re.sub(r'"/[^"\n]*?([^"/\n]*)"', r'"…/\1"', source)
        if cell.get("cell_type") != "code" or not cell.get("outputs"):
            continue
        label = _label(cell)
        kept = [o for o in (_published_output(o) for o in cell["outputs"]) if o is not None] if label in embedded else []
        withheld = len(kept) < len(cell["outputs"])
        cell["outputs"] = kept + ([copy.deepcopy(note)] if withheld else [])
    return page


def withheld_outputs(notebook: dict[str, Any]) -> int:
    """How many cells of a page carry the withheld-output note."""
    marker = WITHHELD_NOTE.split("{")[0]
    return sum(
        any(marker in "".join(o.get("data", {}).get("text/markdown", "")) for o in cell.get("outputs", []))
        for cell in notebook.get("cells", [])
        if cell.get("cell_type") == "code"
    )
