"""Children and young people, and the expected recipients of příspěvek na péči (PnP).

Toy single-year population (every other age 0)::

    ORP   kraj (NUTS)   ages: persons
    1111  K1 (CZ041)    0:10  5:20  6:30  15:5  17:5  18:40  26:10  27:100  65:50  90:10   (total 280)
    2222  K1 (CZ041)    3:10  70:10                                                        (total 20)
    3333  K2 (CZ042)    10:50 40:50                                                        (total 100)

By hand, ORP 1111: children 0–5 30, 6–14 30, 15–17 10, young 18–26 50; PnP groups 0–17 70,
18–64 150, 65+ 60. Toy rates: CZ041 0.01 / 0.02 / 0.1 with degree shares 0.25 each; CZ042 has no
rows and takes the national (CZ0) rows 0.005 / 0.01 / 0.05 with shares 0.4 / 0.3 / 0.2 / 0.1.
"""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import toy_territory
from kpss_analysis.analysis import exclusion as ex
from kpss_analysis.analysis import projection as pj
from kpss_analysis.analysis import target_groups as tg
from kpss_analysis.analysis import target_groups_text as tgt
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.data.parsers import benefits as pb
from kpss_analysis.errors import DataMissingError, DataValidationError, ParameterError

AGES = {"1111": {0: 10, 5: 20, 6: 30, 15: 5, 17: 5, 18: 40, 26: 10, 27: 100, 65: 50, 90: 10},
        "2222": {3: 10, 70: 10}, "3333": {10: 50, 40: 50}}
RECIPIENTS_FILE = "benefits/pnp_prijemci_kraje_pohlavi_vek_stupen_2018_mapapece_DERIVED.csv"
AGE1_2019_FILE = "population/kraje_okresy_vek1_2019-12-31_ockovani.csv"


@pytest.fixture()
def territory() -> pd.DataFrame:
    rows = [("500011", "1111", "ORP A", "K1", "CZ041", "Kraj 1"), ("500020", "2222", "ORP B", "K1", "CZ041", "Kraj 1"),
            ("500038", "3333", "ORP C", "K2", "CZ042", "Kraj 2")]
    return toy_territory(rows, ["obec_kod", "orp_kod", "orp_nazev", "kraj_kod", "kraj_nuts", "kraj_nazev"])


def toy_base() -> pd.DataFrame:
    return pd.DataFrame([{"orp_kod": orp, "sex": "F", "age": age, "population": float(n)}
                         for orp, ages in AGES.items() for age, n in ages.items()])


def toy_projection() -> pd.DataFrame:
    """Variant A doubles everyone by 2030, variant B triples (enough to check the stacking)."""
    base = toy_base()
    frames = [base.assign(variant=v, year=pj.BASE_YEAR) for v in ("A", "B")]
    frames += [base.assign(variant=v, year=2030, population=base["population"] * f) for v, f in (("A", 2), ("B", 3))]
    return pd.concat(frames, ignore_index=True)


def rate_rows(unit: str, bands: list[tuple[int, int, float]], shares: tuple[float, ...]) -> list[dict]:
    return [{"kraj_nuts": unit, "kraj_nazev": unit, "age_from": a, "age_to": b, "recipients": 0, "population": 0,
             "rate": r, **{f"share_{d}": s for d, s in zip(tg.DEGREES, shares, strict=True)}, "source": "toy"}
            for a, b, r in bands]


@pytest.fixture()
def rates() -> pd.DataFrame:
    return pd.DataFrame(rate_rows("CZ041", [(0, 17, 0.01), (18, 64, 0.02), (65, 100, 0.1)], (0.25,) * 4)
                        + rate_rows("CZ0", [(0, 17, 0.005), (18, 64, 0.01), (65, 100, 0.05)], (0.4, 0.3, 0.2, 0.1)))


@pytest.fixture()
def single() -> pd.DataFrame:
    return tg.stack_scenarios(toy_base(), toy_projection(), [2030])


# --------------------------------------------------------------------------- children


def test_stack_scenarios_names_base_and_horizons(single):
    assert sorted(single["scenario"].unique()) == ["A_2030", "B_2030", "base"]
    assert tg.scenario_order([2030, 2040]) == ["base", "A_2030", "A_2040", "B_2030", "B_2040"]
    assert tg.scenario_label("A_2030") == "1. 1. 2030 – varianta A" and tg.scenario_label("base") == "1. 1. 2021"
    with pytest.raises(ParameterError, match=r"projekce neobsahuje roky \[2040\]"):
        tg.stack_scenarios(toy_base(), toy_projection(), [2040])


