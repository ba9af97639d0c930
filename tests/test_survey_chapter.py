"""Chapter 06 (needs survey): parameter checks, codebook choice, Czech tables, template files, the chapter run.

Every respondent file here is a test fixture written by the test into a temporary folder; none is shipped.
"""

from __future__ import annotations

import json
import math

import docx
import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from kpss_analysis import fmt
from kpss_analysis.analysis import survey_chapter as needs
from kpss_analysis.analysis.survey import SMALL_BASE_TEXT, SUPPRESSED_TEXT, compute_answer_estimates
from kpss_analysis.analysis.survey_io import Codebook, Question, read_codebook, template_codebook_path
from kpss_analysis.analysis.survey_weights import WeightingResult
from kpss_analysis.errors import DataValidationError, ParameterError

matplotlib.use("Agg")

SEED = ("Sokolov", "Ostrov", "Strakonice", "Rokycany", "Příbram", "Praha")


def _respondents(answers: dict[str, list], ages=None) -> pd.DataFrame:
    n = len(next(iter(answers.values())))
    frame = pd.DataFrame({"row": range(2, n + 2), "vek": ages if ages is not None else [40] * n,
                          "pohlavi": ["žena"] * n, "obec_kod": ["100001"] * n})
    return frame.assign(**answers)


# --------------------------------------------------------------------------- parameters


def test_empty_parameters_mean_no_survey():
    assert needs.check_survey_parameters("", "") == ("", "")
    assert needs.check_survey_parameters("  ", "", strict=True) == ("", "")


def test_relative_paths_count_from_the_given_folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "odpovedi.csv").write_text("vek;pohlavi;obec_kod\n", encoding="utf-8")
    (tmp_path / "kodovnik.yaml").write_text(yaml.safe_dump({"questions": [{"code": "q1"}]}), encoding="utf-8")
    survey, codebook = needs.check_survey_parameters("data/odpovedi.csv", "kodovnik.yaml", base=tmp_path)
    assert survey == str(tmp_path / "data" / "odpovedi.csv") and codebook == str(tmp_path / "kodovnik.yaml")


def test_relative_paths_default_to_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "odpovedi.xlsx").write_bytes(b"")
    pd.DataFrame({"vek": [30]}).to_excel(tmp_path / "odpovedi.xlsx", index=False)
    monkeypatch.chdir(tmp_path)
    assert needs.check_survey_parameters("odpovedi.xlsx", "") == (str(tmp_path / "odpovedi.xlsx"), "")


@pytest.mark.parametrize(("make", "value", "message"), [
    (None, "chybi.csv", r"Parameter survey_file: file chybi.csv does not exist \(looked for .*chybi.csv; "
                        r"a relative path counts from "),
    ("folder", "slozka.csv", "slozka.csv is a folder, not a file"),
    ("text", "odpovedi.json", r"odpovedi.json has the suffix .json; use .csv, .txt, .xlsx, .xlsm"),
    ("empty", "prazdny.csv", "prazdny.csv is empty"),
    ("text", "stary.xlsx", "stary.xlsx is not an XLSX workbook"),
])
def test_survey_file_problems_are_refused_before_anything_runs(tmp_path, make, value, message):
    path = tmp_path / value
    if make == "folder":
        path.mkdir()
    elif make == "text":
        path.write_text("vek;pohlavi\n", encoding="utf-8")
    elif make == "empty":
        path.write_bytes(b"")
    with pytest.raises(ParameterError, match=message):
        needs.check_survey_parameters(value, "", base=tmp_path)


