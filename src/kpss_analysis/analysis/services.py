"""Registered social services of a territory: attribution, overview, ratios, gaps, catalogue.

Pure functions on the tables of :mod:`kpss_analysis.load` (``load_services``,
``load_service_capacities``, ``load_service_places``, ``load_service_territory``): frames in,
frames out, no I/O (except :func:`load_target_populations`, which reads the editable table of
target populations shipped with the package).

Method
------
* **Each service is counted once.** The register lists a service at every address it has,
  with its full capacity each time. Here a service's capacity, and the service itself (count
  1), are split *equally* among its distinct places: a service with three places, two in ORP A
  and one in ORP B, gives 2/3 of its capacity and 2/3 of a service to A and 1/3 to B.
* **Unlocated** (``UNLOCATED``, "nepřiřazené"): the part of a service at places without a
  known obec (no address, or an address outside the code list) belongs to no ORP or kraj, but
  to ČR. All ORPs plus the unlocated part equal the national total.
* Capacities are the **registered maxima** (lůžka, klienti, intervence, kontakty, hovory), not
  free places. Values of different capacity types are never added up; the same type is added
  over the forms (pobytová / ambulantní / terénní) of a service.
* **Coverage** travels with the numbers: the register export in hand may hold only the services
  with a senior target group (the mirror's katalog). A druh that the data in hand do not cover
  is reported as :data:`NOT_AVAILABLE`, never as zero.
* Ratios per 1 000 people of a target population use the obec age structure on 31. 12. 2020
  (:func:`kpss_analysis.load.load_age5`); the register snapshot is years later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path

import geopandas as gpd
import icu
import numpy as np
import pandas as pd
from babel import Locale

from . import fmt
from .datasets import citation
from .demography import CR_CODE, aggregate_by_unit, comparison_units
from .errors import DataValidationError, ParameterError
from .territory import Orp

#: Unit code of the part of services that lies at places without a known obec.
UNLOCATED = "nepřiřazené"
#: Unit levels of :func:`compute_attribution` and the place column that names the unit.
LEVEL_COLUMNS = {"orp": "orp_kod", "kraj": "kraj_kod", "cr": None}
#: Text shown instead of a number for a druh (or target group) the data in hand do not cover.
NOT_AVAILABLE = "data registru pro tuto cílovou skupinu nejsou k dispozici"
#: Note of a covered druh that has no registered capacity in the ORP (a real zero).
NO_CAPACITY = "v SO ORP není registrovaná kapacita (pořadí se neuvádí)"
#: Date of the age structure the ratios use.
POPULATION_DATE = "2020-12-31"
DS, DZR = "13", "14"

#: Forms of a service: adjective for one service, and the plural column header.
FORMS = {"pob": "pobytová", "amb": "ambulantní", "ter": "terénní"}
FORM_HEADERS = {"pob": "pobytové", "amb": "ambulantní", "ter": "terénní"}
#: Capacity types: the unit as a table header names it.
CAPACITY_UNITS = {"luzka": "lůžka", "klient": "klienti", "interv": "intervence", "kontakt": "kontakty",
                  "hovor": "hovory"}
#: Capacity words by CLDR plural category of the Czech locale (1 / 2–4 / decimals / other).
CAPACITY_WORDS = {
    "luzka": {"one": "lůžko", "few": "lůžka", "many": "lůžka", "other": "lůžek"},
    "klient": {"one": "klient", "few": "klienti", "many": "klienta", "other": "klientů"},
    "interv": {"one": "intervence", "few": "intervence", "many": "intervence", "other": "intervencí"},
    "kontakt": {"one": "kontakt", "few": "kontakty", "many": "kontaktu", "other": "kontaktů"},
    "hovor": {"one": "hovor", "few": "hovory", "many": "hovoru", "other": "hovorů"},
}
#: Coverage of each source of the service tables (``meta["source"]``).
COVERAGE_TEXT = {"katalog": "registrované sociální služby s cílovou skupinou senioři",
                 "rpss": "všechny registrované sociální služby"}
TARGET_COLUMNS = ["key", "label", "druh_codes", "capacity_type", "age_from", "note"]
TARGETS_FILE = "target_populations.csv"
TERRITORY_LEVELS = {"kraj": "kraj_kod", "okres": "okres_kod", "orp": "orp_kod", "obec": "obec_kod"}

_CZECH = Locale.parse("cs")


# --------------------------------------------------------------------------- text helpers


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


def capacity_text(value: float, capacity_type: str) -> str:
    """``40, "luzka"`` → "40 lůžek"; the word agrees with the number (Czech plural rules)."""
    words = CAPACITY_WORDS[capacity_type]
    number = int(value) if float(value).is_integer() else float(value)
    decimals = 0 if isinstance(number, int) else 1
    return f"{fmt.number(number, decimals)}{fmt.NBSP}{words[_CZECH.plural_form(number)]}"


def _paragraph_key(paragraph: object) -> tuple[int, str]:
    """"§ 49" → (49, ""), "§ 60a" → (60, "a"): the order of zákon 108/2006 Sb."""
    match = re.search(r"(\d+)\s*([a-z]?)", str(paragraph))
    return (int(match.group(1)), match.group(2)) if match else (10_000, str(paragraph))


def _as_list(value: object) -> list[str]:
    """A list column cell (list, numpy array or missing) as a list of strings."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [str(v) for v in value]


