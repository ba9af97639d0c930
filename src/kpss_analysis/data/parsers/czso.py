"""Parsers of the ČSÚ files: territorial code lists, age structure, population totals, census, MOS,
projection.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kpss_analysis.data.checks import check, numeric, raw_path, reading
from kpss_analysis.data.registry import POPULATION_YEARS, get_dataset
from kpss_analysis.data.tables import N_KRAJ, N_OBCE, N_OKRES, N_ORP
from kpss_analysis.fmt import normalize

#: Population of ČR on 31. 12. 2020 as published by ČSÚ ("Obyvatelstvo – roční časové řady").
#: A check on the parsed age structure, never an output.
NATIONAL_POPULATION_2020_12_31 = 10_701_777


CENSUS_COLUMNS = {
    "poc_obyv_SLDB_2021": "population",
    "poc_muzu": "men",
    "poc_zen": "women",
    "poc_obyv_0_14": "age_0_14",
    "poc_obyv_15_64": "age_15_64",
    "poc_obyv_nad_65": "age_65plus",
    "prum_vek": "mean_age",
    "bez_vzdelani": "edu_none",
    "zakladni_vzdelani": "edu_basic",
    "stredni_vzdelani": "edu_secondary",
    "stredni_vzd_s_maturitou": "edu_secondary_maturita",
    "vyssi_odborne_vzd": "edu_tertiary_professional",
    "vysokoskolske_vzd": "edu_university",
    "vzdelani_nezjisteno": "edu_unknown",
    "svobodni": "marital_single",
    "zenati_vdane": "marital_married",
    "rozvedeni": "marital_divorced",
    "ovdoveli": "marital_widowed",
    "reg_partnerstvi": "marital_partnership",
    "reg_part_zanikle": "marital_partnership_ended",
    "reg_part_zanikle_umrtim": "marital_partnership_ended_death",
    "stav_nezjisteno": "marital_unknown",
}


EDUCATION_COLUMNS = [v for v in CENSUS_COLUMNS.values() if v.startswith("edu_")]


MARITAL_COLUMNS = [v for v in CENSUS_COLUMNS.values() if v.startswith("marital_")]


def _read_vazba(path: Path) -> pd.DataFrame:
    """Read a ČSÚ code-list link (vazba) export: chodnota1/text1 → chodnota2/text2."""
    with reading(path):
        frame = pd.read_csv(path, dtype=str, encoding="utf-8")
        missing = {"chodnota1", "text1", "chodnota2", "text2"} - set(frame.columns)
        check(not missing, path, f"not a ČSÚ vazba export, missing columns {sorted(missing)}")
        return frame[["chodnota1", "text1", "chodnota2", "text2"]].apply(lambda s: s.str.strip())


def _read_ciselnik(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read a ČSÚ číselník export from iSMS (cp1250, ``;``), without the Extra-Regio row."""
    with reading(path):
        frame = pd.read_csv(path, dtype=str, sep=";", encoding="cp1250")
        missing = set(columns) - set(frame.columns)
        check(not missing, path, f"not a ČSÚ číselník export, missing columns {sorted(missing)}")
        return frame.loc[frame["TEXT"] != "Extra-Regio", columns]


