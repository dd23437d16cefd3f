"""Documentation generated from the code (``fragile-care docs``).

A generated part of a Markdown file lies between ``<!-- generated:NAME start -->`` and
``<!-- generated:NAME end -->``; :func:`write_docs` rewrites each such part from its
generator, the text around it is written by hand. :data:`GENERATED` lists the parts: the
assumptions log (``docs/assumptions.md``), made by :func:`assumptions_markdown` from the
assumption markers in ``src``, ``analysis``, ``config`` and ``reports``; the step table and
the list of processed tables in ``docs/architecture.md`` (:func:`steps_markdown`,
:func:`tables_markdown`, from ``run/steps.py`` and ``publish/catalog.py``).

A marker is the word in capitals (as :data:`MARKER_RE` matches it) in a comment, a
docstring, a pydantic ``Field`` description or a YAML comment. What it affects is read from
the code around it: the run-configuration setting whose ``Field`` or YAML key holds it, the
section model whose docstring holds it, else the constant, function, class or module.

Layer: above every other module (it reads the run configuration's schema); only the CLI and
the tests import it. This file itself is not scanned (it names the marker).
"""

from __future__ import annotations

import ast
import io as _io
import re
import tokenize
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from fragile_care import paths

MARKER_RE = re.compile(r"\bASSUMPTIONS?\b")
SCANNED = ("src", "analysis", "config", "reports")  # folders of the project, as `grep -rn` in the docs
SUFFIXES = (".py", ".yaml", ".yml", ".qmd", ".lua", ".md")
_LEADING_MARKER_RE = re.compile(r"^\s*\bASSUMPTIONS?\b\s*[:;,.-]?\s*")
_YAML_KEY_RE = re.compile(r"^(\s*)([A-Za-z_][\w.-]*)\s*:(.*)$")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(`:])")


# ----------------------------------------------------------------------------- generated parts
class MarkerError(ValueError):
    """A file lacks the markers of a generated part (or has them out of order)."""


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- generated:{name} start -->", f"<!-- generated:{name} end -->"


def replace_generated(text: str, name: str, content: str) -> str:
    """``text`` with what lies between the markers of the generated part ``name`` replaced by
    ``content`` (one newline after the start marker and before the end marker); the text
    outside the markers is unchanged. Raises :class:`MarkerError` naming the marker that is
    missing, repeated or out of order."""
    start, end = _markers(name)
    for marker in (start, end):
        count = text.count(marker)
        if count != 1:
            raise MarkerError(f"{'no' if count == 0 else f'{count} times the'} marker {marker!r}: expected it once")
    head, rest = text.split(start)
    if end not in rest:
        raise MarkerError(f"the marker {end!r} comes before {start!r}")
    _, tail = rest.split(end)
    return f"{head}{start}\n{content.strip(chr(10))}\n{end}{tail}"


Generator = Callable[[], str]


def render_docs(parts: Iterable[tuple[Path, str, Generator]] | None = None) -> dict[Path, str]:
    """Each file of ``parts`` (file, part name, generator; default :data:`GENERATED`) with its
    generated parts as the generators make them now."""
    texts: dict[Path, str] = {}
    for file, name, generator in GENERATED if parts is None else parts:
        text = texts.get(file) if file in texts else file.read_text(encoding="utf-8")
        texts[file] = replace_generated(text, name, generator())
    return texts


def write_docs(parts: Iterable[tuple[Path, str, Generator]] | None = None) -> list[Path]:
    """Rewrite the generated parts (:func:`render_docs`); the files that changed."""
    changed = []
    for file, text in render_docs(parts).items():
        if file.read_text(encoding="utf-8") != text:
            file.write_text(text, encoding="utf-8")
            changed.append(file)
    return changed


# ----------------------------------------------------------------------------- the settings
@dataclass(frozen=True)
class Setting:
    path: str  # as written in a run configuration, e.g. ``postnatal.los_vaginal_days``
    default: object
    section: bool  # a model of its own (a section or a nested group of settings)


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def run_settings() -> tuple[dict[str, Setting], dict[tuple[str, str], str]]:
    """Every setting of the run configuration by its path, in the order of the schema, and
    the path of each model of settings by (module, class name)."""
    from fragile_care.run.settings import RunFile

    settings: dict[str, Setting] = {}
    models: dict[tuple[str, str], str] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            path = f"{prefix}{info.alias or name}"
            nested = _models_in(info.annotation)
            settings[path] = Setting(path, info.get_default(call_default_factory=True), bool(nested))
            for sub in nested:
                models.setdefault((sub.__module__, sub.__qualname__), path)
                walk(sub, f"{path}.")

    walk(RunFile, "")
    return settings, models


def flow(value: object) -> str:
    """A value as YAML's flow style writes it (``{ic: 1.0, hd: 0.5}``)."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return "null" if value is None else str(value)


# ----------------------------------------------------------------------------- the markers
@dataclass(frozen=True)
class Assumption:
    """One marker: where it is, what it says, what it affects."""

    file: str  # relative to the project root
    line: int
    where: str  # the setting, constant, function, class or key it sits in
    text: str  # the assumption as written there (the marker word itself left out at the start)
    affects: str  # Markdown
    setting: str | None = None  # the run configuration's setting, when it is one
    value: str = ""


def marker_files(root: Path | None = None) -> list[Path]:
    """The files scanned for markers: under :data:`SCANNED`, not in folders whose name
    starts with ``.`` or ``_`` (``reports/_output`` holds run bundles), not this module."""
    root = root or paths.project_root()
    found = []
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*")):
            hidden = any(part.startswith((".", "_")) and part != "__init__.py" for part in path.relative_to(root).parts)
            if path.is_file() and path.suffix in SUFFIXES and not hidden and path.resolve() != Path(__file__).resolve():
                found.append(path)
    return found


def _clean(text: str) -> str:
    return _LEADING_MARKER_RE.sub("", " ".join(text.split()))


def _sentence(text: str, occurrence: int) -> str:
    """The sentence of ``text`` (a docstring) holding its ``occurrence``-th marker, within
    its paragraph or list item."""
    blocks: list[list[str]] = [[]]
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("- ", "* ")):
            blocks.append([line[2:]] if line else [])
        else:
            blocks[-1].append(line)
    seen = 0
    for block in (" ".join(b) for b in blocks if b):
        for sentence in _SENTENCE_END_RE.split(block):
            seen += len(MARKER_RE.findall(sentence))
            if seen > occurrence:
                return sentence
    return " ".join(text.split())


def _comments(source: str) -> dict[int, tuple[str, bool]]:
    """Each comment by line: its text and whether code precedes it on the line."""
    found = {}
    for token in tokenize.generate_tokens(_io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = (token.string.lstrip("#").strip(), bool(token.line[: token.start[1]].strip()))
    return found


class _PythonFile:
    """A Python source with what is needed to name the place of a marker in it."""

    def __init__(self, path: Path, rel: str, models: dict[tuple[str, str], str], settings: dict[str, Setting]):
        self.rel, self.models, self.settings = rel, models, settings
        self.source = path.read_text(encoding="utf-8")
        self.tree = ast.parse(self.source)
        parts = Path(rel).with_suffix("").parts
        self.module = ".".join(parts[1:] if parts[0] == "src" else parts)
        self.parent = {child: node for node in ast.walk(self.tree) for child in ast.iter_child_nodes(node)}
        self.strings = [n for n in ast.walk(self.tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        self.comments = _comments(self.source)
        self.statements = [n for n in ast.walk(self.tree) if isinstance(n, ast.stmt)]

    def assumptions(self, lines: list[int]) -> list[Assumption]:
        out = []
        for line in lines:
            string = next((s for s in self.strings if s.lineno <= line <= s.end_lineno and MARKER_RE.search(s.value)), None)
            if string is not None:
                earlier = sum(1 for other in lines if string.lineno <= other < line)
                out.append(self._in_string(line, string, earlier))
            elif line in self.comments:
                out.append(self._in_comment(line))
            else:  # the marker in code (a name, say): the line itself
                owner = self._innermost(line)
                out.append(self._entry(line, owner, _clean(self.source.splitlines()[line - 1])))
        return out

    def _innermost(self, line: int) -> ast.AST:
        around = [s for s in self.statements if s.lineno <= line <= (s.end_lineno or s.lineno)]
        return max(around, key=lambda s: s.lineno) if around else self.tree

    def _in_string(self, line: int, string: ast.Constant, earlier: int) -> Assumption:
        holder = self.parent.get(string)
        if isinstance(holder, ast.Expr) and isinstance(self.parent.get(holder), ast.Module | ast.ClassDef | ast.FunctionDef):
            owner = self.parent[holder]
            if owner.body[0] is holder:  # a docstring
                return self._entry(line, owner, _sentence(string.value, earlier))
        field = next((n for n in self._ancestors(string) if isinstance(n, ast.keyword) and n.arg == "description"), None)
        statement = self._innermost(line)
        return self._entry(line, statement, _clean(string.value) if field else _sentence(string.value, earlier))

    def _in_comment(self, line: int) -> Assumption:
        text, trailing = self.comments[line]
        if trailing:
            return self._entry(line, self._innermost(line), _clean(text))
        first = last = line
        while first - 1 in self.comments and not self.comments[first - 1][1]:
            first -= 1
        while last + 1 in self.comments and not self.comments[last + 1][1]:
            last += 1
        block = " ".join(self.comments[n][0] for n in range(first, last + 1))
        following = [s for s in self.statements if s.lineno > last]
        owner = min(following, key=lambda s: (s.lineno, -(s.end_lineno or 0))) if following else self.tree
        return self._entry(line, owner, _clean(block))

    def _ancestors(self, node: ast.AST) -> list[ast.AST]:
        found = []
        while node in self.parent:
            node = self.parent[node]
            found.append(node)
        return found

    def _entry(self, line: int, owner: ast.AST, text: str) -> Assumption:
        """The assumption at ``line``, placed by the statement or definition ``owner``."""
        classes = [n for n in [owner, *self._ancestors(owner)] if isinstance(n, ast.ClassDef)]
        functions = [n for n in [owner, *self._ancestors(owner)] if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        if isinstance(owner, ast.Module):
            return Assumption(self.rel, line, "module docstring", text, f"`{self.module}`")
        if isinstance(owner, ast.ClassDef):
            path = self.models.get((self.module, owner.name))
            affects = f"the settings `{path}`" if path else f"class `{owner.name}`"
            return Assumption(self.rel, line, f"`{owner.name}` (docstring)", text, affects, path)
        if functions:
            name = ".".join([c.name for c in classes[:1]] + [functions[0].name]) + "()"
            return Assumption(self.rel, line, f"`{name}`", text, f"`{name}`")
        target = owner.target if isinstance(owner, ast.AnnAssign) else (owner.targets[0] if isinstance(owner, ast.Assign) else None)
        name = target.id if isinstance(target, ast.Name) else None
        if classes and name:
            path = self.models.get((self.module, classes[0].name))
            setting = f"{path}.{name}" if path and f"{path}.{name}" in self.settings else None
            value = flow(self.settings[setting].default) if setting else ""
            affects = f"setting `{setting}`" if setting else f"`{classes[0].name}.{name}`"
            return Assumption(self.rel, line, f"`{classes[0].name}.{name}`", text, affects, setting, value)
        if name:
            users = sorted({f.name for f in self.tree.body if isinstance(f, ast.FunctionDef) and self._uses(f, name)})
            affects = ", ".join(f"`{u}()`" for u in users) if users else f"`{name}`"  # the functions that read the constant
            value = ast.unparse(owner.value) if owner.value is not None else ""
            return Assumption(self.rel, line, f"`{name}`", text, affects, None, value)
        return Assumption(self.rel, line, f"line {line}", text, f"`{self.module}`")

    @staticmethod
    def _uses(function: ast.AST, name: str) -> bool:
        return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(function))


def _yaml_assumptions(text: str, rel: str, settings: dict[str, Setting]) -> list[Assumption]:
    """The markers in a YAML file's comments, each placed by the key of its line (a comment
    line by the key above it), found by indentation."""
    out = []
    stack: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        m = _YAML_KEY_RE.match(raw)
        value = ""
        if m and not raw.lstrip().startswith("#"):
            while stack and stack[-1][0] >= len(m[1]):
                stack.pop()
            stack.append((len(m[1]), m[2]))
            value = m[3].split(" #", 1)[0].strip()
        comment = raw.split("#", 1)[1] if "#" in raw else ""
        if not MARKER_RE.search(comment):
            continue
        key = ".".join(k for _, k in stack)
        setting = key if key in settings else None
        affects = f"setting `{key}`" if setting else f"key `{key}`"
        out.append(Assumption(rel, number, f"`{key}`", _clean(comment), affects, setting, value))
    return out


def find_assumptions(root: Path | None = None) -> list[Assumption]:
    """Every marker in the scanned files (:func:`marker_files`), in file and line order."""
    root = root or paths.project_root()
    settings, models = run_settings()
    found = []
    for path in marker_files(root):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = [n for n, line in enumerate(text.splitlines(), start=1) if MARKER_RE.search(line)]
        if not lines:
            continue
        if path.suffix == ".py":
            found += _PythonFile(path, rel, models, settings).assumptions(lines)
        elif path.suffix in (".yaml", ".yml"):
            found += _yaml_assumptions(text, rel, settings)
        else:
            found += [Assumption(rel, n, f"line {n}", _clean(text.splitlines()[n - 1]), f"`{rel}`") for n in lines]
    return found


# ----------------------------------------------------------------------------- the log
def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split()) or "—"


def _module_summary(path: Path) -> str:
    if path.suffix != ".py":
        return ""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def _settings_table(found: list[Assumption], settings: dict[str, Setting]) -> list[str]:
    """One row per setting of the run configuration that a marker is on, in the schema's order."""
    marks: dict[str, list[Assumption]] = {}
    for a in found:
        if a.setting:
            marks.setdefault(a.setting, []).append(a)
    rows = ["| Setting | Default | Assumption | Marked in |", "|---|---|---|---|"]
    for path in (p for p in settings if p in marks):
        setting = settings[path]
        default = "(a section)" if setting.section and "." not in path else f"`{flow(setting.default)}`"
        texts = "<br>".join(_cell(t) for t in dict.fromkeys(a.text for a in marks[path] if a.text)) or "—"
        places = "<br>".join(
            f"`{a.file}`: `{a.value}`" if a.file.endswith((".yaml", ".yml")) and a.value else f"`{a.file}` {a.where}" for a in marks[path]
        )
        rows.append(f"| `{path}` | {default} | {texts} | {places} |")
    return rows


def _code_tables(found: list[Assumption], root: Path) -> list[str]:
    """The markers on no setting, by file, with the first line of the file's docstring."""
    lines: list[str] = []
    for file in dict.fromkeys(a.file for a in found if not a.setting):
        summary = _module_summary(root / file)
        lines += ["", f"#### `{file}`", ""] + ([summary, ""] if summary else [])
        lines += ["| Assumption | Value | Affects | In |", "|---|---|---|---|"]
        for a in (a for a in found if a.file == file and not a.setting):
            value = f"`{_cell(a.value)}`" if a.value else "—"
            lines.append(f"| {_cell(a.text)} | {value} | {a.affects} | {a.where} |")
    return lines


def assumptions_markdown(root: Path | None = None) -> str:
    """The generated part of ``docs/assumptions.md``: every marker (:func:`find_assumptions`),
    those on a setting of the run configuration first (one row per setting), then the others
    by file."""
    root = root or paths.project_root()
    found = find_assumptions(root)
    settings, _ = run_settings()
    on_settings = [a for a in found if a.setting]
    files = len({a.file for a in found})
    lines = [
        f"{len(found)} markers in {files} files: {len(on_settings)} on {len({a.setting for a in on_settings})} settings "
        f"of the run configuration, {len(found) - len(on_settings)} in the code.",
        "",
        "### Settings of the run configuration",
        "",
        *_settings_table(found, settings),
        "",
        "### In the code",
        *_code_tables(found, root),
    ]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- the step table and the catalog
def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def steps_markdown() -> str:
    """``docs/architecture.md``'s step table: each step's reads, writes, shown results and
    configuration sections, from ``run/steps.py`` and the output catalog."""
    from fragile_care.run import steps

    rows = [
        "| step | reads | writes | shows only | config sections (besides the common ones) |",
        "|---|---|---|---|---|",
    ]
    for step in steps.STEPS:
        reads = "the raw files" if step.reads_raw_files else _names(step.reads)
        if step.optional_reads:
            reads += f" (+ {_names(step.optional_reads)} if present)"
        if step.reads_previous_run:
            reads += " and the previous run's bundle"
        writes = _names(step.writes)
        if step.optional_writes:
            writes += f" (+ {_names(step.optional_writes)} when their inputs are there)"
        rows.append(f"| {step.name} | {reads} | {writes} | {_names(step.shows)} | {', '.join(step.sections)} |")
    return "\n".join(rows)


def tables_markdown() -> str:
    """``docs/architecture.md``'s list of processed tables: step, key, columns with kind and
    unit, and what each holds, from ``publish/catalog.py``."""
    from fragile_care.publish import catalog, fields

    rows = ["| table | step | key | columns (kind, unit) | holds |", "|---|---|---|---|---|"]
    for spec in catalog.TABLES:
        units = {c: fields.FIELDS[c].unit if c in fields.FIELDS and c not in spec.kinds else "" for c in spec.columns}
        columns = ", ".join(f"{c} ({spec.kind(c)}{', ' + units[c] if units[c] else ''})" for c in spec.columns)
        role = "shown" if spec.shown else ("optional" if spec.optional else "")
        step = f"{spec.step} ({role})" if role else spec.step
        holds = " ".join(spec.about.split()).replace("|", "/")
        rows.append(f"| `{spec.name}` | {step} | {', '.join(spec.key) or '–'} | {columns} | {holds} |")
    return "\n".join(rows)


GENERATED: list[tuple[Path, str, Generator]] = [
    (paths.project_root() / "docs" / "assumptions.md", "assumptions", assumptions_markdown),
    (paths.project_root() / "docs" / "architecture.md", "steps", steps_markdown),
    (paths.project_root() / "docs" / "architecture.md", "tables", tables_markdown),
]
