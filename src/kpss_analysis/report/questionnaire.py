"""A printable Czech questionnaire (DOCX) from a survey codebook.

The printed form asks exactly what the codebook lists, in its order and sections, with a box to
tick for every answer, and closes with the three items every respondent file needs (age, sex,
obec), so that typed-in answers match the columns :func:`read_respondents` expects.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Mm, Pt

from kpss_analysis.analysis.survey_io import MEN, WOMEN, Codebook, Question
from kpss_analysis.report.output import write_atomically

BOX = "☐"
WRITE_LINE = "_" * 60
INSTRUCTIONS = {"single": "Označte jednu odpověď.", "multi": "Můžete označit více odpovědí.",
                "likert": "Označte jednu odpověď.", "text": "Napište vlastními slovy."}
RESPONDENT_SECTION = "Několik údajů o Vás"
# Wording of the required items when a codebook does not give its own (``respondent`` in the YAML).
RESPONDENT_TEXTS = {"vek": "Kolik je Vám let?", "pohlavi": "Jste:", "obec_kod": "Ve které obci žijete?"}
THANKS = "Děkujeme Vám za čas, který jste vyplnění dotazníku věnoval/a."


def _question_heading(document, number: int, text: str, instruction: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before, paragraph.paragraph_format.keep_with_next = Pt(10), True
    paragraph.add_run(f"{number}. {text}").bold = True
    hint = document.add_paragraph()
    hint.paragraph_format.keep_with_next = True
    run = hint.add_run(instruction)
    run.italic, run.font.size = True, Pt(9)


def _add_boxes(document, answers: tuple[str, ...]) -> None:
    for answer in answers:
        paragraph = document.add_paragraph(f"{BOX}  {answer}")
        paragraph.paragraph_format.left_indent, paragraph.paragraph_format.space_after = Cm(0.6), Pt(1)


def _add_scale(document, answers: tuple[str, ...]) -> None:
    """A Likert scale as one row of boxes under the answer texts, so it reads left to right."""
    table = document.add_table(rows=2, cols=len(answers))
    table.style, table.alignment = "Table Grid", WD_TABLE_ALIGNMENT.CENTER
    for column, answer in enumerate(answers):
        for row, text in ((0, answer), (1, BOX)):
            paragraph = table.cell(row, column).paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(text).font.size = Pt(9 if row == 0 else 12)


def _add_question(document, number: int, question: Question) -> None:
    instruction = " ".join(filter(None, [question.note, INSTRUCTIONS[question.kind]]))
    _question_heading(document, number, question.text, instruction)
    answers = question.answers + ((question.no_opinion,) if question.no_opinion else ())
    if question.kind == "likert":
        _add_scale(document, answers)
    elif question.kind == "text":
        for _ in range(3):
            document.add_paragraph(WRITE_LINE)
    else:
        _add_boxes(document, answers)


def _new_document(title: str):
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2)
    document.core_properties.title, document.core_properties.language = title, "cs-CZ"
    document.styles["Normal"].font.size = Pt(11)
    return document


def save_questionnaire_docx(codebook: Codebook, path: str | Path) -> Path:
    """Write the printable questionnaire of ``codebook`` to ``path`` (DOCX) and return the path."""
    title = codebook.title or "Dotazník k potřebám obyvatel v oblasti sociálních služeb"
    document = _new_document(title)
    document.add_heading(title, level=0)
    if codebook.intro:
        document.add_paragraph(codebook.intro)
    number, section = 0, None
    for question in codebook.questions.values():
        if question.section and question.section != section:
            section = question.section
            document.add_heading(section, level=1)
        number += 1
        _add_question(document, number, question)
    document.add_heading(RESPONDENT_SECTION, level=1)
    texts = {**RESPONDENT_TEXTS, **codebook.respondent_texts}
    _question_heading(document, number + 1, texts["vek"], "Napište číslo.")
    document.add_paragraph("__________ let")
    _question_heading(document, number + 2, texts["pohlavi"], INSTRUCTIONS["single"])
    _add_boxes(document, (MEN, WOMEN))
    _question_heading(document, number + 3, texts["obec_kod"], "Napište název obce.")
    document.add_paragraph(WRITE_LINE)
    closing = document.add_paragraph(THANKS)
    closing.paragraph_format.space_before = Pt(18)
    return write_atomically(Path(path), lambda target: document.save(str(target)))
