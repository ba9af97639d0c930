"""``kpss plan new`` (the prefilled action plan workbook of an ORP) and ``kpss plan check`` (validate a filled one).

Heavy imports stay inside the commands so that ``kpss --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kpss_analysis import fmt
from kpss_analysis.errors import ParameterError


def _check_output(path: Path, force: bool) -> None:
    if path.suffix.lower() != ".xlsx":
        raise ParameterError(f"--output {path}: akční plán je sešit XLSX, zadejte soubor s příponou .xlsx.")
    if path.exists() and not force:
        raise ParameterError(f"Soubor {path} už existuje; vyplněný plán se nepřepisuje. Zvolte jiný --output, "
                             "nebo jej přepište volbou --force.")


def _publish(written: Path, target: Path, force: bool) -> None:
    """Move the finished workbook into place; without ``force`` a file that appeared meanwhile is kept."""
    if force:
        os.replace(written, target)
        return
    try:
        os.link(written, target)  # fails if the target exists, unlike a rename
    except FileExistsError:
        raise ParameterError(f"Soubor {target} mezitím vznikl; nepřepisuje se (volba --force).") from None
    except OSError:  # a file system without hard links
        _check_output(target, force=False)
        os.replace(written, target)


def cmd_plan_new(args: argparse.Namespace) -> int:
    """Write the plan template of one ORP with the baselines prefilled from the data."""
    from kpss_analysis.analysis.plan_indicators import DEFAULT_HORIZONS
    from kpss_analysis.analysis.territory import find_orp
    from kpss_analysis.data.load import load_territory
    from kpss_analysis.report.plan_report import check_horizons, save_prefilled_template

    target = Path(args.output).expanduser().resolve()
    _check_output(target, args.force)
    orp = find_orp(args.orp, load_territory())
    horizons = check_horizons(args.horizon_years or DEFAULT_HORIZONS)
    written = target.with_name(f".{target.stem}.new.xlsx")
    try:
        _path, baselines = save_prefilled_template(written, orp, horizons)
        _publish(written, target, args.force)
    finally:
        written.unlink(missing_ok=True)
    prefilled = int(baselines["value"].notna().sum())
    print(f"Akční plán SO ORP {orp.name} ({orp.code}): {target}")
    print(f"  předvyplněno {prefilled} ukazatelů s výchozí hodnotou z dat (projekce k 1. 1. "
          f"{', '.join(str(y) for y in horizons)}); priority, opatření, aktivity a cíle doplní pracovní skupiny.")
    print(f"  Monitoring: kpss run --orp \"{orp.name}\" --chapters 07 -p plan_file='\"{target}\"'")
    return 0


def cmd_plan_check(args: argparse.Namespace) -> int:
    """Validate a filled plan (the same check as chapter 07 before it runs)."""
    from kpss_analysis.analysis.plan_monitoring import check_plan_orp, check_plan_parameters

    parameters = check_plan_parameters(args.file, 0)
    plan = parameters.plan
    note = ""
    if args.orp:
        from kpss_analysis.analysis.territory import find_orp
        from kpss_analysis.data.load import load_territory

        note = check_plan_orp(parameters, find_orp(args.orp, load_territory()))
    print(f"Akční plán {parameters.plan_path} je v pořádku: {fmt.number(len(plan.priorities))} priorit, "
          f"{fmt.number(len(plan.measures))} opatření, {fmt.number(len(plan.activities))} aktivit, "
          f"{fmt.number(len(plan.indicators))} ukazatelů (ORP podle sešitu: {plan.orp_code or 'neuvedena'}).")
    if note:
        print(f"  {note}")
    return 0


def add_plan_commands(commands) -> None:
    """Register ``kpss plan new`` and ``kpss plan check`` on the CLI's subcommands (``add_subparsers()``)."""
    plan = commands.add_parser("plan", help="action plan workbook: a new one for an ORP, or check a filled one")
    actions = plan.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    new = actions.add_parser(
        "new", help="write the action plan workbook of an ORP with baselines prefilled from the data",
        description="Write an XLSX action plan (priorities, measures, activities, indicators, drop-down lists, a "
        "guide sheet) for the ORP. Indicators the data can compute are prefilled with their baseline and data code; "
        "nothing else is. Fill it in and run the monitoring: kpss run --orp NAME --chapters 07 -p plan_file=…")
    new.add_argument("--orp", required=True, metavar="NAME", help="ORP name (any case, with or without diacritics) "
                     "or ČSÚ code")
    new.add_argument("--output", required=True, metavar="FILE.xlsx", help="the workbook to write")
    new.add_argument("--horizon-years", type=int, nargs="+", metavar="YEAR",
                     help="years of the prefilled projection rows (ČSÚ projection years; default: the horizons "
                     "of chapter 02)")
    new.add_argument("--force", action="store_true", help="replace FILE.xlsx if it exists")
    new.set_defaults(func=cmd_plan_new)
    check = actions.add_parser("check", help="validate a filled action plan (sheet, row and column of every problem)")
    check.add_argument("file", metavar="FILE.xlsx", help="the filled plan")
    check.add_argument("--orp", metavar="NAME", help="also check that the plan is this ORP's")
    check.set_defaults(func=cmd_plan_check)
