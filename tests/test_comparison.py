"""Comparison with similar ORPs (kpss_analysis.analysis.comparison, comparison_text, report.comparison_plots) on toy
tables whose values are computed by hand."""

import math

import geopandas as gpd
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from kpss_analysis.analysis import comparison as cmp
from kpss_analysis.analysis import comparison_text as ctext
from kpss_analysis.analysis.demography import EDUCATION_LABELS
from kpss_analysis.analysis.intervals import funnel_limits
from kpss_analysis.analysis.peers import DEFAULT_INDICATORS, INDICATOR_LABELS, compute_typology, compute_zscores
from kpss_analysis.errors import ParameterError
from kpss_analysis.report import comparison_plots


@pytest.fixture(autouse=True)
def keep_matplotlib_settings():
    """The plots set the package's style (rcParams): restore the settings and close the figures after each test."""
    with matplotlib.rc_context():
        yield
    plt.close("all")

Z95 = 1.959963984540054
HIGHER, LOWER, SIMILAR = "významně vyšší", "významně nižší", "bez významného rozdílu"


def wilson_by_hand(x, n, z=Z95):
    p = x / n
    centre, spread = 2 * n * p + z**2, z * math.sqrt(z**2 + 4 * n * p * (1 - p))
    return (centre - spread) / (2 * (n + z**2)), (centre + spread) / (2 * (n + z**2))


# --------------------------------------------------------------------------- parameters


def test_check_parameters_returns_weights_in_the_indicator_order():
    assert cmp.check_parameters(DEFAULT_INDICATORS, 10, 0) == DEFAULT_INDICATORS
    assert list(cmp.check_parameters({"share_ltu": 2, "log_population": 0.5}, 5, 4)) == ["log_population", "share_ltu"]
    assert cmp.check_parameters({"share_ltu": 2, "log_population": 0}, 205, 12) == {"log_population": 0.0,
                                                                                      "share_ltu": 2.0}


def test_check_parameters_names_every_problem_and_lists_the_indicators():
    with pytest.raises(ParameterError) as error:
        cmp.check_parameters({"beds": 1, "share_ltu": -1}, 0, 1)
    message = str(error.value)
    assert "indicators: neznámé ukazatele ['beds']" in message
    assert "váhy musí být čísla ≥ 0, zadáno {'share_ltu': -1}" in message
    assert "n_peers musí být celé číslo 1–205, zadáno 0" in message
    assert "n_types musí být 0 (počet typů podle šířky siluety) nebo celé číslo 2–12, zadáno 1" in message
    assert "Dostupné ukazatele: log_population (Počet obyvatel k 1. 1. 2024 (log10))" in message
    assert all(key in message for key in INDICATOR_LABELS)


@pytest.mark.parametrize(("indicators", "n_peers", "n_types", "text"), [
    ({}, 10, 0, "indicators musí být neprázdný slovník"),
    (["share_ltu"], 10, 0, "indicators musí být neprázdný slovník"),
    ({"share_ltu": 0, "share_pnz": 0}, 10, 0, "alespoň jedna váha musí být kladná"),
    ({"share_ltu": True}, 10, 0, "váhy musí být čísla ≥ 0, zadáno {'share_ltu': True}"),
    ({"share_ltu": "1"}, 10, 0, "váhy musí být čísla ≥ 0"),
    ({"share_ltu": float("nan")}, 10, 0, "váhy musí být čísla ≥ 0"),
    ({"share_ltu": 1}, 206, 0, "n_peers musí být celé číslo 1–205, zadáno 206"),
    ({"share_ltu": 1}, 2.0, 0, "n_peers musí být celé číslo"),
    ({"share_ltu": 1}, 10, 13, "n_types musí být 0"),
    ({"share_ltu": 1}, 10, True, "n_types musí být 0"),
])
def test_check_parameters_rejects(indicators, n_peers, n_types, text):
    with pytest.raises(ParameterError, match="Chybné parametry kapitoly") as error:
        cmp.check_parameters(indicators, n_peers, n_types)
    assert text in str(error.value)


