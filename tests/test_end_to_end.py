"""End-to-end on the real data: build from the mirror, run chapter 01 for the seed ORPs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import SEED_ORPS
from kpss_analysis.analysis import demography as demo
from kpss_analysis.analysis.territory import find_orp
from kpss_analysis.data import load
from kpss_analysis.run.chapters import chapter_notebooks

pytestmark = pytest.mark.e2e



def test_all_orp_sum_to_the_published_national_population(use_data):
    indicators = demo.compute_indicators(load.load_age5(), load.load_territory(), "orp")
    assert len(indicators) == 206
    assert indicators["population"].sum() == 10_701_777
    assert (indicators["age_0_14"] + indicators["age_15_64"] + indicators["age_65plus"] == indicators["population"]).all()
    assert (indicators["men"] + indicators["women"] == indicators["population"]).all()


def test_yearly_orp_totals_match_the_mirror_derivative(use_data, mirror):
    """Our parse of the ČSÚ workbooks agrees with an independent ORP sum of the same series."""
    territory = load.load_territory()
    ours = demo.aggregate_by_unit(load.load_population_totals(), territory, "orp", by=["year"], value="total")
    theirs = pd.read_csv(mirror / "population" / "orp_pocet_obyvatel_1_1_2016-2024_DERIVED.csv", dtype={"orp_kod": str})
    merged = theirs.merge(ours, left_on=["orp_kod", "rok_k_1_1"], right_on=["unit", "year"], how="left")
    assert len(merged) == 206 * 9
    assert (merged["celkem"] == merged["total"]).all()


@pytest.mark.parametrize("name", SEED_ORPS)
def test_seed_orp_outputs_are_complete_and_consistent(seed_runs, use_data, name):
    folder = seed_runs[name]
    territory = load.load_territory()
    orp = find_orp(name, territory)
    assert folder.name == orp.folder_name
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["demografie"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    # `kpss run` also leaves the Word documents (whole ORP + one per chapter) and lists them.
    chapters = sorted({item["chapter"] for item in manifest["items"]})
    documents = [f"dokumenty/{orp.folder_name}.docx", *(f"dokumenty/{orp.folder_name}_{c}.docx" for c in chapters)]
    assert set(documents) <= set(manifest["files"]) and all((folder / d).is_file() for d in documents)

    # ORP = sum of its obce (computed here independently from the processed obec table).
    age5 = load.load_age5()
    members = territory.loc[territory["orp_kod"] == orp.code, "obec_kod"]
    assert summary["orp"]["population"] == age5.loc[age5["obec_kod"].isin(members), "population"].sum()
    # The broad groups are those of 31. 12. 2023 (issue 20): they add up to the total on 1. 1. 2024, the same date;
    # population by sex stays on 31. 12. 2020.
    assert summary["reference_dates"]["age_groups"] == "2023-12-31"
    for level in ("orp", "kraj", "cr"):
        s = summary[level]
        assert s["age_0_14"] + s["age_15_64"] + s["age_65plus"] == s["population_2024"]
        assert s["men"] + s["women"] == s["population"]
        assert s["share_65plus"] == pytest.approx(100 * s["age_65plus"] / s["population_2024"], abs=1e-3)
        assert s["ageing_index"] == pytest.approx(100 * s["age_65plus"] / s["age_0_14"], abs=1e-3)
        assert {k: s[k] for k in ("age_0_14", "age_65plus")} == {
            k: summary["age_2023"][level][k] for k in ("age_0_14", "age_65plus")}
    groups = load.load_age_2023()
    mine = groups[groups["obec_kod"].isin(members)].groupby("age_group")["population"].sum()
    assert summary["age_2023"]["orp"]["age_65plus"] == mine["65plus"]
    # ČR as ČSÚ reports the start of 2024 (exclusion/PROVENANCE.md): 20,52 % aged 65+, 15,85 % aged 0–14
    assert round(summary["age_2023"]["cr"]["share_65plus"], 2) == 20.52
    assert round(summary["age_2023"]["cr"]["share_0_14"], 2) == 15.85
    captions = {i["name"]: i["caption"].replace("\u00a0", " ") for i in manifest["items"]}
    assert "31. 12. 2023" in captions["02_mapa_podil_65plus"] and "31. 12. 2023" in captions["03_mapa_index_stari"]
    assert "odvozeno z" in next(i["source"] for i in manifest["items"] if i["name"] == "02_mapa_podil_65plus")
    # Kraj column = sum of the kraj's ORPs; ČR column = the published national total.
    by_orp = demo.compute_indicators(age5, territory, "orp")
    kraj_orps = territory.loc[territory["kraj_kod"] == orp.kraj_code, "orp_kod"].unique()
    assert summary["kraj"]["population"] == by_orp.loc[kraj_orps, "population"].sum()
    assert summary["cr"]["population"] == 10_701_777
    assert summary["cr"]["population_2024"] == 10_900_555

    # Every registered figure exists as PNG and bare PNG (SVG only on request), every table as XLSX + CSV.
    figures = [i for i in manifest["items"] if i["kind"] == "figure"]
    tables = [i for i in manifest["items"] if i["kind"] == "table"]
    assert len(figures) >= 8 and len(tables) >= 8
    for item in figures + tables:
        assert item["source"] and item["caption"]
        for file in item["files"] + ([item["bare_png"]] if item["kind"] == "figure" else []):
            assert (folder / file).stat().st_size > 0
    assert {Path(f).suffix for item in figures for f in item["files"]} == {".png"}
    assert manifest["parameters"]["orp"] == orp.code
    assert manifest["data"]["vintages"]["age_structure"] == "2020-12-31"
    assert manifest["package_version"]

    # The obce table lists every obec of the ORP; the development table ends at the summary's 2024 total.
    obce = load_workbook(folder / "tables" / "02_obce.xlsx").active
    assert obce.max_row - 3 - 2 == orp.n_obce  # header at row 3, source line after a blank row
    development = pd.read_csv(folder / "tables" / "04_vyvoj_poctu_obyvatel.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert development.iloc[-1][f"SO ORP {orp.name}"] == summary["orp"]["population_2024"]

    # HTML report: no code, images embedded.
    html = (folder / "01_demografie.html").read_text(encoding="utf-8")
    assert "data:image/png;base64" in html
    assert "load.load_territory()" not in html


def test_sokolov_key_numbers(seed_runs):
    summary = json.loads((seed_runs["Sokolov"] / "summary.json").read_text(encoding="utf-8"))["demografie"]
    assert summary["orp"]["population"] == 74_502
    assert summary["orp"]["n_obce"] == 30
    assert summary["kraj"]["name"] == "Karlovarský kraj"
    # 31. 12. 2023 (exclusion/PROVENANCE.md): Sokolov 72 913 = 0–14 11 089 + 15–64 47 146 + 65+ 14 678
    assert (summary["age_2023"]["orp"]["age_0_14"], summary["age_2023"]["orp"]["age_65plus"]) == (11_089, 14_678)
    projection = json.loads((seed_runs["Sokolov"] / "summary.json").read_text(encoding="utf-8"))["projekce"]
    errors = projection["backtest_age_groups"]
    assert set(errors) == {"reference_date", "A", "B"}
    # projected 65+ on 1. 1. 2024 (variant A, mean of 2023 and 2025) 15 202,6 against the observed 14 678
    assert errors["A"]["65plus"]["orp_error_pct"] == pytest.approx(100 * (15_202.63 - 14_678) / 14_678, abs=0.01)
    assert 0 < errors["A"]["65plus"]["mape"] < 5 and 0 < errors["B"]["65plus"]["mape"] < 5


def test_praha_has_no_ranking_chart_but_says_why(seed_runs):
    folder = seed_runs["Praha"]
    assert not (folder / "figures" / "05_poradi_orp_v_kraji.png").exists()
    html = (folder / "01_demografie.html").read_text(encoding="utf-8")
    assert "jediný správní obvod ORP" in html


def _kpss(*args, env=None):
    return subprocess.run([sys.executable, "-m", "kpss_analysis.run.cli", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_cli_unknown_and_ambiguous_orp(use_data):
    result = _kpss("orp", "show", "Sokolv")
    assert result.returncode == 2
    assert "Unknown ORP 'Sokolv'" in result.stderr and "Sokolov (4107)" in result.stderr
    result = _kpss("run", "--orp", "Nové Město")
    assert result.returncode == 2
    assert "ambiguous" in result.stderr and "Nové Město na Moravě" in result.stderr


def test_cli_missing_processed_data_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("KPSS_DATA_DIR", str(tmp_path))
    result = _kpss("run", "--orp", "Sokolov")
    assert result.returncode == 2
    assert "kpss data build" in result.stderr


def test_cli_unknown_chapter(use_data):
    result = _kpss("run", "--orp", "Sokolov", "--chapters", "99")
    assert result.returncode == 2
    assert "Unknown chapter '99'" in result.stderr


def test_cli_orp_show_prints_czech_numbers(use_data):
    result = _kpss("orp", "show", "pribram")
    assert result.returncode == 0
    assert "SO ORP Příbram (ČSÚ 2120)" in result.stdout
    assert re.search(r"Počet obcí\s+74", result.stdout)


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_notebook_runs_with_its_default_parameters(notebook, use_data, tmp_path, monkeypatch):
    """As in JupyterLab: no injected parameters; outputs go to $KPSS_OUTPUT_DIR/<code>-<slug>."""
    import papermill

    from kpss_analysis import config

    monkeypatch.setenv("KPSS_OUTPUT_DIR", str(tmp_path))
    papermill.execute_notebook(str(notebook), str(tmp_path / "run.ipynb"),
                               kernel_name=config.KERNEL_NAME, progress_bar=False, cwd=str(config.notebooks_dir()))
    summary = json.loads((tmp_path / "4107-sokolov" / "summary.json").read_text(encoding="utf-8"))
    manifest = json.loads((tmp_path / "4107-sokolov" / "manifest.json").read_text(encoding="utf-8"))
    assert summary["orp"] == {"code": "4107", "name": "Sokolov"}
    assert {item["chapter"] for item in manifest["items"]} == {notebook.stem}
    if notebook.stem == "01_demografie":
        assert summary["demografie"]["orp"]["population"] == 74_502
