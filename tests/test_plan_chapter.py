"""Chapter 07 (monitoring of the action plan): parameters, checks, texts, `kpss plan new|check`, the chapter's runs."""

from __future__ import annotations

import datetime as dt
import json

import nbformat
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import fill_plan
from kpss_analysis.analysis import plan_monitoring as pm
from kpss_analysis.analysis.action_plan import HEADERS, SHEETS, STATUSES, read_plan
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.errors import DataValidationError, ParameterError
from kpss_analysis.report.documents import TITLE_METADATA, chapter_title
from kpss_analysis.report.plan_report import baseline_table, czech_dates
from kpss_analysis.report.plan_workbook import save_plan_template
from kpss_analysis.run import cli

ORP = Orp("4107", "Sokolov", "3051", "Karlovarský kraj", 38)
OTHER = Orp("4106", "Ostrov", "3051", "Karlovarský kraj", 15)
DS_CODE = "kapacita.domovy_pro_seniory.luzka"
RATIO_CODE = "kapacita_na_1000.ds_dzr"
TODAY = dt.date(2026, 10, 15)
BASELINES = pd.DataFrame({
    "code": [DS_CODE, RATIO_CODE, "obyvatele.75plus", "sluzby.pocet"],
    "label": ["Domovy pro seniory – registrovaná kapacita (lůžka)", "DS a DZR na 1 000 obyvatel 75+",
              "Obyvatelé ve věku 75 a více let", "Registrované sociální služby"],
    "unit": ["lůžka", "lůžka na 1 000 obyvatel 75+", "osoby", "služby"], "value": [213.0, 46.016, 5259.0, 15.667],
    "date": ["2026-09-04", "2026-09-04", "2020-12-31", "2026-09-04"], "reason": ["", "", "", ""]})


def set_targets(path, targets):
    """Target (and optionally a new baseline) of prefilled indicator rows, found by their data code."""
    workbook = load_workbook(path)
    sheet = workbook[SHEETS["indicators"]]
    header = [c.value for c in sheet[1]]
    code, target, baseline = (header.index(HEADERS[k]) + 1 for k in ("code", "target", "baseline"))
    rows = {sheet.cell(r, code).value: r for r in range(2, sheet.max_row + 1)}
    for key, values in targets.items():
        sheet.cell(rows[key], target).value = values[0]
        if len(values) > 1:
            sheet.cell(rows[key], baseline).value = values[1]
    workbook.save(path)


PLAN = {
    "priorities": [{"priority_id": "1", "name": "Péče o seniory", "target_group": "Senioři"},
                   {"priority_id": "2", "name": "Rodiny", "target_group": "Rodiny s dětmi, děti a mládež"}],
    "measures": [{"measure_id": "1.1", "priority_id": "1", "name": "Pobytové služby"},
                 {"measure_id": "2.1", "priority_id": "2", "name": "Poradenství"}],
    "activities": [
        {"activity_id": "1.1.1", "measure_id": "1.1", "name": "Přístavba domova", "start": dt.datetime(2025, 1, 1),
         "end": dt.datetime(2027, 6, 30), "planned_obec": 1_000_000, "planned_eu": 3_000_000, "actual_obec": 400_000,
         "status": "Probíhá"},
        {"activity_id": "1.1.2", "measure_id": "1.1", "name": "Studie potřeb", "start": dt.datetime(2025, 3, 1),
         "end": dt.datetime(2025, 6, 30), "planned_obec": 50_000, "actual_obec": 45_000, "status": "Splněno"},
        {"activity_id": "1.1.3", "measure_id": "1.1", "name": "Odlehčovací lůžka", "status": "Nezahájeno"},
        {"activity_id": "2.1.1", "measure_id": "2.1", "name": "Rodinná poradna", "start": dt.datetime(2025, 9, 1),
         "end": dt.datetime(2026, 8, 31), "planned_kraj": 200_000, "actual_kraj": 210_000, "status": "Splněno"},
        {"activity_id": "2.1.2", "measure_id": "2.1", "name": "Kampaň", "planned_kraj": 30_000, "status": "Zrušeno"},
    ],
    "indicators": [{"measure_id": "2.1", "indicator": "Počet konzultací poradny", "unit": "konzultace",
                    "baseline": 0, "target": 200, "target_year": 2027, "current": 150}],
}


