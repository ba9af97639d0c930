"""Demographic indicators of territories: pure functions, frames in, frames out.

Definitions (as ČSÚ uses them)
-----------------------------
* index stáří = obyvatelé 65+ / obyvatelé 0–14 × 100
* index ekonomického zatížení (celkový) = (0–14 + 65+) / 15–64 × 100, with its dětská
  (0–14 / 15–64 × 100) and senior (65+ / 15–64 × 100) parts
* shares are in percent of the total population.

Territory levels are ``"obec"``, ``"orp"``, ``"okres"``, ``"kraj"`` and ``"cr"`` (the whole
country, unit code ``"CZ"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpss_analysis import fmt, memo
from kpss_analysis.analysis.territory import Orp

CR_CODE = "CZ"
CR_NAME = "Česko"
LEVEL_KEYS = {"obec": "obec_kod", "orp": "orp_kod", "okres": "okres_kod", "kraj": "kraj_kod"}

#: Broad age groups: (first age, last age or None for open-ended).
AGE_BANDS = {"0_14": (0, 14), "15_64": (15, 64), "65plus": (65, None), "80plus": (80, None)}

#: Czech labels of the indicators, in the order of the key-figures table.
INDICATOR_LABELS = {
    "population": "Počet obyvatel",
    "men": "Muži",
    "women": "Ženy",
    "age_0_14": "0–14 let",
    "age_15_64": "15–64 let",
    "age_65plus": "65 a více let",
    "age_80plus": "80 a více let",
    "share_0_14": "Podíl 0–14 let (%)",
    "share_15_64": "Podíl 15–64 let (%)",
    "share_65plus": "Podíl 65+ let (%)",
    "share_80plus": "Podíl 80+ let (%)",
    "ageing_index": "Index stáří (65+ / 0–14 × 100)",
    "dependency_total": "Index ekonomického zatížení ((0–14 + 65+) / 15–64 × 100)",
    "dependency_young": "– dětská složka (0–14 / 15–64 × 100)",
    "dependency_old": "– seniorská složka (65+ / 15–64 × 100)",
}


def age_group_label(age_start: int, width: int = 5, last: int = 85) -> str:
    """5 → '5–9', 85 → '85+' (en dash, as in Czech typography)."""
    return f"{age_start}+" if age_start >= last else f"{age_start}–{age_start + width - 1}"


def _unit_key(frame: pd.DataFrame, territory: pd.DataFrame, level: str) -> pd.Series:
    if level == "cr":
        return pd.Series(CR_CODE, index=frame.index, name="unit")
    if level == "obec":
        return frame["obec_kod"].where(frame["obec_kod"].isin(territory["obec_kod"])).rename("unit")
    if level not in LEVEL_KEYS:
        raise ValueError(f"unknown level {level!r}; choose obec, orp, okres, kraj or cr")
    mapping = territory.set_index("obec_kod")[LEVEL_KEYS[level]]
    # Map the few thousand distinct codes, not every row: 4× faster than Series.map on the ~225 000 rows of age5.
    positions, codes = pd.factorize(frame["obec_kod"], use_na_sentinel=False)  # a missing code maps to NaN
    return pd.Series(pd.Index(codes).map(mapping).take(positions), index=frame.index, name="unit")


def aggregate_by_unit(frame: pd.DataFrame, territory: pd.DataFrame, level: str,
                      by: list[str], value: str = "population") -> pd.DataFrame:
    """Sum ``value`` of an obec-level frame to ``level`` units, keeping the ``by`` columns.

    Obce that are not in ``territory`` (e.g. ones abolished before 2016) drop out of every
    level except ``"cr"``.
    """
    unit = _unit_key(frame, territory, level)
    keep = unit.notna()
    return frame[keep].groupby([unit[keep], *[frame.loc[keep, c] for c in by]])[value].sum().reset_index()


def _add_ratios(out: pd.DataFrame) -> None:
    """Index stáří and the dependency ratios from the broad groups (ČSÚ definitions, module docstring)."""
    out["ageing_index"] = 100 * out["age_65plus"] / out["age_0_14"].replace(0, np.nan)
    working = out["age_15_64"].replace(0, np.nan)
    out["dependency_young"] = 100 * out["age_0_14"] / working
    out["dependency_old"] = 100 * out["age_65plus"] / working
    out["dependency_total"] = out["dependency_young"] + out["dependency_old"]
    out.index.name = "unit"


@memo.by_content(maxsize=8)  # every chapter asks for the national table of some levels again
def compute_indicators(age5: pd.DataFrame, territory: pd.DataFrame, level: str) -> pd.DataFrame:
    """Population, sex, broad age groups, shares, index stáří and dependency per unit (kept per process).

    Parameters
    ----------
    age5
        Population by ``obec_kod`` × ``sex`` × ``age_start`` (five-year groups, 85 = 85+).
    territory
        The obec → ORP → okres → kraj table.
    level
        Unit level of the result.

    Returns
    -------
    DataFrame indexed by unit code with the columns of :data:`INDICATOR_LABELS`.
    """
    by_unit = aggregate_by_unit(age5, territory, level, by=["sex", "age_start"])
    table = by_unit.pivot_table(index="unit", columns="age_start", values="population", aggfunc="sum", fill_value=0)
    sex = by_unit.pivot_table(index="unit", columns="sex", values="population", aggfunc="sum", fill_value=0)
    out = pd.DataFrame(index=table.index)
    out["population"] = table.sum(axis=1)
    out["men"] = sex.get("M", 0)
    out["women"] = sex.get("F", 0)
    ages = table.columns.to_numpy()
    for band, (low, high) in AGE_BANDS.items():
        mask = (ages >= low) & (ages <= (high if high is not None else np.inf))
        out[f"age_{band}"] = table.loc[:, mask].sum(axis=1)
    for band in AGE_BANDS:
        out[f"share_{band}"] = 100 * out[f"age_{band}"] / out["population"]
    _add_ratios(out)
    return out[list(INDICATOR_LABELS)]


def comparison_units(orp: Orp) -> list[tuple[str, str, str]]:
    """``(level, code, column label)`` of the ORP, its kraj and ČR, in table order."""
    return [("orp", orp.code, f"SO ORP {orp.name}"), ("kraj", orp.kraj_code, orp.kraj_name), ("cr", CR_CODE, CR_NAME)]


#: Indicators that need only the three broad groups 0–14 / 15–64 / 65+: these come from 31. 12. 2023 where the
#: derived structure is given (``age_2023``); population, sex and 80+ stay on the five-year structure of 2020.
BROAD_KEYS = ("age_0_14", "age_15_64", "age_65plus", "share_0_14", "share_15_64", "share_65plus", "ageing_index",
              "dependency_young", "dependency_old", "dependency_total")
AGE5_DATE, AGE_2023_DATE = "2020-12-31", "2023-12-31"


def compute_broad_indicators(age_2023: pd.DataFrame, territory: pd.DataFrame, level: str) -> pd.DataFrame:
    """The :data:`BROAD_KEYS` (and ``total``) per unit from the long table of the three broad groups.

    Parameters
    ----------
    age_2023
        ``obec_kod``, ``age_group`` (``0_14``, ``15_64``, ``65plus``), ``population``
        (:func:`kpss_analysis.data.load.load_age_2023`).
    """
    by_unit = aggregate_by_unit(age_2023, territory, level, by=["age_group"])
    wide = by_unit.pivot_table(index="unit", columns="age_group", values="population", aggfunc="sum", fill_value=0)
    groups = ["0_14", "15_64", "65plus"]
    out = pd.DataFrame(index=wide.index)
    out["total"] = wide[groups].sum(axis=1)
    for group in groups:
        out[f"age_{group}"] = wide[group]
        out[f"share_{group}"] = 100 * wide[group] / out["total"]
    _add_ratios(out)
    return out[["total", *BROAD_KEYS]]


def compute_unit_indicators(age5: pd.DataFrame, territory: pd.DataFrame, level: str,
                            age_2023: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`compute_indicators` with the :data:`BROAD_KEYS` of 31. 12. 2023 when ``age_2023`` is given."""
    indicators = compute_indicators(age5, territory, level)
    if age_2023 is not None:
        broad = compute_broad_indicators(age_2023, territory, level)
        indicators[list(BROAD_KEYS)] = broad[list(BROAD_KEYS)].reindex(indicators.index)
    return indicators


