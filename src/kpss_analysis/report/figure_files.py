"""Render a chart once and make every file a plan needs from that one rendering.

A saved figure used to be drawn six times (a layout pass and a rendering for each of the bare PNG,
the titled PNG and the SVG) and a seventh time by the notebook's inline display. Now:

* the chart is laid out and rasterised **once** at 300 dpi (:func:`render`), at exactly the A4
  text width and the height its content needs (a fixed width instead of ``bbox_inches="tight"``:
  every figure placed at text width then has the same text size in a document) — that raster is
  the bare PNG documents use under their own numbered caption;
* the title and the "Zdroj:" line are drawn on their own small canvases (:func:`text_strip`) and
  stacked above and below that raster: the standalone PNG, without redrawing the chart;
* the SVG is the chart once more as vectors, with the same title and source placed in the same
  spots (:func:`add_strips_to`), its layout kept from the raster's (no second layout pass);
* the notebook shows a reduced copy of the standalone PNG (:func:`display_png`) instead of the
  inline backend drawing the chart again.

PNG and SVG bytes depend only on the figure (fixed metadata, no dates, SVG ids from a salt), so a
warm and a fresh kernel write the same files.
"""

from __future__ import annotations

import functools
import io
import struct
import textwrap
import zlib
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image
from zlib_ng import zlib_ng

DPI = 300
#: Padding around a saved figure's content, inches.
FIGURE_PAD_IN = 0.08
#: Space above and below a title or source line, inches.
STRIP_GAP_IN = 0.03
#: Title and source line sizes (pt) of a saved figure.
TITLE_SIZE, SOURCE_SIZE = 10, 7
SOURCE_COLOR = "#333333"
#: Deflate level of the PNGs (zlib-ng): with every row "Up"-filtered, level 4 encodes the charts of an ORP
#: about 8× faster than Pillow (adaptive filters, zlib level 1) and the files are about 10 % smaller.
PNG_LEVEL = 4
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: rcParams that change how a text strip looks, part of its cache key.
FONT_KEYS = ("font.family", "font.sans-serif", "font.serif", "text.antialiased", "text.hinting", "text.hinting_factor")
#: Left edge of the title and the source line, as a fraction of the figure width.
TEXT_X = 0.01


@dataclass(frozen=True)
class Rendered:
    """The chart rasterised at :data:`DPI`: RGB rows top to bottom and the box they show (inches)."""

    pixels: np.ndarray
    box: Bbox


@dataclass(frozen=True)
class Strip:
    """A title or source line: its wrapped text, its raster (full width) and its height in inches."""

    text: str
    pixels: np.ndarray
    height_in: float
    size: float
    weight: str
    color: str


def _rgb(canvas: FigureCanvasAgg) -> np.ndarray:
    return np.asarray(canvas.buffer_rgba())[:, :, :3]


def render(fig: plt.Figure) -> Rendered:
    """Lay out and rasterise ``fig`` once at :data:`DPI`, cropped to the text width × its content.

    The padding may reach past the canvas (constrained layout leaves less than
    :data:`FIGURE_PAD_IN`): it is filled with the figure's colour. Content itself reaching past
    the figure's height (rare: a legend placed below the axes) is rendered by ``savefig`` with
    that box instead.
    """
    old_canvas, old_dpi = fig.canvas, fig.dpi
    canvas = FigureCanvasAgg(fig)
    try:
        fig.dpi = DPI
        canvas.draw()
        tight = fig.get_tightbbox(canvas.get_renderer())
        width, height = fig.get_figwidth(), fig.get_figheight()
        box = Bbox.from_extents(0, tight.y0 - FIGURE_PAD_IN, width, tight.y1 + FIGURE_PAD_IN)
        pixels = _rgb(canvas)
        if tight.y0 >= 0 and tight.y1 <= height:
            top, bottom = round((height - box.y1) * DPI), round((height - box.y0) * DPI)
            color = np.round(np.asarray(to_rgb(fig.get_facecolor())) * 255)
            pixels = np.vstack([_rows(max(0, -top), pixels.shape[1], color), pixels[max(0, top):bottom],
                                _rows(max(0, bottom - pixels.shape[0]), pixels.shape[1], color)])
        else:  # raw RGBA rows of the box's width (the figure's), not a PNG to encode and decode again
            buffer = io.BytesIO()
            fig.savefig(buffer, format="rgba", dpi=DPI, bbox_inches=box)
            pixels = np.frombuffer(buffer.getbuffer(), np.uint8).reshape(-1, pixels.shape[1], 4)[:, :, :3]
    finally:
        fig.dpi = old_dpi
        fig.set_canvas(old_canvas)
    return Rendered(pixels, box)


def _rows(count: int, width: int, color) -> np.ndarray:
    """``count`` rows of ``width`` pixels in ``color`` (RGB)."""
    rows = np.empty((count, width, 3), dtype=np.uint8)
    rows[...] = color
    return rows


def wrap_to_width(artist, text: str, width_in: float | None = None) -> str:
    """Set ``artist``'s text to ``text`` wrapped so that it fits ``width_in`` (default: the figure width).

    Measured with the figure's renderer, so long titles never widen a saved figure: the longest
    lines that fit, found from an estimate of the characters per line downwards. Returns the text set.
    """
    figure = artist.get_figure()
    renderer = figure.canvas.get_renderer()
    allowed = ((width_in or figure.get_figwidth()) - 2 * FIGURE_PAD_IN - TEXT_X * figure.get_figwidth()) * figure.dpi
    artist.set_text(text)
    width = artist.get_window_extent(renderer).width
    if width <= allowed:
        return text
    # A line may hold more characters than the average when they are narrow: start well above it.
    start = min(len(text), int(len(text) * allowed / width * 1.3) + 2)
    for chars in range(start, 9, -1):
        wrapped = "\n".join(textwrap.wrap(text, chars, break_on_hyphens=False))
        artist.set_text(wrapped)
        if artist.get_window_extent(renderer).width <= allowed:
            return wrapped
    return artist.get_text()


