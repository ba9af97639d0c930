"""Czech sentences, combined tables and the ``summary.json`` section of chapter 04 (target groups).

The computations are in :mod:`kpss_analysis.analysis.exclusion` (people at risk of social
exclusion) and :mod:`kpss_analysis.analysis.target_groups` (children and young people, expected
recipients of příspěvek na péči); this module puts their results side by side for the ORP, its
kraj and ČR and says in words what they show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from kpss_analysis import fmt
from kpss_analysis.analysis import exclusion as ex
from kpss_analysis.analysis import target_groups as tg
from kpss_analysis.analysis.demography import comparison_units
from kpss_analysis.analysis.labels import czech_columns
from kpss_analysis.analysis.projection import VARIANT_LABELS, VARIANT_SHORT
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.data.registry import citation
from kpss_analysis.errors import ParameterError

#: Population of the index-category counts: 1. 1. 2024 = the index's reference date 31. 12. 2023.
CATEGORY_POPULATION_YEAR = 2024
SEVERE = ("III", "IV")
BEDS_NOTE = (
    "Srovnání je orientační: ne každý příjemce příspěvku na péči ve III. nebo IV. stupni potřebuje pobytovou službu "
    "(většina žije doma s pomocí rodiny a terénních služeb) a domovy přijímají i příjemce nižších stupňů. Lůžka "
    "domovů pro seniory a domovů se zvláštním režimem podle registru (kapitola 03) jsou dnešní stav, porovnávaný "
    "i s odhadem pro roky horizontu."
)


def check_variant(projection_variant: str) -> str:
    """Validate the ``projection_variant`` parameter (``"A"`` or ``"B"``)."""
    if projection_variant not in VARIANT_LABELS:
        raise ParameterError(f"Parametr projection_variant = {projection_variant!r} není platný; povolené hodnoty: "
                             + "; ".join(f"{k!r} ({v})" for k, v in VARIANT_LABELS.items()) + ".")
    return projection_variant


# --------------------------------------------------------------------------- exclusion


def compute_index_category_units(exclusion: pd.DataFrame, totals: pd.DataFrame, territory: pd.DataFrame,
                                 orp: Orp) -> pd.DataFrame:
    """Obce and inhabitants (1. 1. 2024) per index category for the ORP, its kraj and ČR.

    Returns ``level``, ``unit_name`` and the columns of
    :func:`~kpss_analysis.analysis.exclusion.compute_index_categories`.
    """
    year = totals[totals["year"] == CATEGORY_POPULATION_YEAR]
    if year.empty:
        raise ParameterError(f"počty obyvatel k 1. 1. {CATEGORY_POPULATION_YEAR} nejsou v datech; "
                             "spusťte `kpss data build`.")
    frames = [ex.compute_index_categories(exclusion, year, territory, level, code).assign(level=level, unit_name=name)
              for level, code, name in comparison_units(orp)]
    out = pd.concat(frames, ignore_index=True)
    return out[["level", "unit_name", "index_category", "n_obce", "population", "share_obce", "share_population"]]


def czech_index_category_table(categories: pd.DataFrame) -> pd.DataFrame:
    """One row per category: the ORP's obce and inhabitants, and the share of inhabitants in each unit."""
    orp = categories[categories["level"] == "orp"].set_index("index_category")
    out = pd.DataFrame({"Kategorie indexu (body)": list(ex.INDEX_CATEGORIES)})
    names = list(dict.fromkeys(categories["unit_name"]))
    out[f"Počet obcí – {names[0]}"] = orp["n_obce"].to_numpy()
    out[f"Obyvatelé k 1. 1. {CATEGORY_POPULATION_YEAR} – {names[0]}"] = orp["population"].to_numpy()
    for name, frame in categories.groupby("unit_name", sort=False):
        out[f"Podíl obyvatel (%) – {name}"] = frame.set_index("index_category")["share_population"].to_numpy()
    return out


def chart_index_categories(categories: pd.DataFrame) -> pd.DataFrame:
    """Long frame for the bar chart: ``index_category``, ``unit_name``, ``share_population``."""
    return categories[["index_category", "unit_name", "share_population"]].reset_index(drop=True)


