# %% [markdown]
# # 06 Underlag till styrgruppen
#
# Nyckeltal, en rad per enhet med trafikljus och sämsta vecka, och förslag till beslut.
# Allt hämtas ur tabellerna från steg 03–05 (planeringstalet ur `redirection_totals`,
# förslagen med pris ur `lever_proposals`, åtgärderna ur `scenarios`), så varje tal
# är detsamma som i de utförliga rapporterna. Logiken finns i `fragile_care.model.brief`.

# %% tags=["parameters"]
# Parameters (papermill injects the run's values after this cell: the bundle's validated
# run_config.json and the run's folders)
run_config = "config/runs/2026-T2.yaml"
processed_dir = ""
output_root = ""

# %%
import pandas as pd
from IPython.display import Markdown, display

from fragile_care.model import describe, postnatal
from fragile_care.publish import disclosure
from fragile_care.publish import formatting as fmt
from fragile_care.run import config, steps

cfg, out_dir = config.notebook_context(run_config, processed_dir, step="06_steering_brief")
tables = steps.run_step("06_steering_brief", cfg, out_dir)
labels = describe.short_labels(tables["units"])
effective = steps.effective_capacity(tables, cfg)  # the values the model uses (step 03 resolved them)
key = tables["brief_key_numbers"].set_index("key")
units, proposals = tables["brief_units"], tables["brief_proposals"]
actions = steps.plan_table(tables)
key

# %%
#| label: demo-banner
display(Markdown(fmt.data_banner(cfg.is_demo, cfg.data_source, cfg.period_end, cfg.run_id)))

# %%
#| label: tbl-key-numbers
#| tbl-cap: "Nyckeltal. Hänvisningar enligt loggen avser sommarperiodens veckor och orsakerna platsbrist och bemanning (det modellen och åtgärderna gäller); planeringstalet är modellens väntade antal nästa sommar under oförändrat läge."
red, short, plan = key.loc["redirected_logged"], key.loc["weeks_short"], key.loc["planning_figure"]
neo, acts = key.loc["neonatal_at_risk"], key.loc["activities_on_track"]
published = disclosure.PublishedCounts(tables["redirection_counts_internal"], cfg.disclosure_threshold)
y_red, y_before = int(red["year"]), int(red["previous_year"])
weeks = f"v. {cfg.summer_weeks[0]}–{cfg.summer_weeks[1]}"
rows = [
    (
        f"Hänvisade kvinnor på grund av platsbrist och bemanning sommaren {y_red} ({weeks}, enligt loggen)",
        published.text("REGION", y_red, "capacity", red["value"]),
        f"{published.text('REGION', y_before, 'capacity', red['previous'])} sommaren {y_before}; "
        f"av andra orsaker (neonatal, övrigt) {published.text('REGION', y_red, 'other', red['detail'])} "
        f"(sommaren {y_before}: {published.text('REGION', y_before, 'other', red['detail_previous'])})"
        + "".join(
            f"; {labels.get(u, u)} stängde {fmt.sv_date(day)} och ingår bara {y_before}"
            for u, day in describe.closures_since(tables["units"], pd.Timestamp(y_before, 1, 1)).items()
            if day.year < y_red
        ),
    ),
    (
        f"Enhetsveckor med för få barnmorskor på förlossningen för att hålla risken under {fmt.sv_pct(cfg.norms.target_blocking, 0)}, "
        f"sommaren {int(short['year'])}",
        f"{fmt.sv_int(short['value'])} av {fmt.sv_int(short['of'])}",
        f"{fmt.sv_int(short['previous'])} sommaren {int(short['previous_year'])}; "
        f"{fmt.sv_int(short['detail'])} väntas sommaren {int(short['detail_year'])} om inget ändras",
    ),
    (
        f"Planeringstal: väntat antal hänvisade sommaren {int(plan['year'])}, oförändrat läge",
        fmt.sv_int(plan["value"]),
        f"80 %-intervall {fmt.sv_int(plan['low'])}–{fmt.sv_int(plan['high'])}",
    ),
    (
        f"Kvinnor som väntas möta fullt BB sommaren {int(plan['year'])}, oförändrat läge",
        f"omkring {fmt.sv_int(round(key.loc['postnatal_full', 'value'], -1))}",
        "en kvinna som har fött barn blir då kvar på förlossningsrummet, vilket ger fler hänvisningar",
    ),
    (
        f"Kostnad för att hålla risken under {fmt.sv_pct(cfg.norms.target_blocking, 0)} varje vecka sommaren {int(plan['year'])}",
        f"{fmt.sv_num(key.loc['rule_cost', 'value'] / 1e6, 1)} mnkr",
        f"{fmt.sv_int(key.loc['rule_cost', 'detail'])} extra årsarbetarveckor barnmorskor till sommarpris",
    ),
    (
        f"Förslagen nedan: undvikta händelser för {fmt.sv_num(key.loc['budget_effect', 'of'] / 1e6, 1)} mnkr",
        f"omkring {fmt.sv_int(key.loc['budget_effect', 'value'])}",
        "hänvisade kvinnor, kvinnor som möter fullt BB och barn utan bemannad vårdplats (modellskattning)",
    ),
    (
        f"Neonatala vårdnivåer med risk över {fmt.sv_pct(effective.high_risk_blocking, 0)} någon vecka sommaren {int(neo['year'])}",
        f"{fmt.sv_int(neo['value'])} av {fmt.sv_int(neo['of'])}",
        "enhet × vårdnivå (intensiv, intermediär, vårdavdelning)",
    ),
    (
        "Handlingsplanens aktiviteter enligt plan",
        f"{fmt.sv_int(acts['value'])} av {fmt.sv_int(acts['of'])}",
        "klara, pågående eller planerade som ännu inte ska ha startat",
    ),
]
display(Markdown(fmt.md_table(pd.DataFrame(rows, columns=["Nyckeltal", "Värde", "Jämförelse"]), align="lrl")))

