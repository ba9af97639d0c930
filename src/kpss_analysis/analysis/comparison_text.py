"""Czech sentences and the ``summary.json`` section ``srovnani`` of the comparison chapter (05).

The frames come from :mod:`kpss_analysis.analysis.comparison` and :mod:`kpss_analysis.analysis.peers`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kpss_analysis import fmt
from kpss_analysis.analysis.comparison import indicator_decimals
from kpss_analysis.analysis.intervals import SIGNIFICANCE_LABELS
from kpss_analysis.analysis.peers import INDICATOR_LABELS, Typology

#: Short Czech names of the indicators inside a sentence.
SHORT_LABELS = {
    "log_population": "počet obyvatel",
    "share_65plus": "podíl osob 65+",
    "share_0_14": "podíl dětí 0–14 let",
    "population_change": "změna počtu obyvatel 2014–2024",
    "share_exekuce": "podíl osob v exekuci",
    "share_pnz": "počet vyplacených příspěvků na živobytí na 100 obyvatel 15+",
    "share_ltu": "podíl uchazečů o zaměstnání déle než 6 měsíců",
    "share_university": "podíl vysokoškoláků",
    "log_mean_obec_size": "průměrná velikost obce",
}
SECTION = "srovnani"
TITLE = "Srovnání s podobnými ORP"
INDEX_LABELS = {"type_id": "Typ ORP (srovnání)", "nearest_distance": "Vzdálenost nejpodobnější ORP"}
METHOD_NOTE = (
    "Podobnost ORP: každý ukazatel je převeden na z-skóre přes všech 206 ORP (odchylka od průměru ORP v násobcích "
    "směrodatné odchylky), z-skóre jsou vynásobena vahami z parametru indicators a vzdálenost dvou ORP je "
    "eukleidovská vzdálenost těchto hodnot. Vzdálenost 0 znamená shodu ve všech ukazatelích; vzdálenost 2 odpovídá "
    "např. rozdílu dvou směrodatných odchylek v jednom ukazateli."
)


def _short(key: str) -> str:
    return SHORT_LABELS.get(key, INDICATOR_LABELS.get(key, key))


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " a " + items[-1]


def describe_indicators(weights: Mapping[str, float]) -> str:
    """A Markdown list of the similarity indicators with their weights."""
    lines = [f"* {INDICATOR_LABELS[key]} – váha {fmt.number(weight, 1 if weight % 1 else 0)}"
             for key, weight in weights.items()]
    left_out = [INDICATOR_LABELS[key] for key in INDICATOR_LABELS if key not in weights]
    if left_out:
        lines.append(f"* vypuštěno parametrem: {'; '.join(left_out)}")
    return "\n".join(lines)


def type_legend(type_table: pd.DataFrame) -> dict[int, str]:
    """Legend text per type id: "Typ 1: <description> (149 ORP)"."""
    return {int(r.type_id): f"Typ {r.type_id}: {r.label} ({r.n_orp} ORP)" for r in type_table.itertuples()}


def describe_neighbours(peer_table: pd.DataFrame, benchmark: pd.Series, code: str, kraj_name: str) -> str:
    """The nearest neighbour, the range of distances, how many share the kraj, and how large the distances are.

    Parameters
    ----------
    peer_table
        :func:`kpss_analysis.analysis.comparison.compute_peer_table` (the ORP first).
    benchmark
        :func:`kpss_analysis.analysis.comparison.compute_neighbour_benchmark` with the same ``n``.
    """
    own, peers = peer_table.iloc[0], peer_table.iloc[1:]
    nearest = peers.iloc[0]
    n = len(peers)
    text = (f"Nejpodobnější je SO ORP {nearest['orp_nazev']} ({nearest['kraj_nazev']}, vzdálenost "
            f"{fmt.number(nearest['distance'], 2)}). ")
    if n > 1:
        text += (f"{n} nejpodobnějších ORP je ve vzdálenosti {fmt.number(peers['distance'].min(), 2)}–"
                 f"{fmt.number(peers['distance'].max(), 2)}, ze stejného kraje ({kraj_name}) je "
                 f"{int((peers['kraj_nazev'] == kraj_name).sum())} z nich. ")
    others = benchmark.drop(index=code)
    closer = (others < benchmark[code]).mean()
    position = ("nejvíc ze všech ORP" if closer == 1 else
                f"víc než u {fmt.number(100 * closer, 0)} % ORP" if closer >= 0.5 else
                f"méně než u {fmt.number(100 * (1 - closer), 0)} % ORP")
    text += (f"Pro srovnání: u poloviny všech ORP je jejich {n}. nejpodobnější ORP blíže než "
             f"{fmt.number(benchmark.median(), 2)}; u SO ORP {own['orp_nazev']} je to "
             f"{fmt.number(benchmark[code], 2)}, {position}.")
    return text


def describe_outliers(outlying: pd.Series, orp_name: str, threshold: float = 2.5) -> str:
    """Say on which indicators the ORP is an outlier (|z| ≥ ``threshold``), and what that means for the comparison."""
    if outlying.empty:
        return (f"SO ORP {orp_name} není u žádného ukazatele odlehlou hodnotou (žádné z-skóre nedosahuje "
                f"±{fmt.number(threshold, 1)}).")
    parts = [f"{_short(key)} (z = {fmt.signed(value, 1)})" for key, value in outlying.items()]
    many = "několika ukazatelů" if len(parts) > 1 else "jednoho ukazatele"
    return (f"**SO ORP {orp_name} je odlehlou hodnotou u {many}** (z-skóre alespoň ±{fmt.number(threshold, 1)}, "
            f"tj. tolik směrodatných odchylek od průměru ORP): {_join(parts)}. Žádná jiná ORP jí proto není opravdu "
            "podobná; „podobné ORP“ níže jsou ty nejméně odlišné a srovnání s nimi, stejně jako typ, je třeba "
            "číst s touto výhradou.")


def describe_typology(typology: Typology, type_table: pd.DataFrame, code: str, orp_name: str) -> str:
    """How many types, why that many (the silhouette width), and the ORP's type."""
    diagnostics = typology.diagnostics.set_index("k")["silhouette"]
    n_orp = int(typology.sizes.sum())
    text = (f"Všech {n_orp} ORP je rozděleno do {typology.k} typů metodou k-means (50 startů s pevně daným "
            "semínkem, výsledek je proto při každém spuštění stejný) na týchž vážených z-skóre jako podobné ORP. ")
    if len(diagnostics) > 1:
        others = diagnostics.drop(index=typology.k)
        text += (f"Počet typů {typology.k} byl zvolen podle průměrné šířky siluety (jak blíž má ORP k ORP svého "
                 f"typu než k nejbližšímu jinému typu; 1 = zřetelné typy, 0 = typy se překrývají): pro k = "
                 f"{typology.k} je {fmt.number(diagnostics[typology.k], 2)}, nejvyšší ze zkoušených k = "
                 f"{diagnostics.index.min()}–{diagnostics.index.max()} (ostatní "
                 f"{fmt.number(others.min(), 2)}–{fmt.number(others.max(), 2)}). ")
    else:
        text += (f"Počet typů zadal analytik (parametr n_types); průměrná šířka siluety je "
                 f"{fmt.number(diagnostics.iloc[0], 2)}. ")
    row = type_table.set_index("type_id").loc[typology.labels[code]]
    text += f"SO ORP {orp_name} patří do typu {typology.labels[code]}: {row['label']} ({row['n_orp']} ORP)."
    return text


