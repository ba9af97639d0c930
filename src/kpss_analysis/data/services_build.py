"""Registered social services: the MPSV register (or its senior-services katalog) → tidy tables.

Two sources give the same five tables (see :data:`TABLE_COLUMNS`):

* ``rpss`` – the official open-data export of the MPSV register (``rpss.json``, one item per
  service, every target group; online only). Streamed with ``ijson``. Used whenever it is in
  ``data/raw``: the official register wins.
* ``katalog`` – the mirror's ``katalog_sluzeb_pro_seniory_*.jsonl`` (one line per address, only
  services with a senior target group), the offline default.

How the traps of the data are handled (``social_services/PROVENANCE.md``):

* A service is listed at every address it has, with its full capacity each time. ``services``
  and ``service_capacities`` hold each service once; ``service_places`` has one row per service
  × distinct place (the same service twice at one address counts once). Capacities must never
  be summed over places.
* A place without any address belongs to no territory. A service whose places all lack an
  address gets one row with ``place_id`` <NA>; address-less listings of a service that also has
  an address are left out of ``service_places`` (counted in the build report), so that the
  service's places are exactly its addresses.
* Services whose ``datumPoskytovaniDo`` lies before the snapshot date are excluded (counted).
* A record that cannot be read (not JSON, a required key missing or malformed, a service whose
  druh, IČO or capacities differ between its addresses) is skipped and reported with its id in
  the build report. An unknown druh code stops the build (:class:`DataValidationError`): the
  code list or ``data/druhy_socialnich_sluzeb.csv`` needs updating.

Declared territory (``rozsirenePusobnostiVKraji``): the register identifies territorial units
as ``{"id": "<Druh>/<kód>"}`` (facility addresses use ``Kraj/51``, ``Okres/3402`` with RÚIAN
codes and ``Obec/554499`` with the obec code). Its nesting is not documented in any source we
could read, so every such reference is collected at any depth, per element of the list; when
one element names units of several levels, the finest level is the declared territory (a kraj
that merely groups the okresy or obce listed with it is not declared as a whole). The ``Orp``
kind is read by analogy with ``Kraj``/``Okres`` (RÚIAN code); references of other kinds or with
codes outside the code lists are counted in the build report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import geopandas as gpd
import ijson
import pandas as pd

from .build import CRS, _check, _reading
from .datasets import get_dataset
from .errors import DataValidationError

COVERAGE = {"rpss": "všechny cílové skupiny", "katalog": "senioři"}
FORMS = ("pob", "amb", "ter")
CAPACITY_TYPES = ("luzka", "klient", "interv", "kontakt", "hovor")
DRUH_GROUPS = ("péče", "prevence", "poradenství")

#: Columns of the processed tables, in order (the contract the chapter code relies on).
TABLE_COLUMNS = {
    "services": ["service_id", "name", "provider_name", "provider_ico", "druh_code", "druh_name", "paragraph",
                 "druh_group", "date_from", "date_to", "web", "email", "phone", "source", "snapshot"],
    "service_capacities": ["service_id", "forma", "capacity_type", "capacity"],
    "service_places": ["service_id", "place_id", "address_point", "address", "obec_kod", "orp_kod", "kraj_kod",
                       "has_point", "geometry"],
    "service_target_groups": ["service_id", "target_group_code", "target_group_name"],
    "service_territory": ["service_id", "level", "code"],
}
TERRITORY_LEVELS = ("kraj", "okres", "orp", "obec")  # coarse → fine

#: Register id kind → (level, column of the territory table holding the id's code, ČSÚ code column).
_TERRITORY_KINDS = {
    "Kraj": ("kraj", "kraj_ruian", "kraj_kod"),
    "Okres": ("okres", "okres_ruian", "okres_kod"),
    "Orp": ("orp", "orp_ruian", "orp_kod"),
    "Obec": ("obec", "obec_kod", "obec_kod"),
}
_REF = re.compile(r"([A-Za-z]+)/(\w+)")
_KATALOG_SERVICE_ID = re.compile(r"mpsv-(\d+)")
_ADDRESS_KEYS = ("ulice", "cd", "co", "psc", "obec", "cast")
_KATALOG_PLACE_KEYS = ("id", "adm", *_ADDRESS_KEYS, "kodObce", "lat", "lng", "s")
_KATALOG_SERVICE_KEYS = ("id", "n", "p", "ico", "druh", "f", "od", "do", "web", "mail", "tel")
_CODE_LISTS = {"druhy": "druhy-socialni-sluzby", "target_groups": "cilove-skupiny-osoby"}


class _BadRecord(Exception):
    """A record that cannot be read; the message says why."""


# --------------------------------------------------------------------------- druh reference table


def load_druh_table() -> pd.DataFrame:
    """The legal reference table of druhy (``data/druhy_socialnich_sluzeb.csv`` in the package).

    Returns
    -------
    pandas.DataFrame
        ``druh_name``, ``paragraph`` ("§ 49"), ``druh_group`` (péče / prevence / poradenství)
        and ``opendata_id`` (N of ``DruhSocialniSluzby/N`` where the mirror documents it, else <NA>).
    """
    with resources.files(__package__).joinpath("data/druhy_socialnich_sluzeb.csv").open(encoding="utf-8") as handle:
        table = pd.read_csv(handle, comment="#", dtype="string")
    bad = table.loc[~table["druh_group"].isin(DRUH_GROUPS), "druh_name"].tolist()
    if bad or not table["druh_name"].is_unique:
        raise DataValidationError(f"druhy_socialnich_sluzeb.csv: unknown group or duplicate name at {bad}")
    return table


def _name_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def _read_code_list(path: Path) -> dict[str, str]:
    """An MPSV code list (``{"polozky": [{"id": "Druh/N", "nazev": {"cs": …}}]}``) → {N: name}."""
    with _reading(path):
        items = json.loads(path.read_text(encoding="utf-8"))["polozky"]
        out = {}
        for item in items:
            name = item["nazev"]
            out[str(item["id"]).rsplit("/", 1)[-1]] = name["cs"] if isinstance(name, dict) else name
        return out


def druh_lookup(raw: Path) -> tuple[dict[str, dict[str, str]], str]:
    """Open-data druh code → ``druh_name``, ``paragraph``, ``druh_group``.

    Names come from the official code list when ``data/raw`` holds it, else from the ids the
    mirror documents; § and group come from the legal table, matched by name.

    Returns
    -------
    tuple
        The lookup and a note on where the ids came from (for the build report). A code whose
        name the legal table lacks maps to ``{"unknown_name": name}``: a service of that druh
        stops the build with both the code and the name in the message.
    """
    table = load_druh_table()
    by_name = {_name_key(row.druh_name): row for row in table.itertuples()}
    path = raw / _code_list_path("druhy")
    if path.is_file():
        names, origin = _read_code_list(path), f"číselník {path.name}"
    else:
        known = table.dropna(subset=["opendata_id"])
        names, origin = dict(zip(known["opendata_id"], known["druh_name"], strict=True)), "PROVENANCE.md zrcadla"
    lookup = {}
    for code, name in names.items():
        row = by_name.get(_name_key(name))
        if row is not None:
            lookup[code] = {"druh_name": row.druh_name, "paragraph": row.paragraph, "druh_group": row.druh_group}
        else:
            lookup[code] = {"unknown_name": name}
    return lookup, origin


def _code_list_path(key: str) -> str:
    name = _CODE_LISTS[key]
    return next(f.path for f in get_dataset("rpss").files if f.path.endswith(f"/{name}.json"))


# --------------------------------------------------------------------------- shared record shape


@dataclass
class _Service:
    """One service as read from a source, before druh lookup, exclusion and deduplication."""

    service_id: str
    names: list[str]
    provider_name: str
    provider_ico: str
    druh_code: str
    date_from: str | None
    date_to: str | None
    web: list[str]
    email: list[str]
    phone: list[str]
    capacities: list[tuple[str, str | None, float]]
    record: str  # how the build report names the record
    target_groups: list[str] = field(default_factory=list)
    territory: list[tuple[str, str]] = field(default_factory=list)  # (kind, code) as registered


@dataclass
class _Place:
    service_id: str
    place_id: str | None
    address_point: str | None
    address: str | None
    obec_kod: str | None
    lat: float | None = None
    lng: float | None = None


@dataclass
class _Parsed:
    services: dict[str, _Service]
    places: list[_Place]
    unreadable: list[dict[str, str]]
    records: int
    extra: dict[str, int] = field(default_factory=dict)


def _require(record: dict, keys: Iterable[str], what: str) -> None:
    if not isinstance(record, dict):
        raise _BadRecord(f"{what} is not a JSON object")
    missing = [key for key in keys if key not in record]
    if missing:
        raise _BadRecord(f"{what} lacks key(s) {', '.join(missing)}")


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _BadRecord(f"{what} must be a non-empty string, got {value!r}")
    return value


def _texts(value: object, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _BadRecord(f"{what} must be a list of strings, got {value!r}")
    return value


def _date(value: object, what: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise _BadRecord(f"{what} is not a date: {value!r}") from None


def _ico(value: object) -> str:
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    if not text.isdigit() or len(text) > 8:
        raise _BadRecord(f"IČO must be up to 8 digits, got {value!r}")
    return text.zfill(8)


def _capacity_rows(forms: Iterable[tuple[object, list]], what: str) -> list[tuple[str, str | None, float]]:
    """(forma, [(type, count), …]) pairs → rows; a form without capacity gives (forma, None, NaN)."""
    rows: list[tuple[str, str | None, float]] = []
    for forma, capacities in forms:
        if forma not in FORMS:
            raise _BadRecord(f"{what}: unknown forma {forma!r} (expected one of {', '.join(FORMS)})")
        if any(row[0] == forma for row in rows):
            raise _BadRecord(f"{what}: forma {forma!r} listed twice")
        if not capacities:
            rows.append((forma, None, float("nan")))
        for kind, count in capacities:
            if kind not in CAPACITY_TYPES:
                expected = ", ".join(CAPACITY_TYPES)
                raise _BadRecord(f"{what}: unknown capacity type {kind!r} (expected one of {expected})")
            if isinstance(count, bool) or not isinstance(count, (int, float)) or count < 0:
                raise _BadRecord(f"{what}: capacity {kind!r} must be a non-negative number, got {count!r}")
            if any(row[:2] == (forma, kind) for row in rows):
                raise _BadRecord(f"{what}: capacity type {kind!r} listed twice in forma {forma!r}")
            rows.append((forma, kind, float(count)))
    return rows


def format_address(street: str | None, house: object, orientation: object, psc: object, obec: str | None,
                   part: str | None = None, evidence: bool = False) -> str | None:
    """One printable Czech address line: "Sokolovská 123/4, 356 01 Sokolov".

    Without a street the část obce (or the obec) carries the number ("Myslibořice 1, 675 60
    Myslibořice"); ``evidence`` marks a číslo evidenční ("č. ev. 12"). None when nothing is known.
    """
    number = "/".join(str(v) for v in (house, orientation) if v not in (None, ""))
    if evidence and house not in (None, ""):
        number = f"č. ev. {number}"
    place = street or part or obec
    first = " ".join(v for v in (place, number) if v)
    digits = str(psc).replace(" ", "") if psc not in (None, "") else ""
    town = " ".join(v for v in (f"{digits[:3]} {digits[3:]}" if len(digits) == 5 else digits, obec) if v)
    # Without a PSČ the obec is said once: "Beta č. ev. 12", not "Beta č. ev. 12, Beta".
    parts = [v for v in (first, town if digits or place != obec else "") if v]
    return ", ".join(parts) or None


# --------------------------------------------------------------------------- katalog (mirror)


def _katalog_service(entry: object, place_id: str) -> _Service:
    _require(entry, _KATALOG_SERVICE_KEYS, f"service at {place_id}")
    match = _KATALOG_SERVICE_ID.fullmatch(str(entry["id"]))
    if match is None:
        raise _BadRecord(f"service id {entry['id']!r} is not 'mpsv-<number>'")
    forms = entry["f"]
    if not isinstance(forms, list) or not all(isinstance(f, list) and len(f) == 2 and isinstance(f[1], list)
                                              and all(isinstance(c, list) and len(c) == 2 for c in f[1])
                                              for f in forms):
        raise _BadRecord(f"forms of {entry['id']} are not [forma, [[type, capacity], …]] pairs")
    if isinstance(entry["druh"], bool) or not isinstance(entry["druh"], int):
        raise _BadRecord(f"druh of {entry['id']} must be an integer, got {entry['druh']!r}")
    return _Service(
        service_id=match.group(1),
        names=[_text(entry["n"], "name")],
        provider_name=_text(entry["p"], "provider name"),
        provider_ico=_ico(entry["ico"]),
        druh_code=str(entry["druh"]),
        date_from=_date(entry["od"], "od"),
        date_to=_date(entry["do"], "do"),
        web=_texts(entry["web"], "web"),
        email=_texts(entry["mail"], "mail"),
        phone=_texts(entry["tel"], "tel"),
        capacities=_capacity_rows(((f[0], f[1]) for f in forms), str(entry["id"])),
        record=f"{entry['id']} ({place_id})",
    )


def _katalog_place(record: dict, service_id: str) -> _Place:
    if all(record[key] is None for key in _ADDRESS_KEYS):
        return _Place(service_id, None, None, None, None)
    point = record["adm"]
    return _Place(
        service_id=service_id,
        place_id=record["id"],
        address_point=None if point is None else str(point),
        address=format_address(record["ulice"], record["cd"], record["co"], record["psc"], record["obec"],
                               record["cast"]),
        obec_kod=None if record["kodObce"] is None else str(record["kodObce"]),
        lat=record["lat"],
        lng=record["lng"],
    )


def parse_katalog(path: Path) -> _Parsed:
    """Read the katalog JSONL (one place per line) into services and their places."""
    listings: dict[str, list[_Service]] = {}
    places: list[_Place] = []
    unreadable: list[dict[str, str]] = []
    records = 0
    with _reading(path), open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            records += 1
            try:
                record = json.loads(line)
                _require(record, _KATALOG_PLACE_KEYS, f"line {number}")
                if not isinstance(record["s"], list):
                    raise _BadRecord("key s is not a list")
            except (json.JSONDecodeError, _BadRecord) as exc:
                unreadable.append({"id": f"line {number}", "reason": str(exc)})
                continue
            for entry in record["s"]:
                try:
                    service = _katalog_service(entry, record["id"])
                except _BadRecord as exc:
                    label = entry.get("id") if isinstance(entry, dict) else None
                    unreadable.append({"id": f"{label or 'service'} ({record['id']})", "reason": str(exc)})
                    continue
                listings.setdefault(service.service_id, []).append(service)
                places.append(_katalog_place(record, service.service_id))
    services: dict[str, _Service] = {}
    for service_id, group in listings.items():
        first = group[0]
        same = ("provider_ico", "druh_code", "date_from", "date_to", "capacities")
        if any(getattr(other, key) != getattr(first, key) for other in group[1:] for key in same):
            unreadable.append({"id": f"mpsv-{service_id}",
                               "reason": "druh, IČO, dates or capacities differ between its addresses"})
            continue
        first.names = [name for other in group for name in other.names]
        first.provider_name = Counter(other.provider_name for other in group).most_common(1)[0][0]
        for key in ("web", "email", "phone"):
            setattr(first, key, list(dict.fromkeys(v for other in group for v in getattr(other, key))))
        services[service_id] = first
    places = [place for place in places if place.service_id in services]
    return _Parsed(services, places, unreadable, records)


# --------------------------------------------------------------------------- rpss (official)


def _ref(value: object, kind: str, what: str) -> str:
    """``{"id": "<kind>/<code>"}`` → code."""
    ident = value.get("id") if isinstance(value, dict) else None
    match = _REF.fullmatch(str(ident)) if ident is not None else None
    if match is None or match.group(1) != kind:
        raise _BadRecord(f"{what} must be {{'id': '{kind}/…'}}, got {value!r}")
    return match.group(2)


def _contacts(entity: dict, key: str, inner: str) -> list[str]:
    values = entity.get(key) or []
    if not isinstance(values, list):
        raise _BadRecord(f"{key} is not a list")
    return [str(v[inner]) for v in values if isinstance(v, dict) and v.get(inner)]


def _territory_refs(value: object) -> Iterator[tuple[str, str]]:
    """Every ``{"id": "<Kind>/<code>"}`` inside ``value``, at any depth."""
    if isinstance(value, dict):
        match = _REF.fullmatch(str(value.get("id", "")))
        if match:
            yield match.group(1), match.group(2)
        for inner in value.values():
            yield from _territory_refs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _territory_refs(inner)


def _declared_territory(value: object) -> list[tuple[str, str]]:
    """Per element of ``rozsirenePusobnostiVKraji``, the references of its finest known level."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise _BadRecord("rozsirenePusobnostiVKraji is not a list")
    out: list[tuple[str, str]] = []
    for element in value:
        refs = list(dict.fromkeys(_territory_refs(element)))
        known = [_TERRITORY_KINDS[kind][0] for kind, _ in refs if kind in _TERRITORY_KINDS]
        finest = max(known, key=TERRITORY_LEVELS.index, default=None)
        out += [(kind, code) for kind, code in refs
                if kind not in _TERRITORY_KINDS or _TERRITORY_KINDS[kind][0] == finest]
    return out


def _rpss_place(facility: dict, service_id: str, obec_names: dict[str, str]) -> _Place:
    address = facility["adresa"]
    if address is None or not isinstance(address, dict) or address.get("obec") is None:
        return _Place(service_id, None, None, None, None)
    obec = _ref(address["obec"], "Obec", "adresa.obec")
    point = address.get("kodAdresnihoMista")
    if point is not None:
        place_id = f"misto-{point}"
    else:
        # The katalog's id for a facility without an address point: the register gives the
        # facility no id of its own, so its name is the only distinguishing mark.
        digest = hashlib.sha1(str(facility["nazev"] or "").encode("utf-8")).hexdigest()[:8]
        place_id = f"misto-bezadresy-{service_id}-{digest}"
    street = (address.get("ulice") or {}).get("nazev")
    evidence = str((address.get("typCislaDomovniho") or {}).get("id", "")).endswith("/2")
    return _Place(
        service_id=service_id,
        place_id=place_id,
        address_point=None if point is None else str(point),
        address=format_address(street, address.get("cisloDomovni"), address.get("cisloOrientacni"),
                               address.get("psc"), obec_names.get(obec), evidence=evidence),
        obec_kod=obec,
    )


def _rpss_service(item: object, snapshot: str, obec_names: dict[str, str]) -> tuple[_Service, list[_Place], int]:
    _require(item, ("portalId", "druhSocialniSluzby", "poskytovatel", "formy", "zarizeni", "datumPoskytovaniOd",
                    "datumPoskytovaniDo"), "service")
    portal = item["portalId"]
    if isinstance(portal, bool) or not str(portal).isdigit():
        raise _BadRecord(f"portalId must be a number, got {portal!r}")
    service_id = str(int(portal))
    provider = item["poskytovatel"]
    _require(provider, ("nazev", "ico"), "poskytovatel")
    forms = item["formy"]
    if not isinstance(forms, list) or not all(isinstance(f, dict) and isinstance(f.get("kapacity") or [], list)
                                              for f in forms):
        raise _BadRecord("formy must be a list of objects with a list 'kapacity'")
    pairs = []
    for form in forms:
        capacities = []
        for capacity in form.get("kapacity") or []:
            _require(capacity, ("pocet", "typ"), "kapacita")
            capacities.append((_ref(capacity["typ"], "TypKapacitySocialniSluzby", "kapacita.typ"), capacity["pocet"]))
        pairs.append((_ref(form.get("forma"), "FormaSocialniSluzby", "forma"), capacities))
    facilities = item["zarizeni"] or []
    if not isinstance(facilities, list):
        raise _BadRecord("zarizeni is not a list")
    active, ended = [], 0
    for facility in facilities:
        _require(facility, ("nazev", "adresa"), "zarizeni")
        until = _date(facility.get("poskytujeDo"), "poskytujeDo")
        if until is not None and until < snapshot:
            ended += 1
        else:
            active.append(facility)
    names = [str(f["nazev"]) for f in (active or facilities) if f["nazev"]] or [str(provider["nazev"])]
    groups = item.get("ciloveSkupiny") or []
    if not isinstance(groups, list):
        raise _BadRecord("ciloveSkupiny is not a list")
    service = _Service(
        service_id=service_id,
        names=names,
        provider_name=_text(provider["nazev"], "poskytovatel.nazev"),
        provider_ico=_ico(provider["ico"]),
        druh_code=_ref(item["druhSocialniSluzby"], "DruhSocialniSluzby", "druhSocialniSluzby"),
        date_from=_date(item["datumPoskytovaniOd"], "datumPoskytovaniOd"),
        date_to=_date(item["datumPoskytovaniDo"], "datumPoskytovaniDo"),
        # The service's own contact, else the provider's (the katalog merges them the same way).
        web=_contacts(item, "weby", "web") or _contacts(provider, "weby", "web"),
        email=_contacts(item, "emaily", "email") or _contacts(provider, "emaily", "email"),
        phone=_contacts(item, "telefony", "telefon") or _contacts(provider, "telefony", "telefon"),
        capacities=_capacity_rows(pairs, f"service {service_id}"),
        record=service_id,
        target_groups=[_ref(g.get("cilovaSkupina") if isinstance(g, dict) else None, "CilovaSkupinaOsoby",
                            "ciloveSkupiny[].cilovaSkupina") for g in groups],
        territory=_declared_territory(item.get("rozsirenePusobnostiVKraji")),
    )
    places = [_rpss_place(facility, service_id, obec_names) for facility in active] or \
        [_Place(service_id, None, None, None, None)]
    return service, places, ended


def parse_rpss(path: Path, snapshot: str, obec_names: dict[str, str]) -> _Parsed:
    """Stream ``rpss.json`` (root key ``polozky``) into services, places and declared territory.

    Parameters
    ----------
    path : Path
        The register export.
    snapshot : str
        ISO date the export describes; facilities that stopped before it are not places.
    obec_names : dict
        Obec code → name, for the printable address (the register gives the code only).
    """
    services: dict[str, _Service] = {}
    places: list[_Place] = []
    unreadable: list[dict[str, str]] = []
    records = ended_facilities = 0
    with _reading(path), open(path, "rb") as handle:
        for index, item in enumerate(ijson.items(handle, "polozky.item", use_float=True)):
            records += 1
            label = str(item.get("portalId") or item.get("id") or f"polozky[{index}]") if isinstance(item, dict) \
                else f"polozky[{index}]"
            try:
                service, service_places, ended = _rpss_service(item, snapshot, obec_names)
            except _BadRecord as exc:
                unreadable.append({"id": label, "reason": str(exc)})
                continue
            if service.service_id in services:
                unreadable.append({"id": label, "reason": "portalId appears twice in the register"})
                continue
            services[service.service_id] = service
            places += service_places
            ended_facilities += ended
    _check(records > 0, path, "no services under the root key 'polozky'")
    return _Parsed(services, places, unreadable, records, {"facilities_ended_excluded": ended_facilities})


def rpss_snapshot(path: Path) -> str:
    """The date the downloaded register describes: its newest dated copy, else the file's date.

    ``kpss data fetch --online`` keeps ``rpss_<YYYY-MM-DD>.json`` beside ``rpss.json``.
    """
    size = path.stat().st_size
    dated = sorted(
        match.group(1)
        for other in path.parent.glob(f"{path.stem}_*{path.suffix}")
        if (match := re.fullmatch(rf"{re.escape(path.stem)}_(\d{{4}}-\d{{2}}-\d{{2}}){re.escape(path.suffix)}",
                                  other.name)) and other.stat().st_size == size
    )
    if dated:
        return dated[-1]
    return dt.date.fromtimestamp(path.stat().st_mtime).isoformat()


# --------------------------------------------------------------------------- tables


def _services_frame(services: list[_Service], druhy: dict, source: str, snapshot: str) -> pd.DataFrame:
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


def _places_frame(places: list[_Place], territory: pd.DataFrame) -> tuple[gpd.GeoDataFrame, int]:
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


def _capacities_frame(services: list[_Service]) -> pd.DataFrame:
    rows = [(s.service_id, forma, kind, count) for s in services for forma, kind, count in s.capacities]
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS["service_capacities"])
    frame[["service_id", "forma", "capacity_type"]] = frame[["service_id", "forma", "capacity_type"]].astype("string")
    frame["capacity"] = frame["capacity"].astype("float64")
    return frame


