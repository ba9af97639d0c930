"""The action plan workbook: its layout, reading and validating a filled plan.

A plan is four sheets linked by numbers: **Priority** → **Opatření** (each names its
priority) → **Aktivity** (each names its measure; owner, partners, target group, druh služby,
start and end, planned and actual cost by funding source, status) and **Ukazatele** (indicators
with a baseline, a target and, for those the data can compute, a data code of
:mod:`kpss_analysis.analysis.plan_indicators`). Columns have stable English keys; the Czech
headers a plan editor sees come from :data:`HEADERS` alone, so the template writer
(:mod:`kpss_analysis.report.plan_workbook`) and :func:`read_plan` cannot drift apart.

:func:`read_plan` refuses a broken file with one :class:`~kpss_analysis.errors.DataValidationError`
that lists every problem by sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from kpss_analysis import fmt
from kpss_analysis.analysis.plan_indicators import INDICATORS, legal_druhy
from kpss_analysis.errors import DataValidationError, ParameterError

#: Sheet keys → Czech sheet names (the four data sheets in workbook order).
SHEETS = {"priorities": "Priority", "measures": "Opatření", "activities": "Aktivity", "indicators": "Ukazatele"}
GUIDE_SHEET = "Návod"
LISTS_SHEET = "Číselníky"

#: Funding sources: key → Czech label (the cost columns and the drop-down of the main source).
FUNDING_SOURCES = {"obec": "obec", "kraj": "kraj", "mpsv": "MPSV", "eu": "EU", "users": "uživatelé", "other": "jiné"}
#: Activity status: key → Czech label, in the order of summaries and charts.
STATUSES = {"done": "Splněno", "in_progress": "Probíhá", "not_started": "Nezahájeno", "cancelled": "Zrušeno"}
#: Target groups of the working groups of the plans we model (issue 14), plus the cross-cutting one.
TARGET_GROUPS = ("Senioři", "Osoby se zdravotním postižením", "Rodiny s dětmi, děti a mládež",
                 "Osoby ohrožené sociálním vyloučením", "Průřezové (všechny cílové skupiny)")

#: Column key → Czech header; one dict for every sheet (a key means the same wherever it occurs).
HEADERS = {
    "priority_id": "Číslo priority",
    "measure_id": "Číslo opatření",
    "activity_id": "Číslo aktivity",
    "name": "Název",
    "description": "Popis",
    "target_group": "Cílová skupina",
    "owner": "Odpovědnost (realizátor)",
    "partners": "Partneři",
    "druh": "Druh sociální služby",
    "start": "Zahájení",
    "end": "Ukončení",
    **{f"planned_{k}": f"Plán – {v} (Kč)" for k, v in FUNDING_SOURCES.items()},
    **{f"actual_{k}": f"Skutečnost – {v} (Kč)" for k, v in FUNDING_SOURCES.items()},
    "main_source": "Hlavní zdroj financování",
    "status": "Stav",
    "note": "Poznámka",
    "indicator": "Ukazatel",
    "unit": "Jednotka",
    "code": "Kód údaje",
    "baseline": "Výchozí hodnota",
    "baseline_date": "Datum výchozí hodnoty",
    "target": "Cílová hodnota",
    "target_year": "Cílový rok",
    "current": "Současná hodnota (jen ukazatele bez kódu údaje)",
    "responsible": "Odpovědnost",
}
PLANNED = [f"planned_{k}" for k in FUNDING_SOURCES]
ACTUAL = [f"actual_{k}" for k in FUNDING_SOURCES]
#: Columns of each sheet, in order.
COLUMNS = {
    "priorities": ["priority_id", "name", "target_group", "description"],
    "measures": ["measure_id", "priority_id", "name", "description"],
    "activities": ["activity_id", "measure_id", "name", "owner", "partners", "target_group", "druh", "start", "end",
                   *PLANNED, *ACTUAL, "main_source", "status", "note"],
    "indicators": ["measure_id", "indicator", "unit", "code", "baseline", "baseline_date", "target", "target_year",
                   "current", "responsible"],
}
#: Cells that must be filled in a row that is not empty.
REQUIRED = {"priorities": ["priority_id", "name"], "measures": ["measure_id", "priority_id", "name"],
            "activities": ["activity_id", "measure_id", "name", "status"], "indicators": ["indicator"]}
#: Kinds of the columns that are not free text.
KINDS = {"priority_id": "id", "measure_id": "id", "activity_id": "id", "start": "date", "end": "date",
         "baseline_date": "date", **dict.fromkeys([*PLANNED, *ACTUAL], "money"),
         **dict.fromkeys(["baseline", "target", "current"], "number"),
         "target_year": "year", "status": "status", "target_group": "target_group", "druh": "druh",
         "main_source": "source", "code": "code"}
YEARS = range(2000, 2101)
#: Allowed values a message lists in full; a longer list (druhy) is referred to the lists sheet.
SHOWN_CHOICES = 6
_CZECH_DATE = re.compile(r"^\s*(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


@dataclass(frozen=True)
class Plan:
    """A validated plan: one frame per sheet with ``row`` (its Excel row) and the keys of :data:`COLUMNS`.

    ``status`` holds the keys of :data:`STATUSES`; dates are ``datetime64``; costs and values
    are floats (NaN where empty); ids are strings. ``orp_code`` is the ORP the template was
    written for (None when the file does not say).
    """

    priorities: pd.DataFrame
    measures: pd.DataFrame
    activities: pd.DataFrame
    indicators: pd.DataFrame
    orp_code: str | None = None


def choices() -> dict[str, list[str]]:
    """Allowed values of each drop-down column kind (Czech labels as the workbook shows them)."""
    return {"status": list(STATUSES.values()), "target_group": list(TARGET_GROUPS), "druh": legal_druhy(),
            "source": list(FUNDING_SOURCES.values())}


# --------------------------------------------------------------------------- reading


def _cell_text(value: object) -> str:
    """A cell as text; whole numbers typed into an id column ("1" → 1.0 in Excel) come back as "1"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_date(value: object) -> tuple[pd.Timestamp | None, str | None]:
    """A date cell, or a text "1. 3. 2025" / "2025-03-01"; a year outside :data:`YEARS` is a typing error.

    A number typed into a cell formatted as a date comes back as a date (2020 → 12. 7. 1905),
    hence the range check.
    """
    day = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and (match := _CZECH_DATE.match(value) or _ISO_DATE.match(value)):
        numbers = [int(g) for g in match.groups()]
        parts = numbers[::-1] if match.re is _CZECH_DATE else numbers
        try:
            day = dt.date(*parts)
        except ValueError:
            day = None
    if day is None:
        return None, f"hodnota {value!r} není datum (zapište datum, např. 1. 3. 2025)"
    if day.year not in YEARS:
        return None, (f"datum {fmt.date(day)} je mimo roky {YEARS.start}–{YEARS.stop - 1} "
                      "(zapište datum, např. 1. 3. 2025)")
    return pd.Timestamp(day), None


