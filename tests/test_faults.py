"""Hostile or careless use (issue 12): every case ends in one message and the right exit code, never a traceback,
and every earlier good output stays byte-identical.

Runs use two tiny chapters the tests write (a table, a summary, an optional wait); build faults use copies of the
real raw files and fail before or early in parsing, so the whole file takes about a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from filelock import FileLock

from conftest import write_notebook
from kpss_analysis import config
from kpss_analysis.data import build, checks
from kpss_analysis.data.parsers import czso
from kpss_analysis.data.registry import get_dataset
from kpss_analysis.data.services_build import MAX_UNREADABLE, build_services
from kpss_analysis.data.tables import REPORT_NAME, TABLES
from kpss_analysis.errors import DataValidationError, ParameterError
from kpss_analysis.locks import lock_path
from kpss_analysis.run import cli
from kpss_analysis.run.kernel import WarmKernel
from kpss_analysis.run.orp import failing_line
from kpss_analysis.run.parameters import check_chapter_parameters, check_run_parameters

pytestmark = pytest.mark.e2e

SOKOLOV, OSTROV = "4107-sokolov", "4106-ostrov"


def _chapter(chapter: str) -> list[tuple[str, list[str]]]:
    return [
        ('orp = "Sokolov"  # SO ORP\n'
         'output_dir = ""  # složka výstupů\n'
         'label = "a"  # text do tabulky\n'
         "years = [2030]  # roky\n"
         "wait = 0  # sekundy čekání (souběh, časový limit)\n"
         'hang = ""  # kód ORP, která čeká (prázdné: každá)', ["parameters"]),
        ("import time\n"
         "import pandas as pd\n"
         "from kpss_analysis.analysis.territory import find_orp\n"
         "from kpss_analysis.data import load\n"
         "from kpss_analysis.report.output import ChapterOutput\n"
         "unit = find_orp(orp, load.load_territory())\n"
         f'out = ChapterOutput(unit, output_dir, chapter="{chapter}")', []),
        (f'out.table(pd.DataFrame({{"rok": years, "text": [label] * len(years)}}), "{chapter}_tabulka",\n'
         f'          caption=f"Tabulka {chapter} {{label}}", source="test")\n'
         f'out.summary("{chapter}", {{"label": label}})', []),
        ("first = 1\n"
         "second = first + 1\n"
         'assert label != "boom", f"záměrná chyba, second = {second}"\n'
         'time.sleep(wait if hang in ("", unit.code) else 0)', []),
    ]


@pytest.fixture()
def chapters(tmp_path, monkeypatch, use_data) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for chapter in ("01_a", "02_b"):
        write_notebook(folder / f"{chapter}.ipynb", _chapter(chapter))
    monkeypatch.setenv("KPSS_NOTEBOOKS_DIR", str(folder))
    return folder


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["run", *args])
    printed = capsys.readouterr()
    assert "Traceback" not in printed.err + printed.out
    return code, printed.out, printed.err


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- 1. some chapters keep the others


def test_a_run_of_one_chapter_keeps_the_others_and_resumes_per_chapter(chapters, tmp_path, capsys):
    root = tmp_path / "out"
    options = ["--output-dir", str(root), "--quiet"]
    assert _run(capsys, "--orp", "Sokolov", *options)[0] == 0
    folder = root / SOKOLOV
    before = _files(folder)
    first = _manifest(folder)
    assert first["chapters"] == ["01_a", "02_b"]

    code, out, _ = _run(capsys, "--orp", "Sokolov", "--chapters", "01", "--force", "-p", "label='c'", *options)
    assert code == 0 and "1 ORP: 1 ok" in out
    after = _files(folder)
    kept = [name for name in before if "02_b" in name]
    assert len(kept) >= 5  # notebook, HTML, table XLSX + CSV, chapter DOCX
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}
    assert after["tables/01_a_tabulka.csv"] != before["tables/01_a_tabulka.csv"]
    manifest = _manifest(folder)
    assert manifest["chapters"] == ["01_a", "02_b"]
    assert manifest["chapter_runs"]["02_b"] == first["chapter_runs"]["02_b"]
    assert manifest["chapter_runs"]["01_a"]["parameters"]["label"] == "c"
    assert sorted(item["chapter"] for item in manifest["items"]) == ["01_a", "02_b"]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["01_a"] == {"label": "c"} and summary["02_b"] == {"label": "a"}
    whole = Document(str(folder / "dokumenty" / f"{SOKOLOV}.docx"))
    captions = [p.text for p in whole.paragraphs if p.text.startswith("Tabulka")]
    assert [c.split(": ", 1)[-1] for c in captions] == ["Tabulka 01_a c", "Tabulka 02_b a"]

    # Per chapter resumption: without -p label chapter 01 differs from its last run, chapter 02 does not.
    stamp = (folder / "02_b.ipynb").stat().st_mtime_ns
    code, out, _ = _run(capsys, "--orp", "Sokolov", *options)
    assert code == 0 and "1 ORP: 1 ok" in out
    assert (folder / "02_b.ipynb").stat().st_mtime_ns == stamp
    assert _manifest(folder)["chapter_runs"]["01_a"]["parameters"].get("label") is None
    assert "1 ORP: 0 ok, 0 failed, 1 skipped" in _run(capsys, "--orp", "Sokolov", *options)[1]


# --------------------------------------------------------------------------- 2. two runs of one ORP at once


def test_a_second_run_of_the_same_orp_stops_with_a_message(chapters, tmp_path, capsys, data_dir):
    root = tmp_path / "out"
    env = {**os.environ, "KPSS_DATA_DIR": str(data_dir), "KPSS_NOTEBOOKS_DIR": str(chapters),
           "PYTHONPATH": str(Path(cli.__file__).parents[2])}
    first = subprocess.Popen([sys.executable, "-m", "kpss_analysis.run.cli", "run", "--orp", "Sokolov", "-p", "wait=8",
                              "--output-dir", str(root), "--quiet"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not list(root.glob(f".{SOKOLOV}.*.partial")) and time.monotonic() < deadline:
            time.sleep(0.1)
        code, _, err = _run(capsys, "--orp", "Sokolov,Ostrov", "--output-dir", str(root), "--quiet")
        assert code == 2
        assert err.startswith(f"kpss: error: Another kpss run is writing {root / SOKOLOV} right now.")
        assert not (root / OSTROV).exists()  # the second run did nothing at all
        out, err = first.communicate(timeout=120)
    finally:
        first.kill()
    assert first.returncode == 0, err
    assert "1 ORP: 1 ok" in out
    assert {"01_a.ipynb", "02_b.ipynb", "manifest.json", "summary.json"} <= set(os.listdir(root / SOKOLOV))
    assert "Traceback" not in err and "without encryption" not in err  # issue 13: no kernel TCP warning


def test_write_atomically_uses_a_unique_temporary_name(tmp_path, monkeypatch):
    from kpss_analysis.report.output import write_atomically

    seen = []
    write_atomically(tmp_path / "a.json", lambda p: (seen.append(p.name), p.write_text("1")))
    write_atomically(tmp_path / "a.json", lambda p: (seen.append(p.name), p.write_text("2")))
    assert seen[0] != seen[1] and (tmp_path / "a.json").read_text() == "2"
    assert os.listdir(tmp_path) == ["a.json"]


# --------------------------------------------------------------------------- 3. damaged raw files


@pytest.fixture()
def raw_copy(tmp_path, mirror) -> Path:
    root = tmp_path / "data" / "raw"
    shutil.copytree(mirror, root, copy_function=shutil.copyfile)
    return root


@pytest.fixture()
def good_processed(tmp_path) -> Path:
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    (processed / REPORT_NAME).write_text('{"built_at": "2024-01-01T00:00:00+00:00"}', encoding="utf-8")
    (processed / TABLES["territory"]).write_bytes(b"PAR1 an earlier good table PAR1")
    (processed / ".gitkeep").write_bytes(b"")
    return processed


def _build(capsys, monkeypatch, data: Path) -> tuple[int, str]:
    monkeypatch.setenv("KPSS_DATA_DIR", str(data))
    code = cli.main(["data", "build"])
    printed = capsys.readouterr()
    assert "Traceback" not in printed.err + printed.out
    return code, printed.err


def test_a_truncated_pinned_file_stops_the_build_before_parsing(raw_copy, good_processed, capsys, monkeypatch):
    katalog = raw_copy / get_dataset("social_services").files[0].path
    katalog.write_bytes(katalog.read_bytes()[:1_000_000])
    before = _files(good_processed)
    started = time.monotonic()
    code, err = _build(capsys, monkeypatch, raw_copy.parent)
    assert code == 2 and time.monotonic() - started < 10
    assert f"Raw file {katalog} (1000000 bytes; the registry pins" in err
    assert "`kpss data fetch --force --only social_services` restores it." in err
    assert _files(good_processed) == before


def test_an_edited_number_in_a_pinned_workbook_is_caught_by_its_hash(raw_copy, tmp_path):
    import openpyxl

    path = raw_copy / "population/obce_pocet_obyvatel_1_1_csu/pocet_obyvatel_obce_2024.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet["D10"] = sheet["D10"].value + 1000
    book.save(path)
    with pytest.raises(DataValidationError, match="pocet_obyvatel_obce_2024.xlsx .* differs from the copy the "
                       "registry pins.*--only population_totals` restores it"):
        checks.verify_raw_files(raw_copy)


def test_a_deleted_raw_file_is_reported_before_parsing(raw_copy, good_processed, capsys, monkeypatch):
    (raw_copy / "movement/obce_mos2024_indicators_DERIVED_mikuva.csv").unlink()
    stale = [good_processed.parent / ".processed.dead0001.partial", good_processed / ".staging-1700000000000"]
    for folder in stale:
        folder.mkdir()
    started = time.monotonic()
    code, err = _build(capsys, monkeypatch, raw_copy.parent)
    assert code == 2 and time.monotonic() - started < 10
    assert "Raw files missing in" in err and "movement/obce_mos2024_indicators_DERIVED_mikuva.csv" in err
    assert "`kpss data fetch --only mos`" in err
    assert not any(folder.exists() for folder in stale)  # leftovers of killed builds are cleaned up


def test_a_second_build_says_another_build_is_running(raw_copy, good_processed, capsys, monkeypatch):
    lock = FileLock(lock_path(good_processed), timeout=0)
    with lock:
        code, err = _build(capsys, monkeypatch, raw_copy.parent)
    assert code == 2 and f"Another kpss data build is writing {good_processed} right now" in err


def _newer_release(raw: Path, relative: str, edit) -> Path:
    path = raw / relative
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    edit(frame)
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    checks.record_release(raw, relative, "https://example.org/newer")
    return path


@pytest.fixture(scope="module")
def territory(mirror, tmp_path_factory) -> pd.DataFrame:
    raw = tmp_path_factory.mktemp("territory-raw")
    for file in get_dataset("territory").files:
        (raw / file.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror / file.path, raw / file.path)
    return czso.parse_territory(raw)


def test_text_in_a_numeric_mos_cell_names_file_column_and_row(raw_copy, territory):
    relative = get_dataset("mos").files[0].path
    path = _newer_release(raw_copy, relative, lambda f: f.__setitem__("unemployment_rate", f["unemployment_rate"].where(
        f.index != 41, "chybí")))
    assert checks.verify_raw_files(raw_copy) == [relative]  # a recorded newer release passes the hash check
    with pytest.raises(DataValidationError) as info:
        czso.parse_mos(raw_copy, territory)
    assert str(info.value).startswith(f"{path}: column 'unemployment_rate', row 43: 'chybí' is not a number.")


def test_text_in_the_census_names_file_column_and_row(raw_copy, territory):
    path = _newer_release(raw_copy, get_dataset("census_orp").files[0].path,
                          lambda f: f.__setitem__("poc_muzu", f["poc_muzu"].where(f.index != 0, "12 345")))
    with pytest.raises(DataValidationError, match=r"column 'poc_muzu', row 2: '12 345' is not a number"):
        czso.parse_census(raw_copy, territory)
    assert path.name.endswith(".csv")


def test_unreadable_register_records_above_the_threshold_stop_the_build(raw_copy, territory):
    katalog = raw_copy / get_dataset("social_services").files[0].path
    with open(katalog, "a", encoding="utf-8") as handle:
        handle.write("".join(f'{{"id": "broken {n}"\n' for n in range(MAX_UNREADABLE + 1)))
    with pytest.raises(DataValidationError) as info:
        build_services(raw_copy, territory)
    assert str(info.value).startswith(f"{katalog}: {MAX_UNREADABLE + 1} of ")
    assert "records are unreadable (at most 5 are tolerated)" in str(info.value)


# --------------------------------------------------------------------------- 9. the build swaps the whole folder


def test_the_build_swaps_the_whole_folder_and_restores_it_if_the_swap_fails(good_processed, monkeypatch):
    tables = {name: pd.DataFrame({"x": [1]}) for name in TABLES}
    before = _files(good_processed)
    real_rename = Path.rename

    def failing_rename(self, target):
        if self.name.endswith(".partial"):
            raise OSError(28, "No space left on device")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError):
        build.write_build(good_processed, tables, {"built_at": "new"})
    assert _files(good_processed) == before  # the old build is back, whole
    monkeypatch.setattr(Path, "rename", real_rename)
    build.write_build(good_processed, tables, {"built_at": "new"})
    assert sorted(os.listdir(good_processed)) == sorted([".gitkeep", REPORT_NAME, *TABLES.values()])
    assert [p.name for p in good_processed.parent.iterdir() if p.name.startswith(".")] == []


# --------------------------------------------------------------------------- 4. damaged processed and bookkeeping files


@pytest.fixture()
def processed_copy(tmp_path, data_dir, monkeypatch) -> Path:
    root = tmp_path / "data"
    shutil.copytree(data_dir / "processed", root / "processed")
    monkeypatch.setenv("KPSS_DATA_DIR", str(root))
    return root / "processed"


def test_a_truncated_parquet_says_run_the_build(processed_copy, capsys):
    path = processed_copy / TABLES["territory"]
    path.write_bytes(path.read_bytes()[:5000])
    assert cli.main(["orp", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kpss: error: Processed table {path} is damaged")
    assert "Run `kpss data build`" in err and "Traceback" not in err


def test_a_damaged_build_report_says_run_the_build(processed_copy, capsys):
    path = processed_copy / REPORT_NAME
    path.write_text('{"built_at": "2026-', encoding="utf-8")
    assert cli.main(["run", "--orp", "Sokolov", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kpss: error: The build report {path} is damaged") and "`kpss data build`" in err


def test_a_damaged_manifest_makes_only_that_orp_run_again(chapters, tmp_path, capsys):
    root = tmp_path / "out"
    options = ["--output-dir", str(root), "--quiet"]
    assert _run(capsys, "--orp", "Sokolov,Ostrov", *options)[0] == 0
    sokolov = _files(root / SOKOLOV)
    (root / OSTROV / "manifest.json").write_text('{"items": [', encoding="utf-8")

    code, out, err = _run(capsys, "--orp", "Sokolov,Ostrov", "--chapters", "01", *options)
    assert code == 1  # only some chapters: the damaged folder is not silently rewritten
    assert f"{root / OSTROV / 'manifest.json'} is damaged" in err and "with all chapters and --force" in err
    assert "2 ORP: 0 ok, 1 failed, 1 skipped" in out

    code, out, err = _run(capsys, "--orp", "Sokolov,Ostrov", *options)
    assert code == 0 and "2 ORP: 1 ok, 0 failed, 1 skipped" in out  # Ostrov ran again, Sokolov did not
    assert _manifest(root / OSTROV)["chapters"] == ["01_a", "02_b"]
    assert _files(root / SOKOLOV) == sokolov
    assert "4106-ostrov/01_a.html" in (root / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- 5. parameters


def _no_kernel(monkeypatch):
    def refuse(_self):
        raise AssertionError("a kernel was started")
    monkeypatch.setattr(WarmKernel, "start", refuse)


@pytest.mark.parametrize("parameter, message", [
    ("years='abc'", "Chybné parametry kapitoly 01_a: years má být seznam – celé číslo v každé položce – jako "
                    "výchozí [2030], zadáno 'abc' (text)"),
    ("wait=[1]", "wait má být celé číslo jako výchozí 0, zadáno [1] (seznam)"),
    ("years=" + "[" * 3000 + "]" * 3000, "Value of parameter 'years' is nested too deeply"),
])
def test_a_wrong_parameter_stops_before_any_kernel(chapters, tmp_path, capsys, monkeypatch, parameter, message):
    _no_kernel(monkeypatch)
    code, _, err = _run(capsys, "--all", "-p", parameter, "--output-dir", str(tmp_path), "--quiet")
    assert code == 2 and message in err
    assert "RecursionError" not in err


REAL_CHAPTER_CASES = [
    ("02_projekce", {"horizon_years": [2200]},
     "Kapitola 02_projekce: Rok horizontu 2200 není v projekci ČSÚ; k dispozici jsou roky"),
    ("03_socialni_sluzby", {"projection_variant": "Z"},
     "Kapitola 03_socialni_sluzby: projection_variant musí být jedna z variant 'A', 'B', zadáno 'Z'."),
    ("03_socialni_sluzby", {"horizon_years": "abc"},
     "horizon_years má být seznam – celé číslo v každé položce – jako výchozí [2030, 2040], zadáno 'abc' (text)"),
    ("03_socialni_sluzby", {"norms": {"ds_dzr": -1}}, "normy musí být čísla ≥ 0"),
    ("04_cilove_skupiny", {"projection_variant": "Z"}, "Kapitola 04_cilove_skupiny: Parametr projection_variant = 'Z'"),
    ("04_cilove_skupiny", {"pnp_rates_csv": "chybi.csv"}, "chybi.csv"),
    ("05_srovnani", {"n_peers": 500}, "Kapitola 05_srovnani: "),
    ("06_potreby", {"survey_file": "chybi.csv"}, "chybi.csv"),
    ("07_akcni_plan", {"monitoring_year": 1900}, "Kapitola 07_akcni_plan: "),
]


def test_real_chapters_refuse_bad_values_before_any_kernel(use_data, tmp_path, capsys, monkeypatch):
    _no_kernel(monkeypatch)
    code, _, err = _run(capsys, "--all", "--chapters", "02", "-p", "horizon_years=[2200]", "--output-dir",
                        str(tmp_path), "--quiet")
    assert code == 2 and REAL_CHAPTER_CASES[0][2] in err
    for chapter, parameters, message in REAL_CHAPTER_CASES:
        with pytest.raises(ParameterError) as info:
            check_run_parameters([config.notebooks_dir() / f"{chapter}.ipynb"], parameters)
        assert message in str(info.value), chapter


def test_real_chapters_defaults_pass_their_checks(use_data):
    notebooks = sorted(config.notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
    assert check_run_parameters(notebooks, {}) == {nb: {} for nb in notebooks}
    namespace = {"horizon_years": [2030, 2040], "projection_variant": "B"}
    check_chapter_parameters("03_socialni_sluzby", namespace)  # what a notebook's set-up cell calls
    with pytest.raises(ParameterError, match="projection_variant musí být jedna z variant"):
        check_chapter_parameters("03_socialni_sluzby", {**namespace, "projection_variant": "C"})


def test_the_failing_cell_is_quoted_by_its_failing_line(chapters, tmp_path, capsys):
    code, _, err = _run(capsys, "--orp", "Sokolov", "-p", "label='boom'", "--output-dir", str(tmp_path), "--quiet")
    assert code == 1
    assert "failed in cell In [5] ('assert label != \"boom\", f\"záměrná chyba, second = {second}\"'): " \
           "AssertionError: záměrná chyba, second = 2" in err


def test_failing_line_falls_back_to_the_first_line():
    assert failing_line("\nx = 1\ny = 2", []) == "x = 1"
    assert failing_line("x = 1\ny = 2", ["\x1b[0;31mCell In[3], line 2\x1b[0m\n\x1b[0;32m----> 2\x1b[0m y = 2"]) == "y = 2"


# --------------------------------------------------------------------------- 6, 7, 8. timeout, workers, leftovers


def test_a_hanging_cell_times_out_and_the_batch_goes_on(chapters, tmp_path, capsys):
    root = tmp_path / "out"
    code, out, err = _run(capsys, "--orp", "Ostrov,Sokolov", "-p", "wait=60", "-p", "hang='4106'", "--cell-timeout",
                          "3", "--workers", "1000", "--output-dir", str(root))
    assert code == 1 and "2 ORP: 1 ok, 1 failed, 0 skipped" in out
    assert ("SO ORP Ostrov (4106) failed: Chapter 01_a: a cell ran longer than --cell-timeout 3 s and was stopped "
            "('first = 1').") in err
    assert not (root / OSTROV).exists() and (root / SOKOLOV / "manifest.json").is_file()
    assert f"--workers 1000 is more than the {os.cpu_count()} CPUs of this computer" in err
    # stderr is no terminal here: plain lines, no progress bar redrawing with cursor codes (issue 13)
    assert "SO ORP Sokolov (4107): ok" in err and "\r" not in err and "\x1b[" not in err


def test_stale_staging_folders_are_removed_unless_a_live_run_owns_them(chapters, tmp_path, capsys):
    root = tmp_path / "out"
    root.mkdir()
    stale = root / f".{SOKOLOV}.123-dead.partial"
    live = root / f".{OSTROV}.456-live.partial"
    old_style = root / f".{SOKOLOV}.partial"
    for folder in (stale, live, old_style):
        folder.mkdir()
    with FileLock(lock_path(root / OSTROV), timeout=0):  # another process is running Ostrov
        assert _run(capsys, "--orp", "Sokolov", "--output-dir", str(root), "--quiet")[0] == 0
    assert not stale.exists() and not old_style.exists() and live.exists()


def test_fetch_names_what_it_copied(tmp_path, mirror, capsys, monkeypatch):
    monkeypatch.setenv("KPSS_DATA_DIR", str(tmp_path))
    assert cli.main(["data", "fetch", "--mirror", str(mirror), "--only", "mos", "--quiet"]) == 0
    relative = get_dataset("mos").files[0].path
    out = capsys.readouterr().out
    assert f"Fetched (1):\n  {relative}  <- {mirror / relative}" in out
    assert (tmp_path / "raw" / relative).is_file()


def test_an_unexpected_error_prints_one_line_and_logs_the_traceback(use_data, capsys, monkeypatch):
    from kpss_analysis.data import load

    def disk_full():
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(load, "load_territory", disk_full)
    assert cli.main(["orp", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kpss: unexpected error: OSError: [Errno 28] No space left on device (full traceback: ")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    log = Path(err.rsplit("full traceback: ", 1)[1].rstrip(")\n"))
    assert "Traceback (most recent call last)" in log.read_text(encoding="utf-8")
    log.unlink()


def test_staging_names_are_unique_and_map_back_to_the_final_folder(tmp_path):
    from kpss_analysis.errors import DamagedFileError
    from kpss_analysis.report.output import load_json, read_json, staged_final, staging_dir

    final = tmp_path / SOKOLOV
    first, second = staging_dir(final), staging_dir(final)
    assert first != second and first.name.startswith(f".{SOKOLOV}.") and first.name.endswith(".partial")
    assert staged_final(first) == final and staged_final(final) == final
    damaged = tmp_path / "manifest.json"
    damaged.write_text('{"items": [', encoding="utf-8")
    assert read_json(damaged, {"default": True}) == {"default": True}  # the index skips a damaged folder
    with pytest.raises(DamagedFileError, match=f"{damaged} is damaged"):
        load_json(damaged, None)  # the runner and ChapterOutput do not overwrite it