def coverage_text(meta: Mapping[str, str]) -> str:
    """What the register export in hand covers, in the words every "Zdroj:" line uses."""
    return COVERAGE_TEXT[meta["source"]]


def source_text(meta: Mapping[str, str], *dataset_keys: str) -> str:
    """The "Zdroj:" text: the register (its citation names the snapshot date), its coverage, other datasets.

    Parameters
    ----------
    meta
        :func:`kpss_analysis.load.load_services_meta`: ``source``, ``citation``.
    dataset_keys
        Keys of further datasets (:func:`kpss_analysis.datasets.citation`), e.g. ``"age_structure"``.
    """
    register = f"{meta['citation']}; pokrytí: {coverage_text(meta)}"
    return "; ".join([register, citation(*dataset_keys)]) if dataset_keys else register


# --------------------------------------------------------------------------- attribution


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
    columns = ["service_id", "place_id", "obec_kod", "orp_kod", "kraj_kod"]
    frame = pd.DataFrame(places[columns])
    frame = frame[frame["service_id"].isin(services["service_id"])]
    twice = frame[frame.duplicated(["service_id", "place_id"])]
    if not twice.empty:
        first = twice.iloc[0]
        raise DataValidationError(
            f"Service {first['service_id']} is listed more than once at place {first['place_id']} in the places "
            "table; it must hold each distinct place of a service once. Rebuild with `kpss data build`.")
    missing = services.loc[~services["service_id"].isin(frame["service_id"]), ["service_id"]]
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
    shares = compute_place_shares(services, places)
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
        Tables of :func:`kpss_analysis.load.load_services` and its siblings.
    level
        ``"orp"``, ``"kraj"`` or ``"cr"``; places without a known unit go to :data:`UNLOCATED`.

    Returns
    -------
    DataFrame with ``unit``, ``druh_code``, ``forma``, ``capacity_type``, ``capacity``, ``services``.
    """
    return _attribute(compute_service_shares(services, places, level), services, capacities)


def _attribute(shares: pd.DataFrame, services: pd.DataFrame, capacities: pd.DataFrame) -> pd.DataFrame:
    """Capacities and service counts weighted by ``shares`` (``service_id``, ``unit``, ``share``)."""
    rows = shares.merge(services[["service_id", "druh_code"]], on="service_id").merge(
        capacities[["service_id", "forma", "capacity_type", "capacity"]], on="service_id")
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
    flags = pd.crosstab(forms["service_id"], forms["forma"]).clip(upper=1).reindex(columns=list(FORMS), fill_value=0)
    rows = shares.merge(services[["service_id", "druh_code"]], on="service_id").merge(
        flags, left_on="service_id", right_index=True, how="left")
    rows[list(FORMS)] = rows[list(FORMS)].fillna(0).mul(rows["share"], axis=0)
    rows["total"] = rows["share"]
    return rows.groupby(["unit", "druh_code"], as_index=False)[[*FORMS, "total"]].sum()


# --------------------------------------------------------------------------- overview


def _druh_labels(services: pd.DataFrame) -> pd.DataFrame:
    """One row per druh (``druh_code``, ``druh_name``, ``paragraph``, ``druh_group``) in § order."""
    labels = services[["druh_code", "druh_name", "paragraph", "druh_group"]].drop_duplicates("druh_code")
    return labels.sort_values("paragraph", key=lambda s: s.map(_paragraph_key)).reset_index(drop=True)


def compute_unit_overview(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                          orp: Orp) -> pd.DataFrame:
    """Number of services (in all and by form), providers and druhy: ORP, its kraj and ČR.

    Providers are the distinct IČO of the services with a share in the unit.

    Returns ``key``, ``ukazatel`` and one column per unit (labels of
    :func:`kpss_analysis.demography.comparison_units`).
    """
    labels = {"total": "Sociální služby celkem", **{f: f"– {FORM_HEADERS[f]}" for f in FORMS},
              "providers": "Poskytovatelé (různá IČO)", "druhy": "Druhy služeb"}
    table = pd.DataFrame({"key": list(labels), "ukazatel": list(labels.values())})
    for level, code, label in comparison_units(orp):
        counts = compute_service_counts(services, capacities, places, level)
        counts = counts[counts["unit"] == code]
        shares = compute_service_shares(services, places, level)
        present = services[services["service_id"].isin(shares.loc[shares["unit"] == code, "service_id"])]
        values = {**counts[["total", *FORMS]].sum().to_dict(), "providers": present["provider_ico"].nunique(),
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
    table = _druh_labels(services).merge(counts.drop(columns="unit"), on="druh_code")
    columns = ["druh_name", "paragraph", *FORMS, "total"]
    total = pd.DataFrame([{"druh_name": "Celkem", "paragraph": "", **table[[*FORMS, "total"]].sum().to_dict()}])
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
    table = _druh_labels(services).merge(table, on="druh_code")
    type_order = {t: i for i, t in enumerate(CAPACITY_UNITS)}
    table = table.sort_values(["paragraph", "capacity_type"], key=lambda s: s.map(
        _paragraph_key if s.name == "paragraph" else type_order.get), kind="stable")
    table.insert(table.columns.get_loc("capacity_type") + 1, "unit_label", table["capacity_type"].map(CAPACITY_UNITS))
    return table.drop(columns=["druh_code", "druh_group"]).reset_index(drop=True)


# --------------------------------------------------------------------------- serving view


def compute_serving_attribution(services: pd.DataFrame, capacities: pd.DataFrame, declared: pd.DataFrame,
                                age5: pd.DataFrame, territory: pd.DataFrame, level: str = "orp") -> pd.DataFrame:
    """Capacity by the territory a service declares it serves (rozšířená působnost).

    A service covering several units counts toward each with a share proportional to the
    population (31. 12. 2020) of the obce it covers there. Declared codes that match no obec
    of ``territory`` are ignored; services without any declared territory are left out.

    Parameters
    ----------
    declared
        :func:`kpss_analysis.load.load_service_territory`: ``service_id``, ``level``
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
    obce = territory[list(TERRITORY_LEVELS.values())].drop_duplicates("obec_kod")
    parts = [declared[declared["level"] == lvl].merge(obce, left_on="code", right_on=column)[["service_id", "obec_kod"]]
             for lvl, column in TERRITORY_LEVELS.items()]
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
    table = _druh_labels(services).merge(table, on="druh_code")
    table["unit_label"] = table["capacity_type"].map(CAPACITY_UNITS)
    table = table.sort_values("paragraph", key=lambda s: s.map(_paragraph_key), kind="stable")
    return table[["druh_name", "paragraph", "unit_label", "located", "serving"]].reset_index(drop=True)


