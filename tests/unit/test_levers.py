"""Levers with a price (model/levers.py): each lever's effect against the models it builds on,
the exact budgeted allocation against brute force (and against greedy by ratio, which is
not optimal), the proposals, what the 1 % rule costs, and the ``costs`` settings."""

import itertools
import time

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import ValidationError

from fragile_care import paths
from fragile_care.model import allocation, capacity, levers
from fragile_care.model import postnatal as pn
from fragile_care.model.staffing import Norms
from fragile_care.run.config import ConfigError, load_config, parse_config

pytestmark = pytest.mark.unit
NORMS = Norms()
STAYS = {"A": 8.0, "B": 9.5}
POSTNATAL = pn.PostnatalSettings()


def outlook(weeks=(27, 28, 29)) -> pd.DataFrame:
    """Two units over ``weeks``: A busy with rooms short, B smaller."""
    rows = []
    for w in weeks:
        rows.append(("A", 2027, w, 150.0 + 5 * (w - 27), 0.08, 9.2, 18))
        rows.append(("B", 2027, w, 60.0, 0.12, 4.1, 7))
    return pd.DataFrame(rows, columns=["unit_id", "iso_year", "iso_week", "deliveries", "sigma_log", "rooms_staffed", "rooms_physical"])


UNITS = pd.DataFrame({"unit_id": ["A", "B"], "postnatal_beds": [62, 24]})


def ward_of(weekly: pd.DataFrame) -> pd.DataFrame:
    beds = weekly[["unit_id", "iso_year", "iso_week"]].assign(beds_staffed=np.where(weekly["unit_id"] == "A", 50.0, 18.0))
    return pn.postnatal_beds_weekly(weekly, UNITS, POSTNATAL, beds)


def neonatal_of(weekly: pd.DataFrame, supply=(30.0, 8.0)) -> pd.DataFrame:
    """Neonatal rows by care level; A's nurses do not staff every cot."""
    cots = {"A": {"ic": 6, "hd": 6, "sc": 8}, "B": {"ic": 2, "hd": 3, "sc": 6}}
    per_delivery = {"ic": 0.012, "hd": 0.03, "sc": 0.05}
    stay = {"ic": 14.0, "hd": 7.0, "sc": 5.0}
    rows = []
    for r in weekly.itertuples(index=False):
        for level in ("ic", "hd", "sc"):
            admissions = r.deliveries * per_delivery[level]
            rows.append(
                {
                    "unit_id": r.unit_id,
                    "iso_year": r.iso_year,
                    "iso_week": r.iso_week,
                    "deliveries": r.deliveries,
                    "fte_supply": supply[0] if r.unit_id == "A" else supply[1],
                    "care_level": level,
                    "cots_physical": cots[r.unit_id][level],
                    "admissions": admissions,
                    "load_erlangs": admissions / 7 * stay[level],
                }
            )
    return pd.DataFrame(rows)


def groups_for(costs: levers.CostSettings, weekly: pd.DataFrame | None = None, n_draws: int = 200):
    weekly = outlook() if weekly is None else weekly
    draws = capacity.forecast_draws(weekly, n_draws, seed=3)
    groups = levers.lever_groups(
        weekly, draws, costs, NORMS, STAYS, ward=ward_of(weekly), neonatal=neonatal_of(weekly), postnatal=POSTNATAL, units=UNITS
    )
    return groups, draws


# ----------------------------------------------------------------------------- the effects
def test_the_erlang_table_and_its_interpolation_are_capacitys_formulas():
    load = np.array([0.0, 0.7, 4.0, 11.5])
    table = levers.erlang_b_table(load, 20)
    for c in (0, 1, 5, 12, 20):
        assert table[c] == pytest.approx(capacity.erlang_b(load, c), rel=1e-12, abs=0)
    rooms = np.array([0.0, 3.25, 9.6, 19.0])
    mixed = levers.mixed_from_table(table, rooms)
    for i, s in enumerate(rooms):
        assert mixed[i] == pytest.approx(capacity.erlang_b_mixed(load, s), rel=1e-12, abs=1e-300)
    with pytest.raises(ValueError, match="beyond the table"):
        levers.mixed_from_table(table, [20.0])


