"""Population projection of every SO ORP to the years of the ČSÚ national projection.

Method (Hamilton–Perry with national cohort change ratios), in the order the code runs:

1. **Base** – the ORP's population by sex × five-year group on 31. 12. 2020 (= 1. 1. 2021) is split
   into single years (0 … 100 = 100+) with the single-year profile of its okres on the same
   date (both sexes; okresy in their pre-2021 boundaries). The national base is the sum of the
   206 ORP bases, so it is the real 2020 structure and the ORPs add up to it by construction.
2. **Steps** – the national projection (middle variant) gives single years × sex on 1 January
   of a few years only (2023, 2025, 2030 …), so the ORPs are projected step by step between
   consecutive dates (2, 2, 5, 5 … years). In a step of ``h`` years the cohort aged ``a`` moves
   to ``a + h`` with the national cohort change ratio ``N(a + h, t1) / N(a, t0)`` of its sex;
   the open group 100+ collects every cohort that reaches it.
3. **Children born in the step** (ages ``0 … h-1`` at ``t1``) – the national number of each
   age and sex is shared out among the ORPs in proportion to their women aged 15–49 at ``t1``
   times their relative child–woman ratio at the base (ORP ÷ ČR, children 0–4 per woman 15–49).
   This is the ORP's child–woman ratio moved with the national one.
4. **Variants** – *A* lets every ORP age exactly like the nation (no migration differential):
   the 206 ORPs then add up to the national projection by sex and single year exactly.
   *B* adds the ORP's own net migration relative to ČR: every cohort of the ORP is multiplied
   by ``(1 + d) ** h`` with ``d`` = (ORP − ČR) migration balance per person and year (MOS 2024,
   the same rate at every age: the data give no age profile), and then all ORPs are scaled
   proportionally per sex and age so that they again add up to the national projection.

Everything here is pure (frames and arrays in, frames out); :mod:`kpss_analysis.load` gives
the inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from kpss_analysis import fmt, memo
from kpss_analysis.analysis.demography import CR_NAME, age_group_label
from kpss_analysis.analysis.labels import czech_columns
from kpss_analysis.errors import DataValidationError, ParameterError

#: 1 January of the base year (the age structure is published for 31. 12. 2020).
BASE_YEAR = 2021
MAX_AGE = 100  # the projection's last, open age group is 100+
SEXES = ("M", "F")
FERTILE_AGES = range(15, 50)
CHILD_AGES = range(0, 5)

VARIANT_A = "A"
VARIANT_B = "B"
VARIANT_LABELS = {
    VARIANT_A: "Varianta A – bez migračního rozdílu (ORP stárne jako celá ČR)",
    VARIANT_B: "Varianta B – s migračním saldem ORP (MOS 2024)",
}
VARIANT_SHORT = {VARIANT_A: "varianta A", VARIANT_B: "varianta B"}

#: Age groups reported for plans: label → (first age, last age), 100 = 100+.
AGE_GROUPS = {
    "0–14": (0, 14),
    "15–64": (15, 64),
    "65+": (65, MAX_AGE),
    "75+": (75, MAX_AGE),
    "80+": (80, MAX_AGE),
    "85+": (85, MAX_AGE),
}
SENIOR_GROUPS = ("65+", "75+", "80+", "85+")


# --------------------------------------------------------------------------- parameters


def available_years(national: pd.DataFrame) -> list[int]:
    """Years of the national projection after the base year (the possible horizons)."""
    return sorted(int(y) for y in national["year"].unique() if y > BASE_YEAR)


def check_horizon_years(years: Iterable[int], available: Sequence[int]) -> list[int]:
    """Validate the notebook's horizon years; an unknown year names the available ones."""
    years = list(years)
    listed = ", ".join(str(y) for y in available)
    if not years:
        raise ParameterError(f"Zadejte alespoň jeden rok horizontu; k dispozici jsou roky {listed}.")
    wrong = [y for y in years if not isinstance(y, (int, np.integer)) or isinstance(y, bool) or y not in available]
    if wrong:
        raise ParameterError(
            f"Rok horizontu {', '.join(map(repr, wrong))} není v projekci ČSÚ; k dispozici jsou roky {listed} "
            "(stav k 1. 1.)."
        )
    return sorted({int(y) for y in years})


