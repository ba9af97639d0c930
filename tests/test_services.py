"""Social services: attribution (count once, equal split), overview, ratios, gaps, catalogue, map.

The frames below follow the contract of the loaders (``load_services`` and siblings) and are
small enough to check every number by hand:

* ORPs A (1001) and B (1002) lie in kraj K1 (1000), ORP C (2001) in kraj K2 (2000); obce a1, a2
  in A, b1 in B, c1 in C.
* s1 (domov pro seniory, 60 lůžek) has three places: a1, a2 (ORP A) and b1 (ORP B) → 40 to A,
  20 to B. s4 (domov pro seniory, 50 lůžek) has no address → unlocated. s3 (pečovatelská služba,
  40 klientů terénní + 10 ambulantní) is at a1 and at an address without an obec code → half
  unlocated.
"""

from __future__ import annotations

import json

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from shapely.geometry import Point, box

matplotlib.use("Agg")

from conftest import toy_age5, toy_territory
from kpss_analysis import fmt
from kpss_analysis.analysis import capacity, catalogue, service_counts, services_text
from kpss_analysis.analysis import services as svc
from kpss_analysis.analysis.territory import Orp  # noqa: E402
from kpss_analysis.errors import DataValidationError, ParameterError  # noqa: E402
from kpss_analysis.report import plots
from kpss_analysis.report.output import ChapterOutput  # noqa: E402

ORP_A = Orp("1001", "Alfa", "1000", "Kraj Jedna", 2)
ORP_C = Orp("2001", "Gama", "2000", "Kraj Dva", 1)
META = {"source": "katalog", "snapshot": "2026-09-04", "coverage": "senioři",
        "citation": "MPSV, Registr poskytovatelů sociálních služeb, stav k 4. 9. 2026"}

DRUHY = {"13": ("Domovy pro seniory", "§ 49", "péče"), "14": ("Domovy se zvláštním režimem", "§ 50", "péče"),
         "4": ("Pečovatelská služba", "§ 40", "péče"), "1": ("Odborné sociální poradenství", "§ 37", "poradenství"),
         "5": ("Tísňová péče", "§ 41", "péče")}


@pytest.fixture()
def territory():
    rows = [("500001", "a1", "1001", "Alfa", "0001", "1000", "Kraj Jedna"),
            ("500002", "a2", "1001", "Alfa", "0001", "1000", "Kraj Jedna"),
            ("500003", "b1", "1002", "Beta", "0002", "1000", "Kraj Jedna"),
            ("500004", "c1", "2001", "Gama", "0003", "2000", "Kraj Dva")]
    return toy_territory(rows, ["obec_kod", "obec_nazev", "orp_kod", "orp_nazev", "okres_kod", "kraj_kod", "kraj_nazev"])


@pytest.fixture()
def age5():
    """Per obec 1 000 people aged 60–64, 300 aged 65–74, 200 aged 75–79 and 100 aged 80+, times a factor."""
    factors = {"500001": 1, "500002": 2, "500003": 1, "500004": 3}
    return toy_age5({obec: [("M", age, count * factor) for age, count in ((60, 1000), (65, 300), (75, 200), (80, 100))]
                     for obec, factor in factors.items()})


def _service(sid, name, provider, ico, druh):
    druh_name, paragraph, group = DRUHY[druh]
    return {"service_id": sid, "name": name, "provider_name": provider, "provider_ico": ico, "druh_code": druh,
            "druh_name": druh_name, "paragraph": paragraph, "druh_group": group, "date_from": "2015-01-01",
            "date_to": None, "web": np.array([f"www.{sid}.cz"]), "email": [f"{sid}@example.cz"],
            "phone": [] if sid != "s1" else ["123 456 789", "987 654 321"], "source": "katalog",
            "snapshot": "2026-09-04"}


@pytest.fixture()
def services():
    return pd.DataFrame([
        _service("s1", "Domov Chodov", "Poskytovatel A", "00000001", "13"),
        _service("s2", "Domov Zvláštní", "Poskytovatel A", "00000001", "14"),
        _service("s3", "Pečovatelská služba Alfa", "Poskytovatel B", "00000002", "4"),
        _service("s4", "Domov bez adresy", "Poskytovatel C", "00000003", "13"),
        _service("s5", "Poradna", "Poskytovatel A", "00000001", "1"),
        _service("s6", "Tísňová linka", "Poskytovatel D", "00000004", "5"),
        _service("s7", "Domov Hvězda", "Poskytovatel E", "00000005", "13"),
        _service("s8", "Domov Čechy", "Poskytovatel E", "00000005", "13"),
        _service("s9", "Domov Cesta", "Poskytovatel F", "00000006", "13"),
    ])


