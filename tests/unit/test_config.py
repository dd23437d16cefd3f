import copy

import pandas as pd
import pytest
import yaml

from fragile_care import paths
from fragile_care.model.calendar import tertial_months
from fragile_care.run import pipeline
from fragile_care.run.config import ConfigError, load_config, parse_config

pytestmark = pytest.mark.unit

BASE = {"run_id": "t", "tertial": "2026-T2", "data": {"source": "demo"}}


def with_(**changes):
    cfg = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        target = cfg
        *parents, last = dotted.split("__")
        for p in parents:
            target = target.setdefault(p, {})
        target[last] = value
    return cfg


def test_default_run_config_is_valid():
    cfg = load_config(paths.config_dir() / "runs" / "2026-T2.yaml")
    assert cfg.run_id == "2026-T2" and cfg.is_demo
    assert cfg.period_end == pd.Timestamp("2026-08-01")
    assert cfg.summer_weeks == (25, 33)
    assert cfg.harmonisation.merges is None  # the demo run takes its merges from the units table (MOLNDAL into OSTRA)
    assert cfg.steps == ("01_clean_data", "02_forecast_births", "03_staffing", "04_capacity_risk", "05_action_plan", "06_steering_brief")
    assert cfg.horizon_months == 60 and cfg.previous_run_id == "2026-T1"
    assert cfg.reports is None  # the pre-flight chooses: every default report whose steps run
    assert pipeline.reports_of(cfg) == (
        "index.qmd",
        "styrgrupp.qmd",
        "nulage.qmd",
        "framtid.qmd",
        "sommar.qmd",
        "handlingsplan.qmd",
        "tertialrapport.qmd",
    )
    assert pipeline.preflight(cfg) == []
    assert cfg.norms.target_blocking == 0.01 and cfg.capacity.mean_stay_hours == 8.0
    assert cfg.outlook_summer == 2027


def test_tertials():
    assert tertial_months("2026-T1") == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-04-01"))
    assert tertial_months("2026-T3") == (pd.Timestamp("2026-09-01"), pd.Timestamp("2026-12-01"))
    assert parse_config(BASE).period_end == pd.Timestamp("2026-08-01")


