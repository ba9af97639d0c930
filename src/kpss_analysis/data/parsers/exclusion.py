"""Index sociálního vyloučení 2023 (MMR, Agentura pro sociální začleňování): one row per obec.

The workbook gives, for every obec, the population 15+ and 15–64 on 31. 12. 2023, persons in
exekuce (31. 12. 2023), the average monthly number of paid housing allowances (příspěvek na
bydlení, PnB) and material-need allowances (příspěvek na živobytí, PnŽ) in 2023, job seekers
registered for more than 6 months (December 2023), early school leavers (school year 2022/23)
and the index 0–30 with its category.

Traps the parser handles (see the mirror's ``exclusion/PROVENANCE.md``):

* the file's ORP code is never read: Praha has ORP code 0 there and Přemyslovice (589934) sits
  under another ORP than in the 2024 hierarchy — obce are attributed to ORPs by our territory table;
* where an obec has no basic school with ordinary classes, the four school-leaver cells hold a
  long note instead of numbers (the index took the value over from a neighbouring obec): those
  values are missing here and ``school_leavers_taken_over`` is True, so nobody sums them;
* PnB and PnŽ are averages of paid benefits (households, fractional), not persons.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kpss_analysis.errors import DataMissingError, DataValidationError

SHEET = "Index soc. vyloučení 2023"

#: Verbatim column names of the publisher (including its typo "obyvyatel") → our names.
COLUMNS = {
    "Kód obce": "obec_kod",
    "Počet obyvyatel - starších 15 let (k 31. 12. 2023)": "population_15plus",
    "Počet obyvyatel - 15 až 64 let (k 31. 12. 2023)": "population_15_64",
    "Počet osob v exekuci (k 31. 12. 2023)": "exekuce",
    "Počet vyplacených PnB (průměrný měsíc r. 2023)": "pnb",
    "Počet vyplacených PnŽ (průměrný měsíc r. 2023)": "pnz",
    "Počet uchazečů o zaměstnání evidovaných ÚP déle než 6 měsíců (prosinec 2023)": "ltu",
    "Počet předčasných odchodů ze ZŠ - běžné třídy (školní rok 2022/23)": "school_leavers",
    "Celkový počet žáků, kteří ukončili povinnou školní docházku - běžné třídy (školní rok 2022/23)":
        "school_leavers_pupils",
    "% podíl předčasných odchodů ze ZŠ na celkovém počtu předčasných odchodů ze ZŠ - běžné třídy "
    "(školní rok 2022/23)": "school_leavers_share",
    "Předčasné odchody ze ZŠ - běžné třídy - lokalizační kvocient": "school_leavers_lq",
    "Index soc. vyloučení 2023 (0-30 bodů)": "index_score",
    "Index soc. vyloučení 2023 (4 kategorie bodů)": "index_category",
}

#: The file's own shares (%), checked against count ÷ denominator × 100.
SHARE_COLUMNS = {
    "% podíl obyvatel v exekuci (k 31. 12. 2023; vztaženo na obyvatelstvo 15+)": ("exekuce", "population_15plus"),
    "% podíl příjemců PnB (průměrný měsíc r. 2023; vztaženo na obyvatelstvo 15+)": ("pnb", "population_15plus"),
    "% podíl příjemců PnŽ (průměrný měsíc r. 2023; vztaženo na obyvatelstvo 15+)": ("pnz", "population_15plus"),
    "% podíl uchazečů o zaměstnání evidovaných ÚP déle než 6 měsíců (prosinec 2023; vztaženo na obyvatelstvo "
    "15 až 64)": ("ltu", "population_15_64"),
}

INTEGER_COLUMNS = ("population_15plus", "population_15_64", "exekuce", "ltu", "index_score")
FLOAT_COLUMNS = ("pnb", "pnz")
SCHOOL_COLUMNS = ("school_leavers", "school_leavers_share", "school_leavers_pupils", "school_leavers_lq")
#: How the note in a school-leaver cell begins ("the obec has no basic school with ordinary classes").
SCHOOL_NOTE_START = "Daná obec nemá na svém území ZŠ"

#: The publisher's four index categories: label → (lowest, highest score).
INDEX_CATEGORIES = {"0 až 1": (0, 1), "2 až 7": (2, 7), "8 až 11": (8, 11), "12 až 30": (12, 30)}

OUTPUT_COLUMNS = ["obec_kod", "population_15plus", "population_15_64", "exekuce", "pnb", "pnz", "ltu",
                  "school_leavers", "school_leavers_pupils", "school_leavers_share", "school_leavers_taken_over",
                  "index_score", "index_category"]


def _fail(path: Path, column: str, rows: pd.Index, frame: pd.DataFrame, problem: str) -> None:
    """Raise naming the file, sheet, column and the first offending Excel rows with their obec."""
    shown = ", ".join(f"{int(i) + 2} (obec {frame.at[i, 'Kód obce']})" for i in rows[:5])
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    raise DataValidationError(f"{path}, sheet {SHEET!r}, column {column!r}: {problem} in row {shown}{more}.")


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataMissingError(f"Raw file {path} is missing. Run `kpss data fetch` first.")
    try:
        frame = pd.read_excel(path, sheet_name=SHEET, dtype=object, engine="openpyxl")
    except Exception as exc:  # a corrupt file or a missing sheet: say which file
        raise DataValidationError(
            f"Cannot read sheet {SHEET!r} of {path}: {type(exc).__name__}: {str(exc).rstrip('.')}. "
            "The file is corrupt or not the MMR workbook; re-fetch it with `kpss data fetch --force`."
        ) from exc
    missing = [c for c in [*COLUMNS, *SHARE_COLUMNS] if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{path}, sheet {SHEET!r}: missing columns {missing}.")
    return frame


def _numbers(path: Path, frame: pd.DataFrame, column: str, integer: bool) -> pd.Series:
    """A numeric column: every cell a non-negative number (a whole one where ``integer``)."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = frame.index[values.isna() | (values < 0)]
    if len(bad):
        _fail(path, column, bad, frame, "not a non-negative number")
    if integer:
        fractional = frame.index[values != np.round(values)]
        if len(fractional):
            _fail(path, column, fractional, frame, "not a whole number")
        return values.astype("int64")
    return values.astype("float64")


