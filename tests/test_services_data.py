"""Tests for kpss_analysis.services_data: register/katalog → service tables, fetch of the online register.

Small files in the mirror's katalog format and in the official ``rpss.json`` format are written
by the tests; every expected value below was worked out by hand from those files. The last
section checks the real mirror data against the figures in ``social_services/PROVENANCE.md``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import http.server
import json
import shutil
import threading
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import requests

from conftest import rpss_address, rpss_facility, rpss_form, rpss_item, rpss_ref, toy_territory
from kpss_analysis.data import fetch, load
from kpss_analysis.data import tables as table_files
from kpss_analysis.data.parsers.services_common import TABLE_COLUMNS, format_address, load_druh_table
from kpss_analysis.data.registry import Dataset, RawFile, get_dataset
from kpss_analysis.data.services_build import build_services
from kpss_analysis.errors import DataMissingError, DataValidationError
from kpss_analysis.run import cli

KATALOG = get_dataset("social_services").files[0].path
RPSS = "social_services/rpss.json"
DRUHY = "social_services/druhy-socialni-sluzby.json"
GROUPS = "social_services/cilove-skupiny-osoby.json"

# --------------------------------------------------------------------------- hand-made inputs


@pytest.fixture()
def territory() -> pd.DataFrame:
    """Three obce in two kraje, with ČSÚ and RÚIAN codes like the processed territory table."""
    rows = [
        # obec, name, ORP, ORP RÚIAN, okres, okres RÚIAN, kraj, kraj RÚIAN
        ("500001", "Alfa", "1001", "11", "40001", "3401", "3001", "51"),
        ("500002", "Beta", "1002", "12", "40001", "3401", "3001", "51"),
        ("500003", "Gama", "1003", "13", "40002", "3402", "3002", "52"),
    ]
    return toy_territory(rows, ["obec_kod", "obec_nazev", "orp_kod", "orp_ruian", "okres_kod", "okres_ruian",
                                "kraj_kod", "kraj_ruian"])


def _service(ident: str, name: str, druh: int, forms: list, **extra) -> dict:
    entry = {"id": ident, "n": name, "p": "Poskytovatel Alfa, z. ú.", "ico": "01234567", "druh": druh, "f": forms,
             "od": "2010-01-01", "do": None, "web": [], "mail": ["a@alfa.cz"], "tel": ["123 456 789"]}
    return entry | extra


def _place(ident: str, services: list, adm=None, ulice=None, cd=None, co=None, psc=None, obec=None, kod=None,
           cast=None, lat=None, lng=None) -> dict:
    return {"id": ident, "adm": adm, "ulice": ulice, "cd": cd, "co": co, "psc": psc, "obec": obec, "kodObce": kod,
            "cast": cast, "lat": lat, "lng": lng, "kat": [], "zdr": False, "uzis": 0, "s": services}


PS_FORMS = [["ter", [["klient", 20]]], ["amb", [["klient", 5]]]]

KATALOG_LINES = [
    json.dumps(_place("misto-100", [
        _service("mpsv-1", "Domov Alfa", 13, [["pob", [["luzka", 40]]]], web=["www.alfa.cz"]),
        _service("mpsv-2", "Pečovatelská služba Alfa", 4, PS_FORMS),
        _service("mpsv-3", "Poradna Alfa", 1, [["amb", [["interv", 100], ["klient", 50]]], ["ter", [["kontakt", 30]]]]),
        _service("mpsv-4", "Linka Alfa", 18, [["amb", [["hovor", 500]]]]),
    ], adm=100, ulice="Hlavní", cd=12, co="3a", psc="35601", obec="Alfa", kod="500001", cast="Alfa",
        lat=50.0875, lng=14.4213), ensure_ascii=False),
    # Address point without coordinates; same service 2 as above; service 5 twice at one place.
    json.dumps(_place("misto-200", [
        _service("mpsv-2", "PS Alfa – středisko Beta", 4, PS_FORMS, mail=["b@alfa.cz"]),
        _service("mpsv-5", "DZR Beta – 1. patro", 14, [["pob", [["luzka", 30]]]]),
        _service("mpsv-5", "DZR Beta – 2. patro", 14, [["pob", [["luzka", 30]]]]),
    ], adm=200, cd=7, psc="35602", obec="Beta", kod="500002", cast="Beta-Ves"), ensure_ascii=False),
    # An address without an address point; a form without capacity.
    json.dumps(_place("misto-bezadresy-6-abc", [_service("mpsv-6", "Klub Gama", 29, [["amb", []]])],
                      ulice="Nádražní", cd=5, psc="35603", obec="Gama", kod="500003"), ensure_ascii=False),
    # No address at all: service 7 has no other place; service 2 has (this listing is left out).
    json.dumps(_place("misto-bezadresy-7-def", [
        _service("mpsv-7", "Stacionář bez adresy", 10, [["amb", [["klient", 15]]]]),
        _service("mpsv-2", "Pečovatelská služba Alfa", 4, PS_FORMS),
    ]), ensure_ascii=False),
    # A service that ended before the snapshot (4. 9. 2026).
    json.dumps(_place("misto-300", [_service("mpsv-8", "Skončená služba", 4, [["ter", [["klient", 9]]]],
                                             do="2012-03-31")],
                      adm=300, ulice="Krátká", cd=1, psc="35601", obec="Alfa", kod="500001", lat=50.1, lng=14.5),
               ensure_ascii=False),
    "{this line is not JSON",
    # A service without its druh.
    json.dumps(_place("misto-400", [{k: v for k, v in _service("mpsv-9", "Bez druhu", 4, []).items() if k != "druh"}],
                      adm=400, ulice="Dlouhá", cd=2, psc="35601", obec="Alfa", kod="500001", lat=50.1, lng=14.4),
               ensure_ascii=False),
]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def katalog_raw(tmp_path) -> Path:
    raw = tmp_path / "raw"
    _write(raw / KATALOG, "\n".join(KATALOG_LINES) + "\n")
    return raw


RPSS_ITEMS = [
    rpss_item(
        101, 13, [rpss_form("pob", ("luzka", 40))],
        [
            rpss_facility("Domov Alfa", rpss_address(100, "500001", "Hlavní", 12, "3a", "35601")),
            rpss_facility("Domov Alfa", rpss_address(100, "500001", "Hlavní", 12, "3a", "35601")),  # listed twice
            rpss_facility("Domov Alfa – stará budova", rpss_address(300, "500001", "Krátká", 1, None, "35601"),
                      until="2020-01-01"),  # stopped before the snapshot: not a place
        ],
        ciloveSkupiny=[{"cilovaSkupina": rpss_ref("CilovaSkupinaOsoby", 24)},
                       {"cilovaSkupina": rpss_ref("CilovaSkupinaOsoby", 30)}],
        rozsirenePusobnostiVKraji=[{"kraj": rpss_ref("Kraj", 51), "okresy": [{"okres": rpss_ref("Okres", 3401)}]},
                                   {"kraj": rpss_ref("Kraj", 52)}],
    ),
    rpss_item(
        102, 4, [rpss_form("ter", ("klient", 10)), rpss_form("amb")],
        [rpss_facility("Středisko Beta", rpss_address(None, "500002", house=5, psc="35602", typ=2))],
        rozsirenePusobnostiVKraji=[{"obec": rpss_ref("Obec", "500002")}, {"obec": rpss_ref("Obec", "999999")},
                                   {"castObce": rpss_ref("CastObce", 123)}],
    ),
    rpss_item(103, 4, [rpss_form("ter", ("klient", 3))], [], datumPoskytovaniDo="2015-06-30"),  # ended
    {k: v for k, v in rpss_item(104, 4, [], []).items() if k != "poskytovatel"},  # unreadable
    rpss_item(105, 1, [rpss_form("amb", ("interv", 50))], []),  # no facility, no address
]

CODE_LISTS = {
    DRUHY: [("DruhSocialniSluzby/1", "odborné sociální poradenství"), ("DruhSocialniSluzby/4", "pečovatelská služba"),
            ("DruhSocialniSluzby/13", "domovy pro seniory"), ("DruhSocialniSluzby/50", "Centrum duševního zdraví")],
    GROUPS: [("CilovaSkupinaOsoby/24", "senioři"), ("CilovaSkupinaOsoby/30", "osoby žijící s demencí")],
}


def _write_rpss(raw: Path, items: list[dict], day: str = "2026-09-10") -> None:
    text = json.dumps({"polozky": items}, ensure_ascii=False)
    _write(raw / RPSS, text)
    _write(raw / f"social_services/rpss_{day}.json", text)  # the dated copy `kpss data fetch` keeps
    for path, entries in CODE_LISTS.items():
        _write(raw / path, json.dumps({"polozky": [{"id": i, "nazev": {"cs": n}} for i, n in entries]},
                                      ensure_ascii=False))


@pytest.fixture()
def rpss_raw(katalog_raw) -> Path:
    """Both sources in data/raw: the official register must win."""
    _write_rpss(katalog_raw, RPSS_ITEMS)
    return katalog_raw


def _rows(frame: pd.DataFrame, columns: list[str]) -> set[tuple]:
    return {tuple(None if pd.isna(v) else v for v in row) for row in frame[columns].itertuples(index=False)}


# --------------------------------------------------------------------------- katalog (mirror format)


def test_katalog_services_capacities_and_report(katalog_raw, territory):
    tables, report = build_services(katalog_raw, territory)

    services = tables["services"].set_index("service_id")
    assert sorted(services.index, key=int) == ["1", "2", "3", "4", "5", "6", "7"]
    assert list(tables["services"].columns) == TABLE_COLUMNS["services"]
    assert services.loc["1", ["druh_name", "paragraph", "druh_group"]].tolist() == ["Domovy pro seniory", "§ 49", "péče"]
    assert services.loc["3", ["paragraph", "druh_group"]].tolist() == ["§ 37", "poradenství"]
    assert services.loc["6", ["paragraph", "druh_group"]].tolist() == ["§ 66", "prevence"]
    # Service 2 at three addresses: the name most of them give, contacts of all of them.
    assert services.loc["2", "name"] == "Pečovatelská služba Alfa"
    assert services.loc["2", "email"] == ["a@alfa.cz", "b@alfa.cz"]
    assert services.loc["1", "web"] == ["www.alfa.cz"] and services.loc["2", "web"] == []
    assert services.loc["1", "provider_ico"] == "01234567"
    assert services.loc["1", "date_from"] == pd.Timestamp("2010-01-01") and pd.isna(services.loc["1", "date_to"])
    assert (services["source"] == "katalog").all() and (services["snapshot"] == pd.Timestamp("2026-09-04")).all()

    capacities = tables["service_capacities"]
    assert _rows(capacities, ["service_id", "forma", "capacity_type", "capacity"]) == {
        ("1", "pob", "luzka", 40.0), ("2", "ter", "klient", 20.0), ("2", "amb", "klient", 5.0),
        ("3", "amb", "interv", 100.0), ("3", "amb", "klient", 50.0), ("3", "ter", "kontakt", 30.0),
        ("4", "amb", "hovor", 500.0), ("5", "pob", "luzka", 30.0), ("6", "amb", None, None),
        ("7", "amb", "klient", 15.0),
    }
    assert len(capacities) == 10  # service 2 counted once although listed at three places

    counts = report["counts"]
    assert (report["source"], report["snapshot"], report["coverage"]) == ("katalog", "2026-09-04", "senioři")
    assert counts["services"] == 7 and counts["services_ended_excluded"] == 1 and report["ended_services"] == ["8"]
    assert counts["places"] == 3 and counts["service_places"] == 8
    assert counts["services_without_address"] == 1 and counts["address_less_listings_left_out"] == 1
    assert counts["places_without_point"] == 2 and counts["records_read"] == 7
    assert [u["id"] for u in report["unreadable"]] == ["line 6", "mpsv-9 (misto-400)"]
    assert "druh" in report["unreadable"][1]["reason"]


def test_katalog_places_dedup_addresses_territory_and_points(katalog_raw, territory):
    tables, _ = build_services(katalog_raw, territory)
    places = tables["service_places"]

    assert list(places.columns) == TABLE_COLUMNS["service_places"] and places.crs == "EPSG:5514"
    assert _rows(places, ["service_id", "place_id", "address_point", "address", "obec_kod", "orp_kod", "kraj_kod",
                          "has_point"]) == {
        ("1", "misto-100", "100", "Hlavní 12/3a, 356 01 Alfa", "500001", "1001", "3001", True),
        ("2", "misto-100", "100", "Hlavní 12/3a, 356 01 Alfa", "500001", "1001", "3001", True),
        ("3", "misto-100", "100", "Hlavní 12/3a, 356 01 Alfa", "500001", "1001", "3001", True),
        ("4", "misto-100", "100", "Hlavní 12/3a, 356 01 Alfa", "500001", "1001", "3001", True),
        ("2", "misto-200", "200", "Beta-Ves 7, 356 02 Beta", "500002", "1002", "3001", False),
        ("5", "misto-200", "200", "Beta-Ves 7, 356 02 Beta", "500002", "1002", "3001", False),
        ("6", "misto-bezadresy-6-abc", None, "Nádražní 5, 356 03 Gama", "500003", "1003", "3002", False),
        ("7", None, None, None, None, None, None, False),
    }
    assert len(places) == 8  # service 5 twice at misto-200 → once
    # Old Town Square, Prague (50.0875 N, 14.4213 E) lies near X −742 900, Y −1 043 200 in S-JTSK.
    point = places.loc[places["place_id"] == "misto-100", "geometry"].iloc[0]
    assert -744_000 < point.x < -742_000 and -1_044_000 < point.y < -1_042_000
    assert places.loc[~places["has_point"], "geometry"].isna().all()


def test_unknown_druh_names_the_record(tmp_path, territory):
    raw = tmp_path / "raw"
    line = _place("misto-100", [_service("mpsv-10", "Neznámá", 99, [["amb", [["klient", 1]]]])],
                  adm=100, ulice="Hlavní", cd=1, psc="35601", obec="Alfa", kod="500001")
    _write(raw / KATALOG, json.dumps(line, ensure_ascii=False) + "\n")

    with pytest.raises(DataValidationError, match=r"mpsv-10 \(misto-100\).*DruhSocialniSluzby/99"):
        build_services(raw, territory)


def test_service_whose_addresses_disagree_is_reported_not_guessed(tmp_path, territory):
    raw = tmp_path / "raw"
    lines = [_place(f"misto-{n}", [_service("mpsv-11", "Domov", 13, [["pob", [["luzka", beds]]]])],
                    adm=n, ulice="Hlavní", cd=n, psc="35601", obec="Alfa", kod="500001") for n, beds in [(1, 40), (2, 45)]]
    _write(raw / KATALOG, "\n".join(json.dumps(line, ensure_ascii=False) for line in lines))

    tables, report = build_services(raw, territory)

    assert tables["services"].empty and tables["service_places"].empty
    assert report["unreadable"][0]["id"] == "mpsv-11" and "differ" in report["unreadable"][0]["reason"]


def test_missing_source_says_what_to_do(tmp_path, territory):
    with pytest.raises(DataMissingError, match="kpss data fetch"):
        build_services(tmp_path / "raw", territory)


@pytest.mark.parametrize(("args", "expected"), [
    (("Sokolovská", 123, "4", "35601", "Sokolov"), "Sokolovská 123/4, 356 01 Sokolov"),
    ((None, 1, None, "67560", "Myslibořice", "Myslibořice"), "Myslibořice 1, 675 60 Myslibořice"),
    ((None, 28, None, "29430", "Niměřice", "Dolní Cetno"), "Dolní Cetno 28, 294 30 Niměřice"),
    ((None, 12, None, None, "Beta", None, True), "Beta č. ev. 12"),
    ((None, None, None, None, None), None),
])
def test_format_address(args, expected):
    assert format_address(*args) == expected


def test_druh_table_follows_the_law():
    table = load_druh_table().set_index("druh_name")
    assert len(table) == 33 and table["opendata_id"].notna().sum() == 20
    assert table.loc["Odborné sociální poradenství", ["paragraph", "druh_group"]].tolist() == ["§ 37", "poradenství"]
    assert set(table.loc[table["druh_group"] == "péče", "paragraph"]) == {f"§ {n}" for n in range(39, 53)}
    prevence = {f"§ {n}" for n in range(54, 71)} | {"§ 60a"}
    assert set(table.loc[table["druh_group"] == "prevence", "paragraph"]) == prevence
    assert table.loc["Domovy se zvláštním režimem", "opendata_id"] == "14"


# --------------------------------------------------------------------------- rpss (official format)


def test_official_register_wins_and_is_parsed(rpss_raw, territory):
    tables, report = build_services(rpss_raw, territory)

    assert (report["source"], report["snapshot"], report["coverage"]) == ("rpss", "2026-09-10", "všechny cílové skupiny")
    assert report["citation"].endswith("(otevřená data), stav k 10. 9. 2026")
    assert report["druh_ids_from"] == "číselník druhy-socialni-sluzby.json"
    services = tables["services"].set_index("service_id")
    assert sorted(services.index) == ["101", "102", "105"]
    assert (services["source"] == "rpss").all() and (services["snapshot"] == pd.Timestamp("2026-09-10")).all()
    assert services.loc["101", ["name", "provider_ico", "druh_name", "paragraph"]].tolist() == [
        "Domov Alfa", "00123456", "Domovy pro seniory", "§ 49"]
    # Service contacts first, the provider's where the service has none.
    assert services.loc["101", "email"] == ["sluzba@alfa.cz"] and services.loc["101", "web"] == ["www.poskytovatel.cz"]
    assert services.loc["105", "name"] == "Poskytovatel Alfa, z. ú."  # no facility: the provider's name

    assert _rows(tables["service_capacities"], ["service_id", "forma", "capacity_type", "capacity"]) == {
        ("101", "pob", "luzka", 40.0), ("102", "ter", "klient", 10.0), ("102", "amb", None, None),
        ("105", "amb", "interv", 50.0),
    }
    beta = "misto-bezadresy-102-" + hashlib.sha1("Středisko Beta".encode()).hexdigest()[:8]
    assert _rows(tables["service_places"], ["service_id", "place_id", "address_point", "address", "obec_kod",
                                            "orp_kod", "has_point"]) == {
        ("101", "misto-100", "100", "Hlavní 12/3a, 356 01 Alfa", "500001", "1001", False),
        ("102", beta, None, "Beta č. ev. 5, 356 02 Beta", "500002", "1002", False),
        ("105", None, None, None, None, None, False),
    }
    assert _rows(tables["service_target_groups"], TABLE_COLUMNS["service_target_groups"]) == {
        ("101", "24", "senioři"), ("101", "30", "osoby žijící s demencí"), ("102", "24", "senioři"),
        ("105", "24", "senioři"),
    }
    # Kraj 51 only groups the okres listed with it; kraj 52 is declared whole.
    assert _rows(tables["service_territory"], TABLE_COLUMNS["service_territory"]) == {
        ("101", "okres", "40001"), ("101", "kraj", "3002"), ("102", "obec", "500002"),
    }
    counts = report["counts"]
    assert counts["services_ended_excluded"] == 1 and report["ended_services"] == ["103"]
    assert counts["facilities_ended_excluded"] == 1 and counts["services_without_address"] == 1
    assert counts["territory_refs_skipped"] == {"unknown Obec code": 1, "kind CastObce": 1}
    assert report["unreadable"] == [{"id": "104", "reason": "service lacks key(s) poskytovatel"}]


def test_official_druh_missing_in_the_legal_table_names_record_and_file(tmp_path, territory):
    raw = tmp_path / "raw"
    _write_rpss(raw, [rpss_item(201, 50, [rpss_form("amb", ("klient", 5))], [])])

    with pytest.raises(DataValidationError, match=r"Service 201.*Centrum duševního zdraví.*druhy_socialnich_sluzeb"):
        build_services(raw, territory)


def test_official_druh_missing_in_the_code_list(tmp_path, territory):
    raw = tmp_path / "raw"
    _write_rpss(raw, [rpss_item(202, 77, [rpss_form("amb", ("klient", 5))], [])])

    with pytest.raises(DataValidationError, match=r"Service 202: unknown druh code DruhSocialniSluzby/77"):
        build_services(raw, territory)


def test_corrupt_register_names_the_file(tmp_path, territory):
    raw = tmp_path / "raw"
    _write(raw / RPSS, '{"polozky": [{"portalId": 1, ')

    with pytest.raises(DataValidationError, match="rpss.json"):
        build_services(raw, territory)


# --------------------------------------------------------------------------- fetch of the online-only register


def test_mirror_fetch_skips_the_online_register_and_says_how_to_get_it(tmp_path, mirror, monkeypatch, capsys):
    small_mirror = tmp_path / "mirror"
    (small_mirror / "social_services").mkdir(parents=True)
    shutil.copyfile(mirror / KATALOG, small_mirror / KATALOG)
    monkeypatch.setenv("KPSS_DATA_DIR", str(tmp_path / "data"))

    code = cli.main(["data", "fetch", "--mirror", str(small_mirror), "--only", "social_services", "rpss", "--quiet"])

    out = capsys.readouterr().out
    assert code == 0
    assert "1 copied (1 total)" in out
    assert "Online only, not in the mirror (5; `kpss data fetch --online --only rpss`" in out
    assert "social_services/rpss.json" in out and "social_services/cilove-skupiny-osoby.json" in out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        pass


@pytest.fixture()
def publisher(tmp_path):
    """A loopback HTTP server publishing the files in ``tmp_path / 'www'``."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)


