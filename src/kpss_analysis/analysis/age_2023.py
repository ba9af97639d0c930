"""Broad age structure on 31. 12. 2023 (0–14 / 15–64 / 65+) and its change since 31. 12. 2020.

The 2023 groups are derived per obec (:func:`kpss_analysis.data.derive.derive_age_broad_2023`):
0–14 = total on 1. 1. 2024 − population 15+ and 65+ = 15+ − 15–64 of the Index sociálního
vyloučení 2023. The 2020 groups come from the five-year structure (``population_age5``).
"""

from __future__ import annotations

import pandas as pd

from kpss_analysis import fmt, memo
from kpss_analysis.analysis.demography import AGE_BANDS, comparison_units, compute_broad_indicators, compute_indicators
from kpss_analysis.analysis.labels import czech_columns
from kpss_analysis.analysis.projection import VARIANT_SHORT, interpolate_year
from kpss_analysis.analysis.territory import Orp

GROUPS = {"0_14": "0–14 let", "15_64": "15–64 let", "65plus": "65 a více let"}
#: ``summary.json`` keys of ``demografie.age_2023`` (issue 20).
SUMMARY_KEYS = ["total", "age_0_14", "age_15_64", "age_65plus", "share_0_14", "share_65plus", "ageing_index"]

SOURCE = ("věkové skupiny k 31. 12. 2023 odvozeno z: MMR – Index sociálního vyloučení 2023 (obyvatelé 15+ a 15–64 let "
          "k 31. 12. 2023) a ČSÚ – Počet obyvatel v obcích k 1. 1. 2024")
NOTE = ("Věkové skupiny k 31. 12. 2023 jsou odvozené: 0–14 let = počet obyvatel k 1. 1. 2024 − obyvatelé 15+, "
        "65+ let = obyvatelé 15+ − obyvatelé 15–64 let (obojí z Indexu sociálního vyloučení 2023). Jemnější věkové "
        "skupiny (80+) a členění podle pohlaví jsou k dispozici jen k 31. 12. 2020.")
CHANGE_NOTE = ("Změna mezi 31. 12. 2020 a 31. 12. 2023 zahrnuje i přepočet bilance obyvatel podle výsledků sčítání "
               "2021 (ČSÚ, přerušení řady k 1. 1. 2022), není tedy celá skutečným pohybem obyvatel.")


def compute_age_2023_comparison(age_2023: pd.DataFrame, territory: pd.DataFrame, orp: Orp) -> pd.DataFrame:
    """The 2023 indicators for the ORP, its kraj and ČR: one row per unit (``level``, ``unit``, ``unit_name``)."""
    rows = []
    for level, code, label in comparison_units(orp):
        row = compute_broad_indicators(age_2023, territory, level).loc[code]
        rows.append({"level": level, "unit": code, "unit_name": label, **row.to_dict()})
    table = pd.DataFrame(rows)
    counts = ["total", "age_0_14", "age_15_64", "age_65plus"]
    table[counts] = table[counts].astype("int64")
    return table


def compute_age_change_2020_2023(age_2023: pd.DataFrame, age5: pd.DataFrame, territory: pd.DataFrame,
                                 orp: Orp) -> pd.DataFrame:
    """The three groups on 31. 12. 2020 and 31. 12. 2023 for the ORP, kraj and ČR, with the change.

    Returns ``level``, ``unit_name``, ``age_group``, ``population_2020``, ``population_2023``,
    ``change`` (persons), ``change_pct``, ``share_2020``, ``share_2023`` (percent of the total).
    """
    rows = []
    for level, code, label in comparison_units(orp):
        before = compute_indicators(age5, territory, level).loc[code]
        after = compute_broad_indicators(age_2023, territory, level).loc[code]
        for group in GROUPS:
            rows.append({"level": level, "unit_name": label, "age_group": group,
                         "population_2020": int(before[f"age_{group}"]), "population_2023": int(after[f"age_{group}"]),
                         "share_2020": float(before[f"share_{group}"]), "share_2023": float(after[f"share_{group}"])})
    table = pd.DataFrame(rows)
    table["change"] = table["population_2023"] - table["population_2020"]
    table["change_pct"] = 100 * table["change"] / table["population_2020"]
    return table[["level", "unit_name", "age_group", "population_2020", "population_2023", "change", "change_pct",
                  "share_2020", "share_2023"]]