# --------------------------------------------------------------------------- shares


@pytest.fixture
def toy():
    """ORP 0001 (kraj K1) = obce A and B, ORP 0002 (kraj K2) = obec C."""
    territory = pd.DataFrame({"obec_kod": ["A", "B", "C"], "orp_kod": ["0001", "0001", "0002"],
                              "orp_nazev": ["Jedna", "Jedna", "Dva"], "kraj_kod": ["K1", "K1", "K2"],
                              "kraj_nazev": ["Kraj 1", "Kraj 1", "Kraj 2"]})
    # per obec: 0–4, 10–14, 15–19, 65–69, 85+ (women only)
    age5 = pd.DataFrame({
        "obec_kod": ["A"] * 5 + ["B"] * 5 + ["C"] * 5, "sex": "F", "age_start": [0, 10, 15, 65, 85] * 3,
        "population": [10, 10, 60, 10, 10, 20, 20, 200, 30, 30, 5, 5, 20, 5, 5],
    })
    census = pd.DataFrame({"orp_kod": ["0001", "0002"], **{col: [10, 2] for col in EDUCATION_LABELS}})
    census["edu_university"] = [40, 4]
    exclusion = pd.DataFrame({
        "obec_kod": ["A", "B", "C"], "population_15plus": [100, 300, 40], "population_15_64": [80, 220, 30],
        "exekuce": [5, 15, 8], "pnb": [1.0, 2.0, 3.0], "pnz": [1.5, 2.5, 0.4], "ltu": [2, 6, 3],
    })
    return age5, census, exclusion, territory


def test_compute_shares_by_hand(toy):
    shares = cmp.compute_shares(*toy, "orp").set_index(["indicator", "unit"])
    assert shares.index.get_level_values("indicator").unique().tolist() == list(cmp.SHARE_METHODS)
    first = shares.loc["share_65plus", "0001"]
    assert (first["count"], first["denominator"], first["share"]) == (80, 400, pytest.approx(20.0))
    assert (first["ci_low"], first["ci_high"]) == pytest.approx([100 * v for v in wilson_by_hand(80, 400)])
    assert shares.loc[("share_0_14", "0002"), "share"] == pytest.approx(100 * 10 / 40)
    assert shares.loc[("share_university", "0001"), "share"] == pytest.approx(100 * 40 / 100)
    assert shares.loc[("share_exekuce", "0001"), "share"] == pytest.approx(100 * 20 / 400)
    pnz = shares.loc["share_pnz", "0001"]
    assert (pnz["share"], pnz["method"]) == (pytest.approx(100 * 4 / 400), "byar")
    # Byar limits of the count 4 per 400 people, in percent
    high = 5 * (1 - 1 / 45 + Z95 / (3 * math.sqrt(5))) ** 3
    assert pnz["ci_high"] == pytest.approx(100 * high / 400)
    assert shares.loc[("share_ltu", "0002"), "share"] == pytest.approx(100 * 3 / 30)


def test_compute_shares_at_kraj_and_cr_levels(toy):
    kraj = cmp.compute_shares(*toy, "kraj").set_index(["indicator", "unit"])
    assert kraj.loc[("share_university", "K2"), "share"] == pytest.approx(100 * 4 / 16)
    cr = cmp.compute_shares(*toy, "cr").set_index(["indicator", "unit"])
    assert cr.index.get_level_values("unit").unique().tolist() == ["CZ"]
    assert cr.loc[("share_65plus", "CZ"), "share"] == pytest.approx(100 * 90 / 440)
    assert cr.loc[("share_university", "CZ"), "share"] == pytest.approx(100 * 44 / 116)


def shares_frame(rows):
    """A compute_shares-like frame from (unit, indicator, count, denominator)."""
    frame = pd.DataFrame(rows, columns=["unit", "indicator", "count", "denominator"])
    frame["share"] = 100 * frame["count"] / frame["denominator"]
    low, high = zip(*(wilson_by_hand(c, d) for c, d in zip(frame["count"], frame["denominator"])))
    return frame.assign(ci_low=100 * np.array(low), ci_high=100 * np.array(high), method="wilson")