def test_online_fetch_of_unpinned_register_keeps_a_dated_copy_the_build_reads(publisher, tmp_path, territory,
                                                                               monkeypatch):
    root, base = publisher
    body = json.dumps({"polozky": RPSS_ITEMS}, ensure_ascii=False).encode()
    (root / "rpss.json").write_bytes(body)
    monkeypatch.setattr(fetch, "DATASETS", (Dataset("rpss", "Registr", "MPSV", "denně", (
        RawFile(RPSS, url=f"{base}/rpss.json"),)),))
    monkeypatch.setattr(fetch, "_today", lambda: dt.date(2026, 9, 12))
    raw = tmp_path / "raw"

    with requests.Session() as session:
        session.trust_env = False
        results = fetch.fetch_all(raw, progress=False, session=session)
        again = fetch.fetch_all(raw, progress=False, session=session)

    assert [(r.status, r.source) for r in results] == [("downloaded-newer", f"{base}/rpss.json")]
    assert f"not hash-pinned ({len(body)} bytes)" in results[0].detail and "registry pins" not in results[0].detail
    assert (raw / "social_services/rpss_2026-09-12.json").read_bytes() == body
    assert [r.status for r in again] == ["present"]
    _, report = build_services(raw, territory)
    assert report["snapshot"] == "2026-09-12"


