"""The embedded demo data: reproducible, labelled synthetic, calibrated to public facts."""

import pandas as pd
import pytest

from fragile_care import paths
from fragile_care.sources import demo

pytestmark = pytest.mark.integration
TABLES = (
    "units",
    "births_monthly",
    "staffing",
    "leave_plan",
    "redirections",
    "neonatal_admissions",
    "action_plan",
    "postnatal_capacity",
    "neonatal_transfers",
)


@pytest.fixture(scope="module")
def births():
    frame = pd.read_csv(paths.demo_dir() / "births_monthly.csv")
    return frame.assign(year=frame["month"].str[:4].astype(int))


def test_regenerates_byte_identically(tmp_path):
    written = demo.write_demo(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{t}.csv" for t in TABLES)
    for path in written:
        assert path.read_bytes() == (paths.demo_dir() / path.name).read_bytes(), f"{path.name} differs: run `fragile-care demo-data`"


def test_every_demo_row_is_marked_synthetic():
    for table in TABLES:
        frame = pd.read_csv(paths.demo_dir() / f"{table}.csv")
        assert (frame["source_id"] == demo.SOURCE_ID).all(), table
    assert "SYNTETISK" in (paths.demo_dir() / "README.md").read_text(encoding="utf-8").upper()


def test_months_cover_2015_01_to_2026_10(births):
    assert births["month"].min() == "2015-01" and births["month"].max() == "2026-10"
    counts = births.groupby("unit_id")["month"].nunique()
    assert counts.drop("MOLNDAL").eq(142).all()


def test_molndal_ends_when_it_closed(births):
    molndal = births[births["unit_id"] == "MOLNDAL"]
    assert molndal["month"].max() == "2017-04"


def test_unit_sizes_match_public_facts(births):
    annual = births.groupby(["unit_id", "year"])[["deliveries", "babies_born"]].sum()
    # D13: Östra about 10 000 born a year c. 2022; D06: NÄL about 2 830 deliveries 2023; D05: SkaS 2 714 born 2016.
    assert annual.loc[("OSTRA", 2022), "babies_born"] == pytest.approx(10000, rel=0.03)
    assert annual.loc[("NAL", 2023), "deliveries"] == pytest.approx(2830, rel=0.04)
    assert annual.loc[("SKAS", 2016), "babies_born"] == pytest.approx(2714, rel=0.05)


def test_regional_trend_follows_public_series(births):
    region = births.groupby("year")["babies_born"].sum()
    vgr = pd.read_csv(paths.public_dir() / "vgr_live_births_annual.csv").set_index("year")["live_births"]
    swe = pd.read_csv(paths.public_dir() / "sweden_live_births_annual.csv").set_index("year")["live_births"]
    # year-on-year change of VGR 2015-2017 and of Sweden 2017-2022, within Poisson noise (~1 %)
    assert region[2016] / region[2015] == pytest.approx(vgr[2016] / vgr[2015], abs=0.015)
    assert region[2022] / region[2017] == pytest.approx(swe[2022] / swe[2017], abs=0.015)


def test_monthly_pattern_follows_sweden(births):
    months = births[births["year"].between(2018, 2025)].assign(m=lambda d: d["month"].str[5:].astype(int))
    share = months.groupby("m")["deliveries"].sum() / months["deliveries"].sum()
    assert share.idxmin() == 12  # December is the smallest month in Sweden's series
    assert share.loc[[4, 5, 6, 7]].min() > share.loc[[11, 12]].max()
