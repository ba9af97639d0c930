"""Charts readable in print: greyscale-safe diverging map, labels clear of lines and axes, one width and font."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.font_manager as fm  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402
from shapely.geometry import box  # noqa: E402

from kpss_analysis.analysis.territory import Orp  # noqa: E402
from kpss_analysis.report import fonts, plots  # noqa: E402
from kpss_analysis.report.figure_files import DPI  # noqa: E402
from kpss_analysis.report.output import A4_TEXT_WIDTH_IN, ChapterOutput  # noqa: E402

SOKOLOV = Orp("4107", "Sokolov", "3051", "Karlovarský kraj", 31)
TEXT_WIDTH_PX = round(A4_TEXT_WIDTH_IN * DPI)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _grey_at(fig, ax, points) -> list[int]:
    """Grey level (0–255, ITU-R 601 luma as PIL converts) of the rendered figure at data points."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    with Image.open(buffer) as image:
        grey = image.convert("L")
        height = grey.height
        return [grey.getpixel((int(x), int(height - y))) for x, y in ax.transData.transform(points)]


def test_diverging_map_keeps_its_classes_apart_in_greyscale():
    # Migration balances of ten obce from −25 to +30 per 1 000: five classes, both sides of zero.
    values = [-25.0, -20.0, -15.0, -6.0, -1.0, 0.5, 2.0, 19.0, 25.0, 30.0]
    obce = gpd.GeoDataFrame({"value": values}, geometry=[box(i * 10, 0, i * 10 + 10, 10) for i in range(10)],
                            crs="EPSG:5514")
    fig, ax = plots.new_figure(0.4)
    plots.map_choropleth(obce, "value", ax=ax, diverging=True, legend_title="Migrační saldo")
    classes, _ranges = plots.classify(obce["value"])
    greys = _grey_at(fig, ax, [(i * 10 + 5, 5) for i in range(10)])
    by_class = {int(c): g for c, g in zip(classes, greys)}
    levels = sorted(by_class.values())
    assert len(by_class) == 5
    # every class its own grey, at least 25 of 255 levels apart, none near-white, darkest = lowest values
    assert min(np.diff(levels)) >= 25 and levels[-1] < 240
    assert [by_class[c] for c in sorted(by_class)] == levels
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("\u221225") and "+30" in legend[-1]  # signed classes, the minus sign


def test_ranking_values_stand_clear_of_reference_lines():
    ranking = pd.DataFrame({"orp_kod": ["1", "2", "3"], "orp_nazev": ["Alfa", "Beta", "Gama"],
                            "value": [22.1, 20.4, 19.9], "rank": [1, 2, 3]})
    fig, ax = plots.new_figure(0.3)
    plots.plot_ranking(ranking, "2", references={"Kraj": 20.5, "Česko": 20.0}, suffix=" %", ax=ax)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    right = ax.get_window_extent(renderer).x1
    twin = next(other for other in fig.axes if other is not ax)
    labels = [t for t in twin.get_yticklabels() if t.get_text()]
    assert [t.get_text() for t in labels] == ["22,1", "20,4", "19,9"]  # top to bottom, as the bars
    # every value label lies right of the plot area, where no bar or reference line reaches
    assert all(t.get_window_extent(renderer).x0 >= right for t in labels)
    assert [t.get_fontweight() for t in labels] == ["normal", "bold", "normal"]


def test_grouped_bar_labels_stay_inside_the_axes():
    table = pd.DataFrame({"kategorie": ["65+", "80+"], "ORP": [-1234.0, 2500.0], "Kraj": [-300.0, 80.0]})
    fig, ax = plots.new_figure(0.4)
    plots.plot_grouped_bars(table, "kategorie", ["ORP", "Kraj"], decimals=0, signed=True, ax=ax)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    box_ = ax.get_window_extent(renderer)
    labels = [t for t in ax.texts if t.get_text()]
    assert sorted(t.get_text() for t in labels) == sorted(["\u22121\u00a0234", "+2\u00a0500", "\u2212300", "+80"])
    assert all(box_.x0 <= t.get_window_extent(renderer).x0 and t.get_window_extent(renderer).x1 <= box_.x1
               for t in labels)
    # hatches keep the series apart in greyscale, in the legend too
    assert [p.get_hatch() for p in ax.get_legend().get_patches()] == [None, "///"] or \
        [p.get_hatch() or "" for p in ax.get_legend().get_patches()] == ["", "///"]


