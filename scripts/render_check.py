"""Render an ORP output folder the way a person sees it, as page images to look at.

Builds the DOCX files (:func:`kpss_analysis.report.documents.build_documents`), converts them to PDF
with LibreOffice and every HTML report to PDF with headless Chromium (printed as a browser prints
it, A4), with ``--xlsx`` also every table workbook as LibreOffice Calc prints it, then rasterizes
each PDF page to PNG with pdftoppm. Open the PNGs (any image viewer) and check captions, numbering,
image sharpness, table widths, page breaks, Czech characters and number format.

Usage::

    .venv/bin/python scripts/render_check.py outputs/4107-sokolov [--out DIR] [--dpi 80] [--xlsx]

A developer tool, not part of ``make test``. Needs ``soffice``, ``chromium`` and ``pdftoppm``:
``sudo apt-get install libreoffice-writer chromium poppler-utils fonts-liberation2`` (``--xlsx``:
also ``libreoffice-calc``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kpss_analysis.report.documents import build_documents

TOOLS = {"soffice": "libreoffice-writer", "chromium": "chromium", "pdftoppm": "poppler-utils"}


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed ({result.returncode}):\n{result.stderr.strip()}")


def docx_to_pdf(documents: list[Path], out: Path) -> list[Path]:
    """Convert (DOCX or XLSX) with LibreOffice in its own profile, so that a running LibreOffice does not interfere."""
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        _run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
              "--outdir", str(out), *map(str, documents)])
    return [out / f"{doc.stem}.pdf" for doc in documents]


def html_to_pdf(report: Path, out: Path) -> Path:
    """Print to A4 PDF with headless Chromium (no network needed: the report is self-contained)."""
    target = out / f"{report.stem}.html.pdf"
    _run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
          f"--print-to-pdf={target}", report.resolve().as_uri()])
    return target


def pdf_to_png(pdf: Path, dpi: int) -> list[Path]:
    for stale in pdf.parent.glob(f"{pdf.with_suffix('').name}-*.png"):  # pages of an earlier, longer render
        stale.unlink()
    _run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(pdf.with_suffix(""))])
    return sorted(pdf.parent.glob(f"{pdf.with_suffix('').name}-*.png"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="ORP output folder, e.g. outputs/4107-sokolov")
    parser.add_argument("--out", type=Path, help="where to write PDFs and PNGs (default: a temporary folder)")
    parser.add_argument("--dpi", type=int, default=80, help="resolution of the page images (default 80)")
    parser.add_argument("--xlsx", action="store_true", help="also print every tables/*.xlsx as LibreOffice Calc does")
    args = parser.parse_args(argv)
    missing = [f"{tool} (apt package {package})" for tool, package in TOOLS.items() if shutil.which(tool) is None]
    if missing:
        sys.exit("Missing: " + ", ".join(missing) + ". Install with `sudo apt-get install "
                 + " ".join(TOOLS.values()) + "`.")
    out = args.out or Path(tempfile.mkdtemp(prefix=f"render-{args.folder.resolve().name}-"))
    out.mkdir(parents=True, exist_ok=True)
    pdfs = docx_to_pdf(build_documents(args.folder), out)
    pdfs += [html_to_pdf(report, out) for report in sorted(args.folder.glob("*.html"))]
    if args.xlsx:
        pdfs += docx_to_pdf(sorted(args.folder.glob("tables/*.xlsx")), out)
    for pdf in pdfs:
        pages = pdf_to_png(pdf, args.dpi)
        print(f"{pdf.name}: {len(pages)} pages → {pages[0].parent}/{pdf.with_suffix('').name}-*.png")


if __name__ == "__main__":
    main()
