# %% [markdown]
# # 01 Rensning av data och nuläge
#
# Läser källdata (enhetsdata och offentliga serier), kontrollerar dem mot tabellkontrakten,
# harmoniserar enheter (alias och sammanslagningen Mölndal → Östra), för en datakvalitetslogg
# och radräkning, skriver de validerade tabellerna och beskriver nuläget: förlossningar per
# enhet och år, säsongsmönster, sommartoppen och sommarjämförelsen. All logik finns i paketet
# `fragile_care`; denna notebook anropar det och ritar.

# %% tags=["parameters"]
# Parameters (papermill injects the run's values after this cell: the bundle's validated
# run_config.json and the run's folders)
run_config = "config/runs/2026-T2.yaml"
processed_dir = ""
output_root = ""

# %%
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

from fragile_care.inputs.schemas import CARE_LEVEL_SV
from fragile_care.model import calendar, describe
from fragile_care.publish import disclosure, figures
from fragile_care.publish import formatting as fmt
from fragile_care.run import config, steps

cfg, out_dir = config.notebook_context(run_config, processed_dir, step="01_clean_data")
figures.set_style()

# %% [markdown]
# ## Inläsning, kontroller och radräkning

# %%
tables = steps.run_step("01_clean_data", cfg, out_dir)
accounting, quality_log = tables["row_accounting"], tables["quality_log"]
accounting

# %%
#| label: demo-banner
display(Markdown(fmt.data_banner(cfg.is_demo, cfg.data_source, cfg.period_end, cfg.run_id)))

# %%
#| label: tbl-row-accounting
#| tbl-cap: "Radräkning per fil: inlästa rader = behållna + avvisade. Sammanslagna rader och rader utanför perioden räknas separat."
acc = (
    accounting.assign(
        **{
            c: accounting[c].map(fmt.sv_int)
            for c in ["rows_read", "rows_kept", "rows_rejected", "rows_merged", "rows_outside_period", "rows_out", "repairs", "warnings"]
        }
    )
    .rename(
        columns={
            "file": "Fil",
            "rows_read": "Inlästa",
            "rows_kept": "Behållna",
            "rows_rejected": "Avvisade",
            "rows_merged": "Sammanslagna",
            "rows_outside_period": "Utanför period",
            "rows_out": "Ut",
            "repairs": "Rättade",
            "warnings": "Varningar",
        }
    )
    .drop(columns="table")
    .assign(Fil=lambda f: f["Fil"].map(fmt.breakable_name))
)
display(Markdown(fmt.md_table(acc)))

# %%
#| label: tbl-quality-summary
#| tbl-cap: "Datakvalitetslogg sammanfattad per fil, kolumn och åtgärd, med antal och ett exempel ur loggen (på svenska; hela loggen, på engelska, finns i körningens quality_log.csv)."
summary = describe.quality_summary(quality_log)
shown = summary.assign(
    count=summary["count"].map(fmt.sv_int),
    severity=summary["severity"].map(fmt.SEVERITY_SV),
    action=summary["action"].map(fmt.sv_action),
    example=summary["example"].map(fmt.sv_log_text),
    file=summary["file"].map(fmt.breakable_name),
    column=summary["column"].map(fmt.breakable_name),
).rename(
    columns={"file": "Fil", "column": "Kolumn", "severity": "Typ", "action": "Åtgärd", "count": "Antal", "example": "Exempel ur loggen"}
)
display(Markdown(fmt.md_table(shown, align="llllrl") if len(shown) else "Inga anmärkningar i datakvalitetsloggen."))

# %% [markdown]
# ## Förlossningar per år och enhet

# %%
births = tables["births_monthly"]
sites = tables.get("births_monthly_sites", births)
units = tables["units"]
labels = describe.unit_labels(units)
site_labels = describe.short_labels(units)
names = units.set_index("unit_id")["name"].to_dict()
by_size = describe.units_by_size(births)  # the order when a figure or table cannot show every unit
region_year = describe.regional_annual(births)
ytd = describe.year_to_date(births)
region_year

