"""Needs survey estimates: weighted answer shares with Wilson intervals, Likert summaries, group comparisons.

Every share is a weighted estimate (weights from :mod:`survey_weights`) with a 95 % Wilson interval
computed on Kish's effective sample size of the respondents who answered the question, so the
interval widens with unequal weights. An answer given by fewer than 10 respondents is suppressed
(no share, no interval: "méně než 10 odpovědí"); a share resting on fewer than 30 respondents
is flagged as unreliable. Groups (e.g. 65+ vs younger) are compared only where each has at least
30 respondents answering.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpss_analysis import fmt
from kpss_analysis.analysis.intervals import wilson_interval
from kpss_analysis.analysis.survey_io import Codebook, answer_lists, compute_codebook
from kpss_analysis.analysis.survey_weights import WeightingResult, kish_effective_n

SUPPRESS_BELOW = 10
FLAG_BELOW = 30
MIN_GROUP = 30
SUPPRESSED_TEXT = "méně než 10 odpovědí"
SMALL_BASE_TEXT = "méně než 30 respondentů, orientační odhad"
SENIOR_AGE = 65
AGE_SPLIT_LABELS = {True: "65 a více let", False: "15–64 let"}
ESTIMATE_COLUMNS = ["question", "question_text", "kind", "answer", "order", "on_scale", "no_opinion", "n",
                    "base_n", "effective_n", "weighted_share", "ci_low", "ci_high", "suppressed", "small_base", "display"]


def _display(share: float, low: float, high: float, suppressed: bool) -> str:
    if suppressed:
        return SUPPRESSED_TEXT
    if np.isnan(share):
        return fmt.MISSING
    return f"{fmt.percent(share)} ({fmt.number(low, 1)}–{fmt.percent(high)})"


def _question_estimates(lists: pd.Series, weights: pd.Series, question, confidence: float) -> list[dict]:
    answered = lists.map(bool)
    base_weights = weights[answered]
    n_eff = kish_effective_n(base_weights)
    rows = []
    for order, answer in enumerate(question.all_answers):
        chose = lists.map(lambda given, a=answer: a in given)
        n = int(chose.sum())
        share = float(np.clip(weights[chose].sum() / base_weights.sum(), 0, 1)) if answered.any() else np.nan
        low, high = wilson_interval(share * n_eff, n_eff, confidence) if answered.any() else (np.nan, np.nan)
        suppressed = n < SUPPRESS_BELOW
        values = (np.nan, np.nan, np.nan) if suppressed else (100 * share, 100 * low, 100 * high)
        rows.append({"question": question.code, "question_text": question.text, "kind": question.kind,
                     "answer": answer, "order": order,
                     "on_scale": question.kind == "likert" and answer in question.answers,
                     "no_opinion": answer == question.no_opinion, "n": n,
                     "base_n": int(answered.sum()), "effective_n": n_eff,
                     "weighted_share": values[0], "ci_low": values[1], "ci_high": values[2],
                     "suppressed": suppressed, "small_base": int(answered.sum()) < FLAG_BELOW,
                     "display": _display(*values, suppressed)})
    return rows


def compute_answer_estimates(respondents: pd.DataFrame, weights: pd.Series | None = None,
                             codebook: Codebook | None = None, *, confidence: float = 0.95) -> pd.DataFrame:
    """Weighted share of every answer of every question, with Wilson intervals on the effective n.

    Parameters
    ----------
    respondents
        From :func:`read_respondents`.
    weights
        Weights aligned with ``respondents`` (``WeightingResult.weights``); None → unweighted.
    codebook
        Question texts, types and answer order; without one every question is categorical with
        answers in order of frequency.

    Returns
    -------
    DataFrame
        One row per question × answer (columns ``ESTIMATE_COLUMNS``): ``n`` respondents who gave the
        answer, ``base_n`` who answered the question, ``effective_n`` (Kish) of those, and
        ``weighted_share``, ``ci_low``, ``ci_high`` in percent (NaN when ``suppressed``, i.e. fewer
        than 10 gave it); ``small_base`` flags questions answered by fewer than 30. For a
        multi-choice question the shares are of respondents and may add up to more than 100 %.
        Free-text questions (type ``text``) are left out.
    """
    weights = pd.Series(1.0, index=respondents.index) if weights is None else weights.reindex(respondents.index)
    book = compute_codebook(respondents, codebook)
    rows = []
    for code, question in book.questions.items():
        if question.kind == "text":
            continue
        rows += _question_estimates(answer_lists(respondents[code], question.kind), weights, question, confidence)
    return pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)


def compute_estimate_table(estimates: pd.DataFrame) -> pd.DataFrame:
    """Estimates for the plan: Czech headers, suppressed shares shown as "méně než 10 odpovědí"."""
    table = estimates.assign(
        note=np.where(estimates["small_base"], SMALL_BASE_TEXT, ""),
        weighted_share=estimates["weighted_share"].map(lambda v: fmt.round_half_up(v, 1)),
        ci_low=estimates["ci_low"].map(lambda v: fmt.round_half_up(v, 1)),
        ci_high=estimates["ci_high"].map(lambda v: fmt.round_half_up(v, 1)))
    table["weighted_share"] = table["weighted_share"].astype(object).where(~table["suppressed"], SUPPRESSED_TEXT)
    return table[["question_text", "answer", "n", "weighted_share", "ci_low", "ci_high", "base_n", "note"]].rename(
        columns={"question_text": "Otázka", "answer": "Odpověď", "n": "Počet odpovědí",
                 "weighted_share": "Vážený podíl (%)", "ci_low": "95% interval od (%)",
                 "ci_high": "95% interval do (%)", "base_n": "Respondentů s odpovědí", "note": "Poznámka"})


def compute_likert_summary(estimates: pd.DataFrame) -> pd.DataFrame:
    """Segments of diverging stacked bars for the Likert questions.

    The first half of a scale counts as negative, the second half as positive and the middle
    answer of an odd scale as neutral (split across zero). Shares are those of the respondents who
    answered; a "nevím"-type answer (``no_opinion``) is not drawn but reported as ``no_opinion_share``,
    answers outside the scale are not drawn either.
    A suppressed answer gets width 0 and keeps ``suppressed`` so that the chart can say so.

    Returns
    -------
    DataFrame
        ``question``, ``question_text``, ``answer``, ``order``, ``side`` (negative / neutral /
        positive), ``share`` (percent, 0 when suppressed), ``left`` (where the segment starts),
        ``suppressed``, ``no_opinion_share`` and ``small_base``.
    """
    frames = []
    for _code, rows in estimates[estimates["kind"] == "likert"].groupby("question", sort=False):
        rows = rows.sort_values("order")
        scale, rest = rows[rows["on_scale"]].copy(), rows[rows["no_opinion"]]
        scale_size = len(scale)
        half = scale_size // 2
        positions = np.arange(scale_size)
        scale["side"] = np.select([positions < half, (scale_size % 2 == 1) & (positions == half)],
                                  ["negative", "neutral"], "positive")
        scale["share"] = scale["weighted_share"].fillna(0.0)
        start = -(scale.loc[scale["side"] == "negative", "share"].sum()
                  + scale.loc[scale["side"] == "neutral", "share"].sum() / 2)
        scale["left"] = start + scale["share"].cumsum() - scale["share"]
        scale["no_opinion_share"] = rest["weighted_share"].iloc[0] if len(rest) else np.nan
        frames.append(scale)
    columns = ["question", "question_text", "answer", "order", "side", "share", "left", "suppressed",
               "no_opinion_share", "small_base"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def compute_age_split(respondents: pd.DataFrame, age: int = SENIOR_AGE) -> pd.Series:
    """Group label of every respondent: "65 a více let" or "15–64 let" (for :func:`compute_group_estimates`)."""
    return (respondents["vek"] >= age).map(AGE_SPLIT_LABELS).rename("group")


def compute_group_estimates(respondents: pd.DataFrame, weights: pd.Series | None, groups: pd.Series,
                            codebook: Codebook | None = None, *, min_respondents: int = MIN_GROUP) -> pd.DataFrame:
    """Answer estimates per group, only for questions that every group answered with ``min_respondents``+.

    Weights are used within each group as they are (their scale cancels out in a share).

    Returns
    -------
    DataFrame
        ``ESTIMATE_COLUMNS`` plus ``group``; questions where a group is too small are left out.
    """
    book = compute_codebook(respondents, codebook)
    weights = pd.Series(1.0, index=respondents.index) if weights is None else weights.reindex(respondents.index)
    frames = [compute_answer_estimates(respondents[groups == label], weights[groups == label], book)
              .assign(group=label) for label in groups.dropna().unique()]
    if not frames:
        return pd.DataFrame(columns=[*ESTIMATE_COLUMNS, "group"])
    long = pd.concat(frames, ignore_index=True)
    smallest = long.groupby("question")["base_n"].min()
    large_enough = smallest.index[(smallest >= min_respondents)
                                  & (long.groupby("question")["group"].nunique() == len(frames))]
    return long[long["question"].isin(large_enough)].reset_index(drop=True)


def compute_group_differences(group_estimates: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """Difference first − second of each answer's share (percentage points) with Newcombe's interval.

    Newcombe's hybrid score interval (method 10, 1998) combines the two groups' Wilson limits; a
    difference is significant when its interval excludes 0. Suppressed answers stay NaN.
    """
    keys = ["question", "question_text", "answer", "order"]
    a = group_estimates[group_estimates["group"] == first].set_index(keys)
    b = group_estimates[group_estimates["group"] == second].set_index(keys)
    a, b = a.align(b, join="inner")
    difference = a["weighted_share"] - b["weighted_share"]
    low = difference - np.sqrt((a["weighted_share"] - a["ci_low"]) ** 2 + (b["ci_high"] - b["weighted_share"]) ** 2)
    high = difference + np.sqrt((a["ci_high"] - a["weighted_share"]) ** 2 + (b["weighted_share"] - b["ci_low"]) ** 2)
    result = pd.DataFrame({f"share_{i}": s for i, s in ((1, a["weighted_share"]), (2, b["weighted_share"]))})
    result = result.assign(difference=difference, diff_low=low, diff_high=high,
                           significant=(low > 0) | (high < 0), group_1=first, group_2=second)
    return result.reset_index()


def compute_summary(respondents: pd.DataFrame, weighting: WeightingResult, estimates: pd.DataFrame) -> dict:
    """The ``potreby`` block of summary.json (shares and limits in percent, rounded as displayed).

    ``{"respondents", "effective_n", "design_effect", "weight_min", "weight_max",
    "questions": {code: {"respondents", "small_base", "effective_n", "answers": {answer: {"n", "weighted_share",
    "ci_low", "ci_high"}}}}}``; a suppressed answer has ``None`` share and limits.
    """
    def value(number: float) -> float | None:
        return None if pd.isna(number) else fmt.round_half_up(float(number), 1)

    questions = {}
    for code, rows in estimates.groupby("question", sort=False):
        questions[code] = {
            "respondents": int(rows["base_n"].iloc[0]), "small_base": bool(rows["small_base"].iloc[0]),
            "effective_n": value(rows["effective_n"].iloc[0]),
            "answers": {r.answer: {"n": int(r.n), "weighted_share": value(r.weighted_share),
                                   "ci_low": value(r.ci_low), "ci_high": value(r.ci_high)}
                        for r in rows.itertuples()}}
    low, high = weighting.weight_range
    return {"respondents": int(len(respondents)), "effective_n": fmt.round_half_up(weighting.effective_n, 1),
            "design_effect": fmt.round_half_up(weighting.design_effect, 2), "weight_min": fmt.round_half_up(low, 3),
            "weight_max": fmt.round_half_up(high, 3), "questions": questions}
