"""DOCX per ORP and per chapter from an output folder, and the self-contained HTML report."""

from __future__ import annotations

import base64
import json
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from docx import Document  # noqa: E402
from docx.enum.section import WD_ORIENT  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Cm, Pt  # noqa: E402
from PIL import Image  # noqa: E402

from kpss_analysis import fmt  # noqa: E402
from kpss_analysis.analysis.territory import Orp  # noqa: E402
from kpss_analysis.report import documents, output
from kpss_analysis.report.documents import DocumentError, build_documents  # noqa: E402
from kpss_analysis.report.html import export_html  # noqa: E402
from kpss_analysis.report.output import A4_TEXT_WIDTH_IN, ChapterOutput  # noqa: E402

NBSP = "\u00a0"
SOKOLOV = Orp("4107", "Sokolov", "3051", "Karlovarský kraj", 31)
CATALOGUE = {
    "caption": "Katalog registrovaných sociálních služeb – SO ORP Sokolov",
    "source": "MPSV, Registr poskytovatelů sociálních služeb (stav k 4. 9. 2026)",
    # deliberately not alphabetical: the DOCX keeps the JSON's order
    "groups": [
        {"druh": "Pečovatelská služba", "paragraph": "§ 40", "group": "péče", "entries": [
            {"name": "Pečovatelská služba Sokolov", "provider": "Město Sokolov", "ico": "00259586",
             "addresses": ["Rokycanova 1929, 356 01 Sokolov"], "forms": ["terénní", "ambulantní"],
             "capacities": ["120 klientů (terénní)"], "web": ["https://www.sokolov.cz"], "email": [],
             "phone": ["+420 359 800 111"]},
        ]},
        {"druh": "Domovy pro seniory", "paragraph": "§ 49", "group": "péče", "entries": [
            {"name": "Domov pro seniory Sokolov", "provider": "Sociální služby Sokolov, p. o.", "ico": "71175253",
             "addresses": ["Marie Majerové 2045, 356 01 Sokolov", "Jednoty 1710, 356 01 Sokolov"],
             "forms": ["pobytová"], "capacities": ["95 lůžek (pobytová)"], "web": [], "email": ["info@sss.cz"],
             "phone": []},
            {"name": "Alzheimer centrum Chodov", "provider": "Chodov, s. r. o.", "ico": "12345678",
             "addresses": [], "forms": ["pobytová"], "capacities": [], "web": [], "email": [], "phone": []},
        ]},
    ],
}


def _figure(height_in: float = 3.0) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(A4_TEXT_WIDTH_IN, height_in))
    ax.plot([2020, 2021, 2022], [100, 98.5, 99.1])
    return fig


@pytest.fixture()
def folder(tmp_path) -> Path:
    """An output folder with 2 tables, 2 figures (chapter 01) and a catalogue (chapter 03)."""
    out = ChapterOutput(SOKOLOV, tmp_path / "4107-sokolov", "01_demografie")
    key_figures = pd.DataFrame({"Ukazatel": ["Počet obyvatel", "Index stáří"],
                                "SO ORP Sokolov": [72913.0, 122.04], "Česko": [10900555.0, 125.46]})
    out.table(key_figures, "01_klicove_ukazatele", caption="Klíčové ukazatele", source="ČSÚ, 2024",
              row_decimals=[0, 1])
    for name, caption, height in (("01_pyramida", "Věková pyramida", 3.0), ("02_vysoky", "Vysoký graf", 14.0)):
        fig = _figure(height)
        try:
            out.figure(fig, name, caption=caption, source=f"ČSÚ, {caption.lower()}")
        finally:
            plt.close(fig)
    obce = pd.DataFrame({"Kód obce": ["560286", "560383"], "Obec": ["Sokolov", "Chodov"], "Rok": [2024, 2024],
                         "Obyvatelé": np.array([22155, 12649], dtype="int64"),
                         "Plocha (km²)": [12345.64, np.nan], "Podíl 65+ (%)": [20.354, 3.14159]})
    out.table(obce, "02_obce", caption="Obce SO ORP Sokolov", source="ČSÚ, obce", notes="Stav k 1. 1. 2024.",
              decimals={"Podíl 65+ (%)": 2, "Rok": None})
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("orp = 'Sokolov'"),
        nbformat.v4.new_markdown_cell("Úvod bez nadpisu."),
        nbformat.v4.new_markdown_cell("## Podnadpis\n# Sociodemografická analýza\n\ntext"),
    ]), out.dir / "01_demografie.ipynb")
    # Chapter 03 registers its catalogue the way ChapterOutput.catalogue does (no executed notebook here).
    (out.dir / "tables" / "katalog.json").write_text(json.dumps(CATALOGUE, ensure_ascii=False), encoding="utf-8")
    manifest = output.read_json(out.dir / output.MANIFEST, None)
    manifest["items"].append({"kind": "catalogue", "name": "katalog", "chapter": "03_socialni_sluzby",
                              "caption": CATALOGUE["caption"], "source": CATALOGUE["source"],
                              "files": ["tables/katalog.xlsx", "tables/katalog.json"]})
    output.write_json(out.dir / output.MANIFEST, manifest)
    return out.dir


