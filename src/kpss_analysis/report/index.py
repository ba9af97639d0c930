"""The index page ``<outputs>/index.html``: every ORP's reports and key figures side by side.

It lists the ORP folders of finished runs (``manifest.json`` written by :func:`runner.run_orp`),
links their reports (HTML per chapter, DOCX when present) and shows key figures from each
``summary.json``: chosen figures of the sections ``demografie``, ``projekce`` and
``socialni_sluzby``, and every number of the ``orp`` level of any other section (headed by the
section's ``labels`` dict, Czech, when it has one; by the key otherwise). The page is one
self-contained file (no external CSS or scripts) and its table sorts by any column; it is
rendered from the Jinja2 template ``templates/index.html.j2`` (autoescaped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined

from kpss_analysis import __version__, fmt
from kpss_analysis.analysis.demography import INDICATOR_LABELS
from kpss_analysis.report.output import MANIFEST, SUMMARY, read_json, write_atomically

INDEX = "index.html"
TEMPLATE = "index.html.j2"
REPORT_SUFFIXES = (".html", ".docx")
#: Key figures of the demography chapter shown on the index page, in this order.
DEMOGRAPHY_KEYS = ("population_latest", "population", "share_65plus", "share_80plus", "ageing_index",
                   "dependency_total", "n_obce")
#: Group headings of the summary sections; other sections use their own ``title`` or name.
SECTION_TITLES = {"demografie": "Demografie", "projekce": "Projekce obyvatel", "socialni_sluzby": "Sociální služby"}
#: Key figures of the social-services chapter: key of its ``orp`` level, heading, decimals.
SERVICES_COLUMNS = (
    ("services_count", "Sociální služby s adresou v ORP", 0),
    ("beds_ds_dzr", "Lůžka DS + DZR", 0),
    ("beds_per_1000_75plus", "Lůžka DS + DZR na 1 000 obyvatel 75+", 1),
)


@dataclass(frozen=True)
class Column:
    """One key-figure column: the path of the value in ``summary.json``, its heading and decimals.

    ``decimals`` None means 0 for whole numbers and 1 otherwise.
    """

    path: tuple[str, ...]
    label: str
    decimals: int | None = None

    @property
    def section(self) -> str:
        return self.path[0]


@dataclass
class OrpEntry:
    """A finished ORP folder with its manifest and summary."""

    folder: Path
    manifest: dict
    summary: dict

    @property
    def reports(self) -> list[Path]:
        """Chapter reports (HTML, DOCX) in the folder, figures and tables excluded."""
        return sorted(p for p in self.folder.rglob("*") if p.suffix in REPORT_SUFFIXES
                      and p.parent.name not in ("figures", "tables"))

    def value(self, column: Column) -> object:
        """The number at ``column.path``, or None where this ORP's summary has none."""
        value: object = self.summary
        for key in column.path:
            value = value.get(key) if isinstance(value, dict) else None
        return value if _is_number(value) else None


def orp_entries(root: Path) -> list[OrpEntry]:
    """Finished ORP folders in ``root`` (a manifest with a run's fingerprint), by kraj and name.

    Staging folders of running or interrupted runs start with a dot and are never listed.
    """
    entries = []
    for manifest_path in sorted(Path(root).glob(f"[0-9]*/{MANIFEST}")):
        manifest = read_json(manifest_path, {})
        if "chapters" in manifest and "orp" in manifest:
            entries.append(OrpEntry(manifest_path.parent, manifest, read_json(manifest_path.parent / SUMMARY, {})))
    return sorted(entries, key=lambda e: (e.manifest["orp"].get("kraj_name", ""), e.manifest["orp"]["name"]))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _demography_columns(section: dict) -> list[Column]:
    level = section.get("orp", {})
    dates = section.get("reference_dates", {})
    latest = max((k for k in level if re.fullmatch(r"population_\d{4}", k)), default="population_latest")
    labels = INDICATOR_LABELS | {
        latest: f"Počet obyvatel k {fmt.date(dates['population_latest'])}" if "population_latest" in dates
        else "Počet obyvatel",
        "population": f"Počet obyvatel k {fmt.date(dates['age_structure'])}" if "age_structure" in dates
        else "Počet obyvatel",
        "n_obce": "Počet obcí",
    }
    keys = [latest if key == "population_latest" else key for key in DEMOGRAPHY_KEYS]
    return [Column(("demografie", "orp", key), labels[key]) for key in keys]