def test_midwives_effect_is_the_expected_redirected_women_of_allocation():
    costs = levers.CostSettings(levers=["midwives"], max_steps=12)
    weekly = outlook()
    groups, draws = groups_for(costs, weekly)
    assert {g.lever for g in groups} == {"midwives"} and len(groups) == len(weekly)
    per_fte = 1 / (NORMS.fte_per_position * NORMS.midwives_per_woman_in_labour)
    for i, g in enumerate(groups):
        row = weekly.iloc[i]
        for k in (0, 1, 7, len(g.events) - 1):
            rooms = min(row["rooms_physical"], row["rooms_staffed"] + k * per_fte)
            assert g.events[k].mean() == pytest.approx(allocation.expected_redirected(draws[i], rooms, STAYS[row["unit_id"]]), rel=1e-12)
        assert np.all(np.diff(g.events.mean(axis=1)) < 0)  # every FTE-week helps while rooms are short
    # B needs (7 - 4.1) rooms = 14.2 FTE-weeks: 15 steps reach the physical rooms, capped at max_steps 12
    assert [len(g.events) - 1 for g in groups if g.unit_id == "B"] == [12, 12, 12]


def test_midwives_effect_takes_a_delivery_room_time_per_draw():
    costs = levers.CostSettings(levers=["midwives"], max_steps=5)
    weekly = outlook((27,))
    draws = capacity.forecast_draws(weekly, 100, seed=3)
    same = np.array([[STAYS[u]] * 100 for u in weekly["unit_id"]])
    plain = levers.midwife_groups(weekly, draws, NORMS, STAYS, costs)
    drawn = levers.midwife_groups(weekly, draws, NORMS, STAYS, costs, stay_draws=same)
    assert all(np.allclose(a.events, b.events, rtol=1e-13) for a, b in zip(plain, drawn))
    longer = levers.midwife_groups(weekly, draws, NORMS, STAYS, costs, stay_draws=same * np.linspace(0.8, 1.4, 100))
    assert all((b.events[0] > a.events[0]).mean() > 0.5 for a, b in zip(plain, longer))  # longer stays in most draws: more redirected


def test_bb_beds_and_early_discharge_at_the_mean_reproduce_the_postnatal_ward():
    """With one arrival draw equal to the forecast mean, k extra beds are the ward with k
    more staffed beds, and k steps of early discharge the ward with that share sent home."""
    weekly = outlook()
    ward = ward_of(weekly)
    at_mean = weekly["deliveries"].to_numpy(float)[:, None]
    costs = levers.CostSettings(levers=["bb_beds", "early_discharge"], max_steps=40)
    beds = levers.bb_bed_groups(ward, weekly, at_mean, costs, UNITS)
    early = levers.early_discharge_groups(ward, weekly, at_mean, POSTNATAL, costs)
    assert [len(g.events) - 1 for g in beds] == [12, 6] * 3  # up to the physical 62 and 24 beds
    for i, (b, e) in enumerate(zip(beds, early)):
        assert b.events[0, 0] == pytest.approx(ward["women_finding_full"].iloc[i], rel=1e-12)
        assert e.events[0, 0] == pytest.approx(ward["women_finding_full"].iloc[i], rel=1e-12)
        row = weekly.iloc[[i]]
        more = pn.postnatal_beds_weekly(
            row, UNITS, POSTNATAL, row[["unit_id", "iso_year", "iso_week"]].assign(beds_staffed=ward["beds"].iloc[i] + 4)
        )
        assert b.events[4, 0] == pytest.approx(more["women_finding_full"].iloc[0], rel=1e-12)
        women = 3 * costs.early_discharge_step
        share = women / (row["deliveries"].iloc[0] * (1 - POSTNATAL.caesarean_share))
        home = pn.postnatal_beds_weekly(
            row, UNITS, POSTNATAL, row[["unit_id", "iso_year", "iso_week"]].assign(beds_staffed=ward["beds"].iloc[i]), np.array([share])
        )
        assert e.events[3, 0] == pytest.approx(home["women_finding_full"].iloc[0], rel=1e-10)
        assert e.step_cost == 5 * costs.early_discharge_sek and b.step_cost == costs.bb_bed_week_sek


