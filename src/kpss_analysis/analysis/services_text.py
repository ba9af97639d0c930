"""Czech sentences, sources and column headers of the social-services chapter.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from kpss_analysis import fmt
from kpss_analysis.analysis.capacity import POPULATION_DATE, compute_target_population
from kpss_analysis.analysis.catalogue import czech_sort_key
from kpss_analysis.analysis.demography import comparison_units
from kpss_analysis.analysis.labels import czech_columns
from kpss_analysis.analysis.service_counts import compute_present_counts
from kpss_analysis.analysis.services import (
    DS,
    DZR,
    NOT_AVAILABLE,
    UNLOCATED,
    capacity_by_unit,
    compute_attribution,
    compute_service_shares,
)
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.data.registry import citation

#: Coverage of each source of the service tables (``meta["source"]``).
COVERAGE_TEXT = {"katalog": "registrované sociální služby s cílovou skupinou senioři",
                 "rpss": "všechny registrované sociální služby"}


def coverage_text(meta: Mapping[str, str]) -> str:
    """What the register export in hand covers, in the words every "Zdroj:" line uses."""
    return COVERAGE_TEXT[meta["source"]]


def source_text(meta: Mapping[str, str], *dataset_keys: str) -> str:
    """The "Zdroj:" text: the register (its citation names the snapshot date), its coverage, other datasets.

    Parameters
    ----------
    meta
        :func:`kpss_analysis.data.load.load_services_meta`: ``source``, ``citation``.
    dataset_keys
        Keys of further datasets (:func:`kpss_analysis.data.registry.citation`), e.g. ``"age_structure"``.
    """
    register = f"{meta['citation']}; pokrytí: {coverage_text(meta)}"
    return "; ".join([register, citation(*dataset_keys)]) if dataset_keys else register


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


def services_summary(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame, age5: pd.DataFrame,
                     territory: pd.DataFrame, orp: Orp, meta: Mapping[str, str]) -> dict:
    """Key figures as numbers for ``summary.json``: ``{"orp": {...}, "kraj": {...}, "cr": {...}}``.

    Per unit: ``services`` (fractional count), ``services_count`` (whole: each service with a place
    in the unit once, see :mod:`~kpss_analysis.analysis.service_counts`), ``beds_ds``, ``beds_dzr``, ``beds_ds_dzr`` (lůžka
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
        counts = compute_present_counts(services, capacities, places, level)
        out[level] = {"code": code, "name": label,
                      "services": round(float(shares.loc[shares["unit"] == code, "share"].sum()), 4),
                      "services_count": int(counts.loc[counts["unit"] == code, "total"].sum()),
                      "beds_ds": round(ds, 4), "beds_dzr": round(dzr, 4), "beds_ds_dzr": round(ds + dzr, 4),
                      "population_75plus": population,
                      "beds_per_1000_75plus": round(1000 * (ds + dzr) / population, 4)}
    return out


def describe_overview(summary: Mapping, orp: Orp) -> str:
    """Czech sentences on the number of services and DS + DZR beds of the ORP vs kraj and ČR."""
    o, k, c = summary["orp"], summary["kraj"], summary["cr"]
    services = fmt.plural(o["services_count"], "registrovaná sociální služba", "registrované sociální služby",
                          "registrovaných sociálních služeb")
    return (
        f"Podle registru (stav k {fmt.date(summary['snapshot'])}; {summary['coverage']}) má v SO ORP "
        f"{orp.name} adresu **{fmt.number(o['services_count'])}** {services} "
        f"(v kraji {fmt.number(k['services_count'])}, v Česku {fmt.number(c['services_count'])}). Lůžka domovů pro "
        f"seniory: {fmt.number(o['beds_ds'])}, domovů se zvláštním režimem: {fmt.number(o['beds_dzr'])}; dohromady "
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
    return czech_columns(frame.sort_values("key"), columns, select=True).reset_index(drop=True)


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
