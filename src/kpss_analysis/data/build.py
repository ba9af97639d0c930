"""Build: parse the publishers' raw files into tidy national tables in ``data/processed``.

Every parser (:mod:`kpss_analysis.data.parsers`) validates what it reads (row counts, sums, code lists) and raises
:class:`~kpss_analysis.errors.DataValidationError` naming the raw file when something does not look like the
publisher's format. Before any parsing, every pinned raw file is checked against the registry's size and SHA-256
(:func:`~kpss_analysis.data.checks.verify_raw_files`): a missing or damaged file stops the build at once, naming it.
All tables are written to a new folder beside ``processed`` that replaces it with two renames only when every step
has succeeded, so a failed build never touches an earlier good build and a reader finds either the old or the new
one. A lock (:mod:`kpss_analysis.locks`) keeps two builds from writing the same folder.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from kpss_analysis import __version__, config
from kpss_analysis.data.checks import raw_path, verify_raw_files
from kpss_analysis.data.derive import derive_age_broad_2023
from kpss_analysis.data.parsers.boundaries import parse_boundaries
from kpss_analysis.data.parsers.czso import (
    parse_age1_okres,
    parse_age_structure,
    parse_census,
    parse_mos,
    parse_population_totals,
    parse_projection,
    parse_territory,
)
from kpss_analysis.data.parsers.exclusion import parse_exclusion
from kpss_analysis.data.registry import DATASETS
from kpss_analysis.data.services_build import build_services, find_register_files
from kpss_analysis.data.tables import REPORT_NAME, SNAPSHOT_TABLES, SNAPSHOTS_DIR, TABLES
from kpss_analysis.errors import DataMissingError
from kpss_analysis.locks import exclusive, remove_leftovers, replace_folder


def _file_fingerprint(raw: Path) -> dict[str, dict]:
    out = {}
    for dataset in DATASETS:
        for raw_file in dataset.files:
            path = raw / raw_file.path
            stat = path.stat() if path.exists() else None
            out[raw_file.path] = {"size": stat.st_size if stat else None}
    return out


def build_all(raw: Path | None = None, processed: Path | None = None,
              log: Callable[[str], None] = print) -> dict:
    """Parse every raw dataset, validate, and write the processed tables atomically.

    Parameters
    ----------
    raw, processed
        Folders; default to :func:`config.raw_dir` and :func:`config.processed_dir`.
    log
        Receives one line per finished step (the CLI prints them).

    Returns
    -------
    dict
        The build report, also written as ``build_report.json``.
    """
    raw = Path(raw or config.raw_dir())
    processed = Path(processed or config.processed_dir())
    if not raw.is_dir():
        raise DataMissingError(f"Raw data folder {raw} does not exist. Run `kpss data fetch` first.")
    with exclusive([processed], "kpss data build"):
        remove_leftovers(processed)  # staging folders of killed builds
        for stale in processed.glob(".staging-*"):  # the same, from builds before the whole-folder swap
            shutil.rmtree(stale, ignore_errors=True)
        return _build(raw, processed, log)


def _build(raw: Path, processed: Path, log: Callable[[str], None]) -> dict:
    started = time.perf_counter()
    newer = verify_raw_files(raw)
    tables: dict[str, pd.DataFrame] = {}

    def step(name: str, func: Callable[[], object]):
        t0 = time.perf_counter()
        result = func()
        log(f"  {name:<28} {time.perf_counter() - t0:5.1f} s")
        return result

    territory = step("territory", lambda: parse_territory(raw))
    tables["territory"] = territory
    tables["age5"], tables["age1"] = step("age structure 31.12.2020", lambda: parse_age_structure(raw, territory))
    tables["age1_okres"] = step("single years, okresy 2020",
                                lambda: parse_age1_okres(raw_path(raw, "age1_okres"), territory))
    tables["population_totals"], unassigned = step(
        "population 1.1.2004–2024", lambda: parse_population_totals(raw, territory))
    tables["census_orp"] = step("census 2021 (ORP)", lambda: parse_census(raw, territory))
    tables["mos_obce"] = step("MOS 2024 (obce)", lambda: parse_mos(raw, territory))
    tables["exclusion"] = step("index soc. vyloučení 2023",
                               lambda: parse_exclusion(raw_path(raw, "exclusion"), territory))
    tables["age_2023"] = step("age groups 31.12.2023", lambda: derive_age_broad_2023(
        tables["exclusion"], tables["population_totals"].query("year == 2024")))
    tables["projection"] = step("projection ČR", lambda: parse_projection(raw))
    boundaries = step("boundaries", lambda: parse_boundaries(raw, territory))
    for level, frame in boundaries.items():
        tables[f"boundaries_{level}"] = frame
    *older, current = find_register_files(raw)
    services, services_report = step("social services", lambda: build_services(raw, territory, current))
    tables.update(services)
    snapshots, snapshot_reports = {}, []
    for register in older:
        snapshot, snapshot_report = step(f"register {register.snapshot} ({register.source})",
                                         lambda register=register: build_services(raw, territory, register))
        snapshots[register.folder] = {name: snapshot[name] for name in SNAPSHOT_TABLES}
        snapshot_reports.append({"folder": register.folder, **snapshot_report})

    report = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "package_version": __version__,
        "raw_dir": str(raw),
        "datasets": {
            d.key: {"title": d.title, "publisher": d.publisher, "vintage": d.vintage, "page": d.page,
                    "files": [f.path for f in d.files]}
            for d in DATASETS
        },
        "rows": {name: int(len(frame)) for name, frame in tables.items()},
        "checks": {
            "obce": int(territory["obec_kod"].nunique()),
            "orp": int(territory["orp_kod"].nunique()),
            "okresy": int(territory["okres_kod"].nunique()),
            "kraje": int(territory["kraj_kod"].nunique()),
            "population_2020_12_31": int(tables["age5"]["population"].sum()),
            "population_1_1": {
                str(y): int(g["total"].sum()) for y, g in tables["population_totals"].groupby("year")
            },
            "unassigned_obce_by_year": unassigned,
        },
        "social_services": services_report,
        "register_snapshots": snapshot_reports,
        "raw_files": _file_fingerprint(raw),
        "newer_releases": newer,
        "seconds": round(time.perf_counter() - started, 1),
    }
    write_build(processed, tables, report, snapshots)
    return report


def write_build(processed: Path, tables: dict[str, pd.DataFrame], report: dict,
                snapshots: Mapping[str, Mapping[str, pd.DataFrame]] | None = None) -> None:
    """Write every table into a sibling staging folder, then swap the whole folder in with two renames.

    ``snapshots`` (folder → tables) are the older register snapshots, written under :data:`SNAPSHOTS_DIR`.
    Files of the old folder that are not tables (README, .gitkeep) are carried over; its older snapshots are not
    (the new build lists every snapshot in data/raw). If the second rename fails, the old folder is put back.
    """
    staging = processed.with_name(f".{processed.name}.{secrets.token_hex(4)}.partial")
    staging.mkdir(parents=True)
    try:
        for name, frame in tables.items():
            frame.to_parquet(staging / TABLES[name], index=False)
        for folder, snapshot in (snapshots or {}).items():
            (staging / SNAPSHOTS_DIR / folder).mkdir(parents=True)
            for name, frame in snapshot.items():
                frame.to_parquet(staging / SNAPSHOTS_DIR / folder / TABLES[name], index=False)
        (staging / REPORT_NAME).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        built = {*TABLES.values(), REPORT_NAME, SNAPSHOTS_DIR}
        if processed.is_dir():
            for other in processed.iterdir():
                if other.name in built:
                    continue
                if other.is_dir():
                    shutil.copytree(other, staging / other.name, symlinks=True)
                else:
                    shutil.copy2(other, staging / other.name)
        replace_folder(staging, processed)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
