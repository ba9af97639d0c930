"""Every register snapshot in data/raw is built and loaded; chapter 07 shows the changes between the two newest.

The newer snapshot is a small ``rpss.json`` in the publisher's format written here from the mirror's katalog: every
service with an address in SO ORP Sokolov (4107) with all its places, except that one service has ended (only in the
katalog), one home has a larger capacity and two services are new (one for seniors, one for families only, which the
comparison with the seniors-only katalog leaves out).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import rpss_address, rpss_facility, rpss_form, rpss_item, rpss_ref
from kpss_analysis import fmt
from kpss_analysis.analysis import plan_monitoring as pm
from kpss_analysis.data import build, load
from kpss_analysis.data import tables as table_files
from kpss_analysis.data.build import build_all
from kpss_analysis.data.registry import get_dataset
from kpss_analysis.data.services_build import find_register_files
from kpss_analysis.run import cli

KATALOG = get_dataset("social_services").files[0].path
RPSS = "social_services/rpss.json"
GROUPS = "social_services/cilove-skupiny-osoby.json"
DAY = "2026-11-20"
ENDED, CHANGED, NEW, FAMILIES = "6953", "3806", "9000001", "9000002"
SOKOLOV_TOWN = "560286"


def _sokolov_register(katalog: Path, territory: pd.DataFrame) -> list[dict]:
    """The katalog's services with a place in ORP Sokolov as register items, with the changes of the module docstring."""
    obce = set(territory.loc[territory["orp_kod"] == "4107", "obec_kod"])
    records = [json.loads(line) for line in katalog.read_text(encoding="utf-8").splitlines()]
    wanted = {s["id"] for r in records if r["kodObce"] in obce for s in r["s"]}
    items: dict[str, dict] = {}
    for record in records:
        for entry in record["s"]:
            if entry["id"] not in wanted or record["kodObce"] is None:
                continue
            portal = entry["id"].removeprefix("mpsv-")
            capacities = [[forma, [[kind, 150 if portal == CHANGED else n] for kind, n in rows]]
                          for forma, rows in entry["f"]]
            item = items.setdefault(portal, rpss_item(
                int(portal), entry["druh"], [rpss_form(forma, *map(tuple, rows)) for forma, rows in capacities], [],
                datumPoskytovaniOd=entry["od"], datumPoskytovaniDo=entry["do"],
                poskytovatel={"nazev": entry["p"], "ico": entry["ico"], "weby": [], "emaily": [], "telefony": []}))
            item["zarizeni"].append(rpss_facility(entry["n"], rpss_address(record["adm"], record["kodObce"])))
    assert CHANGED in items and ENDED in items and len(items) >= 15
    del items[ENDED]
    town = [rpss_facility("Nová služba", rpss_address(99_000_001, SOKOLOV_TOWN))]
    return [*items.values(), rpss_item(int(NEW), 4, [rpss_form("ter", ("klient", 12))], town),
            rpss_item(int(FAMILIES), 1, [rpss_form("amb", ("klient", 9))], town,
                      ciloveSkupiny=[{"cilovaSkupina": rpss_ref("CilovaSkupinaOsoby", 2)}])]


@pytest.fixture(scope="module")
def two_snapshots(data_dir, tmp_path_factory) -> Path:
    """A data root: the mirror (katalog 4. 9. 2026) plus the register fetched online on 20. 11. 2026, built.

    Like `kpss data fetch --online`, the register has a dated copy of the same day (a hard link); an older copy
    with the same bytes stands for a day on which nothing changed: neither is another snapshot.
    """
    root = tmp_path_factory.mktemp("two_snapshots")
    raw = root / "raw"
    shutil.copytree(data_dir / "raw", raw, copy_function=os.link)
    territory = pd.read_parquet(data_dir / "processed" / table_files.TABLES["territory"])
    text = json.dumps({"polozky": _sokolov_register(raw / KATALOG, territory)}, ensure_ascii=False)
    (raw / RPSS).write_text(text, encoding="utf-8")
    os.link(raw / RPSS, raw / f"social_services/rpss_{DAY}.json")
    (raw / "social_services/rpss_2026-10-01.json").write_text(text, encoding="utf-8")
    groups = [("CilovaSkupinaOsoby/24", "senioři"), ("CilovaSkupinaOsoby/2", "rodiny s dětmi")]
    (raw / GROUPS).write_text(json.dumps({"polozky": [{"id": i, "nazev": {"cs": n}} for i, n in groups]},
                                         ensure_ascii=False), encoding="utf-8")
    build_all(raw, root / "processed", log=lambda _line: None)
    return root


