"""Batch runs of the real chapters: warm kernels produce what fresh kernels do; the index page; all ORPs."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from openpyxl import load_workbook

from kpss_analysis import fmt
from kpss_analysis.run.batch import run_batch
from kpss_analysis.run.kernel import WarmKernel
from kpss_analysis.run.orp import run_orp

pytestmark = pytest.mark.e2e

NBSP = "\u00a0"


def _quiet(_line: str) -> None:
    pass


def _xlsx_cells(path):
    sheet = load_workbook(path).active
    return [[(cell.value, cell.number_format) for cell in row] for row in sheet.iter_rows()]


def _notebook_outputs(path):
    """Every code cell's count and outputs; only Styler ids and addresses (random by design) masked."""
    def mask(value):
        return re.sub(r" at 0x[0-9a-f]+", "", re.sub(r"T_[0-9a-f]{5}", "T_", value)) if isinstance(value, str) else value
    nb = nbformat.read(path, as_version=4)
    return [(c.execution_count, [(o.output_type, o.get("text"), {k: mask(v) for k, v in o.get("data", {}).items()})
                                 for o in c.outputs]) for c in nb.cells if c.cell_type == "code"]


def test_warm_kernel_outputs_are_identical_to_a_fresh_kernel_run(use_data, tmp_path, monkeypatch):
    """Rokycany, chapter 01: a new kernel (as papermill does) vs a warm kernel that ran Ostrov before."""
    monkeypatch.setenv("KPSS_FIGURE_FORMATS", "png,svg")  # kernels inherit it: SVGs compared too
    root = tmp_path / "out"
    fresh = run_orp("Rokycany", chapters=["01"], output_root=root, progress=False, log=_quiet)
    reference = fresh.rename(tmp_path / "fresh")
    with WarmKernel() as warm:
        run_orp("Ostrov", chapters=["01"], output_root=root, warm=warm, log=_quiet)
        folder = run_orp("Rokycany", chapters=["01"], output_root=root, warm=warm, log=_quiet)

    files = sorted(str(p.relative_to(reference)) for p in reference.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    compared = {"bytes": 0, "xlsx": 0}
    for name in files:
        a, b = reference / name, folder / name
        if name.endswith((".csv", ".png", ".svg")) or name == "summary.json":
            assert a.read_bytes() == b.read_bytes(), name
            compared["bytes"] += 1
        elif name.endswith(".xlsx"):  # the workbook's properties hold the time it was written
            assert _xlsx_cells(a) == _xlsx_cells(b), name
            compared["xlsx"] += 1
    assert sum(name.endswith(".svg") for name in files) >= 8
    assert compared["bytes"] >= 3 * 8 + 8 + 1 and compared["xlsx"] >= 8  # figures (2 PNG + SVG), CSV tables, summary
    assert _notebook_outputs(reference / "01_demografie.ipynb") == _notebook_outputs(folder / "01_demografie.ipynb")
    # Random by design: Styler ids, and the id papermill gives the cell it injects.
    html = [re.sub(r"T_[0-9a-f]{5}|cell-id=[0-9a-f-]+", "", (f / "01_demografie.html").read_text(encoding="utf-8"))
            for f in (reference, folder)]
    assert html[0] == html[1]
    manifests = [json.loads((f / "manifest.json").read_text(encoding="utf-8")) for f in (reference, folder)]
    for key in ("items", "files", "parameters", "chapters", "data", "package_version", "orp"):
        assert manifests[0][key] == manifests[1][key], key


def test_index_page_lists_the_seed_orps_in_czech(seed_runs):
    root = seed_runs["Sokolov"].parent
    index = (root / "index.html").read_text(encoding="utf-8")
    for name, folder in seed_runs.items():
        assert f'<a href="{folder.name}/01_demografie.html">01_demografie&nbsp;(HTML)</a>' in index, name
    row = next(line for line in index.splitlines() if "4107-sokolov/" in line)
    assert f'data-value="74502">74{NBSP}502</td>' in row  # population on 31. 12. 2020
    assert "<td>Karlovarský kraj</td>" in row
    summary = json.loads((seed_runs["Sokolov"] / "summary.json").read_text(encoding="utf-8"))["demografie"]["orp"]
    assert f">{fmt.number(summary['share_65plus'], 1)}</td>" in row
    assert f"<th>Počet obyvatel k 1.{NBSP}1.{NBSP}2024</th>" in index
    assert "<th>Index stáří (65+ / 0–14 × 100)</th>" in index


def test_seed_batch_summary_is_written(seed_runs):
    summary = (seed_runs["Sokolov"].parent / "run_summary.csv").read_text(encoding="utf-8-sig").splitlines()
    assert summary[0] == "orp_code;orp_name;kraj;status;seconds;error"
    assert sorted(line.split(";")[1] for line in summary[1:]) == sorted(seed_runs)
    assert all(line.split(";")[3] == "ok" for line in summary[1:])


@pytest.mark.slow
def test_chapter_01_runs_for_every_orp(use_data, tmp_path):
    from kpss_analysis.data.load import load_territory
    from kpss_analysis.run.batch import select_orps

    results = run_batch(select_orps(load_territory(), all_orps=True), chapters=["01"], output_root=tmp_path,
                        progress=False)
    assert len(results) == 206
    assert [r.orp.name for r in results if r.status != "ok"] == []
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr><td") == 206
