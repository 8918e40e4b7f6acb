"""PDF reports: the Word report's content through an HTML template and WeasyPrint.

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

from antt.reports.charts import report_font_files
from antt.reports.exports.content import (
    MOTTO,
    MOTTO_COUNTRY,
    SIGNATURE_HINT,
    Report,
    kind_label,
    opening,
    review_report,
    review_table,
    roman,
    summary_report,
)
from antt.reports.exports.figures import Figure, review_figures, summary_figures

__all__ = ["review_pdf", "summary_pdf"]

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@cache
def _engine() -> Engine:
    return Engine(dirs=[str(TEMPLATES)], app_dirs=False, autoescape=True)


def _fonts() -> dict[str, str]:
    return {style: path.as_uri() for style, path in report_font_files().items()}


def _numbered(figures: list[Figure], start: int = 1) -> list[dict[str, Any]]:
    return [
        {"number": number, "caption": f.caption, "svg": f.svg, "part": f.part}
        for number, f in enumerate(figures, start=start)
    ]


def _context(report: Report) -> dict[str, Any]:
    return {
        "r": report,
        "fonts": _fonts(),
        "motto_country": MOTTO_COUNTRY,
        "motto": MOTTO,
        "signature_hint": SIGNATURE_HINT,
        "opening": opening(report),
        "last_recipient": len(report.recipients) - 1,
    }


def _render(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported late: Pango loads only when a PDF is asked for

    html = _engine().get_template(template).render(Context(context))
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return bytes(pdf or b"")


def summary_pdf(data: Mapping[str, Any]) -> bytes:
    report = summary_report(data)
    figures = _numbered(summary_figures(report))
    kinds = report.child_kinds
    children = [
        {
            "name": child.name,
            "cells": [
                (f"{row.ratio}", row.rate_display) if (row := child.row(kind)) else ("—", "")
                for kind in kinds
            ],
        }
        for child in report.children
    ]
    section = 3 if report.children else 2
    context = _context(report) | {
        "scope_figures": [f for f in figures if f["part"] == "scope"],
        "child_figures": [f for f in figures if f["part"] == "children"],
        "child_headers": [kind_label(k, report.year) for k in kinds],
        "children": children,
        "failed_section": roman(section),
        "notes_section": roman(section + (1 if report.failed else 0)),
    }
    return _render("reports/pdf/summary.html", context)


def review_pdf(data: Mapping[str, Any]) -> bytes:
    report = review_report(data)
    header, rows = review_table(report) if report.series else ([], [])
    context = _context(report) | {
        "figures": _numbered(review_figures(report)),
        "table_header": header,
        "table_rows": [
            {"label": cells[0], "cells": [c.split("\n") for c in cells[1:]]} for cells in rows
        ],
    }
    return _render("reports/pdf/review.html", context)
