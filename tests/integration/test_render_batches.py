"""Render batches (issue 16): what goes where, and what a failed render leaves. A stand-in
``quarto`` on PATH writes the files Quarto would, so these run on machines without Quarto;
the e2e tests render for real where Quarto is installed."""

import io as _io
import json
import os
import stat
import sys

import pytest
import yaml

from fragile_care.run import render

pytestmark = pytest.mark.integration

FAKE_QUARTO = """#!{python}
# stand-in for `quarto render --to FMT` in a project folder: writes what Quarto would
import json, os, pathlib, sys, yaml
fmt = sys.argv[sys.argv.index("--to") + 1]
project = yaml.safe_load(pathlib.Path("_quarto.yml").read_text())
with open(os.environ["FAKE_QUARTO_LOG"], "a") as log:
    log.write(json.dumps({{"cwd": os.getcwd(), "to": fmt, "render": project["project"]["render"]}}) + "\\n")
if os.environ.get("FAKE_QUARTO_FAIL") == fmt:
    print("ERROR: something went wrong in " + fmt)
    sys.exit(1)
for item in project["project"]["render"]:
    path = pathlib.Path(item)
    if fmt == "html":
        if item.startswith("notebooks/"):
            front = json.loads(path.read_text())["cells"][0]
            assert "format-links: false" in "".join(front["source"]), "a page is rendered without its front matter"
        path.with_suffix(".html").write_text("<html>" + path.stem + (path.read_text() if item.startswith("notebooks/") else "") + "</html>")
    else:
        path.with_suffix(".pdf").write_text("%PDF " + path.stem)
        path.with_suffix(".typ").write_text("typst " + path.stem)
        figures = pathlib.Path(path.stem + "_files") / "figure-typst"
        figures.mkdir(parents=True, exist_ok=True)
        (figures / "a.png").write_text("png")
"""


