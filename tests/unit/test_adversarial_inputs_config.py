"""Adversarial run configurations and edge cases of issue 32 that need no data set: a
duplicate key, deep nesting, a run id YAML reads as a number, a unit of one birth a month,
a quality log of many identical findings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fragile_care.inputs.quality import REPEAT_LIMIT, Problem, collapse, problems_to_frame
from fragile_care.run.config import ConfigError, load_config, parse_config

pytestmark = pytest.mark.unit

BASE = "run_id: t\ntertial: 2026-T2\ndata: {source: demo}\n"


def load(tmp_path, text):
    path = tmp_path / "run.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_a_duplicate_key_is_refused_naming_key_and_lines(tmp_path):
    with pytest.raises(ConfigError, match=r"run\.yaml: line 4: key 'tertial' appears twice in the same mapping \(first on line 2\)"):
        load(tmp_path, BASE + "tertial: 2026-T3\n")
    with pytest.raises(ConfigError, match=r"line 6: key 'first_week' appears twice"):
        load(tmp_path, BASE + "summer:\n  first_week: 25\n  first_week: 26\n")


def test_deep_nesting_is_a_plain_message(tmp_path):
    with pytest.raises(ConfigError, match="nesting too deep"):
        load(tmp_path, BASE + "title: " + "[" * 20_000 + "\n")
    with pytest.raises(ConfigError, match="nesting too deep"):
        load(tmp_path, BASE + "title: " + "{a: " * 200 + "\n")


@pytest.mark.parametrize("written", ["2026_2", "20262", "2026-06-01", "1e3"])
def test_run_id_keeps_the_text_as_written(tmp_path, written):
    assert load(tmp_path, BASE.replace("run_id: t", f"run_id: {written}")).run_id == written


def test_a_number_where_text_belongs_says_to_quote_it():
    with pytest.raises(
        ConfigError,
        match=r"harmonisation\.aliases\.x: 20262 is not text \(YAML read what was written as a number\); write the value in quotes",
    ):
        parse_config({"run_id": "t", "tertial": "2026-T2", "data": {"source": "demo"}, "harmonisation": {"aliases": {"x": 20262}}})


def test_identical_findings_beyond_the_limit_are_one_counted_entry():
    many = [Problem("r.csv", row, None, "rejected", "exact duplicate of row 2", "row dropped", "redirections") for row in range(3, 50_003)]
    few = [
        Problem("r.csv", row, "women", "repaired", "count '1.0' written as 1", "kept", "redirections") for row in range(2, 2 + REPEAT_LIMIT)
    ]
    out = collapse(few + many)
    assert out[:REPEAT_LIMIT] == few  # up to the limit, each finding as it was
    (entry,) = out[REPEAT_LIMIT:]
    assert entry.count == 50_000 and entry.row == 3 and "50,000 rows like this, the first on rows 3, 4, 5" in entry.problem
    frame = problems_to_frame(few + many)
    assert len(frame) == REPEAT_LIMIT + 1 and int(frame["count"].sum()) == 50_000 + REPEAT_LIMIT
    assert collapse(out) == out  # a log collapsed again (validate prints what check_table collapsed) says the count once
    assert entry.action == "row dropped"  # the action keeps its kind, so reports group and translate it


def test_a_unit_of_one_birth_a_month_gets_a_finite_spread_and_a_risk():
    from fragile_care.model import forecast, planning

    months = pd.date_range("2027-05-01", "2027-09-01", freq="MS")
    fc = pd.DataFrame({"unit_id": "TINY", "month": months, "mean": 1.0, "lower_80": 0.0, "upper_80": 2.0, "lower_95": 0.0, "upper_95": 3.0})
    weekly = forecast.summer_weekly(fc, 2027, (25, 33))
    assert np.isfinite(weekly["sigma_log"]).all() and (weekly["sigma_log"] > 0).all()
    weekly["rooms"] = 1
    risk, _ = planning.redirection_risk(weekly, "rooms", 8.0, n_draws=50, seed=1)
    assert np.isfinite(risk["redirected_mean"]).all()


def test_a_c_chart_with_a_short_baseline_has_no_limits_and_says_why():
    from fragile_care.model import followup

    chart = followup.c_chart(pd.Series([3.0, 5.0, 2.0, 8.0, 6.0, 4.0]), np.arange(6) < 3)  # one summer before the latest
    assert chart["centre"].isna().all() and not chart["outside"].any()
    assert "no control limits: the baseline holds 3 point(s), at least 6" in chart.attrs["note"]


def test_key_numbers_count_the_findings_a_counted_entry_stands_for():
    from fragile_care.model import followup

    log = pd.DataFrame({"severity": ["repaired", "repaired", "warning"], "count": [1, 500, 2]})
    numbers = followup.key_numbers({"quality_log": log})
    assert numbers["quality_repairs"] == 501 and numbers["quality_warnings"] == 2
