"""Comparison of an ORP with its statistical neighbours, its type, its kraj and ČR (chapter 05).

Builds on :mod:`kpss_analysis.analysis.peers` (indicators, z-scores, neighbours, typology) and
:mod:`kpss_analysis.analysis.intervals` (Wilson, Byar, significance flags): the chapter's parameters, the shares an
ORP is compared on with their intervals, the pooled value of the neighbours, the statistics of a Fingertips-style
spine chart, the neighbours' table, the types' table and the neighbours' residential care beds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist
from threadpoolctl import threadpool_limits

from kpss_analysis import memo
from kpss_analysis.analysis import exclusion as excl
from kpss_analysis.analysis.capacity import compute_target_population
from kpss_analysis.analysis.demography import CR_CODE, EDUCATION_LABELS, compute_indicators
from kpss_analysis.analysis.intervals import compare_to_reference, rate_interval, wilson_interval
from kpss_analysis.analysis.labels import czech_columns
from kpss_analysis.analysis.peers import (
    DEFAULT_INDICATORS,
    INDICATOR_LABELS,
    K_RANGE,
    Typology,
    compute_typology,
    describe_type,
)
from kpss_analysis.analysis.services import capacity_by_unit
from kpss_analysis.errors import ParameterError

#: Indicators stored as log10 and shown to a reader in their natural units (label, decimals).
NATURAL_UNITS = {
    "log_population": ("Počet obyvatel k 1. 1. 2024", 0),
    "log_mean_obec_size": ("Průměrná velikost obce (obyvatel k 1. 1. 2024)", 0),
}
#: Decimals of the other indicators in tables.
INDICATOR_DECIMALS = {"share_pnz": 2, "share_ltu": 2}
#: Shares with a count and a denominator, so with an interval: indicator → interval method.
SHARE_METHODS = {
    "share_65plus": excl.WILSON,
    "share_0_14": excl.WILSON,
    "share_exekuce": excl.WILSON,
    "share_pnz": excl.BYAR,
    "share_ltu": excl.WILSON,
    "share_university": excl.WILSON,
}
#: The shares of the exclusion index, by their key in :data:`kpss_analysis.analysis.exclusion.INDICATORS`.
EXCLUSION_SHARES = {"exekuce": "share_exekuce", "pnz": "share_pnz", "ltu": "share_ltu"}
METHOD_LABELS = {excl.WILSON: "Wilson (podíl)", excl.BYAR: "Byar (počet dávek)"}
#: Flag of a spine-chart row without an interval (sizes and changes are not shares of counted people).
NO_INTERVAL = "interval se nepočítá (nejde o podíl)"
REFERENCE_KINDS = {"cr": "Česko", "median": "medián ORP"}
N_TYPES_MAX = 12


# --------------------------------------------------------------------------- parameters


def check_parameters(indicators: object, n_peers: object, n_types: object, n_orp: int = 206) -> dict[str, float]:
    """Validate the chapter's parameters; return the indicator weights in the order of :data:`INDICATOR_LABELS`.

    Parameters
    ----------
    indicators
        Indicator key → weight (a number ≥ 0, at least one positive), keys of :data:`INDICATOR_LABELS`.
    n_peers
        Number of statistical neighbours, 1 … ``n_orp`` − 1.
    n_types
        0 (the number of types chosen by the silhouette width) or a fixed number 2 … :data:`N_TYPES_MAX`.

    Raises
    ------
    ParameterError
        In Czech, naming every wrong parameter and listing the available indicators.
    """
    problems = []
    available = ", ".join(f"{key} ({label})" for key, label in INDICATOR_LABELS.items())
    if not isinstance(indicators, Mapping) or not indicators:
        problems.append(f"indicators musí být neprázdný slovník ukazatel → váha, např. {DEFAULT_INDICATORS}")
    else:
        unknown = [key for key in indicators if key not in INDICATOR_LABELS]
        if unknown:
            problems.append(f"indicators: neznámé ukazatele {unknown}")
        bad = {k: v for k, v in indicators.items()
               if isinstance(v, bool) or not isinstance(v, int | float) or not v >= 0}
        if bad:
            problems.append(f"indicators: váhy musí být čísla ≥ 0, zadáno {bad}")
        elif not any(v > 0 for v in indicators.values()):
            problems.append("indicators: alespoň jedna váha musí být kladná")
    if isinstance(n_peers, bool) or not isinstance(n_peers, int) or not 1 <= n_peers <= n_orp - 1:
        problems.append(f"n_peers musí být celé číslo 1–{n_orp - 1}, zadáno {n_peers!r}")
    if isinstance(n_types, bool) or not isinstance(n_types, int) or not (n_types == 0 or 2 <= n_types <= N_TYPES_MAX):
        problems.append(f"n_types musí být 0 (počet typů podle šířky siluety) nebo celé číslo 2–{N_TYPES_MAX}, "
                        f"zadáno {n_types!r}")
    if problems:
        raise ParameterError("Chybné parametry kapitoly: " + "; ".join(problems)
                             + f". Dostupné ukazatele: {available}.")
    return {key: float(indicators[key]) for key in INDICATOR_LABELS if key in indicators}


# --------------------------------------------------------------------------- shares with intervals


def _census_by_unit(census: pd.DataFrame, territory: pd.DataFrame, level: str) -> pd.DataFrame:
    """Census counts per ORP summed to ``level`` (orp, kraj or cr)."""
    table = census.set_index("orp_kod")[list(EDUCATION_LABELS)]
    if level == "orp":
        return table
    if level == "cr":
        return table.sum().to_frame(CR_CODE).T
    kraj = territory.drop_duplicates("orp_kod").set_index("orp_kod")["kraj_kod"]
    return table.groupby(table.index.map(kraj)).sum()


def _wilson_rows(indicator: str, count: pd.Series, denominator: pd.Series, confidence: float) -> pd.DataFrame:
    low, high = wilson_interval(count, denominator, confidence)
    return pd.DataFrame({"unit": count.index, "indicator": indicator, "count": count.to_numpy(dtype=float),
                         "denominator": denominator.to_numpy(dtype=float),
                         "share": (100 * count / denominator).to_numpy(dtype=float),
                         "ci_low": 100 * np.asarray(low), "ci_high": 100 * np.asarray(high), "method": excl.WILSON})


@memo.by_content()  # every unit of a level: the same for every ORP
def compute_shares(age5: pd.DataFrame, census: pd.DataFrame, exclusion: pd.DataFrame, territory: pd.DataFrame,
                   level: str, confidence: float = 0.95) -> pd.DataFrame:
    """Every share of :data:`SHARE_METHODS` with its interval, for every unit of ``level`` (orp, kraj, cr).

    Shares 65+ and 0–14 are of the population on 31. 12. 2020 (obec age structure), the university share of the
    census 2021 population 15+ (the seven education categories), the exclusion shares as in
    :func:`kpss_analysis.analysis.exclusion.compute_shares` (Wilson for persons, Byar for PnŽ, a count of benefits).
    The same formulas as :func:`kpss_analysis.analysis.peers.compute_peer_indicators`, so an ORP's share here is its
    peer indicator.

    Returns
    -------
    pandas.DataFrame
        Long: ``unit``, ``indicator``, ``count``, ``denominator``, ``share``, ``ci_low``, ``ci_high`` (percent, per 100
        of the denominator) and ``method`` (``wilson`` / ``byar``), indicators in the order of :data:`SHARE_METHODS`.
    """
    ages = compute_indicators(age5, territory, level)
    education = _census_by_unit(census, territory, level)
    shares = excl.compute_shares(excl.compute_exclusion_counts(exclusion, territory, level), confidence)
    shares = shares[shares["indicator"].isin(list(EXCLUSION_SHARES))].assign(
        indicator=lambda f: f["indicator"].map(EXCLUSION_SHARES))
    parts = [
        _wilson_rows("share_65plus", ages["age_65plus"], ages["population"], confidence),
        _wilson_rows("share_0_14", ages["age_0_14"], ages["population"], confidence),
        _wilson_rows("share_university", education["edu_university"], education.sum(axis=1), confidence),
        shares,
    ]
    table = pd.concat(parts, ignore_index=True)
    table["unit"] = table["unit"].astype(str)
    order = {key: i for i, key in enumerate(SHARE_METHODS)}
    return table.sort_values(["indicator", "unit"], key=lambda s: s.map(order) if s.name == "indicator" else s,
                             kind="stable").reset_index(drop=True)


def compute_share_comparison(orp_shares: pd.DataFrame, kraj_shares: pd.DataFrame, cr_shares: pd.DataFrame,
                             code: str, kraj_code: str, peer_codes: Iterable[str],
                             indicators: Iterable[str] | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """The ORP's shares beside its kraj, ČR and its neighbours (pooled), with significance flags.

    The neighbours' value is pooled: the sum of their counts over the sum of their denominators (as if they were one
    territory). The flags follow :func:`~kpss_analysis.analysis.intervals.compare_to_reference`: the ORP's interval
    against the point value of the kraj, ČR and the neighbours.

    Parameters
    ----------
    orp_shares, kraj_shares, cr_shares
        :func:`compute_shares` at the levels orp (all ORPs), kraj and cr.
    code, kraj_code
        The ORP and its kraj.
    peer_codes
        The neighbours' ORP codes.
    indicators
        Shares to include (default: every share of :data:`SHARE_METHODS` in ``orp_shares``); keys that are not
        shares are skipped.

    Returns
    -------
    pandas.DataFrame
        One row per share: ``indicator``, ``label``, ``method`` (``wilson`` / ``byar``), ``count``, ``denominator``, ``value``, ``ci_low``,
        ``ci_high``, ``kraj``, ``cr``, ``peers``, ``vs_kraj``, ``vs_cr``, ``vs_peers``.
    """
    present = set(orp_shares["indicator"])
    keys = [k for k in (indicators or SHARE_METHODS) if k in SHARE_METHODS and k in present]
    own = orp_shares[orp_shares["unit"] == code].set_index("indicator").reindex(keys)
    if own["share"].isna().all():
        raise ParameterError(f"ORP code {code!r} has no shares in the table of ORP shares")
    peers = orp_shares[orp_shares["unit"].isin(list(peer_codes))].groupby("indicator")[["count", "denominator"]].sum()
    table = pd.DataFrame({
        "indicator": keys,
        "label": [INDICATOR_LABELS[k] for k in keys],
        "method": own["method"].to_numpy(),
        "count": own["count"].to_numpy(),
        "denominator": own["denominator"].to_numpy(),
        "value": own["share"].to_numpy(),
        "ci_low": own["ci_low"].to_numpy(),
        "ci_high": own["ci_high"].to_numpy(),
        "kraj": kraj_shares[kraj_shares["unit"] == kraj_code].set_index("indicator")["share"].reindex(keys).to_numpy(),
        "cr": cr_shares.set_index("indicator")["share"].reindex(keys).to_numpy(),
        "peers": (100 * peers["count"] / peers["denominator"]).reindex(keys).to_numpy(),
    })
    for against in ("kraj", "cr", "peers"):
        table[f"vs_{against}"] = compare_to_reference(table["ci_low"], table["ci_high"], table[against])
    return table


COMPARISON_COLUMNS = {
    "label": "Ukazatel", "method_label": "Interval", "value": "SO ORP", "ci_low": "Dolní mez 95% intervalu", "ci_high": "Horní mez 95% intervalu",
    "kraj": "Kraj", "vs_kraj": "Srovnání s krajem", "cr": "Česko", "vs_cr": "Srovnání s Českem",
    "peers": "Podobné ORP (souhrnně)", "vs_peers": "Srovnání s podobnými ORP",
}


def czech_comparison_table(comparison: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """:func:`compute_share_comparison` with Czech headers, and the decimals of each row (indicators differ)."""
    frame = comparison.assign(method_label=comparison["method"].map(METHOD_LABELS))
    return (czech_columns(frame, COMPARISON_COLUMNS, select=True),
            [indicator_decimals(key) for key in comparison["indicator"]])


# --------------------------------------------------------------------------- natural units, neighbours, types


def natural_values(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicators as a reader knows them: log10 columns (:data:`NATURAL_UNITS`) back to inhabitants."""
    return indicators.assign(**{c: 10 ** indicators[c] for c in NATURAL_UNITS if c in indicators})


