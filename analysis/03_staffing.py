# %% [markdown]
# # 03 Bemanning: behov mot tillgång per enhet och vecka
#
# Barnmorskor och neonatalsjuksköterskor som behövs, enligt konfigurerbara normer, mot dem
# som finns i tjänst (budgeterade årsarbetare minus vakanser och frånvaro, plus hyrpersonal,
# minus planerad semester) per enhet och ISO-vecka under sommarperioden: de två senaste
# somrarna i utfall och nästa sommar under oförändrat läge. Logiken finns i
# `fragile_care.model.staffing`.

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
from matplotlib.ticker import MaxNLocator

from fragile_care.inputs.schemas import CARE_LEVEL_SV
from fragile_care.model import describe
from fragile_care.publish import disclosure, figures
from fragile_care.publish import formatting as fmt
from fragile_care.run import config, steps

cfg, out_dir = config.notebook_context(run_config, processed_dir, step="03_staffing")
figures.set_style()
tables = steps.run_step("03_staffing", cfg, out_dir)
labels = {**describe.unit_labels(tables["units"]), "REGION": "Hela regionen"}
norms = cfg.norms
# the delivery-room stay: the prior (configured or default) and the value the model uses (step 03 resolved it)
stay = tables["resolved_settings"].set_index("setting").loc["capacity.mean_stay_hours"]

# %%
midwives, neonatal = tables["staffing_weekly"], tables["neonatal_weekly"]
fits, backtest = tables["capacity_calibration"], tables["calibration_backtest"]
outlook = cfg.outlook_summer
reference_year = int(midwives.loc[midwives["kind"] == "utfall", "iso_year"].max())  # its staffing and leave plan carry forward
midwives.groupby(["iso_year", "unit_id"])[["deliveries", "rooms_needed", "rooms_staffed", "fte_gap"]].mean()

# %%
#| label: demo-banner
display(Markdown(fmt.data_banner(cfg.is_demo, cfg.data_source, cfg.period_end, cfg.run_id)))

# %%
#| label: txt-staffing-summary
per_year = midwives.groupby("iso_year").agg(
    short=("fte_gap", lambda g: int((g < 0).sum())), weeks=("fte_gap", "size"), worst=("fte_gap", "min")
)
ahead = midwives[midwives["kind"] == "prognos"]
worst = ahead.loc[ahead["fte_gap"].idxmin()]
parts = [f"{y}: {int(r.short)} av {int(r.weeks)} enhetsveckor med underskott" for y, r in per_year.iterrows()]
display(
    Markdown(
        f"Förlossningsavdelningarna behöver så många bemannade rum att högst {fmt.sv_pct(norms.target_blocking, 0)} av kvinnorna "
        "skulle behöva hänvisas, med en barnmorska per kvinna i aktiv förlossning. Behovet räknas i hela vårdkedjan, samma modell "
        "som planeringstalet: när BB är fullt blir kvinnor kvar på förlossningsrummet, så ett fullt BB ökar de rum som behövs. Veckor under sommarperioden "
        f"(v. {cfg.summer_weeks[0]}–{cfg.summer_weeks[1]}) där barnmorskorna i tjänst inte räcker till det: " + "; ".join(parts) + ". "
        f"Sommaren {outlook} (oförändrat läge: bemanning och semesterplan som {reference_year}) är underskottet störst vid "
        f"{fmt.md_escape(labels[worst['unit_id']])} vecka {int(worst['iso_week'])}: {fmt.sv_num(-worst['fte_gap'], 1)} årsarbetare, "
        f"{fmt.sv_num(worst['rooms_staffed'], 1)} bemannade rum (dygnet runt, i snitt) mot {fmt.sv_num(worst['rooms_needed'], 1)} som behövs."
    )
)