# --------------------------------------------------------------------------- base population


def split_to_single_years(groups: pd.DataFrame, profile: pd.DataFrame, *, unit: str) -> pd.DataFrame:
    """Split five-year groups into single years with a single-year profile.

    Parameters
    ----------
    groups
        Columns ``unit``, ``profile_unit``, ``sex``, ``age_start``, ``population``; the last
        group is open (its ``age_start`` … the profile's last age).
    profile
        Columns ``unit`` (matched against ``profile_unit``), ``age`` (0 … the last, open age),
        ``population``: the shape used inside each group.

    Returns
    -------
    DataFrame
        ``unit``, ``sex``, ``age``, ``population`` (float); each group's total is kept.
    """
    starts = np.sort(groups["age_start"].unique())
    last_age = int(profile["age"].max())
    ends = np.append(starts[1:] - 1, last_age)
    ages = pd.DataFrame({"age": np.arange(last_age + 1)})
    ages["age_start"] = starts[np.searchsorted(ends, ages["age"])]
    shape = profile.rename(columns={"unit": "profile_unit", "population": "weight"}).merge(ages, on="age")
    shape["share"] = shape["weight"] / shape.groupby(["profile_unit", "age_start"])["weight"].transform("sum")
    empty = shape.loc[shape["share"].isna(), "profile_unit"].unique()
    if len(empty):
        raise DataValidationError(f"the single-year profile of {', '.join(empty)} has an empty age group")
    out = groups.merge(shape[["profile_unit", "age_start", "age", "share"]], on=["profile_unit", "age_start"],
                       how="left", validate="many_to_many")
    missing = groups.loc[~groups["profile_unit"].isin(shape["profile_unit"]), "profile_unit"].unique()
    if len(missing):
        raise DataValidationError(f"no single-year profile for {', '.join(map(str, missing))}")
    out["population"] = out["population"] * out["share"]
    return out.groupby([unit, "sex", "age"], as_index=False)["population"].sum()


@memo.by_content()  # the same for every ORP of a batch
def compute_orp_base(age5: pd.DataFrame, territory: pd.DataFrame, age1_okres: pd.DataFrame) -> pd.DataFrame:
    """Every ORP by sex × single year on 31. 12. 2020 (five-year groups split by the okres profile).

    An ORP whose obce lie in several okresy uses each okres's profile for the obce in it.
    """
    groups = (age5.merge(territory[["obec_kod", "orp_kod", "okres_lau"]], on="obec_kod", how="inner")
              .groupby(["orp_kod", "okres_lau", "sex", "age_start"], as_index=False)["population"].sum()
              .rename(columns={"okres_lau": "profile_unit"}))
    return split_to_single_years(groups, age1_okres, unit="orp_kod")


def _to_array(frame: pd.DataFrame, units: Sequence[str], unit: str) -> np.ndarray:
    """Long ``unit × sex × age`` frame → array (units, 2 sexes, ages 0 … MAX_AGE)."""
    index = pd.MultiIndex.from_product([list(units), list(SEXES), range(MAX_AGE + 1)], names=[unit, "sex", "age"])
    values = frame.set_index([unit, "sex", "age"])["population"].reindex(index, fill_value=0.0)
    return values.to_numpy(dtype=float).reshape(len(units), len(SEXES), MAX_AGE + 1)


# --------------------------------------------------------------------------- the cohort engine


