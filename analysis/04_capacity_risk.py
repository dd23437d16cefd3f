# %% [markdown]
# # 04 Kapacitet och risk för hänvisning
#
# Sannolikheten att en kvinna i aktiv förlossning möter en avdelning där alla bemannade rum är
# upptagna och det förväntade antalet hänvisade kvinnor per enhet och vecka. Modellen är
# vårdkedjan: förlossningsrummen och BB i serie, där en kvinna som har fött barn blir kvar på
# rummet tills en BB-plats blir ledig (`fragile_care.model.chain`; med gott om BB-platser är det
# Erlangs förlustformel). Osäkerheten i planeringstalet (`fragile_care.model.planning`) tar med
# prognosens fel (gemensamt för enheterna till en del), de kalibrerade tidernas osäkerhet,
# variationen mellan somrar och slumpen. En simulering kontrollerar modellen och lägger till det
# den inte kan: variation över dygnet och veckan och hänvisning till en grannenhet.

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
from fragile_care.model import capacity, describe, postnatal
from fragile_care.publish import disclosure, figures
from fragile_care.publish import formatting as fmt
from fragile_care.run import config, steps

cfg, out_dir = config.notebook_context(run_config, processed_dir, step="04_capacity_risk")
figures.set_style()
tables = steps.run_step("04_capacity_risk", cfg, out_dir)
labels = {**describe.unit_labels(tables["units"]), "REGION": "Hela regionen"}
effective = steps.effective_capacity(tables, cfg)  # the values the model uses (step 03 resolved them)
unit_times = [t for u, t in steps.unit_stays(tables).items() if u in set(tables["staffing_weekly"]["unit_id"])]
stay_range = f"{fmt.sv_num(min(unit_times), 1)}–{fmt.sv_num(max(unit_times), 1)}"  # each unit's own effective time
weekly = tables["staffing_weekly"]
observed, ahead = weekly[weekly["kind"] == "utfall"], weekly[weekly["kind"] == "prognos"]
outlook = int(ahead["iso_year"].iloc[0])

# %%
risk, totals, neo = tables["redirection_risk"], tables["redirection_totals"], tables["neonatal_risk"]
review, simulated, extra = tables["model_vs_log"], tables["simulation"], tables["extra_staff"]
totals

# %%
#| label: demo-banner
display(Markdown(fmt.data_banner(cfg.is_demo, cfg.data_source, cfg.period_end, cfg.run_id)))

# %%
#| label: txt-risk-summary
region = totals.set_index("unit_id").loc["REGION"]
at_risk = risk[risk["blocking"] > effective.high_risk_blocking]
top = risk.loc[risk["blocking"].idxmax()]  # the highest risk, as the heat map shows it
busiest = capacity.rank_risk(risk, 1).iloc[0]  # the most expected redirected women in one week
units_ranked = totals[totals["unit_id"] != "REGION"].sort_values("redirected_mean", ascending=False)
display(
    Markdown(
        f"**Planeringstal:** om inget förändras väntas omkring {fmt.sv_int(region['redirected_mean'])} kvinnor behöva hänvisas från sin "
        f"förlossningsenhet för att alla bemannade rum är upptagna under sommaren {outlook} (vecka {cfg.summer_weeks[0]}–{cfg.summer_weeks[1]}); "
        f"med 80 % sannolikhet mellan {fmt.sv_int(region['redirected_p10'])} och {fmt.sv_int(region['redirected_p90'])}. "
        f"{len(at_risk)} av {len(risk)} enhetsveckor har en risk över {fmt.sv_pct(effective.high_risk_blocking, 0)} att en kvinna måste hänvisas "
        f"och {int((risk['blocking'] > cfg.norms.target_blocking).sum())} en risk över dimensioneringsgränsen {fmt.sv_pct(cfg.norms.target_blocking, 0)}. "
        f"Störst är risken vid {fmt.md_escape(labels[top['unit_id']])} vecka {int(top['iso_week'])} ({fmt.sv_pct(top['blocking'], 1)}, omkring "
        f"{fmt.sv_num(top['redirected_mean'], 1)} kvinnor den veckan). Flest väntade hänvisningar en enskild vecka har "
        f"{fmt.md_escape(labels[busiest['unit_id']])} vecka {int(busiest['iso_week'])} (omkring {fmt.sv_num(busiest['redirected_mean'], 1)} kvinnor, "
        f"risk {fmt.sv_pct(busiest['blocking'], 1)}), och flest över hela sommaren väntas vid "
        f"{fmt.md_escape(labels[units_ranked.iloc[0]['unit_id']])}. Risken är räknad vid veckans väntade antal förlossningar, "
        "medan det väntade antalet kvinnor är ett medel över prognosens osäkerhet; det blir större än risken gånger förlossningarna, "
        "eftersom en vecka med fler förlossningar än väntat ger oproportionerligt många fler hänvisningar. Modellen är vårdkedjan: en kvinna som har fött barn blir kvar på "
        "förlossningsrummet när BB är fullt, så ett fullt BB ger fler hänvisningar från förlossningen. Den är kalibrerad mot "
        f"hänvisningsloggen (tiden på förlossningsrummet {stay_range} timmar, var enhet sin egen). Intervallet rymmer prognosens fel "
        f"(till stor del gemensamt för enheterna: korrelation {fmt.sv_num(effective.forecast_error_correlation or 0.0, 2)} skattad ur "
        "förlossningarnas förändring år för år), osäkerheten i de kalibrerade tiderna, variationen mellan somrar och slumpen i "
        "antalet kvinnor."
    )
)