def test_share_comparison_pools_the_neighbours_and_flags():
    orp_shares = shares_frame([("1", "share_65plus", 300, 1000), ("2", "share_65plus", 100, 1000),
                               ("3", "share_65plus", 300, 1000), ("1", "share_ltu", 20, 1000),
                               ("2", "share_ltu", 10, 1000), ("3", "share_ltu", 50, 1000)])
    kraj = shares_frame([("K", "share_65plus", 250, 1000), ("K", "share_ltu", 30, 1000)])
    cr = shares_frame([("CZ", "share_65plus", 200, 1000), ("CZ", "share_ltu", 80, 1000)])
    table = cmp.compute_share_comparison(orp_shares, kraj, cr, "1", "K", ["2", "3"])
    assert table["indicator"].tolist() == ["share_65plus", "share_ltu"]
    row = table.iloc[0]
    assert (row["value"], row["kraj"], row["cr"]) == pytest.approx((30.0, 25.0, 20.0))
    assert row["peers"] == pytest.approx(100 * 400 / 2000)  # (100 + 300) / (1000 + 1000)
    # Wilson 30 % of 1 000: 27.2–32.9 % → above 25 and 20
    assert (row["vs_kraj"], row["vs_cr"], row["vs_peers"]) == (HIGHER, HIGHER, HIGHER)
    ltu = table.iloc[1]
    assert ltu["peers"] == pytest.approx(3.0)  # 60 / 2 000
    # 2 % of 1 000: 1.30–3.07 % → includes 3 (kraj and peers), below 8 (ČR)
    assert (ltu["vs_kraj"], ltu["vs_cr"], ltu["vs_peers"]) == (SIMILAR, LOWER, SIMILAR)
    only = cmp.compute_share_comparison(orp_shares, kraj, cr, "1", "K", ["2"], indicators=["share_ltu", "log_x"])
    assert only["indicator"].tolist() == ["share_ltu"]
    with pytest.raises(ParameterError, match="ORP code '9' has no shares"):
        cmp.compute_share_comparison(orp_shares, kraj, cr, "9", "K", ["2"])
    czech, decimals = cmp.czech_comparison_table(table)
    assert czech.columns[:3].tolist() == ["Ukazatel", "Interval", "SO ORP"]
    assert czech["Interval"].tolist() == ["Wilson (podíl)"] * 2 and decimals == [1, 2]


# --------------------------------------------------------------------------- neighbours, types, spine


@pytest.fixture
def five():
    """Five ORPs: log_population 3, 4, 4, 5, 6 (1 000 … 1 000 000 people) and share_65plus 10 … 30."""
    return pd.DataFrame({"log_population": [3.0, 4.0, 4.0, 5.0, 6.0], "share_65plus": [10.0, 15.0, 20.0, 25.0, 30.0]},
                        index=pd.Index(["01", "02", "03", "04", "05"], name="orp_kod"))


def test_peer_table_in_natural_units(five):
    neighbours = pd.DataFrame({"orp_kod": ["03", "04"], "distance": [1.0, 2.5], "rank": [1, 2]})
    names = pd.DataFrame({"orp_kod": ["01", "02", "03", "04", "05", "03"], "orp_nazev": list("ABCDEC"),
                          "kraj_nazev": ["K"] * 6})
    table = cmp.compute_peer_table(five, neighbours, "02", names)
    assert table["orp_kod"].tolist() == ["02", "03", "04"]
    assert table["rank"].isna().tolist() == [True, False, False] and table["rank"].iloc[2] == 2
    assert table["distance"].tolist() == [0.0, 1.0, 2.5]
    assert table["log_population"].tolist() == pytest.approx([10_000, 10_000, 100_000])
    assert table["share_65plus"].tolist() == [15.0, 20.0, 25.0]
    czech, decimals = cmp.czech_peer_table(table)
    assert "Počet obyvatel k 1. 1. 2024" in czech.columns and decimals["Počet obyvatel k 1. 1. 2024"] == 0
    assert decimals["Vzdálenost (z-skóre)"] == 2 and decimals["Kód ORP"] is None


