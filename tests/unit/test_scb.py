"""SCB PxWeb: JSON-stat 2.0 parsing, metadata checks and offline behaviour, without a network."""

import io as _io
import json
import urllib.error
import urllib.request

import pandas as pd
import pytest

from fragile_care import cli
from fragile_care.sources import scb

pytestmark = pytest.mark.unit

# A JSON-stat 2.0 dataset in the shape SCB's PxWeb API v1 returns with
# "response": {"format": "json-stat2"} (https://json-stat.org/format/): births per month.
BIRTHS = {
    "class": "dataset",
    "label": "Befolkningsförändringar efter region, förändringar, kön och månad",
    "source": "SCB",
    "updated": "2025-02-21T07:00:00Z",
    "id": ["Region", "Forandringar", "Kon", "Tid"],
    "size": [1, 1, 1, 3],
    "dimension": {
        "Region": {"label": "region", "category": {"index": {"14": 0}, "label": {"14": "Västra Götalands län"}}},
        "Forandringar": {"label": "förändringar", "category": {"index": {"115": 0}, "label": {"115": "födda"}}},
        "Kon": {"label": "kön", "category": {"index": {"1+2": 0}, "label": {"1+2": "totalt"}}},
        "Tid": {
            "label": "månad",
            "category": {
                "index": {"2024M05": 0, "2024M06": 1, "2024M07": 2},
                "label": {"2024M05": "2024M05", "2024M06": "2024M06", "2024M07": "2024M07"},
            },
        },
    },
    "value": [1480, 1391, 1562],
}

TWO_DIMS = {
    "class": "dataset",
    "id": ["Alder", "Kon"],
    "size": [2, 2],
    "dimension": {
        "Alder": {"category": {"index": ["15", "16"]}},
        "Kon": {"category": {"index": {"1": 0, "2": 1}, "label": {"1": "män", "2": "kvinnor"}}},
    },
    "value": {"0": 10, "1": 11, "3": 13},
}

METADATA = {
    "title": "Befolkningsförändringar",
    "variables": [
        {"code": "Region", "values": ["00", "14"], "valueTexts": ["Riket", "Västra Götalands län"]},
        {"code": "Forandringar", "values": ["100", "115", "130"], "valueTexts": ["folkmängd", "födda", "döda"]},
        {"code": "Kon", "values": ["1+2"], "valueTexts": ["totalt"]},
        {"code": "Tid", "values": ["2024M05", "2024M06", "2024M07"], "valueTexts": ["2024M05", "2024M06", "2024M07"]},
    ],
}


def test_parse_births_per_month():
    frame = scb.tidy(scb.SERIES["vgr_live_births_monthly"], scb.parse_jsonstat2(BIRTHS, "live_births"))
    assert frame["month"].tolist() == ["2024-05", "2024-06", "2024-07"]
    assert frame["live_births"].tolist() == [1480, 1391, 1562]
    assert frame["Region_label"].iloc[0] == "Västra Götalands län" and frame["Forandringar_label"].iloc[0] == "födda"


def test_parse_row_major_order_and_sparse_values():
    frame = scb.parse_jsonstat2(TWO_DIMS)
    # last dimension varies fastest: (15,1), (15,2), (16,1), (16,2); index 2 is missing
    assert list(zip(frame["Alder"], frame["Kon"])) == [("15", "1"), ("15", "2"), ("16", "1"), ("16", "2")]
    assert frame["value"].tolist()[:2] == [10, 11] and pd.isna(frame["value"].iloc[2]) and frame["value"].iloc[3] == 13
    assert frame["Kon_label"].tolist() == ["män", "kvinnor", "män", "kvinnor"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.pop("dimension"), "JSON-stat dataset lacks 'dimension'"),
        (lambda d: d.update({"class": "collection"}), "expected a JSON-stat 2.0 dataset"),
        (lambda d: d.update({"value": [1, 2]}), r"'value' has 2 entries, expected 3"),
        (lambda d: d.update({"size": [1, 1, 1, 4]}), "dimension 'Tid' has 3 categories but size 4"),
        (lambda d: d["dimension"]["Kon"].pop("category"), "dimension 'Kon' lacks category.index"),
    ],
)
def test_unexpected_shapes_are_named(change, message):
    data = json.loads(json.dumps(BIRTHS))
    change(data)
    with pytest.raises(scb.ScbResponseError, match=message):
        scb.parse_jsonstat2(data)
    with pytest.raises(scb.ScbResponseError, match="expected a JSON object"):
        scb.parse_jsonstat2([1, 2])


def test_query_is_checked_against_metadata():
    series = scb.SERIES["vgr_live_births_monthly"]
    scb.check_query_against_metadata(series, METADATA)  # fine
    renamed = json.loads(json.dumps(METADATA))
    renamed["variables"][1]["values"] = ["100", "116"]
    with pytest.raises(scb.ScbResponseError, match=r"variable 'Forandringar' has no value 115; it offers 100 \(folkmängd\)"):
        scb.check_query_against_metadata(series, renamed)
    with pytest.raises(scb.ScbResponseError, match="the table has no variable 'Region'"):
        scb.check_query_against_metadata(series, {"variables": [{"code": "Tid"}]})


class FakeResponse(_io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_fetch_writes_series_with_provenance(tmp_path, monkeypatch):
    answers = iter([METADATA, BIRTHS])
    calls = []

    def fake_urlopen(req, timeout):
        calls.append((req.get_method(), req.full_url))
        return FakeResponse(json.dumps(next(answers)).encode("utf-8"))

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    assert cli.main(["fetch-scb", "--series", "vgr_live_births_monthly", "--out", str(tmp_path)]) == 0
    assert [m for m, _ in calls] == ["GET", "POST"]
    written = pd.read_csv(tmp_path / "vgr_live_births_monthly.csv", dtype={"Region": str})
    assert written["live_births"].tolist() == [1480, 1391, 1562] and written["source"].iloc[0].startswith("SCB PxWeb")
    prov = json.loads((tmp_path / "vgr_live_births_monthly.provenance.json").read_text(encoding="utf-8"))
    assert prov["url"].endswith("ManadBefStatRegion") and prov["rows"] == 3 and len(prov["sha256"]) == 64


def test_offline_is_a_clear_error_and_writes_nothing(tmp_path, monkeypatch, capsys):
    def offline(req, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    assert cli.main(["fetch-scb", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "cannot reach https://api.scb.se/" in err and "is the machine online?" in err and "Nothing was written" in err
    assert "Traceback" not in err and list(tmp_path.iterdir()) == []


def test_unexpected_answer_keeps_previous_file(tmp_path, monkeypatch, capsys):
    (tmp_path / "vgr_live_births_monthly.csv").write_text("previous\n", encoding="utf-8")
    answers = iter([METADATA, {"class": "dataset", "id": []}])
    monkeypatch.setattr(urllib.request, "urlopen", lambda req, timeout: FakeResponse(json.dumps(next(answers)).encode()))
    assert cli.main(["fetch-scb", "--series", "vgr_live_births_monthly", "--out", str(tmp_path)]) == 1
    assert "unexpected answer from SCB: JSON-stat dataset lacks 'size'" in capsys.readouterr().err
    assert (tmp_path / "vgr_live_births_monthly.csv").read_text(encoding="utf-8") == "previous\n"
