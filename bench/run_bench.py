"""Time three ways of producing the chapters for a set of ORPs, in one run on one machine.

(a) naive: the ``papermill`` command once per notebook, one after another (a new Python
    process and a new kernel for every notebook; no HTML reports, no manifest);
(b) ``kpss run`` as shipped: parallel warm kernels (default: one per CPU), HTML reports,
    manifest, summary and index page;
(c) floor: one Python process (no Jupyter) that executes the notebooks' code cells with ``exec``,
    parameters injected by papermill as in (a) and (b): the same package calls, the same figures
    and tables saved, nothing displayed or exported.

Usage (from the repository root, after ``make data``)::

    .venv/bin/python bench/run_bench.py                      # the six seed ORPs, all chapters
    .venv/bin/python bench/run_bench.py --chapters 01 --orp Sokolov,Ostrov
    .venv/bin/python bench/run_bench.py --all --skip naive   # all 206 ORPs: (b) and (c) only
    .venv/bin/python bench/run_bench.py --repeat 3           # best of three rounds (a shared machine)

Each method writes into its own temporary output folder (removed afterwards unless ``--keep``).
Prints the wall-clock time of each method, the time per ORP and the ratios b/a and b/c.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from kpss_analysis import config
from kpss_analysis.data.load import load_territory
from kpss_analysis.run.batch import select_orps
from kpss_analysis.run.chapters import RUN_PARAMETERS, chapter_notebooks

SEEDS = ",".join(config.SEED_ORPS)
METHODS = ("naive", "kpss", "floor")
BIN = Path(sys.executable).parent


def _run(command: list[str]) -> None:
    """Run a command quietly; on failure show its output and stop."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def run_naive(codes: list[str], notebooks: list[Path], out: Path) -> None:
    """(a) ``papermill`` CLI per notebook, sequentially, each in a new kernel."""
    for code in codes:
        folder = out / code
        folder.mkdir(parents=True)
        for notebook in notebooks:
            _run([str(BIN / "papermill"), str(notebook), str(folder / notebook.name),
                  "-p", RUN_PARAMETERS[0], code, "-p", RUN_PARAMETERS[1], str(folder),
                  "-k", config.KERNEL_NAME, "--cwd", str(config.notebooks_dir()),
                  "--no-progress-bar", "--log-level", "ERROR"])


#: Largest resident memory seen (MiB) of the ``kpss run`` process and of any one of its kernels (last run of (b)).
PEAK_MIB = {"kpss run": 0.0, "kernel": 0.0}


def run_kpss(codes: list[str], chapters: list[str], out: Path, workers: int | None) -> None:
    """(b) ``kpss run`` for all ORPs at once, as a user runs it; samples its memory every 0.2 s."""
    command = [str(BIN / "kpss"), "run", "--orp", ",".join(codes), "--chapters", *chapters,
               "--output-dir", str(out), "--force", "--quiet"]
    if workers:
        command += ["--workers", str(workers)]
    PEAK_MIB.update(dict.fromkeys(PEAK_MIB, 0.0))
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True)
        main = psutil.Process(process.pid)
        while process.poll() is None:
            with contextlib.suppress(psutil.Error):
                PEAK_MIB["kpss run"] = max(PEAK_MIB["kpss run"], main.memory_info().rss / 2**20)
                for child in main.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        PEAK_MIB["kernel"] = max(PEAK_MIB["kernel"], child.memory_info().rss / 2**20)
            time.sleep(0.2)
        if process.returncode != 0:
            log.seek(0)
            sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{log.read()[-6000:]}")


def run_floor(codes: list[str], notebooks: list[Path], out: Path) -> None:
    """(c) in a new Python process: exec every code cell of the parameterized notebooks."""
    _run([sys.executable, __file__, "--floor-worker", str(out), ",".join(codes), *[str(nb) for nb in notebooks]])


