# %% [markdown]
# # 02 Prognos för antalet förlossningar under oförändrat läge
#
# Prognos per enhet och för regionen, månad för månad, med prediktionsintervall som är
# kalibrerade mot modellernas egna historiska prognosfel. Modellval, kalibrering och
# avstämning (enheterna summerar exakt till regionen) sker i `fragile_care.model.forecast`.

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

from fragile_care.model import describe, forecast
from fragile_care.publish import figures
from fragile_care.publish import formatting as fmt
from fragile_care.run import config, steps

cfg, out_dir = config.notebook_context(run_config, processed_dir, step="02_forecast_births")
figures.set_style()
tables = steps.run_step("02_forecast_births", cfg, out_dir)
births, units = tables["births_monthly"], tables["units"]
labels = {**describe.unit_labels(units), "REGION": "Hela regionen"}

# %%
# the forecast and its out-of-sample check share one pool of worker processes
# (and the region's forecast from the data before the tertial, for the tertial follow-up)
fc, evaluation, annual = tables["births_forecast"], tables["forecast_evaluation"], tables["forecast_annual"]
fc.groupby("unit_id")["model"].first()

# %%
#| label: demo-banner
display(Markdown(fmt.data_banner(cfg.is_demo, cfg.data_source, cfg.period_end, cfg.run_id)))

# %%
evaluation

# %%
#| label: txt-forecast-summary
left_out = forecast.not_forecast(births)  # closed units and units too new to forecast
history = describe.regional_annual(births[~births["unit_id"].isin(list(left_out))])  # like for like
last = history[history["complete"]].iloc[-1]
region_years = annual[annual["unit_id"] == "REGION"].set_index("year")["mean"]
first_year, last_year = int(region_years.index[0]), int(region_years.index[-1])
display(
    Markdown(
        f"Om inget förändras väntas regionen ha omkring {fmt.sv_int(round(region_years.iloc[0], -2))} förlossningar {first_year} "
        f"och {fmt.sv_int(round(region_years.iloc[-1], -2))} år {last_year} (avrundat till hundratal), jämfört med {fmt.sv_int(last['deliveries'])} år {int(last['year'])} "
        f"({fmt.sv_pct(describe.change(region_years.iloc[-1], last['deliveries']), signed=True)} till {last_year})."
        + (
            " Prognosen och jämförelsen gäller enheterna med egen prognos; utan prognos: "
            + "; ".join(f"{fmt.md_escape(labels.get(u, u))} ({fmt.md_escape(why)})" for u, why in left_out.items())
            + "."
            if left_out
            else ""
        )
    )
)

# %%
#| label: fig-forecast-region
#| fig-cap: "Förlossningar per månad i hela regionen: utfall och prognos under oförändrat läge med 80 %- och 95 %-prediktionsintervall."
#| fig-alt: "Linjediagram med utfallet av förlossningar per månad i regionen de senaste åren följt av en prognoslinje med två skuggade osäkerhetsband som vidgas med tiden."
region_fc = fc[fc["unit_id"] == "REGION"]
region_hist = describe.regional_monthly(births)
region_hist = region_hist[region_hist["month"] >= region_hist["month"].max() - pd.DateOffset(years=4)]
fig, ax = plt.subplots(figsize=(9, 4.2))
ax.plot(region_hist["month"], region_hist["deliveries"], color="black", linewidth=1.2, label="Utfall")
ax.fill_between(
    region_fc["month"], region_fc["lower_95"], region_fc["upper_95"], alpha=0.18, color=sns.color_palette()[0], label="95 %-intervall"
)
ax.fill_between(
    region_fc["month"], region_fc["lower_80"], region_fc["upper_80"], alpha=0.35, color=sns.color_palette()[0], label="80 %-intervall"
)
ax.plot(region_fc["month"], region_fc["mean"], color=sns.color_palette()[0], linewidth=1.8, label="Prognos")
ax.set(xlabel="Månad", ylabel="Förlossningar per månad", title="Prognos för hela regionen")
figures.sv_axis(ax)
ax.legend(fontsize=8, loc="lower left")
figures.source_note(fig, cfg.is_demo)
plt.show()

