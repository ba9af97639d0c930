"""Target groups beyond seniors: children and young people, and expected recipients of příspěvek na péči.

Both work on single years of age per ORP, the frames chapter 02 builds:

* the base (31. 12. 2020 = 1. 1. 2021) from :func:`kpss_analysis.projection.compute_orp_base` — the
  obce's five-year groups split into single years with the okres profile;
* the horizon years from :func:`kpss_analysis.projection.compute_projection` (variants A and B).

:func:`stack_scenarios` puts them into one frame with a ``scenario`` column (``"base"``,
``"A_2030"``, ``"B_2030"`` …) that every function here groups by. Kraj and ČR are the sums of
their ORPs, as in chapter 02.

Expected recipients of příspěvek na péči (PnP) are an **estimate**: rates per inhabitant of an age
band (the package table ``pnp_rates.csv``, kraj recipients 2018 ÷ kraj population 31. 12. 2019)
times the ORP's population of the band, with the degrees I–IV by the band's degree shares.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kpss_analysis.analysis.demography import CR_NAME
from kpss_analysis.analysis.projection import BASE_YEAR, VARIANT_LABELS, VARIANT_SHORT, split_to_single_years
from kpss_analysis.errors import ParameterError

BASE = "base"

#: Children and young people: key → (first age, last age).
CHILD_GROUPS = {"0_5": (0, 5), "6_14": (6, 14), "15_17": (15, 17), "18_26": (18, 26)}
CHILD_LABELS = {"0_5": "Děti 0–5 let", "6_14": "Děti 6–14 let", "15_17": "Mládež 15–17 let",
                "18_26": "Mladí lidé 18–26 let"}
#: Age groups of the PnP estimate (the groups of the MPSV kraj table); 100 = 100+.
PNP_GROUPS = {"0_17": (0, 17), "18_64": (18, 64), "65plus": (65, 100)}
PNP_LABELS = {"0_17": "0–17 let", "18_64": "18–64 let", "65plus": "65 a více let", "total": "Celkem"}
DEGREES = ("I", "II", "III", "IV")
NATIONAL_RATES = "CZ0"
LEVEL_ORDER = {"orp": 0, "kraj": 1, "cr": 2}

CHILD_NOTE = ("Počty dětí a mladých lidí podle jednotek věku jsou odhad: pětileté věkové skupiny obcí k 31. 12. 2020 "
              "jsou rozděleny do jednotek věku podle věkového profilu okresu (jako v kapitole 02); roky horizontu "
              "podle projekce kapitoly 02.")
PNP_CAPTION = "Očekávaný počet příjemců příspěvku na péči – odhad z krajských podílů příjemců v roce 2018"
PNP_NOTE = (
    "Jde o odhad, ne o skutečný počet příjemců (ten MPSV za ORP nezveřejňuje): podíl příjemců příspěvku na péči "
    "v každé věkové skupině kraje v roce 2018 (příjemci podle MPSV ÷ obyvatelé kraje téže skupiny k 31. 12. 2019) "
    "je vynásoben počtem obyvatel ORP v této skupině k 31. 12. 2020 (skupina 15–19 let rozdělena u 18 let podle "
    "profilu okresu) a v letech projekce kapitoly 02 při nezměněných podílech. Stupně závislosti I–IV podle podílů "
    "stupňů v kraji, stejných pro všechny věkové skupiny (zdroj je podle věku nečlení)."
)


# --------------------------------------------------------------------------- frames


def stack_scenarios(base: pd.DataFrame, projection: pd.DataFrame, horizon_years: Sequence[int]) -> pd.DataFrame:
    """The base and the projected horizon years as one single-year frame with a ``scenario`` column.

    Parameters
    ----------
    base
        ``orp_kod``, ``age``, ``population`` (:func:`~kpss_analysis.projection.compute_orp_base`).
    projection
        :func:`~kpss_analysis.projection.compute_projection` output.
    horizon_years
        Years of the projection to keep (both variants).

    Returns
    -------
    DataFrame ``scenario``, ``orp_kod``, ``age``, ``population``.
    """
    missing = sorted(set(horizon_years) - set(projection["year"]))
    if missing:
        raise ParameterError(f"projekce neobsahuje roky {missing}")
    horizons = projection[projection["year"].isin(list(horizon_years))]
    scenario = horizons["variant"] + "_" + horizons["year"].astype(str)
    frames = [base.assign(scenario=BASE), horizons.assign(scenario=scenario)]
    return pd.concat([f[["scenario", "orp_kod", "age", "population"]] for f in frames], ignore_index=True)


def scenario_order(horizon_years: Sequence[int]) -> list[str]:
    """``["base", "A_2030", …, "B_2030", …]``: the column order of the tables."""
    return [BASE, *[f"{v}_{y}" for v in VARIANT_LABELS for y in horizon_years]]


def scenario_label(scenario: str) -> str:
    """Czech column label: ``base`` → "1. 1. 2021", ``A_2030`` → "1. 1. 2030 – varianta A"."""
    if scenario == BASE:
        return f"1. 1. {BASE_YEAR}"
    variant, year = scenario.split("_")
    return f"1. 1. {year} – {VARIANT_SHORT[variant]}"


def _units(territory: pd.DataFrame, orp_code: str) -> list[tuple[str, str, str, list[str]]]:
    """``(level, code, name, member ORPs)`` of the ORP, its kraj and ČR."""
    orps = territory.drop_duplicates("orp_kod").set_index("orp_kod")
    if orp_code not in orps.index:
        raise ParameterError(f"neznámý kód ORP {orp_code!r}")
    row = orps.loc[orp_code]
    return [("orp", orp_code, f"SO ORP {row['orp_nazev']}", [orp_code]),
            ("kraj", row["kraj_kod"], row["kraj_nazev"], list(orps.index[orps["kraj_kod"] == row["kraj_kod"]])),
            ("cr", "CZ", CR_NAME, list(orps.index))]


def _sum_ages(single: pd.DataFrame, groups: dict[str, tuple[int, int]], keys: list[str]) -> pd.DataFrame:
    """Population per ``keys`` in each age group, plus ``total`` (all ages)."""
    out = single.groupby(keys)["population"].sum().rename("total").to_frame()
    for group, (first, last) in groups.items():
        out[group] = single[single["age"].between(first, last)].groupby(keys)["population"].sum()
    return out.fillna(0.0).reset_index()


# --------------------------------------------------------------------------- children and young people


def compute_child_groups(single: pd.DataFrame, territory: pd.DataFrame, orp_code: str) -> pd.DataFrame:
    """Children 0–5, 6–14, 15–17 and young people 18–26 of the ORP, its kraj and ČR per scenario.

    Returns ``level``, ``unit``, ``unit_name``, ``scenario``, ``total``, the :data:`CHILD_GROUPS`
    (persons, float) and ``share_<group>`` (% of the unit's population in that scenario).
    """
    frames = []
    for level, code, name, members in _units(territory, orp_code):
        part = _sum_ages(single[single["orp_kod"].isin(members)], CHILD_GROUPS, ["scenario"])
        frames.append(part.assign(level=level, unit=code, unit_name=name))
    out = pd.concat(frames, ignore_index=True)
    out = out.assign(horizon=out["scenario"] != BASE).sort_values(["horizon"], kind="stable")
    out = out.sort_values(["level"], key=lambda s: s.map(LEVEL_ORDER), kind="stable")
    for group in CHILD_GROUPS:
        out[f"share_{group}"] = 100 * out[group] / out["total"]
    return out.reset_index(drop=True)[["level", "unit", "unit_name", "scenario", "total", *CHILD_GROUPS,
                *[f"share_{g}" for g in CHILD_GROUPS]]]


def compute_child_change(groups: pd.DataFrame, level: str = "orp") -> pd.DataFrame:
    """Each child group at the base and every horizon scenario, the change in persons and in %.

    Returns ``age_group``, ``base``, and per horizon scenario ``<s>``, ``<s>_change``,
    ``<s>_change_pct``.
    """
    frame = groups[groups["level"] == level].set_index("scenario")
    rows = []
    for group in CHILD_GROUPS:
        row = {"age_group": group, BASE: frame.loc[BASE, group]}
        for scenario in frame.index.drop(BASE):
            value = frame.loc[scenario, group]
            row.update({scenario: value, f"{scenario}_change": value - row[BASE],
                        f"{scenario}_change_pct": 100 * (value / row[BASE] - 1)})
        rows.append(row)
    return pd.DataFrame(rows)


def compute_child_obce(age5: pd.DataFrame, territory: pd.DataFrame, age1_okres: pd.DataFrame,
                       orp_code: str) -> pd.DataFrame:
    """Every obec of the ORP on 31. 12. 2020: child groups (okres profile split) and their shares.

    ``share_children`` is the share of children 0–17 (%) — the map's indicator.
    """
    members = territory.loc[territory["orp_kod"] == orp_code, ["obec_kod", "obec_nazev", "okres_lau"]]
    groups = (age5.merge(members, on="obec_kod", how="inner")
              .rename(columns={"okres_lau": "profile_unit"})[["obec_kod", "profile_unit", "sex", "age_start",
                                                              "population"]])
    single = split_to_single_years(groups, age1_okres, unit="obec_kod")
    table = _sum_ages(single, CHILD_GROUPS, ["obec_kod"])
    for group in CHILD_GROUPS:
        table[f"share_{group}"] = 100 * table[group] / table["total"]
    table["share_children"] = 100 * table[["0_5", "6_14", "15_17"]].sum(axis=1) / table["total"]
    table = members[["obec_kod", "obec_nazev"]].merge(table, on="obec_kod", how="left")
    return table.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)


def czech_child_table(groups: pd.DataFrame, horizon_years: Sequence[int], level: str = "orp") -> pd.DataFrame:
    """Children and young people of one level at the base and the horizons, with the change in persons."""
    change = compute_child_change(groups, level)
    out = pd.DataFrame({"Skupina": change["age_group"].map(CHILD_LABELS)})
    out[scenario_label(BASE)] = change[BASE].round().astype("int64")
    for scenario in scenario_order(horizon_years)[1:]:
        out[scenario_label(scenario)] = change[scenario].round().astype("int64")
        out[f"Změna do {scenario_label(scenario)} (osoby)"] = change[f"{scenario}_change"].round().astype("int64")
    return out


def czech_child_shares(groups: pd.DataFrame, scenario: str = BASE) -> pd.DataFrame:
    """Shares (%) of the child groups in the ORP, its kraj and ČR in one scenario (columns = units)."""
    frame = groups[groups["scenario"] == scenario].set_index("unit_name")
    out = pd.DataFrame({"Skupina": [CHILD_LABELS[g] for g in CHILD_GROUPS]})
    for name, row in frame.iterrows():
        out[f"{name} (%)"] = [row[f"share_{g}"] for g in CHILD_GROUPS]
    return out


# --------------------------------------------------------------------------- příspěvek na péči


def _group_of(age: pd.Series) -> pd.Series:
    bins = [first for first, _last in PNP_GROUPS.values()]
    return pd.Series(np.array(list(PNP_GROUPS))[np.searchsorted(bins, age, side="right") - 1], index=age.index)


def _rates_by_age(rates: pd.DataFrame, kraje: Sequence[str]) -> pd.DataFrame:
    """Rate and degree shares per kraj NUTS code × single age, national rows where a kraj has none."""
    straddling = rates.index[_group_of(rates["age_from"]) != _group_of(rates["age_to"])]
    if len(straddling):
        row = rates.loc[straddling[0]]
        raise ParameterError(f"věkové pásmo sazeb příspěvku na péči {int(row['age_from'])}–{int(row['age_to'])} "
                             f"({row['kraj_nuts']}) přesahuje hranici skupin 0–17 / 18–64 / 65+; rozdělte ho.")
    rates = rates.reset_index(drop=True)
    frames = []
    for kraj in kraje:
        own = rates[rates["kraj_nuts"] == kraj]
        chosen = own if len(own) else rates[rates["kraj_nuts"] == NATIONAL_RATES]
        if chosen.empty:
            raise ParameterError(f"tabulka sazeb příspěvku na péči nemá řádky pro kraj {kraj} ani celostátní řádky "
                                 f"({NATIONAL_RATES}).")
        ages = chosen.loc[chosen.index.repeat(chosen["age_to"] - chosen["age_from"] + 1)].copy()
        ages["age"] = ages["age_from"] + ages.groupby(level=0).cumcount()
        frames.append(ages.assign(kraj_nuts=kraj))
    out = pd.concat(frames, ignore_index=True)
    out["pnp_group"] = _group_of(out["age"])
    return out[["kraj_nuts", "age", "pnp_group", "rate", *[f"share_{d}" for d in DEGREES]]]


def compute_pnp_expected(single: pd.DataFrame, territory: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Expected PnP recipients of every ORP per scenario and age group (an estimate).

    Parameters
    ----------
    single
        ``scenario``, ``orp_kod``, ``age``, ``population`` (:func:`stack_scenarios`).
    rates
        :func:`kpss_analysis.data.parsers.benefits.load_pnp_rates`.

    Returns
    -------
    DataFrame
        ``scenario``, ``orp_kod``, ``pnp_group``, ``population``, ``expected``, ``expected_I`` …
        ``expected_IV``.
    """
    kraj_of = territory.drop_duplicates("orp_kod").set_index("orp_kod")["kraj_nuts"]
    by_age = _rates_by_age(rates, sorted(kraj_of.unique()))
    frame = single.assign(kraj_nuts=single["orp_kod"].map(kraj_of)).merge(by_age, on=["kraj_nuts", "age"],
                                                                         how="left", validate="many_to_one")
    frame["expected"] = frame["population"] * frame["rate"]
    for degree in DEGREES:
        frame[f"expected_{degree}"] = frame["expected"] * frame[f"share_{degree}"]
    values = ["population", "expected", *[f"expected_{d}" for d in DEGREES]]
    sums = frame.groupby(["scenario", "orp_kod", "pnp_group"])[values].sum()
    pairs = frame[["scenario", "orp_kod"]].drop_duplicates()
    full = pd.MultiIndex.from_tuples([(s, o, g) for s, o in pairs.itertuples(index=False) for g in PNP_GROUPS],
                                     names=sums.index.names)  # a group nobody is in counts 0
    return sums.reindex(full, fill_value=0.0).reset_index()


def compute_pnp_units(expected: pd.DataFrame, territory: pd.DataFrame, orp_code: str) -> pd.DataFrame:
    """Expected recipients of the ORP, its kraj and ČR (sums of their ORPs) per scenario and group.

    A ``total`` group is added. Returns ``level``, ``unit``, ``unit_name``, ``scenario``,
    ``pnp_group``, ``population``, ``expected``, ``expected_I`` … ``expected_IV``.
    """
    values = ["population", "expected", *[f"expected_{d}" for d in DEGREES]]
    frames = []
    for level, code, name, members in _units(territory, orp_code):
        part = expected[expected["orp_kod"].isin(members)].groupby(["scenario", "pnp_group"])[values].sum()
        total = part.groupby(level="scenario").sum().assign(pnp_group="total").set_index("pnp_group", append=True)
        frames.append(pd.concat([part, total]).reset_index().assign(level=level, unit=code, unit_name=name))
    out = pd.concat(frames, ignore_index=True)
    out = out.assign(level_order=out["level"].map(LEVEL_ORDER), horizon=out["scenario"] != BASE,
                     group_order=out["pnp_group"].map({g: i for i, g in enumerate(PNP_LABELS)}))
    out = out.sort_values(["level_order", "horizon", "scenario", "group_order"])
    return out[["level", "unit", "unit_name", "scenario", "pnp_group", *values]].reset_index(drop=True)


def czech_pnp_table(units: pd.DataFrame, horizon_years: Sequence[int], level: str = "orp") -> pd.DataFrame:
    """Expected recipients by age group (rows) and scenario (columns) with degrees III–IV, whole persons."""
    frame = units[units["level"] == level]
    wide = frame.pivot(index="pnp_group", columns="scenario", values="expected").reindex(list(PNP_LABELS))
    severe = frame.assign(severe=frame["expected_III"] + frame["expected_IV"]).pivot(
        index="pnp_group", columns="scenario", values="severe").reindex(list(PNP_LABELS))
    out = pd.DataFrame({"Věková skupina": [PNP_LABELS[g] for g in wide.index]})
    for scenario in scenario_order(horizon_years):
        out[scenario_label(scenario)] = wide[scenario].round().astype("int64").to_numpy()
        out[f"{scenario_label(scenario)} – z toho III. a IV. stupeň"] = severe[scenario].round().astype(
            "int64").to_numpy()
    return out


def target_groups_summary(children: pd.DataFrame, pnp_units: pd.DataFrame) -> dict:
    """``summary.json`` parts: children/youth counts and ``pnp_expected`` per unit, group and scenario."""
    out: dict = {"base_year": BASE_YEAR, "children": {}, "pnp_expected": {}}
    for level, frame in children.groupby("level", sort=False):
        counts = frame.set_index("scenario")[list(CHILD_GROUPS)].round(1)
        out["children"][level] = {scenario: {g: float(v) for g, v in row.items()} for scenario, row in counts.iterrows()}
    for level, frame in pnp_units.groupby("level", sort=False):
        out["pnp_expected"][level] = {
            scenario: {row.pnp_group: round(float(row.expected), 1) for row in part.itertuples()}
            for scenario, part in frame.groupby("scenario", sort=False)}
    return out