def indicator_label(key: str) -> str:
    """Czech label of an indicator in natural units."""
    return NATURAL_UNITS[key][0] if key in NATURAL_UNITS else INDICATOR_LABELS[key]


def indicator_decimals(key: str) -> int:
    return NATURAL_UNITS[key][1] if key in NATURAL_UNITS else INDICATOR_DECIMALS.get(key, 1)


def compute_peer_table(indicators: pd.DataFrame, neighbours: pd.DataFrame, code: str,
                       names: pd.DataFrame) -> pd.DataFrame:
    """The ORP (first row, no rank) and its neighbours with distance and the indicators in natural units.

    Parameters
    ----------
    indicators
        Peer indicators of all ORPs (index ORP code), the columns the neighbours were found on.
    neighbours
        :func:`kpss_analysis.analysis.peers.compute_neighbours`.
    names
        ``orp_kod``, ``orp_nazev``, ``kraj_nazev`` per ORP.

    Returns
    -------
    pandas.DataFrame
        ``rank`` (nullable integer, <NA> for the ORP), ``orp_kod``, ``orp_nazev``, ``kraj_nazev``, ``distance``
        and one column per indicator.
    """
    rows = pd.concat([pd.DataFrame({"orp_kod": [code], "distance": [0.0], "rank": [pd.NA]}), neighbours],
                     ignore_index=True)
    values = natural_values(indicators).reindex(rows["orp_kod"]).reset_index(drop=True)
    table = rows.merge(names.drop_duplicates("orp_kod"), on="orp_kod", how="left", validate="one_to_one")
    table["rank"] = table["rank"].astype("Int64")
    return pd.concat([table[["rank", "orp_kod", "orp_nazev", "kraj_nazev", "distance"]], values], axis=1)


