"""The shape of the code in src/: modules and functions short enough to read.

- A module has at most ``MAX_MODULE_LINES`` (600) lines.
- A function or method has at most ``MAX_FUNCTION_LINES`` (80) lines, counted from its
  ``def`` line to its last line (decorators not counted), unless it says why it is long:
  a comment containing ``long:`` followed by the reason, on the line just above the ``def``
  (or above its decorators), on the ``def`` line, or on one of the first three lines of
  its body after the docstring, e.g.::

      def workbook_sheets(...):
          \"\"\"The workbook's sheets.\"\"\"
          # long: one declarative entry per sheet; split, the table would be harder to check
          ...

  Only a comment counts (the word in a string does not). Splitting the function into
  well-named helpers is the better fix; the comment is for what reads best in one piece,
  such as a long declarative table.

Each test lists every offender, one per line, with its place and length.
"""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[2] / "src"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
REASON_RE = re.compile(r"\blong:\s*\S")
BODY_LINES_FOR_REASON = 3

MODULES = sorted(SRC.rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(SRC.parent).as_posix()


def _comments(source: str) -> dict[int, str]:
    return {tok.start[0]: tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline) if tok.type == tokenize.COMMENT}


def _reason_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> range:
    """The lines where a ``long:`` comment explains ``node``'s length (see the docstring)."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    body = node.body
    has_docstring = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)
    after = (body[0].end_lineno or body[0].lineno) + 1 if has_docstring else body[0].lineno
    return range(first - 1, after + BODY_LINES_FOR_REASON)


def _long_functions(path: Path, shown: str) -> list[str]:
    """The functions of ``path`` (named ``shown`` in the messages) over the limit without a reason."""
    source = path.read_text(encoding="utf-8")
    comments = _comments(source)
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length <= MAX_FUNCTION_LINES:
            continue
        if any(REASON_RE.search(comments.get(line, "")) for line in _reason_lines(node)):
            continue
        found.append(f"{shown}:{node.lineno} {node.name}() has {length} lines (max {MAX_FUNCTION_LINES}) and no `# long:` reason")
    return found


def test_the_sources_are_found():
    assert len(MODULES) > 20 and any(p.name == "pipeline.py" for p in MODULES)


def test_no_module_is_over_600_lines():
    offenders = []
    for path in MODULES:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            offenders.append(f"{_rel(path)} has {lines} lines (max {MAX_MODULE_LINES})")
    for line in offenders:
        print(line)
    assert not offenders, f"{len(offenders)} module(s) too long:\n  " + "\n  ".join(offenders)


def test_no_function_is_over_80_lines_without_saying_why():
    offenders = [line for path in MODULES for line in _long_functions(path, _rel(path))]
    for line in offenders:
        print(line)
    assert not offenders, f"{len(offenders)} function(s) too long:\n  " + "\n  ".join(offenders)


def test_a_long_comment_is_accepted_above_the_def_or_in_the_first_body_lines(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    cases = {
        "above.py": f"# long: a table\ndef f():\n{body}\n",
        "inside.py": f'def f():\n    """Doc\n    string."""\n    # long: a table\n{body}\n',
        "none.py": f"def f():\n{body}\n",
        "string.py": f'def f():\n    "long: not a comment"\n{body}\n',
        "late.py": f"def f():\n{body}\n    # long: too late\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    flagged = {name for name in cases if _long_functions(tmp_path / name, name)}
    assert flagged == {"none.py", "string.py", "late.py"}
