"""Statistical neighbours and a typology of all 206 ORPs on standardised indicators.

An ORP is compared with the ORPs most like it nationwide (CIPFA-style nearest neighbours, Kolada's "similar
municipalities"), not only with its kraj: indicators of all ORPs are turned into z-scores, the neighbours are the
nearest ORPs by Euclidean distance, and k-means on the same z-scores groups the ORPs into a few types (Wegweiser
Kommune style), each described in Czech from its centroid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from kpss_analysis.analysis.demography import EDUCATION_LABELS, aggregate_by_unit
from kpss_analysis.errors import DataValidationError, ParameterError

INDICATOR_LABELS = {
    "log_population": "Počet obyvatel k 1. 1. 2024 (log10)",
    "share_65plus": "Podíl osob 65+ let (%, 31. 12. 2020)",
    "share_0_14": "Podíl dětí 0–14 let (%, 31. 12. 2020)",
    "population_change": "Změna počtu obyvatel 1. 1. 2014 – 1. 1. 2024 (%)",
    "share_exekuce": "Osoby v exekuci na 100 obyvatel 15+ (31. 12. 2023)",
    "share_pnz": "Vyplacené příspěvky na živobytí na 100 obyvatel 15+ (průměrný měsíc 2023)",
    "share_ltu": "Uchazeči o zaměstnání déle než 6 měsíců na 100 obyvatel 15–64 (prosinec 2023)",
    "share_university": "Podíl vysokoškolsky vzdělaných v populaci 15+ (%, SLDB 2021)",
    "log_mean_obec_size": "Průměrná velikost obce (log10 obyvatel k 1. 1. 2024)",
}
"""Czech labels of the peer indicators computed by :func:`compute_peer_indicators`."""

DEFAULT_INDICATORS = dict.fromkeys(INDICATOR_LABELS, 1.0)
"""Indicator → weight used for neighbours and types by default (issue 15: all nine, equal weights)."""

TYPE_PHRASES = {
    # (text, position): "before" phrases are neuter adjectives in front of "ORP", "noun" ones too but next to it
    # (Czech puts the classifying adjective last: "stárnoucí venkovské ORP"), "after" ones follow "ORP"
    "log_population": {"high": ("lidnaté", "before"), "low": ("méně lidnaté", "before")},
    "share_65plus": {"high": ("nadprůměrně stárnoucí", "before"), "low": ("s mladší věkovou strukturou", "after")},
    "share_0_14": {"high": ("s vysokým podílem dětí", "after"), "low": ("s nízkým podílem dětí", "after")},
    "population_change": {"high": ("rostoucí", "before"), "low": ("vylidňující se", "before")},
    "share_exekuce": {"high": ("s vysokým podílem osob v exekuci", "after"),
                      "low": ("s nízkým podílem osob v exekuci", "after")},
    "share_pnz": {"high": ("s vysokým podílem příjemců dávek v hmotné nouzi", "after"),
                  "low": ("s nízkým podílem příjemců dávek v hmotné nouzi", "after")},
    "share_ltu": {"high": ("s vysokou dlouhodobou nezaměstnaností", "after"),
                  "low": ("s nízkou dlouhodobou nezaměstnaností", "after")},
    "share_university": {"high": ("s vysokým podílem vysokoškoláků", "after"),
                         "low": ("s nízkým podílem vysokoškoláků", "after")},
    "log_mean_obec_size": {"high": ("městské (velké obce)", "noun"), "low": ("venkovské (malé obce)", "noun")},
}
"""Czech phrases per indicator and direction of a type's centroid, used by :func:`describe_type`."""

GENERIC_PHRASES = {
    "high": "s nadprůměrnou hodnotou ukazatele „{label}“",
    "low": "s podprůměrnou hodnotou ukazatele „{label}“",
}
"""Phrases for an indicator an analyst added that has no entry in :data:`TYPE_PHRASES`."""

AVERAGE_TYPE = "ORP bez výrazné odchylky od průměru všech ORP"

EXCLUSION_COLUMNS = ["obec_kod", "population_15plus", "population_15_64", "exekuce", "pnz", "ltu"]
K_RANGE = range(3, 9)


# --------------------------------------------------------------------------- indicators


