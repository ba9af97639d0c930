"""The build's error paths: corrupt or missing raw files give errors that name the file,
and a failed build never touches the processed data of an earlier good one.

Only the territory code lists (≈ 1.2 MB) are copied from the mirror; the age-structure
workbooks are replaced by small corrupt stand-ins so that no test parses the real 4 MB
sheets.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpss_analysis.data import build
from kpss_analysis.data import tables as table_files
from kpss_analysis.data.checks import record_release
from kpss_analysis.data.parsers import czso
from kpss_analysis.data.registry import get_dataset
from kpss_analysis.errors import DataMissingError, DataValidationError, KpssError

TERRITORY_FILES = [f.path for f in get_dataset("territory").files]
AGE_SMALL, AGE_LARGE = (f.path for f in get_dataset("age_structure").files)
HIERARCHY = "territory/obce_hierarchy_2024_DERIVED.csv"


def _copy(mirror: Path, raw: Path, relative: str) -> Path:
    target = raw / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(mirror / relative, target)  # copyfile: the mirror's files are read-only
    return target


@pytest.fixture()
def raw(tmp_path, mirror) -> Path:
    """A data/raw folder with the six real territory files only."""
    root = tmp_path / "raw"
    for relative in TERRITORY_FILES:
        _copy(mirror, root, relative)
    return root


@pytest.fixture(scope="module")
def territory(tmp_path_factory, mirror) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("raw")
    for relative in TERRITORY_FILES:
        _copy(mirror, root, relative)
    return czso.parse_territory(root)


def _write_age_sheet(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


AGE5_LABELS = [f"{a}-{a + 4}" for a in range(0, 85, 5)] + ["85+"]
AGE_HEADER = ["POH", "ZUJ", "Obec", "Okres", "Kraj", "Celkem", *AGE5_LABELS]


# --------------------------------------------------------------------------- territory


def test_parse_territory_real_files(territory):
    assert len(territory) == 6258
    assert territory["obec_kod"].is_unique
    counts = {c: territory[c].nunique() for c in ("obec_kod", "orp_kod", "okres_kod", "kraj_kod")}
    assert counts == {"obec_kod": 6258, "orp_kod": 206, "okres_kod": 77, "kraj_kod": 14}
    assert territory.notna().all().all()
    # Praha: ORP 1000, RÚIAN ORP 19 (matched although RÚIAN names it "Hlavní město Praha")
    praha = territory.set_index("obec_kod").loc["554782"]
    assert (praha["orp_kod"], praha["orp_ruian"], praha["kraj_kod"], praha["kraj_nuts"]) == ("1000", "19", "3018", "CZ010")
    # codes stay strings (leading zeros and all)
    assert territory["obec_kod"].map(type).eq(str).all()


def test_parse_territory_agrees_with_independent_hierarchy(territory, mirror):
    derived = pd.read_csv(mirror / HIERARCHY, dtype=str)
    columns = ["orp_kod", "orp_ruian", "okres_kod", "okres_lau", "okres_ruian", "kraj_kod", "kraj_nuts", "kraj_ruian"]
    ours = territory.set_index("obec_kod")[columns].sort_index()
    theirs = derived.set_index("obec_kod")[columns].sort_index()
    assert list(ours.index) == list(theirs.index)  # the same 6 258 obce
    for column in columns:
        differ = ours.index[ours[column] != theirs[column]]
        assert differ.empty, f"{column} differs for obce {list(differ[:5])}"


def test_vazba_missing_column_names_file(raw):
    path = raw / TERRITORY_FILES[0]  # VAZ0065_0043: ORP → obec
    frame = pd.read_csv(path, dtype=str)
    frame.drop(columns="text2").to_csv(path, index=False)
    with pytest.raises(DataValidationError) as info:
        czso.parse_territory(raw)
    message = str(info.value)
    assert str(path) in message
    assert "not a ČSÚ vazba export, missing columns ['text2']" in message


def test_ciselnik_missing_column_names_file(raw):
    path = raw / "territory/rczechia_2020_CIS0101_CS.csv"
    frame = pd.read_csv(path, dtype=str, sep=";", encoding="cp1250")
    frame.drop(columns="OKRES_LAU").to_csv(path, index=False, sep=";", encoding="cp1250")
    with pytest.raises(DataValidationError) as info:
        czso.parse_territory(raw)
    assert str(path) in str(info.value)
    assert "missing columns ['OKRES_LAU']" in str(info.value)


def test_vazba_obec_in_two_orps(raw):
    path = raw / TERRITORY_FILES[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    # obec 529303 (Benešov) linked a second time, to ORP Beroun
    lines.append('"CS","Odvozená vazba","CISORP",65,"2102","Beroun","CISOB",43,"529303","Benešov"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="an obec is linked to more than one ORP") as info:
        czso.parse_territory(raw)
    assert str(path) in str(info.value)


def test_kraj_via_orp_must_match_kraj_via_okres(raw):
    path = raw / TERRITORY_FILES[2]  # VAZ0108_0065: kraj → ORP
    text = path.read_text(encoding="utf-8")
    # move ORP 4107 Sokolov from Karlovarský (CZ041) to Ústecký kraj (CZ042)
    old = '"CZ041","Karlovarský kraj","CISORP",65,"4107"'
    assert old in text
    path.write_text(text.replace(old, '"CZ042","Ústecký kraj","CISORP",65,"4107"'), encoding="utf-8")
    with pytest.raises(DataValidationError, match="kraj via ORP differs from kraj via okres") as info:
        czso.parse_territory(raw)
    assert str(path) in str(info.value)


def test_missing_territory_file(raw):
    path = raw / TERRITORY_FILES[1]
    path.unlink()
    with pytest.raises(DataMissingError) as info:
        czso.parse_territory(raw)
    message = str(info.value)
    assert str(path) in message and "is missing" in message
    assert "`kpss data fetch`" in message
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, KpssError)


# --------------------------------------------------------------------------- age structure


@pytest.mark.parametrize("content", ["random", "truncated"])
def test_corrupt_age_xlsx_names_file(tmp_path, mirror, content):
    raw = tmp_path / "raw"
    path = raw / AGE_SMALL
    path.parent.mkdir(parents=True)
    if content == "random":
        path.write_bytes(os.urandom(4096))
    else:  # the first 64 kB of the real workbook: a zip without its central directory
        path.write_bytes((mirror / AGE_SMALL).read_bytes()[:65536])
    with pytest.raises(DataValidationError) as info:
        czso.parse_age_structure(raw, territory=pd.DataFrame({"obec_kod": []}))
    message = str(info.value)
    assert f"Cannot read raw file {path}" in message
    assert "`kpss data fetch --force`" in message


def test_age_xlsx_with_wrong_header(tmp_path):
    raw = tmp_path / "raw"
    header = ["POH", "KOD", "Obec", "Okres", "Kraj", "Celkem", *AGE5_LABELS]
    _write_age_sheet(raw / AGE_SMALL, header, [["celkem", "500011", "X", "Zlín", "Zlínský", 0, *[0] * 18]])
    with pytest.raises(DataValidationError) as info:
        czso.parse_age_structure(raw, territory=pd.DataFrame({"obec_kod": []}))
    assert str(raw / AGE_SMALL) in str(info.value)
    assert "unexpected header ['POH', 'KOD'" in str(info.value)


def test_age_groups_must_sum_to_total(tmp_path):
    raw = tmp_path / "raw"
    # Celkem 37 but the 18 groups sum to 2*17 + 2 = 36
    rows = [["celkem", "500011", "X", "Zlín", "Zlínský", 37, *[2] * 18],
            ["muži", "500011", "X", "Zlín", "Zlínský", 18, *[1] * 18],
            ["ženy", "500011", "X", "Zlín", "Zlínský", 18, *[1] * 18]]
    _write_age_sheet(raw / AGE_SMALL, AGE_HEADER, rows)
    with pytest.raises(DataValidationError, match=r"age groups do not sum to Celkem for obce \['500011'\]") as info:
        czso.parse_age_structure(raw, territory=pd.DataFrame({"obec_kod": []}))
    assert str(raw / AGE_SMALL) in str(info.value)


def test_non_numeric_age_cell_names_file(tmp_path):
    raw = tmp_path / "raw"
    rows = [["celkem", "500011", "X", "Zlín", "Zlínský", 36, *[2] * 17, "x"],
            ["muži", "500011", "X", "Zlín", "Zlínský", 18, *[1] * 18],
            ["ženy", "500011", "X", "Zlín", "Zlínský", 18, *[1] * 18]]
    _write_age_sheet(raw / AGE_SMALL, AGE_HEADER, rows)
    with pytest.raises(DataValidationError) as info:
        czso.parse_age_structure(raw, territory=pd.DataFrame({"obec_kod": []}))
    assert str(raw / AGE_SMALL) in str(info.value)


def test_missing_age_file(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    with pytest.raises(DataMissingError) as info:
        czso.parse_age_structure(raw, territory=pd.DataFrame({"obec_kod": []}))
    assert str(raw / AGE_SMALL) in str(info.value)
    assert "Run `kpss data fetch` first" in str(info.value)


# --------------------------------------------------------------------------- build_all


@pytest.fixture()
def previous_build(tmp_path) -> Path:
    """A processed folder holding the report and a table of an earlier good build."""
    processed = tmp_path / "processed"
    processed.mkdir()
    (processed / table_files.REPORT_NAME).write_text('{"built_at": "2024-01-01T00:00:00+00:00", "rows": {"territory": 6258}}',
                                              encoding="utf-8")
    (processed / table_files.TABLES["territory"]).write_bytes(b"PAR1 previous good territory table PAR1")
    (processed / table_files.TABLES["age5"]).write_bytes(os.urandom(256))
    return processed


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>" for p in folder.rglob("*")}


@pytest.fixture()
def full_raw(tmp_path, mirror) -> Path:
    """A data/raw folder with a copy of every file of the mirror."""
    root = tmp_path / "full-raw"
    shutil.copytree(mirror, root, copy_function=shutil.copyfile)
    return root


def test_failed_build_keeps_previous_processed_data(full_raw, previous_build):
    raw = full_raw
    (raw / AGE_SMALL).write_bytes(os.urandom(4096))  # corrupt: fails as soon as it is opened
    record_release(raw, AGE_SMALL, "https://example.org/newer")  # a newer release: checked by content
    before = _snapshot(previous_build)
    assert len(before) == 3
    lines = []
    with pytest.raises(DataValidationError) as info:
        build.build_all(raw, previous_build, log=lines.append)
    assert str(raw / AGE_SMALL) in str(info.value)
    # the territory step ran (and logged), the age step did not finish
    assert len(lines) == 1 and lines[0].strip().startswith("territory")
    # every earlier file byte-identical, nothing added (no staging folder, no new tables)
    assert _snapshot(previous_build) == before


def test_build_with_missing_raw_file_keeps_previous_processed_data(raw, previous_build):
    before = _snapshot(previous_build)
    with pytest.raises(DataMissingError) as info:
        build.build_all(raw, previous_build, log=lambda _line: None)
    assert f"Raw files missing in {raw}: {AGE_SMALL}, {AGE_LARGE}," in str(info.value)
    assert "more. Run `kpss data fetch --only age_structure " in str(info.value)
    assert _snapshot(previous_build) == before


def test_build_without_raw_folder(tmp_path):
    with pytest.raises(DataMissingError, match="does not exist. Run `kpss data fetch` first"):
        build.build_all(tmp_path / "nowhere", tmp_path / "processed", log=lambda _line: None)
    assert not (tmp_path / "processed").exists()


def test_write_atomically_swaps_in_new_tables(tmp_path, previous_build):
    """The staging swap itself: new tables and report replace the old ones, staging is removed."""
    tables = {name: pd.DataFrame({"x": [1, 2, 3]}) for name in table_files.TABLES}
    build.write_build(previous_build, tables, {"built_at": "new"})
    assert sorted(p.name for p in previous_build.iterdir()) == sorted([*table_files.TABLES.values(), table_files.REPORT_NAME])
    assert pd.read_parquet(previous_build / table_files.TABLES["territory"])["x"].tolist() == [1, 2, 3]
    assert (previous_build / table_files.REPORT_NAME).read_text(encoding="utf-8") == '{\n  "built_at": "new"\n}'


def test_write_atomically_failure_leaves_old_files(previous_build):
    before = _snapshot(previous_build)
    tables = {"territory": pd.DataFrame({"x": [1]}), "age5": "not a frame"}
    with pytest.raises(AttributeError):
        build.write_build(previous_build, tables, {"built_at": "new"})
    # failed while staging: the old report and tables are untouched and staging is gone
    assert _snapshot(previous_build) == before