@pytest.fixture()
def capacities():
    rows = [("s1", "pob", "luzka", 60), ("s2", "pob", "luzka", 30), ("s3", "ter", "klient", 40),
            ("s3", "amb", "klient", 10), ("s4", "pob", "luzka", 50), ("s5", "amb", "klient", 20),
            ("s5", "amb", "interv", 100), ("s6", "ter", None, np.nan), ("s7", "pob", "luzka", 10),
            ("s8", "pob", "luzka", 20), ("s9", "pob", "luzka", 5)]
    frame = pd.DataFrame(rows, columns=["service_id", "forma", "capacity_type", "capacity"])
    return frame.astype({"capacity_type": "string", "capacity": float})


OBEC_OF = {"a1": ("500001", "1001", "1000"), "a2": ("500002", "1001", "1000"), "b1": ("500003", "1002", "1000"),
           "c1": ("500004", "2001", "2000"), None: (None, None, None)}
OBEC_SQUARES = {"500001": (0, 0), "500002": (10, 0), "500003": (20, 0), "500004": (30, 0)}


@pytest.fixture()
def places():
    rows = [("s1", "p1", "a1"), ("s1", "p2", "a2"), ("s1", "p3", "b1"), ("s2", "p1", "a1"), ("s3", "p1", "a1"),
            ("s3", "p9", None), ("s4", None, None), ("s5", "p3", "b1"), ("s6", "p4", "c1"), ("s7", "p2", "a2"),
            ("s8", "p1", "a1"), ("s9", "p5", "a1")]
    records = []
    for sid, place, obec in rows:
        obec_kod, orp_kod, kraj_kod = OBEC_OF[obec]
        has_point = place is not None and place not in ("p5", "p9")
        x0, y0 = OBEC_SQUARES.get(obec_kod, (0, 0))
        records.append({"service_id": sid, "place_id": place, "address_point": None,
                        "address": None if place is None else f"Ulice {place}, {obec or 'neznámá obec'}",
                        "obec_kod": obec_kod, "orp_kod": orp_kod, "kraj_kod": kraj_kod, "has_point": has_point,
                        "geometry": Point(x0 + 2, y0 + 3) if has_point else None})
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:5514")
    return frame.astype(dict.fromkeys(("place_id", "address", "obec_kod", "orp_kod", "kraj_kod"), "string"))


@pytest.fixture()
def obce():
    return gpd.GeoDataFrame({"obec_kod": list(OBEC_SQUARES), "obec_nazev": ["a1", "a2", "b1", "c1"],
                             "orp_kod": ["1001", "1001", "1002", "2001"]},
                            geometry=[box(x, y, x + 10, y + 10) for x, y in OBEC_SQUARES.values()], crs="EPSG:5514")


@pytest.fixture()
def targets():
    table = capacity.load_target_populations()
    extra = pd.DataFrame([{"label": "Neexistující druh", "druh_codes": ("99",), "capacity_type": "klient",
                           "age_from": 65, "note": ""}], index=pd.Index(["x"], name="key"))
    return pd.concat([table.loc[["ds", "dzr", "ds_dzr", "ps_65", "ps_80"]], extra])


# --------------------------------------------------------------------------- attribution


def test_place_shares_split_each_service_equally(services, places):
    shares = svc.compute_place_shares(services, places).set_index(["service_id", "place_id"])["share"]
    assert shares[("s1", "p1")] == pytest.approx(1 / 3)
    assert shares[("s3", "p9")] == pytest.approx(1 / 2)
    assert shares.groupby(level="service_id").sum().to_dict() == pytest.approx({f"s{i}": 1.0 for i in range(1, 10)})


def test_service_missing_from_places_is_unlocated(services, places):
    shares = svc.compute_service_shares(services, places[places["service_id"] != "s5"], "orp")
    assert shares.loc[shares["service_id"] == "s5", ["unit", "share"]].values.tolist() == [[svc.UNLOCATED, 1.0]]