# %%
#| label: fig-forecast-units
#| fig-cap: "Förlossningar per månad och enhet: utfall och prognos med 80 %-prediktionsintervall. Enheternas prognoser summerar till regionens."
#| fig-alt: "En delfigur per förlossningsenhet (högst tolv), med utfall per månad och en prognoslinje med ett skuggat osäkerhetsband."
by_size = describe.units_by_size(births[births["unit_id"].isin(fc["unit_id"])])
panels, shown = fmt.shown_units(by_size, figures.MAX_PANELS, "de med flest förlossningar de senaste tolv månaderna", "Prognos per månad")
unit_fc = fc[fc["unit_id"].isin(panels)].assign(Enhet=lambda d: d["unit_id"].map(labels))
unit_hist = births[births["month"] >= births["month"].max() - pd.DateOffset(years=4)].assign(Enhet=lambda d: d["unit_id"].map(labels))
grid = sns.FacetGrid(unit_fc, col="Enhet", sharey=False, **figures.facet_layout(len(panels)))
grid.map_dataframe(lambda data, **kw: plt.fill_between(data["month"], data["lower_80"], data["upper_80"], alpha=0.3))
grid.map_dataframe(sns.lineplot, x="month", y="mean")
for ax, name in zip(grid.axes.flat, grid.col_names):  # each panel gets its own unit's history
    part = unit_hist[unit_hist["Enhet"] == name]
    ax.plot(part["month"], part["deliveries"], color="black", linewidth=0.8)
    figures.sv_axis(ax)
    figures.year_ticks(ax, 2)
grid.set_titles("{col_name}")
grid.set_axis_labels("Månad", "Förlossningar")
figures.source_note(grid.figure, cfg.is_demo)
figures.shown_note(grid.figure, shown)
plt.show()

# %%
#| label: tbl-forecast-annual
#| tbl-cap: "Prognos för antalet förlossningar per år och enhet (hela kalenderår) under oförändrat läge."
rows, shown = fmt.shown_units(
    by_size, order="de med flest förlossningar de senaste tolv månaderna, och hela regionen", sheet="Prognos per år"
)
wide = annual.pivot(index="unit_id", columns="year", values="mean")
wide = wide.loc[[u for u in wide.index if u in rows] + ["REGION"]]
table = pd.DataFrame({"Enhet": [labels[u] for u in wide.index]})
for year in wide.columns:
    table[str(year)] = [fmt.sv_int(v) for v in wide[year]]
units_part = wide.drop(index="REGION")
note = "" if shown else fmt.sum_note(units_part.T.to_numpy(), wide.loc["REGION"].to_numpy())
display(Markdown(fmt.md_table(table) + "".join(f"\n\n{t}" for t in (shown, note) if t)))

# %%
#| label: tbl-next-summer-weeks
#| tbl-cap: "Prognos för förlossningar per ISO-vecka under nästa sommarperiod, per enhet (veckovärden fördelade från månadsprognosen)."
next_summer = cfg.outlook_summer
weeks = forecast.summer_weekly(fc[fc["unit_id"] != "REGION"], next_summer, cfg.summer_weeks)
wide = weeks.pivot(index="unit_id", columns="iso_week", values="deliveries")
rows, shown = fmt.shown_units(by_size, order="de med flest förlossningar de senaste tolv månaderna", sheet="Prognos per månad")
wide = wide[wide.index.isin(rows)]
table = pd.DataFrame({"Enhet": [labels[u] for u in wide.index]})
for week in wide.columns:
    table[f"v. {week}"] = [fmt.sv_int(v) for v in wide[week]]
table["Summa"] = [fmt.sv_int(v) for v in wide.sum(axis=1)]
note = fmt.sum_note(wide.to_numpy(), wide.sum(axis=1).to_numpy())
display(
    Markdown(
        f"Sommaren {next_summer}, vecka {cfg.summer_weeks[0]}–{cfg.summer_weeks[1]}.\n\n"
        + fmt.md_table(table)
        + "".join(f"\n\n{t}" for t in (shown, note) if t)
    )
)

