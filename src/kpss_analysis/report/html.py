"""Self-contained HTML reports of executed chapter notebooks (no code, images embedded, no scripts from the web).

Printed from a browser they give A4 pages: tables fit the page width (text wraps, numbers do not),
headings stay with what follows, every table has its "Zdroj:" line (:class:`~kpss_analysis.report.output.TableView`),
Markdown passes :func:`kpss_analysis.fmt.text` like every other output, and the machine's output
folder is named by its folder name only.
"""

from __future__ import annotations

import functools
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

from kpss_analysis import fmt
from kpss_analysis.report.output import STAGING_SUFFIX, write_atomically

_REPORT_TEMPLATE = "kpss_report.html.j2"


#: Screen and print styles of the report (A4, table widths, alignment, page breaks).
REPORT_CSS = """
:root { --jp-content-font-family: "Liberation Sans", Arial, sans-serif; --jp-ui-font-family: "Liberation Sans", Arial,
  sans-serif; }
.jp-RenderedHTMLCommon table { table-layout: auto; max-width: 100%; border-collapse: collapse; }
.jp-RenderedHTMLCommon td.text, .jp-RenderedHTMLCommon th.text { text-align: left; white-space: normal; }
.jp-RenderedHTMLCommon td.num { text-align: right; white-space: nowrap; }
.jp-RenderedHTMLCommon table caption { text-align: left; font-weight: bold; caption-side: top; }
.kpss-source { font-size: 85%; color: #333; margin: 0.3em 0 1em 0; text-align: left; }
.jp-OutputArea-output img { max-width: 100%; height: auto; }
@page { size: A4; margin: 2cm 1.8cm; }
@media print {
  .jp-OutputArea-output, .jp-RenderedHTMLCommon { overflow: visible !important; }
  .jp-RenderedHTMLCommon table { width: 100%; font-size: 8pt; }
  .jp-RenderedHTMLCommon table:has(tr > :nth-child(8)) { font-size: 6.5pt; }
  .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { padding: 0.15em 0.3em; }
  thead { display: table-header-group; }
  tr, img, .kpss-source { break-inside: avoid; }
  h1, h2, h3, h4, caption { break-after: avoid; page-break-after: avoid; }
  /* a heading is the end of its Markdown cell: keep the cell with the start of the next one */
  .jp-MarkdownCell { break-inside: avoid; }
  .jp-MarkdownCell:has(h1, h2, h3, h4) { break-after: avoid; page-break-after: avoid; }
}
"""


# JupyterLab's template loads require.js, MathJax and mermaid from a CDN; the chapters need none of
# them (no widgets, formulas or diagrams), and without them the report opens offline.
_REPORT_LOADER = DictLoader({_REPORT_TEMPLATE: """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style>""" + REPORT_CSS + """</style>
{%- endblock html_head_css -%}
"""})


def _typeset(notebook: nbformat.NotebookNode) -> None:
    """Czech typography (:func:`fmt.text`) in Markdown cells and Markdown outputs, in place."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = fmt.text(cell.source)
        for output in cell.get("outputs", []):
            if "text/markdown" in output.get("data", {}):
                output["data"]["text/markdown"] = fmt.text(output["data"]["text/markdown"])


def _relative_paths(body: str, folder: Path) -> str:
    """The output folder (staging or final) by its name only: a report must not show the machine's paths."""
    final = folder.with_name(folder.name[1:-len(STAGING_SUFFIX)]) if folder.name.endswith(STAGING_SUFFIX) else folder
    for path in {folder, final}:
        body = body.replace(str(path), final.name)
    return body


@functools.cache
def _exporter() -> HTMLExporter:
    """One exporter per process: building one (templates, filters) costs more than a chapter's export."""
    return HTMLExporter(extra_loaders=[_REPORT_LOADER], template_file=_REPORT_TEMPLATE, embed_images=True,
                        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def export_html(notebook: Path, target: Path) -> Path:
    """Write an executed notebook as a self-contained HTML report and return ``target``.

    No code cells or prompts; images are embedded and no script, style or image is loaded
    from the web. Written under a temporary name and renamed.
    """
    node = nbformat.read(notebook, as_version=4)
    _typeset(node)
    body, _resources = _exporter().from_notebook_node(node)
    body = _relative_paths(body, Path(target).resolve().parent)
    return write_atomically(Path(target), lambda p: p.write_text(body, encoding="utf-8"))