def _school_columns(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """School-leaver columns as floats, NaN where the cell holds the publisher's note."""
    source = {ours: theirs for theirs, ours in COLUMNS.items() if ours in SCHOOL_COLUMNS}
    is_text = pd.DataFrame({ours: frame[theirs].map(lambda v: isinstance(v, str)) for ours, theirs in source.items()})
    mixed = frame.index[is_text.any(axis=1) & ~is_text.all(axis=1)]
    if len(mixed):
        _fail(path, source["school_leavers"], mixed, frame, "some school-leaver cells hold the note, others numbers")
    out = pd.DataFrame(index=frame.index)
    for ours, theirs in source.items():
        text = frame.loc[is_text[ours], theirs]
        unknown = text.index[~text.str.startswith(SCHOOL_NOTE_START)]
        if len(unknown):
            _fail(path, theirs, unknown, frame, f"text that is not the note {SCHOOL_NOTE_START!r}…")
        values = pd.to_numeric(frame[theirs].where(~is_text[ours]), errors="coerce")
        bad = frame.index[~is_text[ours] & (values.isna() | (values < 0))]
        if len(bad):
            _fail(path, theirs, bad, frame, "not a non-negative number")
        out[ours] = values.astype("float64")
    out["school_leavers_taken_over"] = is_text["school_leavers"].astype(bool)
    counted = out["school_leavers"].notna()
    over = frame.index[counted & (out["school_leavers"] > out["school_leavers_pupils"])]
    if len(over):
        _fail(path, source["school_leavers"], over, frame, "more early leavers than pupils")
    return out


def _check_shares(path: Path, frame: pd.DataFrame, out: pd.DataFrame) -> None:
    """The file's own % shares must equal count ÷ denominator × 100 (a sign the columns are the right ones)."""
    for column, (count, denominator) in SHARE_COLUMNS.items():
        share = pd.to_numeric(frame[column], errors="coerce")
        expected = 100 * out[count] / out[denominator].replace(0, np.nan)
        wrong = frame.index[expected.notna() & ~np.isclose(share, expected, rtol=1e-6, atol=1e-9)]
        if len(wrong):
            _fail(path, column, wrong, frame, f"share ≠ {count} ÷ {denominator} × 100")


def _check_consistency(path: Path, frame: pd.DataFrame, out: pd.DataFrame) -> None:
    theirs = {ours: name for name, ours in COLUMNS.items()}
    for part, whole in (("population_15_64", "population_15plus"), ("exekuce", "population_15plus"),
                        ("ltu", "population_15_64")):
        rows = frame.index[out[part] > out[whole]]
        if len(rows):
            _fail(path, theirs[part], rows, frame, f"larger than {theirs[whole]!r}")
    score, category = out["index_score"], out["index_category"]
    unknown = frame.index[~category.isin(list(INDEX_CATEGORIES))]
    if len(unknown):
        _fail(path, theirs["index_category"], unknown, frame, f"category not one of {list(INDEX_CATEGORIES)}")
    low = category.map({k: v[0] for k, v in INDEX_CATEGORIES.items()})
    high = category.map({k: v[1] for k, v in INDEX_CATEGORIES.items()})
    outside = frame.index[(score < low) | (score > high)]
    if len(outside):
        _fail(path, theirs["index_score"], outside, frame, "score outside its category")


def _check_obce(path: Path, out: pd.DataFrame, obce: pd.DataFrame) -> None:
    duplicated = sorted(out.loc[out["obec_kod"].duplicated(), "obec_kod"])
    if duplicated:
        raise DataValidationError(f"{path}, sheet {SHEET!r}, column 'Kód obce': obce appear twice: {duplicated[:5]}.")
    ours, theirs = set(obce["obec_kod"]), set(out["obec_kod"])
    if theirs - ours:
        raise DataValidationError(f"{path}, sheet {SHEET!r}, column 'Kód obce': {len(theirs - ours)} obce are not in "
                                  f"the 2024 hierarchy, e.g. {sorted(theirs - ours)[:5]}.")
    if ours - theirs:
        raise DataValidationError(f"{path}, sheet {SHEET!r}, column 'Kód obce': {len(ours - theirs)} obce of the 2024 "
                                  f"hierarchy are missing, e.g. {sorted(ours - theirs)[:5]}.")


def parse_exclusion(path: Path, obce: pd.DataFrame) -> pd.DataFrame:
    """Parse the Index sociálního vyloučení 2023 workbook into one row per obec.

    Parameters
    ----------
    path
        The MMR workbook (sheet ``"Index soc. vyloučení 2023"``).
    obce
        The processed territory table (``obec_kod`` of the 2024 hierarchy): the file must hold
        exactly these obce.

    Returns
    -------
    DataFrame
        :data:`OUTPUT_COLUMNS`: ``obec_kod`` (str); ``population_15plus``, ``population_15_64``,
        ``exekuce``, ``ltu``, ``index_score`` (int); ``pnb``, ``pnz`` (float, average month);
        ``school_leavers``, ``school_leavers_pupils``, ``school_leavers_share`` (float, NaN where
        taken over); ``school_leavers_taken_over`` (bool); ``index_category`` (str, as in the file).

    Raises
    ------
    DataMissingError
        When the file does not exist.
    DataValidationError
        Naming the file, column and Excel row of the first problem.
    """
    path = Path(path)
    frame = _read(path)
    codes = frame["Kód obce"].astype(str).str.strip()
    bad = frame.index[~codes.str.fullmatch(r"\d{6}")]
    if len(bad):
        _fail(path, "Kód obce", bad, frame, "not a six-digit obec code")
    out = pd.DataFrame({"obec_kod": codes})
    for theirs, ours in COLUMNS.items():
        if ours in INTEGER_COLUMNS or ours in FLOAT_COLUMNS:
            out[ours] = _numbers(path, frame, theirs, integer=ours in INTEGER_COLUMNS)
    out["index_category"] = frame["Index soc. vyloučení 2023 (4 kategorie bodů)"].astype(str).str.strip()
    out = out.join(_school_columns(path, frame))
    _check_consistency(path, frame, out)
    _check_shares(path, frame, out)
    _check_obce(path, out, obce)
    return out[OUTPUT_COLUMNS].sort_values("obec_kod").reset_index(drop=True)
