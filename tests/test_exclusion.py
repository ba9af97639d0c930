"""Index sociálního vyloučení 2023: parser, ORP/kraj/ČR indicators with intervals, and the 2023 age derivation.

Toy territory (five obce, two kraje)::

    obec    ORP   kraj  15+  15–64  exekuce  PnB  PnŽ  ltu  school leavers      index
    500011  1111  K1    100     80       10  2.5  1.0    4  1 of 20 pupils      0  "0 až 1"
    500020  1111  K1    200    150       20  5.0  0.5    6  (note: no school)   9  "8 až 11"
    500038  1111  K1     50     40        0  0.0  0.0    0  0 of 10 pupils     12  "12 až 30"
    500046  2222  K1    150    130        5  1.5  0.5    3  (note)              2  "2 až 7"
    500054  3333  K2    500    400       15  1.0  0.0    7  2 of 40 pupils      1  "0 až 1"

By hand: ORP 1111 has 15+ 350, 15–64 270, exekuce 30, PnB 7.5, PnŽ 1.5, ltu 10; kraj K1 15+ 500,
exekuce 35 (7 %); ČR 15+ 1 000, exekuce 50 (5 %).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from conftest import toy_territory
from kpss_analysis.analysis import age_2023
from kpss_analysis.analysis import demography as demo
from kpss_analysis.analysis import exclusion as ex
from kpss_analysis.analysis import target_groups_text as tgt
from kpss_analysis.analysis.intervals import SIGNIFICANCE_LABELS
from kpss_analysis.analysis.territory import Orp, find_orp
from kpss_analysis.data.derive import derive_age_broad_2023
from kpss_analysis.data.parsers import exclusion as px
from kpss_analysis.errors import DataMissingError, DataValidationError, ParameterError

Z = 1.959963984540054
NOTE = px.SCHOOL_NOTE_START + " s běžnými třídami. Údaj byl převzat z … (2020)."
ORP = Orp("1111", "Toy", "K1", "Kraj 1", 3)

# obec, 15+, 15–64, exekuce, pnb, pnz, ltu, leavers, pupils, score, category
TOY = [
    ("500011", 100, 80, 10, 2.5, 1.0, 4, 1, 20, 0, "0 až 1"),
    ("500020", 200, 150, 20, 5.0, 0.5, 6, None, None, 9, "8 až 11"),
    ("500038", 50, 40, 0, 0.0, 0.0, 0, 0, 10, 12, "12 až 30"),
    ("500046", 150, 130, 5, 1.5, 0.5, 3, None, None, 2, "2 až 7"),
    ("500054", 500, 400, 15, 1.0, 0.0, 7, 2, 40, 1, "0 až 1"),
]
ORP_OF = {"500011": "1111", "500020": "1111", "500038": "1111", "500046": "2222", "500054": "3333"}


@pytest.fixture()
def territory() -> pd.DataFrame:
    rows = [(code, f"Obec {code}", orp, f"ORP {orp}", "K2" if orp == "3333" else "K1",
             "Kraj 2" if orp == "3333" else "Kraj 1") for code, orp in ORP_OF.items()]
    return toy_territory(rows, ["obec_kod", "obec_nazev", "orp_kod", "orp_nazev", "kraj_kod", "kraj_nazev"])


def publisher_sheet() -> pd.DataFrame:
    """The toy obce in the publisher's columns (shares computed as the publisher does)."""
    name = {ours: theirs for theirs, ours in px.COLUMNS.items()}
    rows = []
    for code, p15, p1564, exe, pnb, pnz, ltu, leavers, pupils, score, category in TOY:
        row = {name["obec_kod"]: int(code), "Kód ORP": 0, name["population_15plus"]: p15,
               name["population_15_64"]: p1564, name["exekuce"]: exe, name["pnb"]: pnb, name["pnz"]: pnz,
               name["ltu"]: ltu, name["index_score"]: score, name["index_category"]: category}
        for column, (count, denominator) in px.SHARE_COLUMNS.items():
            row[column] = 100 * row[name[count]] / row[name[denominator]]
        school = (NOTE,) * 4 if leavers is None else (leavers, 100 * leavers / pupils, pupils, 1.0)
        for key, value in zip(("school_leavers", "school_leavers_share", "school_leavers_pupils",
                               "school_leavers_lq"), school, strict=True):
            row[name[key]] = value
        rows.append(row)
    return pd.DataFrame(rows)


