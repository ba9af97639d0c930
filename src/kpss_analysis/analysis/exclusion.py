"""People at risk of social exclusion (Index sociálního vyloučení 2023): ORP, kraj and ČR, and every obec.

Counts are summed over the obce of our 2024 hierarchy (never the file's ORP code), and every share
is recomputed from the summed counts and denominators. Each share carries a 95 % interval:

* persons in exekuce (of the population 15+) and long-term job seekers (of the population 15–64) are
  persons counted within the population they belong to, so their share is a proportion with a
  **Wilson** interval;
* PnB and PnŽ are average monthly numbers of paid benefits, and a benefit goes to a household, not a
  person: the number per 100 inhabitants 15+ is a rate of events, not a subset of the population, so
  its interval is **Byar's** interval of a (Poisson) count.

The index (0–30) is a per-obec score: an ORP has no index value, only counts of obce and inhabitants
per category. Early school leavers are shown per obec only (see :data:`SCHOOL_LEAVERS_NOTE`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpss_analysis.analysis.demography import LEVEL_KEYS, aggregate_by_unit, comparison_units
from kpss_analysis.analysis.intervals import (
    INTERVAL_NOTE,
    compare_to_reference,
    rate_interval,
    wilson_interval,
)
from kpss_analysis.analysis.labels import czech_columns
from kpss_analysis.analysis.territory import Orp

WILSON, BYAR = "wilson", "byar"


@dataclass(frozen=True)
class Indicator:
    """A count, the population it is related to, the interval method and its Czech labels."""

    count: str
    denominator: str
    method: str
    label: str
    share_label: str


#: The four indicators in display order (keys are those of ``summary.json``).
INDICATORS = {
    "exekuce": Indicator("exekuce", "population_15plus", WILSON, "Osoby v exekuci (k 31. 12. 2023)",
                         "Podíl osob v exekuci z obyvatel 15+ (%)"),
    "pnz": Indicator("pnz", "population_15plus", BYAR,
                     "Vyplacené příspěvky na živobytí – PnŽ (průměrný měsíc 2023, dávky domácnostem)",
                     "PnŽ na 100 obyvatel 15+"),
    "pnb": Indicator("pnb", "population_15plus", BYAR,
                     "Vyplacené příspěvky na bydlení – PnB (průměrný měsíc 2023, dávky domácnostem)",
                     "PnB na 100 obyvatel 15+"),
    "ltu": Indicator("ltu", "population_15_64", WILSON,
                     "Uchazeči o zaměstnání v evidenci ÚP déle než 6 měsíců (prosinec 2023)",
                     "Uchazeči déle než 6 měsíců na 100 obyvatel 15–64"),
}
COUNT_COLUMNS = ["population_15plus", "population_15_64", *INDICATORS]
INDEX_CATEGORIES = ("0 až 1", "2 až 7", "8 až 11", "12 až 30")

SOURCE = ("MMR – Agentura pro sociální začleňování, Index sociálního vyloučení 2023 (osoby v exekuci a obyvatelé "
          "k 31. 12. 2023, PnB a PnŽ průměrný měsíc 2023, uchazeči o zaměstnání prosinec 2023, předčasné odchody ze ZŠ "
          "školní rok 2022/23)")
METHOD_NOTE = (
    "Počty za SO ORP, kraj a Česko jsou součty obcí podle územního členění 2024; podíly jsou spočteny ze součtů "
    "počtů a obyvatel, nejsou to průměry podílů obcí. Interval spolehlivosti 95 %: u osob v exekuci a uchazečů o "
    "zaměstnání Wilsonův interval podílu, u PnŽ a PnB Byarův interval počtu."
)
BENEFITS_NOTE = (
    "PnŽ (příspěvek na živobytí, pomoc v hmotné nouzi) a PnB (příspěvek na bydlení) jsou průměrné měsíční počty "
    "vyplacených dávek v roce 2023. Dávka se vyplácí domácnosti, ne jednotlivé osobě: údaj „na 100 obyvatel 15+“ proto "
    "není podíl osob, ale počet vyplacených dávek na 100 obyvatel ve věku 15 a více let, a jeho interval je "
    "intervalem počtu (Byar), nikoli podílu."
)
SCHOOL_LEAVERS_NOTE = (
    "Předčasné odchody ze základních škol (běžné třídy, školní rok 2022/23) zdroj uvádí za obce se ZŠ s běžnými "
    "třídami. U obce bez takové školy převzal údaj obce, jejíž školu děti navštěvují, takže tytéž děti jsou uvedeny "
    "u více obcí; součet za SO ORP, kraj ani Česko proto neexistuje a údaj se uvádí jen za jednotlivé obce."
)
INDEX_NOTE = (
    "Index sociálního vyloučení (0–30 bodů) hodnotí jednotlivé obce; za SO ORP se nepočítá (nebyl by to průměr "
    "obcí). Za SO ORP se uvádí, kolik obcí a obyvatel je v jednotlivých kategoriích indexu."
)
NOTES = f"{METHOD_NOTE} {BENEFITS_NOTE} {INTERVAL_NOTE}"


# --------------------------------------------------------------------------- units


def compute_exclusion_counts(exclusion: pd.DataFrame, territory: pd.DataFrame, level: str) -> pd.DataFrame:
    """The indicators' counts and denominators summed to every unit of ``level`` (obec … cr).

    Returns a frame indexed by ``unit`` with :data:`COUNT_COLUMNS`.
    """
    columns = {c: aggregate_by_unit(exclusion, territory, level, by=[], value=c).set_index("unit")[c]
               for c in COUNT_COLUMNS}
    return pd.DataFrame(columns)


def compute_shares(counts: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Share (per 100 of the denominator) with its interval for every indicator and unit.

    Returns a long frame: ``unit``, ``indicator``, ``count``, ``denominator``, ``share``,
    ``ci_low``, ``ci_high``, ``method``.
    """
    frames = []
    for key, ind in INDICATORS.items():
        count, denominator = counts[ind.count], counts[ind.denominator]
        if ind.method == WILSON:
            low, high = wilson_interval(count, denominator, confidence)
            share = 100 * count / denominator.replace(0, np.nan)
            low, high = 100 * low, 100 * high
        else:
            share, low, high = rate_interval(count, denominator, per=100, confidence=confidence)
        frames.append(pd.DataFrame({"unit": counts.index, "indicator": key, "count": count.to_numpy(dtype=float),
                                    "denominator": denominator.to_numpy(dtype=float), "share": np.asarray(share),
                                    "ci_low": np.asarray(low), "ci_high": np.asarray(high), "method": ind.method}))
    return pd.concat(frames, ignore_index=True)


