"""The yearly monitoring of an action plan (chapter 07): its parameters, checks and the Czech sentences about it.

:func:`check_plan_parameters` validates the chapter's parameters ``plan_file`` and ``monitoring_year``
and reads the plan; it writes nothing, so ``kpss run`` can call it before any kernel starts (a broken
plan then stops the run with exit code 2 and the list of problems by sheet, row and column) and the
notebook calls it again as its first step. :func:`compare_register_snapshots` decides whether two
register snapshots can be compared and restricts a full register to the coverage of a seniors-only one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kpss_analysis import fmt
from kpss_analysis.analysis.action_plan import STATUSES, YEARS, Plan, read_plan
from kpss_analysis.analysis.register_changes import compute_register_diff
from kpss_analysis.analysis.services_text import source_text
from kpss_analysis.analysis.territory import Orp
from kpss_analysis.errors import ParameterError

#: Title of the chapter's documents with a plan ({year}: the monitoring year) and without one.
TITLE = "Monitoring plnění akčního plánu {year}"
TEMPLATE_TITLE = "Akční plán: šablona s výchozími hodnotami ukazatelů"
#: Where the chapter writes the prefilled template, relative to the ORP's output folder.
TEMPLATE_PATH = "dokumenty/akcni_plan_sablona.xlsx"
#: What a section that needs a plan says when the chapter runs without one.
NO_PLAN_TEXT = "Bez vyplněného akčního plánu (parametr `plan_file`) se tato část nevyplňuje."
#: Name of the target group of the mirror's seniors-only register extract in the full register's code list.
SENIORS = "senioři"
#: How the note of the register comparison names the source of each snapshot (``meta["source"]``).
SNAPSHOT_SOURCES = {"katalog": "výběr služeb pro seniory, Katalog registrovaných služeb pro seniory",
                    "rpss": "úplný export registru MPSV"}
#: Status words of :func:`describe_status` ("splněno 2, probíhá 1 …").
_STATUS_WORDS = {"done": "splněno", "in_progress": "probíhá", "not_started": "nezahájeno", "cancelled": "zrušeno"}


@dataclass(frozen=True)
class PlanParameters:
    """The checked parameters: the plan's absolute path and content (None without a plan) and the year."""

    plan_path: Path | None
    plan: Plan | None
    year: int

    def as_parameters(self) -> dict[str, object]:
        """The parameters as a kernel should get them: the absolute path and the year itself (not 0)."""
        return {"plan_file": "" if self.plan_path is None else str(self.plan_path), "monitoring_year": self.year}


def check_monitoring_year(monitoring_year: object, today: dt.date | None = None) -> int:
    """``monitoring_year`` → the year; 0 means the current year, others must be in 2000–2100."""
    today = today or dt.date.today()
    if isinstance(monitoring_year, bool) or not isinstance(monitoring_year, int):
        raise ParameterError(f"Parametr monitoring_year musí být celé číslo (rok, nebo 0 = letošní rok), "
                             f"ne {monitoring_year!r}.")
    if monitoring_year == 0:
        return today.year
    if monitoring_year not in YEARS:
        raise ParameterError(f"Parametr monitoring_year = {monitoring_year} je mimo roky {YEARS.start}–"
                             f"{YEARS.stop - 1} (0 = letošní rok).")
    return monitoring_year


def resolve_plan_path(plan_file: object, base_dir: str | Path | None = None) -> Path | None:
    """``plan_file`` → an absolute path (a relative one is taken from ``base_dir``, default the working folder).

    The runner passes the folder ``kpss run`` was started from; a kernel works in ``notebooks/``.
    Empty text means no plan (None).
    """
    if not isinstance(plan_file, (str, Path)):
        raise ParameterError(f"Parametr plan_file musí být cesta k sešitu XLSX v uvozovkách, ne {plan_file!r}.")
    if not str(plan_file).strip():
        return None
    path = Path(str(plan_file).strip()).expanduser()
    return path if path.is_absolute() else (Path(base_dir) if base_dir else Path.cwd()).resolve() / path


