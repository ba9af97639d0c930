"""Runner on small notebooks the tests write: parameters, warm-kernel reset, batches, resumption, index."""

from __future__ import annotations

import _thread
import json
import threading
import time

import nbformat
import pandas as pd
import papermill
import pytest

from conftest import write_notebook
from kpss_analysis import config, fmt
from kpss_analysis.data.load import load_territory
from kpss_analysis.errors import ParameterError
from kpss_analysis.run import cli
from kpss_analysis.run.batch import RUN_SUMMARY, run_batch, select_orps
from kpss_analysis.run.chapters import chapter_parameters, parse_parameter
from kpss_analysis.run.kernel import WarmKernel
from kpss_analysis.run.orp import incomplete_chapters, is_complete

NBSP = "\u00a0"

#: A chapter in miniature: real data and ChapterOutput, a parameter that makes one ORP fail and
#: one that keeps the kernel busy (to interrupt it).
TEST_CHAPTER = [
    ('orp = "Sokolov"  # SO ORP\n'
     'output_dir = ""  # složka výstupů\n'
     'fail_orp = ""  # kód ORP, pro kterou sešit záměrně selže\n'
     'sleep_seconds = 0  # čekání uprostřed sešitu (test přerušení)', ["parameters"]),
    ("import time\n"
     "from pathlib import Path\n"
     "from kpss_analysis.data import load\n"
     "from kpss_analysis.report.output import ChapterOutput\n"
     "from kpss_analysis.analysis.territory import find_orp\n"
     "territory = load.load_territory()\n"
     "unit = find_orp(orp, territory)\n"
     'out = ChapterOutput(unit, output_dir, chapter="01_test")', []),
    ('assert unit.code != fail_orp, f"záměrná chyba pro {unit.name}"', []),
    ("if sleep_seconds:\n"
     '    (Path(output_dir) / "sleeping").touch()\n'
     "time.sleep(sleep_seconds)", []),
    ("age5 = load.load_age5()\n"
     'members = territory.loc[territory["orp_kod"] == unit.code, "obec_kod"]\n'
     'population = int(age5.loc[age5["obec_kod"].isin(members), "population"].sum())\n'
     'seniors = age5.loc[age5["obec_kod"].isin(members) & (age5["age_start"] >= 65), "population"].sum()\n'
     'out.summary("demografie", {"reference_dates": {"age_structure": "2020-12-31"},\n'
     '                           "orp": {"population": population, "share_65plus": 100 * seniors / population}})\n'
     'out.summary("test", {"orp": {"obce": unit.n_obce}, "labels": {"obce": "Počet obcí (test)"}})\n'
     "print(population)", []),
]