# %%
#| label: txt-key-numbers
full = region_year[region_year["complete"]]
last, prev = full.iloc[-1], full.iloc[-2]
ytd_change = describe.change(ytd["current"], ytd["previous"])
display(
    Markdown(
        f"Under {int(last['year'])} förlöstes {fmt.sv_int(last['deliveries'])} kvinnor vid regionens förlossningsenheter "
        f"och {fmt.sv_int(last['babies_born'])} barn föddes, {fmt.sv_pct(describe.change(last['deliveries'], prev['deliveries']), signed=True)} "
        f"jämfört med {int(prev['year'])}. Från januari till och med {fmt.sv_month(ytd['last_month'])} var antalet förlossningar "
        f"{fmt.sv_int(ytd['current'])}, {fmt.sv_pct(ytd_change, signed=True)} jämfört med samma period {ytd['last_month'].year - 1}."
        + "".join(
            f" Observera att {fmt.md_escape(labels.get(u, u))} stängde {fmt.sv_date(day)} utan att verksamheten flyttades till en annan "
            "enhet i underlaget: regionens tal efter det omfattar inte längre enheten, så jämförelser med tiden före speglar stängningen."
            for u, day in describe.closures_since(units, pd.Timestamp(int(prev["year"]), 1, 1)).items()
        )
    )
)

# %%
#| label: fig-births-region-year
#| fig-cap: "Antal förlossningar per år i regionen (hela år)."
#| fig-alt: "Stapeldiagram över antalet förlossningar per år i Västra Götalandsregionen för de hela år som finns i underlaget."
fig, ax = plt.subplots(figsize=(9, 4))
sns.barplot(data=full, x="year", y="deliveries", color=sns.color_palette()[0], ax=ax)
ax.set(xlabel="År", ylabel="Förlossningar", title="Förlossningar per år, hela regionen")
figures.sv_axis(ax)
figures.source_note(fig, cfg.is_demo)
plt.show()

# %%
#| label: fig-births-by-unit-year
#| fig-cap: "Antal förlossningar per år och förlossningsenhet, hela år (en enhets år visas bara när enheten var öppen hela året). En enhet som har stängt och gått upp i en annan är markerad med en prickad linje vid stängningen."
#| fig-alt: "Linjediagram med en linje per förlossningsenhet som visar antalet förlossningar per år; en sammanslagen enhets linje slutar när den stänger, samtidigt som den mottagande enheten ökar."
site_year = describe.annual_births(sites)
# whole years only, for the region and for each unit: a unit's year of closing (Mölndal's
# January-April 2017) would read as a fall in births
site_year = site_year[site_year["year"].isin(full["year"]) & (site_year["months"] == 12)].assign(
    Enhet=lambda d: d["unit_id"].map(site_labels)
)
coloured, shown = fmt.shown_units(
    describe.units_by_size(sites), figures.MAX_LINES, "de med flest förlossningar de senaste tolv månaderna i färg, övriga i grått"
)
fig, ax = plt.subplots(figsize=(9, 4.5))
figures.grey_lines(ax, site_year[~site_year["unit_id"].isin(coloured)], "year", "deliveries", "unit_id", "Övriga enheter")
sns.lineplot(
    data=site_year[site_year["unit_id"].isin(coloured)],
    x="year",
    y="deliveries",
    hue="Enhet",
    style="Enhet",
    markers=True,
    dashes=False,
    ax=ax,
)
for _, merged in describe.merged_units(units).iterrows():  # a closed unit whose care moved to another
    at = merged["closed"].year + (merged["closed"].day_of_year - 1) / 365
    ax.axvline(at, color="grey", linestyle=":", linewidth=1)
    ax.annotate(  # above the lines, in the margin over the axes, so no line crosses it
        f"{site_labels[merged['unit_id']]} stänger {fmt.sv_date(merged['closed'])}",
        xy=(at, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 2),
        textcoords="offset points",
        fontsize=8,
        color="#444444",
        ha="center",
        va="bottom",
    )
