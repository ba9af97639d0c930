"""Czech column headers of the tables a plan reader sees, and the one function that puts them on a frame.

:data:`COLUMN_LABELS` holds the headers of the chapters whose tables share many columns (a key means different
things in different chapters: ``population`` is 31. 12. 2020 in demography and 1. 1. 2024 in the exclusion tables,
hence one dict per family). A table with headers of its own passes its dict to :func:`czech_columns` directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from kpss_analysis.analysis.services import FORM_HEADERS

#: Header per column; ``None`` drops a helper column, ``{name}`` in a key matches digits (``population_{year}``)
#: and ``{name}`` in a header is filled from that match or from the fields given to :func:`czech_columns`.
Labels = Mapping[str, str | None]

#: Czech headers per table family.
COLUMN_LABELS: dict[str, Labels] = {
    "demography": {
        "obec_kod": "Kód obce",
        "obec_nazev": "Obec",
        "orp_kod": "Kód ORP",
        "orp_nazev": "SO ORP",
        "population": "Obyvatelé k 31. 12. 2020",
        "population_{year}": "Obyvatelé k 1. 1. {year}",
        "share_0_14": "Podíl 0–14 let (%)",
        "share_65plus": "Podíl 65+ let (%)",
        "share_80plus": "Podíl 80+ let (%)",
        "ageing_index": "Index stáří",
        "mean_age_latest": "Průměrný věk k 1. 1. {latest}",
        "value": "Hodnota",
        "rank": "Pořadí v kraji",
        "year": "Stav k 1. 1.",
        "population_mos": "Obyvatelé (MOS 2024)",
        "migration_balance_per_1000": "Migrační saldo na 1 000 obyvatel",
        "natural_increase": "Přirozený přírůstek (osoby)",
        "natural_increase_per_1000": "Přirozený přírůstek na 1 000 obyvatel",
        "unemployment_share": "Podíl nezaměstnaných osob (%)",
        "obce_without_unemployment": "Obce bez údaje o nezaměstnanosti",
        "unit_name": "Území",
        "ukazatel": "Ukazatel",
    },
    "services": {
        "key": None,
        "capacity_type": None,
        "druh_name": "Druh služby",
        "paragraph": "§",
        **FORM_HEADERS,
        "total": "Celkem",
        "unit_label": "Jednotka kapacity",
        "ukazatel": "Ukazatel",
        "located": "Služby s adresou v ORP",
        "serving": "Služby působící v ORP (podle území působnosti)",
    },
    "exclusion": {
        "obec_kod": "Kód obce",
        "obec_nazev": "Obec",
        "population_15plus": "Obyvatelé 15+ (31. 12. 2023)",
        "population_15_64": "Obyvatelé 15–64 (31. 12. 2023)",
        "exekuce": "Osoby v exekuci",
        "share_exekuce": "Osoby v exekuci (% obyvatel 15+)",
        "pnz": "PnŽ – vyplacené dávky (průměrný měsíc)",
        "share_pnz": "PnŽ na 100 obyvatel 15+",
        "pnb": "PnB – vyplacené dávky (průměrný měsíc)",
        "share_pnb": "PnB na 100 obyvatel 15+",
        "ltu": "Uchazeči o zaměstnání déle než 6 měsíců",
        "share_ltu": "Uchazeči déle než 6 měsíců na 100 obyvatel 15–64",
        "school_leavers": "Předčasné odchody ze ZŠ",
        "school_leavers_pupils": "Žáci, kteří ukončili povinnou docházku",
        "school_leavers_share": "Předčasné odchody ze ZŠ (%)",
        "school_leavers_taken_over": "Obec bez ZŠ (údaj převzat z jiné obce)",
        "index_score": "Index sociálního vyloučení (body 0–30)",
        "index_category": "Kategorie indexu (body)",
        "n_obce": "Počet obcí",
        "population": "Obyvatelé k 1. 1. 2024",
        "share_obce": "Podíl obcí (%)",
        "share_population": "Podíl obyvatel (%)",
    },
    "group_services": {
        "group": None,
        "group_label": "Cílová skupina",
        "druh_name": "Druh služby",
        "paragraph": "§",
        "unit_label": "Jednotka kapacity",
        "services_orp": "Služby v ORP (v přepočtu na adresy)",
    },
}


def _template(key: str) -> re.Pattern[str]:
    """``population_{year}`` → a pattern matching ``population_2024`` with the group ``year``."""
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>\\d+)", re.escape(key)) + r"\Z")


def czech_columns(frame: pd.DataFrame, labels: str | Labels, *, select: bool = False,
                  **fields: object) -> pd.DataFrame:
    """``frame`` with Czech column headers; columns without a header are kept as they are.

    Parameters
    ----------
    frame
        The computed table.
    labels
        A table family of :data:`COLUMN_LABELS` (``"demography"``, ``"services"`` …) or a dict column → header
        (see :data:`Labels`).
    select
        Keep only the columns of ``labels``, in its order (a missing one is a ``KeyError``).
    fields
        Values of the ``{name}`` placeholders of the headers, e.g. ``latest=2024``.
    """
    labels = COLUMN_LABELS[labels] if isinstance(labels, str) else labels
    if select:
        frame = frame[[column for column, header in labels.items() if header is not None]]
    frame = frame.drop(columns=[column for column, header in labels.items() if header is None], errors="ignore")
    headers = {}
    templates = [(_template(key), header) for key, header in labels.items() if "{" in key]
    for column in frame.columns:
        if column in labels:
            headers[column] = labels[column].format(**fields) if fields else labels[column]
            continue
        for pattern, header in templates:
            if isinstance(column, str) and (match := pattern.match(column)):
                headers[column] = header.format(**fields, **match.groupdict())
                break
    return frame.rename(columns=headers)