# %%
#| label: tbl-brief-units
#| tbl-cap: "En rad per förlossningsenhet nästa sommar under oförändrat läge: trafikljus efter veckan med högst risk, den veckan, enhetens del av planeringstalet med 80 %-intervall, veckor över dimensioneringsgränsen och extra barnmorskor för att hålla den varje vecka, och den länk i vårdkedjan som oftast är full."
ranked = units.sort_values("redirected_mean", ascending=False, kind="stable")["unit_id"]
rows, shown = fmt.shown_units(ranked, order="de med flest väntade hänvisningar", sheet="Risk sommar")
listed = units[units["unit_id"].isin(rows)]
table = pd.DataFrame(
    {
        "Enhet": listed["unit_id"].map(labels),
        "Risk": listed["light"].map(fmt.traffic_light),
        "Sämsta vecka": [f"v. {int(w)}: {fmt.sv_pct(b, 1)}" for w, b in zip(listed["worst_week"], listed["worst_blocking"])],
        "Väntat antal hänvisade": [
            f"{fmt.sv_int(m)} ({fmt.sv_int(lo)}–{fmt.sv_int(hi)})"
            for m, lo, hi in zip(listed["redirected_mean"], listed["redirected_p10"], listed["redirected_p90"])
        ],
        f"Veckor över {fmt.sv_pct(cfg.norms.target_blocking, 0)}": listed["over"].astype(int).astype(str),
        f"Åa-veckor till under {fmt.sv_pct(cfg.norms.target_blocking, 0)}": listed["fte_to_target"].map(fmt.sv_int),
        "Brister först": listed["weakest"].map(postnatal.LINKS_SV).fillna("–") if "weakest" in listed else "–",
    }
)
limits = (
    f"Röd: risk över {fmt.sv_pct(effective.high_risk_blocking, 0)} någon vecka (förhöjd risk); gul: över "
    f"{fmt.sv_pct(cfg.norms.target_blocking, 0)} (dimensioneringsgränsen); grön: högst {fmt.sv_pct(cfg.norms.target_blocking, 0)}."
)
display(Markdown(fmt.md_table(table, align="llrrrrl", markup=["Risk"]) + f"\n\n{limits}" + (f" {shown}" if shown else "")))