def test_service_listed_twice_at_one_place_is_an_error(services, places):
    doubled = pd.concat([places, places[places["service_id"] == "s2"]])
    with pytest.raises(DataValidationError, match="Service s2 is listed more than once at place p1"):
        svc.compute_place_shares(services, doubled)


def test_attribution_splits_capacity_equally_and_counts_once(services, capacities, places):
    orp = svc.compute_attribution(services, capacities, places, "orp")
    beds = svc.capacity_by_unit(orp, ["13"], "luzka")
    # A: 2/3 of s1's 60 + s7 10 + s8 20 + s9 5; B: 1/3 of 60; s4 (50) has no address.
    assert beds.to_dict() == pytest.approx({"1001": 75.0, "1002": 20.0, svc.UNLOCATED: 50.0})
    clients = svc.capacity_by_unit(orp, ["4"], "klient")
    assert clients.to_dict() == pytest.approx({"1001": 25.0, svc.UNLOCATED: 25.0})
    s1 = svc.compute_attribution(services[services["service_id"] == "s1"], capacities, places, "orp")
    assert s1["capacity"].sum() == pytest.approx(60.0)  # the shares of one service sum to its capacity
    assert s1.set_index("unit")["services"].to_dict() == pytest.approx({"1001": 2 / 3, "1002": 1 / 3})


def test_orps_plus_unlocated_equal_the_national_total(services, capacities, places):
    keys = ["druh_code", "forma", "capacity_type"]
    orp = svc.compute_attribution(services, capacities, places, "orp").groupby(keys, dropna=False)[
        ["capacity", "services"]].sum(min_count=1)
    cr = svc.compute_attribution(services, capacities, places, "cr").set_index(keys)[["capacity", "services"]]
    pd.testing.assert_frame_equal(orp.sort_index(), cr.sort_index(), check_dtype=False)
    assert cr.loc[("13", "pob", "luzka"), "capacity"] == 145.0
    assert np.isnan(cr.loc[("5", "ter", np.nan), "capacity"])  # a form without capacity stays "no capacity"


def test_kraj_level_sums_its_orps(services, capacities, places):
    kraj = svc.compute_attribution(services, capacities, places, "kraj")
    assert svc.capacity_by_unit(kraj, ["13", "14"], "luzka").to_dict() == pytest.approx(
        {"1000": 125.0, svc.UNLOCATED: 50.0})


def test_unknown_level_is_an_error(services, capacities, places):
    with pytest.raises(ValueError, match="unknown level 'okres'"):
        svc.compute_attribution(services, capacities, places, "okres")


def test_service_counts_by_form(services, capacities, places):
    counts = svc.compute_service_counts(services, capacities, places, "orp").groupby("unit")[
        ["pob", "amb", "ter", "total"]].sum()
    assert counts.loc["1001"].to_dict() == pytest.approx({"pob": 2 / 3 + 4, "amb": 0.5, "ter": 0.5, "total": 2 / 3 + 4.5})
    assert counts.loc["2001"].to_dict() == pytest.approx({"pob": 0, "amb": 0, "ter": 1, "total": 1})
    assert counts["total"].sum() == pytest.approx(9)  # every service counted once


# --------------------------------------------------------------------------- overview tables


def test_unit_overview_orp_kraj_cr(services, capacities, places):
    table = svc.compute_unit_overview(services, capacities, places, ORP_A).set_index("key")
    assert list(table.columns) == ["ukazatel", "SO ORP Alfa", "Kraj Jedna", "Česko"]
    assert table.loc["total"].iloc[1:].tolist() == pytest.approx([2 / 3 + 4.5, 2 / 3 + 4.5 + 1 / 3 + 1, 9])
    assert table.loc["providers"].iloc[1:].tolist() == [4, 4, 6]  # s5 in B has the IČO of s1
    assert table.loc["druhy", "SO ORP Alfa"] == 3