def describe_exclusion(comparison: pd.DataFrame, orp: Orp) -> str:
    """Czech sentences: each indicator of the ORP with its interval beside kraj and ČR, and the flags."""
    table = comparison.set_index(["indicator", "level"])
    lines = []
    for key, indicator in ex.INDICATORS.items():
        o, k, c = (table.loc[(key, level)] for level in ("orp", "kraj", "cr"))
        count = fmt.number(o["count"], 0 if indicator.method == ex.WILSON else 1)
        lines.append(
            f"* **{indicator.share_label}:** {fmt.number(o['share'], 2)} (95% interval {fmt.number(o['ci_low'], 2)}–"
            f"{fmt.number(o['ci_high'], 2)}; počet {count}); kraj {fmt.number(k['share'], 2)}, Česko "
            f"{fmt.number(c['share'], 2)} – proti kraji {o['vs_kraj']}, proti Česku {o['vs_cr']}.")
    return f"SO ORP {orp.name}:\n\n" + "\n".join(lines)


def describe_index_categories(categories: pd.DataFrame, orp: Orp) -> str:
    """Czech sentence on the obce of the ORP in the two highest index categories."""
    frame = categories[categories["level"] == "orp"].set_index("index_category")
    high, top = ex.INDEX_CATEGORIES[2], ex.INDEX_CATEGORIES[3]
    return (f"Obce SO ORP {orp.name} (celkem {fmt.number(frame['n_obce'].sum())}) v kategorii indexu {top} bodů: "
            f"**{fmt.number(frame.loc[top, 'n_obce'])}** (obyvatelé: {fmt.number(frame.loc[top, 'population'])}, tj. "
            f"{fmt.percent(frame.loc[top, 'share_population'])} obyvatel ORP); v kategorii {high} bodů: "
            f"{fmt.number(frame.loc[high, 'n_obce'])} (obyvatelé: {fmt.number(frame.loc[high, 'population'])}).")


# --------------------------------------------------------------------------- children and young people


def chart_child_change(groups: pd.DataFrame, horizon_years: Sequence[int], variant: str) -> pd.DataFrame:
    """Change of each child group of the ORP to the horizons of ``variant`` in persons (for grouped bars)."""
    change = tg.compute_child_change(groups)
    out = pd.DataFrame({"Skupina": change["age_group"].map(tg.CHILD_LABELS)})
    for year in horizon_years:
        out[f"do 1. 1. {year}"] = change[f"{variant}_{year}_change"].to_numpy()
    return out


CHILD_OBCE_LABELS = {
    "obec_kod": "Kód obce", "obec_nazev": "Obec", "total": "Obyvatelé (31. 12. 2020)",
    **tg.CHILD_LABELS, **{f"share_{g}": f"{label} (%)" for g, label in tg.CHILD_LABELS.items()},
    "share_children": "Děti 0–17 let (%)",
}


def czech_child_obce(obce: pd.DataFrame) -> pd.DataFrame:
    """:func:`~kpss_analysis.analysis.target_groups.compute_child_obce` with Czech headers."""
    return czech_columns(obce, CHILD_OBCE_LABELS, select=True)


def describe_children(groups: pd.DataFrame, horizon_years: Sequence[int], variant: str, orp: Orp) -> str:
    """Czech sentence: children 0–17 and young people 18–26 now, at the last horizon, and the change."""
    frame = groups[groups["level"] == "orp"].set_index("scenario")
    last = f"{variant}_{max(horizon_years)}"
    children = ["0_5", "6_14", "15_17"]
    now, then = frame.loc[tg.BASE, children].sum(), frame.loc[last, children].sum()
    young_now, young_then = frame.loc[tg.BASE, "18_26"], frame.loc[last, "18_26"]
    share = 100 * now / frame.loc[tg.BASE, "total"]
    return (f"V SO ORP {orp.name} žilo k 1. 1. 2021 odhadem **{fmt.number(now)}** dětí ve věku 0–17 let "
            f"({fmt.percent(share)} obyvatel) a {fmt.number(young_now)} mladých lidí ve věku 18–26 let. Podle projekce "
            f"({VARIANT_SHORT[variant]}) bude k 1. 1. {max(horizon_years)} dětí 0–17 let {fmt.number(then)} "
            f"({fmt.signed(then - now)} osob) a mladých lidí 18–26 let {fmt.number(young_then)} "
            f"({fmt.signed(young_then - young_now)} osob).")