def _texts(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def _image_blobs(document) -> list[bytes]:
    blobs = []
    for shape in document.inline_shapes:
        relationship = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        blobs.append(document.part.related_parts[relationship].blob)
    return blobs


def test_orp_document_has_every_item_in_manifest_order(folder):
    paths = build_documents(folder)
    assert [p.name for p in paths] == ["4107-sokolov.docx", "4107-sokolov_01_demografie.docx",
                                       "4107-sokolov_03_socialni_sluzby.docx"]
    assert all(p.parent == folder / "dokumenty" for p in paths)
    document = Document(paths[0])
    assert document.paragraphs[0].text == "SO ORP Sokolov"
    # Chapter headings: the notebook's first H1 (not the H2 before it); without a notebook the chapter id.
    assert _texts(document, "Heading 1") == ["Sociodemografická analýza", "03_socialni_sluzby"]
    assert _texts(document, "Caption") == [f"Tabulka{NBSP}1: Klíčové ukazatele", f"Graf{NBSP}1: Věková pyramida",
                                           f"Graf{NBSP}2: Vysoký graf", f"Tabulka{NBSP}2: Obce SO ORP Sokolov"]
    assert _texts(document, "Zdroj") == ["Zdroj: ČSÚ, 2024", "Zdroj: ČSÚ, věková pyramida", "Zdroj: ČSÚ, vysoký graf",
                                         "Zdroj: ČSÚ, obce", f"Poznámka: Stav k{NBSP}1.{NBSP}1.{NBSP}2024.",
                                         f"Zdroj: {fmt.text(CATALOGUE['source'])}"]
    assert len(document.inline_shapes) == 2 and len(document.tables) == 2
    # Numbers are SEQ fields, so Word renumbers them and lists them ("Insert table of figures").
    instructions = [t.text for t in document.element.body.iter(qn("w:instrText"))]
    assert instructions == [" SEQ Tabulka \\* ARABIC ", " SEQ Graf \\* ARABIC ", " SEQ Graf \\* ARABIC ",
                            " SEQ Tabulka \\* ARABIC "]


def test_figures_are_the_bare_png_at_text_width(folder):
    document = Document(build_documents(folder)[0])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    figures = [i for i in manifest["items"] if i["kind"] == "figure"]
    assert _image_blobs(document) == [(folder / f["bare_png"]).read_bytes() for f in figures]
    # the bare PNG is the drawn figure without the title and source lines of the standalone PNG
    with Image.open(folder / figures[0]["bare_png"]) as bare, Image.open(folder / figures[0]["files"][0]) as full:
        assert bare.width == pytest.approx(full.width, rel=0.05) and bare.height < full.height - 60
    normal, tall = document.inline_shapes
    assert normal.width == Cm(16) and normal.height < documents.MAX_FIGURE_HEIGHT
    # a figure taller than the page allows keeps its aspect ratio at the maximum height
    assert tall.height == documents.MAX_FIGURE_HEIGHT and tall.width < Cm(16)
    with Image.open(folder / figures[1]["bare_png"]) as image:
        assert tall.width / tall.height == pytest.approx(image.width / image.height, rel=0.01)


def test_tables_are_word_tables_in_czech_format(folder):
    document = Document(build_documents(folder)[0])
    key_figures, obce = document.tables
    rows = [[cell.text for cell in row.cells] for row in obce.rows]
    assert rows == [
        ["Kód obce", "Obec", "Rok", "Obyvatelé", "Plocha (km²)", "Podíl 65+ (%)"],
        # codes stay text, a year without number format has no separator, 2 decimals where chosen
        ["560286", "Sokolov", "2024", f"22{NBSP}155", f"12{NBSP}345,6", "20,35"],
        ["560383", "Chodov", "2024", f"12{NBSP}649", "–", "3,14"],
    ]
    # decimals per row as the chapter chose them (population 0, index 1)
    assert [[cell.text for cell in row.cells] for row in key_figures.rows][1:] == [
        ["Počet obyvatel", f"72{NBSP}913", f"10{NBSP}900{NBSP}555"], ["Index stáří", "122,0", "125,5"]]
    alignments = [cell.paragraphs[0].alignment for cell in obce.rows[1].cells]
    assert alignments == [None, None] + [WD_ALIGN_PARAGRAPH.RIGHT] * 4
    header, body = obce.rows[0]._tr, obce.rows[1]._tr
    assert header.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert body.trPr.find(qn("w:tblHeader")) is None
    assert all(run.bold for cell in obce.rows[0].cells for run in cell.paragraphs[0].runs)
    widths = [column.width for column in obce.columns]
    assert sum(widths) == pytest.approx(Cm(16), abs=Cm(0.01))


def test_document_is_czech_a4_with_caption_style(folder):
    document = Document(build_documents(folder)[0])
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert {round(getattr(section, f"{side}_margin").cm, 2) for side in ("left", "right", "top", "bottom")} == {2.5}
    lang = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:val")) == "cs-CZ"
    assert document.core_properties.language == "cs-CZ"
    fonts = document.styles.element.findall(f".//{qn('w:rFonts')}")
    assert fonts and all(f.get(qn("w:ascii")) == documents.FONT and f.get(qn("w:asciiTheme")) is None for f in fonts)
    captions = [p for p in document.paragraphs if p.text.startswith((f"Graf{NBSP}", f"Tabulka{NBSP}"))]
    assert {p.style.name for p in captions} == {"Caption"}  # Word's built-in style, for a list of figures


def test_catalogue_section_in_json_order(folder):
    document = Document(build_documents(folder)[0])
    assert _texts(document, "Heading 2") == ["Katalog poskytovatelů"]
    assert _texts(document, "Heading 3") == [f"Pečovatelská služba (§{NBSP}40)", f"Domovy pro seniory (§{NBSP}49)"]
    start = [p.text for p in document.paragraphs].index("Katalog poskytovatelů")
    section = [p for p in document.paragraphs[start + 1:] if p.text]
    assert [p.text for p in section] == [fmt.text(text) for text in [
        CATALOGUE["caption"],
        "Pečovatelská služba (§ 40)",
        "Pečovatelská služba Sokolov",
        f"Poskytovatel: Město Sokolov, IČO{NBSP}00259586\nAdresa: Rokycanova 1929, 356 01 Sokolov\n"
        "Formy: terénní; ambulantní\nKapacita: 120 klientů (terénní)\nWeb: https://www.sokolov.cz\n"
        "Telefon: +420 359 800 111",
        "Domovy pro seniory (§ 49)",
        "Domov pro seniory Sokolov",
        f"Poskytovatel: Sociální služby Sokolov, p. o., IČO{NBSP}71175253\n"
        "Adresy: Marie Majerové 2045, 356 01 Sokolov; Jednoty 1710, 356 01 Sokolov\nForma: pobytová\n"
        "Kapacita: 95 lůžek (pobytová)\nE-mail: info@sss.cz",
        "Alzheimer centrum Chodov",
        f"Poskytovatel: Chodov, s. r. o., IČO{NBSP}12345678\nForma: pobytová",
        f"Zdroj: {CATALOGUE['source']}",
    ]]
    names = [p for p in section if p.text in {"Pečovatelská služba Sokolov", "Alzheimer centrum Chodov"}]
    assert all(run.bold for p in names for run in p.runs)


def test_chapter_documents_hold_only_their_chapter(folder):
    orp, demography, services = (Document(p) for p in build_documents(folder))
    assert _texts(demography, "Heading 1") == ["Sociodemografická analýza"]
    assert len(demography.inline_shapes) == 2 and len(demography.tables) == 2
    # the chapter document copies the tables built for the ORP document: same cells, same widths
    for ours, theirs in zip(demography.tables, orp.tables, strict=True):
        assert [[c.text for c in r.cells] for r in ours.rows] == [[c.text for c in r.cells] for r in theirs.rows]
        assert [c.width for c in ours.columns] == [c.width for c in theirs.columns]
    assert _texts(demography, "Caption") == _texts(orp, "Caption")
    assert "Katalog poskytovatelů" not in [p.text for p in demography.paragraphs]
    assert _texts(services, "Heading 1") == ["03_socialni_sluzby"]
    assert len(services.inline_shapes) == 0 and len(services.tables) == 0
    assert _texts(services, "Heading 2") == ["Katalog poskytovatelů"]
    assert _texts(services, "Caption") == []


def test_missing_figure_names_it_and_writes_nothing(folder):
    first = build_documents(folder)
    before = {p.name: p.read_bytes() for p in first}
    (folder / "figures" / "bare" / "02_vysoky.png").unlink()
    with pytest.raises(DocumentError, match=r"Figure '02_vysoky' of chapter 01_demografie.*bare/02_vysoky\.png"):
        build_documents(folder)
    # the documents of the earlier build are untouched, and no temporary file is left
    assert {p.name: p.read_bytes() for p in (folder / "dokumenty").iterdir()} == before


def test_missing_figure_on_first_build_leaves_no_document(folder):
    (folder / "figures" / "bare" / "01_pyramida.png").unlink()
    with pytest.raises(DocumentError, match="01_pyramida"):
        build_documents(folder)
    assert not (folder / "dokumenty").exists()


def test_bad_inputs_say_what_to_do(folder, tmp_path):
    with pytest.raises(DocumentError, match=r"has no manifest\.json: run `kpss run"):
        build_documents(tmp_path / "empty")
    (folder / "tables" / "katalog.json").write_text('{"caption": "x", "groups": []}', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"katalog\.json is not a providers' catalogue.*'source'"):
        build_documents(folder)
    (folder / "tables" / "katalog.json").write_text(json.dumps(CATALOGUE), encoding="utf-8")
    shown = folder / "tables" / f"01_klicove_ukazatele{output.TABLE_JSON}"
    table = json.loads(shown.read_text(encoding="utf-8"))
    shown.write_text(json.dumps({**table, "rows": [row[:-1] for row in table["rows"]]}), encoding="utf-8")
    with pytest.raises(DocumentError, match=r"01_klicove_ukazatele\.table\.json is not a table as ChapterOutput"
                                            r"\.table writes it \(ValueError: 3 headers, 3 numeric flags, row lengths \[2\]"):
        build_documents(folder)
    shown.unlink()
    with pytest.raises(DocumentError, match=r"Table '01_klicove_ukazatele' of chapter 01_demografie: file .*missing"):
        build_documents(folder)


@pytest.mark.parametrize("needs, size", [
    ([6, 20, 9], 9),                             # 35 characters fit at 9 pt
    ([6, 17, 9, 9, 8, 8, 14, 15], 8),            # 86 characters: 17.3 cm at 9 pt, 15.6 cm at 8 pt
    ([16, 10, 9, 9, 9, 9, 15, 16, 12], 7),       # 105 characters: the smallest size, squeezed
])
def test_table_font_shrinks_to_fit_the_text_width(needs, size):
    rows = [["1" * n for n in needs]]  # numbers never wrap: each column needs its longest number
    chosen, widths, fits = documents.table_layout(["x"] * len(needs), rows, [True] * len(needs), Cm(16))
    assert (chosen, fits) == (size, sum(needs) < 105)
    assert sum(widths) == pytest.approx(Cm(16), abs=Cm(0.01))
    assert widths.index(max(widths)) == needs.index(max(needs))


def test_long_text_wraps_instead_of_shrinking_the_table():
    size, (text, number), fits = documents.table_layout(["Obec", "Počet"], [["a" * 100, "1" * 6]], [False, True], Cm(16))
    assert (size, fits) == (9, True)
    # the text column counts 30 characters, not 100; the number column its 6 digits (wider than "Počet")
    assert text / number == pytest.approx((30 * 9 * documents.CHAR_WIDTH_PER_PT + documents.CELL_PADDING)
                                          / (6 * 9 * documents.CHAR_WIDTH_PER_PT + documents.CELL_PADDING))


def _section_of(document, element) -> int:
    """Index of the section that holds a body element (a section ends with a paragraph's sectPr)."""
    section = 0
    for child in document.element.body:
        if child is element:
            return section
        section += len(child.findall(f"{qn('w:pPr')}/{qn('w:sectPr')}"))
    raise AssertionError("element not in the body")


def test_too_wide_table_gets_a_landscape_page(tmp_path):
    out = ChapterOutput(SOKOLOV, tmp_path / "4107-sokolov", "02_projekce")
    # 12 columns of 11-character numbers: 21 cm at 7 pt, too wide for 16 cm; 24 cm at 8 pt in landscape
    wide = pd.DataFrame({f"S{i}": np.array([123456789, 987654321], dtype="int64") for i in range(12)})
    out.table(wide, "siroka", caption="Široká tabulka", source="ČSÚ")
    out.table(wide.iloc[:, :3], "uzka", caption="Úzká tabulka", source="ČSÚ")
    document = Document(build_documents(out.dir)[0])
    orientations = [(s.orientation, round(s.page_width.mm), round(s.page_height.mm)) for s in document.sections]
    assert orientations == [(WD_ORIENT.PORTRAIT, 210, 297), (WD_ORIENT.LANDSCAPE, 297, 210),
                            (WD_ORIENT.PORTRAIT, 210, 297)]
    assert {round(s.left_margin.cm, 2) for s in document.sections} == {2.5}
    captions = {p.text: p._p for p in document.paragraphs if p.style.name == "Caption"}
    wide_table, narrow_table = document.tables
    assert _section_of(document, captions[f"Tabulka{NBSP}1: Široká tabulka"]) == 1
    assert _section_of(document, wide_table._tbl) == 1
    assert _section_of(document, captions[f"Tabulka{NBSP}2: Úzká tabulka"]) == 2
    assert sum(c.width for c in wide_table.columns) == pytest.approx(Cm(24.7), abs=Cm(0.01))
    assert {r.font.size for cell in wide_table.rows[1].cells for r in cell.paragraphs[0].runs} == {Pt(8)}
    assert wide_table.rows[1].cells[0].text == f"123{NBSP}456{NBSP}789"
    assert sum(c.width for c in narrow_table.columns) == pytest.approx(Cm(16), abs=Cm(0.01))


class _Resources(HTMLParser):
    """Collects src/href of scripts, styles, images, frames and links."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def _external(html: str) -> list[str]:
    parser = _Resources()
    parser.feed(html)
    inline_css = re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", html)
    return [u for u in parser.urls if re.match(r"(https?:)?//", u)] + inline_css


def test_export_html_is_self_contained_without_code(tmp_path):
    png = (tmp_path / "x.png")
    Image.new("RGB", (4, 3), "red").save(png)
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Sociodemografická analýza\n\nText kapitoly."),
        nbformat.v4.new_code_cell("tajny_kod_bunky()", execution_count=1, outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(png.read_bytes()).decode()}),
        ]),
    ])
    nbformat.write(notebook, tmp_path / "01_x.ipynb")
    target = export_html(tmp_path / "01_x.ipynb", tmp_path / "01_x.html")
    html = target.read_text(encoding="utf-8")
    assert "Sociodemografická analýza" in html and "Text kapitoly." in html
    assert "tajny_kod_bunky" not in html and "In&nbsp;[1]" not in html
    assert html.count('src="data:image/png;base64,') == 1
    assert _external(html) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01_x.html", "01_x.ipynb", "x.png"]


# --------------------------------------------------------------------------- real run


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["Sokolov", "Praha"])
def test_real_run_documents_hold_every_figure_and_table(seed_runs, name, tmp_path):
    folder = shutil.copytree(seed_runs[name], tmp_path / seed_runs[name].name)  # leave the shared run as it is
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    items = manifest["items"]
    paths = build_documents(folder)
    chapters = sorted({i["chapter"] for i in items})
    assert [p.name for p in paths] == [f"{folder.name}.docx"] + [f"{folder.name}_{c}.docx" for c in chapters]
    document = Document(paths[0])
    figures = [i for i in items if i["kind"] == "figure"]
    tables = [i for i in items if i["kind"] == "table" and i["in_documents"]]
    assert len(document.inline_shapes) == len(figures) >= 8
    assert len(document.tables) == len(tables) >= 8
    assert _texts(document, "Heading 1")[0] == "Sociodemografická analýza"
    captions = _texts(document, "Caption")
    numbers = [c.split(":")[0] for c in captions if c.startswith("Graf")]
    assert numbers == [f"Graf{NBSP}{n}" for n in range(1, len(figures) + 1)]
    assert f"Tabulka{NBSP}1: {tables[0]['caption']}" in captions
    # every cell of the Word tables is Czech-formatted text: no decimal point, no bare float repr
    cells = [cell.text for table in document.tables for row in table.rows[1:] for cell in row.cells]
    assert not [c for c in cells if re.fullmatch(r"-?\d+\.\d+", c)]
    # every table fills the text width: 16 cm, or 24.7 cm on a landscape page of its own
    widths = [round(sum(c.width for c in table.columns) / Cm(0.1)) for table in document.tables]
    assert set(widths) <= {160, 247}
    # landscape pages only for them, consecutive wide tables share them: no empty page between two sections
    orientations = [section.orientation for section in document.sections]
    assert all(a != b for a, b in zip(orientations, orientations[1:]))
    assert orientations.count(WD_ORIENT.LANDSCAPE) <= widths.count(247) and (247 in widths) == (len(orientations) > 1)


@pytest.mark.e2e
def test_real_run_html_report_is_self_contained(seed_runs, tmp_path):
    notebooks = sorted(seed_runs["Sokolov"].glob("[0-9][0-9]_*.ipynb"))
    assert notebooks[0].name == "01_demografie.ipynb"
    shown = 0
    for notebook in notebooks:
        html = export_html(notebook, tmp_path / f"{notebook.stem}.html").read_text(encoding="utf-8")
        assert _external(html) == [], notebook.name
        # no code cells (highlighted source) and no In/Out prompts; the default exporter has all three
        assert [m for m in ('class="highlight', 'class="jp-InputPrompt', 'class="jp-OutputPrompt') if m in html] == []
        images = [o for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"
                  for o in c.outputs if "image/png" in o.get("data", {})]
        assert html.count('src="data:image/png;base64,') == len(images), notebook.name
        shown += len(images)
    assert shown > 0  # chapter 07 without a plan has no figure, the others have


def test_export_html_prints_on_a4_without_paths_and_with_czech_typography(tmp_path):
    folder = tmp_path / ".4107-sokolov.partial"  # a run writes into the staging folder first
    folder.mkdir()
    final = tmp_path / "4107-sokolov"
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Obce\n\nStav k 31. 12. 2020, změna -1,1 %."),
        nbformat.v4.new_code_cell("x", execution_count=1, outputs=[nbformat.v4.new_output(
            "display_data", data={"text/markdown": f"Výstupy se ukládají do `{final}`, kopie v `{folder}/tables`."})]),
    ])
    nbformat.write(notebook, folder / "01_x.ipynb")
    html = export_html(folder / "01_x.ipynb", folder / "01_x.html").read_text(encoding="utf-8")
    assert str(tmp_path) not in html and "<code>4107-sokolov</code>" in html and "4107-sokolov/tables" in html
    assert f"k{NBSP}31.{NBSP}12.{NBSP}2020" in html and "\u22121,1" in html
    # print: A4 pages, headings kept with what follows, tables within the page width, text left-aligned
    for rule in ("@page { size: A4;", "break-after: avoid", "overflow: visible !important",
                 "td.text { text-align: left; white-space: normal; }", "thead { display: table-header-group; }"):
        assert rule in html.replace(", .jp-RenderedHTMLCommon th.text", ""), rule


def test_html_table_has_its_source_line(tmp_path):
    out = ChapterOutput(SOKOLOV, tmp_path / "4107-sokolov", "01_demografie")
    view = out.table(pd.DataFrame({"Obec": ["Sokolov"], "Obyvatelé": [22155]}), "t", caption="Obce",
                     source="ČSÚ, 2024", notes="Stav k 1. 1. 2024.")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("out.table(...)", execution_count=1, outputs=[
        nbformat.v4.new_output("execute_result", data={"text/html": view._repr_html_()}, execution_count=1)])])
    nbformat.write(notebook, out.dir / "01_x.ipynb")
    html = export_html(out.dir / "01_x.ipynb", out.dir / "01_x.html").read_text(encoding="utf-8")
    assert re.search(r'</table>\s*<p class="kpss-source">Zdroj: ČSÚ, 2024</p><p class="kpss-source">Poznámka: Stav', html)
    assert 'class="data row0 col0 text"' in html and 'class="data row0 col1 num"' in html


def test_documents_skip_analyst_tables_and_set_core_properties(tmp_path):
    out = ChapterOutput(SOKOLOV, tmp_path / "4107-sokolov", "03_socialni_sluzby")
    frame = pd.DataFrame({"Název": ["Služba v Brně"], "IČO": ["00000001"]})
    out.table(frame, "kontrola", caption="Služby bez adresy", source="MPSV", in_documents=False)
    out.table(frame.assign(Název="Služba"), "plan", caption="Služby", source="MPSV")
    document = Document(build_documents(out.dir)[0])
    assert _texts(document, "Caption") == [f"Tabulka{NBSP}1: Služby"] and len(document.tables) == 1
    properties = document.core_properties
    assert properties.author == "kpss-analysis" and properties.title == "SO ORP Sokolov"
    assert properties.created.year >= 2026 and "python-docx" not in (properties.author, properties.last_modified_by)


def test_table_text_has_one_size_unless_landscape_needs_a_smaller_one(tmp_path):
    out = ChapterOutput(SOKOLOV, tmp_path / "4107-sokolov", "02_projekce")
    # 10 columns of 9-digit numbers: too wide for portrait at 9 pt, fits landscape at 9 pt
    out.table(pd.DataFrame({f"S{i}": np.array([123456789], dtype="int64") for i in range(10)}), "siroka",
              caption="Široká", source="ČSÚ")
    out.table(pd.DataFrame({"A": [1], "B": [2]}), "uzka", caption="Úzká", source="ČSÚ")
    document = Document(build_documents(out.dir)[0])
    sizes = [{r.font.size for cell in t.rows[1].cells for r in cell.paragraphs[0].runs} for t in document.tables]
    assert sizes == [{None}, {None}]  # both at the style's 9 pt: the wide one on a landscape page, not shrunk
    assert document.styles[documents.TABLE_STYLE].font.size == Pt(9)
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]


def _docx_texts(document) -> list[str]:
    return [p.text for p in document.paragraphs] + [cell.text for table in document.tables for row in table.rows
                                                    for cell in row.cells]


@pytest.mark.e2e
def test_real_run_documents_are_ready_to_paste(seed_runs, data_dir, monkeypatch):
    """Issue 19 on the real Sokolov run: every defect a plan editor found, checked in the outputs."""
    from kpss_analysis.data import load

    folder = seed_runs["Sokolov"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    items = {(i["kind"], i["name"]): i for i in manifest["items"]}
    document = Document(folder / "dokumenty" / f"{folder.name}.docx")
    services = Document(folder / "dokumenty" / f"{folder.name}_03_socialni_sluzby.docx")
    captions = _texts(document, "Caption")
    # 1. the capacity-gap table is in the DOCX (beside its figure), not replaced by it
    gap = items[("table", "sluzby_potreba_kapacit")]
    assert any(re.fullmatch(rf"Tabulka{NBSP}\d+: {re.escape(gap['caption'])}", c) for c in captions)
    assert ("figure", "sluzby_potreba_kapacit_graf") in items
    # 2. no national list: the services tables name no obec outside the ORP
    territory = (monkeypatch.setenv("KPSS_DATA_DIR", str(data_dir)), load.load_territory())[1]
    inside = set(territory.loc[territory["orp_kod"] == "4107", "obec_nazev"])
    outside = sorted(set(territory["obec_nazev"]) - inside, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, outside)) + r")\b")
    cells = [cell.text for table in services.tables for row in table.rows for cell in row.cells]
    assert sorted({hit for cell in cells for hit in pattern.findall(cell)}) == []
    assert not items[("table", "sluzby_bez_adresy")]["in_documents"]
    # 3. whole numbers of services and a Poznámka on how they are counted
    overview = json.loads((folder / "tables" / "sluzby_prehled.table.json").read_text(encoding="utf-8"))
    assert all("," not in cell for row in overview["rows"] for cell in row[1:])
    paragraphs = [p.text for p in document.paragraphs]
    assert any(p.startswith("Poznámka: Služba se v") for p in paragraphs)
    capacities = json.loads((folder / "tables" / "sluzby_kapacity.table.json").read_text(encoding="utf-8"))
    assert all("," not in cell for row in capacities["rows"] for cell in row[3:])
    # 4. Czech typography: no breakable date, no hyphen for a minus, in any text of the document
    texts = _docx_texts(document)
    assert [t for t in texts if re.search(r"\d{1,2}\. \d{1,2}\.", t)] == []
    assert [t for t in texts if re.search(r"(?<![\w)\]./-])-\d", t)] == []
    assert any("\u2212" in t for t in texts)
    # 5. no absolute path in any output a person opens
    root = str(folder.parent)
    outputs = [*folder.glob("*.html"), *folder.glob("dokumenty/*.docx"), *folder.glob("tables/*.xlsx")]
    leaks = []
    for path in outputs:
        if path.suffix == ".html":
            leaks += [path.name] if root in path.read_text(encoding="utf-8") else []
        else:
            with zipfile.ZipFile(path) as archive:
                leaks += [f"{path.name}:{n}" for n in archive.namelist() if root.encode() in archive.read(n)]
    assert leaks == []
    # 6. one figure width; 7. kraj names in the genitive
    widths = set()
    for png in folder.glob("figures/**/*.png"):
        with Image.open(png) as image:
            widths.add(image.width)
    assert len(widths) == 1
    assert not [t for t in texts if "kraje Karlovarský kraj" in t] and any("Karlovarského kraje" in t for t in texts)
    # 8. one table text size (the style's 9 pt); smaller only for a table too wide for a landscape page at 9 pt
    for table in document.tables:
        sizes = {r.font.size for row in table.rows for cell in row.cells for p in cell.paragraphs for r in p.runs}
        landscape = round(sum(c.width for c in table.columns) / Cm(0.1)) == 247
        assert sizes == {None} or (landscape and len(sizes) == 1 and sizes < {Pt(8), Pt(7)}), table.rows[0].cells[0].text
    # core properties of the package, catalogue phones in one format
    assert document.core_properties.author == documents.AUTHOR
    catalogue = json.loads((folder / "tables" / "sluzby_katalog.json").read_text(encoding="utf-8"))
    phones = [p for group in catalogue["groups"] for entry in group["entries"] for p in entry["phone"]]
    czech = [p for p in phones if re.fullmatch(r"(420)?\d{9}", re.sub(r"\D", "", p))]  # not a malformed one
    assert len(czech) > 10 and all(re.fullmatch(rf"\+420{NBSP}\d{{3}}{NBSP}\d{{3}}{NBSP}\d{{3}}", p) for p in czech)


def test_consecutive_wide_tables_share_landscape_pages(tmp_path):
    out = ChapterOutput(SOKOLOV, tmp_path / "4107-sokolov", "02_projekce")
    wide = pd.DataFrame({f"S{i}": np.array([123456789], dtype="int64") for i in range(12)})
    out.table(wide, "siroka_1", caption="Široká 1", source="ČSÚ")
    out.table(wide, "siroka_2", caption="Široká 2", source="ČSÚ")
    fig = _figure()
    out.figure(fig, "graf", caption="Graf", source="ČSÚ")
    plt.close(fig)
    document = Document(build_documents(out.dir)[0])
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