def test_child_groups_by_hand(single, territory):
    groups = tg.compute_child_groups(single, territory, "1111").set_index(["level", "scenario"])
    orp = groups.loc[("orp", "base")]
    assert [orp[g] for g in tg.CHILD_GROUPS] == [30, 30, 10, 50] and orp["total"] == 280
    assert orp["share_0_5"] == pytest.approx(100 * 30 / 280)
    kraj = groups.loc[("kraj", "base")]
    assert kraj["0_5"] == 40 and kraj["total"] == 300 and kraj["unit_name"] == "Kraj 1"
    assert groups.loc[("cr", "base"), "6_14"] == 80 and groups.loc[("orp", "B_2030"), "18_26"] == 150
    assert list(groups.index.get_level_values(1)[:3]) == ["base", "A_2030", "B_2030"]
    change = tg.compute_child_change(groups.reset_index()).set_index("age_group")
    assert change.loc["0_5", "A_2030_change"] == 30 and change.loc["0_5", "B_2030_change_pct"] == pytest.approx(200)
    table = tg.czech_child_table(groups.reset_index(), [2030])
    assert table.columns.tolist() == ["Skupina", "1. 1. 2021", "1. 1. 2030 – varianta A",
                                      "Změna do 1. 1. 2030 – varianta A (osoby)", "1. 1. 2030 – varianta B",
                                      "Změna do 1. 1. 2030 – varianta B (osoby)"]
    assert table.iloc[0].tolist() == ["Děti 0–5 let", 30, 60, 30, 90, 60]
    shares = tg.czech_child_shares(groups.reset_index())
    assert shares.columns.tolist() == ["Skupina", "SO ORP ORP A (%)", "Kraj 1 (%)", "Česko (%)"]
    assert shares.iloc[0, 2] == pytest.approx(100 * 40 / 300)
    with pytest.raises(ParameterError, match="neznámý kód ORP '9999'"):
        tg.compute_child_groups(single, territory, "9999")


def test_child_obce_split_with_the_okres_profile():
    territory = pd.DataFrame({"obec_kod": ["500011", "500020"], "obec_nazev": ["A", "B"], "orp_kod": "1111",
                              "okres_lau": "CZ0001"})
    age5 = pd.DataFrame({"obec_kod": ["500011", "500011", "500020"], "sex": ["M", "F", "F"],
                         "age_start": [0, 5, 0], "population": [12, 10, 6]})
    # profile: ages 0–4 equally 1 each, 5 twice as many as 6 … 9, nobody older (open group from 5)
    profile = pd.DataFrame({"unit": "CZ0001", "age": range(11),
                            "population": [1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 0]})
    obce = tg.compute_child_obce(age5, territory, profile, "1111").set_index("obec_kod")
    # obec A: 0–4 → 12, age 5 = 10 × 2/6, ages 6–9 = 10 × 4/6
    assert obce.loc["500011", "0_5"] == pytest.approx(12 + 10 * 2 / 6)
    assert obce.loc["500011", "6_14"] == pytest.approx(10 * 4 / 6)
    assert obce.loc["500011", "share_children"] == pytest.approx(100) and obce.loc["500020", "total"] == pytest.approx(6)


# --------------------------------------------------------------------------- PnP expected


def test_expected_recipients_by_hand(single, territory, rates):
    expected = tg.compute_pnp_expected(single, territory, rates)
    orp = expected[(expected["scenario"] == "base") & (expected["orp_kod"] == "1111")].set_index("pnp_group")
    assert orp["population"].to_dict() == {"0_17": 70, "18_64": 150, "65plus": 60}
    assert orp["expected"].to_dict() == pytest.approx({"0_17": 0.7, "18_64": 3.0, "65plus": 6.0})
    assert orp["expected_III"].to_dict() == pytest.approx({"0_17": 0.175, "18_64": 0.75, "65plus": 1.5})
    national = expected[(expected["scenario"] == "base") & (expected["orp_kod"] == "3333")].set_index("pnp_group")
    assert national["expected"].to_dict() == pytest.approx({"0_17": 0.25, "18_64": 0.5, "65plus": 0.0})
    assert national.loc["0_17", "expected_I"] == pytest.approx(0.1)
    units = tg.compute_pnp_units(expected, territory, "1111").set_index(["level", "scenario", "pnp_group"])
    assert units.loc[("orp", "base", "total"), "expected"] == pytest.approx(9.7)
    assert units.loc[("kraj", "base", "65plus"), "expected"] == pytest.approx(7.0)  # ORP 2222 adds 10 × 0.1
    assert units.loc[("cr", "A_2030", "0_17"), "expected"] == pytest.approx(2 * (0.8 + 0.25))
    table = tg.czech_pnp_table(units.reset_index(), [2030])
    assert table["Věková skupina"].tolist() == ["0–17 let", "18–64 let", "65 a více let", "Celkem"]
    assert table["1. 1. 2030 – varianta B"].tolist() == [2, 9, 18, 29]  # 3 × (0.7, 3.0, 6.0, 9.7) rounded


