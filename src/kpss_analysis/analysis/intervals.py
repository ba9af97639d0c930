"""Confidence intervals, significance flags and funnel limits for comparing ORPs with kraj, ČR and peers.

The methods are those of England's public health profiles (Fingertips; Public Health England, "Technical Guide:
Confidence Intervals", 2018): Wilson score intervals for proportions, Byar's approximation for counts and rates,
and a significance flag that compares an area's interval with the benchmark's point value.

Every function is vectorised: scalars give floats, numpy arrays give arrays, and if any input is a pandas Series
the result is a Series on that Series' index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm
from statsmodels.stats.proportion import proportion_confint

from kpss_analysis.errors import ParameterError

SIGNIFICANCE_LABELS = {
    "higher": "významně vyšší",
    "lower": "významně nižší",
    "similar": "bez významného rozdílu",
    "unknown": "nelze posoudit",
}
"""Czech flags of :func:`compare_to_reference`; ``unknown`` where the interval or the reference is missing."""

INTERVAL_NOTE = (
    "Intervaly spolehlivosti vyjadřují náhodné kolísání počtů událostí (kolik osob je v dané situaci v daném "
    "roce), nikoli výběrovou chybu: údaje nepocházejí z výběrového šetření, ale z úplných počtů za celé území. "
    "Rozdíl je označen jako významný, pokud interval ORP nezahrnuje hodnotu, se kterou se srovnává."
)
"""Sentence for the notes of every table or chart that shows these intervals."""


def _z(confidence: float) -> float:
    """Two-sided normal quantile; validates the confidence level."""
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")
    return float(norm.ppf(0.5 + confidence / 2))


def _series_index(*values: object) -> pd.Index | None:
    """The index of the first Series among the inputs (None if there is none)."""
    return next((v.index for v in values if isinstance(v, pd.Series)), None)


def _as_array(value: object, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if np.any(array < 0):
        raise ParameterError(f"{name} must not be negative")
    return array


def _shape_like(result: np.ndarray, index: pd.Index | None) -> float | np.ndarray | pd.Series:
    """Return a Series on ``index``, a float for a 0-d result, the array otherwise."""
    if index is not None:
        return pd.Series(result, index=index)
    return float(result) if result.ndim == 0 else result


def wilson_interval(successes, n, confidence: float = 0.95):
    """Wilson score interval of a proportion ``successes / n``.

    With p = x / n and z the two-sided normal quantile of ``confidence``::

        (2np + z² ± z·sqrt(z² + 4np(1 − p))) / (2(n + z²))

    i.e. the set of true proportions π for which |p − π| ≤ z·sqrt(π(1 − π)/n) (the score test inverted). It stays
    inside 0–1 and behaves well for 0 and n events. Computed by statsmodels
    (``proportion_confint(method="wilson")``).

    Parameters
    ----------
    successes, n : scalar, array or Series
        Counts of events and of the population at risk. ``n`` may be a float (an effective sample size);
        ``n == 0`` gives NaN.
    confidence : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    tuple
        ``(low, high)`` as proportions 0–1 (floats, arrays or Series like the input).

    References
    ----------
    Wilson EB (1927). Probable inference, the law of succession, and statistical inference. J Am Stat Assoc 22:
    209–212. Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison of seven
    methods. Stat Med 17: 857–872 (method 3).
    """
    _z(confidence)
    index = _series_index(successes, n)
    x, size = _as_array(successes, "successes"), _as_array(n, "n")
    if np.any(x > size):
        raise ParameterError("successes must not exceed n")
    # n == 0 → NaN without division warnings
    low, high = proportion_confint(x, np.where(size > 0, size, np.nan), alpha=1 - confidence, method="wilson")
    return _shape_like(np.asarray(low), index), _shape_like(np.asarray(high), index)


def byar_interval(count, confidence: float = 0.95):
    """Limits of a Poisson count by Byar's approximation.

    With O the observed count and z the two-sided normal quantile of ``confidence``::

        low  = O · (1 − 1/(9O) − z/(3·sqrt(O)))³
        high = (O + 1) · (1 − 1/(9(O + 1)) + z/(3·sqrt(O + 1)))³

    (Breslow & Day 1987, as used by Public Health England / Fingertips). Byar's lower limit is undefined for
    O = 0 and negative for very small counts at high confidence (e.g. O = 1 at 99.8 %); there the exact Poisson
    lower limit χ²(α/2; 2O) / 2 is used instead (0 for O = 0). For O ≥ 10 Byar is within 0.2 % of the exact
    limits at 95 % (PHE Technical Guide).

    Parameters
    ----------
    count : scalar, array or Series
        Observed counts (may be floats, e.g. a monthly average of paid benefits).
    confidence : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    tuple
        ``(low, high)`` limits of the count.

    References
    ----------
    Breslow NE, Day NE (1987). Statistical methods in cancer research, vol. II: The design and analysis of cohort
    studies. Lyon: IARC, p. 69. Public Health England (2018). Technical Guide: Confidence Intervals, Appendix 1.
    """
    z = _z(confidence)
    index = _series_index(count)
    observed = _as_array(count, "count")
    with np.errstate(divide="ignore", invalid="ignore"):
        bracket = 1 - 1 / (9 * observed) - z / (3 * np.sqrt(observed))
        byar_low = observed * bracket**3
    exact_low = chi2.ppf((1 - confidence) / 2, 2 * observed) / 2
    low = np.where((observed > 0) & (bracket > 0), byar_low, np.where(observed > 0, exact_low, 0.0))
    above = observed + 1
    high = above * (1 - 1 / (9 * above) + z / (3 * np.sqrt(above))) ** 3
    low = np.where(np.isnan(observed), np.nan, low)
    return _shape_like(np.asarray(low, dtype=float), index), _shape_like(np.asarray(high, dtype=float), index)


def rate_interval(count, population, per: float = 1000, confidence: float = 0.95):
    """A rate per ``per`` inhabitants with Byar's limits of its count.

    Parameters
    ----------
    count, population : scalar, array or Series
        Events and the population they are counted in; population 0 gives NaN.
    per : float
        Rate base (1000 → per 1 000 inhabitants; 100 → per 100, i.e. percent).
    confidence : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    tuple
        ``(rate, low, high)`` per ``per`` inhabitants.
    """
    if per <= 0:
        raise ParameterError(f"per must be positive, got {per!r}")
    index = _series_index(count, population)
    low, high = byar_interval(np.asarray(count, dtype=float), confidence)
    people = _as_array(population, "population")
    scale = per / np.where(people > 0, people, np.nan)
    observed = np.asarray(count, dtype=float)
    return tuple(_shape_like(np.asarray(v * scale, dtype=float), index) for v in (observed, low, high))


def compare_to_reference(ci_low, ci_high, reference):
    """Flag an area against a benchmark value (Fingertips rule, in Czech).

    "významně vyšší" if the whole interval lies above the reference, "významně nižší" if below, otherwise
    "bez významného rozdílu"; "nelze posoudit" where a limit or the reference is missing. The reference is the
    benchmark's point value (kraj, ČR), not its interval.

    Parameters
    ----------
    ci_low, ci_high : scalar, array or Series
        The area's interval.
    reference : scalar, array or Series
        Benchmark value(s) in the same units.

    Returns
    -------
    str, array or Series
        Labels from :data:`SIGNIFICANCE_LABELS`.
    """
    index = _series_index(ci_low, ci_high, reference)
    low, high, ref = (np.asarray(v, dtype=float) for v in (ci_low, ci_high, reference))
    flags = np.select(
        [np.isnan(low) | np.isnan(high) | np.isnan(ref), low > ref, high < ref],
        [SIGNIFICANCE_LABELS["unknown"], SIGNIFICANCE_LABELS["higher"], SIGNIFICANCE_LABELS["lower"]],
        default=SIGNIFICANCE_LABELS["similar"],
    )
    if index is not None:
        return pd.Series(flags, index=index)
    return str(flags) if flags.ndim == 0 else flags


def funnel_limits(reference_proportion: float, sizes, confidences=(0.95, 0.998)) -> pd.DataFrame:
    """Control limits of a funnel plot of proportions around a reference value.

    For a population of size n the limits are π ± z·sqrt(π(1 − π)/n) around the reference π, clipped to 0–1.
    This is the Wilson score test inverted: an area lies outside the limits exactly when its Wilson interval
    (:func:`wilson_interval`) excludes π, so the funnel and :func:`compare_to_reference` always agree. It is the
    method of PHE's Fingertips funnels (PHEindicatormethods ``phe_funnels``), which give the same values.

    Parameters
    ----------
    reference_proportion : float
        The benchmark proportion (0–1), e.g. ČR's share of people 65+.
    sizes : array-like
        Population sizes (denominators) at which to evaluate the limits, all positive.
    confidences : sequence of float
        Two-sided levels; Fingertips uses 95 % and 99.8 %.

    Returns
    -------
    pandas.DataFrame
        Long table with columns ``size``, ``confidence``, ``low``, ``high`` (proportions 0–1), one row per size and
        confidence, sizes in the given order within each confidence.
    """
    if not 0 <= reference_proportion <= 1:
        raise ParameterError(f"reference_proportion must be between 0 and 1, got {reference_proportion!r}")
    size = np.asarray(sizes, dtype=float).ravel()
    if size.size == 0 or np.any(~(size > 0)):
        raise ParameterError("sizes must be a non-empty list of positive population sizes")
    spread = np.sqrt(reference_proportion * (1 - reference_proportion) / size)
    frames = [
        pd.DataFrame({
            "size": size,
            "confidence": confidence,
            "low": np.clip(reference_proportion - _z(confidence) * spread, 0, 1),
            "high": np.clip(reference_proportion + _z(confidence) * spread, 0, 1),
        })
        for confidence in confidences
    ]
    return pd.concat(frames, ignore_index=True)
