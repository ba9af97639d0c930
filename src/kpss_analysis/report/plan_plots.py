"""Charts of the action plan's monitoring: status of activities, costs, timeline (Gantt), register changes.

Each function takes ``ax=None``, draws and returns the Axes. Statuses use traffic-light
colours whose lightness differs step by step (dark green, medium orange-red, pale yellow,
light grey) and each has its own hatching, so they stay apart in greyscale print and for
colour-blind readers.
"""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from kpss_analysis import fmt
from kpss_analysis.analysis.action_plan import FUNDING_SOURCES, STATUSES
from kpss_analysis.report.plots import axes_for

#: Status key → (face colour, hatch); greyscale lightness ≈ 33 %, 57 %, 87 %, 74 %.
STATUS_STYLES = {
    "done": ("#1b7837", ""),
    "in_progress": ("#fee08b", "...."),
    "not_started": ("#f46d43", "////"),
    "cancelled": ("#bdbdbd", "xxxx"),
}
#: Register change key → (face colour, hatch): more services in blue, fewer in orange, the rest grey; each kind
#: has its own hatching, so that they stay apart in greyscale print.
CHANGE_STYLES = {
    "new": ("#08519c", ""),
    "moved_in": ("#9ecae1", "...."),
    "capacity": ("#bdbdbd", "xxxx"),
    "moved_out": ("#fdae6b", "////"),
    "ended": ("#a63603", "\\\\\\\\"),
}
PLANNED_STYLE = {"color": "#9ecae1", "hatch": "////", "edgecolor": "#3a6d8c"}
ACTUAL_STYLE = {"color": "#08519c", "edgecolor": "#08519c"}
LABEL_WIDTH = 48
EMPTY_TEXT = "Akční plán zatím nemá žádné aktivity."


def _status_handles(keys) -> list[Patch]:
    return [Patch(facecolor=STATUS_STYLES[k][0], hatch=STATUS_STYLES[k][1], edgecolor="#333333", label=STATUSES[k])
            for k in keys]


def _empty(ax, text: str = EMPTY_TEXT):
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center")
    ax.set_axis_off()
    return ax


def plot_status(summary: pd.DataFrame, ax=None):
    """Activities by status per priority and in all, as horizontal stacked bars with counts.

    Parameters
    ----------
    summary
        :func:`kpss_analysis.analysis.action_plan.compute_status_summary`.
    """
    ax = axes_for(ax, 0.2 + 0.09 * len(summary))
    if summary["total"].sum() == 0:
        return _empty(ax)
    labels = [textwrap.shorten(f"{pid} {name}" if pd.notna(pid) else str(name), LABEL_WIDTH, placeholder=" …")
              for pid, name in zip(summary["priority_id"], summary["priority_name"], strict=True)]
    y = np.arange(len(summary))[::-1]
    left = np.zeros(len(summary))
    for key, (color, hatch) in STATUS_STYLES.items():
        values = summary[key].to_numpy(dtype=float)
        bars = ax.barh(y, values, left=left, color=color, hatch=hatch, edgecolor="#333333", linewidth=0.5,
                       height=0.7)
        for bar, value in zip(bars, values, strict=True):
            if value > 0:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, fmt.number(value),
                        ha="center", va="center", color="white" if key == "done" else "black", fontsize=7,
                        bbox={"facecolor": color, "edgecolor": "none", "pad": 0.8})
        left += values
    ax.set_yticks(y, labels)
    ax.set_xlabel("Počet aktivit")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(handles=_status_handles(STATUS_STYLES), loc="upper center", bbox_to_anchor=(0.5, -0.18),
              ncol=len(STATUS_STYLES), frameon=False)
    return ax