def parse_territory(raw: Path) -> pd.DataFrame:
    """Territorial hierarchy obec → SO ORP → okres → kraj from the ČSÚ code lists.

    Returns one row per obec with ČSÚ codes, RÚIAN codes, LAU/NUTS codes and names.
    """
    files = [raw / f.path for f in get_dataset("territory").files]
    p_orp_obec, p_obec_okres, p_kraj_orp, p_cis100, p_cis101, p_orp_ruian = files

    orp_obec = _read_vazba(p_orp_obec).rename(
        columns={"chodnota1": "orp_kod", "text1": "orp_nazev", "chodnota2": "obec_kod", "text2": "obec_nazev"}
    )
    obec_okres = _read_vazba(p_obec_okres).rename(
        columns={"chodnota1": "obec_kod", "chodnota2": "okres_kod", "text2": "okres_nazev"}
    )[["obec_kod", "okres_kod", "okres_nazev"]]
    kraj_orp = _read_vazba(p_kraj_orp).rename(
        columns={"chodnota1": "kraj_nuts", "text1": "kraj_nazev", "chodnota2": "orp_kod"}
    )[["kraj_nuts", "kraj_nazev", "orp_kod"]]
    kraje = _read_ciselnik(p_cis100, ["CHODNOTA", "CZNUTS", "KOD_RUIAN"]).rename(
        columns={"CHODNOTA": "kraj_kod", "CZNUTS": "kraj_nuts", "KOD_RUIAN": "kraj_ruian"}
    )
    okresy = _read_ciselnik(p_cis101, ["CHODNOTA", "OKRES_LAU", "KOD_RUIAN"]).rename(
        columns={"CHODNOTA": "okres_kod", "OKRES_LAU": "okres_lau", "KOD_RUIAN": "okres_ruian"}
    )
    with reading(p_orp_ruian):
        orp_ruian = pd.read_csv(p_orp_ruian, sep=";", dtype=str, encoding="utf-8-sig")
        orp_ruian = orp_ruian.rename(
            columns={"Kód": "orp_ruian", "Název ORP": "ruian_nazev", "Kód Kraje (VÚSC)": "kraj_ruian"}
        )[["orp_ruian", "ruian_nazev", "kraj_ruian"]]

    check(orp_obec["obec_kod"].is_unique, p_orp_obec, "an obec is linked to more than one ORP")
    check(len(orp_obec) == N_OBCE, p_orp_obec, f"expected {N_OBCE} obce, found {len(orp_obec)}")
    check(kraj_orp["orp_kod"].is_unique, p_kraj_orp, "an ORP is linked to more than one kraj")

    frame = (
        orp_obec.merge(obec_okres, on="obec_kod", how="left", validate="one_to_one")
        .merge(kraj_orp, on="orp_kod", how="left", validate="many_to_one")
        .merge(kraje, on="kraj_nuts", how="left", validate="many_to_one")
        .merge(okresy, on="okres_kod", how="left", validate="many_to_one")
    )
    for column, source in [("okres_kod", p_obec_okres), ("kraj_nuts", p_kraj_orp),
                           ("kraj_kod", p_cis100), ("okres_lau", p_cis101)]:
        missing = frame.loc[frame[column].isna(), "obec_kod"]
        check(missing.empty, source, f"{len(missing)} obce without {column} (e.g. {list(missing[:3])})")
    # The okres LAU code starts with its kraj's NUTS3 code: an independent check of ORP → kraj.
    mismatch = frame[frame["okres_lau"].str[:5] != frame["kraj_nuts"]]
    check(mismatch.empty, p_kraj_orp,
           f"kraj via ORP differs from kraj via okres for obce {list(mismatch['obec_kod'][:5])}")

    orp_ruian = _match_orp_ruian(frame, orp_ruian, p_orp_ruian)
    frame = frame.merge(orp_ruian, on="orp_kod", how="left", validate="many_to_one")

    counts = {c: frame[c].nunique() for c in ("obec_kod", "orp_kod", "okres_kod", "kraj_kod")}
    expected = {"obec_kod": N_OBCE, "orp_kod": N_ORP, "okres_kod": N_OKRES, "kraj_kod": N_KRAJ}
    check(counts == expected, p_orp_obec, f"territorial counts {counts}, expected {expected}")
    columns = ["obec_kod", "obec_nazev", "orp_kod", "orp_ruian", "orp_nazev", "okres_kod", "okres_lau",
               "okres_ruian", "okres_nazev", "kraj_kod", "kraj_nuts", "kraj_ruian", "kraj_nazev"]
    return frame[columns].sort_values("obec_kod").reset_index(drop=True)