@pytest.fixture()
def plan_path(tmp_path):
    path = save_plan_template(tmp_path / "plan.xlsx", ORP, BASELINES)
    fill_plan(path, PLAN)
    return path


# --------------------------------------------------------------------------- parameters


def test_monitoring_year():
    assert pm.check_monitoring_year(0, TODAY) == 2026
    assert pm.check_monitoring_year(2024, TODAY) == 2024
    with pytest.raises(ParameterError, match=r"monitoring_year = 1999 je mimo roky 2000–2100 \(0 = letošní rok\)"):
        pm.check_monitoring_year(1999, TODAY)
    with pytest.raises(ParameterError, match="musí být celé číslo"):
        pm.check_monitoring_year("2026", TODAY)
    with pytest.raises(ParameterError, match="musí být celé číslo"):
        pm.check_monitoring_year(True, TODAY)
    assert pm.monitoring_date(2026, TODAY) == pd.Timestamp("2026-10-15")
    assert pm.monitoring_date(2025, TODAY) == pd.Timestamp("2025-12-31")


def test_plan_path_relative_to_the_start_folder(tmp_path, plan_path):
    assert pm.resolve_plan_path("  ", tmp_path) is None
    assert pm.resolve_plan_path("plan.xlsx", tmp_path) == tmp_path.resolve() / "plan.xlsx"
    assert pm.resolve_plan_path(str(plan_path), "/elsewhere") == plan_path
    with pytest.raises(ParameterError, match="cesta k sešitu XLSX v uvozovkách, ne 5"):
        pm.resolve_plan_path(5)
    params = pm.check_plan_parameters("plan.xlsx", 0, base_dir=tmp_path, today=TODAY)
    assert params.plan_path == tmp_path.resolve() / "plan.xlsx" and params.year == 2026
    assert params.plan.activities["activity_id"].tolist() == ["1.1.1", "1.1.2", "1.1.3", "2.1.1", "2.1.2"]
    assert pm.chapter_title(params) == "Monitoring plnění akčního plánu 2026"
    assert params.as_parameters() == {"plan_file": str(tmp_path.resolve() / "plan.xlsx"), "monitoring_year": 2026}
    none = pm.check_plan_parameters("", 2025)
    assert none.plan is None and none.plan_path is None
    assert pm.chapter_title(none) == "Akční plán: šablona s výchozími hodnotami ukazatelů"
    assert none.as_parameters() == {"plan_file": "", "monitoring_year": 2025}
    assert "--chapters 07 -p plan_file='\"/cesta/k/akcni_planu.xlsx\"'" in pm.describe_next_step(ORP, pm.TEMPLATE_PATH)
    with pytest.raises(ParameterError, match="neexistuje"):
        pm.check_plan_parameters("chybi.xlsx", 0, base_dir=tmp_path)


def test_broken_plan_is_refused_before_anything_runs(plan_path):
    fill_plan(plan_path, {"activities": [{"status": "Hotovo"}]}, start=3)
    with pytest.raises(DataValidationError, match="list „Aktivity“, řádek 3, sloupec „Stav“: hodnota 'Hotovo'"):
        pm.check_plan_parameters(str(plan_path), 0)


