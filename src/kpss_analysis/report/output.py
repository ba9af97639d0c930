"""Save figures and tables for a plan document, and keep the list of what was produced.

Every figure goes through :meth:`ChapterOutput.figure` (PNG at 300 dpi + SVG, A4 text
width, Czech title and "Zdroj:" line) and every table through :meth:`ChapterOutput.table`
(XLSX + CSV in UTF-8 with BOM, ``;`` and decimal comma for Czech Excel). Both record the
item in ``manifest.json`` of the output folder, which ``kpss run`` completes with the run's
parameters and data vintages, and from which documents are assembled.
"""

from __future__ import annotations

import json
import os
import secrets
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kpss_analysis import config, fmt
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.errors import DamagedFileError

#: A4 with 2.5 cm margins leaves a 16 cm text column.
A4_TEXT_WIDTH_IN = 16 / 2.54
DPI = 300
MANIFEST = "manifest.json"
STAGING_SUFFIX = ".partial"
#: Column headers of a catalogue's XLSX, and the entry keys of its JSON after druh, § and group.
CATALOGUE_HEADERS = ("Druh služby", "§", "Skupina", "Název služby", "Poskytovatel", "IČO", "Adresa", "Forma",
                     "Kapacita", "Web", "E-mail", "Telefon")
CATALOGUE_KEYS = ("name", "provider", "ico", "addresses", "forms", "capacities", "web", "email", "phone")
SUMMARY = "summary.json"


