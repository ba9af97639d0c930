"""Finding an ORP or kraj by code or by name, forgiving case and diacritics."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import toy_territory
from kpss_analysis.analysis.territory import Orp, find_kraj, find_orp, orp_table
from kpss_analysis.errors import KpssError, TerritoryNotFoundError
from kpss_analysis.fmt import normalize, slugify

KRAJE = {
    "3018": ("CZ010", "Hlavní město Praha"),
    "3026": ("CZ020", "Středočeský kraj"),
    "3051": ("CZ041", "Karlovarský kraj"),
    "3140": ("CZ080", "Moravskoslezský kraj"),
    "3182": ("CZ051", "Liberecký kraj"),
}
# (obec_kod, obec_nazev, orp_kod, orp_nazev, kraj_kod) — real codes, a few obce each
OBCE = [
    ("554782", "Praha", "1000", "Praha", "3018"),
    ("539911", "Příbram", "2114", "Příbram", "3026"),
    ("540005", "Dubno", "2114", "Příbram", "3026"),
    ("538086", "Brandýs nad Labem-Stará Boleslav", "2103", "Brandýs nad Labem-Stará Boleslav", "3026"),
    ("560286", "Sokolov", "4107", "Sokolov", "3051"),
    ("560308", "Březová", "4107", "Sokolov", "3051"),
    ("560316", "Chodov", "4107", "Sokolov", "3051"),
    ("555428", "Ostrov", "4105", "Ostrov", "3051"),
    ("598003", "Frýdek-Místek", "8103", "Frýdek-Místek", "3140"),
    ("598887", "Frýdlant nad Ostravicí", "8104", "Frýdlant nad Ostravicí", "3140"),
    ("564028", "Frýdlant", "5103", "Frýdlant", "3182"),
]


@pytest.fixture()
def territory() -> pd.DataFrame:
    return toy_territory(OBCE, ["obec_kod", "obec_nazev", "orp_kod", "orp_nazev", "kraj_kod"], kraje=KRAJE)


# --------------------------------------------------------------------------- find_orp


def test_orp_table(territory):
    table = orp_table(territory)
    assert table["orp_kod"].tolist() == ["1000", "2103", "2114", "4105", "4107", "5103", "8103", "8104"]
    assert table.set_index("orp_kod")["n_obce"].to_dict() == {
        "1000": 1, "2103": 1, "2114": 2, "4105": 1, "4107": 3, "5103": 1, "8103": 1, "8104": 1}


def test_find_orp_by_code(territory):
    assert find_orp("4107", territory) == Orp("4107", "Sokolov", "3051", "Karlovarský kraj", 3)
    assert find_orp(" 2114 ", territory).name == "Příbram"


@pytest.mark.parametrize("query", ["Příbram", "pribram", "PŘÍBRAM", "  příbram ", "Pribram"])
def test_find_orp_by_name_ignoring_case_and_diacritics(territory, query):
    orp = find_orp(query, territory)
    assert (orp.code, orp.name, orp.kraj_code, orp.kraj_name, orp.n_obce) == (
        "2114", "Příbram", "3026", "Středočeský kraj", 2)


def test_find_orp_exact_name_wins_over_prefix(territory):
    # "Frýdlant" is an ORP and also a prefix of "Frýdlant nad Ostravicí"
    assert find_orp("frydlant", territory).code == "5103"
    assert find_orp("Frýdek Místek", territory).code == "8103"  # '-' and ' ' normalize alike


@pytest.mark.parametrize("query, code", [("sok", "4107"), ("OSTR", "4105"), ("frýdek", "8103"),
                                         ("frydlant nad", "8104"), ("brandys", "2103")])
def test_find_orp_unique_prefix(territory, query, code):
    assert find_orp(query, territory).code == code


def test_find_orp_ambiguous_prefix_lists_all(territory):
    with pytest.raises(TerritoryNotFoundError) as info:
        find_orp("pr", territory)
    message = str(info.value)
    assert "ambiguous" in message
    assert "Praha (1000)" in message and "Příbram (2114)" in message
    assert "Sokolov" not in message


def test_find_orp_ambiguous_three_way(territory):
    with pytest.raises(TerritoryNotFoundError) as info:
        find_orp("Fr", territory)
    message = str(info.value)
    for name in ("Frýdek-Místek (8103)", "Frýdlant (5103)", "Frýdlant nad Ostravicí (8104)"):
        assert name in message


def test_find_orp_unknown_suggests_closest(territory):
    with pytest.raises(TerritoryNotFoundError) as info:
        find_orp("Sokolow", territory)
    message = str(info.value)
    assert "Unknown ORP 'Sokolow'" in message
    assert "Closest matches: Sokolov (4107)" in message
    assert "`kpss orp list`" in message


def test_find_orp_unknown_without_close_match(territory):
    with pytest.raises(TerritoryNotFoundError) as info:
        find_orp("Xyzzy", territory)
    assert "Closest matches" not in str(info.value)
    assert "Unknown ORP 'Xyzzy'" in str(info.value)


def test_find_orp_unknown_code(territory):
    with pytest.raises(TerritoryNotFoundError, match="Unknown ORP '9999'"):
        find_orp("9999", territory)


@pytest.mark.parametrize("query", ["", "   "])
def test_find_orp_empty_raises(territory, query):
    with pytest.raises(TerritoryNotFoundError, match="Empty ORP name or code"):
        find_orp(query, territory)


def test_territory_error_is_lookup_and_kpss_error(territory):
    with pytest.raises(LookupError):
        find_orp("Xyzzy", territory)
    with pytest.raises(KpssError):
        find_orp("", territory)


# --------------------------------------------------------------------------- find_kraj


@pytest.mark.parametrize("query", ["Karlovarský kraj", "karlovarsky kraj", "KARLOVARSKÝ", "cz041", "CZ041",
                                   "3051", "karlo"])
def test_find_kraj(territory, query):
    assert find_kraj(query, territory) == ("3051", "Karlovarský kraj")


def test_find_kraj_praha_by_nuts_and_name(territory):
    assert find_kraj("CZ010", territory) == ("3018", "Hlavní město Praha")
    assert find_kraj("hlavni mesto praha", territory) == ("3018", "Hlavní město Praha")


def test_find_kraj_unknown_and_empty(territory):
    with pytest.raises(TerritoryNotFoundError, match="Unknown kraj 'Vysočina'"):
        find_kraj("Vysočina", territory)
    with pytest.raises(TerritoryNotFoundError, match="Unknown kraj 'CZ099'"):
        find_kraj("CZ099", territory)
    with pytest.raises(TerritoryNotFoundError, match="Empty kraj name or code"):
        find_kraj(" ", territory)


def test_find_kraj_ambiguous_prefix(territory):
    extra = toy_territory([("587290", "x", "6105", "y", "3107")], ["obec_kod", "obec_nazev", "orp_kod", "orp_nazev",
                          "kraj_kod"], kraje={"3107": ("CZ063", "Kraj Vysočina")})
    frame = pd.concat([territory, extra], ignore_index=True)
    # "k" starts both "karlovarsky kraj" and "kraj vysocina"
    with pytest.raises(TerritoryNotFoundError) as info:
        find_kraj("k", frame)
    message = str(info.value)
    assert "Karlovarský kraj (3051)" in message and "Kraj Vysočina (3107)" in message
    assert find_kraj("kraj v", frame) == ("3107", "Kraj Vysočina")
    assert find_kraj("cz063", frame) == ("3107", "Kraj Vysočina")


# --------------------------------------------------------------------------- names


def test_normalize_and_slugify():
    assert normalize("Frýdek-Místek") == "frydek mistek"
    assert normalize("  Ústí nad Labem  ") == "usti nad labem"
    assert slugify("Brandýs nad Labem-Stará Boleslav") == "brandys-nad-labem-stara-boleslav"
    assert slugify("Hlavní město Praha") == "hlavni-mesto-praha"
    assert slugify("Žďár nad Sázavou") == "zdar-nad-sazavou"


def test_orp_folder_name(territory):
    orp = find_orp("brandys", territory)
    assert orp.slug == "brandys-nad-labem-stara-boleslav"
    assert orp.folder_name == "2103-brandys-nad-labem-stara-boleslav"
    assert Orp("4107", "Sokolov", "3051", "Karlovarský kraj", 3).folder_name == "4107-sokolov"