def project_cohorts(base: np.ndarray, national: Mapping[int, np.ndarray], *, migration: np.ndarray | None = None,
                    fertile_ages: range = FERTILE_AGES, child_ages: range = CHILD_AGES) -> dict[int, np.ndarray]:
    """Hamilton–Perry projection of many units that together make up a nation.

    Parameters
    ----------
    base
        Array (units, sexes, ages) at the first year of ``national``; sex index 1 = women;
        the last age is open (it collects everyone older).
    national
        Year → array (sexes, ages) of the nation, the first year being the base (it should be
        ``base.sum(axis=0)``). The steps between consecutive years may differ in length but must
        be shorter than the first fertile age.
    migration
        Yearly migration differential per unit (fraction, e.g. -0.004); ``None`` for none. Units
        are then scaled per sex and age to add up to the nation again.
    fertile_ages, child_ages
        Women whose number drives the births, and the child ages of the child–woman ratio.

    Returns
    -------
    dict
        Year → array (units, sexes, ages), the base year included.
    """
    years = sorted(national)
    open_age = base.shape[2] - 1
    women = base[:, 1, list(fertile_ages)].sum(axis=1)
    children = base[:, :, list(child_ages)].sum(axis=(1, 2))
    cwr = np.divide(children, women, out=np.zeros_like(children), where=women > 0)
    cwr_nation = children.sum() / women.sum()
    relative_fertility = cwr / cwr_nation
    result = {years[0]: base.astype(float)}
    current = result[years[0]]
    for t0, t1 in zip(years[:-1], years[1:]):
        h = t1 - t0
        if not 0 < h < fertile_ages.start:
            raise ValueError(f"step {t0}→{t1} must be shorter than {fertile_ages.start} years")
        n0, n1 = national[t0], national[t1]
        nxt = np.zeros_like(current)
        # Cohorts that stay below the open group move by h years with the national ratio.
        ratio = np.divide(n1[:, h:open_age], n0[:, :open_age - h], out=np.zeros_like(n1[:, h:open_age]),
                          where=n0[:, :open_age - h] > 0)
        nxt[:, :, h:open_age] = current[:, :, :open_age - h] * ratio
        # Everyone who reaches the open group.
        reaching = n0[:, open_age - h:].sum(axis=1)
        open_ratio = np.divide(n1[:, open_age], reaching, out=np.zeros_like(reaching), where=reaching > 0)
        nxt[:, :, open_age] = current[:, :, open_age - h:].sum(axis=2) * open_ratio
        if migration is not None:
            nxt[:, :, h:] *= ((1 + migration) ** h)[:, None, None]
        # Children born in the step: national numbers shared by women × relative fertility.
        weight = nxt[:, 1, list(fertile_ages)].sum(axis=1) * relative_fertility
        nxt[:, :, :h] = n1[None, :, :h] * (weight / weight.sum())[:, None, None]
        if migration is not None:
            totals = nxt.sum(axis=0)
            nxt *= np.divide(n1, totals, out=np.zeros_like(n1), where=totals > 0)[None, :, :]
        result[t1] = current = nxt
    return result


# --------------------------------------------------------------------------- the ORP projection


def compute_migration_differential(mos: pd.DataFrame, territory: pd.DataFrame) -> pd.Series:
    """Yearly net-migration differential of every ORP against ČR (fraction of the population).

    Rates per 1 000 of the obce (MOS 2024) are averaged with their population as weights, for
    the ORP and for ČR; the difference is divided by 1 000.
    """
    frame = mos.dropna(subset=["migration_balance_per_1000", "population_mos"]).merge(
        territory[["obec_kod", "orp_kod"]], on="obec_kod")
    frame["balance"] = frame["migration_balance_per_1000"] * frame["population_mos"]
    sums = frame.groupby("orp_kod")[["balance", "population_mos"]].sum()
    orp_rate = sums["balance"] / sums["population_mos"]
    national_rate = frame["balance"].sum() / frame["population_mos"].sum()
    return ((orp_rate - national_rate) / 1000).rename("migration_differential")