def test_druh_forma_table_in_paragraph_order_with_total(services, capacities, places):
    table = svc.compute_druh_forma_table(services, capacities, places, ORP_A)
    assert table["paragraph"].tolist() == ["§ 40", "§ 49", "§ 50", ""]
    assert table.iloc[-1][["druh_name", "total"]].tolist() == ["Celkem", pytest.approx(2 / 3 + 4.5)]
    assert table.iloc[1][["pob", "amb", "ter"]].tolist() == pytest.approx([2 / 3 + 3, 0, 0])


def test_capacity_table_names_units_and_never_adds_types(services, capacities, places):
    table = svc.compute_capacity_table(services, capacities, places, ORP_A)
    poradna = table[table["druh_name"] == "Odborné sociální poradenství"]
    assert poradna[["unit_label", "SO ORP Alfa", "Kraj Jedna", "Česko"]].values.tolist() == [
        ["klienti", 0.0, 20.0, 20.0], ["intervence", 0.0, 100.0, 100.0]]
    ds = table[table["druh_name"] == "Domovy pro seniory"].iloc[0]
    assert (ds["SO ORP Alfa"], ds["Kraj Jedna"], ds["Česko"]) == pytest.approx((75, 95, 145))
    assert table["paragraph"].tolist() == ["§ 37", "§ 37", "§ 40", "§ 49", "§ 50"]  # no row for a form without capacity


# --------------------------------------------------------------------------- ratios and ranking


def test_target_population_table_is_valid_and_documented():
    table = capacity.load_target_populations()
    assert table.loc["ds_dzr", "druh_codes"] == ("13", "14")
    assert table.loc["ds", ["capacity_type", "age_from"]].tolist() == ["luzka", 75]
    assert table["note"].str.len().min() > 20


