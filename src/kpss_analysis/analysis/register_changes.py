"""Changes of an ORP's registered social services between two register snapshots (action plan monitoring).

The yearly monitoring of an action plan asks which services of the ORP appeared, ended or
changed their capacity since the plan was written. Both snapshots are the processed tables of
:mod:`kpss_analysis.services_data` (``services``, ``service_capacities``, ``service_places``).
"""

from __future__ import annotations

import pandas as pd

from kpss_analysis.analysis.services import czech_sort_key

#: Kinds of change between two register snapshots: key → Czech label, in table order.
REGISTER_CHANGES = {"new": "nová služba", "moved_in": "nově s místem v ORP", "capacity": "změna kapacity",
                    "moved_out": "již bez místa v ORP", "ended": "ukončená nebo vyřazená služba"}
COLUMNS = ["change", "change_label", "service_id", "name", "provider_name", "druh_name", "forma", "capacity_type",
           "capacity_old", "capacity_new", "difference"]
_KEYS = ["service_id", "forma", "capacity_type"]


def _orp_services(services: pd.DataFrame, places: pd.DataFrame, orp_code: str) -> set[str]:
    located = places.loc[places["orp_kod"] == orp_code, "service_id"]
    return set(services.loc[services["service_id"].isin(located), "service_id"])


def _change_kinds(old_services: pd.DataFrame, new_services: pd.DataFrame, old_ids: set[str],
                  new_ids: set[str]) -> dict[str, str]:
    """Service id → kind of change, for every service of the ORP in either snapshot."""
    kinds = {}
    for sid in old_ids | new_ids:
        if sid not in old_ids:
            kinds[sid] = "moved_in" if sid in set(old_services["service_id"]) else "new"
        elif sid not in new_ids:
            kinds[sid] = "moved_out" if sid in set(new_services["service_id"]) else "ended"
        else:
            kinds[sid] = "capacity"
    return kinds


def _capacity_rows(capacities: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    # An empty string stands for "no capacity registered" so that such rows match in the merge.
    rows = capacities.loc[capacities["service_id"].isin(ids), [*_KEYS, "capacity"]]
    return rows.astype({"capacity_type": "string"}).fillna({"capacity_type": ""})


def compute_register_diff(old_services: pd.DataFrame, new_services: pd.DataFrame, old_capacities: pd.DataFrame,
                          new_capacities: pd.DataFrame, old_places: pd.DataFrame, new_places: pd.DataFrame,
                          orp_code: str) -> pd.DataFrame:
    """Services of the ORP that appeared, ended, moved or changed capacity between two snapshots.

    A service belongs to the ORP in a snapshot when it has a place there. Services are matched
    by ``service_id`` (the register's identifier); a service missing from the newer snapshot
    has ended or was removed from the register. Capacities are the service's whole registered
    capacity per form and type (not its share in the ORP). Both snapshots should cover the
    same services: the mirror's katalog holds only services for seniors, so against the full
    register every other service would look new.

    Parameters
    ----------
    old_services, new_services, old_capacities, new_capacities, old_places, new_places
        The ``services``, ``service_capacities`` and ``service_places`` tables of each snapshot.
    orp_code
        ČSÚ code of the ORP.

    Returns
    -------
    One row per service × form × capacity type (one row with <NA> form for a service without
    any capacity row): ``change`` (key of :data:`REGISTER_CHANGES`), ``change_label``,
    ``service_id``, ``name``, ``provider_name``, ``druh_name``, ``forma``, ``capacity_type``,
    ``capacity_old``, ``capacity_new``, ``difference`` (new − old, a missing side counted as 0).
    A service whose capacity changed lists only the forms and types that differ; services
    without any change are left out.
    """
    kinds = _change_kinds(old_services, new_services, _orp_services(old_services, old_places, orp_code),
                          _orp_services(new_services, new_places, orp_code))
    ids = list(kinds)
    frame = _capacity_rows(old_capacities, ids).merge(_capacity_rows(new_capacities, ids), on=_KEYS, how="outer",
                                                      suffixes=("_old", "_new"))
    frame["change"] = frame["service_id"].map(kinds)
    same = (frame["capacity_old"] == frame["capacity_new"]) | (frame["capacity_old"].isna()
                                                               & frame["capacity_new"].isna())
    frame = frame[(frame["change"] != "capacity") | ~same]
    bare = [sid for sid, kind in kinds.items() if kind != "capacity" and sid not in set(frame["service_id"])]
    frame = pd.concat([frame, pd.DataFrame({"service_id": bare, "change": [kinds[s] for s in bare]})],
                      ignore_index=True)
    names = pd.concat([new_services, old_services]).drop_duplicates("service_id")
    frame = frame.merge(names[["service_id", "name", "provider_name", "druh_name"]], on="service_id", how="left")
    frame["capacity_type"] = frame["capacity_type"].astype("string").replace("", pd.NA)
    frame[["capacity_old", "capacity_new"]] = frame[["capacity_old", "capacity_new"]].astype(float)
    frame["difference"] = frame["capacity_new"].fillna(0) - frame["capacity_old"].fillna(0)
    frame["change_label"] = frame["change"].map(REGISTER_CHANGES)
    order = {k: i for i, k in enumerate(REGISTER_CHANGES)}
    frame = frame.sort_values(["change", "druh_name", "name", "service_id", "forma"], kind="stable",
                              key=lambda s: s.map(order) if s.name == "change" else s.map(czech_sort_key))
    return frame[COLUMNS].reset_index(drop=True)


def compute_change_counts(diff: pd.DataFrame) -> pd.DataFrame:
    """Services per kind of change of :func:`compute_register_diff`, every kind in table order (0 where none).

    Returns
    -------
    ``change``, ``change_label`` and ``services`` (distinct services; a service with several changed
    capacities counts once).
    """
    counts = diff.groupby("change")["service_id"].nunique()
    return pd.DataFrame({"change": list(REGISTER_CHANGES), "change_label": list(REGISTER_CHANGES.values()),
                         "services": [int(counts.get(key, 0)) for key in REGISTER_CHANGES]})