ax.set(xlabel="År", ylabel="Förlossningar")
ax.set_title("Förlossningar per år och enhet", pad=16)
figures.sv_axis(ax)
ax.legend(title=None, fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
figures.source_note(fig, cfg.is_demo)
figures.shown_note(fig, shown)
plt.show()

# %%
#| label: txt-merges
display(
    Markdown(
        " ".join(
            f"Förlossningen vid {fmt.md_escape(names[m['unit_id']])} stängde den {fmt.sv_date(m['closed'])} och verksamheten samlades "
            f"vid {fmt.md_escape(names[m['merged_into']])}. I de serier som används för uppföljning och prognos räknas historiken för "
            f"{fmt.md_escape(site_labels[m['unit_id']])} därför in i {fmt.md_escape(site_labels[m['merged_into']])}, så att serien täcker "
            "samma upptagningsområde före och efter sammanslagningen."
            for m in describe.merged_units(units).to_dict("records")
        )
        or "Ingen förlossningsenhet har slagits samman med en annan under perioden."
    )
)

# %%
#| label: fig-births-monthly
#| fig-cap: "Förlossningar per månad i hela regionen och per enhet (tunn linje) med glidande tolvmånadersmedelvärde (tjock linje). En enhet som tagit över en stängd enhets verksamhet visas med dess historik inräknad."
#| fig-alt: "Delfigurer, en för hela regionen och en per förlossningsenhet (högst elva), med antalet förlossningar per månad och ett glidande årsmedelvärde."
region_month = describe.regional_monthly(births).assign(unit_id="REGION", Enhet="Hela regionen")
panels, shown = fmt.shown_units(
    by_size,
    figures.MAX_PANELS - 1,
    "hela regionen och de enheter som hade flest förlossningar de senaste tolv månaderna",
)
monthly = pd.concat([region_month, births[births["unit_id"].isin(panels)].assign(Enhet=births["unit_id"].map(labels))], ignore_index=True)
monthly["rolling"] = monthly.groupby("unit_id")["deliveries"].transform(lambda s: s.astype(float).rolling(12).mean())
grid = sns.relplot(
    data=monthly,
    x="month",
    y="deliveries",
    col="Enhet",
    kind="line",
    **figures.facet_layout(monthly["unit_id"].nunique()),
    facet_kws={"sharey": False},
    linewidth=0.8,
    alpha=0.6,
)
for ax, name in zip(grid.axes.flat, grid.col_names):  # each panel gets its own unit's rolling mean
    part = monthly[monthly["Enhet"] == name]
    ax.plot(part["month"], part["rolling"], linewidth=2.2, color="black")
    figures.sv_axis(ax)
grid.set_titles("{col_name}")
grid.set_axis_labels("Månad", "Förlossningar")
figures.source_note(grid.figure, cfg.is_demo)
figures.shown_note(grid.figure, shown)
plt.show()

# %% [markdown]
# ## Säsongsmönster och sommartoppen

# %%
#| label: fig-seasonality
#| fig-cap: "Säsongsindex: förlossningar per dag i varje kalendermånad i förhållande till enhetens genomsnittliga dag (1,00), hela år. Streckad svart linje: hela Sverige (SCB, levande födda)."
#| fig-alt: "Linjediagram med säsongsindex per kalendermånad för varje enhet och för Sverige; indexet är högst under april till juli och lägst i december."
season = describe.seasonal_index(births).assign(Enhet=lambda d: d["unit_id"].map(labels))
coloured, shown = fmt.shown_units(by_size, figures.MAX_LINES, "de med flest förlossningar de senaste tolv månaderna i färg, övriga i grått")
years = describe.complete_years(births)
national = describe.national_seasonal_index(tables["sweden_live_births_monthly"], years[0], years[-1])
fig, ax = plt.subplots(figsize=(9, 4.5))
ax.axvspan(5.5, 8.5, color="#f2e6c9", alpha=0.6, label="Sommarmånader")
figures.grey_lines(ax, season[~season["unit_id"].isin(coloured)], "cal_month", "index", "unit_id", "Övriga enheter")
sns.lineplot(data=season[season["unit_id"].isin(coloured)], x="cal_month", y="index", hue="Enhet", marker="o", ax=ax)
ax.plot(national["cal_month"], national["index"], "k--", linewidth=2, label="Sverige (SCB)")
ax.set_xticks(range(1, 13), fmt.MONTHS_SV_SHORT)
ax.axhline(1, color="grey", linewidth=0.8)
ax.set(xlabel="Månad", ylabel="Index (1,00 = genomsnittlig dag)", title="Säsongsmönster per enhet")
ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt.sv_num(v, 2)))
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
figures.source_note(fig, cfg.is_demo, "Sverige: SCB via FN:s demografiska årsbok, tabell 55.")
figures.shown_note(fig, shown)
plt.show()