# %%
#| label: fig-risk-heatmap
#| fig-cap: "Risk att en kvinna måste hänvisas (andel av de födande) per enhet och vecka nästa sommar under oförändrat läge, vid prognosens medelvärde."
#| fig-alt: "Värmekarta med enheterna som rader och sommarens ISO-veckor som kolumner; mörkare ruta betyder högre risk och varje ruta har risken i procent utskriven."
by_risk = units_ranked["unit_id"].tolist()  # most expected redirections next summer first
by_blocking = risk.groupby("unit_id")["blocking"].max().sort_values(ascending=False, kind="stable").index.tolist()
rows, shown = fmt.shown_units(
    by_blocking, order=f"de med högst risk en enskild vecka sommaren {outlook}, i den ordningen", sheet="Risk per vecka"
)
heat = (
    risk[risk["unit_id"].isin(rows)].assign(Enhet=risk["unit_id"].map(labels)).pivot(index="Enhet", columns="iso_week", values="blocking")
    * 100
)
if shown:  # only some units: the riskiest, in order of risk
    heat = heat.loc[[labels[u] for u in rows]]
fig, ax = plt.subplots(figsize=(9, max(3.2, 0.32 * len(heat) + 1.0)))
sns.heatmap(heat, annot=heat.map(lambda v: fmt.sv_num(v, 1)), fmt="", cmap="viridis_r", cbar_kws={"label": "Risk, %"}, ax=ax)
ax.set(xlabel="ISO-vecka", ylabel="", title=f"Risk för hänvisning, sommaren {outlook}")
fig.tight_layout()
figures.source_note(fig, cfg.is_demo)
figures.shown_note(fig, shown)
plt.show()

# %%
#| label: tbl-risk-ranking
#| tbl-cap: "De tio enhetsveckor med flest väntade hänvisningar nästa sommar (oförändrat läge): förväntat antal med 80 %-intervall från prognosens osäkerhet och sannolikheten att risken överstiger gränsen för förhöjd risk."
ranked = capacity.rank_risk(risk, 10)
table = pd.DataFrame(
    {
        "Enhet": ranked["unit_id"].map(labels),
        "Vecka": ranked["iso_week"].astype(str),
        "Förlossningar": ranked["deliveries"].map(fmt.sv_int),
        "Bemannade rum": ranked["rooms_staffed"].map(lambda v: fmt.sv_num(v, 1)),
        "Risk": ranked["blocking"].map(lambda v: fmt.sv_pct(v, 1)),
        "Väntat antal hänvisade": ranked["redirected_mean"].map(lambda v: fmt.sv_num(v, 1)),
        "80 %-intervall": [f"{fmt.sv_num(a, 1)}–{fmt.sv_num(b, 1)}" for a, b in zip(ranked["redirected_p10"], ranked["redirected_p90"])],
        f"P(risk > {fmt.sv_pct(effective.high_risk_blocking, 0)})": ranked["p_high"].map(lambda v: fmt.sv_pct(v, 0)),
    }
)
display(Markdown(fmt.md_table(table, align="lrrrrrrr") + "\n\nVäntade antal är modellskattningar (medelvärden), inte räknade personer."))

# %%
#| label: tbl-risk-totals
#| tbl-cap: "Planeringstalet: väntat antal hänvisade kvinnor under hela sommarperioden nästa sommar per enhet och för hela regionen, med 80 %-intervall för det antal loggen kommer att visa (oförändrat läge, vårdkedjans modell kalibrerad mot loggen; prognosens fel, tidernas osäkerhet, variationen mellan somrar och slumpen). Alla rapporter och arbetsboken tar nästa sommars hänvisningar härifrån."
rows, shown = fmt.shown_units(by_risk, order="de med flest väntade hänvisningar, och hela regionen", sheet="Risk sommar")
listed = totals[totals["unit_id"].isin([*rows, "REGION"])]
table = pd.DataFrame(
    {
        "Enhet": listed["unit_id"].map(labels),
        "Väntat antal": listed["redirected_mean"].map(lambda v: fmt.sv_num(v, 0)),
        "80 %-intervall": [f"{fmt.sv_num(a, 0)}–{fmt.sv_num(b, 0)}" for a, b in zip(listed["redirected_p10"], listed["redirected_p90"])],
    }
)
mc = float(totals.set_index("unit_id").loc["REGION", "redirected_mc_se"])
display(
    Markdown(
        fmt.md_table(table, align="lrr")
        + f"\n\nSlumpfelet i regionens väntade antal från {fmt.sv_int(effective.forecast_draws)} dragningar är omkring "
        f"{fmt.sv_num(mc, 1)} kvinnor; intervallen är avrundade till hela kvinnor och enheternas väntade antal är avrundade var för sig."
        + (f"\n\n{shown}" if shown else "")
    )
)