@memo.by_content(maxsize=1)  # one data build at a time: keep memory flat
def compute_projection(age5: pd.DataFrame, territory: pd.DataFrame, age1_okres: pd.DataFrame,
                       national: pd.DataFrame, mos: pd.DataFrame) -> pd.DataFrame:
    """Project all 206 ORPs in both variants.

    The result is kept per process by the content of the inputs (:mod:`kpss_analysis.memo`: the same
    data give the same projection, so chapters 02, 03 and later share one computation, and a warm
    kernel keeps it across notebooks); each call returns its own copy.

    Returns
    -------
    DataFrame
        ``variant``, ``orp_kod``, ``year``, ``sex``, ``age``, ``population`` (float; the
        base year :data:`BASE_YEAR` and every year of the national projection).
    """
    base = compute_orp_base(age5, territory, age1_okres)
    units = sorted(territory["orp_kod"].unique())
    base_array = _to_array(base, units, "orp_kod")
    nation = {BASE_YEAR: base_array.sum(axis=0)}
    for year, frame in national.groupby("year"):
        if year > BASE_YEAR:
            nation[int(year)] = _to_array(frame.assign(unit="CZ"), ["CZ"], "unit")[0]
    differential = compute_migration_differential(mos, territory).reindex(units).fillna(0.0).to_numpy()
    frames = []
    for variant, migration in ((VARIANT_A, None), (VARIANT_B, differential)):
        for year, values in project_cohorts(base_array, nation, migration=migration).items():
            index = pd.MultiIndex.from_product([units, SEXES, range(MAX_AGE + 1)], names=["orp_kod", "sex", "age"])
            frames.append(pd.DataFrame({"population": values.ravel()}, index=index)
                          .reset_index().assign(variant=variant, year=year))
    out = pd.concat(frames, ignore_index=True)
    return out[["variant", "orp_kod", "year", "sex", "age", "population"]]


# --------------------------------------------------------------------------- indicators