def test_neighbour_benchmark_on_a_square():
    # corners of a square of side 2 in z-scores: the nearest neighbour is 2 away, the farthest √8
    square = pd.DataFrame({"a": [-1.0, -1.0, 1.0, 1.0], "b": [-1.0, 1.0, -1.0, 1.0]}, index=list("pqrs"))
    assert cmp.compute_neighbour_benchmark(square, 1, {"a": 1, "b": 1}).tolist() == pytest.approx([2.0] * 4)
    assert cmp.compute_neighbour_benchmark(square, 3, {"a": 1, "b": 1}).tolist() == pytest.approx([math.sqrt(8)] * 4)
    # weight 3 on a: the two neighbours along b (2 away) come before those along a (6 away)
    assert cmp.compute_neighbour_benchmark(square, 2, {"a": 3, "b": 1}).tolist() == pytest.approx([6.0] * 4)


@pytest.fixture
def blobs():
    """Twelve ORPs in three separated groups of 5, 4 and 3."""
    rng = np.random.default_rng(1)
    centres = [(10.0, 0.0)] * 3 + [(-10.0, 0.0)] * 4 + [(0.0, 10.0)] * 5
    values = np.array(centres) + rng.normal(0, 0.5, size=(12, 2))
    return pd.DataFrame(values, columns=["share_65plus", "share_ltu"], index=[f"{2101 + i}" for i in range(12)])


def test_types_zero_means_silhouette_and_match_the_typology(blobs):
    z = compute_zscores(blobs)
    weights = {"share_65plus": 1.0, "share_ltu": 1.0}
    chosen = cmp.compute_types(z, 0, weights)
    assert chosen.k == 3 and len(chosen.diagnostics) == len(range(3, 9))
    # one thread gives what OpenMP's threads give
    pd.testing.assert_series_equal(chosen.labels, compute_typology(z, k=3, seed=0, weights=weights).labels)
    fixed = cmp.compute_types(z, 2, weights)
    assert fixed.k == 2 and fixed.diagnostics["k"].tolist() == [2]
    silhouette = cmp.czech_silhouette_table(chosen)
    assert silhouette["Zvoleno"].tolist() == ["ano", "", "", "", "", ""]


def test_type_table_medians_and_typical_orps(blobs):
    z = compute_zscores(blobs)
    typology = cmp.compute_types(z, 0, {"share_65plus": 1.0, "share_ltu": 1.0})
    names = pd.Series({code: f"ORP {code}" for code in blobs.index})
    table = cmp.compute_type_table(typology, blobs, z, names, examples=2)
    assert table["type_id"].tolist() == [1, 2, 3] and table["n_orp"].tolist() == [5, 4, 3]
    members = blobs.index[typology.labels == 3]
    assert table.loc[2, "share_65plus"] == pytest.approx(blobs.loc[members, "share_65plus"].median())
    centroid = z.loc[members].mean()
    typical = np.sqrt(((z.loc[members] - centroid) ** 2).sum(axis=1)).sort_values().index[:2]
    assert table.loc[2, "examples"] == ", ".join(names[typical])
    # the group at (−10, 0): both below the means (65+: 5 × 0 + 3 × 10 − 4 × 10 < 0; ltu: 0 < 50 / 12)
    assert table.loc[1, "label"] == "ORP s mladší věkovou strukturou a s nízkou dlouhodobou nezaměstnaností"
    legend = ctext.type_legend(table)
    assert legend[2] == f"Typ 2: {table.loc[1, 'label']} (4 ORP)"
    czech, decimals = cmp.czech_type_table(table)
    assert "Podíl osob 65+ let (%, 31. 12. 2020) – medián ORP typu" in czech.columns and decimals["Typ"] == 0


