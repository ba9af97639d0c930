"""Checks every parser uses: a failure while reading a raw file names the file and what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from kpss_analysis.data.registry import DATASETS, get_dataset
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


# --------------------------------------------------------------------------- raw files against the registry

#: In ``data/raw``: the newer releases ``kpss data fetch`` downloaded (path → size, sha256, source),
#: which the build accepts instead of the pinned copy and validates by their content.
NEWER_RELEASES = "newer_releases.json"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks so large files do not need to fit in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def newer_releases(raw: Path) -> dict[str, dict]:
    """The record of newer releases in ``raw`` (empty when there is none or it is unreadable)."""
    try:
        record = json.loads((raw / NEWER_RELEASES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def record_release(raw: Path, relative: str, source: str | None) -> None:
    """Note that ``raw/relative`` is a newer release from ``source``, or (``source`` None) that it is not."""
    record = newer_releases(raw)
    record.pop(relative, None)
    path = raw / relative
    if source is not None:
        record[relative] = {"size": path.stat().st_size, "sha256": sha256_of(path), "source": source}
    target = raw / NEWER_RELEASES
    if not record and not target.exists():
        return
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)


def verify_raw_files(raw: Path) -> list[str]:
    """Check every pinned raw file before parsing: present, and the pinned copy or a recorded newer release.

    Returns
    -------
    list of str
        Paths (relative to ``raw``) of newer releases, which the parsers validate by content.

    Raises
    ------
    DataMissingError
        Pinned files are missing (all are named).
    DataValidationError
        A pinned file differs from the registry's size and SHA-256 and is no recorded newer
        release: it is damaged or was edited. The message names it and the command restoring it.
    """
    pinned = [(dataset.key, file) for dataset in DATASETS for file in dataset.files if file.pinned]
    missing = [(key, file.path) for key, file in pinned if not (raw / file.path).is_file()]
    if missing:
        keys = " ".join(dict.fromkeys(key for key, _ in missing))
        listed = ", ".join(path for _, path in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise DataMissingError(f"Raw files missing in {raw}: {listed}. "
                               f"Run `kpss data fetch --only {keys}` (or `kpss data fetch`) to restore them.")
    releases = newer_releases(raw)
    newer, damaged = [], []
    for key, file in pinned:
        path = raw / file.path
        size = path.stat().st_size
        if size == file.size and sha256_of(path) == file.sha256:
            continue
        release = releases.get(file.path, {})
        if release.get("size") == size and release.get("sha256") == sha256_of(path):
            newer.append(file.path)
            continue
        damaged.append((key, f"{path} ({size} bytes; the registry pins {file.size} bytes and its SHA-256)"))
    if damaged:
        keys = " ".join(dict.fromkeys(key for key, _ in damaged))
        raise DataValidationError(
            f"Raw file {'; '.join(text for _, text in damaged)} differs from the copy the registry pins: it is "
            f"damaged or was changed. `kpss data fetch --force --only {keys}` restores it.")
    return newer


def numeric(frame: pd.DataFrame, columns: list, path: Path, *, first_row: int) -> pd.DataFrame:
    """``frame`` with ``columns`` as numbers; a cell holding something else is an error naming it.

    ``first_row`` is the file's row number of index label 0 (2 for a CSV with one header line,
    1 for a sheet read without header), so the message points at the cell to look at. Empty
    cells stay missing (NaN); the parsers' totals decide whether that is allowed.
    """
    out = frame.copy()
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        text = frame[column].astype(str).str.strip()
        bad = values.isna() & frame[column].notna() & (text != "") & (text.str.lower() != "nan")
        if bad.any():
            label = bad[bad].index[0]
            raise DataValidationError(f"{path}: column {column!r}, row {first_row + int(label)}: "
                                      f"{frame.at[label, column]!r} is not a number. The file is damaged or was "
                                      "edited; `kpss data fetch --force` restores the published copy.")
        out[column] = values
    return out
