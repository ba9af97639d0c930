"""Build step of the social services: the parsed register records → the five tidy service tables.

How the traps of the data are handled (``social_services/PROVENANCE.md``):

* A service is listed at every address it has, with its full capacity each time. ``services`` and
  ``service_capacities`` hold each service once; ``service_places`` has one row per service × distinct place (the same
  service twice at one address counts once). Capacities must never be summed over places.
* A place without any address belongs to no territory. A service whose places all lack an address gets one row with
  ``place_id`` <NA>; address-less listings of a service that also has an address are left out of ``service_places``
  (counted in the build report), so that the service's places are exactly its addresses.
* Services whose ``datumPoskytovaniDo`` lies before the snapshot date are excluded (counted).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from kpss_analysis.data.parsers.katalog import parse_katalog
from kpss_analysis.data.parsers.rpss import dated_copies, parse_rpss, rpss_snapshot
from kpss_analysis.data.parsers.services_common import (
    COVERED_TARGET_GROUPS,
    TABLE_COLUMNS,
    TERRITORY_KINDS,
    Place,
    Service,
    code_list_path,
    druh_lookup,
    read_code_list,
)
from kpss_analysis.data.registry import get_dataset
from kpss_analysis.data.tables import CRS
from kpss_analysis.errors import DataValidationError

#: Unreadable register records tolerated (reported in build_report.json); more stop the build.
MAX_UNREADABLE = 5


def _services_frame(services: list[Service], druhy: dict, source: str, snapshot: str) -> pd.DataFrame:
    rows = []
    for service in services:
        druh = druhy.get(service.druh_code)
        if druh is None or "unknown_name" in druh:
            detail = f"named {druh['unknown_name']!r} in the code list but missing in " \
                "data/druhy_socialnich_sluzeb.csv (add its § and group)" if druh else \
                "not in the druh code list (update the code list or data/druhy_socialnich_sluzeb.csv)"
            raise DataValidationError(
                f"Service {service.record}: unknown druh code DruhSocialniSluzby/{service.druh_code}, {detail}."
            )
        rows.append({
            "service_id": service.service_id,
            "name": Counter(service.names).most_common(1)[0][0],
            "provider_name": service.provider_name,
            "provider_ico": service.provider_ico,
            "druh_code": service.druh_code,
            **druh,
            "date_from": service.date_from,
            "date_to": service.date_to,
            "web": service.web,
            "email": service.email,
            "phone": service.phone,
        })
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS["services"][:-2])
    text = ["service_id", "name", "provider_name", "provider_ico", "druh_code", "druh_name", "paragraph", "druh_group"]
    frame[text] = frame[text].astype("string")
    for column in ("date_from", "date_to"):
        frame[column] = pd.to_datetime(frame[column])
    frame["source"] = pd.Series(source, index=frame.index, dtype="string")
    frame["snapshot"] = pd.Timestamp(snapshot)
    return frame


def _places_frame(places: list[Place], territory: pd.DataFrame) -> tuple[gpd.GeoDataFrame, int]:
    """One row per service × distinct place; returns the frame and the address-less listings left out."""
    frame = pd.DataFrame([vars(place) for place in places],
                         columns=["service_id", "place_id", "address_point", "address", "obec_kod", "lat", "lng"])
    located = frame["place_id"].notna()
    has_address = located.groupby(frame["service_id"]).transform("any")
    dropped = int((~located & has_address).sum())
    frame = frame[located | ~has_address].drop_duplicates(["service_id", "place_id"])
    text = ["service_id", "place_id", "address_point", "address", "obec_kod"]
    frame[text] = frame[text].astype("string")
    codes = territory[["obec_kod", "orp_kod", "kraj_kod"]].astype("string")
    frame = frame.merge(codes, on="obec_kod", how="left", validate="many_to_one")
    lat = pd.to_numeric(frame.pop("lat"), errors="coerce")
    lng = pd.to_numeric(frame.pop("lng"), errors="coerce")
    has_point = (lat.notna() & lng.notna()).to_numpy()
    frame["has_point"] = has_point
    geometry = gpd.GeoSeries([None] * len(frame), index=frame.index, crs=CRS)
    geometry[has_point] = gpd.GeoSeries.from_xy(lng[has_point], lat[has_point], crs="EPSG:4326").to_crs(CRS)
    out = gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geometry.reset_index(drop=True), crs=CRS)
    return out[TABLE_COLUMNS["service_places"]], dropped


def _capacities_frame(services: list[Service]) -> pd.DataFrame:
    rows = [(s.service_id, forma, kind, count) for s in services for forma, kind, count in s.capacities]
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS["service_capacities"])
    frame[["service_id", "forma", "capacity_type"]] = frame[["service_id", "forma", "capacity_type"]].astype("string")
    frame["capacity"] = frame["capacity"].astype("float64")
    return frame


def _target_groups_frame(services: list[Service], names: dict[str, str]) -> pd.DataFrame:
    rows = [(s.service_id, code, names.get(code)) for s in services for code in dict.fromkeys(s.target_groups)]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS["service_target_groups"]).astype("string")


def _territory_frame(services: list[Service], territory: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Declared territory with ČSÚ codes; references of unknown kinds or codes are counted."""
    translate = {
        kind: dict(zip(territory[key].astype(str), territory[code].astype(str), strict=True))
        for kind, (_level, key, code) in TERRITORY_KINDS.items()
    }
    rows, skipped = [], Counter()
    for service in services:
        for kind, code in service.territory:
            if kind not in TERRITORY_KINDS:
                skipped[f"kind {kind}"] += 1
            elif code not in translate[kind]:
                skipped[f"unknown {kind} code"] += 1
            else:
                rows.append((service.service_id, TERRITORY_KINDS[kind][0], translate[kind][code]))
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS["service_territory"]).drop_duplicates()
    return frame.astype("string").reset_index(drop=True), dict(skipped)