def test_spine_statistics_and_scaling(five):
    comparison = pd.DataFrame({"indicator": ["share_65plus"], "cr": [18.0], "vs_cr": [LOWER]})
    spine = cmp.compute_spine(five, "02", comparison).set_index("indicator")
    share = spine.loc["share_65plus"]
    assert (share["min"], share["q25"], share["median"], share["q75"], share["max"]) == (10, 15, 20, 25, 30)
    assert (share["orp"], share["reference"], share["reference_kind"], share["flag"]) == (15, 18, "Česko", LOWER)
    # half-width = max(|10 − 18|, |30 − 18|) = 12
    assert share["pos_min"] == pytest.approx(-8 / 12) and share["pos_max"] == pytest.approx(1.0)
    assert share["pos_orp"] == pytest.approx(-3 / 12)
    population = spine.loc["log_population"]
    # no interval: the reference is the median ORP (10 000); natural values, positions on the log scale
    assert population["reference_kind"] == "medián ORP" and population["flag"] == cmp.NO_INTERVAL
    assert (population["min"], population["median"], population["max"]) == pytest.approx((1e3, 1e4, 1e6))
    assert population["pos_max"] == pytest.approx(1.0) and population["pos_min"] == pytest.approx(-0.5)
    assert population["label"] == "Počet obyvatel k 1. 1. 2024" and population["decimals"] == 0
    table, decimals = cmp.czech_spine_table(spine.reset_index())
    assert table.columns[0] == "Ukazatel" and decimals == [0, 1]


# --------------------------------------------------------------------------- beds, funnel


def test_peer_capacity_per_1000_with_byar_and_flags():
    territory = pd.DataFrame({"obec_kod": ["A", "B"], "orp_kod": ["0001", "0002"]})
    age5 = pd.DataFrame({"obec_kod": ["A", "A", "B"], "sex": "F", "age_start": [70, 75, 85],
                         "population": [500, 1000, 1000]})
    attribution = pd.DataFrame({"unit": ["0001", "0001", "0002", "0001"], "druh_code": ["13", "14", "13", "4"],
                                "forma": "pobytová", "capacity_type": ["luzka", "luzka", "luzka", "klient"],
                                "capacity": [40.0, 25.0, 0.0, 99.0]})
    target = pd.Series({"druh_codes": ("13", "14"), "capacity_type": "luzka", "age_from": 75})
    peer_table = pd.DataFrame({"rank": pd.array([pd.NA, 1], dtype="Int64"), "orp_kod": ["0001", "0002"],
                               "orp_nazev": ["Jedna", "Dva"]})
    table = cmp.compute_peer_capacity(attribution, age5, territory, peer_table, target, reference=50.0)
    assert table["capacity"].tolist() == [65.0, 0.0] and table["population"].tolist() == [1000, 1000]
    assert table["value"].tolist() == pytest.approx([65.0, 0.0])
    low = 65 * (1 - 1 / (9 * 65) - Z95 / (3 * math.sqrt(65))) ** 3
    assert table["ci_low"].iloc[0] == pytest.approx(low)  # per 1 000 of 1 000 people = the count
    assert table["vs_cr"].tolist() == [HIGHER, LOWER]
    assert cmp.czech_capacity_table(table).columns.tolist()[:3] == ["Pořadí podobnosti", "SO ORP", "Lůžka DS a DZR"]
    assert ctext.describe_capacity(table, "0001", "Jedna", 50.0) == (
        "SO ORP Jedna má 65,0 lůžek na 1 000 obyvatel ve věku 75+, podobné ORP 0,0–0,0 (medián 0,0); Česko 50,0.")