PEER_COLUMNS = {"rank": "Pořadí podobnosti", "orp_kod": "Kód ORP", "orp_nazev": "SO ORP", "kraj_nazev": "Kraj",
                "distance": "Vzdálenost (z-skóre)"}


def czech_peer_table(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int | None]]:
    """:func:`compute_peer_table` with Czech headers, and the decimals of its columns for ``out.table``."""
    labels = PEER_COLUMNS | {key: indicator_label(key) for key in table.columns if key in INDICATOR_LABELS}
    decimals = {"Kód ORP": None, "Vzdálenost (z-skóre)": 2} | {
        indicator_label(key): indicator_decimals(key) for key in table.columns if key in INDICATOR_LABELS}
    return czech_columns(table, labels), decimals


def compute_neighbour_benchmark(z: pd.DataFrame, n: int, weights: Mapping[str, float]) -> pd.Series:
    """Distance of every ORP to its ``n``-th nearest neighbour (the scale against which a distance is large).

    Same weighted Euclidean distance as :func:`kpss_analysis.analysis.peers.compute_neighbours`.
    """
    weighted = (z * pd.Series(weights)[z.columns]).to_numpy()
    distances = np.sort(cdist(weighted, weighted), axis=1)  # column 0 is the ORP itself
    return pd.Series(distances[:, n], index=z.index, name="distance")


