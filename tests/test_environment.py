"""environment.yml (conda) and pyproject.toml (pip) must pin the same packages and versions."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {}
    for spec in project["dependencies"] + project["optional-dependencies"]["dev"]:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==([\w.]+)", spec).groups()
        pins[name.lower()] = version
    return pins


def _conda_pins() -> dict[str, str]:
    """Pins of the conda environment: conda-forge packages, plus pip-only ones in its ``pip:`` list."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep and not dep.startswith("python="):
            name, version = dep.split("=", 1)
            pins[name.lower()] = version
    for dep in next(d["pip"] for d in env["dependencies"] if isinstance(d, dict)):
        if "==" in dep:
            name, version = dep.split("==", 1)
            pins[name.lower()] = version
    return pins


def test_conda_and_pip_pin_the_same_versions():
    assert _conda_pins() == _pyproject_pins()


def test_environment_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section[-1] == "-e ."
    assert "conda-forge" in env["channels"]


def _make_lab_command(uid: str, tmp_path: Path) -> str:
    """The command `make lab` would run for a user with this uid (dry run, setup and data assumed done)."""
    import os
    import subprocess

    fake_id = tmp_path / "id"
    fake_id.write_text(f"#!/bin/sh\necho {uid}\n", encoding="utf-8")
    fake_id.chmod(0o755)
    result = subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.kpss-installed", "-o", "data/processed/build_report.json",
                             "lab", "KPSS_DATA_DIR="], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"})
    return result.stdout.strip().splitlines()[-1]


def test_make_lab_allows_root_only_for_root(tmp_path):
    assert _make_lab_command("0", tmp_path).endswith("jupyter lab notebooks/ --allow-root")
    assert _make_lab_command("1000", tmp_path).endswith("jupyter lab notebooks/")


def test_index_template_ships_with_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["kpss_analysis"]
    templates = sorted((ROOT / "src" / "kpss_analysis" / "report" / "templates").glob("*.j2"))
    assert [t.name for t in templates] == ["index.html.j2"]
    assert "report/templates/*.j2" in patterns
