"""The chapter notebooks and their parameters: discovery, ``-p NAME=VALUE`` parsing and routing.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import papermill

from kpss_analysis import config
from kpss_analysis.errors import ParameterError

#: Names of the parameters ``kpss run`` passes to every chapter notebook (a test checks the
#: notebooks' ``parameters`` cells against it).
RUN_PARAMETERS = ("orp", "output_dir")
#: Longest ``-p`` value accepted (a parameter is a few numbers or names, not a data set).
MAX_VALUE_CHARS = 10_000


def chapter_notebooks(chapters: list[str] | None = None) -> list[Path]:
    """Chapter notebooks ``NN_topic.ipynb`` in order, optionally only those named.

    ``chapters`` items match a notebook by its number (``"01"``, ``"1"``) or its stem.
    """
    available = sorted(config.notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
    if not chapters:
        return available
    selected = []
    for wanted in chapters:
        hits = [nb for nb in available if nb.stem == wanted or nb.stem.split("_")[0] == wanted.zfill(2)]
        if not hits:
            names = ", ".join(nb.stem for nb in available)
            raise ParameterError(f"Unknown chapter {wanted!r}. Available chapters: {names}.")
        selected += [nb for nb in hits if nb not in selected]
    return selected


def parse_parameter(text: str) -> tuple[str, object]:
    """``'horizon_years=[2030, 2040]'`` → ``("horizon_years", [2030, 2040])``.

    The value is a Python or JSON literal (number, quoted string, list, ``True``/``true`` …).
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ParameterError(f"Parameter {text!r} is not NAME=VALUE, e.g. -p horizon_years='[2030, 2040]'.")
    if len(value) > MAX_VALUE_CHARS:
        raise ParameterError(f"Value of parameter {name!r} is {len(value)} characters long; at most "
                             f"{MAX_VALUE_CHARS} are accepted.")
    try:
        return name, ast.literal_eval(value.strip())
    except (ValueError, SyntaxError, RecursionError, MemoryError):
        pass  # e.g. JSON's true/false/null; deep nesting fails again below with a message
    try:
        return name, json.loads(value)
    except RecursionError:
        raise ParameterError(f"Value of parameter {name!r} is nested too deeply to be a chapter parameter "
                             "(lists inside lists …); give a flat list, e.g. -p horizon_years='[2030, 2040]'.") from None
    except ValueError:
        raise ParameterError(f"Value of parameter {name!r} is not a Python/JSON literal: {value!r}. "
                             f"Quote text, e.g. -p {name}='\"text\"'.") from None


def chapter_parameters(notebooks: Sequence[Path], parameters: Mapping[str, object] | None) -> dict[Path, dict]:
    """Split chapter-specific ``parameters`` among the notebooks that declare them.

    Raises
    ------
    ParameterError
        For a parameter that no selected notebook declares (listing those that do exist) and
        for the parameters the runner sets itself (:data:`RUN_PARAMETERS`).
    """
    parameters = dict(parameters or {})
    reserved = sorted(set(parameters) & set(RUN_PARAMETERS))
    if reserved:
        raise ParameterError(f"Parameter(s) {', '.join(reserved)} are set by kpss run; use --orp/--kraj/--all "
                             "and --output-dir instead.")
    declared = {nb: [p for p in papermill.inspect_notebook(str(nb)) if p not in RUN_PARAMETERS] for nb in notebooks}
    unknown = sorted(set(parameters) - {p for names in declared.values() for p in names})
    if unknown:
        available = "; ".join(f"{nb.stem}: {', '.join(names)}" for nb, names in declared.items() if names)
        raise ParameterError(f"No selected chapter declares parameter(s) {', '.join(unknown)}. "
                             f"Available: {available or 'none (the chapters take only orp and output_dir)'}.")
    return {nb: {k: v for k, v in parameters.items() if k in names} for nb, names in declared.items()}
