"""Chapter 07 (action plan): indicator registry, the plan workbook, its validation, summaries, register diff."""

from __future__ import annotations

import datetime as dt
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from conftest import fill_plan
from kpss_analysis.analysis import plan_indicators as pi
from kpss_analysis.analysis.action_plan import (
    COLUMNS,
    HEADERS,
    STATUSES,
    Plan,
    compute_costs,
    compute_indicator_progress,
    compute_status_summary,
    compute_timeline,
    describe_undated,
    read_plan,
)
from kpss_analysis.analysis.register_changes import compute_change_counts, compute_register_diff
from kpss_analysis.analysis.services import NOT_AVAILABLE
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.errors import DataValidationError, ParameterError
from kpss_analysis.report.plan_plots import (
    STATUS_STYLES,
    plot_costs,
    plot_gantt,
    plot_register_changes,
    plot_status,
)
from kpss_analysis.report.plan_tables import (
    cost_table,
    progress_table,
    register_diff_table,
    status_table,
    timeline_table,
)
from kpss_analysis.report.plan_workbook import save_plan_template

matplotlib.use("Agg")

ORP = Orp("4107", "Sokolov", "3051", "Karlovarský kraj", 2)
DS_CODE = "kapacita.domovy_pro_seniory.luzka"


# --------------------------------------------------------------------------- toy data


@pytest.fixture()
def data() -> dict[str, pd.DataFrame]:
    """Two obce in ORP 4107 (A, B) and one elsewhere (C, ORP 4106).

    Services: a DS with 40 beds at two places (A and C: 20 beds in the ORP), a DS with 10 beds
    in B, a pečovatelská služba (30 clients, B). Providers: IČO 1 (both DS) and 2.
    People 75+: 100 in A, 100 in B, 300 in C; 65–74: 50 in A.
    """
    territory = pd.DataFrame({"obec_kod": ["A", "B", "C"], "orp_kod": ["4107", "4107", "4106"],
                              "okres_kod": ["X", "X", "X"], "kraj_kod": ["3051"] * 3})
    age5 = pd.DataFrame({"obec_kod": ["A", "A", "B", "C", "A"], "sex": ["M", "F", "F", "F", "F"],
                         "age_start": [75, 85, 80, 75, 65], "population": [60, 40, 100, 300, 50]})
    services = pd.DataFrame({
        "service_id": ["s1", "s2", "s3"], "name": ["Domov 1", "Domov 2", "Pečovatelka"],
        "provider_name": ["P1", "P1", "P2"], "provider_ico": ["1", "1", "2"],
        "druh_code": ["13", "13", "4"], "druh_name": ["Domovy pro seniory", "Domovy pro seniory",
                                                      "Pečovatelská služba"],
        "snapshot": pd.to_datetime(["2026-09-04"] * 3)})
    capacities = pd.DataFrame({"service_id": ["s1", "s2", "s3"], "forma": ["pob", "pob", "ter"],
                               "capacity_type": ["luzka", "luzka", "klient"], "capacity": [40.0, 10.0, 30.0]})
    places = pd.DataFrame({"service_id": ["s1", "s1", "s2", "s3"], "place_id": ["p1", "p2", "p3", "p4"],
                           "obec_kod": ["A", "C", "B", "B"], "orp_kod": ["4107", "4106", "4107", "4107"],
                           "kraj_kod": ["3051"] * 4})
    return {"services": services, "capacities": capacities, "places": places, "age5": age5, "territory": territory}


def test_registry_values_on_toy_frames(data):
    table = pi.compute_plan_indicators(data, ORP, [
        "sluzby.pocet", "poskytovatele.pocet", DS_CODE, "kapacita.pecovatelska_sluzba.klient",
        "kapacita.osobni_asistence.klient", "kapacita_na_1000.ds", "kapacita_na_1000.ds_dzr", "obyvatele.75plus",
        "obyvatele.65plus", "projekce.65plus.2030.varianta_a"]).set_index("code")
    assert table.loc["sluzby.pocet", "value"] == 2.5  # s1 half, s2, s3
    assert table.loc["poskytovatele.pocet", "value"] == 2
    assert table.loc[DS_CODE, "value"] == 30  # 40 / 2 + 10
    assert table.loc[DS_CODE, "date"] == "2026-09-04"
    assert table.loc[DS_CODE, "unit"] == "lůžka"
    assert table.loc["kapacita.pecovatelska_sluzba.klient", "value"] == 30
    assert math.isnan(table.loc["kapacita.osobni_asistence.klient", "value"])  # druh not in the data: never 0
    assert table.loc["kapacita.osobni_asistence.klient", "reason"] == NOT_AVAILABLE
    assert table.loc["kapacita_na_1000.ds", "value"] == pytest.approx(1000 * 30 / 200)
    assert table.loc["kapacita_na_1000.ds_dzr", "value"] == pytest.approx(150)  # DZR absent, DS present
    assert table.loc["kapacita_na_1000.ds_dzr", "unit"] == "lůžka na 1 000 obyvatel 75+"
    assert table.loc["obyvatele.75plus", "value"] == 200
    assert table.loc["obyvatele.65plus", "value"] == 250
    assert table.loc["obyvatele.65plus", "date"] == "2020-12-31"
    assert math.isnan(table.loc["projekce.65plus.2030.varianta_a", "value"])
    assert table.loc["projekce.65plus.2030.varianta_a", "reason"] == \
        "chybí vstupní data: projekce obyvatel (kapitola 02)"