def _match_orp_ruian(frame: pd.DataFrame, orp_ruian: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Attach RÚIAN ORP codes by (kraj, name); a kraj's single leftover pair is the same ORP.

    RÚIAN spells the capital "Hlavní město Praha" where ČSÚ says "Praha"; within a kraj a
    lone unmatched ORP on each side can only be the same one.
    """
    orps = frame[["orp_kod", "orp_nazev", "kraj_ruian"]].drop_duplicates("orp_kod")
    orps = orps.assign(key=orps["orp_nazev"].map(normalize))
    ruian = orp_ruian.assign(key=orp_ruian["ruian_nazev"].map(normalize))
    matched = orps.merge(ruian[["orp_ruian", "kraj_ruian", "key"]], on=["kraj_ruian", "key"], how="left")
    leftovers = matched[matched["orp_ruian"].isna()]
    for kraj, group in leftovers.groupby("kraj_ruian"):
        free = ruian[(ruian["kraj_ruian"] == kraj) & ~ruian["orp_ruian"].isin(matched["orp_ruian"])]
        if len(group) == 1 and len(free) == 1:
            matched.loc[group.index, "orp_ruian"] = free["orp_ruian"].iloc[0]
    unmatched = matched.loc[matched["orp_ruian"].isna(), "orp_nazev"].tolist()
    check(not unmatched, path, f"no RÚIAN code found for ORP {unmatched}")
    check(matched["orp_ruian"].is_unique, path, "two ORP matched the same RÚIAN code")
    return matched[["orp_kod", "orp_ruian"]]


#: Sex as the ČSÚ files write it → our codes (the projection orders them as ``projection.SEXES``).
SEX_CODES = {"muži": "M", "ženy": "F"}
AGE5_STARTS = list(range(0, 90, 5))  # 0, 5, …, 85 (85 = 85+)


def _age5_label_start(label: object) -> int | None:
    """'0-4' → 0, '85+' → 85; anything else → None."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*\d+|\+)\s*", str(label))
    return int(match.group(1)) if match else None


def _read_age_sheet(path: Path) -> pd.DataFrame:
    with reading(path):
        sheet = pd.read_excel(path, header=None, dtype=object)
        header = [str(v).strip() for v in sheet.iloc[0]]
        check(header[:6] == ["POH", "ZUJ", "Obec", "Okres", "Kraj", "Celkem"], path,
               f"unexpected header {header[:6]}, expected POH, ZUJ, Obec, Okres, Kraj, Celkem")
        body = sheet.iloc[1:].reset_index(drop=True)
        body.columns = range(body.shape[1])
        check(set(body[0]) <= {"celkem", *SEX_CODES}, path, f"unexpected values in POH: {set(body[0]) - {'celkem', *SEX_CODES}}")
        return header, body