def test_finer_national_bands_replace_the_kraj_rates(single, territory):
    fine = pd.DataFrame(rate_rows("CZ0", [(0, 17, 0.01), (18, 64, 0.0), (65, 79, 0.05), (80, 100, 0.2)],
                                  (0.25,) * 4))
    expected = tg.compute_pnp_expected(single, territory, fine)
    orp = expected[(expected["scenario"] == "base") & (expected["orp_kod"] == "1111")].set_index("pnp_group")
    assert orp.loc["65plus", "expected"] == pytest.approx(50 * 0.05 + 10 * 0.2)


def test_rates_that_cross_a_group_border_or_miss_a_kraj_are_refused(single, territory, rates):
    crossing = pd.DataFrame(rate_rows("CZ0", [(0, 17, 0.01), (18, 69, 0.0), (70, 100, 0.2)], (0.25,) * 4))
    with pytest.raises(ParameterError, match="pásmo .* 18–69 \\(CZ0\\) přesahuje hranici skupin"):
        tg.compute_pnp_expected(single, territory, crossing)
    with pytest.raises(ParameterError, match="nemá řádky pro kraj CZ042 ani celostátní řádky"):
        tg.compute_pnp_expected(single, territory, rates[rates["kraj_nuts"] == "CZ041"])


def test_summary_lists_children_and_pnp_per_level(single, territory, rates):
    children = tg.compute_child_groups(single, territory, "1111")
    units = tg.compute_pnp_units(tg.compute_pnp_expected(single, territory, rates), territory, "1111")
    summary = tg.target_groups_summary(children, units)
    assert summary["children"]["orp"]["base"] == {"0_5": 30.0, "6_14": 30.0, "15_17": 10.0, "18_26": 50.0}
    assert summary["pnp_expected"]["kraj"]["base"]["65plus"] == 7.0
    assert set(summary["pnp_expected"]["cr"]) == {"base", "A_2030", "B_2030"}


# --------------------------------------------------------------------------- rates table and parser


def test_compute_rates_from_recipients_and_population():
    recipients = pd.DataFrame({"kraj_nuts": ["CZ041"], "kraj_nazev": ["Kraj"], "vek_0_17": [10], "vek_18_64": [20],
                               "vek_65p": [30], "stupen_I": [30], "stupen_II": [15], "stupen_III": [10],
                               "stupen_IV": [5]})
    age1 = pd.DataFrame({"unit": "CZ041", "age": [0, 17, 18, 64, 65, 100], "population": [500, 500, 1000, 1000, 200, 100]})
    rates = pb.compute_pnp_rates(recipients, age1)
    assert rates["rate"].tolist() == pytest.approx([0.01, 0.01, 0.1])
    assert rates[["share_I", "share_IV"]].iloc[0].tolist() == pytest.approx([0.5, 5 / 60])
    with pytest.raises(DataValidationError, match=r"no population aged 0–17 for kraje \['CZ041'\]"):
        pb.compute_pnp_rates(recipients, age1.assign(unit="CZ042"))


def test_packaged_rates_load_and_cover_every_kraj():
    rates = pb.load_pnp_rates()
    assert rates["kraj_nuts"].nunique() == 14 and len(rates) == 42
    assert rates["recipients"].sum() == 358_016 and rates["population"].sum() == 10_693_939


def _write_rates(tmp_path, change) -> object:
    frame = pd.read_csv(pb.default_rates_path(), dtype={"kraj_nuts": str})
    path = tmp_path / "rates.csv"
    change(frame).to_csv(path, index=False)
    return path