def test_projection_and_exclusion_indicators(data):
    projection = pd.DataFrame({"variant": ["A", "A", "A", "B"], "orp_kod": ["4107", "4107", "4106", "4107"],
                               "year": [2030, 2030, 2030, 2030], "sex": ["F", "M", "F", "F"],
                               "age": [70, 85, 70, 70], "population": [120.0, 30.0, 999.0, 100.0]})
    exclusion = pd.DataFrame({"obec_kod": ["A", "B", "C"], "population_15plus": [800, 200, 5000],
                              "population_15_64": [600, 100, 4000], "exekuce": [80, 40, 1], "pnb": [10.5, 2.0, 0],
                              "pnz": [4.0, 1.0, 0], "ltu": [14, 0, 3], "reference_date": ["2023-12-31"] * 3})
    codes = ["projekce.65plus.2030.varianta_a", "projekce.80plus.2030.varianta_a", "projekce.65plus.2030.varianta_b",
             "projekce.65plus.2035.varianta_a", "vylouceni.exekuce", "vylouceni.podil_exekuce",
             "vylouceni.pnb_na_100", "vylouceni.dlouhodobe_nezamestnani_na_100"]
    table = pi.compute_plan_indicators({**data, "projection": projection, "exclusion": exclusion}, ORP,
                                       codes).set_index("code")
    assert table.loc["projekce.65plus.2030.varianta_a", "value"] == 150
    assert table.loc["projekce.80plus.2030.varianta_a", "value"] == 30
    assert table.loc["projekce.65plus.2030.varianta_b", "value"] == 100
    assert table.loc["projekce.65plus.2030.varianta_a", "date"] == "2030-01-01"
    assert table.loc["projekce.65plus.2035.varianta_a", "reason"] == "projekce neobsahuje rok 2035 (k dispozici: 2030)"
    assert table.loc["vylouceni.exekuce", "value"] == 120
    assert table.loc["vylouceni.podil_exekuce", "value"] == pytest.approx(12.0)  # 120 / 1 000 × 100
    assert table.loc["vylouceni.pnb_na_100", "value"] == pytest.approx(1.25)
    assert table.loc["vylouceni.dlouhodobe_nezamestnani_na_100", "value"] == pytest.approx(2.0)  # 14 / 700
    assert table.loc["vylouceni.exekuce", "date"] == "2023-12-31"
    codes = pi.baseline_codes({**data, "projection": projection, "exclusion": exclusion}, ORP)
    assert "projekce.80plus.2030.varianta_b" in codes and "projekce.65plus.2040.varianta_a" not in codes
    assert set(pi.EXCLUSION_INDICATORS) <= set(codes)


def test_baseline_codes_only_what_the_orp_has(data):
    codes = pi.baseline_codes(data, ORP)
    assert codes[:2] == ["sluzby.pocet", "poskytovatele.pocet"]
    assert [c for c in codes if c.startswith("kapacita.")] == [
        "kapacita.pecovatelska_sluzba.klient", DS_CODE]  # the law's order: § 40 before § 49
    ratios = [c for c in codes if c.startswith("kapacita_na_1000.")]
    assert ratios == ["kapacita_na_1000.ds", "kapacita_na_1000.ds_dzr", "kapacita_na_1000.ps_65",
                      "kapacita_na_1000.ps_80"]  # targets whose druhy are in the data
    assert codes[-3:] == ["obyvatele.65plus", "obyvatele.75plus", "obyvatele.80plus"]
    assert not any(c.startswith(("projekce.", "vylouceni.")) for c in codes)