@memo.by_content()  # all ORPs: the same for every ORP of a batch
def compute_types(z: pd.DataFrame, n_types: int, weights: Mapping[str, float], seed: int = 0) -> Typology:
    """:func:`kpss_analysis.analysis.peers.compute_typology` with ``n_types`` 0 meaning "chosen by silhouette".

    k-means on 206 rows runs about ten times faster on one thread than with OpenMP's threads (the threads cost
    more than the work), with the same result, so it runs on one.
    """
    with threadpool_limits(limits=1):
        return compute_typology(z, k=n_types or None, seed=seed, weights=dict(weights), k_range=K_RANGE)


def compute_type_table(typology: Typology, indicators: pd.DataFrame, z: pd.DataFrame, names: pd.Series,
                       examples: int = 3) -> pd.DataFrame:
    """Each type: id, Czech description, number of ORPs, its most typical ORPs and its members' median indicators.

    The typical ORPs are those nearest to the type's centroid (unweighted z-scores); the medians are of the natural
    values of the type's ORPs (a median, so that Praha does not make its type look like a city of millions).

    Returns
    -------
    pandas.DataFrame
        ``type_id``, ``label``, ``n_orp``, ``examples`` (names joined by ", ") and one column per indicator.
    """
    rows = []
    medians = natural_values(indicators).groupby(typology.labels).median()
    for type_id, centroid in typology.centroids.iterrows():
        members = z[typology.labels == type_id]
        nearest = np.sqrt(((members - centroid) ** 2).sum(axis=1)).sort_values(kind="stable").index[:examples]
        rows.append({"type_id": type_id, "label": describe_type(centroid), "n_orp": int(typology.sizes[type_id]),
                     "examples": ", ".join(names[c] for c in nearest), **medians.loc[type_id].to_dict()})
    return pd.DataFrame(rows)