def describe_significance(comparison: pd.DataFrame, orp_name: str) -> str:
    """Where the ORP's shares differ significantly (95 %) from ČR, with the two values."""
    groups = []
    for key, verb in (("higher", "významně vyšší"), ("lower", "významně nižší")):
        rows = comparison[comparison["vs_cr"] == SIGNIFICANCE_LABELS[key]]
        items = [f"{_short(r.indicator)} ({fmt.number(r.value, indicator_decimals(r.indicator))} proti "
                 f"{fmt.number(r.cr, indicator_decimals(r.indicator))})" for r in rows.itertuples()]
        if items:
            groups.append(f"{verb} {_join(items)}")
    if not groups:
        return f"SO ORP {orp_name} se u žádného podílu od Česka významně neliší."
    text = f"Proti Česku má SO ORP {orp_name} " + "; ".join(groups) + "."
    similar = comparison.loc[comparison["vs_cr"] == SIGNIFICANCE_LABELS["similar"], "indicator"]
    if len(similar):
        text += f" Bez významného rozdílu: {_join([_short(k) for k in similar])}."
    return text


def describe_funnel(points: pd.DataFrame, indicator: str) -> str:
    """How many ORPs lie outside the 95 % and 99.8 % limits, and what that says."""
    n = len(points)
    outside_95, outside_998 = int(points["outside_95"].sum()), int(points["outside_99.8"].sum())
    text = (f"Mimo 95% meze leží {outside_95} z {n} ORP, mimo 99,8% meze {outside_998}. ")
    if outside_998 > 0.1 * n:
        text += (f"Kdyby se ORP lišily jen náhodou, leželo by mimo 99,8% meze asi {fmt.number(0.002 * n, 1)} ORP: "
                 f"{_short(indicator)} se mezi ORP liší skutečně, nejen náhodným kolísáním počtů.")
    return text


