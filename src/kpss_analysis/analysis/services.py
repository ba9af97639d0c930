"""Registered social services of a territory: attribution to units, overview tables, the serving view.

Pure functions on the tables of :mod:`kpss_analysis.data.load` (``load_services``, ``load_service_capacities``,
``load_service_places``, ``load_service_territory``): frames in, frames out, no I/O.

Method
------
* **Each service is counted once.** The register lists a service at every address it has, with its full capacity each
  time. Here a service's capacity, and the service itself (count 1), are split *equally* among its distinct places: a
  service with three places, two in ORP A and one in ORP B, gives 2/3 of its capacity and 2/3 of a service to A and 1/3
  to B.
* **Unlocated** (``UNLOCATED``, "nepřiřazené"): the part of a service at places without a known obec (no address, or
  an address outside the code list) belongs to no ORP or kraj, but to ČR. All ORPs plus the unlocated part equal the
  national total.
* Capacities are the **registered maxima** (lůžka, klienti, intervence, kontakty, hovory), not free places. Values of
  different capacity types are never added up; the same type is added over the forms (pobytová / ambulantní /
  terénní) of a service.
* **Coverage** travels with the numbers: the register export in hand may hold only the services with a senior target
  group (the mirror's katalog). A druh that the data in hand do not cover is reported as :data:`NOT_AVAILABLE`, never
  as zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import icu
import pandas as pd

from kpss_analysis import memo
from kpss_analysis.analysis.demography import CR_CODE, LEVEL_KEYS, comparison_units
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.errors import DataValidationError

#: Unit code of the part of services that lies at places without a known obec.
UNLOCATED = "nepřiřazené"


#: Unit levels of :func:`compute_attribution` and the place column that names the unit.
LEVEL_COLUMNS = {"orp": "orp_kod", "kraj": "kraj_kod", "cr": None}


#: Text shown instead of a number for a druh (or target group) the data in hand do not cover.
NOT_AVAILABLE = "data registru pro tuto cílovou skupinu nejsou k dispozici"


DS, DZR = "13", "14"


#: Forms of a service: adjective for one service, and the plural column header.
FORM_LABELS = {"pob": "pobytová", "amb": "ambulantní", "ter": "terénní"}


FORM_HEADERS = {"pob": "pobytové", "amb": "ambulantní", "ter": "terénní"}


#: Capacity types: the unit as a table header names it.
CAPACITY_UNITS = {"luzka": "lůžka", "klient": "klienti", "interv": "intervence", "kontakt": "kontakty",
                  "hovor": "hovory"}


#: The columns of the places table a service's shares rest on.
PLACE_COLUMNS = ["service_id", "place_id", "obec_kod", "orp_kod", "kraj_kod"]


def compute_place_shares(services: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Each service's share at each of its distinct places: 1 / number of its places.

    Services of ``services`` without any row in ``places`` get one unlocated row (share 1);
    places of services not in ``services`` (e.g. ended ones) are left out.

    Returns
    -------
    DataFrame with ``service_id``, ``place_id``, ``obec_kod``, ``orp_kod``, ``kraj_kod``, ``share``.

    Raises
    ------
    DataValidationError
        When a service is listed twice at the same place.
    """
    return _place_shares(services["service_id"], places[PLACE_COLUMNS])


@memo.by_content()
def _place_shares(service_ids: pd.Series, places: pd.DataFrame) -> pd.DataFrame:
    """:func:`compute_place_shares` of the national tables, kept per process (:mod:`kpss_analysis.memo`)."""
    columns = PLACE_COLUMNS
    frame = places[places["service_id"].isin(service_ids)]
    twice = frame[frame.duplicated(["service_id", "place_id"])]
    if not twice.empty:
        first = twice.iloc[0]
        raise DataValidationError(
            f"Service {first['service_id']} is listed more than once at place {first['place_id']} in the places "
            "table; it must hold each distinct place of a service once. Rebuild with `kpss data build`.")
    missing = service_ids[~service_ids.isin(frame["service_id"])].to_frame("service_id")
    frame = pd.concat([frame, missing], ignore_index=True)
    frame[columns[1:]] = frame[columns[1:]].astype("string")
    frame["share"] = 1.0 / frame.groupby("service_id")["service_id"].transform("size")
    return frame


