"""Charts and maps of chapter 04 (target groups): indicators with intervals, index categories.

Each function takes ``ax`` (or ``axes``) ``None``, draws and returns what it drew on. The three
compared units (ORP, kraj, ČR) keep one colour and one marker each (seaborn's colour-blind
palette), so they stay apart in greyscale print too.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from kpss_analysis import fmt
from kpss_analysis.report.output import A4_TEXT_WIDTH_IN
from kpss_analysis.report.plots import MapClass, axes_for, map_classes, use_style

UNIT_COLORS = sns.color_palette("colorblind", 3)
UNIT_MARKERS = ("o", "s", "D")
UNIT_HATCHES = ("", "///", "...")
#: Index categories from the lowest to the highest: light to dark, each with its own hatching.
CATEGORY_STYLES = (("#fff5eb", ""), ("#fdbe85", ".."), ("#e6550d", "//"), ("#7f2704", "xx"))


def plot_indicator_intervals(comparison: pd.DataFrame, labels: dict[str, str], axes=None):
    """One panel per indicator: the share of the ORP, its kraj and ČR with the 95 % interval.

    Parameters
    ----------
    comparison
        :func:`kpss_analysis.analysis.exclusion.compute_exclusion_comparison` (``indicator``,
        ``unit_name``, ``share``, ``ci_low``, ``ci_high``), units in the order ORP, kraj, ČR.
    labels
        Panel title per indicator key, in display order.
    axes
        One Axes per indicator; None makes a figure of A4 text width.

    Returns
    -------
    list of Axes
    """
    if axes is None:
        use_style()
        # fixed spacing instead of constrained layout: the saved figure is cropped to its content anyway,
        # and the layout solver costs more than the drawing itself
        fig, axes = plt.subplots(len(labels), 1, figsize=(A4_TEXT_WIDTH_IN, 0.95 * len(labels) + 0.3))
        fig.subplots_adjust(left=0.2, right=0.97, top=0.95, bottom=0.06, hspace=0.85)
    axes = list(np.atleast_1d(axes))
    for ax, (key, title) in zip(axes, labels.items(), strict=True):
        rows = comparison[comparison["indicator"] == key].reset_index(drop=True)
        y = np.arange(len(rows))[::-1]
        for yi, row, color, marker in zip(y, rows.itertuples(), UNIT_COLORS, UNIT_MARKERS):
            ax.errorbar(row.share, yi, xerr=[[row.share - row.ci_low], [row.ci_high - row.share]], fmt=marker,
                        color=color, ecolor=color, elinewidth=1.4, capsize=3, markersize=4.5)
            ax.annotate(f"{fmt.number(row.share, 2)} ({fmt.number(row.ci_low, 2)}–{fmt.number(row.ci_high, 2)})",
                        (row.ci_high, yi), xytext=(5, 0), textcoords="offset points", va="center", fontsize=6.5)
        ax.set_yticks(y, rows["unit_name"])
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlim(0, rows["ci_high"].max() * 1.35)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))  # steps one decimal can show
        ax.xaxis.set_major_formatter(fmt.axis_formatter(1))
        ax.set_title(title, loc="left", fontsize=8)
        ax.grid(axis="x", color="#e5e5e5")
    return axes


def plot_index_categories(chart: pd.DataFrame, ax=None):
    """Share of inhabitants (%) in each index category, bars per unit (seaborn ``barplot``).

    ``chart`` is :func:`kpss_analysis.analysis.target_groups_text.chart_index_categories`.
    """
    ax = axes_for(ax, 0.45)
    palette = UNIT_COLORS[:chart["unit_name"].nunique()]
    sns.barplot(chart, x="index_category", y="share_population", hue="unit_name", palette=palette, ax=ax,
                edgecolor="#333333", linewidth=0.4)
    handles = []
    for container, hatch, color, name in zip(ax.containers, UNIT_HATCHES, UNIT_COLORS,
                                             dict.fromkeys(chart["unit_name"])):
        for bar in container:
            bar.set_hatch(hatch)
        ax.bar_label(container, labels=[fmt.number(v, 1) for v in container.datavalues], fontsize=6, padding=1)
        handles.append(Patch(facecolor=color, hatch=hatch, edgecolor="#333333", linewidth=0.4, label=name))
    ax.yaxis.set_major_formatter(fmt.axis_formatter(0, " %"))
    ax.set_xlabel("Kategorie indexu sociálního vyloučení (body)")
    ax.set_ylabel("Podíl obyvatel (%)")
    ax.legend(handles=handles, frameon=False)  # the hatching, too, tells the units apart in greyscale
    return ax


def map_categories(obce, column: str, categories: tuple[str, ...], *, outline=None, ax=None, legend_title: str = "",
                   labels: pd.Series | None = None):
    """Map of a categorical ``column`` (fixed, ordered ``categories``) over the obce polygons (:func:`map_classes`)."""
    entries = [MapClass(obce[column] == category, category, color, hatch)
               for category, (color, hatch) in zip(categories, CATEGORY_STYLES, strict=True)]
    return map_classes(obce, entries, outline=outline, ax=ax, legend_title=legend_title, labels=labels)