def _projection_columns(section: dict) -> list[Column]:
    """Seniors in the last plan horizon, variant A (without the ORP's migration differential)."""
    year = str(max(section.get("horizon_years", [])))
    return [Column(("projekce", "variants", "A", "orp", year, group), f"{label} k 1. 1. {year} (projekce, var. A)", 0)
            for group, label in (("65+", "Obyvatelé 65+"), ("80+", "Obyvatelé 80+"))]


def _generic_columns(name: str, section: dict) -> list[Column]:
    """Every number of the section's ``orp`` level, headed by the section's ``labels`` (or the key)."""
    level = section.get("orp", {})
    labels = section.get("labels", {})
    return [Column((name, "orp", key), labels.get(key, key)) for key, value in level.items() if _is_number(value)]


def index_columns(entries: list[OrpEntry]) -> list[Column]:
    """Key-figure columns of every summary section present, demography first."""
    sections: dict[str, dict] = {}
    for entry in entries:
        for name, content in entry.summary.items():
            if name != "orp" and isinstance(content, dict):
                sections.setdefault(name, content)
    columns = _demography_columns(sections.pop("demografie")) if "demografie" in sections else []
    for name, content in sections.items():
        if name == "projekce" and content.get("horizon_years"):
            columns += _projection_columns(content)
        elif name == "socialni_sluzby":
            columns += [Column((name, "orp", key), label, decimals) for key, label, decimals in SERVICES_COLUMNS]
        else:
            columns += _generic_columns(name, content)
    return columns


def _section_title(entries: list[OrpEntry], name: str) -> str:
    titles = [e.summary[name].get("title") for e in entries if isinstance(e.summary.get(name), dict)]
    return SECTION_TITLES.get(name) or next((t for t in titles if t), name.replace("_", " ").capitalize())


def _number_cell(value: object, decimals: int | None) -> dict:
    """``value`` (the raw number, for sorting) and ``text`` (Czech) of one key-figure cell."""
    if value is None:
        return {"value": "", "text": fmt.MISSING}
    if decimals is None:
        decimals = 0 if isinstance(value, int) else 1
    return {"value": value, "text": fmt.number(value, decimals)}


def _rows(entries: list[OrpEntry], columns: list[Column]) -> Iterator[dict]:
    for entry in entries:
        folder = quote(entry.folder.name)
        yield {"orp": entry.manifest["orp"], "href": f"{folder}/",
               "links": [{"href": f"{folder}/{quote(str(p.relative_to(entry.folder)))}", "stem": p.stem,
                          "kind": p.suffix[1:].upper()} for p in entry.reports],
               "cells": [_number_cell(entry.value(c), c.decimals) for c in columns]}


@cache
def _template():
    environment = Environment(loader=PackageLoader("kpss_analysis.report"), autoescape=True,
                              undefined=StrictUndefined, keep_trailing_newline=True)
    return environment.get_template(TEMPLATE)


def render_index(root: Path) -> str:
    """The HTML of the index page for the ORP folders in ``root``."""
    entries = orp_entries(root)
    columns = index_columns(entries)
    sections: dict[str, int] = {}
    for column in columns:
        sections[column.section] = sections.get(column.section, 0) + 1
    built = sorted({fmt.date(str(e.manifest["data"]["built_at"])[:10]) for e in entries
                    if e.manifest.get("data", {}).get("built_at")})
    versions = sorted({str(e.manifest.get("package_version", "")) for e in entries} - {""})
    return _template().render(
        count=fmt.number(len(entries)),
        built=", ".join(built) or fmt.MISSING,
        versions=", ".join(versions) or __version__,
        groups=[{"title": _section_title(entries, s), "span": n} for s, n in sections.items()],
        headers=[c.label for c in columns],
        rows=list(_rows(entries, columns)),
    )


def write_index(root: Path) -> Path:
    """Write ``index.html`` into ``root`` atomically and return its path."""
    text = render_index(root)
    return write_atomically(Path(root) / INDEX, lambda p: p.write_text(text, encoding="utf-8"))