def describe_serving(meta: Mapping[str, str], declared: pd.DataFrame) -> str:
    """Czech note on the second view ("serving the ORP") and whether the data in hand allow it."""
    if meta["source"] == "katalog":
        return ("**Služby působící v ORP** (podle území, které služba v registru uvádí jako svou působnost) "
                "nelze z dat v ruce určit: výběr z registru se službami pro seniory území působnosti neobsahuje. "
                "Tento pohled vyžaduje úplný registr poskytovatelů sociálních služeb MPSV "
                "(`kpss data fetch --online`); níže jsou proto jen služby s adresou v ORP.")
    if declared.empty:
        return "**Služby působící v ORP:** registr neuvádí u žádné služby území působnosti; pohled nelze sestavit."
    return ("**Služby působící v ORP:** služba, která podle registru působí ve více ORP, se do každé započítá "
            "podílem odpovídajícím počtu obyvatel (31. 12. 2020) obcí, které v ní pokrývá. Služby bez uvedeného "
            "území působnosti v tomto pohledu nejsou.")


# --------------------------------------------------------------------------- ratios


def load_target_populations(path: str | Path | None = None) -> pd.DataFrame:
    """The table of target populations for capacity ratios, indexed by ``key``.

    The packaged ``data/target_populations.csv`` (or a copy an analyst edits, given by
    ``path``) has one row per ratio: ``key`` (identifier), ``label`` (Czech), ``druh_codes``
    (open-data druh codes, ``;``-separated — their capacities are added), ``capacity_type``,
    ``age_from`` (target population: people of this age and older; a multiple of 5 up to 85,
    because the obec age structure has five-year groups) and ``note`` (Czech explanation).

    Raises
    ------
    ParameterError
        When the file is missing or a row is invalid (the message names the file and key).
    """
    source = Path(path) if path else resources.files("kpss_analysis").joinpath("data", TARGETS_FILE)
    if not source.is_file():
        raise ParameterError(f"Tabulka cílových populací {source} neexistuje; zadejte cestu k souboru CSV "
                             f"se sloupci {', '.join(TARGET_COLUMNS)}.")
    table = pd.read_csv(source, dtype=str, keep_default_na=False)
    missing = set(TARGET_COLUMNS) - set(table.columns)
    if missing:
        raise ParameterError(f"{source}: chybí sloupce {sorted(missing)}; potřebné jsou {', '.join(TARGET_COLUMNS)}.")
    for row in table.itertuples():
        problems = []
        if row.capacity_type not in CAPACITY_UNITS:
            problems.append(f"capacity_type {row.capacity_type!r} není jeden z typů {', '.join(CAPACITY_UNITS)}")
        if not (row.age_from.isdigit() and int(row.age_from) % 5 == 0 and int(row.age_from) <= 85):
            problems.append(f"age_from {row.age_from!r} musí být násobek 5 od 0 do 85 (pětileté věkové skupiny)")
        if not row.druh_codes.strip() or not row.key.strip():
            problems.append("key a druh_codes nesmí být prázdné")
        if problems:
            raise ParameterError(f"{source}, řádek {row.key!r}: " + "; ".join(problems) + ".")
    duplicated = table.loc[table["key"].duplicated(), "key"].tolist()
    if duplicated:
        raise ParameterError(f"{source}: klíče se nesmí opakovat, opakuje se {duplicated}.")
    table["druh_codes"] = table["druh_codes"].map(lambda s: tuple(c.strip() for c in s.split(";") if c.strip()))
    table["age_from"] = table["age_from"].astype(int)
    return table[TARGET_COLUMNS].set_index("key")


