"""Tables derived from two parsed sources at build time, validated like the parsers' output."""

from __future__ import annotations

import pandas as pd

from kpss_analysis.errors import DataValidationError

#: Broad age groups of the 31. 12. 2023 structure, in display order.
AGE_GROUPS_2023 = ("0_14", "15_64", "65plus")


def derive_age_broad_2023(exclusion: pd.DataFrame, totals_2024: pd.DataFrame) -> pd.DataFrame:
    """Every obec's population 0–14, 15–64 and 65+ on 31. 12. 2023.

    0–14 = total on 1. 1. 2024 − population 15+; 65+ = population 15+ − population 15–64 (both
    from the Index sociálního vyloučení 2023, reference date 31. 12. 2023 = 1. 1. 2024). The three
    groups add up to the total by construction once none is negative.

    Parameters
    ----------
    exclusion
        :func:`kpss_analysis.data.parsers.exclusion.parse_exclusion` (``obec_kod``,
        ``population_15plus``, ``population_15_64``).
    totals_2024
        The processed ``population_totals`` rows of year 2024 (``obec_kod``, ``total``).

    Returns
    -------
    DataFrame
        Long table ``obec_kod``, ``age_group`` (:data:`AGE_GROUPS_2023`), ``population`` (int64).

    Raises
    ------
    DataValidationError
        When the obce of the two tables differ or a group is negative (the message names the obce).
    """
    if "year" in totals_2024.columns and set(totals_2024["year"]) != {2024}:
        raise DataValidationError(f"population totals: expected the rows of year 2024 only, got years "
                                  f"{sorted(set(totals_2024['year']))}")
    totals = totals_2024.set_index("obec_kod")["total"]
    frame = exclusion.set_index("obec_kod")[["population_15plus", "population_15_64"]]
    only_totals, only_index = sorted(set(totals.index) - set(frame.index)), sorted(set(frame.index) - set(totals.index))
    if only_totals or only_index:
        raise DataValidationError(
            "population 31. 12. 2023: the obce of the 1. 1. 2024 totals and of the Index sociálního vyloučení differ "
            f"(only in the totals: {only_totals[:5]}; only in the index: {only_index[:5]})")
    wide = pd.DataFrame({"total": totals.reindex(frame.index)}, index=frame.index)
    wide["0_14"] = wide["total"] - frame["population_15plus"]
    wide["15_64"] = frame["population_15_64"]
    wide["65plus"] = frame["population_15plus"] - frame["population_15_64"]
    for group in AGE_GROUPS_2023:
        negative = wide.index[wide[group] < 0]
        if len(negative):
            raise DataValidationError(f"population 31. 12. 2023: age group {group} is negative for obce "
                                      f"{list(negative[:5])} (population 15+ larger than the total, or 15–64 than 15+)")
    long = (wide[list(AGE_GROUPS_2023)].rename_axis(columns="age_group").stack().rename("population").reset_index())
    long["age_group"] = pd.Categorical(long["age_group"], categories=AGE_GROUPS_2023, ordered=True)
    long = long.sort_values(["obec_kod", "age_group"]).reset_index(drop=True)
    long["age_group"] = long["age_group"].astype(str)
    long["population"] = long["population"].astype("int64")
    return long[["obec_kod", "age_group", "population"]]
