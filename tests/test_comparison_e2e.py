"""End-to-end on the real data: chapter 05 (comparison with similar ORPs) in the seed runs."""

from __future__ import annotations

import json

import pytest

from conftest import SEED_ORPS
from kpss_analysis import fmt
from kpss_analysis.analysis import comparison as cmp
from kpss_analysis.analysis import peers
from kpss_analysis.analysis.intervals import INTERVAL_NOTE, compare_to_reference
from kpss_analysis.analysis.territory import find_orp
from kpss_analysis.data import load

pytestmark = pytest.mark.e2e

CHAPTER = "05_srovnani"


@pytest.fixture()
def real(use_data):
    """Territory, the peer indicators of all ORPs and their z-scores, from the session's data."""
    territory = load.load_territory()
    indicators = peers.compute_peer_indicators(load.load_population_totals(), load.load_age5(),
                                               load.load_census_orp(), load.load_exclusion(), territory)
    return territory, indicators, peers.compute_zscores(indicators)


def summary(folder, section="srovnani"):
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))[section]


@pytest.mark.parametrize("name", SEED_ORPS)
def test_peers_and_shares_of_every_seed_orp(seed_runs, real, name):
    territory, indicators, z = real
    orp = find_orp(name, territory)
    section = summary(seed_runs[name])
    neighbours = peers.compute_neighbours(z, orp.code, 10, peers.DEFAULT_INDICATORS)
    assert [p["code"] for p in section["peers"]] == neighbours["orp_kod"].tolist()
    assert [p["distance"] for p in section["peers"]] == pytest.approx(neighbours["distance"].tolist(), abs=1e-4)
    names = territory.drop_duplicates("orp_kod").set_index("orp_kod")["orp_nazev"]
    assert [p["name"] for p in section["peers"]] == names[neighbours["orp_kod"]].tolist()
    assert section["indicators"] == peers.DEFAULT_INDICATORS

    for key in cmp.SHARE_METHODS:
        share = section[key]
        assert share["ci_low"] < share["value"] < share["ci_high"]
        assert share["value"] == pytest.approx(indicators.loc[orp.code, key], abs=1e-4)  # the peer indicator
        assert share["vs_cr"] == compare_to_reference(share["ci_low"], share["ci_high"], share["cr"])
        assert share["vs_peers"] == compare_to_reference(share["ci_low"], share["ci_high"], share["peers"])

    # the ORP's beds per 1 000 people 75+ are chapter 03's
    beds = section["beds_ds_dzr_per_1000_75plus"]
    services = summary(seed_runs[name], "socialni_sluzby")
    assert beds["value"] == pytest.approx(services["orp"]["beds_per_1000_75plus"], abs=1e-3)
    assert beds["cr"] == pytest.approx(services["cr"]["beds_per_1000_75plus"], abs=1e-3)
    assert list(beds["peers"]) == neighbours["orp_kod"].tolist()

    # every table with intervals says what the intervals express
    manifest = json.loads((seed_runs[name] / "manifest.json").read_text(encoding="utf-8"))
    items = {i["name"]: i for i in manifest["items"] if i["chapter"] == CHAPTER}
    assert len(items) == 11  # figures and tables have names of their own (the manifest keeps one item per name)
    for table in ("srovnani_podily_intervaly", "srovnani_profil_orp_hodnoty", "srovnani_luzka_podobne_orp"):
        assert fmt.text(INTERVAL_NOTE) in fmt.text(items[table]["notes"])
    for item in items.values():
        assert all((seed_runs[name] / file).stat().st_size > 0 for file in item["files"])


def test_the_typology_is_the_same_in_every_seed_summary(seed_runs, real):
    _territory, _indicators, z = real
    typology = cmp.compute_types(z, 0, peers.DEFAULT_INDICATORS)
    sections = {name: summary(seed_runs[name]) for name in SEED_ORPS}
    first = sections[SEED_ORPS[0]]
    assert first["k"] == typology.k and first["k_choice"] == "silhouette"
    assert [t["n_orp"] for t in first["types"]] == typology.sizes.tolist()
    seen: dict[str, int] = {}
    for name, section in sections.items():
        assert section["types"] == first["types"] and section["silhouette"] == first["silhouette"]
        code = find_orp(name, _territory).code
        for orp_code, type_id in [(code, section["type"]["id"]), *((p["code"], p["type_id"]) for p in section["peers"])]:
            assert seen.setdefault(orp_code, type_id) == type_id  # an ORP has one type in every summary
            assert type_id == typology.labels[orp_code]


def test_praha_says_it_is_an_outlier(seed_runs):
    praha = summary(seed_runs["Praha"])
    outlying = {o["indicator"]: o["z"] for o in praha["outlying"]}
    assert {"log_mean_obec_size", "share_university", "log_population"} <= set(outlying)
    assert all(abs(v) >= 2.5 for v in outlying.values())
    notebook = (seed_runs["Praha"] / f"{CHAPTER}.ipynb").read_text(encoding="utf-8")
    assert "SO ORP Praha je odlehlou hodnotou u několika ukazatelů" in notebook
    assert summary(seed_runs["Sokolov"])["outlying"] == []


def test_sokolov_and_strakonice_closing_figures(seed_runs):
    sokolov, strakonice = summary(seed_runs["Sokolov"]), summary(seed_runs["Strakonice"])
    assert (sokolov["peers"][0]["name"], sokolov["peers"][0]["distance"]) == ("Kadaň", pytest.approx(1.3448, abs=1e-4))
    assert (strakonice["peers"][0]["name"], strakonice["peers"][0]["distance"]) == (
        "Rakovník", pytest.approx(0.7848, abs=1e-4))
    # Sokolov: far more people in exekuce, on PnŽ and long-term unemployed than ČR, fewer graduates
    for key in ("share_exekuce", "share_pnz", "share_ltu"):
        assert sokolov[key]["vs_cr"] == "významně vyšší"
    assert sokolov["share_university"]["vs_cr"] == "významně nižší"
    assert sokolov["type"]["id"] != strakonice["type"]["id"]