# %%
#| label: fig-summer-weeks
#| fig-cap: "Skattade förlossningar per ISO-vecka i hela regionen, vecka 18–40, för jämförelseåren. Sommarperioden är markerad. Veckovärden är skattade från månadsdata (jämn fördelning över månadens dagar)."
#| fig-alt: "Linjediagram med skattat antal förlossningar per vecka i regionen under sommarhalvåret för varje jämförelseår, med sommarveckorna markerade."
weekly = calendar.weekly_estimate(births)
region_week = weekly[weekly["iso_year"].isin(cfg.compare_years) & weekly["iso_week"].between(18, 40) & (weekly["days"] == 7)]
region_week = region_week.groupby(["iso_year", "iso_week"], as_index=False)["deliveries"].sum()
fig, ax = plt.subplots(figsize=(9, 4))
w0, w1 = cfg.summer_weeks
ax.axvspan(w0 - 0.5, w1 + 0.5, color="#f2e6c9", alpha=0.6, label=f"Sommarperiod v. {w0}–{w1}")
sns.lineplot(data=region_week.assign(År=region_week["iso_year"].astype(str)), x="iso_week", y="deliveries", hue="År", marker="o", ax=ax)
ax.set(xlabel="ISO-vecka", ylabel="Förlossningar per vecka (skattat)", title="Förlossningar per vecka, hela regionen")
figures.sv_axis(ax)
figures.week_ticks(ax)
ax.legend(fontsize=8)
figures.source_note(fig, cfg.is_demo)
plt.show()

# %% [markdown]
# ## Sommaren jämförd med tidigare somrar

# %%
summer = describe.summer_comparison(births, tables["redirections"], cfg.compare_years, cfg.summer_weeks)
summer

# %%
#| label: tbl-summer-deliveries
#| tbl-cap: "Skattade förlossningar under sommarperioden per enhet och år, och förändringen mot föregående sommar."
y_last, y_prev = cfg.compare_years[-1], cfg.compare_years[-2]
rows, shown = fmt.shown_units(by_size, order="de med flest förlossningar de senaste tolv månaderna", sheet="Sommarjämförelse")
wide = summer.pivot(index="unit_id", columns="year")
wide = wide[wide.index.isin(rows)]
region_summer = summer.groupby("year")["deliveries"].sum()  # every unit, also those a long table leaves out
deliveries = pd.concat([wide["deliveries"], region_summer.to_frame("REGION").T])
table = pd.DataFrame({"Enhet": [labels.get(u, "Hela regionen") for u in deliveries.index]})
for y in cfg.compare_years:
    table[str(y)] = [fmt.sv_int(v) for v in deliveries[y]]
table[f"Förändring {y_last} mot {y_prev}"] = [
    fmt.sv_pct(describe.change(a, b), signed=True) for a, b in zip(deliveries[y_last], deliveries[y_prev])
]
note = (
    ""
    if shown
    else fmt.sum_note(wide["deliveries"][list(cfg.compare_years)].T.to_numpy(), region_summer[list(cfg.compare_years)].to_numpy())
)
display(Markdown(fmt.md_table(table) + "".join(f"\n\n{t}" for t in (shown, note) if t)))

# %%
#| label: tbl-summer-redirections
#| tbl-cap: "Hänvisade kvinnor på grund av platsbrist eller bemanning under sommarperioden per enhet (den enhet som hänvisade) och år, samt per 1 000 förlossningar. Där antalet är dolt visas inte heller talet per 1 000 (det skulle röja antalet)."
published = disclosure.PublishedCounts(tables["redirection_counts_internal"], cfg.disclosure_threshold)
table = pd.DataFrame({"Enhet": [labels[u] for u in wide.index]})
for y in cfg.compare_years:
    table[f"Antal {y}"] = [published.text(u, y, "capacity", v) for u, v in zip(wide.index, wide[("redirected", y)])]