def compute_target_population(age5: pd.DataFrame, territory: pd.DataFrame, level: str, age_from: int) -> pd.Series:
    """People aged ``age_from`` and older per unit of ``level`` (31. 12. 2020)."""
    older = age5[age5["age_start"] >= age_from]
    return aggregate_by_unit(older, territory, level, by=[]).set_index("unit")["population"]


def compute_ratio_ranking(attribution: pd.DataFrame, age5: pd.DataFrame, territory: pd.DataFrame,
                          kraj_code: str, target: pd.Series) -> pd.DataFrame:
    """The ORPs of a kraj by capacity per 1 000 people of the target population, highest first.

    Parameters
    ----------
    attribution
        ORP-level :func:`compute_attribution`.
    target
        A row of :func:`load_target_populations`.

    Returns ``orp_kod``, ``orp_nazev``, ``value``, ``rank`` (as
    :func:`kpss_analysis.demography.compute_orp_ranking`).
    """
    capacity = capacity_by_unit(attribution, target["druh_codes"], target["capacity_type"])
    population = compute_target_population(age5, territory, "orp", target["age_from"])
    orps = territory.loc[territory["kraj_kod"] == kraj_code, ["orp_kod", "orp_nazev"]].drop_duplicates()
    values = 1000 * orps["orp_kod"].map(capacity).fillna(0.0) / orps["orp_kod"].map(population)
    table = orps.assign(value=values).sort_values("value", ascending=False, kind="stable")
    table["rank"] = table["value"].rank(ascending=False, method="min").astype(int)
    return table.reset_index(drop=True)


def compute_capacity_ratios(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                            age5: pd.DataFrame, territory: pd.DataFrame, orp: Orp,
                            targets: pd.DataFrame) -> pd.DataFrame:
    """Capacity per 1 000 people of each target population: ORP, kraj, ČR and the ORP's rank.

    A target whose druhy do not occur in the data at all (not covered by the register export
    in hand) gets NaN capacities and ratios and ``covered`` False — never zero.

    Returns
    -------
    One row per target (``key``, ``label``, ``capacity_type``, ``unit_label``, ``age_from``,
    ``target_label``, ``covered``), with ``capacity_<level>``, ``population_<level>`` and
    ``ratio_<level>`` for ``orp``, ``kraj``, ``cr``, and ``rank`` / ``n_orp`` of the ORP among
    the ORPs of its kraj.
    """
    units = comparison_units(orp)
    attribution = {level: compute_attribution(services, capacities, places, level) for level, _c, _l in units}
    present = set(services["druh_code"])
    populations = {}
    rows = []
    for key, target in targets.iterrows():
        covered = bool(set(target["druh_codes"]) & present)
        row = {"key": key, "label": target["label"], "capacity_type": target["capacity_type"],
               "unit_label": CAPACITY_UNITS[target["capacity_type"]], "age_from": int(target["age_from"]),
               "target_label": f"{target['age_from']}+", "covered": covered}
        for level, code, _label in units:
            if (level, target["age_from"]) not in populations:
                populations[level, target["age_from"]] = compute_target_population(age5, territory, level,
                                                                                   target["age_from"])
            population = populations[level, target["age_from"]].get(code, np.nan)
            capacity = capacity_by_unit(attribution[level], target["druh_codes"], target["capacity_type"]).get(code, 0.0)
            row[f"capacity_{level}"] = capacity if covered else np.nan
            row[f"population_{level}"] = population
            row[f"ratio_{level}"] = 1000 * capacity / population if covered else np.nan
        ranking = compute_ratio_ranking(attribution["orp"], age5, territory, orp.kraj_code, target)
        row["rank"] = int(ranking.loc[ranking["orp_kod"] == orp.code, "rank"].iloc[0]) if covered else np.nan
        row["n_orp"] = len(ranking)
        rows.append(row)
    return pd.DataFrame(rows)


