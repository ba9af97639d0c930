"""End-to-end on the real data: social services (chapter 03) from the mirror's register extract."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import SEED_ORPS
from kpss_analysis import fmt
from kpss_analysis.analysis import services as svc
from kpss_analysis.analysis import services_text
from kpss_analysis.analysis.services import czech_sort_key
from kpss_analysis.analysis.territory import find_orp
from kpss_analysis.data import load

pytestmark = pytest.mark.e2e

SNAPSHOT = "stav k 4. 9. 2026"


@pytest.fixture()
def tables(use_data):
    return load.load_services(), load.load_service_capacities(), load.load_service_places()


def test_orps_plus_unlocated_equal_the_national_total(tables):
    services, capacities, places = tables
    keys = ["druh_code", "capacity_type"]
    orp = svc.compute_attribution(services, capacities, places, "orp")
    cr = svc.compute_attribution(services, capacities, places, "cr")
    assert set(orp["unit"]) - {svc.UNLOCATED} <= set(load.load_territory()["orp_kod"])
    by_orp = orp.dropna(subset=["capacity_type"]).groupby(keys)["capacity"].sum()
    national = cr.dropna(subset=["capacity_type"]).groupby(keys)["capacity"].sum()
    pd.testing.assert_series_equal(by_orp, national, check_exact=False, rtol=1e-9)
    # Check figures of the mirror's PROVENANCE.md: DS 34 829 beds (499 without address), DZR 7 632.
    assert national[("13", "luzka")] == 34_829 and national[("14", "luzka")] == 7_632
    assert svc.capacity_by_unit(orp, ["13"], "luzka")[svc.UNLOCATED] == 499
    counts = svc.compute_service_counts(services, capacities, places, "orp").groupby("druh_code")["total"].sum()
    assert counts.to_dict() == pytest.approx(services.groupby("druh_code").size().to_dict())  # each service once


@pytest.mark.parametrize("name", SEED_ORPS)
def test_seed_orp_chapter_outputs(seed_runs, tables, name):
    services, capacities, places = tables
    folder = seed_runs[name]
    orp = find_orp(name, load.load_territory())
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["socialni_sluzby"]
    for level in ("orp", "kraj", "cr"):
        s = summary[level]
        assert s["beds_ds_dzr"] == pytest.approx(s["beds_ds"] + s["beds_dzr"])
        assert s["beds_per_1000_75plus"] == pytest.approx(1000 * s["beds_ds_dzr"] / s["population_75plus"], abs=1e-3)
    for key in ("services", "beds_ds", "beds_dzr", "population_75plus"):
        assert summary["cr"][key] >= summary["kraj"][key] >= summary["orp"][key]
    assert summary["cr"]["services"] == len(services)

    # ORP beds, computed here directly: each home's beds × the share of its places in the ORP.
    share = places[places["orp_kod"] == orp.code].groupby("service_id").size() / places.groupby("service_id").size()
    beds = capacities[capacities["capacity_type"] == "luzka"].groupby("service_id")["capacity"].sum()
    for druh, key in (("13", "beds_ds"), ("14", "beds_dzr")):
        ids = services.loc[services["druh_code"] == druh, "service_id"]
        expected = (share.reindex(ids).fillna(0) * beds.reindex(ids).fillna(0)).sum()
        assert summary["orp"][key] == pytest.approx(expected, abs=1e-3)

    # Every "Zdroj:" line of the chapter names the register snapshot and the coverage.
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    items = [i for i in manifest["items"] if i["chapter"] == "03_socialni_sluzby"]
    assert {i["kind"] for i in items} == {"table", "figure", "catalogue"}
    for item in items:
        # (texts pass the one formatting layer: no-break spaces in the date and after one-letter prepositions)
        assert fmt.text(SNAPSHOT) in item["source"] and fmt.text(services_text.COVERAGE_TEXT["katalog"]) in item["source"]
        for file in item["files"]:
            assert (folder / file).stat().st_size > 0

    # The catalogue has one entry per service with a place in the ORP, sorted by name within each druh.
    katalog = json.loads((folder / "tables" / "sluzby_katalog.json").read_text(encoding="utf-8"))
    entries = [e for g in katalog["groups"] for e in g["entries"]]
    assert len(entries) == places.loc[places["orp_kod"] == orp.code, "service_id"].nunique()
    for group in katalog["groups"]:
        names = [e["name"] for e in group["entries"]]
        assert names == sorted(names, key=czech_sort_key)
    sheet = load_workbook(folder / "tables" / "sluzby_katalog.xlsx").active
    assert sheet.max_row - 3 - 2 == len(entries)


def test_sokolov_key_numbers(seed_runs):
    """Checked by hand in the raw katalog: DS VILA MARIA 20, Kynšperk 44, Toreal 138, Čtyřka 11; DZR VILA MARIA 29."""
    summary = json.loads((seed_runs["Sokolov"] / "summary.json").read_text(encoding="utf-8"))["socialni_sluzby"]
    assert (summary["orp"]["beds_ds"], summary["orp"]["beds_dzr"]) == (213, 29)
    assert summary["snapshot"] == "2026-09-04" and summary["population_date"] == "2020-12-31"
    html = (seed_runs["Sokolov"] / "03_socialni_sluzby.html").read_text(encoding="utf-8")
    assert "vyžaduje úplný registr" in html  # the serving view says what it needs, no zeros