def check_plan_parameters(plan_file: object, monitoring_year: object, *, base_dir: str | Path | None = None,
                          today: dt.date | None = None) -> PlanParameters:
    """Validate chapter 07's parameters and read the plan; writes nothing.

    Parameters
    ----------
    plan_file
        Path of a filled plan workbook, or "" for none (the chapter then writes the template).
    monitoring_year
        Year of the monitoring; 0 = the current year.
    base_dir
        Folder a relative ``plan_file`` is relative to (default: the working folder).
    today
        The current date (for tests; default today).

    Raises
    ------
    ParameterError
        A wrong year, a ``plan_file`` that is not text, does not exist or is not an XLSX workbook.
    DataValidationError
        The plan's problems by sheet, row and column (:func:`~kpss_analysis.analysis.action_plan.read_plan`).
    """
    year = check_monitoring_year(monitoring_year, today)
    path = resolve_plan_path(plan_file, base_dir)
    return PlanParameters(path, None if path is None else read_plan(path), year)


def check_plan_orp(parameters: PlanParameters, orp: Orp) -> str:
    """Refuse the plan of another ORP; returns a Czech note when the file does not say whose it is (else "")."""
    plan = parameters.plan
    if plan is None or plan.orp_code == orp.code:
        return ""
    if plan.orp_code is None:
        return (f"Sešit {parameters.plan_path.name} neuvádí, pro kterou ORP vznikl (nevznikl ze šablony); "
                f"předpokládá se SO ORP {orp.name}.")
    raise ParameterError(f"Akční plán {parameters.plan_path} je sešit SO ORP s kódem ČSÚ {plan.orp_code}, kapitola "
                         f"ale běží pro SO ORP {orp.name} ({orp.code}). Zvolte správný soubor nebo --orp {plan.orp_code}.")


def chapter_title(parameters: PlanParameters) -> str:
    """The heading of the chapter's documents: the monitoring with its year, or the template without a plan."""
    return TEMPLATE_TITLE if parameters.plan is None else TITLE.format(year=parameters.year)


def monitoring_date(year: int, today: dt.date | None = None) -> pd.Timestamp:
    """The date the monitoring describes: today in the current (or a later) year, else 31. 12. of the year."""
    today = today or dt.date.today()
    return pd.Timestamp(min(today, dt.date(year, 12, 31)))


# --------------------------------------------------------------------------- texts


def describe_next_step(orp: Orp, template_name: str) -> str:
    """What to do with the template the chapter wrote (Czech Markdown)."""
    return (f"Akční plán zatím nebyl předán, proto kapitola žádné aktivity neukazuje. Do složky výstupů uložila "
            f"**šablonu akčního plánu SO ORP {orp.name}** (`{template_name}`) s výchozími hodnotami ukazatelů z dat "
            f"(tabulka níže). Další krok: pracovní skupiny doplní priority, opatření, aktivity a cílové hodnoty "
            f"(postup je na listu „Návod“) a kapitola se každý rok spustí s vyplněným sešitem: "
            f"`kpss run --orp \"{orp.name}\" --chapters 07 -p plan_file='\"/cesta/k/akcni_planu.xlsx\"' --force` "
            "(cesta k sešitu celá, od kořene disku).")


def describe_plan(parameters: PlanParameters, orp: Orp, status_date: pd.Timestamp) -> str:
    """One line naming the plan file, its size and the date the monitoring describes (or that there is none)."""
    plan = parameters.plan
    if plan is None:
        return f"**Akční plán:** nezadán (parametr `plan_file`), kapitola ukládá šablonu `{TEMPLATE_PATH}`."
    return (f"**Akční plán:** `{parameters.plan_path.name}` – {len(plan.priorities)} priorit, {len(plan.measures)} "
            f"opatření, {len(plan.activities)} aktivit, {len(plan.indicators)} ukazatelů; stav k "
            f"{fmt.date(status_date.date())} (rok monitoringu {parameters.year}).")