def test_funnel_points_agree_with_the_funnel_limits():
    shares = shares_frame([("1", "share_65plus", 230, 1000), ("2", "share_65plus", 2300, 10000),
                           ("3", "share_65plus", 2050, 10000), ("1", "share_ltu", 1, 10)])
    points = cmp.compute_funnel_points(shares, "share_65plus", 20.0).set_index("orp_kod")
    assert points.index.tolist() == ["1", "2", "3"]
    for code, row in points.iterrows():
        limits = funnel_limits(0.2, [row["denominator"]]).set_index("confidence")
        for confidence, column in ((0.95, "outside_95"), (0.998, "outside_99.8")):
            outside = not limits.loc[confidence, "low"] <= row["share"] / 100 <= limits.loc[confidence, "high"]
            assert row[column] == outside, (code, confidence)
    # 23 % of 1 000 is outside the 95 % limits (±2.5 points) only; 23 % of 10 000 outside both
    assert points["outside_95"].tolist() == [True, True, False]
    assert points["outside_99.8"].tolist() == [False, True, False]
    assert ctext.describe_funnel(points, "share_65plus") == (
        "Mimo 95% meze leží 2 z 3 ORP, mimo 99,8% meze 1. Kdyby se ORP lišily jen náhodou, leželo by mimo 99,8% "
        "meze asi 0,0 ORP: podíl osob 65+ se mezi ORP liší skutečně, nejen náhodným kolísáním počtů.")
    assert cmp.funnel_sizes(points.reset_index(), n=3).tolist() == pytest.approx([800, 800 * 15.625**0.5, 12500])
    with pytest.raises(ParameterError, match=r"a funnel plot needs a proportion with a Wilson interval"):
        cmp.compute_funnel_points(shares, "share_pnz", 1.0)


# --------------------------------------------------------------------------- sentences and summary


def test_describe_outliers_and_significance():
    assert ctext.describe_outliers(pd.Series(dtype=float), "Sokolov") == (
        "SO ORP Sokolov není u žádného ukazatele odlehlou hodnotou (žádné z-skóre nedosahuje ±2,5).")
    text = ctext.describe_outliers(pd.Series({"log_mean_obec_size": 7.28, "share_university": 5.15}), "Praha")
    assert text.startswith("**SO ORP Praha je odlehlou hodnotou u několika ukazatelů**")
    assert "průměrná velikost obce (z = +7,3) a podíl vysokoškoláků (z = +5,2)" in text
    comparison = pd.DataFrame({"indicator": ["share_65plus", "share_pnz", "share_ltu"], "value": [19.2, 1.744, 2.0],
                               "cr": [20.17, 0.7, 2.0], "vs_cr": [LOWER, HIGHER, SIMILAR]})
    assert ctext.describe_significance(comparison, "Sokolov") == (
        "Proti Česku má SO ORP Sokolov významně vyšší počet vyplacených příspěvků na živobytí na 100 obyvatel 15+ "
        "(1,74 proti 0,70); významně nižší podíl osob 65+ (19,2 proti 20,2). Bez významného rozdílu: podíl uchazečů "
        "o zaměstnání déle než 6 měsíců.")
    assert ctext.describe_significance(comparison.assign(vs_cr=SIMILAR), "X") == (
        "SO ORP X se u žádného podílu od Česka významně neliší.")


def test_describe_neighbours_and_indicators():
    peer_table = pd.DataFrame({"orp_kod": ["a", "b", "c"], "orp_nazev": ["A", "B", "C"],
                               "kraj_nazev": ["K1", "K2", "K1"], "distance": [0.0, 1.0, 2.0]})
    benchmark = pd.Series({"a": 2.0, "b": 1.0, "c": 1.5, "d": 3.0, "e": 1.2})
    assert ctext.describe_neighbours(peer_table, benchmark, "a", "K1") == (
        "Nejpodobnější je SO ORP B (K2, vzdálenost 1,00). 2 nejpodobnějších ORP je ve vzdálenosti 1,00–2,00, ze "
        "stejného kraje (K1) je 1 z nich. Pro srovnání: u poloviny všech ORP je jejich 2. nejpodobnější ORP blíže "
        "než 1,50; u SO ORP A je to 2,00, víc než u 75 % ORP.")
    assert ctext.describe_neighbours(peer_table, benchmark.replace({3.0: 1.9}), "a", "K1").endswith(
        "nejvíc ze všech ORP.")
    text = ctext.describe_indicators({"share_65plus": 1.0, "share_ltu": 2.5})
    assert text.splitlines()[:2] == ["* Podíl osob 65+ let (%, 31. 12. 2020) – váha 1",
                                     "* Uchazeči o zaměstnání déle než 6 měsíců na 100 obyvatel 15–64 (prosinec 2023) "
                                     "– váha 2,5"]
    assert text.splitlines()[2].startswith("* vypuštěno parametrem: Počet obyvatel k 1. 1. 2024 (log10); ")


