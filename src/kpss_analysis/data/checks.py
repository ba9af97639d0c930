"""Checks every parser uses: a failure while reading a raw file names the file and what to do.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from kpss_analysis.data.registry import get_dataset
from kpss_analysis.errors import DataMissingError, DataValidationError


@contextmanager
def reading(path: Path):
    """Turn any failure while parsing ``path`` into a DataValidationError that names it."""
    if not path.is_file():
        raise DataMissingError(f"Raw file {path} is missing. Run `kpss data fetch` first.")
    try:
        yield
    except DataValidationError:
        raise
    except Exception as exc:  # a corrupt or unexpected file: tell the user which one
        raise DataValidationError(
            f"Cannot read raw file {path}: {type(exc).__name__}: {str(exc).rstrip('.')}. "
            "The file is corrupt or not in the publisher's format; re-fetch it with "
            "`kpss data fetch --force`."
        ) from exc


def check(condition: bool, path: Path, message: str) -> None:
    if not condition:
        raise DataValidationError(f"{path}: {message}")


def raw_path(raw: Path, key: str, index: int = 0) -> Path:
    return raw / get_dataset(key).files[index].path