def age_2023_summary(comparison: pd.DataFrame) -> dict:
    """``demografie.age_2023`` of ``summary.json``: per ``orp`` / ``kraj`` / ``cr`` the :data:`SUMMARY_KEYS`."""
    out: dict = {"reference_date": "2023-12-31"}
    for row in comparison.itertuples():
        out[row.level] = {"code": row.unit, "name": row.unit_name,
                          **{k: (int(getattr(row, k)) if k.startswith(("total", "age_")) else
                                 round(float(getattr(row, k)), 4)) for k in SUMMARY_KEYS}}
    return out


CHANGE_LABELS = {"unit_name": "Území", "age_group": "Věková skupina", "population_2020": "31. 12. 2020",
                 "population_2023": "31. 12. 2023", "change": "Změna (osoby)", "change_pct": "Změna (%)",
                 "share_2020": "Podíl 2020 (%)", "share_2023": "Podíl 2023 (%)"}


def czech_change_table(change: pd.DataFrame) -> pd.DataFrame:
    """The 2020 → 2023 change with Czech headers and group labels."""
    frame = change.assign(age_group=change["age_group"].map(GROUPS))
    return czech_columns(frame, CHANGE_LABELS, select=True)


#: The date of the derived structure as a projection year: 31. 12. 2023 is the projection's 1. 1. 2024.
BACKTEST_YEAR = 2024


@memo.by_content()  # national: the same for every ORP of a batch
def compute_age_backtest(projection: pd.DataFrame, age_2023: pd.DataFrame, territory: pd.DataFrame,
                         year: int = BACKTEST_YEAR) -> pd.DataFrame:
    """Projected against observed 0–14 / 15–64 / 65+ of every ORP on 1. 1. ``year``, per variant.

    The projection's ``year`` 2024 lies between its projection years 2023 and 2025 and is interpolated linearly, as
    the back-test of the totals is. ``error_pct`` = 100 × (projected − observed) / observed.

    Returns
    -------
    DataFrame
        ``variant``, ``age_group``, ``orp_kod``, ``orp_nazev``, ``observed``, ``projected``, ``error_pct``.
    """
    observed = (compute_broad_indicators(age_2023, territory, "orp")[[f"age_{g}" for g in GROUPS]]
                .rename(columns=lambda c: c[4:]).rename_axis(index="orp_kod", columns="age_group")
                .stack().rename("observed"))
    frames = []
    for group in GROUPS:
        first, last = AGE_BANDS[group]
        ages = projection["age"].between(first, 200 if last is None else last)
        by_year = projection[ages].groupby(["variant", "orp_kod", "year"])["population"].sum().unstack("year")
        frames.append(interpolate_year(by_year, year).rename("projected").reset_index().assign(age_group=group))
    out = pd.concat(frames, ignore_index=True).merge(observed.reset_index(), on=["orp_kod", "age_group"])
    out["orp_nazev"] = out["orp_kod"].map(territory.drop_duplicates("orp_kod").set_index("orp_kod")["orp_nazev"])
    out["error_pct"] = 100 * (out["projected"] - out["observed"]) / out["observed"]
    return out[["variant", "age_group", "orp_kod", "orp_nazev", "observed", "projected", "error_pct"]]


def summarize_age_backtest(backtest: pd.DataFrame) -> pd.DataFrame:
    """Per variant and age group over all ORPs: mean signed and absolute % error, median, 90th percentile, max."""
    errors = backtest.assign(abs_error=backtest["error_pct"].abs())
    grouped = errors.groupby(["variant", "age_group"])
    out = pd.DataFrame({"n_orp": grouped.size(), "mean_error": grouped["error_pct"].mean(),
                        "mape": grouped["abs_error"].mean(), "median_ape": grouped["abs_error"].median(),
                        "p90_ape": grouped["abs_error"].quantile(0.9), "max_ape": grouped["abs_error"].max()})
    order = {g: i for i, g in enumerate(GROUPS)}
    return out.reset_index().sort_values(["variant", "age_group"], key=lambda s: s.map(order) if s.name == "age_group"
                                         else s).reset_index(drop=True)