def test_register_indicator(data):
    with pytest.raises(ValueError, match="registered already"):
        pi.register_indicator(DS_CODE, "x", "x", (), lambda ctx: 0.0, lambda ctx: "")
    try:
        pi.register_indicator("test.dvojnasobek", "Dvojnásobek lůžek", "lůžka", pi.SERVICE_INPUTS,
                              lambda ctx: 2 * ctx.capacity(["Domovy pro seniory"], "luzka"), lambda ctx: ctx.snapshot)
        table = pi.compute_plan_indicators(data, ORP, ["test.dvojnasobek"])
        assert table["value"].tolist() == [60.0]
    finally:
        del pi.INDICATORS["test.dvojnasobek"]
    with pytest.raises(ValueError, match="unknown data codes"):
        pi.compute_plan_indicators(data, ORP, ["neznamy.kod"])


# --------------------------------------------------------------------------- the workbook


BASELINES = pd.DataFrame({
    "code": [DS_CODE, "kapacita_na_1000.ds_dzr", "kapacita.osobni_asistence.klient"],
    "label": ["Domovy pro seniory – registrovaná kapacita (lůžka)", "DS a DZR na 1 000", "OA"],
    "unit": ["lůžka", "lůžka na 1 000 obyvatel 75+", "klienti"], "value": [213.0, 46.016, np.nan],
    "date": ["2026-09-04", "2026-09-04", ""], "reason": ["", "", NOT_AVAILABLE]})

PRIORITIES = [{"priority_id": "1", "name": "Péče o seniory", "target_group": "Senioři"},
              {"priority_id": "2", "name": "Rodiny", "target_group": "Rodiny s dětmi, děti a mládež"}]
MEASURES = [{"measure_id": "1.1", "priority_id": "1", "name": "Rozšířit pobytové služby"},
            {"measure_id": "2.1", "priority_id": "2", "name": "Poradenství pro rodiny"}]
ACTIVITIES = [
    {"activity_id": "1.1.1", "measure_id": "1.1", "name": "Přístavba domova", "owner": "Město Sokolov",
     "target_group": "Senioři", "druh": "Domovy pro seniory", "start": dt.datetime(2025, 1, 1),
     "end": dt.datetime(2026, 12, 31), "planned_obec": 1_000_000, "planned_eu": 4_000_000, "actual_obec": 600_000,
     "main_source": "EU", "status": "Probíhá"},
    {"activity_id": "1.1.2", "measure_id": "1.1", "name": "Studie potřeb", "start": "1. 3. 2025",
     "end": dt.datetime(2025, 6, 30), "planned_obec": 50_000, "actual_obec": 48_000, "status": "Splněno"},
    {"activity_id": "2.1.1", "measure_id": "2.1", "name": "Poradna", "planned_kraj": 200_000, "status": "Zrušeno"},
]
INDICATOR_ROWS = [{"measure_id": "1.1", "indicator": "Počet setkání", "unit": "setkání", "baseline": 0,
                   "target": 4, "target_year": 2027, "current": 3, "responsible": "Koordinátor"}]


@pytest.fixture()
def filled(tmp_path):
    path = save_plan_template(tmp_path / "plan.xlsx", ORP, BASELINES)
    fill_plan(path, {"priorities": PRIORITIES, "measures": MEASURES, "activities": ACTIVITIES,
                 "indicators": INDICATOR_ROWS})
    return path


def test_template_layout(tmp_path):
    path = save_plan_template(tmp_path / "sub" / "plan.xlsx", ORP, BASELINES, source="MPSV, registr, stav k 4. 9. 2026")
    workbook = load_workbook(path)
    assert "(počet ukazatelů: 2): výchozí hodnotu" in workbook["Návod"]["A7"].value
    assert workbook["Návod"]["A7"].value.endswith("Zdroj výchozích hodnot: MPSV, registr, stav k 4. 9. 2026.")
    assert workbook.sheetnames == ["Návod", "Priority", "Opatření", "Aktivity", "Ukazatele", "Číselníky"]
    assert "SO ORP Sokolov" in workbook["Návod"]["A1"].value
    activities = workbook["Aktivity"]
    assert [c.value for c in activities[1]] == [HEADERS[k] for k in COLUMNS["activities"]]
    assert "Plán – MPSV (Kč)" in [c.value for c in activities[1]]
    assert activities.row_dimensions[1].height == 48
    assert activities.freeze_panes == "D2"
    assert activities.print_title_rows == "$1:$1"
    assert activities.page_setup.orientation == "landscape"
    assert activities.page_setup.fitToWidth == 1 and activities.sheet_properties.pageSetUpPr.fitToPage
    lists = {str(dv.sqref): dv.formula1 for dv in activities.data_validations.dataValidation if dv.type == "list"}
    status = get_column_letter(COLUMNS["activities"].index("status") + 1)
    assert lists[f"{status}2:{status}501"] == "'Číselníky'!$A$2:$A$5"
    assert [workbook["Číselníky"].cell(r, 1).value for r in range(1, 6)] == ["Stav", *STATUSES.values()]
    assert len(lists) == 4  # stav, cílová skupina, druh, hlavní zdroj financování
    codes = {str(dv.sqref): dv.formula1 for dv in workbook["Ukazatele"].data_validations.dataValidation}
    assert codes["D2:D501"] == f"'Číselníky'!$F$2:$F${len(pi.INDICATORS) + 1}"
    assert workbook["Číselníky"]["F2"].value == "sluzby.pocet"
    druhy = [workbook["Číselníky"].cell(r, 3).value for r in range(2, 40)]
    assert "Domovy se zvláštním režimem" in druhy and len([d for d in druhy if d]) == 33
    indicators = workbook["Ukazatele"]
    assert [indicators.cell(2, c).value for c in (4, 5)] == [DS_CODE, 213]
    assert indicators.cell(4, 2).value is None  # the NaN baseline is not written
    assert workbook.properties.identifier == "4107"


