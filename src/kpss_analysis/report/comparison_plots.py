"""Charts and maps of the comparison chapter (05): spine chart, funnel plot, maps of neighbours and of types.

Each function takes ``ax=None``, draws and returns the Axes (saving is :meth:`ChapterOutput.figure`'s job). Meaning
never rests on colour alone: significance has a marker shape as well as a colour, the types a hatch as well as a
lightness, so the charts read in greyscale print.
"""

from __future__ import annotations

import textwrap

import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from kpss_analysis import fmt
from kpss_analysis.analysis.comparison import NO_INTERVAL
from kpss_analysis.analysis.intervals import SIGNIFICANCE_LABELS
from kpss_analysis.report.plots import axes_for, layers

RANGE_COLOR = "#dcdcdc"
QUARTILE_COLOR = "#9a9a9a"
#: Marker, face colour and legend text of the ORP's marker per significance flag.
FLAG_STYLES = {
    SIGNIFICANCE_LABELS["higher"]: ("^", "#c0504d", "významně vyšší než Česko"),
    SIGNIFICANCE_LABELS["lower"]: ("v", "#1f4e79", "významně nižší než Česko"),
    SIGNIFICANCE_LABELS["similar"]: ("o", "#f4d35e", "bez významného rozdílu od Česka"),
    NO_INTERVAL: ("D", "white", "bez intervalu (srovnání s mediánem ORP)"),
    SIGNIFICANCE_LABELS["unknown"]: ("X", "white", "nelze posoudit"),
}
TYPE_HATCHES = ["", "////", "....", "xxxx", "\\\\\\\\", "++++", "oo", "----", "||||", "**", "OO", "..."]
HALO = [pe.withStroke(linewidth=2, foreground="white")]


# --------------------------------------------------------------------------- spine chart


def plot_spine(spine: pd.DataFrame, *, orp_label: str = "ORP", ax=None):
    """Spine chart (Fingertips style): per indicator the ORPs' range and quartiles, the reference and the ORP.

    ``spine`` is :func:`kpss_analysis.analysis.comparison.compute_spine`. Each row is scaled so that the reference
    (ČR, or the median ORP for indicators without an interval) is the vertical line in the middle; light bars run
    from the lowest ORP to the lower quartile and from the upper quartile to the highest, the dark bar is the middle
    half of the ORPs. The ORP's marker has the shape and colour of its significance flag. The ORP's and the reference
    values are written on the right under ``orp_label`` (keep it short) and "Česko".
    """
    ax = axes_for(ax, 0.08 * len(spine) + 0.25)
    y = np.arange(len(spine))[::-1]
    for yi, row in zip(y, spine.itertuples()):
        ax.barh(yi, row.pos_q25 - row.pos_min, left=row.pos_min, color=RANGE_COLOR, height=0.6)
        ax.barh(yi, row.pos_q75 - row.pos_q25, left=row.pos_q25, color=QUARTILE_COLOR, height=0.6)
        ax.barh(yi, row.pos_max - row.pos_q75, left=row.pos_q75, color=RANGE_COLOR, height=0.6)
        marker, face, _text = FLAG_STYLES[row.flag]
        ax.scatter(row.pos_orp, yi, marker=marker, s=55, facecolor=face, edgecolor="black", linewidth=0.8, zorder=4)
        reference = fmt.number(row.reference, row.decimals) + (" (medián)" if row.flag == NO_INTERVAL else "")
        for x, text in ((1.04, fmt.number(row.orp, row.decimals)), (1.36, reference)):
            ax.text(x, yi, text, transform=ax.get_yaxis_transform(), ha="left", va="center", fontsize=7)
    for x, header in ((1.04, orp_label), (1.36, "Česko")):
        ax.text(x, len(spine) - 0.3, header, transform=ax.get_yaxis_transform(), ha="left", va="bottom",
                fontsize=7, fontweight="bold")
    ax.axvline(0, color="black", linewidth=1.2, zorder=3)
    ax.set_yticks(y, ["\n".join(textwrap.wrap(label, 48)) for label in spine["label"]])
    ax.set_xlim(-1.08, 1.08)
    ax.set_ylim(-0.6, len(spine) - 0.2)
    ax.set_xticks([-1, 0, 1], ["nejnižší ORP", "Česko / medián ORP", "nejvyšší ORP"])
    ax.tick_params(axis="y", length=0)
    ax.spines[["left", "top", "right"]].set_visible(False)
    present = [f for f in FLAG_STYLES if f in set(spine["flag"])]
    handles = [Patch(color=RANGE_COLOR, label="rozpětí všech ORP"),
               Patch(color=QUARTILE_COLOR, label="prostřední polovina ORP (kvartily)"),
               Line2D([], [], color="black", linewidth=1.2, label="Česko (u podílů) / medián ORP")]
    handles += [Line2D([], [], linestyle="none", marker=FLAG_STYLES[f][0], markerfacecolor=FLAG_STYLES[f][1],
                       markeredgecolor="black", markersize=7, label=FLAG_STYLES[f][2]) for f in present]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06 - 0.25 / len(spine)), ncol=2,
              frameon=False, fontsize=7)
    return ax


