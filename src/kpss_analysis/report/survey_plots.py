"""Charts of the needs survey: answer shares with intervals, diverging stacked bars of Likert questions.

Both take ``ax=None``, draw and return the Axes. Suppressed answers (fewer than 10 respondents)
are never drawn as a bar: the chart writes "méně než 10 odpovědí" in their place. Colours are
chosen for greyscale print and colour-blind readers: one dark tone with black interval whiskers
for shares, ColorBrewer's PuOr (colour-blind safe) for Likert scales, where lightness marks how
strong an answer is and the side of the zero line marks its direction.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter

from kpss_analysis import fmt
from kpss_analysis.analysis.survey import SMALL_BASE_TEXT, SUPPRESSED_TEXT
from kpss_analysis.report.plots import new_figure

BAR_COLOR = sns.color_palette("colorblind")[0]
LIKERT_PALETTE = "PuOr"
LABEL_WIDTH = 38  # characters per line of an answer or question label
SHARE_LABEL = "Vážený podíl respondentů (%)"


def _wrap(text: str) -> str:
    return "\n".join(textwrap.wrap(str(text), LABEL_WIDTH))


def _axes(ax, rows: int):
    return ax if ax is not None else new_figure(min(1.4, 0.18 + 0.075 * max(rows, 2)))[1]


def plot_answer_shares(estimates: pd.DataFrame, ax=None):
    """Horizontal bars of the weighted shares of one question's answers with their 95% intervals.

    Parameters
    ----------
    estimates
        Rows of :func:`compute_answer_estimates` for one question (in answer order).
    """
    rows = estimates.sort_values("order").reset_index(drop=True)
    ax = _axes(ax, len(rows))
    y = np.arange(len(rows))
    shares = rows["weighted_share"].to_numpy(dtype=float)
    errors = np.vstack([shares - rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float) - shares])
    ax.barh(y, np.nan_to_num(shares), color=BAR_COLOR, height=0.65)
    ax.errorbar(shares, y, xerr=errors, fmt="none", ecolor="black", elinewidth=0.8, capsize=2.5)
    top = max(np.nanmax(rows["ci_high"].to_numpy(dtype=float), initial=0.0), 10.0)
    for position, row in rows.iterrows():
        if row["suppressed"]:
            ax.text(0.5, position, SUPPRESSED_TEXT, va="center", fontsize=7, fontstyle="italic", color="#444444")
        elif not np.isnan(row["weighted_share"]):
            ax.text(row["ci_high"] + top * 0.015, position, fmt.percent(row["weighted_share"]), va="center", fontsize=7)
    ax.set_yticks(y, [_wrap(a) for a in rows["answer"]])
    ax.invert_yaxis()
    ax.set_xlim(0, min(100.0, top * 1.18))
    ax.xaxis.set_major_formatter(fmt.axis_formatter(0, " %"))
    ax.set_xlabel(SHARE_LABEL)
    if len(rows) and rows["small_base"].iloc[0]:
        ax.set_title(f"Pozor: {SMALL_BASE_TEXT}", loc="left", fontsize=7.5, fontstyle="italic")
    return ax


def _likert_colors(size: int) -> list:
    return sns.color_palette(LIKERT_PALETTE, size)


def plot_likert(likert: pd.DataFrame, ax=None):
    """Diverging stacked bars: one bar per Likert question, negative answers left of zero.

    Parameters
    ----------
    likert
        :func:`compute_likert_summary` (questions best sharing one scale: the legend lists the
        answers of every scale drawn).
    """
    questions = list(dict.fromkeys(likert["question"]))
    ax = _axes(ax, 2 * len(questions) + 2)
    legend = {}
    labels = []
    for position, code in enumerate(questions):
        rows = likert[likert["question"] == code].sort_values("order")
        for color, row in zip(_likert_colors(len(rows)), rows.itertuples()):
            bar = ax.barh(position, row.share, left=row.left, color=color, height=0.6, edgecolor="white",
                          linewidth=0.5)
            legend.setdefault(row.answer, bar)
            if row.share >= 6:
                lightness = np.mean(color)
                ax.text(row.left + row.share / 2, position, fmt.number(row.share), ha="center", va="center",
                        fontsize=6.5, color="black" if lightness > 0.5 else "white")
        label = _wrap(rows["question_text"].iloc[0])
        for answer in rows.loc[rows["suppressed"], "answer"]:
            label += "\n" + _wrap(f"({answer}: {SUPPRESSED_TEXT})")
        if not np.isnan(rows["no_opinion_share"].iloc[0]):
            label += f"\n(bez názoru: {fmt.percent(rows['no_opinion_share'].iloc[0])})"
        if rows["small_base"].iloc[0]:
            label += "\n(méně než 30 respondentů)"
        labels.append(label)
    reach = max(likert["left"].abs().max(), (likert["left"] + likert["share"]).abs().max(), 10.0)
    ax.set_xlim(-np.ceil(reach / 10) * 10, np.ceil(reach / 10) * 10)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(questions)), labels)
    ax.invert_yaxis()
    # Negative answers are drawn left of zero; their ticks still read as positive shares.
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: fmt.number(abs(value)) + " %"))
    ax.set_xlabel("Vážený podíl respondentů (%): vlevo záporné, vpravo kladné odpovědi")
    ax.legend(legend.values(), [_wrap(a) for a in legend], loc="upper center", bbox_to_anchor=(0.5, -0.18),
              ncol=min(len(legend), 2), frameon=False)
    return ax

