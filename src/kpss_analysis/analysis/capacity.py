"""Capacity per 1 000 people of a target population, its rank in the kraj, and the gap to the plan horizon.

Ratios use the obec age structure on 31. 12. 2020 (:func:`kpss_analysis.data.load.load_age5`, 5-year groups: 75+ and
80+ need them); the register snapshot is years later. Target populations are the editable package table
``data/target_populations.csv`` (:func:`load_target_populations`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from kpss_analysis import fmt, memo
from kpss_analysis.analysis.demography import aggregate_by_unit, comparison_units
from kpss_analysis.analysis.labels import czech_columns
from kpss_analysis.analysis.services import CAPACITY_UNITS, NOT_AVAILABLE, capacity_by_unit, compute_attribution
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.errors import ParameterError

#: Note of a covered druh that has no registered capacity in the ORP (a real zero).
NO_CAPACITY = "v SO ORP není registrovaná kapacita (pořadí se neuvádí)"


#: Date of the age structure the ratios use.
POPULATION_DATE = "2020-12-31"


TARGET_COLUMNS = ["key", "label", "druh_codes", "capacity_type", "age_from", "note"]


TARGETS_FILE = "target_populations.csv"




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
    source = Path(path) if path else resources.files("kpss_analysis.data").joinpath(TARGETS_FILE)
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
    at_least = _population_aged_at_least(age5[["obec_kod", "age_start", "population"]], territory, level)
    starts = at_least.columns[at_least.columns >= age_from]
    people = at_least[starts[0]] if len(starts) else pd.Series(0, index=at_least.index, dtype="int64")
    return people.rename("population")


@memo.by_content(maxsize=8)  # every unit of a level, for every age at once: asked for by chapters 03, 05 and 07
def _population_aged_at_least(age5: pd.DataFrame, territory: pd.DataFrame, level: str) -> pd.DataFrame:
    """People aged at least each five-year group's start, per unit of ``level`` (one column per ``age_start``)."""
    by_age = aggregate_by_unit(age5, territory, level, by=["age_start"]).pivot_table(
        index="unit", columns="age_start", values="population", aggfunc="sum", fill_value=0)
    return by_age.iloc[:, ::-1].cumsum(axis=1).iloc[:, ::-1].rename_axis(columns=None)


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
    :func:`kpss_analysis.analysis.demography.compute_orp_ranking`).
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
    headers: dict[str, str | None] = {"key": None, "label": "Druh služby", "unit_label": "Jednotka kapacity", "target_label": "Cílová populace (věk)",
               "year": "Rok", "population": "Obyvatelé cílové populace", "existing": "Stávající kapacita"}
    for scenario, text in SCENARIOS.items():
        headers[f"needed_{scenario}"] = f"Potřeba – {text}"
        headers[f"difference_{scenario}"] = f"Rozdíl – {text}"
    return czech_columns(gap, headers)


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
