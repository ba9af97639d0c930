"""Parser of the mirror's senior-services katalog (``katalog_sluzeb_pro_seniory_*.jsonl``, one line per address).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from kpss_analysis.data.checks import reading
from kpss_analysis.data.parsers.services_common import (
    ADDRESS_KEYS,
    BadRecordError,
    Parsed,
    Place,
    Service,
    capacity_rows,
    format_address,
    read_date,
    read_ico,
    read_text,
    read_texts,
    require,
)

_KATALOG_SERVICE_ID = re.compile(r"mpsv-(\d+)")


_KATALOG_PLACE_KEYS = ("id", "adm", *ADDRESS_KEYS, "kodObce", "lat", "lng", "s")


_KATALOG_SERVICE_KEYS = ("id", "n", "p", "ico", "druh", "f", "od", "do", "web", "mail", "tel")


def _katalog_service(entry: object, place_id: str) -> Service:
    require(entry, _KATALOG_SERVICE_KEYS, f"service at {place_id}")
    match = _KATALOG_SERVICE_ID.fullmatch(str(entry["id"]))
    if match is None:
        raise BadRecordError(f"service id {entry['id']!r} is not 'mpsv-<number>'")
    forms = entry["f"]
    if not isinstance(forms, list) or not all(isinstance(f, list) and len(f) == 2 and isinstance(f[1], list)
                                              and all(isinstance(c, list) and len(c) == 2 for c in f[1])
                                              for f in forms):
        raise BadRecordError(f"forms of {entry['id']} are not [forma, [[type, capacity], …]] pairs")
    if isinstance(entry["druh"], bool) or not isinstance(entry["druh"], int):
        raise BadRecordError(f"druh of {entry['id']} must be an integer, got {entry['druh']!r}")
    return Service(
        service_id=match.group(1),
        names=[read_text(entry["n"], "name")],
        provider_name=read_text(entry["p"], "provider name"),
        provider_ico=read_ico(entry["ico"]),
        druh_code=str(entry["druh"]),
        date_from=read_date(entry["od"], "od"),
        date_to=read_date(entry["do"], "do"),
        web=read_texts(entry["web"], "web"),
        email=read_texts(entry["mail"], "mail"),
        phone=read_texts(entry["tel"], "tel"),
        capacities=capacity_rows(((f[0], f[1]) for f in forms), str(entry["id"])),
        record=f"{entry['id']} ({place_id})",
    )


def _katalog_place(record: dict, service_id: str) -> Place:
    if all(record[key] is None for key in ADDRESS_KEYS):
        return Place(service_id, None, None, None, None)
    point = record["adm"]
    return Place(
        service_id=service_id,
        place_id=record["id"],
        address_point=None if point is None else str(point),
        address=format_address(record["ulice"], record["cd"], record["co"], record["psc"], record["obec"],
                               record["cast"]),
        obec_kod=None if record["kodObce"] is None else str(record["kodObce"]),
        lat=record["lat"],
        lng=record["lng"],
    )


def parse_katalog(path: Path) -> Parsed:
    """Read the katalog JSONL (one place per line) into services and their places."""
    listings: dict[str, list[Service]] = {}
    places: list[Place] = []
    unreadable: list[dict[str, str]] = []
    records = 0
    with reading(path), open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            records += 1
            try:
                record = json.loads(line)
                require(record, _KATALOG_PLACE_KEYS, f"line {number}")
                if not isinstance(record["s"], list):
                    raise BadRecordError("key s is not a list")
            except (json.JSONDecodeError, BadRecordError) as exc:
                unreadable.append({"id": f"line {number}", "reason": str(exc)})
                continue
            for entry in record["s"]:
                try:
                    service = _katalog_service(entry, record["id"])
                except BadRecordError as exc:
                    label = entry.get("id") if isinstance(entry, dict) else None
                    unreadable.append({"id": f"{label or 'service'} ({record['id']})", "reason": str(exc)})
                    continue
                listings.setdefault(service.service_id, []).append(service)
                places.append(_katalog_place(record, service.service_id))
    services: dict[str, Service] = {}
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
    return Parsed(services, places, unreadable, records)