def test_plan_of_another_orp(plan_path):
    params = pm.check_plan_parameters(str(plan_path), 0)
    assert pm.check_plan_orp(params, ORP) == ""
    with pytest.raises(ParameterError, match=r"sešit SO ORP s kódem ČSÚ 4107, kapitola ale běží pro SO ORP Ostrov "
                                             r"\(4106\)\. Zvolte správný soubor nebo --orp 4107"):
        pm.check_plan_orp(params, OTHER)
    workbook = load_workbook(plan_path)
    workbook.properties.identifier = None
    workbook.save(plan_path)
    params = pm.check_plan_parameters(str(plan_path), 0)
    assert pm.check_plan_orp(params, OTHER) == ("Sešit plan.xlsx neuvádí, pro kterou ORP vznikl (nevznikl ze šablony); "
                                                "předpokládá se SO ORP Ostrov.")


# --------------------------------------------------------------------------- texts and summaries


def test_status_progress_texts_and_summary(plan_path):
    from kpss_analysis.analysis import action_plan as ap

    plan = read_plan(plan_path)
    summary, costs = ap.compute_status_summary(plan), ap.compute_costs(plan)
    assert pm.describe_status(summary) == ("Akční plán má 5 aktivit: splněno 2, probíhá 1, nezahájeno 1, zrušeno 1; "
                                           "splněno je 50,0\u00a0% aktivit, které nebyly zrušeny.")
    current = pd.DataFrame({"code": [DS_CODE, RATIO_CODE, "obyvatele.75plus", "sluzby.pocet"],
                            "value": [233.0, 46.016, 5000.0, np.nan], "date": ["2027-09-01"] * 3 + [""],
                            "reason": ["", "", "", "x"]})
    plan.indicators.loc[plan.indicators["code"] == DS_CODE, "target"] = 263.0  # 213 → 233 of 263: 40 %
    plan.indicators.loc[plan.indicators["code"] == "obyvatele.75plus", "target"] = 6000.0  # 5259 → 5000: negative
    progress = ap.compute_indicator_progress(plan, current)
    assert progress.set_index("indicator").loc["Počet konzultací poradny", "progress"] == pytest.approx(75.0)
    assert pm.describe_progress(progress).startswith(
        "Z 5 ukazatelů lze cestu k cílové hodnotě spočítat u 3: cíle dosáhlo 0, k cíli se posunulo 2, na výchozí "
        "hodnotě nebo dál od cíle je 1.")
    numbers = pm.monitoring_summary(summary, progress, costs, 2026)
    assert numbers["orp"] == {"activities": 5, "activities_done": 2, "activities_in_progress": 1,
                              "activities_not_started": 1, "activities_cancelled": 1, "share_done": 50.0,
                              "cost_planned": 4_280_000.0, "cost_actual": 655_000.0, "indicators": 5,
                              "indicators_with_progress": 3, "indicators_reached": 0}
    assert (numbers["plan"], numbers["monitoring_year"], numbers["title"]) == (True, 2026, "Akční plán")
    assert set(numbers["labels"]) == set(numbers["orp"]) and numbers["labels"]["activities_done"] == "Aktivity – splněno"
    assert set(STATUSES) == {"done", "in_progress", "not_started", "cancelled"}
    params = pm.check_plan_parameters(str(plan_path), 2026, today=TODAY)
    assert pm.describe_plan(params, ORP, pd.Timestamp("2026-10-15")) == (
        "**Akční plán:** `plan.xlsx` – 2 priorit, 2 opatření, 5 aktivit, 5 ukazatelů; stav k 15.\u00a010.\u00a02026 "
        "(rok monitoringu 2026).")
    assert pm.plan_source(params, ORP, pd.Timestamp("2026-10-15")).startswith("Akční plán SO ORP Sokolov (plan.xlsx)")


def test_baseline_table_and_czech_dates():
    table, decimals = baseline_table(BASELINES)
    assert table.columns.tolist() == ["Ukazatel", "Jednotka", "Kód údaje", "Výchozí hodnota", "Datum výchozí hodnoty"]
    assert decimals == [0, 1, 0, 1]  # whole beds, a ratio, people, services split among places
    assert table["Datum výchozí hodnoty"].tolist()[:3] == ["4.\u00a09.\u00a02026", "4.\u00a09.\u00a02026",
                                                          "31.\u00a012.\u00a02020"]
    frame = pd.DataFrame({"Zahájení": pd.to_datetime(["2025-03-01", None]), "Datum": ["", "2024-01-31"]})
    assert czech_dates(frame).to_numpy().tolist() == [["1.\u00a03.\u00a02025", ""], ["", "31.\u00a01.\u00a02024"]]


