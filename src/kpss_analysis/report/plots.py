"""Charts and maps for plan chapters: each takes ``ax=None``, draws, returns the Axes.

Nothing here saves or shows a figure (see :mod:`kpss_analysis.report.output`). Colours are chosen
to stay distinguishable in greyscale print and for colour-blind readers: a dark and a light
tone for the two sexes, single-hue sequential palettes for maps, a palette of steadily rising
lightness for the diverging map, and line styles plus markers (not colour alone) for series.
Matplotlib draws maps and pyramids; seaborn draws the grouped bars. Text is Arimo
(the metrics of Arial, the documents' font; :mod:`kpss_analysis.report.fonts`), numbers and the minus sign come from :mod:`kpss_analysis.fmt`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import mapclassify
import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch

from kpss_analysis import fmt
from kpss_analysis.report.fonts import FAMILY, register_chart_fonts
from kpss_analysis.report.output import A4_TEXT_WIDTH_IN

MEN_COLOR = "#1f4e79"  # dark blue
WOMEN_COLOR = "#f4a259"  # light orange: differs from the blue in lightness, too
HIGHLIGHT = "#1f4e79"
MUTED = "#b8c4d0"
LINE_STYLES = [("-", "o", "#1f4e79"), ("--", "s", "#c0504d"), (":", "^", "#333333")]
MISSING_HATCH = "////"
#: Font of every chart: Arimo (:mod:`kpss_analysis.report.fonts`) has the metrics of Arial, the font of the documents;
#: DejaVu Sans only for a character Arimo lacks.
FONTS = [FAMILY, "DejaVu Sans"]
#: Colours of the diverging map, lowest class first: lightness rises steadily (dark blue → yellow),
#: so that the classes stay apart in greyscale print too; the legend says which are negative.
DIVERGING_CMAP = "cividis"
#: Fills and hatches of grouped bars, one per series (distinct in greyscale as well).
BAR_COLORS = ["#1f4e79", "#8fb3d9", "#eeeeee", "#f4a259", "#555555"]
BAR_HATCHES = ["", "///", "...", "\\\\\\", "xx"]


def use_style() -> None:
    """Fonts and sizes for figures printed at A4 text width."""
    register_chart_fonts()
    plt.rcParams.update({
        "font.family": "sans-serif", "font.sans-serif": FONTS, "font.size": 8, "axes.unicode_minus": True, "axes.titlesize": 9, "axes.labelsize": 8,
        "xtick.labelsize": 7.5, "ytick.labelsize": 7.5, "legend.fontsize": 7.5,
        "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 110,
        "svg.fonttype": "none", "axes.formatter.use_locale": False,
    })


def new_figure(height_ratio: float = 0.62):
    """A figure of A4 text width and the given height/width ratio, with one Axes."""
    use_style()
    return plt.subplots(figsize=(A4_TEXT_WIDTH_IN, A4_TEXT_WIDTH_IN * height_ratio), layout="constrained")


def axes_for(ax, height_ratio: float = 0.62):
    """``ax``, or the Axes of a new A4-width figure when it is None (every plot_* function takes ax=None)."""
    return ax if ax is not None else new_figure(height_ratio)[1]


def _no_draw(*_args, **_kwargs) -> None:
    """Stands in for ``canvas.draw_idle`` inside :func:`layers`."""


@contextmanager
def layers(ax) -> Iterator[None]:
    """Add the layers of a map to ``ax`` without rendering the figure after each one.

    geopandas' ``plot`` ends every call with ``canvas.draw_idle()``, which on Agg and on the notebook's inline
    backend renders the whole figure there and then: a map of six layers was rendered six times before it was
    ever saved (a fifth of a chapter's time). Inside this block those requests are dropped; the figure is
    rendered when it is saved or shown, and an interactive canvas redraws its stale artists as usual.
    """
    canvas = ax.figure.canvas
    if vars(canvas).get("draw_idle") is _no_draw:  # inside another such block
        yield
        return
    canvas.draw_idle = _no_draw
    try:
        yield
    finally:
        del canvas.draw_idle


# --------------------------------------------------------------------------- pyramid


def plot_pyramid(pyramid: pd.DataFrame, reference: pd.DataFrame | None = None, *, reference_label: str = "",
                 ax=None):
    """Age pyramid in % of the total population: men left, women right.

    ``reference`` (e.g. the kraj) is drawn as a black outline on top, so the two profiles
    compare directly although their totals differ.
    """
    ax = axes_for(ax, 0.75)
    y = np.arange(len(pyramid))
    ax.barh(y, -pyramid["men_pct"], color=MEN_COLOR, height=0.85, label="Muži")
    ax.barh(y, pyramid["women_pct"], color=WOMEN_COLOR, height=0.85, label="Ženy")
    if reference is not None:
        edges = np.append(y - 0.5, y[-1] + 0.5)
        for side, column in ((-1, "men_pct"), (1, "women_pct")):
            values = side * reference[column].to_numpy()
            ax.stairs(values, edges, orientation="horizontal", color="black", linewidth=1.1,
                      label=reference_label if side == 1 else None, baseline=None)
    ax.set_yticks(y, pyramid["age_group"])
    limit = max(pyramid[["men_pct", "women_pct"]].to_numpy().max(),
                reference[["men_pct", "women_pct"]].to_numpy().max() if reference is not None else 0) * 1.1
    ax.set_xlim(-limit, limit)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: fmt.number(abs(v), 1) + fmt.NBSP + "%"))
    ax.axvline(0, color="white", linewidth=0.8)
    ax.set_xlabel("Podíl na celkovém počtu obyvatel")
    ax.set_ylabel("Věková skupina (roky)")
    ax.text(0.02, 0.98, "Muži", transform=ax.transAxes, ha="left", va="top", fontweight="bold", color=MEN_COLOR)
    ax.text(0.98, 0.98, "Ženy", transform=ax.transAxes, ha="right", va="top", fontweight="bold", color="#b5651d")
    if reference is not None:
        ax.legend(loc="lower right", frameon=False)
    return ax


# --------------------------------------------------------------------------- maps


def classify(values: pd.Series, k: int = 5) -> tuple[pd.Series, list[tuple[float, float]]]:
    """Fisher–Jenks classes (deterministic) of the non-missing values.

    Returns the class index per value (NaN where missing) and, per class, the smallest and
    largest value it holds. With at most ``k`` distinct values each gets its own class.
    """
    present = values.dropna()
    if present.empty:
        return pd.Series(np.nan, index=values.index), []
    distinct = np.unique(present)
    with warnings.catch_warnings():  # "Numba not installed": only slower, not worth a red box in a report
        warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
        bins = distinct if len(distinct) <= k else mapclassify.FisherJenks(present.to_numpy(), k=k).bins
    classes = pd.Series(np.searchsorted(bins, values.to_numpy(), side="left"), index=values.index, dtype=float)
    classes = classes.where(values.notna())
    ranges = [(values[classes == i].min(), values[classes == i].max()) for i in range(len(bins))]
    return classes, ranges


@dataclass(frozen=True, eq=False)
class MapClass:
    """One legend entry of an obce map: which obce it fills (``members``, a boolean mask) and how."""

    members: pd.Series
    label: str
    color: object
    hatch: str = ""


def map_classes(obce, classes: list[MapClass], *, outline=None, ax=None, legend_title: str = "",
                labels: pd.Series | None = None):
    """The base of every obce map: the polygons of each class, the obce of none hatched, outline, names, legend.

    Obce in no class have no value: they are hatched and counted in the legend ("bez údajů"), never dropped.
    ``outline`` (the ORP) is drawn black over the obce; ``labels`` (name per row index) writes those names at the
    polygons' centres, with a white halo that keeps them readable on dark and hatched fills. Each legend entry
    says how many obce it holds.
    """
    ax = axes_for(ax, 0.8)
    with layers(ax):
        handles = []
        covered = pd.Series(False, index=obce.index)
        for entry in classes:
            covered |= entry.members
            part = obce[entry.members]
            if not part.empty:
                part.plot(ax=ax, facecolor=entry.color, hatch=entry.hatch, edgecolor="#666666", linewidth=0.3)
            handles.append(Patch(facecolor=entry.color, hatch=entry.hatch, edgecolor="#666666",
                                 label=f"{entry.label} ({len(part)})"))
        missing = obce[~covered]
        if not missing.empty:
            missing.plot(ax=ax, facecolor="white", edgecolor="#888888", hatch=MISSING_HATCH, linewidth=0.3)
            handles.append(Patch(facecolor="white", edgecolor="#888888", hatch=MISSING_HATCH,
                                 label=f"bez údajů ({len(missing)})"))
        if outline is not None:
            outline.boundary.plot(ax=ax, color="black", linewidth=1.0)
    if labels is not None:
        points = obce.loc[labels.index].representative_point()
        for name, point in zip(labels, points):
            ax.annotate(name, (point.x, point.y), ha="center", va="center", fontsize=6.5,
                        path_effects=[pe.withStroke(linewidth=2, foreground="white")])
    ax.legend(handles=handles, title=legend_title + "\n(v závorce počet obcí)", loc="upper left",
              bbox_to_anchor=(1.0, 1.0), frameon=False, title_fontsize=7.5, alignment="left")
    ax.set_axis_off()
    # Equal aspect shrinks the map inside the space the layout gave it; anchored west, the shrink happens on the
    # right, so the legend beside it moves left instead of past the figure's edge.
    ax.set_aspect("equal", anchor="W")
    return ax


def map_choropleth(obce, column: str, *, outline=None, ax=None, k: int = 5, cmap: str = "YlGnBu",
                   decimals: int = 1, suffix: str = "", legend_title: str = "", diverging: bool = False,
                   labels: pd.Series | None = None):
    """Choropleth of ``column`` over the obce polygons with the ORP outline (:func:`map_classes`).

    With ``diverging`` (values either side of zero) the classes run from dark blue (lowest) to
    yellow (highest) with steadily rising lightness, so they stay distinct in greyscale print.
    """
    classes, ranges = classify(obce[column], k)
    n = len(ranges)
    if diverging:
        colors = [plt.get_cmap(DIVERGING_CMAP)(0.02 + 0.96 * i / max(n - 1, 1)) for i in range(n)]
    else:
        colors = [plt.get_cmap(cmap)(0.15 + 0.8 * i / max(n - 1, 1)) for i in range(n)]
    show = fmt.signed if diverging else fmt.number
    entries = [MapClass(classes == i, show(hi, decimals) + suffix if lo == hi
                        else f"{show(lo, decimals)} až {show(hi, decimals)}{suffix}", colors[i])
               for i, (lo, hi) in enumerate(ranges)]
    return map_classes(obce, entries, outline=outline, ax=ax, legend_title=legend_title, labels=labels)


# --------------------------------------------------------------------------- ranking and series


def plot_ranking(ranking: pd.DataFrame, highlight: str, *, references: dict[str, float] | None = None,
                 decimals: int = 1, suffix: str = "", xlabel: str = "", ax=None):
    """Horizontal bars of ``value`` per ORP, the highlighted ORP dark and bold.

    ``references`` maps a label (e.g. "Karlovarský kraj") to a value drawn as a vertical line.
    The values are written in a column right of the axes (tick labels of a twin axis), where no
    bar end or reference line can cross them.
    """
    ax = axes_for(ax, max(0.25, 0.05 * len(ranking) + 0.15))
    y = np.arange(len(ranking))[::-1]
    colors = [HIGHLIGHT if code == highlight else MUTED for code in ranking["orp_kod"]]
    ax.barh(y, ranking["value"], color=colors, height=0.75)
    ax.set_yticks(y, ranking["orp_nazev"])
    values = ax.twinx()
    values.set_ylim(ax.get_ylim())
    values.set_yticks(y, [fmt.number(v, decimals) for v in ranking["value"]])
    values.tick_params(axis="y", length=0, labelsize=6.5)
    values.spines[["right", "top"]].set_visible(False)
    for axis in (ax, values):
        for tick, code in zip(axis.get_yticklabels(), ranking["orp_kod"]):
            tick.set_fontweight("bold" if code == highlight else "normal")
    for (label, value), (style, _marker, color) in zip((references or {}).items(), LINE_STYLES[1:]):
        ax.axvline(value, linestyle=style, color=color, linewidth=1.1, label=f"{label}: {fmt.number(value, decimals)}{suffix}")
    ax.xaxis.set_major_formatter(fmt.axis_formatter(0))
    ax.set_xlabel(xlabel)
    if references:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / max(len(ranking), 4)), ncol=len(references),
                  frameon=False)
    ax.set_xlim(0, ranking["value"].max() * 1.05)
    values.set_ylim(ax.get_ylim())
    return ax


def plot_index_series(table: pd.DataFrame, columns: list[str], labels: list[str], *, breaks=None, ax=None):
    """Lines of indexed series over ``year`` with distinct styles and markers.

    ``breaks`` is a list of ``(year_from, year_to, text)`` marking a break in the series
    (e.g. the census revision between 1. 1. 2021 and 1. 1. 2022) as a shaded band.
    """
    ax = axes_for(ax, 0.55)
    for column, label, (style, marker, color) in zip(columns, labels, LINE_STYLES):
        ax.plot(table["year"], table[column], linestyle=style, marker=marker, markersize=3, color=color,
                linewidth=1.4, label=label)
    for start, end, text in breaks or []:
        ax.axvspan(start, end, color="#dddddd", zorder=0)
        # Above the plot area, so that no series line crosses it.
        ax.text((start + end) / 2, 1.01, text, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=6.5, color="#333333")
    ax.axhline(100, color="#999999", linewidth=0.6)
    ax.yaxis.set_major_formatter(fmt.axis_formatter(0))
    ax.set_xticks(table["year"][::2])
    ax.set_xlabel("Stav k 1. 1. roku")
    ax.grid(axis="y", color="#e5e5e5")
    ax.legend(frameon=False)
    return ax


def plot_grouped_bars(table: pd.DataFrame, category: str, columns: list[str], *, decimals: int = 1,
                      suffix: str = "", xlabel: str = "", signed: bool = False, ax=None):
    """Horizontal grouped bars (seaborn) of ``columns`` (units) per ``category``, hatched per unit for print.

    Negative values extend to the left of a zero line; ``signed`` labels values with +/−. The
    axis leaves room for the value labels on both sides, so none reaches the category labels.
    """
    ax = axes_for(ax, 0.55)
    long = table.melt(id_vars=category, value_vars=columns, var_name="series", value_name="value")
    palette = dict(zip(columns, BAR_COLORS * len(columns)))
    sns.barplot(data=long, y=category, x="value", hue="series", hue_order=columns, palette=palette, orient="h",
                errorbar=None, saturation=1.0, width=0.8, edgecolor="#333333", linewidth=0.4, legend=False, ax=ax)
    show = fmt.signed if signed else fmt.number
    for container, column, hatch in zip(ax.containers, columns, BAR_HATCHES * len(columns)):
        for bar in container:
            bar.set_hatch(hatch)
        ax.bar_label(container, labels=[show(v, decimals) for v in table[column]], padding=2, fontsize=6)
    values = table[columns].to_numpy()
    low, high = min(0.0, values.min()), max(0.0, values.max())
    room = 0.14 * (high - low)  # for the value labels beyond the longest bars
    ax.set_xlim(low - room if low < 0 else 0, high + room)
    ax.xaxis.set_major_formatter(fmt.axis_formatter(0, suffix))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    if values.min() < 0:
        ax.axvline(0, color="#333333", linewidth=0.6)
    ax.legend(handles=[Patch(facecolor=palette[c], hatch=h, edgecolor="#333333", linewidth=0.4, label=c)
                       for c, h in zip(columns, BAR_HATCHES * len(columns))], frameon=False, loc="best")
    return ax


def plot_projection_lines(series: pd.DataFrame, groups: list[str], *, variants: dict[str, str],
                          marks: list[int] | None = None, ax=None):
    """Counts of ``groups`` (columns) over ``year``: one colour and marker per group, one line style per variant.

    ``series`` has columns ``variant``, ``year`` and the groups; ``variants`` maps a variant key to
    its legend label; ``marks`` are years drawn as thin vertical lines (e.g. the plan horizons).
    """
    ax = axes_for(ax, 0.6)
    styles = ["-", "--", ":"]
    top = series[groups].to_numpy().max() * 1.15
    labels = []  # (y, text, colour) of the end values, spread apart below so that none overlap
    for (group, (_style, marker, color)) in zip(groups, LINE_STYLES):
        for (variant, _label), style in zip(variants.items(), styles):
            frame = series[series["variant"] == variant]
            ax.plot(frame["year"], frame[group], linestyle=style, marker=marker, markersize=3.5, color=color,
                    linewidth=1.4)
            labels.append((frame[group].iloc[-1], fmt.number(frame[group].iloc[-1]), color))
    last_year, gap, previous = series["year"].max(), 0.045 * top, -np.inf
    for value, text, color in sorted(labels):
        previous = max(value, previous + gap)
        ax.annotate(text, (last_year, value), xytext=(last_year + 0.6, previous), textcoords="data",
                    va="center", fontsize=6.5, color=color)
    for year in marks or []:
        ax.axvline(year, color="#999999", linewidth=0.6, zorder=0)
    handles = [plt.Line2D([], [], color=color, marker=marker, linestyle="-", label=f"{group} let")
               for group, (_s, marker, color) in zip(groups, LINE_STYLES)]
    handles += [plt.Line2D([], [], color="#555555", linestyle=style, label=label)
                for (_v, label), style in zip(variants.items(), styles)]
    ax.legend(handles=handles, frameon=False, loc="upper left", fontsize=7)
    ax.set_ylim(0, top)
    ax.set_xlim(series["year"].min() - 1, series["year"].max() + 3)
    ax.yaxis.set_major_formatter(fmt.axis_formatter(0))
    ax.set_xticks(sorted(series["year"].unique()))
    ax.set_xlabel("Stav k 1. 1. roku")
    ax.set_ylabel("Počet osob")
    ax.grid(axis="y", color="#e5e5e5")
    return ax


# --------------------------------------------------------------------------- social services

#: Marker shape and colour per druh group of social services (shapes keep them apart in greyscale).
SERVICE_GROUP_STYLES = {"péče": ("o", "#1f4e79"), "prevence": ("s", "#f4a259"), "poradenství": ("^", "#8c8c8c")}


def _nice(value: float) -> float:
    """Round to one significant digit (1, 2 or 5 × 10ⁿ) for a size legend."""
    exponent = 10 ** np.floor(np.log10(value))
    return min((f * exponent for f in (1, 2, 5, 10)), key=lambda v: abs(v - value))


def map_service_places(points, obce, *, outline=None, ax=None, max_size: float = 260.0, min_size: float = 10.0):
    """Places of social services over the obce of an ORP.

    ``points`` is :func:`kpss_analysis.analysis.catalogue.compute_map_points`: marker shape and colour
    by druh group, marker area proportional to ``size_value`` (beds, or clients for services
    without beds). Places without coordinates sit at their obec's representative point, drawn
    hollow and counted in the legend; nothing is jittered. Larger markers are drawn first so
    that smaller ones stay visible on top.
    """
    ax = axes_for(ax, 0.8)
    with layers(ax):
        obce.plot(ax=ax, facecolor="#f2f2f2", edgecolor="#9a9a9a", linewidth=0.3)
        if outline is not None:
            outline.boundary.plot(ax=ax, color="black", linewidth=1.0)
    shown = points[points.geometry.notna()]
    reference = shown["size_value"].max() if shown["size_value"].notna().any() else 1.0
    sizes = (min_size + (max_size - min_size) * shown["size_value"] / reference).fillna(min_size)
    for zorder, index in enumerate(sizes.sort_values(ascending=False, kind="stable").index, start=3):
        row = shown.loc[index]
        marker, color = SERVICE_GROUP_STYLES[row["druh_group"]]
        hollow = bool(row["at_obec_point"])
        ax.scatter(row.geometry.x, row.geometry.y, s=sizes[index], marker=marker, zorder=zorder,
                   facecolor="white" if hollow else color, edgecolor=color if hollow else "black",
                   linewidth=1.1 if hollow else 0.4, alpha=1.0 if hollow else 0.85)
    # One legend (constrained layout makes room for it): groups present, hollow places, then sizes.
    handles = [plt.Line2D([], [], linestyle="none", marker=marker, markersize=7, markerfacecolor=color,
                          markeredgecolor="black", markeredgewidth=0.4, label=f"{group} ({count})")
               for group, (marker, color) in SERVICE_GROUP_STYLES.items()
               if (count := int((shown["druh_group"] == group).sum()))]
    n_hollow = int(shown["at_obec_point"].sum())
    if n_hollow:
        handles.append(plt.Line2D([], [], linestyle="none", marker="o", markersize=7, markerfacecolor="white",
                                  markeredgecolor="#333333", label=f"bez souřadnic,\nve středu obce ({n_hollow})"))
    handles.append(plt.Line2D([], [], linestyle="none", label="\nKapacita na místě\n(lůžka, jinak klienti):"))
    steps = sorted({_nice(reference * f) for f in (0.2, 0.5, 1.0)}) if shown["size_value"].notna().any() else []
    for value, label in [*((v, fmt.number(v)) for v in steps), (0.0, "jiné jednotky kapacity")]:
        handles.append(plt.Line2D([], [], linestyle="none", marker="o", markerfacecolor="#bbbbbb",
                                  markeredgecolor="black", markeredgewidth=0.4, label=label,
                                  markersize=np.sqrt(min_size + (max_size - min_size) * value / reference)))
    ax.legend(handles=handles, title="Skupina služeb (počet míst)", loc="upper left", bbox_to_anchor=(1.0, 1.0),
              frameon=False, title_fontsize=7.5, alignment="left", labelspacing=1.0)
    ax.set_axis_off()
    ax.set_aspect("equal", anchor="W")  # as in map_classes: the legend beside the map stays inside the figure
    return ax
