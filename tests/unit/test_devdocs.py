"""Generated documentation (``fragile-care docs``, ``fragile_care.devdocs``): the assumptions
log is what the code gives now, and the generated-part markers are replaced exactly."""

import ast
import re
import textwrap
from pathlib import Path

import pytest

from fragile_care import devdocs, paths

pytestmark = pytest.mark.unit


def test_generated_docs_are_up_to_date():
    """Fails when a generated part (docs/assumptions.md) differs from what the code gives:
    run `fragile-care docs` and commit the file."""
    stale = [str(file) for file, text in devdocs.render_docs().items() if file.read_text(encoding="utf-8") != text]
    assert stale == [], f"out of date: {stale}; run `fragile-care docs`"


def test_every_marker_in_the_scanned_folders_is_in_the_log():
    lines = [
        (path, n)
        for path in devdocs.marker_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if devdocs.MARKER_RE.search(line)
    ]
    found = devdocs.find_assumptions()
    assert sorted((a.file, a.line) for a in found) == sorted((p.relative_to(paths.project_root()).as_posix(), n) for p, n in lines)
    assert all(a.where and a.affects for a in found)
    assert not any(p.is_relative_to(paths.reports_dir() / "_output") for p, _ in lines)  # run bundles are not sources


def test_a_marker_is_placed_by_the_setting_constant_or_function_around_it(tmp_path):
    (tmp_path / "src" / "fragile_care" / "model").mkdir(parents=True)
    (tmp_path / "config").mkdir()
    (tmp_path / "src" / "fragile_care" / "model" / "postnatal.py").write_text(
        textwrap.dedent(
            '''
            """A model."""

            LIMIT = 3.0  # ASSUMPTION: three is enough


            def use():
                """Uses the limit. Beds are half the staff: an ASSUMPTION of a plan. No more."""
                return LIMIT


            class PostnatalSettings:
                los_vaginal_days: float = Field(
                    2.0, description="ASSUMPTION: mean stay"
                )
            '''
        ),
        encoding="utf-8",
    )
    (tmp_path / "config" / "run.yaml").write_text(
        "postnatal:\n  los_vaginal_days: 2.4   # ASSUMPTION: the unit's guess\n", encoding="utf-8"
    )
    found = {(a.file.split("/")[-1], a.where): a for a in devdocs.find_assumptions(tmp_path)}
    constant = found["postnatal.py", "`LIMIT`"]
    assert (constant.text, constant.value, constant.affects, constant.setting) == ("three is enough", "3.0", "`use()`", None)
    function = found["postnatal.py", "`use()`"]
    assert function.text == "Beds are half the staff: an ASSUMPTION of a plan." and function.affects == "`use()`"
    field = found["postnatal.py", "`PostnatalSettings.los_vaginal_days`"]
    assert (field.text, field.setting, field.value) == ("mean stay", "postnatal.los_vaginal_days", "2.0")
    yaml_entry = found["run.yaml", "`postnatal.los_vaginal_days`"]
    assert (yaml_entry.text, yaml_entry.setting, yaml_entry.value) == ("the unit's guess", "postnatal.los_vaginal_days", "2.4")
    log = devdocs.assumptions_markdown(tmp_path)
    assert "| `postnatal.los_vaginal_days` | `2.0` | mean stay<br>the unit's guess |" in log


TEXT = "intro\n<!-- generated:log start -->\nold\nlines\n<!-- generated:log end -->\noutro\n"


def test_replace_generated_replaces_only_between_the_markers():
    new = devdocs.replace_generated(TEXT, "log", "new\n")
    assert new == "intro\n<!-- generated:log start -->\nnew\n<!-- generated:log end -->\noutro\n"
    assert devdocs.replace_generated(new, "log", "new") == new  # idempotent


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("no markers at all", "no marker '<!-- generated:log start -->'"),
        ("<!-- generated:log start -->\nx\n", "no marker '<!-- generated:log end -->'"),
        ("<!-- generated:log end -->\n<!-- generated:log start -->\n", "comes before"),
        (TEXT + TEXT, "2 times the marker '<!-- generated:log start -->'"),
        (TEXT.replace("log", "other"), "no marker '<!-- generated:log start -->'"),
    ],
)
def test_replace_generated_names_the_missing_marker(text, says):
    with pytest.raises(devdocs.MarkerError, match=re.escape(says)):
        devdocs.replace_generated(text, "log", "new")


def test_write_docs_takes_a_list_of_parts(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(TEXT.replace("log", "a") + TEXT.replace("log", "b"), encoding="utf-8")
    parts = [(doc, "a", lambda: "first"), (doc, "b", lambda: "second")]
    assert devdocs.write_docs(parts) == [doc]
    assert devdocs.write_docs(parts) == []
    text = doc.read_text(encoding="utf-8")
    assert "start -->\nfirst\n<!--" in text and "start -->\nsecond\n<!--" in text and text.count("intro") == 2


def test_only_the_cli_imports_devdocs():
    package = Path(devdocs.__file__).parent
    importers = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import | ast.ImportFrom) else []
            module = node.module if isinstance(node, ast.ImportFrom) else ""
            if "fragile_care.devdocs" in names or module == "fragile_care.devdocs" or (module == "fragile_care" and "devdocs" in names):
                importers.append(path.name)
    assert sorted(set(importers)) == ["cli.py"]