def _age5_block(header: list[str], body: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The 18 five-year columns (the last 0-4 … 85+ run in the sheet)."""
    positions = [i for i, h in enumerate(header) if _age5_label_start(h) is not None and ("-" in h or h.startswith("85+"))]
    starts = [_age5_label_start(header[i]) for i in positions][-len(AGE5_STARTS):]
    positions = positions[-len(AGE5_STARTS):]
    check(starts == AGE5_STARTS, path, f"five-year age columns {starts}, expected {AGE5_STARTS}")
    block = body[positions].apply(pd.to_numeric, errors="raise").astype("int64")
    block.columns = AGE5_STARTS
    return block


def _single_year_block(header: list[str], body: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Single years 0 … 84 followed by 85+ (only in the sheet of obce with 1 000+ inhabitants)."""
    start = header.index("0")
    labels = header[start:start + 86]
    check(labels == [str(a) for a in range(85)] + ["85+"], path, "single-year columns 0 … 84, 85+ not found")
    block = body[list(range(start, start + 86))].apply(pd.to_numeric, errors="raise").astype("int64")
    block.columns = list(range(86))
    return block


def _long(body: pd.DataFrame, block: pd.DataFrame, age_name: str) -> pd.DataFrame:
    wide = block.assign(obec_kod=body[1].astype(str).str.strip(), pohlavi=body[0])
    wide = wide[wide["pohlavi"].isin(SEX_CODES)]
    out = wide.melt(id_vars=["obec_kod", "pohlavi"], var_name=age_name, value_name="population")
    out["sex"] = out.pop("pohlavi").map(SEX_CODES)
    return out[["obec_kod", "sex", age_name, "population"]]


def _parse_age_sheet(path: Path, has_single_years: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Validate one age sheet; return its five-year and (where published) single-year tables."""
    single_years = None
    header, body = _read_age_sheet(path)
    block5 = _age5_block(header, body, path)
    totals = pd.to_numeric(body[5], errors="raise").astype("int64")
    bad = body.loc[block5.sum(axis=1) != totals, 1]
    check(bad.empty, path, f"age groups do not sum to Celkem for obce {list(bad[:5])}")
    if has_single_years:
        block1 = _single_year_block(header, body, path)
        regrouped = block1.T.groupby(lambda age: min(age // 5 * 5, 85)).sum().T
        bad = body.loc[(regrouped != block5).any(axis=1), 1]
        check(bad.empty, path, f"single years do not add up to the five-year groups for obce {list(bad[:5])}")
        single_years = _long(body, block1, "age")
    # muži + ženy = celkem, row by row
    by_sex = totals.groupby([body[1].astype(str), body[0]]).sum().unstack()
    bad = by_sex.index[by_sex["muži"] + by_sex["ženy"] != by_sex["celkem"]]
    check(bad.empty, path, f"muži + ženy ≠ celkem for obce {list(bad[:5])}")
    return _long(body, block5, "age_start"), single_years


def parse_age_structure(raw: Path, territory: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Population by obec × sex × age on 31. 12. 2020 from the two ČSÚ sheets.

    Returns ``(age5, age1)``: five-year groups for all obce, and single years for the obce
    with at least 1 000 inhabitants (the only ones ČSÚ publishes by single year).
    """
    p_small, p_large = (raw / f.path for f in get_dataset("age_structure").files)
    frames5, frames1 = [], []
    for path, has_single_years in [(p_small, False), (p_large, True)]:
        with reading(path):
            five_year, single_years = _parse_age_sheet(path, has_single_years)
        frames5.append(five_year)
        frames1 += [single_years] if single_years is not None else []
    age5 = pd.concat(frames5, ignore_index=True)
    age1 = pd.concat(frames1, ignore_index=True)
    codes = set(age5["obec_kod"])
    missing, extra = set(territory["obec_kod"]) - codes, codes - set(territory["obec_kod"])
    check(not missing and not extra, p_small,
           f"obce differ from the code list: missing {sorted(missing)[:5]}, unknown {sorted(extra)[:5]}")
    check(len(age5) == N_OBCE * 2 * len(AGE5_STARTS), p_small, "an obec appears in both sheets or twice")
    total = int(age5["population"].sum())
    check(total == NATIONAL_POPULATION_2020_12_31, p_small,
           f"national total {total:,} differs from the published {NATIONAL_POPULATION_2020_12_31:,}")
    for frame in (age5, age1):
        frame["population"] = frame["population"].astype("int64")
    return age5.sort_values(["obec_kod", "sex", "age_start"]).reset_index(drop=True), \
        age1.sort_values(["obec_kod", "sex", "age"]).reset_index(drop=True)


def _parse_population_year(path: Path, year: int) -> pd.DataFrame:
    """One "Počet obyvatel v obcích k 1. 1." workbook: obec rows only (okres headings dropped)."""
    with reading(path):
        sheet = pd.read_excel(path, header=None, dtype=object)
        title = " ".join(str(v) for v in sheet.iloc[:3, 0].dropna())
        check(str(year) in title, path, f"title {title[:80]!r} does not name the year {year}")
        codes = sheet[1].astype(str).str.strip()
        rows = sheet[sheet[0].astype(str).str.fullmatch(r"CZ[0-9A-C]{3,4}") & codes.str.fullmatch(r"\d{6}")]
        check(len(rows) > 6000, path, f"only {len(rows)} obec rows found")
        rows = numeric(rows, [3, 4, 5, 6], path, first_row=1)
        check(rows[[3, 4, 5]].notna().all().all(), path, "an obec row has an empty population cell")
        out = pd.DataFrame({
            "year": year,
            "obec_kod": rows[1].astype(str).str.strip(),
            "total": rows[3].astype("int64"),
            "men": rows[4].astype("int64"),
            "women": rows[5].astype("int64"),
            "mean_age": rows[6].astype("float64"),
        })
        bad = out.loc[out["men"] + out["women"] != out["total"], "obec_kod"]
        check(bad.empty, path, f"muži + ženy ≠ celkem for obce {list(bad[:5])}")
        check(out["obec_kod"].is_unique, path, "an obec appears twice")
        return out


def parse_population_totals(raw: Path, territory: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Population of every obec on 1 January of each year (ČSÚ yearly workbooks).

    Returns the long table and, per year, the number and population of obec codes that do
    not exist in today's code list (e.g. the former military area Brdy); they count in the
    national total but belong to no ORP.
    """
    frames = []
    for raw_file, year in zip(get_dataset("population_totals").files, POPULATION_YEARS, strict=True):
        frames.append(_parse_population_year(raw / raw_file.path, year))
    totals = pd.concat(frames, ignore_index=True)
    # 1. 1. 2021 is the day after 31. 12. 2020, whose published national total the age structure checks too.
    year_2021 = int(totals.loc[totals["year"] == 2021, "total"].sum())
    path_2021 = raw / get_dataset("population_totals").files[POPULATION_YEARS.index(2021)].path
    check(year_2021 == NATIONAL_POPULATION_2020_12_31, path_2021,
          f"the obce sum to {year_2021:,} people, the published national total is {NATIONAL_POPULATION_2020_12_31:,}")
    unassigned = totals[~totals["obec_kod"].isin(territory["obec_kod"])]
    report = {
        str(year): {"obce": int(len(g)), "population": int(g["total"].sum())}
        for year, g in unassigned.groupby("year")
    }
    return totals, report


def parse_census(raw: Path, territory: pd.DataFrame) -> pd.DataFrame:
    """SLDB 2021 ORP attributes, keyed by the ČSÚ ORP code."""
    path = raw_path(raw, "census_orp")
    with reading(path):
        frame = pd.read_csv(path, dtype={"kod": str})
        missing = set(CENSUS_COLUMNS) | {"kod"}
        missing -= set(frame.columns)
        check(not missing, path, f"missing census columns {sorted(missing)}")
    frame = numeric(frame, list(CENSUS_COLUMNS), path, first_row=2)
    crosswalk = territory[["orp_kod", "orp_ruian"]].drop_duplicates()
    out = frame.rename(columns={"kod": "orp_ruian", **CENSUS_COLUMNS})
    out = crosswalk.merge(out[["orp_ruian", *CENSUS_COLUMNS.values()]], on="orp_ruian", how="left")
    check(out["population"].notna().all(), path,
           f"no census row for ORP {list(out.loc[out['population'].isna(), 'orp_kod'])}")
    adults = out["population"] - out["age_0_14"]
    check((out[EDUCATION_COLUMNS].sum(axis=1) == adults).all(), path, "education does not sum to population 15+")
    check((out[MARITAL_COLUMNS].sum(axis=1) == out["population"]).all(), path, "marital status does not sum to population")
    check((out[["age_0_14", "age_15_64", "age_65plus"]].sum(axis=1) == out["population"]).all(), path,
           "age groups do not sum to population")
    return out.drop(columns="orp_ruian").sort_values("orp_kod").reset_index(drop=True)


def parse_mos(raw: Path, territory: pd.DataFrame) -> pd.DataFrame:
    """MOS 2024 indicators per obec (migration balance, natural increase, unemployment share)."""
    path = raw_path(raw, "mos")
    columns = {
        "kod_obce": "obec_kod", "population": "population_mos",
        "migration_balance_per_1000": "migration_balance_per_1000",
        "natural_increase": "natural_increase", "unemployment_rate": "unemployment_share",
    }
    with reading(path):
        frame = pd.read_csv(path, dtype={"kod_obce": str}, encoding="utf-8-sig")
        missing = set(columns) - set(frame.columns)
        check(not missing, path, f"missing columns {sorted(missing)}")
    frame = numeric(frame, [c for c in columns if c != "kod_obce"], path, first_row=2)
    out = frame[list(columns)].rename(columns=columns)
    unknown = set(out["obec_kod"]) - set(territory["obec_kod"])
    check(not unknown, path, f"obec codes not in the code list: {sorted(unknown)[:5]}")
    check(out["obec_kod"].is_unique and len(out) == N_OBCE, path, f"expected {N_OBCE} unique obce, found {len(out)}")
    return out.sort_values("obec_kod").reset_index(drop=True)


def parse_projection(raw: Path) -> pd.DataFrame:
    """ČSÚ national projection (middle variant): 1 January × single age (100 = 100+) × sex."""
    path = raw_path(raw, "projection")
    with reading(path):
        frame = pd.read_csv(path)
        missing = {"rok_k_1_1", "vek", "muzi", "zeny", "celkem"} - set(frame.columns)
        check(not missing, path, f"missing columns {sorted(missing)}")
    check((frame["muzi"] + frame["zeny"] == frame["celkem"]).all(), path, "muži + ženy ≠ celkem")
    check((frame.groupby("rok_k_1_1")["vek"].apply(lambda v: sorted(v) == list(range(101)))).all(), path,
           "every year must have ages 0 … 100")
    out = frame.melt(id_vars=["rok_k_1_1", "vek"], value_vars=["muzi", "zeny"], var_name="sex", value_name="population")
    out = out.rename(columns={"rok_k_1_1": "year", "vek": "age"})
    out["sex"] = out["sex"].map({"muzi": "M", "zeny": "F"})
    out["population"] = out["population"].astype("int64")
    return out.sort_values(["year", "sex", "age"]).reset_index(drop=True)


def parse_age1_okres(path: Path, territory: pd.DataFrame) -> pd.DataFrame:
    """Single years of age (0 … 100 = 100+), both sexes, for ČR, kraje and okresy (31. 12. 2020 or 2019).

    Units keep their NUTS/LAU codes (``CZ0`` = ČR, ``CZ0xx`` kraje, ``CZ0xxx`` okresy in their
    boundaries before 1. 1. 2021). The okresy and the kraje must each add up to ČR at every age.
    The 2020 edition is a wide table (a column per unit), the 2019 edition a long one (``ORP;Pocet;Vek``).
    """
    with reading(path):
        frame = pd.read_csv(path, sep=";")
        if {"ORP", "Pocet", "Vek"} <= set(frame.columns):  # the 2019 edition is a long table
            frame = (frame.pivot(index="Vek", columns="ORP", values="Pocet")
                     .rename_axis(index="vek", columns=None).reset_index())
        check("vek" in frame.columns and "CZ0" in frame.columns, path, "expected columns 'vek' and 'CZ0'")
        check(frame["vek"].tolist() == list(range(101)), path, "rows must be the ages 0 … 100")
        values = frame.set_index("vek").astype("int64")
    okresy = sorted(set(territory["okres_lau"]))
    kraje = sorted(set(territory["kraj_nuts"]))
    missing = sorted(set(okresy + kraje) - set(values.columns))
    check(not missing, path, f"units missing: {missing[:5]}")
    for level, codes in (("okresy", okresy), ("kraje", kraje)):
        check((values[codes].sum(axis=1) == values["CZ0"]).all(), path, f"{level} do not add up to ČR at every age")
    out = values[["CZ0", *kraje, *okresy]].rename_axis(columns="unit").stack().rename("population").reset_index()
    return out.rename(columns={"vek": "age"})[["unit", "age", "population"]]
