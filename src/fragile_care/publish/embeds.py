"""Checks that every ``{{< embed >}}`` in the reports resolves to a labelled cell.

Quarto embeds the outputs of a notebook cell by its label (``#| label: fig-x``). A report
that names a missing notebook, a missing label, or a cell without output would render
with a hole or fail; these checks find that before rendering, without Quarto.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

EMBED_RE = re.compile(r"\{\{<\s*embed\s+([^\s#>]+)#([^\s>]+)(?:\s[^>]*)?>\}\}")
LABEL_RE = re.compile(r"^#\|\s*label:\s*(\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Embed:
    report: str
    line: int
    notebook: str
    label: str
    landscape: bool = False  # inside a ``::: landscape`` div (a landscape page in the PDF)


_DIV_OPEN = re.compile(r"^:{3,}\s*\{?\.?([\w-]+)")
_DIV_CLOSE = re.compile(r"^:{3,}\s*$")


def find_embeds(qmd: Path) -> list[Embed]:
    """Every embed shortcode in a Quarto document, with its line number and whether it sits
    in a landscape div."""
    embeds = []
    divs: list[str] = []
    for no, line in enumerate(qmd.read_text(encoding="utf-8").splitlines(), start=1):
        if _DIV_CLOSE.match(line):
            divs = divs[:-1]
        elif m := _DIV_OPEN.match(line):
            divs.append(m[1])
        for m in EMBED_RE.finditer(line):
            embeds.append(Embed(qmd.name, no, m[1], m[2], "landscape" in divs))
    return embeds


def cell_labels(notebook: Path) -> dict[str, bool]:
    """Label -> whether the cell has at least one displayable output. ``notebook`` is an
    executed ``.ipynb`` or a notebook's Jupytext source (``.py``, no outputs)."""
    if notebook.suffix == ".py":
        import jupytext

        nb = jupytext.read(notebook, fmt="py:percent")
    else:
        nb = nbformat.read(notebook, as_version=4)
    labels: dict[str, bool] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        m = LABEL_RE.search(cell.source)
        if m:
            outputs = [o for o in cell.get("outputs", []) if o.get("output_type") in ("display_data", "execute_result")]
            labels[m[1]] = bool(outputs)
    return labels


def check_embeds(qmd_files: list[Path], notebook_dir: Path, require_output: bool = True, notebook_map=None) -> list[str]:
    """Problems with the embeds of ``qmd_files`` against the notebooks in ``notebook_dir``.

    ``notebook_map`` turns the path written in the report into a file name in
    ``notebook_dir`` (default: the base name). Returns ``REPORT:LINE: problem`` lines.
    """
    problems = []
    cache: dict[Path, dict[str, bool]] = {}
    for qmd in qmd_files:
        for e in find_embeds(qmd):
            name = notebook_map(e.notebook) if notebook_map else Path(e.notebook).name
            nb_path = notebook_dir / name
            where = f"{e.report}:{e.line}"
            if e.notebook.startswith(".."):
                problems.append(f"{where}: embed path {e.notebook!r} starts with '..' (Quarto's PDF output cannot follow it)")
            if not nb_path.is_file():
                problems.append(f"{where}: notebook {e.notebook!r} not found")
                continue
            labels = cache.setdefault(nb_path, cell_labels(nb_path))
            if e.label not in labels:
                problems.append(f"{where}: no cell labelled {e.label!r} in {e.notebook}")
            elif require_output and not labels[e.label]:
                problems.append(f"{where}: cell {e.label!r} in {e.notebook} has no output")
    return problems


def front_matter(qmd: Path) -> dict:
    """The YAML front matter of a Quarto document (raises ValueError when absent or invalid)."""
    text = qmd.read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    if not m:
        raise ValueError(f"{qmd.name}: no YAML front matter")
    data = yaml.safe_load(m[1])
    if not isinstance(data, dict):
        raise ValueError(f"{qmd.name}: front matter is not a mapping")
    return data


def embedded_tables(qmd_files: list[Path], notebook_dir: Path):
    """Every Markdown table the reports embed, as the reader sees its cells: yields
    (report, label, landscape, frame of text)."""
    import pandas as pd

    for qmd in qmd_files:
        for e in find_embeds(qmd):
            for _, _, text in embedded_outputs([qmd], notebook_dir, only=e.label):
                lines = [line for line in text.splitlines() if line.startswith("|")]
                if len(lines) >= 3:
                    header = _cells(lines[0])
                    yield qmd.name, e.label, e.landscape, pd.DataFrame([_cells(x) for x in lines[2:]], columns=header)


def embedded_outputs(qmd_files: list[Path], notebook_dir: Path, only: str | None = None):
    """The Markdown output of every cell that the reports embed (or of the cell labelled
    ``only``): yields (report, label, text), one per output. Used to prove disclosure
    control on what a reader sees."""
    cache: dict[Path, dict[str, list[str]]] = {}
    for qmd in qmd_files:
        for e in find_embeds(qmd):
            if only is not None and e.label != only:
                continue
            nb_path = notebook_dir / Path(e.notebook).name
            if nb_path not in cache:
                outputs: dict[str, list[str]] = {}
                for cell in nbformat.read(nb_path, as_version=4).cells:
                    m = LABEL_RE.search(cell.source) if cell.cell_type == "code" else None
                    if m:
                        outputs[m[1]] = [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
                cache[nb_path] = outputs
            for text in cache[nb_path].get(e.label, []):
                yield qmd.name, e.label, text


def embedded_table_rows(qmd_files: list[Path], notebook_dir: Path):
    """Every row of every Markdown table that the reports embed: yields (report, label,
    {column header: cell text})."""
    for report, label, text in embedded_outputs(qmd_files, notebook_dir):
        lines = [line for line in text.splitlines() if line.startswith("|")]
        if len(lines) < 3:
            continue
        header = _cells(lines[0])
        for line in lines[2:]:
            yield report, label, dict(zip(header, _cells(line)))


def embedded_table_cells(qmd_files: list[Path], notebook_dir: Path):
    """Every cell of every Markdown table that the reports embed: yields
    (report, label, column header, cell text)."""
    for report, label, row in embedded_table_rows(qmd_files, notebook_dir):
        for column, value in row.items():
            yield report, label, column, value


_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> list[str]:
    """The cells of a pipe-table row as the reader sees them: split at unescaped ``|``,
    backslash escapes removed (``md_escape`` reversed)."""
    inner = line.strip()[1:]
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [re.sub(r"\\(.)", r"\1", cell.strip()) for cell in _CELL_SPLIT.split(inner)]


def strip_html_outputs(notebook: Path) -> int:
    """Remove ``text/html`` from outputs that also carry another representation (pandas'
    table previews of unlabelled cells), so Quarto does not add require.js and jQuery from a
    CDN to the self-contained HTML reports. The text (``text/plain``) stays for the audit.
    Returns how many outputs were changed."""
    nb = nbformat.read(notebook, as_version=4)
    changed = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data and "text/html" in data and len(data) > 1:
                del data["text/html"]
                changed += 1
    if changed:
        nbformat.write(nb, notebook)
    return changed
