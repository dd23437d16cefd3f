# %% [markdown]
# # 05 Handlingsplan, scenarier och tertialuppföljning
#
# Handlingsplanens aktiviteter, deras förväntade effekt körd genom bemannings- och
# kapacitetsmodellerna (scenarier jämförda med oförändrat läge), indikatorer mot mål,
# styrdiagram med fasta baslinjer, prognosen mot utfallet för tertialen och vad som har
# ändrats sedan förra körningen. Logiken finns i `fragile_care.model.scenarios` och `fragile_care.model.followup` (steget deklareras i `fragile_care.run.steps`).

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

from fragile_care.model import calendar, carelevels, describe, followup
from fragile_care.publish import disclosure, figures
from fragile_care.publish import formatting as fmt
from fragile_care.run import bundle, config, steps

cfg, out_dir = config.notebook_context(run_config, processed_dir, step="05_action_plan")
figures.set_style()
tables = steps.run_step("05_action_plan", cfg, out_dir)
actions = steps.plan_table(tables)
practices = tables.get("best_practice")
labels = {**describe.unit_labels(tables["units"]), "REGION": "Hela regionen"}
short = describe.short_labels(tables["units"])
cap = cfg.capacity

# %%
scenario_table, indicators = tables["scenarios"], tables["indicators"]
plan_status = tables["plan_status"].set_index("activity_id").loc[actions["activity_id"]].reset_index()  # in the plan's order
weekly = tables["staffing_weekly"]
summer_year = int(weekly.loc[weekly["kind"] == "utfall", "iso_year"].max())  # the indicators' summer
scenario_table

# %%
#| label: demo-banner
display(Markdown(fmt.data_banner(cfg.is_demo, cfg.data_source, cfg.period_end, cfg.run_id)))

# %%
#| label: txt-followup-summary
base = scenario_table.iloc[0]
together = scenario_table.iloc[-1]
lights = indicators["light"].value_counts()
display(
    Markdown(
        f"Handlingsplanen har {len(actions)} aktiviteter. Status den {fmt.sv_date(cfg.data_cutoff)}: "
        f"{fmt.plan_status_counts(plan_status['status'])}. Av {len(indicators)} indikatorer med mål är "
        f"{lights.get('green', 0)} gröna (målet nått), {lights.get('yellow', 0)} gula (bättre än utgångsläget), {lights.get('red', 0)} röda "
        f"och {lights.get('not_started', 0)} grå (aktiviteten startar efter sommaren {summer_year} och kan inte ha påverkat den), "
        f"mätt på sommaren {summer_year}. {fmt.plan_checks(plan_status, indicators)}Med alla åtgärder med modellerad effekt väntas omkring "
        f"{fmt.sv_int(together['redirected_mean'])} kvinnor behöva hänvisas sommaren {cfg.outlook_summer}, mot "
        f"{fmt.sv_int(base['redirected_mean'])} under oförändrat läge."
    )
)

# %%
#| label: txt-tertial-results
t_first, t_last = calendar.tertial_months(cfg.tertial)
tertial_months = pd.date_range(t_first, min(t_last, cfg.period_end), freq="MS")
own = followup.tertial_results(tables["births_monthly"], tables["staffing_weekly"], tertial_months)
published = disclosure.PublishedCounts(tables["redirection_counts_internal"], cfg.disclosure_threshold)
summer_year = int(own["summer_year"])
logged = {y: describe.region_summer_redirections(tables["redirections"], y, cfg.summer_weeks) for y in (summer_year - 1, summer_year)}
display(
    Markdown(
        f"**Tertialen {fmt.md_escape(cfg.tertial)} ({fmt.sv_month(tertial_months[0])}–{fmt.sv_month(tertial_months[-1])}):** "
        f"{fmt.sv_int(own['deliveries'])} förlossningar i regionen, {fmt.sv_pct(own['change'], 1, signed=True)} mot samma månader "
        f"året före ({fmt.sv_int(own['deliveries_year_before'])}). Under sommarperioden {summer_year} (vecka {cfg.summer_weeks[0]}–"
        f"{cfg.summer_weeks[1]}) hänvisades {published.text('REGION', summer_year, 'capacity', logged[summer_year]['capacity'])} kvinnor "
        f"på grund av platsbrist eller bemanning ({published.text('REGION', summer_year - 1, 'capacity', logged[summer_year - 1]['capacity'])} "
        f"sommaren {summer_year - 1}), och {fmt.sv_int(own['weeks_short'])} av {fmt.sv_int(own['weeks'])} enhetsveckor hade för få "
        "barnmorskor på förlossningen. Uppföljningen av handlingsplanen och prognosen för nästa sommar följer nedan."
    )
)

