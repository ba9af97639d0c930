"""Demographic indicators on a toy territory whose numbers are computed by hand.

Toy territory (codes as strings, like the processed tables)::

    obec    name      ORP            okres  kraj
    560286  Sokolov   4107 Sokolov   40517  3051 Karlovarský kraj
    560308  Březová   4107 Sokolov   40517  3051 Karlovarský kraj
    555428  Ostrov    4105 Ostrov    40428  3051 Karlovarský kraj
    554782  Praha     1000 Praha     40924  3018 Hlavní město Praha
    999999  (abolished obec, not in the territory table: counts only for ČR)

Non-zero age cells (every other obec × sex × age_start cell is 0)::

    560286 Sokolov  M 0:10  F 5:5   M 20:30  F 40:25  M 65:8  F 80:4  F 85:3
    560308 Březová  M 10:2  F 60:6  M 70:4
    555428 Ostrov   F 30:10 M 75:5                      (no children at all)
    554782 Praha    M 0:4   F 15:16 F 85:2
    999999          M 40:100
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from conftest import toy_age5, toy_territory
from kpss_analysis.analysis import demography as d
from kpss_analysis.analysis.labels import czech_columns
from kpss_analysis.analysis.territory import Orp

SOKOLOV = Orp("4107", "Sokolov", "3051", "Karlovarský kraj", 2)
OSTROV = Orp("4105", "Ostrov", "3051", "Karlovarský kraj", 1)
PRAHA = Orp("1000", "Praha", "3018", "Hlavní město Praha", 1)
ORP_COL, KRAJ_COL, CR_COL = "SO ORP Sokolov", "Karlovarský kraj", "Česko"

CELLS = {
    "560286": [("M", 0, 10), ("F", 5, 5), ("M", 20, 30), ("F", 40, 25), ("M", 65, 8), ("F", 80, 4), ("F", 85, 3)],
    "560308": [("M", 10, 2), ("F", 60, 6), ("M", 70, 4)],
    "555428": [("F", 30, 10), ("M", 75, 5)],
    "554782": [("M", 0, 4), ("F", 15, 16), ("F", 85, 2)],
    "999999": [("M", 40, 100)],
}


@pytest.fixture()
def territory() -> pd.DataFrame:
    rows = [
        ("560286", "Sokolov", "4107", "Sokolov", "40517", "3051", "CZ041", "Karlovarský kraj"),
        ("560308", "Březová", "4107", "Sokolov", "40517", "3051", "CZ041", "Karlovarský kraj"),
        ("555428", "Ostrov", "4105", "Ostrov", "40428", "3051", "CZ041", "Karlovarský kraj"),
        ("554782", "Praha", "1000", "Praha", "40924", "3018", "CZ010", "Hlavní město Praha"),
    ]
    return toy_territory(rows)


@pytest.fixture()
def age5() -> pd.DataFrame:
    """Full obec × sex × age grid (like the processed table) with the cells above."""
    return toy_age5(CELLS, ages=range(0, 90, 5))


@pytest.fixture()
def totals() -> pd.DataFrame:
    """Population on 1 January 2023 and 2024 (999999 is outside today's territory)."""
    rows = [
        (2023, "560286", 90, 44, 46, 41.0), (2023, "560308", 12, 6, 6, 45.0), (2023, "555428", 14, 5, 9, 50.0),
        (2023, "554782", 20, 9, 11, 40.0), (2023, "999999", 50, 50, 0, 30.0),
        (2024, "560286", 95, 47, 48, 41.5), (2024, "560308", 11, 5, 6, 45.5), (2024, "555428", 16, 6, 10, 50.5),
        (2024, "554782", 21, 10, 11, 40.5), (2024, "999999", 60, 60, 0, 30.5),
    ]
    return pd.DataFrame(rows, columns=["year", "obec_kod", "total", "men", "women", "mean_age"])


# --------------------------------------------------------------------------- compute_indicators


def test_indicators_obec_counts(age5, territory):
    ind = d.compute_indicators(age5, territory, "obec")
    s = ind.loc["560286"]
    # population = 10+5+30+25+8+4+3 = 85; men = 10+30+8 = 48; women = 5+25+4+3 = 37
    assert (s["population"], s["men"], s["women"]) == (85, 48, 37)
    # 0-14 = 10 (0) + 5 (5) = 15; 15-64 = 30 + 25 = 55; 65+ = 8 + 4 + 3 = 15; 80+ = 4 + 3 = 7
    assert (s["age_0_14"], s["age_15_64"], s["age_65plus"], s["age_80plus"]) == (15, 55, 15, 7)
    # shares: 15/85 = 17.647 %, 55/85 = 64.706 %, 15/85 = 17.647 %, 7/85 = 8.235 %
    assert s["share_0_14"] == pytest.approx(17.647059, abs=1e-5)
    assert s["share_15_64"] == pytest.approx(64.705882, abs=1e-5)
    assert s["share_65plus"] == pytest.approx(17.647059, abs=1e-5)
    assert s["share_80plus"] == pytest.approx(8.235294, abs=1e-5)
    # index stáří = 15 / 15 * 100 = 100; dependency young 15/55*100 = 27.27, old 27.27, total 54.55
    assert s["ageing_index"] == pytest.approx(100.0)
    assert s["dependency_young"] == pytest.approx(27.272727, abs=1e-5)
    assert s["dependency_old"] == pytest.approx(27.272727, abs=1e-5)
    assert s["dependency_total"] == pytest.approx(54.545455, abs=1e-5)
    # column order follows INDICATOR_LABELS
    assert list(ind.columns) == list(d.INDICATOR_LABELS)


def test_indicators_age_band_edges(age5, territory):
    """Age 10 is a child, 60 is working age, 70 is 65+ but not 80+ (Březová)."""
    s = d.compute_indicators(age5, territory, "obec").loc["560308"]
    # 0-14 = 2 (age 10); 15-64 = 6 (age 60); 65+ = 4 (age 70); 80+ = 0
    assert (s["population"], s["age_0_14"], s["age_15_64"], s["age_65plus"], s["age_80plus"]) == (12, 2, 6, 4, 0)
    # index stáří 4/2*100 = 200; dependency total (2+4)/6*100 = 100
    assert s["ageing_index"] == pytest.approx(200.0)
    assert s["dependency_total"] == pytest.approx(100.0)


def test_ageing_index_is_nan_without_children(age5, territory):
    s = d.compute_indicators(age5, territory, "obec").loc["555428"]
    # Ostrov: 0-14 = 0, 65+ = 5 → index stáří undefined, not inf
    assert s["age_0_14"] == 0 and s["age_65plus"] == 5
    assert math.isnan(s["ageing_index"])
    # dependency old = 5/10*100 = 50, young = 0, total = 50
    assert s["dependency_young"] == pytest.approx(0.0)
    assert s["dependency_total"] == pytest.approx(50.0)


def test_indicators_orp(age5, territory):
    ind = d.compute_indicators(age5, territory, "orp")
    assert sorted(ind.index) == ["1000", "4105", "4107"]
    s = ind.loc["4107"]
    # Sokolov + Březová: population 85 + 12 = 97; men 48 + 6 = 54; women 37 + 6 = 43
    assert (s["population"], s["men"], s["women"]) == (97, 54, 43)
    # 0-14 = 15 + 2 = 17; 15-64 = 55 + 6 = 61; 65+ = 15 + 4 = 19; 80+ = 7 + 0 = 7
    assert (s["age_0_14"], s["age_15_64"], s["age_65plus"], s["age_80plus"]) == (17, 61, 19, 7)
    assert s["share_65plus"] == pytest.approx(100 * 19 / 97)  # 19.588 %
    assert s["ageing_index"] == pytest.approx(111.764706, abs=1e-5)  # 19/17*100
    assert s["dependency_young"] == pytest.approx(27.868852, abs=1e-5)  # 17/61*100
    assert s["dependency_old"] == pytest.approx(31.147541, abs=1e-5)  # 19/61*100
    assert s["dependency_total"] == pytest.approx(59.016393, abs=1e-5)  # 36/61*100


def test_indicators_okres_and_kraj(age5, territory):
    okres = d.compute_indicators(age5, territory, "okres")
    # okres 40517 holds exactly the obce of ORP 4107 → population 97
    assert okres.loc["40517", "population"] == 97
    kraj = d.compute_indicators(age5, territory, "kraj")
    assert sorted(kraj.index) == ["3018", "3051"]
    s = kraj.loc["3051"]
    # 97 + Ostrov 15 = 112; men 54 + 5 = 59; women 43 + 10 = 53
    assert (s["population"], s["men"], s["women"]) == (112, 59, 53)
    # 0-14 = 17 + 0 = 17; 15-64 = 61 + 10 = 71; 65+ = 19 + 5 = 24; 80+ = 7
    assert (s["age_0_14"], s["age_15_64"], s["age_65plus"], s["age_80plus"]) == (17, 71, 24, 7)
    assert s["ageing_index"] == pytest.approx(141.176471, abs=1e-5)  # 24/17*100
    assert s["share_80plus"] == pytest.approx(6.25)  # 7/112*100
    praha = kraj.loc["3018"]
    # 4 + 16 + 2 = 22; 65+ = 80+ = 2 (age 85)
    assert (praha["population"], praha["age_65plus"], praha["age_80plus"]) == (22, 2, 2)


def test_indicators_cr_includes_obce_outside_territory(age5, territory):
    ind = d.compute_indicators(age5, territory, "cr")
    assert list(ind.index) == ["CZ"]
    s = ind.loc["CZ"]
    # kraje 112 + 22 + abolished obec 100 = 234; men 59 + 4 + 100 = 163; women 53 + 18 = 71
    assert (s["population"], s["men"], s["women"]) == (234, 163, 71)
    # 0-14 = 17 + 4 = 21; 15-64 = 71 + 16 + 100 = 187; 65+ = 24 + 2 = 26; 80+ = 7 + 2 = 9
    assert (s["age_0_14"], s["age_15_64"], s["age_65plus"], s["age_80plus"]) == (21, 187, 26, 9)
    assert s["ageing_index"] == pytest.approx(123.809524, abs=1e-5)  # 26/21*100
    assert s["dependency_total"] == pytest.approx(25.133690, abs=1e-5)  # 47/187*100
    # shares of the four bands: 0-14 + 15-64 + 65+ = 100 %
    assert s["share_0_14"] + s["share_15_64"] + s["share_65plus"] == pytest.approx(100.0)


def test_unknown_level_raises(age5, territory):
    with pytest.raises(ValueError, match="unknown level 'obvod'"):
        d.compute_indicators(age5, territory, "obvod")


# --------------------------------------------------------------------------- aggregate_by_unit


def test_aggregate_drops_obce_outside_territory(age5, territory):
    by_kraj = d.aggregate_by_unit(age5, territory, "kraj", by=[]).set_index("unit")["population"]
    # 112 + 22 = 134: the 100 persons of 999999 belong to no kraj
    assert by_kraj.to_dict() == {"3018": 22, "3051": 112}
    assert by_kraj.sum() == 134
    by_orp = d.aggregate_by_unit(age5, territory, "orp", by=["sex"])
    # ORP 4107 men 54, women 43
    got = by_orp[by_orp["unit"] == "4107"].set_index("sex")["population"].to_dict()
    assert got == {"F": 43, "M": 54}
    cr = d.aggregate_by_unit(age5, territory, "cr", by=[])
    # ČR keeps the abolished obec: 134 + 100 = 234
    assert cr.set_index("unit")["population"].to_dict() == {"CZ": 234}


def test_aggregate_drops_rows_without_an_obec_code(age5, territory):
    # a row with no code belongs to no unit (it must not take the code of the last distinct obec)
    known = age5[age5["obec_kod"] != "999999"]
    with_gap = pd.concat([known, known.iloc[[0]].assign(obec_kod=pd.NA, population=1000)], ignore_index=True)
    by_kraj = d.aggregate_by_unit(with_gap, territory, "kraj", by=[]).set_index("unit")["population"]
    assert by_kraj.to_dict() == {"3018": 22, "3051": 112}


def test_aggregate_obec_level_drops_obce_outside_territory(age5, territory):
    by_obec = d.aggregate_by_unit(age5, territory, "obec", by=[])
    assert "999999" not in set(by_obec["unit"])


# --------------------------------------------------------------------------- pyramid


def test_pyramid(age5, territory):
    pyr = d.compute_pyramid(age5, territory, "orp", "4107")
    # (the docstring lists men before women; the pivot puts F before M — names matter, not order)
    assert list(pyr.columns[:2]) == ["age_start", "age_group"]
    assert set(pyr.columns) == {"age_start", "age_group", "men", "women", "men_pct", "women_pct"}
    assert len(pyr) == 18
    assert pyr["age_group"].iloc[0] == "0\u20134"  # en dash
    assert pyr["age_group"].iloc[1] == "5\u20139"
    assert pyr["age_group"].iloc[-1] == "85+"
    assert pyr["men_pct"].sum() + pyr["women_pct"].sum() == pytest.approx(100.0)
    row0 = pyr.set_index("age_start").loc[0]
    # men aged 0-4 in ORP 4107: 10 of 97 → 10.309 %
    assert row0["men"] == 10 and row0["women"] == 0
    assert row0["men_pct"] == pytest.approx(100 * 10 / 97)
    row85 = pyr.set_index("age_start").loc[85]
    assert row85["women"] == 3 and row85["women_pct"] == pytest.approx(100 * 3 / 97)


def test_pyramid_unknown_unit_raises(age5, territory):
    with pytest.raises(KeyError, match="no population for orp 9999"):
        d.compute_pyramid(age5, territory, "orp", "9999")


def test_age_group_label():
    assert d.age_group_label(0) == "0–4"
    assert d.age_group_label(80) == "80–84"
    assert d.age_group_label(85) == "85+"
    assert d.age_group_label(90) == "90+"


# --------------------------------------------------------------------------- key figures


def test_key_figures(age5, totals, territory):
    kf = d.compute_key_figures(age5, totals, territory, SOKOLOV)
    assert list(kf.columns) == ["key", "ukazatel", "date", ORP_COL, KRAJ_COL, CR_COL]
    assert set(kf["date"]) == {"2024-01-01", "2020-12-31"}
    assert list(kf["key"]) == ["population_2024", *d.INDICATOR_LABELS, "n_obce"]
    v = kf.set_index("key")
    # 1. 1. 2024: ORP 95 + 11 = 106; kraj 106 + 16 = 122; ČR 122 + 21 + 60 (abolished obec) = 203
    assert v.loc["population_2024", [ORP_COL, KRAJ_COL, CR_COL]].tolist() == [106, 122, 203]
    # 31. 12. 2020: 97 / 112 / 234
    assert v.loc["population", [ORP_COL, KRAJ_COL, CR_COL]].tolist() == [97, 112, 234]
    # n_obce: 2 in ORP 4107, 3 in kraj 3051, 4 in the territory table (ČR)
    assert v.loc["n_obce", [ORP_COL, KRAJ_COL, CR_COL]].tolist() == [2, 3, 4]
    assert v.loc["ageing_index", KRAJ_COL] == pytest.approx(100 * 24 / 17)
    assert v.loc["age_80plus", CR_COL] == 9
    labels = v["ukazatel"]
    assert labels["population_2024"] == "Počet obyvatel k 1. 1. 2024"
    assert labels["population"] == "Počet obyvatel k 31.\u00a012.\u00a02020"
    assert labels["n_obce"] == "Počet obcí"
    assert labels["share_65plus"] == "Podíl 65+ let (%)"


def test_key_figure_decimals(age5, totals, territory):
    kf = d.compute_key_figures(age5, totals, territory, SOKOLOV)
    # population_2024, population, men, women, 4 age counts → 0; 4 shares, ageing, 3 dependency → 1; n_obce → 0
    assert d.key_figure_decimals(kf) == [0] * 8 + [1] * 8 + [0]


def test_key_figures_summary(age5, totals, territory):
    kf = d.compute_key_figures(age5, totals, territory, SOKOLOV)
    summary = d.key_figures_summary(kf, SOKOLOV)
    assert list(summary) == ["reference_dates", "orp", "kraj", "cr"]
    assert summary["reference_dates"] == {"age_structure": "2020-12-31", "age_groups": "2020-12-31",
                                          "population_latest": "2024-01-01"}
    orp = summary["orp"]
    assert (orp["code"], orp["name"]) == ("4107", ORP_COL)
    assert (summary["kraj"]["code"], summary["kraj"]["name"]) == ("3051", KRAJ_COL)
    assert (summary["cr"]["code"], summary["cr"]["name"]) == ("CZ", CR_COL)
    for key in ("population_2024", "population", "men", "women", "age_0_14", "age_15_64", "age_65plus",
                "age_80plus", "n_obce"):
        assert type(orp[key]) is int, key
    for key in ("share_0_14", "share_65plus", "ageing_index", "dependency_total", "dependency_old"):
        assert type(orp[key]) is float, key
    assert (orp["population_2024"], orp["population"], orp["n_obce"]) == (106, 97, 2)
    # 19/17*100 = 111.76470588 → rounded to 4 decimals
    assert orp["ageing_index"] == 111.7647
    assert summary["cr"]["population_2024"] == 203
    assert summary["cr"]["share_0_14"] == round(100 * 21 / 234, 4)  # 8.9744


@pytest.fixture()
def age_2023() -> pd.DataFrame:
    """Broad groups on 31. 12. 2023: Sokolov 10 / 50 / 30, Březová 2 / 6 / 4, Ostrov 4 / 8 / 5, Praha 20 / 30 / 10."""
    rows = [(obec, group, value) for obec, values in {"560286": (10, 50, 30), "560308": (2, 6, 4),
                                                      "555428": (4, 8, 5), "554782": (20, 30, 10)}.items()
            for group, value in zip(("0_14", "15_64", "65plus"), values, strict=True)]
    return pd.DataFrame(rows, columns=["obec_kod", "age_group", "population"])


def test_key_figures_take_the_broad_groups_from_2023(age5, totals, territory, age_2023):
    kf = d.compute_key_figures(age5, totals, territory, SOKOLOV, age_2023).set_index("key")
    # ORP 2023: 0–14 12, 15–64 56, 65+ 34 of 102; kraj adds Ostrov 4 / 8 / 5 → 16 / 64 / 39 of 119
    assert kf.loc["age_65plus", ORP_COL] == 34
    assert kf.loc["share_65plus", ORP_COL] == pytest.approx(100 * 34 / 102)
    assert kf.loc["ageing_index", KRAJ_COL] == pytest.approx(100 * 39 / 16)
    assert kf.loc["dependency_old", CR_COL] == pytest.approx(100 * 49 / 94)
    assert kf.loc["share_65plus", "date"] == "2023-12-31" and kf.loc["share_80plus", "date"] == "2020-12-31"
    assert kf.loc["share_65plus", "ukazatel"].endswith("k 31.\u00a012.\u00a02023")
    assert kf.loc["age_80plus", "ukazatel"].endswith("k 31.\u00a012.\u00a02020")
    # 80+, sex and the 2020 population stay on the five-year structure
    plain = d.compute_key_figures(age5, totals, territory, SOKOLOV).set_index("key")
    for key in ("population", "men", "women", "age_80plus", "share_80plus"):
        assert kf.loc[key, ORP_COL] == plain.loc[key, ORP_COL]
    summary = d.key_figures_summary(kf.reset_index(), SOKOLOV)
    assert summary["reference_dates"]["age_groups"] == "2023-12-31"
    text = d.describe_key_figures(kf.reset_index(), SOKOLOV)
    assert "k 31.\u00a012.\u00a02023 bylo 33,3\u00a0%" in text and "ve věku 80+ bylo k 31.\u00a012.\u00a02020" in text


def test_obce_table_and_ranking_take_the_broad_groups_from_2023(age5, totals, territory, age_2023):
    table = d.compute_obce_table(age5, totals, territory, SOKOLOV, age_2023).set_index("obec_nazev")
    assert table.loc["Sokolov", "share_65plus"] == pytest.approx(100 * 30 / 90)
    assert table.loc["Březová", "ageing_index"] == pytest.approx(200.0)
    ranking = d.compute_orp_ranking(age5, territory, "3051", "share_65plus", age_2023).set_index("orp_kod")
    assert ranking.loc["4105", "value"] == pytest.approx(100 * 5 / 17)
    assert ranking.loc["4107", "rank"] == 1


def test_describe_key_figures(age5, totals, territory):
    kf = d.compute_key_figures(age5, totals, territory, SOKOLOV)
    text = d.describe_key_figures(kf, SOKOLOV)
    # 106 obyvatel in 2 obce; 65+ share 19.588 → '19,6 %'; kraj 24/112 = 21.43 → '21,4 %' so ORP is lower
    assert "**106 obyvatel**" in text
    assert "v 2 obcích" in text
    assert "19,6\u00a0%" in text and "21,4\u00a0%" in text
    assert "nižší podíl než v kraji" in text
    assert "Index stáří činil 111,8" in text


# --------------------------------------------------------------------------- ranking


@pytest.fixture()
def ranking_inputs():
    """Four ORPs in one kraj with men = 10, 20, 20, 5 (a tie for first place)."""
    rows = [(obec, name, orp, orp_name, "1", "K", "Kraj K") for obec, name, orp, orp_name in
            [("1", "A", "0001", "Alfa"), ("2", "B", "0002", "Beta"), ("3", "C", "0003", "Gama"),
             ("4", "D", "0004", "Delta")]]
    territory = toy_territory(rows, ["obec_kod", "obec_nazev", "orp_kod", "orp_nazev", "okres_kod", "kraj_kod",
                                     "kraj_nazev"])
    age5 = toy_age5({"1": [("M", 40, 10)], "2": [("M", 40, 20)], "3": [("M", 40, 20)], "4": [("M", 40, 5)]})
    return age5, territory


def test_orp_ranking_order(age5, territory):
    ranking = d.compute_orp_ranking(age5, territory, "3051", "share_65plus")
    # Ostrov 5/15 = 33.3 % > Sokolov 19/97 = 19.6 %
    assert list(ranking.columns) == ["orp_kod", "orp_nazev", "value", "rank"]
    assert ranking["orp_kod"].tolist() == ["4105", "4107"]
    assert ranking["rank"].tolist() == [1, 2]
    assert ranking["value"].tolist() == pytest.approx([100 * 5 / 15, 100 * 19 / 97])


def test_orp_ranking_ties_use_min_rank(ranking_inputs):
    age5, territory = ranking_inputs
    ranking = d.compute_orp_ranking(age5, territory, "K", "men")
    # values 20, 20, 10, 5 → ranks 1, 1, 3, 4 (method "min")
    assert ranking["value"].tolist() == [20, 20, 10, 5]
    assert ranking["rank"].tolist() == [1, 1, 3, 4]
    assert set(ranking["orp_kod"].iloc[:2]) == {"0002", "0003"}
    assert ranking["orp_kod"].iloc[2:].tolist() == ["0001", "0004"]


def test_describe_ranking(age5, territory):
    ranking = d.compute_orp_ranking(age5, territory, "3051", "share_65plus")
    text = d.describe_ranking(ranking, SOKOLOV, "podle podílu 65+")
    assert text == "SO ORP Sokolov je 2. z 2 SO ORP Karlovarského kraje seřazených sestupně podle podílu 65+."  # genitive


def test_describe_ranking_single_orp_kraj(age5, territory):
    ranking = d.compute_orp_ranking(age5, territory, "3018", "share_65plus")
    assert len(ranking) == 1
    text = d.describe_ranking(ranking, PRAHA, "podle podílu 65+")
    assert text.startswith("Kraj Hlavní město Praha tvoří jediný správní obvod ORP")
    assert "srovnání s Českem je v tabulce klíčových ukazatelů" in text


# --------------------------------------------------------------------------- development


def test_population_development(totals, territory):
    dev = d.compute_population_development(totals, territory, SOKOLOV)
    assert list(dev.columns) == ["year", ORP_COL, KRAJ_COL, CR_COL,
                                 f"{ORP_COL} – index", f"{KRAJ_COL} – index", f"{CR_COL} – index"]
    assert dev["year"].tolist() == [2023, 2024]
    # ORP: 90 + 12 = 102 → 95 + 11 = 106; kraj: 102 + 14 = 116 → 122; ČR: 116 + 20 + 50 = 186 → 203
    assert dev[ORP_COL].tolist() == [102, 106]
    assert dev[KRAJ_COL].tolist() == [116, 122]
    assert dev[CR_COL].tolist() == [186, 203]
    assert dev[f"{ORP_COL} – index"].tolist() == pytest.approx([100.0, 100 * 106 / 102])  # 103.92
    assert dev[f"{KRAJ_COL} – index"].tolist() == pytest.approx([100.0, 100 * 122 / 116])  # 105.17
    assert dev[f"{CR_COL} – index"].tolist() == pytest.approx([100.0, 100 * 203 / 186])  # 109.14
    text = d.describe_development(dev, SOKOLOV)
    # 103.92 - 100 = +3,9 %; 105.17 → +5,2 %; 109.14 → +9,1 %
    assert "SO ORP Sokolov +3,9 %, Karlovarský kraj +5,2 %, Česko +9,1 %" in text
    assert "Mezi 1. 1. 2023 a 1. 1. 2024" in text


# --------------------------------------------------------------------------- MOS


@pytest.fixture()
def mos() -> pd.DataFrame:
    return pd.DataFrame({
        "obec_kod": ["560286", "560308", "555428", "554782"],
        "population_mos": [100, 50, 30, 20],
        "migration_balance_per_1000": [10.0, -10.0, 5.0, np.nan],
        "natural_increase": [-2, 1, 0, 3],
        "unemployment_share": [4.0, np.nan, 2.0, 6.0],
    })


def test_mos_orp(mos, age5, territory):
    out = d.compute_mos_indicators(mos, age5, territory, "orp")
    s = out.loc["4107"]
    assert s["population_mos"] == 150  # 100 + 50
    # balances 10*100/1000 = 1.0 and -10*50/1000 = -0.5 → 0.5 / 150 * 1000 = 3.333
    # (a plain mean of the rates would give 0)
    assert s["migration_balance_per_1000"] == pytest.approx(10 / 3)
    # natural increase -2 + 1 = -1 → -1/150*1000 = -6.667
    assert s["natural_increase"] == -1
    assert s["natural_increase_per_1000"] == pytest.approx(-20 / 3)
    # Březová has no unemployment share: only Sokolov (4.0) counts
    assert s["unemployment_share"] == pytest.approx(4.0)
    assert s["obce_without_unemployment"] == 1


def test_mos_kraj_and_cr(mos, age5, territory):
    kraj = d.compute_mos_indicators(mos, age5, territory, "kraj")
    k = kraj.loc["3051"]
    # balances 1.0 - 0.5 + 5*30/1000 = 0.65 → 0.65/180*1000 = 3.6111
    assert k["migration_balance_per_1000"] == pytest.approx(3.611111, abs=1e-5)
    # unemployment weighted by 15-64 (31. 12. 2020): Sokolov 55, Ostrov 10 → (4*55 + 2*10)/65 = 3.6923
    assert k["unemployment_share"] == pytest.approx(240 / 65)
    assert k["obce_without_unemployment"] == 1
    # Praha has no migration value: its rate is missing, not 0
    assert math.isnan(kraj.loc["3018", "migration_balance_per_1000"])
    assert kraj.loc["3018", "unemployment_share"] == pytest.approx(6.0)
    cr = d.compute_mos_indicators(mos, age5, territory, "cr").loc["CZ"]
    # migration: 0.65 over the population with a value (180; Praha's 20 left out) = 3.6111
    assert cr["migration_balance_per_1000"] == pytest.approx(3.611111, abs=1e-5)
    # unemployment: (4*55 + 2*10 + 6*16) / (55 + 10 + 16) = 336 / 81 = 4.1481
    assert cr["unemployment_share"] == pytest.approx(336 / 81)
    # natural increase -2 + 1 + 0 + 3 = 2 over 200 → 10 per 1000
    assert cr["natural_increase"] == 2 and cr["natural_increase_per_1000"] == pytest.approx(10.0)
    assert cr["population_mos"] == 200


def test_mos_comparison(mos, age5, territory):
    table = d.compute_mos_comparison(mos, age5, territory, SOKOLOV)
    assert table["unit_name"].tolist() == [ORP_COL, KRAJ_COL, CR_COL]
    assert table["population_mos"].tolist() == [150, 180, 200]
    assert table["population_mos"].dtype == "int64"
    assert table["unemployment_share"].tolist() == pytest.approx([4.0, 240 / 65, 336 / 81])
    text = d.describe_mos(table, SOKOLOV)
    # +3,3 per 1000; natural increase −1 (minus sign, singular); unemployment 4,0 % (the table's 1 decimal);
    # 1 obec without a value (Czech plural rules: 1 obec, 2 obce, 5 obcí)
    assert "migrační saldo SO ORP Sokolov +3,3" in text
    assert "přirozený přírůstek −1 osoba " in text
    assert "4,0\u00a0%" in text and "4,00" not in text
    assert "Pro 1\u00a0obec ORP údaj o nezaměstnanosti chybí; do průměru není zahrnuta." in text


# --------------------------------------------------------------------------- census


@pytest.fixture()
def census() -> pd.DataFrame:
    return pd.DataFrame({
        "orp_kod": ["4107", "4105", "1000"],
        "population": [100, 50, 200],
        "age_0_14": [20, 10, 40],
        "edu_basic": [30, 20, 60],
        "edu_university": [50, 20, 100],
    })


def test_census_structure_adults(census, territory):
    columns = {"edu_basic": "Základní", "edu_university": "Vysokoškolské"}
    table = d.compute_census_structure(census, territory, SOKOLOV, columns, base="adults")
    assert list(table.columns) == ["kategorie", ORP_COL, KRAJ_COL, CR_COL]
    assert table["kategorie"].tolist() == ["Základní", "Vysokoškolské"]
    # ORP adults 100 - 20 = 80: 30/80 = 37.5 %, 50/80 = 62.5 %
    assert table[ORP_COL].tolist() == pytest.approx([37.5, 62.5])
    # kraj adults 80 + 40 = 120: 50/120 = 41.667 %, 70/120 = 58.333 %
    assert table[KRAJ_COL].tolist() == pytest.approx([100 * 50 / 120, 100 * 70 / 120])
    # ČR adults 120 + 160 = 280: 110/280 = 39.286 %, 170/280 = 60.714 %
    assert table[CR_COL].tolist() == pytest.approx([100 * 110 / 280, 100 * 170 / 280])


def test_census_structure_population_base(census, territory):
    table = d.compute_census_structure(census, territory, SOKOLOV, {"edu_university": "VŠ"}, base="population")
    # 50/100 = 50 %; kraj 70/150 = 46.667 %; ČR 170/350 = 48.571 %
    assert table.iloc[0, 1:].tolist() == pytest.approx([50.0, 100 * 70 / 150, 100 * 170 / 350])


def test_czech_columns():
    frame = pd.DataFrame(columns=["obec_nazev", "population_2024", "mean_age_latest", "other"])
    renamed = czech_columns(frame, "demography", latest=2024)
    assert list(renamed.columns) == ["Obec", "Obyvatelé k 1. 1. 2024", "Průměrný věk k 1. 1. 2024", "other"]


def test_obce_table(age5, totals, territory):
    table = d.compute_obce_table(age5, totals, territory, SOKOLOV)
    assert list(table.columns) == ["obec_kod", "obec_nazev", "population", "population_2024", "share_0_14",
                                   "share_65plus", "share_80plus", "ageing_index", "mean_age_latest"]
    # largest first: Sokolov 85, Březová 12
    assert table["obec_nazev"].tolist() == ["Sokolov", "Březová"]
    assert table["population"].tolist() == [85, 12]
    assert table["population_2024"].tolist() == [95, 11]
    assert table["mean_age_latest"].tolist() == [41.5, 45.5]
    assert table["ageing_index"].tolist() == pytest.approx([100.0, 200.0])  # 15/15, 4/2
