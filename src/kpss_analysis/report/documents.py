"""Word documents of an ORP's outputs, built from ``manifest.json``: the whole ORP and one per chapter.

Figures at text width with numbered Word captions („Graf n“ / „Tabulka n“ in the Caption style) and their „Zdroj:“ line,
real Word tables with Czech numbers (from each table's ``<name>.table.json``, formatted by :mod:`kpss_analysis.fmt`
exactly as the notebook shows them), landscape sections for wide tables, the catalogue of providers. Tables saved
with ``in_documents=False`` (checks for the analyst) stay out. Every text passes :func:`kpss_analysis.fmt.text`.
"""

from __future__ import annotations

import datetime as dt
import json
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Length, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from kpss_analysis import __version__, fmt
from kpss_analysis.errors import KpssError
from kpss_analysis.fmt import slugify
from kpss_analysis.report.output import MANIFEST, TABLE_JSON, read_json, write_atomically

#: Subfolder of an ORP output folder that receives the DOCX files.
DOCUMENTS_DIR = "dokumenty"
#: Output metadata key of a chapter title computed in the notebook (see :func:`chapter_title`).
TITLE_METADATA = "kpss_chapter_title"


TEXT_WIDTH = Cm(16)  # A4 minus 2 × 2.5 cm margins


LANDSCAPE_TEXT_WIDTH = Cm(24.7)  # for tables too wide for a portrait page even at the smallest font


MAX_FIGURE_HEIGHT = Cm(20)  # leaves room for the caption and source line on an A4 page


CAPTION_LABELS = {"figure": "Graf", "table": "Tabulka"}


CATALOGUE_HEADING = "Katalog poskytovatelů"


#: Catalogue entry fields → (label for one value, label for more values).
CATALOGUE_FIELDS = {
    "addresses": ("Adresa", "Adresy"),
    "forms": ("Forma", "Formy"),
    "capacities": ("Kapacita", "Kapacity"),
    "web": ("Web", "Web"),
    "email": ("E-mail", "E-maily"),
    "phone": ("Telefon", "Telefony"),
}


#: One font for the whole document: on every Windows and Mac, and metric-compatible Liberation Sans
#: in LibreOffice on Linux, so tables measured for it fit everywhere (theme fonts like Calibri do not).
FONT = "Arial"


SOURCE_STYLE = "Zdroj"  # paragraph style of the "Zdroj:"/"Poznámka:" lines, restylable by the editor


TABLE_STYLE = "Text tabulky"


#: Table font sizes: the first for every table that fits a portrait or else a landscape page, the smaller
#: ones only for a table too wide even for landscape.
TABLE_FONT_SIZES = (9, 8, 7)


AUTHOR = "kpss-analysis"


CHAR_WIDTH_PER_PT = 0.56 * 0.03528  # cm per character per point: Arial digits are 0.556 em wide


_BOLD = 1.1  # bold header words are about 10 % wider


CELL_MARGIN = Cm(0.1)  # left and right, instead of Word's 0.19 cm: more room for numbers


CELL_PADDING = 0.25  # cm: both cell margins and the borders


_WRAPPING_TEXT = 30  # characters: longer text cells wrap instead of widening their column


class DocumentError(KpssError):
    """An output folder whose manifest names a file that is missing or not what it should be."""


@dataclass(frozen=True)
class Chapter:
    """One chapter of a document: its id (notebook stem), heading and manifest items."""

    id: str
    title: str
    items: list[dict]