def plot_costs(costs: pd.DataFrame, by: str = "source", ax=None):
    """Planned and actual cost as paired bars, by funding source (all priorities) or by priority.

    Parameters
    ----------
    costs
        :func:`kpss_analysis.analysis.action_plan.compute_costs`.
    by
        ``"source"`` (bars per funding source, totals over priorities) or ``"priority"``
        (bars per priority, all sources).
    """
    if by not in ("source", "priority"):
        raise ValueError(f"by must be 'source' or 'priority', not {by!r}")
    ax = axes_for(ax, 0.55)
    if by == "source":
        rows = costs[costs["priority_id"].isna() & (costs["source"] != "total")]
        labels = [FUNDING_SOURCES[s] for s in rows["source"]]
    else:
        rows = costs[costs["priority_id"].notna() & (costs["source"] == "total")]
        labels = [textwrap.fill(textwrap.shorten(f"{pid} {name}", 40, placeholder=" …"), 20)
                  for pid, name in zip(rows["priority_id"], rows["priority_name"], strict=True)]
    if rows.empty or not (rows["planned"].sum() or rows["actual"].sum()):
        return _empty(ax, "V akčním plánu nejsou vyplněny žádné náklady.")
    x = np.arange(len(rows))
    ax.bar(x - 0.2, rows["planned"], width=0.4, label="Plánované náklady", **PLANNED_STYLE)
    ax.bar(x + 0.2, rows["actual"], width=0.4, label="Skutečné náklady", **ACTUAL_STYLE)
    ax.set_xticks(x, labels)
    ax.yaxis.set_major_formatter(fmt.axis_formatter(0))
    ax.set_ylabel("Kč")
    ax.set_xlabel("Zdroj financování" if by == "source" else "Priorita")
    ax.legend(frameon=False)
    return ax


def plot_gantt(timeline: pd.DataFrame, monitoring_date: pd.Timestamp | None = None, ax=None):
    """Time plan of the activities: one bar from start to end each, coloured and hatched by status.

    Parameters
    ----------
    timeline
        :func:`kpss_analysis.analysis.action_plan.compute_timeline`.
    monitoring_date
        When given, a vertical line marks the date of the monitoring ("stav k …").
    """
    ax = axes_for(ax, 0.2 + 0.05 * max(len(timeline), 1))
    if timeline.empty:
        return _empty(ax, "Žádná aktivita nemá vyplněné datum zahájení a ukončení.")
    y = np.arange(len(timeline))[::-1]
    start = mdates.date2num(timeline["start"])
    width = mdates.date2num(timeline["end"] + pd.Timedelta(days=1)) - start
    span = (start + width).max() - start.min()
    width = np.maximum(width, 0.006 * span)  # a one-day activity stays visible on a years-long axis
    colors = [STATUS_STYLES[s][0] for s in timeline["status"]]
    hatches = [STATUS_STYLES[s][1] for s in timeline["status"]]
    ax.barh(y, width, left=start, color=colors, hatch=hatches, edgecolor="#333333", linewidth=0.5, height=0.6)
    labels = [textwrap.shorten(f"{a} {n}", LABEL_WIDTH, placeholder=" …")
              for a, n in zip(timeline["activity_id"], timeline["name"], strict=True)]
    ax.set_yticks(y, labels)
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%Y"))
    handles = _status_handles([k for k in STATUS_STYLES if k in set(timeline["status"])])
    if monitoring_date is not None:
        ax.axvline(mdates.date2num(pd.Timestamp(monitoring_date)), color="black", linestyle="--", linewidth=1)
        handles.append(ax.plot([], [], color="black", linestyle="--",
                               label=f"stav k {fmt.date(pd.Timestamp(monitoring_date).date())}")[0])
    ax.set_xlabel("Měsíc a rok")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / max(len(timeline), 3)),
              ncol=min(len(handles), 5), frameon=False)
    return ax


def plot_register_changes(counts: pd.DataFrame, ax=None):
    """Services of the ORP by kind of change between two register snapshots, as horizontal bars with counts.

    Parameters
    ----------
    counts
        :func:`kpss_analysis.analysis.register_changes.compute_change_counts`.
    """
    ax = axes_for(ax, 0.2 + 0.07 * len(counts))
    y = np.arange(len(counts))[::-1]
    for position, key, value in zip(y, counts["change"], counts["services"], strict=True):
        color, hatch = CHANGE_STYLES[key]
        ax.barh(position, value, color=color, hatch=hatch, edgecolor="#333333", linewidth=0.5, height=0.6)
        ax.text(value, position, f" {fmt.number(value)}", ha="left", va="center", fontsize=8)
    ax.set_yticks(y, counts["change_label"])
    ax.set_xlabel("Počet služeb")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(counts["services"].max(), 1) * 1.15)
    return ax
