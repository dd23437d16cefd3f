"""Staffing arithmetic on a hand-worked example, and bad staffing input."""

import pandas as pd
import pytest

from fragile_care.model import capacity, staffing

pytestmark = pytest.mark.unit

UNITS = pd.DataFrame({"unit_id": ["U"], "delivery_rooms": [10], "neonatal_cots_ic": [2], "neonatal_cots_hd": [2], "neonatal_cots_sc": [4]})


def _staffing(available=100.0, agency=2.0, budget=110.0, profession="barnmorska", month="2027-07-01"):
    return pd.DataFrame(
        {
            "unit_id": ["U"],
            "month": [pd.Timestamp(month)],
            "profession": [profession],
            "fte_budgeted": [budget],
            "fte_available": [available],
            "fte_agency": [agency],
            "vacancies": [5.0],
        }
    )


def _leave(fte=12.0, week="2027-W29", profession="barnmorska"):
    return pd.DataFrame({"unit_id": ["U"], "iso_week": [week], "profession": [profession], "fte_on_leave": [fte]})


GRID = pd.DataFrame({"unit_id": ["U"], "iso_year": [2027], "iso_week": [29]})  # Thursday 22 July 2027


def test_hand_worked_week():
    """84 women a week, 8 h each: load 84/168 × 8 = 4.0 erlangs. Erlang B(4, 9) = 0.0133 >
    1 % and B(4, 10) = 0.0053 ≤ 1 %, so 10 rooms are needed; 10 midwives on duty around the
    clock = 10 × 168 / 34.33 = 48.94 FTE. Supply: 100 available + 2 agency − 12 on leave =
    90 FTE, half on the ward = 45 FTE = 45 / 4.894 = 9.19 midwives on duty → 9 staffed rooms.
    Gap 45 − 48.94 = −3.94 FTE and −1 room. Benchmark 1:28: 84 × 52.18 / 28 = 156.5 FTE."""
    norms = staffing.Norms()
    supply = staffing.weekly_supply(_staffing(), _leave(), GRID, "barnmorska")
    assert supply["fte_supply"].iloc[0] == pytest.approx(90.0)
    gap = staffing.midwife_gap(GRID.assign(deliveries=84.0), supply, UNITS, norms, 8.0).iloc[0]
    assert gap["load_erlangs"] == pytest.approx(4.0)
    assert capacity.erlang_b(4.0, 9) == pytest.approx(0.01334, abs=1e-5)
    assert capacity.erlang_b(4.0, 10) == pytest.approx(0.00531, abs=1e-5)
    assert gap["rooms_needed"] == 10
    assert gap["fte_need"] == pytest.approx(10 * 168 / 34.33)
    assert gap["fte_supply_ward"] == pytest.approx(45.0)
    # 45 FTE / (168 / 34.33) = 9.196 rooms staffed around the clock: 9 always, a tenth 19.6 % of the time
    assert gap["rooms_staffed"] == pytest.approx(45 / (168 / 34.33)) and gap["rooms_gap"] == pytest.approx(45 / (168 / 34.33) - 10)
    assert gap["fte_gap"] == pytest.approx(45.0 - 10 * 168 / 34.33)
    assert gap["fte_benchmark"] == pytest.approx(84 * 365.25 / 7 / 28)
    assert gap["fte_gap_benchmark"] == pytest.approx(90.0 - 84 * 365.25 / 7 / 28)


def test_more_staff_never_fewer_staffed_rooms():
    norms = staffing.Norms()
    rooms = []
    for available in range(0, 200, 10):
        supply = staffing.weekly_supply(_staffing(available=float(available)), _leave(), GRID, "barnmorska")
        rooms.append(staffing.midwife_gap(GRID.assign(deliveries=84.0), supply, UNITS, norms, 8.0)["rooms_staffed"].iloc[0])
    assert rooms == sorted(rooms) and rooms[-1] == 10  # capped at the physical rooms


