"""Shared fixtures: real data fetched from the mirror and built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kpss_analysis import config

SEED_ORPS = list(config.SEED_ORPS)


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