def plan_source(parameters: PlanParameters, orp: Orp, status_date: pd.Timestamp) -> str:
    """The "Zdroj" text of what comes from the plan itself (statuses, costs, dates)."""
    return (f"Akční plán SO ORP {orp.name} ({parameters.plan_path.name}), údaje o plnění zapsané v plánu, "
            f"stav k {fmt.date(status_date.date())}")


def describe_status(summary: pd.DataFrame) -> str:
    """Czech sentence on the activities by status from :func:`~kpss_analysis.analysis.action_plan.compute_status_summary`."""
    total = summary.iloc[-1]
    if total["total"] == 0:
        return "Akční plán zatím nemá žádné aktivity."
    parts = ", ".join(f"{_STATUS_WORDS[key]} {fmt.number(total[key])}" for key in STATUSES)
    share = ("" if pd.isna(total["share_done"])
             else f"; splněno je {fmt.percent(total['share_done'])} aktivit, které nebyly zrušeny")
    return f"Akční plán má {fmt.number(total['total'])} aktivit: {parts}{share}."


def describe_progress(progress: pd.DataFrame) -> str:
    """Czech sentence on the indicators: how many reached the target, moved towards it, cannot be assessed."""
    if progress.empty:
        return "Akční plán nemá žádné ukazatele."
    known = progress["progress"].dropna()
    return (f"Z {fmt.number(len(progress))} ukazatelů lze cestu k cílové hodnotě spočítat u {fmt.number(len(known))}: "
            f"cíle dosáhlo {fmt.number((known >= 100).sum())}, k cíli se posunulo {fmt.number(known.between(0, 100, inclusive='neither').sum())}, "
            f"na výchozí hodnotě nebo dál od cíle je {fmt.number((known <= 0).sum())}. U ostatních je důvod "
            "v poznámce tabulky (nejčastěji chybí cílová hodnota).")


#: Czech headings of the monitoring's key numbers (``labels`` of its ``summary.json`` section, the index page).
SUMMARY_LABELS = {
    "activities": "Aktivity akčního plánu",
    **{f"activities_{key}": f"Aktivity – {label.lower()}" for key, label in STATUSES.items()},
    "share_done": "Splněno (% aktivit bez zrušených)",
    "cost_planned": "Plánované náklady (Kč)",
    "cost_actual": "Skutečné náklady (Kč)",
    "indicators": "Ukazatele",
    "indicators_with_progress": "Ukazatele se spočtenou cestou k cíli",
    "indicators_reached": "Ukazatele, které dosáhly cíle",
}
SUMMARY_TITLE = "Akční plán"


def monitoring_summary(summary: pd.DataFrame, progress: pd.DataFrame, costs: pd.DataFrame, year: int) -> dict:
    """Key numbers of the monitoring for ``summary.json`` (the ``orp`` level is what the index page compares)."""
    total = summary.iloc[-1]
    cost = costs[costs["priority_id"].isna() & (costs["source"] == "total")].iloc[0]
    known = progress["progress"].dropna()
    numbers = {
        "activities": int(total["total"]),
        **{f"activities_{key}": int(total[key]) for key in STATUSES},
        "share_done": None if pd.isna(total["share_done"]) else float(total["share_done"]),
        "cost_planned": float(cost["planned"]),
        "cost_actual": float(cost["actual"]),
        "indicators": len(progress),
        "indicators_with_progress": len(known),
        "indicators_reached": int((known >= 100).sum()),
    }
    return {"title": SUMMARY_TITLE, "plan": True, "monitoring_year": year, "orp": numbers, "labels": SUMMARY_LABELS}


def template_summary(baselines: pd.DataFrame) -> dict:
    """``summary.json`` of a run without a plan: how many baselines the template holds (nothing for the index)."""
    return {"title": SUMMARY_TITLE, "plan": False, "baselines_prefilled": int(baselines["value"].notna().sum())}


# --------------------------------------------------------------------------- register snapshots