def _orp_sum(frame: pd.DataFrame, territory: pd.DataFrame, value: str | list[str]) -> pd.DataFrame:
    """Sum obec-level ``value`` column(s) to ORPs of ``territory`` (indexed by orp_kod)."""
    return aggregate_by_unit(frame, territory, "orp", by=[], value=value).set_index("unit")


def _check_exclusion(exclusion: pd.DataFrame, territory: pd.DataFrame) -> None:
    missing = [c for c in EXCLUSION_COLUMNS if c not in exclusion.columns]
    if missing:
        raise DataValidationError(f"exclusion table: missing columns {missing}")
    absent = sorted(set(territory["obec_kod"]) - set(exclusion["obec_kod"]))
    if absent:
        raise DataValidationError(
            f"exclusion table: {len(absent)} obce of the territory table have no row (e.g. {absent[:5]})")
    unknown = sorted(set(exclusion["obec_kod"]) - set(territory["obec_kod"]))
    if unknown:
        raise DataValidationError(
            f"exclusion table: {len(unknown)} obce are not in the territory table (e.g. {unknown[:5]}); "
            "their counts would belong to no ORP")


def compute_peer_indicators(totals: pd.DataFrame, age5: pd.DataFrame, census: pd.DataFrame,
                            exclusion: pd.DataFrame, territory: pd.DataFrame,
                            year: int = 2024, base_year: int = 2014) -> pd.DataFrame:
    """The default peer indicators (:data:`INDICATOR_LABELS`) for every ORP.

    Counts are summed over the obce of each ORP in our hierarchy (``territory``, joined on the obec code, so an obec
    that moved ORP counts where it belongs now) and shares are recomputed from the summed counts.

    Parameters
    ----------
    totals
        Population on 1. 1. per ``year`` × ``obec_kod`` (column ``total``).
    age5
        Population 31. 12. 2020 by ``obec_kod`` × ``sex`` × ``age_start``.
    census
        Census 2021 counts per ``orp_kod`` with the education columns of ``EDUCATION_LABELS``.
    exclusion
        Index sociálního vyloučení 2023, one row per obec: ``obec_kod``, ``population_15plus``,
        ``population_15_64``, ``exekuce``, ``pnz`` (average month), ``ltu`` (job seekers > 6 months).
    territory
        The obec → ORP → kraj table.
    year, base_year
        Years (1. 1.) of the population size and of the start of the population change.

    Returns
    -------
    pandas.DataFrame
        Index ``orp_kod`` (str, sorted), one column per key of :data:`INDICATOR_LABELS`.
    """
    for needed in (year, base_year):
        if needed not in set(totals["year"]):
            raise DataValidationError(f"population totals: no year {needed} (years {sorted(set(totals['year']))})")
    _check_exclusion(exclusion, territory)
    population = _orp_sum(totals[totals["year"] == year], territory, "total")["total"]
    base = _orp_sum(totals[totals["year"] == base_year], territory, "total")["total"]
    age = aggregate_by_unit(age5, territory, "orp", by=["age_start"]).pivot_table(
        index="unit", columns="age_start", values="population", aggfunc="sum")
    all_ages = age.sum(axis=1)
    education = census.set_index("orp_kod")[list(EDUCATION_LABELS)]
    counts = _orp_sum(exclusion, territory, EXCLUSION_COLUMNS[1:])
    n_obce = territory.groupby("orp_kod").size()

    out = pd.DataFrame(index=pd.Index(sorted(territory["orp_kod"].unique()), name="orp_kod"))
    out["log_population"] = np.log10(population)
    out["share_65plus"] = 100 * age.loc[:, age.columns >= 65].sum(axis=1) / all_ages
    out["share_0_14"] = 100 * age.loc[:, age.columns < 15].sum(axis=1) / all_ages
    out["population_change"] = 100 * (population / base - 1)
    out["share_exekuce"] = 100 * counts["exekuce"] / counts["population_15plus"]
    out["share_pnz"] = 100 * counts["pnz"] / counts["population_15plus"]
    out["share_ltu"] = 100 * counts["ltu"] / counts["population_15_64"]
    out["share_university"] = 100 * education["edu_university"] / education.sum(axis=1)
    out["log_mean_obec_size"] = np.log10(population / n_obce)
    _check_complete(out, "peer indicators")
    return out


