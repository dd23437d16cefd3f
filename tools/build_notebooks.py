"""Write the analysis notebooks from the cell sources below (outputs empty).

Run: .venv/bin/python tools/build_notebooks.py. Editing the .ipynb in Jupyter is fine too;
``fragile-care strip-notebooks`` removes outputs before committing.
"""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


PARAMETERS = """
# Parameters (papermill injects the run's values after this cell)
config_path = "config/runs/2026-T2.yaml"
processed_dir = ""
output_root = ""
"""


def md(text):
    return nbformat.v4.new_markdown_cell(text.strip())


def code(text, tags=None):
    cell = nbformat.v4.new_code_cell(text.strip())
    if tags:
        cell.metadata["tags"] = tags
    return cell


CLEAN = [
    md("""
# 01 Rensning av data och nuläge

Läser källdata (enhetsdata och offentliga serier), kontrollerar dem mot tabellkontrakten,
harmoniserar enheter (alias och sammanslagningen Mölndal → Östra), för en datakvalitetslogg
och radräkning, skriver de validerade tabellerna och beskriver nuläget: förlossningar per
enhet och år, säsongsmönster, sommartoppen och sommarjämförelsen. All logik finns i paketet
`fragile_care`; denna notebook anropar det och ritar.
"""),
    code(PARAMETERS, tags=["parameters"]),
    code("""
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

from fragile_care import clean, config, describe, io, report

cfg, out_dir = config.notebook_context(config_path, processed_dir)
report.set_style()
"""),
    md("## Inläsning, kontroller och radräkning"),
    code("""
result = clean.clean_dataset(cfg.data_dir, cfg.public_dir, cfg.harmonisation, cfg.period_start, cfg.period_end)
tables = result.tables
io.write_tables({**tables, "quality_log": result.quality_log, "row_accounting": result.accounting}, out_dir)
result.accounting
"""),
    code("""
#| label: demo-banner
display(Markdown(report.data_banner(cfg.is_demo, cfg.data_source, cfg.period_end, cfg.run_id)))
"""),
    code("""
#| label: tbl-row-accounting
#| tbl-cap: "Radräkning per fil: inlästa rader = behållna + avvisade. Sammanslagna rader och rader utanför perioden räknas separat."
acc = result.accounting.assign(
    **{c: result.accounting[c].map(report.sv_int) for c in ["rows_read", "rows_kept", "rows_rejected", "rows_merged", "rows_outside_period", "rows_out", "repairs", "warnings"]}
).rename(columns={"file": "Fil", "rows_read": "Inlästa", "rows_kept": "Behållna", "rows_rejected": "Avvisade",
                  "rows_merged": "Sammanslagna", "rows_outside_period": "Utanför period", "rows_out": "Ut",
                  "repairs": "Reparationer", "warnings": "Varningar"}).drop(columns="table")
display(Markdown(report.md_table(acc)))
"""),
    code("""
#| label: tbl-quality-summary
#| tbl-cap: "Datakvalitetslogg sammanfattad per fil, kolumn och åtgärd, med antal och ett exempel ur loggen. Hela loggen finns i körningens quality_log.csv."
summary = describe.quality_summary(result.quality_log)
shown = summary.assign(
    count=summary["count"].map(report.sv_int), severity=summary["severity"].map(report.SEVERITY_SV),
    action=summary["action"].map(report.sv_action), example=summary["example"].map(lambda t: f"`{t}`"),
).rename(columns={"file": "Fil", "column": "Kolumn", "severity": "Typ", "action": "Åtgärd", "count": "Antal", "example": "Exempel (loggtext)"})
display(Markdown(report.md_table(shown, align="llllrl") if len(shown) else "Inga anmärkningar i datakvalitetsloggen."))
"""),
    md("## Förlossningar per år och enhet"),
    code("""
births = tables["births_monthly"]
sites = tables.get("births_monthly_sites", births)
units = tables["units"]
labels = describe.unit_labels(units)
site_labels = dict(zip(units["unit_id"], units["name"]))
region_year = describe.regional_annual(births)
ytd = describe.year_to_date(births)
region_year
"""),
    code("""
#| label: txt-key-numbers
full = region_year[region_year["complete"]]
last, prev = full.iloc[-1], full.iloc[-2]
ytd_change = describe.change(ytd["current"], ytd["previous"])
display(Markdown(
    f"Under {int(last['year'])} förlöstes {report.sv_int(last['deliveries'])} kvinnor vid regionens förlossningsenheter "
    f"och {report.sv_int(last['babies_born'])} barn föddes, {report.sv_pct(describe.change(last['deliveries'], prev['deliveries']), signed=True)} "
    f"jämfört med {int(prev['year'])}. Från januari till och med {report.sv_month(ytd['last_month'])} var antalet förlossningar "
    f"{report.sv_int(ytd['current'])}, {report.sv_pct(ytd_change, signed=True)} jämfört med samma period {ytd['last_month'].year - 1}."
))
"""),
    code("""
#| label: fig-births-region-year
#| fig-cap: "Antal förlossningar per år i regionen (hela år)."
#| fig-alt: "Stapeldiagram över antalet förlossningar per år i Västra Götalandsregionen för de hela år som finns i underlaget."
fig, ax = plt.subplots(figsize=(9, 4))
sns.barplot(data=full, x="year", y="deliveries", color=sns.color_palette()[0], ax=ax)
ax.set(xlabel="År", ylabel="Förlossningar", title="Förlossningar per år, hela regionen")
report.sv_axis(ax)
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: fig-births-by-unit-year
#| fig-cap: "Antal förlossningar per år och förlossningsenhet, hela år. Mölndals förlossning stängde 30 april 2017 och verksamheten flyttade till Östra sjukhuset."
#| fig-alt: "Linjediagram med en linje per förlossningsenhet som visar antalet förlossningar per år; Mölndals linje slutar 2017 samtidigt som Östra sjukhuset ökar."
site_year = describe.annual_births(sites)
site_year = site_year[site_year["year"].isin(full["year"])].assign(Enhet=lambda d: d["unit_id"].map(site_labels))
fig, ax = plt.subplots(figsize=(9, 4.5))
sns.lineplot(data=site_year, x="year", y="deliveries", hue="Enhet", style="Enhet", markers=True, dashes=False, ax=ax)
ax.axvline(2017.33, color="grey", linestyle=":", linewidth=1)
ax.annotate("Mölndal stänger\\n30 april 2017", xy=(2017.33, ax.get_ylim()[1] * 0.9), fontsize=8, color="grey", ha="left")
ax.set(xlabel="År", ylabel="Förlossningar", title="Förlossningar per år och enhet")
report.sv_axis(ax)
ax.legend(title=None, fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: fig-births-monthly
#| fig-cap: "Förlossningar per månad i hela regionen och per enhet (tunn linje) med glidande tolvmånadersmedelvärde (tjock linje). Östra inkluderar Mölndal före sammanslagningen."
#| fig-alt: "Fem delfigurer, en för hela regionen och en per förlossningsenhet, med antalet förlossningar per månad sedan 2015 och ett glidande årsmedelvärde."
region_month = describe.regional_monthly(births).assign(unit_id="REGION", Enhet="Hela regionen")
monthly = pd.concat([region_month, births.assign(Enhet=births["unit_id"].map(labels))], ignore_index=True)
monthly["rolling"] = monthly.groupby("unit_id")["deliveries"].transform(lambda s: s.astype(float).rolling(12).mean())
grid = sns.relplot(data=monthly, x="month", y="deliveries", col="Enhet", col_wrap=2, kind="line",
                   height=2.4, aspect=1.8, facet_kws={"sharey": False}, linewidth=0.8, alpha=0.6)
for ax, name in zip(grid.axes.flat, grid.col_names):  # each panel gets its own unit's rolling mean
    part = monthly[monthly["Enhet"] == name]
    ax.plot(part["month"], part["rolling"], linewidth=2.2, color="black")
    report.sv_axis(ax)
grid.set_titles("{col_name}")
grid.set_axis_labels("Månad", "Förlossningar")
report.source_note(grid.figure, cfg.is_demo)
plt.show()
"""),
    md("## Säsongsmönster och sommartoppen"),
    code("""
#| label: fig-seasonality
#| fig-cap: "Säsongsindex: förlossningar per dag i varje kalendermånad i förhållande till enhetens genomsnittliga dag (1,00), hela år. Streckad svart linje: hela Sverige (SCB, levande födda)."
#| fig-alt: "Linjediagram med säsongsindex per kalendermånad för varje enhet och för Sverige; indexet är högst under april till juli och lägst i december."
season = describe.seasonal_index(births).assign(Enhet=lambda d: d["unit_id"].map(labels))
years = describe.complete_years(births)
national = describe.national_seasonal_index(tables["sweden_live_births_monthly"], years[0], years[-1])
fig, ax = plt.subplots(figsize=(9, 4.5))
ax.axvspan(5.5, 8.5, color="#f2e6c9", alpha=0.6, label="Sommarmånader")
sns.lineplot(data=season, x="cal_month", y="index", hue="Enhet", marker="o", ax=ax)
ax.plot(national["cal_month"], national["index"], "k--", linewidth=2, label="Sverige (SCB)")
ax.set_xticks(range(1, 13), report.MONTHS_SV_SHORT)
ax.axhline(1, color="grey", linewidth=0.8)
ax.set(xlabel="Månad", ylabel="Index (1,00 = genomsnittlig dag)", title="Säsongsmönster per enhet")
ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: report.sv_num(v, 2)))
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
report.source_note(fig, cfg.is_demo, "Sverige: SCB via FN:s demografiska årsbok, tabell 55.")
plt.show()
"""),
    code("""
#| label: fig-summer-weeks
#| fig-cap: "Skattade förlossningar per ISO-vecka i hela regionen, vecka 18–40, för jämförelseåren. Sommarperioden är markerad. Veckovärden är skattade från månadsdata (jämn fördelning över månadens dagar)."
#| fig-alt: "Linjediagram med skattat antal förlossningar per vecka i regionen under sommarhalvåret för varje jämförelseår, med sommarveckorna markerade."
weekly = describe.weekly_estimate(births)
region_week = weekly[weekly["iso_year"].isin(cfg.compare_years) & weekly["iso_week"].between(18, 40) & (weekly["days"] == 7)]
region_week = region_week.groupby(["iso_year", "iso_week"], as_index=False)["deliveries"].sum()
fig, ax = plt.subplots(figsize=(9, 4))
w0, w1 = cfg.summer_weeks
ax.axvspan(w0 - 0.5, w1 + 0.5, color="#f2e6c9", alpha=0.6, label=f"Sommarperiod v. {w0}–{w1}")
sns.lineplot(data=region_week.assign(År=region_week["iso_year"].astype(str)), x="iso_week", y="deliveries", hue="År", marker="o", ax=ax)
ax.set(xlabel="ISO-vecka", ylabel="Förlossningar per vecka (skattat)", title="Förlossningar per vecka, hela regionen")
report.sv_axis(ax)
ax.legend(fontsize=8)
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    md("## Sommaren jämförd med tidigare somrar"),
    code("""
summer = describe.summer_comparison(births, tables["redirections"], cfg.compare_years, cfg.summer_weeks)
summer
"""),
    code("""
#| label: tbl-summer-deliveries
#| tbl-cap: "Skattade förlossningar under sommarperioden per enhet och år, och förändringen mot föregående sommar."
y_last, y_prev = cfg.compare_years[-1], cfg.compare_years[-2]
wide = summer.pivot(index="unit_id", columns="year")
table = pd.DataFrame({"Enhet": [labels[u] for u in wide.index]})
for y in cfg.compare_years:
    table[str(y)] = [report.sv_int(v) for v in wide[("deliveries", y)]]
table[f"Förändring {y_last} mot {y_prev}"] = [report.sv_pct(describe.change(a, b), signed=True) for a, b in zip(wide[("deliveries", y_last)], wide[("deliveries", y_prev)])]
display(Markdown(report.md_table(table)))
"""),
    code("""
#| label: tbl-summer-redirections
#| tbl-cap: "Hänvisade kvinnor under sommarperioden per enhet (den enhet som hänvisade) och år, samt per 1 000 förlossningar. Antal 1–4 visas som <5."
table = pd.DataFrame({"Enhet": [labels[u] for u in wide.index]})
for y in cfg.compare_years:
    table[f"Antal {y}"] = [report.suppress(v, cfg.disclosure_threshold) for v in wide[("redirected", y)]]
for y in cfg.compare_years:
    table[f"Per 1 000 {y}"] = [report.sv_num(v) for v in wide[("redirected_per_1000", y)]]
display(Markdown(report.md_table(table)))
"""),
    code("""
#| label: txt-summer-summary
totals = summer.groupby("year")[["deliveries", "redirected"]].sum()
d_last, d_prev = totals.loc[y_last], totals.loc[y_prev]
display(Markdown(
    f"Under sommarperioden (vecka {w0}–{w1}) {y_last} skattas antalet förlossningar i regionen till {report.sv_int(d_last['deliveries'])}, "
    f"{report.sv_pct(describe.change(d_last['deliveries'], d_prev['deliveries']), signed=True)} jämfört med {y_prev}. "
    f"{report.sv_int(d_last['redirected'])} kvinnor hänvisades till en annan enhet ({report.sv_int(d_prev['redirected'])} sommaren {y_prev}), "
    f"{report.sv_num(1000 * d_last['redirected'] / d_last['deliveries'])} per 1 000 förlossningar."
))
"""),
    code("""
#| label: fig-redirections-summer
#| fig-cap: "Hänvisade kvinnor under sommarperioden per enhet (den enhet som hänvisade) och år. Antal 1–4 visas som en streckad stapel upp till 4 med etiketten <5."
#| fig-alt: "Grupperat stapeldiagram med antalet hänvisade kvinnor under sommarveckorna per förlossningsenhet för varje jämförelseår; varje stapel har sitt värde utskrivet."
short = describe.short_labels(units)
unit_order = sorted(summer["unit_id"].unique(), key=lambda u: labels[u])
years_shown = sorted(summer["year"].unique())
width = 0.8 / len(years_shown)
fig, ax = plt.subplots(figsize=(9, 4))
for k, (year, colour) in enumerate(zip(years_shown, sns.color_palette())):
    part = summer[summer["year"] == year].set_index("unit_id").reindex(unit_order)
    positions = [i - 0.4 + width * (k + 0.5) for i in range(len(unit_order))]
    report.suppressed_bars(ax, positions, part["redirected"].fillna(0), cfg.disclosure_threshold, width, colour, str(year))
ax.set_xticks(range(len(unit_order)), [short[u] for u in unit_order])
ax.set(xlabel="", ylabel="Hänvisade kvinnor", title=f"Hänvisningar vecka {w0}–{w1}")
report.sv_axis(ax)
ax.legend(title="År", fontsize=8)
fig.tight_layout()
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    md("## Enhetsstruktur och jämförelse med offentlig statistik"),
    code("""
#| label: tbl-unit-structure
#| tbl-cap: "Förlossningsenheter: förvaltning, förlossningsrum, BB-platser, neonatala vårdplatser och status."
structure = describe.unit_structure(units, sites)
def status(row):
    if isinstance(row["merged_into"], str) and row["merged_into"]:
        return f"Stängd {report.sv_date(row['closed'])}, verksamheten flyttad till {site_labels[row['merged_into']]}"
    return "I drift"
shown = pd.DataFrame({
    "Enhet": structure["name"], "Förvaltning": structure["administration"],
    "Förlossningsrum": structure["delivery_rooms"].map(report.sv_int), "BB-platser": structure["postnatal_beds"].map(report.sv_int),
    "Neonatal IVA/intermediär/vårdavd.": [f"{a}/{b}/{c}" for a, b, c in zip(structure["neonatal_cots_ic"], structure["neonatal_cots_hd"], structure["neonatal_cots_sc"])],
    "Data från": structure["first"].map(report.sv_month), "Data till": structure["last"].map(report.sv_month),
    "Status": structure.apply(status, axis=1),
})
display(Markdown(report.md_table(shown, align="llrrllll")))
"""),
    code("""
#| label: tbl-coverage-public
#| tbl-cap: "Födda barn vid enheterna jämfört med levande födda i Västra Götalands län enligt SCB, för år där båda finns."
cov = describe.coverage_vs_public(births, tables["vgr_live_births_annual"])
shown = pd.DataFrame({"År": cov["year"].astype(str), "Födda vid enheterna": cov["babies_born"].map(report.sv_int),
                      "Levande födda i länet (SCB)": cov["live_births"].map(report.sv_int), "Kvot": cov["ratio"].map(lambda v: report.sv_num(v, 3))})
display(Markdown(report.md_table(shown) if len(cov) else "Inga överlappande år med SCB:s länsserie (1968–2017) i underlaget."))
"""),
]


FORECAST = [
    md("""
# 02 Prognos för antalet förlossningar under oförändrat läge

Prognos per enhet och för regionen, månad för månad, med prediktionsintervall som är
kalibrerade mot modellernas egna historiska prognosfel. Modellval, kalibrering och
avstämning (enheterna summerar exakt till regionen) sker i `fragile_care.forecast`.
"""),
    code(PARAMETERS, tags=["parameters"]),
    code("""
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

from fragile_care import config, demography, describe, forecast, io, report

cfg, out_dir = config.notebook_context(config_path, processed_dir)
report.set_style()
tables = io.read_tables(out_dir, ["births_monthly", "units"])
births, units = tables["births_monthly"], tables["units"]
labels = {**describe.unit_labels(units), "REGION": "Hela regionen"}
"""),
    code("""
# the forecast and its out-of-sample check share one pool of worker processes
# (and the region's forecast from the data before the tertial, for the tertial follow-up)
t_first, _ = config.tertial_months(cfg.tertial)
t_months = len(pd.date_range(t_first, cfg.period_end, freq="MS"))
fc, evaluation, before_tertial = forecast.forecast_and_evaluate(
    births, cfg.horizon_months, cfg.evaluation_origins, region_from=t_first, region_horizon=t_months)
io.write_tables({"births_forecast": fc, **({"births_forecast_tertial": before_tertial} if before_tertial is not None else {})}, out_dir)
fc.groupby("unit_id")["model"].first()
"""),
    code("""
#| label: demo-banner
display(Markdown(report.data_banner(cfg.is_demo, cfg.data_source, cfg.period_end, cfg.run_id)))
"""),
    code("""
evaluation
"""),
    code("""
#| label: txt-forecast-summary
annual = forecast.annual_totals(fc)
history = describe.regional_annual(births)
last = history[history["complete"]].iloc[-1]
region_years = annual[annual["unit_id"] == "REGION"].set_index("year")["mean"]
first_year, last_year = int(region_years.index[0]), int(region_years.index[-1])
display(Markdown(
    f"Om inget förändras väntas regionen ha omkring {report.sv_int(region_years.iloc[0])} förlossningar {first_year} "
    f"och {report.sv_int(region_years.iloc[-1])} år {last_year}, jämfört med {report.sv_int(last['deliveries'])} år {int(last['year'])} "
    f"({report.sv_pct(describe.change(region_years.iloc[-1], last['deliveries']), signed=True)} till {last_year})."
))
"""),
    code("""
#| label: fig-forecast-region
#| fig-cap: "Förlossningar per månad i hela regionen: utfall och prognos under oförändrat läge med 80 %- och 95 %-prediktionsintervall."
#| fig-alt: "Linjediagram med utfallet av förlossningar per månad i regionen de senaste åren följt av en prognoslinje med två skuggade osäkerhetsband som vidgas med tiden."
region_fc = fc[fc["unit_id"] == "REGION"]
region_hist = describe.regional_monthly(births)
region_hist = region_hist[region_hist["month"] >= region_hist["month"].max() - pd.DateOffset(years=4)]
fig, ax = plt.subplots(figsize=(9, 4.2))
ax.plot(region_hist["month"], region_hist["deliveries"], color="black", linewidth=1.2, label="Utfall")
ax.fill_between(region_fc["month"], region_fc["lower_95"], region_fc["upper_95"], alpha=0.18, color=sns.color_palette()[0], label="95 %-intervall")
ax.fill_between(region_fc["month"], region_fc["lower_80"], region_fc["upper_80"], alpha=0.35, color=sns.color_palette()[0], label="80 %-intervall")
ax.plot(region_fc["month"], region_fc["mean"], color=sns.color_palette()[0], linewidth=1.8, label="Prognos")
ax.set(xlabel="Månad", ylabel="Förlossningar per månad", title="Prognos för hela regionen")
report.sv_axis(ax)
ax.legend(fontsize=8, loc="lower left")
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: fig-forecast-units
#| fig-cap: "Förlossningar per månad och enhet: utfall och prognos med 80 %-prediktionsintervall. Enheternas prognoser summerar till regionens."
#| fig-alt: "Fyra delfigurer, en per förlossningsenhet, med utfall per månad och en prognoslinje med ett skuggat osäkerhetsband."
unit_fc = fc[fc["unit_id"] != "REGION"].assign(Enhet=lambda d: d["unit_id"].map(labels))
unit_hist = births[births["month"] >= births["month"].max() - pd.DateOffset(years=4)].assign(Enhet=lambda d: d["unit_id"].map(labels))
grid = sns.FacetGrid(unit_fc, col="Enhet", col_wrap=2, height=2.4, aspect=1.8, sharey=False)
grid.map_dataframe(lambda data, **kw: plt.fill_between(data["month"], data["lower_80"], data["upper_80"], alpha=0.3))
grid.map_dataframe(sns.lineplot, x="month", y="mean")
for ax, name in zip(grid.axes.flat, grid.col_names):  # each panel gets its own unit's history
    part = unit_hist[unit_hist["Enhet"] == name]
    ax.plot(part["month"], part["deliveries"], color="black", linewidth=0.8)
    report.sv_axis(ax)
    report.year_ticks(ax, 2)
grid.set_titles("{col_name}")
grid.set_axis_labels("Månad", "Förlossningar")
report.source_note(grid.figure, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: tbl-forecast-annual
#| tbl-cap: "Prognos för antalet förlossningar per år och enhet (hela kalenderår) under oförändrat läge."
wide = annual.pivot(index="unit_id", columns="year", values="mean")
wide = wide.loc[[u for u in wide.index if u != "REGION"] + ["REGION"]]
table = pd.DataFrame({"Enhet": [labels[u] for u in wide.index]})
for year in wide.columns:
    table[str(year)] = [report.sv_int(v) for v in wide[year]]
display(Markdown(report.md_table(table)))
"""),
    code("""
#| label: tbl-next-summer-weeks
#| tbl-cap: "Prognos för förlossningar per ISO-vecka under nästa sommarperiod, per enhet (veckovärden fördelade från månadsprognosen)."
next_summer = cfg.period_end.year + (1 if cfg.period_end.month >= 8 else 0)
weeks = forecast.summer_weekly(fc[fc["unit_id"] != "REGION"], next_summer, cfg.summer_weeks)
wide = weeks.pivot(index="unit_id", columns="iso_week", values="deliveries")
table = pd.DataFrame({"Enhet": [labels[u] for u in wide.index]})
for week in wide.columns:
    table[f"v. {week}"] = [report.sv_int(v) for v in wide[week]]
table["Summa"] = [report.sv_int(v) for v in wide.sum(axis=1)]
display(Markdown(f"Sommaren {next_summer}, vecka {cfg.summer_weeks[0]}–{cfg.summer_weeks[1]}.\\n\\n" + report.md_table(table)))
"""),
    code("""
#| label: tbl-backtest
#| tbl-cap: "Prognosens träffsäkerhet när den gjorts i efterhand från tidigare tidpunkter (ett år framåt, endast data före respektive tidpunkt): MASE för vald modell och för säsongsnaiv prognos (samma månad föregående år), MAPE och andel utfall inom 80 %- och 95 %-intervallen."
per_series = evaluation.assign(mase_snaive=evaluation["mase"] / evaluation["relative_mae"]).groupby("series").agg(
    model=("model", "first"), mase=("mase", "mean"), mase_snaive=("mase_snaive", "mean"), mape=("mape", "mean"),
    cov80=("coverage_80", "mean"), cov95=("coverage_95", "mean"), origins=("origin", "nunique"))
per_series = per_series.loc[[u for u in per_series.index if u != "REGION"] + ["REGION"]]
n_origins = int(per_series["origins"].max())
table = pd.DataFrame({
    "Enhet": [labels[u] for u in per_series.index], "Modell": per_series["model"],
    "MASE": per_series["mase"].map(lambda v: report.sv_num(v, 2)), "MASE säsongsnaiv": per_series["mase_snaive"].map(lambda v: report.sv_num(v, 2)),
    "MAPE": per_series["mape"].map(lambda v: report.sv_num(v, 1) + "\u00a0%"),
    "Inom 80 %": per_series["cov80"].map(lambda v: report.sv_pct(v, 0)), "Inom 95 %": per_series["cov95"].map(lambda v: report.sv_pct(v, 0)),
})
display(Markdown(report.md_table(table, align="llrrrrr") + f"\\n\\nUtvärderingen bygger på {n_origins} {'tidpunkt' if n_origins == 1 else 'tidpunkter'} per serie "
    f"(ett år framåt). Den fullständiga utvärderingen över tio år görs med `fragile-care bench forecast`."))
"""),
    code("""
public = io.read_tables(out_dir, ["vgr_live_births_annual", "vgr_live_births_by_mother_age", "vgr_women_15_49_by_age", "vgr_population_by_age_sex_2020"])
check = demography.cross_check(
    annual[annual["unit_id"] == "REGION"], births, public["vgr_live_births_annual"], public["vgr_live_births_by_mother_age"],
    public["vgr_women_15_49_by_age"], public["vgr_population_by_age_sex_2020"])
check
"""),
    code("""
#| label: tbl-demographic-check
#| tbl-cap: "Demografisk kontroll: den statistiska prognosen för regionen (omräknad till levande födda bland kvinnor bosatta i länet) bredvid en demografisk skattning, fruktsamhet per ålder × antal kvinnor per ålder."
table = pd.DataFrame({
    "År": check["year"].astype(str),
    "Statistisk prognos": check["forecast_county_scale"].map(report.sv_int),
    f"Demografisk, SFT {report.sv_num(check.attrs['tfr_target'], 2)}": check["demographic_tfr_target"].map(report.sv_int),
    "Skillnad": check["difference"].map(lambda v: report.sv_pct(v, signed=True)),
    f"Demografisk, SFT {report.sv_num(check.attrs['tfr_observed'], 2)} (2011–2015)": check["demographic_tfr_observed"].map(report.sv_int),
})
display(Markdown(report.md_table(table)))
"""),
    code("""
#| label: txt-demographic-check
a = check.attrs
mean_diff = check["difference"].mean()
display(Markdown(
    f"Den demografiska skattningen använder länets åldersmönster i fruktsamhet 2011–2015 (SCB), skalat till en summerad "
    f"fruktsamhet (SFT) på {report.sv_num(a['tfr_target'], 2)} barn per kvinna – Sveriges nivå 2024 – och antalet kvinnor per ålder, "
    f"framskrivet från befolkningen 31 december 2020 genom att varje årskull åldras ett år per år. Den statistiska prognosen är "
    f"omräknad till samma skala: {report.sv_num(a['babies_per_delivery'], 3)} födda barn per förlossning och en kvot på "
    f"{report.sv_num(a['coverage_ratio'], 3)} mellan födda vid enheterna och levande födda i länet. I genomsnitt ligger den statistiska "
    f"prognosen {report.sv_pct(abs(mean_diff), 1)} {'över' if mean_diff > 0 else 'under'} den demografiska. Skillnaden förklaras främst av att "
    f"framskrivningen av kvinnor saknar inflyttning (Västra Götaland har inflyttning i de åldrar då flest föder barn), och av att "
    f"fruktsamheten kan fortsätta att ändras: med fruktsamheten från 2011–2015 (SFT {report.sv_num(a['tfr_observed'], 2)}) skulle "
    f"antalet födda bli betydligt högre."
))
"""),
    code("""
#| label: txt-uncertainty
width = fc.assign(rel=(fc["upper_80"] - fc["lower_80"]) / 2 / fc["mean"])
first_year_width = width[width["month"].dt.year == first_year].groupby("unit_id")["rel"].mean()
last_year_width = width[width["month"].dt.year == last_year].groupby("unit_id")["rel"].mean()
units_only = first_year_width.drop("REGION")
display(Markdown(
    f"**Osäkerheten i klartext.** För en enskild månad {first_year} ligger utfallet för hela regionen med ungefär 80 % sannolikhet "
    f"inom ±{report.sv_pct(first_year_width['REGION'], 0)} från prognosen; för en enskild förlossningsenhet inom "
    f"±{report.sv_pct(units_only.min(), 0)} till ±{report.sv_pct(units_only.max(), 0)} – ju mindre enhet, desto större slumpvariation. "
    f"Osäkerheten växer med tiden: för {last_year} är motsvarande spann för regionen ±{report.sv_pct(last_year_width['REGION'], 0)}. "
    f"Intervallen bygger på hur stora modellernas fel har varit historiskt. Plötsliga förändringar i barnafödandet, som "
    f"nedgången 2022, har tidigare hamnat utanför intervallen; prognosen bör därför stämmas av varje tertial."
))
"""),
]


STAFFING = [
    md("""
# 03 Bemanning: behov mot tillgång per enhet och vecka

Barnmorskor och neonatalsjuksköterskor som behövs, enligt konfigurerbara normer, mot dem
som finns i tjänst (budgeterade årsarbetare minus vakanser och frånvaro, plus hyrpersonal,
minus planerad semester) per enhet och ISO-vecka under sommarperioden: de två senaste
somrarna i utfall och nästa sommar under oförändrat läge. Logiken finns i
`fragile_care.staffing`.
"""),
    code(PARAMETERS, tags=["parameters"]),
    code("""
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

from matplotlib.ticker import MaxNLocator

from fragile_care import config, describe, io, report, staffing
from fragile_care.schemas import CARE_LEVEL_SV

cfg, out_dir = config.notebook_context(config_path, processed_dir)
report.set_style()
tables = io.read_tables(out_dir, ["units", "births_monthly", "births_forecast", "staffing", "leave_plan", "neonatal_admissions"])
units = tables["units"][tables["units"]["closed"].isna()]
labels = {**describe.unit_labels(tables["units"]), "REGION": "Hela regionen"}
norms, cap = cfg.norms, cfg.capacity
"""),
    code("""
years = staffing.review_years(tables["leave_plan"], cfg.compare_years)
outlook = cfg.outlook_summer
deliveries = staffing.summer_deliveries(tables["births_monthly"], tables["births_forecast"], list(units["unit_id"]), years, outlook, cfg.summer_weeks)
midwives, neonatal = staffing.summer_staffing(
    deliveries, tables["staffing"], tables["leave_plan"], units, tables["neonatal_admissions"], tables["births_monthly"],
    norms, cap.mean_stay_hours, reference_year=max(years), neonatal_years=cap.neonatal_history_years)
io.write_tables({"staffing_weekly": midwives, "neonatal_weekly": neonatal}, out_dir)
midwives.groupby(["iso_year", "unit_id"])[["deliveries", "rooms_needed", "rooms_staffed", "fte_gap"]].mean()
"""),
    code("""
#| label: demo-banner
display(Markdown(report.data_banner(cfg.is_demo, cfg.data_source, cfg.period_end, cfg.run_id)))
"""),
    code("""
#| label: txt-staffing-summary
per_year = midwives.groupby("iso_year").agg(short=("fte_gap", lambda g: int((g < 0).sum())), weeks=("fte_gap", "size"),
                                            worst=("fte_gap", "min"))
ahead = midwives[midwives["kind"] == "prognos"]
worst = ahead.loc[ahead["fte_gap"].idxmin()]
parts = [f"{y}: {int(r.short)} av {int(r.weeks)} enhetsveckor med underskott" for y, r in per_year.iterrows()]
display(Markdown(
    f"Förlossningsavdelningarna behöver så många bemannade rum att högst {report.sv_pct(norms.target_blocking, 0)} av kvinnorna "
    f"skulle behöva hänvisas, med en barnmorska per kvinna i aktiv förlossning. Veckor under sommarperioden "
    f"(v. {cfg.summer_weeks[0]}–{cfg.summer_weeks[1]}) där barnmorskorna i tjänst inte räcker till det: " + "; ".join(parts) + ". "
    f"Sommaren {outlook} (oförändrat läge: bemanning och semesterplan som {max(years)}) är underskottet störst vid "
    f"{labels[worst['unit_id']]} vecka {int(worst['iso_week'])}: {report.sv_num(-worst['fte_gap'], 1)} årsarbetare, "
    f"{int(worst['rooms_staffed'])} bemannade rum mot {int(worst['rooms_needed'])} som behövs."
))
"""),
    code("""
#| label: fig-staffing-gap
#| fig-cap: "Barnmorskor på förlossningsavdelningen per vecka: tillgång minus behov i årsarbetare (under noll = underskott), per enhet, för de två senaste somrarna (utfall) och nästa sommar (prognos, oförändrat läge)."
#| fig-alt: "Fyra delfigurer, en per enhet, med en linje per år som visar skillnaden mellan tillgängliga och behövda barnmorskor vecka för vecka under sommaren; en vågrät linje vid noll markerar balans."
# the outlook summer uses the latest summer's staffing, so its line can lie on top of that year's
plot = midwives.assign(Enhet=midwives["unit_id"].map(labels),
                       År=midwives["iso_year"].astype(str) + midwives["kind"].map({"utfall": "", "prognos": " (prognos)"}))
dashes = {label: ((4, 2) if "prognos" in label else "") for label in plot["År"].unique()}
grid = sns.relplot(data=plot, x="iso_week", y="fte_gap", hue="År", style="År", col="Enhet", col_wrap=2, kind="line",
                   markers=True, dashes=dashes, height=2.4, aspect=1.7, facet_kws={"sharey": False})
for ax in grid.axes.flat:
    ax.axhline(0, color="black", linewidth=0.8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    report.sv_axis(ax)
grid.set_titles("{col_name}")
grid.set_axis_labels("ISO-vecka", "Tillgång − behov, åa")
report.source_note(grid.figure, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: tbl-staffing-summer
#| tbl-cap: "Barnmorskor per enhet och sommar (veckorna i sommarperioden): förlossningar per vecka, bemannade rum och behov, antal veckor med underskott och det största underskottet. Jämförelsetalet 1:28 avser alla barnmorskor i tjänst."
summary = midwives.groupby(["unit_id", "iso_year", "kind"], as_index=False).agg(
    deliveries=("deliveries", "mean"), needed=("rooms_needed", "max"), staffed_min=("rooms_staffed", "min"),
    short=("fte_gap", lambda g: int((g < 0).sum())), worst=("fte_gap", "min"), bench=("fte_gap_benchmark", "mean"))
table = pd.DataFrame({
    "Enhet": summary["unit_id"].map(labels),
    "Sommar": summary["iso_year"].astype(str) + summary["kind"].map({"utfall": "", "prognos": " (prognos)"}),
    "Förlossningar/vecka": summary["deliveries"].map(report.sv_int),
    "Rum som behövs (max)": summary["needed"].astype(int).astype(str),
    "Bemannade rum (minst)": summary["staffed_min"].astype(int).astype(str),
    "Veckor med underskott": summary["short"].astype(str),
    "Största underskott, åa": summary["worst"].map(lambda v: report.sv_num(max(0.0, -v), 1)),
    "Mot 1:28, åa": summary["bench"].map(lambda v: report.sv_num(v, 0)),
})
display(Markdown(report.md_table(table, align="llrrrrrr")))
"""),
    code("""
#| label: tbl-neonatal-staffing
#| tbl-cap: "Neonatalvård nästa sommar (prognos, oförändrat läge): belagda vårdplatser i genomsnitt, platser enligt lokalförteckningen, platser som behövs och som sjuksköterskorna kan bemanna (minst under sommaren), per enhet och vårdnivå."
ahead_neo = neonatal[neonatal["kind"] == "prognos"]
per_level = ahead_neo.groupby(["unit_id", "care_level"], as_index=False).agg(
    load=("load_erlangs", "mean"), physical=("cots_physical", "first"), needed=("cots_needed", "max"), staffed=("cots_staffed", "min"))
per_unit_gap = ahead_neo.groupby("unit_id")["fte_gap"].min()
table = pd.DataFrame({
    "Enhet": per_level["unit_id"].map(labels), "Vårdnivå": per_level["care_level"].map(CARE_LEVEL_SV),
    "Belagda platser (medel)": per_level["load"].map(lambda v: report.sv_num(v, 1)),
    "Platser": per_level["physical"].astype(str), "Behövs (max)": per_level["needed"].astype(str),
    "Bemannade (minst)": per_level["staffed"].astype(str),
})
gaps = "; ".join(f"{labels[u]} {report.sv_num(max(0.0, -g), 1)}" for u, g in per_unit_gap.items())
display(Markdown(report.md_table(table, align="llrrrr") + f"\\n\\nStörsta underskott av neonatalsjuksköterskor en sommarvecka (årsarbetare): {gaps}."))
"""),
    code("""
#| label: tbl-staffing-norms
#| tbl-cap: "Normer och antaganden i bemanningsmodellen (ändras i körningens konfiguration, avsnitten staffing och capacity)."
rows = [
    ("Barnmorskor per kvinna i aktiv förlossning", report.sv_num(norms.midwives_per_woman_in_labour, 0), "Svenska Barnmorskeförbundet, ”En födande – en barnmorska” (2022)"),
    ("Förlossningar per barnmorska (årsarbetare) och år, jämförelsetal", report.sv_num(norms.births_per_midwife_fte_year, 0), "RCOG m.fl., Safer Childbirth (2007), brittisk norm"),
    ("Sjuksköterskor per vårdplats: intensiv / intermediär / vårdavdelning",
     " / ".join(report.sv_num(norms.nurses_per_cot[lv], 2) for lv in ("ic", "hd", "sc")), "BAPM, Service Standards (2010)"),
    ("Arbetstid per heltid och vecka, timmar", report.sv_num(norms.hours_per_fte_week, 2), "Treskift inklusive natt (Allmänna bestämmelser)"),
    ("Andel av barnmorskorna som arbetar på förlossningsavdelningen", report.sv_pct(norms.labour_ward_share, 0), "Antagande; ersätt med enhetens schema"),
    ("Högsta andel hänvisade kvinnor som bemanningen dimensioneras för", report.sv_pct(norms.target_blocking, 1), "Modellens val, inte en nationell norm"),
    ("Genomsnittlig tid på förlossningsrummet, timmar", report.sv_num(cap.mean_stay_hours, 1), "Antagande utifrån WHO (2018); inget svenskt mått är publicerat"),
]
display(Markdown(report.md_table(pd.DataFrame(rows, columns=["Norm eller antagande", "Värde", "Källa"]), align="lrl")))
"""),
]


CAPACITY = [
    md("""
# 04 Kapacitet och risk för hänvisning

Sannolikheten att en kvinna i aktiv förlossning möter en avdelning där alla bemannade rum är
upptagna (Erlangs förlustformel) och det förväntade antalet hänvisade kvinnor per enhet och
vecka, med prognosens osäkerhet. En simulering kontrollerar formeln och lägger till det den
inte kan: variation över dygnet och veckan och hänvisning till en grannenhet. Logiken finns i
`fragile_care.capacity`.
"""),
    code(PARAMETERS, tags=["parameters"]),
    code("""
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

from fragile_care import capacity, config, describe, io, report
from fragile_care.schemas import CARE_LEVEL_SV

cfg, out_dir = config.notebook_context(config_path, processed_dir)
report.set_style()
tables = io.read_tables(out_dir, ["units", "staffing_weekly", "neonatal_weekly", "redirections"])
labels = {**describe.unit_labels(tables["units"]), "REGION": "Hela regionen"}
cap = cfg.capacity
weekly = tables["staffing_weekly"]
observed, ahead = weekly[weekly["kind"] == "utfall"], weekly[weekly["kind"] == "prognos"]
outlook = int(ahead["iso_year"].iloc[0])
"""),
    code("""
risk, draws = capacity.redirection_risk(ahead, "rooms_staffed", cap.mean_stay_hours, cap.forecast_draws, cap.seed, cap.high_risk_blocking)
totals = capacity.totals_with_interval(risk, draws)
review = capacity.model_vs_log(observed, tables["redirections"], cap.mean_stay_hours)
simulated = capacity.simulate_summer(ahead, cap.mean_stay_hours, cap.arrival_profile, cap.overflow,
                                     cap.simulation_replications, cap.seed, cap.stay_cv)
neo = capacity.neonatal_risk(tables["neonatal_weekly"], cap.high_risk_blocking)
io.write_tables({"redirection_risk": risk, "redirection_totals": totals, "neonatal_risk": neo}, out_dir)
totals
"""),
    code("""
#| label: demo-banner
display(Markdown(report.data_banner(cfg.is_demo, cfg.data_source, cfg.period_end, cfg.run_id)))
"""),
    code("""
#| label: txt-risk-summary
region = totals.set_index("unit_id").loc["REGION"]
at_risk = risk[risk["blocking"] > cap.high_risk_blocking]
top = capacity.rank_risk(risk, 1).iloc[0]
units_ranked = totals[totals["unit_id"] != "REGION"].sort_values("redirected_mean", ascending=False)
display(Markdown(
    f"Om inget förändras väntas omkring {report.sv_int(region['redirected_mean'])} kvinnor behöva hänvisas från sin "
    f"förlossningsenhet för att alla bemannade rum är upptagna under sommaren {outlook} (vecka {cfg.summer_weeks[0]}–{cfg.summer_weeks[1]}); "
    f"med 80 % sannolikhet mellan {report.sv_int(region['redirected_p10'])} och {report.sv_int(region['redirected_p90'])}. "
    f"{len(at_risk)} av {len(risk)} enhetsveckor har en risk över {report.sv_pct(cap.high_risk_blocking, 0)} att en kvinna måste hänvisas. "
    f"Störst är risken vid {labels[top['unit_id']]} vecka {int(top['iso_week'])} ({report.sv_pct(top['blocking'], 1)}, omkring "
    f"{report.sv_num(top['redirected_mean'], 1)} kvinnor den veckan). Flest hänvisningar över hela sommaren väntas vid "
    f"{labels[units_ranked.iloc[0]['unit_id']]}."
))
"""),
    code("""
#| label: fig-risk-heatmap
#| fig-cap: "Risk att en kvinna måste hänvisas (andel av de födande) per enhet och vecka nästa sommar under oförändrat läge, vid prognosens medelvärde."
#| fig-alt: "Värmekarta med enheterna som rader och sommarens ISO-veckor som kolumner; mörkare ruta betyder högre risk och varje ruta har risken i procent utskriven."
heat = risk.assign(Enhet=risk["unit_id"].map(labels)).pivot(index="Enhet", columns="iso_week", values="blocking") * 100
fig, ax = plt.subplots(figsize=(9, 3.2))
sns.heatmap(heat, annot=heat.map(lambda v: report.sv_num(v, 1)), fmt="", cmap="viridis_r", cbar_kws={"label": "Risk, %"}, ax=ax)
ax.set(xlabel="ISO-vecka", ylabel="", title=f"Risk för hänvisning, sommaren {outlook}")
fig.tight_layout()
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: tbl-risk-ranking
#| tbl-cap: "De tio enhetsveckor med flest väntade hänvisningar nästa sommar (oförändrat läge): förväntat antal med 80 %-intervall från prognosens osäkerhet och sannolikheten att risken överstiger gränsen för förhöjd risk."
ranked = capacity.rank_risk(risk, 10)
table = pd.DataFrame({
    "Enhet": ranked["unit_id"].map(labels), "Vecka": ranked["iso_week"].astype(str),
    "Förlossningar": ranked["deliveries"].map(report.sv_int), "Bemannade rum": ranked["rooms_staffed"].astype(str),
    "Risk": ranked["blocking"].map(lambda v: report.sv_pct(v, 1)),
    "Väntat antal hänvisade": ranked["redirected_mean"].map(lambda v: report.sv_num(v, 1)),
    "80 %-intervall": [f"{report.sv_num(a, 1)}–{report.sv_num(b, 1)}" for a, b in zip(ranked["redirected_p10"], ranked["redirected_p90"])],
    f"P(risk > {report.sv_pct(cap.high_risk_blocking, 0)})": ranked["p_high"].map(lambda v: report.sv_pct(v, 0)),
})
display(Markdown(report.md_table(table, align="lrrrrrrr") + "\\n\\nVäntade antal är modellskattningar (medelvärden), inte räknade personer."))
"""),
    code("""
#| label: tbl-risk-totals
#| tbl-cap: "Väntat antal hänvisade kvinnor under hela sommarperioden nästa sommar per enhet, med 80 %-intervall (oförändrat läge)."
table = pd.DataFrame({
    "Enhet": totals["unit_id"].map(labels),
    "Väntat antal": totals["redirected_mean"].map(lambda v: report.sv_num(v, 0)),
    "80 %-intervall": [f"{report.sv_num(a, 0)}–{report.sv_num(b, 0)}" for a, b in zip(totals["redirected_p10"], totals["redirected_p90"])],
})
display(Markdown(report.md_table(table, align="lrr")))
"""),
    code("""
#| label: tbl-model-vs-log
#| tbl-cap: "Sommarens hänvisningar enligt modellen (med veckans faktiska förlossningar och bemanning) jämfört med hänvisningsloggen, per enhet och år. Modellen avser platsbrist och bemanning; övriga orsaker (neonatal, övrigt) visas för sig. Antal 1–4 i loggen visas som <5."
table = pd.DataFrame({
    "Enhet": review["unit_id"].map(labels), "Sommar": review["iso_year"].astype(str),
    "Förlossningar": review["deliveries"].map(report.sv_int),
    "Modell, väntat antal": review["predicted"].map(lambda v: report.sv_num(v, 1)),
    "Loggen: platsbrist och bemanning": review["logged_capacity"].map(lambda v: report.suppress(v, cfg.disclosure_threshold)),
    "Loggen: övriga orsaker": review["logged_other"].map(lambda v: report.suppress(v, cfg.disclosure_threshold)),
})
years = sorted(review["iso_year"].unique())
sums = review.groupby("iso_year")[["predicted", "logged_capacity"]].sum()
text = " ".join(f"{y}: modellen {report.sv_num(sums.loc[y, 'predicted'], 0)}, loggen {report.suppress(sums.loc[y, 'logged_capacity'], cfg.disclosure_threshold)}." for y in years)
display(Markdown(report.md_table(table, align="llrrrr") + f"\\n\\nHela regionen – {text}"))
"""),
    code("""
#| label: fig-model-vs-log
#| fig-cap: "Hänvisningar under sommarperioden: modellens väntade antal jämfört med loggen (platsbrist och bemanning), per enhet och år. Loggvärden 1–4 visas som en streckad stapel upp till 4 med etiketten <5."
#| fig-alt: "Två delfigurer, en per sommar, med två staplar per enhet: modellens väntade antal hänvisade och antalet i loggen; varje stapel har sitt värde utskrivet."
short = describe.short_labels(tables["units"])
years = sorted(review["iso_year"].unique())
fig, axes = plt.subplots(1, len(years), figsize=(9, 3.6), sharey=True, squeeze=False)
colours = sns.color_palette()[:2]
for ax, year in zip(axes.flat, years):
    part = review[review["iso_year"] == year].reset_index(drop=True)
    x = range(len(part))
    ax.bar([i - 0.2 for i in x], part["predicted"], width=0.4, color=colours[0], label="Modell")
    for i, p in enumerate(part["predicted"]):
        ax.text(i - 0.2, p, report.sv_num(p, 0), ha="center", va="bottom", fontsize=8)
    report.suppressed_bars(ax, [i + 0.2 for i in x], part["logged_capacity"], cfg.disclosure_threshold, 0.4, colours[1], "Logg")
    ax.set_xticks(list(x), [short[u] for u in part["unit_id"]])
    ax.set(title=f"Sommaren {year}", xlabel="")
    report.sv_axis(ax)
axes.flat[0].set_ylabel("Hänvisade kvinnor per sommar")
axes.flat[0].legend(fontsize=8)
fig.tight_layout()
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: tbl-simulation
#| tbl-cap: "Väntat antal hänvisade nästa sommar med fyra beräkningssätt: Erlangs formel; simulering med jämnt inflöde (kontroll av formeln); simulering med variation över dygnet och veckan; samma med regional samordning (hänvisning till en grannenhet med ledigt rum). De två sista kolumnerna: kvinnor som tas emot från en grannenhet och kvinnor som ingen grannenhet kan ta emot."
num = lambda v: report.sv_num(v, 1)
table = pd.DataFrame({
    "Enhet": simulated["unit_id"].map(labels), "Erlang B": simulated["erlang_b"].map(num),
    "Simulering, jämnt inflöde": simulated["sim_constant"].map(num), "Med dygns- och veckovariation": simulated["sim_pattern"].map(num),
    "Med samordning: hänvisade": simulated["sim_pattern_overflow"].map(num),
    "Tas emot från granne": simulated["received_from_neighbour"].map(num), "Ingen granne ledig": simulated["not_placed"].map(num),
})
p = cap.arrival_profile
display(Markdown(report.md_table(table, align="lrrrrrr") + (
    f"\\n\\nSimuleringen: {cap.simulation_replications} upprepningar per vecka, inflödet {report.sv_pct(p.hourly_amplitude, 0)} över "
    f"medel kring klockan {int(p.peak_hour)} och lika mycket under tolv timmar senare, helger {report.sv_pct(p.weekend_factor, 0)} av vardagar (antaganden). "
    "Grannenheter: " + "; ".join(f"{labels.get(u, u)} → {', '.join(labels.get(n, n) for n in ns)}" for u, ns in cap.overflow.items()) + ".")))
"""),
    code("""
#| label: tbl-neonatal-risk
#| tbl-cap: "Neonatalvård nästa sommar (oförändrat läge): risk att ett barn inte får plats på rätt vårdnivå vid sin enhet (Erlang B med bemannade platser), medel och högsta vecka, och väntat antal barn som måste vårdas på annat håll under sommaren."
ahead_neo = neo[neo["kind"] == "prognos"]
per = ahead_neo.groupby(["unit_id", "care_level"], as_index=False).agg(
    mean=("blocking", "mean"), worst=("blocking", "max"), away=("turned_away", "sum"), weeks=("at_risk", "sum"))
table = pd.DataFrame({
    "Enhet": per["unit_id"].map(labels), "Vårdnivå": per["care_level"].map(CARE_LEVEL_SV),
    "Risk, medel": per["mean"].map(lambda v: report.sv_pct(v, 1)), "Risk, högsta vecka": per["worst"].map(lambda v: report.sv_pct(v, 1)),
    f"Veckor över {report.sv_pct(cap.high_risk_blocking, 0)}": per["weeks"].astype(int).astype(str),
    "Väntat antal vårdade på annat håll": per["away"].map(lambda v: report.sv_num(v, 1)),
})
display(Markdown(report.md_table(table, align="llrrrr")))
"""),
]


ACTION_PLAN = [
    md("""
# 05 Handlingsplan, scenarier och tertialuppföljning

Handlingsplanens aktiviteter, deras förväntade effekt körd genom bemannings- och
kapacitetsmodellerna (scenarier jämförda med oförändrat läge), indikatorer mot mål,
styrdiagram med fasta baslinjer, prognosen mot utfallet för tertialen och vad som har
ändrats sedan förra körningen. Logiken finns i `fragile_care.plan` och `fragile_care.followup`.
"""),
    code(PARAMETERS, tags=["parameters"]),
    code("""
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

from fragile_care import config, describe, followup, io, paths, pipeline, plan, report
from fragile_care.schemas import ACTION_PLAN

cfg, out_dir = config.notebook_context(config_path, processed_dir)
report.set_style()
names = ["units", "births_monthly", "redirections", "staffing", "staffing_weekly", "births_forecast", "redirection_totals", "quality_log"]
tables = io.read_tables(out_dir, names)
extra = io.read_tables(out_dir, [n for n in ("action_plan", "best_practice") if (Path(out_dir) / f"{n}.parquet").exists()])
actions = extra.get("action_plan", pd.DataFrame(columns=ACTION_PLAN.column_names))
practices = extra.get("best_practice")
units = tables["units"][tables["units"]["closed"].isna()]
labels = {**describe.unit_labels(tables["units"]), "REGION": "Hela regionen"}
short = describe.short_labels(tables["units"])
cap = cfg.capacity
"""),
    code("""
weekly = tables["staffing_weekly"]
outlook = weekly[weekly["kind"] == "prognos"]
scenario_table, scenario_weeks = plan.scenarios(outlook, units, actions, cfg.norms, cap)
summer_year = max(y for y in weekly.loc[weekly["kind"] == "utfall", "iso_year"])
values = followup.indicator_values(tables["births_monthly"], tables["redirections"], tables["staffing"], weekly,
                                   summer_year, cfg.summer_weeks, cap.high_risk_blocking, cap.mean_stay_hours)
indicators = followup.indicator_table(actions, values)
io.write_tables({"scenarios": scenario_table, "scenario_weeks": scenario_weeks, "indicators": indicators}, out_dir)
scenario_table
"""),
    code("""
#| label: demo-banner
display(Markdown(report.data_banner(cfg.is_demo, cfg.data_source, cfg.period_end, cfg.run_id)))
"""),
    code("""
#| label: txt-followup-summary
base = scenario_table.iloc[0]
together = scenario_table.iloc[-1]
lights = indicators["light"].value_counts()
status = actions["status"].value_counts()
display(Markdown(
    f"Handlingsplanen har {len(actions)} aktiviteter: {status.get('pågår', 0)} pågår, {status.get('planerad', 0)} är planerade, "
    f"{status.get('klar', 0)} är klara och {status.get('pausad', 0)} pausade. Av {len(indicators)} indikatorer med mål är "
    f"{lights.get('green', 0)} gröna (målet nått), {lights.get('yellow', 0)} gula (bättre än utgångsläget) och {lights.get('red', 0)} röda, "
    f"mätt på sommaren {summer_year}. Med alla åtgärder med modellerad effekt väntas omkring {report.sv_int(together['redirected_mean'])} "
    f"kvinnor behöva hänvisas sommaren {int(outlook['iso_year'].iloc[0])}, mot {report.sv_int(base['redirected_mean'])} under oförändrat läge."
))
"""),
    code("""
#| label: tbl-indicators
#| tbl-cap: "Indikatorer mot mål: utgångsläge och mål enligt handlingsplanen, värdet för den senaste sommaren och trafikljus (grön = målet nått, gul = bättre än utgångsläget, röd = inte bättre)."
ind_sv = {"hänvisade_sommar": "Hänvisade kvinnor under sommarperioden", "hänvisade_per_1000": "Hänvisade per 1 000 förlossningar, sommar",
          "vakansgrad_barnmorskor": "Vakansgrad barnmorskor juni–augusti, %", "veckor_med_risk": "Enhetsveckor med förhöjd risk, sommar"}
table = pd.DataFrame({
    "Aktivitet": indicators["activity_id"], "Indikator": indicators["indicator"].map(ind_sv),
    "Utgångsläge": indicators["baseline"].map(lambda v: report.sv_num(v, 1)), "Mål": indicators["target"].map(lambda v: report.sv_num(v, 1)),
    f"Sommaren {summer_year}": indicators["current"].map(lambda v: report.sv_num(v, 1)),
    "Trafikljus": indicators["light"].map(followup.LIGHTS_SV).str.upper(),
})
display(Markdown(report.md_table(table, align="llrrrl")))
"""),
    code("""
#| label: fig-spc-births
#| fig-cap: "Styrdiagram (XmR) för förlossningar per månad i hela regionen. Mittlinje och styrgränser är beräknade på en fast baslinje; röda punkter ligger utanför gränserna, orange ingår i en serie om minst åtta punkter på samma sida om mittlinjen. Säsongsmönstret (fler förlossningar på sommaren) ger återkommande serier; en signal utanför det mönstret är värd att utreda."
#| fig-alt: "Linjediagram över förlossningar per månad med en vågrät mittlinje och två streckade styrgränser; avvikande punkter är markerade."
first, last = cfg.spc_baseline
region = describe.regional_monthly(tables["births_monthly"]).set_index("month")["deliveries"]
region = region[region.index >= first]
chart = followup.xmr(region, (region.index >= first) & (region.index <= last))
def draw(chart, ax, title, ylabel):
    ax.plot(chart.index, chart["value"], color="black", marker="o", markersize=3, linewidth=1)
    ax.axhline(chart["centre"].iloc[0], color=sns.color_palette()[0])
    for bound in ("lower", "upper"):
        ax.axhline(chart[bound].iloc[0], color=sns.color_palette()[0], linestyle="--", linewidth=1)
    ax.plot(chart.index[chart["run"]], chart["value"][chart["run"]], "o", color=sns.color_palette()[1], markersize=5)
    ax.plot(chart.index[chart["outside"]], chart["value"][chart["outside"]], "o", color="#b00020", markersize=6)
    ax.set(title=title, ylabel=ylabel, xlabel="")
    report.sv_axis(ax)
    report.year_ticks(ax)
fig, ax = plt.subplots(figsize=(9, 3.6))
draw(chart, ax, f"Förlossningar per månad, baslinje {report.sv_month(first)}–{report.sv_month(last)}", "Förlossningar")
fig.tight_layout()
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: fig-spc-staffing
#| fig-cap: "Styrdiagram (XmR) för barnmorskor i tjänst per månad i hela regionen (tillgängliga årsarbetare plus hyrpersonal), samma fasta baslinje. Sommarmånaderna ligger högt av sommarvikarier; de är ett känt, återkommande mönster."
#| fig-alt: "Linjediagram över barnmorskor i tjänst per månad med mittlinje och styrgränser."
mw = tables["staffing"][tables["staffing"]["profession"] == "barnmorska"]
fte = (mw["fte_available"] + mw["fte_agency"]).groupby(mw["month"]).sum()
fte = fte[fte.index >= first]
chart = followup.xmr(fte, (fte.index >= first) & (fte.index <= last))
fig, ax = plt.subplots(figsize=(9, 3.6))
draw(chart, ax, "Barnmorskor i tjänst per månad", "Årsarbetare")
fig.tight_layout()
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: fig-spc-redirections
#| fig-cap: "Styrdiagram (c-diagram) för hänvisade kvinnor per sommarmånad (juni–augusti) i hela regionen; baslinje: somrarna före den senaste. Månader med 1–4 hänvisade visas som <5."
#| fig-alt: "Punktdiagram med antalet hänvisade kvinnor per sommarmånad, mittlinje och styrgränser."
log = tables["redirections"]
monthly = log.groupby(log["date"].dt.to_period("M").dt.to_timestamp())["women"].sum().astype(float)
monthly = monthly[monthly.index.month.isin([6, 7, 8])]
latest = monthly.index.max().year
chart = followup.c_chart(monthly, pd.Series(monthly.index.year < latest, index=monthly.index))
labels_x = [f"{report.sv_month(m)[:3]} {m.year}" for m in chart.index]
fig, ax = plt.subplots(figsize=(9, 3.6))
positions = range(len(chart))
report.suppressed_bars(ax, positions, chart["value"], cfg.disclosure_threshold, 0.6, sns.color_palette()[0], "Hänvisade")
ax.axhline(chart["centre"].iloc[0], color="black")
for bound in ("lower", "upper"):
    ax.axhline(chart[bound].iloc[0], color="black", linestyle="--", linewidth=1)
ax.set_xticks(list(positions), labels_x, rotation=45, ha="right", fontsize=8)
ax.set(title="Hänvisade kvinnor per sommarmånad", ylabel="Hänvisade kvinnor", xlabel="")
fig.tight_layout()
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: tbl-forecast-vs-actual
#| tbl-cap: "Prognosen mot utfallet för tertialens månader, hela regionen: en prognos gjord på data fram till tertialens början (samma metod som i framtidsrapporten) jämförd med de förlossningar som blev."
t_first, t_last = config.tertial_months(cfg.tertial)
months = pd.date_range(t_first, min(t_last, cfg.period_end), freq="MS")
made_before = io.read_tables(out_dir, ["births_forecast_tertial"])["births_forecast_tertial"]  # made in step 02
check = followup.forecast_vs_actual(made_before, tables["births_monthly"], months)
table = pd.DataFrame({
    "Månad": check["month"].map(report.sv_month), "Utfall": check["actual"].map(report.sv_int), "Prognos": check["forecast"].map(report.sv_int),
    "80 %-intervall": [f"{report.sv_int(a)}–{report.sv_int(b)}" for a, b in zip(check["lower_80"], check["upper_80"])],
    "Avvikelse": check["error_pct"].map(lambda v: report.sv_num(v, 1) + "\u00a0%"), "Inom intervallet": check["inside_80"].map({True: "ja", False: "nej"}),
})
mape = check["error_pct"].abs().mean()
display(Markdown(report.md_table(table, align="lrrrrl") + f"\\n\\nGenomsnittlig absolut avvikelse {report.sv_num(mape, 1)}\u00a0%; "
                 f"{int(check['inside_80'].sum())} av {len(check)} månader inom 80 %-intervallet."))
"""),
    code("""
#| label: fig-plan-timeline
#| fig-cap: "Handlingsplanens aktiviteter på en tidslinje, färgade efter status; den lodräta linjen är data till och med."
#| fig-alt: "Gantt-diagram med en vågrät stapel per aktivitet från start till slut, i olika färger för planerad, pågår, klar och pausad, och en lodrät linje för dagens läge."
status_colour = dict(zip(["planerad", "pågår", "klar", "pausad"], sns.color_palette()[:4]))
ordered = actions.sort_values("start", ascending=False).reset_index(drop=True)
fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(ordered), 2) + 1.2))
for i, act in ordered.iterrows():
    ax.barh(i, (act["end"] - act["start"]).days, left=act["start"], color=status_colour[act["status"]], height=0.6)
ax.set_yticks(range(len(ordered)), [f"{a} {t if len(t) <= 60 else t[:58] + '…'}" for a, t in zip(ordered["activity_id"], ordered["title"])], fontsize=8)
ax.axvline(cfg.period_end + pd.offsets.MonthEnd(0), color="black", linestyle="--", linewidth=1)
handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in status_colour.values()]
ax.legend(handles, list(status_colour), fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
report.year_ticks(ax)
fig.tight_layout()
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: tbl-plan
#| tbl-cap: "Handlingsplanens aktiviteter: område, ansvarig förvaltning, tid, status, indikator med mål och förväntad effekt i modellen."
def effect_text(a):
    if a["effect_type"] == "extra_staff":
        return f"+{report.sv_num(a['effect_fte'], 1)} åa barnmorskor, {short.get(a['effect_unit'], a['effect_unit'])}, v. {a['effect_weeks']}" + (" (gradvis)" if a["effect_profile"] == "ramp" else "")
    if a["effect_type"] == "move_leave":
        return f"{report.sv_num(a['effect_fte'], 1)} åa semester flyttas v. {a['effect_weeks']} → v. {a['effect_to_weeks']}, {short.get(a['effect_unit'], a['effect_unit'])}"
    if a["effect_type"] == "pooling":
        return f"Samordning {short.get(a['effect_unit'], a['effect_unit'])}–{short.get(a['effect_partner'], a['effect_partner'])}"
    return "Ingen modellerad effekt"
table = pd.DataFrame({
    "Id": actions["activity_id"], "Aktivitet": actions["title"], "Område": actions["area"], "Ansvarig": actions["owner"],
    "Tid": [f"{report.sv_date(s)}–{report.sv_date(e)}" for s, e in zip(actions["start"], actions["end"])], "Status": actions["status"],
    "Mål": [f"{i}: {report.sv_num(t, 1)}" if isinstance(i, str) and i else "–" for i, t in zip(actions["indicator"], actions["target"])],
    "Effekt i modellen": [effect_text(a) for a in actions.to_dict("records")],
})
display(Markdown(report.md_table(table, align="l" * len(table.columns))))
"""),
    code("""
#| label: tbl-scenarios
#| tbl-cap: "Scenarier för nästa sommar: oförändrat läge, varje åtgärd för sig och alla tillsammans. Väntat antal hänvisade med 80 %-intervall (samma prognosdragningar i alla scenarier), enhetsveckor med förhöjd risk, summa underskott av barnmorskor på förlossningen och, för scenarier med regional samordning, kvinnor som varken egen enhet eller den samordnade grannen kan ta emot (simulering med dygns- och veckovariation)."
table = pd.DataFrame({
    "Scenario": scenario_table["scenario"], "Hänvisade, väntat": scenario_table["redirected_mean"].map(lambda v: report.sv_num(v, 1)),
    "80 %-intervall": [f"{report.sv_num(a, 0)}–{report.sv_num(b, 0)}" for a, b in zip(scenario_table["redirected_p10"], scenario_table["redirected_p90"])],
    "Veckor med förhöjd risk": scenario_table["weeks_at_risk"].astype(str), "Underskott, åa-veckor": scenario_table["fte_shortfall"].map(lambda v: report.sv_num(v, 0)),
    "Tillförda åa-veckor": scenario_table["fte_added"].map(lambda v: report.sv_num(v, 0)),
    "Utan plats trots samordning": scenario_table["not_placed_in_region"].map(lambda v: "–" if pd.isna(v) else report.sv_num(v, 1)),
})
display(Markdown(report.md_table(table, align="lrrrrrr")))
"""),
    code("""
#| label: fig-scenarios
#| fig-cap: "Väntat antal hänvisade kvinnor nästa sommar per scenario, med 80 %-intervall."
#| fig-alt: "Liggande stapeldiagram med ett scenario per rad och en felstapel för osäkerheten; oförändrat läge överst."
fig, ax = plt.subplots(figsize=(9, 0.5 * len(scenario_table) + 1.2))
y = range(len(scenario_table))[::-1]
err = [scenario_table["redirected_mean"] - scenario_table["redirected_p10"], scenario_table["redirected_p90"] - scenario_table["redirected_mean"]]
ax.barh(list(y), scenario_table["redirected_mean"], xerr=err, color=sns.color_palette()[0], capsize=3)
ax.set_yticks(list(y), [s[:55] for s in scenario_table["scenario"]], fontsize=8)
ax.set(xlabel="Hänvisade kvinnor under sommarperioden", ylabel="")
report.sv_axis(ax, axis="x")
fig.tight_layout()
report.source_note(fig, cfg.is_demo)
plt.show()
"""),
    code("""
#| label: tbl-best-practice
#| tbl-cap: "Omvärldsbevakning: arbetssätt från andra regioner och länder, vad de gav där det är känt, källa och de aktiviteter i handlingsplanen som de har inspirerat."
if practices is None or practices.empty:
    display(Markdown("Inget register över arbetssätt från andra regioner finns i underlaget (`best_practice.csv`)."))
else:
    table = pd.DataFrame({
        "Arbetssätt": practices["title"], "Var och när": practices["where"] + ", " + practices["period"],
        "Vad det gav": practices["achieved"].fillna("–"),
        "Källa": [f"[{f.replace('|', ', ')}]({u})" for f, u in zip(practices["fact_ids"].fillna("källa"), practices["source_url"])],
        "Aktiviteter": practices["inspired"].fillna("–").str.replace("|", ", ", regex=False),
    })
    display(Markdown(report.md_table(table, align="l" * len(table.columns))))
"""),
    code("""
#| label: tbl-changes
#| tbl-cap: "Vad har ändrats sedan förra körningen: indatafiler som har tillkommit, tagits bort eller ändrats, och nyckeltal före och efter."
previous_id = cfg.previous_run_id
root = Path(output_root) if output_root else paths.output_root()
previous = followup.load_previous(root / previous_id, Path(out_dir).parent / previous_id)
if previous is None:
    display(Markdown(f"Ingen tidigare körning `{previous_id}` finns att jämföra med (ingen bundle i {root.name}/)."))
else:
    manifest, old_tables = previous
    files, numbers = followup.compare_runs(manifest, old_tables, pipeline.input_hashes(cfg), tables)
    number_sv = {"last_month_deliveries": "Förlossningar senaste månaden", "forecast_next_12_months": "Prognos, kommande tolv månader",
                 "redirected_next_summer": "Väntat antal hänvisade nästa sommar", "quality_repairs": "Rättade värden i indata",
                 "quality_warnings": "Varningar i indata"}
    table = pd.DataFrame({"Nyckeltal": numbers["number"].map(number_sv), f"Körning {previous_id}": numbers["previous"].map(report.sv_int),
                          f"Körning {cfg.run_id}": numbers["current"].map(report.sv_int), "Förändring": numbers["change"].map(report.sv_int)})
    changed = "Inga indatafiler har ändrats." if files.empty else "Ändrade indatafiler: " + "; ".join(f"`{p}` ({c})" for p, c in zip(files["path"], files["change"])) + "."
    display(Markdown(f"Jämförelse med körning `{previous_id}` ({manifest.get('created_utc', '')[:10]}). {changed}\\n\\n" + report.md_table(table, align="lrrr")))
"""),
]


def write(name, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{Path(name).stem[:2]}-{i:02d}"
    nbformat.validate(nb)
    nbformat.write(nb, ROOT / "analysis" / name)


if __name__ == "__main__":
    write("01_clean_data.ipynb", CLEAN)
    write("02_forecast_births.ipynb", FORECAST)
    write("03_staffing.ipynb", STAFFING)
    write("04_capacity_risk.ipynb", CAPACITY)
    write("05_action_plan.ipynb", ACTION_PLAN)