# %%
#| label: txt-proposals
def proposal_text(p) -> str:
    unit = fmt.md_escape(labels.get(p["unit_id"], p["unit_id"]))
    effect = (
        f"Undviker omkring {fmt.sv_num(p['prevented'], 0)} händelser (80 %-intervall {fmt.sv_num(p['prevented_p10'], 0)}–"
        f"{fmt.sv_num(p['prevented_p90'], 0)})"
    )
    price = (
        f", kostar {fmt.sv_int(round(p['cost_sek'], -3) / 1000)} tkr (omkring {fmt.sv_significant(p['sek_per_prevented'])} kr per undviken händelse)."
        if pd.notna(p["cost_sek"])
        else "."
    )
    if p["kind"] == "lever":
        twin = (
            f" Det är handlingsplanens {fmt.md_escape(p['activity_id'])}: beslutet är att genomföra den till sommaren {int(key.loc['planning_figure', 'year'])}."
            if p["activity_id"]
            else ""
        )
        return f"**{unit}, vecka {fmt.md_escape(p['weeks'])}:** {fmt.md_escape(p['what']).lower()}, {fmt.md_escape(p['amount'])}. {effect}{price}{twin}"
    when = f", vecka {fmt.md_escape(fmt.sv_weeks(p['weeks']))}" if p["weeks"] else ""
    amount = f" {fmt.md_escape(p['amount'])}." if p["amount"] else ""
    return (
        f"**Besluta om {fmt.md_escape(p['activity_id'])} ({fmt.md_escape(p['what'])}), {unit}{when}:**{amount} {effect} "
        f"jämfört med oförändrat läge{price}"
    )


items = [f"{i}. {proposal_text(p)}" for i, p in enumerate(proposals.to_dict("records"), start=1)]
bb_first = units.loc[units["weakest"] == "postnatal", "unit_id"].map(labels).tolist() if "weakest" in units else []
chain_note = (
    f" Vid {', '.join(fmt.md_escape(u) for u in bb_first)} brister BB före förlossningsrummen: när BB är fullt blir kvinnor kvar på "
    "förlossningsrummet, så där hjälper BB-åtgärder även förlossningen (se Sommarberedskap, Hela vårdkedjan)."
    if bb_first
    else ""
)
neo_first = units.loc[units["weakest"] == "neonatal", "unit_id"].map(labels).tolist() if "weakest" in units else []
if neo_first:
    chain_note += (
        f" Vid {fmt.sv_list(fmt.md_escape(u) for u in neo_first)} brister neonatalvården först, men extra sjuksköterskor undviker "
        "färre händelser per krona än tidig hemgång (ett barn utan vårdplats väger som en hänvisad kvinna; vikten går att ändra)."
    )