# %%
#| label: tbl-model-vs-log
#| tbl-cap: "Sommarens hänvisningar enligt modellen (med veckans faktiska förlossningar och bemanning), kalibrerad mot loggen och med den antagna tiden på förlossningsrummet, jämfört med hänvisningsloggen (platsbrist och bemanning, det modellen avser), per enhet och år."
published = disclosure.PublishedCounts(tables["redirection_counts_internal"], cfg.disclosure_threshold)
rows, shown_review = fmt.shown_units(by_risk, order="de med flest väntade hänvisningar nästa sommar", sheet="Modell mot logg")
listed = review[review["unit_id"].isin(rows)]
table = pd.DataFrame(
    {
        "Enhet": listed["unit_id"].map(labels),
        "Sommar": listed["iso_year"].astype(str),
        "Förlossningar": listed["deliveries"].map(fmt.sv_int),
        "Modellen, kalibrerad": listed["predicted"].map(fmt.sv_int),
        f"Modellen, antagen tid ({fmt.sv_num(tables['resolved_settings'].set_index('setting').loc['capacity.mean_stay_hours', 'prior'], 0)} h)": listed[
            "predicted_configured"
        ].map(fmt.sv_int),
        "Loggen": [
            published.text(u, y, "capacity", n) for u, y, n in zip(listed["unit_id"], listed["iso_year"], listed["logged_capacity"])
        ],
    }
)
years = sorted(review["iso_year"].unique())
sums = review.groupby("iso_year")[["predicted", "predicted_configured", "logged_capacity", "logged_other"]].sum()
text = " ".join(
    f"{y}: modellen kalibrerad på alla somrar {fmt.sv_int(sums.loc[y, 'predicted'])} (med antagen tid {fmt.sv_int(sums.loc[y, 'predicted_configured'])}), "
    f"loggen {published.text('REGION', y, 'capacity', sums.loc[y, 'logged_capacity'])}; "
    f"hänvisade av andra orsaker (neonatal, övrigt) {published.text('REGION', y, 'other', sums.loc[y, 'logged_other'])}."
    for y in years
)
if not shown_review:  # every unit listed: the region's model counts against the sums of the printed ones
    by_year = review.pivot_table(index="iso_year", columns="unit_id", values=["predicted", "predicted_configured"], aggfunc="sum")
    note = fmt.sum_note(by_year["predicted"].to_numpy(), sums["predicted"].to_numpy()) or fmt.sum_note(
        by_year["predicted_configured"].to_numpy(), sums["predicted_configured"].to_numpy()
    )
    text += f" {note}" if note else ""
display(
    Markdown(
        fmt.md_table(table, align="llrrrr") + f"\n\nHela regionen – {text}\n\n{disclosure.suppression_note(cfg.disclosure_threshold)} "
        "Hänvisningar av andra orsaker redovisas bara för hela regionen: per enhet skulle de tillsammans med loggens totala antal röja små antal."
        + (f" {shown_review}" if shown_review else "")
    )
)

# %%
#| label: fig-model-vs-log
#| fig-cap: "Hänvisningar under sommarperioden: modellens väntade antal (kalibrerad mot loggen) jämfört med loggen (platsbrist och bemanning), per enhet och år. Loggvärden 1–4 visas som en streckad stapel upp till 4 med etiketten <5; ett antal som döljs för att skydda ett annat visas som en ljusgrå prickad kolumn med etiketten .."
#| fig-alt: "Två delfigurer, en per sommar, med två staplar per enhet: modellens väntade antal hänvisade och antalet i loggen; varje stapel har sitt värde utskrivet."
short = describe.short_labels(tables["units"])
years = sorted(review["iso_year"].unique())
bars, shown = fmt.shown_units(by_risk, figures.MAX_LINES, "de med flest väntade hänvisningar nästa sommar", "Modell mot logg")
fig, axes = plt.subplots(1, len(years), figsize=(9, 3.6), sharey=True, squeeze=False)
colours = sns.color_palette()[:2]
for ax, year in zip(axes.flat, years):
    part = review[(review["iso_year"] == year) & review["unit_id"].isin(bars)].reset_index(drop=True)
    x = range(len(part))
    ax.bar([i - 0.2 for i in x], part["predicted"], width=0.4, color=colours[0], label="Modell")
    for i, p in enumerate(part["predicted"]):
        ax.text(i - 0.2, p, fmt.sv_num(p, 0), ha="center", va="bottom", fontsize=8)
    status = [published.status(u, year, "capacity", n) for u, n in zip(part["unit_id"], part["logged_capacity"])]
    figures.suppressed_bars(ax, [i + 0.2 for i in x], part["logged_capacity"], cfg.disclosure_threshold, 0.4, colours[1], "Logg", status)
    ax.set_xticks(list(x), [short[u] for u in part["unit_id"]])
    ax.set(title=f"Sommaren {year}", xlabel="")
    figures.sv_axis(ax)