def write(frame: pd.DataFrame, path) -> object:
    frame.to_excel(path, sheet_name=px.SHEET, index=False)
    return path


@pytest.fixture()
def toy(territory, tmp_path) -> pd.DataFrame:
    return px.parse_exclusion(write(publisher_sheet(), tmp_path / "index.xlsx"), territory)


# --------------------------------------------------------------------------- parser


def test_parser_reads_types_and_school_notes(toy):
    assert list(toy.columns) == px.OUTPUT_COLUMNS
    assert toy["obec_kod"].tolist() == list(ORP_OF)
    row = toy.set_index("obec_kod").loc["500020"]
    assert row["exekuce"] == 20 and row["pnb"] == 5.0 and row["index_category"] == "8 až 11"
    assert bool(row["school_leavers_taken_over"]) and math.isnan(row["school_leavers"])
    first = toy.set_index("obec_kod").loc["500011"]
    assert (first["school_leavers"], first["school_leavers_pupils"], first["school_leavers_share"]) == (1, 20, 5.0)
    assert not first["school_leavers_taken_over"]
    assert toy["exekuce"].dtype == "int64" and toy["pnz"].dtype == "float64"


def _mutate(column_key: str | None, row: int, value, raw_column: str | None = None):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        column = raw_column or {o: t for t, o in px.COLUMNS.items()}[column_key]
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
        return frame
    return change


SCHOOL = {o: t for t, o in px.COLUMNS.items()}["school_leavers"]
EXEKUCE_SHARE = next(iter(px.SHARE_COLUMNS))


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns=[EXEKUCE_SHARE]), "missing columns"),
    (_mutate("obec_kod", 1, "50002"), "not a six-digit obec code in row 3 (obec 50002)"),
    (_mutate("exekuce", 1, "x"), "'Počet osob v exekuci (k 31. 12. 2023)': not a non-negative number in row 3"),
    (_mutate("ltu", 0, -1), "not a non-negative number in row 2"),
    (_mutate("population_15plus", 2, 50.5), "not a whole number in row 4"),
    (_mutate("school_leavers", 0, NOTE), "some school-leaver cells hold the note"),
    (_mutate("index_category", 0, "0 - 1"), "category not one of"),
    (_mutate("index_score", 0, 5), "score outside its category in row 2"),
    (_mutate("population_15_64", 0, 101), "larger than 'Počet obyvyatel - starších 15 let (k 31. 12. 2023)' in row 2"),
    (_mutate(None, 0, 99.0, raw_column=EXEKUCE_SHARE), "share ≠ exekuce ÷ population_15plus × 100 in row 2"),
    (_mutate("obec_kod", 1, 500011), "obce appear twice: ['500011']"),
    (_mutate("obec_kod", 1, 599999), "are not in the 2024 hierarchy, e.g. ['599999']"),
    (lambda f: f.drop(index=4), "obce of the 2024 hierarchy are missing, e.g. ['500054']"),
])
def test_parser_names_file_column_and_row(territory, tmp_path, change, message):
    path = write(change(publisher_sheet()), tmp_path / "bad.xlsx")
    with pytest.raises(DataValidationError, match="bad.xlsx") as info:
        px.parse_exclusion(path, territory)
    assert message in str(info.value)


def test_parser_refuses_school_text_that_is_not_the_note(territory, tmp_path):
    frame = publisher_sheet()
    for key in ("school_leavers", "school_leavers_share", "school_leavers_pupils", "school_leavers_lq"):
        column = {o: t for t, o in px.COLUMNS.items()}[key]
        frame[column] = frame[column].astype(object)
        frame.loc[0, column] = "neznámý text"
    with pytest.raises(DataValidationError, match="text that is not the note .* in row 2 \\(obec 500011\\)"):
        px.parse_exclusion(write(frame, tmp_path / "bad.xlsx"), territory)


def test_parser_refuses_more_leavers_than_pupils(territory, tmp_path):
    frame = _mutate("school_leavers", 0, 30)(publisher_sheet())
    with pytest.raises(DataValidationError, match="more early leavers than pupils in row 2"):
        px.parse_exclusion(write(frame, tmp_path / "bad.xlsx"), territory)


