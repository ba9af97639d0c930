"""Run chapter notebooks for one ORP or a batch of ORPs and assemble their output folders.

Outputs are written into a hidden staging folder and swapped into ``<outputs>/<code>-<slug>``
only when every chapter has succeeded: an interrupted or failed run leaves the previous
complete outputs untouched. A failed run keeps the executed notebook of the failing chapter
as ``<code>-<slug>.failed.ipynb`` so the failing cell can be inspected. ``manifest.json`` is
written last; it records what the outputs were made from (parameters, chapters, data vintage,
package version), so a batch can skip ORPs whose outputs are complete and current.

A batch runs ORPs in parallel workers. Each worker keeps one :class:`WarmKernel`: a Jupyter
kernel started once and reset to a fresh kernel's state before every notebook, so imports and
data loading are paid once per worker instead of once per notebook. Notebooks still go through
papermill (parameter injection, executed notebook with papermill metadata).
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import queue
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import papermill
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger as papermill_logger
from tqdm.auto import tqdm

from . import __version__, config
from .documents import build_documents, export_html
from .errors import KpssError, ParameterError
from .index import write_index
from .load import load_build_report, load_territory
from .output import MANIFEST, write_atomically, read_json, staging_dir, write_json
from .territory import Orp, find_kraj, find_orp, orp_table

#: Names of the parameters ``kpss run`` passes to every chapter notebook (a test checks the
#: notebooks' ``parameters`` cells against it).
RUN_PARAMETERS = ("orp", "output_dir")
#: Table of the last batch (one row per ORP) in the output root.
RUN_SUMMARY = "run_summary.csv"
WARM_ENGINE = "kpss-warm-kernel"


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


def parse_parameter(text: str) -> tuple[str, object]:
    """``'horizon_years=[2030, 2040]'`` → ``("horizon_years", [2030, 2040])``.

    The value is a Python or JSON literal (number, quoted string, list, ``True``/``true`` …).
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ParameterError(f"Parameter {text!r} is not NAME=VALUE, e.g. -p horizon_years='[2030, 2040]'.")
    try:
        return name, ast.literal_eval(value.strip())
    except (ValueError, SyntaxError):
        pass
    try:
        return name, json.loads(value)
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


def check_kernel(kernel: str) -> None:
    """Fail early, with the fix, when the Jupyter kernel is not registered."""
    try:
        KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel as exc:
        raise KpssError(
            f"Jupyter kernel {kernel!r} is not registered. Run `make setup`, or "
            f"`python -m ipykernel install --sys-prefix --name {kernel}` in this environment."
        ) from exc


# --------------------------------------------------------------------------- warm kernels


class WarmKernel:
    """A Jupyter kernel kept alive across notebooks and reset to a fresh kernel's state before each.

    The reset (:mod:`kpss_analysis.kernel_state`) empties the user namespace and restarts the
    execution counter, closes figures and restores matplotlib settings, pandas options, warning
    filters and the working directory; imported modules and the loaders' caches stay warm.
    Use as a context manager, or call :meth:`start` and :meth:`shutdown`. One thread at a time.

    Parameters
    ----------
    kernel_name
        Registered Jupyter kernel (see :func:`check_kernel`).
    """

    def __init__(self, kernel_name: str = config.KERNEL_NAME):
        self.kernel_name = kernel_name
        self.manager = AsyncKernelManager(kernel_name=kernel_name)
        self.client = None

    def __enter__(self) -> WarmKernel:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.shutdown()

    def start(self) -> WarmKernel:
        """Start the kernel in the notebooks folder (as papermill does) and remember its fresh state."""
        run_sync(self.manager.start_kernel)(cwd=str(config.notebooks_dir()))
        try:
            self.client = self.manager.client()
            self.client.start_channels()
            run_sync(self.client.wait_for_ready)(timeout=60)
            self.client.allow_stdin = False
            self._run("import kpss_analysis.kernel_state as _kpss_state; _kpss_state.snapshot()")
        except BaseException:
            self.shutdown()
            raise
        return self

    def reset(self) -> None:
        """Bring the kernel back to the state :meth:`start` saw."""
        self._run("import kpss_analysis.kernel_state as _kpss_state; _kpss_state.restore()")

    def interrupt(self) -> None:
        """Interrupt the running cell (SIGINT, like Jupyter's stop button); safe from another thread."""
        with contextlib.suppress(AttributeError, ProcessLookupError):  # already shut down or exited
            os.kill(self.manager.provisioner.pid, signal.SIGINT)

    def shutdown(self) -> None:
        """Close the client and stop the kernel (also a half-started one)."""
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if self.manager.has_kernel:
            run_sync(self.manager.shutdown_kernel)(now=True)

    def execute_notebook(self, notebook: Path, executed: Path, parameters: Mapping[str, object]) -> None:
        """:func:`papermill.execute_notebook` in this kernel, after a reset."""
        self.reset()
        papermill.execute_notebook(str(notebook), str(executed), parameters=dict(parameters),
                                   kernel_name=self.kernel_name, engine_name=WARM_ENGINE, warm_kernel=self,
                                   progress_bar=False, request_save_on_cell_execute=False)

    def _run(self, code: str) -> None:
        reply = run_sync(self.client.execute_interactive)(code, silent=True, store_history=False,
                                                          output_hook=lambda _msg: None, timeout=120)
        content = reply["content"]
        if content["status"] != "ok":
            raise KpssError(f"Could not prepare the Jupyter kernel {self.kernel_name!r}: "
                            f"{content.get('ename')}: {content.get('evalue')}. Reinstall with `make setup`.")