def _set(column, value, row=0):
    def change(frame):
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
        return frame
    return change


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns=["rate"]), "chybí sloupce ['rate']"),
    (_set("rate", "x"), "řádek 2: sloupec rate musí být číslo, je 'x'"),
    (_set("rate", 1.5), "řádek 2: sazba (rate) 1.5 musí být mezi 0 a 1"),
    (_set("share_I", 0.9), "řádek 2: podíly stupňů share_I … share_IV dávají"),
    (_set("age_to", 16), "věková pásma území CZ010 musí pokrýt věk 0 až 100"),
    (lambda f: f.drop(index=2), "věková pásma území CZ010 musí pokrýt věk 0 až 100"),
])
def test_invalid_rate_tables_name_file_and_row(tmp_path, change, message):
    path = _write_rates(tmp_path, change)
    with pytest.raises(ParameterError, match="rates.csv") as info:
        pb.load_pnp_rates(path)
    assert message in str(info.value)


def test_missing_rate_table(tmp_path):
    with pytest.raises(ParameterError, match="neexistuje"):
        pb.load_pnp_rates(tmp_path / "none.csv")


@pytest.fixture()
def recipients_csv(mirror) -> pd.DataFrame:
    return pd.read_csv(mirror / RECIPIENTS_FILE, dtype=str)


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns=["vek_65p"]), "missing columns ['vek_65p']"),
    (_set("celkem", "30 607"), "column 'celkem', row 2 (Hlavní město Praha): '30 607' is not a whole"),
    (_set("kraj_nuts", "CZ01"), "column 'kraj_nuts', row 2: 'CZ01' is not a kraj NUTS 3 code"),
    (lambda f: f.iloc[:13], "expected 14 distinct kraje, found 13 in 13 rows"),
    (_set("vek_65p", "21775"), "row 2 (Hlavní město Praha): the breakdown by věk adds up to 30611, celkem is 30607"),
])
def test_pnp_parser_errors_name_file_column_and_kraj(tmp_path, recipients_csv, change, message):
    path = tmp_path / "pnp.csv"
    change(recipients_csv.copy()).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="pnp.csv") as info:
        pb.parse_pnp_kraje(path)
    assert message in str(info.value)
    with pytest.raises(DataMissingError):
        pb.parse_pnp_kraje(tmp_path / "none.csv")


def test_pnp_parser_accepts_the_documented_rounding(mirror):
    recipients = pb.parse_pnp_kraje(mirror / RECIPIENTS_FILE)
    assert len(recipients) == 14 and recipients["celkem"].sum() == 358_016
    karlovarsky = recipients.set_index("kraj_nuts").loc["CZ041"]
    assert karlovarsky["muzi"] + karlovarsky["zeny"] == 9_444 and karlovarsky["celkem"] == 9_445
    assert recipients[["stupen_I", "stupen_II", "stupen_III", "stupen_IV"]].sum().tolist() == [107_223, 116_207,
                                                                                                84_702, 49_881]


def _age1_2019(mirror) -> pd.DataFrame:
    """The 2019 long table read independently of the package (both sexes, ages 0 … 100)."""
    raw = pd.read_csv(mirror / AGE1_2019_FILE, sep=";", dtype={"ORP": str})
    return raw.rename(columns={"ORP": "unit", "Vek": "age", "Pocet": "population"})


def test_packaged_rates_are_kraj_recipients_over_the_2019_population(mirror):
    raw = _age1_2019(mirror)
    recipients = pb.parse_pnp_kraje(mirror / RECIPIENTS_FILE).set_index("kraj_nuts")
    rates = pb.load_pnp_rates()
    for row in rates.itertuples():
        people = raw[(raw["unit"] == row.kraj_nuts) & raw["age"].between(row.age_from, row.age_to)]["population"].sum()
        column = {0: "vek_0_17", 18: "vek_18_64", 65: "vek_65p"}[row.age_from]
        assert row.population == people
        assert row.rate == pytest.approx(recipients.loc[row.kraj_nuts, column] / people, rel=1e-9)
        assert row.share_III == pytest.approx(recipients.loc[row.kraj_nuts, "stupen_III"]
                                              / recipients.loc[row.kraj_nuts, list(pb.DEGREE_COLUMNS)].sum())


def test_generate_reads_the_2019_file_with_the_build_parser(mirror, data_dir, tmp_path):
    """The packaged table is exactly what the generator makes from the raw files with the build's own parser."""
    territory = pd.read_parquet(data_dir / "processed" / "territory.parquet")
    target = pb.generate_pnp_rates(mirror / RECIPIENTS_FILE, mirror / AGE1_2019_FILE, territory, tmp_path / "rates.csv")
    pd.testing.assert_frame_equal(pb.load_pnp_rates(target), pb.load_pnp_rates())