def test_chapter_title_from_a_displayed_title(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Monitoring plnění akčního plánu"),
                                               nbformat.v4.new_code_cell("x")])
    nbformat.write(notebook, tmp_path / "a.ipynb")
    assert chapter_title(tmp_path / "a.ipynb", "07") == "Monitoring plnění akčního plánu"
    notebook.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": "**Území:** …"},
                                                        metadata={TITLE_METADATA: "Monitoring plnění akčního plánu 2026"})]
    nbformat.write(notebook, tmp_path / "b.ipynb")
    assert chapter_title(tmp_path / "b.ipynb", "07") == "Monitoring plnění akčního plánu 2026"


# --------------------------------------------------------------------------- register snapshots


def _snapshot(date, coverage, ids, groups=None):
    services = pd.DataFrame({"service_id": ids, "name": ids, "provider_name": "P", "druh_name": "Domovy pro seniory"})
    source = "katalog" if coverage == "senioři" else "rpss"
    return {"meta": {"snapshot": date, "coverage": coverage, "source": source, "citation": f"Registr {date}"},
            "services": services,
            "capacities": pd.DataFrame({"service_id": ids, "forma": "pob", "capacity_type": "luzka",
                                        "capacity": [10.0] * len(ids)}),
            "places": pd.DataFrame({"service_id": ids, "orp_kod": "4107"}),
            "target_groups": pd.DataFrame(groups or [], columns=["service_id", "target_group_code",
                                                                 "target_group_name"])}


def test_register_snapshots():
    old = _snapshot("2026-09-04", "senioři", ["a", "b"])
    diff, text = pm.compare_register_snapshots([old], "4107")
    assert diff is None
    assert text.startswith("V datech je jen jeden snímek registru poskytovatelů sociálních služeb (stav k "
                           "4.\u00a09.\u00a02026, senioři), změny služeb ORP")
    full = _snapshot("2027-03-01", "všechny cílové skupiny", ["a", "c", "d"],
                     [("a", "1", "senioři"), ("c", "2", "Senioři"), ("d", "3", "rodiny s dětmi")])
    diff, text = pm.compare_register_snapshots([full, old], "4107")
    assert diff[["change", "service_id"]].to_numpy().tolist() == [["new", "c"], ["ended", "b"]]  # d: not for seniors
    assert text == ("Srovnání registru mezi stavem k 4.\u00a09.\u00a02026 (výběr služeb pro seniory, Katalog "
                    "registrovaných služeb pro seniory) a stavem k 1.\u00a03.\u00a02027 (úplný export registru MPSV): "
                    "změnily se 2\u00a0služby ORP. Jeden snímek obsahuje jen služby s cílovou skupinou senioři, "
                    "proto je srovnání omezeno na tyto služby i v úplném registru.")
    assert pm.register_period([full, old]) == "k 4.\u00a09.\u00a02026 a k 1.\u00a03.\u00a02027"
    assert pm.register_source([full, old]) == ("Registr 2026-09-04; pokrytí: registrované sociální služby s cílovou "
                                               "skupinou senioři; Registr 2027-03-01; pokrytí: všechny registrované "
                                               "sociální služby")
    bare = _snapshot("2027-03-01", "všechny cílové skupiny", ["a", "c", "d"])
    diff, text = pm.compare_register_snapshots([old, bare], "4107")
    assert diff is None and "neuvádí cílové skupiny" in text
    same = _snapshot("2027-03-01", "senioři", ["a", "b"])
    diff, text = pm.compare_register_snapshots([old, same], "4107")
    assert diff.empty and text.endswith("žádná služba ORP se nezměnila.")


# --------------------------------------------------------------------------- kpss plan new / check


