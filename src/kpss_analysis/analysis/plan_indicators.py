"""Indicators of an action plan that the data can compute: a registry keyed by data code.

Every indicator a plan can monitor from the data has a **data code** (``kód údaje``) that the
plan workbook stores beside the baseline, so the yearly monitoring recomputes the same figure
from newer data. The registry :data:`INDICATORS` maps a code to its Czech label, unit, the
input frames it needs and the function computing its value for one ORP.

Codes (``<topic>.<what>[.<qualifier>]``)
----------------------------------------
* ``sluzby.pocet``, ``poskytovatele.pocet`` – registered services located in the ORP (each
  service split equally among its places, as chapter 03 counts them) and distinct provider IČO;
* ``kapacita.<druh>.<typ>`` – registered capacity of a druh (legal list, e.g.
  ``kapacita.domovy_pro_seniory.luzka``) of one capacity type, attributed as chapter 03 does;
* ``kapacita_na_1000.<key>`` – capacity per 1 000 people of a target population, one per row of
  the package table ``target_populations.csv`` (e.g. ``kapacita_na_1000.ds_dzr``: DS + DZR beds
  per 1 000 people 75+);
* ``obyvatele.65plus`` (75, 80) – people of that age and older on 31. 12. 2020;
* ``projekce.65plus.<rok>.varianta_a`` (80+, variant B) – chapter 02's projection on 1. 1.;
* ``vylouceni.*`` – chapter 04's exclusion indicators from the obec table ``exclusion``.

A new indicator is added by :func:`register_indicator` with a function of an
:class:`IndicatorContext`. A function that cannot give a value raises
:class:`IndicatorUnavailableError` with the reason (in Czech); the value is then NaN, never zero.

Inputs (the ``data`` mapping of :func:`compute_plan_indicators`)
-----------------------------------------------------------------
``services``, ``capacities``, ``places`` (:func:`kpss_analysis.load.load_services` and siblings),
``age5``, ``territory``, ``projection`` (:func:`kpss_analysis.projection.compute_projection`) and
``exclusion``: one row per obec with ``obec_kod``, ``population_15plus``, ``population_15_64``,
``exekuce``, ``pnb``, ``pnz``, ``ltu`` (counts of the Index sociálního vyloučení) and
``reference_date`` (ISO date of the counts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from kpss_analysis import fmt
from kpss_analysis.analysis.capacity import POPULATION_DATE, compute_target_population, load_target_populations
from kpss_analysis.analysis.projection import VARIANT_LABELS
from kpss_analysis.analysis.services import (
    CAPACITY_UNITS,
    NOT_AVAILABLE,
    capacity_by_unit,
    compute_attribution,
    compute_service_shares,
)
from kpss_analysis.analysis.territory import Orp, normalize
from kpss_analysis.data.parsers.services_common import load_druh_table

#: Czech names of the input frames, for the reason of a value that cannot be computed.
INPUT_LABELS = {
    "services": "registr sociálních služeb",
    "capacities": "kapacity sociálních služeb",
    "places": "místa poskytování sociálních služeb",
    "age5": "věková struktura obcí",
    "territory": "číselník území",
    "projection": "projekce obyvatel (kapitola 02)",
    "exclusion": "index sociálního vyloučení (kapitola 04)",
}
SERVICE_INPUTS = ("services", "capacities", "places")
#: Horizons of the prefilled projection rows: chapter 02's default ``horizon_years``.
DEFAULT_HORIZONS = (2030, 2040)
POPULATION_AGES = (65, 75, 80)
PROJECTION_AGES = (65, 80)
#: Years whose projection codes exist; a year the projection in hand lacks gives NaN with a reason.
PROJECTION_CODE_YEARS = range(2022, 2061)


class IndicatorUnavailableError(Exception):
    """Raised by an indicator function that cannot give a value; the message is the Czech reason."""


@dataclass(frozen=True)
class PlanIndicator:
    """One entry of the registry: what the code means and how its value is computed."""

    code: str
    label: str
    unit: str
    inputs: tuple[str, ...]
    compute: Callable[[IndicatorContext], float]
    date: Callable[[IndicatorContext], str]


#: Data code → indicator; filled below and by :func:`register_indicator`.
INDICATORS: dict[str, PlanIndicator] = {}


def register_indicator(code: str, label: str, unit: str, inputs: Sequence[str],
                       compute: Callable[[IndicatorContext], float],
                       date: Callable[[IndicatorContext], str]) -> PlanIndicator:
    """Add an indicator to :data:`INDICATORS` and return it.

    Parameters
    ----------
    code
        The data code stored in the plan workbook; must be new.
    label, unit
        Czech name and unit for the workbook's Ukazatele sheet.
    inputs
        Keys of the ``data`` frames the function needs (a missing one gives NaN with a reason).
    compute, date
        Functions of an :class:`IndicatorContext` giving the value and the ISO date it refers to.
    """
    if code in INDICATORS:
        raise ValueError(f"data code {code!r} is registered already")
    indicator = PlanIndicator(code, label, unit, tuple(inputs), compute, date)
    INDICATORS[code] = indicator
    return indicator


class IndicatorContext:
    """The input frames and the ORP, with the derived frames several indicators share (computed once)."""

    def __init__(self, data: Mapping[str, pd.DataFrame], orp: Orp):
        self.data = data
        self.orp = orp

    @cached_property
    def attribution(self) -> pd.DataFrame:
        return compute_attribution(self.data["services"], self.data["capacities"], self.data["places"], "orp")

    @cached_property
    def shares(self) -> pd.DataFrame:
        shares = compute_service_shares(self.data["services"], self.data["places"], "orp")
        return shares[shares["unit"] == self.orp.code]

    @cached_property
    def druh_codes(self) -> dict[str, str]:
        """Druh name (case-folded) → druh code of the services in hand."""
        names = self.data["services"][["druh_name", "druh_code"]].drop_duplicates()
        return dict(zip(names["druh_name"].str.casefold(), names["druh_code"], strict=True))

    @cached_property
    def snapshot(self) -> str:
        return pd.Timestamp(self.data["services"]["snapshot"].max()).date().isoformat()

    def capacity(self, druh_names: Iterable[str], capacity_type: str) -> float:
        """Capacity of the ORP of the given druhy; unavailable when none of them is in the data."""
        codes = [self.druh_codes[n.casefold()] for n in druh_names if n.casefold() in self.druh_codes]
        if not codes:
            raise IndicatorUnavailableError(NOT_AVAILABLE)
        return float(capacity_by_unit(self.attribution, codes, capacity_type).get(self.orp.code, 0.0))

    def population(self, age_from: int) -> float:
        people = compute_target_population(self.data["age5"], self.data["territory"], "orp", age_from)
        return float(people.get(self.orp.code, np.nan))

    def projected(self, age_from: int, year: int, variant: str) -> float:
        frame = self.data["projection"]
        frame = frame[(frame["orp_kod"] == self.orp.code) & (frame["variant"] == variant)]
        if year not in set(frame["year"]):
            years = ", ".join(str(y) for y in sorted(frame["year"].unique()))
            raise IndicatorUnavailableError(f"projekce neobsahuje rok {year} (k dispozici: {years})")
        return float(frame.loc[(frame["year"] == year) & (frame["age"] >= age_from), "population"].sum())

    @cached_property
    def exclusion(self) -> pd.Series:
        """Counts of the exclusion table summed over the obce of the ORP (our hierarchy, not the file's)."""
        frame = self.data["exclusion"]
        obce = self.data["territory"].loc[self.data["territory"]["orp_kod"] == self.orp.code, "obec_kod"]
        return frame[frame["obec_kod"].isin(obce)].drop(columns=["obec_kod", "reference_date"]).sum()


# --------------------------------------------------------------------------- the codes


def legal_druhy() -> list[str]:
    """Names of the druhy sociálních služeb of zákon 108/2006 Sb., in the law's order (package table)."""
    return load_druh_table()["druh_name"].tolist()


def druh_key(druh_name: str) -> str:
    """"Domovy pro seniory" → "domovy_pro_seniory" (the druh part of a capacity code)."""
    return normalize(druh_name).replace(" ", "_")


def capacity_code(druh_name: str, capacity_type: str) -> str:
    return f"kapacita.{druh_key(druh_name)}.{capacity_type}"


def _services_date(ctx: IndicatorContext) -> str:
    return ctx.snapshot


def _population_date(_ctx: IndicatorContext) -> str:
    return POPULATION_DATE


def _exclusion_date(ctx: IndicatorContext) -> str:
    return str(ctx.data["exclusion"]["reference_date"].iloc[0])


def _providers(ctx: IndicatorContext) -> float:
    services = ctx.data["services"]
    return float(services.loc[services["service_id"].isin(ctx.shares["service_id"]), "provider_ico"].nunique())


def _register_services() -> None:
    register_indicator("sluzby.pocet", "Registrované sociální služby (v přepočtu na místa poskytování)",
                       "služby", SERVICE_INPUTS, lambda ctx: float(ctx.shares["share"].sum()), _services_date)
    register_indicator("poskytovatele.pocet", "Poskytovatelé registrovaných sociálních služeb (různá IČO)",
                       "poskytovatelé", SERVICE_INPUTS, _providers, _services_date)
    for druh in legal_druhy():
        for capacity_type, unit in CAPACITY_UNITS.items():
            register_indicator(capacity_code(druh, capacity_type), f"{druh} – registrovaná kapacita ({unit})", unit,
                               SERVICE_INPUTS, lambda ctx, d=druh, t=capacity_type: ctx.capacity([d], t),
                               _services_date)


def _register_ratios() -> None:
    for key, target in load_target_populations().iterrows():
        unit = f"{CAPACITY_UNITS[target['capacity_type']]} na 1 000 obyvatel {target['age_from']}+"
        register_indicator(f"kapacita_na_1000.{key}", f"{target['label']} – {unit}", unit,
                           (*SERVICE_INPUTS, "age5", "territory"),
                           lambda ctx, t=target: _ratio(ctx, t), _services_date)


def _ratio(ctx: IndicatorContext, target: pd.Series) -> float:
    present = set(ctx.data["services"]["druh_code"])
    if not set(target["druh_codes"]) & present:
        raise IndicatorUnavailableError(NOT_AVAILABLE)
    capacity = float(capacity_by_unit(ctx.attribution, target["druh_codes"], target["capacity_type"])
                     .get(ctx.orp.code, 0.0))
    return 1000 * capacity / ctx.population(int(target["age_from"]))


def _register_population() -> None:
    for age in POPULATION_AGES:
        register_indicator(f"obyvatele.{age}plus", f"Obyvatelé ve věku {age} a více let", "osoby",
                           ("age5", "territory"), lambda ctx, a=age: ctx.population(a), _population_date)
    for variant in VARIANT_LABELS:
        for year in PROJECTION_CODE_YEARS:
            for age in PROJECTION_AGES:
                register_indicator(
                    f"projekce.{age}plus.{year}.varianta_{variant.lower()}",
                    f"Obyvatelé ve věku {age} a více let – projekce k {fmt.date(f'{year}-01-01')} "
                    f"(varianta {variant})", "osoby",
                    ("projection",), lambda ctx, a=age, y=year, v=variant: ctx.projected(a, y, v),
                    lambda _ctx, y=year: f"{y}-01-01")


#: Exclusion indicators: code → (label, unit, count column, denominator column, per).
EXCLUSION_INDICATORS = {
    "vylouceni.exekuce": ("Osoby v exekuci", "osoby", "exekuce", None, 1),
    "vylouceni.podil_exekuce": ("Osoby v exekuci – podíl z obyvatel 15+", "%", "exekuce", "population_15plus", 100),
    "vylouceni.pnz_na_100": ("Vyplacené příspěvky na živobytí (průměrný měsíc) na 100 obyvatel 15+",
                             "příspěvky na 100 obyvatel 15+", "pnz", "population_15plus", 100),
    "vylouceni.pnb_na_100": ("Vyplacené příspěvky na bydlení (průměrný měsíc) na 100 obyvatel 15+",
                             "příspěvky na 100 obyvatel 15+", "pnb", "population_15plus", 100),
    "vylouceni.dlouhodobe_nezamestnani_na_100": (
        "Uchazeči o zaměstnání v evidenci déle než 6 měsíců na 100 obyvatel 15–64",
        "osoby na 100 obyvatel 15–64", "ltu", "population_15_64", 100),
}


def _exclusion_value(ctx: IndicatorContext, count: str, denominator: str | None, per: int) -> float:
    sums = ctx.exclusion
    if denominator is None:
        return float(sums[count])
    return per * float(sums[count]) / float(sums[denominator])  # shares from summed counts, never averaged


def _register_exclusion() -> None:
    for code, (label, unit, count, denominator, per) in EXCLUSION_INDICATORS.items():
        register_indicator(code, label, unit, ("exclusion", "territory"),
                           lambda ctx, c=count, d=denominator, p=per: _exclusion_value(ctx, c, d, p),
                           _exclusion_date)


_register_services()
_register_ratios()
_register_population()
_register_exclusion()


# --------------------------------------------------------------------------- computing


def baseline_codes(data: Mapping[str, pd.DataFrame], orp: Orp,
                   horizon_years: Iterable[int] = DEFAULT_HORIZONS) -> list[str]:
    """The codes a new plan is prefilled with, for the inputs in ``data``.

    Services and providers; the capacity of every druh × capacity type registered in the ORP
    (druhy in the law's order); every covered capacity ratio of ``target_populations.csv``;
    people 65+, 75+, 80+; their projection (65+, 80+, both variants) for ``horizon_years`` when
    ``data`` holds a projection; the exclusion indicators when it holds the exclusion table.
    """
    codes = []
    if all(k in data for k in SERVICE_INPUTS):
        ctx = IndicatorContext(data, orp)
        codes += ["sluzby.pocet", "poskytovatele.pocet"]
        own = ctx.attribution[(ctx.attribution["unit"] == orp.code) & (ctx.attribution["capacity"] > 0)]
        present = set(zip(own["druh_code"], own["capacity_type"], strict=True))
        codes += [capacity_code(druh, kind) for druh in legal_druhy() for kind in CAPACITY_UNITS
                  if (ctx.druh_codes.get(druh.casefold()), kind) in present]
        services_druhy = set(data["services"]["druh_code"])
        codes += [f"kapacita_na_1000.{key}" for key, target in load_target_populations().iterrows()
                  if set(target["druh_codes"]) & services_druhy]
    if "age5" in data and "territory" in data:
        codes += [f"obyvatele.{age}plus" for age in POPULATION_AGES]
    if "projection" in data:
        years = set(data["projection"]["year"])
        codes += [f"projekce.{age}plus.{year}.varianta_{variant.lower()}" for variant in VARIANT_LABELS
                  for year in horizon_years if year in years for age in PROJECTION_AGES]
    if "exclusion" in data and "territory" in data:
        codes += list(EXCLUSION_INDICATORS)
    return codes


def compute_plan_indicators(data: Mapping[str, pd.DataFrame], orp: Orp,
                            codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Values of plan indicators for the ORP from the frames in ``data``.

    Parameters
    ----------
    data
        Input frames by name (see the module notes); missing ones make their indicators NaN.
    orp
        The ORP (:func:`kpss_analysis.territory.find_orp`).
    codes
        Data codes to compute (default :func:`baseline_codes`).

    Returns
    -------
    DataFrame with ``code``, ``label``, ``unit``, ``value`` (NaN when not computable),
    ``date`` (ISO date the value refers to; empty when not computable) and ``reason`` (why
    a value is missing, in Czech; empty otherwise), one row per code in the given order.

    Raises
    ------
    ValueError
        For a code that is not in :data:`INDICATORS` (the plan reader checks codes earlier).
    """
    codes = baseline_codes(data, orp) if codes is None else list(codes)
    unknown = [c for c in codes if c not in INDICATORS]
    if unknown:
        raise ValueError(f"unknown data codes {unknown}")
    ctx = IndicatorContext(data, orp)
    rows = []
    for code in codes:
        indicator = INDICATORS[code]
        row = {"code": code, "label": indicator.label, "unit": indicator.unit, "value": np.nan, "date": "",
               "reason": ""}
        missing = [INPUT_LABELS.get(k, k) for k in indicator.inputs if k not in data]
        if missing:
            row["reason"] = "chybí vstupní data: " + ", ".join(missing)
        else:
            try:
                row["value"] = float(indicator.compute(ctx))
                row["date"] = indicator.date(ctx)
            except IndicatorUnavailableError as exc:
                row["reason"] = str(exc)
        rows.append(row)
    return pd.DataFrame(rows, columns=["code", "label", "unit", "value", "date", "reason"])
