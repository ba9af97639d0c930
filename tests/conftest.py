"""Shared fixtures: real data fetched from the mirror and built once per test session; builders of toy frames and
test notebooks."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kpss_analysis import config

SEED_ORPS = list(config.SEED_ORPS)

#: Columns of a toy territory, in the order of its rows unless a test names its own (all of the processed table's).
TERRITORY_COLUMNS = ("obec_kod", "obec_nazev", "orp_kod", "orp_nazev", "okres_kod", "kraj_kod", "kraj_nuts",
                     "kraj_nazev")


def toy_territory(rows: Iterable[Sequence[str]], columns: Sequence[str] = TERRITORY_COLUMNS, *,
                  kraje: Mapping[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """A small territory table like ``territory.parquet``: one row per obec, codes as strings.

    ``rows`` hold the values of ``columns``; ``kraje`` (kraj code → NUTS code, name) adds ``kraj_nuts`` and
    ``kraj_nazev`` from ``kraj_kod``.
    """
    frame = pd.DataFrame(list(rows), columns=list(columns))
    if kraje:
        frame["kraj_nuts"] = frame["kraj_kod"].map(lambda code: kraje[code][0])
        frame["kraj_nazev"] = frame["kraj_kod"].map(lambda code: kraje[code][1])
    codes = [c for c in frame.columns if c.endswith("_kod")]
    assert all(isinstance(v, str) for c in codes for v in frame[c]), "toy territory codes must be strings"
    return frame


def toy_age5(cells: Mapping[str, Iterable[tuple[str, int, int]]], ages: Iterable[int] | None = None) -> pd.DataFrame:
    """A small ``population_age5`` table: per obec its ``(sex, age_start, population)`` cells.

    With ``ages`` the full obec × sex (F, M) × age grid, zero where no cell is given, like the processed table.
    """
    if ages is None:
        rows = [(obec, sex, age, population) for obec, values in cells.items() for sex, age, population in values]
    else:
        ages = list(ages)
        rows = []
        for obec, values in cells.items():
            given = {(sex, age): population for sex, age, population in values}
            rows += [(obec, sex, age, given.get((sex, age), 0)) for sex in ("F", "M") for age in ages]
    frame = pd.DataFrame(rows, columns=["obec_kod", "sex", "age_start", "population"])
    return frame.astype({"population": "int64"})


def write_notebook(path: Path, cells: Iterable[tuple[str, list[str]]]) -> None:
    """A test notebook of code cells ``(source, tags)`` with the package's kernelspec."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": config.KERNEL_NAME, "display_name": "Python (kpss-analysis)",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source, metadata={"tags": tags}) for source, tags in cells]
    nbformat.write(nb, path)


@pytest.fixture(scope="session")
def mirror() -> Path:
    path = config.default_mirror()
    if path is None or not path.is_dir():
        pytest.fail("The data mirror ../shared/data/raw (or $KPSS_MIRROR) is required for the end-to-end tests.")
    return path


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory, mirror) -> Path:
    """A data root with raw files copied from the mirror and processed tables built from them."""
    from kpss_analysis.data.build import build_all
    from kpss_analysis.data.fetch import fetch_all

    root = tmp_path_factory.mktemp("data")
    results = fetch_all(root / "raw", mirror, progress=False)
    assert {r.status for r in results} == {"copied"}
    build_all(root / "raw", root / "processed", log=lambda _line: None)
    return root


