"""Chapter 06 (needs survey) outputs: the questionnaire template for the analyst, a table and a chart per question.

The template goes to the ORP's ``dokumenty/`` folder beside the Word documents of the plan: the
printable questionnaire (DOCX), the codebook it was printed from, and an empty workbook with the
columns a respondent file needs, for typing in paper questionnaires.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from kpss_analysis import fmt
from kpss_analysis.analysis.survey import SUPPRESSED_TEXT, compute_likert_summary
from kpss_analysis.analysis.survey_chapter import (
    METHOD_TEXT,
    SURVEY_INTERVAL_NOTE,
    compute_question_table,
    question_caption,
)
from kpss_analysis.analysis.survey_io import REQUIRED_COLUMNS, Codebook
from kpss_analysis.report.output import ChapterOutput, write_atomically
from kpss_analysis.report.questionnaire import save_questionnaire_docx
from kpss_analysis.report.survey_plots import plot_answer_shares, plot_likert

TEMPLATE_DIR = "dokumenty"
TEMPLATE_STEM = "dotaznik_sablona"
ANSWER_SHEET = "dotaznik_odpovedi_sablona.xlsx"
SHARE_COLUMN = "Vážený podíl (%)"


def template_file_names(codebook_path: str | Path) -> list[str]:
    """Names of the files :func:`save_survey_template` writes (the codebook keeps its suffix)."""
    return [f"{TEMPLATE_STEM}.docx", f"{TEMPLATE_STEM}{Path(codebook_path).suffix.lower()}", ANSWER_SHEET]


def save_survey_template(codebook: Codebook, codebook_path: str | Path, folder: str | Path) -> list[Path]:
    """Write the questionnaire of ``codebook`` (DOCX), a copy of its file and an empty answer sheet.

    Parameters
    ----------
    codebook
        The codebook read from ``codebook_path``.
    codebook_path
        Its file (YAML or XLSX), copied as it is so that comments and wording survive.
    folder
        The ORP's output folder; the files go to ``<folder>/dokumenty/``.

    Returns
    -------
    list of Path
        The DOCX, the codebook copy and the answer sheet (XLSX with the header row only).
    """
    docx_name, codebook_name, sheet_name = template_file_names(codebook_path)
    target = Path(folder) / TEMPLATE_DIR
    questionnaire = save_questionnaire_docx(codebook, target / docx_name)
    copy = write_atomically(target / codebook_name, lambda p: shutil.copyfile(codebook_path, p))
    header = pd.DataFrame(columns=[*REQUIRED_COLUMNS, *codebook.questions])
    sheet = write_atomically(target / sheet_name, lambda p: header.to_excel(p, index=False, sheet_name="Odpovědi"))
    return [questionnaire, copy, sheet]


def _table_view(view):
    """Show a suppressed share as the words, not as an empty cell (its limits stay empty)."""
    view.styler = view.styler.format(lambda v: SUPPRESSED_TEXT if v == fmt.MISSING else v,
                                     subset=[fmt.text(SHARE_COLUMN)])
    return view


def save_question_outputs(out: ChapterOutput, estimates: pd.DataFrame, *, orp_name: str, source: str,
                          show: Callable | None = display) -> list[Path]:
    """A table and a chart per question, shown in turn: shares with intervals, Likert scales as diverging bars.

    Parameters
    ----------
    out
        The chapter's outputs.
    estimates
        :func:`survey.compute_answer_estimates` (questions in codebook order).
    orp_name
        For the captions.
    source
        The "Zdroj:" text.
    show
        Displays the heading, table and figure of each question (None: save only).

    Returns
    -------
    list of Path
        Per question the table's XLSX and CSV and the figure's PNG and SVG.
    """
    paths = []
    for number, (code, rows) in enumerate(estimates.groupby("question", sort=False), start=1):
        name = f"potreby_{number:02d}_{fmt.slugify(code).replace('-', '_')}"
        caption = question_caption(rows, orp_name)
        # Distinct names: the manifest keeps one item per name.
        styler = out.table(compute_question_table(rows), f"{name}_tabulka", caption=caption, source=source,
                           decimals={"Počet odpovědí": 0}, notes=f"{METHOD_TEXT} {SURVEY_INTERVAL_NOTE}")
        paths += [out.dir / "tables" / f"{name}_tabulka.{suffix}" for suffix in ("xlsx", "csv")]
        if rows["kind"].iloc[0] == "likert":
            ax = plot_likert(compute_likert_summary(rows))
        else:
            ax = plot_answer_shares(rows)
        likert_note = " (intervaly jednotlivých odpovědí v tabulce)" if rows["kind"].iloc[0] == "likert" else ""
        paths += out.figure(ax.figure, f"{name}_graf", caption=caption + likert_note, source=source)
        if show is not None:
            show(Markdown(f"### {number}. {rows['question_text'].iloc[0]}"))
            show(_table_view(styler))
            show(ax.figure)
        plt.close(ax.figure)  # shown once, here, not again at the end of the cell
    return paths