class _WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, executing in the kernel of a :class:`WarmKernel`."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, *, warm_kernel: WarmKernel, log_output=False,
                                 stdout_file=None, stderr_file=None, start_timeout=60, **_papermill_kwargs):
        client = PapermillNotebookClient(nb_man, km=warm_kernel.manager, kernel_name=kernel_name,
                                         log=papermill_logger, log_output=log_output, stdout_file=stdout_file,
                                         stderr_file=stderr_file, startup_timeout=start_timeout)
        # nbclient opens a kernel client only when it has none, and closes neither this client
        # nor the kernel when it does not own the kernel manager.
        client.kc = warm_kernel.client
        return client.execute()


papermill_engines.register(WARM_ENGINE, _WarmKernelEngine)


# --------------------------------------------------------------------------- one ORP


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


# --------------------------------------------------------------------------- batches


@dataclass
class OrpResult:
    """Outcome of one ORP in a batch: ``status`` is ``ok``, ``failed`` or ``skipped``."""

    orp: Orp
    status: str
    seconds: float = 0.0
    error: str = ""
    folder: Path | None = None


def select_orps(territory: pd.DataFrame, orps: Sequence[str] = (), kraj: str | None = None,
                all_orps: bool = False) -> list[Orp]:
    """ORPs named (``"Sokolov"``, ``"Ostrov,Cheb"``, codes), those of a kraj, or all; in code order.

    Raises
    ------
    ParameterError
        When nothing is selected.
    """
    table = orp_table(territory)
    codes: list[str] = []
    if all_orps:
        codes += list(table["orp_kod"])
    if kraj:
        kraj_code, _name = find_kraj(kraj, territory)
        codes += list(table.loc[table["kraj_kod"] == kraj_code, "orp_kod"])
    names = [name.strip() for item in orps for name in item.split(",") if name.strip()]
    codes += [find_orp(name, territory).code for name in names]
    if not codes:
        raise ParameterError("No ORP selected: use --orp NAME (repeatable or comma-separated), --kraj NAME or --all.")
    return [find_orp(code, territory) for code in sorted(set(codes))]


