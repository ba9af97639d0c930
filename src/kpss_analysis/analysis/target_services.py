"""Registered social services for target groups other than seniors (chapter 04).

The register gives each service its target groups (``CilovaSkupinaOsoby`` with the names of the
MPSV code list ``cilove-skupiny-osoby``). The chapter groups them into the three groups a
community plan works with (:data:`TARGET_CLASSES`): a code-list name belongs to a group when it
contains one of the group's word stems (case-insensitive; a name may belong to two groups, e.g.
young people leaving institutional care). A service counts in every group one of its target
groups belongs to. Counts and capacities re-use chapter 03's attribution (each service once,
split equally among its addresses; capacity types never added together).

Only the full register has target groups: the mirror's extract holds the services for seniors
alone, and then the chapter says so in one sentence (:func:`describe_group_services`), never a zero.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kpss_analysis import fmt
from kpss_analysis.analysis.services import compute_capacity_table, compute_service_shares, druh_labels
from kpss_analysis.analysis.territory import Orp

#: Group key → (Czech label, word stems of the code-list names that belong to it).
TARGET_CLASSES = {
    "families": ("Rodiny s dětmi, děti a mládež", ("rodin", "dět", "mládež", "do 26 let")),
    "disability": ("Osoby se zdravotním postižením", ("postižen", "duševním onemocněním", "chronickým onemocněním")),
    "exclusion": ("Osoby ohrožené sociálním vyloučením",
                  ("bez přístřeší", "vyloučen", "rizikový způsob", "závisl", "oběti", "pachatel", "v krizi",
                   "etnick", "imigrant", "azylant", "zneužívan", "opouštějící")),
}
FETCH_COMMAND = "kpss data fetch --online --only rpss"
KATALOG_TEXT = (
    "Služby pro rodiny s dětmi, osoby se zdravotním postižením a osoby ohrožené sociálním vyloučením nelze z dat "
    "v ruce určit: výběr z registru v zrcadle dat obsahuje jen služby s cílovou skupinou senioři. Tyto údaje vyžadují "
    f"úplný registr poskytovatelů sociálních služeb MPSV s cílovými skupinami; stáhne ho `{FETCH_COMMAND}` "
    "(poté `kpss data build` a znovu spustit kapitolu)."
)
NO_NAMES_TEXT = (
    "Registr je úplný, ale bez číselníku cílových skupin (cilove-skupiny-osoby.json) nelze cílové skupiny služeb "
    f"pojmenovat ani zařadit; číselník stáhne `{FETCH_COMMAND}` (poté `kpss data build`)."
)
METHOD_TEXT = (
    "Služba patří do skupiny, pokud má v registru alespoň jednu cílovou skupinu, jejíž název v číselníku MPSV "
    "obsahuje některé z klíčových slov skupiny; jedna služba může patřit do více skupin. Počty a kapacity jako "
    "v kapitole 03: každá služba jednou, rozdělená rovným dílem mezi své adresy; kapacity různých jednotek se "
    "nesčítají."
)


def classify_target_groups(target_groups: pd.DataFrame) -> pd.DataFrame:
    """Which of :data:`TARGET_CLASSES` each service's target groups belong to.

    Parameters
    ----------
    target_groups
        :func:`kpss_analysis.data.load.load_service_target_groups`: ``service_id``,
        ``target_group_code``, ``target_group_name`` (<NA> where the code list was missing).

    Returns
    -------
    DataFrame ``service_id``, ``group`` (a key of :data:`TARGET_CLASSES`), one row per service and group.
    """
    names = target_groups["target_group_name"].astype("string").str.lower()
    frames = []
    for group, (_label, stems) in TARGET_CLASSES.items():
        hit = pd.Series(False, index=target_groups.index)
        for stem in stems:
            hit |= names.str.contains(stem, regex=False).fillna(False).astype(bool)
        frames.append(pd.DataFrame({"service_id": target_groups.loc[hit, "service_id"], "group": group}))
    return pd.concat(frames, ignore_index=True).drop_duplicates(ignore_index=True)


def unclassified_names(target_groups: pd.DataFrame) -> list[str]:
    """Code-list names that belong to none of :data:`TARGET_CLASSES` (senioři, pečující …), sorted."""
    stems = [stem for _label, group_stems in TARGET_CLASSES.values() for stem in group_stems]
    names = target_groups["target_group_name"].dropna().astype(str).unique()
    return sorted(n for n in names if not any(stem in n.lower() for stem in stems))


def compute_group_services(services: pd.DataFrame, capacities: pd.DataFrame, places: pd.DataFrame,
                           target_groups: pd.DataFrame, orp: Orp) -> pd.DataFrame:
    """Services of each target group located in the ORP: number and capacity by druh, beside kraj and ČR.

    Returns
    -------
    DataFrame
        ``group``, ``group_label``, ``druh_name``, ``paragraph``, ``unit_label``, ``services_orp``
        (fractional number of the ORP's services of this druh and group) and the capacity per unit
        (columns named like :func:`kpss_analysis.analysis.services.compute_capacity_table`). Only
        druhy with a service of the group located in the ORP.
    """
    classes = classify_target_groups(target_groups)
    shares = compute_service_shares(services, places, "orp")
    in_orp = shares[shares["unit"] == orp.code].merge(services[["service_id", "druh_name"]], on="service_id")
    frames = []
    for group, (label, _stems) in TARGET_CLASSES.items():
        members = services[services["service_id"].isin(classes.loc[classes["group"] == group, "service_id"])]
        counts = in_orp[in_orp["service_id"].isin(members["service_id"])].groupby("druh_name")["share"].sum()
        if counts.empty:
            continue
        located = druh_labels(members).merge(counts.rename("services_orp"), left_on="druh_name", right_index=True)
        table = located[["druh_name", "paragraph", "services_orp"]].merge(
            compute_capacity_table(members, capacities, places, orp).drop(columns="paragraph"), on="druh_name",
            how="left")  # a druh without registered capacity keeps its row, capacity empty
        frames.append(table.assign(group=group, group_label=label))
    columns = ["group", "group_label", "druh_name", "paragraph", "unit_label", "services_orp"]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)
    return out[[*columns, *[c for c in out.columns if c not in columns and c != "capacity_type"]]]


def group_services_available(meta: Mapping[str, str], target_groups: pd.DataFrame) -> bool:
    """True when the data in hand can tell the services of these groups (full register with named groups)."""
    return meta["source"] == "rpss" and target_groups["target_group_name"].notna().any()


def describe_group_services(meta: Mapping[str, str], target_groups: pd.DataFrame, table: pd.DataFrame,
                            orp: Orp) -> str:
    """Czech note above the services table: what the data allow, the method, or why there is no table."""
    if meta["source"] != "rpss":
        return KATALOG_TEXT
    if not group_services_available(meta, target_groups):
        return NO_NAMES_TEXT
    if table.empty:
        return (f"V SO ORP {orp.name} nemá adresu žádná registrovaná služba s cílovými skupinami těchto tří skupin. "
                + METHOD_TEXT)
    counts = table.drop_duplicates(["group", "druh_name"]).groupby("group_label", sort=False)["services_orp"].sum()
    listed = "; ".join(f"{label}: {fmt.number(value, 1)}" for label, value in counts.items())
    return f"Služby s adresou v SO ORP {orp.name} podle skupin (v přepočtu na adresy): {listed}. {METHOD_TEXT}"