for y in cfg.compare_years:
    table[f"Per 1 000 {y}"] = [published.rate(u, y, "capacity", r) for u, r in zip(wide.index, wide[("redirected_per_1000", y)])]
no_summer = wide["deliveries"].isna().any().any()  # a unit closed (or not yet open) that summer
inactive = "\n\nStreck (–): enheten hade ingen förlossningsverksamhet den sommaren." if no_summer else ""
display(
    Markdown(
        fmt.md_table(table) + "\n\n" + disclosure.suppression_note(cfg.disclosure_threshold) + inactive + (f" {shown}" if shown else "")
    )
)

# %%
#| label: txt-summer-summary
totals = summer.groupby("year")[["deliveries", "redirected"]].sum()
d_last, d_prev = totals.loc[y_last], totals.loc[y_prev]
display(
    Markdown(
        f"Under sommarperioden (vecka {w0}–{w1}) {y_last} skattas antalet förlossningar i regionen till {fmt.sv_int(d_last['deliveries'])}, "
        f"{fmt.sv_pct(describe.change(d_last['deliveries'], d_prev['deliveries']), signed=True)} jämfört med {y_prev}. "
        f"{published.text('REGION', y_last, 'capacity', d_last['redirected'])} kvinnor hänvisades till en annan enhet på grund av platsbrist "
        f"eller bemanning ({published.text('REGION', y_prev, 'capacity', d_prev['redirected'])} sommaren {y_prev}), "
        f"{published.rate('REGION', y_last, 'capacity', 1000 * d_last['redirected'] / d_last['deliveries'])} per 1 000 förlossningar. "
        f"Av andra orsaker (neonatal, övrigt) hänvisades {published.text('REGION', y_last, 'other')} i hela regionen "
        f"({published.text('REGION', y_prev, 'other')} sommaren {y_prev})."
    )
)

# %%
#| label: fig-redirections-summer
#| fig-cap: "Hänvisade kvinnor på grund av platsbrist eller bemanning under sommarperioden per enhet (den enhet som hänvisade) och år. Antal 1–4 visas som en streckad stapel upp till 4 med etiketten <5; ett antal som döljs för att skydda ett annat visas som en ljusgrå prickad kolumn med etiketten .."
#| fig-alt: "Grupperat stapeldiagram med antalet hänvisade kvinnor under sommarveckorna per förlossningsenhet för varje jämförelseår; varje stapel har sitt värde utskrivet."
short = describe.short_labels(units)
bars, shown = fmt.shown_units(by_size, figures.MAX_PANELS, "de med flest förlossningar de senaste tolv månaderna", "Sommarjämförelse")
unit_order = sorted(set(summer["unit_id"]) & set(bars), key=lambda u: labels[u])
years_shown = sorted(summer["year"].unique())
width = 0.8 / len(years_shown)
fig, ax = plt.subplots(figsize=(9, 4))
for k, (year, colour) in enumerate(zip(years_shown, sns.color_palette())):
    part = summer[summer["year"] == year].set_index("unit_id").reindex(unit_order)
    positions = [i - 0.4 + width * (k + 0.5) for i in range(len(unit_order))]
    status = [published.status(u, year, "capacity", n) for u, n in zip(unit_order, part["redirected"])]
    figures.suppressed_bars(ax, positions, part["redirected"].fillna(0), cfg.disclosure_threshold, width, colour, str(year), status)
ax.set_xticks(range(len(unit_order)), [short[u] for u in unit_order])
ax.set(xlabel="", ylabel="Hänvisade kvinnor", title=f"Hänvisningar vecka {w0}–{w1}")
figures.sv_axis(ax)
ax.legend(title="År", fontsize=8)
fig.tight_layout()
figures.source_note(fig, cfg.is_demo)
figures.shown_note(fig, shown)
plt.show()

# %% [markdown]
# ## Enhetsstruktur och jämförelse med offentlig statistik