# %%
#| label: tbl-backtest
#| tbl-cap: "Prognosens träffsäkerhet när den gjorts i efterhand från tidigare tidpunkter (ett år framåt, endast data före respektive tidpunkt). Medelfelet är uttryckt i förhållande till felet hos en prognos som bara upprepar samma månad förra året i historiken (MASE; under 1 är bättre än den), för den valda modellen och för samma månad förra året; MAPE är medelfelet i procent av utfallet; sist andelen utfall inom 80 %- och 95 %-intervallen."
per_series = (
    evaluation.assign(mase_snaive=evaluation["mase"] / evaluation["relative_mae"])
    .groupby("series")
    .agg(
        model=("model", "first"),
        mase=("mase", "mean"),
        mase_snaive=("mase_snaive", "mean"),
        mape=("mape", "mean"),
        cov80=("coverage_80", "mean"),
        cov95=("coverage_95", "mean"),
        origins=("origin", "nunique"),
    )
)
rows, shown = fmt.shown_units(by_size, order="de med flest förlossningar de senaste tolv månaderna, och hela regionen")
per_series = per_series.loc[[u for u in per_series.index if u in rows] + ["REGION"]]
n_origins = int(per_series["origins"].max())
table = pd.DataFrame(
    {
        "Enhet": [labels[u] for u in per_series.index],
        "Vald modell": per_series["model"].map(forecast.MODEL_NAMES_SV),
        "Fel (MASE)": per_series["mase"].map(lambda v: fmt.sv_num(v, 2)),
        "Fel, samma månad i fjol": per_series["mase_snaive"].map(lambda v: fmt.sv_num(v, 2)),
        "MAPE": per_series["mape"].map(lambda v: fmt.sv_num(v, 1) + " %"),
        "Inom 80 %": per_series["cov80"].map(lambda v: fmt.sv_pct(v, 0)),
        "Inom 95 %": per_series["cov95"].map(lambda v: fmt.sv_pct(v, 0)),
    }
)
display(
    Markdown(
        fmt.md_table(table, align="llrrrrr")
        + f"\n\nUtvärderingen bygger på {n_origins} {'tidpunkt' if n_origins == 1 else 'tidpunkter'} per serie "
        f"(ett år framåt). Den fullständiga utvärderingen, på Sverige och 41 andra länder och över alla år i deras serier, görs med `fragile-care bench forecast`."
        + (f" {shown}" if shown else "")
    )
)

# %%
#| label: tbl-noise-floor
#| tbl-cap: "Prognosfelet mot slumpgolvet: medelfelet per månad i utvärderingen ovan (förlossningar) bredvid det fel som en perfekt prognos ändå skulle ha, eftersom antalet förlossningar en månad varierar slumpmässigt (Poissonvariation), och den del av felet som ligger över golvet och som en bättre prognos skulle kunna ta bort."
card = forecast.noise_floor_scorecard(forecast.series_by_unit(births), evaluation).set_index("series")
rows, shown = fmt.shown_units(by_size, order="de med flest förlossningar de senaste tolv månaderna, och hela regionen")
card = card.loc[[u for u in card.index if u in rows] + ["REGION"]]
table = pd.DataFrame(
    {
        "Enhet": [labels[u] for u in card.index],
        "Förlossningar per månad": card["mean_monthly"].map(fmt.sv_int),
        "Medelfel per månad": card["mae"].map(lambda v: fmt.sv_num(v, 0)),
        "Slumpgolv": card["noise_floor"].map(lambda v: fmt.sv_num(v, 0)),
        "Över golvet": card["avoidable_share"].map(lambda v: fmt.sv_pct(v, 0)),
    }
)
display(
    Markdown(
        fmt.md_table(table, align="lrrrr")
        + "\n\nSlumpgolvet är medelavvikelsen för ett Poissonfördelat antal med månadens utfall som väntevärde. För en liten enhet är "
        "en stor del av felet slump som ingen prognos kan ta bort; för regionen är golvet litet och felet kommer främst från förändringar "
        "i nivån."
        + (
            " Ett medelfel under golvet betyder att prognosen under de prövade månaderna träffade bättre än slumpen brukar tillåta."
            if (card["mae"] < card["noise_floor"]).any()
            else ""
        )
        + (f" {shown}" if shown else "")
    )
)

# %%
check = tables["demographic_check"]
check

# %%
#| label: tbl-demographic-check
#| tbl-cap: "Demografisk kontroll: den statistiska prognosen för regionen (omräknad till levande födda bland kvinnor bosatta i länet) bredvid en demografisk skattning, fruktsamhet per ålder × antal kvinnor per ålder."
a = check.attrs
table = pd.DataFrame(
    {
        "År": check["year"].astype(int).astype(str),
        "Statistisk prognos": check["forecast_county_scale"].map(fmt.sv_int),
        f"Demografisk, SFT {fmt.sv_num(a['tfr_target'], 2)}": check["demographic_tfr_target"].map(fmt.sv_int),
        "Skillnad": check["difference"].map(lambda v: fmt.sv_pct(v, signed=True)),
        f"Demografisk, SFT {fmt.sv_num(a.get('tfr_observed', float('nan')), 2)} (2011–2015)": check["demographic_tfr_observed"].map(
            fmt.sv_int
        ),
    }
)
display(
    Markdown(fmt.md_table(table) if a["applies"] else "Den demografiska kontrollen görs inte för detta underlag (skälet står i texten).")
)