# %%
#| label: txt-log-after-actions
changes = followup.log_after_activities(tables["calibration_backtest"], actions, cfg.summer_weeks)
published = disclosure.PublishedCounts(tables["redirection_counts_internal"], cfg.disclosure_threshold)
sentences = []
for c in changes.to_dict("records"):
    year = int(c["iso_year"])
    where = {"below": "under", "inside": "inom", "above": "över"}[c["position"]]
    acts = [a for a in c["activities"].split(", ") if a]
    named = fmt.sv_list(f"{fmt.md_escape(a)} ({fmt.md_escape(actions.set_index('activity_id').loc[a, 'title'])})" for a in acts)
    text = (
        f"Sommaren {year} hade loggen {published.text('REGION', year, 'capacity', c['logged'])} hänvisade av platsbrist och bemanning, "
        f"{where} modellens 80 %-intervall {fmt.sv_int(c['low_80'])}–{fmt.sv_int(c['high_80'])} skattat på somrarna före."
    )
    if acts and c["position"] == "below":
        text += f" Mellan förra sommaren och slutet av denna startade eller avslutades {named}: nedgången kan vara deras effekt, men modellen kan inte skilja den från slumpen."
    elif acts:
        text += (
            f" Mellan förra sommaren och slutet av denna startade eller avslutades {named}, utan att loggen föll under modellens intervall."
        )
    sentences.append(text)
display(
    Markdown(
        " ".join(sentences)
        if sentences
        else "Loggen räcker inte för att jämföra somrar före och efter handlingsplanens aktiviteter (minst två somrar med logg behövs)."
    )
)

# %%
#| label: tbl-indicators
#| tbl-cap: "Indikatorer mot mål: utgångsläge och mål enligt handlingsplanen, värdet för den senaste sommaren och trafikljus (grön = målet nått, gul = bättre än utgångsläget, röd = inte bättre, grå = aktiviteten startar efter sommaren, så sommaren mäter den inte). Kontroll: utgångsläget räknat ur data med samma funktion som sommarens värde, och mål som redan är nådda i utgångsläget."
decimals = {i: 0 if i in followup.COUNT_INDICATORS else 1 for i in indicators["indicator"]}
published = disclosure.PublishedCounts(tables["redirection_counts_internal"], cfg.disclosure_threshold)
protected = {  # the summer's redirection count and its rate, as protected for every report
    "hänvisade_sommar": lambda v: published.text("REGION", summer_year, "capacity", v),
    "hänvisade_per_1000": lambda v: published.rate("REGION", summer_year, "capacity", v),
}
table = pd.DataFrame(
    {
        "Aktivitet": indicators["activity_id"],
        "Indikator": indicators["indicator"].map(fmt.indicator_label),
        "Utgångsläge": [fmt.sv_num(v, decimals[i]) for i, v in zip(indicators["indicator"], indicators["baseline"])],
        "Mål": [fmt.sv_num(v, decimals[i]) for i, v in zip(indicators["indicator"], indicators["target"])],
        f"Sommaren {summer_year}": [
            protected[i](v) if i in protected else fmt.sv_num(v, decimals[i])
            for i, v in zip(indicators["indicator"], indicators["current"])
        ],
        "Trafikljus": indicators["light"].map(fmt.traffic_light),
        "Kontroll": [fmt.indicator_check(r) for r in indicators.to_dict("records")],
    }
)
display(Markdown(fmt.md_table(table, align="llrrrll", markup=["Trafikljus"])))

# %%
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
    figures.sv_axis(ax)
    figures.year_ticks(ax)


fig, ax = plt.subplots(figsize=(9, 3.6))
draw(chart, ax, f"Förlossningar per månad, baslinje {fmt.sv_month(first)}–{fmt.sv_month(last)}", "Förlossningar")
fig.tight_layout()
figures.source_note(fig, cfg.is_demo)
plt.show()