def compute_key_figures(age5: pd.DataFrame, totals: pd.DataFrame, territory: pd.DataFrame, orp: Orp,
                        age_2023: pd.DataFrame | None = None) -> pd.DataFrame:
    """Key figures of the ORP beside its kraj and ČR, one row per indicator.

    The broad age groups, their shares, index stáří and the dependency ratios refer to 31. 12. 2023 when
    ``age_2023`` is given, else to 31. 12. 2020 like the population by sex and 80+ (the five-year structure); the
    first row gives the latest total from the yearly series (1. 1. of its last year), the last the number of obce.

    Returns
    -------
    DataFrame with columns ``key``, ``ukazatel`` (Czech label with the date), ``date`` (ISO date the row refers to)
    and one column per unit.
    """
    latest_year = int(totals["year"].max())
    latest = totals[totals["year"] == latest_year]
    columns = {}
    for level, code, label in comparison_units(orp):
        indicators = compute_unit_indicators(age5, territory, level, age_2023).loc[code]
        total_latest = aggregate_by_unit(latest, territory, level, by=[], value="total")
        total_latest = total_latest.set_index("unit")["total"].get(code, np.nan)
        n_obce = len(territory) if level == "cr" else int((territory[LEVEL_KEYS[level]] == code).sum())
        columns[label] = pd.concat([
            pd.Series({f"population_{latest_year}": total_latest}),
            indicators,
            pd.Series({"n_obce": n_obce}),
        ])
    table = pd.DataFrame(columns)
    dates = {key: (AGE_2023_DATE if age_2023 is not None and key in BROAD_KEYS else AGE5_DATE)
             for key in INDICATOR_LABELS}
    dates.update({f"population_{latest_year}": f"{latest_year}-01-01", "n_obce": f"{latest_year}-01-01"})
    labels = {f"population_{latest_year}": f"Počet obyvatel k 1. 1. {latest_year}",
              **{k: f"{v} k {fmt.date(dates[k])}" if k == "population" or age_2023 is not None else v
                 for k, v in INDICATOR_LABELS.items()},
              "n_obce": "Počet obcí"}
    table.insert(0, "ukazatel", [labels[k] for k in table.index])
    table.insert(1, "date", [dates[k] for k in table.index])
    table.index.name = "key"
    return table.reset_index()


