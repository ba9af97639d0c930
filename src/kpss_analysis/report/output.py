"""Save figures and tables for a plan document, and keep the list of what was produced.

Every figure goes through :meth:`ChapterOutput.figure` (PNG at 300 dpi, SVG on request, exactly the A4
text width, Czech title and "Zdroj:" line) and every table through :meth:`ChapterOutput.table`
(XLSX + CSV in UTF-8 with BOM, ``;`` and decimal comma for Czech Excel, and ``<name>.table.json``:
the table as documents show it, every cell already formatted). All record the item in
``manifest.json`` of the output folder, which ``kpss run`` completes with the run's parameters and
data vintages, and from which documents are assembled. Texts pass :func:`kpss_analysis.fmt.text`.
"""

from __future__ import annotations

import html
import json
import math
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython import get_ipython
from IPython.display import Image, display
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kpss_analysis import config, fmt
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.errors import DamagedFileError
from kpss_analysis.report import figure_files

#: A4 with 2.5 cm margins leaves a 16 cm text column.
A4_TEXT_WIDTH_IN = 16 / 2.54
MANIFEST = "manifest.json"
STAGING_SUFFIX = ".partial"
#: Column headers of a catalogue's XLSX, and the entry keys of its JSON after druh, § and group.
CATALOGUE_HEADERS = ("Druh služby", "§", "Skupina", "Název služby", "Poskytovatel", "IČO", "Adresa", "Forma",
                     "Kapacita", "Web", "E-mail", "Telefon")
CATALOGUE_KEYS = ("name", "provider", "ico", "addresses", "forms", "capacities", "web", "email", "phone")
SUMMARY = "summary.json"
#: Suffix of the display-ready copy of a table (see :func:`display_table`).
TABLE_JSON = ".table.json"
#: XLSX: columns whose widths add up to more characters than this print on a landscape page.
XLSX_PORTRAIT_CHARS = 110


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


def _write_bytes(path: Path, data: bytes) -> Path:
    return write_atomically(path, lambda p: p.write_bytes(data))


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


def is_numeric_column(series: pd.Series) -> bool:
    """Whether a column holds numbers (right-aligned, never wrapped); booleans are not numbers."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def cell_text(value: object, decimals: int | None) -> str:
    """One cell as every output shows it: Czech number with ``decimals``, or Czech-typeset text.

    ``decimals`` None shows a number as it is (years, codes: no thousands separator).
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return fmt.MISSING
    if isinstance(value, str | bool):
        return fmt.text(str(value))
    if decimals is not None:
        return fmt.number(value, decimals)
    if float(value).is_integer():
        return str(int(value)).replace("-", fmt.MINUS)
    return fmt.text(str(value).replace(".", ","))


def display_table(frame: pd.DataFrame, decimals: Mapping[str, int] | None = None,
                  row_decimals: list[int] | None = None) -> dict:
    """The table as documents show it: ``header``, ``numeric`` (per column) and ``rows`` of cell texts.

    ``row_decimals`` sets decimals per row of the numeric columns (a table whose rows are
    indicators of different kinds); otherwise decimals go by column (:func:`column_decimals`).
    """
    by_column = column_decimals(frame, decimals)
    numeric = [is_numeric_column(frame[c]) or _all_numbers(frame[c]) for c in frame.columns]
    rows = []
    for position, values in enumerate(frame.itertuples(index=False, name=None)):
        rows.append([cell_text(v, (row_decimals[position] if row_decimals is not None and by_column[c] is not None
                                   else by_column[c])) for c, v in zip(frame.columns, values, strict=True)])
    return {"header": [fmt.text(str(c)) for c in frame.columns], "numeric": numeric, "rows": rows}


def _all_numbers(series: pd.Series) -> bool:
    present = series.dropna()
    return not present.empty and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present)


class TableView:
    """What :meth:`ChapterOutput.table` returns for the notebook: the formatted table, caption, source, notes.

    Shown in a notebook (and so in its HTML report) as the table with its caption above and the
    "Zdroj:" / "Poznámka:" lines below; ``styler`` is the underlying pandas Styler.
    """

    def __init__(self, styler, source: str | None = None, notes: str | None = None):
        self.styler = styler
        self.source = source
        self.notes = notes

    def to_html(self) -> str:
        lines = ([f"Zdroj: {self.source}"] if self.source else []) + ([f"Poznámka: {self.notes}"] if self.notes else [])
        footer = "".join(f'<p class="kpss-source">{html.escape(line)}</p>' for line in lines)
        return f'<div class="kpss-table">{self.styler.to_html()}{footer}</div>'

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        """Plain text (the notebook's text/plain output): the formatted cells and the source line."""
        caption = self.styler.caption
        lines = ([caption] if caption else []) + [self.styler.data.to_string(index=False)]
        return "\n".join(lines + ([f"Zdroj: {self.source}"] if self.source else []))