def test_describe_typology_justifies_k(blobs):
    z = compute_zscores(blobs)
    typology = cmp.compute_types(z, 0, {"share_65plus": 1.0, "share_ltu": 1.0})
    table = cmp.compute_type_table(typology, blobs, z, pd.Series({c: c for c in blobs.index}))
    text = ctext.describe_typology(typology, table, "2101", "X")
    best = typology.diagnostics["silhouette"].max()
    assert f"pro k = 3 je {str(round(best, 2)).replace('.', ',')}, nejvyšší ze zkoušených k = 3–8" in text
    assert text.endswith(f"SO ORP X patří do typu 3: {table.loc[2, 'label']} (3 ORP).")
    fixed = cmp.compute_types(z, 2, {"share_65plus": 1.0, "share_ltu": 1.0})
    fixed_table = cmp.compute_type_table(fixed, blobs, z, pd.Series({c: c for c in blobs.index}))
    assert "Počet typů zadal analytik (parametr n_types)" in ctext.describe_typology(fixed, fixed_table, "2101", "X")


def test_comparison_summary(blobs):
    z = compute_zscores(blobs)
    weights = {"share_65plus": 1.0, "share_ltu": 1.0}
    typology = cmp.compute_types(z, 0, weights)
    names = pd.DataFrame({"orp_kod": blobs.index, "orp_nazev": [f"ORP {c}" for c in blobs.index],
                          "kraj_nazev": "K"})
    types = cmp.compute_type_table(typology, blobs, z, names.set_index("orp_kod")["orp_nazev"])
    neighbours = pd.DataFrame({"orp_kod": ["2102", "2103"], "distance": [0.123456, 0.5], "rank": [1, 2]})
    peer_table = cmp.compute_peer_table(blobs, neighbours, "2101", names)
    comparison = pd.DataFrame({"indicator": ["share_65plus"], "value": [20.0], "ci_low": [19.0], "ci_high": [21.0],
                               "method": ["wilson"], "kraj": [18.0], "cr": [20.5], "peers": [np.nan],
                               "vs_kraj": [HIGHER], "vs_cr": [SIMILAR], "vs_peers": ["nelze posoudit"]})
    beds = pd.DataFrame({"orp_kod": ["2101", "2102", "2103"], "value": [40.0, 50.0, 60.0], "ci_low": [35.0, 0, 0],
                         "ci_high": [45.0, 0, 0], "vs_cr": [LOWER, "", ""]})
    summary = ctext.comparison_summary(peer_table, typology, types, comparison, pd.Series({"share_ltu": -3.14159}),
                                       weights, beds, 49.0)
    assert summary["peers"] == [
        {"code": "2102", "name": "ORP 2102", "kraj": "K", "distance": 0.1235, "type_id": 3},
        {"code": "2103", "name": "ORP 2103", "kraj": "K", "distance": 0.5, "type_id": 3}]
    assert summary["type"] == {"id": 3, "label": types.loc[2, "label"], "n_orp": 3}
    assert [t["n_orp"] for t in summary["types"]] == [5, 4, 3] and summary["k"] == 3
    assert summary["k_choice"] == "silhouette" and list(summary["silhouette"]) == [str(k) for k in range(3, 9)]
    assert summary["share_65plus"] == {"value": 20.0, "ci_low": 19.0, "ci_high": 21.0, "method": "wilson",
                                       "kraj": 18.0, "cr": 20.5, "peers": None, "vs_kraj": HIGHER, "vs_cr": SIMILAR,
                                       "vs_peers": "nelze posoudit"}
    assert summary["outlying"] == [{"indicator": "share_ltu", "label": INDICATOR_LABELS["share_ltu"], "z": -3.142}]
    assert summary["beds_ds_dzr_per_1000_75plus"] == {"value": 40.0, "ci_low": 35.0, "ci_high": 45.0, "cr": 49.0,
                                                      "vs_cr": LOWER, "peers": {"2102": 50.0, "2103": 60.0}}
    assert summary["orp"] == {"type_id": 3, "nearest_distance": 0.1235} and set(summary["labels"]) == {
        "type_id", "nearest_distance"}


