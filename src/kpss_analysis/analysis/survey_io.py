"""Needs survey input: the respondent file and its codebook, read and validated against the ORP.

A respondent file is what LimeSurvey, Google Forms or MS Forms export, or what someone typed
into Excel: one row per respondent, the required columns ``vek``, ``pohlavi`` and ``obec_kod``
and every other column a question whose cells are the answers (text). Rows are numbered as
the analyst sees them in the file: the header is row 1, the first respondent row 2 (the same
as Excel's row numbers).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from io import StringIO
from pathlib import Path

import pandas as pd
import yaml

from kpss_analysis.analysis.territory import normalize
from kpss_analysis.errors import DataValidationError, ParameterError

REQUIRED_COLUMNS = ("vek", "pohlavi", "obec_kod")
MIN_AGE, MAX_AGE = 15, 110
MEN, WOMEN = "muž", "žena"
MULTI_SEPARATOR = ";"
QUESTION_TYPES = ("single", "multi", "likert", "text")  # text: free answers, printed but not estimated
# Czech spellings an analyst may type in an XLSX codebook.
TYPE_ALIASES = {"single": "single", "jedna": "single", "jednoduchá": "single", "multi": "multi", "více": "multi",
                "vice": "multi", "výběr více": "multi", "likert": "likert", "škála": "likert", "skala": "likert",
                "text": "text", "otevřená": "text", "otevrena": "text"}
# Keys are normalize()d spellings (lower-case ASCII), so "Muž", "MUZ", "M" and "male" all match.
SEX_VARIANTS = {
    "muz": MEN, "m": MEN, "male": MEN, "man": MEN, "muzi": MEN, "muzske": MEN, "muzsky": MEN,
    "zena": WOMEN, "z": WOMEN, "f": WOMEN, "female": WOMEN, "woman": WOMEN, "zeny": WOMEN, "zenske": WOMEN,
    "zensky": WOMEN,
}
TEMPLATE_FILE = "data/survey/dotaznik_verejnost.yaml"
FIRST_DATA_ROW = 2  # header is row 1 in the file and in Excel


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the respondent file; ``row`` is the row number in the file (header = 1)."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}column {self.column!r}: {self.message}"


@dataclass(frozen=True)
class Question:
    """A question of the codebook; ``answers`` in the order to show them (for Likert the scale, negative first).

    ``extra_answers`` are answers found in a respondent file but not listed in the codebook.
    """

    code: str
    text: str
    kind: str = "single"
    answers: tuple[str, ...] = ()
    no_opinion: str | None = None
    section: str = ""
    note: str = ""
    extra_answers: tuple[str, ...] = ()

    @property
    def all_answers(self) -> tuple[str, ...]:
        return self.answers + self.extra_answers + ((self.no_opinion,) if self.no_opinion else ())


@dataclass(frozen=True)
class Codebook:
    """Question texts, answer orders and types; ``respondent_texts`` word the required items in print."""

    questions: dict[str, Question]
    title: str = ""
    intro: str = ""
    respondent_texts: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- codebook


def template_codebook_path() -> Path:
    """Path of the shipped questionnaire template (public, seniors, families with children)."""
    return Path(str(resources.files("kpss_analysis").joinpath(TEMPLATE_FILE)))


def _question(entry: dict, source: str) -> Question:
    if not isinstance(entry, dict):
        raise DataValidationError(f"{source}: each question needs code, text, type and answers, not {entry!r}.")
    code = str(entry.get("code") or "").strip()
    if not code:
        raise DataValidationError(f"{source}: a question without a code: {entry!r}")
    kind = TYPE_ALIASES.get(str(entry.get("type") or "single").strip().lower())
    if kind is None:
        raise DataValidationError(
            f"{source}, question {code!r}: unknown type {entry.get('type')!r}; use one of {', '.join(QUESTION_TYPES)}.")
    answers = entry.get("answers") or []
    if isinstance(answers, str):
        answers = answers.split(MULTI_SEPARATOR)
    answers = tuple(str(a).strip() for a in answers if str(a).strip())
    if len(set(answers)) != len(answers):
        raise DataValidationError(f"{source}, question {code!r}: an answer is listed twice.")
    if kind == "likert" and len(answers) < 2:
        raise DataValidationError(f"{source}, question {code!r}: a Likert question needs its scale in 'answers'.")
    no_opinion = str(entry["no_opinion"]).strip() if entry.get("no_opinion") else None
    return Question(code, str(entry.get("text") or code).strip(), kind, answers, no_opinion,
                    str(entry.get("section") or "").strip(), str(entry.get("note") or "").strip())


def _codebook_entries_xlsx(path: Path) -> list[dict]:
    # Czech column headers of the XLSX codebook → keys of the YAML one.
    columns = {"kod": "code", "otazka": "text", "typ": "type", "odpovedi": "answers", "nevim": "no_opinion",
               "oddil": "section", "poznamka": "note"}
    sheet = pd.read_excel(path, dtype=str).rename(columns=lambda c: normalize(c).replace(" ", "_"))
    unknown = [c for c in ("kod", "otazka") if c not in sheet.columns]
    if unknown:
        raise DataValidationError(
            f"{path.name}: missing column(s) {', '.join(unknown)}; the codebook sheet needs kod, otazka "
            "and optionally typ, odpovedi (separated by ';'), nevim, oddil, poznamka.")
    sheet = sheet.rename(columns=columns)
    sheet = sheet[[c for c in columns.values() if c in sheet.columns]]
    return [{k: v for k, v in row.items() if pd.notna(v)} for row in sheet.to_dict("records")]


def read_codebook(path: str | Path) -> Codebook:
    """Read a codebook from YAML (see the shipped template) or XLSX (columns kod, otazka, typ, odpovedi, ...).

    Raises
    ------
    DataValidationError
        When the file does not describe questions (naming the file and the question).
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"Codebook file {path} does not exist.")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        document = {"questions": _codebook_entries_xlsx(path)}
    else:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except yaml.YAMLError as error:
            raise DataValidationError(f"{path.name}: not valid YAML ({error}).") from error
    if not isinstance(document, dict) or not isinstance(document.get("questions"), list):
        raise DataValidationError(f"{path.name}: a codebook needs a list 'questions'.")
    questions = [_question(entry, path.name) for entry in document["questions"]]
    codes = [q.code for q in questions]
    if len(set(codes)) != len(codes):
        raise DataValidationError(f"{path.name}: question code(s) used twice: "
                                  f"{', '.join(sorted({c for c in codes if codes.count(c) > 1}))}.")
    return Codebook({q.code: q for q in questions}, str(document.get("title") or ""),
                    str(document.get("intro") or ""), dict(document.get("respondent") or {}))


