"""Run a batch of ORPs in parallel workers (one warm kernel each), with progress, a run summary and the index page.

Resumption is decided per chapter: an ORP runs only its chapters whose outputs are missing or
were made from other parameters, data or package version. The batch holds the lock of every
ORP folder it may write (a second run into the same folders stops at once with a message)
and writes the summary and index under the output root's lock.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from kpss_analysis import config
from kpss_analysis.analysis.territory import Orp, find_kraj, find_orp, orp_table
from kpss_analysis.data.load import load_build_report, load_territory
from kpss_analysis.errors import KpssError, ParameterError
from kpss_analysis.locks import clean_stale, exclusive, waiting
from kpss_analysis.report.index import write_index
from kpss_analysis.report.output import write_atomically
from kpss_analysis.run.chapters import chapter_notebooks
from kpss_analysis.run.kernel import CELL_TIMEOUT, WarmKernel, check_kernel
from kpss_analysis.run.orp import chapter_fingerprints, execute_orp, incomplete_chapters
from kpss_analysis.run.parameters import check_run_parameters

#: Table of the last batch (one row per ORP) in the output root.
RUN_SUMMARY = "run_summary.csv"


@dataclass
class OrpResult:
    """Outcome of one ORP in a batch: ``status`` is ``ok``, ``failed``, ``skipped`` or ``interrupted``.

    ``interrupted`` (Ctrl-C while it ran) means its previous outputs are left as they were.
    """

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
              progress: bool = True, cell_timeout: float | None = CELL_TIMEOUT,
              log: Callable[[str], None] | None = None) -> list[OrpResult]:
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
        Parallel kernels; defaults to the CPU count, never more than the CPU count (a larger
        number is capped, with a message) nor than ORPs to run.
    force
        Run chapters whose outputs are complete for the same parameters, data and package version, too.
    progress
        Progress bars when stderr is a terminal; plain lines (one per finished ORP) otherwise.
    cell_timeout
        Seconds one notebook cell may run; an ORP whose cell runs longer fails, the batch goes on.
    log
        Receives the plain progress lines and notes (default: stderr).

    Returns
    -------
    list of OrpResult
        One per ORP, in the order given.
    """
    log = log or _stderr
    if workers is not None and workers < 1:
        raise ParameterError(f"--workers must be at least 1, not {workers}.")
    if cell_timeout is not None and cell_timeout <= 0:
        raise ParameterError(f"--cell-timeout must be a positive number of seconds, not {cell_timeout:g}.")
    cpus = os.cpu_count() or 1
    if workers is not None and workers > cpus:
        log(f"--workers {workers} is more than the {cpus} CPUs of this computer: using {cpus} kernels.")
        workers = cpus
    notebooks = chapter_notebooks(chapters)
    if not notebooks:
        raise KpssError(f"No chapter notebooks found in {config.notebooks_dir()}.")
    per_notebook = check_run_parameters(notebooks, parameters)  # before any kernel starts
    territory = load_territory()
    selected = list(dict.fromkeys(q if isinstance(q, Orp) else find_orp(q, territory) for q in orps))
    report = load_build_report()
    check_kernel(kernel)
    root = Path(output_root or config.output_dir())
    with exclusive([root / orp.folder_name for orp in selected], "kpss run"):
        clean_stale(root)
        return _run_locked(selected, notebooks, per_notebook, root, report, workers or cpus, force, kernel,
                           progress, cell_timeout, log)


def _stderr(line: str) -> None:
    tqdm.write(line, file=sys.stderr)


def _run_locked(selected: list[Orp], notebooks: list[Path], per_notebook: dict[Path, dict], root: Path,
                report: dict, workers: int, force: bool, kernel: str, progress: bool, cell_timeout: float | None,
                log: Callable[[str], None]) -> list[OrpResult]:
    """:func:`run_batch` while holding the locks of the selected ORPs' folders."""
    results: dict[Orp, OrpResult] = {}
    todo: queue.SimpleQueue[tuple[Orp, list[Path]]] = queue.SimpleQueue()
    for orp in selected:
        folder = root / orp.folder_name
        fingerprints = chapter_fingerprints(orp, notebooks, per_notebook, root, report)
        wanted = list(fingerprints) if force else incomplete_chapters(folder, fingerprints)
        if wanted:
            todo.put((orp, [nb for nb in notebooks if nb.stem in wanted]))
        else:
            results[orp] = OrpResult(orp, "skipped", folder=folder)
    n_todo = len(selected) - len(results)
    n_workers = max(1, min(workers, n_todo))
    terminal = progress and sys.stderr.isatty()  # bars redraw with cursor codes: never into logs or CI
    bar = tqdm(total=n_todo, unit="ORP", desc="kpss run", disable=not terminal or not n_todo)
    done = [0]
    lock = threading.Lock()
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
                    orp, wanted = todo.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                try:
                    if kernels[index] is None:
                        kernels[index] = WarmKernel(kernel).start()
                    folder = execute_orp(orp, wanted, per_notebook, root, warm=kernels[index], progress=False,
                                         log=status, cell_timeout=cell_timeout, force=force)
                    results[orp] = OrpResult(orp, "ok", time.perf_counter() - started, folder=folder)
                except Exception as exc:  # one ORP's failure, whatever it is, must not stop the others
                    seconds = time.perf_counter() - started
                    if stop.is_set():  # Ctrl-C: its previous outputs are intact
                        results[orp] = OrpResult(orp, "interrupted", seconds)
                    else:
                        error = str(exc) if isinstance(exc, KpssError) else f"{type(exc).__name__}: {exc}"
                        results[orp] = OrpResult(orp, "failed", seconds, error)
                        log(f"SO ORP {orp.name} ({orp.code}) failed: {error}")
                    if kernels[index] is not None:  # the next ORP gets a new kernel, whatever broke here
                        kernels[index].shutdown()
                        kernels[index] = None
                bar.update()
                with lock:
                    done[0] += 1
                    if progress and not terminal:
                        result = results[orp]
                        log(f"[{done[0]}/{n_todo}] SO ORP {orp.name} ({orp.code}): {result.status}, "
                            f"{result.seconds:.0f} s")
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
        with waiting(root / RUN_SUMMARY, "kpss run"):
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
    if counts.get("interrupted"):
        tail += f", {counts['interrupted']} interrupted"
    return (table.to_string(index=False) if len(table) else "(no ORP)") + f"\n{len(table)} ORP: {tail}"