def test_a_ward_without_known_physical_beds_gets_at_most_max_extra_beds():
    weekly = outlook((27,))
    costs = levers.CostSettings(levers=["bb_beds"], max_extra_beds=3)
    groups = levers.bb_bed_groups(ward_of(weekly), weekly, weekly["deliveries"].to_numpy()[:, None], costs, units=None)
    assert [len(g.events) - 1 for g in groups] == [3, 3]


def test_intensive_care_is_staffed_first():
    cots, ratio = {"sc": 8.0, "hd": 6.0, "ic": 4.0}, NORMS.nurses_per_cot  # ic 1, hd 0.5, sc 0.25 nurses a cot
    staffed = levers.staff_ic_first(np.array([0.0, 3.0, 4.0, 5.5, 7.0, 8.5, 100.0]), cots, ratio)
    assert staffed["ic"].tolist() == [0.0, 3.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    assert staffed["hd"].tolist() == [0.0, 0.0, 0.0, 3.0, 6.0, 6.0, 6.0]
    assert staffed["sc"].tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, 6.0, 8.0]
    with pytest.raises(ValueError, match="unknown care level"):
        levers.staff_ic_first(1.0, {"nicu": 2.0}, ratio)


def test_neonatal_nurses_fill_intensive_care_before_other_levels():
    """A unit whose nurses staff only part of its intensive care: the first FTE-weeks lower
    the infants without an intensive-care cot and leave the other levels' events as they were."""
    weekly = outlook((27,))
    neonatal = neonatal_of(weekly, supply=(20.0, 8.0))  # A: 20 / 4.894 = 4.1 positions, IC needs 6
    costs = levers.CostSettings(levers=["neonatal_nurses"], max_steps=60)
    at_mean = weekly["deliveries"].to_numpy(float)[:, None]
    group = next(g for g in levers.neonatal_nurse_groups(neonatal, weekly, at_mean, NORMS, costs) if g.unit_id == "A")
    a = neonatal[neonatal["unit_id"] == "A"].set_index("care_level")

    def events(level: str, cots: float) -> float:
        return float(a.loc[level, "admissions"] * capacity.erlang_b_mixed(a.loc[level, "load_erlangs"], cots))

    positions = 20.0 / NORMS.fte_per_position
    for k in (0, 5, 9):  # 9 FTE-weeks: 5.94 positions, still inside intensive care
        ic = positions + k / NORMS.fte_per_position
        assert ic < 6
        assert group.events[k, 0] == pytest.approx(events("ic", ic) + events("hd", 0.0) + events("sc", 0.0), rel=1e-12)
    # every cot staffed: 6 + 3 + 2 = 11 positions = 53.8 FTE-weeks, 34 steps from 20 FTE
    assert len(group.events) - 1 == int(np.ceil(11 * NORMS.fte_per_position - 20))
    assert group.events[-1, 0] == pytest.approx(sum(events(lv, a.loc[lv, "cots_physical"]) for lv in ("ic", "hd", "sc")), rel=1e-12)


def test_a_lever_without_its_table_is_an_error():
    weekly = outlook((27,))
    draws = capacity.forecast_draws(weekly, 10, 1)
    with pytest.raises(ValueError, match=r"bb_beds, neonatal_nurses need"):
        levers.lever_groups(weekly, draws, levers.CostSettings(levers=["bb_beds", "neonatal_nurses"]), NORMS, STAYS)
    with pytest.raises(ValueError, match="no arrival draws for unit A in 2027-W28"):
        levers.bb_bed_groups(ward_of(outlook((28,))), weekly, draws, levers.CostSettings())