def _unit_codes(frame: pd.DataFrame, level: str) -> pd.Series:
    if level not in LEVEL_COLUMNS:
        raise ValueError(f"unknown level {level!r}; choose one of {', '.join(LEVEL_COLUMNS)}")
    if level == "cr":
        return pd.Series(CR_CODE, index=frame.index, dtype="string")
    return frame[LEVEL_COLUMNS[level]].astype("string").fillna(UNLOCATED)


def compute_service_shares(services: pd.DataFrame, places: pd.DataFrame, level: str) -> pd.DataFrame:
    """Share of each service in each unit of ``level`` (``"orp"``, ``"kraj"``, ``"cr"``).

    Returns ``service_id``, ``unit`` (code, or :data:`UNLOCATED`), ``share``; the shares of a
    service sum to 1.
    """
    return _service_shares(services["service_id"], places[PLACE_COLUMNS], level)


@memo.by_content()
def _service_shares(service_ids: pd.Series, places: pd.DataFrame, level: str) -> pd.DataFrame:
    shares = _place_shares(service_ids, places)
    shares["unit"] = _unit_codes(shares, level)
    return shares.groupby(["service_id", "unit"], as_index=False)["share"].sum()


def compute_attribution(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                        level: str) -> pd.DataFrame:
    """Attributed capacity and (fractional) number of services per unit × druh × forma × type.

    A service's capacity is split equally among its distinct places (see the module notes);
    ``services`` counts the services that have the row's form and capacity type, each with its
    share in the unit. Forms without a registered capacity have ``capacity_type`` <NA> and
    ``capacity`` NaN.

    Parameters
    ----------
    services, capacities, places
        Tables of :func:`kpss_analysis.data.load.load_services` and its siblings.
    level
        ``"orp"``, ``"kraj"`` or ``"cr"``; places without a known unit go to :data:`UNLOCATED`.

    Returns
    -------
    DataFrame with ``unit``, ``druh_code``, ``forma``, ``capacity_type``, ``capacity``, ``services``.
    """
    return _attribution(services[["service_id", "druh_code"]], capacities[CAPACITY_COLUMNS], places[PLACE_COLUMNS],
                        level)


#: The columns of the capacities table an attribution rests on.
CAPACITY_COLUMNS = ["service_id", "forma", "capacity_type", "capacity"]


@memo.by_content()
def _attribution(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame, level: str) -> pd.DataFrame:
    """:func:`compute_attribution` of the national tables, kept per process (:mod:`kpss_analysis.memo`)."""
    return _attribute(_service_shares(services["service_id"], places, level), services, capacities)


def _attribute(shares: pd.DataFrame, services: pd.DataFrame, capacities: pd.DataFrame) -> pd.DataFrame:
    """Capacities and service counts weighted by ``shares`` (``service_id``, ``unit``, ``share``)."""
    rows = shares.merge(services[["service_id", "druh_code"]], on="service_id").merge(
        capacities[CAPACITY_COLUMNS], on="service_id")
    rows["capacity"] = rows["capacity"] * rows["share"]
    grouped = rows.groupby(["unit", "druh_code", "forma", "capacity_type"], dropna=False)
    out = grouped[["capacity"]].sum(min_count=1).join(grouped[["share"]].sum().rename(columns={"share": "services"}))
    return out.reset_index()


def capacity_by_unit(attribution: pd.DataFrame, druh_codes: Iterable[str], capacity_type: str) -> pd.Series:
    """Capacity of one type summed over the given druhy and all forms, per unit."""
    rows = attribution[attribution["druh_code"].isin(list(druh_codes)) & (attribution["capacity_type"] == capacity_type)]
    return rows.groupby("unit")["capacity"].sum()


def compute_service_counts(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                           level: str) -> pd.DataFrame:
    """(Fractional) number of services per unit × druh, in all and with each form.

    A service with two forms counts once in ``total`` and once in each of its form columns.

    Returns ``unit``, ``druh_code``, ``pob``, ``amb``, ``ter``, ``total``.
    """
    shares = compute_service_shares(services, places, level)
    forms = capacities[["service_id", "forma"]].drop_duplicates()
    flags = pd.crosstab(forms["service_id"], forms["forma"]).clip(upper=1).reindex(columns=list(FORM_LABELS), fill_value=0)
    rows = shares.merge(services[["service_id", "druh_code"]], on="service_id").merge(
        flags, left_on="service_id", right_index=True, how="left")
    rows[list(FORM_LABELS)] = rows[list(FORM_LABELS)].fillna(0).mul(rows["share"], axis=0)
    rows["total"] = rows["share"]
    return rows.groupby(["unit", "druh_code"], as_index=False)[[*FORM_LABELS, "total"]].sum()


