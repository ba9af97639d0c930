"""Population projection: the cohort engine on toy populations checked on paper, and the real-data identities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import SEED_ORPS
from kpss_analysis.analysis import projection as pj
from kpss_analysis.data import load
from kpss_analysis.errors import ParameterError

# Two units, ages 0 … 3 (3 = 3+), sex index 0 = men, 1 = women.
BASE = np.array([
    [[10, 10, 10, 10], [10, 10, 10, 10]],
    [[20, 10, 0, 10], [10, 30, 20, 0]],
], dtype=float)
NATION_T1 = np.array([[33, 27, 18, 24], [22, 36, 36, 30]], dtype=float)
TOY = {"fertile_ages": range(2, 3), "child_ages": range(0, 1)}


def toy_projection(migration=None):
    return pj.project_cohorts(BASE, {0: BASE.sum(axis=0), 1: NATION_T1}, migration=migration, **TOY)


def test_cohorts_age_with_the_national_cohort_change_ratios():
    result = toy_projection()[1]
    # Men: 0→1 27/30 = 0.9, 1→2 18/20 = 0.9, open group 24 / (10 + 20) = 0.8.
    assert result[0, 0, 1:].tolist() == pytest.approx([9, 9, 16])
    assert result[1, 0, 1:].tolist() == pytest.approx([18, 9, 8])
    # Women: 0→1 36/20 = 1.8, 1→2 36/40 = 0.9, open group 30 / (30 + 10) = 0.75.
    assert result[0, 1, 1:].tolist() == pytest.approx([18, 9, 15])
    assert result[1, 1, 1:].tolist() == pytest.approx([18, 27, 15])


def test_children_follow_women_and_the_relative_child_woman_ratio():
    result = toy_projection()[1]
    # Child-woman ratio at the base: unit 1 20/10 = 2, unit 2 30/20 = 1.5, nation 50/30 = 5/3,
    # relative 1.2 and 0.9. Women of age 2 at t1: 9 and 27 → weights 10.8 and 24.3 → 4/13 and 9/13.
    assert result[0, :, 0].tolist() == pytest.approx([33 * 4 / 13, 22 * 4 / 13])
    assert result[1, :, 0].tolist() == pytest.approx([33 * 9 / 13, 22 * 9 / 13])


def test_zero_differential_units_add_up_to_the_nation_without_adjustment():
    result = toy_projection()
    assert result[1].sum(axis=0) == pytest.approx(NATION_T1)
    assert result[0] is not BASE and (result[0] == BASE).all()


def test_migration_differential_shifts_people_and_is_raked_to_the_nation():
    result = toy_projection(np.array([0.1, -0.1]))[1]
    assert result.sum(axis=0) == pytest.approx(NATION_T1)
    # Men aged 1: unit 1 9 × 1.1 = 9.9, unit 2 18 × 0.9 = 16.2, raked to 27 in total.
    assert result[0, 0, 1] == pytest.approx(9.9 * 27 / 26.1)
    assert result[1, 0, 1] == pytest.approx(16.2 * 27 / 26.1)
    # Children from the migrated women: 9.9 × 1.2 = 11.88 and 24.3 × 0.9 = 21.87.
    assert result[0, 0, 0] == pytest.approx(33 * 11.88 / (11.88 + 21.87))


def test_a_step_as_long_as_the_first_fertile_age_is_refused():
    with pytest.raises(ValueError, match="shorter than 2 years"):
        pj.project_cohorts(BASE, {0: BASE.sum(axis=0), 2: NATION_T1}, **TOY)


def test_split_to_single_years_keeps_group_totals_and_uses_the_profile_shape():
    groups = pd.DataFrame({"unit": ["u", "u", "u", "u"], "profile_unit": ["p"] * 4, "sex": ["M", "M", "F", "F"],
                           "age_start": [0, 2, 0, 2], "population": [30, 10, 8, 0]})
    profile = pd.DataFrame({"unit": ["p"] * 4, "age": [0, 1, 2, 3], "population": [1, 2, 3, 1]})
    out = pj.split_to_single_years(groups, profile, unit="unit").set_index(["sex", "age"])["population"]
    assert out.loc["M"].tolist() == pytest.approx([10, 20, 7.5, 2.5])
    assert out.loc["F"].tolist() == pytest.approx([8 / 3, 16 / 3, 0, 0])


def test_split_without_a_profile_names_the_missing_unit():
    groups = pd.DataFrame({"unit": ["u"], "profile_unit": ["CZ0999"], "sex": ["M"], "age_start": [0], "population": [5]})
    profile = pd.DataFrame({"unit": ["p"], "age": [0], "population": [1]})
    with pytest.raises(Exception, match="CZ0999"):
        pj.split_to_single_years(groups, profile, unit="unit")


def test_migration_differential_is_the_population_weighted_rate_difference():
    mos = pd.DataFrame({"obec_kod": ["1", "2", "3", "4"], "population_mos": [100.0, 300.0, 600.0, 50.0],
                        "migration_balance_per_1000": [10.0, 2.0, -5.0, np.nan]})
    territory = pd.DataFrame({"obec_kod": ["1", "2", "3", "4"], "orp_kod": ["A", "A", "B", "B"]})
    out = pj.compute_migration_differential(mos, territory)
    # ORP A (1000 + 600) / 400 = 4 ‰, ORP B −5 ‰, ČR (1000 + 600 − 3000) / 1000 = −1.4 ‰.
    assert out["A"] == pytest.approx(0.0054)
    assert out["B"] == pytest.approx(-0.0036)


@pytest.mark.parametrize("years, message", [
    ([2031], "2031"), ([], "alespoň jeden"), (["2030"], "'2030'"), ([2021], "2021"),
])
def test_horizon_years_outside_the_projection_list_the_available_years(years, message):
    with pytest.raises(ParameterError, match=message) as info:
        pj.check_horizon_years(years, [2023, 2025, 2030, 2035, 2040, 2045])
    assert "2023, 2025, 2030, 2035, 2040, 2045" in str(info.value)


def test_horizon_years_are_sorted_and_deduplicated():
    assert pj.check_horizon_years([2040, 2030, 2040], [2030, 2040]) == [2030, 2040]


def _toy_long(values: dict) -> pd.DataFrame:
    rows = [{"variant": "A", "orp_kod": orp, "year": year, "sex": "M", "age": 0, "population": v}
            for (orp, year), v in values.items()]
    return pd.DataFrame(rows)


def test_backtest_interpolates_between_projection_years():
    projection = _toy_long({("A", 2021): 100, ("A", 2023): 110, ("A", 2025): 120})
    totals = pd.DataFrame({"obec_kod": ["1", "1"], "year": [2023, 2024], "total": [100, 125]})
    territory = pd.DataFrame({"obec_kod": ["1"], "orp_kod": ["A"], "orp_nazev": ["Alfa"]})
    out = pj.compute_backtest(projection, totals, territory).set_index("year")
    assert out.loc[2023, "error_pct"] == pytest.approx(10.0)
    assert out.loc[2024, "projected"] == pytest.approx(115.0)
    assert out.loc[2024, "error_pct"] == pytest.approx(-8.0)
    summary = pj.summarize_backtest(out.reset_index()).set_index("year")
    assert summary.loc[2023, "mape"] == pytest.approx(10.0)
    assert summary.loc[2024, "within_2pct"] == 0


def test_age_groups_and_indices():
    ages = np.arange(101)
    frame = pd.DataFrame({"year": 2030, "sex": "F", "age": ages, "population": np.where(ages < 15, 2.0, 1.0)})
    out = pj.compute_age_groups(frame, ["year"]).iloc[0]
    assert out["0–14"] == 30 and out["15–64"] == 50 and out["65+"] == 36 and out["85+"] == 16
    assert out["ageing_index"] == pytest.approx(120.0)
    assert out["old_age_dependency"] == pytest.approx(72.0)


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real(data_dir):
    import os

    previous = os.environ.get("KPSS_DATA_DIR")
    os.environ["KPSS_DATA_DIR"] = str(data_dir)
    try:
        territory = load.load_territory()
        projection = pj.compute_projection(load.load_age5(), territory, load.load_age1_okres(),
                                           load.load_projection(), load.load_mos())
        return territory, projection, load.load_projection(), load.load_age5(), load.load_population_totals()
    finally:
        if previous is None:
            os.environ.pop("KPSS_DATA_DIR", None)
        else:
            os.environ["KPSS_DATA_DIR"] = previous


@pytest.mark.e2e
def test_the_projection_is_computed_once_per_process_and_each_caller_gets_a_copy(real, use_data):
    """Chapters 02, 03 … share one projection: a second call with the same data is a cache hit."""
    import time

    territory, projection, national, age5, _totals = real
    inputs = (age5, territory, load.load_age1_okres(), national, load.load_mos())
    started = time.perf_counter()
    first = pj.compute_projection(*inputs)
    hit = time.perf_counter() - started
    pd.testing.assert_frame_equal(first, projection)
    first["population"] = 0.0  # a caller that changes its copy does not change the next caller's
    assert pj.compute_projection(*inputs)["population"].sum() == pytest.approx(projection["population"].sum())
    changed = age5.assign(population=age5["population"] + 1)
    started = time.perf_counter()
    other = pj.compute_projection(changed, *inputs[1:])
    miss = time.perf_counter() - started
    assert other["population"].sum() > projection["population"].sum()
    assert hit < miss / 3  # hashing the inputs costs a fraction of projecting


@pytest.mark.e2e
def test_all_orps_add_up_to_the_national_projection_by_sex_and_age(real):
    territory, projection, national, _age5, _totals = real
    assert projection["orp_kod"].nunique() == 206
    sums = projection.groupby(["variant", "year", "sex", "age"])["population"].sum()
    expected = national.set_index(["year", "sex", "age"])["population"].astype(float)
    for variant in pj.VARIANT_LABELS:
        got = sums.loc[variant].reindex(expected.index)
        assert np.abs(got - expected).max() < 1e-6, variant


@pytest.mark.e2e
def test_the_base_is_the_real_2020_structure_of_every_orp(real):
    territory, projection, _national, age5, _totals = real
    base = projection[(projection["year"] == pj.BASE_YEAR) & (projection["variant"] == pj.VARIANT_A)]
    assert base["population"].sum() == pytest.approx(10_701_777)
    observed = age5.merge(territory[["obec_kod", "orp_kod"]], on="obec_kod").groupby(["orp_kod", "sex"])["population"].sum()
    got = base.groupby(["orp_kod", "sex"])["population"].sum()
    assert np.abs(got - observed.reindex(got.index)).max() < 1e-6
    # 85+ of the five-year data is kept when split into 85 … 100+.
    old = base[base["age"] >= 85].groupby("orp_kod")["population"].sum()
    observed_old = age5[age5["age_start"] == 85].merge(territory, on="obec_kod").groupby("orp_kod")["population"].sum()
    assert np.abs(old - observed_old.reindex(old.index)).max() < 1e-6


@pytest.mark.e2e
def test_backtest_covers_every_orp_with_a_small_typical_error(real):
    territory, projection, _national, _age5, totals = real
    summary = pj.summarize_backtest(pj.compute_backtest(projection, totals, territory)).set_index(["variant", "year"])
    assert (summary["n_orp"] == 206).all()
    # Observed 1. 1. 2023 = the national projection's start, so errors are distributional only:
    # a typical ORP within a few percent (the census revision of 2021 moved some ORPs by more).
    assert (summary.xs(2023, level="year")["median_ape"] < 2).all()


# --------------------------------------------------------------------------- the chapter




@pytest.mark.e2e
@pytest.mark.parametrize("name", SEED_ORPS)
def test_chapter_outputs_of_the_seed_orps(seed_runs, real, name):
    import json

    folder = seed_runs[name]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["projekce"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    _territory, _projection, national, _age5, _totals = real
    assert summary["horizon_years"] == [2030, 2040]
    for variant in pj.VARIANT_LABELS:
        levels = summary["variants"][variant]
        for year in ("2021", "2030", "2040"):
            orp, kraj, cr = (levels[level][year] for level in ("orp", "kraj", "cr"))
            assert orp["65+"] >= orp["75+"] >= orp["80+"] >= orp["85+"] > 0
            assert all(kraj[g] >= orp[g] for g in pj.SENIOR_GROUPS)
            for group, (first, _last) in pj.AGE_GROUPS.items():
                if group in pj.SENIOR_GROUPS and year != "2021":
                    # ČR column = the ČSÚ projection itself (both variants are reconciled to it).
                    expected = national[(national["year"] == int(year)) & (national["age"] >= first)]["population"].sum()
                    assert cr[group] == pytest.approx(expected, abs=0.1)
    assert set(summary["backtest_mape_pct"]) == {"A_2023", "A_2024", "B_2023", "B_2024"}
    chapter = [i for i in manifest["items"] if i["chapter"] == "02_projekce"]
    assert sum(i["kind"] == "figure" for i in chapter) == 3
    assert all("Projekce obyvatelstva ČR 2023–2100" in i["source"] for i in chapter)
    seniors = pd.read_csv(folder / "tables" / "projekce_seniori.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert seniors.loc[0, "2030 – varianta A"] == round(summary["variants"]["A"]["orp"]["2030"]["65+"])


@pytest.mark.e2e
def test_a_horizon_year_outside_the_projection_stops_the_chapter_with_the_list(use_data, tmp_path):
    import papermill

    from kpss_analysis import config

    with pytest.raises(papermill.PapermillExecutionError) as info:
        papermill.execute_notebook(str(config.notebooks_dir() / "02_projekce.ipynb"), str(tmp_path / "run.ipynb"),
                                   parameters={"orp": "Rokycany", "output_dir": str(tmp_path / "out"),
                                               "horizon_years": [2030, 2050]},
                                   kernel_name=config.KERNEL_NAME, progress_bar=False, cwd=str(config.notebooks_dir()))
    assert info.value.ename == "ParameterError"
    assert "2050" in info.value.evalue and "2023, 2025, 2030, 2035, 2040, 2045" in info.value.evalue
    assert not (tmp_path / "out" / "tables").exists()


def test_target_populations_sum_the_ages_from_the_threshold():
    frame = pd.DataFrame({"variant": "A", "orp_kod": "X", "year": [2030] * 4 + [2040] * 4, "sex": "F",
                          "age": [64, 65, 75, 100] * 2, "population": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 40.0]})
    out = pj.compute_target_populations(frame, "X", [75, 65], [2030, 2040])
    assert out.to_dict("records") == [
        {"year": 2030, "age_from": 65, "population": 9.0}, {"year": 2040, "age_from": 65, "population": 90.0},
        {"year": 2030, "age_from": 75, "population": 7.0}, {"year": 2040, "age_from": 75, "population": 70.0},
    ]
    with pytest.raises(ParameterError, match="2035"):
        pj.compute_target_populations(frame, "X", [65], [2035])
    with pytest.raises(ParameterError, match="varianta"):
        pj.compute_target_populations(frame, "X", [65], [2030], variant="C")
