"""Run chapter notebooks for an ORP with papermill and assemble its output folder.

Outputs are written into a hidden staging folder and swapped into ``<outputs>/<code>-<slug>``
only when every chapter has succeeded: an interrupted or failed run leaves the previous
complete outputs untouched. A failed run keeps the executed notebook of the failing chapter
as ``<code>-<slug>.failed.ipynb`` so the failing cell can be inspected.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import papermill
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbconvert import HTMLExporter

from . import __version__, config
from .errors import KpssError, ParameterError
from .load import load_build_report, load_territory
from .output import MANIFEST, read_json, write_json
from .territory import Orp, find_orp


#: Names of the parameters ``kpss run`` passes to every chapter notebook (a test checks the
#: notebooks' ``parameters`` cells against it).
RUN_PARAMETERS = ("orp", "output_dir")


class ChapterFailedError(KpssError):
    """A chapter notebook raised: the message names the chapter, the cell and the error."""


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


def check_kernel(kernel: str) -> None:
    """Fail early, with the fix, when the Jupyter kernel is not registered."""
    try:
        KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel as exc:
        raise KpssError(
            f"Jupyter kernel {kernel!r} is not registered. Run `make setup`, or "
            f"`python -m ipykernel install --sys-prefix --name {kernel}` in this environment."
        ) from exc


def export_html(notebook: Path, target: Path) -> Path:
    """HTML of an executed notebook without code cells or prompts (images embedded)."""
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _resources = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    target.write_text(body, encoding="utf-8")
    return target


def _failure_message(exc: papermill.PapermillExecutionError, chapter: str) -> str:
    return (f"Chapter {chapter} failed in cell {exc.cell_index} ({exc.ename}: {exc.evalue}). "
            "The executed notebook is kept for inspection.")


def run_orp(query: str, *, chapters: list[str] | None = None, output_root: Path | None = None,
            kernel: str = config.KERNEL_NAME, progress: bool = True,
            log: Callable[[str], None] = print) -> Path:
    """Execute the chapter notebooks for one ORP and return its output folder.

    Parameters
    ----------
    query
        ORP name or ČSÚ code (see :func:`territory.find_orp`).
    chapters
        Chapter numbers or notebook stems; all chapters when empty.
    output_root
        Parent of the ORP folder; defaults to :func:`config.output_dir`.
    kernel
        Jupyter kernel to execute the notebooks in.
    """
    notebooks = chapter_notebooks(chapters)
    if not notebooks:
        raise KpssError(f"No chapter notebooks found in {config.notebooks_dir()}.")
    orp = find_orp(query, load_territory())
    report = load_build_report()
    check_kernel(kernel)
    root = Path(output_root or config.output_dir())
    root.mkdir(parents=True, exist_ok=True)
    final = root / orp.folder_name
    staging = root / f".{orp.folder_name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    parameters = dict(zip(RUN_PARAMETERS, (orp.code, str(staging)), strict=True))
    timings = {}
    try:
        for notebook in notebooks:
            log(f"SO ORP {orp.name} ({orp.code}): {notebook.stem} …")
            started = time.perf_counter()
            executed = staging / notebook.name
            try:
                papermill.execute_notebook(
                    str(notebook), str(executed), parameters=parameters, kernel_name=kernel,
                    progress_bar=progress, cwd=str(config.notebooks_dir()),
                )
            except papermill.PapermillExecutionError as exc:
                failed = root / f"{orp.folder_name}.failed.ipynb"
                shutil.copyfile(executed, failed)
                raise ChapterFailedError(_failure_message(exc, notebook.stem) + f" See {failed}.") from exc
            export_html(executed, executed.with_suffix(".html"))
            timings[notebook.stem] = round(time.perf_counter() - started, 2)
        _write_manifest(staging, orp, parameters | {"output_dir": str(final)}, report, timings)
        _swap(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    (root / f"{orp.folder_name}.failed.ipynb").unlink(missing_ok=True)
    log(f"Outputs: {final}")
    return final


def _write_manifest(folder: Path, orp: Orp, parameters: dict, report: dict, timings: dict) -> None:
    manifest = read_json(folder / MANIFEST, {"items": []})
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)
    manifest.update({
        "orp": {"code": orp.code, "name": orp.name, "kraj_code": orp.kraj_code, "kraj_name": orp.kraj_name},
        "parameters": parameters,
        "package_version": __version__,
        "data": {
            "built_at": report.get("built_at"),
            "vintages": {key: d["vintage"] for key, d in report.get("datasets", {}).items()},
        },
        "chapter_seconds": timings,
        "files": files,
    })
    write_json(folder / MANIFEST, manifest)


def _swap(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging`` with two renames (the old folder is removed last)."""
    old = final.with_name(f".{final.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
