"""Run the chapter notebooks of one ORP and assemble its output folder.

Outputs are written into a hidden staging folder and swapped into ``<outputs>/<code>-<slug>`` only when every chapter
has succeeded: an interrupted or failed run leaves the previous complete outputs untouched. A failed run keeps the
executed notebook of the failing chapter as ``<code>-<slug>.failed.ipynb`` so the failing cell can be inspected.
``manifest.json`` is written last; it records what the outputs were made from (parameters, chapters, data vintage,
package version), so a batch can skip ORPs whose outputs are complete and current.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import papermill
from papermill.engines import papermill_engines

from kpss_analysis import __version__, config
from kpss_analysis.analysis.territory import Orp, find_orp
from kpss_analysis.data.load import load_build_report, load_territory
from kpss_analysis.errors import KpssError
from kpss_analysis.report.documents import build_documents
from kpss_analysis.report.html import export_html
from kpss_analysis.report.output import MANIFEST, read_json, staging_dir, write_json
from kpss_analysis.run.chapters import RUN_PARAMETERS, chapter_notebooks, chapter_parameters
from kpss_analysis.run.kernel import WARM_ENGINE, WarmKernel, WarmKernelEngine, check_kernel


class ChapterFailedError(KpssError):
    """A chapter notebook raised: the message names the chapter, the cell and the error."""


papermill_engines.register(WARM_ENGINE, WarmKernelEngine)


def run_fingerprint(orp: Orp, notebooks: Sequence[Path], parameters: Mapping[str, object], root: Path,
                    report: Mapping) -> dict:
    """What a run of ``orp`` is made from; ``manifest.json`` records it and resumption compares it."""
    fingerprint = {
        "parameters": {"orp": orp.code, "output_dir": str(root / orp.folder_name), **parameters},
        "chapters": [nb.stem for nb in notebooks],
        "package_version": __version__,
        "data": {
            "built_at": report.get("built_at"),
            "vintages": {key: d["vintage"] for key, d in report.get("datasets", {}).items()},
        },
    }
    return json.loads(json.dumps(fingerprint, ensure_ascii=False, default=str))  # as read back from JSON


def is_complete(folder: Path, fingerprint: Mapping) -> bool:
    """True when ``folder`` holds a finished run with this fingerprint and all its files.

    A folder without ``manifest.json``, or with one that a run did not finish (no fingerprint),
    is not complete.
    """
    manifest = read_json(folder / MANIFEST, None)
    if not isinstance(manifest, dict) or any(manifest.get(key) != value for key, value in fingerprint.items()):
        return False
    return all((folder / name).is_file() for name in manifest.get("files", []))


def _failure_message(exc: papermill.PapermillExecutionError, chapter: str) -> str:
    first_line = next((line for line in exc.source.splitlines() if line.strip()), "")
    return (f"Chapter {chapter} failed in cell In [{exc.exec_count}] ({first_line.strip()[:80]!r}): "
            f"{exc.ename}: {exc.evalue}. The executed notebook is kept for inspection.")


def run_orp(query: str | Orp, *, chapters: list[str] | None = None, parameters: Mapping[str, object] | None = None,
            output_root: Path | None = None, kernel: str = config.KERNEL_NAME, warm: WarmKernel | None = None,
            progress: bool = True, log: Callable[[str], None] = print) -> Path:
    """Execute the chapter notebooks for one ORP and return its output folder.

    Parameters
    ----------
    query
        ORP name or ČSÚ code (see :func:`territory.find_orp`), or an :class:`Orp`.
    chapters
        Chapter numbers or notebook stems; all chapters when empty.
    parameters
        Chapter-specific notebook parameters; each notebook gets those it declares.
    output_root
        Parent of the ORP folder; defaults to :func:`config.output_dir`.
    kernel
        Jupyter kernel to execute the notebooks in (a new kernel per notebook).
    warm
        Execute in this kernel instead (reset before every notebook); ``kernel`` is then unused.
    """
    notebooks = chapter_notebooks(chapters)
    if not notebooks:
        raise KpssError(f"No chapter notebooks found in {config.notebooks_dir()}.")
    per_notebook = chapter_parameters(notebooks, parameters)
    orp = query if isinstance(query, Orp) else find_orp(query, load_territory())
    report = load_build_report()
    if warm is None:
        check_kernel(kernel)
    root = Path(output_root or config.output_dir())
    root.mkdir(parents=True, exist_ok=True)
    final = root / orp.folder_name
    staging = staging_dir(final)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    run_parameters = dict(zip(RUN_PARAMETERS, (orp.code, str(staging)), strict=True))
    timings = {}
    try:
        for notebook in notebooks:
            log(f"SO ORP {orp.name} ({orp.code}): {notebook.stem} …")
            started = time.perf_counter()
            executed = staging / notebook.name
            notebook_parameters = run_parameters | per_notebook[notebook]
            try:
                if warm is None:
                    papermill.execute_notebook(
                        str(notebook), str(executed), parameters=notebook_parameters, kernel_name=kernel,
                        progress_bar=progress, cwd=str(config.notebooks_dir()), request_save_on_cell_execute=False,
                    )
                else:
                    warm.execute_notebook(notebook, executed, notebook_parameters)
            except papermill.PapermillExecutionError as exc:
                failed = root / f"{orp.folder_name}.failed.ipynb"
                shutil.copyfile(executed, failed)
                raise ChapterFailedError(_failure_message(exc, notebook.stem) + f" See {failed}.") from exc
            export_html(executed, executed.with_suffix(".html"))
            timings[notebook.stem] = round(time.perf_counter() - started, 2)
        if (staging / MANIFEST).is_file():  # chapters that saved figures or tables: the Word documents
            started = time.perf_counter()
            build_documents(staging)
            timings["dokumenty"] = round(time.perf_counter() - started, 2)
        fingerprint = run_fingerprint(orp, notebooks, parameters or {}, root, report)
        _write_manifest(staging, orp, fingerprint, timings)
        _swap(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    (root / f"{orp.folder_name}.failed.ipynb").unlink(missing_ok=True)
    log(f"Outputs: {final}")
    return final


def _write_manifest(folder: Path, orp: Orp, fingerprint: dict, timings: dict) -> None:
    manifest = read_json(folder / MANIFEST, {"items": []})
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)
    manifest.update({
        "orp": {"code": orp.code, "name": orp.name, "kraj_code": orp.kraj_code, "kraj_name": orp.kraj_name},
        **fingerprint,
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