levers_listed = proposals[proposals["kind"] == "lever"]
lever_numbers = [i for i, kind in enumerate(proposals["kind"], start=1) if kind == "lever"]
listed_words = (
    "Inget av förslagen"
    if not lever_numbers
    else f"Punkt {lever_numbers[0]}"
    if len(lever_numbers) == 1
    else f"Punkterna {fmt.sv_list(str(n) for n in lever_numbers)}"
    if len(lever_numbers) != lever_numbers[-1] - lever_numbers[0] + 1
    else f"Punkterna {lever_numbers[0]}–{lever_numbers[-1]}"
)
plan_listed = proposals[proposals["kind"] != "lever"]
plan_numbers = [i for i, kind in enumerate(proposals["kind"], start=1) if kind != "lever"]
count_words = fmt.SV_NUMBER_WORDS[len(proposals)] if len(proposals) < len(fmt.SV_NUMBER_WORDS) else str(len(proposals))
plan_words = (
    f" {'Punkt' if len(plan_numbers) == 1 else 'Punkterna'} {fmt.sv_list(str(n) for n in plan_numbers)} är handlingsplanens åtgärder "
    f"utanför budgeten ({fmt.sv_int(plan_listed['cost_sek'].sum() / 1000)} tkr). Alla {count_words} punkterna kostar tillsammans "
    f"{fmt.sv_int((levers_listed['cost_sek'].sum() + plan_listed['cost_sek'].sum()) / 1000)} tkr."
    if len(plan_listed)
    else ""
)
rule = key.loc["rule_cost"]
display(
    Markdown(
        (
            "\n".join(items)
            + f"\n\nBudgeten, {fmt.sv_num(cfg.costs.budget_sek / 1e6, 1)} mnkr (ett antagande), går dit den undviker flest händelser "
            "(hänvisade kvinnor, kvinnor som möter fullt BB, barn utan bemannad vårdplats). "
            f"{listed_words} är dess största poster ({fmt.sv_int(levers_listed['cost_sek'].sum() / 1000)} av "
            f"{fmt.sv_int(key.loc['budget_effect', 'of'] / 1000)} tkr; resten i sommarrapporten)."
            + plan_words
            + f" Att hålla risken under {fmt.sv_pct(cfg.norms.target_blocking, 0)} varje vecka med fler barnmorskor skulle kosta omkring "
            f"{fmt.sv_num(rule['value'] / 1e6, 1)} mnkr. Priserna är antaganden; handlingsplanens åtgärder är räknade var för sig mot "
            "oförändrat läge." + chain_note
        )
        if items
        else "Modellen ger inget förslag: ingen åtgärd inom budgeten minskar de väntade händelserna."
    )
)

# %%
#| label: txt-model-trust
fits, backtest = tables["capacity_calibration"], tables["calibration_backtest"]
stay = tables["resolved_settings"].set_index("setting").loc["capacity.mean_stay_hours"]  # prior and effective, step 03
low_unit, high_unit = fits.loc[fits["effective_stay_hours"].idxmin()], fits.loc[fits["effective_stay_hours"].idxmax()]
text = (
    f"Modellen är kalibrerad mot hänvisningsloggen per enhet: en effektiv tid på förlossningsrummet från "
    f"{fmt.sv_num(low_unit['effective_stay_hours'], 1)} timmar ({fmt.md_escape(labels.get(low_unit['unit_id'], low_unit['unit_id']))}) till "
    f"{fmt.sv_num(high_unit['effective_stay_hours'], 1)} ({fmt.md_escape(labels.get(high_unit['unit_id'], high_unit['unit_id']))}), "
    f"gemensamt {fmt.sv_num(stay['value'], 1)} timmar (80 %-intervall {fmt.sv_num(stay['low'], 1)}–{fmt.sv_num(stay['high'], 1)}); "
    f"före kalibreringen antogs {fmt.sv_num(stay['prior'], 0)} timmar för alla."
    if stay["source"] == "calibrated"
    else f"Modellen är inte kalibrerad mot loggen ({fmt.md_escape(fits['reason'].iloc[0])}); antagandet om tiden på förlossningsrummet används."
)
if not backtest.empty:
    units_only = backtest[backtest["unit_id"] != "REGION"]
    region = backtest[backtest["unit_id"] == "REGION"].iloc[-1]
    year = int(region["iso_year"])
    text += (
        f" I efterhandstestet låg loggen inom modellens 80 %-intervall för {int(units_only['covered'].sum())} av {len(units_only)} "
        f"enhetssomrar. Sommaren {year} förutsade modellen {fmt.sv_int(region['predicted'])} hänvisade i regionen "
        f"(80 %-intervall {fmt.sv_int(region['low_80'])}–{fmt.sv_int(region['high_80'])}); loggen har "
        f"{published.text('REGION', year, 'capacity', region['logged'])}. "
    )
    text += (
        "Loggen ligger under intervallet: planeringstalet kan ligga för högt om det som sänkte hänvisningarna består."
        if region["logged"] < region["low_80"]
        else "Loggen ligger över intervallet: planeringstalet kan ligga för lågt."
        if region["logged"] > region["high_80"]
        else "Modell och logg stämmer inom modellens osäkerhet."
    )
display(Markdown(text))