# ----------------------------------------------------------------------------- the exact allocation
def brute_force(options: pd.DataFrame, budget: float) -> float:
    """The best total value over every choice of one option (or nothing) per group."""
    per_group = [[(0.0, 0.0)] + list(zip(p["cost_sek"], p["value"])) for _, p in options[options["step"] > 0].groupby("group")]
    best = 0.0
    for combo in itertools.product(*per_group):
        cost = sum(c for c, _ in combo)
        if cost <= budget + 1e-9:
            best = max(best, sum(v for _, v in combo))
    return best


def greedy_by_ratio(options: pd.DataFrame, budget: float) -> float:
    """Steps in order of their marginal value per krona while they fit (not optimal)."""
    taken = {g: 0 for g in options["group"].unique()}
    table = options.set_index(["group", "step"])
    spent = value = 0.0
    while True:
        moves = []
        for g, k in taken.items():
            if (g, k + 1) in table.index:
                c = table.loc[(g, k + 1), "cost_sek"] - table.loc[(g, k), "cost_sek"]
                v = table.loc[(g, k + 1), "value"] - table.loc[(g, k), "value"]
                if spent + c <= budget:
                    moves.append((v / c, g, c, v))
        if not moves:
            return value
        _, g, c, v = max(moves)
        taken[g] += 1
        spent, value = spent + c, value + v


def options_frame(groups: list[list[tuple[float, float]]]) -> pd.DataFrame:
    """Options by hand: per group a list of (cost, value) of steps 1, 2, ..."""
    rows = []
    for g, steps in enumerate(groups):
        rows.append({"group": g, "step": 0, "cost_sek": 0.0, "value": 0.0})
        rows += [{"group": g, "step": k, "cost_sek": c, "value": v} for k, (c, v) in enumerate(steps, start=1)]
    frame = pd.DataFrame(rows)
    return frame.assign(unit_id="U" + frame["group"].astype(str), iso_year=2027, iso_week=27, lever="midwives")


def test_greedy_by_ratio_misses_the_optimum_that_the_dynamic_programme_finds():
    # A: one step of 6 000 SEK preventing 7 (the best ratio); B: steps of 5 000 SEK preventing 5 each.
    # With 10 000 SEK greedy takes A and has 4 000 left that buy nothing (7); B twice gives 10.
    options = options_frame([[(6_000.0, 7.0)], [(5_000.0, 5.0), (10_000.0, 10.0)]])
    assert greedy_by_ratio(options, 10_000) == pytest.approx(7.0)
    chosen = levers.allocate(options, 10_000)
    assert chosen.attrs["value"] == pytest.approx(10.0) == brute_force(options, 10_000)
    assert chosen[["group", "step"]].values.tolist() == [[1, 2]]


@pytest.mark.parametrize("seed", range(8))
def test_the_allocation_equals_brute_force_on_small_mixed_lever_cases(seed):
    rng = np.random.default_rng(seed)
    costs = levers.CostSettings(
        midwife_fte_week_sek=float(rng.integers(20, 80) * 1_000),
        bb_bed_week_sek=float(rng.integers(20, 80) * 1_000),
        early_discharge_sek=float(rng.integers(2, 9) * 1_000),
        neonatal_nurse_fte_week_sek=float(rng.integers(20, 80) * 1_000),
        weight_full_bb=float(rng.choice([0.5, 1.0, 2.0])),
        max_steps=4,
    )
    groups, _ = groups_for(costs, n_draws=50)
    kinds = rng.choice(levers.LEVERS, size=int(rng.integers(2, 4)), replace=False)  # 2-3 different levers
    picked = [rng.choice([g for g in groups if g.lever == lever]) for lever in kinds]
    options, _ = levers.lever_options(picked, costs)
    assert options["lever"].nunique() == len(kinds) and options.groupby("group")["step"].max().min() >= 1
    for budget in rng.integers(0, 250, size=4) * 1_000.0:
        chosen = levers.allocate(options, float(budget))
        best = brute_force(options, budget)
        assert (options["cost_sek"] % chosen.attrs["quantum_sek"] == 0).all()  # the gcd of the step costs: no rounding
        assert chosen.attrs["value"] == pytest.approx(best, rel=1e-12, abs=1e-12)
        assert chosen["value"].sum() == pytest.approx(best, rel=1e-12, abs=1e-12)
        assert chosen["cost_sek"].sum() <= budget
        assert chosen["group"].is_unique