def floor_worker(out: Path, codes: list[str], notebooks: list[Path]) -> None:
    """Body of (c): one warm process, a fresh namespace per notebook, figures closed after each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    for code in codes:
        folder = out / code
        for notebook in notebooks:
            nb = parameterize_notebook(load_notebook_node(str(notebook)),
                                       dict(zip(RUN_PARAMETERS, (code, str(folder)), strict=True)),
                                       kernel_name=config.KERNEL_NAME)
            namespace: dict = {"__name__": "__main__"}
            with contextlib.redirect_stdout(io.StringIO()):  # display() prints reprs outside IPython
                for cell in nb.cells:
                    if cell.cell_type == "code":
                        exec(compile(cell.source, notebook.stem, "exec"), namespace)
            plt.close("all")


def timed(label: str, action, out: Path) -> float:
    """Wall-clock seconds of ``action(out)`` on an empty ``out``."""
    shutil.rmtree(out, ignore_errors=True)
    print(f"{label} …", end=" ", flush=True)
    started = time.perf_counter()
    action(out)
    seconds = time.perf_counter() - started
    print(f"{seconds:.1f} s", flush=True)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orp", default=SEEDS, help=f"comma-separated ORP names or codes (default: {SEEDS})")
    parser.add_argument("--all", action="store_true", help="all 206 ORPs")
    parser.add_argument("--chapters", nargs="+", metavar="NN", help="only these chapters (default: all)")
    parser.add_argument("--workers", type=int, help="workers of kpss run (default: CPU count)")
    parser.add_argument("--skip", nargs="+", choices=METHODS, default=[], help="methods not to time")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="time each method N times (interleaved) and report the best (default: 1)")
    parser.add_argument("--keep", metavar="DIR", help="keep the outputs in DIR (default: a removed temp folder)")
    parser.add_argument("--floor-worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor_worker:
        out, codes, *notebooks = args.floor_worker
        floor_worker(Path(out), codes.split(","), [Path(nb) for nb in notebooks])
        return 0

    orps = select_orps(load_territory(), [] if args.all else [args.orp], all_orps=args.all)
    codes = [orp.code for orp in orps]
    notebooks = chapter_notebooks(args.chapters)
    chapters = [nb.stem for nb in notebooks]
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kpss-bench-"))
    print(f"{len(orps)} ORP × chapters {', '.join(chapters)}; kpss run workers: {args.workers or 'CPU count'}; "
          f"outputs in {work}")
    actions = {
        "naive": ("(a) naive: papermill CLI per notebook", lambda out: run_naive(codes, notebooks, out)),
        "kpss": ("(b) kpss run", lambda out: run_kpss(codes, chapters, out, args.workers)),
        "floor": ("(c) floor: code cells exec'd in one process", lambda out: run_floor(codes, notebooks, out)),
    }
    times: dict[str, list[float]] = {key: [] for key in METHODS if key not in args.skip}
    try:
        for _round in range(args.repeat):  # methods interleaved, so that load from elsewhere hits all alike
            for key in times:
                times[key].append(timed(actions[key][0], actions[key][1], work / key))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    seconds = {key: min(values) for key, values in times.items()}
    print()
    for key, label in zip(METHODS, ("(a) naive", "(b) kpss run", "(c) floor")):
        if key in seconds:
            print(f"{label:<14} {seconds[key]:8.1f} s   {seconds[key] / len(orps):6.2f} s per ORP"
                  + (f"   (best of {', '.join(f'{t:.1f}' for t in times[key])})" if args.repeat > 1 else ""))
    if "kpss" in seconds:
        if "naive" in seconds:
            print(f"b/a = {seconds['kpss'] / seconds['naive']:.2f}  (kpss run is {seconds['naive'] / seconds['kpss']:.1f}× "
                  "faster than naive papermill; goal ≥ 3× for 2 ORPs, ≥ 3.5× for 4)")
        if "floor" in seconds:
            print(f"b/c = {seconds['kpss'] / seconds['floor']:.2f}  (goal ≤ 1.5)")
        print(f"peak memory of (b): kpss run {PEAK_MIB['kpss run']:.0f} MiB, largest kernel {PEAK_MIB['kernel']:.0f} MiB "
              "(goal < 2 GiB per worker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
