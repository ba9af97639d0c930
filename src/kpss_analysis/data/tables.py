"""The contract of the processed data: table names, files and coordinate system.

Codes (obec, ORP, okres, kraj) are strings. Boundaries are in EPSG:5514 (S-JTSK / Krovak East North). Sex is
``"M"`` (muži) / ``"F"`` (ženy); age groups are identified by their first year (``age_start`` 85 = 85 a více).
"""

from __future__ import annotations

CRS = "EPSG:5514"


#: Expected sizes of the 2024 territorial structure (ČSÚ code lists).
N_OBCE, N_ORP, N_OKRES, N_KRAJ = 6258, 206, 77, 14


#: Names of the processed tables; ``load.py`` reads exactly these.
TABLES = {
    "territory": "territory.parquet",
    "age5": "population_age5.parquet",
    "age1": "population_age1.parquet",
    "age1_okres": "population_age1_okres.parquet",
    "population_totals": "population_totals.parquet",
    "census_orp": "census_orp.parquet",
    "mos_obce": "mos_obce.parquet",
    "exclusion": "exclusion_obce.parquet",
    "age_2023": "population_age_broad_2023.parquet",
    "projection": "projection_cr.parquet",
    "boundaries_obec": "boundaries_obec.parquet",
    "boundaries_orp": "boundaries_orp.parquet",
    "boundaries_okres": "boundaries_okres.parquet",
    "boundaries_kraj": "boundaries_kraj.parquet",
    "services": "services.parquet",
    "service_capacities": "service_capacities.parquet",
    "service_places": "service_places.parquet",
    "service_target_groups": "service_target_groups.parquet",
    "service_territory": "service_territory.parquet",
}

#: Folder of the older register snapshots (the current one is the service tables above): one subfolder
#: ``<date>_<source>`` per snapshot with these tables under their names in :data:`TABLES`; the build report's
#: ``register_snapshots`` lists them oldest first.
SNAPSHOTS_DIR = "register_snapshots"
SNAPSHOT_TABLES = ("services", "service_capacities", "service_places", "service_target_groups")


REPORT_NAME = "build_report.json"