def test_the_levers_of_one_ward_are_one_group_so_their_effects_are_not_added():
    costs = levers.CostSettings(levers=["bb_beds", "early_discharge"], max_steps=10)
    groups, _ = groups_for(costs, n_draws=50)
    options, _ = levers.lever_options(groups, costs)
    per_group = options.groupby("group")["lever"].agg(lambda s: tuple(sorted(set(s))))
    assert set(per_group) == {("bb_beds", "early_discharge")} and len(per_group) == 6
    chosen = levers.allocate(options, 1e7)  # enough for everything: still one lever per ward-week
    assert not chosen.duplicated(["unit_id", "iso_year", "iso_week"]).any() and len(chosen) == 6


def test_more_budget_is_never_worse_and_zero_buys_nothing():
    costs = levers.CostSettings()
    groups, draws = groups_for(costs, n_draws=100)
    options, prevented = levers.lever_options(groups, costs)
    values = []
    for budget in (0.0, 50_000.0, 200_000.0, 750_000.0, 1_500_000.0, 3_000_000.0):
        chosen = levers.allocate(options, budget)
        assert chosen["cost_sek"].sum() <= budget
        values.append(chosen.attrs["value"])
    assert values[0] == 0.0 and all(b >= a for a, b in zip(values, values[1:])) and values[-1] > values[1] > 0
    nothing = levers.allocate(options, 0.0)
    assert nothing.empty and levers.proposals(nothing, prevented, costs).empty


@pytest.mark.parametrize("budget", [-1.0, float("nan"), "1000", True])
def test_a_budget_below_zero_or_not_a_number_is_refused(budget):
    with pytest.raises(ValueError, match="the budget must be a number of SEK, 0 or more"):
        levers.allocate(options_frame([[(1.0, 1.0)]]), budget)


def test_the_knapsack_refuses_a_group_without_a_free_first_option():
    with pytest.raises(ValueError, match="first option must cost 0"):
        levers.solve_mckp(np.array([[1, 2]]), np.array([[0.0, 1.0]]), 5)


def test_a_coarse_quantum_rounds_step_costs_up_so_the_budget_holds():
    assert levers.choose_quantum([50_400.0, 52_400.0, 22_000.0], 2_000_000) == 400.0
    assert levers.choose_quantum([50_400.0, 52_400.0, 22_000.0], 20_000_000) == 2_000.0  # 400 would give 50 000 cells
    assert levers.choose_quantum([1_234.5], 100_000) == 1_000.0  # not whole kronor
    options = options_frame([[(1_400.0, 3.0)], [(1_100.0, 2.0)]])
    chosen = levers.allocate(options, 2_500.0, quantum_sek=1_000.0)  # costs count 2 and 2 quanta, the budget 2
    assert chosen.attrs["value"] == 3.0 and chosen["cost_sek"].sum() <= 2_500.0


def test_the_allocation_of_a_summer_takes_well_under_a_second():
    """4 units × 9 weeks × 4 levers with 30 steps each and 5 MSEK in 1 000-SEK quanta."""
    rng = np.random.default_rng(0)
    price = {"midwives": 50_400.0, "bb_beds": 52_400.0, "early_discharge": 22_000.0, "neonatal_nurses": 50_400.0}
    rows = []
    for g, lever in enumerate(itertools.islice(itertools.cycle(price), 144)):
        gains = np.cumsum(np.sort(rng.exponential(1.0, 30))[::-1])
        rows += [{"group": g, "step": k, "cost_sek": k * price[lever], "value": v} for k, v in enumerate([0.0, *gains])]
    options = pd.DataFrame(rows).assign(unit_id="U", iso_year=2027, iso_week=27, lever="midwives")
    start = time.perf_counter()
    chosen = levers.allocate(options, 5_000_000.0, quantum_sek=1_000.0)
    assert time.perf_counter() - start < 1.0
    assert 4_900_000 <= chosen["cost_sek"].sum() <= 5_000_000


