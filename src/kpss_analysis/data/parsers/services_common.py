"""What both register parsers share: the druh code lists, the record shape and the field readers.

Two sources give the same records (:class:`Service`, :class:`Place`):

* ``rpss`` – the official open-data export of the MPSV register (``rpss.json``, one item per service, every target
  group; online only), :mod:`.rpss`. Used whenever it is in ``data/raw``: the official register wins.
* ``katalog`` – the mirror's ``katalog_sluzeb_pro_seniory_*.jsonl`` (one line per address, only services with a
  senior target group), the offline default, :mod:`.katalog`.

A record that cannot be read (not JSON, a required key missing or malformed, a service whose druh, IČO or capacities
differ between its addresses) raises :class:`BadRecordError`; the parsers skip it and report its id in the build report.
An unknown druh code stops the build (:class:`DataValidationError`): the code list or
``data/druhy_socialnich_sluzeb.csv`` needs updating.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from kpss_analysis.data.checks import reading
from kpss_analysis.data.registry import get_dataset
from kpss_analysis.errors import DataValidationError

COVERED_TARGET_GROUPS = {"rpss": "všechny cílové skupiny", "katalog": "senioři"}


FORM_CODES = ("pob", "amb", "ter")


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


TERRITORY_LEVEL_ORDER = ("kraj", "okres", "orp", "obec")  # coarse → fine


#: Register id kind → (level, column of the territory table holding the id's code, ČSÚ code column).
TERRITORY_KINDS = {
    "Kraj": ("kraj", "kraj_ruian", "kraj_kod"),
    "Okres": ("okres", "okres_ruian", "okres_kod"),
    "Orp": ("orp", "orp_ruian", "orp_kod"),
    "Obec": ("obec", "obec_kod", "obec_kod"),
}


ADDRESS_KEYS = ("ulice", "cd", "co", "psc", "obec", "cast")


_CODE_LISTS = {"druhy": "druhy-socialni-sluzby", "target_groups": "cilove-skupiny-osoby"}


class BadRecordError(Exception):
    """A record that cannot be read; the message says why."""


def load_druh_table() -> pd.DataFrame:
    """The legal reference table of druhy (``data/druhy_socialnich_sluzeb.csv`` in the package).

    Returns
    -------
    pandas.DataFrame
        ``druh_name``, ``paragraph`` ("§ 49"), ``druh_group`` (péče / prevence / poradenství)
        and ``opendata_id`` (N of ``DruhSocialniSluzby/N`` where the mirror documents it, else <NA>).
    """
    with resources.files("kpss_analysis.data").joinpath("druhy_socialnich_sluzeb.csv").open(encoding="utf-8") as handle:
        table = pd.read_csv(handle, comment="#", dtype="string")
    bad = table.loc[~table["druh_group"].isin(DRUH_GROUPS), "druh_name"].tolist()
    if bad or not table["druh_name"].is_unique:
        raise DataValidationError(f"druhy_socialnich_sluzeb.csv: unknown group or duplicate name at {bad}")
    return table


def _name_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def read_code_list(path: Path) -> dict[str, str]:
    """An MPSV code list (``{"polozky": [{"id": "Druh/N", "nazev": {"cs": …}}]}``) → {N: name}."""
    with reading(path):
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
    path = raw / code_list_path("druhy")
    if path.is_file():
        names, origin = read_code_list(path), f"číselník {path.name}"
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


def code_list_path(key: str) -> str:
    name = _CODE_LISTS[key]
    return next(f.path for f in get_dataset("rpss").files if f.path.endswith(f"/{name}.json"))


@dataclass
class Service:
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
class Place:
    service_id: str
    place_id: str | None
    address_point: str | None
    address: str | None
    obec_kod: str | None
    lat: float | None = None
    lng: float | None = None


@dataclass
class Parsed:
    services: dict[str, Service]
    places: list[Place]
    unreadable: list[dict[str, str]]
    records: int
    extra: dict[str, int] = field(default_factory=dict)


def require(record: dict, keys: Iterable[str], what: str) -> None:
    if not isinstance(record, dict):
        raise BadRecordError(f"{what} is not a JSON object")
    missing = [key for key in keys if key not in record]
    if missing:
        raise BadRecordError(f"{what} lacks key(s) {', '.join(missing)}")


def read_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRecordError(f"{what} must be a non-empty string, got {value!r}")
    return value


def read_texts(value: object, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRecordError(f"{what} must be a list of strings, got {value!r}")
    return value


def read_date(value: object, what: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise BadRecordError(f"{what} is not a date: {value!r}") from None


def read_ico(value: object) -> str:
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    if not text.isdigit() or len(text) > 8:
        raise BadRecordError(f"IČO must be up to 8 digits, got {value!r}")
    return text.zfill(8)


def capacity_rows(forms: Iterable[tuple[object, list]], what: str) -> list[tuple[str, str | None, float]]:
    """(forma, [(type, count), …]) pairs → rows; a form without capacity gives (forma, None, NaN)."""
    rows: list[tuple[str, str | None, float]] = []
    for forma, capacities in forms:
        if forma not in FORM_CODES:
            raise BadRecordError(f"{what}: unknown forma {forma!r} (expected one of {', '.join(FORM_CODES)})")
        if any(row[0] == forma for row in rows):
            raise BadRecordError(f"{what}: forma {forma!r} listed twice")
        if not capacities:
            rows.append((forma, None, float("nan")))
        for kind, count in capacities:
            if kind not in CAPACITY_TYPES:
                expected = ", ".join(CAPACITY_TYPES)
                raise BadRecordError(f"{what}: unknown capacity type {kind!r} (expected one of {expected})")
            if isinstance(count, bool) or not isinstance(count, (int, float)) or count < 0:
                raise BadRecordError(f"{what}: capacity {kind!r} must be a non-negative number, got {count!r}")
            if any(row[:2] == (forma, kind) for row in rows):
                raise BadRecordError(f"{what}: capacity type {kind!r} listed twice in forma {forma!r}")
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