# --------------------------------------------------------------------------- funnel plot


def plot_funnel(points: pd.DataFrame, limits: pd.DataFrame, reference: float, code: str, peer_codes: list[str], *,
                names: pd.Series, reference_label: str = "Česko", ylabel: str = "", xlabel: str = "", ax=None):
    """Funnel plot: every ORP's share against its denominator with control limits around the reference.

    Parameters
    ----------
    points
        :func:`kpss_analysis.analysis.comparison.compute_funnel_points` (``orp_kod``, ``denominator``, ``share`` in %).
    limits
        :func:`kpss_analysis.analysis.intervals.funnel_limits` (proportions 0–1) at 95 % and 99.8 %.
    reference
        The reference share in percent.
    code, peer_codes
        The ORP (black diamond, labelled) and its neighbours (hollow squares).
    names
        ORP name per code, for the label.
    """
    ax = axes_for(ax, 0.62)
    others = points[~points["orp_kod"].isin([code, *peer_codes])]
    sns.scatterplot(data=others, x="denominator", y="share", color="#9a9a9a", s=14, edgecolor="none", ax=ax,
                    label="ostatní ORP")
    peers = points[points["orp_kod"].isin(peer_codes)]
    ax.scatter(peers["denominator"], peers["share"], marker="s", s=30, facecolor="white", edgecolor="#1f4e79",
               linewidth=1.2, label="podobné ORP", zorder=3)
    own = points[points["orp_kod"] == code]
    ax.scatter(own["denominator"], own["share"], marker="D", s=50, color="black", label=f"SO ORP {names[code]}",
               zorder=4)
    ax.annotate(names[code], (own["denominator"].iloc[0], own["share"].iloc[0]), xytext=(6, 4),
                textcoords="offset points", fontsize=7, fontweight="bold", path_effects=HALO)
    for (confidence, frame), style in zip(limits.groupby("confidence", sort=True), ("--", ":")):
        label = f"meze {fmt.number(100 * confidence, 1 if 100 * confidence % 1 else 0)} %"
        ax.plot(frame["size"], 100 * frame["low"], linestyle=style, color="#333333", linewidth=1, label=label)
        ax.plot(frame["size"], 100 * frame["high"], linestyle=style, color="#333333", linewidth=1)
    ax.axhline(reference, color="black", linewidth=0.9, label=f"{reference_label}: {fmt.percent(reference)}")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(fmt.axis_formatter(0))
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.yaxis.set_major_formatter(fmt.axis_formatter(0, " %"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#e5e5e5")
    ax.legend(frameon=False, fontsize=7, loc="best")
    return ax


# --------------------------------------------------------------------------- maps


def map_peers(orp_map, code: str, neighbours: pd.DataFrame, *, kraje=None, ax=None):
    """National map of ORPs: the ORP black, its neighbours grey and dotted with their rank, kraje outlined.

    ``neighbours`` has ``orp_kod`` and ``rank`` (:func:`kpss_analysis.analysis.peers.compute_neighbours`).
    """
    ax = axes_for(ax, 0.62)
    peers = orp_map.merge(neighbours[["orp_kod", "rank"]], on="orp_kod")
    own = orp_map[orp_map["orp_kod"] == code]
    with layers(ax):
        orp_map.plot(ax=ax, color="#f3f3f3", edgecolor="#c8c8c8", linewidth=0.2)
        peers.plot(ax=ax, color="#9a9a9a", edgecolor="#333333", hatch="....", linewidth=0.4)
        own.plot(ax=ax, color="black", edgecolor="black", linewidth=0.4)
        if kraje is not None:
            kraje.boundary.plot(ax=ax, color="#555555", linewidth=0.6)
    for point, rank in zip(peers.representative_point(), peers["rank"]):
        ax.annotate(str(rank), (point.x, point.y), ha="center", va="center", fontsize=6.5, fontweight="bold",
                    path_effects=HALO)
    point = own.representative_point().iloc[0]
    ax.annotate(own["orp_nazev"].iloc[0], (point.x, point.y), xytext=(0, 7), textcoords="offset points",
                ha="center", fontsize=7.5, fontweight="bold", path_effects=HALO)
    handles = [Patch(facecolor="black", label=f"SO ORP {own['orp_nazev'].iloc[0]}"),
               Patch(facecolor="#9a9a9a", edgecolor="#333333", hatch="....",
                     label="podobné ORP (číslo = pořadí podobnosti)"),
               Patch(facecolor="#f3f3f3", edgecolor="#c8c8c8", label="ostatní ORP")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, frameon=False, fontsize=7)
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax


def type_styles(n_types: int) -> list[tuple[tuple, str]]:
    """Face colour (light to dark, so the types differ in greyscale too) and hatch per type 1 … n."""
    colors = sns.cubehelix_palette(n_types, start=0.5, rot=-0.6, light=0.92, dark=0.3)
    return [(tuple(color), TYPE_HATCHES[i % len(TYPE_HATCHES)]) for i, color in enumerate(colors)]


def map_types(orp_map, labels: pd.Series, legend: dict[int, str], *, code: str | None = None, kraje=None, ax=None):
    """National map of the ORP types: colour and hatch per type, the ORP outlined thick, kraje outlined.

    Parameters
    ----------
    labels
        Type id per ORP code (:attr:`kpss_analysis.analysis.peers.Typology.labels`).
    legend
        Legend text per type id, e.g. "Typ 1: … (149 ORP)".
    """
    ax = axes_for(ax, 0.75)
    frame = orp_map.assign(type_id=orp_map["orp_kod"].map(labels))
    styles = dict(zip(sorted(legend), type_styles(len(legend))))
    own = frame[frame["orp_kod"] == code]
    with layers(ax):
        for type_id, (color, hatch) in styles.items():
            frame[frame["type_id"] == type_id].plot(ax=ax, color=color, edgecolor="#555555", hatch=hatch,
                                                    linewidth=0.2)
        if kraje is not None:
            kraje.boundary.plot(ax=ax, color="#333333", linewidth=0.6)
        if not own.empty:
            own.boundary.plot(ax=ax, color="black", linewidth=2.0)
    if not own.empty:
        point = own.representative_point().iloc[0]
        ax.annotate(own["orp_nazev"].iloc[0], (point.x, point.y), xytext=(0, 8), textcoords="offset points",
                    ha="center", fontsize=7.5, fontweight="bold", path_effects=HALO)
    handles = [Patch(facecolor=color, edgecolor="#555555", hatch=hatch, label="\n".join(textwrap.wrap(legend[t], 95)))
               for t, (color, hatch) in styles.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), frameon=False, fontsize=7,
              handleheight=1.6)
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax
