"""Notebook contract: parameters match what `kpss run` passes; committed without outputs."""

import json
import re

import papermill
import pytest

from kpss_analysis import config
from kpss_analysis.run.chapters import RUN_PARAMETERS, chapter_notebooks

NOTEBOOKS = chapter_notebooks()


def test_there_are_chapter_notebooks():
    assert [nb.stem for nb in NOTEBOOKS][:1] == ["01_demografie"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_match_the_runner(notebook):
    """Every chapter takes the runner's parameters first; chapter-specific ones follow, with defaults."""
    parameters = papermill.inspect_notebook(str(notebook))
    assert tuple(parameters)[:len(RUN_PARAMETERS)] == RUN_PARAMETERS
    assert all(p["default"] not in (None, "None") for p in parameters.values())


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_and_with_the_project_kernel(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert nb["metadata"]["kernelspec"]["name"] == config.KERNEL_NAME
    source = "\n".join("".join(c["source"]) for c in code)
    # Notebooks narrate: no function definitions, loops or try/except (the package does that).
    assert not re.search(r"^\s*(def |class |for |while |try:)", source, flags=re.MULTILINE)
