"""Run chapter notebooks of one ORP and assemble its output folder.

A run works on a copy of the ORP's folder in a hidden staging folder unique to the run
(``.<code>-<slug>.<token>.partial``): the outputs of the chapters it runs are removed from the
copy, the chapters write theirs, the Word documents are rebuilt from everything the folder then
holds, and the staging folder is swapped in with two renames only when every chapter has
succeeded. So chapters not run keep their files byte for byte, and an interrupted or failed run
leaves the previous outputs untouched. A failed run keeps the executed notebook of the failing
chapter as ``<code>-<slug>.failed.ipynb``.

``manifest.json`` records per chapter (``chapter_runs``) what it was made from (parameters,
data vintage, package version), when it finished and which files it produced, so a batch resumes
chapter by chapter. The ORP's lock (:mod:`kpss_analysis.locks`) keeps two runs out of one folder.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import papermill
from nbclient.exceptions import CellTimeoutError
from papermill.engines import papermill_engines

from kpss_analysis import __version__, config
from kpss_analysis.analysis.territory import Orp, find_orp
from kpss_analysis.data.load import load_build_report, load_territory
from kpss_analysis.errors import DamagedFileError, KpssError
from kpss_analysis.locks import exclusive, remove_leftovers, replace_folder
from kpss_analysis.report.documents import DOCUMENTS_DIR, build_documents
from kpss_analysis.report.html import export_html
from kpss_analysis.report.output import MANIFEST, SUMMARY, load_json, staging_dir, write_json
from kpss_analysis.run.chapters import RUN_PARAMETERS, chapter_notebooks
from kpss_analysis.run.kernel import (
    CELL_TIMEOUT,
    WARM_ENGINE,
    EncryptedKernelManager,
    WarmKernel,
    WarmKernelEngine,
    check_kernel,
)
from kpss_analysis.run.parameters import check_run_parameters

#: Manifest key: chapter id → its last successful run (fingerprint, ``finished_at``, ``seconds``, ``files``).
CHAPTER_RUNS = "chapter_runs"
#: The keys of a chapter's run that must match for the chapter to count as current.
FINGERPRINT_KEYS = ("parameters", "package_version", "data", "input_files")


class ChapterFailedError(KpssError):
    """A chapter notebook raised or timed out: the message names the chapter, the cell and the error."""


papermill_engines.register(WARM_ENGINE, WarmKernelEngine)


def chapter_fingerprints(orp: Orp, notebooks: Sequence[Path], parameters: Mapping[Path, Mapping[str, object]],
                         root: Path, report: Mapping) -> dict[str, dict]:
    """What each chapter's run is made from; the manifest records it and resumption compares it.

    ``parameters`` are the chapter-specific ones per notebook (:func:`check_run_parameters`), so a
    parameter of chapter 03 does not make chapter 01 run again.
    """
    data = {"built_at": report.get("built_at"),
            "vintages": {key: d["vintage"] for key, d in report.get("datasets", {}).items()}}
    fingerprints = {
        nb.stem: {"parameters": {"orp": orp.code, "output_dir": str(root / orp.folder_name), **parameters.get(nb, {})},
                  "package_version": __version__, "data": data, "input_files": input_files(parameters.get(nb, {})),
                  "figure_formats": list(config.figure_formats())}
        for nb in notebooks
    }
    return json.loads(json.dumps(fingerprints, ensure_ascii=False, default=str))  # as read back from JSON


def input_files(parameters: Mapping[str, object]) -> dict[str, str]:
    """SHA-256 of every file parameter (``*_file``, ``*_csv``: a survey, a plan, an analyst's own table) that names
    a file: an edited file makes its chapter run again."""
    out = {}
    for name, value in parameters.items():
        if name.endswith(("_file", "_csv")) and isinstance(value, str) and value and Path(value).is_file():
            out[name] = hashlib.sha256(Path(value).read_bytes()).hexdigest()
    return out


def read_manifest(folder: Path) -> dict | None:
    """The manifest of an ORP folder; None when there is none.

    Raises
    ------
    DamagedFileError
        The manifest or ``summary.json`` cannot be read, or the manifest has no list of items.
    """
    for name in (SUMMARY, MANIFEST):
        try:
            content = load_json(folder / name, {})
        except DamagedFileError as exc:
            raise DamagedFileError(f"{exc} Run the ORP again with all chapters and --force to rewrite "
                                   f"{folder}.") from None
        if not isinstance(content, dict) or (name == MANIFEST and not isinstance(content.get("items", []), list)):
            raise DamagedFileError(f"{folder / name} is damaged (not the object kpss writes). Run the ORP again "
                                   f"with all chapters and --force to rewrite {folder}.")
    return load_json(folder / MANIFEST, None)


def incomplete_chapters(folder: Path, fingerprints: Mapping[str, Mapping]) -> list[str]:
    """Chapters of ``fingerprints`` that must run: never run, run differently, or a file missing.

    A damaged manifest makes every chapter incomplete; so does a missing file that belongs to no
    single chapter (``summary.json``, the documents).
    """
    try:
        manifest = read_manifest(folder)
    except DamagedFileError:
        return list(fingerprints)
    if manifest is None:
        return list(fingerprints)
    if not all((folder / name).is_file() for name in manifest.get("files", [])):
        return list(fingerprints)
    runs = manifest.get(CHAPTER_RUNS, {})
    return [chapter for chapter, fingerprint in fingerprints.items()
            if not isinstance(runs.get(chapter), dict)
            or any(runs[chapter].get(key) != fingerprint.get(key) for key in FINGERPRINT_KEYS)
            or not all((folder / name).is_file() for name in runs[chapter].get("files", []))]


def is_complete(folder: Path, fingerprints: Mapping[str, Mapping]) -> bool:
    """True when every chapter of ``fingerprints`` has current outputs in ``folder``."""
    return not incomplete_chapters(folder, fingerprints)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def failing_line(source: str, traceback: Sequence[str]) -> str:
    """The line of the cell ``source`` where the error was raised (IPython's ``---->`` in the cell's frame).

    Falls back to the cell's first non-empty line when the traceback does not show it.
    """
    text = _ANSI.sub("", "\n".join(traceback or []))
    in_cell = text.split("Cell In[", 1)
    match = re.search(r"^-+> *(\d+)", in_cell[1], re.MULTILINE) if len(in_cell) == 2 else None
    lines = source.splitlines()
    if match and 0 < int(match.group(1)) <= len(lines):
        return lines[int(match.group(1)) - 1].strip()
    return next((line.strip() for line in lines if line.strip()), "")


def _failure_message(exc: papermill.PapermillExecutionError, chapter: str) -> str:
    line = failing_line(exc.source, exc.traceback)
    return (f"Chapter {chapter} failed in cell In [{exc.exec_count}] ({line[:80]!r}): "
            f"{exc.ename}: {exc.evalue}. The executed notebook is kept for inspection.")


def _timeout_message(exc: CellTimeoutError, chapter: str, cell_timeout: float | None) -> str:
    preview = str(exc).split("-------------------")
    first = next((line.strip() for line in (preview[1] if len(preview) > 1 else "").splitlines() if line.strip()), "")
    return (f"Chapter {chapter}: a cell ran longer than --cell-timeout {cell_timeout:g} s and was stopped"
            + (f" ({first[:80]!r})" if first else "") + ".")


def run_orp(query: str | Orp, *, chapters: list[str] | None = None, parameters: Mapping[str, object] | None = None,
            output_root: Path | None = None, kernel: str = config.KERNEL_NAME, warm: WarmKernel | None = None,
            progress: bool = True, log: Callable[[str], None] = print, cell_timeout: float | None = CELL_TIMEOUT,
            force: bool = False) -> Path:
    """Execute chapter notebooks for one ORP and return its output folder.

    Parameters
    ----------
    query
        ORP name or ČSÚ code (see :func:`territory.find_orp`), or an :class:`Orp`.
    chapters
        Chapter numbers or notebook stems; all chapters when empty. The folder keeps the outputs
        of the other chapters.
    parameters
        Chapter-specific notebook parameters; each notebook gets those it declares. Checked
        (:mod:`kpss_analysis.run.parameters`) before any kernel starts.
    output_root
        Parent of the ORP folder; defaults to :func:`config.output_dir`.
    kernel
        Jupyter kernel to execute the notebooks in (a new kernel per notebook).
    warm
        Execute in this kernel instead (reset before every notebook); ``kernel`` is then unused.
    cell_timeout
        Seconds one cell may run (None: no limit).
    force
        Rewrite a folder whose manifest is damaged even when only some chapters run (the
        others' outputs are then dropped).

    Raises
    ------
    BusyError
        Another run is writing this ORP's folder.
    """
    notebooks = chapter_notebooks(chapters)
    if not notebooks:
        raise KpssError(f"No chapter notebooks found in {config.notebooks_dir()}.")
    per_notebook = check_run_parameters(notebooks, parameters)
    orp = query if isinstance(query, Orp) else find_orp(query, load_territory())
    if warm is None:
        check_kernel(kernel)
    root = Path(output_root or config.output_dir())
    with exclusive([root / orp.folder_name], "kpss run"):
        return execute_orp(orp, notebooks, per_notebook, root, kernel=kernel, warm=warm, progress=progress,
                           log=log, cell_timeout=cell_timeout, force=force)


def execute_orp(orp: Orp, notebooks: Sequence[Path], per_notebook: Mapping[Path, Mapping[str, object]], root: Path,
                *, kernel: str = config.KERNEL_NAME, warm: WarmKernel | None = None, progress: bool = True,
                log: Callable[[str], None] = print, cell_timeout: float | None = CELL_TIMEOUT,
                force: bool = False) -> Path:
    """:func:`run_orp` once parameters are checked; the caller holds the lock of the ORP's folder."""
    report = load_build_report()
    root.mkdir(parents=True, exist_ok=True)
    final = root / orp.folder_name
    remove_leftovers(final)  # staging folders of killed runs: nobody else can hold this lock
    staging = staging_dir(final)
    fingerprints = chapter_fingerprints(orp, notebooks, per_notebook, root, report)
    run_parameters = dict(zip(RUN_PARAMETERS, (orp.code, str(staging)), strict=True))
    timings: dict[str, float] = {}
    try:
        _prepare(final, staging, [nb.stem for nb in notebooks], force or set(notebooks) >= set(chapter_notebooks()),
                 log)
        for notebook in notebooks:
            log(f"SO ORP {orp.name} ({orp.code}): {notebook.stem} …")
            started = time.perf_counter()
            executed = staging / notebook.name
            notebook_parameters = run_parameters | dict(per_notebook.get(notebook, {}))
            try:
                if warm is None:
                    papermill.execute_notebook(
                        str(notebook), str(executed), parameters=notebook_parameters, kernel_name=kernel,
                        progress_bar=progress, cwd=str(config.notebooks_dir()), request_save_on_cell_execute=False,
                        execution_timeout=cell_timeout, kernel_manager_class=EncryptedKernelManager,
                    )
                else:
                    warm.execute_notebook(notebook, executed, notebook_parameters, cell_timeout=cell_timeout)
            except papermill.PapermillExecutionError as exc:
                failed = root / f"{orp.folder_name}.failed.ipynb"
                shutil.copyfile(executed, failed)
                raise ChapterFailedError(_failure_message(exc, notebook.stem) + f" See {failed}.") from exc
            except CellTimeoutError as exc:
                raise ChapterFailedError(_timeout_message(exc, notebook.stem, cell_timeout)) from exc
            export_html(executed, executed.with_suffix(".html"))
            timings[notebook.stem] = round(time.perf_counter() - started, 2)
        manifest = load_json(staging / MANIFEST, {})
        if manifest.get("items"):  # chapters that saved figures or tables: the Word documents
            started = time.perf_counter()
            build_documents(staging)
            _keep_documents(final, staging, set(manifest.get(CHAPTER_RUNS, {})) - set(fingerprints))
            timings["dokumenty"] = round(time.perf_counter() - started, 2)
        _write_manifest(staging, orp, fingerprints, timings)
        replace_folder(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    (root / f"{orp.folder_name}.failed.ipynb").unlink(missing_ok=True)
    log(f"Outputs: {final}")
    return final


def _prepare(final: Path, staging: Path, chapters: list[str], may_rewrite: bool, log: Callable[[str], None]) -> None:
    """Fill ``staging`` with ``final`` minus the outputs of ``chapters`` and minus the documents.

    A damaged folder is started afresh when ``may_rewrite`` (all chapters run, or --force);
    otherwise its damage is raised, since the other chapters' outputs could not be kept.
    """
    try:
        manifest = read_manifest(final) if final.is_dir() else None
    except DamagedFileError:
        if not may_rewrite:
            raise
        log(f"{final / MANIFEST} is damaged: the folder is written anew.")
        manifest = None
    if manifest is None:
        staging.mkdir()
        return
    shutil.copytree(final, staging, symlinks=True)
    dropped = set(chapters)
    runs = {chapter: run for chapter, run in manifest.get(CHAPTER_RUNS, {}).items() if chapter not in dropped}
    removed = [item for item in manifest["items"] if item.get("chapter") in dropped]
    names = {name for item in removed for name in [*item.get("files", []), item.get("bare_png")] if name}
    names |= {name for chapter in dropped for name in manifest.get(CHAPTER_RUNS, {}).get(chapter, {}).get("files", [])}
    names |= {f"{chapter}{suffix}" for chapter in dropped for suffix in (".ipynb", ".html")}
    for name in names:
        (staging / name).unlink(missing_ok=True)
    shutil.rmtree(staging / DOCUMENTS_DIR, ignore_errors=True)
    manifest["items"] = [item for item in manifest["items"] if item.get("chapter") not in dropped]
    manifest[CHAPTER_RUNS] = runs
    write_json(staging / MANIFEST, manifest)


def _keep_documents(final: Path, staging: Path, kept: set[str]) -> None:
    """Put back the previous DOCX of each chapter that did not run: same inputs, same bytes (a new DOCX
    would differ only in its zip time stamps)."""
    for chapter in kept:
        previous = final / DOCUMENTS_DIR / f"{final.name}_{chapter}.docx"
        rebuilt = staging / DOCUMENTS_DIR / previous.name
        if previous.is_file() and rebuilt.is_file():
            shutil.copy2(previous, rebuilt)


def _chapter_files(folder: Path, items: list[dict], chapter: str) -> list[str]:
    names = {name for item in items if item.get("chapter") == chapter
             for name in [*item.get("files", []), item.get("bare_png")] if name}
    names |= {f"{chapter}{suffix}" for suffix in (".ipynb", ".html")}
    return sorted(name for name in names if (folder / name).is_file())


def _write_manifest(folder: Path, orp: Orp, fingerprints: Mapping[str, dict], timings: Mapping[str, float]) -> None:
    manifest = load_json(folder / MANIFEST, {"items": []})
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    runs = dict(manifest.get(CHAPTER_RUNS, {}))
    for chapter, fingerprint in fingerprints.items():
        runs[chapter] = {**fingerprint, "finished_at": finished, "seconds": timings.get(chapter),
                         "files": _chapter_files(folder, manifest["items"], chapter)}
    runs = dict(sorted(runs.items()))
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)
    latest = next(iter(fingerprints.values()))
    manifest.update({
        "orp": {"code": orp.code, "name": orp.name, "kraj_code": orp.kraj_code, "kraj_name": orp.kraj_name},
        "chapters": list(runs),
        # Every chapter's parameters together (the chapters' own lie in chapter_runs).
        "parameters": {key: value for run in runs.values() for key, value in run["parameters"].items()},
        "package_version": latest["package_version"],
        "data": latest["data"],
        "finished_at": finished,
        CHAPTER_RUNS: runs,
        "chapter_seconds": {**{c: r["seconds"] for c, r in runs.items()}, "dokumenty": timings.get("dokumenty")},
        "files": files,
    })
    write_json(folder / MANIFEST, manifest)