# %%
#| label: txt-demographic-check
a = check.attrs
mean_diff = check["difference"].mean()
display(
    Markdown(
        f"Den demografiska kontrollen görs inte: {fmt.md_escape(a['reason'])}. Prognosen jämförs därför inte med befolkningen."
        if not a["applies"]
        else f"Den demografiska skattningen använder länets åldersmönster i fruktsamhet 2011–2015 (SCB), skalat till en summerad "
        f"fruktsamhet (SFT) på {fmt.sv_num(a['tfr_target'], 2)} barn per kvinna – Sveriges nivå 2024 – och antalet kvinnor per ålder, "
        f"framskrivet från befolkningen 31 december 2020 genom att varje årskull åldras ett år per år. Den statistiska prognosen är "
        f"omräknad till samma skala: {fmt.sv_num(a['babies_per_delivery'], 3)} födda barn per förlossning och en kvot på "
        f"{fmt.sv_num(a['coverage_ratio'], 3)} mellan födda vid enheterna och levande födda i länet. I genomsnitt ligger den statistiska "
        f"prognosen {fmt.sv_pct(abs(mean_diff), 1)} {'över' if mean_diff > 0 else 'under'} den demografiska. Skillnaden förklaras främst av att "
        f"framskrivningen av kvinnor saknar inflyttning (Västra Götaland har inflyttning i de åldrar då flest föder barn), och av att "
        f"fruktsamheten kan fortsätta att ändras: med fruktsamheten från 2011–2015 (SFT {fmt.sv_num(a['tfr_observed'], 2)}) skulle "
        f"antalet födda bli betydligt högre."
    )
)

# %%
#| label: txt-uncertainty
pooled = forecast.load_pooled_calibration()
check_all, check_recent = (pooled.source["leave_one_country_out"][k] for k in ("all_origins", "last_5_origins"))
width = fc.assign(rel=(fc["upper_80"] - fc["lower_80"]) / 2 / fc["mean"])
first_year_width = width[width["month"].dt.year == first_year].groupby("unit_id")["rel"].mean()
last_year_width = width[width["month"].dt.year == last_year].groupby("unit_id")["rel"].mean()
units_only = first_year_width.drop("REGION")
display(
    Markdown(
        f"**Osäkerheten i klartext.** För en enskild månad {first_year} ligger utfallet för hela regionen med ungefär 80 % sannolikhet "
        f"inom ±{fmt.sv_pct(first_year_width['REGION'], 0)} från prognosen; för en enskild förlossningsenhet inom "
        f"±{fmt.sv_pct(units_only.min(), 0)} till ±{fmt.sv_pct(units_only.max(), 0)} – ju mindre enhet, desto större slumpvariation. "
        f"Osäkerheten växer med tiden: för {last_year} är motsvarande spann för regionen ±{fmt.sv_pct(last_year_width['REGION'], 0)}. "
        f"Intervallen bygger på hur stora prognosfelen har varit för {pooled.source['series']} befolkningar (Sverige och "
        f"{pooled.source['series'] - 1} andra länder och områden, FN:s statistik) över många år, också år då antalet födda ändrades snabbt. "
        f"Två sätt att väga felen prövas och det bredare intervallet används: de senaste månadernas fel, så att ett plötsligt omslag "
        f"slår igenom direkt, och alla års fel lika, så att sällsynta omslag finns med även när det länge varit lugnt. Felen hämtas "
        f"främst från befolkningar vars prognoser har lika stor egen slumpvariation som den enhet som prognostiseras, och intervallen "
        f"är aldrig smalare än den slumpmässiga variationen i antalet förlossningar. "
        f"När metoden prövades i efterhand på varje land med intervall som bara byggde på de andra länderna och på det som var känt "
        f"vid prognostillfället hamnade {fmt.sv_pct(check_all['coverage_80'], 0)} av utfallen inom 80 %-intervallen och "
        f"{fmt.sv_pct(check_all['coverage_95'], 0)} inom 95 %-intervallen; under de senaste fem åren, med det snabba fallet i "
        f"antalet födda, {fmt.sv_pct(check_recent['coverage_80'], 0)} respektive {fmt.sv_pct(check_recent['coverage_95'], 0)}. "
        f"Intervallen kan alltså vara för smala när barnafödandet ändras plötsligt; prognosen bör stämmas av varje tertial."
    )
)
