"""Per-process results of national computations, keyed by the content of their inputs.

Every chapter of every ORP starts from the same national tables (all services, all places, all
ORPs' population), so the all-ORP projection or the split of every service among its places is the
same computation each time. :func:`by_content` keeps its last results for as long as the process
lives — a warm kernel keeps them across notebooks and ORPs, as it keeps imported modules — keyed by
a hash of the frames' contents (not their identity: loaders return copies, and a caller may edit
its copy), and hands every caller its own copy.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import pandas as pd

Result = TypeVar("Result")


def fingerprint(value: object) -> object:
    """A hashable stand-in for ``value``: a content hash for frames and series, the value otherwise."""
    if isinstance(value, pd.DataFrame):
        return ("frame", tuple(map(str, value.columns)), tuple(map(str, value.dtypes)),
                int(pd.util.hash_pandas_object(value, index=False).sum()), len(value))
    if isinstance(value, pd.Series):
        return ("series", str(value.name), str(value.dtype), int(pd.util.hash_pandas_object(value, index=False).sum()),
                len(value))
    if isinstance(value, list | tuple):
        return (type(value).__name__, *map(fingerprint, value))
    return value


def _copy(result: object) -> object:
    if isinstance(result, pd.DataFrame | pd.Series):
        return result.copy()
    if isinstance(result, tuple):
        return tuple(_copy(r) for r in result)
    return result


def by_content(maxsize: int = 4) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Decorate a pure function of frames (and hashable values) to keep its ``maxsize`` latest results.

    The wrapped function gets ``cache_clear()``; a test can call it to measure the uncached path.
    """
    def decorate(function: Callable[..., Result]) -> Callable[..., Result]:
        results: OrderedDict[object, Result] = OrderedDict()

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            key = (fingerprint(args), fingerprint(tuple(sorted(kwargs.items()))))
            if key in results:
                results.move_to_end(key)
            else:
                results[key] = function(*args, **kwargs)
                while len(results) > maxsize:
                    results.popitem(last=False)
            return _copy(results[key])

        wrapper.cache_clear = results.clear
        return wrapper
    return decorate