def compute_exclusion_comparison(exclusion: pd.DataFrame, territory: pd.DataFrame, orp: Orp) -> pd.DataFrame:
    """The four indicators for the ORP, its kraj and ČR, with intervals and significance flags.

    Returns
    -------
    DataFrame
        One row per indicator × unit (ORP, kraj, ČR, in this order): ``indicator``, ``level``,
        ``unit``, ``unit_name``, ``count``, ``denominator``, ``share``, ``ci_low``, ``ci_high``,
        ``method``, ``vs_kraj`` (ORP only) and ``vs_cr`` (ORP and kraj; Czech labels of
        :func:`~kpss_analysis.analysis.intervals.compare_to_reference`, empty where not applicable).
    """
    parts = []
    for level, code, label in comparison_units(orp):
        shares = compute_shares(compute_exclusion_counts(exclusion, territory, level))
        parts.append(shares[shares["unit"] == code].assign(level=level, unit_name=label))
    table = pd.concat(parts, ignore_index=True)
    reference = table.pivot(index="indicator", columns="level", values="share")
    table["vs_kraj"] = ""
    table["vs_cr"] = ""
    for target, against in (("orp", "kraj"), ("orp", "cr"), ("kraj", "cr")):
        rows = table["level"] == target
        flags = compare_to_reference(table.loc[rows, "ci_low"], table.loc[rows, "ci_high"],
                                     table.loc[rows, "indicator"].map(reference[against]))
        table.loc[rows, f"vs_{against}"] = flags
    table["order"] = table["indicator"].map({k: i for i, k in enumerate(INDICATORS)})
    table = table.sort_values("order", kind="stable")  # units keep the ORP, kraj, ČR order within an indicator
    columns = ["indicator", "level", "unit", "unit_name", "count", "denominator", "share", "ci_low", "ci_high",
               "method", "vs_kraj", "vs_cr"]
    return table[columns].reset_index(drop=True)


