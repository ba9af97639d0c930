"""End-to-end on the real data: chapter 04 (cílové skupiny) on the seed runs.

The chapter's ``summary.json`` must equal what the analysis functions give on the same data, and
the exclusion counts of Sokolov and Ostrov must equal the figures of the mirror's PROVENANCE.md.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import SEED_ORPS
from kpss_analysis.analysis import exclusion as ex
from kpss_analysis.analysis import target_groups as tg
from kpss_analysis.analysis import target_groups_text as tgt
from kpss_analysis.analysis.territory import find_orp
from kpss_analysis.data import load
from kpss_analysis.data.parsers.benefits import load_pnp_rates

pytestmark = pytest.mark.e2e

HORIZONS = [2030, 2040]  # the chapter's defaults
#: PROVENANCE.md of the exclusion folder: persons in exekuce and inhabitants 15+ on 31. 12. 2023.
PROVENANCE = {"Sokolov": (8_665, 61_824), "Ostrov": (2_493, 22_725)}


@pytest.fixture(scope="module")
def single(single_years) -> pd.DataFrame:
    return single_years[1]


def chapter_summary(folder) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))["cilove_skupiny"]


@pytest.mark.parametrize("name", SEED_ORPS)
def test_summary_equals_the_analysis_functions(seed_runs, use_data, single, name):
    summary = chapter_summary(seed_runs[name])
    territory, exclusion = load.load_territory(), load.load_exclusion()
    orp = find_orp(name, territory)
    comparison = ex.compute_exclusion_comparison(exclusion, territory, orp)
    expected = ex.exclusion_summary(comparison)
    groups = tg.target_groups_summary(tg.compute_child_groups(single, territory, orp.code), tg.compute_pnp_units(
        tg.compute_pnp_expected(single, territory, load_pnp_rates()), territory, orp.code))
    categories = tgt.compute_index_category_units(exclusion, load.load_population_totals(), territory, orp)
    for level in ("orp", "kraj", "cr"):
        for key in ex.INDICATORS:
            assert summary[level][key] == expected[level][key]
            assert summary[level][f"share_{key}"] == expected[level][f"share_{key}"]
        assert summary[level]["children"] == groups["children"][level]
        assert summary[level]["pnp_expected"] == groups["pnp_expected"][level]
        counts = categories[categories["level"] == level].set_index("index_category")
        assert {c: v["n_obce"] for c, v in summary[level]["index_categories"].items()} == counts["n_obce"].to_dict()
    assert summary["orp"]["code"] == orp.code and summary["kraj"]["code"] == orp.kraj_code
    assert sum(v["n_obce"] for v in summary["orp"]["index_categories"].values()) == orp.n_obce
    assert sum(v["n_obce"] for v in summary["cr"]["index_categories"].values()) == 6258
    assert summary["services_by_target_group"] is False  # the mirror holds the senior-services extract only
    assert set(summary["orp"]["pnp_expected"]) == set(tg.scenario_order(HORIZONS))


@pytest.mark.parametrize("name", list(PROVENANCE))
def test_exekuce_equals_the_provenance_figures(seed_runs, name):
    summary = chapter_summary(seed_runs[name])
    exekuce, population = PROVENANCE[name]
    assert summary["orp"]["exekuce"] == exekuce
    assert summary["orp"]["share_exekuce"]["value"] == round(100 * exekuce / population, 4)
    low, high = summary["orp"]["share_exekuce"]["ci_low"], summary["orp"]["share_exekuce"]["ci_high"]
    assert low < 100 * exekuce / population < high
    assert summary["cr"]["exekuce"] == 621_305


@pytest.mark.parametrize("name", SEED_ORPS)
def test_chapter_outputs_and_the_register_sentence(seed_runs, use_data, name):
    folder = seed_runs[name]
    orp = find_orp(name, load.load_territory())
    obce = pd.read_csv(folder / "tables" / "vylouceni_obce.csv", dtype=str)
    assert len(obce) == orp.n_obce
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    names = {item["name"] for item in manifest["items"] if item.get("chapter") == "04_cilove_skupiny"}
    assert {"vylouceni_ukazatele", "vylouceni_intervaly", "vylouceni_mapa_exekuce", "vylouceni_mapa_pnz",
            "vylouceni_mapa_index", "vylouceni_kategorie_indexu", "deti_mladez", "deti_mapa_podil", "pnp_odhad_vek",
            "pnp_odhad_stupen", "pnp_luzka"} <= names
    assert "sluzby_cilove_skupiny" not in names  # no zero table without the full register
    notebook = (folder / "04_cilove_skupiny.ipynb").read_text(encoding="utf-8")
    assert "kpss data fetch --online --only rpss" in notebook
