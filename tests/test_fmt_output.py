"""Czech number formatting, and the files ChapterOutput writes (XLSX, CSV, PNG, SVG, JSON)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from kpss_analysis import config, fmt  # noqa: E402
from kpss_analysis.analysis.territory import Orp  # noqa: E402
from kpss_analysis.errors import ParameterError  # noqa: E402
from kpss_analysis.report import figure_files, output
from kpss_analysis.report.output import A4_TEXT_WIDTH_IN, ChapterOutput  # noqa: E402

NBSP = "\u00a0"
SOKOLOV = Orp("4107", "Sokolov", "3051", "Karlovarský kraj", 31)


# --------------------------------------------------------------------------- fmt


@pytest.mark.parametrize("value, decimals, expected", [
    (2.5, 0, "3"),                 # half up, not Babel's half to even ('2')
    (3.5, 0, "4"),
    (0.5, 0, "1"),
    (0.05, 1, "0,1"),              # from repr '0.05', not the binary 0.05000000000000000277
    (2.675, 2, "2,68"),            # binary 2.67499999… would give 2,67
    (-3.25, 1, "\u22123,3"),       # half away from zero for negatives; the minus sign, never a hyphen
    (12345.678, 1, f"12{NBSP}345,7"),
    (10701777, 0, f"10{NBSP}701{NBSP}777"),
    (1234567.891, 2, f"1{NBSP}234{NBSP}567,89"),
    (999.96, 1, f"1{NBSP}000,0"),
    (7, 2, "7,00"),
    (np.int64(4500), 0, f"4{NBSP}500"),
    (np.float64(21.449), 1, "21,4"),
    (0, 0, "0"),
])
def test_number(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan])
def test_number_missing_is_dash(missing):
    assert fmt.number(missing) == "–"
    assert fmt.percent(missing) == "–"
    assert fmt.signed(missing, 1) == "–"


def test_percent():
    assert fmt.percent(21.43) == f"21,4{NBSP}%"
    assert fmt.percent(21.45) == f"21,5{NBSP}%"  # half up
    assert fmt.percent(3.14159, 2) == f"3,14{NBSP}%"
    assert fmt.percent(100, 0) == f"100{NBSP}%"


def test_signed():
    assert fmt.signed(3.92, 1) == "+3,9"
    assert fmt.signed(1234.5, 1) == f"+1{NBSP}234,5"
    assert fmt.signed(-3.25, 1) == "\u22123,3"  # true minus sign, half away from zero
    assert fmt.signed(-1500) == f"\u22121{NBSP}500"
    assert fmt.signed(0) == "0"
    assert fmt.signed(-1) == "−1"


def test_date():
    assert fmt.date("2020-12-31") == f"31.{NBSP}12.{NBSP}2020"
    assert fmt.date(dt.date(2024, 1, 1)) == f"1.{NBSP}1.{NBSP}2024"


def test_axis_formatter():
    formatter = fmt.axis_formatter(1, f"{NBSP}%")
    assert formatter(1234.56, 0) == f"1{NBSP}234,6{NBSP}%"
    assert fmt.axis_formatter()(2.5, 0) == "3"


# --------------------------------------------------------------------------- tables


@pytest.fixture()
def out(tmp_path) -> ChapterOutput:
    return ChapterOutput(SOKOLOV, tmp_path / "out", "01_demografie")


@pytest.fixture()
def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Obec": ["Sokolov", "Březová"],
        "Obyvatelé": np.array([23456, 2800], dtype="int64"),
        "Podíl 65+ (%)": [21.43, 18.75],
    })


def test_default_output_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("KPSS_OUTPUT_DIR", str(tmp_path / "outputs"))
    chapter = ChapterOutput(SOKOLOV, None, "01_demografie")
    assert chapter.dir == (tmp_path / "outputs" / "4107-sokolov").resolve()
    assert chapter.dir.is_dir()


def test_table_xlsx(out, frame):
    out.table(frame, "01_obce", caption="Tab. 1: Obce SO ORP Sokolov", source="ČSÚ, 2020",
              notes="Stav k 31. 12. 2020.")
    wb = openpyxl.load_workbook(out.dir / "tables" / "01_obce.xlsx")
    sheet = wb["Tabulka"]
    assert sheet["A1"].value == "Tab. 1: Obce SO ORP Sokolov"
    assert sheet["A1"].font.bold
    assert sheet["A2"].value is None
    assert [c.value for c in sheet[3]] == ["Obec", "Obyvatelé", "Podíl 65+ (%)"]
    # data rows 4-5 keep numbers as numbers
    assert [sheet["A4"].value, sheet["B4"].value, sheet["C4"].value] == ["Sokolov", 23456, 21.43]
    assert isinstance(sheet["B5"].value, int) and sheet["B5"].value == 2800
    assert isinstance(sheet["C5"].value, float) and sheet["C5"].value == 18.75
    # ints → '#,##0', floats → '#,##0.0', text untouched
    assert sheet["B4"].number_format == fmt.excel_format(0) and sheet["B5"].number_format == fmt.excel_format(0)
    assert sheet["C4"].number_format == fmt.excel_format(1) and sheet["C5"].number_format == fmt.excel_format(1)
    assert sheet["A4"].number_format == "General"
    # 2 data rows: header 3, rows 4-5, blank 6, source in row 2 + 5 = 7, note in 8
    assert sheet["A6"].value is None
    assert sheet["A7"].value == "Zdroj: ČSÚ, 2020"
    assert sheet["A8"].value == f"Poznámka: Stav k{NBSP}31.{NBSP}12.{NBSP}2020."  # no-break spaces (fmt.text)
    assert sheet.max_row == 8
    assert sheet.freeze_panes == "A4"


def test_table_explicit_decimals(out, frame):
    out.table(frame, "t", caption="c", source="s", decimals={"Podíl 65+ (%)": 2, "Obyvatelé": 1})
    sheet = openpyxl.load_workbook(out.dir / "tables" / "t.xlsx")["Tabulka"]
    assert sheet["B4"].number_format == fmt.excel_format(1)
    assert sheet["C4"].number_format == fmt.excel_format(2)
    # no notes → the source line is the last row
    assert sheet["A7"].value == "Zdroj: s" and sheet.max_row == 7


def test_table_row_decimals(out):
    key_figures = pd.DataFrame({
        "ukazatel": ["Počet obyvatel", "Index stáří", "Počet obcí"],
        "SO ORP Sokolov": [48000.0, 123.456, 31.0],
        "Česko": [10701777.0, 131.2, 6258.0],
    })
    styler = out.table(key_figures, "kf", caption="Klíčové ukazatele", source="ČSÚ", row_decimals=[0, 1, 0])
    sheet = openpyxl.load_workbook(out.dir / "tables" / "kf.xlsx")["Tabulka"]
    assert [sheet[f"B{r}"].number_format for r in (4, 5, 6)] == [fmt.excel_format(0), fmt.excel_format(1), fmt.excel_format(0)]
    assert [sheet[f"C{r}"].number_format for r in (4, 5, 6)] == [fmt.excel_format(0), fmt.excel_format(1), fmt.excel_format(0)]
    assert sheet["A5"].number_format == "General"
    assert sheet["B5"].value == 123.456  # the value itself is not rounded
    assert sheet["A8"].value == "Zdroj: ČSÚ"  # 3 rows + 5
    html = styler.to_html()
    # notebook display: 48 000 without decimals, index stáří with 1 decimal, ČR 10 701 777
    assert f"48{NBSP}000<" in html
    assert "123,5<" in html
    assert f"10{NBSP}701{NBSP}777<" in html
    assert "48000.0" not in html


def test_table_styler_by_column(out, frame):
    frame.loc[1, "Podíl 65+ (%)"] = np.nan
    html = out.table(frame, "t", caption="Titulek", source="s").to_html()
    assert f"23{NBSP}456<" in html and "21,4<" in html and ">–<" in html
    assert "Titulek" in html


def test_table_csv(out, frame):
    out.table(frame, "01_obce", caption="c", source="s")
    raw = (out.dir / "tables" / "01_obce.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].decode("utf-8").splitlines()
    # Rounded as the table shows it (one decimal by default, half up), decimal comma for Czech Excel.
    assert lines == ["Obec;Obyvatelé;Podíl 65+ (%)", "Sokolov;23456;21,4", "Březová;2800;18,8"]
    back = pd.read_csv(out.dir / "tables" / "01_obce.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert back["Podíl 65+ (%)"].tolist() == [21.4, 18.8]


def test_table_manifest_and_replacement(out, frame):
    out.table(frame, "01_obce", caption="První", source="ČSÚ")
    out.table(frame, "02_jine", caption="Druhá", source="ČSÚ")
    out.table(frame.head(1), "01_obce", caption="První, znovu", source="ČSÚ 2")
    manifest = json.loads((out.dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["orp"] == {"code": "4107", "name": "Sokolov"}
    names = [i["name"] for i in manifest["items"]]
    assert sorted(names) == ["01_obce", "02_jine"]  # replaced, not duplicated
    item = next(i for i in manifest["items"] if i["name"] == "01_obce")
    assert item == {"kind": "table", "name": "01_obce", "chapter": "01_demografie", "caption": "První, znovu",
                    "source": "ČSÚ 2", "notes": None, "in_documents": True,
                    "files": ["tables/01_obce.xlsx", "tables/01_obce.csv", "tables/01_obce.table.json"]}
    # the re-saved table has 1 row: the source line moved to row 1 + 5 = 6
    sheet = openpyxl.load_workbook(out.dir / "tables" / "01_obce.xlsx")["Tabulka"]
    assert sheet["A6"].value == "Zdroj: ČSÚ 2"
    # no temporary files left behind
    leftovers = [p.name for p in out.dir.rglob("*") if ".tmp" in p.name]
    assert leftovers == []


# --------------------------------------------------------------------------- figures


def _figure():
    fig, ax = plt.subplots(figsize=(A4_TEXT_WIDTH_IN, 3))
    ax.plot([2020, 2021, 2022], [100, 98.5, 99.1])
    return fig


def test_figure_png_svg(out, monkeypatch):
    monkeypatch.setenv("KPSS_FIGURE_FORMATS", "png,svg")
    fig = _figure()
    try:
        paths = out.figure(fig, "01_vyvoj", caption="Vývoj počtu obyvatel", source="ČSÚ, 2024")
    finally:
        plt.close(fig)
    png, svg = paths
    assert (png.name, svg.name) == ("01_vyvoj.png", "01_vyvoj.svg")
    assert png.parent == out.dir / "figures"
    with Image.open(png) as image:
        width, height = image.size
        dpi = image.info["dpi"]
        title = image.info.get("Title")
        source = image.info.get("Source")
        standalone = np.asarray(image.convert("RGB"))
    assert dpi == pytest.approx((300, 300), abs=0.01)
    # 16 cm = 6.30 in × 300 dpi = 1890 px: the full text width
    assert abs(width - A4_TEXT_WIDTH_IN * 300) < 1
    assert title == "Vývoj počtu obyvatel" and source == "ČSÚ, 2024"
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "<title>Vývoj počtu obyvatel</title>" in text
    # the same box in points (SVG) and pixels (PNG) → exactly 300 px per inch, title and source included
    svg_width_pt = float(text.split('width="', 1)[1].split("pt", 1)[0])
    svg_height_pt = float(text.split('height="', 1)[1].split("pt", 1)[0])
    assert width / (svg_width_pt / 72) == pytest.approx(300, rel=0.01)
    assert height / (svg_height_pt / 72) == pytest.approx(300, rel=0.02)
    # the SVG has the title and the source line as text
    assert "Vývoj počtu obyvatel" in text and "Zdroj: ČSÚ, 2024" in text
    # the standalone PNG is the bare chart, unchanged, between a title strip and a source strip
    with Image.open(out.dir / "figures" / "bare" / "01_vyvoj.png") as image:
        bare = np.asarray(image.convert("RGB"))
    assert bare.shape[1] == width and bare.shape[0] < height - 40
    top = next(row for row in range(height - bare.shape[0] + 1)
               if np.array_equal(standalone[row:row + bare.shape[0]], bare))
    assert (standalone[:top] < 128).any() and (standalone[top + bare.shape[0]:] < 200).any()  # title, source ink


def test_figure_default_is_png_only(out, monkeypatch):
    monkeypatch.delenv("KPSS_FIGURE_FORMATS", raising=False)
    fig = _figure()
    try:
        paths = out.figure(fig, "f", caption="Graf", source="ČSÚ")
    finally:
        plt.close(fig)
    assert [p.name for p in paths] == ["f.png"]
    assert sorted(p.name for p in (out.dir / "figures").rglob("*") if p.is_file()) == ["f.png", "f.png"]


def test_figure_formats_are_checked(monkeypatch):
    assert config.parse_figure_formats("SVG, png") == ("png", "svg")
    assert config.parse_figure_formats("svg") == ("png", "svg")
    monkeypatch.setenv("KPSS_FIGURE_FORMATS", "png,pdf")
    with pytest.raises(ParameterError, match="pdf"):
        config.figure_formats()


def test_figure_long_caption_wraps(out):
    caption = ("Velmi dlouhý popisek obrázku, který se na šířku textu A4 nevejde na jeden řádek, " * 2).strip()
    heights = {}
    for name, text in (("short", "Krátký popisek"), ("long", caption)):
        fig = _figure()
        try:
            out.figure(fig, name, caption=text, source="ČSÚ")
            strip = figure_files.text_strip(fig, text, size=figure_files.TITLE_SIZE, weight="bold")
        finally:
            plt.close(fig)
        with Image.open(out.dir / "figures" / f"{name}.png") as image:
            heights[name] = image.size
        # 6.3 in × 13 ≈ 81 characters per line → 161 characters need 2+ lines, the short one 1
        assert (strip.text.count("\n") >= 1) == (name == "long")
        assert abs(strip.pixels.shape[1] - A4_TEXT_WIDTH_IN * 300) < 1
    # the figure keeps its width; the second line of the title makes it taller
    assert heights["long"][0] == heights["short"][0] and heights["long"][1] > heights["short"][1] + 30


def test_source_strips_are_kept_titles_not(out):
    fig = _figure()
    try:
        first = figure_files.text_strip(fig, "Zdroj: ČSÚ", size=7, keep=True)
        assert figure_files.text_strip(fig, "Zdroj: ČSÚ", size=7, keep=True) is first
        assert figure_files.text_strip(fig, "Zdroj: ČSÚ", size=7) is not first
        with plt.rc_context({"font.family": "serif"}):  # a different font is a different strip
            assert figure_files.text_strip(fig, "Zdroj: ČSÚ", size=7, keep=True) is not first
    finally:
        plt.close(fig)


def test_figure_manifest_replaces(out, frame, monkeypatch):
    monkeypatch.setenv("KPSS_FIGURE_FORMATS", "png,svg")
    out.table(frame, "t1", caption="Tabulka", source="ČSÚ")
    for caption in ("První verze", "Druhá verze"):
        fig = _figure()
        try:
            out.figure(fig, "01_vyvoj", caption=caption, source="ČSÚ")
        finally:
            plt.close(fig)
    manifest = json.loads((out.dir / "manifest.json").read_text(encoding="utf-8"))
    assert [(i["kind"], i["name"]) for i in manifest["items"]] == [("table", "t1"), ("figure", "01_vyvoj")]
    figure = manifest["items"][1]
    assert figure == {"kind": "figure", "name": "01_vyvoj", "chapter": "01_demografie", "caption": "Druhá verze",
                      "source": "ČSÚ", "files": ["figures/01_vyvoj.png", "figures/01_vyvoj.svg"],
                      "bare_png": "figures/bare/01_vyvoj.png"}


def test_figure_and_table_of_one_name_are_both_kept(out, frame):
    out.table(frame, "stav", caption="Tabulka", source="ČSÚ")
    fig = _figure()
    try:
        out.figure(fig, "stav", caption="Graf", source="ČSÚ")
    finally:
        plt.close(fig)
    out.table(frame, "stav", caption="Tabulka 2", source="ČSÚ")
    manifest = json.loads((out.dir / "manifest.json").read_text(encoding="utf-8"))
    assert [(i["kind"], i["name"], i["caption"]) for i in manifest["items"]] == [
        ("figure", "stav", "Graf"), ("table", "stav", "Tabulka 2")]


# --------------------------------------------------------------------------- summary


def test_summary_merges_sections(out):
    out.summary("demografie", {"population": 48000, "share_65plus": 21.4})
    out.summary("mos", {"migration_balance_per_1000": -2.5})
    path = out.summary("demografie", {"population": 47000})
    data = json.loads(path.read_text(encoding="utf-8"))
    assert path == out.dir / "summary.json"
    assert data == {"orp": {"code": "4107", "name": "Sokolov"},
                    "demografie": {"population": 47000},
                    "mos": {"migration_balance_per_1000": -2.5}}


def test_write_json_keeps_czech_and_is_atomic(tmp_path):
    path = output.write_json(tmp_path / "a" / "x.json", {"název": "Příbram", "hodnota": 1.5})
    text = path.read_text(encoding="utf-8")
    assert '"název": "Příbram"' in text and text.endswith("}\n")
    assert sorted(p.name for p in path.parent.iterdir()) == ["x.json"]
    assert output.read_json(tmp_path / "missing.json", {"default": True}) == {"default": True}


def test_write_atomically_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "t.txt"
    target.write_text("old", encoding="utf-8")

    def failing(p):
        p.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        output.write_atomically(target, failing)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.txt"]


def test_column_decimals():
    frame = pd.DataFrame({"a": [1, 2], "b": [1.5, math.nan], "c": ["x", "y"], "d": [1.0, 2.0]})
    assert output.column_decimals(frame, {"d": 3}) == {"a": 0, "b": 1, "c": None, "d": 3}


def test_table_csv_whole_number_columns_of_floats_have_no_decimals(out):
    frame = pd.DataFrame({"Rok": [2030, 2040], "Obyvatelé": [8316.6, float("nan")], "Podíl": [0.25, 1.35]})
    out.table(frame, "t", caption="c", source="s", decimals={"Obyvatelé": 0, "Podíl": 1})
    lines = (out.dir / "tables" / "t.csv").read_text(encoding="utf-8-sig").splitlines()
    # Half up (0,25 → 0,3; a float 1.35 is shown as 1,4 like fmt.number), a missing count stays empty.
    assert lines == ["Rok;Obyvatelé;Podíl", "2030;8317;0,3", "2040;;1,4"]


@pytest.mark.parametrize("raw, expected", [
    ("stav k 31. 12. 2020", f"stav k{NBSP}31.{NBSP}12.{NBSP}2020"),      # a date never breaks
    ("Stav k 1. 1. roku", f"Stav k{NBSP}1.{NBSP}1. roku"),
    ("na 1 000 obyvatel", f"na 1{NBSP}000 obyvatel"),                  # nor a number
    ("služby podle § 37", f"služby podle §{NBSP}37"),
    ("změna -1,1 a (-2)", f"změna −1,1 a{NBSP}(−2)"),                    # minus sign, not a hyphen
    ("kód 2020-12-31, ORP-1, x-1", "kód 2020-12-31, ORP-1, x-1"),        # hyphens in dates, codes, words stay
    ("v roce 2030, 2040", f"v{NBSP}roce 2030, 2040"),                    # one-letter prepositions
])
def test_text_typography(raw, expected):
    assert fmt.text(raw) == expected


@pytest.mark.parametrize("count, expected", [(0, "obcí"), (1, "obec"), (2, "obce"), (4, "obce"), (5, "obcí"),
                                             (21, "obcí"), (1.5, "obce")])
def test_plural_follows_cldr_rules(count, expected):
    assert fmt.plural(count, "obec", "obce", "obcí") == expected


def test_kraj_cases_and_phone():
    assert fmt.kraj_genitive("Karlovarský kraj") == "Karlovarského kraje"
    assert fmt.kraj_locative("Kraj Vysočina") == "kraji Vysočina"
    assert fmt.kraj_genitive("Hlavní město Praha") == "hlavního města Prahy"
    assert fmt.phone("359800111") == f"+420{NBSP}359{NBSP}800{NBSP}111"
    assert fmt.phone("+420 602-123-456") == f"+420{NBSP}602{NBSP}123{NBSP}456"
    assert fmt.phone(" +49 30 1234 ") == "+49 30 1234"  # not Czech: as given


def test_display_json_is_what_documents_show(out):
    frame = pd.DataFrame({"Druh": ["Domov A-1", "Celkem"], "Rok": [2030, 2040], "Lůžka": [213.4, -0.04],
                          "Rozdíl": [-12.5, np.nan]})
    view = out.table(frame, "t", caption="Stav k 31. 12. 2020", source="ČSÚ", notes="Dělení § 37.",
                     decimals={"Rok": None, "Lůžka": 0})
    shown = json.loads((out.dir / "tables" / "t.table.json").read_text(encoding="utf-8"))
    assert shown == {"caption": f"Stav k{NBSP}31.{NBSP}12.{NBSP}2020", "source": "ČSÚ",
                     "notes": f"Dělení §{NBSP}37.", "header": ["Druh", "Rok", "Lůžka", "Rozdíl"],
                     "numeric": [False, True, True, True],
                     "rows": [["Domov A-1", "2030", "213", "\u221212,5"], ["Celkem", "2040", "0", "–"]]}
    # the notebook shows the same cells, text left and numbers right, and the Zdroj/Poznámka lines below
    html = view.to_html()
    assert "\u221212,5<" in html and 'class="kpss-source">Zdroj: ČSÚ<' in html and "Poznámka: Dělení" in html
    assert "text-align: left" in html and "text-align: right" in html
    assert repr(view).splitlines()[-1] == "Zdroj: ČSÚ" and "\u221212,5" in repr(view)  # no object address
    # XLSX: full precision, the minus sign in the display format, header row height, print setup
    sheet = openpyxl.load_workbook(out.dir / "tables" / "t.xlsx")["Tabulka"]
    assert sheet["C4"].value == 213.4 and sheet["D4"].number_format == '#,##0.0;"\u2212"#,##0.0'
    assert sheet.row_dimensions[3].height >= 15
    assert sheet.print_title_rows == "$3:$3" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_catalogue_phone_numbers_in_one_format(out):
    entry = {"name": "PS", "provider": "Město", "ico": "1", "addresses": [], "forms": [], "capacities": [],
             "web": [], "email": [], "phone": ["359 800 111", "+420602123456"]}
    out.catalogue([{"druh": "Pečovatelská služba", "paragraph": "§ 40", "group": "péče", "entries": [entry]}],
                  "katalog", caption="Katalog", source="MPSV")
    data = json.loads((out.dir / "tables" / "katalog.json").read_text(encoding="utf-8"))
    assert data["groups"][0]["entries"][0]["phone"] == [f"+420{NBSP}359{NBSP}800{NBSP}111",
                                                       f"+420{NBSP}602{NBSP}123{NBSP}456"]


def test_chapter_intro_names_the_folder_and_counts_obce_in_czech(tmp_path):
    from kpss_analysis.report.chapter import Chapter

    praha = Orp("1000", "Praha", "3018", "Hlavní město Praha", 1)
    intro = Chapter(pd.DataFrame(), praha, ChapterOutput(praha, tmp_path / "1000-praha", "01_demografie")).intro()
    assert f"; 1{fmt.NBSP}obec." in intro.data and "`1000-praha`" in intro.data and str(tmp_path) not in intro.data
    sokolov = Chapter(pd.DataFrame(), SOKOLOV, ChapterOutput(SOKOLOV, tmp_path / "x", "01_demografie")).intro()
    assert f"; 31{fmt.NBSP}obcí." in sokolov.data


def test_png_bytes_round_trip_pixels_dpi_and_text():
    # noise: every byte of the Up filter wraps around (a row below a brighter one), in both directions
    pixels = np.random.default_rng(7).integers(0, 256, (41, 67, 3), dtype=np.uint8)
    data = figure_files.png_bytes(pixels, {"Title": "Podíl osob 65+ (%)", "Source": "ČSÚ, 31. 12. 2023"}, dpi=150)
    with Image.open(io.BytesIO(data)) as image:
        image.load()  # decoding checks every chunk's CRC and the deflate stream
        assert (image.mode, image.size) == ("RGB", (67, 41))
        assert image.info["dpi"] == pytest.approx((150, 150), abs=0.02)  # pHYs: whole pixels per metre
        assert image.text == {"Title": "Podíl osob 65+ (%)", "Source": "ČSÚ, 31. 12. 2023"}
        assert np.array_equal(np.asarray(image), pixels)
    assert figure_files.png_bytes(pixels) == figure_files.png_bytes(pixels.copy())  # the same pixels, the same bytes


def test_display_png_is_a_reduced_copy():
    pixels = np.zeros((30, 60, 3), dtype=np.uint8)
    pixels[:, 30:] = 255
    with Image.open(io.BytesIO(figure_files.display_png(pixels, 100))) as image:
        reduced = np.asarray(image)
    assert reduced.shape == (10, 20, 3)
    assert (reduced[:, :10] == 0).all() and (reduced[:, 10:] == 255).all()


def test_render_keeps_content_below_the_figure():
    """A legend placed below the axes reaches past the figure: the raster grows to hold it, at the same width."""
    fig, ax = plt.subplots(figsize=(A4_TEXT_WIDTH_IN, 2), layout="constrained")
    ax.plot([1, 2], [3, 4])
    ax.legend(["řada s dlouhým názvem"], loc="upper left", bbox_to_anchor=(0, -0.8), fontsize=14)
    rendered = figure_files.render(fig)
    plt.close(fig)
    assert rendered.box.y0 < 0
    assert rendered.pixels.shape == (round(rendered.box.height * figure_files.DPI),
                                     int(A4_TEXT_WIDTH_IN * figure_files.DPI), 3)
    below = rendered.pixels[round(rendered.box.y1 * figure_files.DPI):]  # rows under the figure's bottom edge
    assert len(below) > (figure_files.FIGURE_PAD_IN + 0.05) * figure_files.DPI  # more than the padding
    assert (below < 100).any()  # the legend's text is there
    assert (rendered.pixels[-3:] == 255).all()  # and the padding under it is the figure's white