# %%
#| label: tbl-neonatal-current
#| tbl-cap: "Neonatalvård i dag per enhet och vårdnivå: inlagda barn och vårddygn det senaste hela året, vårdplatser enligt lokalförteckningen och beläggning (vårddygn delat med platser gånger dagar) över året och under sommarmånaderna juni–augusti. Antal 1–4 visas som <5."
neo = describe.neonatal_current(tables["neonatal_admissions"], tables["units"], tuple(cfg.compare_years))
full_years = sorted(neo.loc[neo["complete"], "year"].unique())
last_full = full_years[-1] if full_years else max(cfg.compare_years)
neo_units, shown = fmt.shown_units(by_size, order="de med flest förlossningar de senaste tolv månaderna")
neo = neo[neo["unit_id"].isin(neo_units)]
year_rows = neo[neo["year"] == last_full].set_index(["unit_id", "care_level"])
summer_occ = neo.pivot_table(index=["unit_id", "care_level"], columns="year", values="occupancy_summer")
keys = list(year_rows.index)
table = pd.DataFrame(
    {
        "Enhet": [labels[u] for u, _ in keys],
        "Vårdnivå": [CARE_LEVEL_SV[lv] for _, lv in keys],
        f"Inlagda {last_full}": [disclosure.suppress(v, cfg.disclosure_threshold) for v in year_rows["admissions"]],
        f"Vårddygn {last_full}": year_rows["cot_days"].map(fmt.sv_int).tolist(),
        "Platser": year_rows["cots"].astype(int).astype(str).tolist(),
        f"Beläggning {last_full}": year_rows["occupancy"].map(lambda v: fmt.sv_pct(v, 0)).tolist(),
    }
)
for y in summer_occ.columns:
    table[f"Sommaren {y}"] = [fmt.sv_pct(summer_occ.loc[k, y], 0) for k in keys]
display(
    Markdown(
        fmt.md_table(table, align="llrrrr" + "r" * len(summer_occ.columns))
        + "\n\nBeläggningen är ett medelvärde: en avdelning med 60 % beläggning i snitt kan vara full enskilda dagar. "
        "Risken att ett barn inte får plats under nästa sommar finns i sommarrapporten (neonatalvård)." + (f" {shown}" if shown else "")
    )
)

# %%
#| label: tbl-unit-structure
#| tbl-cap: "Förlossningsenheter: förvaltning, förlossningsrum, BB-platser, neonatala vårdplatser och status."
structure = describe.unit_structure(units, sites)


def status(row):
    if isinstance(row["merged_into"], str) and row["merged_into"]:
        return f"Stängd {fmt.sv_date(row['closed'])}, verksamheten flyttad till {site_labels[row['merged_into']]}"
    if not pd.isna(row["closed"]):
        return f"Stängd {fmt.sv_date(row['closed'])}"
    return "I drift"


shown = pd.DataFrame(
    {
        "Enhet": structure["name"],
        "Kortnamn i tabeller": structure["unit_id"].map(site_labels),
        "Förvaltning": structure["administration"],
        "Förlossningsrum": structure["delivery_rooms"].map(fmt.sv_int),
        "BB-platser": structure["postnatal_beds"].map(fmt.sv_int),
        "Neonatal intensivvård/intermediär/vårdavd.": [
            f"{a}/{b}/{c}" for a, b, c in zip(structure["neonatal_cots_ic"], structure["neonatal_cots_hd"], structure["neonatal_cots_sc"])
        ],
        "Data": [f"{fmt.sv_month(a)} – {fmt.sv_month(b)}" for a, b in zip(structure["first"], structure["last"], strict=True)],
        "Status": structure.apply(status, axis=1),
    }
)
display(Markdown(fmt.md_table(shown, align="lllrrlll")))

# %%
#| label: tbl-coverage-public
#| tbl-cap: "Födda barn vid enheterna jämfört med levande födda i Västra Götalands län enligt SCB, för år där båda finns."
cov = describe.coverage_vs_public(births, tables["vgr_live_births_annual"])
shown = pd.DataFrame(
    {
        "År": cov["year"].astype(str),
        "Födda vid enheterna": cov["babies_born"].map(fmt.sv_int),
        "Levande födda i länet (SCB)": cov["live_births"].map(fmt.sv_int),
        "Kvot": cov["ratio"].map(lambda v: fmt.sv_num(v, 3)),
    }
)
display(Markdown(fmt.md_table(shown) if len(cov) else "Inga överlappande år med SCB:s länsserie (1968–2017) i underlaget."))
