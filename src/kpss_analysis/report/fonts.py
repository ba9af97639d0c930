"""The charts' font: Arimo, metric-compatible with Arial (the Word documents' font), the same on every machine.

Arimo comes from PyPI (``fontpkg-arimo``, SIL Open Font License) as a variable font; matplotlib reads only a
variable font's default instance, so the regular, bold, italic and bold italic faces are made once per machine
with fontTools' instancer into matplotlib's cache folder and registered with its font manager. No system font is
needed, and a chart has the same bytes wherever it is drawn.
"""

from __future__ import annotations

import os
import secrets
from functools import cache
from importlib import metadata, resources
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer
from matplotlib import font_manager

FAMILY = "Arimo"
#: Face → (variable font file of the package, weight).
FACES = {"Regular": ("Arimo[wght].ttf", 400), "Bold": ("Arimo[wght].ttf", 700),
         "Italic": ("Arimo-Italic[wght].ttf", 400), "BoldItalic": ("Arimo-Italic[wght].ttf", 700)}


def font_files(folder: Path | None = None) -> list[Path]:
    """The static faces of :data:`FAMILY` in ``folder`` (default: matplotlib's cache), made when missing."""
    version = metadata.version("fontpkg-arimo")
    folder = folder or Path(matplotlib.get_cachedir()) / f"kpss-{FAMILY.lower()}-{version}"
    folder.mkdir(parents=True, exist_ok=True)
    source = resources.files("fontpkg_arimo") / "files"
    paths = []
    for face, (variable, weight) in FACES.items():
        path = folder / f"{FAMILY}-{face}.ttf"
        if not path.is_file():
            with resources.as_file(source / variable) as file:
                static = instancer.instantiateVariableFont(TTFont(file), {"wght": weight}, updateFontNames=True)
            temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")  # two kernels may make it at once
            static.save(temporary)
            os.replace(temporary, path)
        paths.append(path)
    return paths


@cache
def register_chart_fonts() -> str:
    """Register the faces with matplotlib (once per process) and return the family name to use."""
    for path in font_files():
        font_manager.fontManager.addfont(str(path))
    return FAMILY