def describe_capacity(table: pd.DataFrame, code: str, orp_name: str, reference: float) -> str:
    """The ORP's beds per 1 000 beside its neighbours' range and median and ČR."""
    own = table.loc[table["orp_kod"] == code, "value"].iloc[0]
    peers = table.loc[table["orp_kod"] != code, "value"]
    text = f"SO ORP {orp_name} má {fmt.number(own, 1)} lůžek na 1 000 obyvatel ve věku 75+"
    if len(peers):
        text += (f", podobné ORP {fmt.number(peers.min(), 1)}–{fmt.number(peers.max(), 1)} "
                 f"(medián {fmt.number(peers.median(), 1)})")
    return text + f"; Česko {fmt.number(reference, 1)}."


# --------------------------------------------------------------------------- summary.json


def _round(value: float, digits: int = 4) -> float | None:
    return None if pd.isna(value) else round(float(value), digits)


def comparison_summary(peer_table: pd.DataFrame, typology: Typology, type_table: pd.DataFrame,
                       comparison: pd.DataFrame, outlying: pd.Series, weights: Mapping[str, float],
                       capacity: pd.DataFrame, capacity_reference: float) -> dict:
    """The ``srovnani`` section of ``summary.json``.

    Keys: ``peers`` (nearest first: ``code``, ``name``, ``kraj``, ``distance``, ``type_id``), ``type`` (``id``,
    ``label``, ``n_orp``), ``types`` (every type), ``k`` and ``k_choice``, ``silhouette`` (per k tried),
    ``indicators`` (weights), ``outlying`` (``indicator``, ``label``, ``z``), one ``share_<key>`` per compared share
    (``value``, ``ci_low``, ``ci_high`` in percent, the kraj / ČR / pooled neighbours' value and the flags),
    ``beds_ds_dzr_per_1000_75plus`` (ORP with interval, ČR, neighbours) and ``orp`` (numbers for the index page).
    """
    code = peer_table["orp_kod"].iloc[0]
    types = type_table.set_index("type_id")
    own_type = int(typology.labels[code])
    peers = [{"code": r.orp_kod, "name": r.orp_nazev, "kraj": r.kraj_nazev, "distance": _round(r.distance),
              "type_id": int(typology.labels[r.orp_kod])} for r in peer_table.iloc[1:].itertuples()]
    summary: dict = {
        "title": TITLE,
        "indicators": dict(weights),
        "peers": peers,
        "type": {"id": own_type, "label": types.loc[own_type, "label"], "n_orp": int(types.loc[own_type, "n_orp"])},
        "types": [{"id": int(t), "label": r["label"], "n_orp": int(r["n_orp"])} for t, r in types.iterrows()],
        "k": int(typology.k),
        "k_choice": "silhouette" if len(typology.diagnostics) > 1 else "parameter",
        "silhouette": {str(int(r.k)): _round(r.silhouette) for r in typology.diagnostics.itertuples()},
        "outlying": [{"indicator": k, "label": INDICATOR_LABELS[k], "z": _round(v, 3)} for k, v in outlying.items()],
    }
    for row in comparison.itertuples():
        summary[row.indicator] = {
            "value": _round(row.value), "ci_low": _round(row.ci_low), "ci_high": _round(row.ci_high),
            "method": row.method, "kraj": _round(row.kraj), "cr": _round(row.cr), "peers": _round(row.peers),
            "vs_kraj": row.vs_kraj, "vs_cr": row.vs_cr, "vs_peers": row.vs_peers}
    beds = capacity.set_index("orp_kod")
    summary["beds_ds_dzr_per_1000_75plus"] = {
        "value": _round(beds.loc[code, "value"]), "ci_low": _round(beds.loc[code, "ci_low"]),
        "ci_high": _round(beds.loc[code, "ci_high"]), "cr": _round(capacity_reference), "vs_cr": beds.loc[code, "vs_cr"],
        "peers": {c: _round(v) for c, v in beds["value"].drop(index=code).items()}}
    summary["orp"] = {"type_id": own_type, "nearest_distance": peers[0]["distance"]}
    summary["labels"] = INDEX_LABELS
    return summary