@pytest.mark.parametrize("row, message", [
    ("ds,Domovy,13,luzka,72,x", "řádek 'ds': age_from '72' musí být násobek 5"),
    ("ds,Domovy,13,mista,75,x", "capacity_type 'mista' není jeden z typů"),
])
def test_invalid_target_population_row_names_file_and_key(tmp_path, row, message):
    path = tmp_path / "cile.csv"
    path.write_text("key,label,druh_codes,capacity_type,age_from,note\n" + row + "\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=message) as error:
        capacity.load_target_populations(path)
    assert str(path) in str(error.value)


def test_target_population(age5, territory):
    assert capacity.compute_target_population(age5, territory, "orp", 75).to_dict() == {"1001": 900, "1002": 300, "2001": 900}
    assert capacity.compute_target_population(age5, territory, "cr", 80).to_dict() == {"CZ": 700}


def test_capacity_ratios_orp_kraj_cr_and_rank(services, capacities, places, age5, territory, targets):
    ratios = capacity.compute_capacity_ratios(services, capacities, places, age5, territory, ORP_A, targets).set_index("key")
    row = ratios.loc["ds_dzr"]
    assert (row["capacity_orp"], row["population_orp"]) == (105.0, 900)
    assert row["ratio_orp"] == pytest.approx(1000 * 105 / 900)
    assert row["ratio_kraj"] == pytest.approx(1000 * 125 / 1200)
    assert row["ratio_cr"] == pytest.approx(1000 * 175 / 2100)  # ČR includes the unlocated home
    assert (row["rank"], row["n_orp"]) == (1, 2)
    assert ratios.loc["ps_80", "ratio_orp"] == pytest.approx(1000 * 25 / 300)
    assert ratios.loc["ps_65", "target_label"] == "65+"


def test_druh_not_in_the_data_is_not_available_never_zero(services, capacities, places, age5, territory, targets):
    ratios = capacity.compute_capacity_ratios(services, capacities, places, age5, territory, ORP_A, targets)
    missing = ratios.set_index("key").loc["x"]
    assert not missing["covered"]
    assert np.isnan(missing["capacity_orp"]) and np.isnan(missing["ratio_cr"])
    table = capacity.ratio_table(ratios, ORP_A).set_index("Druh služby")
    assert table.loc["Neexistující druh", "Poznámka"] == svc.NOT_AVAILABLE
    assert table.loc["Neexistující druh", "Pořadí ORP v kraji"] == "–"
    assert table.loc["Domovy pro seniory", "Pořadí ORP v kraji"] == "1. z 2"
    # A covered druh that the ORP lacks is a real zero, without a rank among tied zeros.
    ratios_c = capacity.compute_capacity_ratios(services, capacities, places, age5, territory, ORP_C, targets)
    assert ratios_c.set_index("key").loc["ds", "ratio_orp"] == 0.0
    table_c = capacity.ratio_table(ratios_c, ORP_C).set_index("Druh služby")
    assert table_c.loc["Domovy pro seniory", ["Pořadí ORP v kraji", "Poznámka"]].tolist() == ["–", capacity.NO_CAPACITY]


def test_ratio_ranking_within_the_kraj(services, capacities, places, age5, territory, targets):
    attribution = svc.compute_attribution(services, capacities, places, "orp")
    ranking = capacity.compute_ratio_ranking(attribution, age5, territory, "1000", targets.loc["ds"])
    assert ranking["orp_kod"].tolist() == ["1001", "1002"]
    assert ranking["value"].tolist() == pytest.approx([1000 * 75 / 900, 1000 * 20 / 300])
    assert ranking["rank"].tolist() == [1, 2]


# --------------------------------------------------------------------------- gap to the horizon


def test_capacity_gap_for_each_scenario(services, capacities, places, age5, territory, targets):
    ratios = capacity.compute_capacity_ratios(services, capacities, places, age5, territory, ORP_A, targets)
    horizon = pd.DataFrame({"year": [2030, 2030], "age_from": [75, 65], "population": [1800.0, 1800.0]})
    gap = capacity.compute_capacity_gap(ratios, horizon, norms={"ds_dzr": 50.0}, keys=["ds_dzr", "ps_65"])
    row = gap.set_index("key").loc["ds_dzr"]
    assert row["existing"] == 105.0
    # 75+ doubles from 900 to 1 800: today's ORP ratio needs twice today's beds.
    assert [row[f"needed_{s}"] for s in ("orp", "kraj", "cr", "norm")] == pytest.approx([210, 187.5, 150, 90])
    assert [row[f"difference_{s}"] for s in ("orp", "kraj", "cr", "norm")] == pytest.approx([105, 82.5, 45, -15])
    assert np.isnan(gap.set_index("key").loc["ps_65", "needed_norm"])  # no norm set for it
    assert gap["key"].tolist() == ["ds_dzr", "ps_65"]


def test_gap_with_today_population_keeps_today_capacity(services, capacities, places, age5, territory, targets):
    ratios = capacity.compute_capacity_ratios(services, capacities, places, age5, territory, ORP_A, targets)
    horizon = pd.DataFrame([{"year": 2030, "age_from": age,
                             "population": capacity.compute_target_population(age5, territory, "orp", age)[ORP_A.code]}
                            for age in sorted(set(targets["age_from"]))])
    gap = capacity.compute_capacity_gap(ratios, horizon)
    assert "x" not in set(gap["key"])  # not covered: not planned from zero
    assert gap["difference_orp"].abs().max() == pytest.approx(0)
    chart = capacity.gap_chart_table(gap)
    assert list(chart.columns) == ["kategorie", "Stávající kapacita", "Potřeba – dnešní poměr ORP",
                                   "Potřeba – poměr kraje", "Potřeba – poměr Česka"]
    assert chart["kategorie"].iloc[0] == "Domovy pro seniory (lůžka), 2030"


@pytest.mark.parametrize("norms, keys, message", [
    ({"dz": 10.0}, None, r"neznámé klíče \['dz'\]; tabulka cílových populací má ds, dzr"),
    ({"ds": -1.0}, None, "normy musí být čísla ≥ 0"),
    ({}, ["ps_80"], "nemají věkovou skupinu 80\\+"),
])
def test_capacity_gap_rejects_bad_parameters(services, capacities, places, age5, territory, targets, norms, keys,
                                             message):
    ratios = capacity.compute_capacity_ratios(services, capacities, places, age5, territory, ORP_A, targets)
    horizon = pd.DataFrame({"year": [2030], "age_from": [75], "population": [900.0]})
    with pytest.raises(ParameterError, match=message):
        capacity.compute_capacity_gap(ratios, horizon, norms=norms, keys=keys)


def test_chapter_parameters_are_checked_with_czech_messages(targets):
    assert capacity.check_parameters([2040, 2030, 2030], ["ds"], {"ds": 40.0}, "ds_dzr", targets) == [2030, 2040]
    with pytest.raises(ParameterError) as error:
        capacity.check_parameters([], ["dz"], {"ds": "40"}, "ds_dzr", targets)
    message = str(error.value)
    assert message.startswith("Chybné parametry kapitoly: horizon_years musí být neprázdný seznam let")
    assert "neznámé klíče ['dz']" in message and "zadáno {'ds': '40'}" in message


# --------------------------------------------------------------------------- serving view


def test_serving_view_splits_by_covered_population(services, capacities, age5, territory):
    declared = pd.DataFrame({"service_id": ["s3", "s6", "s6"], "level": ["kraj", "obec", "orp"],
                             "code": ["1000", "500004", "2001"]})
    serving = svc.compute_serving_attribution(services, capacities, declared, age5, territory)
    clients = svc.capacity_by_unit(serving, ["4"], "klient")
    # Kraj K1 covers a1 (1 600 people), a2 (3 200) and b1 (1 600): 3/4 of s3 to A, 1/4 to B.
    assert clients.to_dict() == pytest.approx({"1001": 37.5, "1002": 12.5})
    s6 = serving[serving["druh_code"] == "5"]
    assert s6[["unit", "services"]].values.tolist() == [["2001", 1.0]]  # obec and ORP of C: counted once


def test_located_and_serving_side_by_side(services, capacities, places, age5, territory):
    declared = pd.DataFrame({"service_id": ["s3"], "level": ["kraj"], "code": ["1000"]})
    serving = svc.compute_serving_attribution(services, capacities, declared, age5, territory)
    located = svc.compute_attribution(services, capacities, places, "orp")
    table = svc.compute_located_vs_serving(services, located, serving, ORP_A)
    care = table[table["druh_name"] == "Pečovatelská služba"].iloc[0]
    assert (care["unit_label"], care["located"], care["serving"]) == ("klienti", 25.0, 37.5)
    homes = table[table["druh_name"] == "Domovy pro seniory"].iloc[0]
    assert (homes["located"], homes["serving"]) == (75.0, 0.0)  # no declared territory: not in the serving view


def test_map_description_counts_hollow_places(services, capacities, places, obce):
    points = catalogue.compute_map_points(services, capacities, places, obce, "1001")
    assert services_text.describe_map_points(points) == ("Míst poskytování v mapě (služba × adresa): 7. Z toho bez souřadnic "
                                               "v registru (prázdná značka ve středu obce): 1.")
    without_a1 = catalogue.compute_map_points(services, capacities, places, obce[obce["obec_kod"] != "500001"], "1001")
    assert services_text.describe_map_points(without_a1) == (
        "Míst poskytování v mapě (služba × adresa): 6. Nelze zakreslit (obec bez hranice v mapovém podkladu): 1.")


def test_serving_view_needs_the_register(services, capacities, age5, territory):
    empty = pd.DataFrame(columns=["service_id", "level", "code"])
    assert svc.compute_serving_attribution(services, capacities, empty, age5, territory).empty
    assert "vyžaduje úplný registr" in services_text.describe_serving(META, empty)
    assert "neuvádí u žádné služby území působnosti" in services_text.describe_serving({**META, "source": "rpss"}, empty)


# --------------------------------------------------------------------------- catalogue


def test_czech_collation():
    words = ["Hodonín", "Chrudim", "Cesta", "Čáslav", "cukr", "Řevnice", "Rakovník", "Žatec", "Zlín", "Ivančice"]
    assert sorted(words, key=catalogue.czech_sort_key) == [
        "Cesta", "cukr", "Čáslav", "Hodonín", "Chrudim", "Ivančice", "Rakovník", "Řevnice", "Zlín", "Žatec"]


@pytest.mark.parametrize("value, capacity_type, text", [
    (1, "luzka", "1 lůžko"), (3, "luzka", "3 lůžka"), (40, "luzka", "40 lůžek"), (2.5, "luzka", "2,5 lůžka"),
    (1, "klient", "1 klient"), (22, "klient", "22 klientů"), (4, "hovor", "4 hovory"), (1200, "interv", "1 200 intervencí"),
])
def test_capacity_text_agrees_with_the_number(value, capacity_type, text):
    assert catalogue.capacity_text(value, capacity_type) == text.replace(" ", "\u00a0")


def test_catalogue_one_entry_per_service_grouped_and_sorted(services, capacities, places):
    groups = catalogue.compute_catalogue(services, capacities, places, "1001")
    assert [(g["paragraph"], g["druh"]) for g in groups] == [
        ("§ 40", "Pečovatelská služba"), ("§ 49", "Domovy pro seniory"), ("§ 50", "Domovy se zvláštním režimem")]
    homes = groups[1]["entries"]
    assert [e["name"] for e in homes] == ["Domov Cesta", "Domov Čechy", "Domov Hvězda", "Domov Chodov"]
    chodov = homes[3]
    assert chodov == {"name": "Domov Chodov", "provider": "Poskytovatel A", "ico": "00000001",
                      "addresses": ["Ulice p1, a1", "Ulice p2, a2"], "forms": ["pobytová"],
                      "capacities": ["60\u00a0lůžek (pobytová)"], "web": ["www.s1.cz"], "email": ["s1@example.cz"],
                      "phone": ["123 456 789", "987 654 321"]}
    care = groups[0]["entries"][0]
    assert care["addresses"] == ["Ulice p1, a1"]  # only the ORP's address
    assert care["forms"] == ["ambulantní", "terénní"]
    assert care["capacities"] == ["10\u00a0klientů (ambulantní)", "40\u00a0klientů (terénní)"]
    assert sum(len(g["entries"]) for g in groups) == 6
    json.dumps(groups, ensure_ascii=False)  # plain JSON types only


def test_chapter_output_catalogue_files_and_manifest(services, capacities, places, tmp_path):
    groups = catalogue.compute_catalogue(services, capacities, places, "1001")
    out = ChapterOutput(ORP_A, tmp_path, "03_socialni_sluzby")
    paths = out.catalogue(groups, "katalog", caption="Katalog služeb", source=services_text.source_text(META))
    assert [p.name for p in paths] == ["katalog.xlsx", "katalog.json"]
    data = json.loads(paths[1].read_text(encoding="utf-8"))
    # texts through the one formatting layer; phone numbers in one format ("+420 123 456 789")
    source = fmt.text(services_text.source_text(META))
    phones = [entry["phone"] for group in data["groups"] for entry in group["entries"] if entry["phone"]]
    assert phones == [["+420\u00a0123\u00a0456\u00a0789", "+420\u00a0987\u00a0654\u00a0321"]]
    for group in groups:
        for entry in group["entries"]:
            entry["phone"] = [fmt.phone(p) for p in entry["phone"]]
    assert data == {"caption": "Katalog služeb", "source": source, "groups": groups}
    sheet = load_workbook(paths[0]).active
    assert [c.value for c in sheet[3]][:6] == ["Druh služby", "§", "Skupina", "Název služby", "Poskytovatel", "IČO"]
    assert sheet.max_row - 3 - 2 == 6  # one row per service, the source line after a blank row
    assert sheet["G8"].value == "Ulice p1, a1; Ulice p2, a2" and sheet["F8"].value == "00000001"  # Domov Chodov
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["items"][0] == {"kind": "catalogue", "name": "katalog", "chapter": "03_socialni_sluzby",
                                    "caption": "Katalog služeb", "source": source,
                                    "files": ["tables/katalog.xlsx", "tables/katalog.json"]}


def test_source_text_names_snapshot_and_coverage():
    assert services_text.source_text(META, "age_structure") == (
        "MPSV, Registr poskytovatelů sociálních služeb, stav k 4. 9. 2026; pokrytí: registrované sociální služby "
        "s cílovou skupinou senioři; ČSÚ, Věkové složení obyvatelstva obcí (stav k 31. 12. 2020)")
    assert services_text.coverage_text({**META, "source": "rpss"}) == "všechny registrované sociální služby"


# --------------------------------------------------------------------------- map and summary


def test_map_points_put_places_without_coordinates_at_their_obec(services, capacities, places, obce):
    points = catalogue.compute_map_points(services, capacities, places, obce, "1001").set_index("service_id")
    assert len(points) == 7  # s1 twice (a1, a2), s2, s3, s7, s8, s9
    s9 = points.loc["s9"]
    assert s9["at_obec_point"] and s9.geometry.equals(obce.set_index("obec_kod").representative_point()["500001"])
    assert points.loc["s1", "size_value"].tolist() == [20.0, 20.0]  # 60 beds over three places
    assert (points.loc["s3", "size_value"], points.loc["s3", "size_unit"]) == (25.0, "klienti")


def test_map_legend_counts_groups_and_hollow_places(services, capacities, places, obce):
    points = catalogue.compute_map_points(services, capacities, places, obce, "1001")
    ax = plots.map_service_places(points, obce[obce["orp_kod"] == "1001"])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["péče (7)", "bez souřadnic,\nve středu obce (1)"]  # groups without places are left out
    assert {"5", "10", "20"} <= set(texts)  # size legend at 1/5, 1/2 and all of the largest (20 beds)


def test_summary_numbers(services, capacities, places, age5, territory):
    summary = services_text.services_summary(services, capacities, places, age5, territory, ORP_A, META)
    assert summary["orp"] == {"code": "1001", "name": "SO ORP Alfa", "services": pytest.approx(2 / 3 + 4.5, abs=1e-4),
                              "services_count": 6, "beds_ds": 75.0, "beds_dzr": 30.0, "beds_ds_dzr": 105.0, "population_75plus": 900,
                              "beds_per_1000_75plus": pytest.approx(116.6667)}
    assert summary["cr"]["beds_ds_dzr"] == 175.0 and summary["cr"]["services"] == 9.0
    assert summary["snapshot"] == "2026-09-04" and summary["population_date"] == "2020-12-31"
    text = services_text.describe_overview(summary, ORP_A)
    assert "stav k 4.\u00a09.\u00a02026" in text and "116,7" in text
    # whole services in the text as in the table, with the Czech plural of the noun
    assert "adresu **6** registrovaných sociálních služeb (v kraji 7, v Česku 9)" in text


def test_describe_unlocated(services, capacities, places):
    text = services_text.describe_unlocated(services, capacities, places)
    assert "1,5" in text and "50,0" in text


def test_unlocated_services_are_listed_in_catalogue_order():
    services = pd.DataFrame({"service_id": ["1", "2", "3", "4"], "name": ["Chráněné bydlení", "Hospic", "Cesta", "Č"],
                             "provider_name": ["P"] * 4, "provider_ico": ["00000001"] * 4,
                             "druh_name": ["Domovy", "Domovy", "Domovy", "Azyl"]})
    places = pd.DataFrame({"service_id": ["1", "2", "3", "4"], "place_id": [None, "misto-9", None, None]})
    out = services_text.compute_unlocated_services(services, places)
    # Service 2 has an address; by druh, then name in Czech collation ("Ch" after "H", "Č" after "C").
    assert out["Název služby"].tolist() == ["Č", "Cesta", "Chráněné bydlení"]
    assert list(out.columns) == ["Druh služby", "Název služby", "Poskytovatel", "IČO"]


# --------------------------------------------------------------------------- whole counts for plan tables


def test_whole_counts_count_each_service_once_per_unit(services, capacities, places):
    # ORP 1001 holds a place of s1 (a1, a2), s2, s3, s7, s8, s9: 6 services, though s1 has a third place in 1002
    table = service_counts.compute_unit_overview_counts(services, capacities, places, ORP_A).set_index("key")
    orp, kraj, cr = (table[column] for column in table.columns[1:])
    assert orp[["total", "pob", "amb", "ter"]].tolist() == [6, 5, 1, 1]  # s3 has two forms: in both, once in total
    assert kraj[["total", "pob", "amb", "ter"]].tolist() == [7, 5, 2, 1]  # + s5 (poradna in 1002)
    assert cr[["total", "pob", "amb", "ter"]].tolist() == [9, 6, 2, 2]  # every service, s4 without address too
    assert orp.dtype == "int64" and orp["providers"] == 4  # A, B, E, F


def test_whole_druh_forma_table_total_row_is_the_sum(services, capacities, places):
    table = service_counts.compute_druh_forma_counts(services, capacities, places, ORP_A)
    assert table["druh_name"].tolist()[-1] == "Celkem"
    assert table["total"].tolist() == [1, 4, 1, 6]  # § 40 (s3), § 49 (s1, s7, s8, s9), § 50 (s2), total
    assert table.iloc[-1][["pob", "amb", "ter"]].tolist() == [5, 1, 1]
