"""The action plan template: an XLSX workbook a plan's working groups fill in (openpyxl).

Layout and headers come from :mod:`kpss_analysis.analysis.action_plan`, so that
:func:`~kpss_analysis.analysis.action_plan.read_plan` reads back exactly what is written here.
Only the baselines of the indicators the data can compute are prefilled; priorities, measures,
activities and targets are left for the working groups.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpss_analysis.analysis.action_plan import (
    COLUMNS,
    FUNDING_SOURCES,
    GUIDE_SHEET,
    HEADERS,
    KINDS,
    LISTS_SHEET,
    SHEETS,
    STATUSES,
    choices,
)
from kpss_analysis.analysis.plan_indicators import INDICATORS
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.report.output import write_atomically

#: Rows of each data sheet that get drop-downs and formats (the header is row 1).
TEMPLATE_ROWS = 500
HEADER_HEIGHT = 48
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
HEADER_FONT = Font(bold=True)
THIN = Side(style="thin", color="808080")
#: Column widths (characters) by column key; other columns get :data:`DEFAULT_WIDTH`.
WIDTHS = {"name": 40, "description": 40, "indicator": 48, "owner": 24, "partners": 24, "target_group": 28,
          "druh": 32, "note": 30, "code": 36, "unit": 22, "responsible": 22, "current": 18, "main_source": 16}
DEFAULT_WIDTH = 13
#: Freeze the header row and the columns that name a row (ids and the activity's name).
FREEZE = {"priorities": "B2", "measures": "B2", "activities": "D2", "indicators": "C2"}
DATE_FORMAT = "d. m. yyyy"
MONEY_FORMAT = "#,##0"
#: Drop-down list kinds → header of their column on the lists sheet.
LIST_HEADERS = {"status": "Stav", "target_group": "Cílová skupina", "druh": "Druh sociální služby",
                "source": "Zdroj financování", "code": "Kód údaje"}
#: Columns of the registry of data codes on the lists sheet, after the drop-down lists.
CODE_COLUMNS = {"Kód údaje": 44, "Ukazatel": 70, "Jednotka": 30}


def _guide_lines(orp: Orp, n_baselines: int, source: str | None) -> list[str]:
    statuses = ", ".join(STATUSES.values())
    sources = ", ".join(FUNDING_SOURCES.values())
    return [
        f"Akční plán – SO ORP {orp.name} (kód ČSÚ {orp.code})",
        "",
        "Jak sešit vyplnit",
        f"1. List „{SHEETS['priorities']}“: každá priorita na jeden řádek s číslem (např. 1, 2, 3) a cílovou skupinou.",
        f"2. List „{SHEETS['measures']}“: opatření s vlastním číslem (např. 1.1) a číslem priority, do které patří.",
        f"3. List „{SHEETS['activities']}“: aktivity s číslem (např. 1.1.1) a číslem opatření; realizátor, partneři, "
        "cílová skupina, druh sociální služby (podle zákona č. 108/2006 Sb.), zahájení a ukončení (datum, např. "
        "1. 3. 2025), plánované náklady a skutečně vynaložené náklady podle zdrojů v Kč (jen čísla, bez „Kč“ a bez "
        f"mezer), hlavní zdroj financování ({sources}) a stav ({statuses}).",
        f"4. List „{SHEETS['indicators']}“: ukazatele plnění. Řádky s vyplněným „{HEADERS['code']}“ sešit předvyplnil "
        f"z dat (počet ukazatelů: {n_baselines}): výchozí hodnotu a její datum. Doplňte cílovou hodnotu, cílový rok, "
        f"odpovědnost a případně číslo opatření, které ukazatel sleduje; ukazatele, které nepotřebujete, smažte."
        + (f" Zdroj výchozích hodnot: {source}." if source else ""),
        f"5. Vlastní ukazatel (např. počet setkání pracovních skupin) přidejte na nový řádek bez kódu údaje; při "
        f"každoročním monitoringu do něj zapište sloupec „{HEADERS['current']}“.",
        f"6. Další ukazatele, které sešit umí spočítat, jsou s kódem na listu „{LISTS_SHEET}“; kód zkopírujte do "
        f"sloupce „{HEADERS['code']}“ a výchozí hodnotu doplňte (nebo si nechte vytvořit novou šablonu).",
        "",
        "Pravidla",
        "• Názvy listů a záhlaví sloupců neměňte; prázdné řádky nevadí.",
        "• Hodnoty se seznamem (stav, cílová skupina, druh služby, zdroj financování) vybírejte z rozbalovací nabídky.",
        "• Každá aktivita musí mít číslo, číslo existujícího opatření, název a stav; ukončení nesmí být před zahájením.",
        "",
        "Každoroční monitoring",
        "Vyplněný sešit předejte kapitole 07 (parametr plan_file). Ukazatele s kódem údaje se přepočítají z "
        "aktuálních dat; výsledkem je přehled plnění aktivit, nákladů, časového plánu a ukazatelů (% cesty "
        "k cílové hodnotě) a dokument „Monitoring plnění akčního plánu“ pro pracovní skupiny.",
        "Chybný sešit kapitola odmítne se seznamem chyb (list, řádek, sloupec); po opravě ji spusťte znovu.",
    ]


def _write_guide(sheet: Worksheet, orp: Orp, n_baselines: int, source: str | None) -> None:
    sheet.column_dimensions["A"].width = 120
    for number, line in enumerate(_guide_lines(orp, n_baselines, source), start=1):
        cell = sheet.cell(number, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if number == 1:
            cell.font = Font(bold=True, size=14)
        elif line in ("Jak sešit vyplnit", "Pravidla", "Každoroční monitoring"):
            cell.font = Font(bold=True)


def _write_lists(sheet: Worksheet) -> dict[str, str]:
    """Drop-down values and the registry of data codes (also a drop-down); returns list kind → range formula."""
    ranges = {}
    for column, (kind, values) in enumerate(choices().items(), start=1):
        sheet.cell(1, column, LIST_HEADERS[kind]).font = HEADER_FONT
        for row, value in enumerate(values, start=2):
            sheet.cell(row, column, value)
        letter = get_column_letter(column)
        ranges[kind] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        sheet.column_dimensions[letter].width = 34
    first = len(ranges) + 2  # one empty column between the lists and the codes
    for offset, (header, width) in enumerate(CODE_COLUMNS.items()):
        sheet.cell(1, first + offset, header).font = HEADER_FONT
        sheet.column_dimensions[get_column_letter(first + offset)].width = width
    for row, indicator in enumerate(INDICATORS.values(), start=2):
        for offset, value in enumerate((indicator.code, indicator.label, indicator.unit)):
            sheet.cell(row, first + offset, value)
    letter = get_column_letter(first)
    ranges["code"] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(INDICATORS) + 1}"
    sheet.freeze_panes = "A2"
    return ranges


def _validation(kind: str, formula: str) -> DataValidation:
    header = LIST_HEADERS[kind]
    return DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                          errorTitle="Hodnota není v seznamu", error=f"Vyberte hodnotu „{header}“ z nabídky.",
                          showInputMessage=True, promptTitle=header, prompt="Vyberte z nabídky.")


def _number_validation(kind: str) -> DataValidation | None:
    if kind == "money":
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, errorTitle="Částka",
                              error="Zapište částku v Kč číslem ≥ 0.")
    if kind == "year":
        return DataValidation(type="whole", operator="between", formula1="2000", formula2="2100", allow_blank=True,
                              showErrorMessage=True, errorTitle="Rok", error="Zapište rok, např. 2027.")
    return None


def _set_up_sheet(sheet: Worksheet, key: str, ranges: dict[str, str]) -> None:
    """Header row, widths, formats, drop-downs, frozen panes and print setup of one data sheet."""
    for column, name in enumerate(COLUMNS[key], start=1):
        cell = sheet.cell(1, column, HEADERS[name])
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(bottom=THIN)
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = WIDTHS.get(name, DEFAULT_WIDTH)
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        kind = KINDS.get(name, "text")
        validation = _validation(kind, ranges[kind]) if kind in ranges else _number_validation(kind)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(cells)
        number_format = {"date": DATE_FORMAT, "money": MONEY_FORMAT, "id": "@"}.get(kind)
        if number_format:  # a column style: Excel gives it to every cell typed into the column
            sheet.column_dimensions[letter].number_format = number_format
    sheet.row_dimensions[1].height = HEADER_HEIGHT
    sheet.freeze_panes = FREEZE[key]
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _baseline_rows(baselines: pd.DataFrame) -> list[dict]:
    """Computed baselines as rows of the Ukazatele sheet (indicators without a value are left out)."""
    rows = []
    for row in baselines[baselines["value"].notna()].itertuples():
        rows.append({"indicator": row.label, "unit": row.unit, "code": row.code, "baseline": float(row.value),
                     "baseline_date": dt.date.fromisoformat(row.date)})
    return rows


def _fill_indicators(sheet: Worksheet, rows: list[dict]) -> None:
    positions = {name: i for i, name in enumerate(COLUMNS["indicators"], start=1)}
    for number, values in enumerate(rows, start=2):
        for name, value in values.items():
            cell = sheet.cell(number, positions[name], value)
            if name == "baseline_date":
                cell.number_format = DATE_FORMAT
            elif name == "baseline":
                cell.number_format = "#,##0" if math.isclose(value, round(value)) else "#,##0.0"


def save_plan_template(path: str | Path, orp: Orp, baselines: pd.DataFrame, source: str | None = None) -> Path:
    """Write the action plan workbook for the ORP with the computed baselines prefilled.

    Parameters
    ----------
    path
        Target ``.xlsx`` file (written atomically; folders are created).
    orp
        The ORP; its code is stored in the workbook's properties (``identifier``) so that the
        monitoring can check it reads the plan of the right ORP.
    baselines
        :func:`kpss_analysis.analysis.plan_indicators.compute_plan_indicators`; rows without a
        value are not written.
    source
        The "Zdroj" text of the baselines (e.g. :func:`kpss_analysis.services.source_text`),
        written into the guide sheet.

    Returns
    -------
    The path written.
    """
    workbook = Workbook()
    guide = workbook.active
    guide.title = GUIDE_SHEET
    rows = _baseline_rows(baselines)
    _write_guide(guide, orp, len(rows), source)
    sheets = {key: workbook.create_sheet(name) for key, name in SHEETS.items()}
    ranges = _write_lists(workbook.create_sheet(LISTS_SHEET))
    for key, sheet in sheets.items():
        _set_up_sheet(sheet, key, ranges)
    _fill_indicators(sheets["indicators"], rows)
    workbook.properties.title = f"Akční plán – SO ORP {orp.name}"
    workbook.properties.identifier = orp.code
    workbook.properties.creator = "kpss-analysis"
    return write_atomically(Path(path), workbook.save)