# %%
#| label: fig-spc-staffing
#| fig-cap: "Styrdiagram (XmR) för barnmorskor på arbetet per månad i hela regionen (tillgängliga årsarbetare plus hyrpersonal minus planerad semester, i snitt över månadens veckor; veckor utan rad i semesterplanen räknas utan semester), samma fasta baslinje så långt semesterplanen räcker. Bara år som semesterplanen täcker visas: utan semestern skulle sommaren se ut som årets bäst bemannade tid."
#| fig-alt: "Linjediagram över barnmorskor på arbetet per månad med mittlinje och styrgränser."
fte = describe.staff_at_work_monthly(tables["staffing"], tables["leave_plan"], "barnmorska")
fte = fte[fte.index >= first]
chart = followup.xmr(fte, (fte.index >= first) & (fte.index <= last))
fig, ax = plt.subplots(figsize=(9, 3.6))
draw(chart, ax, "Barnmorskor på arbetet per månad (semester avräknad)", "Årsarbetare")
fig.tight_layout()
figures.source_note(fig, cfg.is_demo)
plt.show()

# %%
#| label: fig-spc-redirections
#| fig-cap: "Styrdiagram (c-diagram) för kvinnor hänvisade på grund av platsbrist eller bemanning per sommarmånad (hela månaderna juni–augusti) i hela regionen; baslinje: somrarna före den senaste. Månader med 1–4 hänvisade visas som <5. Månaderna avser hela juni–augusti och summerar därför inte till rapportens sommartal, som räknar sommarperiodens veckor. Röd triangel: månad utanför styrgränserna. Juli ligger ofta över den övre gränsen eftersom juli är sommarens mest belastade månad; det är säsongen, inte en förändring, och ska jämföras med juli tidigare år."
#| fig-alt: "Punktdiagram med antalet hänvisade kvinnor per sommarmånad, mittlinje och styrgränser."
monthly = describe.redirections_monthly(tables["redirections"], months=(6, 7, 8))
latest = monthly.index.max().year
chart = followup.c_chart(monthly, pd.Series(monthly.index.year < latest, index=monthly.index))
labels_x = [f"{fmt.sv_month(m)[:3]} {m.year}" for m in chart.index]
fig, ax = plt.subplots(figsize=(9, 3.6))
positions = range(len(chart))
figures.suppressed_bars(ax, positions, chart["value"], cfg.disclosure_threshold, 0.6, sns.color_palette()[0], "Hänvisade")
if "note" in chart.attrs:  # too short a baseline for limits (data from one or two summers)
    ax.text(0.5, 0.95, figures.SPC_NO_LIMITS, transform=ax.transAxes, ha="center", va="top", fontsize=8)
else:
    ax.axhline(chart["centre"].iloc[0], color="black")
    for bound in ("lower", "upper"):
        ax.axhline(chart[bound].iloc[0], color="black", linestyle="--", linewidth=1)
    figures.mark_signals(ax, positions, chart["value"], chart["outside"], cfg.disclosure_threshold)
ax.set_xticks(list(positions), labels_x, rotation=45, ha="right", fontsize=8)
ax.set(title="Hänvisade kvinnor per sommarmånad", ylabel="Hänvisade kvinnor", xlabel="")
fig.tight_layout()
figures.source_note(fig, cfg.is_demo)
plt.show()

# %%
#| label: tbl-forecast-vs-actual
#| tbl-cap: "Prognosen mot utfallet för tertialens månader, hela regionen: en prognos gjord på data fram till tertialens början (samma metod som i framtidsrapporten) jämförd med de förlossningar som blev."
t_first, t_last = calendar.tertial_months(cfg.tertial)
months = pd.date_range(t_first, min(t_last, cfg.period_end), freq="MS")
made_before = tables["births_forecast_tertial"]  # made in step 02
check = followup.forecast_vs_actual(made_before, tables["births_monthly"], months)
table = pd.DataFrame(
    {
        "Månad": check["month"].map(fmt.sv_month),
        "Utfall": check["actual"].map(fmt.sv_int),
        "Prognos": check["forecast"].map(fmt.sv_int),
        "80 %-intervall": [f"{fmt.sv_int(a)}–{fmt.sv_int(b)}" for a, b in zip(check["lower_80"], check["upper_80"])],
        "Avvikelse": check["error_pct"].map(lambda v: fmt.sv_num(v, 1) + " %"),
        "Inom intervallet": check["inside_80"].map({True: "ja", False: "nej"}),
    }
)
mape = check["error_pct"].abs().mean()
display(
    Markdown(
        fmt.md_table(table, align="lrrrrl") + f"\n\nGenomsnittlig absolut avvikelse {fmt.sv_num(mape, 1)} %; "
        f"{int(check['inside_80'].sum())} av {len(check)} månader inom 80 %-intervallet."
    )
)

