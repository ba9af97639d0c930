"""Weighting a needs survey to the ORP's population aged 15+ by raking (iterative proportional fitting).

The margins are age group (15–29, 30–44, 45–64, 65–79, 80+), sex and the size band of the
respondent's obec, all counted from the population by obec × sex × five-year age group on
31. 12. 2020 (``population_age5``); an obec's size band comes from its population on 1. 1. 2024
(``population_totals``). The bands follow the usual Czech split of settlement size: villages
under 1 000 people, small towns 1 000–4 999, towns 5 000–19 999 and 20 000+.

Raking itself is done by weightipy (the RIM algorithm of quantipy, maintained); this module
prepares the margins, collapses categories without respondents and checks that the weighted
sample reproduces the margins.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
import weightipy

from kpss_analysis.errors import DataMissingError, DataValidationError

# (first age, last age or None for open-ended, label)
AGE_GROUPS = ((15, 29, "15–29 let"), (30, 44, "30–44 let"), (45, 64, "45–64 let"), (65, 79, "65–79 let"),
              (80, None, "80 a více let"))
SIZE_BANDS = ((0, 999, "obce do 999 obyvatel"), (1000, 4999, "obce s 1 000–4 999 obyvateli"),
              (5000, 19999, "obce s 5 000–19 999 obyvateli"), (20000, None, "obce s 20 000 a více obyvateli"))
SEX_LABELS = {"M": "muž", "F": "žena"}
SIZE_YEAR = 2024  # population_totals year = 1 January of that year
DIMENSIONS = {"age_group": "Věková skupina", "sex": "Pohlaví", "size_band": "Velikost obce"}
# Raking order: the last margin is met exactly after every pass, the others to within TOLERANCE
# (weightipy 0.4.2 stops when a pass improves the fit by less than 1 %: it does not hand its
# convcrit on to the raking loop). Sex goes last, where an exact fit is seen most easily.
RAKING_ORDER = ("age_group", "size_band", "sex")
TOLERANCE = 1e-3  # largest accepted gap between a weighted and a target share: 0.1 percentage point


@dataclass(frozen=True)
class WeightingResult:
    """Weights (mean 1) of the respondents, the margins they reproduce and what had to be collapsed."""

    weights: pd.Series
    cells: pd.DataFrame
    margins: pd.DataFrame
    notes: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.weights)

    @property
    def design_effect(self) -> float:
        return kish_design_effect(self.weights)

    @property
    def effective_n(self) -> float:
        return kish_effective_n(self.weights)

    @property
    def weight_range(self) -> tuple[float, float]:
        return float(self.weights.min()), float(self.weights.max())


def kish_design_effect(weights) -> float:
    """Kish's design effect of unequal weights, n·Σw² / (Σw)² (1 = no loss of precision)."""
    w = np.asarray(weights, dtype=float)
    return float(len(w) * (w ** 2).sum() / w.sum() ** 2)