axes.flat[0].set_ylabel("Hänvisade kvinnor per sommar")
axes.flat[0].legend(fontsize=8)
fig.tight_layout()
figures.source_note(fig, cfg.is_demo)
figures.shown_note(fig, shown)
plt.show()

# %%
#| label: tbl-lever-proposals
#| tbl-cap: "Förslag för nästa sommars budget: budgeten fördelad exakt (dynamisk programmering) över åtgärderna extra barnmorskor, fler bemannade BB-platser, tidig hemgång med hembesök och extra sjuksköterskor i neonatalvården, per enhet och vecka, så att det väntade antalet hänvisade kvinnor, kvinnor som möter fullt BB och barn utan bemannad vårdplats blir så litet som möjligt. Priserna är antaganden i körningens konfiguration (costs)."
proposals = tables["lever_proposals"]
costs = cfg.costs
table = pd.DataFrame(
    {
        "Enhet": proposals["unit_id"].map(labels),
        "Åtgärd": proposals["lever_sv"].map(fmt.md_escape),
        "Veckor": [f"{a}–{b}" if a != b else str(a) for a, b in zip(proposals["first_week"], proposals["last_week"])],
        "Mängd": [f"{fmt.sv_num(v, 0)} {fmt.md_escape(u)}" for v, u in zip(proposals["amount"], proposals["amount_unit_sv"])],
        "Kostnad, tkr": (proposals["cost_sek"] / 1000).map(fmt.sv_int),
        "Undvikta händelser (80 %)": [
            f"{fmt.sv_num(m, 0)} ({fmt.sv_num(lo, 0)}–{fmt.sv_num(hi, 0)})"
            for m, lo, hi in zip(proposals["prevented_mean"], proposals["prevented_p10"], proposals["prevented_p90"])
        ],
        "Kr per undviken": proposals["sek_per_prevented"].map(lambda v: fmt.sv_int(round(v, -2))),
    }
)
spent = float(proposals["cost_sek"].sum())
display(
    Markdown(
        (fmt.md_table(table, align="lllrrrr") if len(proposals) else "Ingen åtgärd inom budgeten minskar de väntade händelserna.")
        + f"\n\nBudget {fmt.sv_int(costs.budget_sek / 1000)} tkr, fördelat {fmt.sv_int(spent / 1000)} tkr. Priser: extra barnmorska "
        f"{fmt.sv_int(costs.midwife_fte_week_sek)} kr per årsarbetarvecka (sommarersättning), BB-plats {fmt.sv_int(costs.bb_bed_week_sek)} kr "
        f"per vecka, tidig hemgång {fmt.sv_int(costs.early_discharge_sek)} kr per kvinna, neonatalsjuksköterska "
        f"{fmt.sv_int(costs.neonatal_nurse_fte_week_sek)} kr per årsarbetarvecka. En händelse är en hänvisad kvinna, en kvinna som möter "
        "fullt BB eller ett barn utan bemannad vårdplats; i vårdkedjan minskar fler BB-platser och tidig hemgång också hänvisningarna "
        "från förlossningen. Förslagen överlappar inte: en enhet får högst en BB-åtgärd en given vecka. Undvikta händelser är "
        "modellskattningar, inte räknade personer."
    )
)