def test_plan_new_refuses_to_overwrite_and_non_xlsx(tmp_path, capsys):
    existing = tmp_path / "plan.xlsx"
    existing.write_bytes(b"filled plan")
    assert cli.main(["plan", "new", "--orp", "Sokolov", "--output", str(existing)]) == 2
    assert "už existuje; vyplněný plán se nepřepisuje" in capsys.readouterr().err
    assert existing.read_bytes() == b"filled plan"
    assert cli.main(["plan", "new", "--orp", "Sokolov", "--output", str(tmp_path / "plan.xls")]) == 2
    assert "zadejte soubor s příponou .xlsx" in capsys.readouterr().err


def test_plan_check(plan_path, capsys):
    assert cli.main(["plan", "check", str(plan_path)]) == 0
    assert "je v pořádku: 2 priorit, 2 opatření, 5 aktivit, 5 ukazatelů (ORP podle sešitu: 4107)" in \
        capsys.readouterr().out
    fill_plan(plan_path, {"activities": [{"planned_obec": "hodně"}]}, start=4)
    assert cli.main(["plan", "check", str(plan_path)]) == 2
    assert "list „Aktivity“, řádek 4, sloupec „Plán – obec (Kč)“: hodnota 'hodně' není číslo" in \
        capsys.readouterr().err


# --------------------------------------------------------------------------- real data


@pytest.mark.e2e
def test_plan_new_holds_the_real_baselines(use_data, tmp_path, capsys):
    target = tmp_path / "sokolov.xlsx"
    assert cli.main(["plan", "new", "--orp", "sokolov", "--output", str(target)]) == 0
    assert "Akční plán SO ORP Sokolov (4107)" in capsys.readouterr().out
    plan = read_plan(target)
    baselines = plan.indicators.set_index("code")["baseline"]
    assert baselines[DS_CODE] == 213
    assert round(baselines[RATIO_CODE], 1) == 46.0
    assert baselines["obyvatele.75plus"] == 5259
    assert "projekce.80plus.2040.varianta_b" in baselines and "vylouceni.podil_exekuce" in baselines
    assert plan.orp_code == "4107" and plan.activities.empty and plan.priorities.empty
    assert plan.indicators["target"].isna().all()  # no invented targets
    assert cli.main(["plan", "new", "--orp", "Sokolov", "--output", str(target), "--horizon-years", "2035",
                     "--force"]) == 0
    codes = set(read_plan(target).indicators["code"])
    assert "projekce.65plus.2035.varianta_a" in codes and "projekce.65plus.2030.varianta_a" not in codes
    assert cli.main(["plan", "new", "--orp", "Atlantida", "--output", str(tmp_path / "x.xlsx")]) == 2
    assert "Unknown ORP 'Atlantida'" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.e2e
def test_default_run_writes_the_template(seed_runs):
    folder = seed_runs["Sokolov"]
    plan = read_plan(folder / pm.TEMPLATE_PATH)
    baselines = plan.indicators.set_index("code")["baseline"]
    assert baselines[DS_CODE] == 213 and round(baselines[RATIO_CODE], 1) == 46.0
    assert plan.activities.empty
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["akcni_plan"]
    assert summary == {"title": "Akční plán", "plan": False, "baselines_prefilled": len(plan.indicators)}
    table = pd.read_csv(folder / "tables" / "akcni_plan_vychozi_hodnoty.csv", sep=";", decimal=",")
    assert table.set_index("Kód údaje").loc[DS_CODE, "Výchozí hodnota"] == 213
    assert chapter_title(folder / "07_akcni_plan.ipynb", "") == "Akční plán: šablona s výchozími hodnotami ukazatelů"
    assert not (folder / "tables" / "akcni_plan_stav_aktivit.csv").exists()  # no made-up activities