def druh_labels(services: pd.DataFrame) -> pd.DataFrame:
    """One row per druh (``druh_code``, ``druh_name``, ``paragraph``, ``druh_group``) in § order."""
    labels = services[["druh_code", "druh_name", "paragraph", "druh_group"]].drop_duplicates("druh_code")
    return labels.sort_values("paragraph", key=lambda s: s.map(paragraph_key)).reset_index(drop=True)


def compute_unit_overview(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                          orp: Orp) -> pd.DataFrame:
    """Number of services (in all and by form), providers and druhy: ORP, its kraj and ČR.

    Providers are the distinct IČO of the services with a share in the unit.

    Returns ``key``, ``ukazatel`` and one column per unit (labels of
    :func:`kpss_analysis.analysis.demography.comparison_units`).
    """
    labels = {"total": "Sociální služby celkem", **{f: f"– {FORM_HEADERS[f]}" for f in FORM_LABELS},
              "providers": "Poskytovatelé (různá IČO)", "druhy": "Druhy služeb"}
    table = pd.DataFrame({"key": list(labels), "ukazatel": list(labels.values())})
    for level, code, label in comparison_units(orp):
        counts = compute_service_counts(services, capacities, places, level)
        counts = counts[counts["unit"] == code]
        shares = compute_service_shares(services, places, level)
        present = services[services["service_id"].isin(shares.loc[shares["unit"] == code, "service_id"])]
        values = {**counts[["total", *FORM_LABELS]].sum().to_dict(), "providers": present["provider_ico"].nunique(),
                  "druhy": present["druh_code"].nunique()}
        table[label] = table["key"].map(values).astype(float)
    return table


def compute_druh_forma_table(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                             orp: Orp) -> pd.DataFrame:
    """Services located in the ORP by druh × form, with a total row; druhy in § order.

    Returns ``druh_name``, ``paragraph``, ``pob``, ``amb``, ``ter``, ``total`` (fractional counts).
    """
    counts = compute_service_counts(services, capacities, places, "orp")
    counts = counts[(counts["unit"] == orp.code) & (counts["total"] > 0)]
    table = druh_labels(services).merge(counts.drop(columns="unit"), on="druh_code")
    columns = ["druh_name", "paragraph", *FORM_LABELS, "total"]
    total = pd.DataFrame([{"druh_name": "Celkem", "paragraph": "", **table[[*FORM_LABELS, "total"]].sum().to_dict()}])
    return pd.concat([table[columns], total], ignore_index=True)


def compute_capacity_table(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                           orp: Orp) -> pd.DataFrame:
    """Registered capacity by druh and capacity type for the ORP, its kraj and ČR.

    One row per druh × capacity type that exists anywhere in the data; the unit is named in
    ``unit_label`` and types are never added together. A unit without such capacity shows 0
    (the druh is covered by the data, the unit just has none).

    Returns ``druh_name``, ``paragraph``, ``capacity_type``, ``unit_label`` and one column per unit.
    """
    frames = []
    for level, code, label in comparison_units(orp):
        attribution = compute_attribution(services, capacities, places, level)
        rows = attribution[(attribution["unit"] == code) & attribution["capacity_type"].notna()]
        frames.append(rows.groupby(["druh_code", "capacity_type"])["capacity"].sum().rename(label))
    table = pd.concat(frames, axis=1).fillna(0.0).reset_index()
    table = druh_labels(services).merge(table, on="druh_code")
    type_order = {t: i for i, t in enumerate(CAPACITY_UNITS)}
    table = table.sort_values(["paragraph", "capacity_type"], key=lambda s: s.map(
        paragraph_key if s.name == "paragraph" else type_order.get), kind="stable")
    table.insert(table.columns.get_loc("capacity_type") + 1, "unit_label", table["capacity_type"].map(CAPACITY_UNITS))
    return table.drop(columns=["druh_code", "druh_group"]).reset_index(drop=True)