def compute_age_groups(projection: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Totals and :data:`AGE_GROUPS` per ``by`` (e.g. variant, unit, year), plus two indices.

    ``ageing_index`` = 65+ per 100 children 0–14 (index stáří); ``old_age_dependency`` =
    65+ per 100 people 15–64 (index ekonomického zatížení seniory).
    """
    by = list(by)
    out = projection.groupby(by)["population"].sum().rename("total").to_frame()
    for label, (first, last) in AGE_GROUPS.items():
        selected = projection[projection["age"].between(first, last)]
        out[label] = selected.groupby(by)["population"].sum()
    out["ageing_index"] = 100 * out["65+"] / out["0–14"]
    out["old_age_dependency"] = 100 * out["65+"] / out["15–64"]
    return out.reset_index()


def compute_unit_projection(projection: pd.DataFrame, territory: pd.DataFrame, orp_code: str) -> pd.DataFrame:
    """Age groups per variant and year for the ORP, its kraj (sum of its ORPs) and ČR (all ORPs).

    ``level`` is ``orp`` / ``kraj`` / ``cr``; ``unit_name`` is the Czech name.
    """
    orps = territory.drop_duplicates("orp_kod").set_index("orp_kod")
    if orp_code not in orps.index:
        raise ParameterError(f"unknown ORP code {orp_code!r}")
    row = orps.loc[orp_code]
    kraj_members = orps.index[orps["kraj_kod"] == row["kraj_kod"]]
    parts = [
        ("orp", row["orp_nazev"], projection[projection["orp_kod"] == orp_code]),
        ("kraj", row["kraj_nazev"], projection[projection["orp_kod"].isin(kraj_members)]),
        ("cr", CR_NAME, projection),
    ]
    frames = [compute_age_groups(part, ["variant", "year"]).assign(level=level, unit_name=name)
              for level, name, part in parts]
    out = pd.concat(frames, ignore_index=True)
    return out[["variant", "level", "unit_name", "year", "total", *AGE_GROUPS, "ageing_index", "old_age_dependency"]]


def compute_senior_change(units: pd.DataFrame, horizon_years: Sequence[int], level: str = "orp") -> pd.DataFrame:
    """Seniors at the base and each horizon, per variant, with the change in % against the base."""
    frame = units[units["level"] == level].set_index(["variant", "year"])
    rows = []
    for group in SENIOR_GROUPS:
        row = {"age_group": group, "base": frame.loc[(VARIANT_A, BASE_YEAR), group]}
        for variant in VARIANT_LABELS:
            for year in horizon_years:
                value = frame.loc[(variant, year), group]
                row[f"{variant}_{year}"] = value
                row[f"{variant}_{year}_change_pct"] = 100 * (value / row["base"] - 1)
        rows.append(row)
    return pd.DataFrame(rows)


def compute_group_change(units: pd.DataFrame, horizon_years: Sequence[int], variant: str,
                         level: str = "orp") -> pd.DataFrame:
    """Change (%) of every age group between the base and each horizon year, one variant."""
    frame = units[(units["level"] == level) & (units["variant"] == variant)].set_index("year")
    groups = ["total", *AGE_GROUPS]
    out = pd.DataFrame({"age_group": ["Celkem", *AGE_GROUPS]})
    for year in horizon_years:
        out[year] = [100 * (frame.loc[year, g] / frame.loc[BASE_YEAR, g] - 1) for g in groups]
    return out


def compute_projected_pyramid(projection: pd.DataFrame, year: int, variant: str = VARIANT_A) -> pd.DataFrame:
    """Pyramid (five-year groups, 85+ open, % of the total) of one ORP's projection in ``year``.

    ``projection`` holds one ORP (or any set whose sum is wanted); the columns match
    :func:`kpss_analysis.analysis.demography.compute_pyramid` so :func:`plots.plot_pyramid` draws it.
    """
    frame = projection[(projection["year"] == year) & (projection["variant"] == variant)]
    if frame.empty:
        raise ParameterError(f"no projection for {year} ({variant})")
    start = np.minimum(frame["age"] // 5 * 5, 85)
    table = frame.groupby([start.rename("age_start"), "sex"])["population"].sum().unstack("sex")
    total = table.to_numpy().sum()
    return pd.DataFrame({"age_group": [age_group_label(s) for s in table.index], "men_pct": 100 * table["M"].to_numpy() / total,
                         "women_pct": 100 * table["F"].to_numpy() / total})


# --------------------------------------------------------------------------- back-test


def interpolate_year(projected: pd.DataFrame, year: int) -> pd.Series:
    """Column ``year`` of a frame with projection years as columns, linear between the neighbouring years."""
    if year in projected.columns:
        return projected[year]
    before = max(y for y in projected.columns if y < year)
    after = min(y for y in projected.columns if y > year)
    weight = (year - before) / (after - before)
    return projected[before] * (1 - weight) + projected[after] * weight


@memo.by_content()  # national: the same for every ORP of a batch
def compute_backtest(projection: pd.DataFrame, totals: pd.DataFrame, territory: pd.DataFrame,
                     years: Sequence[int] = (2023, 2024)) -> pd.DataFrame:
    """Projected against observed ORP totals on 1 January of ``years``, per variant.

    A year between two projection years is interpolated linearly between them (the notebook
    says so). ``error_pct`` = 100 × (projected − observed) / observed.
    """
    observed = (totals.merge(territory[["obec_kod", "orp_kod"]], on="obec_kod")
                .groupby(["orp_kod", "year"])["total"].sum().rename("observed"))
    projected = projection.groupby(["variant", "orp_kod", "year"])["population"].sum().unstack("year")
    rows = []
    for year in years:
        frame = interpolate_year(projected, year).rename("projected").reset_index().assign(year=year)
        rows.append(frame.merge(observed.reset_index(), on=["orp_kod", "year"], how="left"))
    out = pd.concat(rows, ignore_index=True)
    names = territory.drop_duplicates("orp_kod").set_index("orp_kod")["orp_nazev"]
    out["orp_nazev"] = out["orp_kod"].map(names)
    out["error_pct"] = 100 * (out["projected"] - out["observed"]) / out["observed"]
    return out[["variant", "year", "orp_kod", "orp_nazev", "observed", "projected", "error_pct"]]


def summarize_backtest(backtest: pd.DataFrame) -> pd.DataFrame:
    """Error distribution per variant and year: mean absolute % error, median, 90th percentile, max."""
    errors = backtest.assign(abs_error=backtest["error_pct"].abs())
    grouped = errors.groupby(["variant", "year"])["abs_error"]
    out = pd.DataFrame({
        "n_orp": grouped.size(),
        "mape": grouped.mean(),
        "median_ape": grouped.median(),
        "p90_ape": grouped.quantile(0.9),
        "max_ape": grouped.max(),
        "within_2pct": 100 * grouped.apply(lambda e: (e <= 2).mean()),
    })
    return out.reset_index()


def worst_orps(backtest: pd.DataFrame, year: int, n: int = 5) -> pd.DataFrame:
    """The ``n`` ORPs with the largest absolute error per variant in ``year``."""
    frame = backtest[backtest["year"] == year].assign(abs_error=lambda f: f["error_pct"].abs())
    return (frame.sort_values(["variant", "abs_error"], ascending=[True, False]).groupby("variant").head(n)
            .drop(columns="abs_error").reset_index(drop=True))


# --------------------------------------------------------------------------- presentation

#: Note printed under every projection table (and in the XLSX).
TABLE_NOTE = (
    "Projekce kpss-analysis metodou Hamilton–Perry: kohorty ORP stárnou podle celostátních poměrů změny kohort "
    "střední varianty projekce ČSÚ; výchozí stav 31. 12. 2020 rozdělen do jednotek věku podle profilu okresu; děti "
    "narozené po výchozím roce podle poměru dětí a žen ORP posunutého s celostátním. Varianta A: bez migračního "
    "rozdílu; varianta B: s rozdílem migračního salda ORP a ČR (MOS 2024), stejným ve všech věkových skupinách a sladěným s "
    "projekcí ČR. Hodnoty jsou odhady zaokrouhlené na celé osoby, součty nemusí přesně sedět."
)

_GROUP_COLUMNS = {"total": "Obyvatel celkem", **{g: f"{g} let" for g in AGE_GROUPS},
                  "ageing_index": "Index stáří", "old_age_dependency": "Index ekonomického zatížení seniory"}
_LEVEL_ORDER = {"orp": 0, "kraj": 1, "cr": 2}


def czech_unit_table(units: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """The projection by age groups for ORP, kraj and ČR in ``years`` with Czech headers (whole persons)."""
    frame = units[units["year"].isin(years)].copy()
    frame["order"] = frame["level"].map(_LEVEL_ORDER)
    frame = frame.sort_values(["variant", "order", "year"])
    counts = ["total", *AGE_GROUPS]
    frame[counts] = frame[counts].round().astype("int64")
    frame["variant"] = frame["variant"].map(VARIANT_SHORT)
    columns = {"variant": "Varianta", "unit_name": "Území", "year": "Stav k 1. 1. roku", **_GROUP_COLUMNS}
    return czech_columns(frame, columns, select=True).reset_index(drop=True)


def czech_senior_table(change: pd.DataFrame, horizon_years: Sequence[int]) -> pd.DataFrame:
    """Seniors at the base and the horizons (whole persons) with the change in %, Czech headers."""
    out = pd.DataFrame({"Věková skupina": [f"{g} let" for g in change["age_group"]],
                        f"Stav 1. 1. {BASE_YEAR}": change["base"].round().astype("int64")})
    for variant in VARIANT_LABELS:
        for year in horizon_years:
            out[f"{year} – {VARIANT_SHORT[variant]}"] = change[f"{variant}_{year}"].round().astype("int64")
            out[f"Změna do {year} (%) – {VARIANT_SHORT[variant]}"] = change[f"{variant}_{year}_change_pct"]
    return out


def czech_backtest_summary(summary: pd.DataFrame, backtest: pd.DataFrame, orp_code: str) -> pd.DataFrame:
    """Error distribution over all ORPs per variant and year, with the ORP's own error, Czech headers."""
    own = backtest[backtest["orp_kod"] == orp_code].set_index(["variant", "year"])["error_pct"]
    frame = summary.assign(own=[own.get((v, y)) for v, y in zip(summary["variant"], summary["year"])])
    frame["variant"] = frame["variant"].map(VARIANT_SHORT)
    columns = {
        "variant": "Varianta", "year": "Stav k 1. 1. roku", "n_orp": "Počet ORP",
        "mape": "Průměrná absolutní chyba (%)", "median_ape": "Medián absolutní chyby (%)",
        "p90_ape": "90. percentil absolutní chyby (%)", "max_ape": "Největší absolutní chyba (%)",
        "within_2pct": "ORP s chybou do 2 % (%)", "own": "Chyba této ORP (%)",
    }
    return czech_columns(frame, columns, select=True)


def czech_worst_table(worst: pd.DataFrame) -> pd.DataFrame:
    """The ORPs with the largest back-test errors, Czech headers."""
    frame = worst.assign(variant=worst["variant"].map(VARIANT_SHORT), projected=worst["projected"].round().astype("int64"))
    columns = {"variant": "Varianta", "orp_nazev": "SO ORP", "year": "Stav k 1. 1. roku",
               "observed": "Skutečnost", "projected": "Projekce", "error_pct": "Chyba (%)"}
    return czech_columns(frame, columns, select=True)


def projection_summary(units: pd.DataFrame, horizon_years: Sequence[int], backtest_summary: pd.DataFrame) -> dict:
    """Numbers for ``summary.json``: seniors per horizon year and variant (ORP, kraj, ČR), back-test errors."""
    out: dict = {"base_year": BASE_YEAR, "horizon_years": list(horizon_years), "variants": {}}
    for variant, label in VARIANT_LABELS.items():
        levels = {}
        for level, frame in units[units["variant"] == variant].groupby("level"):
            by_year = frame.set_index("year")
            levels[level] = {str(year): {"total": round(float(by_year.loc[year, "total"]), 1),
                                         **{g: round(float(by_year.loc[year, g]), 1) for g in SENIOR_GROUPS}}
                             for year in [BASE_YEAR, *horizon_years]}
        out["variants"][variant] = {"label": label, **levels}
    out["backtest_mape_pct"] = {f"{v}_{y}": round(float(m), 3) for v, y, m in
                                zip(backtest_summary["variant"], backtest_summary["year"], backtest_summary["mape"])}
    return out


def describe_seniors(units: pd.DataFrame, horizon_years: Sequence[int], orp_name: str) -> str:
    """One Czech paragraph: seniors 65+ and 80+ of the ORP now and at the horizons in both variants."""
    frame = units[units["level"] == "orp"].set_index(["variant", "year"])
    base = frame.loc[(VARIANT_A, BASE_YEAR)]
    parts = []
    for year in horizon_years:
        a, b = frame.loc[(VARIANT_A, year)], frame.loc[(VARIANT_B, year)]
        parts.append(f"k 1. 1. {year} {fmt.number(a['65+'])} (varianta A) až {fmt.number(b['65+'])} (varianta B) "
                     f"osob ve věku 65+ a {fmt.number(a['80+'])} až {fmt.number(b['80+'])} osob ve věku 80+")
    return (f"SO ORP {orp_name} měla k 1. 1. {BASE_YEAR} {fmt.number(base['65+'])} obyvatel ve věku 65+ a "
            f"{fmt.number(base['80+'])} ve věku 80+. Projekce odhaduje " + "; ".join(parts) + ".")


def compute_target_populations(projection: pd.DataFrame, orp_code: str, ages_from: Iterable[int],
                               years: Sequence[int], variant: str = VARIANT_A) -> pd.DataFrame:
    """Projected people aged ``age_from`` and over in the ORP, per horizon year.

    The frame chapter 03 needs for the capacity gap: ``year``, ``age_from``, ``population``.
    """
    if variant not in VARIANT_LABELS:
        raise ParameterError(f"Neznámá varianta projekce {variant!r}; k dispozici jsou {', '.join(VARIANT_LABELS)}.")
    frame = projection[(projection["orp_kod"] == orp_code) & (projection["variant"] == variant)]
    missing = sorted(set(years) - set(frame["year"]))
    if frame.empty or missing:
        raise ParameterError(f"projekce pro ORP {orp_code} neobsahuje roky {missing or list(years)}")
    rows = [{"year": int(year), "age_from": int(age_from),
             "population": float(frame.loc[(frame["year"] == year) & (frame["age"] >= age_from), "population"].sum())}
            for age_from in sorted(set(ages_from)) for year in years]
    return pd.DataFrame(rows, columns=["year", "age_from", "population"])
