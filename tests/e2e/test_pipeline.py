"""The whole pipeline on a small fixture config: the demo data exported the Swedish way
(semicolons, decimal commas, Windows-1252, SCB month codes), run with papermill into a
bundle whose every report embed resolves to a labelled cell with an output."""

import io as _io
import json
import re
import shutil

import nbformat
import pandas as pd
import pytest
import yaml

from fragile_care.inputs import io
from fragile_care.publish import formatting as fmt
from fragile_care.publish.embeds import check_embeds, embedded_table_cells, find_embeds
from fragile_care.run import bundle as run_bundle
from fragile_care.run import pipeline, steps

pytestmark = pytest.mark.e2e


def test_run_succeeds_with_progress(run):
    cfg, code, result, log, _ = run
    assert code == 0, log
    for i, step in enumerate(steps.NAMES, start=1):
        assert f"[{i}/{len(steps.NAMES)}] {step} ... done in" in log


def test_bundle_has_executed_notebooks_manifest_and_reports(run):
    cfg, _, result, _, tmp = run
    bundle = result.internal
    assert {p.name for p in result.bundle.iterdir()} == {"internal", "published", ".fragile-care-run"}
    assert {p.name for p in bundle.iterdir()} >= {
        "manifest.json",
        "notebooks",
        "nulage.qmd",
        "framtid.qmd",
        "sommar.qmd",
        "handlingsplan.qmd",
        "tertialrapport.qmd",
        "index.qmd",
        "_quarto.yml",
        "_variables.yml",
        "quality_log.csv",
        "run_config.yaml",
    }
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    hashed = {item["path"]: item["sha256"] for item in manifest["inputs"]}
    for path in run_bundle.input_files(cfg):
        assert hashed[run_bundle.relative(path)] == io.sha256_file(path)
    assert len([p for p in hashed if p.endswith("/births_monthly.csv")]) == 1
    assert manifest["package_versions"]["pandas"] == pd.__version__
    assert [s["name"] for s in manifest["steps"]] == list(steps.NAMES)
    assert all(s["seconds"] > 0 for s in manifest["steps"])
    assert manifest["synthetic_data"] is True  # source: path, but the units table marks its rows SYNTHETIC_DEMO
    assert "commit" in manifest["git"]
    assert manifest["render"]["status"] in ("ok", "not rendered: quarto not found on PATH")


def test_every_report_embed_resolves_to_a_cell_with_output(run):
    _, _, result, _, _ = run
    reports = sorted(result.internal.glob("*.qmd"))
    assert sum(len(find_embeds(r)) for r in reports) >= 10
    assert check_embeds(reports, result.internal / "notebooks") == []


def test_processed_tables_and_swedish_export_were_read(run):
    _, _, result, _, _ = run
    tables = io.read_tables(result.processed)
    births = tables["births_monthly"]
    assert births["month"].min() == pd.Timestamp("2022-01-01") and births["month"].max() == pd.Timestamp("2026-08-01")
    log = tables["quality_log"]
    assert log["problem"].str.contains("2025M07").any()  # SCB month codes were repaired and logged
    assert (log["problem"] == "blank row").sum() == 18  # two trailing blank lines in each of nine files
    acc = tables["row_accounting"]
    assert (acc["rows_read"] == acc["rows_kept"] + acc["rows_rejected"]).all()
    fc = tables["births_forecast"]
    wide = fc.pivot(index="month", columns="unit_id", values="mean")
    units = [c for c in wide.columns if c != "REGION"]
    assert abs(wide[units].sum(axis=1) - wide["REGION"]).max() < 1e-6  # units add up to the region
    assert wide.index.min() == pd.Timestamp("2026-09-01") and len(wide) == 60
    staffing = tables["staffing"]
    assert staffing["fte_budgeted"].dtype == float and staffing["fte_budgeted"].gt(0).all()
    weekly = tables["staffing_weekly"]
    assert set(weekly["kind"]) == {"utfall", "prognos"} and set(weekly["iso_week"]) == set(range(25, 34))
    assert (weekly["rooms_staffed"] <= weekly["rooms_physical"]).all() and (weekly["rooms_staffed"] >= 0).all()
    risk = tables["redirection_risk"]
    assert risk["iso_year"].eq(2027).all() and risk["blocking"].between(0, 1).all()
    assert (risk["redirected_p10"] <= risk["redirected_mean"] + 1e-9).all() and (
        risk["redirected_mean"] <= risk["redirected_p90"] + 1e-9
    ).all()
    totals = tables["redirection_totals"].set_index("unit_id")
    assert totals.loc["REGION", "redirected_mean"] == pytest.approx(risk["redirected_mean"].sum())