def compute_pyramid(age5: pd.DataFrame, territory: pd.DataFrame, level: str, code: str) -> pd.DataFrame:
    """Population of one unit by five-year group and sex, in persons and % of its total.

    Returns columns ``age_start``, ``age_group``, ``women``, ``men``, ``men_pct``, ``women_pct``.
    """
    by_unit = aggregate_by_unit(age5, territory, level, by=["sex", "age_start"])
    unit = by_unit[by_unit["unit"] == code]
    if unit.empty:
        raise KeyError(f"no population for {level} {code}")
    wide = unit.pivot_table(index="age_start", columns="sex", values="population", aggfunc="sum").rename(
        columns={"M": "men", "F": "women"})
    total = wide[["men", "women"]].to_numpy().sum()
    wide["men_pct"] = 100 * wide["men"] / total
    wide["women_pct"] = 100 * wide["women"] / total
    wide = wide.reset_index()
    wide.insert(1, "age_group", wide["age_start"].map(age_group_label))
    wide.columns.name = None
    return wide


def compute_obce_table(age5: pd.DataFrame, totals: pd.DataFrame, territory: pd.DataFrame, orp: Orp,
                       age_2023: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every obec of the ORP: population (31. 12. 2020 and latest 1. 1.), age shares, index stáří.

    Shares 0–14 and 65+ and index stáří refer to 31. 12. 2023 when ``age_2023`` is given; 80+ to 31. 12. 2020.

    Sorted by population, largest first.
    """
    members = territory.loc[territory["orp_kod"] == orp.code, ["obec_kod", "obec_nazev"]]
    ind = compute_unit_indicators(age5[age5["obec_kod"].isin(members["obec_kod"])], territory, "obec",
                                  None if age_2023 is None else age_2023[age_2023["obec_kod"].isin(members["obec_kod"])])
    latest_year = int(totals["year"].max())
    latest = totals[totals["year"] == latest_year].set_index("obec_kod")
    table = members.set_index("obec_kod").join(ind, how="left")
    table[f"population_{latest_year}"] = latest["total"].reindex(table.index)
    table["mean_age_latest"] = latest["mean_age"].reindex(table.index)
    table = table.sort_values("population", ascending=False).reset_index()
    return table[["obec_kod", "obec_nazev", "population", f"population_{latest_year}", "share_0_14",
                  "share_65plus", "share_80plus", "ageing_index", "mean_age_latest"]]


def compute_orp_ranking(age5: pd.DataFrame, territory: pd.DataFrame, kraj_code: str, indicator: str,
                        age_2023: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ORPs of a kraj sorted by ``indicator`` (highest first) with their rank.

    A broad-group indicator (:data:`BROAD_KEYS`) refers to 31. 12. 2023 when ``age_2023`` is given.

    Returns columns ``orp_kod``, ``orp_nazev``, ``value``, ``rank``.
    """
    ind = compute_unit_indicators(age5, territory, "orp", age_2023)[indicator]
    orps = territory.loc[territory["kraj_kod"] == kraj_code, ["orp_kod", "orp_nazev"]].drop_duplicates()
    table = orps.assign(value=orps["orp_kod"].map(ind)).sort_values("value", ascending=False)
    table["rank"] = table["value"].rank(ascending=False, method="min").astype(int)
    return table.reset_index(drop=True)


def compute_population_development(totals: pd.DataFrame, territory: pd.DataFrame, orp: Orp) -> pd.DataFrame:
    """Population on 1 January of each year for the ORP, its kraj and ČR, with index (first year = 100).

    The ORP and kraj series use today's obec membership (constant territory); ČR includes
    every obec of each year's file.

    Returns columns ``year``, then per unit ``<label>`` (persons) and ``<label> – index``.
    """
    table = pd.DataFrame({"year": sorted(totals["year"].unique())})
    for level, code, label in comparison_units(orp):
        series = aggregate_by_unit(totals, territory, level, by=["year"], value="total")
        series = series[series["unit"] == code].set_index("year")["total"]
        table[label] = table["year"].map(series).astype("int64")
    for _level, _code, label in comparison_units(orp):
        table[f"{label} – index"] = 100 * table[label] / table[label].iloc[0]
    return table


def compute_mos_indicators(mos: pd.DataFrame, age5: pd.DataFrame, territory: pd.DataFrame,
                           level: str) -> pd.DataFrame:
    """MOS 2024 indicators aggregated to ``level`` units.

    * migration balance per 1 000: the obce's balances (rate × MOS population / 1 000)
      summed and divided by the summed MOS population — the unit's own rate;
    * natural increase: persons, summed; and per 1 000 of the MOS population;
    * unemployment share: mean of the obce's shares weighted by their population aged
      15–64 on 31. 12. 2020 (the share's denominator); obce without a value are left out
      and counted in ``obce_without_unemployment``.
    """
    frame = mos.copy()
    frame["migration_balance"] = frame["migration_balance_per_1000"] * frame["population_mos"] / 1000
    working = age5[(age5["age_start"] >= 15) & (age5["age_start"] < 65)].groupby("obec_kod")["population"].sum()
    frame["weight_15_64"] = frame["obec_kod"].map(working).where(frame["unemployment_share"].notna(), 0)
    frame["weighted_unemployment"] = frame["unemployment_share"].fillna(0) * frame["weight_15_64"]
    frame["missing_unemployment"] = frame["unemployment_share"].isna().astype(int)
    frame["has_migration"] = frame["migration_balance"].notna()
    frame["population_migration"] = frame["population_mos"].where(frame["has_migration"], 0)
    sums = {}
    for column in ["migration_balance", "population_mos", "population_migration", "natural_increase",
                   "weight_15_64", "weighted_unemployment", "missing_unemployment"]:
        sums[column] = aggregate_by_unit(frame, territory, level, by=[], value=column).set_index("unit")[column]
    s = pd.DataFrame(sums)
    out = pd.DataFrame(index=s.index)
    out["population_mos"] = s["population_mos"]
    out["migration_balance_per_1000"] = 1000 * s["migration_balance"] / s["population_migration"].replace(0, np.nan)
    out["natural_increase"] = s["natural_increase"]
    out["natural_increase_per_1000"] = 1000 * s["natural_increase"] / s["population_mos"]
    out["unemployment_share"] = s["weighted_unemployment"] / s["weight_15_64"].replace(0, np.nan)
    out["obce_without_unemployment"] = s["missing_unemployment"].astype(int)
    return out


def compute_census_structure(census: pd.DataFrame, territory: pd.DataFrame, orp: Orp,
                             columns: dict[str, str], base: str) -> pd.DataFrame:
    """Shares (%) of census categories for the ORP, its kraj and ČR.

    Parameters
    ----------
    census
        Census counts per ``orp_kod``.
    columns
        Census column → Czech label, in display order.
    base
        ``"adults"`` (population 15+, for education) or ``"population"``.

    Returns
    -------
    DataFrame with ``kategorie`` and one column per unit (percent).
    """
    frame = census.copy()
    frame["adults"] = frame["population"] - frame["age_0_14"]
    kraj_of = territory.drop_duplicates("orp_kod").set_index("orp_kod")["kraj_kod"]
    frame["kraj_kod"] = frame["orp_kod"].map(kraj_of)
    table = pd.DataFrame({"kategorie": list(columns.values())})
    selections = {"orp": frame["orp_kod"] == orp.code, "kraj": frame["kraj_kod"] == orp.kraj_code,
                  "cr": pd.Series(True, index=frame.index)}
    for level, _code, label in comparison_units(orp):
        rows = frame[selections[level]]
        table[label] = (100 * rows[list(columns)].sum() / rows[base].sum()).to_numpy()
    return table


# --------------------------------------------------------------------------- labels and text

EDUCATION_LABELS = {
    "edu_none": "Bez vzdělání",
    "edu_basic": "Základní vč. neukončeného",
    "edu_secondary": "Střední bez maturity (vyučení)",
    "edu_secondary_maturita": "Úplné střední s maturitou",
    "edu_tertiary_professional": "Vyšší odborné a nástavbové",
    "edu_university": "Vysokoškolské",
    "edu_unknown": "Nezjištěno",
}

MARITAL_LABELS = {
    "marital_single": "Svobodní",
    "marital_married": "Ženatí / vdané",
    "marital_divorced": "Rozvedení",
    "marital_widowed": "Ovdovělí",
    "marital_partnership": "Registrované partnerství",
    "marital_partnership_ended": "Zaniklé partnerství",
    "marital_partnership_ended_death": "Partnerství zaniklé úmrtím partnera",
    "marital_unknown": "Nezjištěno",
}


def key_figure_decimals(key_figures: pd.DataFrame) -> list[int]:
    """Decimals per row of the key-figures table: counts 0, shares and indices 1."""
    return [1 if k.startswith(("share_", "ageing_", "dependency_")) else 0 for k in key_figures["key"]]


def key_figures_summary(key_figures: pd.DataFrame, orp: Orp) -> dict:
    """Key figures as numbers for ``summary.json``: ``{"orp": {...}, "kraj": {...}, "cr": {...}}``."""
    dates = key_figures.set_index("key")["date"]
    out = {"reference_dates": {"age_structure": AGE5_DATE, "age_groups": dates["share_65plus"],
                               "population_latest": f"{_latest_year(key_figures)}-01-01"}}
    for (level, code, label) in comparison_units(orp):
        values = key_figures.set_index("key")[label]
        out[level] = {"code": code, "name": label,
                      **{k: (int(v) if k.startswith(("population", "men", "women", "age_", "n_obce")) else round(float(v), 4))
                         for k, v in values.items()}}
    return out


def _latest_year(key_figures: pd.DataFrame) -> int:
    return int(next(k for k in key_figures["key"] if k.startswith("population_"))[11:])


def describe_key_figures(key_figures: pd.DataFrame, orp: Orp) -> str:
    """Two Czech sentences on the ORP's size and ageing compared with its kraj and ČR."""


    v = key_figures.set_index("key")
    units = [label for _l, _c, label in comparison_units(orp)]
    o, k, c = (v[u] for u in units)
    year = _latest_year(key_figures)
    older = "vyšší" if o["share_65plus"] > k["share_65plus"] else "nižší" if o["share_65plus"] < k["share_65plus"] else "stejný"
    groups_date, age5_date = v.loc["share_65plus", "date"], v.loc["age_80plus", "date"]
    eighty = (f"z toho {fmt.number(o['age_80plus'])} ve věku 80+" if groups_date == age5_date else
              f"ve věku 80+ bylo k {fmt.date(age5_date)} {fmt.number(o['age_80plus'])} osob")
    return (
        f"V SO ORP {orp.name} žilo k 1. 1. {year} **{fmt.number(o[f'population_{year}'])} obyvatel** "
        f"v {fmt.number(o['n_obce'])} obcích. Podle věkové struktury k {fmt.date(groups_date)} bylo "
        f"{fmt.percent(o['share_65plus'])} obyvatel ve věku 65 a více let "
        f"({fmt.number(o['age_65plus'])} osob; {eighty}), "
        f"což je {older} podíl než v kraji ({fmt.percent(k['share_65plus'])}); v Česku {fmt.percent(c['share_65plus'])}. "
        f"Index stáří činil {fmt.number(o['ageing_index'], 1)} (kraj {fmt.number(k['ageing_index'], 1)}, "
        f"Česko {fmt.number(c['ageing_index'], 1)}): na 100 dětí do 15 let připadalo "
        f"{fmt.number(o['ageing_index'], 0)} seniorů."
    )


def describe_development(development: pd.DataFrame, orp: Orp) -> str:
    """One Czech sentence on the ORP's population change over the series, beside kraj and ČR."""


    first, last = development.iloc[0], development.iloc[-1]
    parts = [f"{label} {fmt.signed(last[f'{label} – index'] - 100, 1)} %" for _l, _c, label in comparison_units(orp)]
    return (f"Mezi 1. 1. {int(first['year'])} a 1. 1. {int(last['year'])} se počet obyvatel změnil takto: "
            + ", ".join(parts) + ". Pokles mezi 1. 1. 2021 a 1. 1. 2022 je z velké části statistický: ČSÚ "
            "přepočítal bilanci obyvatel podle výsledků sčítání 2021 (přerušení řady).")


def describe_ranking(ranking: pd.DataFrame, orp: Orp, what: str) -> str:
    """Czech sentence on the ORP's rank among the ORPs of its kraj."""
    if len(ranking) <= 1:
        return (f"Kraj {orp.kraj_name} tvoří jediný správní obvod ORP, srovnání mezi ORP kraje proto nemá smysl; "
                "srovnání s Českem je v tabulce klíčových ukazatelů.")
    rank = int(ranking.loc[ranking["orp_kod"] == orp.code, "rank"].iloc[0])

    return (f"SO ORP {orp.name} je {rank}. z {len(ranking)} SO ORP {fmt.kraj_genitive(orp.kraj_name)} "
            f"seřazených sestupně {what}.")


def compute_mos_comparison(mos: pd.DataFrame, age5: pd.DataFrame, territory: pd.DataFrame, orp: Orp) -> pd.DataFrame:
    """MOS 2024 indicators of the ORP, its kraj and ČR, one row per unit (``unit_name`` first)."""
    rows = []
    for level, code, label in comparison_units(orp):
        row = compute_mos_indicators(mos, age5, territory, level).loc[code]
        rows.append(pd.concat([pd.Series({"unit_name": label}), row]))
    table = pd.DataFrame(rows).reset_index(drop=True)
    for column in ("population_mos", "natural_increase", "obce_without_unemployment"):
        table[column] = table[column].astype("int64")
    for column in ("migration_balance_per_1000", "natural_increase_per_1000", "unemployment_share"):
        table[column] = table[column].astype("float64")
    return table


def compute_mos_obce(mos: pd.DataFrame, territory: pd.DataFrame, orp: Orp) -> pd.DataFrame:
    """MOS 2024 indicators of every obec of the ORP, largest first."""
    members = territory.loc[territory["orp_kod"] == orp.code, ["obec_kod", "obec_nazev"]]
    table = members.merge(mos, on="obec_kod", how="left")
    table["natural_increase_per_1000"] = 1000 * table["natural_increase"] / table["population_mos"]
    table["population_mos"] = table["population_mos"].round().astype("Int64")
    table["natural_increase"] = table["natural_increase"].round().astype("Int64")
    columns = ["obec_kod", "obec_nazev", "population_mos", "migration_balance_per_1000", "natural_increase",
               "natural_increase_per_1000", "unemployment_share"]
    return table.sort_values("population_mos", ascending=False)[columns].reset_index(drop=True)


def describe_mos(mos_units: pd.DataFrame, orp: Orp) -> str:
    """Czech sentences on migration, natural increase and unemployment of the ORP vs kraj and ČR."""


    o, k, c = (mos_units.iloc[i] for i in range(3))
    text = (
        f"V roce 2024 činilo migrační saldo SO ORP {orp.name} {fmt.signed(o['migration_balance_per_1000'], 1)} "
        f"na 1 000 obyvatel (kraj {fmt.signed(k['migration_balance_per_1000'], 1)}, Česko "
        f"{fmt.signed(c['migration_balance_per_1000'], 1)}) a přirozený přírůstek {fmt.signed(o['natural_increase'])} "
        f"{fmt.plural(abs(o['natural_increase']), 'osoba', 'osoby', 'osob')} "
        f"({fmt.signed(o['natural_increase_per_1000'], 1)} na 1 000 obyvatel). Podíl nezaměstnaných osob byl "
        f"{fmt.percent(o['unemployment_share'])} (kraj {fmt.percent(k['unemployment_share'])}, "
        f"Česko {fmt.percent(c['unemployment_share'])})."  # the table's precision: 1 decimal
    )
    missing = int(o["obce_without_unemployment"])
    if missing:
        text += (f" Pro {fmt.count(missing, 'obec', 'obce', 'obcí')} ORP údaj o nezaměstnanosti chybí; do průměru "
                 f"{'není zahrnuta' if missing == 1 else 'nejsou zahrnuty'}.")
    return text