# %%
#| label: fig-staffing-gap
#| fig-cap: "Barnmorskor på förlossningsavdelningen per vecka: tillgång minus behov i årsarbetare (under noll = underskott), per enhet, för de två senaste somrarna (utfall) och nästa sommar (prognos, oförändrat läge)."
#| fig-alt: "En delfigur per enhet (högst tolv), med en linje per år som visar skillnaden mellan tillgängliga och behövda barnmorskor vecka för vecka under sommaren; en vågrät linje vid noll markerar balans."
# the outlook summer uses the latest summer's staffing, so its line can lie on top of that year's
by_gap = ahead.groupby("unit_id")["fte_gap"].min().sort_values(kind="stable").index.tolist()  # largest shortfall first
panels, shown = fmt.shown_units(by_gap, figures.MAX_PANELS, f"de med störst underskott sommaren {outlook}", "Bemanning sommar")
plot = midwives[midwives["unit_id"].isin(panels)].assign(
    Enhet=midwives["unit_id"].map(labels),
    År=lambda d: d["iso_year"].astype(str) + d["kind"].map({"utfall": "", "prognos": " (prognos)"}),
)
dashes = {label: ((4, 2) if "prognos" in label else "") for label in plot["År"].unique()}
grid = sns.relplot(
    data=plot,
    x="iso_week",
    y="fte_gap",
    hue="År",
    style="År",
    col="Enhet",
    kind="line",
    markers=True,
    dashes=dashes,
    **figures.facet_layout(len(panels)),
    facet_kws={"sharey": False},
)
for ax in grid.axes.flat:
    ax.axhline(0, color="black", linewidth=0.8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    figures.sv_axis(ax)
    figures.week_ticks(ax)
grid.set_titles("{col_name}")
grid.set_axis_labels("ISO-vecka", "Tillgång − behov, åa")
figures.source_note(grid.figure, cfg.is_demo)
figures.shown_note(grid.figure, shown)
plt.show()

# %%
#| label: tbl-staffing-summer
#| tbl-cap: "Barnmorskor på förlossningsavdelningen per enhet och sommar (veckorna i sommarperioden): förlossningar per vecka, rum som behövs i vårdkedjan (för högst 1 % hänvisade, med väntan på BB-plats) och bemannade rum (dygnet runt, i snitt över veckan; 9,6 betyder ett tionde rum bemannat 60 % av tiden), antal veckor med underskott och det största underskottet i årsarbetare."
rows, shown = fmt.shown_units(by_gap, order=f"de med störst underskott sommaren {outlook}", sheet="Bemanning sommar")
summary = (
    midwives[midwives["unit_id"].isin(rows)]
    .groupby(["unit_id", "iso_year", "kind"], as_index=False)
    .agg(
        deliveries=("deliveries", "mean"),
        needed=("rooms_needed", "max"),
        staffed_min=("rooms_staffed", "min"),
        short=("fte_gap", lambda g: int((g < 0).sum())),
        worst=("fte_gap", "min"),
    )
)
table = pd.DataFrame(
    {
        "Enhet": summary["unit_id"].map(labels),
        "Sommar": summary["iso_year"].astype(str) + summary["kind"].map({"utfall": "", "prognos": " (prognos)"}),
        "Förlossningar/vecka": summary["deliveries"].map(fmt.sv_int),
        "Rum som behövs (max)": summary["needed"].map(lambda v: fmt.sv_num(v, 1)),
        "Bemannade rum (minst)": summary["staffed_min"].map(lambda v: fmt.sv_num(v, 1)),
        "Veckor med underskott": summary["short"].astype(str),
        "Största underskott, åa": summary["worst"].map(lambda v: fmt.sv_num(max(0.0, -v), 1)),
    }
)
display(Markdown(fmt.md_table(table, align="llrrrrr") + (f"\n\n{shown}" if shown else "")))

# %%
#| label: tbl-stay-calibration
#| tbl-cap: "Modellen kalibrerad mot hänvisningsloggen per enhet: den effektiva tiden på förlossningsrummet som gör att modellen förklarar enhetens hänvisningar av platsbrist och bemanning under de observerade somrarna, med 80 %-intervall. Enheterna skattas tillsammans: en enhet med få hänvisningar i loggen dras mot den gemensamma tiden."
published = disclosure.PublishedCounts(tables["redirection_counts_internal"], cfg.disclosure_threshold)
rows, shown = fmt.shown_units(
    describe.units_by_size(tables["births_monthly"]), order="de med flest förlossningar de senaste tolv månaderna"
)
listed = fits[fits["unit_id"].isin(rows)]
summer_years = [[int(y) for y in text.split(", ")] for text in listed["summer_years"]]
table = pd.DataFrame(
    {
        "Enhet": listed["unit_id"].map(labels),
        "Effektiv tid, timmar": [fmt.sv_num(v, 1) if u else "ej skattad" for v, u in zip(listed["effective_stay_hours"], listed["used"])],
        "80 %-intervall": [
            f"{fmt.sv_num(lo, 1)}–{fmt.sv_num(hi, 1)}" if u else "–"
            for lo, hi, u in zip(listed["low_80"], listed["high_80"], listed["used"])
        ],
        "Somrar": listed["summer_years"].map(fmt.md_escape),
        "Hänvisade i loggen": [
            published.total_text(u, ys, "capacity", n) for u, ys, n in zip(listed["unit_id"], summer_years, listed["logged"])
        ],
        "Modellen, väntat antal": listed["predicted"].map(fmt.sv_int),
    }
)
first = fits.iloc[0]
planned = sorted(int(y) for y in midwives.loc[midwives["kind"] == "utfall", "iso_year"].unique())
unplanned = sorted({y for ys in summer_years for y in ys} - set(planned))
imputed = (
    f"Sommaren {fmt.sv_list(map(str, unplanned))} saknar semesterplan i underlaget; där räknas varje enhets vanliga andel "
    f"på semester per vecka (medel av {fmt.sv_list(map(str, planned))}). "
    if unplanned
    else ""
)
note = imputed + (
    f"Gemensam tid för enheterna {fmt.sv_num(first['pooled_stay_hours'], 1)} timmar (80 %-intervall "
    f"{fmt.sv_num(first['pooled_low_80'], 1)}–{fmt.sv_num(first['pooled_high_80'], 1)}). "
    if bool(first["used"])
    else f"Ingen kalibrering: {fmt.md_escape(first['reason'])}; antagandet används för alla enheter. "
)
display(
    Markdown(
        fmt.md_table(table, align="lrrlrr")
        + f"\n\n{note}Antagandet var {fmt.sv_num(stay['prior'], 1)} timmar. Den effektiva tiden tar upp allt som gör att modellen och "
        "loggen skiljer sig, inte bara vårdtiden (till exempel andelen barnmorskor på förlossningen och hänvisningar som aldrig loggas). "
        "Intervallen räknar med att en enhets veckor samma sommar inte är oberoende (en sommareffekt per enhet och år). "
        f"{disclosure.suppression_note(cfg.disclosure_threshold)}" + (f" {shown}" if shown else "")
    )
)

# %%
#| label: tbl-calibration-backtest
#| tbl-cap: "Efterhandstest: varje sommar med logg förutsagd av modellen skattad på somrarna före, med sommarens faktiska förlossningar och bemanning, mot loggens hänvisningar av platsbrist och bemanning, per enhet och för hela regionen (80 %-intervall)."
if backtest.empty:
    display(Markdown("Efterhandstest kräver minst två observerade somrar med hänvisningar i loggen; underlaget har det inte."))
else:
    listed = backtest[backtest["unit_id"].isin([*rows, "REGION"])]
    # whether the log lies in the interval is shown only where the log's count itself is shown
    visible = [
        published.status(u, y, "capacity", n) == disclosure.SHOWN
        for u, y, n in zip(listed["unit_id"], listed["iso_year"], listed["logged"])
    ]
    table = pd.DataFrame(
        {
            "Enhet": listed["unit_id"].map(labels),
            "Sommar": listed["iso_year"].astype(str),
            "Skattad på": listed["fitted_on"],
            "Loggen": [published.text(u, y, "capacity", n) for u, y, n in zip(listed["unit_id"], listed["iso_year"], listed["logged"])],
            "Modellen": listed["predicted"].map(fmt.sv_int),
            "80 %-intervall": [f"{fmt.sv_int(lo)}–{fmt.sv_int(hi)}" for lo, hi in zip(listed["low_80"], listed["high_80"])],
            "Inom intervallet": [("ja" if c else "nej") if v else ".." for c, v in zip(listed["covered"], visible)],
        }
    )
    units_only = backtest[backtest["unit_id"] != "REGION"]
    held = int(units_only["covered"].sum())
    display(
        Markdown(
            fmt.md_table(table, align="llrrrrl")
            + f"\n\nLoggen låg inom modellens 80 %-intervall för {held} av {len(units_only)} enhetssomrar (vid en träffsäker modell "
            "omkring 80 %). Där loggen ligger utanför kan skillnaden bero på åtgärder som inte syns i bemanningsdata, på hänvisningar "
            "som inte loggades eller på att modellen saknar något; prognosen för nästa sommar bör läsas med det i minnet.\n\n"
            f"{disclosure.suppression_note(cfg.disclosure_threshold)}"
        )
    )

# %%
#| label: tbl-neonatal-staffing
#| tbl-cap: "Neonatalvård nästa sommar (prognos, oförändrat läge): belagda vårdplatser i genomsnitt, platser enligt lokalförteckningen, platser som behövs och som sjuksköterskorna kan bemanna (minst under sommaren), per enhet och vårdnivå."
ahead_neo = neonatal[neonatal["kind"] == "prognos"]
by_neo_gap = ahead_neo.groupby("unit_id")["fte_gap"].min().sort_values(kind="stable").index.tolist()
rows, shown = fmt.shown_units(
    by_neo_gap, order=f"de med störst underskott av neonatalsjuksköterskor sommaren {outlook}", sheet="Neonatal bemanning"
)
ahead_neo = ahead_neo[ahead_neo["unit_id"].isin(rows)]
per_level = ahead_neo.groupby(["unit_id", "care_level"], as_index=False).agg(
    load=("load_erlangs", "mean"), physical=("cots_physical", "first"), needed=("cots_needed", "max"), staffed=("cots_staffed", "min")
)
per_unit_gap = ahead_neo.groupby("unit_id")["fte_gap"].min()
table = pd.DataFrame(
    {
        "Enhet": per_level["unit_id"].map(labels),
        "Vårdnivå": per_level["care_level"].map(CARE_LEVEL_SV),
        "Belagda platser (medel)": per_level["load"].map(lambda v: fmt.sv_num(v, 1)),
        "Platser": per_level["physical"].astype(str),
        "Behövs (max)": per_level["needed"].astype(str),
        "Bemannade (minst)": per_level["staffed"].map(lambda v: fmt.sv_num(v, 1)),  # cots the nurses on duty cover: fractional
    }
)
gaps = "; ".join(f"{fmt.md_escape(labels[u])} {fmt.sv_num(max(0.0, -g), 1)}" for u, g in per_unit_gap.items())
display(
    Markdown(
        fmt.md_table(table, align="llrrrr")
        + f"\n\nStörsta underskott av neonatalsjuksköterskor en sommarvecka (årsarbetare): {gaps}."
        + (f" {shown}" if shown else "")
    )
)

# %%
#| label: tbl-staffing-norms
#| tbl-cap: "Normer och antaganden i bemanningsmodellen (ändras i körningens konfiguration, avsnitten staffing och capacity)."
rows = [
    (
        "Barnmorskor per kvinna i aktiv förlossning",
        fmt.sv_num(norms.midwives_per_woman_in_labour, 0),
        "Svenska Barnmorskeförbundet, ”En födande – en barnmorska” (2022)",
    ),
    (
        "Förlossningar per barnmorska (årsarbetare) och år: brittiskt jämförelsetal för alla barnmorskor (mödrahälsovård, förlossning, BB, hemsjukvård); används inte i modellen",
        fmt.sv_num(norms.births_per_midwife_fte_year, 0),
        "RCOG m.fl., Safer Childbirth (2007). I Sverige arbetar mödrahälsovårdens barnmorskor till stor del i primärvården, så talet kan inte jämföras med förlossningsavdelningens bemanning",
    ),
    (
        "Sjuksköterskor per vårdplats: intensiv / intermediär / vårdavdelning",
        " / ".join(fmt.sv_num(norms.nurses_per_cot[lv], 2) for lv in ("ic", "hd", "sc")),
        "BAPM, Service Standards (2010)",
    ),
    ("Arbetstid per heltid och vecka, timmar", fmt.sv_num(norms.hours_per_fte_week, 2), "Treskift inklusive natt (Allmänna bestämmelser)"),
    (
        "Andel av barnmorskorna som arbetar på förlossningsavdelningen",
        fmt.sv_pct(norms.labour_ward_share, 0),
        "Antagande; ersätt med enhetens schema",
    ),
    (
        "Högsta andel hänvisade kvinnor som bemanningen dimensioneras för",
        fmt.sv_pct(norms.target_blocking, 1),
        "Modellens val, inte en nationell norm",
    ),
    (
        "Genomsnittlig tid på förlossningsrummet, timmar: antagande",
        fmt.sv_num(stay["prior"], 1),
        "Antagande utifrån WHO (2018); inget svenskt mått är publicerat",
    ),
    (
        "Effektiv tid på förlossningsrummet, timmar: gemensam för enheterna, skattad mot hänvisningsloggen",
        fmt.sv_num(stay["value"], 1),
        "Skattad i denna körning; varje enhets egen tid står i tabellen över kalibreringen och används i prognosen"
        if stay["source"] == "calibrated"
        else f"Ej skattad: {fmt.md_escape(fits['reason'].iloc[0])}; antagandet används",
    ),
]
display(Markdown(fmt.md_table(pd.DataFrame(rows, columns=["Norm eller antagande", "Värde", "Källa"]), align="lrl")))
