"""Types and allowed values of the chapters' parameters, checked before any kernel starts.

A chapter notebook declares its parameters in its ``parameters`` cell; the default written there
fixes each parameter's type (a list of whole numbers, text, a mapping …). The values a chapter
allows are declared here once, in :data:`CHAPTER_CHECKS`, with the same checks of
:mod:`kpss_analysis.analysis` the chapter relies on. ``kpss run`` calls
:func:`check_run_parameters` before it starts a kernel; a notebook run by hand calls
:func:`check_chapter_parameters` in its set-up cell, so both refuse the same values with the
same message.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import papermill

from kpss_analysis import config
from kpss_analysis.errors import ParameterError
from kpss_analysis.run.chapters import RUN_PARAMETERS, chapter_parameters

#: Czech names of the types a default can have, for messages.
KIND_NAMES = {bool: "logická hodnota", int: "celé číslo", float: "číslo", str: "text", list: "seznam",
              dict: "slovník"}


def _kind(value: object) -> str:
    return KIND_NAMES.get(type(value), type(value).__name__)


def fits(value: object, default: object) -> bool:
    """Whether ``value`` has the type of the notebook's ``default`` (lists and mappings item by item)."""
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list):
        return isinstance(value, list) and (not default or all(fits(v, default[0]) for v in value))
    if isinstance(default, dict):
        if not isinstance(value, dict):
            return False
        if not default:
            return True
        key, item = next(iter(default.items()))
        return all(fits(k, key) and fits(v, item) for k, v in value.items())
    return isinstance(value, type(default))


def _describe(default: object) -> str:
    if isinstance(default, list) and default:
        return f"seznam – {_kind(default[0])} v každé položce – jako výchozí {default!r}"
    return f"{_kind(default)} jako výchozí {default!r}"