def ratio_table(ratios: pd.DataFrame, orp: Orp) -> pd.DataFrame:
    """:func:`compute_capacity_ratios` with Czech headers for a plan, uncovered rows explained."""
    names = [label for _l, _c, label in comparison_units(orp)]
    table = pd.DataFrame({
        "Druh služby": ratios["label"],
        "Jednotka kapacity": ratios["unit_label"],
        "Cílová populace (věk)": ratios["target_label"],
        f"Kapacita – {names[0]}": ratios["capacity_orp"],
        f"Obyvatelé cílové populace – {names[0]}": ratios["population_orp"].astype("int64"),
        f"Na 1 000 obyvatel – {names[0]}": ratios["ratio_orp"],
        f"Na 1 000 obyvatel – {names[1]}": ratios["ratio_kraj"],
        f"Na 1 000 obyvatel – {names[2]}": ratios["ratio_cr"],
        "Pořadí ORP v kraji": [f"{int(r)}. z {n}" if c > 0 and n > 1 else fmt.MISSING
                               for r, n, c in zip(ratios["rank"], ratios["n_orp"], ratios["capacity_orp"].fillna(0))],
        "Poznámka": [NOT_AVAILABLE if not covered else "" if c > 0 else NO_CAPACITY
                     for covered, c in zip(ratios["covered"], ratios["capacity_orp"].fillna(0))],
    })
    return table


# --------------------------------------------------------------------------- gap to the horizon


def _key_problems(keys: Iterable[str], known: list[str]) -> list[str]:
    unknown = [k for k in keys if k not in known]
    return [f"neznámé klíče {unknown}; tabulka cílových populací má {', '.join(known)}"] if unknown else []


def _norm_problems(norms: Mapping[str, object]) -> list[str]:
    bad = {k: v for k, v in norms.items()
           if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or np.isnan(v)}
    return [f"normy musí být čísla ≥ 0 (kapacita na 1 000 obyvatel cílové populace), zadáno {bad}"] if bad else []


def check_parameters(horizon_years: Iterable[int], gap_targets: Iterable[str], norms: Mapping[str, float],
                     ranking_target: str, targets: pd.DataFrame) -> list[int]:
    """Validate the chapter's parameters against the target table; return the horizon years sorted.

    Raises
    ------
    ParameterError
        Naming every wrong parameter (in Czech: the message shows in the notebook).
    """
    years = list(horizon_years)
    problems = []
    if not years or any(isinstance(y, bool) or not isinstance(y, int) or not 2021 <= y <= 2100 for y in years):
        problems.append(f"horizon_years musí být neprázdný seznam let 2021–2100, např. [2030, 2040], zadáno {years}")
    problems += _key_problems([*gap_targets, *norms, ranking_target], list(targets.index)) + _norm_problems(norms)
    if problems:
        raise ParameterError("Chybné parametry kapitoly: " + "; ".join(problems) + ".")
    return sorted(set(years))


SCENARIOS = {"orp": "dnešní poměr ORP", "kraj": "poměr kraje", "cr": "poměr Česka", "norm": "norma"}