def _restrict_to_seniors(snapshot: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    groups = snapshot["target_groups"]
    ids = set(groups.loc[groups["target_group_name"].str.casefold() == SENIORS, "service_id"])
    return {key: frame[frame["service_id"].isin(ids)] if key in ("services", "capacities", "places") else frame
            for key, frame in snapshot.items()}


def compared_snapshots(snapshots: Sequence[Mapping]) -> list[Mapping]:
    """The snapshots :func:`compare_register_snapshots` compares: the two newest, oldest first (fewer if fewer)."""
    return sorted(snapshots, key=lambda s: s["meta"]["snapshot"])[-2:]


def register_period(snapshots: Sequence[Mapping]) -> str:
    """The compared snapshots' dates for a caption: "k 4. 9. 2026 a k 1. 3. 2027"."""
    return " a ".join(f"k {fmt.date(s['meta']['snapshot'])}" for s in compared_snapshots(snapshots))


def register_source(snapshots: Sequence[Mapping]) -> str:
    """The "Zdroj:" text of the register comparison: both compared snapshots with their dates and coverage."""
    return "; ".join(source_text(s["meta"]) for s in compared_snapshots(snapshots))


def compare_register_snapshots(snapshots: Sequence[Mapping], orp_code: str) -> tuple[pd.DataFrame | None, str]:
    """The register diff of the two latest snapshots, restricted to a common coverage, and a Czech note.

    Parameters
    ----------
    snapshots
        Each a mapping with ``meta`` (:func:`kpss_analysis.data.load.load_services_meta`: ``source``,
        ``snapshot``, ``coverage``), ``services``, ``capacities``, ``places`` and ``target_groups``.
    orp_code
        ČSÚ code of the ORP.

    Returns
    -------
    The diff (:func:`~kpss_analysis.analysis.register_changes.compute_register_diff`) or None when it
    cannot be made, and the sentence saying what was compared (dates and sources) or why nothing was.
    """
    ordered = compared_snapshots(snapshots)
    if len(ordered) < 2:
        only = (f" (stav k {fmt.date(ordered[0]['meta']['snapshot'])}, {ordered[0]['meta']['coverage']})"
                if ordered else "")
        return None, (f"V datech je jen jeden snímek registru poskytovatelů sociálních služeb{only}, změny služeb "
                      "ORP (nové, ukončené, se změněnou kapacitou) proto nelze ukázat. Srovnání vyžaduje druhý, "
                      "novější snímek registru (`kpss data fetch --online`, pak `kpss data build`).")
    old, new = ordered
    dates = " a ".join(f"stavem k {fmt.date(s['meta']['snapshot'])} ({SNAPSHOT_SOURCES[s['meta']['source']]})"
                       for s in ordered)
    note = ""
    if old["meta"]["coverage"] != new["meta"]["coverage"]:
        partial, full = (old, new) if old["meta"]["coverage"] == SENIORS else (new, old)
        if full["target_groups"].empty:
            return None, (f"Snímky registru ({dates}) nepokrývají stejné služby (jeden jen služby pro seniory) a "
                          "úplný snímek neuvádí cílové skupiny, takže jej nelze omezit; srovnání by bylo zavádějící.")
        restricted = _restrict_to_seniors(full)
        old, new = (old, restricted) if full is new else (restricted, new)
        note = (" Jeden snímek obsahuje jen služby s cílovou skupinou senioři, proto je srovnání omezeno na tyto "
                "služby i v úplném registru.")
    diff = compute_register_diff(old["services"], new["services"], old["capacities"], new["capacities"],
                                 old["places"], new["places"], orp_code)
    changed = diff["service_id"].nunique()
    count = ("žádná služba ORP se nezměnila" if diff.empty else
             f"{fmt.plural(changed, 'změnila', 'změnily', 'změnilo')} se {fmt.count(changed, 'služba', 'služby', 'služeb')} ORP")
    return diff, f"Srovnání registru mezi {dates}: {count}.{note}"