# ----------------------------------------------------------------------------- proposals and the 1 % rule
def test_proposals_do_not_overlap_and_cost_what_the_allocation_costs():
    costs = levers.CostSettings(budget_sek=1_200_000.0, levers=["midwives", "bb_beds", "neonatal_nurses"])
    weekly = outlook((26, 27, 28, 30, 31))  # a gap at week 29 splits a run
    groups, _ = groups_for(costs, weekly)
    options, prevented = levers.lever_options(groups, costs)
    chosen = levers.allocate(options, costs.budget_sek)
    props = levers.proposals(chosen, prevented, costs)
    assert len(props) >= 4 and props["lever"].nunique() >= 2 and set(props["lever_sv"]) <= set(levers.LEVER_SV.values())
    cells = [(p.unit_id, p.lever, w) for p in props.itertuples() for w in range(p.first_week, p.last_week + 1)]
    assert len(cells) == len(set(cells)) == len(chosen)  # each chosen unit-week-lever in exactly one proposal
    assert not any(p.first_week <= 29 <= p.last_week for p in props.itertuples())
    assert props["cost_sek"].sum() == pytest.approx(chosen["cost_sek"].sum()) and props["cost_sek"].sum() <= costs.budget_sek
    assert props["prevented_mean"].sum() == pytest.approx(chosen["prevented_mean"].sum(), rel=1e-5)
    assert (props["prevented_p10"] <= props["prevented_mean"]).all() and (props["prevented_mean"] <= props["prevented_p90"]).all()
    assert props["prevented_mean"].is_monotonic_decreasing
    assert props["sek_per_prevented"].to_numpy() == pytest.approx((props["cost_sek"] / props["prevented_mean"]).to_numpy())


def test_a_proposal_interval_is_the_percentile_of_the_summed_draws():
    costs = levers.CostSettings(levers=["midwives"])
    groups, _ = groups_for(costs)
    options, prevented = levers.lever_options(groups, costs)
    chosen = levers.allocate(options, 600_000.0)
    props = levers.proposals(chosen, prevented, costs)
    first = props.iloc[0]
    rows = chosen[(chosen["unit_id"] == first["unit_id"]) & chosen["iso_week"].between(first["first_week"], first["last_week"])]
    total = prevented[rows["option"].to_numpy()].astype(float).sum(axis=0)
    assert first["prevented_p10"] == pytest.approx(np.percentile(total, 10)) and first["prevented_p90"] == pytest.approx(
        np.percentile(total, 90)
    )
    assert first["value_sek"] == pytest.approx(first["prevented_mean"] * costs.redirection_sek)


def test_what_the_one_percent_rule_costs_in_midwives():
    weekly = outlook()
    weekly.loc[weekly["unit_id"] == "B", "deliveries"] = 140.0  # B: more than its 7 rooms can take at 1 %
    costs = levers.CostSettings()
    table = levers.target_cost(weekly, 0.01, NORMS, STAYS, costs)
    need = allocation.fte_to_threshold(weekly, 0.01, NORMS, STAYS)
    assert table["cost_sek"].to_numpy() == pytest.approx(need["fte_needed"].to_numpy() * 50_400.0)
    summary = levers.target_cost_summary(table).set_index("unit_id")
    assert summary.loc["B", "unreachable_weeks"] == "27, 28, 29" and summary.loc["A", "weeks_unreachable"] == 0
    assert summary.loc["REGION", "cost_sek"] == pytest.approx(table["cost_sek"].sum())