@pytest.mark.e2e
def test_monitoring_run_of_a_filled_plan(use_data, tmp_path):
    template = tmp_path / "plan.xlsx"
    assert cli.main(["plan", "new", "--orp", "Sokolov", "--output", str(template)]) == 0
    fill_plan(template, PLAN)
    set_targets(template, {DS_CODE: (263, 163), RATIO_CODE: (50,)})  # 163 → 213 of 263: 50 %
    out = tmp_path / "outputs"
    argv = ["run", "--orp", "Sokolov", "--chapters", "07", "-p", f"plan_file={json.dumps(str(template))}",
            "-p", "monitoring_year=2026", "--output-dir", str(out), "--workers", "1", "--quiet"]
    assert cli.main(argv) == 0
    folder = out / "4107-sokolov"
    status = pd.read_csv(folder / "tables" / "akcni_plan_stav_aktivit.csv", sep=";", decimal=",")
    assert status["Priorita"].tolist() == ["1 Péče o seniory", "2 Rodiny", "Celkem"]
    assert status[list(STATUSES.values())].to_numpy().tolist() == [[1, 1, 1, 0], [1, 0, 0, 1], [2, 1, 1, 1]]
    assert status["Splněno (% aktivit bez zrušených)"].tolist() == [33.3, 100.0, 50.0]
    progress = pd.read_csv(folder / "tables" / "akcni_plan_ukazatele.csv", sep=";", decimal=",").set_index("Kód údaje")
    assert progress.loc[DS_CODE, ["Výchozí hodnota", "Současná hodnota", "Cesta k cílové hodnotě (%)"]].tolist() == [
        163, 213, 50.0]
    ratio = progress.loc[RATIO_CODE]
    assert ratio["Cesta k cílové hodnotě (%)"] == pytest.approx(0.0, abs=0.05)  # unchanged data: 0 % of the way
    assert progress.set_index("Ukazatel").loc["Počet konzultací poradny", "Cesta k cílové hodnotě (%)"] == 75.0
    costs = pd.read_csv(folder / "tables" / "akcni_plan_naklady.csv", sep=";", decimal=",")
    total = costs[(costs["Priorita"] == "Celkem") & (costs["Zdroj financování"] == "celkem")].iloc[0]
    assert total[["Plánované náklady (Kč)", "Skutečné náklady (Kč)"]].tolist() == [4_280_000, 655_000]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["akcni_plan"]
    assert summary["orp"]["activities_done"] == 2 and summary["monitoring_year"] == 2026
    assert {f"figures/akcni_plan_{n}.png" for n in ("stav_aktivit", "naklady_zdroje", "naklady_priority",
                                                    "casovy_plan")} <= {str(p.relative_to(folder))
                                                                        for p in folder.rglob("*.png")}
    assert chapter_title(folder / "07_akcni_plan.ipynb", "") == "Monitoring plnění akčního plánu 2026"
    assert not (folder / pm.TEMPLATE_PATH).exists()
    from docx import Document

    document = Document(str(folder / "dokumenty" / "4107-sokolov_07_akcni_plan.docx"))
    assert "Monitoring plnění akčního plánu 2026" in [p.text for p in document.paragraphs[:5]]


def test_kpss_run_refuses_a_broken_plan_before_any_kernel(plan_path, use_data, tmp_path, capsys, monkeypatch):
    """The same message as `kpss plan check`, exit 2, no kernel started, nothing written."""
    from kpss_analysis.run import batch

    def no_kernel(*_args, **_kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(batch, "check_kernel", no_kernel)
    fill_plan(plan_path, {"activities": [{"planned_obec": "hodně"}]}, start=4)
    monkeypatch.chdir(plan_path.parent)  # a relative path counts from where kpss run starts
    out = tmp_path / "out"
    code = cli.main(["run", "--orp", "Sokolov", "--chapters", "07", "-p", f"plan_file='{plan_path.name}'",
                     "--output-dir", str(out), "--quiet"])
    assert code == 2
    assert "list „Aktivity“, řádek 4, sloupec „Plán – obec (Kč)“: hodnota 'hodně' není číslo" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())
