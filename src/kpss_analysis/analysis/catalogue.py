"""The katalog poskytovatelů of an ORP and the points of its service map, in Czech order and words.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from babel import Locale

from kpss_analysis import fmt
from kpss_analysis.analysis.services import (
    CAPACITY_UNITS,
    FORM_LABELS,
    compute_place_shares,
    czech_sort_key,
    druh_labels,
)

#: Capacity words by CLDR plural category of the Czech locale (1 / 2–4 / decimals / other).
CAPACITY_WORDS = {
    "luzka": {"one": "lůžko", "few": "lůžka", "many": "lůžka", "other": "lůžek"},
    "klient": {"one": "klient", "few": "klienti", "many": "klienta", "other": "klientů"},
    "interv": {"one": "intervence", "few": "intervence", "many": "intervence", "other": "intervencí"},
    "kontakt": {"one": "kontakt", "few": "kontakty", "many": "kontaktu", "other": "kontaktů"},
    "hovor": {"one": "hovor", "few": "hovory", "many": "hovoru", "other": "hovorů"},
}


_CZECH = Locale.parse("cs")






def capacity_text(value: float, capacity_type: str) -> str:
    """``40, "luzka"`` → "40 lůžek"; the word agrees with the number (Czech plural rules)."""
    words = CAPACITY_WORDS[capacity_type]
    number = int(value) if float(value).is_integer() else float(value)
    decimals = 0 if isinstance(number, int) else 1
    return f"{fmt.number(number, decimals)}{fmt.NBSP}{words[_CZECH.plural_form(number)]}"




def _as_list(value: object) -> list[str]:
    """A list column cell (list, numpy array or missing) as a list of strings."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [str(v) for v in value]


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
    form_order = {f: i for i, f in enumerate(FORM_LABELS)}
    type_order = {t: i for i, t in enumerate(CAPACITY_UNITS)}
    caps = capacities[capacities["service_id"].isin(chosen["service_id"])].copy()
    caps = caps.sort_values(["forma", "capacity_type"], key=lambda s: s.map(
        form_order if s.name == "forma" else type_order), kind="stable")
    groups = []
    for druh in druh_labels(chosen).itertuples():
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
                "forms": [FORM_LABELS[f] for f in own["forma"].drop_duplicates()],
                "capacities": [f"{capacity_text(c.capacity, c.capacity_type)} ({FORM_LABELS[c.forma]})"
                               for c in own.dropna(subset=["capacity"]).itertuples()],
                "web": _as_list(service.web),
                "email": _as_list(service.email),
                "phone": _as_list(service.phone),
            })
        groups.append({"druh": druh.druh_name, "paragraph": druh.paragraph, "group": druh.druh_group,
                       "entries": entries})
    return groups


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