# --------------------------------------------------------------------------- plots


def test_plot_spine_draws_a_marker_per_indicator_shaped_by_flag(five):
    comparison = pd.DataFrame({"indicator": ["share_65plus"], "cr": [18.0], "vs_cr": [LOWER]})
    ax = comparison_plots.plot_spine(cmp.compute_spine(five, "02", comparison))
    assert len(ax.collections) == 2 and len(ax.patches) == 6  # one marker and three bars per indicator
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Počet obyvatel k 1. 1. 2024",
                                                            "Podíl osob 65+ let (%, 31. 12. 2020)"]
    texts = [t.get_text() for t in ax.texts]
    assert "15,0" in texts and "18,0" in texts and "10\xa0000 (medián)" in texts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "významně nižší než Česko" in legend and "bez intervalu (srovnání s mediánem ORP)" in legend


def test_plot_funnel_marks_the_orp_and_its_neighbours():
    points = pd.DataFrame({"orp_kod": ["1", "2", "3", "4"], "denominator": [1e3, 1e4, 1e5, 2e4],
                           "share": [22.0, 19.0, 20.5, 21.0]})
    limits = funnel_limits(0.2, cmp.funnel_sizes(points, n=20))
    names = pd.Series({"1": "Jedna", "2": "Dva", "3": "Tři", "4": "Čtyři"})
    ax = comparison_plots.plot_funnel(points, limits, 20.0, "2", ["3"], names=names, ylabel="Podíl 65+ (%)")
    assert ax.get_xscale() == "log" and len(ax.lines) == 5  # two limits × low/high and the reference
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["ostatní ORP", "podobné ORP", "SO ORP Dva", "meze 95 %", "meze 99,8 %", "Česko: 20,0\xa0%"]


@pytest.fixture
def grid_map():
    """Four square ORPs in a row and one kraj around them."""
    orps = gpd.GeoDataFrame({"orp_kod": ["1", "2", "3", "4"], "orp_nazev": ["A", "B", "C", "D"]},
                            geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs="EPSG:5514")
    kraje = gpd.GeoDataFrame({"kraj_kod": ["K"]}, geometry=[box(0, 0, 4, 1)], crs="EPSG:5514")
    return orps, kraje


def test_map_peers_labels_ranks_and_the_orp(grid_map):
    orps, kraje = grid_map
    ax = comparison_plots.map_peers(orps, "2", pd.DataFrame({"orp_kod": ["4", "1"], "rank": [1, 2]}), kraje=kraje)
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "B"]
    assert [t.get_text() for t in ax.get_legend().get_texts()][0] == "SO ORP B"


def test_map_types_one_style_per_type(grid_map):
    orps, _ = grid_map
    labels = pd.Series({"1": 1, "2": 1, "3": 2, "4": 3})
    ax = comparison_plots.map_types(orps, labels, {1: "Typ 1", 2: "Typ 2", 3: "Typ 3"}, code="3")
    handles = ax.get_legend().legend_handles
    assert [h.get_label() for h in handles] == ["Typ 1", "Typ 2", "Typ 3"]
    assert len({h.get_hatch() for h in handles}) == 3
    assert len({tuple(h.get_facecolor()) for h in handles}) == 3
    lightness = [sum(h.get_facecolor()[:3]) for h in handles]
    assert lightness == sorted(lightness, reverse=True)  # light to dark: distinct in greyscale too
    assert [t.get_text() for t in ax.texts] == ["C"]