def test_template_round_trip(filled):
    plan = read_plan(filled)
    assert plan.orp_code == "4107"
    assert plan.priorities["priority_id"].tolist() == ["1", "2"]
    assert plan.measures["priority_id"].tolist() == ["1", "2"]
    activities = plan.activities.set_index("activity_id")
    assert activities["status"].tolist() == ["in_progress", "done", "cancelled"]
    assert activities.loc["1.1.2", "start"] == pd.Timestamp("2025-03-01")  # a date typed as Czech text
    assert activities.loc["1.1.1", "end"] == pd.Timestamp("2026-12-31")
    assert activities.loc["1.1.1", "planned_eu"] == 4_000_000
    assert math.isnan(activities.loc["1.1.1", "planned_kraj"])
    assert activities.loc["1.1.1", "druh"] == "Domovy pro seniory"
    assert activities.loc["1.1.1", "main_source"] == "EU"
    indicators = plan.indicators
    assert indicators["code"].tolist()[:2] == [DS_CODE, "kapacita_na_1000.ds_dzr"]
    assert indicators.loc[0, "baseline"] == 213
    assert indicators.loc[1, "baseline"] == pytest.approx(46.016)
    assert indicators.loc[0, "baseline_date"] == pd.Timestamp("2026-09-04")
    assert indicators.loc[2, "indicator"] == "Počet setkání" and indicators.loc[2, "target_year"] == 2027
    assert pd.isna(indicators.loc[2, "code"])
    assert indicators["row"].tolist() == [2, 3, 4]


# --------------------------------------------------------------------------- validation messages


def _break(path, sheet_key, row, key, value):
    fill_plan(path, {sheet_key: [{key: value}]}, start=row)


