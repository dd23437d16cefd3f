"""A step sees only the configuration sections it declares (run/settings.ScopedConfig):
its cache key hashes those, so reading another would give a stale cache hit."""

import pytest

from fragile_care import paths
from fragile_care.run import config, settings, steps

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def cfg():
    return config.load_config(paths.config_dir() / "runs" / "2026-T2.yaml")


def test_every_value_of_a_run_names_its_sections():
    properties = {n for n, v in vars(settings.RunConfig).items() if isinstance(v, property)} - {"raw"}
    fields = set(settings.RunConfig.model_fields) - {"file", "source_file"}
    assert properties | fields <= set(settings.SECTIONS_OF), sorted((properties | fields) - set(settings.SECTIONS_OF))
    sections = set(settings.RunFile.model_fields)
    assert {s for names in settings.SECTIONS_OF.values() for s in names} <= sections


def test_a_declared_section_is_read_and_recorded(cfg):
    view = steps.scoped(cfg, "02_forecast_births")
    assert view.horizon_months == cfg.horizon_months
    assert view.compare_years == cfg.compare_years
    assert view.read == {"forecast", "summer", "period", "tertial"}


def test_an_undeclared_section_is_refused_with_its_name(cfg):
    view = steps.scoped(cfg, "02_forecast_births")
    with pytest.raises(settings.UndeclaredSection, match=r"02_forecast_births reads cfg.capacity from section\(s\) capacity"):
        getattr(view, "capacity")  # noqa: B009
    with pytest.raises(settings.UndeclaredSection, match="cfg.raw, which no step may read"):
        getattr(view, "raw")  # noqa: B009
    assert steps.scoped(view, "04_capacity_risk").capacity == cfg.capacity  # re-scoping starts from the whole run


def test_run_step_gives_the_computation_the_scoped_view(cfg, monkeypatch, tmp_path):
    def compute(tables, step_cfg):
        getattr(step_cfg, "postnatal")  # noqa: B009 (06 does not declare postnatal)
        return {}

    fake = steps.Step("06_steering_brief", reads=(), compute=compute)
    monkeypatch.setattr(steps, "BY_NAME", {**steps.BY_NAME, fake.name: fake})
    with pytest.raises(settings.UndeclaredSection, match="section\\(s\\) postnatal"):
        steps.run_step(fake.name, cfg, tmp_path)
    assert not list(tmp_path.iterdir())