def _parse(value: object, kind: str, allowed: dict[str, list[str]]) -> tuple[object, str | None]:
    """Cell value → (parsed value, problem or None)."""
    if kind in ("number", "money"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, f"hodnota {value!r} není číslo (zapište číslo bez jednotek a mezer, např. 125000)"
        if kind == "money" and value < 0:
            return None, f"částka {value!r} je záporná"
        return float(value), None
    if kind == "date":
        return _parse_date(value)
    if kind == "year":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) not in YEARS:
            return None, f"hodnota {value!r} není rok {YEARS.start}–{YEARS.stop - 1}"
        return int(value), None
    if kind == "id":
        return _cell_text(value), None
    text = str(value).strip()
    if kind == "code":
        if text in INDICATORS:
            return text, None
        return None, (f"neznámý kód údaje {text!r} (kódy, které sešit umí spočítat, jsou na listu "
                      f"„{LISTS_SHEET}“; u vlastního ukazatele buňku nechte prázdnou)")
    if kind in allowed:
        if text in allowed[kind]:
            return (text, None)
        values = allowed[kind]
        listed = (", ".join(values) if len(values) <= SHOWN_CHOICES
                  else f"vyberte z nabídky, seznam je na listu „{LISTS_SHEET}“")
        return None, f"hodnota {text!r} není v seznamu ({listed})"
    return text, None


def _where(sheet: str, row: int | None = None, column: str | None = None) -> str:
    parts = [f"list „{SHEETS[sheet]}“"]
    if row is not None:
        parts.append(f"řádek {row}")
    if column is not None:
        parts.append(f"sloupec „{HEADERS[column]}“")
    return ", ".join(parts)