def _touch(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_dated_copies_of_one_content_or_day_are_one_snapshot(tmp_path):
    raw = tmp_path / "raw"
    katalog = _touch(raw / KATALOG, "{}\n")
    assert [(f.source, f.snapshot, f.path) for f in find_register_files(raw)] == [("katalog", "2026-09-04", katalog)]
    current = _touch(raw / RPSS, '{"polozky": [3]}')
    os.link(current, raw / "social_services/rpss_2026-11-20.json")  # what `kpss data fetch --online` leaves
    _touch(raw / "social_services/rpss_2026-11-02.json", '{"polozky": [3]}')  # same bytes, another day
    older = _touch(raw / "social_services/rpss_2026-10-01.json", '{"polozky": [2]}')
    _touch(raw / "social_services/rpss_2026-09-20.json", '{"polozky": [2]}')  # same as 1. 10.: the newer day wins
    first = _touch(raw / "social_services/rpss_2026-09-10.json", '{"polozky": [1]}')
    _touch(raw / "social_services/rpss_2026-09-11.json.part", "")  # an unfinished download
    found = find_register_files(raw)
    assert [(f.source, f.snapshot, f.path) for f in found] == [
        ("katalog", "2026-09-04", katalog), ("rpss", "2026-09-10", first), ("rpss", "2026-10-01", older),
        ("rpss", "2026-11-20", current)]
    assert [f.folder for f in found[:2]] == ["2026-09-04_katalog", "2026-09-10_rpss"]
    current.unlink()  # rpss.json replaced by other bytes of the same size: still dated 20. 11. by its copy,
    _touch(current, '{"polozky": [4]}')  # which is the same day, not an older snapshot; 2. 11. now differs
    assert [f.snapshot for f in find_register_files(raw)] == ["2026-09-04", "2026-09-10", "2026-10-01", "2026-11-02",
                                                              "2026-11-20"]


def test_a_new_build_drops_the_older_snapshots_of_the_previous_one(tmp_path):
    processed = tmp_path / "processed"
    tables = {name: pd.DataFrame({"x": [1, 2]}) for name in table_files.TABLES}
    older = {name: pd.DataFrame({"x": [3]}) for name in table_files.SNAPSHOT_TABLES}
    build.write_build(processed, tables, {"built_at": "old"}, {"2026-09-04_katalog": older})
    folder = processed / table_files.SNAPSHOTS_DIR / "2026-09-04_katalog"
    assert sorted(p.name for p in folder.iterdir()) == sorted(table_files.TABLES[n] for n in table_files.SNAPSHOT_TABLES)
    assert pd.read_parquet(folder / table_files.TABLES["services"])["x"].tolist() == [3]
    build.write_build(processed, tables, {"built_at": "new"})
    assert not (processed / table_files.SNAPSHOTS_DIR).exists()


@pytest.mark.e2e
def test_build_keeps_both_snapshots_and_the_diff(two_snapshots, data_dir, monkeypatch):
    report = json.loads((two_snapshots / "processed" / table_files.REPORT_NAME).read_text("utf-8"))
    assert (report["social_services"]["source"], report["social_services"]["snapshot"]) == ("rpss", DAY)
    assert [(s["folder"], s["source"], s["snapshot"], s["coverage"]) for s in report["register_snapshots"]] == [
        ("2026-09-04_katalog", "katalog", "2026-09-04", "senioři")]
    mirror_only = json.loads((data_dir / "processed" / table_files.REPORT_NAME).read_text("utf-8"))
    assert mirror_only["register_snapshots"] == []
    assert report["register_snapshots"][0]["counts"] == mirror_only["social_services"]["counts"]

    monkeypatch.setenv("KPSS_DATA_DIR", str(two_snapshots))
    snapshots = load.load_register_snapshots()
    assert [(s["meta"]["source"], s["meta"]["snapshot"], s["meta"]["folder"]) for s in snapshots] == [
        ("katalog", "2026-09-04", "2026-09-04_katalog"), ("rpss", DAY, None)]
    katalog_services = pd.read_parquet(data_dir / "processed" / table_files.TABLES["services"])
    pd.testing.assert_frame_equal(snapshots[0]["services"].drop(columns=["web", "email", "phone"]),
                                  katalog_services.drop(columns=["web", "email", "phone"]))
    assert snapshots[0]["places"].crs == snapshots[1]["places"].crs
    assert snapshots[1]["target_groups"]["target_group_name"].dropna().unique().tolist() == ["senioři", "rodiny s dětmi"]

    diff, text = pm.compare_register_snapshots(snapshots, "4107")
    rows = diff[["change", "service_id", "forma", "capacity_type", "capacity_old", "capacity_new"]]
    assert rows.astype(object).where(rows.notna(), None).to_numpy().tolist() == [
        ["new", NEW, "ter", "klient", None, 12.0],
        ["capacity", CHANGED, "pob", "luzka", 138.0, 150.0],
        ["ended", ENDED, "ter", "klient", 6.0, None],
    ]
    assert text.startswith("Srovnání registru mezi stavem k 4.\u00a09.\u00a02026 (výběr služeb pro seniory, Katalog "
                           "registrovaných služeb pro seniory) a stavem k 20.\u00a011.\u00a02026 (úplný export registru "
                           "MPSV): změnily se 3\u00a0služby ORP. Jeden snímek obsahuje jen služby")
    assert pm.register_source(snapshots).endswith(
        "MPSV, Registr poskytovatelů sociálních služeb (otevřená data), stav k 20. 11. 2026; pokrytí: všechny "
        "registrované sociální služby")


@pytest.mark.e2e
def test_chapter_07_shows_the_register_changes(two_snapshots, tmp_path, monkeypatch):
    monkeypatch.setenv("KPSS_DATA_DIR", str(two_snapshots))
    out = tmp_path / "outputs"
    assert cli.main(["run", "--orp", "Sokolov", "--chapters", "07", "--output-dir", str(out), "--workers", "1",
                     "--quiet"]) == 0
    folder = out / "4107-sokolov"
    table = pd.read_csv(folder / "tables" / "akcni_plan_zmeny_registru.csv", sep=";", decimal=",", dtype=str)
    assert table[["Změna", "Forma", "Jednotka kapacity", "Kapacita dříve", "Kapacita nyní", "Rozdíl"]].fillna("")\
        .to_numpy().tolist() == [
        ["nová služba", "terénní", "klienti", "", "12", "12"],
        ["změna kapacity", "pobytová", "lůžka", "138", "150", "12"],
        ["ukončená nebo vyřazená služba", "terénní", "klienti", "6", "", "-6"],
    ]
    assert table["Název služby"].tolist()[1:] == ["Toreal, spol. s r. o.", "Odlehčovací služba Aladinka"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    captions = {(item["kind"], item["name"]): item["caption"] for item in manifest["items"]}
    period = "k 4. 9. 2026 a k 20. 11. 2026"
    assert captions[("table", "akcni_plan_zmeny_registru")] == fmt.text(
        f"Změny registrovaných sociálních služeb s adresou v SO ORP Sokolov mezi stavem registru {period}")
    assert captions[("figure", "akcni_plan_zmeny_registru_souhrn")] == fmt.text(
        f"Služby s adresou v SO ORP Sokolov podle změny v registru mezi stavem {period}")
    assert (folder / "figures" / "akcni_plan_zmeny_registru_souhrn.png").is_file()
    outputs = [output for cell in nbformat.read(folder / "07_akcni_plan.ipynb", as_version=4).cells
               for output in cell.get("outputs", [])]
    texts = [output["data"]["text/markdown"] for output in outputs if "text/markdown" in output.get("data", {})]
    assert any(text.startswith("Srovnání registru mezi stavem k 4.\u00a09.\u00a02026 (výběr služeb pro seniory")
               and "stavem k 20.\u00a011.\u00a02026 (úplný export registru MPSV)" in text for text in texts)