def kish_effective_n(weights) -> float:
    """Kish's effective sample size (Σw)² / Σw²: the n of an unweighted sample of the same precision."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w ** 2).sum()) if len(w) else 0.0


def _label(value: float, groups: tuple) -> str:
    for low, high, label in groups:
        if value >= low and (high is None or value <= high):
            return label
    raise ValueError(f"{value} is outside {groups[0][0]}+")


def compute_obec_size_bands(totals: pd.DataFrame, year: int = SIZE_YEAR) -> pd.Series:
    """Size band (Czech label) of every obec from its population on 1 January of ``year``."""
    rows = totals[totals["year"] == year]
    if rows.empty:
        raise DataMissingError(f"population_totals has no year {year}; rebuild the processed data (`kpss data build`).")
    return rows.set_index("obec_kod")["total"].map(lambda total: _label(total, SIZE_BANDS)).rename("size_band")


def compute_population_margins(age5: pd.DataFrame, totals: pd.DataFrame, territory: pd.DataFrame,
                               orp_code: str, *, size_year: int = SIZE_YEAR) -> pd.DataFrame:
    """Population aged 15+ of the ORP by age group, sex and obec-size band (the raking targets).

    Returns
    -------
    DataFrame
        ``dimension`` (age_group / sex / size_band), ``category`` (Czech label), ``order`` and
        ``population``; every category is listed, also those with no population.
    """
    obce = territory.loc[territory["orp_kod"] == orp_code, "obec_kod"]
    if obce.empty:
        raise DataMissingError(f"ORP {orp_code!r} has no obce in the territory table.")
    people = age5[age5["obec_kod"].isin(obce) & (age5["age_start"] >= AGE_GROUPS[0][0])]
    missing = sorted(set(obce) - set(people["obec_kod"]))
    if missing:
        raise DataMissingError(f"population_age5 lacks obce {', '.join(missing)} of ORP {orp_code}.")
    bands = compute_obec_size_bands(totals, size_year)
    no_band = sorted(set(obce) - set(bands.index))
    if no_band:
        raise DataMissingError(f"population_totals {size_year} lacks obce {', '.join(no_band)} of ORP {orp_code}.")
    people = people.assign(age_group=people["age_start"].map(lambda a: _label(a, AGE_GROUPS)),
                           sex=people["sex"].map(SEX_LABELS), size_band=people["obec_kod"].map(bands))
    orders = {"age_group": [g[2] for g in AGE_GROUPS], "sex": list(SEX_LABELS.values()),
              "size_band": [b[2] for b in SIZE_BANDS]}
    frames = []
    for dimension, categories in orders.items():
        sums = people.groupby(dimension)["population"].sum().reindex(categories, fill_value=0)
        frames.append(pd.DataFrame({"dimension": dimension, "category": categories,
                                    "order": range(len(categories)), "population": sums.to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def compute_weighting_cells(respondents: pd.DataFrame, obec_bands: pd.Series) -> pd.DataFrame:
    """Age group, sex and obec-size band (Czech labels) of every respondent."""
    bands = respondents["obec_kod"].map(obec_bands)
    if bands.isna().any():
        missing = ", ".join(sorted(respondents.loc[bands.isna(), "obec_kod"].unique()))
        raise DataMissingError(f"No population on record for obec {missing}; rebuild the processed data.")
    return pd.DataFrame({"age_group": respondents["vek"].map(lambda a: _label(a, AGE_GROUPS)),
                         "sex": respondents["pohlavi"], "size_band": bands}, index=respondents.index)


def _collapse(margin: pd.DataFrame, counts: pd.Series, dimension: str) -> tuple[dict[str, str], list[str]]:
    """Merge each category without respondents (or population) into its next neighbour, in order.

    Returns the mapping old label → collapsed label and the Czech notes saying what was merged.
    """
    margin = margin.sort_values("order")
    groups = [[c] for c, p in zip(margin["category"], margin["population"]) if p > 0 or counts.get(c, 0) > 0]
    notes = []

    def empty(group: list[str]) -> bool:
        return sum(counts.get(c, 0) for c in group) == 0 or margin.set_index("category").loc[group, "population"].sum() == 0

    while len(groups) > 1 and any(empty(g) for g in groups):
        i = next(i for i, g in enumerate(groups) if empty(g))
        j = i + 1 if i + 1 < len(groups) else i - 1
        notes.append(f"{DIMENSIONS[dimension]}: kategorie „{', '.join(groups[i])}“ nemá v šetření žádného "
                     f"respondenta, pro vážení byla sloučena se sousední kategorií „{', '.join(groups[j])}“.")
        low, high = sorted((i, j))
        groups[low:high + 1] = [groups[low] + groups[high]]
    if len(groups) == 1 and len(margin[margin["population"] > 0]) > 1:
        notes.append(f"{DIMENSIONS[dimension]}: všichni respondenti patří do jedné kategorie, "
                     "podle tohoto znaku proto vážit nelze.")
    return {c: ", ".join(g) for g in groups for c in g}, notes


def compute_weights(respondents: pd.DataFrame, margins: pd.DataFrame, obec_bands: pd.Series) -> WeightingResult:
    """Rake the respondents to the population margins (age group, sex, obec-size band).

    Parameters
    ----------
    respondents
        From :func:`kpss_analysis.analysis.survey_io.read_respondents` (``vek``, ``pohlavi``, ``obec_kod``).
    margins
        From :func:`compute_population_margins`.
    obec_bands
        From :func:`compute_obec_size_bands`.

    Returns
    -------
    WeightingResult
        Weights with mean 1 (index as ``respondents``), collapsed cells and margins, and notes.
    """
    cells = compute_weighting_cells(respondents, obec_bands)
    collapsed_margins, notes, scheme = [], [], {}
    for dimension in DIMENSIONS:
        margin = margins[margins["dimension"] == dimension]
        mapping, dimension_notes = _collapse(margin, cells[dimension].value_counts(), dimension)
        notes += dimension_notes
        cells[dimension] = cells[dimension].map(mapping)
        merged = (margin.assign(category=margin["category"].map(mapping)).dropna(subset=["category"])
                  .groupby("category", sort=False).agg(order=("order", "min"), population=("population", "sum"))
                  .reset_index().assign(dimension=dimension))
        collapsed_margins.append(merged)
        if len(merged) > 1:
            scheme[dimension] = dict(zip(merged["category"], 100 * merged["population"] / merged["population"].sum()))
    margins_out = pd.concat(collapsed_margins, ignore_index=True)[["dimension", "category", "order", "population"]]
    if scheme:
        scheme = {dimension: scheme[dimension] for dimension in RAKING_ORDER if dimension in scheme}
        rim = weightipy.scheme_from_dict(scheme, name="kpss", rim_params={"max_iterations": 2000})
        with contextlib.redirect_stdout(io.StringIO()):  # weightipy prints its progress
            weights = weightipy.weight(cells[list(scheme)].reset_index(drop=True), rim).to_numpy()
        weights = pd.Series(weights / weights.mean(), index=respondents.index, name="weight")
    else:
        weights = pd.Series(1.0, index=respondents.index, name="weight")
    result = WeightingResult(weights, cells, margins_out, tuple(notes))
    _check_margins(result)
    return result


def _check_margins(result: WeightingResult) -> None:
    """Raise when the weighted sample misses a margin: the margins cannot all be met by these respondents."""
    table = compute_sample_vs_population(result)
    gaps = (table["Podíl po vážení (%)"] - table["Podíl v populaci 15+ (%)"]).abs()
    worst = table.loc[gaps.idxmax()]
    if gaps.max() / 100 > TOLERANCE:
        raise DataValidationError(
            f"Raking did not reproduce the population margins: {worst['Znak']} {worst['Kategorie']!r} has "
            f"{worst['Podíl po vážení (%)']:.1f} % after weighting against {worst['Podíl v populaci 15+ (%)']:.1f} % "
            "in the population. The respondents are too few or too unevenly spread over age, sex and obec size "
            "(e.g. all respondents of one obec-size band in one age group); collect more answers there.")


def compute_sample_vs_population(result: WeightingResult) -> pd.DataFrame:
    """Sample vs population 15+ by the weighting characteristics, before and after weighting (Czech headers)."""
    rows = []
    for dimension, label in DIMENSIONS.items():
        margin = result.margins[result.margins["dimension"] == dimension].sort_values("order")
        counts = result.cells[dimension].value_counts()
        weighted = result.weights.groupby(result.cells[dimension]).sum()
        for category, population in zip(margin["category"], margin["population"]):
            rows.append({"Znak": label, "Kategorie": category, "Respondenti": int(counts.get(category, 0)),
                         "Podíl ve vzorku (%)": 100 * counts.get(category, 0) / result.n,
                         "Podíl v populaci 15+ (%)": 100 * population / margin["population"].sum(),
                         "Podíl po vážení (%)": 100 * weighted.get(category, 0.0) / result.weights.sum()})
    return pd.DataFrame(rows)
