"""The monitoring's tables with the Czech headers a plan's working groups read.

Each function takes a frame of :mod:`kpss_analysis.analysis.action_plan` or
:mod:`kpss_analysis.analysis.register_changes` and returns it with Czech headers and Czech
values (status, source, form and capacity unit labels) in a fixed column order.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kpss_analysis.analysis.action_plan import HEADERS, STATUSES
from kpss_analysis.analysis.labels import czech_columns
from kpss_analysis.analysis.services import CAPACITY_UNITS, FORM_LABELS

#: Where the current value of an indicator comes from.
VALUE_SOURCES = {"data": "z dat", "plan": "zapsáno v plánu"}

PROGRESS_HEADERS = {
    **{key: HEADERS[key] for key in ("measure_id", "indicator", "unit", "code", "baseline", "baseline_date",
                                     "target", "target_year")},
    "current": "Současná hodnota",
    "current_date": "Datum současné hodnoty",
    "source": "Současná hodnota je",
    "change": "Změna proti výchozí hodnotě",
    "progress": "Cesta k cílové hodnotě (%)",
    "reason": "Poznámka",
}
STATUS_HEADERS = {"priority_name": "Priorita", **STATUSES, "total": "Aktivity celkem",
                  "share_done": "Splněno (% aktivit bez zrušených)"}
COST_HEADERS = {"priority_name": "Priorita", "source_label": "Zdroj financování", "planned": "Plánované náklady (Kč)",
                "actual": "Skutečné náklady (Kč)", "difference": "Rozdíl skutečnost − plán (Kč)",
                "share_spent": "Čerpání (% plánu)"}
TIMELINE_HEADERS = {"activity_id": HEADERS["activity_id"], "name": HEADERS["name"], "start": HEADERS["start"],
                    "end": HEADERS["end"], "status_label": HEADERS["status"], "days": "Trvání (dny)"}
REGISTER_HEADERS = {"change_label": "Změna", "name": "Název služby", "provider_name": "Poskytovatel",
                    "druh_name": "Druh služby", "forma": "Forma", "capacity_type": "Jednotka kapacity",
                    "capacity_old": "Kapacita dříve", "capacity_new": "Kapacita nyní", "difference": "Rozdíl"}


def _czech(frame: pd.DataFrame, headers: Mapping[str, str]) -> pd.DataFrame:
    return czech_columns(frame, headers, select=True).reset_index(drop=True)


def _priority_labels(frame: pd.DataFrame) -> list[str]:
    """"1 Péče o seniory" for a priority, the bare name ("Celkem") for a total row."""
    return [name if pd.isna(pid) else f"{pid} {name}"
            for pid, name in zip(frame["priority_id"], frame["priority_name"], strict=True)]


def progress_table(progress: pd.DataFrame) -> pd.DataFrame:
    """:func:`~kpss_analysis.analysis.action_plan.compute_indicator_progress` with Czech headers."""
    return _czech(progress.assign(source=progress["source"].map(VALUE_SOURCES)), PROGRESS_HEADERS)


def status_table(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`~kpss_analysis.analysis.action_plan.compute_status_summary` with Czech headers."""
    return _czech(summary.assign(priority_name=_priority_labels(summary)), STATUS_HEADERS)


def cost_table(costs: pd.DataFrame) -> pd.DataFrame:
    """:func:`~kpss_analysis.analysis.action_plan.compute_costs` with Czech headers."""
    return _czech(costs.assign(priority_name=_priority_labels(costs)), COST_HEADERS)


def timeline_table(timeline: pd.DataFrame) -> pd.DataFrame:
    """:func:`~kpss_analysis.analysis.action_plan.compute_timeline` with Czech headers."""
    return _czech(timeline, TIMELINE_HEADERS)


def register_diff_table(diff: pd.DataFrame) -> pd.DataFrame:
    """:func:`~kpss_analysis.analysis.register_changes.compute_register_diff` with Czech headers and labels."""
    return _czech(diff.assign(forma=diff["forma"].map(FORM_LABELS), capacity_type=diff["capacity_type"].map(CAPACITY_UNITS)),
                  REGISTER_HEADERS)