@pytest.fixture()
def chapters_dir(tmp_path, monkeypatch, use_data):
    """A notebooks folder with one test chapter, used by the runner instead of notebooks/."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(folder / "01_test.ipynb", TEST_CHAPTER)
    monkeypatch.setattr(config, "notebooks_dir", lambda: folder)
    return folder


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("text, expected", [
    ("horizon_years=[2030, 2040]", ("horizon_years", [2030, 2040])),
    ("flag=true", ("flag", True)),             # JSON
    ("flag=True", ("flag", True)),             # Python
    ("name='Sokolov'", ("name", "Sokolov")),
    ('name="Ústí"', ("name", "Ústí")),
    ("share = 2.5", ("share", 2.5)),
])
def test_parse_parameter(text, expected):
    assert parse_parameter(text) == expected


@pytest.mark.parametrize("text, message", [
    ("horizon_years", "is not NAME=VALUE"),
    ("2x=1", "is not NAME=VALUE"),
    ("name=Sokolov", "Quote text"),
    ("years=[2030,", "not a Python/JSON literal"),
])
def test_parse_parameter_errors(text, message):
    with pytest.raises(ParameterError, match=message):
        parse_parameter(text)


def test_unknown_parameter_lists_the_available_ones(chapters_dir):
    notebook = chapters_dir / "01_test.ipynb"
    assert chapter_parameters([notebook], {"fail_orp": "3211"}) == {notebook: {"fail_orp": "3211"}}
    with pytest.raises(ParameterError) as error:
        chapter_parameters([notebook], {"horizon": [2030]})
    assert str(error.value) == ("No selected chapter declares parameter(s) horizon. "
                                "Available: 01_test: fail_orp, sleep_seconds.")
    with pytest.raises(ParameterError, match="orp are set by kpss run"):
        chapter_parameters([notebook], {"orp": "Cheb"})
    with pytest.raises(ParameterError, match="declares parameter"):
        run_batch(["Sokolov"], parameters={"horizon": [2030]}, progress=False)


def test_select_orps(use_data):
    territory = load_territory()
    karlovarsky = select_orps(territory, kraj="karlovarsky kraj")
    assert [o.name for o in karlovarsky] == ["Aš", "Cheb", "Karlovy Vary", "Kraslice", "Mariánské Lázně",
                                             "Ostrov", "Sokolov"]
    assert [o.code for o in select_orps(territory, ["sokolov, Ostrov", "4107"])] == ["4106", "4107"]
    assert len(select_orps(territory, all_orps=True)) == 206
    with pytest.raises(ParameterError, match="No ORP selected"):
        select_orps(territory)


# --------------------------------------------------------------------------- warm kernel


PROBE_MODULE = '''import warnings


def warn():
    warnings.warn("varování z modulu", UserWarning)
'''
DIRTY = [("import os\n"
          "import matplotlib.pyplot as plt\n"
          "import pandas as pd\n"
          "import probe_module\n"
          "leftover = 42\n"
          'plt.rcParams["lines.linewidth"] = 7\n'
          'pd.set_option("display.max_rows", 3)\n'
          "probe_module.warn()\n"
          'os.chdir("/")\n'
          "figure = plt.figure()", [])]
PROBE = [("import os\n"
          "import matplotlib\n"
          "import matplotlib.pyplot as plt\n"
          "import pandas as pd\n"
          "import probe_module\n"
          'print("leftover" in dir(), plt.rcParams["lines.linewidth"], pd.get_option("display.max_rows"),\n'
          "      os.getcwd(), plt.get_fignums())\n"
          "probe_module.warn()", []),
         ('plt.plot([1, 2, 4])\nprint(matplotlib.is_interactive())', [])]


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    return [(c.execution_count, [(o.output_type, o.get("name"), o.get("text"), sorted(o.get("data", {})),
                                  o.get("data", {}).get("image/png")) for o in c.outputs])
            for c in nb.cells if c.cell_type == "code"]


def test_warm_kernel_reset_matches_a_fresh_kernel(tmp_path, monkeypatch):
    """After a notebook that changes every kind of state, the next one sees a fresh kernel."""
    monkeypatch.setattr(config, "notebooks_dir", lambda: tmp_path)
    (tmp_path / "probe_module.py").write_text(PROBE_MODULE, encoding="utf-8")
    write_notebook(tmp_path / "dirty.ipynb", DIRTY)
    write_notebook(tmp_path / "probe.ipynb", PROBE)
    papermill.execute_notebook(str(tmp_path / "probe.ipynb"), str(tmp_path / "fresh.ipynb"), progress_bar=False,
                               kernel_name=config.KERNEL_NAME, cwd=str(tmp_path))
    with WarmKernel() as warm:
        warm.execute_notebook(tmp_path / "dirty.ipynb", tmp_path / "dirty-out.ipynb", {})
        warm.execute_notebook(tmp_path / "probe.ipynb", tmp_path / "warm.ipynb", {})
    warm_outputs = _outputs(tmp_path / "warm.ipynb")
    assert warm_outputs == _outputs(tmp_path / "fresh.ipynb")
    (count, (printed, warning)), (count2, figure) = warm_outputs
    assert (count, count2) == (1, 2)
    assert printed[2] == f"False 1.5 60 {tmp_path} []\n"
    assert warning[1] == "stderr" and "UserWarning: varování z modulu" in warning[2]
    assert figure[0][2] == "True\n"  # interactive, as a fresh kernel is after its first figure
    assert any(output[0] == "display_data" and output[4] for output in figure)  # the figure is shown


# --------------------------------------------------------------------------- batches


def test_batch_isolates_a_failing_orp(chapters_dir, tmp_path):
    root = tmp_path / "out"
    results = run_batch(["Sokolov", "Rokycany", "Ostrov"], parameters={"fail_orp": "3211"}, output_root=root,
                        workers=2, progress=False)
    assert [(r.orp.code, r.status) for r in results] == [("4107", "ok"), ("3211", "failed"), ("4106", "ok")]
    failed = results[1]
    assert failed.error.startswith("Chapter 01_test failed in cell In [4] ('assert unit.code != fail_orp")
    assert "AssertionError: záměrná chyba pro Rokycany" in failed.error
    assert (root / "3211-rokycany.failed.ipynb").is_file() and not (root / "3211-rokycany").exists()
    assert not [p for p in root.iterdir() if p.name.startswith(".") and p.is_dir()]  # no staging left behind
    sokolov = json.loads((root / "4107-sokolov" / "summary.json").read_text(encoding="utf-8"))["demografie"]["orp"]
    assert sokolov["population"] == 74_502

    table = pd.read_csv(root / RUN_SUMMARY, sep=";", decimal=",", encoding="utf-8-sig", dtype={"orp_code": str})
    assert list(table["orp_code"]) == ["4107", "3211", "4106"]
    assert list(table["status"]) == ["ok", "failed", "ok"]
    assert "AssertionError" in table.loc[1, "error"] and table["error"].isna()[[0, 2]].all()
    assert (table["seconds"] > 0).all()

    index = (root / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr><td") == 2 and "Rokycany" not in index
    assert '<a href="4107-sokolov/01_test.html">01_test&nbsp;(HTML)</a>' in index
    assert f'data-value="74502">74{NBSP}502</td>' in index
    assert f'data-value="{sokolov["share_65plus"]}">{fmt.number(sokolov["share_65plus"], 1)}</td>' in index
    assert "<th>Počet obyvatel k 31.\u00a012.\u00a02020</th>" in index and "<th>Počet obcí (test)</th>" in index
    assert '<th colspan="1" class="group">Test</th>' in index
    assert "http" not in index  # self-contained: no external scripts or styles


def test_cli_batch_prints_the_summary_and_exits_nonzero(chapters_dir, tmp_path, capsys):
    options = ["-p", "fail_orp='3211'", "--output-dir", str(tmp_path), "--quiet"]
    code = cli.main(["run", "--orp", "Sokolov", "--orp", "Rokycany", *options, "--workers", "1"])
    printed = capsys.readouterr()
    assert code == 1
    assert "2 ORP: 1 ok, 1 failed, 0 skipped" in printed.out
    assert "SO ORP Rokycany (3211) failed: Chapter 01_test failed in cell In [4]" in printed.err
    assert cli.main(["run", "--orp", "Sokolov", *options]) == 0
    assert "1 ORP: 0 ok, 0 failed, 1 skipped" in capsys.readouterr().out
    assert cli.main(["run", "--orp", "Sokolov", *options, "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_resume_skips_complete_orps_until_something_changes(chapters_dir, tmp_path):
    root = tmp_path / "out"

    def statuses(**kwargs):
        return [r.status for r in run_batch(["Sokolov", "Rokycany"], output_root=root, progress=False, **kwargs)]

    assert statuses(parameters={"fail_orp": "3211"}) == ["ok", "failed"]
    manifest = root / "4107-sokolov" / "manifest.json"
    written = manifest.stat().st_mtime_ns
    assert statuses(parameters={"fail_orp": "3211"}) == ["skipped", "failed"]  # failed ORPs run again
    assert manifest.stat().st_mtime_ns == written
    assert statuses(parameters={"fail_orp": "3211"}, force=True) == ["ok", "failed"]
    assert statuses(parameters={"fail_orp": ""}) == ["ok", "ok"]  # a changed parameter
    assert statuses(parameters={"fail_orp": ""}) == ["skipped", "skipped"]
    (root / "3211-rokycany" / "summary.json").unlink()  # a missing output file
    assert statuses(parameters={"fail_orp": ""}) == ["skipped", "ok"]
    fingerprint = json.loads(manifest.read_text(encoding="utf-8"))
    assert fingerprint["chapters"] == ["01_test"]
    assert fingerprint["parameters"] == {"orp": "4107", "output_dir": str(root / "4107-sokolov"), "fail_orp": ""}
    assert set(fingerprint["data"]) == {"built_at", "vintages"} and fingerprint["package_version"]


def test_interrupt_keeps_the_previous_complete_outputs(chapters_dir, tmp_path):
    root = tmp_path / "out"
    [first] = run_batch(["Sokolov"], output_root=root, progress=False)
    manifest = (root / "4107-sokolov" / "manifest.json").read_bytes()

    def press_ctrl_c_when_the_notebook_sleeps():
        deadline = time.monotonic() + 60
        while not list(root.glob(".4107-sokolov.*.partial/sleeping")) and time.monotonic() < deadline:
            time.sleep(0.05)
        _thread.interrupt_main()

    threading.Thread(target=press_ctrl_c_when_the_notebook_sleeps, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_batch(["Sokolov"], parameters={"sleep_seconds": 120}, output_root=root, force=True, progress=False)
    assert time.monotonic() - started < 60  # the sleeping cell was interrupted, not waited for
    assert first.status == "ok"
    assert (root / "4107-sokolov" / "manifest.json").read_bytes() == manifest
    assert not [p.name for p in root.iterdir() if p.name.startswith(".4107-sokolov.") and p.is_dir()]
    summary = pd.read_csv(root / RUN_SUMMARY, sep=";", decimal=",", encoding="utf-8-sig", dtype={"orp_code": str})
    assert list(summary["status"]) == ["interrupted"]  # not "failed": its outputs are intact
    recorded = json.loads(manifest)["chapter_runs"]
    assert is_complete(root / "4107-sokolov", recorded)


def test_unfinished_folders_are_not_complete(tmp_path):
    folder = tmp_path / "4107-sokolov"
    fingerprint = {"parameters": {"orp": "4107"}, "package_version": "0.1.0", "data": {"built_at": "x"}}
    fingerprints = {"01_test": fingerprint}
    assert not is_complete(folder, fingerprints)  # no folder
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"items": []}), encoding="utf-8")  # written by a notebook
    assert not is_complete(folder, fingerprints)
    runs = {"01_test": {**fingerprint, "files": ["01_test.ipynb"]}}
    (folder / "manifest.json").write_text(json.dumps({"chapter_runs": runs, "files": ["summary.json"]}),
                                          encoding="utf-8")
    (folder / "01_test.ipynb").write_text("{}", encoding="utf-8")
    assert not is_complete(folder, fingerprints)  # a listed file is missing
    (folder / "summary.json").write_text("{}", encoding="utf-8")
    assert is_complete(folder, fingerprints)
    (folder / "01_test.ipynb").unlink()
    assert incomplete_chapters(folder, {**fingerprints, "02_test": fingerprint}) == ["01_test", "02_test"]
    (folder / "01_test.ipynb").write_text("{}", encoding="utf-8")
    assert incomplete_chapters(folder, {**fingerprints, "02_test": fingerprint}) == ["02_test"]
    changed = {"01_test": {**fingerprint, "parameters": {"orp": "4107", "fail_orp": "1"}}}
    assert incomplete_chapters(folder, changed) == ["01_test"]


def test_index_shows_projection_and_services_figures(tmp_path):
    """Sections of chapters 02 and 03 get chosen columns with Czech headings and decimals."""
    from kpss_analysis.report.index import render_index

    folder = tmp_path / "4107-sokolov"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({
        "orp": {"code": "4107", "name": "Sokolov", "kraj_name": "Karlovarský kraj"}, "chapters": ["02_projekce"],
        "data": {"built_at": "2026-11-23T23:31:44+00:00"}, "package_version": "0.1.0"}), encoding="utf-8")
    (folder / "summary.json").write_text(json.dumps({
        "orp": {"code": "4107", "name": "Sokolov"},
        "projekce": {"base_year": 2021, "horizon_years": [2030, 2040],
                     "variants": {"A": {"orp": {"2040": {"total": 74623.4, "65+": 19608.0, "80+": 6147.3}}}}},
        "socialni_sluzby": {"snapshot": "2026-09-04", "orp": {"services": 15.6667, "services_count": 16, "beds_ds_dzr": 242.0,
                                                              "beds_per_1000_75plus": 46.0164}},
    }), encoding="utf-8")
    (folder / "02_projekce.html").write_text("<html></html>", encoding="utf-8")
    page = render_index(tmp_path)
    assert '<th colspan="2" class="group">Projekce obyvatel</th><th colspan="3" class="group">Sociální služby</th>' in page
    assert "<th>Obyvatelé 65+ k 1. 1. 2040 (projekce, var. A)</th>" in page
    assert f'data-value="19608.0">19{NBSP}608</td>' in page and f">6{NBSP}147</td>" in page
    assert ">16</td>" in page and "15,7" not in page and '>242</td>' in page and '>46,0</td>' in page
    assert "base_year" not in page and "2021" not in page
    assert "Data sestavena: 23.\u00a011.\u00a02026." in page
    assert '<a href="4107-sokolov/02_projekce.html">02_projekce&nbsp;(HTML)</a>' in page


def test_an_edited_input_file_makes_its_chapter_run_again(tmp_path):
    """A survey or plan file is part of its chapter's fingerprint by content, not by name only."""
    from kpss_analysis.analysis.territory import Orp
    from kpss_analysis.run.orp import chapter_fingerprints

    survey = tmp_path / "odpovedi.csv"
    survey.write_text("vek;pohlavi;obec_kod\n70;žena;560286\n", encoding="utf-8")
    orp = Orp("4107", "Sokolov", "3051", "Karlovarský kraj", 30)
    notebook = tmp_path / "06_potreby.ipynb"
    params = {notebook: {"survey_file": str(survey), "horizon_years": [2030]}}
    before = chapter_fingerprints(orp, [notebook], params, tmp_path, {"built_at": "x"})["06_potreby"]
    assert list(before["input_files"]) == ["survey_file"]
    survey.write_text("vek;pohlavi;obec_kod\n71;žena;560286\n", encoding="utf-8")
    after = chapter_fingerprints(orp, [notebook], params, tmp_path, {"built_at": "x"})["06_potreby"]
    assert after["parameters"] == before["parameters"] and after["input_files"] != before["input_files"]