def build_documents(folder: Path) -> list[Path]:
    """Write the DOCX for the whole ORP and one per chapter into ``<folder>/dokumenty/``.

    Parameters
    ----------
    folder
        An ORP output folder written by ``kpss run`` (``manifest.json``, ``figures/``,
        ``tables/``, executed ``NN_topic.ipynb``).

    Returns
    -------
    list of Path
        ``<code>-<slug>.docx`` first, then ``<code>-<slug>_<chapter>.docx`` in chapter order.

    Raises
    ------
    DocumentError
        The manifest is missing or names a file that does not exist or does not match it.
        Every document is assembled before the first one is written, and each is written
        under a temporary name and renamed, so no half-written DOCX is left behind.
    """
    folder = Path(folder)
    manifest = read_json(folder / MANIFEST, None)
    if manifest is None:
        raise DocumentError(f"{folder} has no {MANIFEST}: run `kpss run --orp …` to produce the outputs first.")
    orp = manifest["orp"]
    base = f"{orp['code']}-{slugify(orp['name'])}"
    chapters = _chapters(folder, [item for item in manifest["items"] if item.get("in_documents", True)])
    tables = {}
    created = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)  # python-docx writes it as UTC
    documents = {f"{base}.docx": _document(folder, orp["name"], chapters, tables, created)}
    documents |= {f"{base}_{chapter.id}.docx": _document(folder, orp["name"], [chapter], tables, created,
                                                          chapter.title) for chapter in chapters}
    return [write_atomically(folder / DOCUMENTS_DIR / name, document.save) for name, document in documents.items()]


def chapter_title(notebook: Path, default: str) -> str:
    """Text of the first level-1 Markdown heading of ``notebook``; ``default`` without one.

    A title a code cell displayed with the output metadata :data:`TITLE_METADATA` (a title made from the
    parameters, e.g. the monitoring year of chapter 07) comes first.
    """
    if notebook.is_file():
        # Plain JSON: nbformat.read would validate the whole executed notebook, images included.
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            for output in cell.get("outputs", []):
                if output.get("metadata", {}).get(TITLE_METADATA):
                    return output["metadata"][TITLE_METADATA]
        for cell in cells:
            if cell["cell_type"] == "markdown":
                source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                heading = next((line[2:].strip() for line in source.splitlines() if line.startswith("# ")), None)
                if heading:
                    return heading
    return default


def _chapters(folder: Path, items: list[dict]) -> list[Chapter]:
    """Manifest items grouped by chapter (chapters sorted by id, items in manifest order)."""
    ids = sorted({_field(item, "chapter") for item in items})
    return [Chapter(chapter, chapter_title(folder / f"{chapter}.ipynb", chapter),
                    [item for item in items if item["chapter"] == chapter]) for chapter in ids]


def _document(folder: Path, orp_name: str, chapters: list[Chapter],
              tables: dict[str, tuple[bool, BaseOxmlElement]], created: dt.datetime,
              chapter_title: str | None = None) -> DocxDocument:
    """One document: title, then per chapter its heading and items (``tables``: see :func:`_add_table`).

    ``chapter_title`` names the chapter of a one-chapter document in its core properties.
    """
    document = _new_document(f"SO ORP {orp_name}", created)
    if chapter_title:
        document.core_properties.title = fmt.text(f"SO ORP {orp_name}: {chapter_title}")
    numbers = dict.fromkeys(CAPTION_LABELS.values(), 0)
    for index, chapter in enumerate(chapters):
        new_page = _page(document, WD_ORIENT.PORTRAIT)
        heading = _add_styled(document, fmt.text(chapter.title), "Heading 1")
        # A chapter starts on a new page: its heading is never left alone at the foot of the previous one.
        heading.paragraph_format.page_break_before = index > 0 and not new_page
        for item in chapter.items:
            kind = _field(item, "kind")
            if kind in CAPTION_LABELS:
                label = CAPTION_LABELS[kind]
                numbers[label] += 1
                if kind == "figure":
                    _page(document, WD_ORIENT.PORTRAIT)
                    _add_figure(document, folder, item, numbers[label])
                else:
                    _add_table(document, folder, item, numbers[label], tables)
            elif kind == "catalogue":
                _page(document, WD_ORIENT.PORTRAIT)
                _add_catalogue(document, folder, item)
            else:
                raise DocumentError(f"Manifest item {item.get('name')!r} in {folder} has an unknown kind {kind!r} "
                                    "(expected figure, table or catalogue).")
    return document