def _target_groups_frame(services: list[_Service], names: dict[str, str]) -> pd.DataFrame:
    rows = [(s.service_id, code, names.get(code)) for s in services for code in dict.fromkeys(s.target_groups)]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS["service_target_groups"]).astype("string")


def _territory_frame(services: list[_Service], territory: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Declared territory with ČSÚ codes; references of unknown kinds or codes are counted."""
    translate = {
        kind: dict(zip(territory[key].astype(str), territory[code].astype(str), strict=True))
        for kind, (_level, key, code) in _TERRITORY_KINDS.items()
    }
    rows, skipped = [], Counter()
    for service in services:
        for kind, code in service.territory:
            if kind not in _TERRITORY_KINDS:
                skipped[f"kind {kind}"] += 1
            elif code not in translate[kind]:
                skipped[f"unknown {kind} code"] += 1
            else:
                rows.append((service.service_id, _TERRITORY_KINDS[kind][0], translate[kind][code]))
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS["service_territory"]).drop_duplicates()
    return frame.astype("string").reset_index(drop=True), dict(skipped)


def _source_files(raw: Path) -> tuple[str, Path]:
    official = raw / get_dataset("rpss").files[0].path
    if official.is_file():
        return "rpss", official
    return "katalog", raw / get_dataset("social_services").files[0].path


def build_services(raw: Path, territory: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], dict]:
    """Build the five service tables from the official register, else from the mirror's katalog.

    Parameters
    ----------
    raw : Path
        The ``data/raw`` folder.
    territory : pandas.DataFrame
        The processed territory table (obec → ORP → kraj, RÚIAN codes).

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
    source, path = _source_files(raw)
    druhy, druh_origin = druh_lookup(raw)
    if source == "rpss":
        snapshot = rpss_snapshot(path)
        obec_names = dict(zip(territory["obec_kod"].astype(str), territory["obec_nazev"].astype(str), strict=True))
        parsed = parse_rpss(path, snapshot, obec_names)
        groups_path = raw / _code_list_path("target_groups")
        group_names = _read_code_list(groups_path) if groups_path.is_file() else {}
        day = dt.date.fromisoformat(snapshot)
        citation = f"{get_dataset('rpss').citation}, stav k {day.day}. {day.month}. {day.year}"
    else:
        snapshot = get_dataset("social_services").vintage
        parsed = parse_katalog(path)
        group_names = {}
        citation = get_dataset("social_services").citation
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
        "coverage": COVERAGE[source],
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
