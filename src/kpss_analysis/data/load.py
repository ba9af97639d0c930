"""Cheap, cached readers of the processed tables. Notebooks read data only through these.

Each loader reads its parquet file once per process (cache keyed by the file path, so a
different ``KPSS_DATA_DIR`` gets its own entry) and returns a copy, so callers may modify
what they get without touching the cache.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from kpss_analysis import config
from kpss_analysis.data.tables import REPORT_NAME, SNAPSHOTS_DIR, TABLES
from kpss_analysis.errors import DamagedFileError, DataMissingError

BOUNDARY_LEVELS = ("obec", "orp", "okres", "kraj")


def _path(name: str, snapshot: str | None = None) -> Path:
    processed = config.processed_dir()
    if not (processed / REPORT_NAME).is_file():
        raise DataMissingError(
            f"Processed data are missing in {processed} (no {REPORT_NAME}). "
            "Run `kpss data fetch` and `kpss data build` (or `make data`) first."
        )
    path = processed / TABLES[name] if snapshot is None else processed / SNAPSHOTS_DIR / snapshot / TABLES[name]
    if not path.is_file():
        raise DataMissingError(f"Processed table {path} is missing. Run `kpss data build` again.")
    return path


@lru_cache(maxsize=64)
def _read(path: Path, geo: bool) -> pd.DataFrame:
    try:
        return gpd.read_parquet(path) if geo else pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError, a truncated file an OSError
        raise DamagedFileError(f"Processed table {path} is damaged ({type(exc).__name__}: {exc}). "
                               "Run `kpss data build` to rebuild the processed data.") from exc


def _load(name: str, geo: bool = False, snapshot: str | None = None) -> pd.DataFrame:
    return _read(_path(name, snapshot), geo).copy()


def load_territory() -> pd.DataFrame:
    """One row per obec: obec → SO ORP → okres → kraj, ČSÚ, RÚIAN, LAU and NUTS codes."""
    return _load("territory")


def load_age5() -> pd.DataFrame:
    """Population by obec × sex (M/F) × five-year group (``age_start``, 85 = 85+), 31. 12. 2020."""
    return _load("age5")


def load_age1() -> pd.DataFrame:
    """Population by single year (``age`` 0–84, 85 = 85+) × sex, obce with 1 000+ people, 31. 12. 2020."""
    return _load("age1")


def load_age1_okres() -> pd.DataFrame:
    """Population by single year (``age`` 0–100, 100 = 100+), both sexes, on 31. 12. 2020.

    ``unit`` is a NUTS/LAU code: ``CZ0`` ČR, ``CZ0xx`` kraje, ``CZ0xxx`` okresy (pre-2021 boundaries).
    """
    return _load("age1_okres")


def load_population_totals() -> pd.DataFrame:
    """Population of every obec by sex on 1 January of each year (``year``), with mean age."""
    return _load("population_totals")


def load_census_orp() -> pd.DataFrame:
    """Census 2021 (SLDB) counts by SO ORP: age, education (15+), marital status."""
    return _load("census_orp")


def load_mos() -> pd.DataFrame:
    """MOS 2024 indicators by obec: migration balance per 1 000, natural increase, unemployment share."""
    return _load("mos_obce")


def load_exclusion() -> pd.DataFrame:
    """Index sociálního vyloučení 2023 per obec: population 15+ / 15–64, ``exekuce``, ``pnb``, ``pnz`` (average
    month of paid benefits), ``ltu`` (job seekers > 6 months), school leavers (per obec only), index and category."""
    return _load("exclusion")


def load_age_2023() -> pd.DataFrame:
    """Broad age groups per obec on 31. 12. 2023 (``age_group`` 0_14 / 15_64 / 65plus, ``population``), derived from
    the index's population 15+ and 15–64 and the obec totals on 1. 1. 2024."""
    return _load("age_2023")


def load_projection() -> pd.DataFrame:
    """ČSÚ national projection (middle variant) on 1 January × single age × sex."""
    return _load("projection")