def compute_change_chart_table(change: pd.DataFrame) -> pd.DataFrame:
    """:func:`compute_age_change_2020_2023` as a chart table: ``Věková skupina`` and the change in % per unit."""
    wide = change.pivot_table(index="age_group", columns="unit_name", values="change_pct", sort=False)
    wide = wide.reindex(list(GROUPS))[list(dict.fromkeys(change["unit_name"]))]
    wide.index = wide.index.map(GROUPS)
    wide.columns.name = None
    return wide.rename_axis("Věková skupina").reset_index()


AGE_BACKTEST_NOTE = ("Chyba = (projekce − skutečnost) / skutečnost × 100. Projekce k 1. 1. 2024 je lineárně interpolována "
                     "mezi roky projekce 2023 a 2025 (jako u celkového počtu obyvatel); skutečnost jsou věkové skupiny "
                     "k 31. 12. 2023 odvozené z Indexu sociálního vyloučení 2023 a počtu obyvatel k 1. 1. 2024.")


def _own_errors(backtest: pd.DataFrame, orp_code: str) -> pd.Series:
    return backtest[backtest["orp_kod"] == orp_code].set_index(["variant", "age_group"])["error_pct"]


def czech_age_backtest_table(summary: pd.DataFrame, backtest: pd.DataFrame, orp_code: str) -> pd.DataFrame:
    """:func:`summarize_age_backtest` with the ORP's own error, Czech headers and labels."""
    own = _own_errors(backtest, orp_code)
    frame = summary.assign(own=[own.get((v, g)) for v, g in zip(summary["variant"], summary["age_group"], strict=True)])
    frame = frame.assign(variant=frame["variant"].map(VARIANT_SHORT), age_group=frame["age_group"].map(GROUPS))
    columns = {"variant": "Varianta", "age_group": "Věková skupina", "n_orp": "Počet ORP",
               "mean_error": "Průměrná chyba (%)", "mape": "Průměrná absolutní chyba (%)",
               "median_ape": "Medián absolutní chyby (%)", "p90_ape": "90. percentil absolutní chyby (%)",
               "max_ape": "Největší absolutní chyba (%)", "own": "Chyba této ORP (%)"}
    return czech_columns(frame, columns, select=True)


def age_backtest_summary(summary: pd.DataFrame, backtest: pd.DataFrame, orp_code: str) -> dict:
    """``projekce.backtest_age_groups`` of ``summary.json``: per variant and group the errors over all ORPs and the ORP's."""
    own = _own_errors(backtest, orp_code)
    out: dict = {"reference_date": "2024-01-01"}
    for row in summary.itertuples():
        out.setdefault(row.variant, {})[row.age_group] = {
            "mape": round(float(row.mape), 4), "mean_error": round(float(row.mean_error), 4),
            "p90_ape": round(float(row.p90_ape), 4), "orp_error_pct": round(float(own[(row.variant, row.age_group)]), 4)}
    return out


def describe_age_backtest(summary: pd.DataFrame, backtest: pd.DataFrame, orp_code: str, orp_name: str) -> str:
    """Czech sentences: how close the projection came to the 65+ of all ORPs and of this one, and what it means."""
    table = summary.set_index(["variant", "age_group"])
    own = _own_errors(backtest, orp_code)
    parts = [f"ve variantě {v} v průměru o {fmt.number(table.loc[(v, '65plus'), 'mape'], 1)} % "
             f"(u 9 z 10 ORP nejvýše o {fmt.number(table.loc[(v, '65plus'), 'p90_ape'], 1)} %)"
             for v in VARIANT_SHORT]
    mine = ", ".join(f"ve variantě {v} {fmt.signed(own[(v, '65plus')], 1)} %" for v in VARIANT_SHORT)
    children = ", ".join(f"ve variantě {v} {fmt.number(table.loc[(v, '0_14'), 'mape'], 1)} %" for v in VARIANT_SHORT)
    return (f"Počet obyvatel ve věku 65+ k 1. 1. 2024 odhadla projekce za všech 206 ORP takto: {'; '.join(parts)}. "
            f"U SO ORP {orp_name} činila chyba u 65+ {mine}; u dětí 0–14 let byla průměrná chyba {children}. "
            "Lidé, kteří budou v horizontu plánu ve věku 65+, dnes už žijí v ORP a jejich počet se mění hlavně "
            "úmrtností a stěhováním; chyba po třech letech proto ukazuje, s jakou nejistotou je třeba číst i počty "
            "seniorů v horizontu plánu — roste s délkou horizontu a bývá větší u malých ORP a u počtu dětí, "
            "který závisí na budoucí porodnosti.")