# %%
#| label: tbl-fte-to-threshold
#| tbl-cap: "Extra barnmorskor på förlossningsavdelningen som behövs för att varje sommarvecka ska hålla risken under gränsen för förhöjd risk respektive dimensioneringsgränsen, per enhet (summa årsarbetarveckor och den största veckan)."
rows, shown = fmt.shown_units(by_risk, order="de med flest väntade hänvisningar nästa sommar")
need = (
    extra[extra["unit_id"].isin(rows)]
    .groupby("unit_id", as_index=False)
    .agg(
        high=("fte_to_high", "sum"),
        high_max=("fte_to_high", "max"),
        target=("fte_to_target", "sum"),
        target_max=("fte_to_target", "max"),
        weeks=("fte_to_target", lambda v: int((v > 0).sum())),
        reachable=("reachable_target", "all"),
    )
)
table = pd.DataFrame(
    {
        "Enhet": need["unit_id"].map(labels),
        f"Under {fmt.sv_pct(effective.high_risk_blocking, 0)}: årsarbetarveckor": need["high"].map(fmt.sv_int),
        f"Under {fmt.sv_pct(cfg.norms.target_blocking, 0)}: årsarbetarveckor": need["target"].map(fmt.sv_int),
        "Veckor som behöver fler": need["weeks"].astype(str),
        "Största vecka (åa)": need["target_max"].map(lambda v: fmt.sv_num(v, 1)),
        "Räcker rummen?": need["reachable"].map({True: "ja", False: "nej, rum saknas"}),
        f"Kostnad för {fmt.sv_pct(cfg.norms.target_blocking, 0)}, tkr": need["unit_id"]
        .map(tables["target_cost"].set_index("unit_id")["cost_sek"] / 1000)
        .map(fmt.sv_int),
    }
)
rule = tables["target_cost"].set_index("unit_id").loc["REGION"]
display(
    Markdown(
        fmt.md_table(table, align="lrrrrlr")
        + f"\n\nAtt hålla risken under dimensioneringsgränsen {fmt.sv_pct(cfg.norms.target_blocking, 0)} varje sommarvecka kräver omkring "
        f"{fmt.sv_int(rule['fte_needed'])} extra årsarbetarveckor barnmorskor i regionen, omkring {fmt.sv_num(rule['cost_sek'] / 1e6, 1)} miljoner kr "
        f"till sommarpris; budgeten i förslagen ovan är {fmt.sv_num(cfg.costs.budget_sek / 1e6, 1)} miljoner kr."
        + (f"\n\n{shown}" if shown else "")
    )
)

# %%
#| label: tbl-simulation
#| tbl-cap: "Känslighetsberäkning, inte planeringstal: väntat antal hänvisade nästa sommar vid prognosens medelvärde (utan prognosens osäkerhet) med fyra beräkningssätt: Erlangs formel; simulering med jämnt inflöde (kontroll av formeln); simulering med variation över dygnet och veckan; samma med regional samordning (hänvisning till en grannenhet med ledigt rum). De två sista kolumnerna: kvinnor som tas emot från en grannenhet och kvinnor som ingen grannenhet kan ta emot."
num = lambda v: fmt.sv_num(v, 1)
rows, shown = fmt.shown_units(by_risk, order="de med flest väntade hänvisningar, och hela regionen")
simulated = simulated[simulated["unit_id"].isin([*rows, "REGION"])]
table = pd.DataFrame(
    {
        "Enhet": simulated["unit_id"].map(labels),
        "Erlang B": simulated["erlang_b"].map(num),
        "Simulering, jämnt inflöde": simulated["sim_constant"].map(num),
        "Med dygns- och veckovariation": simulated["sim_pattern"].map(num),
        "Med samordning: hänvisade": simulated["sim_pattern_overflow"].map(num),
        "Tas emot från granne": simulated["received_from_neighbour"].map(num),
        "Ingen granne ledig": simulated["not_placed"].map(num),
    }
)
p = effective.arrival_profile
display(
    Markdown(
        fmt.md_table(table, align="lrrrrrr")
        + (
            f"\n\nSimuleringen: {effective.simulation_replications} upprepningar per vecka, inflödet {fmt.sv_pct(p.hourly_amplitude, 0)} över "
            f"medel kring klockan {int(p.peak_hour)} och lika mycket under tolv timmar senare, helger {fmt.sv_pct(p.weekend_factor, 0)} av vardagar (antaganden). "
            + (f"{shown} " if shown else "")
            + "Grannenheter: "
            + "; ".join(
                f"{fmt.md_escape(labels.get(u, u))} → {', '.join(fmt.md_escape(labels.get(n, n)) for n in ns)}"
                for u, ns in effective.overflow.items()
                if u in rows
            )
            + ". Tabellen räknar förlossningsrummen för sig. Planeringstalet räknar med vårdkedjan (ett fullt BB håller kvar kvinnor "
            + "på förlossningsrummen) och med hela osäkerheten, och blir därför "
            + f"{fmt.sv_int(region['redirected_mean'])} i stället för Erlang-kolumnens {fmt.sv_int(simulated.set_index('unit_id').loc['REGION', 'erlang_b'])}."
        )
    )
)

# %%
#| label: txt-neonatal-summary
summary_neo = capacity.neonatal_summary(neo[neo["kind"] == "prognos"])
LEVEL_DEFINITE = {"ic": "intensivvården", "hd": "intermediärvården", "sc": "vårdavdelningen"}  # the care levels in running text
unstaffed = summary_neo[summary_neo["staffed_min"] < 0.5]
worst_level = summary_neo.iloc[0] if len(summary_neo) else None
display(
    Markdown(
        (
            f"Nästa sommar väntas flest barn behöva vårdas på annat håll vid {fmt.md_escape(labels[worst_level['unit_id']])}, på "
            f"{LEVEL_DEFINITE[worst_level['care_level']]}: omkring {fmt.sv_expected(worst_level['away'])} barn under sommaren, med "
            f"risk {fmt.sv_pct(worst_level['worst'], 0)} den sämsta veckan. Enheterna bemannar intensivvården först och "
            "vårdavdelningen sist, så när sjuksköterskorna inte räcker är det vårdavdelningens platser som står obemannade"
            + (
                f"; vid {fmt.sv_list(fmt.md_escape(labels[u]) for u in unstaffed['unit_id'].unique())} räcker de en sommarvecka "
                "inte till någon plats där"
                if len(unstaffed)
                else ""
            )
            + ". Barnen vårdas då på en annan vårdnivå eller vid en annan enhet; talen bygger på sjuksköterskornas bemanning i "
            "underlaget och på antagna sjuksköterskor per plats (BAPM)."
        )
        if worst_level is not None
        else "Underlaget har ingen neonatalvård att räkna på för nästa sommar."
    )
)

