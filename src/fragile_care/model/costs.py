"""The prices of the levers (run-file section ``costs``): what an extra midwife FTE-week,
a BB bed-week, a neonatal nurse FTE-week, an early discharge and a redirection cost, the
budget, the levers allowed and the objective's weights (``model.levers`` uses them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Lever = Literal["midwives", "bb_beds", "early_discharge", "neonatal_nurses"]
LEVERS: tuple[str, ...] = ("midwives", "bb_beds", "early_discharge", "neonatal_nurses")
LEVER_SV = {
    "midwives": "Extra barnmorskor på förlossningen",
    "bb_beds": "Fler bemannade vårdplatser på BB",
    "early_discharge": "Tidig hemgång med hembesök",
    "neonatal_nurses": "Extra sjuksköterskor i neonatalvården",
}
AMOUNT_SV = {"midwives": "åa-veckor", "bb_beds": "vårdplatsveckor", "early_discharge": "kvinnor", "neonatal_nurses": "åa-veckor"}
WARD_LEVERS = ("bb_beds", "early_discharge")  # act on one BB ward: one group per unit-week
EVENT_SV = {"midwives": "hänvisade kvinnor", "neonatal_nurses": "barn utan bemannad vårdplats"} | dict.fromkeys(
    WARD_LEVERS,
    "kvinnor som möter fullt BB eller hänvisas",  # levers.py _with_rooms: a ward lever frees rooms too
)
CARE_ORDER = ("ic", "hd", "sc")  # the order in which units staff their neonatal cots
KEY = ["unit_id", "iso_year", "iso_week"]
MAX_CELLS = 10_000  # budget quanta of the dynamic programme: cells × groups × steps stays ~50 M operations
MAX_SEK = 10_000_000.0  # a price above this per step is a typing error

# The summer price of a midwife FTE-week (CostSettings.midwife_fte_week_sek): the arithmetic
# the field's description shows, from staffing_summer_facts.csv (S07, S08).
MIDWIFE_MONTHLY_PAY_SEK = 36_300.0  # S07: median monthly salary of county-council midwives 2018, excl. supplements
SUMMER_WEEK_BONUS_SEK = 30_000.0  # S08: Region Västerbotten 2022, extra pay for working a summer week (not VGR)
EMPLOYER_CONTRIBUTIONS = 0.3142  # Skatteverket: arbetsgivaravgifter 31.42 % of pay
MIDWIFE_FTE_WEEK_SEK = round((MIDWIFE_MONTHLY_PAY_SEK * 12 / 52 + SUMMER_WEEK_BONUS_SEK) * (1 + EMPLOYER_CONTRIBUTIONS), -2)


def _sek(default: float, description: str, high: float = MAX_SEK) -> Any:
    """A price, budget or weight: a number (not text, not true/false), finite, 0 to ``high``."""
    return Field(default, strict=True, ge=0, le=high, allow_inf_nan=False, description=description)


class CostSettings(BaseModel):
    """Prices of the levers, the budget and the levers allowed (config section ``costs``).
    Each price names its source in ``../shared/data/public`` or is marked as an assumption."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    midwife_fte_week_sek: float = _sek(
        MIDWIFE_FTE_WEEK_SEK,
        description="SEK for one extra delivery-ward midwife FTE-week at summer pay: (36 300 SEK a month, median midwife "
        "salary 2018 excl. supplements (S07, staffing_summer_facts.csv) × 12 / 52 = 8 377 SEK a week + 30 000 SEK for "
        "working a summer week (S08, Region Västerbotten 2022)) × 1.3142 (arbetsgivaravgifter 31.42 %, Skatteverket) "
        "= 50 435, rounded 50 400 SEK. ASSUMPTION: VGR pays what Västerbotten paid; the 2018 salary is not uprated and "
        "pension costs are left out, so it is low",
    )
    neonatal_nurse_fte_week_sek: float = _sek(
        MIDWIFE_FTE_WEEK_SEK,
        description="SEK for one extra neonatal nurse FTE-week at summer pay. ASSUMPTION: the midwife price (50 400 SEK), "
        "for want of a figure for neonatal nurses in staffing_summer_facts.csv; both are specialist nurses with pay "
        "and summer offers of the same order",
    )
    bb_bed_week_sek: float = _sek(
        52_400.0,
        description="SEK for one more staffed BB bed (a mother-and-baby place) for a week. ASSUMPTION: the staff of one "
        "place around the clock, one midwife or nurse and one assistant nurse per 8 places (no public ratio for Swedish "
        "BB found), each position 168 / 34.33 = 4.894 FTE-weeks: 0.125 × 4.894 × 50 400 (midwife price) + 0.125 × "
        "4.894 × 0.7 × 50 400 (assistant nurse at 70 % of it) = 30 832 + 21 582 = 52 414, rounded 52 400 SEK; the "
        "room is there (summer closures are of staff)",
    )
    early_discharge_sek: float = _sek(
        4_400.0,
        description="SEK per woman discharged early with follow-up at home. ASSUMPTION: two home visits by a midwife (as "
        "care_levels.home_visits_per_early_discharge) of 1.5 hours each, travel included, at the summer midwife price per "
        "hour (50 400 / 34.33 = 1 468 SEK): 3 × 1 468 = 4 404, rounded 4 400 SEK; the ward days saved are not subtracted",
    )
    redirection_sek: float = _sek(
        20_000.0,
        description="SEK one prevented event is worth (value_sek of a proposal; the allocation does not use it). "
        "ASSUMPTION: a transport to another unit (ambulance or taxi) and the staff time of arranging and receiving "
        "her; the woman's own costs and the clinical risk are not in it, so it is low: the steering group's own "
        "value replaces it",
    )
    budget_sek: float = _sek(
        2_000_000.0,
        high=1e10,
        description="budget in SEK for the levers next summer. ASSUMPTION: about what the 40 extra midwife FTE-weeks "
        "of capacity.extra_fte_weeks cost at the summer price (40 × 50 400 = 2 016 000 SEK)",
    )
    levers: list[Lever] = Field(default_factory=lambda: list(LEVERS), description=f"list of levers from {', '.join(LEVERS)}")
    weight_redirection: float = _sek(1.0, "weight of one redirected woman in the objective", 100)
    weight_full_bb: float = _sek(1.0, "weight of one woman finding a full BB, relative to a redirection (policy choice; 1: one each)", 100)
    weight_no_cot: float = _sek(1.0, "weight of one infant finding no staffed cot at its level, relative to a redirection", 100)
    midwife_step_fte: float = Field(1.0, strict=True, gt=0, le=20, description="midwife FTE-weeks in one step of the lever")
    nurse_step_fte: float = Field(1.0, strict=True, gt=0, le=20, description="neonatal nurse FTE-weeks in one step of the lever")
    early_discharge_step: int = Field(5, strict=True, ge=1, le=100, description="women discharged early in one step of the lever")
    early_discharge_max_share: float = Field(
        0.4,
        strict=True,
        ge=0,
        le=1,
        description="ASSUMPTION: the largest share of women after a vaginal birth who can go home early with follow-up at home "
        "in a week (healthy mother and baby, feeding started, willing); the action plan's A05 plans a third",
    )
    max_steps: int = Field(30, strict=True, ge=1, le=200, description="most steps of one lever in one unit-week")
    max_extra_beds: int = Field(
        10, strict=True, ge=0, le=200, description="most extra BB beds in a week where the ward's physical beds are not known"
    )
    quantum_sek: float = Field(1_000.0, strict=True, gt=0, le=1e6, description="SEK a quantum of the allocation when the gcd is too fine")

    @field_validator("levers")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        twice = sorted({v for v in value if value.count(v) > 1})
        if twice:
            raise ValueError(f"lists {', '.join(twice)} more than once; allowed: each of {', '.join(LEVERS)} at most once")
        return value

    def weight(self, lever: str) -> float:
        """The objective's weight of one event of ``lever``."""
        if lever == "midwives":
            return self.weight_redirection
        return self.weight_no_cot if lever == "neonatal_nurses" else self.weight_full_bb