def exclusion_summary(comparison: pd.DataFrame) -> dict:
    """Numbers for ``summary.json`` section ``cilove_skupiny``: per ``orp`` / ``kraj`` / ``cr`` the counts
    (``exekuce``, ``pnz``, ``pnb``, ``ltu``) and ``share_<key>`` with ``value``, ``ci_low``, ``ci_high`` (percent,
    per 100 of the denominator) and the flags."""
    out: dict = {}
    for level, rows in comparison.groupby("level", sort=False):
        first = rows.iloc[0]
        entry: dict = {"code": first["unit"], "name": first["unit_name"]}
        for row in rows.itertuples():
            count = float(row.count)
            entry[row.indicator] = int(count) if INDICATORS[row.indicator].method == WILSON else round(count, 1)
            share = {"value": round(float(row.share), 4), "ci_low": round(float(row.ci_low), 4),
                     "ci_high": round(float(row.ci_high), 4)}
            share.update({k: getattr(row, k) for k in ("vs_kraj", "vs_cr") if getattr(row, k)})
            entry[f"share_{row.indicator}"] = share
        out[level] = entry
    return out


# --------------------------------------------------------------------------- obce


def compute_exclusion_obce(exclusion: pd.DataFrame, territory: pd.DataFrame, orp_code: str) -> pd.DataFrame:
    """Every obec of the ORP: the indicators with shares, early school leavers, the index and its category.

    Sorted by population 15+, largest first. School-leaver values are missing (and
    ``school_leavers_taken_over`` True) where the source took them over from another obec.
    """
    members = territory.loc[territory["orp_kod"] == orp_code, ["obec_kod", "obec_nazev"]]
    table = members.merge(exclusion, on="obec_kod", how="left", validate="one_to_one")
    for key, ind in INDICATORS.items():
        table[f"share_{key}"] = 100 * table[ind.count] / table[ind.denominator].replace(0, np.nan)
    columns = ["obec_kod", "obec_nazev", "population_15plus", "population_15_64",
               *[c for key in INDICATORS for c in (key, f"share_{key}")],
               "school_leavers", "school_leavers_pupils", "school_leavers_share", "school_leavers_taken_over",
               "index_score", "index_category"]
    return table.sort_values("population_15plus", ascending=False, kind="stable")[columns].reset_index(drop=True)


def compute_index_categories(exclusion: pd.DataFrame, totals_2024: pd.DataFrame, territory: pd.DataFrame,
                             level: str, code: str) -> pd.DataFrame:
    """Number of obce and of inhabitants (1. 1. 2024) in each index category, for one unit.

    Returns ``index_category`` (all four, in order), ``n_obce``, ``population``, ``share_obce``,
    ``share_population`` (percent of the unit).
    """
    if level == "cr":
        members = territory["obec_kod"]
    else:
        members = territory.loc[territory[LEVEL_KEYS[level]] == code, "obec_kod"]
    frame = exclusion[exclusion["obec_kod"].isin(members)].merge(
        totals_2024[["obec_kod", "total"]], on="obec_kod", how="left", validate="one_to_one")
    grouped = frame.groupby("index_category").agg(n_obce=("obec_kod", "size"), population=("total", "sum"))
    table = grouped.reindex(list(INDEX_CATEGORIES), fill_value=0).rename_axis("index_category").reset_index()
    table[["n_obce", "population"]] = table[["n_obce", "population"]].astype("int64")
    table["share_obce"] = 100 * table["n_obce"] / table["n_obce"].sum()
    table["share_population"] = 100 * table["population"] / table["population"].sum()
    return table


# --------------------------------------------------------------------------- Czech tables

COMPARISON_LABELS = {
    "indicator_label": "Ukazatel", "unit_name": "Území", "count": "Počet", "share": "Podíl / na 100 obyvatel",
    "ci_low": "Dolní mez 95% intervalu", "ci_high": "Horní mez 95% intervalu", "vs_kraj": "Srovnání s krajem",
    "vs_cr": "Srovnání s Českem",
}
YES_NO = {True: "ano", False: "ne"}


def czech_comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """The comparison table with Czech headers: the share's label per indicator, flags as words."""
    frame = comparison.assign(indicator_label=comparison["indicator"].map({k: v.share_label for k, v in
                                                                          INDICATORS.items()}))
    return czech_columns(frame, COMPARISON_LABELS, select=True)


def czech_obce_table(obce: pd.DataFrame) -> pd.DataFrame:
    """The per-obec table with Czech headers (the taken-over flag as ano / ne)."""
    frame = obce.assign(school_leavers_taken_over=obce["school_leavers_taken_over"].map(YES_NO))
    return czech_columns(frame, "exclusion")