def _read_sheet(worksheet, sheet: str, allowed: dict[str, list[str]], problems: list[str]) -> pd.DataFrame:
    """One sheet → frame of :data:`COLUMNS` keys plus ``row`` (the Excel row number)."""
    rows = worksheet.iter_rows(values_only=True)
    header = [_cell_text(h) if not _empty(h) else "" for h in next(rows, ())]
    positions = {}
    for key in COLUMNS[sheet]:
        if HEADERS[key] in header:
            positions[key] = header.index(HEADERS[key])
        else:
            problems.append(f"{_where(sheet, 1, key)}: sloupec chybí "
                            "(záhlaví v 1. řádku musí zůstat, jak je v šabloně)")
    if len(positions) < len(COLUMNS[sheet]):
        return pd.DataFrame(columns=["row", *COLUMNS[sheet]])
    records = []
    for number, values in enumerate(rows, start=2):
        cells = {key: values[i] if i < len(values) else None for key, i in positions.items()}
        if all(_empty(v) for v in cells.values()):
            continue
        record = {"row": number}
        for key, value in cells.items():
            if _empty(value):
                record[key] = None
                if key in REQUIRED[sheet]:
                    problems.append(f"{_where(sheet, number, key)}: buňka je prázdná, musí být vyplněna")
                continue
            parsed, problem = _parse(value, KINDS.get(key, "text"), allowed)
            if problem:
                problems.append(f"{_where(sheet, number, key)}: {problem}")
            record[key] = parsed
        records.append(record)
    return pd.DataFrame(records, columns=["row", *COLUMNS[sheet]])


def _check_links(frames: dict[str, pd.DataFrame], problems: list[str]) -> None:
    """Unique ids, links to existing priorities / measures, and no activity ending before it starts."""
    for sheet, key in (("priorities", "priority_id"), ("measures", "measure_id"), ("activities", "activity_id")):
        frame = frames[sheet]
        for row in frame[frame[key].notna() & frame[key].duplicated()].itertuples():
            problems.append(f"{_where(sheet, row.row, key)}: číslo {getattr(row, key)!r} se opakuje")
    links = (("measures", "priority_id", "priorities"), ("activities", "measure_id", "measures"),
             ("indicators", "measure_id", "measures"))
    for sheet, key, target in links:
        frame = frames[sheet]
        known = set(frames[target][key].dropna())
        for row in frame[frame[key].notna() & ~frame[key].isin(known)].itertuples():
            problems.append(f"{_where(sheet, row.row, key)}: číslo {getattr(row, key)!r} není na listu "
                            f"„{SHEETS[target]}“")
    activities = frames["activities"]
    for row in activities[activities["end"].notna() & activities["start"].notna()].itertuples():
        if row.end < row.start:
            problems.append(f"{_where('activities', row.row, 'end')}: ukončení {fmt.date(row.end.date())} je před "
                            f"zahájením {fmt.date(row.start.date())}")