def write_atomically(path: Path, writer: Callable[[Path], None]) -> Path:
    """Write via a temporary sibling and rename, so a file is either old or complete.

    The temporary name is unique per call, so two processes writing the same file never
    write into each other's temporary file (the last rename wins, whole).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}-{secrets.token_hex(4)}{path.suffix}")
    try:
        writer(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_json(path: Path, data: object) -> Path:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return write_atomically(path, lambda p: p.write_text(text + "\n", encoding="utf-8"))


def read_json(path: Path, default: object) -> object:
    """The JSON in ``path``, or ``default`` when it is missing or damaged (see :func:`load_json`)."""
    try:
        return load_json(path, default)
    except DamagedFileError:
        return default


def load_json(path: Path, default: object) -> object:
    """The JSON in ``path``, or ``default`` when it is missing.

    Raises
    ------
    DamagedFileError
        The file exists but is not readable JSON (truncated, overwritten, not UTF-8).
    """
    if not path.is_file():
        return default
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise DamagedFileError(f"{path} is damaged ({type(exc).__name__}: {exc}).") from exc


def column_decimals(frame: pd.DataFrame, decimals: Mapping[str, int] | None) -> dict[str, int | None]:
    """Decimals per column: given ones, 0 for integers, 1 for other floats, None for text."""
    out: dict[str, int | None] = {}
    for column in frame.columns:
        series = frame[column]
        if decimals and column in decimals:
            out[column] = decimals[column]
        elif pd.api.types.is_integer_dtype(series):
            out[column] = 0
        elif pd.api.types.is_float_dtype(series):
            out[column] = 1
        else:
            out[column] = None
    return out


def style_table(frame: pd.DataFrame, decimals: Mapping[str, int] | None = None, caption: str | None = None,
                row_decimals: list[int] | None = None):
    """A pandas Styler with Czech number formatting, no index, for display in a notebook.

    ``row_decimals`` sets decimals per row of the numeric columns (a table whose rows are
    indicators of different kinds); otherwise decimals go by column.
    """
    decimals_by_column = column_decimals(frame, decimals)
    styler = frame.style.hide(axis="index")
    if row_decimals is None:
        formats = {c: (lambda v, d=d: fmt.number(v, d)) for c, d in decimals_by_column.items() if d is not None}
        styler = styler.format(formats, na_rep=fmt.MISSING)
    else:
        numeric = [c for c, d in decimals_by_column.items() if d is not None]
        for position, d in enumerate(row_decimals):
            styler = styler.format(lambda v, d=d: fmt.number(v, d), na_rep=fmt.MISSING,
                                   subset=pd.IndexSlice[frame.index[position], numeric])
    return styler.set_caption(caption) if caption else styler


def staging_dir(final: Path) -> Path:
    """A hidden sibling, unique per call, that a run writes into before swapping it in as ``final``.

    Named ``.<final>.<token>.partial``: :func:`staged_final` maps it back, and leftovers of a killed
    run are recognised by the prefix ``.<final>.`` (see :mod:`kpss_analysis.run.locks`).
    """
    return final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}{STAGING_SUFFIX}")


def staged_final(folder: Path) -> Path:
    """The folder that ``folder`` becomes: itself, or the final folder of a staging folder."""
    name = folder.name
    if name.startswith(".") and name.endswith(STAGING_SUFFIX):
        return folder.with_name(name[1:-len(STAGING_SUFFIX)].rsplit(".", 1)[0])
    return folder


class ChapterOutput:
    """Output folder of one ORP: ``figures/``, ``tables/``, ``manifest.json``, ``summary.json``.

    Parameters
    ----------
    orp
        The territory the outputs describe.
    output_dir
        Folder to write to; empty means ``<outputs>/<code>-<slug>`` (see :mod:`config`).
    chapter
        Chapter id recorded with every item, e.g. ``"01_demografie"``.
    """

    def __init__(self, orp: Orp, output_dir: str | os.PathLike | None, chapter: str):
        self.orp = orp
        self.chapter = chapter
        self.dir = Path(output_dir) if output_dir else config.output_dir() / orp.folder_name
        self.dir.mkdir(parents=True, exist_ok=True)

    @property
    def final_dir(self) -> Path:
        """Where the outputs end up: :attr:`dir`, or the folder a run's staging folder becomes."""
        return staged_final(self.dir)

    # -- manifest -----------------------------------------------------------------------
    def _register(self, item: dict) -> None:
        # Strict: overwriting a damaged manifest would forget what the other chapters produced.
        path = self.dir / MANIFEST
        manifest = load_json(path, {"orp": {"code": self.orp.code, "name": self.orp.name}, "items": []})
        manifest["items"] = [i for i in manifest["items"] if i["name"] != item["name"]] + [item]
        write_json(path, manifest)

    def summary(self, section: str, values: Mapping[str, object]) -> Path:
        """Merge ``values`` under ``section`` into ``summary.json`` (numbers, not text)."""
        path = self.dir / SUMMARY
        summary = load_json(path, {"orp": {"code": self.orp.code, "name": self.orp.name}})
        summary[section] = values
        return write_json(path, summary)

    # -- figures ------------------------------------------------------------------------
    def figure(self, fig: plt.Figure, name: str, *, caption: str, source: str) -> list[Path]:
        """Add the title and "Zdroj:" line to ``fig`` and save it as PNG (300 dpi) and SVG.

        Before that, a bare PNG without title and source goes to ``figures/bare/`` (manifest key
        ``bare_png``) for documents that set their own numbered caption. Returns the PNG and SVG
        paths. The figure stays open so that the notebook still shows it.
        """
        bare = write_atomically(self.dir / "figures" / "bare" / f"{name}.png", lambda p: fig.savefig(
            p, dpi=DPI, bbox_inches="tight", pad_inches=0.08, format="png"))
        width_chars = int(fig.get_figwidth() * 13)  # ≈ characters per line at 9 pt
        fig.suptitle("\n".join(textwrap.wrap(caption, width_chars)), x=0.01, y=1.0, ha="left", va="bottom",
                     fontsize=10, fontweight="bold")
        fig.text(0.01, -0.01, "\n".join(textwrap.wrap(f"Zdroj: {source}", int(width_chars * 1.25))),
                 ha="left", va="top", fontsize=7, color="#333333")
        paths = []
        # Same figure, same bytes: SVG ids from a fixed salt instead of random ones, and no date.
        with plt.rc_context({"svg.hashsalt": name}):
            for suffix in (".png", ".svg"):
                target = self.dir / "figures" / f"{name}{suffix}"
                paths.append(write_atomically(target, lambda p, s=suffix: fig.savefig(
                    p, dpi=DPI, bbox_inches="tight", pad_inches=0.08, format=s[1:],
                    metadata={"Title": caption, "Date": None} if s == ".svg" else {"Title": caption, "Source": source})))
        self._register({"kind": "figure", "name": name, "chapter": self.chapter, "caption": caption,
                        "source": source, "files": [str(p.relative_to(self.dir)) for p in paths],
                        "bare_png": str(bare.relative_to(self.dir))})
        return paths

    # -- tables -------------------------------------------------------------------------
    def table(self, frame: pd.DataFrame, name: str, *, caption: str, source: str,
              decimals: Mapping[str, int] | None = None, row_decimals: list[int] | None = None,
              notes: str | None = None):
        """Save ``frame`` as XLSX and CSV and return a Czech-formatted Styler to display.

        ``decimals`` fixes the decimals of given columns (defaults: 0 for integers, 1 for
        other numbers; ``None`` shows a column as it is, e.g. years and codes without a
        thousands separator). The XLSX keeps numbers as numbers with a display format, so Excel
        can still compute with them; the caption is above the table and the source below.
        ``row_decimals`` sets decimals per row instead (see :func:`style_table`).
        """
        decimals_by_column = column_decimals(frame, decimals)
        xlsx = write_atomically(self.dir / "tables" / f"{name}.xlsx",
                                 lambda p: _write_xlsx(p, frame, caption, source, notes, decimals_by_column, row_decimals))
        csv = write_atomically(self.dir / "tables" / f"{name}.csv",
                                lambda p: _rounded(frame, decimals_by_column, row_decimals).to_csv(
                                    p, sep=";", decimal=",", index=False, encoding="utf-8-sig"))
        self._register({"kind": "table", "name": name, "chapter": self.chapter, "caption": caption,
                        "source": source, "notes": notes,
                        "files": [str(p.relative_to(self.dir)) for p in (xlsx, csv)]})
        return style_table(frame, decimals, caption, row_decimals)

    # -- catalogue ----------------------------------------------------------------------
    def catalogue(self, groups: list[dict], name: str, *, caption: str, source: str) -> list[Path]:
        """Save a catalogue of services as XLSX (one row per service) and JSON for documents.

        ``groups`` is :func:`kpss_analysis.analysis.catalogue.compute_catalogue`: per druh ``druh``,
        ``paragraph``, ``group`` and ``entries`` (``name``, ``provider``, ``ico``, ``addresses``,
        ``forms``, ``capacities``, ``web``, ``email``, ``phone``). The JSON holds
        ``{"caption", "source", "groups"}`` exactly; the XLSX has Czech headers and lists joined
        by "; ". Returns the XLSX and JSON paths.
        """
        rows = []
        for group in groups:
            for entry in group["entries"]:
                values = [group["druh"], group["paragraph"], group["group"], *(entry[key] for key in CATALOGUE_KEYS)]
                rows.append(["; ".join(v) if isinstance(v, list) else v for v in values])
        frame = pd.DataFrame(rows, columns=list(CATALOGUE_HEADERS))
        xlsx = write_atomically(self.dir / "tables" / f"{name}.xlsx", lambda p: _write_xlsx(
            p, frame, caption, source, None, dict.fromkeys(frame.columns), None))
        data = write_json(self.dir / "tables" / f"{name}.json", {"caption": caption, "source": source, "groups": groups})
        self._register({"kind": "catalogue", "name": name, "chapter": self.chapter, "caption": caption,
                        "source": source, "files": [str(p.relative_to(self.dir)) for p in (xlsx, data)]})
        return [xlsx, data]