def text_strip(fig: plt.Figure, text: str, *, size: float, weight: str = "normal", color: str = "black",
               keep: bool = False) -> Strip:
    """``text`` wrapped to ``fig``'s width and rasterised on a canvas of that width (a title or source line).

    With ``keep`` the strip is kept per process (a source line serves many figures, of every ORP of
    a batch), keyed by everything that shapes it, the font settings included.
    """
    key = (text, size, weight, color, fig.get_figwidth(), to_rgb(fig.get_facecolor()),
           tuple((name, str(plt.rcParams[name])) for name in FONT_KEYS))
    return _kept_strip(*key) if keep else _strip(*key)


def _strip(text: str, size: float, weight: str, color: str, width: float, facecolor: tuple, _fonts: tuple) -> Strip:
    strip = Figure(figsize=(width, 1), dpi=DPI, facecolor=facecolor)
    canvas = FigureCanvasAgg(strip)
    artist = strip.text(TEXT_X, 0.5, text, ha="left", va="center", fontsize=size, fontweight=weight, color=color)
    wrapped = wrap_to_width(artist, text)
    height = artist.get_window_extent(canvas.get_renderer()).height / DPI + 2 * STRIP_GAP_IN
    strip.set_size_inches(width, height)
    canvas.draw()
    pixels = _rgb(canvas).copy()
    pixels.setflags(write=False)  # shared by every figure with this line
    return Strip(wrapped, pixels, height, size, weight, color)


_kept_strip = functools.lru_cache(maxsize=64)(_strip)


def _to_width(pixels: np.ndarray, width: int) -> np.ndarray:
    """``pixels`` cut or padded (white) on the right to ``width`` columns (rounding may differ by one)."""
    if pixels.shape[1] >= width:
        return pixels[:, :width]
    return np.hstack([pixels, _rows(pixels.shape[0], width - pixels.shape[1], 255)])


def stack(title: Strip, rendered: Rendered, source: Strip) -> np.ndarray:
    """The standalone figure: the title strip, the chart and the source strip, one below the other."""
    width = rendered.pixels.shape[1]
    return np.vstack([_to_width(title.pixels, width), rendered.pixels, _to_width(source.pixels, width)])


def png_bytes(pixels: np.ndarray, metadata: dict[str, str] | None = None, dpi: float = DPI) -> bytes:
    """``pixels`` (RGB rows) as PNG bytes with ``dpi`` (pHYs) and text ``metadata`` (UTF-8 iTXt chunks).

    Every row is stored with the PNG "Up" filter (its difference from the row above, one numpy
    subtraction for the whole image) and the rows are deflated by zlib-ng in one call. Pillow
    instead tries all five filters on every row and deflates with zlib: for the mostly white rows
    of a chart that choice buys nothing, and it took most of the time a figure's files cost.
    """
    height, width, _ = pixels.shape
    rows = pixels.reshape(height, width * 3)
    filtered = np.empty((height, width * 3 + 1), dtype=np.uint8)
    filtered[:, 0] = 2  # filter type Up; the first row has no row above (type None)
    filtered[0, 0] = 0
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])  # modulo 256, as the filter is defined
    per_metre = round(dpi / 0.0254)
    chunks = [(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),  # 8-bit RGB, not interlaced
              (b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
              *((b"iTXt", key.encode("latin-1") + b"\0\0\0\0\0" + value.encode("utf-8"))
                for key, value in (metadata or {}).items()),
              (b"IDAT", zlib_ng.compress(filtered, PNG_LEVEL)),
              (b"IEND", b"")]
    return PNG_SIGNATURE + b"".join(struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
                                    for kind, data in chunks)


def add_strips_to(fig: plt.Figure, rendered: Rendered, title: Strip, source: Strip) -> Bbox:
    """Put the title above and the source below the rendered box of ``fig``; returns the box of all three.

    The texts stay out of the layout, and the layout of the rendering is kept (no second pass), so
    the vector copy shows the chart exactly as the raster does.
    """
    height = fig.get_figheight()
    box = rendered.box
    for strip, middle in ((title, box.y1 + title.height_in / 2), (source, box.y0 - source.height_in / 2)):
        fig.text(TEXT_X, middle / height, strip.text, ha="left", va="center", fontsize=strip.size,
                 fontweight=strip.weight, color=strip.color, in_layout=False)
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine("none")
    return Bbox.from_extents(0, box.y0 - source.height_in, box.x1, box.y1 + title.height_in)


def display_png(pixels: np.ndarray, dpi: float) -> bytes:
    """A copy of ``pixels`` reduced from :data:`DPI` to about ``dpi`` for the notebook (PNG bytes).

    By a whole factor (box filter: fast, and sharp enough for a screen), e.g. 300 → 100 dpi.
    """
    factor = max(1, round(DPI / dpi))
    return png_bytes(np.asarray(Image.fromarray(pixels, "RGB").reduce(factor)), dpi=DPI / factor)