def run_batch(orps: Sequence[str | Orp], *, chapters: list[str] | None = None,
              parameters: Mapping[str, object] | None = None, output_root: Path | None = None,
              workers: int | None = None, force: bool = False, kernel: str = config.KERNEL_NAME,
              progress: bool = True) -> list[OrpResult]:
    """Run the chapters for many ORPs in parallel warm kernels; skip ORPs that are complete.

    A failing ORP is reported (chapter, cell, error) and the others go on. Afterwards
    ``run_summary.csv`` and ``index.html`` are written into the output root, also after Ctrl-C
    (which interrupts the running notebooks; their ORPs keep their previous outputs).

    Parameters
    ----------
    orps
        ORP names, codes or :class:`Orp` objects.
    chapters, parameters, kernel
        As in :func:`run_orp`.
    output_root
        Parent of the ORP folders; defaults to :func:`config.output_dir`.
    workers
        Parallel kernels; defaults to the CPU count (never more than ORPs to run).
    force
        Run ORPs whose outputs are complete for the same parameters, data and package version, too.

    Returns
    -------
    list of OrpResult
        One per ORP, in the order given.
    """
    if workers is not None and workers < 1:
        raise ParameterError(f"--workers must be at least 1, not {workers}.")
    notebooks = chapter_notebooks(chapters)
    if not notebooks:
        raise KpssError(f"No chapter notebooks found in {config.notebooks_dir()}.")
    chapter_parameters(notebooks, parameters)  # a wrong parameter stops the batch before it starts
    territory = load_territory()
    selected = list(dict.fromkeys(q if isinstance(q, Orp) else find_orp(q, territory) for q in orps))
    report = load_build_report()
    check_kernel(kernel)
    root = Path(output_root or config.output_dir())
    results: dict[Orp, OrpResult] = {}
    todo: queue.SimpleQueue[Orp] = queue.SimpleQueue()
    for orp in selected:
        folder = root / orp.folder_name
        if not force and is_complete(folder, run_fingerprint(orp, notebooks, parameters or {}, root, report)):
            results[orp] = OrpResult(orp, "skipped", folder=folder)
        else:
            todo.put(orp)
    n_todo = len(selected) - len(results)
    n_workers = max(1, min(workers or os.cpu_count() or 1, n_todo))
    bar = tqdm(total=n_todo, unit="ORP", desc="kpss run", disable=not progress or not n_todo)
    lines = [tqdm(total=0, bar_format="{desc}", position=i + 1, desc=f"  worker {i + 1}: …", leave=False,
                  disable=bar.disable) for i in range(n_workers)]
    kernels: list[WarmKernel | None] = [None] * n_workers
    stop = threading.Event()

    def work(index: int) -> None:
        def status(message: str) -> None:
            lines[index].set_description_str(f"  worker {index + 1}: {message}")
        try:
            while not stop.is_set():
                try:
                    orp = todo.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                try:
                    if kernels[index] is None:
                        kernels[index] = WarmKernel(kernel).start()
                    folder = run_orp(orp, chapters=chapters, parameters=parameters, output_root=root,
                                     warm=kernels[index], progress=False, log=status)
                    results[orp] = OrpResult(orp, "ok", time.perf_counter() - started, folder=folder)
                except Exception as exc:  # one ORP's failure, whatever it is, must not stop the others
                    error = str(exc) if isinstance(exc, KpssError) else f"{type(exc).__name__}: {exc}"
                    results[orp] = OrpResult(orp, "failed", time.perf_counter() - started, error)
                    tqdm.write(f"SO ORP {orp.name} ({orp.code}) failed: {error}", file=sys.stderr)
                    if kernels[index] is not None:  # the next ORP gets a new kernel, whatever broke here
                        kernels[index].shutdown()
                        kernels[index] = None
                bar.update()
        finally:
            if kernels[index] is not None:
                kernels[index].shutdown()
                kernels[index] = None

    try:
        with ThreadPoolExecutor(n_workers, thread_name_prefix="kpss-worker") as pool:
            futures = [pool.submit(work, i) for i in range(n_workers)] if n_todo else []
            try:
                while wait(futures, timeout=0.5).not_done:
                    pass
            except KeyboardInterrupt:
                stop.set()
                for warm in list(kernels):
                    if warm is not None:
                        warm.interrupt()
                raise
            for future in futures:
                future.result()
    finally:
        for line in lines:
            line.close()
        bar.close()
        ordered = [results[orp] for orp in selected if orp in results]
        write_run_summary(ordered, root)
        write_index(root)
    return ordered


def results_table(results: Sequence[OrpResult]) -> pd.DataFrame:
    """One row per ORP: code, name, kraj, status, seconds, error."""
    return pd.DataFrame({
        "orp_code": [r.orp.code for r in results],
        "orp_name": [r.orp.name for r in results],
        "kraj": [r.orp.kraj_name for r in results],
        "status": [r.status for r in results],
        "seconds": [round(r.seconds, 1) for r in results],
        "error": [r.error for r in results],
    }, columns=["orp_code", "orp_name", "kraj", "status", "seconds", "error"])


def write_run_summary(results: Sequence[OrpResult], root: Path) -> Path:
    """``run_summary.csv`` in ``root`` (UTF-8 with BOM, ``;``, decimal comma, like every table)."""
    table = results_table(results)
    return write_atomically(Path(root) / RUN_SUMMARY, lambda p: table.to_csv(
        p, sep=";", decimal=",", index=False, encoding="utf-8-sig"))


def format_results(results: Sequence[OrpResult]) -> str:
    """The summary table as text for the terminal, with a count per status at the end."""
    table = results_table(results)
    table["error"] = table["error"].str.slice(0, 160)
    counts = table["status"].value_counts()
    tail = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("ok", "failed", "skipped"))
    return (table.to_string(index=False) if len(table) else "(no ORP)") + f"\n{len(table)} ORP: {tail}"