def test_series_break_label_sits_above_the_lines():
    table = pd.DataFrame({"year": [2019, 2020, 2021, 2022, 2023], "a": [100, 99, 98, 101, 102]})
    fig, ax = plots.new_figure(0.5)
    plots.plot_index_series(table, ["a"], ["Česko"], breaks=[(2021, 2022, "přepočet podle SLDB 2021")], ax=ax)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    label = next(t for t in ax.texts if t.get_text().startswith("přepočet"))
    assert label.get_window_extent(renderer).y0 >= ax.get_window_extent(renderer).y1


def test_charts_use_arimo_in_every_face_without_a_system_font(tmp_path):
    """Arimo (Arial metrics) from the pip package: regular and bold are real faces, not one face for both."""
    plots.use_style()
    assert plt.rcParams["font.sans-serif"][0] == "Arimo"
    regular = fm.findfont(fm.FontProperties(family="Arimo"), fallback_to_default=False)
    bold = fm.findfont(fm.FontProperties(family="Arimo", weight="bold"), fallback_to_default=False)
    assert Path(regular).name == "Arimo-Regular.ttf" and Path(bold).name == "Arimo-Bold.ttf"
    made = fonts.font_files(tmp_path)  # what a new machine makes from the variable font
    assert [p.name for p in made] == [f"Arimo-{face}.ttf" for face in fonts.FACES]
    weights = {p.stem: fm.ttfFontProperty(fm.get_font(str(p))).weight for p in made}
    assert weights == {"Arimo-Regular": 400, "Arimo-Bold": 700, "Arimo-Italic": 400, "Arimo-BoldItalic": 700}


def test_every_saved_figure_has_the_text_width(tmp_path):
    out = ChapterOutput(SOKOLOV, tmp_path, "01_demografie")
    long = "Velmi dlouhý název grafu, který by jinak rozšířil obrázek za šířku textu " * 3
    for name, height, caption in (("a", 0.3, "Krátký"), ("b", 0.8, long)):
        fig, ax = plots.new_figure(height)
        ax.plot([2020, 2030], [1, 2])
        ax.legend(["řada s dlouhým popisem v legendě"], loc="upper left", bbox_to_anchor=(1.0, 1.0))
        out.figure(fig, name, caption=caption, source="ČSÚ, " + "zdroj " * 40)
    widths = set()
    for png in [*tmp_path.glob("figures/*.png"), *tmp_path.glob("figures/bare/*.png")]:
        with Image.open(png) as image:
            widths.add(image.width)
    assert len(widths) == 1 and abs(widths.pop() - TEXT_WIDTH_PX) <= 1  # 16 cm at 300 dpi, whatever the title


def test_maps_are_not_rendered_while_their_layers_are_added(monkeypatch):
    # geopandas asks for a redraw after every layer; on Agg that is a full render each time. A map must reach its
    # save with no render at all, and the canvas must ask for redraws again afterwards.
    renders = []
    monkeypatch.setattr(type(plt.figure().canvas), "draw", lambda canvas, *a, **k: renders.append(canvas))
    obce = gpd.GeoDataFrame({"value": [1.0, 2.0, None, 4.0]}, geometry=[box(i, 0, i + 1, 1) for i in range(4)],
                            crs="EPSG:5514")
    outline = gpd.GeoDataFrame(geometry=[box(0, 0, 4, 1)], crs="EPSG:5514")
    fig, ax = plots.new_figure(0.4)
    plots.map_choropleth(obce, "value", ax=ax, outline=outline, k=2)
    plots.map_service_places(obce.iloc[:0].assign(size_value=[], druh_group=[], at_obec_point=[]), obce, ax=ax)
    assert renders == [] and len(ax.collections) >= 4  # two classes, the hatched obec, outline, obce
    fig.canvas.draw_idle()
    assert renders == [fig.canvas]