# %%
#| label: tbl-neonatal-risk
#| tbl-cap: "Neonatalvård nästa sommar (oförändrat läge): risk att ett barn inte får plats på rätt vårdnivå vid sin enhet (Erlang B med bemannade platser), medel och högsta vecka, väntat antal barn som måste vårdas på annat håll under sommaren och barn som väntas flyttas hit från andra enheter."
ahead_neo = neo[neo["kind"] == "prognos"]
by_away = ahead_neo.groupby("unit_id")["turned_away"].sum().sort_values(ascending=False, kind="stable").index.tolist()
rows, shown = fmt.shown_units(by_away, order="de med flest barn som väntas vårdas på annat håll", sheet="Neonatal risk")
per = (
    ahead_neo[ahead_neo["unit_id"].isin(rows)]
    .groupby(["unit_id", "care_level"], as_index=False)
    .agg(
        mean=("blocking", "mean"),
        worst=("blocking", "max"),
        away=("turned_away", "sum"),
        weeks=("at_risk", "sum"),
        moved=("admissions_transferred", "sum"),
    )
)
table = pd.DataFrame(
    {
        "Enhet": per["unit_id"].map(labels),
        "Vårdnivå": per["care_level"].map(CARE_LEVEL_SV),
        "Risk, medel": per["mean"].map(lambda v: fmt.sv_pct(v, 1)),
        "Risk, högsta vecka": per["worst"].map(lambda v: fmt.sv_pct(v, 1)),
        f"Veckor över {fmt.sv_pct(effective.high_risk_blocking, 0)}": per["weeks"].astype(int).astype(str),
        "Väntat antal vårdade på annat håll": per["away"].map(lambda v: fmt.sv_num(v, 1)),
        "Överflyttade hit efter födseln": per["moved"].map(lambda v: "–" if v == 0 else fmt.sv_num(v, 1)),
    }
)
moved_note = (
    "Överflyttade hit: barn som väntas födas vid en annan enhet och flyttas hit för vård på denna nivå under sommaren "
    "(underlaget neonatal_transfers; de följer förlossningarna vid födelseenheten)."
    if per["moved"].sum() > 0
    else "Underlaget har inga överflyttningar mellan enheter (neonatal_transfers)."
)
display(Markdown(fmt.md_table(table, align="llrrrrr") + f"\n\n{moved_note}" + (f" {shown}" if shown else "")))

# %% [markdown]
# ## Hela vårdkedjan: BB, operation och neonatalvård
#
# Samma prognos per vecka ger kvinnor som behöver en BB-plats efter förlossningen (vårdtid efter
# förlossningssätt) och kejsarsnitt som operationstid. Först räknas varje länk för sig, som om de
# andra hade plats; sedan simuleras förlossningsrummen och BB tillsammans i BB:s värsta vecka, där
# en kvinna som inte får en BB-plats blir kvar på förlossningsrummet.

# %%
#| label: tbl-care-chain
#| tbl-cap: "Hela vårdkedjan nästa sommar: största veckosannolikheten att förlossningsrummen, BB och neonatalvården är fulla när någon kommer (Erlangs förlustformel, var länk för sig), och den länk som brister först."
chain = postnatal.chain_summary(tables["care_chain_weekly"])
ward = tables["postnatal_weekly"]
rows, shown = fmt.shown_units(
    chain.sort_values("postnatal_max", ascending=False)["unit_id"].tolist(),
    order="de med störst risk för fullt BB",
    sheet="Vårdkedjan sommar",
)
chain = chain[chain["unit_id"].isin(rows)]


beds_range = ward.groupby("unit_id")["beds"].agg(["min", "max"])
table = pd.DataFrame(
    {
        "Enhet": [labels[u] for u in chain["unit_id"]],
        "BB-platser": [fmt.sv_range(beds_range.loc[u, "min"], beds_range.loc[u, "max"]) for u in chain["unit_id"]],
        "Förlossningsrum": [fmt.sv_pct_week(v, w) for v, w in zip(chain["rooms_max"], chain["rooms_week"])],
        "BB": [fmt.sv_pct_week(v, w) for v, w in zip(chain["postnatal_max"], chain["postnatal_week"])],
        "Neonatalvård": [fmt.sv_pct_week(v, w) for v, w in zip(chain["neonatal_max"], chain["neonatal_week"])],
        "Brister först": [postnatal.LINKS_SV.get(w, "–") for w in chain["weakest"]],
    }
)
display(Markdown(fmt.md_table(table, align="llrrrl") + (f"\n\n{shown}" if shown else "")))