@pytest.mark.parametrize(
    "notebook, figures",
    [
        ("01_clean_data", 6),
        ("02_forecast_births", 2),
        ("03_staffing", 1),
        ("04_capacity_risk", 2),
        ("05_action_plan", 5),
        ("06_steering_brief", 0),
    ],
)
def test_executed_notebook_outputs_have_no_errors(run, notebook, figures):
    _, _, result, _, _ = run
    nb = nbformat.read(result.internal / "notebooks" / f"{notebook}.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= figures


def test_shared_kernel_gives_the_same_notebooks_as_a_kernel_per_step(default_run, tmp_path):
    # the default run executes its six notebooks in one kernel; each in a fresh kernel of
    # its own must give the same outputs, text and figures byte for byte, cell numbers too
    cfg, result = default_run
    code, alone = pipeline.run(
        cfg,
        render=False,
        out=_io.StringIO(),
        output_root=tmp_path / "o",
        processed_root=tmp_path / "p",
        cache_root=tmp_path / "c",
        kernel_per_step=True,
    )
    assert code == 0
    for shared in sorted((result.internal / "notebooks").glob("*.ipynb")):
        a = nbformat.read(shared, as_version=4).cells
        b = nbformat.read(alone.internal / "notebooks" / shared.name, as_version=4).cells
        injected = [c for c in a if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and len(a) == len(b)  # the run's folders differ there, nothing else
        for x, y in zip(a, b, strict=True):
            assert x.source == y.source or x in injected
            if x.cell_type == "code":
                assert (x.execution_count, x.outputs) == (y.execution_count, y.outputs), f"{shared.name}: {x.get('id')}"


def test_demo_run_labels_synthetic_data(default_run):
    # the default config uses the demo set: the banner cell must say EXEMPELDATA
    cfg, result = default_run
    nb = nbformat.read(result.internal / "notebooks" / "01_clean_data.ipynb", as_version=4)
    banner = next(c for c in nb.cells if "#| label: demo-banner" in c.source)
    assert "EXEMPELDATA" in banner.outputs[0]["data"]["text/markdown"]
    for report in (p for p in result.internal.glob("*.qmd") if not p.name.startswith("_")):  # every report shows the banner first
        assert "#demo-banner >}}" in report.read_text(encoding="utf-8").split("## ")[0], report.name
    assert json.loads((result.internal / "manifest.json").read_text(encoding="utf-8"))["synthetic_data"] is True
    sheets = pd.read_excel(result.published / "2026-T2_tabeller.xlsx", sheet_name=None)
    for name, frame in sheets.items():  # every sheet says so, in its cells (not only in the print header)
        assert frame.astype(str).apply(lambda col: col.str.contains("EXEMPELDATA")).any().any(), name
    assert (sheets["Förlossningar per år"]["Underlag"] == "EXEMPELDATA").all()


# Table columns whose small numbers are not counts of people (rooms, cots, weeks, rows,
# problems in the quality log, a norm). Any other cell of 1 to 4 in a report table fails.
NOT_PEOPLE = {
    # modelled expectations (means over the forecast's uncertainty), not counted people
    ("tbl-calibration-backtest", "Modellen, antagen tid (8 h)"),
    ("tbl-calibration-backtest", "Modellen"),
    ("tbl-model-vs-log", "Modellen, antagen tid (8 h)"),
    ("tbl-model-vs-log", "Modellen, kalibrerad"),
    ("tbl-risk-totals", "Väntat antal"),
    # staff, weeks, cots and plan targets
    ("tbl-brief-units", "Veckor över 1\u00a0%"),
    ("tbl-brief-units", "Åa-veckor till under 1\u00a0%"),
    ("tbl-extra-staff", "Årsarbetarveckor"),
    ("tbl-fte-to-threshold", "Under 1\u00a0%: årsarbetarveckor"),
    ("tbl-fte-to-threshold", "Under 5\u00a0%: årsarbetarveckor"),
    ("tbl-fte-to-threshold", "Veckor som behöver fler"),
    ("tbl-neonatal-current", "Platser"),
    ("tbl-indicators", "Mål"),
    ("tbl-indicators", "Utgångsläge"),
    # the indicators' values: the redirection rows go through the disclosure rules (PublishedCounts), the rest are weeks and rates
    ("tbl-indicators", "Sommaren 2026"),
    ("tbl-neonatal-risk", "Veckor över 5\u00a0%"),
    ("tbl-neonatal-staffing", "Behövs (max)"),
    ("tbl-neonatal-staffing", "Bemannade (minst)"),
    ("tbl-neonatal-staffing", "Platser"),
    ("tbl-quality-summary", "Antal"),
    ("tbl-row-accounting", "Rättade"),
    ("tbl-row-accounting", "Avvisade"),
    ("tbl-staffing-norms", "Värde"),
    ("tbl-staffing-summer", "Veckor med underskott"),
    ("tbl-staffing-summer", "Rum som behövs (max)"),
    ("tbl-staffing-summer", "Bemannade rum (minst)"),
    ("tbl-risk-ranking", "Bemannade rum"),
    ("tbl-risk-ranking", "Vecka"),
    ("tbl-unit-structure", "Förlossningsrum"),
    ("tbl-scenarios", "Veckor med förhöjd risk"),
    ("tbl-chain-simulated", "Väntan, timmar"),  # hours a woman waits for a BB bed
}


def test_no_report_table_shows_a_count_of_one_to_four(default_run):
    cfg, result = default_run
    cells = list(embedded_table_cells(sorted(result.internal.glob("*.qmd")), result.internal / "notebooks"))
    assert len(cells) > 500
    small = sorted({(label, column) for _, label, column, value in cells if value in {"1", "2", "3", "4"}} - NOT_PEOPLE)
    assert small == [], f"counts of 1-4 in report tables: {small}"
    # the suppression is at work in this run: the redirection tables show <5
    assert any(value == "<5" for _, label, _, value in cells if label in ("tbl-model-vs-log", "tbl-summer-redirections"))


def test_no_report_table_shows_a_number_in_python_format(default_run):
    """Numbers in report tables are in Swedish format with the precision chosen for them:
    no decimal point, no float repr like 4.69778947368421 (found on sommar p6)."""
    _, result = default_run
    cells = embedded_table_cells(sorted(result.internal.glob("*.qmd")), result.internal / "notebooks")
    raw = sorted({(label, column, value) for _, label, column, value in cells if re.fullmatch(r"-?\d+\.\d+", value.replace("\u00a0", ""))})
    assert raw == []


def _redirection_attack(cfg, result, reveal_secondary: bool = False):
    from fragile_care.model import describe

    from . import disclosure_attack as A

    processed = io.read_tables(result.processed)
    units = processed["units"]
    label_to_unit = {v: k for k, v in describe.unit_labels(units).items()} | {"Hela regionen": "REGION"}
    backtest_year = int(processed["calibration_backtest"]["iso_year"].max())
    summer_year = int(processed["staffing_weekly"].query("kind == 'utfall'")["iso_year"].max())
    shown = A.read_reports(sorted(result.internal.glob("*.qmd")), result.internal / "notebooks", label_to_unit, backtest_year, summer_year)
    A.read_workbook(result.published / f"{cfg.run_id}_tabeller.xlsx", label_to_unit, shown)
    protected = processed["redirection_counts_internal"]
    if reveal_secondary:  # what primary suppression alone would print
        truth = {(u, int(y), r): str(n) for u, y, r, n in protected[["unit_id", "year", "reasons", "women"]].itertuples(index=False)}
        for key, texts in shown.cells.items():
            if texts == {".."}:
                shown.cells[key] = {truth[key]}
    unit_ids = sorted(set(protected["unit_id"]) - {"REGION"})
    return shown, A.recomputed(shown, unit_ids, sorted(set(protected["year"])), cfg.disclosure_threshold)


def test_no_hidden_redirection_count_can_be_recomputed_from_the_reports_and_workbook(default_run):
    """Issue 11: the attacker reads every printed summer redirection count (tables, sentences,
    workbook) and solves for each hidden one; none may come out as a single value."""
    cfg, result = default_run
    shown, exposed = _redirection_attack(cfg, result)
    texts = {t for ts in shown.cells.values() for t in ts}
    assert "<5" in texts and ".." in texts  # both kinds of hiding are at work in the default run
    assert len(shown.cells) >= 15 and shown.totals and shown.rates
    assert exposed == {}


def test_the_attacker_recomputes_hidden_counts_when_secondary_cells_are_printed(run):
    """The attacker is not toothless: in the e2e run (a unit-summer of 3 in the log), with the
    ".." cells printed, as primary suppression alone would print them, it recomputes hidden
    counts, and with them hidden it recomputes none."""
    cfg, code, result, log, _ = run
    assert code == 0, log
    _, exposed = _redirection_attack(cfg, result)
    assert exposed == {}
    _, exposed_without = _redirection_attack(cfg, result, reveal_secondary=True)
    assert any(isinstance(v, int) and 1 <= v <= 4 for v in exposed_without.values())


def test_excel_handoff_has_the_key_tables_with_suppression(default_run):
    import openpyxl

    cfg, result = default_run
    path = result.published / "2026-T2_tabeller.xlsx"
    sheets = pd.read_excel(path, sheet_name=None)  # headers in row 1
    assert list(sheets) == [
        "Om tabellerna",
        "Förlossningar per år",
        "Sommarjämförelse",
        "Neonatalvård i dag",
        "Prognos per år",
        "Prognos per månad",
        "Bemanning sommar",
        "Risk per vecka",
        "Risk sommar",
        "Förslag med pris",
        "Kostnad för 1 %",
        "Kalibrering",
        "Efterhandstest",
        "Vårdkedjan sommar",
        "Operationstid per år",
        "Vårdkedjan simulerad",
        "BB per år",
        "Neonatalvård per år",
        "Vårdnivåer per år",
        "Modell mot logg",
        "Neonatal bemanning",
        "Neonatal risk",
        "Handlingsplan",
        "Status",
        "Indikatorer",
        "Scenarier",
        "Radräkning",
    ]
    people = [
        (name, col)
        for name, frame in sheets.items()
        for col in frame.columns
        if any(word in col for word in ("Förlossningar", "Födda", "Hänvisade kvinnor", "Loggen", "Inlagda"))
        and "prognos" not in col.lower()
    ]
    assert ("Sommarjämförelse", "Hänvisade kvinnor (platsbrist, bemanning)") in people
    assert ("Neonatalvård i dag", "Inlagda barn juni–augusti") in people
    for name, col in people:
        values = sheets[name][col]
        assert pd.api.types.is_numeric_dtype(values), (name, col)  # numbers, never "<5" text
        assert not values.between(1, cfg.disclosure_threshold - 1).any(), (name, col)
    # suppression at work: an empty cell carrying the note <5, or .. where it protects another
    book = openpyxl.load_workbook(path)
    notes = [c.comment.text for ws in book.worksheets for row in ws.iter_rows(min_row=2) for c in row if c.comment]
    assert notes and all(n.startswith(("<5", "..")) for n in notes) and any(n.startswith("..") for n in notes)
    assert all(ws.freeze_panes == "A2" and len(ws.tables) == 1 for ws in book.worksheets)
    annual = sheets["Förlossningar per år"]
    assert {"Enhetskod", "Enhet", "Helt år", "Underlag"} <= set(annual.columns)
    region = annual[annual["Enhetskod"] == "REGION"].set_index("År")["Förlossningar"]
    units = annual[annual["Enhetskod"] != "REGION"].groupby("År")["Förlossningar"].sum()
    assert (region - units.loc[region.index]).abs().max() < 0.5  # the regional total adds up
    assert (annual.loc[annual["År"] == 2026, "Helt år"] == "nej, delår").all()  # data end in August 2026
    risk = sheets["Risk sommar"].set_index("Enhetskod")
    processed = io.read_tables(result.processed, ["redirection_totals"])["redirection_totals"]
    assert risk.loc["REGION", "Väntat antal hänvisade"] == pytest.approx(
        processed.set_index("unit_id").loc["REGION", "redirected_mean"], abs=1e-6
    )


REPORT_NAMES = ("index", "styrgrupp", "nulage", "framtid", "sommar", "handlingsplan", "tertialrapport")


def _html_pages(bundle):
    published = run_bundle.published_dir(bundle)
    return [published / f"{name}.html" for name in REPORT_NAMES] + sorted((published / "notebooks").glob("*-preview.html"))


def test_rendered_html_and_pdf_when_quarto_is_installed(run, quarto_available):
    if not quarto_available:
        pytest.skip("quarto is not installed on this machine")
    _, _, result, _, _ = run
    for name in REPORT_NAMES:
        assert (result.published / f"{name}.html").is_file()
        assert (result.published / f"{name}.pdf").is_file()
        html = (result.published / f"{name}.html").read_text(encoding="utf-8")
        # self-contained: no script or style loaded from another host (pandas' HTML previews
        # made Quarto add require.js and jQuery from a CDN; the pipeline strips them)
        assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"https?://", html), name
        assert ">PDF</a>" in html and ">Typst</a>" not in html, name  # the format link says PDF


def test_every_local_link_of_the_html_reports_resolves(run, quarto_available):
    """Every link to a file in the bundle exists, and every #anchor in it is an id there: the
    "Källa" links go from each embedded output to its cell on the notebook's page."""
    if not quarto_available:
        pytest.skip("quarto is not installed on this machine")
    _, _, result, _, _ = run
    broken, source_links = [], 0
    for page in _html_pages(result.bundle):
        html = page.read_text(encoding="utf-8")
        for target, anchor in re.findall(r'href="([^"#:]*)(?:#([^"]*))?"', html):
            path = (page.parent / target) if target else page
            if not path.is_file():
                broken.append(f"{page.name}: {target}")
            elif anchor and path.suffix == ".html" and f'id="{anchor}"' not in path.read_text(encoding="utf-8"):
                broken.append(f"{page.name}: {target}#{anchor}")
        source_links += html.count('class="quarto-notebook-link"')
        if page.stem in REPORT_NAMES:
            # one "Källa" link per embed (Quarto alone links only the first per notebook)
            embeds = len(find_embeds(result.internal / f"{page.stem}.qmd"))
            assert html.count('class="quarto-notebook-link"') == embeds, page.name
    assert broken == []
    assert source_links > 50


def _pdf_languages(raw: bytes) -> set[bytes]:
    """Every /Lang entry of a PDF, in its plain objects and in its Flate streams (Typst 0.14
    and later, Quarto 1.8+, put the catalog in a compressed object stream). Typst 0.15
    writes the region too ("sv-US" for ``lang: sv``: issue 30 asks for sv-SE)."""
    import zlib

    found = set(re.findall(rb"/Lang\s*\(([^)]*)\)", raw))
    for m in re.finditer(rb"stream\r?\n", raw):
        try:
            data = zlib.decompress(raw[m.end() : raw.find(b"endstream", m.end())])
        except zlib.error:
            continue
        found |= set(re.findall(rb"/Lang\s*\(([^)]*)\)", data))
    return found


def test_pdfs_carry_title_language_and_figure_alt_text(run, quarto_available):
    import subprocess

    if not quarto_available or shutil.which("pdfinfo") is None:
        pytest.skip("needs quarto and poppler's pdfinfo (Debian poppler-utils)")
    _, _, result, _, _ = run
    for name in REPORT_NAMES:
        pdf = result.published / f"{name}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        title = yaml.safe_load((result.internal / f"{name}.qmd").read_text(encoding="utf-8").split("---")[1])["title"]
        assert re.search(r"^Title:\s+" + re.escape(title) + r"\s*$", info, re.M), name
        assert any(lang.startswith(b"sv") for lang in _pdf_languages(pdf.read_bytes())), name
    # every figure has its alt text in the Typst source the PDF is made from (kept in the
    # bundle). Typst 0.13, which Quarto 1.7 ships, does not yet write it into the PDF (tagged
    # PDF came with Typst 0.14); the HTML reports carry it (axe-core's image-alt rule).
    figures = 0
    for name in REPORT_NAMES:
        typ = (result.internal / f"{name}.typ").read_text(encoding="utf-8")
        images = re.findall(r'image\("[^"]+"(, alt: "(?:[^"\\]|\\.)+")?\)', typ)
        assert all(images), name
        figures += len(images)
    assert figures > 10


def test_html_reports_pass_axe_core_in_chromium(run, quarto_available, tmp_path):
    """Every HTML report and notebook page, opened offline in Debian's chromium: no axe-core
    violation of impact serious or critical, and nothing loaded from another host. A page with
    known faults is audited first, so a browser or axe that checks nothing cannot pass."""
    from tests.e2e import browser

    if not quarto_available:
        pytest.skip("quarto is not installed on this machine")
    missing = browser.missing_tools()
    if missing:
        pytest.skip("the browser test needs " + ", ".join(missing) + " (make test installs Debian's chromium where it may)")
    _, _, result, _, _ = run
    canary = tmp_path / "canary.html"
    canary.write_text('<html><body><img src="x.png"><a href=""></a></body></html>', encoding="utf-8")
    problems = {}
    with browser.chromium() as driver:
        found = browser.audit(driver, canary)["violations"]
        assert any(v.startswith("image-alt") for v in found) and any(v.startswith("html-has-lang") for v in found), found
        for page in _html_pages(result.bundle):
            audit = browser.audit(driver, page)
            if audit["violations"] or audit["remote"]:
                problems[page.name] = audit
    assert problems == {}


def test_pdf_layout_is_clean_when_rendered(run, quarto_available):
    """No word printed over another or off the page, no near-empty middle page (issue 10).
    handlingsplan and tertialrapport are held to the first two rules only: the page before
    their landscape table pages ends with a figure and little text."""

    from fragile_care.publish.pdf_layout import check_pdf

    if not quarto_available or shutil.which("pdftotext") is None:
        pytest.skip("needs quarto and poppler's pdftotext (Debian poppler-utils)")
    _, _, result, _, _ = run
    for name in ("index", "styrgrupp", "nulage", "framtid", "sommar"):
        assert check_pdf(result.published / f"{name}.pdf") == [], name
    for name in ("handlingsplan", "tertialrapport"):
        problems = [p for p in check_pdf(result.published / f"{name}.pdf") if "words on a page" not in p]
        assert problems == [], name


def test_tertial_follow_up_compares_with_the_previous_bundle(run):
    _, _, result, _, tmp = run
    nb = nbformat.read(result.internal / "notebooks" / "05_action_plan.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "#| label: tbl-changes" in c.source)
    text = cell.outputs[0]["data"]["text/markdown"]
    assert "Jämförelse med körning `e2e-T1` (2026-05-02)" in text
    assert "births_monthly.csv` (ändrad)" in text and "action_plan.csv` (ny)" in text
    assert "| Väntat antal hänvisade nästa sommar | 70 |" in text
    scenarios = io.read_tables(result.processed, ["scenarios"])["scenarios"]
    assert scenarios["scenario"].iloc[0] == "Oförändrat läge" and scenarios["scenario"].iloc[-1] == "Alla åtgärder"
    assert scenarios["redirected_mean"].iloc[-1] < scenarios["redirected_mean"].iloc[0]  # the plan adds staff


def test_steering_brief_is_at_most_three_pages_and_comes_first(run, quarto_available):
    import subprocess

    if not quarto_available or shutil.which("pdfinfo") is None:
        pytest.skip("needs quarto and poppler's pdfinfo (Debian poppler-utils)")
    _, _, result, _, _ = run
    info = subprocess.run(["pdfinfo", str(result.published / "styrgrupp.pdf")], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert 1 <= pages <= 3
    index = (result.published / "index.html").read_text(encoding="utf-8")
    reports = re.findall(r'href="(\w+)\.html"', index[index.index("<table") :])
    assert reports[0] == "styrgrupp"


def _markdown(result, notebook, label):
    nb = nbformat.read(result.internal / "notebooks" / f"{notebook}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if f"#| label: {label}" in c.source)
    return "".join(o["data"]["text/markdown"] for o in cell.outputs if "text/markdown" in o.get("data", {}))


def test_one_planning_figure_in_every_place_it_appears(run):
    """Next summer's expected redirections: the brief, the risk summary, the scenarios'
    baseline and the allocation all take the same number from redirection_totals."""
    _, _, result, _, _ = run
    t = io.read_tables(result.processed, ["redirection_totals", "brief_key_numbers", "scenarios", "extra_staff"])
    figure = t["redirection_totals"].set_index("unit_id").loc["REGION", "redirected_mean"]
    key = t["brief_key_numbers"].set_index("key").loc["planning_figure"]
    assert key["value"] == pytest.approx(figure)
    assert t["scenarios"]["redirected_mean"].iloc[0] == pytest.approx(figure)
    assert t["extra_staff"]["redirected_before"].sum() == pytest.approx(figure, rel=1e-9)
    shown = fmt.sv_int(figure)
    assert f"väntas omkring {shown} kvinnor" in _markdown(result, "04_capacity_risk", "txt-risk-summary")
    brief_table = _markdown(result, "06_steering_brief", "tbl-key-numbers")
    assert f"| {shown} | 80\u00a0%-intervall {fmt.sv_int(key['low'])}–{fmt.sv_int(key['high'])} |" in brief_table


def test_brief_has_a_row_per_unit_and_proposals_naming_unit_weeks_amount_and_effect(run):
    _, _, result, _, _ = run
    t = io.read_tables(result.processed, ["brief_units", "brief_proposals", "units"])
    open_units = t["units"][t["units"]["closed"].isna()]
    assert sorted(t["brief_units"]["unit_id"]) == sorted(open_units["unit_id"])
    assert set(t["brief_units"]["light"]) <= {"red", "yellow", "green"}
    props = t["brief_proposals"]
    assert len(props) >= 1
    assert props["unit_id"].notna().all() and (props["weeks"] != "").all()
    assert (props["amount"] != "").all() and (props["prevented"] > 0).all() and (props["cost_sek"] > 0).all()
    assert (props["prevented_p10"] <= props["prevented"]).all() and (props["prevented"] <= props["prevented_p90"]).all()
    text = _markdown(result, "06_steering_brief", "txt-proposals")
    assert text.count("Undviker omkring") == len(props) and text.count(" tkr (") == len(props)


def _markdown_outputs(bundle):
    for path in sorted((run_bundle.internal_dir(bundle) / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/markdown")
                if text:
                    yield path.stem, "".join(text) if isinstance(text, list) else text


def test_data_text_reaches_the_reports_escaped(run):
    """Unit names and activity titles with markup in them print as written: no raw HTML, no
    Quarto shortcode, no extra table column, no line break out of a table cell."""
    _, code, result, log, _ = run
    assert code == 0, log
    seen = set()
    for step, text in _markdown_outputs(result.bundle):
        assert "<script>" not in text and "<i>" not in text and "{{<" not in text, (step, text[:300])
        assert r"\\\{" not in text and r"\\\<" not in text, (step, "escaped twice")
        seen |= {name for name in ("SÄS \\{\\{\\< meta title \\>\\}\\}", "NÄL \\<i\\>x\\</i\\>\\|\\$1\\$") if name in text}
        lines = text.splitlines()
        for k, line in enumerate(lines):
            if re.fullmatch(r"\|[-:|]+\|", line.strip()) and k > 0:  # a pipe table's separator row
                width = len(re.findall(r"(?<!\\)\|", lines[k - 1]))
                for row in lines[k + 1 :]:
                    if not row.startswith("|"):
                        break
                    assert len(re.findall(r"(?<!\\)\|", row)) == width, (step, row)
    assert len(seen) == 2  # both names reached the reports, escaped
    plan = "".join(text for step, text in _markdown_outputs(result.bundle) if step == "05_action_plan")
    assert "Sommarersättning \\<script\\>alert(1)\\</script\\> \\| rad två" in plan


def _hidden_and_names(result):
    from fragile_care.model import describe

    t = io.read_tables(result.processed, ["units", "redirection_counts_internal"])
    counts = t["redirection_counts_internal"]
    hidden = {
        (u, int(y)): s
        for u, y, r, s in counts[["unit_id", "year", "reasons", "status"]].itertuples(index=False)
        if r == "capacity" and s in ("primary", "secondary", "withheld", "unpublished")
    }
    units = t["units"]
    names = {u: u for u in units["unit_id"]} | {v: k for k, v in describe.unit_labels(units).items()}
    return hidden, names | {v: k for k, v in describe.short_labels(units).items()}


def test_no_published_page_prints_a_count_the_reports_hide(run, quarto_available):
    """Issue 32: every page reachable from the reports (the reports and the notebook pages
    they link to: HTML tables and text outputs) and the workbook: no count of 1-4 and no
    secondary-suppressed count for a unit and year. The same scan of the audited notebooks'
    own text outputs, which the pages printed before, finds those counts."""
    from tests import published_scan as scan

    if not quarto_available:
        pytest.skip("quarto is not installed on this machine")
    cfg, code, result, log, _ = run
    assert code == 0, log
    hidden, names = _hidden_and_names(result)
    assert {"primary", "secondary"} <= set(hidden.values())  # both kinds of hiding are at work
    pages = sorted(result.published.rglob("*.html"))
    assert len(pages) == len(REPORT_NAMES) + len(steps.NAMES)
    records = list(scan.published_records(result.published))
    assert len(records) > 1000
    assert scan.leaks(records, hidden, names, cfg.disclosure_threshold) == []
    # nothing internal in the published part, and every page says where the withheld outputs are
    assert not list(result.published.rglob("*.ipynb")) and not list(result.published.rglob("*.parquet"))
    for page in sorted((result.published / "notebooks").glob("*-preview.html")):
        assert f"internal/notebooks/{page.name.replace('-preview.html', '.ipynb')}" in page.read_text(encoding="utf-8"), page.name
    for page in pages:  # the e2e data's activity title and unit names carry markup and shortcodes
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in html and "<i>x</i>" not in html, page.name
    # the scan has teeth on this very run: the audited notebooks' text outputs leak
    internal = []
    for notebook in sorted((result.internal / "notebooks").glob("*.ipynb")):
        for k, cell in enumerate(nbformat.read(notebook, as_version=4).cells):
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/plain", "")
                internal += scan.text_table_records("".join(text), f"{notebook.name} cell {k}")
    assert any("for" in leak and "hidden in the reports" in leak for leak in scan.leaks(internal, hidden, names))
    assert any("a count of 1-4" in leak for leak in scan.leaks(internal, hidden, names))


def _figures_and_alts(node, found: list) -> list:
    """(Figure structure elements, those with a non-empty /Alt) under a structure node."""
    import pikepdf

    if isinstance(node, pikepdf.Array):
        for kid in node:
            _figures_and_alts(kid, found)
    elif isinstance(node, pikepdf.Dictionary):
        if node.get("/S") == "/Figure":
            found.append(bool(str(node.get("/Alt", "")).strip()))
        if "/K" in node:
            _figures_and_alts(node.K, found)
    return found


def test_every_pdf_is_archival_and_accessible(run, quarto_available):
    """Issue 30: each report's PDF declares PDF/A-2a and PDF/UA-1 in its XMP, is tagged,
    says /Lang (sv-SE), has its title, and every Figure in its structure carries /Alt.
    (Typst checks the standards while compiling; this reads what it wrote.)"""
    pikepdf = pytest.importorskip("pikepdf")
    if not quarto_available:
        pytest.skip("quarto is not installed on this machine")
    cfg, code, result, log, _ = run
    assert code == 0, log
    pdfs = sorted(result.published.glob("*.pdf"))
    assert {p.stem for p in pdfs} == set(REPORT_NAMES)
    figures = 0
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            root, meta = pdf.Root, pdf.open_metadata()
            assert str(root.get("/Lang")) == "sv-SE", path.name
            assert bool(root.MarkInfo.Marked) and "/StructTreeRoot" in root, path.name
            assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance"), meta.get("pdfuaid:part")) == ("2", "A", "1"), path.name
            assert meta.get("dc:title"), path.name
            found = _figures_and_alts(root.StructTreeRoot, [])
            assert all(found), f"{path.name}: {found.count(False)} figure(s) without alt text"
            figures += len(found)
    assert figures >= 10  # the reports' charts are tagged as figures
