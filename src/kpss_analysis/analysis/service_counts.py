"""Whole numbers of services for plan tables: each service with a place in a unit counts once there.

The fractional counts of :mod:`kpss_analysis.analysis.services` (a service split equally among its
addresses) add up exactly to the national total, but a plan reader expects whole services: "15,7
sociálních služeb" reads as an error. Here a service counts 1 in every unit where it has at least one
place, and 1 in the column of each form it is provided in; capacities stay split (see ``services``).
"""

from __future__ import annotations

import pandas as pd

from kpss_analysis import memo
from kpss_analysis.analysis.demography import comparison_units
from kpss_analysis.analysis.services import (
    FORM_LABELS,
    PLACE_COLUMNS,
    compute_service_shares,
    compute_unit_overview,
    druh_labels,
)
from kpss_analysis.analysis.territory import Orp

#: Poznámka under the tables of whole service counts (Czech, for every output).
COUNT_NOTE = ("Služba se v území počítá jednou, má-li v něm alespoň jednu adresu (místo poskytování); služba "
              "s adresami ve více ORP se počítá v každé z nich, proto součet ORP může být větší než údaj za kraj "
              "a Česko. Služba poskytovaná ve více formách je ve sloupci (řádku) každé své formy, v celkovém počtu "
              "jednou, proto celkový počet nemusí být součtem forem.")


#: Poznámka under the tables of capacities split among the addresses of a service.
CAPACITY_NOTE = ("Kapacita služby s více adresami je rozdělena rovným dílem mezi její adresy a zaokrouhlena "
                 "na celé jednotky; přesné hodnoty jsou v tabulce XLSX.")


def compute_present_counts(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                           level: str) -> pd.DataFrame:
    """Number of services per unit × druh that have a place in the unit, in all and with each form.

    Returns ``unit``, ``druh_code``, ``pob``, ``amb``, ``ter``, ``total`` (integers).
    """
    return _present_counts(services[["service_id", "druh_code"]], capacities[["service_id", "forma"]],
                           places[PLACE_COLUMNS], level)


@memo.by_content()
def _present_counts(services: pd.DataFrame, forms: pd.DataFrame, places: pd.DataFrame, level: str) -> pd.DataFrame:
    """:func:`compute_present_counts` of the national tables, kept per process (:mod:`kpss_analysis.memo`)."""
    present = compute_service_shares(services, places, level)
    present = present.loc[present["share"] > 0, ["service_id", "unit"]]
    # 1 where the service is provided in the form (each pair once): a pivot, not a crosstab's count
    flags = forms.drop_duplicates().dropna().assign(flag=1).pivot(index="service_id", columns="forma", values="flag")
    flags = flags.reindex(columns=list(FORM_LABELS)).fillna(0)
    rows = present.merge(services, on="service_id").merge(flags, left_on="service_id", right_index=True, how="left")
    rows[list(FORM_LABELS)] = rows[list(FORM_LABELS)].fillna(0).astype("int64")
    rows["total"] = 1
    return rows.groupby(["unit", "druh_code"], as_index=False)[[*FORM_LABELS, "total"]].sum()


def compute_unit_overview_counts(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                                 orp: Orp) -> pd.DataFrame:
    """:func:`~kpss_analysis.analysis.services.compute_unit_overview` with whole numbers of services.

    Returns ``key``, ``ukazatel`` and one integer column per unit.
    """
    table = compute_unit_overview(services, capacities, places, orp)
    for level, code, label in comparison_units(orp):
        counts = compute_present_counts(services, capacities, places, level)
        totals = counts.loc[counts["unit"] == code, ["total", *FORM_LABELS]].sum()
        table[label] = table["key"].map(totals.to_dict()).fillna(table[label]).astype("int64")
    return table


def compute_druh_forma_counts(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                              orp: Orp) -> pd.DataFrame:
    """Services with a place in the ORP by druh × form (whole numbers), with a total row; druhy in § order.

    Returns ``druh_name``, ``paragraph``, ``pob``, ``amb``, ``ter``, ``total``.
    """
    counts = compute_present_counts(services, capacities, places, "orp")
    counts = counts[counts["unit"] == orp.code]
    table = druh_labels(services).merge(counts.drop(columns="unit"), on="druh_code")
    columns = ["druh_name", "paragraph", *FORM_LABELS, "total"]
    total = pd.DataFrame([{"druh_name": "Celkem", "paragraph": "", **table[[*FORM_LABELS, "total"]].sum().to_dict()}])
    return pd.concat([table[columns], total], ignore_index=True).astype(dict.fromkeys([*FORM_LABELS, "total"], "int64"))
