"""Needs survey: reading and validation, raking, estimates with suppression, charts, questionnaire.

Every respondent file here is a test fixture written by the test into a temporary folder.
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import toy_territory
from kpss_analysis.analysis.survey import (
    SUPPRESSED_TEXT,
    compute_age_split,
    compute_answer_estimates,
    compute_estimate_table,
    compute_group_differences,
    compute_group_estimates,
    compute_likert_summary,
    compute_summary,
)
from kpss_analysis.analysis.survey_io import (
    Codebook,
    Question,
    compute_codebook,
    compute_problem_table,
    read_codebook,
    read_respondents,
    template_codebook_path,
)
from kpss_analysis.analysis.survey_weights import (
    TOLERANCE,
    compute_obec_size_bands,
    compute_population_margins,
    compute_sample_vs_population,
    compute_weights,
    kish_design_effect,
    kish_effective_n,
)
from kpss_analysis.errors import DataValidationError, ParameterError

matplotlib.use("Agg")

ORP = "1111"


@pytest.fixture()
def territory() -> pd.DataFrame:
    rows = [("100001", "Horní Ves", ORP, "Testov"), ("100002", "Dolní Ves", ORP, "Testov"),
            ("100003", "Testov", ORP, "Testov"), ("100004", "Lhota", ORP, "Testov"),
            ("100005", "Lhota", ORP, "Testov"), ("200001", "Horní Ves", "2222", "Jinde"),
            ("200002", "Jinov", "2222", "Jinde")]
    return toy_territory(rows, ["obec_kod", "obec_nazev", "orp_kod", "orp_nazev"])


def _age5(populations: dict[tuple[str, str, int], int]) -> pd.DataFrame:
    return pd.DataFrame([(o, s, a, p) for (o, s, a), p in populations.items()],
                        columns=["obec_kod", "sex", "age_start", "population"])


def _totals(totals: dict[str, int], year: int = 2024) -> pd.DataFrame:
    return pd.DataFrame({"year": year, "obec_kod": list(totals), "total": list(totals.values()),
                         "men": 0, "women": 0, "mean_age": 40.0})


def _write_csv(tmp_path, rows: list[list], header=("vek", "pohlavi", "obec_kod", "q1"), sep=";",
               name="odpovedi.csv", encoding="utf-8-sig"):
    path = tmp_path / name
    lines = [sep.join(header)] + [sep.join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def _respondents(cells: dict[tuple[int, str], int], obec: str = "100001", answers=None) -> pd.DataFrame:
    """Respondents of given (age, sex) counts in one obec, with an optional answer column q1."""
    rows = [(age, sex, obec) for (age, sex), count in cells.items() for _ in range(count)]
    frame = pd.DataFrame(rows, columns=["vek", "pohlavi", "obec_kod"])
    frame.insert(0, "row", range(2, len(frame) + 2))
    if answers is not None:
        frame["q1"] = answers
    return frame


# --------------------------------------------------------------------------- reading and validation


def test_reads_semicolon_csv_with_bom_and_sex_variants(tmp_path, territory):
    path = _write_csv(tmp_path, [[30, "Muž", "100001", "ano"], [40, "Ž", "Dolní Ves", "ne"],
                                 [50, "zena", "testov", ""], [60, "male", "100002", "ano"], [70, "F", "Dolní", "ano"]])
    respondents, problems = read_respondents(path, territory, ORP)
    assert problems == []
    assert respondents["pohlavi"].tolist() == ["muž", "žena", "žena", "muž", "žena"]
    assert respondents["obec_kod"].tolist() == ["100001", "100002", "100003", "100002", "100002"]
    assert respondents["vek"].tolist() == [30, 40, 50, 60, 70]
    assert respondents["row"].tolist() == [2, 3, 4, 5, 6]
    assert respondents["q1"].isna().tolist() == [False, False, True, False, False]


def test_reads_comma_csv_and_forgiving_headers(tmp_path, territory):
    path = _write_csv(tmp_path, [[30, "M", "100001", "ano"]], header=("Věk", "Pohlaví", "Obec kód", "q1"), sep=",",
                      encoding="utf-8")
    respondents, _ = read_respondents(path, territory, ORP)
    assert respondents.loc[0, ["vek", "pohlavi", "obec_kod", "q1"]].tolist() == [30, "muž", "100001", "ano"]


def test_reads_xlsx_with_numeric_cells(tmp_path, territory):
    path = tmp_path / "odpovedi.xlsx"
    pd.DataFrame({"vek": [33, 81], "pohlavi": ["žena", "muž"], "obec_kod": [100001, 100003],
                  "q1": ["ano", "ne"]}).to_excel(path, index=False)
    respondents, problems = read_respondents(path, territory, ORP)
    assert problems == []
    assert respondents["obec_kod"].tolist() == ["100001", "100003"]
    assert respondents["vek"].tolist() == [33, 81]


@pytest.mark.parametrize(("row", "column", "message"), [
    ([14, "muž", "100001"], "vek", "age 14 is below 15"),
    ([111, "muž", "100001"], "vek", "age 111 is above 110"),
    (["třicet", "muž", "100001"], "vek", "age 'třicet' is not a number"),
    (["30,5", "muž", "100001"], "vek", "is not a whole number"),
    (["", "muž", "100001"], "vek", "age is missing"),
    ([30, "x", "100001"], "pohlavi", "unknown sex 'x'"),
    ([30, "", "100001"], "pohlavi", "sex is missing"),
    ([30, "muž", "200002"], "obec_kod", "obec Jinov (200002) lies outside ORP Testov; it belongs to ORP Jinde"),
    ([30, "muž", "Jinov"], "obec_kod", "obec Jinov (200002) lies outside ORP Testov"),
    ([30, "muž", "999999"], "obec_kod", "unknown obec code '999999'"),
    ([30, "muž", "Nikde"], "obec_kod", "unknown obec 'Nikde' in ORP Testov"),
    ([30, "muž", "Lhota"], "obec_kod", "obec 'Lhota' is ambiguous: it matches Lhota (100004), Lhota (100005)"),
    ([30, "muž", ""], "obec_kod", "obec is missing"),
])
def test_every_validation_problem_names_row_and_column(tmp_path, territory, row, column, message):
    path = _write_csv(tmp_path, [[40, "žena", "100001", "ano"], [*row, "ne"]])
    respondents, problems = read_respondents(path, territory, ORP)
    assert len(respondents) == 1 and respondents["row"].tolist() == [2]
    assert len(problems) == 1
    assert (problems[0].row, problems[0].column) == (3, column)
    assert message in problems[0].message
    assert str(problems[0]).startswith(f"row 3, column '{column}': ")
    table = compute_problem_table(problems)
    assert table.columns.tolist() == ["Řádek v souboru", "Sloupec", "Problém"]
    with pytest.raises(DataValidationError, match=f"odpovedi.csv: 1 problem\\(s\\) in 1 row\\(s\\): row 3, column '{column}'"):
        read_respondents(path, territory, ORP, strict=True)


def test_name_inside_the_orp_wins_over_the_same_name_elsewhere(tmp_path, territory):
    respondents, problems = read_respondents(_write_csv(tmp_path, [[30, "muž", "Horni ves", "ano"]]), territory, ORP)
    assert problems == [] and respondents["obec_kod"].tolist() == ["100001"]


def test_missing_required_column_is_refused_even_without_strict(tmp_path, territory):
    path = _write_csv(tmp_path, [[30, "muž", "ano"]], header=("vek", "pohlavi", "q1"))
    with pytest.raises(DataValidationError, match="odpovedi.csv: missing required column\\(s\\) obec_kod \\(row 1"):
        read_respondents(path, territory, ORP)


def test_file_problems(tmp_path, territory):
    with pytest.raises(ParameterError, match="does not exist"):
        read_respondents(tmp_path / "none.csv", territory, ORP)
    with pytest.raises(ParameterError, match="use CSV .* or XLSX, not .json"):
        (tmp_path / "a.json").write_text("{}")
        read_respondents(tmp_path / "a.json", territory, ORP)
    with pytest.raises(DataValidationError, match="the file is empty"):
        (tmp_path / "empty.csv").write_text("")
        read_respondents(tmp_path / "empty.csv", territory, ORP)
    with pytest.raises(DataValidationError, match="no respondents \\(only the header\\)"):
        read_respondents(_write_csv(tmp_path, [], name="header.csv"), territory, ORP)
    with pytest.raises(DataValidationError, match="not UTF-8 .*'CSV UTF-8'"):
        read_respondents(_write_csv(tmp_path, [[30, "muž", "Dolní Ves", "ano"]], name="cp.csv", encoding="cp1250"),
                         territory, ORP)
    with pytest.raises(DataValidationError, match="no valid respondent; row 2, column 'vek'"):
        read_respondents(_write_csv(tmp_path, [[12, "muž", "100001", "ano"]], name="bad.csv"), territory, ORP)


def test_row_numbers_count_blank_lines_of_the_file(tmp_path, territory):
    path = tmp_path / "blank.csv"
    path.write_text("vek;pohlavi;obec_kod;q1\n30;muž;100001;ano\n\n12;muž;100001;ne\n", encoding="utf-8")
    _, problems = read_respondents(path, territory, ORP)
    assert [(p.row, p.column) for p in problems] == [(4, "vek")]


# --------------------------------------------------------------------------- codebook


def test_yaml_codebook_and_frequency_order_without_one(tmp_path):
    path = tmp_path / "kodovnik.yaml"
    path.write_text(yaml.safe_dump({"questions": [
        {"code": "q1", "text": "Otázka", "type": "multi", "answers": ["b", "a"]},
        {"code": "q2", "type": "likert", "answers": ["ne", "spíše ne", "spíše ano", "ano"], "no_opinion": "nevím"},
    ]}, allow_unicode=True), encoding="utf-8")
    book = read_codebook(path)
    assert book.questions["q1"].kind == "multi" and book.questions["q2"].no_opinion == "nevím"
    respondents = pd.DataFrame({"vek": [20] * 4, "pohlavi": ["muž"] * 4, "obec_kod": ["1"] * 4,
                                "q1": ["a; c", "c", "c;a", pd.NA], "q3": ["y", "x", "x", "z"]})
    derived = compute_codebook(respondents, book)
    assert derived.questions["q1"].all_answers == ("b", "a", "c")  # c: in the file, not in the codebook
    assert compute_codebook(respondents).questions["q3"].answers == ("x", "y", "z")


def test_xlsx_codebook(tmp_path):
    path = tmp_path / "kodovnik.xlsx"
    pd.DataFrame({"Kód": ["q1"], "Otázka": ["Znáte služby?"], "Typ": ["více"], "Odpovědi": ["a; b"]}).to_excel(
        path, index=False)
    question = read_codebook(path).questions["q1"]
    assert (question.text, question.kind, question.answers) == ("Znáte služby?", "multi", ("a", "b"))


@pytest.mark.parametrize(("questions", "message"), [
    ([{"code": "q1", "type": "matrix"}], "question 'q1': unknown type 'matrix'"),
    ([{"code": "q1"}, {"code": "q1"}], "question code\\(s\\) used twice: q1"),
    ([{"code": "q1", "type": "likert", "answers": ["jen jedna"]}], "needs its scale"),
    ([{"text": "bez kódu"}], "a question without a code"),
    ([{"code": "q1", "answers": ["a", "a"]}], "an answer is listed twice"),
])
def test_codebook_errors(tmp_path, questions, message):
    path = tmp_path / "kodovnik.yaml"
    path.write_text(yaml.safe_dump({"questions": questions}), encoding="utf-8")
    with pytest.raises(DataValidationError, match=f"kodovnik.yaml.*{message}"):
        read_codebook(path)


def test_codebook_file_errors(tmp_path):
    with pytest.raises(ParameterError, match="Codebook file .* does not exist"):
        read_codebook(tmp_path / "none.yaml")
    (tmp_path / "bad.yaml").write_text("questions: [", encoding="utf-8")
    with pytest.raises(DataValidationError, match="bad.yaml: not valid YAML"):
        read_codebook(tmp_path / "bad.yaml")
    (tmp_path / "list.yaml").write_text("- q1\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="list.yaml: a codebook needs a list 'questions'"):
        read_codebook(tmp_path / "list.yaml")
    (tmp_path / "strings.yaml").write_text("questions: [q1]\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="strings.yaml: each question needs code"):
        read_codebook(tmp_path / "strings.yaml")
    pd.DataFrame({"Otázka": ["Znáte služby?"]}).to_excel(tmp_path / "kodovnik.xlsx", index=False)
    with pytest.raises(DataValidationError, match="kodovnik.xlsx: missing column\\(s\\) kod; the codebook sheet"):
        read_codebook(tmp_path / "kodovnik.xlsx")


def test_template_codebook_is_a_questionnaire_without_answers_data():
    book = read_codebook(template_codebook_path())
    kinds = {q.kind for q in book.questions.values()}
    assert kinds == {"single", "multi", "likert", "text"}
    assert {"informovanost", "zdroje_informaci", "vyuzivani", "chybejici_sluzby", "forma_pomoci",
            "seniori_pomoc", "rodiny_pomoc"} <= set(book.questions)
    assert set(book.respondent_texts) == {"vek", "pohlavi", "obec_kod"}
    document = yaml.safe_load(template_codebook_path().read_text(encoding="utf-8"))
    assert set(document) == {"title", "intro", "respondent", "questions"}  # wording only, no answers or figures
    for entry in document["questions"]:
        assert set(entry) <= {"code", "section", "text", "type", "answers", "no_opinion", "note"}


# --------------------------------------------------------------------------- margins and raking


def test_population_margins_from_age5_and_size_bands(territory):
    age5 = _age5({("100001", "M", 10): 99, ("100001", "M", 15): 10, ("100001", "F", 85): 5, ("100001", "F", 80): 3,
                  ("100002", "M", 65): 7, ("100003", "F", 45): 20, ("100004", "M", 30): 1, ("100005", "F", 30): 2,
                  ("200001", "M", 15): 1000})
    totals = pd.concat([_totals({"100001": 999, "100002": 1000, "100003": 25000, "100004": 5000, "100005": 4999}),
                        _totals({"100001": 5000}, year=2023)])
    margins = compute_population_margins(age5, totals, territory, ORP).set_index(["dimension", "category"])
    population = margins["population"]
    assert population["age_group"].tolist() == [10, 3, 20, 7, 8]  # 80+ = 80–84 and 85+; under 15 left out
    assert population[("sex", "muž")] == 18 and population[("sex", "žena")] == 30
    assert population["size_band"].tolist() == [18, 9, 1, 20]  # 999 | 1 000 & 4 999 | 5 000 | 25 000
    assert compute_obec_size_bands(totals)["100002"] == "obce s 1 000–4 999 obyvateli"


def _margins(sex: dict[str, int], age: dict[str, int], band: str = "obce do 999 obyvatel") -> pd.DataFrame:
    rows = [("sex", c, i, p) for i, (c, p) in enumerate(sex.items())]
    rows += [("age_group", c, i, age.get(c, 0)) for i, c in
             enumerate(["15–29 let", "30–44 let", "45–64 let", "65–79 let", "80 a více let"])]
    rows += [("size_band", c, i, sum(sex.values()) if c == band else 0) for i, c in
             enumerate(["obce do 999 obyvatel", "obce s 1 000–4 999 obyvateli"])]
    return pd.DataFrame(rows, columns=["dimension", "category", "order", "population"])


BANDS = pd.Series({"100001": "obce do 999 obyvatel"})


def test_raking_reproduces_known_margins_on_a_2x2_example():
    # Sample: men 15–29: 3, men 30–44: 1, women 15–29: 1, women 30–44: 1; margins 50/50 and 50/50.
    # Raking keeps the sample's odds ratio (3·1)/(1·1) = 3, so the weighted cell shares are
    # [[x, ½ − x], [½ − x, x]] with x² / (½ − x)² = 3, i.e. x = ½·√3 / (1 + √3) = 0.31699.
    respondents = _respondents({(20, "muž"): 3, (35, "muž"): 1, (20, "žena"): 1, (35, "žena"): 1})
    margins = _margins({"muž": 500, "žena": 500}, {"15–29 let": 500, "30–44 let": 500})
    result = compute_weights(respondents, margins, BANDS)
    shares = result.weights.groupby([result.cells["sex"], result.cells["age_group"]]).sum() / result.weights.sum()
    x = 0.5 * math.sqrt(3) / (1 + math.sqrt(3))
    assert shares[("muž", "15–29 let")] == pytest.approx(x, abs=TOLERANCE)
    assert shares[("muž", "30–44 let")] == pytest.approx(0.5 - x, abs=TOLERANCE)
    assert shares[("žena", "30–44 let")] == pytest.approx(x, abs=TOLERANCE)
    assert result.weights.mean() == pytest.approx(1.0)
    # one weight per man aged 15–29: x / 3 of the total 6
    assert result.weights.iloc[0] == pytest.approx(6 * x / 3, abs=6 * TOLERANCE)
    table = compute_sample_vs_population(result)
    assert table.columns.tolist() == ["Znak", "Kategorie", "Respondenti", "Podíl ve vzorku (%)",
                                      "Podíl v populaci 15+ (%)", "Podíl po vážení (%)"]
    sex = table[table["Znak"] == "Pohlaví"]
    assert sex["Respondenti"].tolist() == [4, 2]
    assert sex["Podíl ve vzorku (%)"].tolist() == pytest.approx([400 / 6, 200 / 6])
    assert sex["Podíl po vážení (%)"].tolist() == pytest.approx([50, 50], abs=1e-9)  # sex is raked last: exact
    assert result.notes == ()


def test_independent_sample_gets_product_weights():
    respondents = _respondents({(20, "muž"): 1, (35, "muž"): 1, (20, "žena"): 1, (35, "žena"): 1})
    result = compute_weights(respondents, _margins({"muž": 400, "žena": 600}, {"15–29 let": 500, "30–44 let": 500}),
                             BANDS)
    assert result.weights.tolist() == pytest.approx([0.8, 0.8, 1.2, 1.2], abs=4 * TOLERANCE)
    assert result.design_effect == pytest.approx(4 * (2 * 0.64 + 2 * 1.44) / 16, abs=1e-3)
    assert result.effective_n == pytest.approx(4 / result.design_effect)
    assert result.weight_range == pytest.approx((0.8, 1.2), abs=4 * TOLERANCE)


def test_categories_without_respondents_are_collapsed_and_said():
    respondents = _respondents({(20, "muž"): 1, (20, "žena"): 1, (50, "muž"): 1, (50, "žena"): 1, (70, "muž"): 1,
                                (70, "žena"): 1})
    margins = _margins({"muž": 500, "žena": 500}, {"15–29 let": 300, "45–64 let": 400, "65–79 let": 200,
                                                   "80 a více let": 100})
    result = compute_weights(respondents, margins, BANDS)
    assert result.notes == ("Věková skupina: kategorie „80 a více let“ nemá v šetření žádného respondenta, pro "
                            "vážení byla sloučena se sousední kategorií „65–79 let“.",)
    ages = result.margins[result.margins["dimension"] == "age_group"]
    assert dict(zip(ages["category"], ages["population"])) == {"15–29 let": 300, "45–64 let": 400,
                                                               "65–79 let, 80 a více let": 300}
    assert set(result.cells["age_group"]) == {"15–29 let", "45–64 let", "65–79 let, 80 a více let"}


def test_a_single_sex_cannot_be_weighted_by_sex_and_says_so():
    respondents = _respondents({(20, "žena"): 2, (40, "žena"): 2})
    result = compute_weights(respondents, _margins({"muž": 500, "žena": 500}, {"15–29 let": 500, "30–44 let": 500}),
                             BANDS)
    assert any("Pohlaví: všichni respondenti patří do jedné kategorie" in note for note in result.notes)
    assert result.weights.tolist() == pytest.approx([1, 1, 1, 1])


def test_infeasible_margins_are_refused():
    # every man is 15–29, every woman 30–44: no weights give 30 % men and 50 % aged 15–29
    respondents = _respondents({(20, "muž"): 2, (35, "žena"): 2})
    with pytest.raises(DataValidationError, match="Raking did not reproduce the population margins"):
        compute_weights(respondents, _margins({"muž": 300, "žena": 700}, {"15–29 let": 500, "30–44 let": 500}), BANDS)


def test_kish():
    assert kish_design_effect([1, 1, 1, 1]) == 1
    assert kish_design_effect([1, 3]) == pytest.approx(2 * 10 / 16)
    assert kish_effective_n([1, 3]) == pytest.approx(16 / 10)


def test_answer_given_exactly_by_the_women_has_the_womens_population_share(territory):
    rng = np.random.default_rng(7)
    ages, sexes, obce = rng.integers(15, 95, 400), rng.choice(["muž", "žena"], 400, p=[0.3, 0.7]), \
        rng.choice(["100001", "100002", "100003"], 400, p=[0.6, 0.3, 0.1])
    respondents = pd.DataFrame({"row": range(2, 402), "vek": ages, "pohlavi": sexes, "obec_kod": obce,
                                "q1": np.where(sexes == "žena", "ano", "ne")})
    age5 = _age5({(o, s, a): int(10 + (a * 7 + len(o) * 3 + (s == "F") * 11) % 40)
                  for o in ("100001", "100002", "100003") for s in ("M", "F") for a in range(0, 90, 5)})
    totals = _totals({"100001": 800, "100002": 3000, "100003": 30000, "100004": 10, "100005": 10})
    territory = territory[territory["obec_kod"].isin(["100001", "100002", "100003"]) | (territory["orp_kod"] != ORP)]
    margins = compute_population_margins(age5, totals, territory, ORP)
    result = compute_weights(respondents, margins, compute_obec_size_bands(totals))
    adults = age5[age5["age_start"] >= 15]
    women_share = 100 * adults.loc[adults["sex"] == "F", "population"].sum() / adults["population"].sum()
    estimate = compute_answer_estimates(respondents, result.weights).set_index("answer")
    assert estimate.loc["ano", "weighted_share"] == pytest.approx(women_share, abs=1e-9)
    assert estimate.loc["ano", "weighted_share"] != pytest.approx(100 * (sexes == "žena").mean(), abs=1)


# --------------------------------------------------------------------------- estimates


def _wilson(p: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def test_wilson_interval_on_the_effective_sample_size():
    answers = ["ano"] * 20 + ["ne"] * 20
    respondents = _respondents({(30, "muž"): 40}, answers=answers)
    weights = pd.Series([3.0] * 10 + [1.0] * 30)  # 10 "ano" respondents weigh 3: share = 40 / 60
    estimates = compute_answer_estimates(respondents, weights).set_index("answer")
    n_eff = 60 ** 2 / (10 * 9 + 30)  # 30
    assert estimates.loc["ano", "effective_n"] == pytest.approx(n_eff)
    assert estimates.loc["ano", "weighted_share"] == pytest.approx(100 * 40 / 60)
    low, high = _wilson(40 / 60, n_eff)
    assert estimates.loc["ano", "ci_low"] == pytest.approx(100 * low)
    assert estimates.loc["ano", "ci_high"] == pytest.approx(100 * high)
    wider = _wilson(40 / 60, 40)  # the naive n would give a narrower interval
    assert high - low > wider[1] - wider[0]


def test_suppression_at_9_and_10_respondents_and_small_base_flag():
    respondents = _respondents({(30, "muž"): 40}, answers=["a"] * 9 + ["b"] * 10 + ["c"] * 21)
    estimates = compute_answer_estimates(respondents).set_index("answer")
    assert estimates.loc["a", "suppressed"] and not estimates.loc["b", "suppressed"]
    assert math.isnan(estimates.loc["a", "weighted_share"]) and math.isnan(estimates.loc["a", "ci_low"])
    assert estimates.loc["a", "display"] == SUPPRESSED_TEXT == "méně než 10 odpovědí"
    assert estimates.loc["b", "weighted_share"] == pytest.approx(25.0)
    assert estimates.loc["b", "display"].startswith("25,0\u00a0% (")
    assert not estimates["small_base"].any()
    table = compute_estimate_table(estimates.reset_index())
    assert table.set_index("Odpověď").loc["a", "Vážený podíl (%)"] == SUPPRESSED_TEXT
    small = compute_answer_estimates(_respondents({(30, "muž"): 29}, answers=["b"] * 29))
    assert small["small_base"].all()
    assert compute_estimate_table(small)["Poznámka"].iloc[0] == "méně než 30 respondentů, orientační odhad"


def test_multi_choice_shares_are_of_respondents():
    respondents = _respondents({(30, "muž"): 20}, answers=["a; b"] * 10 + ["a"] * 10)
    book = Codebook({"q1": Question("q1", "Q", "multi", ("a", "b"))})
    estimates = compute_answer_estimates(respondents, None, book).set_index("answer")
    assert estimates["weighted_share"].tolist() == pytest.approx([100.0, 50.0])
    assert estimates["base_n"].tolist() == [20, 20]


def test_summary_structure():
    respondents = _respondents({(30, "muž"): 12}, answers=["a"] * 9 + ["b"] * 3)
    respondents.loc[11, "q1"] = pd.NA
    result = compute_weights(respondents, _margins({"muž": 1, "žena": 1}, {"30–44 let": 2}), BANDS)
    summary = compute_summary(respondents, result, compute_answer_estimates(respondents, result.weights))
    assert summary["respondents"] == 12 and summary["effective_n"] == 12.0 and summary["design_effect"] == 1.0
    assert summary["questions"]["q1"]["answers"]["a"] == {"n": 9, "weighted_share": None, "ci_low": None,
                                                          "ci_high": None}
    assert summary["questions"]["q1"]["respondents"] == 11 and summary["questions"]["q1"]["small_base"]
    assert summary["questions"]["q1"]["effective_n"] == 11.0


def test_group_estimates_share_one_answer_order():
    answers = ["a"] * 20 + ["x"] * 10 + ["a"] * 20 + ["y"] * 10  # x only among seniors, y only among the younger
    respondents = _respondents({(70, "žena"): 30, (40, "žena"): 30}, answers=answers)
    book = Codebook({"q1": Question("q1", "Q", "single", ("a",))})
    by_group = compute_group_estimates(respondents, None, compute_age_split(respondents), book)
    orders = by_group.groupby("group").apply(lambda g: tuple(g["answer"]), include_groups=False)
    assert orders.nunique() == 1 and orders.iloc[0] == ("a", "x", "y")


def _likert_estimates(shares: list[float], no_opinion: float | None = None) -> pd.DataFrame:
    scale = ("1", "2", "3", "4", "5")[:len(shares)]
    rows = []
    for order, (answer, share) in enumerate(zip(scale, shares)):
        rows.append({"question": "l", "question_text": "Q", "kind": "likert", "answer": answer, "order": order,
                     "on_scale": True, "no_opinion": False, "weighted_share": share, "suppressed": np.isnan(share),
                     "small_base": False})
    if no_opinion is not None:
        rows.append({**rows[0], "answer": "nevím", "order": len(rows), "on_scale": False, "no_opinion": True,
                     "weighted_share": no_opinion})
    return pd.DataFrame(rows)


def test_likert_segments_diverge_around_zero():
    even = compute_likert_summary(_likert_estimates([10, 20, 30, 30], no_opinion=10))
    assert even["left"].tolist() == pytest.approx([-30, -20, 0, 30])
    assert even["side"].tolist() == ["negative", "negative", "positive", "positive"]
    assert even["no_opinion_share"].iloc[0] == 10
    odd = compute_likert_summary(_likert_estimates([10, 20, 20, 30, 20]))
    assert odd["side"].tolist() == ["negative", "negative", "neutral", "positive", "positive"]
    assert odd["left"].tolist() == pytest.approx([-40, -30, -10, 10, 40])
    suppressed = compute_likert_summary(_likert_estimates([np.nan, 20, 40, 30]))
    assert suppressed["share"].tolist() == [0, 20, 40, 30] and suppressed["suppressed"].tolist()[0]


def test_groups_are_compared_only_when_both_have_30_respondents():
    answers = ["ano"] * 25 + ["ne"] * 5 + ["ano"] * 10 + ["ne"] * 20
    respondents = _respondents({(70, "žena"): 30, (40, "žena"): 30}, answers=answers)
    respondents["q2"] = ["x"] * 59 + [pd.NA]  # younger group: 29 answered q2
    groups = compute_age_split(respondents)
    assert groups.value_counts().to_dict() == {"65 a více let": 30, "15–64 let": 30}
    by_group = compute_group_estimates(respondents, None, groups)
    assert set(by_group["question"]) == {"q1"}
    differences = compute_group_differences(by_group, "65 a více let", "15–64 let").set_index("answer")
    assert differences.loc["ano", "difference"] == pytest.approx(100 * (25 / 30 - 10 / 30))
    assert differences.loc["ano", "diff_low"] < differences.loc["ano", "difference"] < differences.loc["ano", "diff_high"]
    assert differences.loc["ano", "significant"]


# --------------------------------------------------------------------------- charts and questionnaire


def test_share_chart_labels_suppressed_answers():
    from kpss_analysis.report.survey_plots import plot_answer_shares, plot_likert

    respondents = _respondents({(30, "muž"): 40}, answers=["a"] * 9 + ["b"] * 10 + ["c"] * 21)
    ax = plot_answer_shares(compute_answer_estimates(respondents))
    texts = [t.get_text() for t in ax.texts]
    assert texts.count(SUPPRESSED_TEXT) == 1 and "52,5\u00a0%" in texts
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "b", "a"]
    likert = compute_likert_summary(_likert_estimates([np.nan, 20, 40, 30]))
    ax = plot_likert(likert)
    assert SUPPRESSED_TEXT in ax.get_yticklabels()[0].get_text()
    assert len(ax.patches) == 4


def test_questionnaire_docx_asks_every_question_and_the_required_items(tmp_path):
    import docx

    from kpss_analysis.report.questionnaire import save_questionnaire_docx

    book = read_codebook(template_codebook_path())
    path = save_questionnaire_docx(book, tmp_path / "dotaznik.docx")
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    for number, question in enumerate(book.questions.values(), start=1):
        assert f"{number}. {question.text}" in text
        for answer in question.answers:
            assert answer in (cells if question.kind == "likert" else text)
    for item in book.respondent_texts.values():
        assert item in text
    assert "☐  muž" in text and "☐  žena" in text


# --------------------------------------------------------------------------- real data


@pytest.mark.e2e
def test_sokolov_women_only_answer_equals_womens_share_of_population_15_plus(use_data, tmp_path):
    from kpss_analysis.analysis.territory import find_orp
    from kpss_analysis.data.load import load_age5, load_population_totals, load_territory

    territory, age5, totals = load_territory(), load_age5(), load_population_totals()
    orp = find_orp("Sokolov", territory)
    obce = territory.loc[territory["orp_kod"] == orp.code, ["obec_kod", "obec_nazev"]]
    people = totals[(totals["year"] == 2024) & totals["obec_kod"].isin(obce["obec_kod"])].set_index("obec_kod")
    rng = np.random.default_rng(16)
    n = 300
    sexes = rng.choice(["žena", "muž"], n, p=[0.65, 0.35])  # women answer surveys more often
    codes = rng.choice(people.index.to_numpy(), n, p=(people["total"] / people["total"].sum()).to_numpy())
    names = obce.set_index("obec_kod")["obec_nazev"]
    rows = [[int(age), sex, names[code] if i % 2 else code, "ano" if sex == "žena" else "ne"]
            for i, (age, sex, code) in enumerate(zip(rng.integers(15, 91, n), sexes, codes))]
    path = _write_csv(tmp_path, rows, header=("vek", "pohlavi", "obec_kod", "pecuje_zena"))
    respondents, problems = read_respondents(path, territory, orp.code)
    assert problems == [] and len(respondents) == n
    result = compute_weights(respondents, compute_population_margins(age5, totals, territory, orp.code),
                             compute_obec_size_bands(totals))
    adults = age5[age5["obec_kod"].isin(obce["obec_kod"]) & (age5["age_start"] >= 15)]
    women_share = 100 * adults.loc[adults["sex"] == "F", "population"].sum() / adults["population"].sum()
    estimates = compute_answer_estimates(respondents, result.weights).set_index("answer")
    assert estimates.loc["ano", "weighted_share"] == pytest.approx(women_share, abs=1e-9)
    summary = compute_summary(respondents, result, estimates.reset_index())
    assert summary["respondents"] == n and 1 < summary["design_effect"] < 3
