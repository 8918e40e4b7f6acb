"""XLSX reports: one real table per sheet, ready to filter, sort and pivot.

Every sheet has its header in row 1 (frozen, bold), an Excel table (or an autofilter when the
sheet has no data row), column widths, integer format ``#,##0``, the rate as a number formatted
``0.00%`` *and* as the Vietnamese text ("97,75%") that the printed report shows. Text that would
start a formula (= + - @, tab, CR) is stored as text with a quote prefix, never as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped,unused-ignore]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped,unused-ignore]
from openpyxl.worksheet.table import Table, TableStyleInfo  # type: ignore[import-untyped,unused-ignore]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped,unused-ignore]

from antt.core.tabular import make_inert
from antt.reports.exports.content import (
    Report,
    Row,
    latest_labels,
    review_report,
    summary_report,
)

__all__ = ["review_xlsx", "summary_xlsx"]

INT = "#,##0"
PERCENT = "0.00%"
TEXT = "@"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
RIGHT_ALIGNED = frozenset({"Đạt/Đăng ký", "Tỷ lệ đạt (hiển thị)"})

# (header, format, width) for the columns every figures table shares
FIGURE_COLUMNS: tuple[tuple[str, str | None, int], ...] = (
    ("Thuộc diện", INT, 11),
    ("Đăng ký", INT, 10),
    ("Đạt", INT, 9),
    ("Chưa đạt", INT, 10),
    ("Chưa có kết quả", INT, 10),
    ("Đạt/Đăng ký", TEXT, 13),
    ("Tỷ lệ đạt", PERCENT, 11),
    ("Tỷ lệ đạt (hiển thị)", TEXT, 18),
    ("Tỷ lệ đạt trên số thuộc diện", PERCENT, 14),
)


def _figures(row: Row) -> list[Any]:
    return [
        row.eligible,
        row.registered,
        row.met,
        row.not_met,
        row.pending,
        row.ratio,
        row.rate,
        row.rate_display,
        row.rate_eligible,
    ]


def _shown_length(value: Any, number_format: str | None) -> int:
    """About how many characters the cell shows (a rate shows as "97.75%", not 0.977…)."""
    if value is None:
        return 0
    if number_format == PERCENT:
        return 8
    if number_format == INT and isinstance(value, int):
        return len(f"{value:,}")
    return len(str(value))


def _sheet(
    wb: Workbook,
    title: str,
    table_name: str,
    columns: Sequence[tuple[str, str | None, int]],
    rows: Sequence[Sequence[Any]],
    *,
    freeze: str = "A2",
) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append([name for name, _, _ in columns])
    for row in rows:
        ws.append(list(row))
    bold = Font(name="Calibri", size=11, bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    right = Alignment(horizontal="right")
    for index, (name, number_format, width) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        longest = max((_shown_length(r[index - 1], number_format) for r in rows), default=0)
        ws.column_dimensions[letter].width = min(max(width, longest + 2), 60)
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            if number_format:
                cell.number_format = number_format
            if name in RIGHT_ALIGNED:
                cell.alignment = right
            make_inert(cell)  # a name like "=1+1" stays text, never a live formula
    ws.freeze_panes = freeze
    ws.print_title_rows = "1:1"  # the header on every printed page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"
    if rows:
        table = Table(displayName=table_name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
    else:  # a table needs a data row; keep the filter buttons all the same
        ws.auto_filter.ref = ref
    return ws


def _notes_sheet(wb: Workbook, report: Report, facts: Sequence[tuple[str, Any]]) -> None:
    rows: list[tuple[str, Any]] = [
        ("Báo cáo", report.file_title),
        (
            "Địa bàn",
            f"{report.scope_name} ({report.scope_code})"
            if report.scope_code
            else report.scope_name,
        ),
        *facts,
        ("Căn cứ", report.legal_basis_text or report.legal_basis or "—"),
        ("Thời điểm trích xuất", report.generated),
    ]
    rows += [("Cảnh báo", text) for text in report.warnings]
    rows += [("Ghi chú", text) for text in report.notes]
    rows += [("Tóm tắt", text) for text in report.paragraphs]
    ws = _sheet(wb, "Ghi chú", "GhiChu", (("Mục", None, 22), ("Nội dung", None, 100)), rows)
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _save(wb: Workbook, report: Report) -> bytes:
    wb.remove(wb.worksheets[0])  # the empty default sheet
    wb.properties.title = report.file_title
    wb.properties.language = "vi-VN"
    wb.properties.creator = "ANTT"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def summary_xlsx(data: Mapping[str, Any]) -> bytes:
    """Sheets "Tổng hợp" (the scope), "Theo đơn vị" (each child, one row per kind),
    "Danh sách chưa đạt" (when the data lists units), "Danh sách đơn vị" (a commune's every
    unit, when the data has them) and "Ghi chú"."""
    report = summary_report(data)
    wb = Workbook()
    _sheet(
        wb,
        "Tổng hợp",
        "TongHop",
        (("Loại đơn vị", None, 34), *FIGURE_COLUMNS),
        [[row.label, *_figures(row)] for row in report.rows],
    )
    _sheet(
        wb,
        "Theo đơn vị",
        "TheoDonVi",
        (
            ("Mã đơn vị", TEXT, 11),
            ("Tên đơn vị", None, 28),
            ("Loại đơn vị", None, 30),
            *FIGURE_COLUMNS,
        ),
        [
            [child.code, child.name, row.label, *_figures(row)]
            for child in report.children
            for row in child.rows
        ],
        freeze="C2",
    )
    if report.has_unit_lists or report.failed:
        _sheet(
            wb,
            "Danh sách chưa đạt",
            "ChuaDat",
            (
                ("Mã đơn vị cấp trên", TEXT, 12),
                ("Đơn vị cấp trên", None, 24),
                ("Mã đơn vị", TEXT, 12),
                ("Tên đơn vị", None, 30),
                ("Loại đơn vị", None, 18),
                ("Kết quả", None, 10),
                ("Tiêu chí chưa đạt", None, 30),
                ("Giải thích", None, 40),
            ),
            [
                [
                    u.parent_code,
                    u.parent_name,
                    u.code,
                    u.name,
                    u.kind,
                    u.result,
                    u.criteria_text,
                    u.explanation,
                ]
                for u in report.failed
            ],
            freeze="E2",
        )
    if report.units:
        _sheet(
            wb,
            "Danh sách đơn vị",
            "DonVi",
            (
                ("Mã đơn vị", TEXT, 12),
                ("Tên đơn vị", None, 30),
                ("Loại đơn vị", None, 18),
                ("Kết quả", None, 16),
                ("Tiêu chí chưa đạt", None, 30),
                ("Giải thích", None, 40),
            ),
            [
                [u.code, u.name, u.kind, u.result, u.criteria_text, u.explanation]
                for u in report.units
            ],
            freeze="C2",
        )
    _notes_sheet(wb, report, [("Năm", report.year or "—")])
    return _save(wb, report)


def review_xlsx(data: Mapping[str, Any]) -> bytes:
    """Sheets "Theo năm" (one row per year and kind, with the legal basis), "Tỷ lệ theo năm"
    (kinds × years, rates as numbers, ready for an Excel chart) and "Ghi chú" (the warnings)."""
    report = review_report(data)
    wb = Workbook()
    _sheet(
        wb,
        "Theo năm",
        "TheoNam",
        (("Năm", "0", 7), ("Căn cứ", None, 14), ("Loại đơn vị", None, 34), *FIGURE_COLUMNS),
        [
            [result.year, result.legal_basis or "—", row.label, *_figures(row)]
            for result in report.series
            for row in result.rows
        ],
        freeze="D2",
    )
    kinds = list(latest_labels(report, lambda row: True).items())
    by_year = {result.year: {row.kind: row for row in result.rows} for result in report.series}
    pivot = []
    for kind, label in kinds:
        rates = [getattr(by_year.get(year, {}).get(kind), "rate", None) for year in report.years]
        pivot.append([label, *rates])
    _sheet(
        wb,
        "Tỷ lệ theo năm",
        "TyLeTheoNam",
        (("Loại đơn vị", None, 34), *((str(year), PERCENT, 10) for year in report.years)),
        pivot,
        freeze="B2",
    )
    bases = [(f"Căn cứ năm {r.year}", r.legal_basis) for r in report.series if r.legal_basis]
    _notes_sheet(wb, report, [("Giai đoạn", ", ".join(map(str, report.years)) or "—"), *bases])
    return _save(wb, report)
