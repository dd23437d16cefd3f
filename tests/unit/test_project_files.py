"""Project files that users and CI rely on: dependency lists, notebooks, reports."""

import re
import tomllib

import nbformat
import pytest
import yaml

from fragile_care import paths
from fragile_care.publish.embeds import check_embeds, find_embeds, front_matter
from fragile_care.run import steps

pytestmark = pytest.mark.unit
ROOT = paths.project_root()
NOTEBOOKS = sorted((ROOT / "analysis").glob("*.py"))
REPORTS = sorted(p for p in (ROOT / "reports").glob("*.qmd") if not p.name.startswith("_"))  # _*.qmd: included parts


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_libraries_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip_names = {_name(r): r for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d): d for d in env["dependencies"] if isinstance(d, str)}
    pip_section = [d for entry in env["dependencies"] if isinstance(entry, dict) for d in entry.get("pip", []) if not d.startswith("-e")]
    conda = {**conda, **{_name(d): d.split("#")[0].strip() for d in pip_section}}  # PyPI-only libraries go under pip:
    conda_libs = {k: v for k, v in conda.items() if k not in {"python", "pip", "quarto"}}
    assert set(conda_libs) == set(pip_names)
    for name, req in pip_names.items():  # same lower bounds
        assert conda_libs[name].replace(" ", "") == req.replace(" ", ""), name
    assert "quarto" in conda


def test_pyproject_pins_lower_bounds():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert all(">=" in r for r in project["dependencies"])


def test_every_step_has_its_one_source_and_no_other():
    """Each step's notebook is one Jupytext percent file; no .ipynb is committed beside it."""
    assert {p.stem for p in NOTEBOOKS} == set(steps.NAMES)
    assert all(s.source.is_file() for s in steps.STEPS)
    assert not list((ROOT / "analysis").glob("*.ipynb"))
    assert not (ROOT / "tools" / "build_notebooks.py").exists()


def test_notebooks_compute_only_through_the_step_table():
    """A notebook reads and writes tables only through steps.run_step: no io, no paths."""
    for notebook in NOTEBOOKS:
        text = notebook.read_text(encoding="utf-8")
        assert f'steps.run_step("{notebook.stem}"' in text, notebook.name
        assert "write_tables" not in text and "read_tables" not in text and "Path(" not in text, notebook.name


@pytest.mark.parametrize("report", REPORTS, ids=lambda p: p.name)
def test_report_front_matter_is_valid_and_swedish(report):
    meta = front_matter(report)
    assert meta["lang"] == "sv-SE"  # Swedish as written in Sweden (issue 30: the PDF said sv-US)
    assert isinstance(meta["title"], str) and meta["title"]


def test_embed_check_finds_missing_label_and_missing_output(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("#| label: fig-a\n1"), nbformat.v4.new_code_cell("#| label: fig-b\n2")]
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    (tmp_path / "nb").mkdir()
    nbformat.write(nb, tmp_path / "nb" / "x.ipynb")
    qmd = tmp_path / "r.qmd"
    qmd.write_text(
        "---\ntitle: t\n---\n{{< embed nb/x.ipynb#fig-a >}}\n{{< embed nb/x.ipynb#fig-b >}}\n{{< embed nb/x.ipynb#fig-c >}}\n{{< embed nb/y.ipynb#fig-a >}}\n"
    )
    assert check_embeds([qmd], tmp_path / "nb") == [
        "r.qmd:5: cell 'fig-b' in nb/x.ipynb has no output",
        "r.qmd:6: no cell labelled 'fig-c' in nb/x.ipynb",
        "r.qmd:7: notebook 'nb/y.ipynb' not found",
    ]


def test_quarto_project_is_swedish_html_and_typst():
    conf = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    assert conf["lang"] == "sv-SE"
    assert conf["format"]["html"]["embed-resources"] is True
    assert "typst" in conf["format"]
    assert conf["format"]["typst"]["pdf-standard"] == ["a-2a", "ua-1"]  # archival and accessible (issue 30)


def test_local_data_is_git_ignored():
    ignore = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "data/raw/local/*" in ignore and "reports/_output/" in ignore and "data/processed/" in ignore


def test_lock_file_pins_every_dependency_at_or_above_its_lower_bound():
    from packaging.requirements import Requirement
    from packaging.version import Version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    locked = {}
    for line in (ROOT / "requirements-lock.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements-lock.txt: {line!r} is not an exact pin"
            locked[_name(name)] = Version(version)
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        req = Requirement(requirement)
        assert _name(req.name) in locked, f"{req.name} is not in requirements-lock.txt"
        assert req.specifier.contains(locked[_name(req.name)]), f"{req.name}: locked {locked[_name(req.name)]} outside {req.specifier}"


def test_embeds_know_whether_they_sit_on_a_landscape_page(tmp_path):
    qmd = tmp_path / "r.qmd"
    qmd.write_text(
        "{{< embed nb/x.ipynb#a >}}\n::: landscape\n::: {.callout-note}\n{{< embed nb/x.ipynb#b >}}\n:::\n"
        "{{< embed nb/x.ipynb#c >}}\n:::\n{{< embed nb/x.ipynb#d >}}\n"
    )
    assert [(e.label, e.landscape) for e in find_embeds(qmd)] == [("a", False), ("b", True), ("c", True), ("d", False)]