TYPE_COLUMNS = {"type_id": "Typ", "label": "Popis typu", "n_orp": "Počet ORP", "examples": "Nejtypičtější ORP"}


def czech_type_table(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int | None]]:
    """:func:`compute_type_table` with Czech headers (median values of the members), and its decimals."""
    indicators = [c for c in table.columns if c in INDICATOR_LABELS]
    labels = TYPE_COLUMNS | {key: f"{indicator_label(key)} – medián ORP typu" for key in indicators}
    decimals = {"Typ": 0, "Počet ORP": 0} | {labels[key]: indicator_decimals(key) for key in indicators}
    return czech_columns(table, labels), decimals


SILHOUETTE_COLUMNS = {"k": "Počet typů k", "silhouette": "Průměrná šířka siluety",
                      "inertia": "Součet čtverců odchylek uvnitř typů"}


def czech_silhouette_table(typology: Typology) -> pd.DataFrame:
    """The k tried with their silhouette width and within-type sum of squares, Czech headers, chosen k marked."""
    table = czech_columns(typology.diagnostics, SILHOUETTE_COLUMNS)
    table["Zvoleno"] = np.where(typology.diagnostics["k"] == typology.k, "ano", "")
    return table


# --------------------------------------------------------------------------- spine chart


def compute_spine(indicators: pd.DataFrame, code: str, comparison: pd.DataFrame) -> pd.DataFrame:
    """Statistics of a spine chart (Fingertips style) of an ORP's indicators among all ORPs.

    Per indicator: the ORPs' minimum, quartiles (25 %, 50 %, 75 %) and maximum, the ORP's value, the reference (ČR for
    a share, whose interval gives the flag; the median ORP otherwise, without a flag) and the positions scaled so that
    the reference is 0 and the ORP farthest from it is at ±1: x' = (x − reference) / max(|min − reference|,
    |max − reference|). Log indicators are taken as logs (so the population's scale is not dominated by Praha).

    Parameters
    ----------
    indicators
        Peer indicators of all ORPs (index ORP code).
    code
        The ORP.
    comparison
        :func:`compute_share_comparison` of the ORP (its ``cr`` and ``vs_cr`` are used).

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``label``, ``decimals``, ``orp``, ``reference``, ``reference_kind``, ``flag``, ``min``,
        ``q25``, ``median``, ``q75``, ``max`` (natural units) and ``pos_<column>`` for ``orp``, ``min``, ``q25``,
        ``median``, ``q75``, ``max`` (scaled).
    """
    shares = comparison.set_index("indicator")
    rows = []
    for key in indicators.columns:
        values = indicators[key]
        stats = {"min": values.min(), "q25": values.quantile(0.25), "median": values.median(),
                 "q75": values.quantile(0.75), "max": values.max(), "orp": values[code]}
        if key in shares.index:
            reference, kind, flag = shares.loc[key, "cr"], "cr", shares.loc[key, "vs_cr"]
        else:
            reference, kind, flag = stats["median"], "median", NO_INTERVAL
        half = max(abs(stats["min"] - reference), abs(stats["max"] - reference)) or 1.0
        row = {"indicator": key, "label": indicator_label(key), "decimals": indicator_decimals(key),
               "reference_kind": REFERENCE_KINDS[kind], "flag": flag}
        to_natural = (lambda v: 10 ** v) if key in NATURAL_UNITS else (lambda v: v)
        row |= {name: to_natural(value) for name, value in [*stats.items(), ("reference", reference)]}
        row |= {f"pos_{name}": (value - reference) / half for name, value in stats.items()}
        rows.append(row)
    return pd.DataFrame(rows)


SPINE_COLUMNS = {"label": "Ukazatel", "orp": "SO ORP", "reference": "Srovnávací hodnota",
                 "reference_kind": "Srovnává se s", "flag": "Srovnání (95 %)", "min": "Minimum ORP",
                 "q25": "Dolní kvartil ORP", "median": "Medián ORP", "q75": "Horní kvartil ORP",
                 "max": "Maximum ORP"}