def load_boundaries(level: str) -> gpd.GeoDataFrame:
    """Polygons of ``level`` (obec, orp, okres, kraj) in EPSG:5514."""
    if level not in BOUNDARY_LEVELS:
        raise ValueError(f"unknown boundary level {level!r}; choose one of {', '.join(BOUNDARY_LEVELS)}")
    return _load(f"boundaries_{level}", geo=True)


def load_services(snapshot: str | None = None) -> pd.DataFrame:
    """One row per registered social service (ended ones excluded), see :mod:`kpss_analysis.data.services_build`.

    ``service_id``, ``name``, provider (``provider_name``, ``provider_ico``), druh
    (``druh_code``, ``druh_name``, ``paragraph``, ``druh_group``), ``date_from``/``date_to``,
    contacts ``web``/``email``/``phone`` (lists of str), ``source`` and ``snapshot``.

    The service loaders read the current register snapshot, or with ``snapshot`` (a ``folder`` of
    :func:`load_register_snapshots`) an older one.
    """
    frame = _load("services", snapshot=snapshot)
    for column in ("web", "email", "phone"):
        frame[column] = frame[column].map(list)  # parquet gives arrays back
    return frame


def load_service_capacities(snapshot: str | None = None) -> pd.DataFrame:
    """Registered capacity per service × ``forma`` × ``capacity_type`` (<NA> where none is registered).

    Each service is counted once here; never sum these over a service's places.
    """
    return _load("service_capacities", snapshot=snapshot)


def load_service_places(snapshot: str | None = None) -> gpd.GeoDataFrame:
    """One row per service × distinct place with RÚIAN address point, obec/ORP/kraj codes, EPSG:5514 point.

    A service without any address has one row with ``place_id`` <NA>.
    """
    return _load("service_places", geo=True, snapshot=snapshot)


def load_service_target_groups(snapshot: str | None = None) -> pd.DataFrame:
    """Target groups (code, name) per service; empty when the source is the mirror's katalog."""
    return _load("service_target_groups", snapshot=snapshot)


def load_service_territory() -> pd.DataFrame:
    """Declared territory (rozšířená působnost: ``level``, ČSÚ ``code``); empty with the katalog."""
    return _load("service_territory")


def load_services_meta() -> dict:
    """Source of the service tables: ``source``, ``snapshot`` (ISO date), ``coverage``, ``citation``."""
    section = load_build_report().get("social_services")
    if section is None:
        raise DataMissingError("The processed data were built without social services. Run `kpss data build` again.")
    return _meta(section)


def _meta(section: dict) -> dict:
    return {key: section[key] for key in ("source", "snapshot", "coverage", "citation")}


def load_register_snapshots() -> list[dict]:
    """Every register snapshot of the build, oldest first: the older ones and the current one (the service tables).

    Each is a dict with ``meta`` (as :func:`load_services_meta`, plus ``folder``: None for the current
    snapshot), ``services``, ``capacities``, ``places`` and ``target_groups`` (the service loaders' frames), as
    :func:`kpss_analysis.analysis.plan_monitoring.compare_register_snapshots` takes them.
    """
    # A build made before older snapshots were kept has no such list: it held the current snapshot only.
    older = [{**_meta(entry), "folder": entry["folder"]} for entry in load_build_report().get("register_snapshots", [])]
    snapshots = [{"meta": meta, "services": load_services(meta["folder"]),
                  "capacities": load_service_capacities(meta["folder"]), "places": load_service_places(meta["folder"]),
                  "target_groups": load_service_target_groups(meta["folder"])}
                 for meta in [*older, {**load_services_meta(), "folder": None}]]
    return sorted(snapshots, key=lambda snapshot: snapshot["meta"]["snapshot"])


def load_build_report() -> dict:
    """The report of the last build: datasets with vintages, row counts and checks."""
    path = config.processed_dir() / REPORT_NAME
    if not path.is_file():
        _path("territory")  # raises the helpful message
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DamagedFileError(f"The build report {path} is damaged ({type(exc).__name__}: {exc}). "
                               "Run `kpss data build` to rebuild the processed data.") from exc
    if not isinstance(report, dict):
        raise DamagedFileError(f"The build report {path} is damaged (not a JSON object). Run `kpss data build`.")
    return report
