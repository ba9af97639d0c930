"""Intervals and significance flags (kpss_analysis.analysis.intervals).

Published worked examples used:
- Wilson: Newcombe RG (1998), Stat Med 17: 857–872, Table II, method 3 (score interval without continuity
  correction): 81/263 → 0.2553–0.3662, 15/148 → 0.0624–0.1605, 0/20 → 0.0000–0.1611, 1/29 → 0.0061–0.1718.
- Byar: the formula of Breslow & Day (1987, vol. II, p. 69) as written in PHE's "Technical Guide: Confidence
  Intervals" (2018, Appendix 1), evaluated by hand below for O = 65 (the example of PHEindicatormethods'
  ``byars_lower(65)``); and the Guide's statement that at 95 % Byar is within 0.2 % of the exact limits for
  counts of 10 or more, checked against the exact Poisson limits of O = 10, 4.795–18.390 (Daly L (1992), Comput
  Biol Med 22: 351–361, Table 2).
"""

import math

import numpy as np
import pandas as pd
import pytest

from kpss_analysis.analysis.intervals import (
    INTERVAL_NOTE,
    SIGNIFICANCE_LABELS,
    byar_interval,
    compare_to_reference,
    funnel_limits,
    rate_interval,
    wilson_interval,
)
from kpss_analysis.errors import ParameterError

Z95 = 1.959963984540054


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_matches_newcombe_1998(x, n, low, high):
    got = wilson_interval(x, n)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_wilson_formula_by_hand_and_n_events():
    # 29/29: (2n + z² − z·sqrt(z²)) / (2(n + z²)) = 2n / (2(n + z²)) = n / (n + z²)
    low, high = wilson_interval(29, 29)
    assert low == pytest.approx(29 / (29 + Z95**2))
    assert high == pytest.approx(1.0)


def test_wilson_is_vectorised_keeps_the_index_and_gives_nan_for_empty_population():
    low, high = wilson_interval(pd.Series([81, 0, 0], index=["a", "b", "c"]), pd.Series([263, 20, 0], index=["a", "b", "c"]))
    assert list(low.index) == ["a", "b", "c"]
    assert low["a"] == pytest.approx(0.2553, abs=5e-5) and high["b"] == pytest.approx(0.1611, abs=5e-5)
    assert math.isnan(low["c"]) and math.isnan(high["c"])
    arr_low, _ = wilson_interval(np.array([81, 15]), np.array([263.0, 148.0]))
    assert isinstance(arr_low, np.ndarray) and arr_low == pytest.approx([0.2553, 0.0624], abs=5e-5)


def test_wilson_accepts_an_effective_sample_size():
    low, high = wilson_interval(40.5, 100.5)
    assert low < 40.5 / 100.5 < high


def test_wilson_rejects_bad_input():
    with pytest.raises(ParameterError, match="successes must not exceed n"):
        wilson_interval(11, 10)
    with pytest.raises(ParameterError, match="n must not be negative"):
        wilson_interval(0, -1)
    with pytest.raises(ParameterError, match="confidence must be between 0 and 1"):
        wilson_interval(1, 10, confidence=95)


def test_byar_formula_by_hand():
    low, high = byar_interval(65)
    assert low == pytest.approx(65 * (1 - 1 / (9 * 65) - Z95 / (3 * math.sqrt(65))) ** 3)
    assert high == pytest.approx(66 * (1 - 1 / (9 * 66) + Z95 / (3 * math.sqrt(66))) ** 3)
    assert (low, high) == pytest.approx((50.163, 82.849), abs=1e-3)


def test_byar_within_two_per_mille_of_exact_limits_from_ten_events():
    low, high = byar_interval(10)
    assert low == pytest.approx(4.795, rel=2e-3)
    assert high == pytest.approx(18.390, rel=2e-3)


def test_byar_zero_count_and_exact_lower_limit_where_byar_is_negative():
    low, high = byar_interval(0)
    assert low == 0.0
    assert high == pytest.approx((1 - 1 / 9 + Z95 / 3) ** 3)
    # O = 1 at 99.8 %: 1 − 1/9 − 3.09/3 < 0, so the exact lower limit χ²(0.001; 2)/2 = −ln(0.999)
    low, _ = byar_interval(1, confidence=0.998)
    assert low == pytest.approx(-math.log(0.999))


def test_byar_vector_and_series():
    low, high = byar_interval(np.array([0, 65]))
    assert low == pytest.approx([0.0, 50.163], abs=1e-3)
    s_low, _ = byar_interval(pd.Series([65.0], index=["x"]))
    assert s_low.index.tolist() == ["x"]
    with pytest.raises(ParameterError, match="count must not be negative"):
        byar_interval(-1)


def test_rate_interval_scales_byar_limits():
    rate, low, high = rate_interval(65, 10_000, per=1000)
    assert rate == pytest.approx(6.5)
    assert (low, high) == pytest.approx((5.0163, 8.2849), abs=1e-4)
    rate, low, high = rate_interval(pd.Series([65, 0]), pd.Series([10_000, 0]), per=100)
    assert rate[0] == pytest.approx(0.65) and math.isnan(rate[1]) and math.isnan(high[1])
    with pytest.raises(ParameterError, match="per must be positive"):
        rate_interval(1, 10, per=0)


def test_compare_to_reference_vectorised_and_scalar():
    flags = compare_to_reference(
        pd.Series([0.30, 0.10, 0.15, np.nan, 0.20]),
        pd.Series([0.40, 0.20, 0.30, 0.30, 0.25]),
        pd.Series([0.25, 0.25, 0.25, 0.25, 0.20]),
    )
    assert flags.tolist() == [
        "významně vyšší", "významně nižší", "bez významného rozdílu", "nelze posoudit", "bez významného rozdílu",
    ]
    assert compare_to_reference(0.3, 0.4, 0.25) == SIGNIFICANCE_LABELS["higher"]


def test_funnel_limits_agree_with_wilson_flags():
    limits = funnel_limits(0.2, [20, 100], confidences=(0.95, 0.998))
    assert list(limits.columns) == ["size", "confidence", "low", "high"]
    row = limits[(limits["size"] == 100) & (limits["confidence"] == 0.95)].iloc[0]
    assert row["low"] == pytest.approx(0.2 - Z95 * math.sqrt(0.2 * 0.8 / 100))
    # a proportion on the funnel's edge has a Wilson interval that just touches the reference
    _, wilson_high = wilson_interval(row["low"] * 100, 100)
    assert wilson_high == pytest.approx(0.2)
    low_998 = limits[(limits["size"] == 20) & (limits["confidence"] == 0.998)]["low"].iloc[0]
    assert low_998 == 0.0  # clipped at zero


def test_funnel_limits_reject_bad_input():
    with pytest.raises(ParameterError, match="reference_proportion must be between 0 and 1"):
        funnel_limits(20, [100])
    with pytest.raises(ParameterError, match="sizes must be a non-empty list of positive"):
        funnel_limits(0.2, [0, 100])


def test_interval_note_says_random_variation_not_sampling_error():
    assert "náhodné kolísání" in INTERVAL_NOTE and "nikoli výběrovou chybu" in INTERVAL_NOTE
