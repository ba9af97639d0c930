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
``KPSS_FIGURE_FORMATS``
    The files every figure is saved as: ``png`` (default: the standalone PNG and the bare PNG of the
    Word documents) or ``png,svg`` (also SVG, for print or a graphic designer; ``kpss run --formats``).
"""

from __future__ import annotations

import os
from pathlib import Path

from kpss_analysis.errors import ParameterError

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


#: Figure formats a run can write (:func:`figure_formats`); PNG always, as the Word documents need it.
FIGURE_FORMATS = ("png", "svg")


def figure_formats() -> tuple[str, ...]:
    """The formats named by ``KPSS_FIGURE_FORMATS`` (default ``png``), in :data:`FIGURE_FORMATS` order.

    Raises :class:`~kpss_analysis.errors.ParameterError` for an unknown format.
    """
    return parse_figure_formats(os.environ.get("KPSS_FIGURE_FORMATS", "") or "png")


def parse_figure_formats(text: str) -> tuple[str, ...]:
    """``"png,svg"`` → ``("png", "svg")``; PNG is always included; unknown names are refused."""
    names = {name.strip().lower() for name in text.split(",") if name.strip()}
    unknown = sorted(names - set(FIGURE_FORMATS))
    if unknown:
        raise ParameterError(f"Neznámý formát obrázků {', '.join(unknown)!s}: lze {', '.join(FIGURE_FORMATS)} "
                             f"(např. --formats png,svg).")
    return tuple(name for name in FIGURE_FORMATS if name in names | {"png"})


#: Jupyter kernel registered by ``make setup``; notebooks and ``kpss run`` use it.
KERNEL_NAME = "kpss-analysis"

#: The ORPs whose published plans this workbook models: the default of the benchmark and of the end-to-end tests
#: (two in Karlovarský kraj, one each in Jihočeský, Plzeňský and Středočeský, and Praha as the one-ORP kraj).
SEED_ORPS = ("Sokolov", "Ostrov", "Strakonice", "Rokycany", "Příbram", "Praha")

#: Default limit of one notebook cell's run time in seconds (``kpss run --cell-timeout``).
CELL_TIMEOUT = 600
