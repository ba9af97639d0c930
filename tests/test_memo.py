"""Per-process results keyed by the content of the inputs (kpss_analysis.memo)."""

from __future__ import annotations

import pandas as pd
import pytest

from kpss_analysis import memo

CALLS: list[int] = []


@memo.by_content(maxsize=2)
def _total(frame: pd.DataFrame, column: str, scale: int = 1) -> pd.DataFrame:
    CALLS.append(len(frame))
    return frame.groupby("unit", as_index=False)[column].sum().assign(**{column: lambda f: f[column] * scale})


@pytest.fixture(autouse=True)
def _fresh():
    _total.cache_clear()
    CALLS.clear()


def _frame(values=(1, 2, 3)) -> pd.DataFrame:
    return pd.DataFrame({"unit": ["a", "a", "b"], "population": list(values)})


def test_same_content_is_computed_once_and_each_caller_gets_a_copy():
    first = _total(_frame(), "population")
    first["population"] = 0  # a caller that edits its result does not change the next caller's
    second = _total(_frame(), "population")  # another frame with the same content
    assert CALLS == [3]
    assert second["population"].tolist() == [3, 3]


def test_other_content_arguments_or_columns_are_computed_again():
    _total(_frame(), "population")
    _total(_frame((1, 2, 4)), "population")
    _total(_frame(), "population", scale=2)
    assert len(CALLS) == 3
    renamed = _frame().rename(columns={"population": "people"})
    assert _total(renamed, "people")["people"].tolist() == [3, 3] and len(CALLS) == 4


def test_only_the_latest_results_are_kept():
    for values in ((1, 1, 1), (2, 2, 2), (3, 3, 3)):
        _total(_frame(values), "population")
    _total(_frame((3, 3, 3)), "population")  # kept
    assert len(CALLS) == 3
    _total(_frame((1, 1, 1)), "population")  # the oldest was dropped (maxsize 2)
    assert len(CALLS) == 4


def test_series_and_dtypes_are_part_of_the_key():
    assert memo.fingerprint(pd.Series([1, 2], name="x")) != memo.fingerprint(pd.Series([1, 2], name="y"))
    assert memo.fingerprint(pd.Series([1, 2])) != memo.fingerprint(pd.Series([1.0, 2.0]))
    assert memo.fingerprint(_frame()) == memo.fingerprint(_frame().copy())


def test_index_values_and_column_order_are_part_of_the_key():
    series = pd.Series([1, 2], index=["a", "b"])
    assert memo.fingerprint(series) != memo.fingerprint(series.set_axis(["b", "a"]))
    assert memo.fingerprint(_frame()) != memo.fingerprint(_frame()[["population", "unit"]])
    assert memo.fingerprint(_frame()) == memo.fingerprint(_frame().iloc[::-1].iloc[::-1])


def test_strings_are_keyed_by_content_also_when_sliced_or_missing():
    strings = pd.Series(["a", "bb", "ccc", "bb"], dtype="str")
    assert memo.fingerprint(strings.iloc[1:2].reset_index(drop=True)) \
        == memo.fingerprint(pd.Series(["bb"], dtype="str"))
    assert memo.fingerprint(strings.iloc[1:2].reset_index(drop=True)) \
        != memo.fingerprint(strings.iloc[3:4].reset_index(drop=True).replace("bb", "bc"))
    assert memo.fingerprint(pd.Series(["a", None], dtype="str")) != memo.fingerprint(pd.Series(["a", ""], dtype="str"))
    objects = pd.Series([("x", "y"), ("z",)], dtype=object)
    assert memo.fingerprint(objects) != memo.fingerprint(pd.Series([("x",), ("z",)], dtype=object))


def test_mappings_are_keyed_by_items_and_dataclass_results_are_copied():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Result:
        k: int
        table: pd.DataFrame

    calls = []

    @memo.by_content()
    def weighted(frame: pd.DataFrame, weights: dict[str, float]) -> Result:
        calls.append(1)
        return Result(len(weights), frame.assign(weighted=frame["population"] * weights["population"]))

    first = weighted(_frame(), {"population": 2.0, "other": 1})
    first.table.loc[0, "weighted"] = -1
    second = weighted(_frame(), {"other": 1, "population": 2.0})  # the same items in another order
    assert len(calls) == 1 and second.k == 2 and second.table["weighted"].tolist() == [2.0, 4.0, 6.0]
    weighted(_frame(), {"population": 3.0, "other": 1})
    assert len(calls) == 2


def test_names_are_keyed_by_type_and_index_names_count():
    assert memo.fingerprint(pd.Series([1, 2], name=1)) != memo.fingerprint(pd.Series([1, 2], name="1"))
    assert memo.fingerprint(pd.Series([1, 2], name="None")) != memo.fingerprint(pd.Series([1, 2]))
    named = _frame().set_index("unit")
    assert memo.fingerprint(named) != memo.fingerprint(named.rename_axis("obec"))
    assert memo.fingerprint(named) != memo.fingerprint(named.rename_axis(columns="values"))
    assert memo.fingerprint(named) == memo.fingerprint(_frame().set_index("unit"))