def _check_complete(table: pd.DataFrame, what: str) -> None:
    for column in table.columns:
        missing = table.index[table[column].isna()].tolist()
        if missing:
            raise DataValidationError(f"{what}: column {column!r} has no value for ORP {missing[:5]}")


# --------------------------------------------------------------------------- z-scores and neighbours


def compute_zscores(indicators: pd.DataFrame) -> pd.DataFrame:
    """Standardise each indicator over the ORPs: (x − mean) / population standard deviation (ddof = 0).

    Parameters
    ----------
    indicators
        Index ORP code (str), one numeric column per indicator, no missing values.

    Returns
    -------
    pandas.DataFrame
        Same shape; each column has mean 0 and population standard deviation 1.
    """
    if indicators.index.has_duplicates:
        duplicated = indicators.index[indicators.index.duplicated()].tolist()
        raise DataValidationError(f"indicators: duplicate ORP codes {duplicated[:5]}")
    _check_complete(indicators, "indicators")
    std = indicators.std(ddof=0)
    constant = std.index[std == 0].tolist()
    if constant:
        raise DataValidationError(
            f"indicators: column(s) {constant} have the same value in every ORP and cannot be standardised; drop them")
    return (indicators - indicators.mean()) / std


def _weights(z: pd.DataFrame, weights: dict[str, float] | pd.Series | None) -> pd.Series:
    """Weights aligned to z's columns (all 1 when None), validated."""
    if weights is None:
        return pd.Series(1.0, index=z.columns)
    weights = pd.Series(weights, dtype=float)
    unknown = sorted(set(weights.index) - set(z.columns))
    missing = [c for c in z.columns if c not in weights.index]
    if unknown or missing:
        raise ParameterError(f"weights: unknown indicators {unknown}, indicators without a weight {missing}")
    if (weights < 0).any() or not (weights > 0).any() or weights.isna().any():
        raise ParameterError(f"weights must be non-negative numbers, at least one positive; got {weights.to_dict()}")
    return weights[z.columns]


def compute_neighbours(z: pd.DataFrame, code: str, n: int = 10,
                       weights: dict[str, float] | pd.Series | None = None) -> pd.DataFrame:
    """The ``n`` ORPs nearest to ``code`` by Euclidean distance of weighted z-scores.

    The distance between ORPs a and b is sqrt(Σ (wᵢ·zₐᵢ − wᵢ·z_bᵢ)²): a weight of 2 counts an indicator's
    difference twice, 0 ignores it. Equal distances are ordered by ORP code, so the list is reproducible.

    Parameters
    ----------
    z
        z-scores from :func:`compute_zscores` (index ORP code).
    code
        ČSÚ code of the ORP whose neighbours are wanted (excluded from the result).
    n
        Number of neighbours, 1 … number of other ORPs.
    weights
        Indicator → weight for every column of ``z``; None for equal weights.

    Returns
    -------
    pandas.DataFrame
        Columns ``orp_kod``, ``distance``, ``rank`` (1 = nearest), nearest first.
    """
    if code not in z.index:
        raise ParameterError(f"ORP code {code!r} is not among the {len(z)} ORPs of the indicator table")
    if not 1 <= n <= len(z) - 1:
        raise ParameterError(f"n must be between 1 and {len(z) - 1}, got {n!r}")
    weighted = z * _weights(z, weights)
    others = weighted.drop(index=code)
    distance = np.sqrt(((others - weighted.loc[code]) ** 2).sum(axis=1))
    # rounding makes ties exact so that they fall back to the code order
    table = pd.DataFrame({"orp_kod": others.index.astype(str), "distance": distance.to_numpy(),
                          "_key": distance.round(12).to_numpy()})
    table = table.sort_values(["_key", "orp_kod"]).head(n).drop(columns="_key").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table


def compute_outlying_indicators(z: pd.DataFrame, code: str, threshold: float = 2.5) -> pd.Series:
    """Indicators on which ORP ``code`` lies ``threshold`` or more standard deviations from the ORPs' mean.

    Returns the z-scores of those indicators, the most extreme first (empty when the ORP is nowhere an outlier).
    """
    if code not in z.index:
        raise ParameterError(f"ORP code {code!r} is not among the {len(z)} ORPs of the indicator table")
    row = z.loc[code]
    outlying = row[row.abs() >= threshold]
    return outlying.reindex(outlying.abs().sort_values(ascending=False).index)