# --------------------------------------------------------------------------- real mirror data


def test_real_katalog_matches_the_provenance_figures(use_data):
    report = load.load_build_report()["social_services"]
    services, capacities, places = load.load_services(), load.load_service_capacities(), load.load_service_places()

    assert load.load_services_meta() == {
        "source": "katalog", "snapshot": "2026-09-04", "coverage": "senioři",
        "citation": get_dataset("social_services").citation}
    # 2 224 distinct services, of which 8 ended in 2012 (none of them a home: DS/DZR figures stay).
    assert len(services) + report["counts"]["services_ended_excluded"] == 2224
    assert report["ended_services"] == ["57", "64", "3954", "3955", "4057", "4058", "4442", "4443"]
    assert services["service_id"].is_unique and report["unreadable"] == []
    beds = capacities[capacities["capacity_type"] == "luzka"].merge(services[["service_id", "druh_code"]])
    assert beds.loc[beds["druh_code"] == "13", "capacity"].sum() == 34_829
    assert beds.loc[beds["druh_code"] == "14", "capacity"].sum() == 7_632
    unlocated = set(places.loc[places["place_id"].isna(), "service_id"])
    assert len(unlocated) == report["counts"]["services_without_address"] == 20
    assert beds.loc[(beds["druh_code"] == "13") & beds["service_id"].isin(unlocated), "capacity"].sum() == 499
    # Every service has at least one row in the places table, and no service × place twice.
    assert set(places["service_id"]) == set(services["service_id"])
    assert not places.duplicated(["service_id", "place_id"]).any()
    # First line of the file: Domov pro seniory Carvac, 32 beds, Nemocniční 2272/54, Aš (ORP Aš, Karlovarský kraj).
    carvac = places[places["service_id"] == "4951"].iloc[0]
    assert (carvac["address"], carvac["obec_kod"], carvac["orp_kod"], carvac["kraj_kod"]) == (
        "Nemocniční 2272/54, 352 01 Aš", "554499", "4101", "3051")
    assert capacities.loc[capacities["service_id"] == "4951", "capacity"].tolist() == [32.0]
    assert load.load_service_target_groups().empty and load.load_service_territory().empty
    assert list(load.load_service_territory().columns) == TABLE_COLUMNS["service_territory"]


def test_real_points_fall_in_their_obec(use_data):
    places = load.load_service_places()
    points = places[places["has_point"]].drop_duplicates("place_id")
    obce = load.load_boundaries("obec")[["obec_kod", "geometry"]].rename(columns={"obec_kod": "polygon_obec"})
    joined = gpd.sjoin(points, obce, how="left", predicate="within")
    share = (joined["polygon_obec"] == joined["obec_kod"]).mean()
    # Generalised boundaries cut off a few addresses near a border; swapped axes would give 0.
    assert share > 0.98 and len(points) > 2000


def test_real_build_step_is_fast(data_dir):
    territory = pd.read_parquet(data_dir / "processed" / table_files.TABLES["territory"])
    started = time.perf_counter()
    tables, _ = build_services(data_dir / "raw", territory)
    seconds = time.perf_counter() - started
    assert len(tables["services"]) == 2216
    assert seconds < 3, f"social services step took {seconds:.1f} s"