def test_codebook_and_type_problems(tmp_path):
    (tmp_path / "kodovnik.txt").write_text("questions: []", encoding="utf-8")
    with pytest.raises(ParameterError, match="Parameter codebook_file: kodovnik.txt has the suffix .txt; use .yaml"):
        needs.check_survey_parameters("", "kodovnik.txt", base=tmp_path)
    (tmp_path / "kodovnik.yaml").write_text("questions: [", encoding="utf-8")
    with pytest.raises(DataValidationError, match="kodovnik.yaml: not valid YAML"):
        needs.check_survey_parameters("", "kodovnik.yaml", base=tmp_path)
    with pytest.raises(ParameterError, match="Parameter survey_file must be a file path in quotes"):
        needs.check_survey_parameters(42, "")
    with pytest.raises(ParameterError, match="Parameter strict must be True or False, not 'ano'"):
        needs.check_survey_parameters("", "", strict="ano")


# --------------------------------------------------------------------------- codebook choice


def test_codebook_given_then_template_then_frequency():
    template = read_codebook(template_codebook_path())
    own = Codebook({"q1": Question("q1", "Moje otázka", "single", ("b", "a"))})
    respondents = _respondents({"q1": ["a", "a", "b"]})
    book, note = needs.compute_chapter_codebook(respondents, own, template)
    assert book.questions["q1"].answers == ("b", "a") and note.startswith("Otázky a pořadí odpovědí podle zadaného")
    templated = _respondents({"kam_se_obratit": ["Ne", "Ano", "Ne"]})
    book, note = needs.compute_chapter_codebook(templated, None, template)
    assert book.questions["kam_se_obratit"].answers == ("Ano", "Spíše ano", "Spíše ne", "Ne")
    assert list(book.questions) == ["kam_se_obratit"] and "šablony" in note
    mixed = templated.assign(vlastni=["x", "y", "y"])
    book, note = needs.compute_chapter_codebook(mixed, None, template)
    assert book.questions["kam_se_obratit"].answers == ("Ne", "Ano") and book.questions["vlastni"].answers == ("y", "x")
    assert "v pořadí četnosti" in note
    _, note = needs.compute_chapter_codebook(mixed, own, template)
    assert "Sloupce bez záznamu v kodovníku (kam_se_obratit, vlastni)" in note


# --------------------------------------------------------------------------- instruction mode


def test_template_table_lists_required_columns_then_every_question():
    book = read_codebook(template_codebook_path())
    table = needs.compute_template_table(book)
    assert table["Sloupec v souboru"].tolist() == ["vek", "pohlavi", "obec_kod", *book.questions]
    assert table.loc[0, "Otázka"] == "Kolik je Vám let (dovršený věk)?"  # the template's own wording
    likert = table.set_index("Sloupec v souboru").loc["informovanost"]
    assert likert["Typ odpovědi"] == "hodnoticí škála (jedna odpověď)"
    assert likert["Možné odpovědi"].endswith("; Jsem velmi dobře informován/a; Nedokážu posoudit")


def test_population_table_shares_per_characteristic():
    margins = pd.DataFrame({"dimension": ["sex", "sex", "age_group", "size_band"], "category": ["muž", "žena", "a", "b"],
                            "order": [0, 1, 0, 0], "population": [30, 90, 120, 0]})
    table = needs.compute_population_table(margins).set_index("Kategorie")
    assert table.loc["žena", "Podíl (%)"] == 75.0 and table.loc["a", "Podíl (%)"] == 100.0
    assert math.isnan(table.loc["b", "Podíl (%)"]) and table.loc["muž", "Znak"] == "Pohlaví"


def test_instructions_say_what_to_collect_and_how_to_run():
    text = needs.describe_instructions(read_codebook(template_codebook_path()), "Sokolov",
                                       ["dotaznik_sablona.docx"], custom=False)
    assert "žádné odpovědi nevymýšlí" in text and "`vek`" in text and "`obec_kod`" in text
    assert "kpss run --orp \"Sokolov\" --chapters 06 -p survey_file='\"cesta/odpovedi.csv\"'" in text
    assert "`dotaznik_sablona.docx`" in text and "alespoň 30 respondentů" in text
    assert needs.no_survey_summary() == {"survey_given": False, "respondents": None, "effective_n": None,
                                         "design_effect": None, "questions": {}}