def _typed(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """Column dtypes of a validated sheet: dates, floats, status keys."""
    out = frame.astype({"row": int})
    for key in COLUMNS[sheet]:
        kind = KINDS.get(key, "text")
        if kind == "date":
            out[key] = pd.to_datetime(out[key])
        elif kind in ("number", "money"):
            out[key] = out[key].astype(float)
        elif kind == "year":
            out[key] = out[key].astype("Int64")
        else:
            out[key] = out[key].astype("string")
    if sheet == "activities":
        out["status"] = out["status"].map({v: k for k, v in STATUSES.items()}).astype("string")
    return out.reset_index(drop=True)


def read_plan(path: str | Path) -> Plan:
    """Read and validate a filled plan workbook.

    Raises
    ------
    ParameterError
        When the file does not exist or is not an XLSX workbook.
    DataValidationError
        Listing every problem by sheet, row and column: a missing sheet or column, an empty
        required cell, a value outside a drop-down list, a non-numeric cost or value, a date
        that is not a date, an end before the start, a duplicate number, a measure or activity
        pointing to an unknown priority or measure, an unknown data code.
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"Soubor akčního plánu {path} neexistuje (parametr plan_file).")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ParameterError(f"Soubor {path} není sešit XLSX akčního plánu ({exc}).") from exc
    try:
        missing = [name for name in SHEETS.values() if name not in workbook.sheetnames]
        if missing:
            raise DataValidationError(
                f"{path}: chybí list {', '.join(f'„{m}“' for m in missing)}; sešit musí mít listy "
                f"{', '.join(f'„{n}“' for n in SHEETS.values())} (názvy listů neměňte).")
        allowed = choices()
        problems: list[str] = []
        frames = {sheet: _read_sheet(workbook[name], sheet, allowed, problems) for sheet, name in SHEETS.items()}
        orp_code = workbook.properties.identifier or None
    finally:
        workbook.close()
    if not problems:
        _check_links(frames, problems)
    if problems:
        shown = problems[:30]
        more = f"\n… a dalších {len(problems) - len(shown)} chyb" if len(problems) > len(shown) else ""
        raise DataValidationError(f"Akční plán {path} obsahuje chyby:\n- " + "\n- ".join(shown) + more)
    return Plan(**{sheet: _typed(frame, sheet) for sheet, frame in frames.items()}, orp_code=orp_code)


# --------------------------------------------------------------------------- summaries


def _with_priority(plan: Plan) -> pd.DataFrame:
    """Activities with their priority (``priority_id``, ``priority_name``)."""
    measures = plan.measures[["measure_id", "priority_id"]]
    priorities = plan.priorities[["priority_id", "name"]].rename(columns={"name": "priority_name"})
    return plan.activities.merge(measures, on="measure_id", how="left").merge(priorities, on="priority_id", how="left")


def _priority_order(plan: Plan) -> list[str]:
    return list(plan.priorities["priority_id"])


def compute_status_summary(plan: Plan) -> pd.DataFrame:
    """Number of activities by status for each priority and in all.

    Returns
    -------
    One row per priority (in the plan's order) and a last row ``"Celkem"`` (``priority_id``
    <NA>): ``priority_id``, ``priority_name``, one count column per key of :data:`STATUSES`,
    ``total`` and ``share_done`` (% of activities done, cancelled ones excluded; NaN without
    any activity that is not cancelled).
    """
    activities = _with_priority(plan)
    counts = pd.crosstab(activities["priority_id"], activities["status"]).reindex(
        index=_priority_order(plan), columns=list(STATUSES), fill_value=0)
    counts.columns.name = None
    table = plan.priorities[["priority_id", "name"]].rename(columns={"name": "priority_name"}).merge(
        counts, left_on="priority_id", right_index=True)
    total = pd.DataFrame([{"priority_id": pd.NA, "priority_name": "Celkem", **counts.sum().to_dict()}])
    table = pd.concat([table, total], ignore_index=True)
    table[list(STATUSES)] = table[list(STATUSES)].astype(int)
    table["total"] = table[list(STATUSES)].sum(axis=1)
    active = table["total"] - table["cancelled"]
    table["share_done"] = 100 * table["done"] / active.where(active > 0)
    return table


def compute_costs(plan: Plan) -> pd.DataFrame:
    """Planned and actual cost by priority and funding source, with totals.

    Empty cost cells count as nothing spent or planned. Cancelled activities are included:
    their planned cost was part of the plan.

    Returns
    -------
    ``priority_id`` (<NA> in the total rows), ``priority_name`` ("Celkem" in the total rows),
    ``source`` (key of :data:`FUNDING_SOURCES`, or "total"), ``source_label``, ``planned``,
    ``actual``, ``difference`` (actual − planned), ``share_spent`` (% of planned; NaN when
    nothing was planned).
    """
    activities = _with_priority(plan)
    rows = []
    groups = [(pid, name, activities[activities["priority_id"] == pid])
              for pid, name in zip(plan.priorities["priority_id"], plan.priorities["name"], strict=True)]
    for pid, name, part in [*groups, (pd.NA, "Celkem", activities)]:
        for source, label in [*FUNDING_SOURCES.items(), ("total", "celkem")]:
            planned_cols = PLANNED if source == "total" else [f"planned_{source}"]
            actual_cols = ACTUAL if source == "total" else [f"actual_{source}"]
            rows.append({"priority_id": pid, "priority_name": name, "source": source, "source_label": label,
                         "planned": float(np.nansum(part[planned_cols].to_numpy())),
                         "actual": float(np.nansum(part[actual_cols].to_numpy()))})
    table = pd.DataFrame(rows)
    table["priority_id"] = table["priority_id"].astype("string")
    table["difference"] = table["actual"] - table["planned"]
    table["share_spent"] = 100 * table["actual"] / table["planned"].where(table["planned"] > 0)
    return table


def compute_timeline(plan: Plan) -> pd.DataFrame:
    """Activities with both dates, for a Gantt chart, in plan order (priority, measure, start).

    Returns ``activity_id``, ``name``, ``measure_id``, ``priority_id``, ``start``, ``end``,
    ``status``, ``status_label``, ``days`` (inclusive); activities without a start or end are
    left out (:func:`describe_undated` names them).
    """
    activities = _with_priority(plan)
    dated = activities[activities["start"].notna() & activities["end"].notna()].copy()
    dated["days"] = (dated["end"] - dated["start"]).dt.days + 1
    dated["status_label"] = dated["status"].map(STATUSES)
    order = {pid: i for i, pid in enumerate(_priority_order(plan))}
    dated["_order"] = dated["priority_id"].map(order)
    dated = dated.sort_values(["_order", "measure_id", "start", "activity_id"], kind="stable")
    return dated[["activity_id", "name", "measure_id", "priority_id", "start", "end", "status", "status_label",
                  "days"]].reset_index(drop=True)


def describe_undated(plan: Plan) -> str:
    """Czech sentence naming the activities the timeline cannot show (no start or no end); empty if none."""
    undated = plan.activities[plan.activities["start"].isna() | plan.activities["end"].isna()]
    if undated.empty:
        return ""
    return ("Bez data zahájení nebo ukončení (v časovém plánu nejsou): "
            + ", ".join(f"{row.activity_id} {row.name}" for row in undated.itertuples()) + ".")


# --------------------------------------------------------------------------- indicators


def _progress_reasons(row: pd.Series) -> list[str]:
    reasons = []
    if pd.isna(row["baseline"]):
        reasons.append("chybí výchozí hodnota")
    if pd.isna(row["target"]):
        reasons.append("chybí cílová hodnota")
    elif not pd.isna(row["baseline"]) and row["target"] == row["baseline"]:
        reasons.append("cílová hodnota se rovná výchozí")
    return reasons


def compute_indicator_progress(plan: Plan, current_values: pd.DataFrame) -> pd.DataFrame:
    """Each indicator of the plan now vs its baseline and target, and the % of the way to the target.

    An indicator with a data code takes its current value from ``current_values``; one
    without takes the value the plan's editor wrote in the sheet (``current``). Progress =
    (current − baseline) / (target − baseline) × 100: 0 % at the baseline, 100 % at the target,
    above 100 % beyond it, negative when moving away; it works for targets below the baseline.

    Parameters
    ----------
    plan
        :func:`read_plan`.
    current_values
        :func:`kpss_analysis.analysis.plan_indicators.compute_plan_indicators` for the plan's codes
        (``code``, ``value``, ``date``, ``reason``).

    Returns
    -------
    The indicator columns of the plan and ``current``, ``current_date`` (ISO; empty for values
    from the sheet), ``source`` ("data" or "plan"), ``change`` (current − baseline),
    ``progress`` (%) and ``reason`` (why ``current`` or ``progress`` is NaN, in Czech).
    """
    values = current_values.set_index("code")
    rows = []
    for _, row in plan.indicators.iterrows():
        out = row.drop(labels=["row"]).to_dict()
        reasons = []
        if pd.notna(row["code"]):
            found = values.loc[row["code"]] if row["code"] in values.index else None
            out.update(source="data", current=np.nan if found is None else found["value"],
                       current_date="" if found is None else found["date"])
            if found is None:
                reasons.append("hodnota z dat nebyla spočítána")
            elif pd.isna(found["value"]):
                reasons.append(f"hodnotu nelze z dat spočítat: {found['reason']}")
        else:
            out.update(source="plan", current_date="")
            if pd.isna(row["current"]):
                reasons.append("ukazatel nemá kód údaje a současná hodnota není vyplněna")
        reasons += _progress_reasons(row)
        if not reasons:
            out["progress"] = 100 * (out["current"] - row["baseline"]) / (row["target"] - row["baseline"])
        out["change"] = out["current"] - row["baseline"]
        out["reason"] = "; ".join(reasons)
        rows.append(out)
    columns = [c for c in COLUMNS["indicators"] if c != "current"] + [
        "current", "current_date", "source", "change", "progress", "reason"]
    return pd.DataFrame(rows, columns=columns).astype({"current": float, "change": float, "progress": float})

