"""What one render writes: the kinds of output, where each goes beside the main output, and their bytes.

The .docx and PDF are the official report; the HTML page is for the portal's 年报栏目; JSON and CSV
are the figures as open data; PNG and SVG are the chart comparing the year with the last, which is
then also placed in the .docx (and so the PDF) and in the page. ``api.render_files`` gates, checks
and writes; this module only makes.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from pathlib import Path

from ..errors import ToolkitError
from ..model import Report
from ..output import safe_filename

OUTPUT_KINDS = {".docx": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html", ".json": "json", ".csv": "csv",
                ".png": "png", ".svg": "svg"}


class ChartNeedsPrevious(ToolkitError):
    """A chart asked for without last year's report to compare with."""

    remedy = "previous"

    def __init__(self):
        super().__init__("生成对比图需要上一年度的报告。")


@dataclass(frozen=True)
class Outputs:
    """The files one report is written to, by kind; a kind not asked for is None."""

    docx: Path | None = None
    pdf: Path | None = None
    html: Path | None = None
    json: Path | None = None
    csv: Path | None = None
    png: Path | None = None
    svg: Path | None = None

    def paths(self) -> list[Path]:
        return [p for p in astuple(self) if p is not None]

    @property
    def chart(self) -> bool:
        return bool(self.png or self.svg)


def output_paths(report: Report, output: Path | None, pdf: bool = False, *, html: bool = False, json: bool = False,
                 csv: bool = False, chart: bool = False) -> Outputs:
    """What to write: the kind of ``output`` follows its suffix (default: a .docx named by the title);
    each further kind asked for adds a file beside it, with the same name (``chart`` a .png and an .svg)."""
    output = output or Path(safe_filename(report.title, ".docx"))
    kind = OUTPUT_KINDS.get(output.suffix.lower())
    if kind is None:
        raise ToolkitError(f"不支持的输出文件类型：{output.name}。请使用 .docx、.pdf、.html、.json、.csv、.png 或 .svg。")
    wanted = {"pdf": pdf, "html": html, "json": json, "csv": csv, "png": chart, "svg": chart}
    paths = {name: output.with_suffix(f".{name}") for name, asked in wanted.items() if asked}
    return Outputs(**{**paths, kind: output})


def output_contents(report: Report, outputs: Outputs, document: bytes | None, previous: Report | None,
             draft: bool = False) -> tuple[dict[Path, bytes], bytes | None]:
    """Every output but the PDF, as bytes; and the .docx (``document``, with the chart when one is
    asked for) that the PDF is made from."""
    from . import opendata

    chart = draw_chart(report, previous) if outputs.chart else None
    if chart and document is not None:
        from .chart import place_in_docx

        document = place_in_docx(document, chart, report.format)
    made: dict[Path, bytes] = {}
    if outputs.docx:
        made[outputs.docx] = document
    if outputs.html:
        from .html import Picture, render_html

        picture = (Picture(chart.svg, chart.description, report.format.roles.chart_after, phone_svg=chart.phone_svg)
                   if chart else None)
        made[outputs.html] = render_html(report, picture, draft).encode("utf-8")
    if outputs.json:
        made[outputs.json] = opendata.to_json(report).encode("utf-8")
    if outputs.csv:
        made[outputs.csv] = opendata.to_csv(report)
    if chart and outputs.png:
        made[outputs.png] = chart.png
    if chart and outputs.svg:
        made[outputs.svg] = chart.svg
    return made, document


def draw_chart(report: Report, previous: Report | None):
    """This year beside last year (``toolkit.publish.chart.Chart``); ToolkitError without last year's report."""
    if previous is None:
        raise ChartNeedsPrevious()
    try:
        from .chart import draw

        return draw(report, previous)
    except ModuleNotFoundError as exc:
        if exc.name != "matplotlib":
            raise
        raise ToolkitError("生成对比图需要 matplotlib：pip install 'govreport[chart]'") from None
