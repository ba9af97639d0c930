"""Self-contained HTML reports of executed chapter notebooks (no code, images embedded, no scripts from the web).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

from kpss_analysis.report.output import write_atomically

_REPORT_TEMPLATE = "kpss_report.html.j2"


# JupyterLab's template loads require.js, MathJax and mermaid from a CDN; the chapters need none of
# them (no widgets, formulas or diagrams), and without them the report opens offline.
_REPORT_LOADER = DictLoader({_REPORT_TEMPLATE: """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style>
@media print { /* wide tables: smaller text instead of a scroll bar cut off on paper */
  .jp-RenderedHTMLCommon table { font-size: 7.5pt; }
  .jp-OutputArea-output { overflow-x: visible; }
}
</style>
{%- endblock html_head_css -%}
"""})


def export_html(notebook: Path, target: Path) -> Path:
    """Write an executed notebook as a self-contained HTML report and return ``target``.

    No code cells or prompts; images are embedded and no script, style or image is loaded
    from the web. Written under a temporary name and renamed.
    """
    exporter = HTMLExporter(extra_loaders=[_REPORT_LOADER], template_file=_REPORT_TEMPLATE, embed_images=True,
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _resources = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    return write_atomically(Path(target), lambda p: p.write_text(body, encoding="utf-8"))