def compute_codebook(respondents: pd.DataFrame, codebook: Codebook | None = None) -> Codebook:
    """The codebook of the questions in ``respondents``: given entries, others categorical by frequency.

    Answers found in the file but missing from a codebook's list become ``extra_answers`` (most
    frequent first), so no answer silently disappears.
    """
    given = codebook.questions if codebook is not None else {}
    questions = {}
    for code in question_columns(respondents):
        question = given.get(code, Question(code, code))
        if question.kind == "text":
            questions[code] = question
            continue
        counts = answer_lists(respondents[code], question.kind).explode().value_counts(sort=False)
        counts = counts.sort_values(ascending=False, kind="stable")
        found = tuple(a for a in counts.index if a not in question.all_answers)
        questions[code] = (replace(question, extra_answers=question.extra_answers + found) if code in given
                           else replace(question, answers=found))
    return replace(codebook, questions=questions) if codebook is not None else Codebook(questions)


def question_columns(respondents: pd.DataFrame) -> list[str]:
    """Question columns of a frame from :func:`read_respondents` (everything but the required ones and ``row``)."""
    return [c for c in respondents.columns if c not in (*REQUIRED_COLUMNS, "row")]


def answer_lists(cells: pd.Series, kind: str) -> pd.Series:
    """Each respondent's answers as a list (multi-choice cells split on ';'); no answer → empty list."""
    def split(cell) -> list[str]:
        if pd.isna(cell):
            return []
        parts = str(cell).split(MULTI_SEPARATOR) if kind == "multi" else [str(cell)]
        return [p.strip() for p in parts if p.strip()]
    return cells.map(split)