def test_supply_flags_missing_leave_and_leave_beyond_staff_and_uses_reference_year():
    no_leave = staffing.weekly_supply(_staffing(), _leave(week="2027-W30"), GRID, "barnmorska").iloc[0]
    assert not no_leave["leave_planned"] and no_leave["fte_supply"] == pytest.approx(102.0)
    over = staffing.weekly_supply(_staffing(available=10.0, agency=0.0), _leave(fte=15.0), GRID, "barnmorska").iloc[0]
    assert over["leave_exceeds_staff"] and over["fte_supply"] == 0.0
    # unchanged situation: 2028 week 29 uses 2027's staffing and leave of week 29
    ref = staffing.weekly_supply(_staffing(), _leave(), GRID.assign(iso_year=2028), "barnmorska", reference_year=2027).iloc[0]
    assert ref["fte_supply"] == pytest.approx(90.0) and ref["iso_year"] == 2028


def test_missing_staffing_row_names_unit_and_month():
    with pytest.raises(ValueError, match=r"staffing: no barnmorska row for unit U in 2027-07"):
        staffing.weekly_supply(_staffing(month="2027-06-01"), _leave(), GRID, "barnmorska")


def test_zero_rooms_and_bad_stay_are_errors():
    supply = staffing.weekly_supply(_staffing(), _leave(), GRID, "barnmorska")
    with pytest.raises(ValueError, match="delivery_rooms is 0 for open unit U"):
        staffing.midwife_gap(GRID.assign(deliveries=84.0), supply, UNITS.assign(delivery_rooms=0), staffing.Norms(), 8.0)
    with pytest.raises(ValueError, match="mean stay must be a positive number of hours, got -1"):
        staffing.midwife_gap(GRID.assign(deliveries=84.0), supply, UNITS, staffing.Norms(), -1.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"labour_ward_share": 0}, "labour_ward_share: 0 is out of range"),
        ({"hours_per_fte_week": 200}, "hours_per_fte_week: 200 is out of range"),
        ({"nurses_per_cot": {"ic": 1.0}}, "nurses_per_cot: must map each of ic, hd, sc"),
    ],
)
def test_norms_are_checked(kwargs, message):
    from pydantic import ValidationError

    from fragile_care.validation import messages

    with pytest.raises(ValidationError) as info:
        staffing.Norms(**kwargs)
    assert any(message in m for m in messages(staffing.Norms, info.value)), messages(staffing.Norms, info.value)


def test_neonatal_need_by_care_level():
    """Rates: per delivery ic 0.01, hd 0.02, sc 0.05; stays 14, 7, 7 days. 70 deliveries a
    week → admissions 0.7, 1.4, 3.5 → loads 0.7/7×14 = 1.4, 1.4/7×7 = 1.4, 3.5 erlangs."""
    rates = pd.DataFrame(
        {"unit_id": "U", "care_level": ["ic", "hd", "sc"], "per_delivery": [0.01, 0.02, 0.05], "mean_stay_days": [14.0, 7.0, 7.0]}
    )
    supply = staffing.weekly_supply(
        _staffing(profession="neonatalsjuksköterska", available=20.0, agency=0.0),
        _leave(0.0, profession="neonatalsjuksköterska"),
        GRID,
        "neonatalsjuksköterska",
    )
    out = staffing.neonatal_gap(GRID.assign(deliveries=70.0), supply, UNITS, rates, staffing.Norms()).set_index("care_level")
    assert out["load_erlangs"].to_dict() == pytest.approx({"ic": 1.4, "hd": 1.4, "sc": 3.5})
    needed = {lv: capacity.servers_needed(out.loc[lv, "load_erlangs"], 0.01) for lv in ("ic", "hd", "sc")}
    assert out["cots_needed"].to_dict() == needed
    positions = needed["ic"] * 1 + needed["hd"] * 0.5 + needed["sc"] * 0.25
    assert out["fte_need"].iloc[0] == pytest.approx(positions * 168 / 34.33)
    # 20 FTE = 4.09 nurses on duty; all cots need 2 + 1 + 1 = 4 → every cot can be staffed
    assert out["cots_staffed"].to_dict() == pytest.approx({"ic": 2, "hd": 2, "sc": 4})