def czech_spine_table(spine: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """The spine chart's values with Czech headers and the decimals of each row (indicators differ)."""
    return czech_columns(spine, SPINE_COLUMNS, select=True), spine["decimals"].astype(int).tolist()


# --------------------------------------------------------------------------- services of the neighbours


def compute_peer_capacity(attribution: pd.DataFrame, age5: pd.DataFrame, territory: pd.DataFrame,
                          peer_table: pd.DataFrame, target: pd.Series, reference: float,
                          confidence: float = 0.95) -> pd.DataFrame:
    """Capacity per 1 000 people of a target population for the ORP and its neighbours, with Byar intervals.

    Parameters
    ----------
    attribution
        ORP-level :func:`kpss_analysis.analysis.services.compute_attribution`.
    peer_table
        :func:`compute_peer_table` (``rank``, ``orp_kod``, ``orp_nazev``; the ORP first).
    target
        A row of :func:`kpss_analysis.analysis.capacity.load_target_populations` (``druh_codes``,
        ``capacity_type``, ``age_from``).
    reference
        The ČR value per 1 000 (e.g. ``ratio_cr`` of :func:`kpss_analysis.analysis.capacity.compute_capacity_ratios`).

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``orp_kod``, ``orp_nazev``, ``capacity``, ``population``, ``value``, ``ci_low``, ``ci_high``
        (per 1 000) and ``vs_cr``, in the order of ``peer_table``.
    """
    codes = peer_table["orp_kod"]
    capacity = capacity_by_unit(attribution, target["druh_codes"], target["capacity_type"])
    population = compute_target_population(age5, territory, "orp", int(target["age_from"]))
    table = peer_table[["rank", "orp_kod", "orp_nazev"]].assign(
        capacity=codes.map(capacity).fillna(0.0), population=codes.map(population))
    value, low, high = rate_interval(table["capacity"], table["population"], per=1000, confidence=confidence)
    table = table.assign(value=value, ci_low=low, ci_high=high)
    table["vs_cr"] = compare_to_reference(table["ci_low"], table["ci_high"], reference)
    return table


CAPACITY_COLUMNS = {"rank": "Pořadí podobnosti", "orp_nazev": "SO ORP", "capacity": "Lůžka DS a DZR",
                    "population": "Obyvatelé 75+ (31. 12. 2020)", "value": "Lůžka na 1 000 obyvatel 75+",
                    "ci_low": "Dolní mez 95% intervalu", "ci_high": "Horní mez 95% intervalu",
                    "vs_cr": "Srovnání s Českem"}


def czech_capacity_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`compute_peer_capacity` with Czech headers (the columns name DS + DZR beds and people 75+)."""
    return czech_columns(table, CAPACITY_COLUMNS, select=True)


# --------------------------------------------------------------------------- funnel plot


def compute_funnel_points(orp_shares: pd.DataFrame, indicator: str, reference: float,
                          confidences: tuple[float, ...] = (0.95, 0.998)) -> pd.DataFrame:
    """Every ORP's share (a Wilson proportion) with whether it lies outside the funnel limits around ``reference``.

    An ORP is outside the limits of a confidence level exactly when its Wilson interval at that level excludes the
    reference (:func:`kpss_analysis.analysis.intervals.funnel_limits`).

    Returns
    -------
    pandas.DataFrame
        ``orp_kod``, ``count``, ``denominator``, ``share`` (percent) and ``outside_<level>`` (bool) per confidence,
        e.g. ``outside_95`` and ``outside_99.8``.
    """
    if SHARE_METHODS.get(indicator) != excl.WILSON:
        wilson = [k for k, m in SHARE_METHODS.items() if m == excl.WILSON]
        raise ParameterError(f"a funnel plot needs a proportion with a Wilson interval ({wilson}), got {indicator!r}")
    rows = orp_shares[orp_shares["indicator"] == indicator]
    table = rows[["unit", "count", "denominator", "share"]].rename(columns={"unit": "orp_kod"}).reset_index(drop=True)
    for confidence in confidences:
        low, high = wilson_interval(table["count"], table["denominator"], confidence)
        table[f"outside_{confidence_label(confidence)}"] = (100 * low > reference) | (100 * high < reference)
    return table


def funnel_sizes(points: pd.DataFrame, n: int = 200) -> np.ndarray:
    """Denominators from below the smallest to above the largest ORP, evenly on a log scale, to draw the limits."""
    return np.geomspace(0.8 * points["denominator"].min(), 1.25 * points["denominator"].max(), n)


def confidence_label(confidence: float) -> str:
    """0.95 → "95", 0.998 → "99.8" (column suffixes and legend texts)."""
    return f"{100 * confidence:g}"