def test_template_files_are_written_and_ask_the_template(tmp_path):
    from kpss_analysis.report.survey_chapter import save_survey_template

    book = read_codebook(template_codebook_path())
    paths = save_survey_template(book, template_codebook_path(), tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        "dokumenty/dotaznik_sablona.docx", "dokumenty/dotaznik_sablona.yaml", "dokumenty/dotaznik_odpovedi_sablona.xlsx"]
    assert paths[1].read_bytes() == template_codebook_path().read_bytes()
    text = "\n".join(p.text for p in docx.Document(str(paths[0])).paragraphs)
    assert f"1. {book.questions['domacnost'].text}" in text
    header = [c.value for c in next(load_workbook(paths[2])["Odpovědi"].iter_rows(max_row=1))]
    assert header == ["vek", "pohlavi", "obec_kod", *book.questions]


# --------------------------------------------------------------------------- survey mode


def test_question_table_suppresses_and_flags():
    estimates = compute_answer_estimates(_respondents({"q1": ["a"] * 9 + ["b"] * 10 + ["c"] * 21}))
    table = needs.compute_question_table(estimates).set_index("Odpověď")
    assert math.isnan(table.loc["a", "Vážený podíl (%)"]) and math.isnan(table.loc["a", "95% interval do (%)"])
    assert table.loc["a", "Poznámka"] == SUPPRESSED_TEXT and table.loc["b", "Poznámka"] == ""
    assert table.loc["b", "Vážený podíl (%)"] == pytest.approx(25.0) and table.loc["a", "Počet odpovědí"] == 9
    small = needs.compute_question_table(compute_answer_estimates(_respondents({"q1": ["a"] * 12 + ["b"] * 5})))
    assert small["Poznámka"].tolist() == [SMALL_BASE_TEXT, SUPPRESSED_TEXT]
    caption = needs.question_caption(estimates, "Sokolov")
    assert caption.startswith("q1 – SO ORP Sokolov, odpovědělo 40 respondentů (efektivně 40,0); vážený odhad")


def test_weighting_table_and_text():
    weights = pd.Series([0.5, 0.5, 1.5, 1.5])  # Σw = 4, Σw² = 5: n_eff = 3.2, deff = 1.25
    result = WeightingResult(weights, pd.DataFrame(), pd.DataFrame(), ("Pohlaví: sloučeno.",))
    table = needs.compute_weighting_table(result)
    assert table["Hodnota"].tolist() == pytest.approx([4, 3.2, 1.25, 0.5, 1.5, 3.0])
    assert len(needs.WEIGHTING_DECIMALS) == len(table)
    text = needs.describe_weighting(result, dropped=2)
    assert "**4 respondentů** (2 řádků souboru vyřazeno" in text and "design efekt vážení je 1,25" in text
    assert "o **3,2 respondentech**" in text and text.endswith("Sloučené kategorie: Pohlaví: sloučeno.")


def test_group_table_and_text():
    differences = pd.DataFrame({"question": ["q1", "q1"], "question_text": ["Q", "Q"], "answer": ["a", "b"],
                                "share_1": [60.0, np.nan], "share_2": [40.0, 20.0], "difference": [20.0, np.nan],
                                "diff_low": [5.0, np.nan], "diff_high": [35.0, np.nan], "significant": [True, False]})
    table = needs.compute_group_table(differences, *needs.GROUP_LABELS)
    assert table["Významný rozdíl"].tolist() == ["ano", ""]
    assert table["Poznámka"].tolist() == ["", f"{SUPPRESSED_TEXT} v některé skupině"]
    assert list(table.columns[2:4]) == ["65 a více let (%)", "15–64 let (%)"]
    book = Codebook({"q1": Question("q1", "Q"), "q2": Question("q2", "Druhá")})
    groups = pd.Series(["65 a více let"] * 30 + ["15–64 let"] * 31)
    text = needs.describe_group_comparison(groups, differences, book)
    assert text.startswith("65 a více let: 30 respondentů a 15–64 let: 31 respondentů.")
    assert text.endswith("se nesrovnávají: „Druhá“.")
    empty = needs.describe_group_comparison(groups, pd.DataFrame(), book)
    assert empty.startswith("Srovnání seniorů s mladšími se nezobrazuje")