def style_table(frame: pd.DataFrame, shown: dict, caption: str | None = None, *, source: str | None = None,
                notes: str | None = None) -> TableView:
    """``frame`` formatted as in the documents, for display in a notebook; ``shown`` is its :func:`display_table`.

    Numbers are right-aligned, text left-aligned (CSS classes ``num`` and ``text``).
    """
    cells = pd.DataFrame(shown["rows"], columns=shown["header"], index=frame.index)
    classes = pd.DataFrame([["num" if n else "text" for n in shown["numeric"]]] * len(frame),
                           columns=shown["header"], index=frame.index)
    styler = cells.style.hide(axis="index").set_td_classes(classes).set_table_styles(
        [{"selector": f"th.col_heading.col{j}", "props": f"text-align: {'right' if n else 'left'};"}
         for j, n in enumerate(shown["numeric"])], overwrite=False)
    if caption:
        styler = styler.set_caption(fmt.text(caption))
    return TableView(styler, fmt.text(source) if source else None, fmt.text(notes) if notes else None)


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
        # A figure and a table may share a name (their files differ): an item is its kind and name.
        manifest["items"] = [i for i in manifest["items"]
                             if (i["kind"], i["name"]) != (item["kind"], item["name"])] + [item]
        write_json(path, manifest)

    def summary(self, section: str, values: Mapping[str, object]) -> Path:
        """Merge ``values`` under ``section`` into ``summary.json`` (numbers, not text)."""
        path = self.dir / SUMMARY
        summary = load_json(path, {"orp": {"code": self.orp.code, "name": self.orp.name}})
        summary[section] = values
        return write_json(path, summary)

    # -- figures ------------------------------------------------------------------------
    def figure(self, fig: plt.Figure, name: str, *, caption: str, source: str) -> list[Path]:
        """Save ``fig`` with its title and "Zdroj:" line as PNG (300 dpi), SVG if asked, and show it in the notebook.

        The chart is rendered once (:mod:`~kpss_analysis.report.figure_files`): that raster without
        title and source goes to ``figures/bare/`` (manifest key ``bare_png``) for documents that set
        their own numbered caption; the standalone PNG adds the title and source strips to it; the SVG
        (when :func:`kpss_analysis.config.figure_formats` has it) draws the same. In a notebook the
        standalone figure is shown (reduced) and ``fig`` is closed, so the inline backend does not draw
        it again. Returns the PNG path, and the SVG path after it when one is written.
        """
        caption, source = fmt.text(caption), fmt.text(source)
        display_dpi = fig.dpi
        rendered = figure_files.render(fig)
        title = figure_files.text_strip(fig, caption, size=figure_files.TITLE_SIZE, weight="bold")
        line = figure_files.text_strip(fig, f"Zdroj: {source}", size=figure_files.SOURCE_SIZE,
                                       color=figure_files.SOURCE_COLOR, keep=True)
        figures = self.dir / "figures"
        bare = _write_bytes(figures / "bare" / f"{name}.png", figure_files.png_bytes(rendered.pixels))
        standalone = figure_files.stack(title, rendered, line)
        png = _write_bytes(figures / f"{name}.png",
                           figure_files.png_bytes(standalone, {"Title": caption, "Source": source}))
        paths = [png]
        if "svg" in config.figure_formats():
            box = figure_files.add_strips_to(fig, rendered, title, line)
            # Same figure, same bytes: SVG ids from a fixed salt instead of random ones, and no date.
            with plt.rc_context({"svg.hashsalt": name}):
                paths.append(write_atomically(figures / f"{name}.svg", lambda p: fig.savefig(
                    p, format="svg", bbox_inches=box, metadata={"Title": caption, "Date": None})))
        self._register({"kind": "figure", "name": name, "chapter": self.chapter, "caption": caption,
                        "source": source, "files": [str(p.relative_to(self.dir)) for p in paths],
                        "bare_png": str(bare.relative_to(self.dir))})
        if getattr(get_ipython(), "kernel", None) is not None:  # a Jupyter kernel, not a terminal or script
            display(Image(data=figure_files.display_png(standalone, display_dpi), format="png"))
            plt.close(fig)
        return paths

    # -- tables -------------------------------------------------------------------------
    def table(self, frame: pd.DataFrame, name: str, *, caption: str, source: str,
              decimals: Mapping[str, int] | None = None, row_decimals: list[int] | None = None,
              notes: str | None = None, in_documents: bool = True) -> TableView:
        """Save ``frame`` as XLSX, CSV and display JSON and return it formatted for the notebook.

        ``decimals`` fixes the decimals of given columns (defaults: 0 for integers, 1 for
        other numbers; ``None`` shows a column as it is, e.g. years and codes without a
        thousands separator). The XLSX keeps numbers as numbers (full precision) with a display
        format, so Excel can still compute with them; the caption is above the table and the
        source below. ``row_decimals`` sets decimals per row instead (see :func:`display_table`).
        ``<name>.table.json`` holds caption, source, notes and :func:`display_table`: what the
        documents show. ``in_documents=False`` keeps a check table for the analyst (notebook,
        HTML, XLSX) out of the plan documents (manifest key ``in_documents``).
        """
        caption, source, notes = fmt.text(caption), fmt.text(source), fmt.text(notes) if notes else None
        decimals_by_column = column_decimals(frame, decimals)
        xlsx = write_atomically(self.dir / "tables" / f"{name}.xlsx",
                                 lambda p: _write_xlsx(p, frame, caption, source, notes, decimals_by_column, row_decimals))
        csv = write_atomically(self.dir / "tables" / f"{name}.csv",
                                lambda p: _rounded(frame, decimals_by_column, row_decimals).to_csv(
                                    p, sep=";", decimal=",", index=False, encoding="utf-8-sig"))
        shown = display_table(frame, decimals, row_decimals)
        cells = write_json(self.dir / "tables" / f"{name}{TABLE_JSON}",
                           {"caption": caption, "source": source, "notes": notes, **shown})
        self._register({"kind": "table", "name": name, "chapter": self.chapter, "caption": caption,
                        "source": source, "notes": notes, "in_documents": in_documents,
                        "files": [str(p.relative_to(self.dir)) for p in (xlsx, csv, cells)]})
        return style_table(frame, shown, caption, source=source, notes=notes)

    # -- catalogue ----------------------------------------------------------------------
    def catalogue(self, groups: list[dict], name: str, *, caption: str, source: str) -> list[Path]:
        """Save a catalogue of services as XLSX (one row per service) and JSON for documents.

        ``groups`` is :func:`kpss_analysis.analysis.catalogue.compute_catalogue`: per druh ``druh``,
        ``paragraph``, ``group`` and ``entries`` (``name``, ``provider``, ``ico``, ``addresses``,
        ``forms``, ``capacities``, ``web``, ``email``, ``phone``). The JSON holds
        ``{"caption", "source", "groups"}`` exactly; the XLSX has Czech headers and lists joined
        by "; ". Returns the XLSX and JSON paths.
        """
        caption, source = fmt.text(caption), fmt.text(source)
        groups = [{**group, "entries": [{**entry, "phone": [fmt.phone(p) for p in entry["phone"]]}
                                        for entry in group["entries"]]} for group in groups]
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
    """Caption in row 1, headers in row 3 (wrapped, with a row height that fits them), data from row 4.

    Printing fits the page width, repeats the header row and turns landscape for wide tables.
    """
    frame = frame.rename(columns={c: fmt.text(str(c)) for c in frame.columns})
    text_columns = [c for c in frame.columns if not is_numeric_column(frame[c])]
    frame = frame.assign(**{c: frame[c].map(lambda v: fmt.text(v) if isinstance(v, str) else v) for c in text_columns})
    decimals = dict(zip(frame.columns, decimals.values(), strict=True))
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Tabulka", startrow=2, index=False)
        sheet = writer.sheets["Tabulka"]
        sheet["A1"] = caption
        sheet["A1"].font = Font(bold=True, size=12)
        footer_row = len(frame) + 5
        sheet.cell(row=footer_row, column=1, value=f"Zdroj: {source}").font = Font(italic=True, size=9)
        if notes:
            sheet.cell(row=footer_row + 1, column=1, value=f"Poznámka: {notes}").font = Font(italic=True, size=9)
        header_lines = 1
        for index, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(index)
            sheet[f"{letter}3"].alignment = Alignment(wrap_text=True, vertical="top")
            if decimals.get(column) is not None:
                for offset in range(len(frame)):
                    d = row_decimals[offset] if row_decimals is not None else decimals[column]
                    sheet[f"{letter}{offset + 4}"].number_format = fmt.excel_format(d)
            longest = max([len(str(column)) // 2 + 2] + [len(str(v)) for v in frame[column].head(200)])
            width = min(max(10, longest + 2), 60)
            sheet.column_dimensions[letter].width = width
            header_lines = max(header_lines, math.ceil(len(str(column)) * 1.1 / (width - 1)))
        sheet.row_dimensions[3].height = 15 * header_lines  # Calc does not grow a wrapped row by itself
        sheet.freeze_panes = "A4"
        sheet.print_title_rows = "3:3"
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        total_width = sum(sheet.column_dimensions[get_column_letter(i)].width for i in range(1, frame.shape[1] + 1))
        sheet.page_setup.orientation = "landscape" if total_width > XLSX_PORTRAIT_CHARS else "portrait"