# %%
#| label: tbl-chain-simulated
#| tbl-cap: "Kontroll av vårdkedjans modell: förlossningsrummen och BB i samma simulering, i varje enhets vecka med störst risk för fullt BB nästa sommar (prognosens medelvärde): andel hänvisade kvinnor när rummen räknas för sig (Erlangs formel, som om BB alltid hade plats) och när en kvinna som inte får en BB-plats blir kvar på förlossningsrummet, andel kvinnor som väntar på förlossningsrummet på en BB-plats och deras genomsnittliga väntan."
sim_chain = tables["care_chain_simulated"]
model_blocking = risk.set_index(["unit_id", "iso_week"])["blocking"].to_dict()  # the chain model at the forecast mean
sim_chain = sim_chain.assign(_o=sim_chain["unit_id"].map({u: i for i, u in enumerate(rows)})).dropna(subset="_o").sort_values("_o")
table = pd.DataFrame(
    {
        "Enhet": sim_chain["unit_id"].map(labels),
        "Vecka": sim_chain["iso_week"].astype(str),
        "Bemannade rum": sim_chain["rooms_staffed"].map(lambda v: fmt.sv_num(v, 1)),
        "BB-platser": sim_chain["beds"].map(fmt.sv_int),
        "Hänvisade, rummen för sig": sim_chain["rooms_alone"].map(lambda v: fmt.sv_pct(v, 1)),
        "Hänvisade, med kö till BB": sim_chain["chain_redirected"].map(lambda v: fmt.sv_pct(v, 1)),
        "Planeringsmodellen": [
            fmt.sv_pct(model_blocking.get((u, int(w)), float("nan")), 1) for u, w in zip(sim_chain["unit_id"], sim_chain["iso_week"])
        ],
        "Väntar på BB-plats": sim_chain["waited_for_bed_share"].map(lambda v: fmt.sv_pct(v, 0)),
        "Väntan, timmar": sim_chain["mean_wait_hours"].map(lambda v: fmt.sv_num(v, 0)),
    }
)
display(
    Markdown(
        fmt.md_table(table, align="lrrrrrrrr")
        + "\n\nKolumnen planeringsmodellen är vårdkedjans snabba modell som alla planeringstal bygger på, vid samma veckas "
        "prognos; simuleringen är dess kontroll (modellen underskattar något där BB är nära men under fullt, eftersom väntan "
        "kommer i skurar). "
        f"Simulering med varje enhets kalibrerade tid på förlossningsrummet ({stay_range} timmar), BB-vårdtid enligt antagandena nedan, "
        "20 upprepningar om 20 veckor med samma inflöde som veckans prognos. Andelarna är modellskattningar för en vecka, inte räknade kvinnor."
        + (f" {shown}" if shown else "")
    )
)

# %%
#| label: txt-care-chain
p = cfg.postnatal
full = ward.groupby("unit_id")["women_finding_full"].sum()
theatre = tables["theatre_weekly"].groupby("unit_id")["theatre_hours"].sum()
n_weeks = ward.groupby("unit_id").size().max()
display(
    Markdown(
        f"Under sommarveckorna {cfg.summer_weeks[0]}–{cfg.summer_weeks[1]} {outlook} väntas sammanlagt "
        f"omkring {fmt.sv_int(round(full.sum(), -1))} kvinnor komma till ett fullt BB (utan åtgärder), och kejsarsnitten väntas ta "
        f"{fmt.sv_int(theatre.sum() / n_weeks)} operationstimmar i veckan i regionen. Antaganden: "
        f"{fmt.sv_pct(p.caesarean_share, 0)} kejsarsnitt (Socialstyrelsen)"
        + (
            " utom där enheten har egen andel ("
            + ", ".join(f"{fmt.md_escape(labels.get(u, u))} {fmt.sv_pct(v, 0)}" for u, v in p.caesarean_share_by_unit.items())
            + ")"
            if p.caesarean_share_by_unit
            else ""
        )
        + f", varav {fmt.sv_pct(p.planned_share_of_caesareans, 0)} planerade; vårdtid på BB "
        f"{fmt.sv_num(p.los_vaginal_days, 1)} dygn efter vaginal förlossning och {fmt.sv_num(p.los_caesarean_days, 1)} "
        f"dygn efter kejsarsnitt och {fmt.sv_num(p.theatre_hours_planned, 2)}/{fmt.sv_num(p.theatre_hours_emergency, 2)} "
        "operationstimmar per planerat/akut snitt – antaganden utan offentlig svensk källa, inställbara i körningens "
        "konfiguration (postnatal)."
    )
)