# %%
#| label: fig-plan-timeline
#| fig-cap: "Handlingsplanens aktiviteter på en tidslinje, färgade efter status per datadagen (den lodräta linjen, data till och med); försenad = borde ha startat eller vara klar enligt planens datum."
#| fig-alt: "Gantt-diagram med en vågrät stapel per aktivitet från start till slut, i olika färger för planerad, pågår, klar, pausad och försenad, och en lodrät linje för den dag data går till."
status_colour = dict(zip(["planerad", "pågår", "klar", "pausad", followup.LATE], [*sns.color_palette()[:4], "#b2182b"]))
ordered = actions.assign(status=plan_status["status"].to_numpy()).sort_values("start", ascending=False).reset_index(drop=True)
fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(ordered), 2) + 1.2))
ax.barh(
    range(len(ordered)),
    (ordered["end"] - ordered["start"]).dt.days,
    left=ordered["start"],
    color=ordered["status"].map(status_colour),
    height=0.6,
)
ax.set_yticks(
    range(len(ordered)),
    [figures.tick_label(f"{a} {t}") for a, t in zip(ordered["activity_id"], ordered["title"])],
    fontsize=8,
)
ax.axvline(cfg.period_end + pd.offsets.MonthEnd(0), color="black", linestyle="--", linewidth=1)
handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in status_colour.values()]
ax.legend(handles, list(status_colour), fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
figures.year_ticks(ax)
fig.tight_layout()
figures.source_note(fig, cfg.is_demo)
plt.show()


# %%
#| label: tbl-plan
#| tbl-cap: "Handlingsplanens aktiviteter: område, ansvarig förvaltning, tid, status, indikator med mål och förväntad effekt i modellen."
def effect_text(a):
    if a["effect_type"] == "extra_staff":
        return (
            f"+{fmt.sv_num(a['effect_fte'], 1)} åa barnmorskor, {short.get(a['effect_unit'], a['effect_unit'])}, v. {fmt.sv_weeks(a['effect_weeks'])}"
            + (" (gradvis)" if a["effect_profile"] == "ramp" else "")
        )
    if a["effect_type"] == "move_leave":
        return f"{fmt.sv_num(a['effect_fte'], 1)} åa semester flyttas v. {fmt.sv_weeks(a['effect_weeks'])} → v. {fmt.sv_weeks(a['effect_to_weeks'])}, {short.get(a['effect_unit'], a['effect_unit'])}"
    if a["effect_type"] == "pooling":
        return f"Samordning {short.get(a['effect_unit'], a['effect_unit'])}–{short.get(a['effect_partner'], a['effect_partner'])}"
    if a["effect_type"] == "early_discharge":
        return (
            f"{fmt.sv_pct(a['effect_share'], 0)} av kvinnorna efter vaginal förlossning går hem tidigt, {short.get(a['effect_unit'], a['effect_unit'])}"
            + (f", v. {fmt.sv_weeks(a['effect_weeks'])}" if isinstance(a["effect_weeks"], str) and a["effect_weeks"] else "")
            + (" (gradvis)" if a["effect_profile"] == "ramp" else "")
        )
    return "Ingen modellerad effekt"


table = pd.DataFrame(
    {
        "Id": actions["activity_id"],
        "Aktivitet": actions["title"],
        "Område": actions["area"],
        "Ansvarig": actions["owner"],
        "Tid": [f"{fmt.sv_date(s)}–{fmt.sv_date(e)}" for s, e in zip(actions["start"], actions["end"])],
        "Status": plan_status["status"],
        "Att kontrollera": plan_status["check"],
        "Mål": [fmt.indicator_target(i, t) for i, t in zip(actions["indicator"], actions["target"])],
        "Effekt i modellen": [effect_text(a) for a in actions.to_dict("records")],
    }
)
if not plan_status["check"].astype(bool).any():  # nothing for the owners to look at: no empty column
    table = table.drop(columns="Att kontrollera")
display(Markdown(fmt.md_table(table, align="l" * len(table.columns))))

# %%
#| label: tbl-scenarios
#| tbl-cap: "Scenarier för nästa sommar: oförändrat läge, varje åtgärd för sig och alla tillsammans. Väntat antal hänvisade i vårdkedjans modell (förlossningsrum och BB) och skillnaden mot oförändrat läge med 80 %-intervall, räknad dragning för dragning på samma slumptal i alla scenarier, enhetsveckor med förhöjd risk, summa underskott av barnmorskor på förlossningen, för scenarier med regional samordning kvinnor som varken egen enhet eller den samordnade grannen kan ta emot (simulering med dygns- och veckovariation), och på BB: kvinnor som väntas mötas av ett fullt BB och vårddygn som tidig hemgång flyttar till hemmet."
table = pd.DataFrame(
    {
        "Scenario": scenario_table["scenario"],
        "Hänvisade, väntat": scenario_table["redirected_mean"].map(fmt.sv_expected),
        "Skillnad (80 %-intervall)": [
            "–" if i == 0 else fmt.sv_difference(m, lo, hi) if sure else "ingen säker skillnad"
            for i, (m, lo, hi, sure) in enumerate(
                zip(
                    scenario_table["difference_mean"],
                    scenario_table["difference_p10"],
                    scenario_table["difference_p90"],
                    scenario_table["certain"],
                )
            )
        ],
        "Veckor med förhöjd risk": scenario_table["weeks_at_risk"].astype(str),
        "Underskott, åa-veckor": scenario_table["fte_shortfall"].map(lambda v: fmt.sv_num(v, 0)),
        "Tillförda åa-veckor": scenario_table["fte_added"].map(lambda v: fmt.sv_num(v, 0)),
        "Utan plats trots samordning": scenario_table["not_placed_in_region"].map(fmt.sv_expected),
        "Möter fullt BB": scenario_table["postnatal_full"].map(lambda v: "–" if pd.isna(v) else fmt.sv_int(v)),
        "Vårddygn hemma": scenario_table["home_care_days"].map(lambda v: "–" if pd.isna(v) or v == 0 else fmt.sv_int(round(v, -1))),
    }
)
reason_sv = {
    "postnatal": "tidig hemgång avlastar BB men BB var inte fullt de veckor åtgärden gäller, så förlossningsrummen avlastas knappt (se kolumnen möter fullt BB)",
    "pooling": "samordning ändrar inte hur många som möter en full egen enhet, bara var de tas emot (se kolumnen utan plats trots samordning)",
    "not_in_force": "åtgärden gäller inte under nästa sommars veckor",
    "no_risk": "personalen tillförs veckor där risken redan är nära noll",
    "no_change": "förändringarna tar ut varandra under sommaren",
}
outside_weeks = scenario_table["outside_weeks"].iloc[0] if len(scenario_table) else ""
if outside_weeks:  # weeks an activity moves staff to or from, outside the summer: counted too
    table[f"Skillnad v. {fmt.sv_week_list(outside_weeks)}"] = [
        "–" if i == 0 or m == 0 else "under 0,1" if abs(m) < 0.05 else fmt.sv_difference(m, lo, hi)
        for i, (m, lo, hi) in enumerate(
            zip(
                scenario_table["outside_difference_mean"],
                scenario_table["outside_difference_p10"],
                scenario_table["outside_difference_p90"],
            )
        )
    ]
outside_note = (
    f"\n\n{'Vecka' if ',' not in outside_weeks else 'Veckorna'} {fmt.sv_week_list(outside_weeks)} ligger utanför sommarperioden men får personal eller semester som en åtgärd flyttar; "
    "kolumnen längst till höger är skillnaden i väntat antal hänvisade där mot oförändrat läge samma veckor, räknad på samma sätt "
    "(– där åtgärden inte gäller de veckorna). "
    "Den ingår inte i sommarens skillnad."
    if outside_weeks
    else ""
)
why = [f"{name}: {reason_sv[r]}." for name, r in zip(scenario_table["scenario"], scenario_table["effect_reason"]) if r]
display(
    Markdown(
        fmt.md_table(table, align="l" + "r" * (len(table.columns) - 1))
        + outside_note
        + "\n\nIngen säker skillnad: skillnadens 80 %-intervall rymmer noll eller skillnaden är mindre än två gånger "
        f"slumpfelet från {fmt.sv_int(cap.forecast_draws)} dragningar. Intervallet för själva planeringstalet finns i sommarrapporten."
        + ("\n\nUtan effekt på antalet hänvisade: " + " ".join(fmt.md_escape(w) for w in why) if why else "")
    )
)

# %%
#| label: fig-scenarios
#| fig-cap: "Väntat antal hänvisade kvinnor nästa sommar per scenario, med 80 %-intervall."
#| fig-alt: "Liggande stapeldiagram med ett scenario per rad och en felstapel för osäkerheten; oförändrat läge överst."
fig, ax = plt.subplots(figsize=(9, 0.5 * len(scenario_table) + 1.2))
y = range(len(scenario_table))[::-1]
err = [
    scenario_table["redirected_mean"] - scenario_table["redirected_p10"],
    scenario_table["redirected_p90"] - scenario_table["redirected_mean"],
]
ax.barh(list(y), scenario_table["redirected_mean"], xerr=err, color=sns.color_palette()[0], capsize=3)
ax.set_yticks(list(y), [figures.tick_label(s) for s in scenario_table["scenario"]], fontsize=8)
ax.set(xlabel="Hänvisade kvinnor under sommarperioden", ylabel="")
figures.sv_axis(ax, axis="x")
fig.tight_layout()
figures.source_note(fig, cfg.is_demo)
plt.show()

# %%
#| label: tbl-best-practice
#| tbl-cap: "Omvärldsbevakning: arbetssätt från andra regioner och länder, vad de gav där det är känt, källa och de aktiviteter i handlingsplanen som de har inspirerat."
if practices is None or practices.empty:
    display(Markdown("Inget register över arbetssätt från andra regioner finns i underlaget (`best_practice.csv`)."))
else:
    table = pd.DataFrame(
        {
            "Arbetssätt": practices["title"],
            "Var och när": practices["where"] + ", " + practices["period"],
            "Vad det gav": practices["achieved"].fillna("–"),
            "Källa": [fmt.md_link(f.replace("|", ", "), u) for f, u in zip(practices["fact_ids"].fillna("källa"), practices["source_url"])],
            "Aktiviteter": practices["inspired"].fillna("–").str.replace("|", ", ", regex=False),
        }
    )
    display(Markdown(fmt.md_table(table, align="l" * len(table.columns), markup=["Källa"])))

# %%
#| label: txt-best-practice-sources
# the sources in full, so a printed page names them too (the table's codes are links)
display(Markdown(fmt.reference_list(practices) if practices is not None and not practices.empty else ""))

# %%
#| label: tbl-changes
#| tbl-cap: "Vad har ändrats sedan förra körningen: datafiler som har tillkommit, tagits bort eller ändrats, och nyckeltal före och efter."
previous_id = cfg.previous_run_id
changes = steps.previous_run_changes(cfg, out_dir, output_root, tables, bundle.input_hashes(cfg, bundle.data_files(cfg)))
if changes is None:  # a one-row table, so the caption the report numbers has a table under it
    display(Markdown(fmt.md_table(pd.DataFrame({"Jämförelse": [f"Ingen tidigare körning ({previous_id}) finns att jämföra med."]}))))
else:
    manifest, files, numbers = changes
    number_sv = {
        "last_month_deliveries": "Förlossningar senaste månaden",
        "forecast_next_12_months": "Prognos, kommande tolv månader",
        "redirected_next_summer": "Väntat antal hänvisade nästa sommar",
        "quality_repairs": "Rättade värden i indata",
        "quality_warnings": "Varningar i indata",
    }
    table = pd.DataFrame(
        {
            "Nyckeltal": numbers["number"].map(number_sv),
            f"Körning {previous_id}": numbers["previous"].map(fmt.sv_int),
            f"Körning {cfg.run_id}": numbers["current"].map(fmt.sv_int),
            "Förändring": numbers["change"].map(fmt.sv_int),
        }
    )
    changed = (
        "Inga indatafiler har ändrats."
        if files.empty
        else "Ändrade indatafiler: "
        + "; ".join(f"{fmt.md_code(p)} ({fmt.md_escape(c)})" for p, c in zip(files["path"], files["change"]))
        + "."
    )
    display(
        Markdown(
            f"Jämförelse med körning `{previous_id}` ({manifest.get('created_utc', '')[:10]}). {changed}\n\n"
            + fmt.md_table(table, align="lrrr")
        )
    )


# %%
#| label: tbl-care-levels
#| tbl-cap: "Vården kring födslarna per vårdnivå de kommande åren, hela regionen (summan av enheterna) under oförändrat läge: besök på barnmorskemottagningen enligt basprogrammet, rutinultraljud, förlossningar och vårddygn på BB på sjukhuset, och vård i hemmet efter tidig hemgång. Avrundat till hundratal: normerna per graviditet är antaganden eller regionala program."
volumes = tables["care_levels_annual"]
region_volumes = volumes[volumes["unit_id"] == "REGION"]
care_years = sorted(region_volumes["year"].unique())[:5]
wide = region_volumes.pivot(index="contact", columns="year", values="baseline").reindex(list(carelevels.CONTACT_LEVEL))
table = pd.DataFrame(
    {
        "Vårdnivå": [carelevels.LEVELS_SV[carelevels.CONTACT_LEVEL[c]] for c in wide.index],
        "Kontakt": [carelevels.CONTACTS_SV[c] for c in wide.index],
        **{str(y): [fmt.sv_int(round(v, -2)) for v in wide[y]] for y in care_years},
    }
)
home_zero = wide.loc[["home_visits", "home_days"]].fillna(0).abs().to_numpy().sum() < 0.5 if "home_days" in wide.index else False
note = (
    "\n\nRaderna för hemmet är noll under oförändrat läge: vård i hemmet efter tidig hemgång kommer först med handlingsplanens "
    "åtgärder (se texten under tabellen)."
    if home_zero
    else ""
)
display(Markdown(fmt.md_table(table, align="ll" + "r" * len(care_years)) + note))

# %%
#| label: txt-care-levels
c = cfg.care_levels
shift = region_volumes.assign(change=region_volumes["with_plan"] - region_volumes["baseline"]).pivot(
    index="contact", columns="year", values="change"
)
moved_days = -shift.loc["ward_days", care_years]
visits = shift.loc["home_visits", care_years]
in_force = [y for y in care_years if abs(moved_days[y]) >= 0.5]
if not in_force:
    plan_text = "Handlingsplanen har ingen åtgärd som flyttar vård mellan nivåerna (tidig hemgång)."
else:
    plan_text = (
        f"Med handlingsplanens tidiga hemgång flyttas vård från sjukhuset till hemmet {in_force[0]}{f'–{in_force[-1]}' if len(in_force) > 1 else ''}: "
        f"omkring {fmt.sv_range(round(moved_days[in_force].min(), -2), round(moved_days[in_force].max(), -2))} vårddygn på BB färre "
        f"och {fmt.sv_range(round(visits[in_force].min(), -2), round(visits[in_force].max(), -2))} hembesök fler per år "
        "(åtgärdernas enhet, start, slut och upptrappning som i planen)."
    )
display(
    Markdown(
        f"Normer: {fmt.sv_num(c.antenatal_visits, 0)} barnmorskebesök per graviditet (1177 Västerbotten: sju till nio besök; "
        f"Västra Götalands eget basprogram kan ersätta talet i konfigurationen), {fmt.sv_num(c.postnatal_checks, 0)} eftervårdsbesök och "
        f"{fmt.sv_num(c.ultrasound_exams, 0)} rutinultraljud (1177 Västra Götaland: 1–2 erbjuds; att det görs på sjukhuset är ett antagande), "
        f"{fmt.sv_num(c.home_visits_per_early_discharge, 0)} hembesök efter tidig hemgång (antagande); inställbara i körningens "
        f"konfiguration (care_levels). Varje förlossning räknas som en graviditet genom hela programmet; vård utöver basprogrammet "
        f"räknas inte, så volymerna är ett golv. {plan_text}"
    )
)