# --------------------------------------------------------------------------- příspěvek na péči


def pnp_source(rates_csv: str) -> str:
    """The "Zdroj:" text of the PnP estimate: the packaged rates' sources, or the analyst's own table."""
    rates = (f"sazby příjemců příspěvku na péči: vlastní tabulka {Path(rates_csv).name}" if rates_csv
             else citation("pnp_kraje", "age1_okres_2019"))
    return "; ".join([rates, citation("age_structure", "age1_okres", "projection", "mos")])


def czech_pnp_degree_table(units: pd.DataFrame, horizon_years: Sequence[int], level: str = "orp") -> pd.DataFrame:
    """Expected recipients of all ages by degree (rows I–IV, total) and scenario (columns), whole persons."""
    frame = units[(units["level"] == level) & (units["pnp_group"] == "total")].set_index("scenario")
    columns = [f"expected_{d}" for d in tg.DEGREES]
    out = pd.DataFrame({"Stupeň závislosti": [f"{d}. stupeň" for d in tg.DEGREES] + ["Celkem"]})
    for scenario in tg.scenario_order(horizon_years):
        values = frame.loc[scenario, columns].tolist() + [frame.loc[scenario, "expected"]]
        out[tg.scenario_label(scenario)] = [round(float(v)) for v in values]
    return out


def compute_pnp_vs_beds(units: pd.DataFrame, services: Mapping, horizon_years: Sequence[int],
                        variant: str) -> pd.DataFrame:
    """Expected recipients 65+ in degrees III–IV (base, horizons of ``variant``) vs today's DS + DZR beds.

    Parameters
    ----------
    units
        :func:`~kpss_analysis.analysis.target_groups.compute_pnp_units`.
    services
        Chapter 03's :func:`~kpss_analysis.analysis.services_text.services_summary` (``orp``,
        ``kraj``, ``cr`` with ``beds_ds_dzr``).

    Returns
    -------
    DataFrame ``level``, ``unit_name``, ``scenario``, ``expected_severe_65plus``, ``beds_ds_dzr``,
    ``beds_per_100`` (beds per 100 expected recipients).
    """
    scenarios = [tg.BASE, *[f"{variant}_{y}" for y in horizon_years]]
    frame = units[(units["pnp_group"] == "65plus") & units["scenario"].isin(scenarios)]
    out = frame[["level", "unit_name", "scenario"]].copy()
    out["expected_severe_65plus"] = frame[[f"expected_{d}" for d in SEVERE]].sum(axis=1)
    out["beds_ds_dzr"] = out["level"].map({level: services[level]["beds_ds_dzr"] for level in ("orp", "kraj", "cr")})
    out["beds_per_100"] = 100 * out["beds_ds_dzr"] / out["expected_severe_65plus"]
    order = {s: i for i, s in enumerate(scenarios)}
    out = out.assign(level_order=out["level"].map(tg.LEVEL_ORDER), scenario_order=out["scenario"].map(order))
    return out.sort_values(["level_order", "scenario_order"]).drop(columns=["level_order", "scenario_order"]
                                                                    ).reset_index(drop=True)