def compute_serving_attribution(services: pd.DataFrame, capacities: pd.DataFrame, declared: pd.DataFrame,
                                age5: pd.DataFrame, territory: pd.DataFrame, level: str = "orp") -> pd.DataFrame:
    """Capacity by the territory a service declares it serves (rozšířená působnost).

    A service covering several units counts toward each with a share proportional to the
    population (31. 12. 2020) of the obce it covers there. Declared codes that match no obec
    of ``territory`` are ignored; services without any declared territory are left out.

    Parameters
    ----------
    declared
        :func:`kpss_analysis.data.load.load_service_territory`: ``service_id``, ``level``
        (kraj / okres / orp / obec), ``code``. Empty with the mirror's katalog.
    level
        ``"orp"`` or ``"kraj"``.

    Returns
    -------
    The columns of :func:`compute_attribution`; empty when ``declared`` is empty.
    """
    if level not in ("orp", "kraj"):
        raise ValueError(f"unknown level {level!r}; choose orp or kraj")
    columns = ["unit", "druh_code", "forma", "capacity_type", "capacity", "services"]
    if declared.empty:
        return pd.DataFrame(columns=columns)
    population = age5.groupby("obec_kod")["population"].sum()
    obce = territory[list(LEVEL_KEYS.values())].drop_duplicates("obec_kod")
    parts = [declared[declared["level"] == lvl].merge(obce, left_on="code", right_on=column)[["service_id", "obec_kod"]]
             for lvl, column in LEVEL_KEYS.items()]
    covered = pd.concat(parts).drop_duplicates()
    covered = covered.merge(obce[["obec_kod", LEVEL_COLUMNS[level]]], on="obec_kod")
    covered["population"] = covered["obec_kod"].map(population).fillna(0)
    by_unit = covered.groupby(["service_id", LEVEL_COLUMNS[level]], as_index=False)["population"].sum()
    by_unit["share"] = by_unit["population"] / by_unit.groupby("service_id")["population"].transform("sum")
    shares = by_unit.rename(columns={LEVEL_COLUMNS[level]: "unit"})[["service_id", "unit", "share"]]
    return _attribute(shares, services, capacities)[columns]


def compute_located_vs_serving(services: pd.DataFrame, located: pd.DataFrame, serving: pd.DataFrame,
                               orp: Orp) -> pd.DataFrame:
    """Capacity of the ORP by druh × type in both views: located in it, and serving it.

    ``located`` and ``serving`` are ORP-level frames of :func:`compute_attribution` and
    :func:`compute_serving_attribution`.

    Returns ``druh_name``, ``paragraph``, ``unit_label``, ``located``, ``serving``.
    """
    views = {}
    for name, frame in (("located", located), ("serving", serving)):
        rows = frame[(frame["unit"] == orp.code) & frame["capacity_type"].notna()]
        views[name] = rows.groupby(["druh_code", "capacity_type"])["capacity"].sum()
    table = pd.concat(views, axis=1).fillna(0.0).reset_index()
    table = druh_labels(services).merge(table, on="druh_code")
    table["unit_label"] = table["capacity_type"].map(CAPACITY_UNITS)
    table = table.sort_values("paragraph", key=lambda s: s.map(paragraph_key), kind="stable")
    return table[["druh_name", "paragraph", "unit_label", "located", "serving"]].reset_index(drop=True)


@cache
def _collator() -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale("cs_CZ"))


def czech_sort_key(text: str) -> bytes:
    """Sort key of ``text`` in Czech collation (ICU, CLDR rules): "Ch" after "H", "Č" after "C".

    Python's own ordering compares code points and the Unicode default collation (DUCET)
    treats "č" as a variant of "c"; Czech dictionaries and catalogues need the CLDR
    tailoring that ICU implements.
    """
    return _collator().getSortKey(str(text))


def paragraph_key(paragraph: object) -> tuple[int, str]:
    """"§ 49" → (49, ""), "§ 60a" → (60, "a"): the order of zákon 108/2006 Sb."""
    match = re.search(r"(\d+)\s*([a-z]?)", str(paragraph))
    return (int(match.group(1)), match.group(2)) if match else (10_000, str(paragraph))