# --------------------------------------------------------------------------- real data


@pytest.mark.e2e
def test_expected_recipients_of_a_kraj_are_its_rate_times_its_population(single_years):
    territory, single = single_years
    rates = pb.load_pnp_rates().set_index(["kraj_nuts", "age_from"])["rate"]
    expected = tg.compute_pnp_expected(single, territory, pb.load_pnp_rates())
    expected["kraj_nuts"] = expected["orp_kod"].map(territory.drop_duplicates("orp_kod").set_index("orp_kod")["kraj_nuts"])
    sums = expected.groupby(["scenario", "kraj_nuts", "pnp_group"])[["population", "expected"]].sum()
    assert len(sums) == 5 * 14 * 3
    first_age = {g: first for g, (first, _last) in tg.PNP_GROUPS.items()}
    for (scenario, kraj, group), row in sums.iterrows():
        assert row["expected"] == pytest.approx(rates[(kraj, first_age[group])] * row["population"], rel=1e-9), \
            (scenario, kraj, group)
    base = sums.loc["base"]
    assert base["population"].sum() == pytest.approx(10_701_777)


@pytest.mark.e2e
def test_children_of_the_orps_add_up_to_kraj_and_cr(single_years):
    territory, single = single_years
    groups = tg.compute_child_groups(single, territory, "4107").set_index(["level", "scenario"])
    assert groups.loc[("cr", "base"), "total"] == pytest.approx(10_701_777)
    karlovarsky = territory.loc[territory["kraj_kod"] == "3051", "orp_kod"].unique()
    for scenario in tg.scenario_order([2030, 2040]):
        orps = single[(single["scenario"] == scenario) & single["orp_kod"].isin(karlovarsky)]
        for group, (first, last) in tg.CHILD_GROUPS.items():
            assert groups.loc[("kraj", scenario), group] == pytest.approx(
                orps.loc[orps["age"].between(first, last), "population"].sum())


# --------------------------------------------------------------------------- chapter texts and summary

ORP_A = Orp("1111", "ORP A", "K1", "Kraj 1", 1)
BEDS = {"orp": {"beds_ds_dzr": 6.0}, "kraj": {"beds_ds_dzr": 14.0}, "cr": {"beds_ds_dzr": 20.0}}


@pytest.fixture()
def pnp_units(single, territory, rates) -> pd.DataFrame:
    return tg.compute_pnp_units(tg.compute_pnp_expected(single, territory, rates), territory, "1111")


def test_variant_parameter_is_checked():
    assert tgt.check_variant("B") == "B"
    with pytest.raises(ParameterError, match="projection_variant = 'C' není platný; povolené hodnoty: 'A'"):
        tgt.check_variant("C")


def test_children_change_and_sentence_by_hand(single, territory):
    groups = tg.compute_child_groups(single, territory, "1111")
    chart = tgt.chart_child_change(groups, [2030], "A")
    assert chart.columns.tolist() == ["Skupina", "do 1. 1. 2030"] and chart["do 1. 1. 2030"].tolist() == [30, 30, 10, 50]
    text = tgt.describe_children(groups, [2030], "B", ORP_A)
    # base: 0–17 = 70 of 280 (25 %), 18–26 = 50; variant B triples everyone by 2030
    assert "odhadem **70** dětí ve věku 0–17 let (25,0\u00a0% obyvatel) a 50 mladých lidí" in text
    assert "(varianta B) bude k 1. 1. 2030 dětí 0–17 let 210 (+140 osob) a mladých lidí 18–26 let 150 (+100 osob)" in text
    obce = tg.compute_child_obce(
        pd.DataFrame({"obec_kod": ["500011"], "sex": ["F"], "age_start": [0], "population": [5]}),
        territory.assign(obec_nazev="A", okres_lau="CZ0001"),
        pd.DataFrame({"unit": "CZ0001", "age": range(5), "population": 1}), "1111")
    czech = tgt.czech_child_obce(obce)
    assert czech.columns[:4].tolist() == ["Kód obce", "Obec", "Obyvatelé (31. 12. 2020)", "Děti 0–5 let"]
    assert czech["Děti 0–17 let (%)"].iloc[0] == pytest.approx(100)


