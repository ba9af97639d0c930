"""Per-process results of national computations, keyed by the content of their inputs.

Every chapter of every ORP starts from the same national tables (all services, all places, all
ORPs' population), so the all-ORP projection or the split of every service among its places is the
same computation each time. :func:`by_content` keeps its last results for as long as the process
lives — a warm kernel keeps them across notebooks and ORPs, as it keeps imported modules — keyed by
a hash of the frames' contents (not their identity: loaders return copies, and a caller may edit
its copy), and hands every caller its own copy.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

Result = TypeVar("Result")


def _buffers(values: pd.Series | pd.Index) -> Iterator[object]:
    """The memory that holds ``values`` in one canonical layout, so that equal contents give equal bytes.

    * numpy data as it is;
    * Arrow data as one unsliced array: chunks combined, a slice compacted (its buffers hold rows
      outside it), no validity bitmap when nothing is missing;
    * a default index (0 … n − 1) as its length;
    * other dtypes (objects, categories) as pandas' hash of every row.
    """
    if isinstance(values, pd.RangeIndex) or (isinstance(values, pd.Index) and values.dtype.kind in "iu"
                                             and np.array_equal(values, np.arange(len(values)))):
        yield repr(("range", len(values))).encode()
    elif isinstance(values.dtype, np.dtype) and values.dtype != object:
        yield np.ascontiguousarray(values.to_numpy())
    elif ((isinstance(values.dtype, pd.ArrowDtype) and not pa.types.is_dictionary(values.dtype.pyarrow_dtype))
          or getattr(values.dtype, "storage", None) == "pyarrow"):  # (a dictionary's buffers omit the dictionary)
        data = pa.array(values.array)
        data = data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data
        data = pa.concat_arrays([data]) if data.offset else data
        validity, *rest = data.buffers()  # a bitmap of no missing values is the same as none
        for buffer in [validity if data.null_count else None, *rest]:
            yield b"-" if buffer is None else buffer
    else:
        yield np.ascontiguousarray(pd.util.hash_array(values.to_numpy()) if isinstance(values, pd.Index)
                                   else pd.util.hash_pandas_object(values, index=False).to_numpy())


def _digest(columns: list[tuple[object, pd.Series]], index: pd.Index) -> str:
    """SHA-256 of the names, dtypes, lengths and memory of ``index`` and ``columns`` (a few ms for 10 MB).

    Every buffer is preceded by its size, so that no two layouts give the same stream of bytes.
    """
    digest = hashlib.sha256()
    for label, values in [(("index", tuple(index.names)), index), *((("column", name), v) for name, v in columns)]:
        digest.update(repr((label, str(values.dtype), len(values))).encode())
        for buffer in _buffers(values):
            view = memoryview(buffer)
            digest.update(view.nbytes.to_bytes(8, "little"))
            digest.update(view)
    return digest.hexdigest()


def fingerprint(value: object) -> object:
    """A hashable stand-in for ``value``: a content hash for frames and series (values, dtypes, names, index),
    the items of mappings, lists and tuples, the value otherwise."""
    if isinstance(value, pd.DataFrame):
        return ("frame", repr(tuple(value.columns.names)),
                _digest([(name, value.iloc[:, i]) for i, name in enumerate(value.columns)], value.index))
    if isinstance(value, pd.Series):
        return ("series", _digest([(value.name, value)], value.index))
    if isinstance(value, Mapping):
        return ("mapping", *sorted(((fingerprint(key), fingerprint(item)) for key, item in value.items()), key=repr))
    if isinstance(value, list | tuple):
        return (type(value).__name__, *map(fingerprint, value))
    return value


def _copy(result: object) -> object:
    if isinstance(result, pd.DataFrame | pd.Series):
        return result.copy()
    if isinstance(result, tuple):
        return tuple(_copy(r) for r in result)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.replace(result, **{field.name: _copy(getattr(result, field.name))
                                              for field in dataclasses.fields(result) if field.init})
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