@dataclass(frozen=True)
class RegisterFile:
    """One register snapshot in ``data/raw``: ``source`` (``rpss`` / ``katalog``), its file and ISO date."""

    source: str
    path: Path
    snapshot: str

    @property
    def folder(self) -> str:
        """Name of the snapshot's processed folder, ``<date>_<source>``."""
        return f"{self.snapshot}_{self.source}"


def _same_content(one: Path, other: Path, digests: dict[Path, str]) -> bool:
    if one.stat().st_size != other.stat().st_size:
        return False
    if one.samefile(other):  # the dated copy `kpss data fetch` hard-links
        return True
    for path in (one, other):
        if path not in digests:
            with open(path, "rb") as handle:
                digests[path] = hashlib.file_digest(handle, "sha256").hexdigest()
    return digests[one] == digests[other]


def find_register_files(raw: Path) -> list[RegisterFile]:
    """Every register snapshot in ``raw``, the current one (the service tables' source) last.

    The current one is the official ``rpss.json`` when present, else the mirror's katalog. Older
    snapshots are the katalog beside an ``rpss.json`` and the dated copies ``rpss_<YYYY-MM-DD>.json``
    that ``kpss data fetch --online`` leaves. A copy of the current snapshot's day, or with the same
    bytes as a newer snapshot, is the same snapshot and not listed again.
    """
    official = raw / get_dataset("rpss").files[0].path
    katalog = RegisterFile("katalog", raw / get_dataset("social_services").files[0].path,
                           get_dataset("social_services").vintage)
    if not official.is_file():
        return [katalog]
    current = RegisterFile("rpss", official, rpss_snapshot(official))
    kept, digests = [current], {}
    for day, path in dated_copies(official):
        if day != current.snapshot and not any(_same_content(path, k.path, digests) for k in kept):
            kept.append(RegisterFile("rpss", path, day))
    older = sorted(kept[1:], key=lambda f: f.snapshot)
    return ([katalog] if katalog.path.is_file() else []) + older + [current]


