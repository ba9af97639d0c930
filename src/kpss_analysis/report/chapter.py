"""What every chapter notebook opens with, as one call: the territory, the ORP, its output folder.

A chapter notebook's first code cell after ``parameters`` is::

    chapter = open_chapter(orp, output_dir, "01_demografie")
    territory, unit, out, units = chapter.territory, chapter.unit, chapter.out, chapter.units

and ends with ``chapter.intro(...)``, the line that tells the reader which territory the chapter describes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd
from IPython.display import Markdown

from kpss_analysis import fmt
from kpss_analysis.analysis.demography import comparison_units
from kpss_analysis.analysis.territory import Orp, find_orp
from kpss_analysis.data.load import load_territory
from kpss_analysis.report.output import ChapterOutput


@dataclass(frozen=True)
class Chapter:
    """A chapter's territory table, its ORP and the :class:`ChapterOutput` that saves its figures and tables."""

    territory: pd.DataFrame
    unit: Orp
    out: ChapterOutput

    @property
    def units(self) -> list[str]:
        """Names of the compared units in table order: the ORP, its kraj, Česko."""
        return [label for _level, _code, label in comparison_units(self.unit)]

    def intro(self, *details: str) -> Markdown:
        """The opening line: territory, kraj, number of obce, ``details`` (e.g. the horizon), the output folder.

        The folder is named by its own name, never by an absolute path (outputs are shared with others).
        """
        unit = self.unit
        parts = [f"**Území:** SO ORP {unit.name} (kód ČSÚ {unit.code}), {unit.kraj_name}; "
                 f"{fmt.count(unit.n_obce, 'obec', 'obce', 'obcí')}.",
                 *details, f"Výstupy se ukládají do složky `{self.out.final_dir.name}`."]
        return Markdown(" ".join(parts))


def open_chapter(orp: str, output_dir: str | os.PathLike | None, chapter: str) -> Chapter:
    """Find the ORP (an unknown or ambiguous name stops with a message listing candidates) and open its outputs.

    Parameters
    ----------
    orp
        The ``orp`` parameter: a name (any case, with or without diacritics) or a ČSÚ code.
    output_dir
        The ``output_dir`` parameter; empty means ``<outputs>/<code>-<slug>``.
    chapter
        The notebook's stem, e.g. ``"01_demografie"``: recorded with every figure and table.
    """
    territory = load_territory()
    unit = find_orp(orp, territory)
    return Chapter(territory, unit, ChapterOutput(unit, output_dir, chapter=chapter))