def czech_pnp_vs_beds(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`compute_pnp_vs_beds` with Czech headers and scenario labels."""
    frame = table.assign(scenario=table["scenario"].map(tg.scenario_label))
    labels = {"level": None, "unit_name": "Území", "scenario": "Stav k", "expected_severe_65plus":
              "Očekávaní příjemci PnP 65+ ve III. a IV. stupni (odhad)", "beds_ds_dzr":
              "Lůžka DS a DZR (registr, dnešní stav)", "beds_per_100": "Lůžka na 100 očekávaných příjemců"}
    return czech_columns(frame, labels)


def describe_pnp(units: pd.DataFrame, vs_beds: pd.DataFrame, horizon_years: Sequence[int], variant: str,
                 orp: Orp) -> str:
    """Czech sentences: the estimate for the ORP now and at the first horizon, and the beds beside it."""
    frame = units[units["level"] == "orp"].set_index(["scenario", "pnp_group"])
    first = f"{variant}_{min(horizon_years)}"
    base = vs_beds[(vs_beds["level"] == "orp") & (vs_beds["scenario"] == tg.BASE)].iloc[0]
    return (f"Podle krajských podílů příjemců z roku 2018 by v SO ORP {orp.name} k 1. 1. 2021 pobíralo příspěvek "
            f"na péči odhadem **{fmt.number(frame.loc[(tg.BASE, 'total'), 'expected'])}** osob, z toho "
            f"{fmt.number(frame.loc[(tg.BASE, '65plus'), 'expected'])} ve věku 65+; k 1. 1. {min(horizon_years)} "
            f"({VARIANT_SHORT[variant]}) {fmt.number(frame.loc[(first, 'total'), 'expected'])}, z toho "
            f"{fmt.number(frame.loc[(first, '65plus'), 'expected'])} ve věku 65+. Očekávaných příjemců 65+ "
            f"ve III. a IV. stupni je dnes odhadem {fmt.number(base['expected_severe_65plus'])}; domovy pro seniory "
            f"a domovy se zvláštním režimem mají v ORP {fmt.number(base['beds_ds_dzr'], 1)} lůžek "
            f"({fmt.number(base['beds_per_100'], 1)} na 100 takových příjemců).")


# --------------------------------------------------------------------------- summary.json


SUMMARY_TITLE = "Cílové skupiny"
#: Czech headings of the ORP's plain numbers (the index page shows them).
SUMMARY_LABELS = {"exekuce": "Osoby v exekuci (2023)", "pnz": "Vyplacené PnŽ (průměrný měsíc 2023)",
                  "pnb": "Vyplacené PnB (průměrný měsíc 2023)", "ltu": "Uchazeči o zaměstnání déle než 6 měsíců (2023)",
                  "beds_ds_dzr": "Lůžka DS + DZR"}


def chapter_summary(comparison: pd.DataFrame, children: pd.DataFrame, pnp_units: pd.DataFrame,
                    categories: pd.DataFrame, vs_beds: pd.DataFrame, horizon_years: Sequence[int], variant: str,
                    services_available: bool) -> dict:
    """The ``cilove_skupiny`` section of ``summary.json``.

    Per ``orp`` / ``kraj`` / ``cr``: :func:`~kpss_analysis.analysis.exclusion.exclusion_summary`
    (counts, ``share_<key>`` with ``value``/``ci_low``/``ci_high`` in percent and the flags),
    ``children`` and ``pnp_expected`` per scenario (:func:`~kpss_analysis.analysis.target_groups.
    target_groups_summary`), ``pnp_severe_65plus`` and ``beds_ds_dzr`` (from chapter 03), and
    ``index_categories`` (obce and inhabitants per category); ``title`` and ``labels`` head the
    ORP's plain numbers on the index page.
    """
    out: dict = ex.exclusion_summary(comparison)
    groups = tg.target_groups_summary(children, pnp_units)
    for level, entry in out.items():
        entry["children"] = groups["children"][level]
        entry["pnp_expected"] = groups["pnp_expected"][level]
        beds = vs_beds[vs_beds["level"] == level]
        entry["pnp_severe_65plus"] = {row.scenario: round(float(row.expected_severe_65plus), 1)
                                      for row in beds.itertuples()}
        entry["beds_ds_dzr"] = round(float(beds["beds_ds_dzr"].iloc[0]), 4)
        cats = categories[categories["level"] == level]
        entry["index_categories"] = {row.index_category: {"n_obce": int(row.n_obce), "population": int(row.population)}
                                     for row in cats.itertuples()}
    out.update({"title": SUMMARY_TITLE, "labels": SUMMARY_LABELS, "base_year": groups["base_year"], "horizon_years": [int(y) for y in horizon_years],
                "projection_variant": variant, "services_by_target_group": services_available})
    return out