# --------------------------------------------------------------------------- typology


@dataclass(frozen=True)
class Typology:
    """Types of ORPs: ``labels`` (orp_kod → type id 1 … k), ``centroids`` (type id × indicator, mean z-scores),
    ``sizes`` (ORPs per type), ``diagnostics`` (k, silhouette, inertia for every k tried) and the chosen ``k``."""

    k: int
    labels: pd.Series
    centroids: pd.DataFrame
    sizes: pd.Series
    diagnostics: pd.DataFrame


def _kmeans(values: np.ndarray, k: int, seed: int) -> KMeans:
    return KMeans(n_clusters=k, n_init=50, random_state=seed).fit(values)


def compute_typology(z: pd.DataFrame, k: int | None = None, seed: int = 0,
                     weights: dict[str, float] | pd.Series | None = None,
                     k_range: range = K_RANGE) -> Typology:
    """Group the ORPs into types by k-means on (weighted) z-scores.

    With ``k=None`` every k in ``k_range`` is tried and the one with the highest mean silhouette width (how much
    closer each ORP is to its own type than to the next one; Rousseeuw 1987) is chosen. k-means runs 50 times from
    seeded starts (``random_state=seed``), so the result is reproducible. Type ids are numbered by size (largest
    type = 1; equal sizes by the first centroid coordinate), so they do not depend on the algorithm's label order.

    Returns
    -------
    Typology
        Centroids are the mean unweighted z-scores of the type's ORPs.
    """
    weighted = z * _weights(z, weights)
    values = weighted.to_numpy()
    candidates = [k] if k is not None else list(k_range)
    if any(not 2 <= c <= len(z) - 1 for c in candidates):
        raise ParameterError(f"k must be between 2 and {len(z) - 1}, got {candidates}")
    rows, fits = [], {}
    for c in candidates:
        model = _kmeans(values, c, seed)
        fits[c] = model.labels_
        rows.append({"k": c, "silhouette": float(silhouette_score(values, model.labels_)),
                     "inertia": float(model.inertia_)})
    diagnostics = pd.DataFrame(rows)
    chosen = int(diagnostics.loc[diagnostics["silhouette"].idxmax(), "k"]) if k is None else k
    raw = pd.Series(fits[chosen], index=z.index)
    centroids = z.groupby(raw).mean()
    order = sorted(centroids.index, key=lambda t: (-(raw == t).sum(), centroids.loc[t].iloc[0]))
    renumber = {old: new for new, old in enumerate(order, start=1)}
    labels = raw.map(renumber).rename("type_id")
    centroids = centroids.rename(index=renumber).sort_index().rename_axis("type_id")
    sizes = labels.value_counts().sort_index().rename("n_orp")
    return Typology(k=chosen, labels=labels, centroids=centroids, sizes=sizes, diagnostics=diagnostics)


def describe_type(centroid: pd.Series, threshold: float = 0.5, strongest: int = 3) -> str:
    """Czech description of a type from its centroid, e.g. "nadprůměrně stárnoucí venkovské (malé obce) ORP
    s nízkou dlouhodobou nezaměstnaností".

    Uses the ``strongest`` indicators whose centroid z-score is at least ``threshold`` in absolute value, with the
    phrases of :data:`TYPE_PHRASES` (adjectives before "ORP", "s …" phrases after it). The centroid is in
    z-scores, so "high" and "low" mean above and below the mean of all ORPs.
    """
    strong = centroid[centroid.abs() >= threshold]
    strong = strong.reindex(strong.abs().sort_values(ascending=False, kind="stable").index)[:strongest]
    if strong.empty:
        return AVERAGE_TYPE
    parts = {"before": [], "noun": [], "after": []}
    for key, value in strong.items():
        direction = "high" if value > 0 else "low"
        if key in TYPE_PHRASES:
            text, position = TYPE_PHRASES[key][direction]
        else:
            text, position = GENERIC_PHRASES[direction].format(label=INDICATOR_LABELS.get(key, key)), "after"
        parts[position].append(text)
    after = parts["after"]
    tail = ", ".join(after[:-1]) + (" a " if len(after) > 1 else "") + after[-1] if after else ""
    return " ".join([*parts["before"], *parts["noun"], "ORP", tail]).strip()