# ----------------------------------------------------------------------------- the costs settings
def test_the_midwife_price_is_the_arithmetic_its_description_shows_from_the_facts_file():
    facts = pd.read_csv(paths.public_dir() / "staffing_summer_facts.csv").set_index("fact_id")
    assert float(facts.loc["S08", "value"]) == levers.SUMMER_WEEK_BONUS_SEK and "36 300 SEK" in facts.loc["S07", "note"]
    price = (36_300 * 12 / 52 + 30_000) * 1.3142
    assert round(price) == 50_435 and levers.CostSettings().midwife_fte_week_sek == 50_400.0
    described = levers.CostSettings.model_fields["midwife_fte_week_sek"].description
    assert "8 377" in described and "50 435" in described and "S07" in described and "S08" in described
    per_bed = 0.125 * (168 / 34.33) * 50_400 * 1.7
    assert round(per_bed, -2) == levers.CostSettings().bb_bed_week_sek
    for name, field in levers.CostSettings.model_fields.items():
        if name.endswith("_sek") and name != "quantum_sek":
            assert "ASSUMPTION" in field.description or "S0" in field.description, name


@pytest.mark.parametrize(
    ("costs", "message"),
    [
        ({"midwife_fte_week_sek": -5}, r"costs\.midwife_fte_week_sek: -5 is out of range; allowed: 0-1e\+07"),
        ({"bb_bed_week_sek": "abc"}, r"costs\.bb_bed_week_sek: 'abc' is not a number; allowed: 0-1e\+07"),
        ({"early_discharge_sek": True}, r"costs\.early_discharge_sek: True is not a number"),
        ({"redirection_sek": float("nan")}, r"costs\.redirection_sek: nan is not a number"),
        (
            {"levers": ["midwives", "robots"]},
            r"costs\.levers\[1\]: 'robots' is not allowed; allowed: midwives, bb_beds, early_discharge, neonatal_nurses",
        ),
        ({"levers": ["midwives", "midwives"]}, r"costs\.levers: .*lists midwives more than once"),
        ({"budget_sek": -1}, r"costs\.budget_sek: -1 is out of range; allowed: 0-1e\+10"),
        ({"budgett_sek": 1}, r"unknown key costs\.'budgett_sek'; did you mean costs\.'budget_sek'\?"),
    ],
)
def test_bad_costs_in_a_run_configuration_name_the_key_and_what_is_allowed(costs, message):
    with pytest.raises(ConfigError, match=message):
        parse_config({"run_id": "t", "tertial": "2026-T2", "data": {"source": "demo"}, "costs": costs})


def test_a_run_file_with_a_bad_cost_names_the_file_the_line_and_the_key(tmp_path):
    text = (paths.config_dir() / "runs" / "2026-T2.yaml").read_text(encoding="utf-8")
    line = len(text.splitlines()) + 2  # the key's own line, after "costs:"
    path = tmp_path / "run.yaml"
    path.write_text(text + "costs:\n  bb_bed_week_sek: -100\n  levers: [midwives, boats]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(f"run.yaml: line {line}: costs.bb_bed_week_sek: -100 is out of range"), message
    assert f"line {line + 1}: costs.levers[1]: 'boats' is not allowed" in message
    path.write_text(text + yaml.safe_dump({"costs": {"budget_sek": 3_000_000, "levers": ["midwives", "bb_beds"]}}), encoding="utf-8")
    cfg = load_config(path)
    assert cfg.costs.budget_sek == 3_000_000 and cfg.costs.levers == ["midwives", "bb_beds"]
    assert cfg.raw["costs"]["midwife_fte_week_sek"] == 50_400.0


def test_cost_settings_are_frozen_and_forbid_unknown_keys():
    with pytest.raises(ValidationError):
        levers.CostSettings(colour="red")
    with pytest.raises(ValidationError):
        levers.CostSettings().budget_sek = 5.0  # type: ignore[misc]
