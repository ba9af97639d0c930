"""Parser of the official MPSV register export ``rpss.json`` (streamed with ``ijson``).

Declared territory (``rozsirenePusobnostiVKraji``): the register identifies territorial units as
``{"id": "<Druh>/<kód>"}`` (facility addresses use ``Kraj/51``, ``Okres/3402`` with RÚIAN codes and ``Obec/554499``
with the obec code). Its nesting is not documented in any source we could read, so every such reference is collected
at any depth, per element of the list; when one element names units of several levels, the finest level is the
declared territory (a kraj that merely groups the okresy or obce listed with it is not declared as a whole). The
``Orp`` kind is read by analogy with ``Kraj``/``Okres`` (RÚIAN code); references of other kinds or with codes outside
the code lists are counted in the build report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import ijson

from kpss_analysis.data.checks import check, reading
from kpss_analysis.data.parsers.services_common import (
    TERRITORY_KINDS,
    TERRITORY_LEVEL_ORDER,
    BadRecordError,
    Parsed,
    Place,
    Service,
    capacity_rows,
    format_address,
    read_date,
    read_ico,
    read_text,
    require,
)

_REF = re.compile(r"([A-Za-z]+)/(\w+)")


def _ref(value: object, kind: str, what: str) -> str:
    """``{"id": "<kind>/<code>"}`` → code."""
    ident = value.get("id") if isinstance(value, dict) else None
    match = _REF.fullmatch(str(ident)) if ident is not None else None
    if match is None or match.group(1) != kind:
        raise BadRecordError(f"{what} must be {{'id': '{kind}/…'}}, got {value!r}")
    return match.group(2)


def _contacts(entity: dict, key: str, inner: str) -> list[str]:
    values = entity.get(key) or []
    if not isinstance(values, list):
        raise BadRecordError(f"{key} is not a list")
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
        raise BadRecordError("rozsirenePusobnostiVKraji is not a list")
    out: list[tuple[str, str]] = []
    for element in value:
        refs = list(dict.fromkeys(_territory_refs(element)))
        known = [TERRITORY_KINDS[kind][0] for kind, _ in refs if kind in TERRITORY_KINDS]
        finest = max(known, key=TERRITORY_LEVEL_ORDER.index, default=None)
        out += [(kind, code) for kind, code in refs
                if kind not in TERRITORY_KINDS or TERRITORY_KINDS[kind][0] == finest]
    return out


def _rpss_place(facility: dict, service_id: str, obec_names: dict[str, str]) -> Place:
    address = facility["adresa"]
    if address is None or not isinstance(address, dict) or address.get("obec") is None:
        return Place(service_id, None, None, None, None)
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
    return Place(
        service_id=service_id,
        place_id=place_id,
        address_point=None if point is None else str(point),
        address=format_address(street, address.get("cisloDomovni"), address.get("cisloOrientacni"),
                               address.get("psc"), obec_names.get(obec), evidence=evidence),
        obec_kod=obec,
    )


def _rpss_service(item: object, snapshot: str, obec_names: dict[str, str]) -> tuple[Service, list[Place], int]:
    require(item, ("portalId", "druhSocialniSluzby", "poskytovatel", "formy", "zarizeni", "datumPoskytovaniOd",
                    "datumPoskytovaniDo"), "service")
    portal = item["portalId"]
    if isinstance(portal, bool) or not str(portal).isdigit():
        raise BadRecordError(f"portalId must be a number, got {portal!r}")
    service_id = str(int(portal))
    provider = item["poskytovatel"]
    require(provider, ("nazev", "ico"), "poskytovatel")
    forms = item["formy"]
    if not isinstance(forms, list) or not all(isinstance(f, dict) and isinstance(f.get("kapacity") or [], list)
                                              for f in forms):
        raise BadRecordError("formy must be a list of objects with a list 'kapacity'")
    pairs = []
    for form in forms:
        capacities = []
        for capacity in form.get("kapacity") or []:
            require(capacity, ("pocet", "typ"), "kapacita")
            capacities.append((_ref(capacity["typ"], "TypKapacitySocialniSluzby", "kapacita.typ"), capacity["pocet"]))
        pairs.append((_ref(form.get("forma"), "FormaSocialniSluzby", "forma"), capacities))
    facilities = item["zarizeni"] or []
    if not isinstance(facilities, list):
        raise BadRecordError("zarizeni is not a list")
    active, ended = [], 0
    for facility in facilities:
        require(facility, ("nazev", "adresa"), "zarizeni")
        until = read_date(facility.get("poskytujeDo"), "poskytujeDo")
        if until is not None and until < snapshot:
            ended += 1
        else:
            active.append(facility)
    names = [str(f["nazev"]) for f in (active or facilities) if f["nazev"]] or [str(provider["nazev"])]
    groups = item.get("ciloveSkupiny") or []
    if not isinstance(groups, list):
        raise BadRecordError("ciloveSkupiny is not a list")
    service = Service(
        service_id=service_id,
        names=names,
        provider_name=read_text(provider["nazev"], "poskytovatel.nazev"),
        provider_ico=read_ico(provider["ico"]),
        druh_code=_ref(item["druhSocialniSluzby"], "DruhSocialniSluzby", "druhSocialniSluzby"),
        date_from=read_date(item["datumPoskytovaniOd"], "datumPoskytovaniOd"),
        date_to=read_date(item["datumPoskytovaniDo"], "datumPoskytovaniDo"),
        # The service's own contact, else the provider's (the katalog merges them the same way).
        web=_contacts(item, "weby", "web") or _contacts(provider, "weby", "web"),
        email=_contacts(item, "emaily", "email") or _contacts(provider, "emaily", "email"),
        phone=_contacts(item, "telefony", "telefon") or _contacts(provider, "telefony", "telefon"),
        capacities=capacity_rows(pairs, f"service {service_id}"),
        record=service_id,
        target_groups=[_ref(g.get("cilovaSkupina") if isinstance(g, dict) else None, "CilovaSkupinaOsoby",
                            "ciloveSkupiny[].cilovaSkupina") for g in groups],
        territory=_declared_territory(item.get("rozsirenePusobnostiVKraji")),
    )
    places = [_rpss_place(facility, service_id, obec_names) for facility in active] or \
        [Place(service_id, None, None, None, None)]
    return service, places, ended


def parse_rpss(path: Path, snapshot: str, obec_names: dict[str, str]) -> Parsed:
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
    services: dict[str, Service] = {}
    places: list[Place] = []
    unreadable: list[dict[str, str]] = []
    records = ended_facilities = 0
    with reading(path), open(path, "rb") as handle:
        for index, item in enumerate(ijson.items(handle, "polozky.item", use_float=True)):
            records += 1
            label = str(item.get("portalId") or item.get("id") or f"polozky[{index}]") if isinstance(item, dict) \
                else f"polozky[{index}]"
            try:
                service, service_places, ended = _rpss_service(item, snapshot, obec_names)
            except BadRecordError as exc:
                unreadable.append({"id": label, "reason": str(exc)})
                continue
            if service.service_id in services:
                unreadable.append({"id": label, "reason": "portalId appears twice in the register"})
                continue
            services[service.service_id] = service
            places += service_places
            ended_facilities += ended
    check(records > 0, path, "no services under the root key 'polozky'")
    return Parsed(services, places, unreadable, records, {"facilities_ended_excluded": ended_facilities})


def dated_copies(path: Path) -> list[tuple[str, Path]]:
    """The dated copies ``<stem>_<YYYY-MM-DD><suffix>`` beside ``path`` as (ISO date, path), newest first.

    ``kpss data fetch --online`` keeps one beside ``rpss.json`` each day it downloads the register.
    """
    pattern = re.compile(rf"{re.escape(path.stem)}_(\d{{4}}-\d{{2}}-\d{{2}}){re.escape(path.suffix)}")
    return sorted(((match.group(1), other) for other in path.parent.glob(f"{path.stem}_*{path.suffix}")
                   if (match := pattern.fullmatch(other.name))), reverse=True)


def rpss_snapshot(path: Path) -> str:
    """The date the downloaded register describes: its newest dated copy, else the file's date."""
    size = path.stat().st_size
    dated = [day for day, other in dated_copies(path) if other.stat().st_size == size]
    if dated:
        return dated[0]
    return dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
