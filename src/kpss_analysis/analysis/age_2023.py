"""Broad age structure on 31. 12. 2023 (0–14 / 15–64 / 65+) and its change since 31. 12. 2020.

The 2023 groups are derived per obec (:func:`kpss_analysis.data.derive.derive_age_broad_2023`):
0–14 = total on 1. 1. 2024 − population 15+ and 65+ = 15+ − 15–64 of the Index sociálního
vyloučení 2023. The 2020 groups come from the five-year structure (``population_age5``).
"""

from __future__ import annotations

import pandas as pd

from kpss_analysis.analysis.demography import AGE_BANDS, comparison_units, compute_broad_indicators, compute_indicators
from kpss_analysis.analysis.projection import interpolate_year
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
    return frame[list(CHANGE_LABELS)].rename(columns=CHANGE_LABELS)


#: The date of the derived structure as a projection year: 31. 12. 2023 is the projection's 1. 1. 2024.
BACKTEST_YEAR = 2024


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
