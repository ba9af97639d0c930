"""Every path the package uses, in one place.

Defaults follow the repository layout (``data/raw``, ``data/processed``, ``outputs``).
Environment variables override them, so tests, CI and analysts can point the package
elsewhere without touching code:

``KPSS_DATA_DIR``
    Root holding ``raw/`` and ``processed/`` (default: ``<repo>/data``).
``KPSS_OUTPUT_DIR``
    Where ``kpss run`` writes ``<orp_code>-<slug>/`` folders (default: ``<repo>/outputs``).
``KPSS_MIRROR``
    A folder laid out like ``data/raw`` to copy raw files from instead of downloading
    (default: ``../shared/data/raw`` beside the checkout, when it exists).
``KPSS_NOTEBOOKS_DIR``
    The chapter notebooks ``kpss run`` executes (default: ``<repo>/notebooks``).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """Repository root of an editable install; the current directory otherwise."""
    candidate = PACKAGE_DIR.parents[1]
    if (candidate / "pyproject.toml").is_file():
        return candidate
    return Path.cwd()


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else None


def data_dir() -> Path:
    return _env_path("KPSS_DATA_DIR") or project_root() / "data"


def raw_dir() -> Path:
    return data_dir() / "raw"


def processed_dir() -> Path:
    return data_dir() / "processed"


def output_dir() -> Path:
    return _env_path("KPSS_OUTPUT_DIR") or project_root() / "outputs"


def notebooks_dir() -> Path:
    return _env_path("KPSS_NOTEBOOKS_DIR") or project_root() / "notebooks"


def default_mirror() -> Path | None:
    """The mirror named by ``KPSS_MIRROR``, else ``../shared/data/raw`` if it exists."""
    explicit = _env_path("KPSS_MIRROR")
    if explicit is not None:
        return explicit
    beside = project_root().parent / "shared" / "data" / "raw"
    return beside if beside.is_dir() else None


#: Jupyter kernel registered by ``make setup``; notebooks and ``kpss run`` use it.
KERNEL_NAME = "kpss-analysis"

#: The ORPs whose published plans this workbook models: the default of the benchmark and of the end-to-end tests
#: (two in Karlovarský kraj, one each in Jihočeský, Plzeňský and Středočeský, and Praha as the one-ORP kraj).
SEED_ORPS = ("Sokolov", "Ostrov", "Strakonice", "Rokycany", "Příbram", "Praha")

#: Default limit of one notebook cell's run time in seconds (``kpss run --cell-timeout``).
CELL_TIMEOUT = 600