# --------------------------------------------------------------------------- respondent file


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        return ";" if header.count(";") > header.count(",") else ","


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise ParameterError(f"Survey file {path} does not exist.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    if suffix not in (".csv", ".txt"):
        raise ParameterError(f"Survey file {path.name}: use CSV (UTF-8, ',' or ';') or XLSX, not {suffix or 'no suffix'}.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataValidationError(
            f"{path.name}: not UTF-8 (byte {error.start}). Export the file as 'CSV UTF-8' or as XLSX.") from error
    if not text.strip():
        raise DataValidationError(f"{path.name}: the file is empty.")
    # Blank lines are kept (and dropped later) so that row numbers stay those of the file.
    return pd.read_csv(StringIO(text), sep=_sniff_delimiter(text), dtype=str, keep_default_na=False,
                       skip_blank_lines=False)


def _rename_required(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """Match required columns forgiving case, diacritics and spaces ('Věk', 'Obec kód')."""
    renames = {}
    for column in table.columns:
        key = normalize(column).replace(" ", "_")
        if key in REQUIRED_COLUMNS and key not in renames.values():
            renames[column] = key
    table = table.rename(columns=renames)
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise DataValidationError(
            f"{name}: missing required column(s) {', '.join(missing)} (row 1, the header). "
            f"Every respondent file needs {', '.join(REQUIRED_COLUMNS)}.")
    return table


def _parse_age(cell: str) -> tuple[int | None, str | None]:
    text = cell.strip().replace(",", ".")
    if not text:
        return None, "age is missing"
    try:
        value = float(text)
    except ValueError:
        return None, f"age {cell!r} is not a number"
    if value != int(value):
        return None, f"age {cell!r} is not a whole number of years"
    if value < MIN_AGE:
        return None, f"age {int(value)} is below {MIN_AGE}; the survey is weighted to the population aged 15+"
    if value > MAX_AGE:
        return None, f"age {int(value)} is above {MAX_AGE}"
    return int(value), None


def _parse_sex(cell: str) -> tuple[str | None, str | None]:
    sex = SEX_VARIANTS.get(normalize(cell))
    if sex is None:
        what = "sex is missing" if not cell.strip() else f"unknown sex {cell!r}"
        return None, f"{what}; use {MEN!r} or {WOMEN!r}"
    return sex, None


class _ObecResolver:
    """Resolve an obec code or name to a code of an obec of the ORP (names by exact form, then unique prefix)."""

    def __init__(self, territory: pd.DataFrame, orp_code: str):
        self.territory = territory.set_index("obec_kod")
        self.orp_code = orp_code
        orp = territory[territory["orp_kod"] == orp_code]
        if orp.empty:
            raise ParameterError(f"ORP code {orp_code!r} is not in the territory table.")
        self.orp_name = orp["orp_nazev"].iloc[0]
        self.orp = orp.assign(key=orp["obec_nazev"].map(normalize))
        self.national = territory.assign(key=territory["obec_nazev"].map(normalize))
        self.cache: dict[str, tuple[str | None, str | None]] = {}

    def __call__(self, cell: str) -> tuple[str | None, str | None]:
        if cell not in self.cache:
            self.cache[cell] = self._resolve(cell.strip())
        return self.cache[cell]

    def _outside(self, code: str) -> str:
        row = self.territory.loc[code]
        return (f"obec {row['obec_nazev']} ({code}) lies outside ORP {self.orp_name}; "
                f"it belongs to ORP {row['orp_nazev']}")

    def _resolve(self, text: str) -> tuple[str | None, str | None]:
        code = re.sub(r"\.0$", "", text)  # Excel may store a code as the number 560286.0
        if not code:
            return None, "obec is missing"
        if code.isdigit():
            if code not in self.territory.index:
                return None, f"unknown obec code {code!r}"
            if self.territory.at[code, "orp_kod"] != self.orp_code:
                return None, self._outside(code)
            return code, None
        key = normalize(text)
        for candidates in (self.orp[self.orp["key"] == key], self.orp[self.orp["key"].str.startswith(key)]):
            if len(candidates) == 1:
                return candidates["obec_kod"].iloc[0], None
            if len(candidates) > 1:
                options = ", ".join(f"{n} ({c})" for n, c in zip(candidates["obec_nazev"], candidates["obec_kod"]))
                return None, f"obec {text!r} is ambiguous: it matches {options}; use the obec code"
        elsewhere = self.national[self.national["key"] == key]
        if len(elsewhere) == 1:
            return None, self._outside(elsewhere["obec_kod"].iloc[0])
        if len(elsewhere) > 1:
            return None, f"obec {text!r} is not in ORP {self.orp_name} (an obec of that name lies elsewhere)"
        return None, f"unknown obec {text!r} in ORP {self.orp_name}"


def read_respondents(path: str | Path, territory: pd.DataFrame, orp_code: str, *,
                     strict: bool = False) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and validate a respondent file (CSV in UTF-8 with ',' or ';', or XLSX) for one ORP.

    Parameters
    ----------
    path
        The respondent file: one row per respondent, columns ``vek``, ``pohlavi``, ``obec_kod``
        (an obec code or name) and one column per question.
    territory
        The territory table (``load_territory()``): obec → ORP.
    orp_code
        ČSÚ code of the ORP the survey was run in.
    strict
        Refuse the whole file when any row is wrong (instead of dropping the bad rows).

    Returns
    -------
    respondents, problems
        One row per valid respondent: ``row`` (row number in the file, header = 1), ``vek`` (int),
        ``pohlavi`` ('muž'/'žena'), ``obec_kod`` (str) and the question columns (text, empty → NA);
        and the problems of the rows that were dropped.

    Raises
    ------
    DataValidationError
        A missing required column, a file without respondents, or with ``strict`` any problem.
    """
    path = Path(path)
    table = _rename_required(_read_table(path), path.name)
    table = table.map(lambda v: "" if pd.isna(v) else str(v).strip())
    table = table[(table != "").any(axis=1)]  # exports often end with blank lines
    if table.empty:
        raise DataValidationError(f"{path.name}: no respondents (only the header).")
    resolve_obec = _ObecResolver(territory, orp_code)
    parsers = {"vek": _parse_age, "pohlavi": _parse_sex, "obec_kod": resolve_obec}
    parsed = {column: [] for column in REQUIRED_COLUMNS}
    problems, bad = [], set()
    for index, row in table.iterrows():
        number = int(index) + FIRST_DATA_ROW
        for column, parse in parsers.items():
            value, message = parse(row[column])
            parsed[column].append(value)
            if message:
                problems.append(Problem(number, column, message))
                bad.add(number)
    if strict and problems:
        listed = "; ".join(map(str, problems[:20])) + ("; …" if len(problems) > 20 else "")
        raise DataValidationError(f"{path.name}: {len(problems)} problem(s) in {len(bad)} row(s): {listed}")
    questions = table.drop(columns=list(REQUIRED_COLUMNS)).replace("", pd.NA)
    respondents = pd.DataFrame({"row": table.index.astype(int) + FIRST_DATA_ROW, **parsed}, index=table.index)
    respondents = pd.concat([respondents, questions], axis=1)
    respondents = respondents[~respondents["row"].isin(bad)].reset_index(drop=True)
    if respondents.empty:
        raise DataValidationError(f"{path.name}: no valid respondent; " + "; ".join(map(str, problems[:20])))
    return respondents.astype({"vek": "int64", "obec_kod": "str", "pohlavi": "str"}), problems


def compute_problem_table(problems: list[Problem]) -> pd.DataFrame:
    """The dropped rows as a table with Czech headers (row in the file, column, what is wrong)."""
    return pd.DataFrame([(p.row, p.column, p.message) for p in problems],
                        columns=["Řádek v souboru", "Sloupec", "Problém"])