def test_parser_missing_and_unreadable_files(territory, tmp_path):
    with pytest.raises(DataMissingError, match="missing"):
        px.parse_exclusion(tmp_path / "none.xlsx", territory)
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(DataValidationError, match="Cannot read sheet 'Index soc. vyloučení 2023' of .*broken.xlsx"):
        px.parse_exclusion(tmp_path / "broken.xlsx", territory)


# --------------------------------------------------------------------------- indicators on the toy


def wilson_by_hand(x: float, n: float) -> tuple[float, float]:
    p = x / n
    centre, spread = 2 * n * p + Z**2, Z * math.sqrt(Z**2 + 4 * n * p * (1 - p))
    return 100 * (centre - spread) / (2 * (n + Z**2)), 100 * (centre + spread) / (2 * (n + Z**2))


def byar_by_hand(o: float, n: float) -> tuple[float, float]:
    low = o * (1 - 1 / (9 * o) - Z / (3 * math.sqrt(o))) ** 3
    high = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z / (3 * math.sqrt(o + 1))) ** 3
    return 100 * low / n, 100 * high / n


def test_counts_are_sums_of_obce_per_level(toy, territory):
    orp = ex.compute_exclusion_counts(toy, territory, "orp").loc["1111"]
    assert orp.to_dict() == {"population_15plus": 350, "population_15_64": 270, "exekuce": 30, "pnz": 1.5,
                             "pnb": 7.5, "ltu": 10}
    kraj = ex.compute_exclusion_counts(toy, territory, "kraj")
    assert kraj.loc["K1", "exekuce"] == 35 and kraj.loc["K2", "population_15plus"] == 500
    assert ex.compute_exclusion_counts(toy, territory, "cr").loc["CZ", "exekuce"] == 50


