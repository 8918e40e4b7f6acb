"""PDF reports: the Word report's sections through an HTML template and WeasyPrint.

The templates live in ``antt/reports/templates/reports/pdf/`` and are rendered by a template
engine of their own, so the builder is a pure function that works whether or not the reports app
is installed. The Tinos files the certificates use are embedded (``make install`` copies them);
without them the PDF falls back to DejaVu Serif, which also has every Vietnamese glyph. The
charts are inline SVG, so they stay vector in the PDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine

from antt.reports.charts import FONT_DIR, report_font_files
from antt.reports.exports.content import (
    MOTTO,
    MOTTO_COUNTRY,
    SIGNATURE_HINT,
    Report,
    opening,
    review_report,
    summary_report,
)
from antt.reports.exports.sections import (
    Section,
    closing_heading,
    notes_heading,
    review_sections,
    summary_sections,
)

__all__ = ["review_pdf", "summary_pdf"]

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@cache
def _engine() -> Engine:
    return Engine(dirs=[str(TEMPLATES)], app_dirs=False, autoescape=True)


def _tables(section: Section) -> list[dict[str, Any]]:
    """Cells split into lines, and each cell's alignment, so the template only places them."""
    out = []
    for spec in section.tables:
        rows = []
        for r, values in enumerate(spec.rows):
            cells = []
            for c, value in enumerate(values):
                if r in spec.centred_rows and c >= 1:
                    align = "c"
                elif c >= spec.numeric_from:
                    align = "n"
                else:
                    align = ""
                cells.append({"lines": str(value).split("\n"), "align": align})
            rows.append(cells)
        out.append({"caption": spec.caption, "header": spec.header, "rows": rows})
    return out


def _render(report: Report, sections: list[Section]) -> bytes:
    # Imported late: Pango loads only when a PDF is asked for.
    from weasyprint import HTML  # type: ignore[import-untyped,unused-ignore]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped,unused-ignore]

    context = {
        "r": report,
        "fonts": {style: path.as_uri() for style, path in report_font_files().items()},
        "motto_country": MOTTO_COUNTRY,
        "motto": MOTTO,
        "signature_hint": SIGNATURE_HINT,
        "opening": opening(report),
        "sections": [
            {
                "heading": s.heading,
                "paragraphs": s.paragraphs,
                "tables": _tables(s),
                "figures": s.figures,
            }
            for s in sections
        ],
        "notes_heading": notes_heading(report, sections),
        "closing_heading": closing_heading(sections),
    }
    html = _engine().get_template("reports/pdf/report.html").render(Context(context))
    fonts = FONT_DIR.as_uri() + "/"

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        """Only the font files: a name in the data can never make the PDF fetch anything."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(fonts):
                raise ValueError(f"Không tải tài nguyên ngoài khi in báo cáo: {url[:80]}")
            return super().fetch(url, headers)

    fetcher = LocalFetcher(allowed_protocols=("file",))
    pdf = HTML(string=html, base_url=fonts, url_fetcher=fetcher).write_pdf()
    return bytes(pdf or b"")


def summary_pdf(data: Mapping[str, Any]) -> bytes:
    """The year's report of one scope, as the Word version reads."""
    report = summary_report(data)
    return _render(report, summary_sections(report))


def review_pdf(data: Mapping[str, Any]) -> bytes:
    """The multi-year review of one scope, with the warnings where the series breaks."""
    report = review_report(data)
    return _render(report, review_sections(report))