@pytest.fixture()
def use_data(data_dir, monkeypatch) -> Path:
    """Point the package (and kernels started by papermill) at the session's data root."""
    monkeypatch.setenv("KPSS_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture(scope="session")
def seed_runs(data_dir, tmp_path_factory) -> dict[str, Path]:
    """`kpss run` for every seed ORP (executed once per session as one batch, in warm Jupyter kernels)."""
    from kpss_analysis.run.batch import run_batch

    out = tmp_path_factory.mktemp("outputs")
    previous = os.environ.get("KPSS_DATA_DIR")
    os.environ["KPSS_DATA_DIR"] = str(data_dir)
    try:
        results = run_batch(SEED_ORPS, output_root=out, progress=False)
        failed = [f"{r.orp.name}: {r.error}" for r in results if r.status != "ok"]
        if failed:
            pytest.fail("Seed ORPs failed: " + "; ".join(failed))
        return {name: result.folder for name, result in zip(SEED_ORPS, results, strict=True)}
    finally:
        if previous is None:
            os.environ.pop("KPSS_DATA_DIR", None)
        else:
            os.environ["KPSS_DATA_DIR"] = previous


@pytest.fixture(scope="session")
def single_years(data_dir):
    """Territory and the single-year population of every ORP at the base (31. 12. 2020) and in both projection
    variants at the chapters' default horizons 2030 and 2040 (:func:`target_groups.stack_scenarios`)."""
    from kpss_analysis.analysis import projection as pj
    from kpss_analysis.analysis import target_groups as tg

    processed = data_dir / "processed"
    territory = pd.read_parquet(processed / "territory.parquet")
    age5 = pd.read_parquet(processed / "population_age5.parquet")
    age1 = pd.read_parquet(processed / "population_age1_okres.parquet")
    projection = pj.compute_projection(age5, territory, age1, pd.read_parquet(processed / "projection_cr.parquet"),
                                       pd.read_parquet(processed / "mos_obce.parquet"))
    return territory, tg.stack_scenarios(pj.compute_orp_base(age5, territory, age1), projection, [2030, 2040])


def fill_plan(path, sheets, start=None):
    """Write rows (dicts by column key) per sheet key into a plan workbook, after each sheet's last row."""
    from openpyxl import load_workbook

    from kpss_analysis.analysis.action_plan import HEADERS, SHEETS

    workbook = load_workbook(path)
    for sheet_key, rows in sheets.items():
        sheet = workbook[SHEETS[sheet_key]]
        header = [c.value for c in sheet[1]]
        first = start or sheet.max_row + 1
        for offset, values in enumerate(rows):
            for key, value in values.items():
                sheet.cell(first + offset, header.index(HEADERS[key]) + 1).value = value
    workbook.save(path)


# --------------------------------------------------------------------------- the register's format (rpss.json)


def rpss_ref(kind: str, code: object) -> dict:
    """A reference of the register's open data, ``{"id": "<kind>/<code>"}``."""
    return {"id": f"{kind}/{code}"}


def rpss_address(point, obec, street=None, house=None, orientation=None, psc=None, typ=1) -> dict:
    """A facility address (``point``: RÚIAN address point or None, ``obec``: obec code)."""
    return {"cisloDomovni": house, "cisloOrientacni": orientation, "dodatekAdresy": None, "kodAdresnihoMista": point,
            "psc": psc, "typCislaDomovniho": rpss_ref("TypStavebnihoObjektu", typ), "kraj": rpss_ref("Kraj", 51),
            "okres": rpss_ref("Okres", 3401), "obec": rpss_ref("Obec", obec), "castObce": None,
            "mestskyObvodMestskaCast": None, "mestskyObvodVPraze": None,
            "ulice": {"nazev": street} if street else None}


def rpss_facility(name, address, until=None) -> dict:
    """A facility (zařízení) of a service; ``until``: the date it stopped providing, or None."""
    return {"nazev": name, "adresa": address, "poskytujeOd": "2010-01-01", "poskytujeDo": until}


def rpss_form(forma: str, *capacities: tuple[str, int]) -> dict:
    """A form (amb / pob / ter) with its registered capacities as (type, count) pairs."""
    return {"forma": rpss_ref("FormaSocialniSluzby", forma), "nepretrzitePoskytovani": True, "casoveRozsahy": None,
            "kapacity": [{"pocet": n, "popis": "Maximální kapacita", "typ": rpss_ref("TypKapacitySocialniSluzby", t)}
                         for t, n in capacities]}


def rpss_item(portal: int, druh: int, forms: list, facilities: list, **extra) -> dict:
    """One service of ``polozky`` (``portalId`` = ``portal``, target group senioři unless ``extra`` says otherwise)."""
    item = {
        "portalId": portal, "id": f"uuid-{portal}", "identifikator": str(9000000 + portal),
        "datumPoskytovaniOd": "2015-01-01", "datumPoskytovaniDo": None, "kontaktniAdresy": [],
        "druhSocialniSluzby": rpss_ref("DruhSocialniSluzby", druh), "zarizeni": facilities,
        "poskytovatel": {"nazev": "Poskytovatel Alfa, z. ú.", "ico": 123456,
                         "weby": [{"web": "www.poskytovatel.cz", "poznamka": None}], "emaily": [], "telefony": []},
        "emaily": [{"email": "sluzba@alfa.cz", "poznamka": None}], "telefony": [{"telefon": "354525345", "poznamka": None}],
        "faxy": [], "weby": [], "ciloveSkupiny": [{"cilovaSkupina": rpss_ref("CilovaSkupinaOsoby", 24)}],
        "vekoveSkupiny": [], "formy": forms, "rozsirenePusobnostiVKraji": [], "doplnkoveUdaje": {},
    }
    return item | extra
