"""The charts a report carries, chosen once for the Word and the PDF versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from antt.reports.charts import bar_chart_svg, commune_map_svg, line_chart_svg
from antt.reports.exports.content import (
    ORGANIZATION_PARTS,
    Child,
    Report,
    Row,
    kind_noun,
    latest_labels,
    main_kind,
)

# Past this many children a bar per child no longer fits a page: show the lowest ones.
BAR_LIMIT = 40
LOWEST = 30
WIDTH = 640  # px: about the 16.5 cm text width of A4, so 12 px text prints near 9 pt


@dataclass(frozen=True)
class Figure:
    caption: str
    svg: str
    part: str = "scope"  # "scope": after the totals; "children": after the table of children


def summary_figures(report: Report) -> list[Figure]:
    figures = []
    year = f" năm {report.year}" if report.year else ""
    rated = [r for r in report.rows if r.denominator]
    if rated:
        figures.append(
            Figure(
                f"Tỷ lệ đạt tiêu chuẩn theo loại đơn vị{year}",
                bar_chart_svg(
                    [r.label for r in rated],
                    [r.rate for r in rated],
                    f"Tỷ lệ đạt tiêu chuẩn theo loại đơn vị{year}",
                    annotations=[r.ratio for r in rated],
                    width=WIDTH,
                ),
            )
        )
    kind = main_kind(report.child_kinds)
    if kind is None:
        return figures
    noun = kind_noun(kind, report.year)
    entries = [(c, row) for c in report.children if (row := c.row(kind)) is not None]
    if entries:
        if len(entries) <= BAR_LIMIT:
            chosen = sorted(entries, key=lambda e: (e[1].rate is None, -(e[1].rate or 0)))
            title = f"Tỷ lệ {noun} đạt tiêu chuẩn theo đơn vị trực thuộc{year}"
        else:
            chosen = sorted(
                (e for e in entries if e[1].rate is not None), key=lambda e: e[1].rate or 0
            )[:LOWEST]
            title = f"{LOWEST} đơn vị trực thuộc có tỷ lệ {noun} đạt tiêu chuẩn thấp nhất{year}"
        figures.append(
            Figure(
                title,
                bar_chart_svg(
                    [c.name for c, _ in chosen],
                    [r.rate for _, r in chosen],
                    title,
                    annotations=[r.ratio for _, r in chosen],
                    width=WIDTH,
                ),
                "children",
            )
        )
    if any(c.latitude is not None and c.longitude is not None for c, _ in entries):
        figures.append(_map(report, entries, noun, year))
    return figures


def _map(report: Report, entries: list[tuple[Child, Row]], noun: str, year: str) -> Figure:
    """Communes are placed by their own result (their commune row: 1 registered, met or not);
    other children (provinces, districts) by the rate of the main kind."""
    communes = all(_is_commune(c) for c, _ in entries)
    points = []
    for child, row in entries:
        point: dict[str, Any] = {
            "code": child.code,
            "name": child.name,
            "latitude": child.latitude,
            "longitude": child.longitude,
        }
        if communes:
            own = child.row("commune")
            if own is not None and own.met:
                point["result"] = "met"
            elif own is not None and own.not_met:
                point["result"] = "not_met"
            point["detail"] = f"{noun} đạt {row.ratio} ({row.rate_display})"
        else:
            point["rate"] = row.rate
        points.append(point)
    if communes:
        title = f"Kết quả xây dựng {kind_noun('commune', report.year)} đạt tiêu chuẩn{year}"
    else:
        title = f"Tỷ lệ {noun} đạt tiêu chuẩn theo vị trí đơn vị trực thuộc{year}"
    return Figure(title, commune_map_svg(points, title, width=WIDTH), "children")


def _is_commune(child: Child) -> bool:
    if child.kind:
        return child.kind == "commune"
    row = child.row("commune")  # no kind given: a commune counts itself once
    return row is not None and row.eligible in (1, None) and (row.registered or 0) <= 1


def review_figures(report: Report) -> list[Figure]:
    if not report.series:
        return []
    labels = latest_labels(report, lambda row: row.rate is not None)
    if "organization" in labels:  # one line for the group rather than four crossing lines
        labels = {k: v for k, v in labels.items() if k not in ORGANIZATION_PARTS}
    by_year = {result.year: {row.kind: row for row in result.rows} for result in report.series}
    series = {
        label: [getattr(by_year.get(year, {}).get(kind), "rate", None) for year in report.years]
        for kind, label in labels.items()
    }
    period = f" {report.years[0]} - {report.years[-1]}" if report.years else ""
    title = f"Tỷ lệ đạt tiêu chuẩn theo năm{period}"
    chart = line_chart_svg(report.years, series, title, report.markers, width=WIDTH)
    return [Figure(title, chart)]