def test_text_questions_are_counted_not_quoted():
    book = Codebook({"namety": Question("namety", "Náměty?", "text")})
    text = needs.describe_text_questions(book, _respondents({"namety": ["Více laviček", pd.NA]}))
    assert "„Náměty?“ (odpovědělo 1)" in text and "Více laviček" not in text
    assert needs.describe_text_questions(Codebook({}), _respondents({"q": ["a"]})) == ""


def test_question_outputs_save_a_table_and_chart_per_question(tmp_path):
    from kpss_analysis.analysis.territory import Orp
    from kpss_analysis.report.output import ChapterOutput
    from kpss_analysis.report.survey_chapter import save_question_outputs

    respondents = _respondents({"q1": ["a"] * 9 + ["b"] * 31,
                                "q2": ["ne"] * 10 + ["spíše ne"] * 10 + ["spíše ano"] * 10 + ["ano"] * 10})
    book = Codebook({"q1": Question("q1", "První"), "q2": Question("q2", "Škála", "likert",
                                                                   ("ne", "spíše ne", "spíše ano", "ano"))})
    out = ChapterOutput(Orp("1111", "Testov", "19", "Kraj", 2), tmp_path, chapter="06_potreby")
    shown = []
    paths = save_question_outputs(out, compute_answer_estimates(respondents, None, book), orp_name="Testov",
                                  source="test", show=shown.append)
    assert sorted(p.name for p in paths) == sorted(f"potreby_{n}_{kind}.{s}" for n in ("01_q1", "02_q2")
                                                   for kind, suffixes in (("tabulka", ("xlsx", "csv")), ("graf", ("png",)))
                                                   for s in suffixes)
    assert all(p.is_file() for p in paths)
    html = shown[1].to_html()
    assert SUPPRESSED_TEXT in html and "77,5" in html  # the suppressed share in words, the other in Czech
    csv = (tmp_path / "tables" / "potreby_01_q1_tabulka.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv[1:] == ["b;31;77,5;62,5;87,7;", f"a;9;;;;{SUPPRESSED_TEXT}"]  # answers by frequency
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert {i["notes"] for i in manifest["items"] if i["kind"] == "table"} == {fmt.text(f"{needs.METHOD_TEXT} {needs.SURVEY_INTERVAL_NOTE}")}
    assert [i["caption"].endswith(fmt.text("(intervaly jednotlivých odpovědí v tabulce)"))
            for i in manifest["items"] if i["kind"] == "figure"] == [False, True]


# --------------------------------------------------------------------------- chapter runs


@pytest.mark.e2e
@pytest.mark.parametrize("name", SEED)
def test_default_run_writes_the_template_and_no_estimates(seed_runs, name):
    folder = seed_runs[name]
    potreby = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["potreby"]
    assert potreby == needs.no_survey_summary()
    for file in ("dotaznik_sablona.docx", "dotaznik_sablona.yaml", "dotaznik_odpovedi_sablona.xlsx"):
        assert (folder / "dokumenty" / file).stat().st_size > 0
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    items = [i["name"] for i in manifest["items"] if i["chapter"] == "06_potreby"]
    assert items == ["potreby_sablona_dotazniku", "potreby_obyvatele_15plus"]  # no estimate, no chart
    population = pd.read_csv(folder / "tables" / "potreby_obyvatele_15plus.csv", sep=";", decimal=",")
    assert population.groupby("Znak")["Obyvatelé 15+"].sum().nunique() == 1  # each characteristic: all people 15+


@pytest.mark.e2e
def test_sokolov_survey_run_weighted_women_only_answer_equals_womens_share(use_data, tmp_path, monkeypatch):
    """`kpss run --orp Sokolov --chapters 06 -p survey_file=...` on a respondent file written here."""
    from kpss_analysis.analysis.territory import find_orp
    from kpss_analysis.data.load import load_age5, load_population_totals, load_territory
    from kpss_analysis.run import cli

    territory, age5, totals = load_territory(), load_age5(), load_population_totals()
    orp = find_orp("Sokolov", territory)
    obce = territory.loc[territory["orp_kod"] == orp.code, "obec_kod"]
    people = totals[(totals["year"] == 2024) & totals["obec_kod"].isin(obce)].set_index("obec_kod")["total"]
    rng = np.random.default_rng(606)
    n = 300
    sexes = rng.choice(["žena", "muž"], n, p=[0.65, 0.35])  # women answer surveys more often
    frame = pd.DataFrame({"vek": rng.integers(15, 91, n), "pohlavi": sexes,
                          "obec_kod": rng.choice(people.index.to_numpy(), n, p=(people / people.sum()).to_numpy()),
                          "pecuje_zena": np.where(sexes == "žena", "ano", "ne"),
                          "vzacna": ["ne"] * (n - 7) + ["ano"] * 7})
    frame.loc[5, "vek"] = 12  # dropped and listed, not fatal without strict
    monkeypatch.chdir(tmp_path)
    frame.to_csv("odpovedi.csv", sep=";", index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    code = cli.main(["run", "--orp", "Sokolov", "--chapters", "06", "-p", 'survey_file="odpovedi.csv"',
                     "--output-dir", str(out), "--workers", "1", "--quiet"])
    assert code == 0
    folder = out / orp.folder_name
    adults = age5[age5["obec_kod"].isin(obce) & (age5["age_start"] >= 15)]
    women_share = 100 * adults.loc[adults["sex"] == "F", "population"].sum() / adults["population"].sum()
    potreby = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["potreby"]
    assert potreby["survey_given"] and potreby["respondents"] == n - 1
    assert 1 < potreby["design_effect"] < 3 and potreby["effective_n"] < n - 1
    answer = potreby["questions"]["pecuje_zena"]["answers"]["ano"]
    assert answer["weighted_share"] == fmt.round_half_up(women_share, 1)
    assert answer["n"] == int((sexes[np.arange(n) != 5] == "žena").sum())
    assert potreby["questions"]["vzacna"]["answers"]["ano"] == {"n": 7, "weighted_share": None, "ci_low": None,
                                                                 "ci_high": None}
    sheet = load_workbook(folder / "tables" / "potreby_01_pecuje_zena_tabulka.xlsx")["Tabulka"]
    row = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == "ano")
    assert row[2] == pytest.approx(women_share, abs=1e-6)  # unrounded, as the workbook keeps it
    problems = pd.read_csv(folder / "tables" / "potreby_vyrazene_radky.csv", sep=";")
    assert problems.values.tolist()[0][:2] == [7, "vek"]  # header = row 1, so frame row 5 is file row 7
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["survey_file"] == str(tmp_path / "odpovedi.csv")
    print(f"\nSokolov e2e: women 15+ = {women_share:.4f} %, weighted 'ano' = {answer['weighted_share']} % "
          f"({answer['ci_low']}–{answer['ci_high']}), n = {potreby['respondents']}, n_eff = {potreby['effective_n']}, "
          f"deff = {potreby['design_effect']}, weights {potreby['weight_min']}–{potreby['weight_max']}, "
          f"06 took {manifest['chapter_seconds']['06_potreby']} s")


@pytest.mark.e2e
def test_kpss_run_refuses_a_missing_survey_file_before_any_kernel(use_data, tmp_path, monkeypatch, capsys):
    from kpss_analysis.run import cli

    monkeypatch.chdir(tmp_path)
    code = cli.main(["run", "--orp", "Sokolov", "--chapters", "06", "-p", 'survey_file="chybi.csv"',
                     "--output-dir", str(tmp_path / "out"), "--quiet"])
    assert code == 2
    assert f"Parameter survey_file: file chybi.csv does not exist (looked for {tmp_path / 'chybi.csv'}" in (
        capsys.readouterr().err)
    assert not (tmp_path / "out").exists()
