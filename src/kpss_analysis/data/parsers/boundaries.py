"""Parser of the boundaries: obce polygons, dissolved ORP, okresy and kraje, in EPSG:5514.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from kpss_analysis.data.checks import check, raw_path, reading
from kpss_analysis.data.tables import CRS, N_OBCE


def parse_boundaries(raw: Path, territory: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Obce polygons in EPSG:5514 and ORP / okres / kraj dissolved from them.

    Dissolving one topologically consistent obce layer keeps every level's borders on top of
    each other, which matters for maps that draw obce with an ORP outline.
    """
    path = raw_path(raw, "boundaries")
    with reading(path):
        obce = gpd.read_file(path, columns=["obec_kod"])
        check(obce.crs is not None, path, "no coordinate reference system")
    obce["obec_kod"] = obce["obec_kod"].astype(str)
    unknown = set(obce["obec_kod"]) ^ set(territory["obec_kod"])
    check(not unknown and len(obce) == N_OBCE, path, f"obce differ from the code list: {sorted(unknown)[:5]}")
    obce["geometry"] = obce.geometry.make_valid()
    obce = obce.to_crs(CRS).merge(territory, on="obec_kod", how="left")
    levels = {"obec": obce[["obec_kod", "obec_nazev", "orp_kod", "okres_kod", "kraj_kod", "geometry"]]}
    for level, columns in {
        "orp": ["orp_kod", "orp_nazev", "kraj_kod"],
        "okres": ["okres_kod", "okres_nazev", "kraj_kod"],
        "kraj": ["kraj_kod", "kraj_nazev"],
    }.items():
        dissolved = obce[columns + ["geometry"]].dissolve(by=columns[0], as_index=False)
        levels[level] = dissolved[columns + ["geometry"]].sort_values(columns[0]).reset_index(drop=True)
    return levels
