"""Find an ORP (or kraj) by its ČSÚ code or by name, forgiving case and diacritics."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

from kpss_analysis.errors import TerritoryNotFoundError
from kpss_analysis.fmt import normalize, slugify


@dataclass(frozen=True)
class Orp:
    """An SO ORP with its kraj; ``slug`` names its output folder."""

    code: str
    name: str
    kraj_code: str
    kraj_name: str
    n_obce: int

    @property
    def slug(self) -> str:
        return slugify(self.name)

    @property
    def folder_name(self) -> str:
        return f"{self.code}-{self.slug}"


def orp_table(territory: pd.DataFrame) -> pd.DataFrame:
    """One row per ORP: code, name, kraj and number of obce, sorted by code."""
    return (
        territory.groupby(["orp_kod", "orp_nazev", "kraj_kod", "kraj_nazev"], as_index=False)
        .agg(n_obce=("obec_kod", "size"))
        .sort_values("orp_kod")
        .reset_index(drop=True)
    )


def _resolve(query: str, codes: pd.Series, names: pd.Series, what: str) -> int:
    """Index of the single row that ``query`` names, by code, exact name or unique prefix."""
    text = str(query).strip()
    if not text:
        raise TerritoryNotFoundError(f"Empty {what} name or code.")
    hits = codes.index[codes == text]
    if len(hits) == 1:
        return hits[0]
    key = normalize(text)
    normalized = names.map(normalize)
    hits = normalized.index[normalized == key]
    if len(hits) == 1:
        return hits[0]
    hits = normalized.index[normalized.str.startswith(key)] if key else []
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        options = ", ".join(f"{names[i]} ({codes[i]})" for i in hits)
        raise TerritoryNotFoundError(f"{what} {query!r} is ambiguous: it matches {options}. Use the full name or the code.")
    close = difflib.get_close_matches(key, list(normalized), n=5, cutoff=0.6)
    suggestions = ", ".join(f"{names[i]} ({codes[i]})" for c in close for i in normalized.index[normalized == c])
    hint = f" Closest matches: {suggestions}." if suggestions else ""
    raise TerritoryNotFoundError(f"Unknown {what} {query!r}.{hint} `kpss orp list` shows all of them.")


def find_orp(query: str, territory: pd.DataFrame) -> Orp:
    """Return the ORP named by ČSÚ code ('4107') or name ('Sokolov', 'pribram', 'FRÝDEK').

    Raises
    ------
    TerritoryNotFoundError
        When nothing matches (with the closest names) or when the name is ambiguous.
    """
    table = orp_table(territory)
    row = table.loc[_resolve(query, table["orp_kod"], table["orp_nazev"], "ORP")]
    return Orp(row["orp_kod"], row["orp_nazev"], row["kraj_kod"], row["kraj_nazev"], int(row["n_obce"]))


def find_kraj(query: str, territory: pd.DataFrame) -> tuple[str, str]:
    """Return ``(kraj_kod, kraj_nazev)`` for a kraj given by ČSÚ code, NUTS code or name."""
    kraje = territory[["kraj_kod", "kraj_nuts", "kraj_nazev"]].drop_duplicates().reset_index(drop=True)
    nuts = kraje.index[kraje["kraj_nuts"].str.lower() == str(query).strip().lower()]
    index = nuts[0] if len(nuts) == 1 else _resolve(query, kraje["kraj_kod"], kraje["kraj_nazev"], "kraj")
    return kraje.loc[index, "kraj_kod"], kraje.loc[index, "kraj_nazev"]
