"""Command line: ``kpss data fetch|build``, ``kpss orp list|show``, ``kpss run``.

Errors the user can act on (unknown ORP, missing data, corrupt file, wrong parameter, another run
writing the same folder) are printed as one message without a traceback and end with exit code 2.
Anything else (disk full, no permission …) prints one line and the file holding the full
traceback, and ends with exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from kpss_analysis import __version__, config, fmt
from kpss_analysis.errors import KpssError

EPILOG = """\
Typical use:
  kpss data fetch              copy raw data from the mirror (../shared/data/raw or $KPSS_MIRROR)
  kpss data build              parse and validate them into data/processed
  kpss orp list --kraj Karlovarský
  kpss orp show Sokolov
  kpss run --orp Sokolov       run every chapter; outputs in outputs/<code>-<name>/
  kpss run --kraj Karlovarský  every ORP of a kraj in parallel; --all for all 206 ORPs

Environment: KPSS_DATA_DIR (data root), KPSS_OUTPUT_DIR (outputs), KPSS_MIRROR (raw mirror),
KPSS_FIGURE_FORMATS (png or png,svg).
"""


def _cmd_fetch(args: argparse.Namespace) -> int:
    from kpss_analysis.data.fetch import fetch_all, format_report

    mirror = None if args.online else (Path(args.mirror) if args.mirror else config.default_mirror())
    where = f"mirror {mirror}" if mirror else "the publishers' official sources"
    print(f"Fetching raw data into {config.raw_dir()} from {where} …")
    results = fetch_all(config.raw_dir(), mirror, keys=args.only or None, force=args.force,
                        progress=not args.quiet)
    print(format_report(results))
    return 1 if any(r.status == "manual" for r in results) else 0


def _cmd_build(args: argparse.Namespace) -> int:
    from kpss_analysis.data.build import build_all

    print(f"Building processed tables from {config.raw_dir()} into {config.processed_dir()} …")
    report = build_all(config.raw_dir(), config.processed_dir())
    checks = report["checks"]
    print(f"Done in {report['seconds']} s: {checks['obce']} obce, {checks['orp']} ORP, {checks['okresy']} okresů, "
          f"{checks['kraje']} krajů; population 31. 12. 2020 = {fmt.number(checks['population_2020_12_31'])}.")
    return 0


def _cmd_orp_list(args: argparse.Namespace) -> int:
    from kpss_analysis.analysis.territory import find_kraj, orp_table
    from kpss_analysis.data.load import load_territory

    territory = load_territory()
    table = orp_table(territory)
    if args.kraj:
        kraj_code, _name = find_kraj(args.kraj, territory)
        table = table[table["kraj_kod"] == kraj_code]
    for row in table.itertuples():
        print(f"{row.orp_kod}  {row.orp_nazev:<36} {row.kraj_nazev:<22} {row.n_obce:>4} obcí")
    print(f"{len(table)} ORP")
    return 0


def _cmd_orp_show(args: argparse.Namespace) -> int:
    from kpss_analysis.analysis.demography import compute_key_figures, key_figure_decimals
    from kpss_analysis.analysis.territory import find_orp
    from kpss_analysis.data.load import load_age5, load_age_2023, load_population_totals, load_territory

    territory = load_territory()
    orp = find_orp(args.orp, territory)
    print(f"SO ORP {orp.name} (ČSÚ {orp.code}), {orp.kraj_name}, {orp.n_obce} obcí, výstupy: {orp.folder_name}/")
    table = compute_key_figures(load_age5(), load_population_totals(), territory, orp, load_age_2023())
    label = f"SO ORP {orp.name}"
    for text, value, decimals in zip(table["ukazatel"], table[label], key_figure_decimals(table)):
        print(f"  {text:<66} {fmt.number(value, decimals):>12}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from kpss_analysis.data.load import load_territory
    from kpss_analysis.run.batch import RUN_SUMMARY, format_results, run_batch, select_orps
    from kpss_analysis.run.chapters import parse_parameter

    if args.formats is not None:  # checked before anything starts; kernels inherit the environment
        os.environ["KPSS_FIGURE_FORMATS"] = ",".join(config.parse_figure_formats(args.formats))
    orps = select_orps(load_territory(), args.orp or (), args.kraj, args.all)
    parameters = dict(parse_parameter(text) for text in args.parameter or ())
    root = Path(args.output_dir) if args.output_dir else config.output_dir()
    results = run_batch(orps, chapters=args.chapters, parameters=parameters, output_root=root,
                        workers=args.workers, force=args.force, progress=not args.quiet,
                        cell_timeout=args.cell_timeout or None)
    print(format_results(results))
    folders = [r.folder for r in results if r.folder]
    print(f"Outputs: {folders[0] if len(folders) == 1 else root} (index: {root / 'index.html'}, "
          f"summary: {root / RUN_SUMMARY})")
    return 1 if any(r.status == "failed" for r in results) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kpss", description="Analytické kapitoly komunitních plánů sociálních služeb pro SO ORP "
        "z otevřených dat ČSÚ, MPSV a ČÚZK.", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"kpss-analysis {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data = commands.add_parser("data", help="fetch raw data and build processed tables")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="STEP")
    fetch = data_commands.add_parser("fetch", help="fill data/raw from the mirror or the publishers")
    source = fetch.add_mutually_exclusive_group()
    source.add_argument("--mirror", metavar="DIR", help="folder laid out like data/raw to copy from "
                        "(default: $KPSS_MIRROR, else ../shared/data/raw beside the checkout)")
    source.add_argument("--online", action="store_true", help="ignore any mirror; download from the publishers")
    fetch.add_argument("--only", nargs="+", metavar="DATASET", help="only these datasets (keys of the registry)")
    fetch.add_argument("--force", action="store_true", help="fetch again even if a verified copy is present")
    fetch.add_argument("--quiet", action="store_true", help="no progress bars")
    fetch.set_defaults(func=_cmd_fetch)
    build = data_commands.add_parser("build", help="parse and validate data/raw into data/processed")
    build.set_defaults(func=_cmd_build)

    orp = commands.add_parser("orp", help="list ORPs or show one")
    orp_commands = orp.add_subparsers(dest="orp_command", required=True, metavar="ACTION")
    listing = orp_commands.add_parser("list", help="all ORPs (or those of one kraj) with their ČSÚ codes")
    listing.add_argument("--kraj", help="kraj name, ČSÚ code or NUTS code")
    listing.set_defaults(func=_cmd_orp_list)
    show = orp_commands.add_parser("show", help="key figures of one ORP")
    show.add_argument("orp", help="ORP name (any case, with or without diacritics) or ČSÚ code")
    show.set_defaults(func=_cmd_orp_show)

    run = commands.add_parser(
        "run", help="execute the chapter notebooks for ORPs (parallel, resumable)",
        description="Execute the chapter notebooks with papermill for the selected ORPs in parallel warm "
        "kernels. ORPs whose outputs are complete for the same parameters, chapters, data and package "
        "version are skipped (see --force). Writes run_summary.csv and index.html into the output folder; "
        "exits with 1 if an ORP failed.")
    run.add_argument("--orp", action="append", metavar="NAME",
                     help="ORP name or ČSÚ code, e.g. Sokolov, pribram, 2120; repeatable or comma-separated")
    run.add_argument("--kraj", help="every ORP of this kraj (name, ČSÚ code or NUTS code)")
    run.add_argument("--all", action="store_true", help="all 206 ORPs")
    run.add_argument("--chapters", nargs="+", metavar="NN", help="only these chapters (e.g. 01)")
    run.add_argument("-p", "--parameter", action="append", metavar="NAME=VALUE",
                     help="chapter parameter (Python/JSON literal), e.g. -p horizon_years='[2030, 2040]'")
    run.add_argument("--workers", type=int, metavar="N", help="parallel kernels (default: CPU count)")
    run.add_argument("--force", action="store_true", help="run also chapters whose outputs are complete and current")
    run.add_argument("--cell-timeout", type=float, default=config.CELL_TIMEOUT, metavar="SECONDS",
                     help=f"stop a notebook cell running longer (the ORP fails, the batch goes on; "
                     f"default {config.CELL_TIMEOUT}, 0 = no limit)")
    run.add_argument("--output-dir", metavar="DIR", help="parent folder of the ORP's outputs (default: outputs/)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    run.add_argument("--formats", metavar="LIST", help="figure files: png (default) or png,svg "
                     "(also SVG; $KPSS_FIGURE_FORMATS)")
    run.set_defaults(func=_cmd_run)

    from kpss_analysis.run.plan_command import add_plan_commands

    add_plan_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KpssError as exc:
        print(f"kpss: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kpss: interrupted; outputs already complete were left as they were.", file=sys.stderr)
        return 130
    except Exception as exc:  # not the user's doing: one line here, the traceback in a log file
        print(f"kpss: unexpected error: {type(exc).__name__}: {exc} (full traceback: {_log_traceback()})",
              file=sys.stderr)
        return 1


def _log_traceback() -> Path | str:
    """Write the current exception's traceback to a new file in the temporary folder and return its path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        with tempfile.NamedTemporaryFile("w", prefix=f"kpss-error-{stamp}-", suffix=".log", delete=False,
                                         encoding="utf-8") as handle:
            handle.write(f"kpss-analysis {__version__}, {' '.join(sys.argv)}\n\n{traceback.format_exc()}")
        return handle.name
    except OSError:  # the disk is full or the temporary folder not writable: show it here after all
        traceback.print_exc()
        return "printed above; it could not be written to a file"


if __name__ == "__main__":
    sys.exit(main())