CASES = [
    ("activities", 2, "status", "Hotovo", "list „Aktivity“, řádek 2, sloupec „Stav“: hodnota 'Hotovo' není v seznamu "
                                          "(Splněno, Probíhá, Nezahájeno, Zrušeno)"),
    ("activities", 3, "planned_obec", "12 000 Kč", "list „Aktivity“, řádek 3, sloupec „Plán – obec (Kč)“: hodnota "
                                                   "'12 000 Kč' není číslo"),
    ("activities", 2, "actual_eu", -5, "list „Aktivity“, řádek 2, sloupec „Skutečnost – EU (Kč)“: částka -5 je záporná"),
    ("activities", 2, "start", "březen 2025", "list „Aktivity“, řádek 2, sloupec „Zahájení“: hodnota 'březen 2025' "
                                              "není datum"),
    ("activities", 2, "end", "31. 2. 2025", "list „Aktivity“, řádek 2, sloupec „Ukončení“: hodnota '31. 2. 2025' "
                                            "není datum"),
    ("activities", 2, "end", dt.datetime(2024, 6, 1), "list „Aktivity“, řádek 2, sloupec „Ukončení“: ukončení "
                                                      "1.\u00a06.\u00a02024 je před zahájením 1.\u00a01.\u00a02025"),
    ("activities", 4, "measure_id", "9.9", "list „Aktivity“, řádek 4, sloupec „Číslo opatření“: číslo '9.9' není na "
                                           "listu „Opatření“"),
    ("measures", 3, "priority_id", "7", "list „Opatření“, řádek 3, sloupec „Číslo priority“: číslo '7' není na listu "
                                        "„Priority“"),
    ("indicators", 4, "measure_id", "3.3", "list „Ukazatele“, řádek 4, sloupec „Číslo opatření“: číslo '3.3' není na "
                                           "listu „Opatření“"),
    ("activities", 3, "activity_id", "1.1.1", "list „Aktivity“, řádek 3, sloupec „Číslo aktivity“: číslo '1.1.1' se "
                                              "opakuje"),
    ("indicators", 2, "code", "kapacita.neco", "list „Ukazatele“, řádek 2, sloupec „Kód údaje“: neznámý kód údaje "
                                               "'kapacita.neco'"),
    ("indicators", 4, "target_year", "2027/28", "list „Ukazatele“, řádek 4, sloupec „Cílový rok“: hodnota '2027/28' "
                                                "není rok 2000–2100"),
    ("indicators", 4, "baseline_date", "2020", "list „Ukazatele“, řádek 4, sloupec „Datum výchozí hodnoty“: hodnota "
                                               "'2020' není datum"),
    ("indicators", 2, "baseline_date", dt.datetime(1905, 7, 12), "list „Ukazatele“, řádek 2, sloupec „Datum výchozí "
                                                                 "hodnoty“: datum 12.\u00a07.\u00a01905 je mimo roky 2000–2100"),
    ("indicators", 4, "target", "vyšší", "list „Ukazatele“, řádek 4, sloupec „Cílová hodnota“: hodnota 'vyšší' "
                                         "není číslo"),
    ("activities", 3, "druh", "Domov pro seniory", "list „Aktivity“, řádek 3, sloupec „Druh sociální služby“: "
                                                   "hodnota 'Domov pro seniory' není v seznamu (vyberte z nabídky, seznam je "
                                                   "na listu „Číselníky“)"),
    ("priorities", 2, "target_group", "Senioři a OZP", "list „Priority“, řádek 2, sloupec „Cílová skupina“: hodnota "
                                                       "'Senioři a OZP' není v seznamu"),
    ("activities", 2, "main_source", "stát", "list „Aktivity“, řádek 2, sloupec „Hlavní zdroj financování“: hodnota "
                                             "'stát' není v seznamu (obec, kraj, MPSV, EU, uživatelé, jiné)"),
    ("activities", 4, "status", None, "list „Aktivity“, řádek 4, sloupec „Stav“: buňka je prázdná, musí být vyplněna"),
]


