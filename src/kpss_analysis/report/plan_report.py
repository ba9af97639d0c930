"""Chapter 07 and ``kpss plan new``: the indicator inputs from the processed data, the template prefilled
with real baselines (both write the same workbook for an ORP), and the chapter's tables in Czech form.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from kpss_analysis import fmt
from kpss_analysis.analysis import projection as pj
from kpss_analysis.analysis.labels import czech_columns
from kpss_analysis.analysis.plan_indicators import DEFAULT_HORIZONS, baseline_codes, compute_plan_indicators
from kpss_analysis.analysis.services_text import source_text
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.data import load
from kpss_analysis.report.plan_workbook import save_plan_template

#: Czech headers of the baselines table.
BASELINE_HEADERS = {"label": "Ukazatel", "unit": "Jednotka", "code": "Kód údaje", "value": "Výchozí hodnota",
                    "date": "Datum výchozí hodnoty"}
#: Units whose values are whole counts (0 decimals); others (ratios, shares, services split among places) get 1.
COUNT_UNITS = ("osoby", "poskytovatelé", "lůžka", "klienti", "intervence", "kontakty", "hovory")
#: Columns of the exclusion table the indicators sum over the obce of an ORP.
EXCLUSION_COUNTS = ["obec_kod", "population_15plus", "population_15_64", "exekuce", "pnb", "pnz", "ltu"]


def load_plan_data() -> dict[str, pd.DataFrame]:
    """Every input frame of :func:`~kpss_analysis.analysis.plan_indicators.compute_plan_indicators`.

    The projection is chapter 02's (all ORPs, cached per process); the exclusion counts get their
    reference date from the build report (the dataset's vintage).
    """
    territory, age5 = load.load_territory(), load.load_age5()
    vintage = load.load_build_report()["datasets"]["exclusion"]["vintage"]
    return {
        "services": load.load_services(), "capacities": load.load_service_capacities(),
        "places": load.load_service_places(), "age5": age5, "territory": territory,
        "projection": pj.compute_projection(age5, territory, load.load_age1_okres(), load.load_projection(),
                                            load.load_mos()),
        "exclusion": load.load_exclusion()[EXCLUSION_COUNTS].assign(reference_date=vintage),
    }


def check_horizons(horizon_years: Iterable[int]) -> list[int]:
    """The projection years of the prefilled projection rows; a year outside the projection is a ParameterError."""
    return pj.check_horizon_years(horizon_years, pj.available_years(load.load_projection()))


def baseline_source() -> str:
    """The "Zdroj" text of the baselines: register, population, projection, exclusion index."""
    return source_text(load.load_services_meta(), "age_structure", "projection", "exclusion")


def compute_baselines(data: dict[str, pd.DataFrame], orp: Orp,
                      horizon_years: Iterable[int] = DEFAULT_HORIZONS) -> pd.DataFrame:
    """The indicators a new plan of ``orp`` is prefilled with, computed from ``data`` (:func:`load_plan_data`)."""
    return compute_plan_indicators(data, orp, baseline_codes(data, orp, horizon_years))


def save_prefilled_template(path: str | Path, orp: Orp, horizon_years: Iterable[int] = DEFAULT_HORIZONS,
                            data: dict[str, pd.DataFrame] | None = None) -> tuple[Path, pd.DataFrame]:
    """Write the plan template of ``orp`` with the baselines from the data; returns the path and the baselines."""
    baselines = compute_baselines(load_plan_data() if data is None else data, orp, check_horizons(horizon_years))
    return save_plan_template(path, orp, baselines, source=baseline_source()), baselines


def load_register_snapshots() -> list[dict]:
    """Every register snapshot in the processed data, oldest first (:func:`kpss_analysis.data.load.load_register_snapshots`)."""
    return load.load_register_snapshots()


def czech_dates(table: pd.DataFrame) -> pd.DataFrame:
    """Date columns (datetime or ISO text) of a Czech table as Czech dates ("4. 9. 2026"; empty stays empty)."""
    def one(value: object) -> str:
        if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
            return ""
        return fmt.date(pd.Timestamp(value).date())

    dated = [c for c in table.columns if str(c).startswith("Datum") or pd.api.types.is_datetime64_any_dtype(table[c])]
    return table.assign(**{c: table[c].map(one) for c in dated})


def baseline_table(baselines: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """The computed baselines with Czech headers and dates, and the decimals of each row.

    People (also projected) and whole counts get 0 decimals; ratios and counts split among places 1.
    """
    shown = baselines[baselines["value"].notna()]
    decimals = [0 if unit == "osoby" or (unit in COUNT_UNITS and float(value).is_integer()) else 1
                for unit, value in zip(shown["unit"], shown["value"], strict=True)]
    table = czech_columns(shown, BASELINE_HEADERS, select=True).reset_index(drop=True)
    return czech_dates(table), decimals