@pytest.mark.parametrize(
    "raw, message",
    [
        ({**BASE, "sumer": {}}, r"unknown key 'sumer'; did you mean 'summer'\?"),
        (with_(summer__first_weak=25), r"unknown key summer\.'first_weak'; did you mean summer\.'first_week'\?"),
        (with_(summer__first_week="25"), r"summer\.first_week: '25' is not a whole number; allowed: 1-52"),
        (with_(summer__last_week=60), r"summer\.last_week: 60 is out of range; allowed: 1-52"),
        (with_(period__end="2026-13"), r"period\.end: '2026-13' has month 13; allowed: 01-12"),
        (with_(period__end="aug 2026"), r"period\.end: 'aug 2026' is not a month; allowed: YYYY-MM"),
        (with_(period__start="2026-09"), r"period\.end: 2026-08 is before period\.start 2026-09"),
        (with_(tertial="2026-T4"), r"tertial: '2026-T4' is not a tertial; allowed: YYYY-T1, YYYY-T2 or YYYY-T3"),
        (with_(data__source="excel"), r"data\.source: 'excel' is not allowed; allowed: demo, local, path"),
        (with_(data__source="path"), r"data\.path: a folder is required"),
        (
            with_(steps=["99_magic"]),
            r"steps: .99_magic. is not allowed; allowed: 01_clean_data, 02_forecast_births, 03_staffing, 04_capacity_risk, 05_action_plan, 06_steering_brief",
        ),
        (with_(steps=["01_clean_data", "02_forecast_births", "04_capacity_risk"]), r"steps: 04_capacity_risk needs 03_staffing before it"),
        (with_(capacity__mean_stay_hours=0), r"capacity\.mean_stay_hours: 0 is out of range; allowed: above 0-72"),
        (with_(capacity__mean_stay_hours=-2.5), r"capacity\.mean_stay_hours: -2\.5 is out of range"),
        (with_(capacity__mean_stay_hours="8 h"), r"capacity\.mean_stay_hours: '8 h' is not a number"),
        (with_(capacity__overflow={"NAL": ["NAL"]}), r"capacity\.overflow\.NAL: a unit cannot overflow to itself"),
        (
            with_(capacity__arrival_profile={"peak": 3}),
            r"unknown key capacity\.arrival_profile\.'peak'; did you mean capacity\.arrival_profile\.'peak_hour'\?",
        ),
        (with_(followup__spc_baseline=["2025-01", "2025-03"]), r"followup\.spc_baseline: the baseline needs at least 6 months"),
        (with_(followup__previous_run="a b"), r"followup\.previous_run: 'a b' is not a run id"),
        (with_(disclosure__threshold=1), r"disclosure\.threshold: 1 is out of range; allowed: 2-100"),
        (with_(staffing__labour_ward_share=1.5), r"staffing\.labour_ward_share: 1\.5 is out of range; allowed: 0\.01-1"),
        (with_(staffing__nurses_per_cot={"ic": 1, "hd": 0.5}), r"staffing\.nurses_per_cot: must map each of ic, hd, sc"),
        (with_(staffing__nurses_per_cot={"ic": 0, "hd": 0.5, "sc": 0.25}), r"staffing\.nurses_per_cot\.ic: 0 is out of range"),
        (with_(steps=["02_forecast_births"]), r"steps: 02_forecast_births needs 01_clean_data before it"),
        (with_(forecast__horizon_months=12), r"forecast\.horizon_months: 12 is out of range; allowed: 24-120"),
        (
            with_(harmonisation__merges=[{"from": "A", "into": "B", "date": "30/4/2017"}]),
            r"harmonisation\.merges\[0\]\.date: '30/4/2017' is not a date",
        ),
        (
            with_(render__reports=["../README.md"]),
            r"render\.reports: '\.\./README\.md' is not a report name; allowed: a file name in reports/",
        ),
        (with_(period__end="9999-12"), r"period\.end: '9999-12' has year 9999; allowed: 1990-2100"),
        (with_(capacity__arrival_profile={"peak_hour": 30}), r"capacity\.arrival_profile\.peak_hour: 30 is out of range; allowed: 0-23"),
        ({"tertial": "2026-T2", "data": {"source": "demo"}}, r"missing required key 'run_id'"),
        (with_(run_id="a b"), r"run_id: 'a b' is not allowed"),
    ],
)
def test_bad_config_names_key_and_allowed(raw, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(raw)


def test_config_file_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**BASE, "colour": "red"}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^bad\.yaml: unknown key 'colour'"):
        load_config(path)
    path.write_text("run_id: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml: not valid YAML"):
        load_config(path)
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    "raw, message",
    [
        (
            with_(steps=["01_clean_data", "02_forecast_births"], render__reports=["sommar.qmd"]),
            r"render\.reports: sommar\.qmd embeds cells of 03_staffing, 04_capacity_risk, which are not in steps",
        ),
        (with_(render__reports=["nope.qmd"]), r"render\.reports: 'nope\.qmd' is not a report in reports/"),
    ],
)
def test_preflight_checks_reports_against_steps(raw, message):
    """Checks that need the reports' files run before the run, not when the config is read."""
    problems = pipeline.preflight(parse_config(raw))
    assert any(__import__("re").search(message, p) for p in problems), problems


def test_defaults_are_defined_once():
    """The schema's defaults are the model layer's: one edit changes both."""
    from fragile_care.model.capacity import CapacitySettings
    from fragile_care.model.staffing import Norms

    cfg = parse_config(BASE)
    assert cfg.norms == Norms() and cfg.capacity == CapacitySettings()
    assert cfg.raw["capacity"]["arrival_profile"] == {"hourly_amplitude": 0.15, "peak_hour": 11.0, "weekend_factor": 0.9}


def test_validated_config_round_trips(tmp_path):
    """The bundle's run_config.json gives the same run as the YAML it came from."""
    from fragile_care.run import config

    cfg = load_config(paths.config_dir() / "runs" / "2026-T2.yaml")
    again = load_config(config.write_validated(cfg, tmp_path))
    assert again.raw == cfg.raw and again.norms == cfg.norms and again.harmonisation == cfg.harmonisation