def test_pnp_degrees_and_beds_by_hand(pnp_units):
    degrees = tgt.czech_pnp_degree_table(pnp_units, [2030])
    assert degrees["Stupeň závislosti"].tolist() == ["I. stupeň", "II. stupeň", "III. stupeň", "IV. stupeň", "Celkem"]
    assert degrees["1. 1. 2021"].tolist() == [2, 2, 2, 2, 10]  # 9.7 × 0.25 = 2.425 each, total 9.7
    assert degrees["1. 1. 2030 – varianta A"].tolist() == [5, 5, 5, 5, 19]  # 19.4 × 0.25 = 4.85
    beds = tgt.compute_pnp_vs_beds(pnp_units, BEDS, [2030], "A").set_index(["level", "scenario"])
    assert beds.index.tolist() == [("orp", "base"), ("orp", "A_2030"), ("kraj", "base"), ("kraj", "A_2030"),
                                   ("cr", "base"), ("cr", "A_2030")]
    # ORP 65+: 60 people × 0.1 = 6 expected, half of them in III–IV; doubled by 2030 in variant A
    assert beds.loc[("orp", "base"), "expected_severe_65plus"] == pytest.approx(3.0)
    assert beds.loc[("orp", "base"), "beds_per_100"] == pytest.approx(200.0)
    assert beds.loc[("orp", "A_2030"), "beds_per_100"] == pytest.approx(100.0)
    assert beds.loc[("kraj", "base"), "expected_severe_65plus"] == pytest.approx(3.5)  # ORP B adds 10 × 0.1 / 2
    assert tgt.czech_pnp_vs_beds(beds.reset_index())["Stav k"].tolist()[:2] == ["1. 1. 2021", "1. 1. 2030 – varianta A"]
    text = tgt.describe_pnp(pnp_units, beds.reset_index(), [2030], "A", ORP_A)
    assert "odhadem **10** osob, z toho 6 ve věku 65+; k 1. 1. 2030 (varianta A) 19, z toho 12 ve věku 65+" in text
    assert "dnes odhadem 3; domovy pro seniory a domovy se zvláštním režimem mají v ORP 6,0 lůžek (200,0 na 100" in text


def test_pnp_source_names_the_analysts_table():
    assert tgt.pnp_source("").startswith("MPSV, Počet příjemců příspěvku na péči")
    assert tgt.pnp_source("/tmp/moje/sazby.csv").startswith("sazby příjemců příspěvku na péči: vlastní tabulka sazby.csv;")


def test_chapter_summary_has_the_issue_keys_per_level(single, territory, pnp_units):
    comparison = pd.DataFrame([
        {"indicator": key, "level": level, "unit": code, "unit_name": name, "count": 10.0, "denominator": 100.0,
         "share": 10.0, "ci_low": 5.0, "ci_high": 15.0, "method": ind.method, "vs_kraj": "", "vs_cr": ""}
        for key, ind in ex.INDICATORS.items()
        for level, code, name in (("orp", "1111", "SO ORP A"), ("kraj", "K1", "Kraj 1"), ("cr", "CZ", "Česko"))])
    categories = pd.DataFrame([{"level": level, "index_category": c, "n_obce": i, "population": 10 * i}
                               for level in ("orp", "kraj", "cr") for i, c in enumerate(ex.INDEX_CATEGORIES)])
    children = tg.compute_child_groups(single, territory, "1111")
    beds = tgt.compute_pnp_vs_beds(pnp_units, BEDS, [2030], "A")
    summary = tgt.chapter_summary(comparison, children, pnp_units, categories, beds, [2030], "A", False)
    for level in ("orp", "kraj", "cr"):
        entry = summary[level]
        for key in ex.INDICATORS:
            assert entry[key] == (10 if ex.INDICATORS[key].method == ex.WILSON else 10.0)
            assert entry[f"share_{key}"] == {"value": 10.0, "ci_low": 5.0, "ci_high": 15.0}
        assert set(entry["children"]) == set(entry["pnp_expected"]) == {"base", "A_2030", "B_2030"}
    assert summary["orp"]["children"]["A_2030"]["0_5"] == 60.0
    assert summary["orp"]["pnp_expected"]["base"] == {"0_17": 0.7, "18_64": 3.0, "65plus": 6.0, "total": 9.7}
    assert summary["orp"]["pnp_severe_65plus"] == {"base": 3.0, "A_2030": 6.0} and summary["cr"]["beds_ds_dzr"] == 20.0
    assert summary["orp"]["index_categories"]["12 až 30"] == {"n_obce": 3, "population": 30}
    assert (summary["horizon_years"], summary["projection_variant"], summary["services_by_target_group"]) == \
        ([2030], "A", False)
    assert summary["title"] == "Cílové skupiny" and summary["labels"]["exekuce"] == "Osoby v exekuci (2023)"