def test_comparison_shares_intervals_and_flags_by_hand(toy, territory):
    table = ex.compute_exclusion_comparison(toy, territory, ORP).set_index(["indicator", "level"])
    exe = table.loc[("exekuce", "orp")]
    assert exe["share"] == pytest.approx(100 * 30 / 350)
    low, high = wilson_by_hand(30, 350)  # 6.07 … 11.97 %
    assert (exe["ci_low"], exe["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert round(low, 2) == 6.07 and round(high, 2) == 11.97
    assert exe["vs_kraj"] == SIGNIFICANCE_LABELS["similar"]  # kraj 7 % inside the interval
    assert exe["vs_cr"] == SIGNIFICANCE_LABELS["higher"]  # ČR 5 % below it
    assert table.loc[("exekuce", "kraj"), "share"] == pytest.approx(7.0)
    assert table.loc[("exekuce", "kraj"), "vs_kraj"] == "" and table.loc[("exekuce", "cr"), "vs_cr"] == ""
    pnb = table.loc[("pnb", "orp")]
    assert pnb["method"] == "byar" and pnb["share"] == pytest.approx(100 * 7.5 / 350)
    low, high = byar_by_hand(7.5, 350)
    assert (pnb["ci_low"], pnb["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    ltu = table.loc[("ltu", "orp")]
    assert ltu["denominator"] == 270 and ltu["share"] == pytest.approx(100 * 10 / 270)
    assert list(table.index.get_level_values(0).unique()) == list(ex.INDICATORS)


def test_summary_has_counts_shares_and_flags(toy, territory):
    summary = ex.exclusion_summary(ex.compute_exclusion_comparison(toy, territory, ORP))
    assert set(summary) == {"orp", "kraj", "cr"}
    assert summary["orp"]["exekuce"] == 30 and summary["orp"]["pnb"] == 7.5
    assert summary["orp"]["share_exekuce"]["value"] == round(100 * 30 / 350, 4)
    assert summary["orp"]["share_exekuce"]["vs_cr"] == SIGNIFICANCE_LABELS["higher"]
    assert "vs_kraj" not in summary["kraj"]["share_exekuce"] and summary["cr"]["share_ltu"]["value"] == 2.5


def test_obce_table_and_index_categories(toy, territory):
    obce = ex.compute_exclusion_obce(toy, territory, "1111")
    assert obce["obec_kod"].tolist() == ["500020", "500011", "500038"]  # by population 15+
    assert obce.loc[1, "share_exekuce"] == 10.0 and obce.loc[2, "share_exekuce"] == 0.0
    assert ex.czech_obce_table(obce).loc[0, "Obec bez ZŠ (údaj převzat z jiné obce)"] == "ano"
    totals = pd.DataFrame({"obec_kod": list(ORP_OF), "total": [120, 260, 70, 180, 600]})
    cats = ex.compute_index_categories(toy, totals, territory, "orp", "1111")
    assert cats["index_category"].tolist() == list(ex.INDEX_CATEGORIES)
    assert cats["n_obce"].tolist() == [1, 0, 1, 1] and cats["population"].tolist() == [120, 0, 260, 70]
    assert cats["share_population"].iloc[3] == pytest.approx(100 * 70 / 450)
    national = ex.compute_index_categories(toy, totals, territory, "cr", "CZ")
    assert national["n_obce"].tolist() == [2, 1, 1, 1]


def test_index_categories_of_orp_kraj_and_cr_side_by_side(toy, territory):
    totals = pd.DataFrame({"year": [2024] * 5 + [2023], "obec_kod": [*ORP_OF, "500011"],
                           "total": [120, 260, 70, 180, 600, 999]})
    cats = tgt.compute_index_category_units(toy, totals, territory, ORP).set_index(["level", "index_category"])
    assert cats.loc["orp", "n_obce"].tolist() == [1, 0, 1, 1]
    assert cats.loc["orp", "population"].tolist() == [120, 0, 260, 70]  # 1. 1. 2024, not the 2023 row
    assert cats.loc["kraj", "n_obce"].tolist() == [1, 1, 1, 1] and cats.loc["cr", "n_obce"].tolist() == [2, 1, 1, 1]
    assert cats.loc[("kraj", "2 až 7"), "unit_name"] == "Kraj 1"
    table = tgt.czech_index_category_table(cats.reset_index())
    assert table.columns.tolist() == ["Kategorie indexu (body)", "Počet obcí – SO ORP Toy",
                                      "Obyvatelé k 1. 1. 2024 – SO ORP Toy", "Podíl obyvatel (%) – SO ORP Toy",
                                      "Podíl obyvatel (%) – Kraj 1", "Podíl obyvatel (%) – Česko"]
    assert table.iloc[3, 3] == pytest.approx(100 * 70 / 450) and table.iloc[0, 5] == pytest.approx(100 * 720 / 1230)
    text = tgt.describe_index_categories(cats.reset_index(), ORP)
    assert text == ("Obce SO ORP Toy (celkem 3) v kategorii indexu 12 až 30 bodů: **1** (obyvatelé: 70, tj. "
                    "15,6\u00a0% obyvatel ORP); v kategorii 8 až 11 bodů: 1 (obyvatelé: 260).")
    chart = tgt.chart_index_categories(cats.reset_index())
    assert chart.columns.tolist() == ["index_category", "unit_name", "share_population"] and len(chart) == 12
    with pytest.raises(ParameterError, match="počty obyvatel k 1. 1. 2024 nejsou v datech"):
        tgt.compute_index_category_units(toy, totals[totals["year"] == 2023], territory, ORP)


def test_describe_exclusion_gives_interval_and_flags(toy, territory):
    text = tgt.describe_exclusion(ex.compute_exclusion_comparison(toy, territory, ORP), ORP)
    assert ("Podíl osob v exekuci z obyvatel 15+ (%):** 8,57 (95% interval 6,07–11,97; počet 30); kraj 7,00, "
            "Česko 5,00 – proti kraji bez významného rozdílu, proti Česku významně vyšší.") in text
    assert "PnB na 100 obyvatel 15+:** 2,14" in text and "počet 7,5" in text


# --------------------------------------------------------------------------- 2023 derivation on a toy


def test_derivation_of_the_2023_groups(toy):
    totals = pd.DataFrame({"year": 2024, "obec_kod": list(ORP_OF), "total": [120, 260, 70, 180, 600]})
    long = derive_age_broad_2023(toy, totals)
    wide = long.pivot(index="obec_kod", columns="age_group", values="population")
    assert wide.loc["500011"].to_dict() == {"0_14": 20, "15_64": 80, "65plus": 20}
    assert (wide.sum(axis=1) == totals.set_index("obec_kod")["total"]).all()
    assert long["population"].dtype == "int64" and list(long.columns) == ["obec_kod", "age_group", "population"]


@pytest.mark.parametrize("year, total, message", [
    (2024, [90, 260, 70, 180, 600], "age group 0_14 is negative for obce ['500011']"),
    (2024, [120, 260, 70, 180], "only in the index: ['500054']"),
    (2023, [120, 260, 70, 180, 600], "expected the rows of year 2024 only, got years [2023]"),
])
def test_derivation_errors_name_the_obce(toy, year, total, message):
    frame = pd.DataFrame({"year": year, "obec_kod": list(ORP_OF)[:len(total)], "total": total})
    with pytest.raises(DataValidationError) as info:
        derive_age_broad_2023(toy, frame)
    assert message in str(info.value)


def test_negative_65plus_names_the_obec(toy):
    broken = toy.assign(population_15_64=np.where(toy["obec_kod"] == "500038", 60, toy["population_15_64"]))
    totals = pd.DataFrame({"obec_kod": list(ORP_OF), "total": [120, 260, 70, 180, 600]})
    with pytest.raises(DataValidationError, match=r"age group 65plus is negative for obce \['500038'\]"):
        derive_age_broad_2023(broken, totals)


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real(data_dir, mirror):
    """The mirror's workbook parsed directly, with the processed territory and totals of the session build."""
    territory = pd.read_parquet(data_dir / "processed" / "territory.parquet")
    totals = pd.read_parquet(data_dir / "processed" / "population_totals.parquet")
    exclusion = px.parse_exclusion(mirror / "exclusion" / "index_socialniho_vylouceni_2023_mmr.xlsx", territory)
    return territory, exclusion, totals[totals["year"] == 2024], pd.read_parquet(
        data_dir / "processed" / "population_age5.parquet")


@pytest.mark.e2e
def test_national_sums_equal_the_provenance_figures(real):
    _territory, exclusion, _totals, _age5 = real
    assert len(exclusion) == 6258
    sums = exclusion[["population_15plus", "population_15_64", "exekuce", "ltu"]].sum().to_dict()
    assert sums == {"population_15plus": 9_172_797, "population_15_64": 6_935_475, "exekuce": 621_305,
                    "ltu": 126_228}
    assert round(exclusion["pnb"].sum(), 1) == 248_663.6 and round(exclusion["pnz"].sum(), 1) == 64_077.6
    assert exclusion["school_leavers"].sum() == 3157 and exclusion["school_leavers_taken_over"].sum() == 4890
    assert exclusion["index_category"].value_counts()[list(ex.INDEX_CATEGORIES)].tolist() == [3393, 2326, 298, 241]


@pytest.mark.e2e
@pytest.mark.parametrize("code, n_obce, expected", [
    ("4107", 30, {"population_15plus": 61_824, "exekuce": 8_665, "pnb": 2_285.6, "pnz": 1_074.0, "ltu": 1_386}),
    ("4106", 15, {"population_15plus": 22_725, "exekuce": 2_493, "pnb": 662.2, "pnz": 282.0, "ltu": 377}),
])
def test_sokolov_and_ostrov_sums_equal_the_provenance_figures(real, code, n_obce, expected):
    territory, exclusion, _totals, _age5 = real
    counts = ex.compute_exclusion_counts(exclusion, territory, "orp").loc[code]
    assert {k: round(float(counts[k]), 1) for k in expected} == expected
    assert len(ex.compute_exclusion_obce(exclusion, territory, code)) == n_obce


@pytest.mark.e2e
def test_orps_add_up_to_kraje_and_cr_for_every_count(real):
    territory, exclusion, _totals, _age5 = real
    orp = ex.compute_exclusion_counts(exclusion, territory, "orp")
    kraj_of = territory.drop_duplicates("orp_kod").set_index("orp_kod")["kraj_kod"]
    by_kraj = orp.groupby(orp.index.map(kraj_of)).sum()
    kraj = ex.compute_exclusion_counts(exclusion, territory, "kraj")
    pd.testing.assert_frame_equal(by_kraj.sort_index(), kraj.sort_index(), check_names=False)
    cr = ex.compute_exclusion_counts(exclusion, territory, "cr").loc["CZ"]
    pd.testing.assert_series_equal(orp.sum(), cr, check_names=False)
    assert len(orp) == 206
    # Praha's ORP code is 0 in the file: we attribute it by our hierarchy (ORP 1000 = the obec Praha).
    assert orp.loc["1000", "exekuce"] == exclusion.set_index("obec_kod").loc["554782", "exekuce"]


@pytest.mark.e2e
def test_2023_derivation_equals_the_provenance_figures(real):
    territory, exclusion, totals, age5 = real
    long = derive_age_broad_2023(exclusion, totals)
    cr = long.groupby("age_group")["population"].sum()
    assert cr.sum() == 10_900_555 == totals["total"].sum()
    assert cr.to_dict() == {"0_14": 1_727_758, "15_64": 6_935_475, "65plus": 2_237_322}
    orp = demo.compute_broad_indicators(long, territory, "orp")
    assert orp.loc["4107", ["total", "age_0_14", "age_65plus"]].tolist() == [72_913, 11_089, 14_678]
    assert orp.loc["1000", ["total", "age_65plus"]].tolist() == [1_384_732, 256_648]
    kraj_of = territory.drop_duplicates("orp_kod").set_index("orp_kod")["kraj_kod"]
    counts = ["total", "age_0_14", "age_15_64", "age_65plus"]
    kraj = demo.compute_broad_indicators(long, territory, "kraj")
    pd.testing.assert_frame_equal(orp[counts].groupby(orp.index.map(kraj_of)).sum().sort_index(),
                                  kraj[counts].sort_index(), check_names=False)
    sokolov = find_orp("Sokolov", territory)
    change = age_2023.compute_age_change_2020_2023(long, age5, territory, sokolov).set_index(["level", "age_group"])
    assert change.loc[("cr", "65plus"), "population_2023"] == 2_237_322
    assert change.loc[("orp", "65plus"), "share_2023"] == pytest.approx(100 * 14_678 / 72_913)


# --------------------------------------------------------------------------- age-group back-test (issue 20)


def test_age_backtest_interpolates_2024_and_compares_each_group():
    """One ORP, one variant: 2024 is the mean of 2023 and 2025; errors per group by hand."""
    territory = pd.DataFrame({"obec_kod": ["1", "2"], "orp_kod": ["10", "10"], "orp_nazev": ["Alfa", "Alfa"],
                              "kraj_kod": ["K", "K"]})
    rows = []
    for year, scale in ((2023, 1.0), (2025, 3.0)):
        for age in range(101):
            value = scale * (10 if age <= 14 else 20 if age <= 64 else 5)
            rows.append(("A", "10", year, "F", age, value))
    projection = pd.DataFrame(rows, columns=["variant", "orp_kod", "year", "sex", "age", "population"])
    observed = pd.DataFrame({"obec_kod": ["1", "1", "1", "2", "2", "2"],
                             "age_group": ["0_14", "15_64", "65plus"] * 2,
                             "population": [200, 1000, 200, 100, 600, 205]})
    backtest = age_2023.compute_age_backtest(projection, observed, territory).set_index("age_group")
    # projected 2024 = 2 × the 2023 values: 0–14 15 ages × 20 = 300; 15–64 50 × 40 = 2000; 65+ 36 × 10 = 360
    assert backtest["projected"].to_dict() == pytest.approx({"0_14": 300, "15_64": 2000, "65plus": 360})
    assert backtest["observed"].to_dict() == {"0_14": 300, "15_64": 1600, "65plus": 405}
    assert backtest["error_pct"].to_dict() == pytest.approx({"0_14": 0.0, "15_64": 25.0, "65plus": -100 * 45 / 405})
    summary = age_2023.summarize_age_backtest(backtest.reset_index())
    assert summary["age_group"].tolist() == ["0_14", "15_64", "65plus"]
    assert summary.set_index("age_group").loc["65plus", "mape"] == pytest.approx(100 * 45 / 405)


def test_change_chart_table_has_a_row_per_group_and_a_column_per_unit():
    change = pd.DataFrame({"level": ["orp"] * 3 + ["cr"] * 3, "unit_name": ["SO ORP A"] * 3 + ["Česko"] * 3,
                           "age_group": ["0_14", "15_64", "65plus"] * 2, "change_pct": [1.0, -2.0, 3.0, 0.5, -1.0, 4.0]})
    table = age_2023.compute_change_chart_table(change)
    assert list(table.columns) == ["Věková skupina", "SO ORP A", "Česko"]
    assert table["Věková skupina"].tolist() == ["0–14 let", "15–64 let", "65 a více let"]
    assert table["Česko"].tolist() == [0.5, -1.0, 4.0]