def build_services(raw: Path, territory: pd.DataFrame,
                   register: RegisterFile | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Build the five service tables of one register snapshot (default: the current one, :func:`find_register_files`).

    Parameters
    ----------
    raw : Path
        The ``data/raw`` folder.
    territory : pandas.DataFrame
        The processed territory table (obec → ORP → kraj, RÚIAN codes).
    register : RegisterFile, optional
        The snapshot to build; default the official register, else the mirror's katalog.

    Returns
    -------
    tuple
        ``{table name: frame}`` (keys of :data:`TABLE_COLUMNS`) and the build report section:
        source, snapshot, coverage, citation and counts (services, places, services excluded as
        ended, unreadable records with their ids, services without an address, …).

    Raises
    ------
    DataMissingError
        Neither source is in ``raw``.
    DataValidationError
        A file that is not in the publisher's format, or a service with an unknown druh code.
    """
    register = register or find_register_files(raw)[-1]
    source, path, snapshot = register.source, register.path, register.snapshot
    druhy, druh_origin = druh_lookup(raw)
    if source == "rpss":
        obec_names = dict(zip(territory["obec_kod"].astype(str), territory["obec_nazev"].astype(str), strict=True))
        parsed = parse_rpss(path, snapshot, obec_names)
        groups_path = raw / code_list_path("target_groups")
        group_names = read_code_list(groups_path) if groups_path.is_file() else {}
        day = dt.date.fromisoformat(snapshot)
        citation = f"{get_dataset('rpss').citation}, stav k {day.day}. {day.month}. {day.year}"
    else:
        parsed = parse_katalog(path)
        group_names = {}
        citation = get_dataset("social_services").citation
    if len(parsed.unreadable) > MAX_UNREADABLE:
        first = "; ".join(f"{u['id']}: {u['reason']}" for u in parsed.unreadable[:3])
        key = "rpss" if source == "rpss" else "social_services"
        remedy = (f"`kpss data fetch --force --only {key}` fetches it again" if path == raw / get_dataset(key).files[0].path
                  else "remove this older copy from data/raw or put back an intact one")
        raise DataValidationError(
            f"{path}: {len(parsed.unreadable)} of {parsed.records} records are unreadable (at most {MAX_UNREADABLE} "
            f"are tolerated), e.g. {first}. The file is damaged or not in the publisher's format; {remedy}.")
    ended = [s for s in parsed.services.values() if s.date_to is not None and s.date_to < snapshot]
    ended_ids = {s.service_id for s in ended}
    services = [s for s in parsed.services.values() if s.service_id not in ended_ids]
    places, dropped = _places_frame([p for p in parsed.places if p.service_id not in ended_ids], territory)
    service_territory, territory_skipped = _territory_frame(services, territory)
    tables = {
        "services": _services_frame(services, druhy, source, snapshot),
        "service_capacities": _capacities_frame(services),
        "service_places": places,
        "service_target_groups": _target_groups_frame(services, group_names),
        "service_territory": service_territory,
    }
    located = places["place_id"].notna()
    report = {
        "source": source,
        "file": str(path.relative_to(raw)),
        "snapshot": snapshot,
        "coverage": COVERED_TARGET_GROUPS[source],
        "citation": citation,
        "druh_ids_from": druh_origin,
        "counts": {
            "records_read": parsed.records,
            "services": len(services),
            "places": int(places.loc[located, "place_id"].nunique()),
            "service_places": len(places),
            "services_ended_excluded": len(ended),
            "services_without_address": int((~located).sum()),
            "address_less_listings_left_out": dropped,
            "places_without_point": int(places.loc[located & ~places["has_point"], "place_id"].nunique()),
            "places_with_unknown_obec": int(places.loc[located & places["kraj_kod"].isna(), "place_id"].nunique()),
            "unreadable_records": len(parsed.unreadable),
            **parsed.extra,
            **({"territory_refs_skipped": territory_skipped} if source == "rpss" else {}),
        },
        "ended_services": sorted(ended_ids, key=int)[:50],
        "unreadable": parsed.unreadable,
    }
    return tables, report