def notebook_defaults(notebook: Path) -> dict[str, object]:
    """The chapter parameters of ``notebook`` (not :data:`RUN_PARAMETERS`) with their default values."""
    defaults = {}
    for name, info in papermill.inspect_notebook(str(notebook)).items():
        if name in RUN_PARAMETERS:
            continue
        try:
            defaults[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            defaults[name] = None  # an expression: no type to check against
    return defaults


def _check_types(chapter: str, values: Mapping[str, object], defaults: Mapping[str, object]) -> None:
    wrong = [f"{name} má být {_describe(defaults[name])}, zadáno {values[name]!r} ({_kind(values[name])})"
             for name in values if name in defaults and not fits(values[name], defaults[name])]
    if wrong:
        raise ParameterError(f"Chybné parametry kapitoly {chapter}: " + "; ".join(wrong) + ".")


# --------------------------------------------------------------------------- allowed values per chapter


def _projection_years() -> list[int]:
    from kpss_analysis.analysis.projection import available_years
    from kpss_analysis.data.load import load_projection

    return available_years(load_projection())


def _check_projection(values: Mapping[str, object]) -> None:
    from kpss_analysis.analysis.projection import check_horizon_years

    check_horizon_years(values["horizon_years"], _projection_years())


def _check_services(values: Mapping[str, object]) -> None:
    from kpss_analysis.analysis import capacity
    from kpss_analysis.analysis.projection import VARIANT_LABELS, check_horizon_years

    variant = values["projection_variant"]
    if variant not in VARIANT_LABELS:
        raise ParameterError(f"projection_variant musí být jedna z variant {', '.join(map(repr, VARIANT_LABELS))}, "
                             f"zadáno {variant!r}.")
    targets = capacity.load_target_populations(values["target_populations_csv"])
    years = capacity.check_parameters(values["horizon_years"], values["gap_targets"], values["norms"],
                                      values["ranking_target"], targets)
    check_horizon_years(years, _projection_years())


def _check_target_groups(values: Mapping[str, object]) -> None:
    from kpss_analysis.analysis.projection import check_horizon_years
    from kpss_analysis.analysis.target_groups_text import check_variant
    from kpss_analysis.data.parsers.benefits import load_pnp_rates

    check_variant(values["projection_variant"])
    load_pnp_rates(values["pnp_rates_csv"])
    check_horizon_years(values["horizon_years"], _projection_years())


def _check_comparison(values: Mapping[str, object]) -> None:
    from kpss_analysis.analysis.comparison import check_parameters

    check_parameters(values["indicators"], values["n_peers"], values["n_types"])


def _check_survey(values: Mapping[str, object]) -> dict[str, object]:
    from kpss_analysis.analysis.survey_chapter import check_survey_parameters

    survey, codebook = check_survey_parameters(values["survey_file"], values["codebook_file"], strict=values["strict"])
    return {"survey_file": survey, "codebook_file": codebook}


def _check_plan(values: Mapping[str, object]) -> dict[str, object]:
    from kpss_analysis.analysis.plan_monitoring import check_plan_parameters

    # A broken or mistyped plan is refused here, naming sheet, row and column, before any kernel starts.
    return check_plan_parameters(values["plan_file"], values["monitoring_year"], base_dir=Path.cwd()).as_parameters()


#: Chapter id → the check of its parameters' values (after their types), raising ParameterError. A check may
#: return values to pass on instead of the given ones: file paths made absolute, relative to where `kpss run`
#: was started (the kernel's working directory is another).
CHAPTER_CHECKS: dict[str, Callable[[Mapping[str, object]], Mapping[str, object] | None]] = {
    "02_projekce": _check_projection,
    "03_socialni_sluzby": _check_services,
    "04_cilove_skupiny": _check_target_groups,
    "05_srovnani": _check_comparison,
    "06_potreby": _check_survey,
    "07_akcni_plan": _check_plan,
}


def _absolute_files(values: Mapping[str, object]) -> dict[str, object]:
    """File parameters (``*_file``, ``*_csv``) relative to where `kpss run` was started, made absolute."""
    return {name: str(Path(value).resolve()) if name.endswith(("_file", "_csv")) and isinstance(value, str) and value
            else value for name, value in values.items()}


def _check_chapter(chapter: str, values: Mapping[str, object], defaults: Mapping[str, object]) -> dict[str, object]:
    """``values`` checked; file parameters that were given come back as absolute paths."""
    _check_types(chapter, values, defaults)
    check = CHAPTER_CHECKS.get(chapter)
    try:
        resolved = (check({**defaults, **values}) if check else None) or {}
    except ParameterError as exc:
        raise ParameterError(f"Kapitola {chapter}: {exc}") from None
    return {**_absolute_files(values), **{name: value for name, value in resolved.items() if name in values}}


def check_run_parameters(notebooks: Sequence[Path], parameters: Mapping[str, object] | None) -> dict[Path, dict]:
    """Route ``parameters`` to the notebooks that declare them and check their types and values.

    Returns
    -------
    dict
        Notebook → the parameters it gets (see :func:`chapter_parameters`).

    Raises
    ------
    ParameterError
        An unknown or reserved parameter, a value of the wrong type or one the chapter does not
        allow; the message names the chapter, the parameter and what is allowed.
    """
    routed = chapter_parameters(notebooks, parameters)
    return {notebook: _check_chapter(notebook.stem, values, notebook_defaults(notebook))
            for notebook, values in routed.items()}


def check_chapter_parameters(chapter: str, namespace: Mapping[str, object]) -> None:
    """In a chapter notebook: check its parameters as ``kpss run`` does, e.g.
    ``check_chapter_parameters("02_projekce", globals())``.

    ``namespace`` holds the notebook's variables; the parameters are those of
    ``notebooks/<chapter>.ipynb``'s ``parameters`` cell.
    """
    defaults = notebook_defaults(config.notebooks_dir() / f"{chapter}.ipynb")
    _check_chapter(chapter, {name: namespace[name] for name in defaults if name in namespace}, defaults)
