"""Statistical neighbours and the typology of ORPs (kpss_analysis.analysis.peers), on toy tables computed by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from kpss_analysis.analysis.demography import EDUCATION_LABELS
from kpss_analysis.analysis.peers import (
    AVERAGE_TYPE,
    DEFAULT_INDICATORS,
    INDICATOR_LABELS,
    TYPE_PHRASES,
    compute_neighbours,
    compute_outlying_indicators,
    compute_peer_indicators,
    compute_typology,
    compute_zscores,
    describe_type,
)
from kpss_analysis.errors import DataValidationError, ParameterError


@pytest.fixture
def square():
    """Four ORPs on the corners of a square: a = 0, 0, 2, 2 and b = 1, 3, 1, 3 (mean 1 / 2, population sd 1)."""
    return pd.DataFrame({"a": [0.0, 0.0, 2.0, 2.0], "b": [1.0, 3.0, 1.0, 3.0]},
                        index=pd.Index(["4101", "4102", "4103", "4104"], name="orp_kod"))


def test_zscores_use_the_population_standard_deviation(square):
    z = compute_zscores(square)
    # with ddof = 1 the sd would be 1.1547 and the z-scores ±0.866
    assert z["a"].tolist() == [-1.0, -1.0, 1.0, 1.0]
    assert z["b"].tolist() == [-1.0, 1.0, -1.0, 1.0]


def test_zscores_reject_constant_missing_and_duplicate_input(square):
    with pytest.raises(DataValidationError, match=r"column\(s\) \['c'\] have the same value in every ORP"):
        compute_zscores(square.assign(c=5.0))
    with pytest.raises(DataValidationError, match=r"column 'a' has no value for ORP \['4102'\]"):
        compute_zscores(square.assign(a=[0.0, np.nan, 2.0, 2.0]))
    with pytest.raises(DataValidationError, match=r"duplicate ORP codes \['4101'\]"):
        compute_zscores(square.set_axis(["4101", "4101", "4103", "4104"]))


def test_neighbours_distances_by_hand_and_ties_by_code(square):
    z = compute_zscores(square)
    # from (−1, −1): 4102 at (−1, 1) and 4103 at (1, −1) are both 2 away, 4104 at (1, 1) is √8 away
    table = compute_neighbours(z.iloc[::-1], "4101", n=3)
    assert table.columns.tolist() == ["orp_kod", "distance", "rank"]
    assert table["orp_kod"].tolist() == ["4102", "4103", "4104"]
    assert table["distance"].tolist() == pytest.approx([2.0, 2.0, math.sqrt(8)])
    assert table["rank"].tolist() == [1, 2, 3]


def test_neighbours_with_weights_scale_the_z_scores(square):
    z = compute_zscores(square)
    # weighted z-scores: a × 2 → 4101 (−2, −1), 4102 (−2, 1), 4103 (2, −1), 4104 (2, 1)
    table = compute_neighbours(z, "4101", n=3, weights={"a": 2, "b": 1})
    assert table["orp_kod"].tolist() == ["4102", "4103", "4104"]
    assert table["distance"].tolist() == pytest.approx([2.0, 4.0, math.sqrt(20)])
    only_a = compute_neighbours(z, "4101", n=1, weights={"a": 1, "b": 0})
    assert only_a["orp_kod"].tolist() == ["4102"] and only_a["distance"].iloc[0] == 0.0


def test_neighbours_reject_bad_parameters(square):
    z = compute_zscores(square)
    with pytest.raises(ParameterError, match=r"ORP code '9999' is not among the 4 ORPs"):
        compute_neighbours(z, "9999")
    with pytest.raises(ParameterError, match="n must be between 1 and 3, got 10"):
        compute_neighbours(z, "4101")
    with pytest.raises(ParameterError, match=r"unknown indicators \['c'\], indicators without a weight \['b'\]"):
        compute_neighbours(z, "4101", n=2, weights={"a": 1, "c": 1})
    with pytest.raises(ParameterError, match="weights must be non-negative numbers, at least one positive"):
        compute_neighbours(z, "4101", n=2, weights={"a": -1, "b": 1})
    with pytest.raises(ParameterError, match="weights must be non-negative numbers, at least one positive"):
        compute_neighbours(z, "4101", n=2, weights={"a": 0, "b": 0})


def test_outlying_indicators(square):
    z = pd.DataFrame({"a": [3.0, -0.5], "b": [-4.0, 0.1], "c": [1.0, 0.0]}, index=["1000", "2101"])
    assert compute_outlying_indicators(z, "1000").to_dict() == {"b": -4.0, "a": 3.0}
    assert compute_outlying_indicators(z, "2101").empty
    with pytest.raises(ParameterError, match="ORP code '9' is not among"):
        compute_outlying_indicators(z, "9")


@pytest.fixture
def blobs():
    """Twelve ORPs in three well separated groups of 5, 4 and 3 (listed smallest first)."""
    rng = np.random.default_rng(1)
    centres = [(10.0, 0.0)] * 3 + [(-10.0, 0.0)] * 4 + [(0.0, 10.0)] * 5
    values = np.array(centres) + rng.normal(0, 0.5, size=(12, 2))
    return pd.DataFrame(values, columns=["a", "b"], index=[f"{2101 + i}" for i in range(12)])


def test_typology_chooses_k_by_silhouette_numbers_types_by_size_and_is_reproducible(blobs):
    z = compute_zscores(blobs)
    first, second = compute_typology(z, seed=0), compute_typology(z, seed=0)
    assert first.k == 3
    assert first.diagnostics["k"].tolist() == [3, 4, 5, 6, 7, 8]
    assert first.diagnostics.loc[first.diagnostics["silhouette"].idxmax(), "k"] == 3
    assert first.sizes.to_dict() == {1: 5, 2: 4, 3: 3}
    assert first.labels[blobs.index[-1]] == 1 and first.labels[blobs.index[0]] == 3
    pd.testing.assert_series_equal(first.labels, second.labels)
    pd.testing.assert_frame_equal(first.centroids, second.centroids)
    # the centroid is the mean z-score of the type's members
    assert first.centroids.loc[3, "a"] == pytest.approx(z.iloc[:3]["a"].mean())
    # another seed gives the same numbered types on well separated groups
    pd.testing.assert_series_equal(compute_typology(z, seed=7).labels, first.labels)


def test_typology_with_a_given_k_and_bad_k(blobs):
    z = compute_zscores(blobs)
    typology = compute_typology(z, k=2)
    assert typology.k == 2 and typology.diagnostics["k"].tolist() == [2]
    # the group at (−10, 0) is farthest from the other two, which merge
    assert typology.sizes.to_dict() == {1: 8, 2: 4}
    assert (typology.labels.iloc[3:7] == 2).all()
    with pytest.raises(ParameterError, match=r"k must be between 2 and 11, got \[12\]"):
        compute_typology(z, k=12)


def test_describe_type_from_the_strongest_z_scores():
    centroid = pd.Series({"share_65plus": 0.9, "log_mean_obec_size": -1.2, "share_ltu": -0.6,
                          "share_exekuce": -0.55, "share_university": 0.1})
    assert describe_type(centroid) == (
        "nadprůměrně stárnoucí venkovské (malé obce) ORP s nízkou dlouhodobou nezaměstnaností")
    two_after = pd.Series({"share_exekuce": 2.0, "share_ltu": 1.8, "share_pnz": 0.2})
    assert describe_type(two_after) == (
        "ORP s vysokým podílem osob v exekuci a s vysokou dlouhodobou nezaměstnaností")
    assert describe_type(pd.Series({"share_65plus": 0.2, "share_0_14": -0.3})) == AVERAGE_TYPE
    assert describe_type(pd.Series({"beds": 1.5})) == "ORP s nadprůměrnou hodnotou ukazatele „beds“"


def test_every_indicator_has_a_label_phrases_and_a_default_weight():
    assert set(INDICATOR_LABELS) == set(TYPE_PHRASES) == set(DEFAULT_INDICATORS)
    assert all(weight == 1.0 for weight in DEFAULT_INDICATORS.values())


# --------------------------------------------------------------------------- indicators from toy tables


@pytest.fixture
def toy():
    """ORP 0001 = obce A (100 → 120 inhabitants) and B (300 → 280); ORP 0002 = obec C (50 → 40)."""
    territory = pd.DataFrame({"obec_kod": ["A", "B", "C"], "orp_kod": ["0001", "0001", "0002"]})
    totals = pd.DataFrame({"year": [2014] * 3 + [2024] * 3, "obec_kod": ["A", "B", "C"] * 2,
                           "total": [100, 300, 50, 120, 280, 40]})
    # per obec: 0–4, 10–14, 15–19, 65–69, 85+
    age5 = pd.DataFrame({
        "obec_kod": ["A"] * 5 + ["B"] * 5 + ["C"] * 5, "sex": "F", "age_start": [0, 10, 15, 65, 85] * 3,
        "population": [10, 10, 60, 10, 10, 20, 20, 200, 30, 30, 5, 5, 20, 5, 5],
    })
    census = pd.DataFrame({"orp_kod": ["0001", "0002"],
                           **{col: [10, 2] for col in EDUCATION_LABELS}})
    census["edu_university"] = [40, 4]
    exclusion = pd.DataFrame({
        "obec_kod": ["A", "B", "C"], "population_15plus": [100, 300, 40], "population_15_64": [80, 220, 30],
        "exekuce": [5, 15, 8], "pnb": [1.0, 2.0, 3.0], "pnz": [1.5, 2.5, 0.4], "ltu": [2, 6, 3],
        "index_score": [0, 3, 12], "index_category": ["0 až 1", "2 až 7", "12 až 30"],
    })
    return totals, age5, census, exclusion, territory


def test_peer_indicators_by_hand(toy):
    table = compute_peer_indicators(*toy)
    assert table.index.tolist() == ["0001", "0002"] and table.columns.tolist() == list(INDICATOR_LABELS)
    first = table.loc["0001"]
    assert first["log_population"] == pytest.approx(math.log10(400))
    assert first["share_65plus"] == pytest.approx(100 * 80 / 400)  # (10 + 10 + 30 + 30) / 400
    assert first["share_0_14"] == pytest.approx(100 * 60 / 400)
    assert first["population_change"] == pytest.approx(0.0)  # 400 → 400
    assert first["share_exekuce"] == pytest.approx(100 * 20 / 400)
    assert first["share_pnz"] == pytest.approx(100 * 4.0 / 400)
    assert first["share_ltu"] == pytest.approx(100 * 8 / 300)
    assert first["share_university"] == pytest.approx(100 * 40 / 100)  # 6 × 10 + 40
    assert first["log_mean_obec_size"] == pytest.approx(math.log10(200))
    second = table.loc["0002"]
    assert second["population_change"] == pytest.approx(-20.0)
    assert second["share_university"] == pytest.approx(100 * 4 / 16)
    assert second["log_mean_obec_size"] == pytest.approx(math.log10(40))


def test_peer_indicators_reject_incomplete_input(toy):
    totals, age5, census, exclusion, territory = toy
    with pytest.raises(DataValidationError, match=r"exclusion table: missing columns \['ltu'\]"):
        compute_peer_indicators(totals, age5, census, exclusion.drop(columns="ltu"), territory)
    with pytest.raises(DataValidationError, match=r"1 obce of the territory table have no row \(e.g. \['C'\]\)"):
        compute_peer_indicators(totals, age5, census, exclusion.iloc[:2], territory)
    extra = pd.concat([exclusion, exclusion.iloc[:1].assign(obec_kod="Z")])
    with pytest.raises(DataValidationError, match=r"1 obce are not in the territory table \(e.g. \['Z'\]\)"):
        compute_peer_indicators(totals, age5, census, extra, territory)
    with pytest.raises(DataValidationError, match=r"population totals: no year 2014"):
        compute_peer_indicators(totals[totals["year"] == 2024], age5, census, exclusion, territory)
    with pytest.raises(DataValidationError, match=r"column 'share_university' has no value for ORP \['0002'\]"):
        compute_peer_indicators(totals, age5, census.iloc[:1], exclusion, territory)