def _new_document(title: str, created: dt.datetime) -> DocxDocument:
    """An A4 document with 2.5 cm margins, in Czech, with the styles the items use."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2.5)
    for lang in document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
        lang.set(qn("w:val"), "cs-CZ")
        lang.set(qn("w:eastAsia"), "cs-CZ")
    for fonts in document.styles.element.xpath(".//w:rFonts"):  # defaults and every style: no theme fonts
        for attribute in [a for a in fonts.attrib if a.endswith("Theme")]:
            del fonts.attrib[attribute]
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), FONT)
    properties = document.core_properties
    properties.language = "cs-CZ"
    properties.title = title
    properties.subject = "Podklady pro komunitní plán sociálních služeb"
    properties.author = properties.last_modified_by = AUTHOR
    properties.comments = f"Vytvořeno balíčkem {AUTHOR} {__version__} z otevřených dat ČSÚ, MPSV a ČÚZK."
    properties.created = properties.modified = created
    properties.revision = 1

    caption = document.styles["Caption"]
    caption.font.size, caption.font.color.rgb = Pt(10), RGBColor(0, 0, 0)
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(6), Pt(4)
    source = document.styles.add_style(SOURCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    source.base_style = document.styles["Normal"]
    source.font.size = Pt(9)
    source.paragraph_format.space_before, source.paragraph_format.space_after = Pt(3), Pt(12)
    cell = document.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = document.styles["Normal"]
    cell.font.size = Pt(TABLE_FONT_SIZES[0])
    cell.paragraph_format.space_after, cell.paragraph_format.line_spacing = Pt(0), 1.0

    _add_styled(document, title, "Title")
    _add_styled(document, "Podklady pro komunitní plán sociálních služeb", "Subtitle")
    return document


def _add_styled(document: DocxDocument, text: str, style: str) -> Paragraph:
    """``document.add_paragraph(text, style=style)`` with the style set by its id.

    Given a style's name, python-docx searches all the styles for the default one on every paragraph
    (about a quarter of a document's build time); a heading is a paragraph in a "Heading n" style, as with
    ``add_heading``.
    """
    paragraph = document.add_paragraph(text)
    paragraph._p.style = document.styles[style].style_id
    return paragraph


def _add_caption(document: DocxDocument, label: str, number: int, text: str) -> None:
    """'Graf 3: …' in the Caption style, the number as a SEQ field so that Word renumbers it."""
    paragraph = _add_styled(document, f"{label}{fmt.NBSP}", "Caption")
    _add_field(paragraph, f" SEQ {label} \\* ARABIC ", str(number))
    paragraph.add_run(f": {fmt.text(text)}")


def _add_field(paragraph: Paragraph, instruction: str, result: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end) at the end of ``paragraph``."""
    paragraph.add_run()._r.append(_field_char("begin"))
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    paragraph.add_run()._r.append(text)
    paragraph.add_run()._r.append(_field_char("separate"))
    paragraph.add_run(result)
    paragraph.add_run()._r.append(_field_char("end"))


def _field_char(kind: str) -> OxmlElement:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    return char


def _add_source(document: DocxDocument, source: str, notes: str | None = None) -> None:
    """'Zdroj: …' and an optional 'Poznámka: …' line, spaced from what follows, not from each other."""
    lines = [f"Zdroj: {source}"] + ([f"Poznámka: {notes}"] if notes else [])
    for index, line in enumerate(lines):
        paragraph = _add_styled(document, fmt.text(line), SOURCE_STYLE)
        if index < len(lines) - 1:
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.keep_with_next = True


def _add_figure(document: DocxDocument, folder: Path, item: dict, number: int) -> None:
    """Caption, the bare PNG at text width (narrower if taller than the page allows), source."""
    image = _item_file(folder, item, _field(item, "bare_png"))
    _add_caption(document, CAPTION_LABELS["figure"], number, _field(item, "caption"))
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True  # caption, figure and source on one page
    paragraph.paragraph_format.keep_together = True
    paragraph.paragraph_format.space_after = Pt(0)
    shape = paragraph.add_run().add_picture(str(image), width=TEXT_WIDTH)
    if shape.height > MAX_FIGURE_HEIGHT:
        shape.width, shape.height = int(shape.width * MAX_FIGURE_HEIGHT / shape.height), MAX_FIGURE_HEIGHT
    _add_source(document, _field(item, "source"))


def _add_table(document: DocxDocument, folder: Path, item: dict, number: int,
               built: dict[str, tuple[bool, BaseOxmlElement]]) -> None:
    """Caption, the table, source and notes; on a landscape page if it is too wide for portrait.

    Consecutive wide tables share landscape pages; the next portrait item turns the page back.

    ``built`` keeps every table already built for another document of the same folder
    (whether it fits a portrait page, and its XML): those are copied instead of built again.
    """
    name = _field(item, "name")
    if name not in built:
        built[name] = _build_table(document, folder, item)
    fits, tbl = built[name]
    _page(document, WD_ORIENT.PORTRAIT if fits else WD_ORIENT.LANDSCAPE)
    _add_caption(document, CAPTION_LABELS["table"], number, _field(item, "caption"))
    document.element.body._insert_tbl(deepcopy(tbl))
    _add_source(document, _field(item, "source"), item.get("notes"))


def _build_table(document: DocxDocument, folder: Path, item: dict) -> tuple[bool, BaseOxmlElement]:
    """A Word table of the item's display JSON, outside the body, and whether it fits a portrait page."""
    header, texts, numeric = read_table(folder, item)
    size, widths, fits = table_layout(header, texts, numeric, TEXT_WIDTH, TABLE_FONT_SIZES[:1])
    if not fits:
        size, widths, _fits = table_layout(header, texts, numeric, LANDSCAPE_TEXT_WIDTH)

    table = document.add_table(rows=1 + min(1, len(texts)), cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(CELL_MARGIN.twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.find(qn("w:tblLook")).addprevious(margins)  # the schema's order: tblCellMar before tblLook
    style_id = document.styles[TABLE_STYLE].style_id  # set by id: Paragraph.style= looks it up per cell (slow)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    # python-docx builds the header row and one body row (cell widths, style, alignment, bold, font size);
    # the other body rows are copies of that one: building every cell costs about ten times more.
    for index, row in enumerate(table.rows):
        row_properties = row._tr.get_or_add_trPr()
        row_properties.append(OxmlElement("w:cantSplit"))
        if index == 0:
            row_properties.append(OxmlElement("w:tblHeader"))  # repeated on every page
        for cell, width, is_number in zip(row.cells, widths, numeric, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph._p.style = style_id
            if is_number:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = paragraph.add_run()
            if index == 0:
                run.bold = True
            if size != TABLE_FONT_SIZES[0]:
                run.font.size = Pt(size)
    tbl = table._tbl
    if texts:
        prototype = tbl.tr_lst[1]
        tbl.extend(deepcopy(prototype) for _row in texts[1:])
    for index, (tr, values) in enumerate(zip(tbl.tr_lst, [header, *texts], strict=True)):
        if index == len(texts):  # the last row stays on the page of the "Zdroj:" line
            for p in tr.iter(qn("w:p")):
                p.get_or_add_pPr().keepNext_val = True
        for run, text in zip(tr.iter(qn("w:r")), values, strict=True):
            run.text = text
    tbl.getparent().remove(tbl)
    return fits, tbl


def _page(document: DocxDocument, orientation: WD_ORIENT) -> bool:
    """Continue on pages of ``orientation``: a new section (new page) if the current one differs.

    Returns whether a new section was started.
    """
    if document.sections[-1].orientation == orientation:
        return False
    _orient(document.add_section(WD_SECTION.NEW_PAGE), orientation)
    return True


def _orient(section, orientation: WD_ORIENT) -> None:
    """Turn a new section (which copies the previous one's page setup) to A4 portrait or landscape."""
    short, long = Mm(210), Mm(297)
    section.orientation = orientation
    section.page_width, section.page_height = (long, short) if orientation == WD_ORIENT.LANDSCAPE else (short, long)


def read_table(folder: Path, item: dict) -> tuple[list[str], list[list[str]], list[bool]]:
    """Headers, cell texts and numeric flags of a table item, from its ``<name>.table.json``.

    Raises
    ------
    DocumentError
        The file is missing, not JSON, or not what :meth:`ChapterOutput.table` writes.
    """
    path = _item_file(folder, item, next((f for f in _field(item, "files") if f.endswith(TABLE_JSON)), None))
    try:
        shown = json.loads(path.read_text(encoding="utf-8"))
        header, rows, numeric = shown["header"], shown["rows"], shown["numeric"]
        if not (len(header) == len(numeric) and all(len(row) == len(header) for row in rows)):
            raise ValueError(f"{len(header)} headers, {len(numeric)} numeric flags, "
                             f"row lengths {sorted({len(row) for row in rows})}")
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise DocumentError(f"{path} is not a table as ChapterOutput.table writes it ({type(exc).__name__}: {exc}). "
                            "Run the chapter again.") from exc
    return header, rows, numeric


def table_layout(header: list[str], rows: list[list[str]], numeric: list[bool],
                 width: Length, sizes: tuple[int, ...] = TABLE_FONT_SIZES) -> tuple[int, list[Length], bool]:
    """Font size (of ``sizes``) and column widths that fill ``width``, and whether the columns fit in it.

    A column needs its longest number (numbers never wrap), its longest header word (no-break spaces join
    words: "k 31. 12. 2020" is one) and at most
    ``_WRAPPING_TEXT`` characters of text; the largest font size at which all columns fit is
    used, and the widths are stretched to ``width`` in proportion to those needs. When they do
    not fit even at the smallest size, they are squeezed at that size and ``fits`` is False.
    """
    needs = []
    for j, name in enumerate(header):
        longest = max((len(row[j]) for row in rows), default=0)
        needs.append(max(longest if numeric[j] else min(longest, _WRAPPING_TEXT),
                         _BOLD * max(len(word) for word in name.split(" ") or [""]), 3))
    fitting = [size for size in sizes if sum(n * size * CHAR_WIDTH_PER_PT + CELL_PADDING for n in needs) <= width.cm]
    size = fitting[0] if fitting else sizes[-1]
    widths_cm = [n * size * CHAR_WIDTH_PER_PT + CELL_PADDING for n in needs]
    return size, [Cm(w * width.cm / sum(widths_cm)) for w in widths_cm], bool(fitting)


def _add_catalogue(document: DocxDocument, folder: Path, item: dict) -> None:
    """Heading, one sub-heading per druh with its §, one entry per service, in the JSON's order."""
    path = _item_file(folder, item, next((f for f in _field(item, "files") if f.endswith(".json")), None))
    try:
        catalogue = json.loads(path.read_text(encoding="utf-8"))
        _add_styled(document, CATALOGUE_HEADING, "Heading 2")
        document.add_paragraph(fmt.text(catalogue["caption"]))
        for group in catalogue["groups"]:
            _add_styled(document, fmt.text(f"{group['druh']} ({group['paragraph']})"), "Heading 3")
            for entry in group["entries"]:
                _add_catalogue_entry(document, entry)
        _add_source(document, catalogue["source"])
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise DocumentError(f"{path} is not a providers' catalogue as ChapterOutput.catalogue writes it "
                            f"({type(exc).__name__}: {exc}). Run the chapter again.") from exc


def _add_catalogue_entry(document: DocxDocument, entry: dict) -> None:
    name = document.add_paragraph()
    name.add_run(fmt.text(entry["name"])).bold = True
    name.paragraph_format.keep_with_next = True
    name.paragraph_format.space_after = Pt(0)
    details = document.add_paragraph()
    details.paragraph_format.keep_together = True
    lines = [f"Poskytovatel: {entry['provider']}, IČO{fmt.NBSP}{entry['ico']}"]
    for key, (one, more) in CATALOGUE_FIELDS.items():
        if entry[key]:
            lines.append(f"{one if len(entry[key]) == 1 else more}: {'; '.join(entry[key])}")
    for index, line in enumerate(lines):
        run = details.add_run(fmt.text(line))
        if index < len(lines) - 1:
            run.add_break()


def _field(item: dict, key: str):
    try:
        return item[key]
    except KeyError:
        raise DocumentError(f"Manifest item {item.get('name')!r} has no {key!r}: it was written by an older "
                            "version of the package. Run the chapter again.") from None


def _item_file(folder: Path, item: dict, relative: str | None) -> Path:
    path = folder / relative if relative else None
    if path is None or not path.is_file():
        raise DocumentError(f"{item['kind'].capitalize()} {item['name']!r} of chapter {item.get('chapter')}: "
                            f"file {path or 'of the right type'} is missing. Run the chapter again "
                            "(`kpss run --orp … --chapters …`).")
    return path
