"""The analytic chain (model/chain.py) against the seeded simulation of the same system
(postnatal.simulate_chain, exponential stays): within the tolerance the module docstring
states where BB is overloaded or the unit is small."""

import pytest

from fragile_care.model import chain, postnatal

pytestmark = pytest.mark.statistical

CASES = [  # deliveries a week, staffed rooms, room hours, BB beds, BB stay in days
    (52, 7, 7.7, 21, 2.4),
    (52, 7, 7.7, 19, 2.4),
    (52, 6, 7.7, 18, 2.4),
    (45, 5, 10.0, 16, 2.4),
    (180, 20, 7.0, 57, 2.4),
    (180, 20, 7.0, 52, 2.4),
]


@pytest.mark.parametrize("case", CASES)
def test_the_analytic_chain_is_within_30_percent_of_the_simulation(case):
    d, rooms, tau, beds, days = case
    sim = postnatal.simulate_chain(d, rooms, tau, beds, days, weeks=30, replications=40, seed=1, stay_cv=1.0)
    blocked, _ = chain.chain_blocking(d, rooms, tau, beds, days * 24)
    assert float(blocked) == pytest.approx(sim["redirected_share"], rel=0.30)