# %%
#| label: tbl-theatre-annual
#| tbl-cap: "Operationstid för kejsarsnitt per år under oförändrat läge: timmar per år och enhet (planerade och akuta snitt)."
annual = tables["theatre_annual"]
years = sorted(annual["year"].unique())[:5]
wide = annual[annual["year"].isin(years)].pivot(index="unit_id", columns="year", values="theatre_hours")
order = [u for u in rows if u in wide.index] + (["REGION"] if "REGION" in wide.index else [])
table = pd.DataFrame({"Enhet": [labels[u] for u in order]})
for year in years:
    table[str(year)] = [fmt.sv_int(round(wide.loc[u, year], -1)) for u in order]  # tens: the hours rest on assumptions
unit_rows = [u for u in order if u != "REGION"]
note = (
    fmt.sum_note(wide.loc[unit_rows, years].T.to_numpy() / 10, wide.loc["REGION", years].to_numpy() / 10)
    if "REGION" in wide.index and len(unit_rows) == len(wide.index) - 1
    else ""
)
display(
    Markdown(
        fmt.md_table(table)
        + "\n\nAvrundat till tiotal timmar: vårdtider och operationstid per snitt är antaganden."
        + (f" {note}" if note else "")
    )
)


# %%
#| label: tbl-chain-years
#| tbl-cap: "Hela vårdkedjan de kommande åren under oförändrat läge, hela regionen (summan av enheternas behov): förlossningar, BB-platser och neonatalplatser som behövs för att högst 1 % ska mötas av en full avdelning vid årets genomsnittliga belastning, med enheternas platser inom parentes (neonatalvård: intensivvård, intermediärvård, vårdavdelning), operationstimmar för kejsarsnitt och neonatalsjuksköterskor (årsarbetare) för de platser som behövs."
bb_years, neo_years = tables["postnatal_annual"], tables["neonatal_annual"]
LEVEL_SHORT = {"ic": "Intensivvård", "hd": "Intermediärvård", "sc": "Vårdavdelning"}  # neonatal intensive, intermediate care, ward
chain_years = sorted(bb_years["year"].unique())[:5]
bb_sum = bb_years.groupby("year")[["deliveries", "beds_needed", "beds"]].sum()
neo_sum = neo_years.pivot_table(index="year", columns="care_level", values=["cots_needed", "cots_physical"], aggfunc="sum")
nurses = neo_years.groupby("year")["nurse_fte"].sum()
hours = annual[annual["unit_id"] != "REGION"].groupby("year")["theatre_hours"].sum()
table = pd.DataFrame(
    {
        "År": [str(y) for y in chain_years],
        "Förlossningar": [fmt.sv_int(round(bb_sum.loc[y, "deliveries"], -2)) for y in chain_years],
        "BB-platser": [f"{fmt.sv_int(bb_sum.loc[y, 'beds_needed'])}\u00a0({fmt.sv_int(bb_sum.loc[y, 'beds'])})" for y in chain_years],
        "Operationstimmar": [fmt.sv_int(round(hours.get(y, float("nan")), -2)) for y in chain_years],
        **{
            f"{LEVEL_SHORT[lv]}, platser": [
                f"{fmt.sv_int(neo_sum.loc[y, ('cots_needed', lv)])}\u00a0({fmt.sv_int(neo_sum.loc[y, ('cots_physical', lv)])})"
                for y in chain_years
            ]
            for lv in ("ic", "hd", "sc")
        },
        "Sjuksköterskor neonatal (åa)": [fmt.sv_int(round(nurses.loc[y], 0)) for y in chain_years],
    }
)
display(
    Markdown(
        fmt.md_table(table, align="lrrrrrrr")
        + "\n\nFörlossningar och operationstimmar avrundade till hundratal: de vilar på prognosen och på antagna tider per snitt. "
        "Platserna räknas vid årets genomsnittliga belastning; sommarens stängda platser och veckornas variation ligger i tabellerna för nästa sommar."
    )
)

# %%
#| label: txt-chain-years
short_of = postnatal.shortfalls_by_year(bb_years, neo_years, chain_years)
what_sv = {"postnatal": "BB-platser", **{lv: f"platser i {CARE_LEVEL_SV[lv].lower()}" for lv in CARE_LEVEL_SV}}
if short_of.empty:
    text = f"Under åren {chain_years[0]}–{chain_years[-1]} räcker varje enhets BB-platser och neonatalplatser vid årets genomsnittliga belastning."
else:
    text = (
        "Där behovet vid årets genomsnittliga belastning är större än platserna: "
        + "; ".join(
            f"{fmt.md_escape(labels[r.unit_id])}, {what_sv[r.link]}: behöver upp till {fmt.sv_int(r.need)} men har {fmt.sv_int(r.have)} (från {r.first_year})"
            for r in short_of.itertuples(index=False)
        )
        + ". Barn som flyttas från andra enheter räknas hos den enhet som vårdar dem."
    )
display(Markdown(text))