def _rounded(frame: pd.DataFrame, decimals: Mapping[str, int | None], row_decimals: list[int] | None) -> pd.DataFrame:
    """The numbers as the table shows them (the CSV carries no display format, unlike the XLSX)."""
    if row_decimals is not None:  # a column mixes decimals: write the text Czech Excel reads as numbers
        numeric = [c for c, d in decimals.items() if d is not None]
        rounded = frame.astype(dict.fromkeys(numeric, object))
        for position, d in enumerate(row_decimals):
            for column in numeric:
                value = frame[column].iloc[position]
                rounded.loc[rounded.index[position], column] = (
                    "" if pd.isna(value) else f"{fmt.round_half_up(value, d):.{d}f}".replace(".", ","))
        return rounded
    floats = {c: d for c, d in decimals.items() if d is not None and pd.api.types.is_float_dtype(frame[c])}
    rounded = {c: frame[c].map(lambda v, d=d: fmt.round_half_up(v, d)) for c, d in floats.items()}
    # Whole numbers without ",0" (nullable integers keep the missing cells empty).
    return frame.assign(**{c: v.astype("Int64") if floats[c] == 0 else v for c, v in rounded.items()})


def _write_xlsx(path: Path, frame: pd.DataFrame, caption: str, source: str, notes: str | None,
                decimals: Mapping[str, int | None], row_decimals: list[int] | None) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Tabulka", startrow=2, index=False)
        sheet = writer.sheets["Tabulka"]
        sheet["A1"] = caption
        sheet["A1"].font = Font(bold=True, size=12)
        footer_row = len(frame) + 5
        sheet.cell(row=footer_row, column=1, value=f"Zdroj: {source}").font = Font(italic=True, size=9)
        if notes:
            sheet.cell(row=footer_row + 1, column=1, value=f"Poznámka: {notes}").font = Font(italic=True, size=9)
        for index, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(index)
            sheet[f"{letter}3"].alignment = Alignment(wrap_text=True, vertical="top")
            if decimals.get(column) is not None:
                for offset in range(len(frame)):
                    d = row_decimals[offset] if row_decimals is not None else decimals[column]
                    sheet[f"{letter}{offset + 4}"].number_format = "#,##0" + ("." + "0" * d if d else "")
            longest = max([len(str(column)) // 2 + 2] + [len(str(v)) for v in frame[column].head(200)])
            sheet.column_dimensions[letter].width = min(max(10, longest + 2), 60)
        sheet.freeze_panes = "A4"