@pytest.fixture
def fake_quarto(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "quarto"
    script.write_text(FAKE_QUARTO.format(python=sys.executable), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "quarto-calls.jsonl"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    return lambda: [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def make_bundle(root, reports=("nulage.qmd", "sommar.qmd"), notebooks=("01_a", "02_b")):
    """A bundle's internal part (the Quarto project, notebooks and manifest); the renders'
    outputs land in its published part."""
    bundle = root / "b1"
    internal = bundle / "internal"
    (internal / "notebooks").mkdir(parents=True)
    for name in reports:
        (internal / name).write_text("---\ntitle: x\n---\n", encoding="utf-8")
    for stem in notebooks:
        (internal / "notebooks" / f"{stem}.ipynb").write_text(json.dumps({"cells": [], "metadata": {}}), encoding="utf-8")
    (internal / "_quarto.yml").write_text(yaml.safe_dump({"project": {"render": list(reports)}, "format": {"html": {}, "typst": {}}}))
    (internal / "manifest.json").write_text("{}", encoding="utf-8")
    return bundle


def test_a_bundle_renders_in_two_processes_and_every_output_lands_in_the_bundle(tmp_path, fake_quarto):
    bundle = make_bundle(tmp_path)
    code = render.render_bundle(bundle, ("html", "typst"), ("nulage.qmd", "sommar.qmd"), out=_io.StringIO())
    assert code == render.EXIT_OK
    calls = fake_quarto()
    assert sorted(c["to"] for c in calls) == ["html", "typst"]
    html = next(c for c in calls if c["to"] == "html")
    assert html["render"] == ["nulage.qmd", "sommar.qmd", "notebooks/01_a.ipynb", "notebooks/02_b.ipynb"]
    for name in ("published/nulage.html", "published/nulage.pdf", "published/notebooks/02_b-preview.html"):
        assert (bundle / name).is_file(), name
    for name in ("internal/nulage.typ", "internal/sommar_files/figure-typst/a.png"):  # the PDF's sources stay inside
        assert (bundle / name).is_file(), name
    assert not (bundle / ".render").exists()  # the work folders are removed
    manifest = json.loads((bundle / "internal" / "manifest.json").read_text())
    assert manifest["render"]["status"] == "ok" and "published/notebooks/01_a-preview.html" in manifest["render"]["outputs"]
    # the audited notebooks in the bundle are not touched (the front matter is in the page's copy)
    assert json.loads((bundle / "internal" / "notebooks" / "01_a.ipynb").read_text())["cells"] == []


def test_a_batch_started_early_is_not_rendered_again(tmp_path, fake_quarto):
    bundle = make_bundle(tmp_path)
    early = render.RenderBatch(
        "quarto", bundle / "internal", tmp_path / "early", ["nulage.qmd"], ["01_a.ipynb"], ("html", "typst"), _io.StringIO()
    )
    code = render.render_bundle(bundle, ("html", "typst"), ("nulage.qmd", "sommar.qmd"), out=_io.StringIO(), started=[early])
    assert code == render.EXIT_OK
    rest = [c for c in fake_quarto() if not c["cwd"].startswith(str(tmp_path / "early"))]
    assert {tuple(c["render"]) for c in rest} == {("sommar.qmd", "notebooks/02_b.ipynb"), ("sommar.qmd",)}
    assert (bundle / "published" / "nulage.html").is_file() and (bundle / "published" / "notebooks" / "01_a-preview.html").is_file()
    assert not (tmp_path / "early").exists()


def test_a_failed_render_names_the_format_and_reports_and_keeps_nothing_half_done(tmp_path, fake_quarto, monkeypatch):
    bundle = make_bundle(tmp_path)
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "typst")
    log = _io.StringIO()
    code = render.render_bundle(bundle, ("html", "typst"), ("nulage.qmd", "sommar.qmd"), out=log)
    assert code == render.EXIT_FAILED
    assert "quarto render to typst of nulage.qmd, sommar.qmd failed (exit 1)" in log.getvalue()
    assert "ERROR: something went wrong in typst" in log.getvalue()
    manifest = json.loads((bundle / "internal" / "manifest.json").read_text())
    assert manifest["render"]["status"].startswith("failed: quarto render to typst")
    assert not (bundle / "published" / "nulage.pdf").exists() and not (bundle / ".render").exists()


def test_every_render_publishes_protected_pages_only(tmp_path, fake_quarto):
    """Issue 32: a notebook page shows the outputs the reports embed and withholds the rest,
    however the bundle is rendered (a run, a re-run from the cache, `fragile-care render`):
    the protection is applied to the page's copy at every render, never stored."""
    bundle = make_bundle(tmp_path, reports=("nulage.qmd",), notebooks=())
    internal = bundle / "internal"
    (internal / "nulage.qmd").write_text("---\ntitle: x\n---\n{{< embed notebooks/01_a.ipynb#tbl-shown >}}\n", encoding="utf-8")
    cells = [
        {
            "cell_type": "code",
            "source": "frame",
            "metadata": {},
            "execution_count": 1,
            "outputs": [
                {"output_type": "execute_result", "metadata": {}, "execution_count": 1, "data": {"text/plain": "NAL 2025 redirected 4"}}
            ],
        },
        {
            "cell_type": "code",
            "source": "#| label: tbl-shown\nx",
            "metadata": {},
            "execution_count": 2,
            "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"text/markdown": "| NÄL | <5 |"}}],
        },
    ]
    (internal / "notebooks" / "01_a.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    for _ in range(2):  # a second render (``fragile-care render``) publishes the same
        assert render.render_bundle(bundle, ("html",), ("nulage.qmd",), out=_io.StringIO()) == render.EXIT_OK
        page = (bundle / "published" / "notebooks" / "01_a-preview.html").read_text()
        assert "| NÄL | <5 |" in page and "redirected 4" not in page and "internal/notebooks/01_a.ipynb" in page
    assert "redirected 4" in (internal / "notebooks" / "01_a.ipynb").read_text()  # the audited notebook keeps it


def test_render_finishes_a_swap_killed_between_its_renames_first(tmp_path, fake_quarto):
    """Issue 32: after a kill -9 between the swap's renames, `fragile-care render` renders
    the new bundle (whose tables are in place), not a mix of two runs."""
    from fragile_care.run import swap

    new = make_bundle(tmp_path / "new")
    (new / "internal" / "manifest.json").write_text('{"reports": ["nulage.qmd"], "config": {"render": {"formats": ["html"]}}}')
    out = tmp_path / "out"
    out.mkdir()
    tmp_bundle = out / ".tmp-b1-x"
    new.rename(tmp_bundle)
    old = out / ".old-b1-0123abcd"
    old.mkdir()
    (old / "manifest.json").write_text("{}")
    # killed after the bundle's old folder was set aside and before the new one moved in
    swap.journal_path(out, "b1").write_text(json.dumps({"pairs": [[str(tmp_bundle), str(out / "b1"), str(old)]]}))
    log = _io.StringIO()
    code = render.render_run("b1", out=log, output_root=out)
    assert code == render.EXIT_OK, log.getvalue()
    assert "recovered an interrupted folder swap of b1" in log.getvalue()
    assert (out / "b1" / "published" / "nulage.html").is_file() and not old.exists() and not tmp_bundle.exists()


def _published(bundle):
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted((bundle / "published").rglob("*")) if p.is_file()}


def test_a_render_whose_inputs_are_unchanged_is_taken_from_the_render_cache(tmp_path, fake_quarto):
    """Issue 30 part 5: the second render of the same project calls no Quarto and publishes
    the same files; a changed notebook, report or format renders again."""
    cache = tmp_path / "cache" / "render"
    first = make_bundle(tmp_path / "one")
    assert render.render_bundle(first, ("html", "typst"), ("nulage.qmd", "sommar.qmd"), out=_io.StringIO(), cache=cache) == 0
    assert len(fake_quarto()) == 2 and len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 2
    again = make_bundle(tmp_path / "two")  # another bundle with the same inputs (a no-op re-run)
    log = _io.StringIO()
    assert render.render_bundle(again, ("html", "typst"), ("nulage.qmd", "sommar.qmd"), out=log, cache=cache) == 0
    assert len(fake_quarto()) == 2, "an unchanged render called Quarto again"
    assert "taken from the render cache" in log.getvalue()
    assert _published(again) == _published(first) and (again / "internal" / "sommar_files" / "figure-typst" / "a.png").is_file()
    manifest = json.loads((again / "internal" / "manifest.json").read_text())
    assert manifest["render"]["status"] == "ok"
    changed = make_bundle(tmp_path / "three")
    (changed / "internal" / "notebooks" / "02_b.ipynb").write_text(json.dumps({"cells": [], "metadata": {"x": 1}}), encoding="utf-8")
    assert render.render_bundle(changed, ("html", "typst"), ("nulage.qmd", "sommar.qmd"), out=_io.StringIO(), cache=cache) == 0
    assert len(fake_quarto()) == 4  # the notebook is read by both formats: both render again


def test_a_half_written_cache_entry_is_never_used(tmp_path, fake_quarto):
    from fragile_care.run import render_cache

    cache = tmp_path / "cache"
    bundle = make_bundle(tmp_path / "one")
    assert render.render_bundle(bundle, ("html",), ("nulage.qmd",), out=_io.StringIO(), cache=cache) == 0
    (entry,) = [p for p in cache.iterdir() if not p.name.startswith(".")]
    (entry / render_cache.COMPLETE).unlink()  # as a run killed while storing leaves it
    again = make_bundle(tmp_path / "two")
    assert render.render_bundle(again, ("html",), ("nulage.qmd",), out=_io.StringIO(), cache=cache) == 0
    assert len(fake_quarto()) == 2 and (again / "published" / "nulage.html").is_file()


def test_the_render_cache_keeps_its_most_recently_used_entries(tmp_path):
    import os as _os

    from fragile_care.run import render_cache

    cache = tmp_path / "cache"
    for i in range(render_cache.ENTRIES + 3):
        (cache / f"k{i:02d}").mkdir(parents=True)
        _os.utime(cache / f"k{i:02d}", (1_000_000 + i, 1_000_000 + i))
    render_cache.prune(cache)
    kept = sorted(p.name for p in cache.iterdir())
    assert len(kept) == render_cache.ENTRIES and "k00" not in kept and f"k{render_cache.ENTRIES + 2:02d}" in kept