def compute_capacity_gap(ratios: pd.DataFrame, horizon_population: pd.DataFrame,
                         norms: Mapping[str, float] | None = None, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """Capacity needed at each horizon year and its difference to today's capacity.

    For each target and year: needed = ratio × target population / 1 000 for (a) the ORP's
    ratio today, (b) the kraj ratio, (c) the ČR ratio and (d) a norm per 1 000 from ``norms``
    (NaN when none is set); difference = needed − existing (positive: capacity missing).
    Only ``horizon_population`` changes between today's population and a projection.

    Parameters
    ----------
    ratios
        :func:`compute_capacity_ratios`.
    horizon_population
        ``year``, ``age_from``, ``population`` of the ORP.
    norms
        Target key → capacity per 1 000 people of its target population.
    keys
        Targets to include (default: every covered target).

    Raises
    ------
    ParameterError
        For an unknown key in ``norms`` or ``keys``, a negative norm, or a target age
        missing from ``horizon_population``.
    """
    norms = dict(norms or {})
    known = list(ratios["key"])
    problems = _key_problems([*norms, *(keys or [])], known) + _norm_problems(norms)
    if problems:
        raise ParameterError("Chybné parametry výpočtu potřeby: " + "; ".join(problems) + ".")
    selected = ratios[ratios["key"].isin(list(keys))] if keys is not None else ratios[ratios["covered"]]
    frame = selected.merge(horizon_population, on="age_from", how="left")
    lacking = frame.loc[frame["population"].isna(), "age_from"].unique()
    if len(lacking):
        raise ParameterError(f"Obyvatelé cílových let nemají věkovou skupinu {', '.join(f'{a}+' for a in lacking)}; "
                             "potřebný je řádek pro každý rok a každé age_from vybraných cílových populací.")
    frame["existing"] = frame["capacity_orp"]
    frame["ratio_norm"] = frame["key"].map(norms).astype(float)
    for scenario in SCENARIOS:
        frame[f"needed_{scenario}"] = frame[f"ratio_{scenario}"] * frame["population"] / 1000
        frame[f"difference_{scenario}"] = frame[f"needed_{scenario}"] - frame["existing"]
    columns = ["key", "label", "unit_label", "target_label", "year", "population", "existing",
               *[f"{kind}_{s}" for s in SCENARIOS for kind in ("needed", "difference")]]
    return frame[columns].sort_values(["key", "year"], key=lambda s: s.map(known.index) if s.name == "key" else s,
                                      kind="stable").reset_index(drop=True)


def gap_table(gap: pd.DataFrame) -> pd.DataFrame:
    """:func:`compute_capacity_gap` with Czech headers for a plan."""
    headers = {"label": "Druh služby", "unit_label": "Jednotka kapacity", "target_label": "Cílová populace (věk)",
               "year": "Rok", "population": "Obyvatelé cílové populace", "existing": "Stávající kapacita"}
    for scenario, text in SCENARIOS.items():
        headers[f"needed_{scenario}"] = f"Potřeba – {text}"
        headers[f"difference_{scenario}"] = f"Rozdíl – {text}"
    return gap.drop(columns="key").rename(columns=headers)


def gap_chart_table(gap: pd.DataFrame) -> pd.DataFrame:
    """Rows "<druh> (<jednotka>), <rok>" with existing and needed capacity, for a grouped bar chart.

    Rows of targets the data do not cover are left out, and so are scenarios without a value
    for every row (e.g. a norm set for only some druhy): the table keeps them all.
    """
    gap = gap[gap["existing"].notna()]
    table = pd.DataFrame({"kategorie": gap["label"] + " (" + gap["unit_label"] + "), " + gap["year"].astype(str),
                          "Stávající kapacita": gap["existing"]})
    for scenario, text in SCENARIOS.items():
        if gap[f"needed_{scenario}"].notna().all():
            table[f"Potřeba – {text}"] = gap[f"needed_{scenario}"]
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------- catalogue


def _service_places(services: pd.DataFrame, places: pd.DataFrame, orp_code: str) -> pd.DataFrame:
    rows = pd.DataFrame(places.drop(columns="geometry", errors="ignore"))
    return rows[rows["service_id"].isin(services["service_id"]) & (rows["orp_kod"] == orp_code)]


def compute_catalogue(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                      orp_code: str) -> list[dict]:
    """Catalogue of the services with a place in the ORP: one entry per service, grouped by druh.

    Groups follow the order of zákon 108/2006 Sb. (§); entries are sorted by name in Czech
    collation (then provider). Addresses are the service's addresses in the ORP; capacities
    read e.g. "40 lůžek (pobytová)".

    Returns
    -------
    list of ``{"druh", "paragraph", "group", "entries": [{"name", "provider", "ico", "addresses",
    "forms", "capacities", "web", "email", "phone"}]}`` — the ``groups`` of the catalogue JSON.
    """
    inside = _service_places(services, places, orp_code)
    addresses = inside.dropna(subset=["address"]).groupby("service_id")["address"].agg(
        lambda s: sorted(set(s), key=czech_sort_key))
    chosen = services[services["service_id"].isin(inside["service_id"])]
    form_order = {f: i for i, f in enumerate(FORMS)}
    type_order = {t: i for i, t in enumerate(CAPACITY_UNITS)}
    caps = capacities[capacities["service_id"].isin(chosen["service_id"])].copy()
    caps = caps.sort_values(["forma", "capacity_type"], key=lambda s: s.map(
        form_order if s.name == "forma" else type_order), kind="stable")
    groups = []
    for druh in _druh_labels(chosen).itertuples():
        members = chosen[chosen["druh_code"] == druh.druh_code]
        members = members.assign(_name=members["name"].map(czech_sort_key),
                                 _provider=members["provider_name"].map(czech_sort_key))
        entries = []
        for service in members.sort_values(["_name", "_provider", "service_id"]).itertuples():
            own = caps[caps["service_id"] == service.service_id]
            entries.append({
                "name": service.name,
                "provider": service.provider_name,
                "ico": service.provider_ico,
                "addresses": addresses.get(service.service_id, []),
                "forms": [FORMS[f] for f in own["forma"].drop_duplicates()],
                "capacities": [f"{capacity_text(c.capacity, c.capacity_type)} ({FORMS[c.forma]})"
                               for c in own.dropna(subset=["capacity"]).itertuples()],
                "web": _as_list(service.web),
                "email": _as_list(service.email),
                "phone": _as_list(service.phone),
            })
        groups.append({"druh": druh.druh_name, "paragraph": druh.paragraph, "group": druh.druh_group,
                       "entries": entries})
    return groups


# --------------------------------------------------------------------------- map


def compute_map_points(services: pd.DataFrame, capacities: pd.DataFrame, places: gpd.GeoDataFrame,
                       obce: gpd.GeoDataFrame, orp_code: str) -> gpd.GeoDataFrame:
    """Points of the ORP's services for a map: one per service × place.

    Places without coordinates are put at the representative point of their obec
    (``at_obec_point`` True), never jittered. ``size_value`` is the service's share of its
    beds at the place (its clients when it has no beds; NaN when it has neither) and
    ``size_unit`` names that unit.

    Returns a GeoDataFrame (the CRS of ``places``) with ``service_id``, ``druh_group``,
    ``size_value``, ``size_unit``, ``at_obec_point``, ``geometry``.
    """
    inside = places[places["service_id"].isin(services["service_id"]) & (places["orp_kod"] == orp_code)].copy()
    shares = compute_place_shares(services, places)[["service_id", "place_id", "share"]]
    inside = inside.merge(shares.astype({"place_id": object}), on=["service_id", "place_id"], how="left")
    per_type = capacities.groupby(["service_id", "capacity_type"])["capacity"].sum().unstack()
    beds = per_type.get("luzka", pd.Series(dtype=float)).reindex(inside["service_id"]).to_numpy()
    clients = per_type.get("klient", pd.Series(dtype=float)).reindex(inside["service_id"]).to_numpy()
    has_beds, has_clients = np.nan_to_num(beds) > 0, np.nan_to_num(clients) > 0
    inside["size_value"] = np.where(has_beds, beds, np.where(has_clients, clients, np.nan)) * inside["share"]
    inside["size_unit"] = np.where(has_beds, "lůžka", np.where(has_clients, "klienti", ""))
    inside["at_obec_point"] = inside.geometry.isna() | inside.geometry.is_empty
    centres = obce.set_index("obec_kod").representative_point()
    fallback = gpd.GeoSeries(inside["obec_kod"].map(centres), index=inside.index, crs=places.crs)
    inside["geometry"] = inside.geometry.where(~inside["at_obec_point"], fallback)
    inside = inside.merge(services[["service_id", "druh_group"]], on="service_id")
    return gpd.GeoDataFrame(inside[["service_id", "druh_group", "size_value", "size_unit", "at_obec_point", "geometry"]],
                            geometry="geometry", crs=places.crs)


# --------------------------------------------------------------------------- summary and text


def services_summary(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame, age5: pd.DataFrame,
                     territory: pd.DataFrame, orp: Orp, meta: Mapping[str, str]) -> dict:
    """Key figures as numbers for ``summary.json``: ``{"orp": {...}, "kraj": {...}, "cr": {...}}``.

    Per unit: ``services`` (fractional count), ``beds_ds``, ``beds_dzr``, ``beds_ds_dzr`` (lůžka
    of domovy pro seniory and domovy se zvláštním režimem), ``population_75plus``
    (31. 12. 2020) and ``beds_per_1000_75plus``.
    """
    out = {"source": meta["source"], "snapshot": meta["snapshot"], "coverage": coverage_text(meta),
           "population_date": POPULATION_DATE}
    for level, code, label in comparison_units(orp):
        attribution = compute_attribution(services, capacities, places, level)
        shares = compute_service_shares(services, places, level)
        ds = float(capacity_by_unit(attribution, [DS], "luzka").get(code, 0.0))
        dzr = float(capacity_by_unit(attribution, [DZR], "luzka").get(code, 0.0))
        population = int(compute_target_population(age5, territory, level, 75)[code])
        out[level] = {"code": code, "name": label,
                      "services": round(float(shares.loc[shares["unit"] == code, "share"].sum()), 4),
                      "beds_ds": round(ds, 4), "beds_dzr": round(dzr, 4), "beds_ds_dzr": round(ds + dzr, 4),
                      "population_75plus": population,
                      "beds_per_1000_75plus": round(1000 * (ds + dzr) / population, 4)}
    return out


def describe_overview(summary: Mapping, orp: Orp) -> str:
    """Czech sentences on the number of services and DS + DZR beds of the ORP vs kraj and ČR."""
    o, k, c = summary["orp"], summary["kraj"], summary["cr"]
    return (
        f"Podle registru (stav k {fmt.date(summary['snapshot'])}; {summary['coverage']}) připadá na SO ORP "
        f"{orp.name} **{fmt.number(o['services'], 1)}** sociálních služeb v přepočtu na místa poskytování "
        f"(kraj {fmt.number(k['services'], 1)}, Česko {fmt.number(c['services'], 1)}). Lůžka domovů pro seniory: "
        f"{fmt.number(o['beds_ds'], 1)}, domovů se zvláštním režimem: {fmt.number(o['beds_dzr'], 1)}; dohromady "
        f"**{fmt.number(o['beds_per_1000_75plus'], 1)}** na 1 000 obyvatel ve věku 75+ "
        f"(kraj {fmt.number(k['beds_per_1000_75plus'], 1)}, Česko {fmt.number(c['beds_per_1000_75plus'], 1)}; "
        f"obyvatelé k {fmt.date(POPULATION_DATE)})."
    )


def compute_unlocated_services(services: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Services without any address (no ORP can be given them), in catalogue order, Czech headers."""
    located = places.loc[places["place_id"].notna(), "service_id"]
    frame = services[~services["service_id"].isin(located)]
    frame = frame.assign(key=frame["druh_name"].map(czech_sort_key) + b"\x00" + frame["name"].map(czech_sort_key))
    columns = {"druh_name": "Druh služby", "name": "Název služby", "provider_name": "Poskytovatel",
               "provider_ico": "IČO"}
    return frame.sort_values("key")[list(columns)].rename(columns=columns).reset_index(drop=True)


def describe_unlocated(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame) -> str:
    """Czech sentence on services (or their parts) that belong to no ORP."""
    shares = compute_service_shares(services, places, "orp")
    unlocated = shares[shares["unit"] == UNLOCATED]
    if unlocated.empty:
        return "Všechny služby v datech mají adresu v některé obci; žádná část kapacity nezůstala nepřiřazena."
    attribution = compute_attribution(services, capacities, places, "orp")
    beds = capacity_by_unit(attribution, [DS, DZR], "luzka").get(UNLOCATED, 0.0)
    return (f"Nepřiřazené služby (místa bez adresy s kódem obce) – počet v přepočtu na místa: "
            f"{fmt.number(unlocated['share'].sum(), 1)}, lůžka domovů pro seniory a domovů se zvláštním režimem: "
            f"{fmt.number(beds, 1)}. Nepatří žádné ORP ani kraji; v údajích za Česko jsou započteny.")


def describe_coverage(meta: Mapping[str, str]) -> str:
    """Czech note on what the register export in hand covers, for the method section."""
    if meta["source"] == "rpss":
        return (f"Data: úplný registr poskytovatelů sociálních služeb MPSV ({meta['citation']}): "
                f"{coverage_text(meta)} všech cílových skupin včetně území, ve kterém služby působí.")
    return (f"Data: {meta['citation']}. Obsahují jen **{coverage_text(meta)}**: služby pro jiné cílové skupiny "
            "(děti a rodiny, osoby bez přístřeší, osoby se závislostí, většinu služeb pro osoby se zdravotním "
            "postižením) v nich nejsou a domovy se zvláštním režimem jen tehdy, mají-li v registru cílovou skupinu "
            f"senioři. Druh služby, který data nepokrývají, je označen „{NOT_AVAILABLE}“, nikdy nulou. Úplný registr "
            "(všechny cílové skupiny, území působnosti) stáhne `kpss data fetch --online`.")


def describe_map_points(points: gpd.GeoDataFrame) -> str:
    """Czech sentence under the map: how many places are drawn and how many sit at their obec's point."""
    drawn = points.geometry.notna()
    hollow = int((points["at_obec_point"] & drawn).sum())
    located = int(drawn.sum())
    text = f"Míst poskytování v mapě (služba × adresa): {fmt.number(located)}."
    if hollow:
        text += f" Z toho bez souřadnic v registru (prázdná značka ve středu obce): {fmt.number(hollow)}."
    if located < len(points):
        text += f" Nelze zakreslit (obec bez hranice v mapovém podkladu): {fmt.number(len(points) - located)}."
    return text


#: Czech headers of the chapter's tables.
COLUMN_LABELS = {
    "druh_name": "Druh služby",
    "paragraph": "§",
    **FORM_HEADERS,
    "total": "Celkem",
    "unit_label": "Jednotka kapacity",
    "ukazatel": "Ukazatel",
    "located": "Služby s adresou v ORP",
    "serving": "Služby působící v ORP (podle území působnosti)",
}


def czech_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename known columns to their Czech headers; drop helper columns (``key``, ``capacity_type``)."""
    return frame.drop(columns=["key", "capacity_type"], errors="ignore").rename(columns=COLUMN_LABELS)
