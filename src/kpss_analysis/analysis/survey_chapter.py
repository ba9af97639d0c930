"""Chapter 06 (needs survey): its parameters, the choice of codebook, and the Czech tables and texts around the estimates.

The survey layer does the work (:mod:`survey_io` reads and validates, :mod:`survey_weights` rakes,
:mod:`survey` estimates and suppresses); this module checks the chapter's parameters before
anything runs and turns the results into what the plan shows: tables with Czech headers, the
method sentences of captions, the instructions shown when no survey file is given.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from kpss_analysis import fmt
from kpss_analysis.analysis.survey import (
    AGE_SPLIT_LABELS,
    FLAG_BELOW,
    MIN_GROUP,
    SMALL_BASE_TEXT,
    SUPPRESS_BELOW,
    SUPPRESSED_TEXT,
)
from kpss_analysis.analysis.survey_io import (
    MULTI_SEPARATOR,
    REQUIRED_COLUMNS,
    Codebook,
    compute_codebook,
    question_columns,
    read_codebook,
)
from kpss_analysis.analysis.survey_weights import DIMENSIONS, WeightingResult
from kpss_analysis.errors import ParameterError

SURVEY_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
CODEBOOK_SUFFIXES = (".yaml", ".yml", ".xlsx", ".xlsm")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
KIND_LABELS = {"single": "jedna odpověď", "multi": f"více odpovědí (oddělených „{MULTI_SEPARATOR}“)",
               "likert": "hodnoticí škála (jedna odpověď)", "text": "otevřená odpověď (vlastními slovy)"}
REQUIRED_LABELS = {"vek": ("věk v dovršených letech (číslo, 15–110)", "Kolik je Vám let?"),
                   "pohlavi": ("„muž“ nebo „žena“", "Jste:"),
                   "obec_kod": ("kód obce ČSÚ nebo název obce", "Ve které obci žijete?")}
REQUIRED_SECTION = "Povinné údaje o respondentovi"
METHOD_TEXT = (
    "Jde o vážené odhady: odpovědi respondentů jsou převáženy metodou raking (iterativní proporcionální "
    "přizpůsobení, knihovna weightipy) tak, aby vzorek odpovídal složení obyvatel SO ORP ve věku 15 a více let "
    "podle věkové skupiny, pohlaví a velikosti obce."
)
SURVEY_INTERVAL_NOTE = (
    "95% intervaly spolehlivosti (Wilsonovy) vyjadřují výběrovou chybu a jsou počítány z efektivní velikosti "
    "vzorku (Kish), která zohledňuje nestejné váhy; nezahrnují zkreslení z toho, kdo se šetření zúčastnil "
    f"(samovýběr respondentů). Odpověď, kterou dalo méně než {SUPPRESS_BELOW} respondentů, se neuvádí "
    f"(„{SUPPRESSED_TEXT}“); odhady z méně než {FLAG_BELOW} respondentů jsou jen orientační."
)
WEIGHTING_DECIMALS = [0, 1, 2, 2, 2, 1]  # per row of compute_weighting_table
GROUP_LABELS = (AGE_SPLIT_LABELS[True], AGE_SPLIT_LABELS[False])  # compared: first − second
CAPTION_METHOD = "vážený odhad (raking na obyvatele 15+), 95% intervaly z efektivní velikosti vzorku"


# --------------------------------------------------------------------------- parameters


def _check_file(name: str, value: object, suffixes: tuple[str, ...], base: Path) -> str:
    """Absolute path of one file parameter ('' stays ''), or a ParameterError saying what is wrong."""
    if not isinstance(value, str | os.PathLike):
        raise ParameterError(f"Parameter {name} must be a file path in quotes, e.g. -p {name}='\"odpovedi.csv\"', "
                             f"not {value!r}.")
    if not str(value).strip():
        return ""
    path = Path(value).expanduser()
    path = (path if path.is_absolute() else base / path).resolve()
    if not path.exists():
        raise ParameterError(f"Parameter {name}: file {value!s} does not exist (looked for {path}; a relative path "
                             f"counts from {base}).")
    if not path.is_file():
        raise ParameterError(f"Parameter {name}: {path} is a folder, not a file.")
    if path.suffix.lower() not in suffixes:
        raise ParameterError(f"Parameter {name}: {path.name} has the suffix {path.suffix or '(none)'}; "
                             f"use {', '.join(suffixes)}.")
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as error:
        raise ParameterError(f"Parameter {name}: {path} cannot be read ({error.strerror}).") from error
    if not head:
        raise ParameterError(f"Parameter {name}: {path} is empty.")
    if path.suffix.lower() in XLSX_SUFFIXES and not zipfile.is_zipfile(path):
        raise ParameterError(f"Parameter {name}: {path.name} is not an XLSX workbook (an old .xls or another "
                             "format renamed?). Save it from Excel as 'Sešit Excelu (*.xlsx)' or as CSV UTF-8.")
    return str(path)


def check_survey_parameters(survey_file: object, codebook_file: object, *, strict: object = False,
                            base: str | os.PathLike | None = None) -> tuple[str, str]:
    """Check the chapter's file parameters before anything is read or written; return absolute paths.

    Parameters
    ----------
    survey_file, codebook_file
        The ``survey_file`` and ``codebook_file`` parameters; empty means not given. A relative path
        counts from ``base``.
    strict
        The ``strict`` parameter (must be True or False).
    base
        Folder relative paths count from; default the working directory (in ``kpss run`` the
        directory it was started from, in JupyterLab the notebook's folder).

    Returns
    -------
    survey_path, codebook_path
        Absolute paths as text, '' for a parameter left empty.

    Raises
    ------
    ParameterError
        A file that does not exist, is a folder, has a suffix that cannot be read, is empty or not a
        workbook; a codebook that is not a valid codebook (:func:`read_codebook`); ``strict`` not a bool.
    """
    if not isinstance(strict, bool):
        raise ParameterError(f"Parameter strict must be True or False, not {strict!r}.")
    folder = Path(base) if base is not None else Path.cwd()
    survey = _check_file("survey_file", survey_file, SURVEY_SUFFIXES, folder)
    codebook = _check_file("codebook_file", codebook_file, CODEBOOK_SUFFIXES, folder)
    if codebook:
        read_codebook(codebook)  # a broken codebook stops here, before any kernel runs
    return survey, codebook


# --------------------------------------------------------------------------- codebook


def compute_chapter_codebook(respondents: pd.DataFrame, given: Codebook | None,
                             template: Codebook) -> tuple[Codebook, str]:
    """The codebook to estimate with, and a Czech sentence saying which one it is.

    A given codebook wins; without one the template is used when every question column of the
    file is a question of the template, otherwise every question is categorical with answers in
    order of frequency.
    """
    columns = question_columns(respondents)
    if given is not None:
        unknown = [c for c in columns if c not in given.questions]
        note = "Otázky a pořadí odpovědí podle zadaného kodovníku."
        if unknown:
            note += (f" Sloupce bez záznamu v kodovníku ({', '.join(unknown)}) jsou zpracovány jako otázky "
                     "s jednou odpovědí v pořadí četnosti.")
        return compute_codebook(respondents, given), note
    if columns and all(c in template.questions for c in columns):
        return compute_codebook(respondents, template), "Otázky a pořadí odpovědí podle šablony dotazníku balíčku."
    return (compute_codebook(respondents),
            "Kodovník nebyl zadán a sloupce souboru neodpovídají šabloně: každá otázka je zpracována jako otázka "
            "s jednou odpovědí, odpovědi v pořadí četnosti, název otázky je název sloupce.")


# --------------------------------------------------------------------------- instruction mode


def compute_template_table(codebook: Codebook) -> pd.DataFrame:
    """What a respondent file holds: the required columns, then one row per question of the codebook (Czech)."""
    texts = {column: codebook.respondent_texts.get(column, REQUIRED_LABELS[column][1]) for column in REQUIRED_COLUMNS}
    rows = [(REQUIRED_SECTION, column, texts[column], "povinný údaj", REQUIRED_LABELS[column][0])
            for column in REQUIRED_COLUMNS]
    rows += [(q.section, q.code, q.text, KIND_LABELS[q.kind],
              f"{MULTI_SEPARATOR} ".join(q.answers + ((q.no_opinion,) if q.no_opinion else ())))
             for q in codebook.questions.values()]
    return pd.DataFrame(rows, columns=["Oddíl", "Sloupec v souboru", "Otázka", "Typ odpovědi", "Možné odpovědi"])


def compute_population_table(margins: pd.DataFrame) -> pd.DataFrame:
    """The ORP's population 15+ by the weighting characteristics (Czech headers): the composition to aim for."""
    rows = []
    for dimension, label in DIMENSIONS.items():
        margin = margins[margins["dimension"] == dimension].sort_values("order")
        total = margin["population"].sum()
        rows += [{"Znak": label, "Kategorie": category, "Obyvatelé 15+": int(population),
                  "Podíl (%)": 100 * population / total if total else np.nan}
                 for category, population in zip(margin["category"], margin["population"])]
    return pd.DataFrame(rows)


def describe_instructions(codebook: Codebook, orp_name: str, template_files: list[str], custom: bool) -> str:
    """Markdown shown when no survey file is given: what to collect, the template files, how to run the chapter."""
    which = "zadaného kodovníku" if custom else "šablony balíčku"
    files = ", ".join(f"`{name}`" for name in template_files)
    return "\n".join([
        "**Soubor s odpověďmi nebyl zadán: kapitola ukazuje jen návod a šablonu dotazníku, žádné odpovědi "
        "nevymýšlí.**",
        "",
        "**Co sebrat.** Jeden řádek na respondenta (export z LimeSurvey, Google Forms, MS Forms nebo tabulka "
        "v Excelu; CSV v kódování UTF-8 s oddělovačem „,“ nebo „;“, nebo XLSX). Povinné sloupce: `vek` (dovršený "
        "věk, 15–110 let), `pohlavi` („muž“ / „žena“) a `obec_kod` (kód obce ČSÚ nebo její název; obec musí "
        f"ležet v SO ORP {orp_name}). Každý další sloupec je jedna otázka, buňky jsou odpovědi (text); "
        f"u otázek s více odpověďmi se odpovědi oddělují středníkem „{MULTI_SEPARATOR}“.",
        "",
        f"**Šablona.** Otázky {which} jsou v tabulce níže; do složky `dokumenty` výstupů byly uloženy {files}: "
        "dotazník k tisku (DOCX), jeho kodovník (kódy otázek = názvy sloupců, pořadí odpovědí, škály) a prázdná "
        "tabulka s hlavičkou pro přepis vyplněných dotazníků.",
        "",
        "**Kolik respondentů.** Odpovědi se převáží na složení obyvatel 15+ podle věku, pohlaví a velikosti obce "
        f"(tabulka níže). Odpověď, kterou dalo méně než {SUPPRESS_BELOW} respondentů, se neuvádí; odhady "
        f"z méně než {FLAG_BELOW} respondentů jsou označeny jako orientační; senioři 65+ se srovnávají "
        f"s mladšími jen tehdy, má-li každá skupina alespoň {MIN_GROUP} respondentů. Čím víc se vzorek od "
        "složení obyvatel liší, tím víc se váhy rozcházejí a tím menší je efektivní velikost vzorku.",
        "",
        "**Jak kapitolu spustit.** "
        f"`kpss run --orp \"{orp_name}\" --chapters 06 -p survey_file='\"cesta/odpovedi.csv\"'`, volitelně "
        "`-p codebook_file='\"cesta/kodovnik.yaml\"'` (bez něj se použije šablona, má-li soubor její sloupce, "
        "jinak odpovědi v pořadí četnosti) a `-p strict=True` (soubor s jakoukoli chybou se odmítne; bez něj "
        "se chybné řádky vynechají a vypíšou). Relativní cesta se počítá od složky, ze které byl `kpss run` "
        "spuštěn (v JupyterLabu od složky sešitu).",
    ])


def no_survey_summary() -> dict:
    """The ``potreby`` block of summary.json without a survey: it says so and holds no estimate."""
    return {"survey_given": False, "respondents": None, "effective_n": None, "design_effect": None, "questions": {}}


# --------------------------------------------------------------------------- survey mode


def compute_weighting_table(weighting: WeightingResult) -> pd.DataFrame:
    """Respondents, Kish's effective sample size and design effect, range of the weights (Czech, one row each)."""
    low, high = weighting.weight_range
    rows = [("Počet respondentů", weighting.n, 0), ("Efektivní velikost vzorku (Kish)", weighting.effective_n, 1),
            ("Design efekt vážení (Kish)", weighting.design_effect, 2), ("Nejmenší váha", low, 2),
            ("Největší váha", high, 2), ("Poměr největší / nejmenší váhy", high / low, 1)]
    return pd.DataFrame({"Ukazatel": [r[0] for r in rows], "Hodnota": [float(r[1]) for r in rows]})



def describe_weighting(weighting: WeightingResult, dropped: int) -> str:
    """Markdown: how many respondents, what weighting did and what it cost in precision."""
    parts = [f"Zpracováno **{fmt.number(weighting.n)} respondentů**"
             + (f" ({fmt.number(dropped)} řádků souboru vyřazeno, viz tabulka výše)." if dropped else ".")]
    parts.append(f"Váhy (průměr 1) leží mezi {fmt.number(weighting.weight_range[0], 2)} a "
                 f"{fmt.number(weighting.weight_range[1], 2)}; design efekt vážení je "
                 f"{fmt.number(weighting.design_effect, 2)}, takže přesnost odhadů odpovídá prostému vzorku "
                 f"o **{fmt.number(weighting.effective_n, 1)} respondentech** (efektivní velikost vzorku).")
    if weighting.notes:
        parts.append("Sloučené kategorie: " + " ".join(weighting.notes))
    else:
        parts.append("Žádnou kategorii vážení nebylo třeba slučovat.")
    return " ".join(parts)


def compute_question_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One question's estimates for the plan: suppressed shares and limits empty, the reason in ``Poznámka``.

    ``rows``: the rows of :func:`survey.compute_answer_estimates` for one question.
    """
    rows = rows.sort_values("order")
    notes = np.where(rows["suppressed"], SUPPRESSED_TEXT, np.where(rows["small_base"], SMALL_BASE_TEXT, ""))
    return pd.DataFrame({"Odpověď": rows["answer"].to_numpy(), "Počet odpovědí": rows["n"].to_numpy(),
                         "Vážený podíl (%)": rows["weighted_share"].to_numpy(dtype=float),
                         "95% interval od (%)": rows["ci_low"].to_numpy(dtype=float),
                         "95% interval do (%)": rows["ci_high"].to_numpy(dtype=float), "Poznámka": notes})


def question_caption(rows: pd.DataFrame, orp_name: str) -> str:
    """Caption of one question's table and chart: the question, the ORP, n, effective n and the method."""
    first = rows.iloc[0]
    multi = "; více odpovědí, podíly se mohou sčítat na víc než 100 %" if first["kind"] == "multi" else ""
    flag = f"; {SMALL_BASE_TEXT}" if first["small_base"] else ""
    return (f"{first['question_text']} – SO ORP {orp_name}, odpovědělo {fmt.number(first['base_n'])} respondentů "
            f"(efektivně {fmt.number(first['effective_n'], 1)}); {CAPTION_METHOD}{multi}{flag}")


def compute_group_table(differences: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """65+ vs younger for the plan (from :func:`survey.compute_group_differences`), Czech headers.

    A share suppressed in either group leaves the difference empty and says so in ``Poznámka``.
    """
    suppressed = differences["share_1"].isna() | differences["share_2"].isna()
    significant = np.where(suppressed, "", np.where(differences["significant"], "ano", "ne"))
    return pd.DataFrame({
        "Otázka": differences["question_text"], "Odpověď": differences["answer"],
        f"{first} (%)": differences["share_1"], f"{second} (%)": differences["share_2"],
        "Rozdíl (p. b.)": differences["difference"], "95% interval rozdílu od": differences["diff_low"],
        "95% interval rozdílu do": differences["diff_high"], "Významný rozdíl": significant,
        "Poznámka": np.where(suppressed, f"{SUPPRESSED_TEXT} v některé skupině", "")})



def describe_text_questions(codebook: Codebook, respondents: pd.DataFrame) -> str:
    """Markdown about the free-text questions: how many answered; the answers themselves stay out of the plan."""
    texts = [q for q in codebook.questions.values() if q.kind == "text"]
    if not texts:
        return ""
    listed = "; ".join(f"„{q.text}“ (odpovědělo {fmt.number(int(respondents[q.code].notna().sum()))})" for q in texts)
    return (f"Otevřené otázky se neodhadují: {listed}. Jejich odpovědi se do plánu nepřebírají (mohou prozradit, "
            "kdo odpovídal); analytik je najde v souboru s odpověďmi.")


def describe_group_comparison(groups: pd.Series, group_estimates: pd.DataFrame, codebook: Codebook) -> str:
    """Markdown: the size of both age groups and which questions could be compared."""
    counts = groups.value_counts()
    sizes = " a ".join(f"{label}: {fmt.number(int(counts.get(label, 0)))} respondentů" for label in GROUP_LABELS)
    estimated = [q for q in codebook.questions.values() if q.kind != "text"]
    compared = set(group_estimates["question"]) if not group_estimates.empty else set()
    if not compared:
        return (f"Srovnání seniorů s mladšími se nezobrazuje: {sizes}, ale srovnávat lze jen otázky, na které "
                f"v každé skupině odpovědělo alespoň {MIN_GROUP} respondentů.")
    left_out = [q.text for q in estimated if q.code not in compared]
    text = (f"{sizes}. Srovnány jsou otázky, na které v každé skupině odpovědělo alespoň {MIN_GROUP} "
            "respondentů; rozdíl je významný, pokud jeho 95% interval (Newcombe) nezahrnuje nulu.")
    if left_out:
        text += " Pro malý počet odpovědí ve skupině se nesrovnávají: " + "; ".join(f"„{t}“" for t in left_out) + "."
    return text