@pytest.mark.parametrize(("sheet", "row", "key", "value", "message"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_validation_messages(filled, sheet, row, key, value, message):
    _break(filled, sheet, row, key, value)
    with pytest.raises(DataValidationError) as error:
        read_plan(filled)
    assert message in str(error.value)
    assert str(filled) in str(error.value)


def test_missing_sheet_and_column(filled, tmp_path):
    workbook = load_workbook(filled)
    workbook["Aktivity"].title = "Activity"
    workbook.save(tmp_path / "renamed.xlsx")
    with pytest.raises(DataValidationError, match="chybí list „Aktivity“; sešit musí mít listy „Priority“"):
        read_plan(tmp_path / "renamed.xlsx")
    workbook = load_workbook(filled)
    workbook["Aktivity"].cell(1, COLUMNS["activities"].index("status") + 1, "Status")
    workbook.save(tmp_path / "column.xlsx")
    with pytest.raises(DataValidationError, match="list „Aktivity“, řádek 1, sloupec „Stav“: sloupec chybí"):
        read_plan(tmp_path / "column.xlsx")


def test_all_problems_listed_at_once(filled):
    fill_plan(filled, {"activities": [{"status": "Hotovo", "planned_obec": "moc"}]}, start=2)
    with pytest.raises(DataValidationError) as error:
        read_plan(filled)
    assert "sloupec „Stav“" in str(error.value) and "sloupec „Plán – obec (Kč)“" in str(error.value)


def test_missing_or_foreign_file(tmp_path):
    with pytest.raises(ParameterError, match="neexistuje"):
        read_plan(tmp_path / "none.xlsx")
    (tmp_path / "text.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ParameterError, match="není sešit XLSX"):
        read_plan(tmp_path / "text.xlsx")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ParameterError, match="old.xls není sešit XLSX"):
        read_plan(tmp_path / "old.xls")


# --------------------------------------------------------------------------- summaries on a small plan


def _frame(sheet, rows):
    frame = pd.DataFrame(rows, columns=["row", *COLUMNS[sheet]])
    frame["row"] = range(2, 2 + len(frame))
    return frame


def _plan() -> Plan:
    """Priority 1 (measure 1.1: done, in progress, not started) and 2 (2.1: done, cancelled)."""
    activities = _frame("activities", [
        {"activity_id": "1.1.1", "measure_id": "1.1", "name": "A", "status": "done", "planned_obec": 100.0,
         "actual_obec": 90.0, "planned_eu": 300.0, "start": pd.Timestamp("2025-03-01"),
         "end": pd.Timestamp("2025-03-31")},
        {"activity_id": "1.1.2", "measure_id": "1.1", "name": "B", "status": "in_progress", "planned_obec": 50.0,
         "actual_eu": 120.0, "start": pd.Timestamp("2025-01-01"), "end": pd.Timestamp("2026-12-31")},
        {"activity_id": "1.1.3", "measure_id": "1.1", "name": "C", "status": "not_started"},
        {"activity_id": "2.1.1", "measure_id": "2.1", "name": "D", "status": "done", "planned_kraj": 10.0,
         "actual_kraj": 10.0, "start": pd.Timestamp("2024-01-01"), "end": pd.Timestamp("2024-01-01")},
        {"activity_id": "2.1.2", "measure_id": "2.1", "name": "E", "status": "cancelled", "planned_kraj": 5.0},
    ])
    for column in COLUMNS["activities"]:
        if column.startswith(("planned_", "actual_")):
            activities[column] = activities[column].astype(float)
    indicators = _frame("indicators", [
        {"indicator": "Lůžka DS", "code": DS_CODE, "baseline": 100.0, "target": 150.0, "target_year": 2027},
        {"indicator": "Čekatelé", "baseline": 10.0, "target": 5.0, "current": 8.0},
        {"indicator": "Bez cíle", "code": "obyvatele.65plus", "baseline": 1000.0},
        {"indicator": "Nelze", "code": "kapacita.osobni_asistence.klient", "baseline": 5.0, "target": 10.0},
        {"indicator": "Stejný cíl", "baseline": 3.0, "target": 3.0, "current": 3.0},
        {"indicator": "Nevyplněno", "baseline": 3.0, "target": 6.0},
    ])
    return Plan(priorities=_frame("priorities", [{"priority_id": "1", "name": "Senioři"},
                                                 {"priority_id": "2", "name": "Rodiny"}]),
                measures=_frame("measures", [{"measure_id": "1.1", "priority_id": "1", "name": "M1"},
                                             {"measure_id": "2.1", "priority_id": "2", "name": "M2"}]),
                activities=activities, indicators=indicators)


def test_indicator_progress():
    current = pd.DataFrame({"code": [DS_CODE, "obyvatele.65plus", "kapacita.osobni_asistence.klient"],
                            "value": [120.0, 1100.0, np.nan], "date": ["2027-09-01", "2020-12-31", ""],
                            "reason": ["", "", NOT_AVAILABLE]})
    progress = compute_indicator_progress(_plan(), current).set_index("indicator")
    assert progress.loc["Lůžka DS", "progress"] == pytest.approx(40.0)  # (120 − 100) / (150 − 100)
    assert progress.loc["Lůžka DS", "change"] == 20
    assert progress.loc["Lůžka DS", "current_date"] == "2027-09-01"
    assert progress.loc["Lůžka DS", "source"] == "data"
    assert progress.loc["Čekatelé", "progress"] == pytest.approx(40.0)  # (8 − 10) / (5 − 10): a target below
    assert progress.loc["Čekatelé", "source"] == "plan"
    assert progress.loc["Bez cíle", "current"] == 1100
    assert math.isnan(progress.loc["Bez cíle", "progress"])
    assert progress.loc["Bez cíle", "reason"] == "chybí cílová hodnota"
    assert progress.loc["Nelze", "reason"] == f"hodnotu nelze z dat spočítat: {NOT_AVAILABLE}"
    assert progress.loc["Stejný cíl", "reason"] == "cílová hodnota se rovná výchozí"
    assert progress.loc["Nevyplněno", "reason"] == "ukazatel nemá kód údaje a současná hodnota není vyplněna"
    assert progress["reason"].eq("").sum() == 2
    table = progress_table(progress.reset_index())
    assert table.columns[:4].tolist() == ["Číslo opatření", "Ukazatel", "Jednotka", "Kód údaje"]
    assert table["Současná hodnota je"].tolist()[:2] == ["z dat", "zapsáno v plánu"]
    assert table.loc[0, "Cesta k cílové hodnotě (%)"] == pytest.approx(40.0)


def test_status_summary():
    summary = compute_status_summary(_plan())
    assert summary["priority_name"].tolist() == ["Senioři", "Rodiny", "Celkem"]
    assert summary[list(STATUSES)].to_numpy().tolist() == [[1, 1, 1, 0], [1, 0, 0, 1], [2, 1, 1, 1]]
    assert summary["total"].tolist() == [3, 2, 5]
    assert summary["share_done"].tolist() == pytest.approx([100 / 3, 100.0, 50.0])  # cancelled ones excluded
    table = status_table(summary)
    assert table["Priorita"].tolist() == ["1 Senioři", "2 Rodiny", "Celkem"]
    assert table.columns.tolist() == ["Priorita", "Splněno", "Probíhá", "Nezahájeno", "Zrušeno", "Aktivity celkem",
                                      "Splněno (% aktivit bez zrušených)"]


def test_costs():
    costs = compute_costs(_plan()).set_index(["priority_name", "source"])
    assert costs.loc[("Senioři", "obec"), ["planned", "actual"]].tolist() == [150.0, 90.0]
    assert costs.loc[("Senioři", "eu"), ["planned", "actual", "difference"]].tolist() == [300.0, 120.0, -180.0]
    assert costs.loc[("Senioři", "total"), "planned"] == 450
    assert costs.loc[("Senioři", "total"), "share_spent"] == pytest.approx(100 * 210 / 450)
    assert costs.loc[("Rodiny", "total"), ["planned", "actual"]].tolist() == [15.0, 10.0]  # cancelled included
    assert costs.loc[("Celkem", "total"), ["planned", "actual"]].tolist() == [465.0, 220.0]
    assert math.isnan(costs.loc[("Celkem", "users"), "share_spent"])
    assert costs.loc[("Celkem", "mpsv"), "source_label"] == "MPSV"
    assert len(costs) == 3 * 7
    table = cost_table(costs.reset_index())
    assert table.loc[0, ["Priorita", "Zdroj financování", "Plánované náklady (Kč)"]].tolist() == ["1 Senioři", "obec",
                                                                                                  150.0]


def test_timeline():
    timeline = compute_timeline(_plan())
    assert timeline["activity_id"].tolist() == ["1.1.2", "1.1.1", "2.1.1"]  # priority, measure, start
    assert timeline["days"].tolist() == [730, 31, 1]
    assert timeline["status_label"].tolist() == ["Probíhá", "Splněno", "Splněno"]
    assert timeline_table(timeline).loc[0, ["Číslo aktivity", "Stav", "Trvání (dny)"]].tolist() == [
        "1.1.2", "Probíhá", 730]
    assert describe_undated(_plan()) == "Bez data zahájení nebo ukončení (v časovém plánu nejsou): 1.1.3 C, 2.1.2 E."


def test_plots_return_axes_with_status_styles():
    plan = _plan()
    ax = plot_status(compute_status_summary(plan))
    hatched = {p.get_hatch() for p in ax.patches if p.get_width() > 0}
    assert hatched == {STATUS_STYLES[k][1] for k in STATUSES}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(STATUSES.values())
    assert ax.get_xlabel() == "Počet aktivit"
    ax = plot_costs(compute_costs(plan))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["obec", "kraj", "MPSV", "EU", "uživatelé", "jiné"]
    assert [round(p.get_height()) for p in ax.patches[:6]] == [150, 15, 0, 300, 0, 0]
    ax = plot_costs(compute_costs(plan), by="priority")
    assert len(ax.patches) == 4
    ax = plot_gantt(compute_timeline(plan), monitoring_date=pd.Timestamp("2025-09-30"))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1.1.2 B", "1.1.1 A", "2.1.1 D"]  # top down
    assert "stav k 30.\u00a09.\u00a02025" in [t.get_text() for t in ax.get_legend().get_texts()]
    empty = _plan()
    empty = Plan(empty.priorities, empty.measures, empty.activities.iloc[0:0], empty.indicators)
    assert not plot_status(compute_status_summary(empty)).axison


# --------------------------------------------------------------------------- register diff


def test_register_diff():
    def snapshot(rows, caps):
        services = pd.DataFrame([r[:4] for r in rows], columns=["service_id", "name", "provider_name", "druh_name"])
        places = pd.DataFrame([(r[0], r[4]) for r in rows], columns=["service_id", "orp_kod"])
        return services, pd.DataFrame(caps, columns=["service_id", "forma", "capacity_type", "capacity"]), places

    old = snapshot([("a", "Stálý", "P", "Domovy pro seniory", "4107"), ("b", "Roste", "P", "Domovy pro seniory", "4107"),
                    ("c", "Končí", "P", "Pečovatelská služba", "4107"), ("e", "Stěhuje", "P", "Tísňová péče", "4107"),
                    ("f", "Jinde", "P", "Tísňová péče", "4106")],
                   [("a", "pob", "luzka", 40.0), ("b", "pob", "luzka", 40.0), ("b", "amb", "klient", 5.0),
                    ("c", "ter", "klient", 12.0), ("e", "ter", "klient", 3.0), ("f", "ter", "klient", 9.0)])
    new = snapshot([("a", "Stálý", "P", "Domovy pro seniory", "4107"), ("b", "Roste", "P", "Domovy pro seniory", "4107"),
                    ("d", "Nová", "Q", "Odlehčovací služby", "4107"), ("e", "Stěhuje", "P", "Tísňová péče", "4106"),
                    ("f", "Jinde", "P", "Tísňová péče", "4106"), ("g", "Bez kapacity", "Q", "Raná péče", "4107")],
                   [("a", "pob", "luzka", 40.0), ("b", "pob", "luzka", 45.0), ("b", "amb", "klient", 5.0),
                    ("d", "pob", "luzka", 4.0), ("e", "ter", "klient", 3.0), ("f", "ter", "klient", 20.0)])
    diff = compute_register_diff(old[0], new[0], old[1], new[1], old[2], new[2], "4107")
    assert diff["change"].tolist() == ["new", "new", "capacity", "moved_out", "ended"]
    assert diff["service_id"].tolist() == ["d", "g", "b", "e", "c"]
    assert diff.loc[2, ["capacity_old", "capacity_new", "difference"]].tolist() == [40.0, 45.0, 5.0]
    assert diff.loc[2, "capacity_type"] == "luzka"
    assert diff.loc[0, ["capacity_new", "difference"]].tolist() == [4.0, 4.0]
    assert pd.isna(diff.loc[1, "forma"]) and diff.loc[1, "name"] == "Bez kapacity"
    assert diff.loc[4, ["capacity_old", "difference", "change_label"]].tolist() == [12.0, -12.0,
                                                                                   "ukončená nebo vyřazená služba"]
    assert diff.loc[3, "name"] == "Stěhuje"
    table = register_diff_table(diff)
    assert table.loc[2, ["Změna", "Forma", "Jednotka kapacity", "Rozdíl"]].tolist() == [
        "změna kapacity", "pobytová", "lůžka", 5.0]
    back = compute_register_diff(new[0], old[0], new[1], old[1], new[2], old[2], "4107")
    assert back.set_index("service_id").loc["e", "change"] == "moved_in"
    counts = compute_change_counts(diff)
    assert counts[["change", "services"]].to_numpy().tolist() == [
        ["new", 2], ["moved_in", 0], ["capacity", 1], ["moved_out", 1], ["ended", 1]]
    ax = plot_register_changes(counts)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(counts["change_label"])
    assert [round(bar.get_width()) for bar in ax.patches] == [2, 0, 1, 1, 1]
    assert len({bar.get_hatch() or "" for bar in ax.patches}) == 5  # apart in greyscale too


# --------------------------------------------------------------------------- real data


def test_sokolov_baselines_on_real_data(use_data, tmp_path):
    from kpss_analysis.analysis import projection as pj
    from kpss_analysis.analysis.territory import find_orp
    from kpss_analysis.data import load

    territory = load.load_territory()
    orp = find_orp("Sokolov", territory)
    data = {"services": load.load_services(), "capacities": load.load_service_capacities(),
            "places": load.load_service_places(), "age5": load.load_age5(), "territory": territory}
    projection = pj.compute_projection(data["age5"], territory, load.load_age1_okres(), load.load_projection(),
                                       load.load_mos())
    baselines = pi.compute_plan_indicators({**data, "projection": projection}, orp)
    values = baselines.set_index("code")["value"]
    assert values[DS_CODE] == pytest.approx(213)
    assert round(values["kapacita_na_1000.ds_dzr"], 1) == 46.0
    assert values["obyvatele.75plus"] == 5259
    units = pj.compute_unit_projection(projection, territory, orp.code).set_index(["level", "variant", "year"])
    assert values["projekce.80plus.2040.varianta_b"] == pytest.approx(units.loc[("orp", "B", 2040), "80+"])
    assert baselines["value"].notna().all()
    plan = read_plan(save_plan_template(tmp_path / "sokolov.xlsx", orp, baselines))
    read_back = plan.indicators.set_index("code")["baseline"]
    assert read_back[DS_CODE] == 213
    assert round(read_back["kapacita_na_1000.ds_dzr"], 1) == 46.0
    assert plan.activities.empty and plan.orp_code == orp.code
