"""Services for target groups other than seniors, and the chapter 04 charts (toy frames, numbers by hand).

Toy register: ORPs A (1001) and B (1002) in kraj K1 (1000).

* t1 (sociálně aktivizační služby pro rodiny s dětmi, 30 klientů, ambulantní) has two places, in A and
  in B → half a service and 15 klientů in A. Target group "rodiny s dítětem/dětmi".
* t2 (chráněné bydlení, 12 lůžek) is at A only; target groups "osoby s mentálním postižením" and
  "osoby do 26 let věku opouštějící školská zařízení pro výkon ústavní péče" → families (do 26 let),
  disability and exclusion (opouštějící).
* t3 (azylové domy, no capacity registered) is at A; target group "osoby bez přístřeší".
* t4 (domov pro seniory, 50 lůžek) in A has only "senioři" → in no group.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

matplotlib.use("Agg")

from kpss_analysis.analysis import target_services as ts  # noqa: E402
from kpss_analysis.analysis.labels import czech_columns  # noqa: E402
from kpss_analysis.analysis.territory import Orp  # noqa: E402
from kpss_analysis.report import target_group_plots as tgp  # noqa: E402

ORP_A = Orp("1001", "Alfa", "1000", "Kraj Jedna", 2)
RPSS = {"source": "rpss", "snapshot": "2026-12-01", "coverage": "všechny cílové skupiny", "citation": "MPSV"}
KATALOG = {**RPSS, "source": "katalog", "coverage": "senioři"}
DRUHY = {"t1": ("29", "Sociálně aktivizační služby pro rodiny s dětmi", "§ 65"),
         "t2": ("15", "Chráněné bydlení", "§ 51"), "t3": ("20", "Azylové domy", "§ 57"),
         "t4": ("13", "Domovy pro seniory", "§ 49")}


@pytest.fixture()
def services() -> pd.DataFrame:
    return pd.DataFrame([{"service_id": sid, "name": sid, "provider_name": "P", "provider_ico": f"0000000{i}",
                          "druh_code": code, "druh_name": name, "paragraph": paragraph, "druh_group": "prevence"}
                         for i, (sid, (code, name, paragraph)) in enumerate(DRUHY.items())])


@pytest.fixture()
def capacities() -> pd.DataFrame:
    return pd.DataFrame([("t1", "amb", "klient", 30.0), ("t2", "pob", "luzka", 12.0), ("t3", "pob", pd.NA, np.nan),
                         ("t4", "pob", "luzka", 50.0)], columns=["service_id", "forma", "capacity_type", "capacity"])


@pytest.fixture()
def places() -> pd.DataFrame:
    rows = [("t1", "p1", "500001", "1001", "1000"), ("t1", "p2", "500003", "1002", "1000"),
            ("t2", "p3", "500001", "1001", "1000"), ("t3", "p4", "500002", "1001", "1000"),
            ("t4", "p5", "500002", "1001", "1000")]
    return pd.DataFrame(rows, columns=["service_id", "place_id", "obec_kod", "orp_kod", "kraj_kod"])


@pytest.fixture()
def target_groups() -> pd.DataFrame:
    rows = [("t1", "1", "rodiny s dítětem/dětmi"), ("t2", "2", "osoby s mentálním postižením"),
            ("t2", "3", "osoby do 26 let věku opouštějící školská zařízení pro výkon ústavní péče"),
            ("t3", "4", "osoby bez přístřeší"), ("t4", "24", "senioři")]
    return pd.DataFrame(rows, columns=["service_id", "target_group_code", "target_group_name"]).astype("string")


def test_classification_by_name_stems(target_groups):
    classes = ts.classify_target_groups(target_groups)
    by_group = classes.groupby("group")["service_id"].apply(sorted).to_dict()
    assert by_group == {"families": ["t1", "t2"], "disability": ["t2"], "exclusion": ["t2", "t3"]}
    assert ts.unclassified_names(target_groups) == ["senioři"]
    nameless = target_groups.assign(target_group_name=pd.NA).astype("string")
    assert ts.classify_target_groups(nameless).empty


def test_group_services_count_and_capacity_by_hand(services, capacities, places, target_groups):
    table = ts.compute_group_services(services, capacities, places, target_groups, ORP_A)
    families = table[table["group"] == "families"].set_index("druh_name")
    assert families.loc["Sociálně aktivizační služby pro rodiny s dětmi", "services_orp"] == 0.5
    assert families.loc["Sociálně aktivizační služby pro rodiny s dětmi", "SO ORP Alfa"] == 15.0
    assert families.loc["Sociálně aktivizační služby pro rodiny s dětmi", "Kraj Jedna"] == 30.0
    assert families.loc["Chráněné bydlení", "unit_label"] == "lůžka"
    exclusion = table[table["group"] == "exclusion"].set_index("druh_name")
    assert exclusion.loc["Azylové domy", "services_orp"] == 1.0  # no capacity registered, row kept
    assert np.isnan(exclusion.loc["Azylové domy", "SO ORP Alfa"])
    assert "Domovy pro seniory" not in table["druh_name"].tolist()
    assert list(table["group"].unique()) == ["families", "disability", "exclusion"]
    czech = czech_columns(table, "group_services")
    assert czech.columns[:5].tolist() == ["Cílová skupina", "Druh služby", "§", "Jednotka kapacity",
                                          "Služby v ORP (v přepočtu na adresy)"]
    text = ts.describe_group_services(RPSS, target_groups, table, ORP_A)
    assert "Rodiny s dětmi, děti a mládež: 1,5" in text and "Osoby ohrožené sociálním vyloučením: 2,0" in text


def test_texts_without_the_full_register_never_show_a_zero(services, capacities, places, target_groups):
    empty = target_groups.iloc[0:0]
    table = ts.compute_group_services(services, capacities, places, empty, ORP_A)
    assert table.empty
    katalog = ts.describe_group_services(KATALOG, empty, table, ORP_A)
    assert "kpss data fetch --online --only rpss" in katalog and "0" not in katalog
    assert not ts.group_services_available(KATALOG, empty)
    nameless = target_groups.assign(target_group_name=pd.NA).astype("string")
    assert "číselníku cílových skupin" in ts.describe_group_services(RPSS, nameless, table, ORP_A)
    assert ts.group_services_available(RPSS, target_groups)
    seniors_only = target_groups[target_groups["service_id"] == "t4"]
    none_here = ts.compute_group_services(services, capacities, places, seniors_only, ORP_A)
    assert "nemá adresu žádná registrovaná služba" in ts.describe_group_services(RPSS, seniors_only, none_here, ORP_A)


# --------------------------------------------------------------------------- charts


def test_interval_panels_draw_each_unit_with_its_interval():
    comparison = pd.DataFrame({"indicator": ["a"] * 3 + ["b"] * 3, "unit_name": ["ORP", "Kraj", "Česko"] * 2,
                               "share": [5.0, 4.0, 3.0, 1.0, 1.5, 2.0], "ci_low": [4.0, 3.8, 2.9, 0.5, 1.4, 1.9],
                               "ci_high": [6.5, 4.2, 3.1, 1.6, 1.6, 2.1]})
    axes = tgp.plot_indicator_intervals(comparison, {"a": "Ukazatel A", "b": "Ukazatel B"})
    assert len(axes) == 2 and axes[1].get_title(loc="left") == "Ukazatel B"
    segments = axes[0].collections[0].get_segments()  # the ORP's error bar: 4.0 … 6.5
    assert segments[0][:, 0].tolist() == [4.0, 6.5]
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["ORP", "Kraj", "Česko"]
    assert "5,00 (4,00–6,50)" in [t.get_text() for t in axes[0].texts]
    ticks = axes[1].get_xticks()  # 0 … 2.1 × 1.35: steps of 0.5, never 0.25 shown as "0,3"
    assert ticks[1] - ticks[0] == pytest.approx(0.5)


def test_category_map_counts_obce_and_missing():
    obce = gpd.GeoDataFrame({"category": ["0 až 1", "12 až 30", "12 až 30", None]},
                            geometry=[box(i, 0, i + 1, 1) for i in range(4)])
    ax = tgp.map_categories(obce, "category", ("0 až 1", "2 až 7", "8 až 11", "12 až 30"), legend_title="Index")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["0 až 1 (1)", "2 až 7 (0)", "8 až 11 (0)", "12 až 30 (2)", "bez údajů (1)"]


def test_index_category_bars_are_labelled_per_unit():
    chart = pd.DataFrame({"index_category": ["0 až 1", "12 až 30"] * 2, "unit_name": ["ORP", "ORP", "Česko", "Česko"],
                          "share_population": [20.0, 80.0, 60.0, 40.0]})
    ax = tgp.plot_index_categories(chart)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ORP", "Česko"]
    assert sorted(t.get_text() for t in ax.texts) == ["20,0", "40,0", "60,0", "80,0"]
